package org.rlimitevents.checkrlimit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import org.rlimitevents.kernel.proc.ProcFs;
import org.rlimitevents.plugin.CheckResult;
import org.rlimitevents.plugin.FittedOutput;
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
        return runWithTimeout(options);
    }

    /**
     * Runs the check on a daemon thread so that a read stuck in the kernel cannot outlive -t.
     * (A plain thread and join: FutureTask's VarHandles cost a one-shot plugin ~3 ms to link.)
     */
    private static PluginOutput runWithTimeout(CheckOptions options) {
        CheckThread worker = new CheckThread(options);
        worker.setDaemon(true);
        worker.start();
        try {
            worker.join(options.timeoutSeconds() * 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return FORMATTER.unknown("interrupted");
        }
        if (worker.isAlive()) {
            return FORMATTER.unknown("check timed out after " + options.timeoutSeconds() + " s");
        }
        if (worker.failure != null) {
            Throwable cause = worker.failure;
            String reason = cause instanceof UsageException ? cause.getMessage()
                    : "internal error: " + cause.getClass().getSimpleName() + ": " + cause.getMessage();
            return FORMATTER.unknown(reason);
        }
        return fitted(FORMATTER.format(worker.result), options.maxBytes());
    }

    /**
     * At most {@code maxBytes} bytes of output (0: no limit), for transports that cut it (NRPE's
     * 1 KiB v2 packet): the last long-output lines go first, then the summary shortens; the
     * perfdata on the first line goes last, by whole items.
     */
    static PluginOutput fitted(PluginOutput out, int maxBytes) {
        if (maxBytes == 0 || out.text().getBytes(StandardCharsets.UTF_8).length <= maxBytes) {
            return out;
        }
        return new PluginOutput(FittedOutput.fit(out.text(), maxBytes - 1, line -> line, "\n") + "\n",
                out.exitCode());
    }

    private static final class CheckThread extends Thread {
        private final CheckOptions options;
        private CheckResult result; // visible to the joining thread: join() is a happens-before edge
        private Throwable failure;

        CheckThread(CheckOptions options) {
            super("check");
            this.options = options;
        }

        @Override
        public void run() {
            try {
                result = new RlimitCheck(options).run(ProcFs.at(options.procRoot()), ProcFs.selfPid());
            } catch (UsageException | RuntimeException | Error e) {
                failure = e;
            }
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
