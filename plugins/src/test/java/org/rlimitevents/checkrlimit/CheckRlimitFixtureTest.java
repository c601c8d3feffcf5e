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
import org.rlimitevents.kernel.proc.Limit;
import org.rlimitevents.kernel.proc.ProcFs;
import org.rlimitevents.kernel.proc.Resource;
import org.rlimitevents.kernel.testing.Commands;
import org.rlimitevents.kernel.testing.ProcFixture;
import org.rlimitevents.plugin.PluginOutput;

/** check_rlimit end to end on fixture /proc trees: exact output lines, perfdata and exit codes. */
class CheckRlimitFixtureTest {
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

    private static void assertOutput(int exit, String text, PluginOutput out) {
        assertEquals(text, out.text());
        assertEquals(exit, out.exitCode());
    }

    @Test
    void criticalWarningOkAtDefaultThresholds() {
        proc.process(100, "nginx").uid(33).limit(Resource.NOFILE, 1000, 4096).fds(950).write();
        proc.process(200, "nginx").uid(33).limit(Resource.NOFILE, 1000, 4096).fds(850).write();
        proc.process(300, "nginx").uid(33).limit(Resource.NOFILE, 1000, 4096).fds(100).write();
        assertOutput(2, "RLIMIT CRITICAL - nginx[100] nofile 950/1000 (95%) | nofile=950;800;900;0;1000\n"
                + "CRITICAL: nginx[100] nofile 950/1000 (95%)\n", check("-p", "100", "-r", "nofile"));
        assertOutput(1, "RLIMIT WARNING - nginx[200] nofile 850/1000 (85%) | nofile=850;800;900;0;1000\n"
                + "WARNING: nginx[200] nofile 850/1000 (85%)\n", check("-p", "200", "-r", "nofile"));
        assertOutput(0, "RLIMIT OK - nginx[300] nofile 100/1000 (10%) | nofile=100;800;900;0;1000\n"
                + "OK: nginx[300] nofile 100/1000 (10%)\n", check("-p", "300", "-r", "nofile"));
    }

    @Test
    void manyProcessesWorstFirstWithUniqueLabels() {
        proc.process(300, "nginx").limit(Resource.NOFILE, 1000, 4096).fds(100).write();
        proc.process(100, "nginx").limit(Resource.NOFILE, 1000, 4096).fds(850).write();
        proc.process(200, "nginx").limit(Resource.NOFILE, 1000, 4096).fds(950).write();
        proc.process(400, "sshd").limit(Resource.NOFILE, 1000, 4096).fds(990).write();
        String lines = "CRITICAL: nginx[200] nofile 950/1000 (95%)\n"
                + "WARNING: nginx[100] nofile 850/1000 (85%)\n"
                + "OK: nginx[300] nofile 100/1000 (10%)\n";
        // the default: the worst process per resource, and the counts
        assertOutput(2, "RLIMIT CRITICAL - nginx[200] nofile 950/1000 (95%), 1 more alert (3 processes)"
                + " | nofile=950;800;900;0;1000 processes=3;;;0 processes_warning=1;;;0 processes_critical=1;;;0\n"
                + lines, check("-C", "nginx", "-r", "nofile"));
        assertOutput(2, "RLIMIT CRITICAL - nginx[200] nofile 950/1000 (95%), 1 more alert (3 processes)"
                + " | 100_nofile=850;800;900;0;1000 200_nofile=950;800;900;0;1000 300_nofile=100;800;900;0;1000\n"
                + lines, check("-C", "nginx", "-r", "nofile", "--perfdata=all"));
    }

    @Test
    void fiftyProcessesWithTheDefaultResourcesFitWhatNagiosKeeps() {
        for (int pid = 1000; pid < 1050; pid++) {
            proc.process(pid, "php-fpm").uid(33).limit(Resource.NOFILE, 1000, 4096).fds(pid == 1007 ? 950 : 10)
                    .vmKb("VmSize", 200_000).vmKb("VmData", 50_000).vmKb("VmStk", 132).write();
        }
        PluginOutput out = check("-C", "php-fpm");
        String first = out.text().lines().findFirst().orElseThrow();
        assertTrue(first.startsWith("RLIMIT CRITICAL - php-fpm[1007] nofile 950/1000 (95%) (50 processes) | nofile=950;"),
                first);
        assertTrue(first.endsWith(" processes=50;;;0 processes_warning=0;;;0 processes_critical=1;;;0"), first);
        assertTrue(first.length() < 1024, first.length() + " bytes: " + first);
        assertTrue(!first.contains("1000_"), "no per-process items by default: " + first);
        assertTrue(out.text().getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= CheckOptions.DEFAULT_MAX_BYTES);
        // every process's items on request, still within what Nagios keeps: the long output goes
        // first, then the summary shortens ("..."), then the items from the end, whole
        PluginOutput all = check("-C", "php-fpm", "--perfdata=all");
        assertEquals(2, all.exitCode());
        assertEquals(CheckOptions.DEFAULT_MAX_BYTES, all.text().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        assertTrue(all.text().matches("RLIMIT CRITICAL - php-fpm\\[10.*\\.\\.\\. \\| 1000_nofile=10;800;900;0;1000 .*[0-9]\n"),
                all.text().substring(0, 200));
    }

    @Test
    void maxLinesCapsTheLongOutput() {
        for (int pid = 10; pid < 15; pid++) {
            proc.process(pid, "worker").fds(pid).write();
        }
        PluginOutput out = check("-C", "worker", "-r", "nofile", "--max-lines", "2");
        String[] lines = out.text().split("\n");
        assertEquals(4, lines.length);
        assertEquals("OK: worker[14] nofile 14/1024 (1%)", lines[1]);
        assertEquals("OK: worker[13] nofile 13/1024 (1%)", lines[2]);
        assertEquals("... 3 more lines (raise --max-lines to see them)", lines[3]);
    }

    @Test
    void perResourceAndAbsoluteThresholds() {
        proc.process(100, "app").fds(600).limit(Resource.NOFILE, 1000, 1000).vmKb("VmSize", 2 * 1024 * 1024)
                .limit(Resource.AS, 4L << 30, Limit.UNLIMITED).write();
        assertOutput(1, "RLIMIT WARNING - app[100] nofile 600/1000 (60%) | nofile=600;500;900;0;1000"
                + " as=2147483648B;3435973836.8;3865470566.4;0;4294967296\n"
                + "WARNING: app[100] nofile 600/1000 (60%)\n"
                + "OK: app[100] as 2GiB/4GiB (50%)\n", check("-p", "100", "-r", "nofile,as", "-w", "nofile=50%"));
        assertOutput(2, "RLIMIT CRITICAL - app[100] nofile 600/1000 (60%) | nofile=600;400;599;0;1000\n"
                + "CRITICAL: app[100] nofile 600/1000 (60%)\n", check("-p", "100", "-r", "nofile", "-w", "400", "-c", "599"));
    }

    @Test
    void hardLimitOnRequest() {
        proc.process(100, "app").fds(600).limit(Resource.NOFILE, 1000, 2000).write();
        assertOutput(0, "RLIMIT OK - app[100] nofile 600/2000 (30%) | nofile=600;1600;1800;0;2000\n"
                + "OK: app[100] nofile 600/2000 (30%)\n", check("-p", "100", "-r", "nofile", "--limit=hard"));
    }

    @Test
    void unlimitedIsOkWithoutMaxButAbsoluteThresholdsStillApply() {
        proc.process(100, "app").vmKb("VmData", 1024).write();
        assertOutput(0, "RLIMIT OK - app[100] data 1MiB/unlimited | data=1048576B;;;0\n"
                + "OK: app[100] data 1MiB/unlimited\n", check("-p", "100", "-r", "data"));
        assertOutput(1, "RLIMIT WARNING - app[100] data 1MiB/unlimited | data=1048576B;1000;;0\n"
                + "WARNING: app[100] data 1MiB/unlimited\n", check("-p", "100", "-r", "data", "-w", "1000"));
    }

    @Test
    void nprocCountsEveryTaskOfTheRealUser() {
        proc.process(100, "a").uid(1000).threads(4).limit(Resource.NPROC, 10, 10).write();
        proc.process(101, "b").uid(1000).threads(5).write();
        proc.process(102, "c").uid(1001).threads(50).write();
        proc.process(103, "rootd").uid(0).threads(2).limit(Resource.NPROC, 1, 1).write();
        assertOutput(1, "RLIMIT WARNING - a[100] nproc 9/10 (90%) for uid 1000 | nproc=9;8;9;0;10\n"
                + "WARNING: a[100] nproc 9/10 (90%) for uid 1000\n", check("-p", "100", "-r", "nproc"));
        assertOutput(0, "RLIMIT OK - rootd[103] nproc 2/1 for uid 0 (root is exempt) | nproc=2;;;0;1\n"
                + "OK: rootd[103] nproc 2/1 for uid 0 (root is exempt)\n", check("-p", "103", "-r", "nproc"));
    }

    @Test
    void memoryCpuAndSignals() {
        proc.process(100, "db").vmKb("VmLck", 6 * 1024).vmKb("VmPin", 1024).vmKb("VmStk", 7 * 1024)
                .cpuTicks(4550).limit(Resource.CPU, 50, 60).queuedSignals(5).write();
        assertOutput(2, "RLIMIT CRITICAL - db[100] cpu 45.5s/50s (91%), 2 more alerts"
                + " | stack=7340032B;6710886.4;7549747.2;0;8388608 memlock=7340032B;6710886.4;7549747.2;0;8388608"
                + " sigpending=5;50563.2;56883.6;0;63204 cpu=45.5s;40;45;0;50\n"
                + "CRITICAL: db[100] cpu 45.5s/50s (91%)\n"
                + "WARNING: db[100] stack 7MiB/8MiB (88%)\n"
                + "WARNING: db[100] memlock 7MiB/8MiB (88%)\n"
                + "OK: db[100] sigpending 5/63204 (0%) for uid 1000\n",
                check("-p", "100", "-r", "stack,memlock,sigpending,cpu"));
    }

    @Test
    void limitOnlyResourcesNeverAlert() {
        proc.process(100, "app").vmKb("VmRSS", 4096).limit(Resource.RSS, 1024, 1024).write();
        assertOutput(0, "RLIMIT OK - app[100] core -/0B (limit only: Linux keeps no usage to compare)"
                + " | rss=4194304B;;;0;1024\n"
                + "OK: app[100] core -/0B (limit only: Linux keeps no usage to compare)\n"
                + "OK: app[100] rss 4MiB/1KiB (not enforced by Linux)\n", check("-p", "100", "-r", "core,rss"));
    }

    @Test
    void selectionByArgumentUserUnitAndCgroup() throws Exception {
        proc.process(100, "java").uid(33).cmdline("java -jar /srv/shop.jar")
                .cgroup("0::/system.slice/shop.service").write();
        proc.process(101, "java").uid(34).cmdline("java -jar /srv/blog.jar")
                .cgroup("1:name=systemd:/system.slice/blog.service/sub\n0::/").write();
        proc.process(2, "kthreadd").uid(0).kernelThread().write();
        Path passwd = dir.resolve("passwd");
        Files.writeString(passwd, "root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\n");
        assertTrue(check("-a", "shop\\.jar$", "-r", "nofile").text().startsWith("RLIMIT OK - java[100] "));
        assertTrue(check("-u", "34", "-r", "nofile").text().startsWith("RLIMIT OK - java[101] "));
        assertTrue(check("-u", "www-data", "--passwd", passwd.toString(), "-r", "nofile").text()
                .startsWith("RLIMIT OK - java[100] "));
        assertTrue(check("--unit", "shop", "-r", "nofile").text().startsWith("RLIMIT OK - java[100] "));
        assertTrue(check("--unit", "blog.service", "-r", "nofile").text().startsWith("RLIMIT OK - java[101] "));
        assertTrue(check("--cgroup", "/sys/fs/cgroup/system.slice/blog.service", "-r", "nofile").text()
                .startsWith("RLIMIT OK - java[101] "));
        // every process but kernel threads
        assertTrue(check("-r", "nofile").text().contains("(2 processes)"));
        assertOutput(2, "RLIMIT CRITICAL - no process matched command 'java', uid 35\n",
                check("-C", "java", "-u", "35"));
        assertOutput(0, "RLIMIT OK - no process matched unit nope.service\n",
                check("--unit", "nope", "--no-match", "ok"));
    }

    @Test
    void pidfiles() throws Exception {
        proc.process(100, "sshd").write();
        Path good = dir.resolve("sshd.pid");
        Files.writeString(good, "100\n");
        Path garbage = dir.resolve("bad.pid");
        Files.writeString(garbage, "not a pid\n");
        assertTrue(check("-P", good.toString(), "-r", "nofile").text().startsWith("RLIMIT OK - sshd[100] nofile 3/1024"));
        assertOutput(2, "RLIMIT CRITICAL - no process matched pidfile " + dir.resolve("gone.pid") + "\n",
                check("-P", dir.resolve("gone.pid").toString()));
        assertOutput(3, "RLIMIT UNKNOWN - pidfile " + garbage + " does not hold a pid\n",
                check("-P", garbage.toString()));
    }

    @Test
    void untrustedProcessNamesCannotInjectLinesOrPerfdata() {
        proc.process(100, "x\n[0] DISABLE|a").fds(3).write();
        assertOutput(0, "RLIMIT OK - x?[0] DISABLE a[100] nofile 3/1024 (0%) | nofile=3;819.2;921.6;0;1024\n"
                + "OK: x?[0] DISABLE a[100] nofile 3/1024 (0%)\n", check("-p", "100", "-r", "nofile"));
    }

    @Test
    void verboseSaysWhatWasChecked() {
        proc.process(100, "app").write();
        assertTrue(check("-p", "100", "-r", "nofile", "-v").text()
                .endsWith("\nchecked 1 process(es) against their soft limits\n"));
    }

    // Selections an admin (or an attacker) can make slow, blocking or wrong: they end within the
    // timeout with a reason; zombies, the plugin's parent and stale pidfiles are never matches.

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
