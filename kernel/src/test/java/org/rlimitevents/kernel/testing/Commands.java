package org.rlimitevents.kernel.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a system command for a test and returns what it printed; a failure is an exception. */
public final class Commands {
    private Commands() {
    }

    /** Output and exit code of a finished command. */
    public record Result(int exitCode, String stdout, String stderr) {
    }

    public static String run(List<String> command) throws IOException, InterruptedException {
        Result r = exec(command, 60);
        if (r.exitCode() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + r.exitCode() + ": " + r.stderr());
        }
        return r.stdout();
    }

    public static Result exec(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        // Drain stderr on its own thread so a chatty command cannot block on a full pipe.
        StringBuilder err = new StringBuilder();
        Thread drain = new Thread(() -> {
            try {
                err.append(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // the process is gone; what was read is kept
            }
        });
        drain.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
        }
        drain.join();
        return new Result(p.exitValue(), out, err.toString());
    }
}
