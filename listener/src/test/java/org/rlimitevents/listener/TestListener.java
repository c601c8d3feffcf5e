package org.rlimitevents.listener;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.rlimitevents.kernel.testing.FdHolder;

/**
 * What the listener's end-to-end tests share: a listener with its spool and control socket in the
 * test's dir (no heartbeat unless asked), the watched process, the spool to wait for.
 */
final class TestListener {
    private TestListener() {
    }

    static ListenerMain start(Path dir, Consumer<String> log, String... args) throws Exception {
        // no heartbeat and no settle results: a test's results are those its steps make
        List<String> all = new ArrayList<>(List.of("--spool-dir", dir.resolve("spool").toString(), "--spool-max-bytes",
                "1048576", "--heartbeat", "0", "--settle", "0", "--control-socket", dir.resolve("control").toString()));
        all.addAll(List.of(args)); // later options win
        return ListenerMain.start(ListenerOptions.parse(all.toArray(new String[0])), log);
    }

    /** A bash holding {@code fds} open files under a limit of 1000, its pid in dir/holder.pid. */
    static FdHolder holder(Path dir, int fds) throws Exception {
        FdHolder child = FdHolder.start();
        child.prlimit("--nofile=1000:1000");
        child.holdFds(fds);
        Files.writeString(dir.resolve("holder.pid"), child.pid() + "\n");
        return child;
    }

    /** Waits until the listener has spooled a result (the server is unreachable). */
    static void awaitSpooled(Path dir) throws InterruptedException, java.io.IOException {
        Path spool = dir.resolve("spool/results.spool");
        for (int i = 0; i < 100 && (!Files.exists(spool) || Files.size(spool) == 0); i++) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(spool) && Files.size(spool) > 0, "a result in the spool");
    }

    /**
     * WARNING, CRITICAL, then OK in one step, each taken only once the listener has its result:
     * the results are exactly 1, 2, 0. The soft limit is halved first (100 of 500 is still OK:
     * nothing sent) so that OK comes back with one prlimit raising it again, with no WARNING on
     * the way down as closing fds one by one could give (raising a hard limit needs
     * CAP_SYS_RESOURCE, which not every test machine grants).
     */
    static void stepThroughStates(ListenerMain listener, FdHolder child) throws Exception {
        String key = "testhost;rlimit holder";
        child.prlimit("--nofile=500:1000");
        child.holdFds(425);
        await("WARNING taken", 10_000, () -> listener.listener().lastResult(key).exitCode() == 1);
        child.holdFds(475);
        await("CRITICAL taken", 10_000, () -> listener.listener().lastResult(key).exitCode() == 2);
        child.prlimit("--nofile=1000:1000");
        await("OK taken", 10_000, () -> listener.listener().lastResult(key).exitCode() == 0);
    }

    /** What an await checks: may throw (a file not there yet counts as not yet). */
    interface Condition {
        boolean holds() throws Exception;
    }

    /** The one way the listener's tests wait: until {@code condition} holds, or fail after {@code ms}. */
    static void await(String what, long ms, Condition condition) throws Exception {
        long deadline = System.nanoTime() + ms * 1_000_000;
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("not within " + ms + " ms: " + what + (last == null ? "" : " (last: " + last + ")"));
    }

    /** Closes what a test started, the listener first. */
    static void closeAll(AutoCloseable... all) throws Exception {
        for (AutoCloseable c : all) {
            if (c != null) {
                c.close();
            }
        }
    }
}
