package org.rlimitevents.listener;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;

import org.rlimitevents.kernel.events.EventSources;
import org.rlimitevents.plugin.ArgParser;

/** rlimit-listener's command line (the same parser as check_rlimit's). */
public record ListenerOptions(String hostName, Path nagiosCfg, Path objectsCache, Path resourceFile,
                              List<Path> serviceFiles, Path commandFile, Path checkResultDir, Path spoolDir,
                              long spoolMaxBytes, long heartbeatSeconds, long settleSeconds, boolean dryRun, EventSources.Choice tier,
                              Path controlSocket, boolean statusRequest, boolean help, RemoteOptions remote) {

    static final String USAGE = String.join("\n",
            "Usage: rlimit-listener [--host-name NAME] [--nagios-cfg FILE] [--objects-cache FILE]",
            "                       [--resource-file FILE] [--services FILE]... [--command-file FIFO]",
            "                       [--check-result-dir DIR] [--spool-dir DIR] [--spool-max-bytes N]",
            "                       [--heartbeat SECONDS] [--settle SECONDS]",
            "                       [--tier auto|netlink|fexit|tracepoint|sampling|polling]",
            "                       [--control-socket PATH] [--dry-run] [-h]",
            "                       [--icinga-api URL[,URL...] --icinga-ca FILE --icinga-credentials FILE",
            "                        [--icinga-services] [--check-source NAME]]",
            "                       [--nrdp-url URL[,URL...] [--nrdp-ca FILE] --nrdp-token-file FILE]",
            "                       [--nsca HOST[:PORT][,HOST[:PORT]...] [--nsca-config FILE]] [--timeout SECONDS]",
            "       (several endpoints, or the option repeated: results go to the first that takes them)",
            "       rlimit-listener status [--control-socket PATH]",
            "");

    private static final ArgParser PARSER = new ArgParser(List.of(
            new ArgParser.Spec((char) 0, "host-name", true),
            new ArgParser.Spec((char) 0, "nagios-cfg", true),
            new ArgParser.Spec((char) 0, "objects-cache", true),
            new ArgParser.Spec((char) 0, "resource-file", true),
            new ArgParser.Spec((char) 0, "services", true),
            new ArgParser.Spec((char) 0, "command-file", true),
            new ArgParser.Spec((char) 0, "check-result-dir", true),
            new ArgParser.Spec((char) 0, "spool-dir", true),
            new ArgParser.Spec((char) 0, "spool-max-bytes", true),
            new ArgParser.Spec((char) 0, "heartbeat", true),
            new ArgParser.Spec((char) 0, "settle", true),
            new ArgParser.Spec((char) 0, "tier", true),
            new ArgParser.Spec((char) 0, "dry-run", false),
            new ArgParser.Spec((char) 0, "control-socket", true),
            new ArgParser.Spec((char) 0, "icinga-api", true),
            new ArgParser.Spec((char) 0, "icinga-ca", true),
            new ArgParser.Spec((char) 0, "icinga-credentials", true),
            new ArgParser.Spec((char) 0, "icinga-services", false),
            new ArgParser.Spec((char) 0, "check-source", true),
            new ArgParser.Spec((char) 0, "nrdp-url", true),
            new ArgParser.Spec((char) 0, "nrdp-ca", true),
            new ArgParser.Spec((char) 0, "nrdp-token-file", true),
            new ArgParser.Spec((char) 0, "nsca", true),
            new ArgParser.Spec((char) 0, "nsca-config", true),
            new ArgParser.Spec((char) 0, "timeout", true),
            new ArgParser.Spec('h', "help", false)));

    public static ListenerOptions parse(String... args) throws ArgParser.ArgException {
        ArgParser.Parsed p = PARSER.parse(args);
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

    private static RemoteOptions remote(ArgParser.Parsed p, String host) throws ArgParser.ArgException {
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
    private static List<String> endpoints(ArgParser.Parsed p, String name) throws ArgParser.ArgException {
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
