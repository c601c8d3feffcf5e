package org.rlimitevents.checkrlimit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import org.rlimitevents.kernel.proc.ProcFs;
import org.rlimitevents.kernel.proc.Tokens;
import org.rlimitevents.plugin.OutputFormatter;
import org.rlimitevents.plugin.PluginOutput;

/**
 * check_rlimit: reports how close processes are to their resource limits, by the Monitoring
 * Plugins conventions. {@link #run} returns the output and exit code; only {@link #main} exits.
 */
public final class CheckRlimit {
    public static final String SERVICE = "RLIMIT";
    private static final OutputFormatter FORMATTER = new OutputFormatter(SERVICE);

    private CheckRlimit() {
    }

    public static void main(String[] args) {
        PluginOutput out = run(args);
        System.out.print(out.text());
        System.out.flush();
        System.exit(out.exitCode());
    }

    public static PluginOutput run(String... args) {
        // -t bounds the whole run, parsing included (compiling and trying an -a regex, reading a passwd).
        CheckThread worker = new CheckThread(args);
        worker.setDaemon(true);
        worker.start();
        int timeout = timeoutOf(args);
        try {
            worker.join(timeout * 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return FORMATTER.unknown("interrupted");
        }
        if (worker.isAlive()) {
            return FORMATTER.unknown("check timed out after " + timeout + " s");
        }
        return worker.output;
    }

    /**
     * The -t of a command line before it is parsed (the default when absent or not a number: the
     * parser then says what is wrong), so that the parse itself runs under it. Later options win.
     */
    static int timeoutOf(String... args) {
        String value = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if ((a.equals("-t") || a.equals("--timeout")) && i + 1 < args.length) {
                value = args[++i];
            } else if (a.startsWith("--timeout=")) {
                value = a.substring("--timeout=".length());
            } else if (a.startsWith("-t") && !a.startsWith("--")) {
                value = a.substring(2);
            } else if (a.equals("--")) {
                break;
            }
        }
        return value != null && Tokens.isDigits(value, 9) && Integer.parseInt(value) > 0 ? Integer.parseInt(value)
                : DEFAULT_TIMEOUT_SECONDS;
    }

    static final int DEFAULT_TIMEOUT_SECONDS = 10;

    /** Parses and checks; {@link #output} is what to print (visible to the joining thread: join() orders it). */
    private static PluginOutput parseAndCheck(String... args) {
        CheckOptions options;
        try {
            options = CheckOptions.parse(args);
        } catch (UsageException e) {
            PluginOutput reason = FORMATTER.unknown(e.getMessage());
            return new PluginOutput(reason.text() + resource("usage.txt"), reason.exitCode());
        }
        if (options.help()) {
            return new PluginOutput(version() + "\n" + resource("usage.txt") + "\n" + resource("help.txt"), 3);
        }
        if (options.version()) {
            return new PluginOutput(version() + "\n", 3);
        }
        try {
            return FORMATTER.format(new RlimitCheck(options).run(ProcFs.at(options.procRoot()), ProcFs.selfPid()));
        } catch (UsageException e) {
            return FORMATTER.unknown(e.getMessage());
        } catch (RuntimeException | Error e) {
            return FORMATTER.unknown("internal error: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** A plain thread and join: FutureTask's VarHandles cost a one-shot plugin ~3 ms to link. */
    private static final class CheckThread extends Thread {
        private final String[] args;
        private PluginOutput output;

        CheckThread(String[] args) {
            super("check");
            this.args = args;
        }

        @Override
        public void run() {
            output = parseAndCheck(args);
        }
    }

    static String version() {
        String v = CheckRlimit.class.getPackage().getImplementationVersion();
        return "check_rlimit " + (v == null ? "(development build)" : v) + " (rlimit-events)";
    }

    static String resource(String name) {
        try (InputStream in = CheckRlimit.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
