package org.rlimitevents.listener;

import java.net.URI;
import java.net.URISyntaxException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.rlimitevents.kernel.events.EventSources;
import org.rlimitevents.plugin.ArgParser;

/** rlimit-listener's command line (Apache Commons CLI; errors are the plugin parser's ArgException). */
public record ListenerOptions(String hostName, Path nagiosCfg, Path objectsCache, Path resourceFile,
                              List<Path> serviceFiles, Path commandFile, Path checkResultDir, Path spoolDir,
                              long spoolMaxBytes, long heartbeatSeconds, long settleSeconds, boolean dryRun, EventSources.Choice tier,
                              Path controlSocket, boolean statusRequest, boolean help, RemoteOptions remote) {

    /** The options, each with its help text: `--help` is made from this one list. */
    private static final Options OPTIONS = new Options()
            .addOption(option("host-name", "NAME", "watch this Nagios/Icinga host's services (default: this machine's name)"))
            .addOption(option("nagios-cfg", "FILE", "Nagios's main config: where its objects.cache, resource file and command file are"
                    + " (default /etc/nagios4/nagios.cfg)"))
            .addOption(option("objects-cache", "FILE", "objects.cache to read (default: the one nagios.cfg names)"))
            .addOption(option("resource-file", "FILE", "resource.cfg for $USERn$ macros (default: the one nagios.cfg names)"))
            .addOption(option("services", "FILE", "services of the listener's own (check_rlimit command lines); repeatable"))
            .addOption(option("command-file", "FIFO", "Nagios's external command file (default: the one nagios.cfg names)"))
            .addOption(option("check-result-dir", "DIR", "write Nagios check-result files here instead"))
            .addOption(option("spool-dir", "DIR", "results not yet delivered (default /var/spool/rlimit-events)"))
            .addOption(option("spool-max-bytes", "N", "spool size bound (default 67108864)"))
            .addOption(option("heartbeat", "SECONDS", "re-send every result this often (default 300, 0 = off)"))
            .addOption(option("settle", "SECONDS", "one more result with the settled value after a quiet time"
                    + " (default 2, 0 = off)"))
            .addOption(option("tier", "TIER", "auto (default), netlink, fexit, tracepoint, sampling or polling"))
            .addOption(option("control-socket", "PATH", "where `status` asks (default /run/rlimit-events/control)"))
            .addOption(option("dry-run", null, "print the commands instead of sending them"))
            .addOption(option("icinga-api", "URL[,URL...]", "Icinga 2 API endpoints, in failover order; repeatable"))
            .addOption(option("icinga-ca", "FILE", "the Icinga API's CA certificate"))
            .addOption(option("icinga-credentials", "FILE", "API user:password (not world-writable)"))
            .addOption(option("icinga-services", null, "take the watched services from the Icinga API"))
            .addOption(option("check-source", "NAME", "check_source of results sent to Icinga (default: the host name)"))
            .addOption(option("nrdp-url", "URL[,URL...]", "NRDP endpoints, in failover order; repeatable"))
            .addOption(option("nrdp-ca", "FILE", "CA certificate for an https NRDP"))
            .addOption(option("nrdp-token-file", "FILE", "the NRDP token (not world-writable)"))
            .addOption(option("nsca", "HOST[:PORT][,...]", "NSCA servers, in failover order; repeatable"))
            .addOption(option("nsca-config", "FILE", "send_nsca.cfg: encryption_method and password"))
            .addOption(option("timeout", "SECONDS", "bound of every remote connection and request (default 10)"))
            .addOption(Option.builder("h").longOpt("help").desc("this help").build());

    private static Option option(String name, String arg, String description) {
        return Option.builder().longOpt(name).hasArg(arg != null).argName(arg).desc(description).build();
    }

    private static final String SYNTAX = "rlimit-listener [OPTION]...   |   rlimit-listener status [--control-socket PATH]";

    /** The help, from {@link #OPTIONS}. */
    static final String USAGE = helpText();

    private static String helpText() {
        HelpFormatter f = HelpFormatter.builder().setShowSince(false).get();
        f.setSyntaxPrefix("Usage: ");
        f.setWidth(100);
        StringWriter out = new StringWriter();
        try (PrintWriter w = new PrintWriter(out)) {
            f.printHelp(w, f.getWidth(), SYNTAX, "\nOptions (several endpoints, or the option repeated: results go to"
                    + " the first that takes them):", OPTIONS, f.getLeftPadding(), f.getDescPadding(), "");
        }
        return out.toString();
    }

    /** One line for a command-line mistake (the full help is --help). */
    static final String SHORT_USAGE = "Usage: " + SYNTAX + "\nTry 'rlimit-listener --help'.\n";

    public static ListenerOptions parse(String... args) throws ArgParser.ArgException {
        Parsed p;
        try {
            p = new Parsed(DefaultParser.builder().setAllowPartialMatching(false).build().parse(OPTIONS, args));
        } catch (ParseException e) {
            throw new ArgParser.ArgException(e.getMessage());
        }
        boolean status = p.positional().equals(List.of("status"));
        if (!p.positional().isEmpty() && !status) {
            throw new ArgParser.ArgException("unexpected argument '" + p.positional().get(0) + "'");
        }
        String host = p.last("host-name", null);
        if (host == null) {
            host = hostname();
        }
        EventSources.Choice tier;
        try {
            tier = EventSources.Choice.valueOf(p.last("tier", "auto").toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ArgParser.ArgException("--tier must be auto, netlink, fexit, tracepoint, sampling or polling");
        }
        return new ListenerOptions(host, path(p.last("nagios-cfg", null)), path(p.last("objects-cache", null)),
                path(p.last("resource-file", null)), p.all("services").stream().map(Path::of).toList(),
                path(p.last("command-file", null)), path(p.last("check-result-dir", null)),
                Path.of(p.last("spool-dir", "/var/spool/rlimit-events")),
                number(p.last("spool-max-bytes", "67108864"), "--spool-max-bytes"),
                number(p.last("heartbeat", "300"), "--heartbeat"), number(p.last("settle", "2"), "--settle"),
                p.has("dry-run"), tier,
                Path.of(p.last("control-socket", "/run/rlimit-events/control")), status, p.has("help"),
                remote(p, host));
    }

    /** A parsed command line: an option given again wins (as with getopt), a repeatable one keeps all. */
    private record Parsed(CommandLine line) {
        String last(String name, String otherwise) {
            String[] v = line.getOptionValues(name);
            return v == null ? otherwise : v[v.length - 1];
        }

        List<String> all(String name) {
            String[] v = line.getOptionValues(name);
            return v == null ? List.of() : List.of(v);
        }

        boolean has(String name) {
            return line.hasOption(name);
        }

        List<String> positional() {
            return line.getArgList();
        }
    }

    private static RemoteOptions remote(Parsed p, String host) throws ArgParser.ArgException {
        List<URI> icinga = uris(endpoints(p, "icinga-api"), "--icinga-api");
        if (!icinga.isEmpty() && (p.last("icinga-ca", null) == null || p.last("icinga-credentials", null) == null)) {
            throw new ArgParser.ArgException("--icinga-api needs --icinga-ca and --icinga-credentials");
        }
        if (p.has("icinga-services") && icinga.isEmpty()) {
            throw new ArgParser.ArgException("--icinga-services needs --icinga-api");
        }
        List<URI> nrdp = uris(endpoints(p, "nrdp-url"), "--nrdp-url");
        if (!nrdp.isEmpty() && p.last("nrdp-token-file", null) == null) {
            throw new ArgParser.ArgException("--nrdp-url needs --nrdp-token-file");
        }
        long timeout = number(p.last("timeout", "10"), "--timeout");
        if (timeout < 1 || timeout > 600) {
            throw new ArgParser.ArgException("--timeout must be 1 to 600 seconds");
        }
        RemoteOptions r = new RemoteOptions(icinga, path(p.last("icinga-ca", null)),
                path(p.last("icinga-credentials", null)), p.has("icinga-services"), p.last("check-source", host),
                nrdp, path(p.last("nrdp-ca", null)), path(p.last("nrdp-token-file", null)), endpoints(p, "nsca"),
                path(p.last("nsca-config", null)), (int) timeout);
        if (r.destinations() > 1 || r.destinations() == 1 && (p.has("command-file") || p.has("check-result-dir"))) {
            throw new ArgParser.ArgException("one destination for results: --command-file, --check-result-dir,"
                    + " --icinga-api, --nrdp-url or --nsca");
        }
        return r;
    }

    /**
     * A destination's endpoints in failover order: the option repeated, or one value with commas
     * (for a single RLIMIT_LISTENER_OPTS line), or both; each at most once.
     */
    private static List<String> endpoints(Parsed p, String name) throws ArgParser.ArgException {
        List<String> all = new java.util.ArrayList<>();
        for (String value : p.all(name)) {
            for (String e : value.split(",", -1)) {
                if (e.isBlank()) {
                    throw new ArgParser.ArgException("--" + name + ": an empty endpoint in '" + value + "'");
                }
                if (all.contains(e.strip())) {
                    throw new ArgParser.ArgException("--" + name + ": " + e.strip() + " given twice");
                }
                all.add(e.strip());
            }
        }
        return all;
    }

    private static List<URI> uris(List<String> all, String what) throws ArgParser.ArgException {
        List<URI> out = new java.util.ArrayList<>();
        for (String s : all) {
            try {
                URI u = new URI(s);
                if (!"https".equals(u.getScheme()) && !"http".equals(u.getScheme()) || u.getHost() == null) {
                    throw new URISyntaxException(s, "not an http(s) URL with a host");
                }
                out.add(u);
            } catch (URISyntaxException e) {
                throw new ArgParser.ArgException(what + ": " + e.getMessage());
            }
        }
        return out;
    }

    private static Path path(String s) {
        return s == null ? null : Path.of(s);
    }

    private static long number(String s, String what) throws ArgParser.ArgException {
        try {
            long v = Long.parseLong(s);
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ArgParser.ArgException(what + " must be a whole number >= 0, not '" + s + "'");
        }
    }

    private static String hostname() {
        try {
            return java.nio.file.Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }
}
