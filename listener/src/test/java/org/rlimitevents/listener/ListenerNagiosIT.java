package org.rlimitevents.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlimitevents.kernel.testing.Commands;
import org.rlimitevents.kernel.testing.FdHolder;
import org.rlimitevents.kernel.testing.Prerequisites;
import org.rlimitevents.plugin.PluginOutput;

/**
 * The listener against a real private Nagios 4: real processes crossing their limits show up in
 * status.dat as they happen, results survive Nagios being down, stale services fall back to the
 * active check_rlimit, and a hostile process name changes nothing in Nagios.
 */
class ListenerNagiosIT {
    private static final String PLUGIN = NagiosFixture.PLUGIN;

    @TempDir
    Path dir;
    private NagiosFixture nagios;
    private ListenerMain listener;
    private final List<String> log = new ArrayList<>();
    private final List<AutoCloseable> children = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        if (listener != null) {
            listener.close();
        }
        for (AutoCloseable c : children) {
            c.close();
        }
        if (nagios != null) {
            nagios.close();
        }
    }

    private static String service(String description, Path pidfile, int freshness) {
        return NagiosFixture.passiveService(description, pidfile, freshness);
    }

    private void startNagios(String services) throws Exception {
        Prerequisites.requireRoot();
        nagios = new NagiosFixture(dir.resolve("nagios"), services);
    }

    private void startListener() throws Exception {
        listener = TestListener.start(dir, line -> {
                    synchronized (log) {
                        log.add(line);
                    }
                }, "--host-name", "testhost", "--nagios-cfg", nagios.cfg.toString());
    }

    /** A process holding {@code fds} of 1000 files (pid in holder.pid), closed after the test. */
    private FdHolder holder(int fds) throws Exception {
        FdHolder child = TestListener.holder(dir, fds);
        children.add(child);
        return child;
    }

    /** Nagios with "rlimit holder" (stale after {@code freshness} s), its process, the listener. */
    private FdHolder watched(int fds, int freshness) throws Exception {
        startNagios(service("rlimit holder", dir.resolve("holder.pid"), freshness));
        FdHolder child = holder(fds);
        startListener();
        return child;
    }

    /** {@link #watched} at 100 of 1000 files, once Nagios shows OK. */
    private FdHolder reportingOk() throws Exception {
        FdHolder child = watched(100, 3600);
        nagios.await("rlimit holder", s -> s.get("plugin_output").startsWith("RLIMIT OK"), 5000);
        return child;
    }

    private static int state(Map<String, String> s) {
        return Integer.parseInt(s.getOrDefault("current_state", "-1"));
    }

    @Test
    void crossingsAppearInNagiosWithinTwoSeconds() throws Exception {
        FdHolder child = watched(100, 3600);
        int pid = child.pid();
        Map<String, String> ok = nagios.await("rlimit holder", s -> s.get("plugin_output").startsWith("RLIMIT OK"), 5000);
        assertEquals("RLIMIT OK - bash[" + pid + "] nofile 100/1000 (10%)", ok.get("plugin_output"));
        assertEquals("nofile=100;800;900;0;1000", ok.get("performance_data"));
        assertEquals("1", ok.get("check_type")); // passive

        int[] steps = {850, 950, 100};
        int[] states = {1, 2, 0};
        String[] words = {"WARNING", "CRITICAL", "OK"};
        for (int i = 0; i < steps.length; i++) {
            child.holdFds(steps[i]);
            long t0 = System.currentTimeMillis();
            int want = states[i];
            Map<String, String> s = nagios.await("rlimit holder", st -> state(st) == want, 5000);
            long ms = System.currentTimeMillis() - t0;
            assertTrue(ms <= 2000, words[i] + " reached Nagios after " + ms + " ms");
            Matcher m = Pattern.compile("RLIMIT " + words[i] + " - bash\\[" + pid + "\\] nofile (\\d+)/1000 \\((\\d+)%\\)")
                    .matcher(s.get("plugin_output"));
            assertTrue(m.matches(), s.get("plugin_output"));
            assertEquals("nofile=" + m.group(1) + ";800;900;0;1000", s.get("performance_data"));
            assertEquals("1", s.get("state_type")); // HARD at once
        }
    }

    @Test
    void afterAReturnToOkWithUsageFallingFurtherNagiosShowsTheSettledValue() throws Exception {
        startNagios(service("rlimit holder", dir.resolve("holder.pid"), 3600));
        FdHolder child = holder(100);
        listener = TestListener.start(dir, log::add, "--host-name", "testhost", "--nagios-cfg", nagios.cfg.toString(),
                "--settle", "2");
        nagios.await("rlimit holder", st -> st.get("plugin_output").startsWith("RLIMIT OK"), 5000);
        child.holdFds(950);
        nagios.await("rlimit holder", st -> state(st) == 2, 5000);
        String before = nagios.log();
        child.holdFds(11); // back to OK past 90% and 80%, then on down past no level: no event
        long t0 = System.currentTimeMillis();
        Map<String, String> s = nagios.await("rlimit holder", st -> st.get("plugin_output")
                .equals("RLIMIT OK - bash[" + child.pid() + "] nofile 11/1000 (1%)"), 10_000);
        long ms = System.currentTimeMillis() - t0;
        System.out.println("ListenerNagiosIT: settled value in Nagios after " + ms + " ms");
        // the settle time (2 s, the default) after the last event, plus Nagios's 1 s status
        assertTrue(ms <= RlimitListener.SETTLE_MS + 2000, ms + " ms");
        assertEquals("nofile=11;800;900;0;1000", s.get("performance_data"));
        List<String> codes = codesOf(nagios.log().substring(before.length()));
        // maybe WARNING on the way down (fds close one by one), the return to OK (at whatever value
        // the crossing was read), and at most one settled value
        assertTrue(String.join(",", codes).matches("(1,)?0(,0)?"), codes.toString());
    }

    private long counter(String name) {
        String counters = listener.listener().status().get("counters");
        Matcher m = Pattern.compile(name + "=(\\d+)").matcher(counters);
        assertTrue(m.find(), counters);
        return Long.parseLong(m.group(1));
    }

    @Test
    void aBurstOfEventsCostsAFewEvaluationsAndTheResultComesFromProc() throws Exception {
        FdHolder child = reportingOk();
        long evaluations = counter("evaluations");
        long sent = counter("results_sent");
        // what a usage hovering at a level looks like: thousands of crossings in a moment
        for (int i = 0; i < 2000; i++) {
            listener.listener().onEvent(new org.rlimitevents.kernel.events.RlimitEvent(
                    org.rlimitevents.kernel.events.EventKind.CROSSING, i, System.nanoTime(), child.pid(), child.pid(),
                    "bash", org.rlimitevents.kernel.proc.Resource.NOFILE, i % 2, (i + 1) % 2, 800 + (i + 1) % 2, 1000,
                    1000, 0));
        }
        listener.listener().sync(); // behind the burst
        long burst = counter("evaluations") - evaluations;
        assertTrue(burst >= 1 && burst <= 100, burst + " evaluations for 2000 events");
        assertEquals(sent, counter("results_sent"), "/proc still says 100 of 1000: nothing new to send");
    }

    @Test
    void thePassiveResultIsExactlyWhatCheckRlimitPrints() throws Exception {
        Path pidfile = dir.resolve("holder.pid");
        FdHolder child = watched(870, 3600);
        listener.listener().heartbeatNow();
        PluginOutput sent = listener.listener().lastResult("testhost;rlimit holder");
        Commands.Result direct = Commands.exec(List.of(PLUGIN, "-P", pidfile.toString(), "-r", "nofile", "-w", "80%",
                "-c", "90%"), 30);
        assertEquals(direct.stdout(), sent.text());
        assertEquals(direct.exitCode(), sent.exitCode());
        assertEquals(1, sent.exitCode());
    }

    @Test
    void resultsSpooledWhileNagiosIsDownArriveInOrder() throws Exception {
        FdHolder child = reportingOk();
        nagios.stop();
        TestListener.stepThroughStates(listener, child);
        TestListener.awaitSpooled(dir);
        String before = nagios.log();
        nagios.start();
        // every spooled result arrives, in the order they happened: WARNING, CRITICAL, OK
        nagios.await("rlimit holder", st -> state(st) == 0
                && codesOf(nagios.logUnchecked().substring(before.length())).contains("0"), 30_000);
        assertEquals(List.of("1", "2", "0"), codesOf(nagios.log().substring(before.length())));
    }

    private static List<String> codesOf(String log) {
        return NagiosFixture.resultCodes(log, "rlimit holder");
    }

    @Test
    void aStoppedListenerLetsTheServiceGoStaleAndNagiosRunsCheckRlimitItself() throws Exception {
        FdHolder child = watched(100, 4); // heartbeat off: nothing is re-sent once the listener is gone
        nagios.await("rlimit holder", st -> "1".equals(st.get("check_type")) && state(st) == 0, 5000);
        listener.close();
        listener = null;
        child.holdFds(850); // a change only the active check can see now
        Map<String, String> s = nagios.await("rlimit holder", st -> "0".equals(st.get("check_type"))
                && st.get("plugin_output").startsWith("RLIMIT "), 20_000);
        assertEquals("RLIMIT WARNING - bash[" + child.pid() + "] nofile 850/1000 (85%)", s.get("plugin_output"));
        assertEquals("nofile=850;800;900;0;1000", s.get("performance_data"));
        assertTrue(nagios.log().contains("are stale by"), "freshness check in the log");
    }

    @Test
    void checkResultFilesCarryTheLongOutputIntoNagios() throws Exception {
        startNagios(service("rlimit files", dir.resolve("unused.pid"), 3600));
        FdHolder child = holder(950);
        Path services = dir.resolve("services");
        Files.writeString(services, "testhost;rlimit files;-P " + dir.resolve("holder.pid")
                + " -r nofile,stack -w 80% -c 90%\n");
        listener = TestListener.start(dir, log::add, "--host-name", "testhost", "--services", services.toString(),
                "--check-result-dir", nagios.dir.resolve("var/spool").toString());
        Map<String, String> s = nagios.await("rlimit files", st -> state(st) == 2, 5000);
        PluginOutput sent = listener.listener().lastResult("testhost;rlimit files");
        String[] lines = sent.text().split("\n");
        assertEquals(3, lines.length, sent.text());
        assertEquals(lines[0], s.get("plugin_output") + " | " + s.get("performance_data"));
        // status.dat keeps the long output's newlines escaped
        assertEquals(lines[1] + "\\n" + lines[2], s.get("long_plugin_output"));
        assertTrue(lines[1].startsWith("CRITICAL: bash[" + child.pid() + "] nofile 950/1000"), lines[1]);
        assertEquals("1", s.get("check_type"));
    }

    @Test
    void aHostileProcessNameInjectsNothing() throws Exception {
        Path pidfile = dir.resolve("evil.pid");
        startNagios(service("rlimit evil", pidfile, 3600));
        // a process that renames itself: a newline, then what looks like a command of its own
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process evil = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                org.rlimitevents.kernel.testing.RenamedProcess.class.getName(), "x\n[0] DISABLE_N").start();
        children.add(() -> {
            evil.destroyForcibly();
            evil.waitFor();
        });
        assertEquals("renamed", new java.io.BufferedReader(new java.io.InputStreamReader(evil.getInputStream()))
                .readLine());
        Files.writeString(pidfile, evil.pid() + "\n");
        startListener();
        Map<String, String> s = nagios.await("rlimit evil", st -> st.get("plugin_output").startsWith("RLIMIT"), 5000);
        assertTrue(s.get("plugin_output").startsWith("RLIMIT OK - x?[0] DISABLE_N[" + evil.pid() + "] nofile "),
                s.get("plugin_output"));
        Thread.sleep(1500);
        String log = nagios.log();
        assertFalse(log.contains("EXTERNAL COMMAND: DISABLE_N"), log);
        assertFalse(log.contains("Unrecognized external command"), log);
    }

    @Test
    void anExitedProcessIsNoMatchAtOnceAndANewOneIsAttachedOnItsExec() throws Exception {
        startNagios(service("rlimit exec", dir.resolve("unused.pid"), 3600));
        Path services = dir.resolve("services");
        Files.writeString(services, "testhost;rlimit exec;-a rlimit-exec-marker -r nofile\n");
        listener = TestListener.start(dir, log::add, "--host-name", "testhost", "--services", services.toString(),
                "--command-file", nagios.commandFile.toString());
        nagios.await("rlimit exec", s -> state(s) == 2, 5000); // nothing runs yet: no match
        Process p = new ProcessBuilder("/bin/bash", "-c", "read x", "rlimit-exec-marker").start();
        children.add(() -> {
            p.destroyForcibly();
            p.waitFor();
        });
        long t0 = System.currentTimeMillis();
        Map<String, String> ok = nagios.await("rlimit exec", s -> state(s) == 0, 5000);
        assertTrue(System.currentTimeMillis() - t0 <= 2500, "attached and reported after "
                + (System.currentTimeMillis() - t0) + " ms (status.dat is rewritten every second)");
        assertTrue(ok.get("plugin_output").startsWith("RLIMIT OK - bash[" + p.pid() + "] nofile "), ok.toString());
        p.destroyForcibly();
        p.waitFor();
        long t1 = System.currentTimeMillis();
        Map<String, String> gone = nagios.await("rlimit exec", s -> state(s) == 2, 5000);
        assertTrue(System.currentTimeMillis() - t1 <= 2500);
        assertEquals("RLIMIT CRITICAL - no process matched argument /rlimit-exec-marker/", gone.get("plugin_output"));
    }
}
