package org.rlimitevents.checkrlimit;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import org.rlimitevents.kernel.proc.Resource;
import org.rlimitevents.kernel.proc.Tokens;
import org.rlimitevents.plugin.ArgParser;
import org.rlimitevents.plugin.Status;

/** check_rlimit's command line, parsed and validated; the listener parses services with it too. */
public record CheckOptions(ProcessSelection selection, List<Resource> resources, ResourceThresholds thresholds,
                           LimitKind limit, Status noMatch, int maxLines, int maxBytes, boolean perfdataAll,
                           int timeoutSeconds,
                           int verbosity, Path procRoot, boolean help, boolean version) {

    /** The resources Linux both counts and enforces per process or per user. */
    public static final List<Resource> DEFAULT_RESOURCES = List.of(Resource.NOFILE, Resource.NPROC, Resource.AS,
            Resource.DATA, Resource.STACK, Resource.MEMLOCK, Resource.SIGPENDING, Resource.CPU);

    /**
     * The default --max-bytes: what Nagios 4 keeps of a plugin's output (MAX_PLUGIN_OUTPUT_LENGTH,
     * include/nagios.h), the final newline included.
     */
    public static final int DEFAULT_MAX_BYTES = 8192;

    /** The smallest --max-bytes: room for "RLIMIT CRITICAL - " and a few words. */
    static final int MIN_BYTES = 64;

    private static final ArgParser PARSER = new ArgParser(List.of(
            new ArgParser.Spec('p', "pid", true),
            new ArgParser.Spec('P', "pidfile", true),
            new ArgParser.Spec('C', "command", true),
            new ArgParser.Spec('a', "argument", true),
            new ArgParser.Spec('u', "user", true),
            new ArgParser.Spec((char) 0, "unit", true),
            new ArgParser.Spec((char) 0, "cgroup", true),
            new ArgParser.Spec((char) 0, "no-match", true),
            new ArgParser.Spec('r', "resource", true),
            new ArgParser.Spec('w', "warning", true),
            new ArgParser.Spec('c', "critical", true),
            new ArgParser.Spec((char) 0, "limit", true),
            new ArgParser.Spec((char) 0, "max-lines", true),
            new ArgParser.Spec((char) 0, "max-bytes", true),
            new ArgParser.Spec((char) 0, "perfdata", true),
            new ArgParser.Spec('t', "timeout", true),
            new ArgParser.Spec('v', "verbose", false),
            new ArgParser.Spec((char) 0, "proc-root", true),
            new ArgParser.Spec((char) 0, "passwd", true),
            new ArgParser.Spec('h', "help", false),
            new ArgParser.Spec('V', "version", false)));

    public static CheckOptions parse(String... args) throws UsageException {
        ArgParser.Parsed cl;
        try {
            cl = PARSER.parse(args);
        } catch (ArgParser.ArgException e) {
            throw new UsageException(e.getMessage());
        }
        if (!cl.positional().isEmpty()) {
            throw new UsageException("unexpected argument '" + cl.positional().get(0) + "'");
        }
        boolean help = cl.has("help");
        boolean version = cl.has("version");

        List<Integer> pids = new ArrayList<>();
        for (String p : cl.all("pid")) {
            pids.add(positiveInt(p, "pid"));
        }
        List<Path> pidfiles = new ArrayList<>();
        for (String f : cl.all("pidfile")) {
            pidfiles.add(path(f, "--pidfile"));
        }
        String command = cl.last("command", null);
        Pattern argument = null;
        if (cl.has("argument")) {
            try {
                argument = Pattern.compile(cl.last("argument", null));
            } catch (PatternSyntaxException e) {
                throw new UsageException("invalid --argument regex: " + e.getDescription());
            }
        }
        Path passwd = path(cl.last("passwd", "/etc/passwd"), "--passwd");
        Integer uid = cl.has("user") ? Users.uidOf(cl.last("user", null), passwd) : null;
        String unit = cl.last("unit", null);
        if (unit != null && (unit.isEmpty() || unit.contains("/"))) {
            throw new UsageException("invalid unit name '" + unit + "'");
        }
        ProcessSelection selection = new ProcessSelection(pids, pidfiles, command, argument, uid, unit,
                cl.last("cgroup", null));

        List<Resource> resources = resources(cl.all("resource"));
        ResourceThresholds thresholds = ResourceThresholds.parse(cl.all("warning"), cl.all("critical"));
        LimitKind limit = choice(cl.last("limit", "soft"), "--limit", LimitKind.class);
        Status noMatch = choice(cl.last("no-match", "critical"), "--no-match", Status.class);
        int maxLines = positiveInt(cl.last("max-lines", "25"), "--max-lines");
        int maxBytes = positiveInt(cl.last("max-bytes", Integer.toString(DEFAULT_MAX_BYTES)), "--max-bytes");
        if (maxBytes > 0 && maxBytes < MIN_BYTES) {
            throw new UsageException("--max-bytes must be at least " + MIN_BYTES);
        }
        String perfdata = cl.last("perfdata", "worst");
        if (!perfdata.equals("worst") && !perfdata.equals("all")) {
            throw new UsageException("--perfdata must be one of [worst, all], not '" + perfdata + "'");
        }
        int timeout = positiveInt(cl.last("timeout", "10"), "--timeout");
        Path procRoot = path(cl.last("proc-root", "/proc"), "--proc-root");
        return new CheckOptions(selection, resources, thresholds, limit, noMatch, maxLines, maxBytes, perfdata.equals("all"), timeout,
                cl.count("verbose"), procRoot, help, version);
    }

    private static List<Resource> resources(List<String> specs) throws UsageException {
        if (specs.isEmpty()) {
            return DEFAULT_RESOURCES;
        }
        Set<Resource> chosen = new LinkedHashSet<>();
        for (String spec : specs) {
            for (String name : spec.split(",")) {
                if (name.trim().equalsIgnoreCase("all")) {
                    chosen.addAll(List.of(Resource.values()));
                } else {
                    chosen.add(resource(name));
                }
            }
        }
        if (chosen.isEmpty()) {
            throw new UsageException("-r names no resource (an empty list such as ','): name one or more, or 'all'");
        }
        return List.copyOf(chosen);
    }

    /** A resource by its key; the error lists the keys. (No lambda: this is on every run's path.) */
    static Resource resource(String name) throws UsageException {
        Optional<Resource> r = Resource.byKey(name);
        if (r.isEmpty()) {
            throw new UsageException("unknown resource '" + name + "' (one of: all, "
                    + String.join(", ", Arrays.stream(Resource.values()).map(x -> x.key).toList()) + ")");
        }
        return r.get();
    }

    private static Path path(String text, String what) throws UsageException {
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new UsageException(what + " is not a usable path: " + e.getReason());
        }
    }

    private static int positiveInt(String text, String what) throws UsageException {
        if (!Tokens.isDigits(text, 9) || Integer.parseInt(text) == 0) {
            throw new UsageException(what + " must be a positive whole number, not '" + text + "'");
        }
        return Integer.parseInt(text);
    }

    private static <E extends Enum<E>> E choice(String text, String what, Class<E> type) throws UsageException {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(text)) {
                return e;
            }
        }
        throw new UsageException(what + " must be one of " + Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT)).toList() + ", not '" + text + "'");
    }
}
