package org.rlimitevents.checkrlimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlimitevents.kernel.proc.ProcFs;
import org.rlimitevents.kernel.testing.Commands;
import org.rlimitevents.kernel.testing.ProcFixture;
import org.rlimitevents.plugin.PluginOutput;

/**
 * Selections an admin (or an attacker) can make slow, blocking or wrong: they end within the
 * timeout with a reason, and zombies, the plugin's parent and stale pidfiles are never matches.
 */
class HostileSelectionTest {
    @TempDir
    Path dir;
    private ProcFixture proc;

    @BeforeEach
    void tree() {
        proc = new ProcFixture(dir.resolve("proc"), "5.10.0-fixture");
    }

    private PluginOutput check(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--proc-root=" + proc.root());
        return CheckRlimit.run(all.toArray(new String[0]));
    }

    private static void assertUnknown(String reason, PluginOutput out) {
        assertEquals(3, out.exitCode(), out.text());
        assertTrue(out.text().startsWith("RLIMIT UNKNOWN - " + reason), out.text());
    }

    @Test
    void aBacktrackingRegexGivesUpWithAReasonWellWithinTheTimeout() {
        proc.process(100, "python3").cmdline("a".repeat(60) + " b").write();
        long t0 = System.nanoTime();
        PluginOutput out = check("-a", "(.*a){25}", "-t", "5");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertUnknown("--argument regex /(.*a){25}/ gave up on pid 100: more than 10000000 steps", out);
        assertTrue(ms < 5000, "gave up after " + ms + " ms");
    }

    @Test
    void pidfilesThatAreNoRegularFilesAreRefusedWithoutBlocking() throws Exception {
        Path fifo = dir.resolve("fifo.pid");
        Commands.run(List.of("mkfifo", fifo.toString()));
        assertUnknown("cannot read pidfile " + fifo + ": not a regular file (a FIFO, socket or device)",
                check("-P", fifo.toString()));
        assertUnknown("cannot read pidfile /dev/zero: not a regular file (a FIFO, socket or device)",
                check("-P", "/dev/zero"));
        Path big = dir.resolve("big.pid");
        Files.writeString(big, "1" + " ".repeat(5000));
        assertUnknown("cannot read pidfile " + big + ": 5001 bytes, more than 4096", check("-P", big.toString()));
        Path link = dir.resolve("link.pid");
        Files.createSymbolicLink(link, big);
        assertUnknown("cannot read pidfile " + link + ": a symbolic link (refused: regular files only)",
                check("-P", link.toString()));
    }

    @Test
    void aPidfileOlderThanItsProcessIsStaleAndSaidSo() throws Exception {
        Files.writeString(proc.root().resolve("stat"), "cpu 1 2 3\nbtime 1000000\n");
        proc.process(100, "sshd").startTicks(500 * 100).write(); // started at 1000500 s
        Path pidfile = dir.resolve("sshd.pid");
        Files.writeString(pidfile, "100\n");
        Files.setLastModifiedTime(pidfile, FileTime.fromMillis(1_000_400_000L)); // 100 s before it
        PluginOutput out = check("-P", pidfile.toString(), "-r", "nofile");
        assertEquals("RLIMIT CRITICAL - no process matched pidfile " + pidfile + " (stale pidfile " + pidfile
                + ": pid 100 started 100 s after the file was written)\n", out.text());
        Files.setLastModifiedTime(pidfile, FileTime.fromMillis(1_000_499_000L)); // written by it, 1 s early
        assertTrue(check("-P", pidfile.toString(), "-r", "nofile").text().startsWith("RLIMIT OK - sshd[100]"));
    }

    @Test
    void anEmptyResourceListIsAnError() {
        proc.process(100, "sshd").write();
        assertUnknown("-r names no resource", check("-p", "100", "-r", ","));
    }

    @Test
    void zombiesAreNoMatchAndNamedAsSuch() throws Exception {
        proc.process(100, "nginx").zombie().write();
        proc.process(101, "nginx").write();
        assertTrue(check("-C", "nginx", "-r", "nofile").text().startsWith("RLIMIT OK - nginx[101] nofile"));
        assertEquals("RLIMIT CRITICAL - no process matched pid 100\n", check("-p", "100", "-r", "nofile").text());
        ProcFs fs = ProcFs.at(proc.root());
        Finding f = new RlimitCheck(CheckOptions.parse("-p", "100")).evaluate(fs.process(100),
                org.rlimitevents.kernel.proc.Resource.AS, fs);
        assertEquals("no usage: zombie (exited, not yet reaped)", f.note());
    }

    @Test
    void theParentOfTheCheckIsNotMatchedAsCheckProcsDoes() throws Exception {
        proc.process(400, "timeout").cmdline("timeout 20 check_rlimit -a nginx: worker").write();
        proc.process(500, "java").parent(400).cmdline("java check_rlimit -a nginx: worker").write();
        proc.process(300, "nginx").cmdline("nginx: worker process").write();
        RlimitCheck.Evaluation ev = new RlimitCheck(CheckOptions.parse("-a", "nginx: worker", "-r", "nofile"))
                .evaluate(ProcFs.at(proc.root()), 500);
        assertEquals(List.of(300), ev.pids());
    }

    @Test
    void theTimeoutIsReadBeforeParsing() {
        assertEquals(2, CheckRlimit.timeoutOf("-a", "x", "-t", "2"));
        assertEquals(3, CheckRlimit.timeoutOf("-t3"));
        assertEquals(4, CheckRlimit.timeoutOf("--timeout=4", "-C", "x"));
        assertEquals(10, CheckRlimit.timeoutOf("-t", "soon"));
        assertEquals(10, CheckRlimit.timeoutOf());
    }
}
