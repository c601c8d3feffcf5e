package org.rlimitevents.checkrlimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlimitevents.kernel.proc.FdCounter;
import org.rlimitevents.kernel.testing.Commands;
import org.rlimitevents.kernel.testing.FdHolder;
import org.rlimitevents.kernel.testing.Prerequisites;

/**
 * check_rlimit through its installed launcher (bin/check_rlimit) against real processes on the
 * running kernel: limits set with prlimit, fds really open, tasks of a real uid.
 */
class CheckRlimitLiveIT {
    private static final Path LAUNCHER = Path.of("bin/check_rlimit").toAbsolutePath();

    private static Commands.Result plugin(List<String> prefix, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(LAUNCHER.toString());
        cmd.addAll(List.of(args));
        return Commands.exec(cmd, 30);
    }

    private static Commands.Result plugin(String... args) throws Exception {
        return plugin(List.of(), args);
    }

    private static void assertResult(int exit, String stdout, Commands.Result r) {
        assertEquals(stdout, r.stdout());
        assertEquals("", r.stderr());
        assertEquals(exit, r.exitCode());
    }

    @Test
    void openFilesCrossWarningAndCriticalAndBack() throws Exception {
        try (FdHolder child = FdHolder.start()) {
            child.prlimit("--nofile=1000:1000");
            int pid = child.pid();
            assertEquals(950, child.holdFds(950));
            assertResult(2, "RLIMIT CRITICAL - bash[" + pid + "] nofile 950/1000 (95%) | nofile=950;800;900;0;1000\n"
                    + "CRITICAL: bash[" + pid + "] nofile 950/1000 (95%)\n", plugin("-p", "" + pid, "-r", "nofile"));
            assertEquals(850, child.holdFds(850));
            assertResult(1, "RLIMIT WARNING - bash[" + pid + "] nofile 850/1000 (85%) | nofile=850;800;900;0;1000\n"
                    + "WARNING: bash[" + pid + "] nofile 850/1000 (85%)\n", plugin("-p", "" + pid, "-r", "nofile"));
            assertEquals(100, child.holdFds(100));
            assertResult(0, "RLIMIT OK - bash[" + pid + "] nofile 100/1000 (10%) | nofile=100;800;900;0;1000\n"
                    + "OK: bash[" + pid + "] nofile 100/1000 (10%)\n", plugin("-p", "" + pid, "-r", "nofile"));
        }
    }

    @Test
    void limitChangedFromOutsideIsSeenAtTheNextCheck() throws Exception {
        try (FdHolder child = FdHolder.start()) {
            int pid = child.pid();
            child.prlimit("--nofile=2000:4000");
            child.holdFds(950);
            assertEquals(0, plugin("-p", "" + pid, "-r", "nofile").exitCode());
            child.prlimit("--nofile=1000:4000");
            assertEquals(2, plugin("-p", "" + pid, "-r", "nofile").exitCode());
            assertEquals(0, plugin("-p", "" + pid, "-r", "nofile", "--limit=hard").exitCode());
        }
    }

    @Test
    void nprocCountsTheTasksOfARealUser() throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireExecutable("/usr/bin/setpriv", "util-linux");
        int uid = 61000 + ThreadLocalRandom.current().nextInt(4000);
        List<Process> tasks = new ArrayList<>();
        try {
            // The limit is set before the uid switch: changing another user's limits from outside
            // needs CAP_SYS_RESOURCE, which root lacks on some machines (these, for one).
            for (int i = 0; i < 9; i++) {
                tasks.add(new ProcessBuilder("prlimit", "--nproc=10:10", "--", "setpriv", "--reuid=" + uid,
                        "--regid=" + uid, "--clear-groups", "sleep", "300").start());
            }
            int pid = (int) tasks.get(0).pid();
            for (Process t : tasks) {
                waitForUid((int) t.pid(), uid);
            }
            assertResult(1, "RLIMIT WARNING - sleep[" + pid + "] nproc 9/10 (90%) for uid " + uid
                    + " | nproc=9;8;9;0;10\nWARNING: sleep[" + pid + "] nproc 9/10 (90%) for uid " + uid + "\n",
                    plugin("-p", "" + pid, "-r", "nproc"));
            tasks.remove(8).destroy();
            waitGone(tasks.size(), uid);
            assertResult(0, "RLIMIT OK - sleep[" + pid + "] nproc 8/10 (80%) for uid " + uid
                    + " | nproc=8;8;9;0;10\nOK: sleep[" + pid + "] nproc 8/10 (80%) for uid " + uid + "\n",
                    plugin("-p", "" + pid, "-r", "nproc"));
            // selection by user finds all eight
            assertTrue(plugin("-u", "" + uid, "-r", "nofile").stdout().contains("(8 processes)"));
            // run as that user (as Nagios runs it against its own processes), its own JVM threads
            // are no load of the user: still the eight tasks the kernel compares with the limit
            assertResult(0, "RLIMIT OK - sleep[" + pid + "] nproc 8/10 (80%) for uid " + uid
                    + " | nproc=8;8;9;0;10\nOK: sleep[" + pid + "] nproc 8/10 (80%) for uid " + uid + "\n",
                    plugin(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups"), "-p", "" + pid,
                            "-r", "nproc"));
        } finally {
            for (Process t : tasks) {
                t.destroyForcibly();
                t.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void missingPrivilegeIsUnknownAndNamed(@TempDir Path dir) throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireExecutable("/usr/bin/setpriv", "util-linux");
        List<String> asNobody = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
        // A /proc reached through a link is read like a fixture: by listing fd directories, the
        // only way before Linux 6.2, which needs ptrace-level access to another user's process.
        Path link = dir.resolve("proc");
        Files.createSymbolicLink(link, Path.of("/proc"));
        dir.toFile().setExecutable(true, false);
        Commands.Result r = plugin(asNobody, "-p", "1", "-r", "nofile", "--proc-root", link.toString());
        assertEquals(3, r.exitCode(), r.stdout());
        String first = r.stdout().lines().findFirst().orElse("");
        assertTrue(first.startsWith("RLIMIT UNKNOWN - "), first);
        assertTrue(first.endsWith("nofile: counting open files of pid 1 (" + link + "/1/fd) needs root,"
                + " CAP_DAC_READ_SEARCH or CAP_SYS_PTRACE (on kernels >= 6.2 any user can count them)"), first);
        // the real /proc: any user may count with stat() from 6.2 on, only the privileged before
        Commands.Result real = plugin(asNobody, "-p", "1", "-r", "nofile");
        if (FdCounter.forKernel(Files.readString(Path.of("/proc/sys/kernel/osrelease"))) == FdCounter.STAT) {
            assertEquals(0, real.exitCode(), real.stdout());
            assertTrue(real.stdout().matches("RLIMIT OK - \\S+\\[1\\] nofile \\d+/\\d+ \\(\\d+%\\) \\|(?s).*"),
                    real.stdout());
        } else {
            assertEquals(3, real.exitCode(), real.stdout());
            assertTrue(real.stdout().lines().findFirst().orElse("").endsWith("nofile: counting open files of pid 1"
                    + " (/proc/1/fd) needs root, CAP_DAC_READ_SEARCH or CAP_SYS_PTRACE (on kernels >= 6.2 any user can"
                    + " count them)"), real.stdout());
        }
        Files.delete(link);
    }

    @Test
    void processesComingAndGoingDuringAScanAreHandled() throws Exception {
        // A shell that starts short-lived processes as fast as it can while we scan everything.
        Process churn = new ProcessBuilder("/bin/bash", "-c", "while :; do /bin/true & /bin/true & wait; done").start();
        try {
            for (int i = 0; i < 10; i++) {
                Commands.Result r = plugin("-r", "nofile,as,nproc");
                assertEquals("", r.stderr());
                assertTrue(r.exitCode() <= 2, r.stdout());
                assertTrue(r.stdout().startsWith("RLIMIT "), r.stdout());
            }
        } finally {
            churn.destroyForcibly();
            churn.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void anExitedProcessIsNoMatch() throws Exception {
        FdHolder child = FdHolder.start();
        int pid = child.pid();
        child.close();
        assertResult(2, "RLIMIT CRITICAL - no process matched pid " + pid + "\n", plugin("-p", "" + pid));
    }

    @Test
    void helpVersionAndBadOptionsExitThreeOnStdout() throws Exception {
        Commands.Result help = plugin("--help");
        assertEquals(3, help.exitCode());
        String version = "check_rlimit " + buildVersion() + " (rlimit-events)\n";
        assertTrue(help.stdout().startsWith(version), help.stdout());
        assertEquals("", help.stderr());
        assertResult(3, version, plugin("-V"));
        Commands.Result bad = plugin("-w", "9:1");
        assertEquals(3, bad.exitCode());
        assertTrue(bad.stdout().startsWith("RLIMIT UNKNOWN - invalid range '9:1': start is greater than end\nUsage:"));
        assertEquals("", bad.stderr());
    }

    /** The version the build gives the jars: the top pom's own (as the Makefile reads it). */
    private static String buildVersion() throws IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^  <version>(.*)</version>$")
                .matcher(Files.readString(Path.of("../pom.xml")));
        assertTrue(m.find(), "a version in ../pom.xml");
        return m.group(1);
    }

    private static void waitForUid(int pid, int uid) throws IOException, InterruptedException {
        for (int i = 0; i < 100; i++) {
            String status = Files.readString(Path.of("/proc/" + pid + "/status"));
            if (status.contains("\nUid:\t" + uid + "\t") && status.startsWith("Name:\tsleep")) {
                return;
            }
            Thread.sleep(20);
        }
        throw new IOException("pid " + pid + " did not become uid " + uid);
    }

    private static void waitGone(int expected, int uid) throws Exception {
        for (int i = 0; i < 100; i++) {
            long n = Commands.run(List.of("pgrep", "-c", "-U", "" + uid)).trim().isEmpty() ? 0
                    : Long.parseLong(Commands.run(List.of("pgrep", "-c", "-U", "" + uid)).trim());
            if (n == expected) {
                return;
            }
            Thread.sleep(20);
        }
        throw new IOException("uid " + uid + " still has more than " + expected + " tasks");
    }
}
