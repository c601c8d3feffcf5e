package org.rlimitevents.kernel.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real child process (bash) that holds exactly as many open file descriptors as a test asks
 * for, counted by the kernel. bash is used rather than a JVM because it opens nothing behind our
 * back, so the count is exact. Limits are set on it from outside with prlimit(1).
 */
public final class FdHolder implements AutoCloseable {
    // Counts its fds with a glob of /proc/PID/fd (no fork; the glob's own directory fd is
    // subtracted), then opens /dev/null or closes its newest fds until the count is the target.
    private static final String SCRIPT = String.join("\n",
            "count() { local f=(/proc/$BASHPID/fd/*); n=$(( ${#f[@]} - 1 )); }",
            "opened=()",
            "echo ready",
            "while read -r target; do",
            "  count",
            "  while (( n < target )); do exec {fd}</dev/null || break; opened+=($fd); n=$((n+1)); done",
            "  while (( n > target && ${#opened[@]} > 0 )); do fd=${opened[-1]}; unset 'opened[-1]'; exec {fd}<&-; n=$((n-1)); done",
            "  count; echo $n",
            "done");

    private final Process process;
    private final BufferedReader out;
    private final Writer in;

    private FdHolder(List<String> prefix) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of("/bin/bash", "-c", SCRIPT));
        process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        String first = out.readLine();
        if (!"ready".equals(first)) {
            throw new IOException("fd holder did not start: " + first);
        }
    }

    public static FdHolder start() throws IOException {
        return new FdHolder(List.of());
    }

    /** A holder whose command line starts with {@code prefix} (e.g. setpriv to run as another user). */
    public static FdHolder startWith(String... prefix) throws IOException {
        return new FdHolder(List.of(prefix));
    }

    public int pid() {
        return (int) process.pid();
    }

    /** Opens or closes fds until exactly {@code total} are open; returns the kernel's count. */
    public int holdFds(int total) throws IOException {
        in.write(total + "\n");
        in.flush();
        String reply = out.readLine();
        if (reply == null) {
            throw new IOException("fd holder exited");
        }
        return Integer.parseInt(reply.trim());
    }

    /** Sets this process's limits from outside, as an admin would: prlimit --pid PID ARGS. */
    public void prlimit(String... args) throws IOException, InterruptedException {
        Commands.run(prlimitCommand(pid(), args));
    }

    public static List<String> prlimitCommand(int pid, String... args) {
        List<String> cmd = new ArrayList<>(List.of("prlimit", "--pid", Integer.toString(pid)));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
