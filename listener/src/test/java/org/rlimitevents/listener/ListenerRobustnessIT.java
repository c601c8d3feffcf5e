package org.rlimitevents.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlimitevents.kernel.events.ProcConnector;
import org.rlimitevents.kernel.sys.ControlSocket;
import org.rlimitevents.kernel.testing.Commands;
import org.rlimitevents.kernel.testing.FdHolder;
import org.rlimitevents.kernel.testing.Prerequisites;
import org.rlimitevents.listener.sink.PassiveResult;
import org.rlimitevents.listener.sink.Spool;

/**
 * The daemon, through its launcher, when things go wrong: a spool left damaged by a crash, a
 * second listener, the umask, two SIGTERMs, a thread that fails, a fork storm overrunning the
 * process connector, and inputs that must not stop it (a pidfile that is a FIFO, Latin-1 bytes in
 * the object cache).
 */
class ListenerRobustnessIT {
    private static final String LAUNCHER = Path.of("bin/rlimit-listener").toAbsolutePath().toString();

    @TempDir
    Path dir;
    private NagiosFixture nagios;
    private FdHolder child;
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        TestListener.closeAll(child, nagios);
    }

    private void setUp(String extraObjects) throws Exception {
        Prerequisites.requireRoot();
        child = TestListener.holder(dir, 100);
        nagios = new NagiosFixture(dir.resolve("nagios"),
                NagiosFixture.passiveService("rlimit holder", dir.resolve("holder.pid"), 3600) + extraObjects);
    }

    private List<String> command(String... extra) {
        List<String> c = new ArrayList<>(List.of(LAUNCHER, "--nagios-cfg", nagios.cfg.toString(), "--host-name",
                "testhost", "--spool-dir", dir.resolve("spool").toString(), "--control-socket",
                dir.resolve("control").toString(), "--heartbeat", "0"));
        c.addAll(List.of(extra));
        return c;
    }

    /** Starts {@code command}, its stderr in dir/NAME.err. */
    private Process launch(String name, List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(dir.resolve(name + ".err").toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        started.add(p);
        return p;
    }

    private Process launchReady(String name, List<String> command, Map<String, String> env) throws Exception {
        Process p = launch(name, command, env);
        TestListener.await(name + " ready", 30_000, () -> err(name).contains("rlimit-listener: ready\n"));
        return p;
    }

    private String err(String name) throws Exception {
        Path f = dir.resolve(name + ".err");
        return Files.exists(f) ? Files.readString(f) : "";
    }

    private String status() throws Exception {
        return ControlSocket.request(dir.resolve("control"), "status");
    }

    @Test
    void aDamagedSpoolIsReadAroundTheGoodRecordsDeliveredInOrder() throws Exception {
        setUp("");
        Path spoolDir = dir.resolve("spool");
        Spool spool = new Spool(spoolDir, 1 << 20, s -> { });
        Path journal = spoolDir.resolve("results.spool");
        long now = System.currentTimeMillis() / 1000;
        spool.append(new PassiveResult(now - 30, "testhost", "rlimit holder", 1, "RLIMIT WARNING - spooled first"));
        long garbageAt = Files.size(journal);
        Files.writeString(journal, "{\"v\":1,\"time\":garbage\n", StandardOpenOption.APPEND);
        long tamperedAt = Files.size(journal);
        spool.append(new PassiveResult(now - 20, "testhost", "rlimit holder", 2, "RLIMIT CRITICAL - original"));
        String tampered = Files.readString(journal).substring((int) tamperedAt).replace("original", "TAMPERED");
        Files.write(journal, java.util.Arrays.copyOf(Files.readAllBytes(journal), (int) tamperedAt));
        Files.writeString(journal, tampered, StandardOpenOption.APPEND);
        spool.append(new PassiveResult(now - 10, "testhost", "rlimit holder", 2, "RLIMIT CRITICAL - spooled second"));
        long tornAt = Files.size(journal);
        Files.writeString(journal, "{\"v\":1,\"time\":" + now + ",\"host\":\"test", StandardOpenOption.APPEND);
        Files.writeString(spoolDir.resolve("results.offset"), "999999"); // past the end

        launch("listener", command(), Map.of());
        try {
            TestListener.await("the listener's own OK after the spooled ones", 30_000,
                    () -> NagiosFixture.resultCodes(nagios.log(), "rlimit holder").size() >= 3);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nlistener:\n" + err("listener") + "\nnagios:\n" + nagios.log(), e);
        }
        String log = nagios.log();
        assertEquals(List.of("1", "2", "0"), NagiosFixture.resultCodes(log, "rlimit holder"), log);
        assertTrue(log.indexOf("RLIMIT WARNING - spooled first") < log.indexOf("RLIMIT CRITICAL - spooled second"));
        assertFalse(log.contains("TAMPERED") || log.contains("garbage"), log);
        String err = err("listener");
        for (String expected : new String[] {
            journal + ": a torn last record (",
            "bytes at byte " + tornAt + ", from a crash mid-write) cut off, not sent",
            spoolDir.resolve("results.offset") + ": offset 999999 is past the end of " + journal,
            journal + ": record at byte " + garbageAt + " skipped, not sent: not a spool record",
            journal + ": record at byte " + tamperedAt + " skipped, not sent: checksum mismatch"}) {
            assertTrue(err.contains(expected), expected + " in:\n" + err);
        }
        TestListener.await("spool emptied", 10_000, () -> Files.size(journal) == 0);
    }

    @Test
    void aSecondListenerOnTheSameSpoolExitsTwoNamingTheFirst() throws Exception {
        setUp("");
        Process first = launchReady("first", command(), Map.of());
        Process second = launch("second", command(), Map.of());
        assertTrue(second.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, second.exitValue(), err("second"));
        assertEquals("rlimit-listener: spool " + dir.resolve("spool") + " is in use by another listener (pid "
                + first.pid() + "): lock " + dir.resolve("spool/lock") + "\n", withoutTimestamps(err("second")));
        // another spool, the same control socket: refused too, and the first one's socket stays
        Process third = launch("third", command("--spool-dir", dir.resolve("spool2").toString()), Map.of());
        assertTrue(third.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, third.exitValue(), err("third"));
        assertTrue(err("third").contains("control socket " + dir.resolve("control") + " is in use by another"
                + " listener (pid " + first.pid() + ")"), err("third"));
        assertTrue(status().contains("service testhost;rlimit holder: pids=[" + child.pid() + "] state=OK"), status());
        assertTrue(first.isAlive());
    }

    @Test
    void filesCreatedUnderUmask022AreNotWorldReadable() throws Exception {
        setUp("");
        nagios.stop(); // the first result goes to the spool
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "umask 022; exec \"$@\"", "sh"));
        cmd.addAll(command());
        launchReady("listener", cmd, Map.of());
        Path spoolDir = dir.resolve("spool");
        TestListener.awaitSpooled(dir);
        Map<Path, String> expected = Map.of(spoolDir, "rwx------", spoolDir.resolve("results.spool"), "rw-------",
                spoolDir.resolve("lock"), "rw-------", dir.resolve("control.lock"), "rw-------",
                dir.resolve("control"), "rw-rw----");
        for (Map.Entry<Path, String> e : expected.entrySet()) {
            assertEquals(e.getValue(), PosixFilePermissions.toString(Files.getPosixFilePermissions(e.getKey())),
                    e.getKey().toString());
        }
    }

    @Test
    void twoSigtermsInARowOneCleanExitNoDescriptorClosedTwice() throws Exception {
        setUp("");
        Prerequisites.requireExecutable("/usr/bin/strace", "strace");
        Path trace = dir.resolve("strace");
        List<String> cmd = new ArrayList<>(List.of("strace", "-f", "-qq", "-e", "trace=close", "-o", trace.toString()));
        cmd.addAll(command());
        Process strace = launchReady("listener", cmd, Map.of());
        long java = strace.descendants().filter(h -> h.info().command().orElse("").endsWith("java"))
                .findFirst().orElseThrow().pid();
        Commands.run(List.of("kill", "-TERM", Long.toString(java)));
        Commands.run(List.of("kill", "-TERM", Long.toString(java)));
        assertTrue(strace.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, strace.exitValue(), err("listener")); // strace exits with its tracee's status
        String closes = Files.readString(trace);
        Matcher bad = Pattern.compile("close\\((\\d+)\\)\\s+= -1 EBADF").matcher(closes);
        assertFalse(bad.find(), "a descriptor closed twice: " + (bad.hitEnd() ? "" : bad.group()));
        assertEquals(1, err("listener").split("stopping: flushing results", -1).length - 1, err("listener"));
    }

    @Test
    void aFailingThreadShowsInStatusAndAFatalOneEndsTheProcessNonZero() throws Exception {
        setUp("");
        Process listener = launchReady("listener", command(), Map.of("RLIMIT_LISTENER_TEST_HOOKS", "1"));
        assertTrue(status().endsWith("health: ok\n"), status());
        assertEquals("injected\n", ControlSocket.request(dir.resolve("control"), "fail delivery"));
        TestListener.await("degraded in status", 10_000, () -> status().contains(
                "health: degraded: 1 failure(s), last: rlimit-delivery: IllegalStateException: test hook (recovered)"));
        assertTrue(listener.isAlive());
        assertEquals("injected\n", ControlSocket.request(dir.resolve("control"), "fail worker"));
        assertTrue(listener.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, listener.exitValue(), err("listener"));
        assertTrue(err("listener").contains("rlimit-listener: thread rlimit-listener: IllegalStateException: test hook"
                + " (not recoverable): exiting 1 so that systemd restarts the listener\n"), err("listener"));
    }

    @Test
    void aForkStormOverrunningTheConnectorIsRecoveredAndNewProcessesStillAttach() throws Exception {
        setUp("");
        Path binary = dir.resolve("stormtarget");
        Files.copy(Path.of("/bin/sleep"), binary);
        binary.toFile().setExecutable(true);
        Path services = dir.resolve("services");
        Files.writeString(services, "testhost;rlimit storm;-C stormtarget -r nofile\n");
        launchReady("listener", command("--services", services.toString()),
                Map.of("RLIMIT_LISTENER_JAVA_OPTS", "-D" + ProcConnector.RCVBUF_PROPERTY + "=1024"));
        // thousands of forks, execs and exits at once: far more than a minimal socket buffer holds
        Commands.exec(List.of("bash", "-c", "for i in $(seq 4000); do /bin/true & done; wait"), 120);
        TestListener.await("ENOBUFS reported and recovered", 30_000, () -> err("listener").contains(
                "thread rlimit-proc-connector: IOException: process connector: No buffer space available (events"
                        + " lost in a burst) (recovered)"));
        Process target = new ProcessBuilder(binary.toString(), "600").start();
        started.add(target);
        TestListener.await("the new process attached", 10_000, () -> status().contains(
                "service testhost;rlimit storm: pids=[" + target.pid() + "]"));
        assertTrue(status().contains("health: degraded: "), status());
    }

    @Test
    void aFifoPidfileAndLatin1InTheObjectCacheDoNotStopIt() throws Exception {
        Path fifo = dir.resolve("fifo.pid");
        Commands.run(List.of("mkfifo", fifo.toString()));
        setUp("\n" + NagiosFixture.passiveService("rlimit fifo", fifo, 3600));
        nagios.stop();
        // another host, whose alias someone wrote in Latin-1: Nagios copies the bytes as they are
        ByteArrayOutputStream host = new ByteArrayOutputStream();
        host.writeBytes("\ndefine host {\n  host_name db1\n  alias Serveur de donn".getBytes(
                StandardCharsets.US_ASCII));
        host.write(0xe9); // é in ISO-8859-1, not UTF-8
        host.writeBytes(("es\n  address 127.0.0.2\n  max_check_attempts 1\n  check_period 24x7\n"
                + "  contacts nobody\n  active_checks_enabled 0\n}\n").getBytes(StandardCharsets.US_ASCII));
        Files.write(nagios.dir.resolve("objects.cfg"), host.toByteArray(), StandardOpenOption.APPEND);
        nagios.start();
        Path cache = nagios.dir.resolve("var/objects.cache");
        TestListener.await("Nagios wrote the Latin-1 alias", 10_000, () -> indexOf(Files.readAllBytes(cache),
                (byte) 0xe9) >= 0);

        Process listener = launchReady("listener", command(), Map.of());
        try {
            TestListener.await("both services evaluated", 30_000, () -> status().contains(
                    "service testhost;rlimit holder: pids=[" + child.pid() + "] state=OK")
                    && status().contains("service testhost;rlimit fifo: pids=[] state=UNKNOWN"));
            nagios.await("rlimit holder", s -> s.get("plugin_output").startsWith("RLIMIT OK"), 30_000);
            child.holdFds(850);
            TestListener.await("still watching", 10_000, () -> status().contains(
                    "service testhost;rlimit holder: pids=[" + child.pid() + "] state=WARNING"));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nlistener:\n" + err("listener") + "\nnagios:\n" + nagios.log(), e);
        }
        assertTrue(listener.isAlive());
    }

    private static int indexOf(byte[] all, byte b) {
        for (int i = 0; i < all.length; i++) {
            if (all[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** The log without its lines' leading timestamps (LogLine). */
    private static String withoutTimestamps(String log) {
        return log.replaceAll("(?m)^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\S* ", "");
    }
}
