package org.rlimitevents.checkrlimit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.rlimitevents.kernel.proc.ProcFs;
import org.rlimitevents.plugin.CheckResult;
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

    /** Runs the check on a daemon thread so that a read stuck in the kernel cannot outlive -t. */
    private static PluginOutput runWithTimeout(CheckOptions options) {
        FutureTask<CheckResult> task = new FutureTask<>(new Callable<CheckResult>() {
            @Override
            public CheckResult call() throws UsageException {
                return new RlimitCheck(options).run(ProcFs.at(options.procRoot()), ProcFs.selfPid());
            }
        });
        Thread worker = new Thread(task, "check");
        worker.setDaemon(true);
        worker.start();
        try {
            return FORMATTER.format(task.get(options.timeoutSeconds(), TimeUnit.SECONDS));
        } catch (TimeoutException e) {
            task.cancel(true);
            return FORMATTER.unknown("check timed out after " + options.timeoutSeconds() + " s");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            String reason = cause instanceof UsageException ? cause.getMessage()
                    : "internal error: " + cause.getClass().getSimpleName() + ": " + cause.getMessage();
            return FORMATTER.unknown(reason);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return FORMATTER.unknown("interrupted");
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
