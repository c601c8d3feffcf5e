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
 * back, so the count is exact (the script: fd-holder.bash). Limits are set on it from outside
 * with prlimit(1).
 */
public final class FdHolder implements AutoCloseable {
    private static final String SCRIPT = script();

    private final Process process;
    private final BufferedReader out;
    private final Writer in;

    private FdHolder(List<String> prefix, String bash) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(bash, "-c", SCRIPT));
        process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        String first = out.readLine();
        if (!"ready".equals(first)) {
            throw new IOException("fd holder did not start: " + first);
        }
    }

    private static String script() {
        try (var in = FdHolder.class.getResourceAsStream("fd-holder.bash")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static FdHolder start() throws IOException {
        return new FdHolder(List.of(), "/bin/bash");
    }

    /**
     * A holder whose command name (comm) is the name of {@code bashLink}, a symbolic link to bash
     * created here if missing (the kernel names a process after the path it was exec'd by).
     */
    public static FdHolder named(java.nio.file.Path bashLink, String... prefix) throws IOException {
        if (!java.nio.file.Files.exists(bashLink, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            java.nio.file.Files.createSymbolicLink(bashLink, java.nio.file.Path.of("/bin/bash"));
        }
        return new FdHolder(List.of(prefix), bashLink.toString());
    }

    /** A holder whose command line starts with {@code prefix} (e.g. setpriv to run as another user). */
    public static FdHolder startWith(String... prefix) throws IOException {
        return new FdHolder(List.of(prefix), "/bin/bash");
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
