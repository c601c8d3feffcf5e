package org.rlimitevents.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import com.google.gson.JsonObject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlimitevents.kernel.testing.FdHolder;

/**
 * The listener reporting to a real private Icinga 2 over its REST API: services discovered from
 * Icinga (the "rlimit-passive" template with vars.rlimit_*), results with the right state, output,
 * perfdata, check_source and a ttl of two heartbeats; an outage (a proxy stopped) spools results
 * that then arrive in order; wrong credentials or a wrong CA are named in the log and nothing is
 * lost, across a listener restart too.
 */
class IcingaSinkIT {
    private static final String SERVICE = String.join("\n",
            "object Service \"rlimit holder\" {", "  import \"rlimit-passive\"", "  host_name = \"testhost\"",
            "  vars.rlimit_pidfile = \"@PIDFILE@\"", "  vars.rlimit_resource = \"nofile\"", "}",
            "object Service \"ping\" {", "  host_name = \"testhost\"", "  check_command = \"dummy\"",
            "  enable_active_checks = false", "}");

    @TempDir
    Path dir;
    private IcingaFixture icinga;
    private FdHolder child;
    private ListenerMain listener;
    private TcpProxy proxy;
    private final List<String> log = new ArrayList<>();
    private final List<IcingaFixture.CheckResult> results = new ArrayList<>();
    private AutoCloseable events;

    @AfterEach
    void stop() throws Exception {
        TestListener.closeAll(listener, events, proxy, icinga, child);
    }

    private void start(int fds) throws Exception {
        child = TestListener.holder(dir, fds);
        Path pidfile = dir.resolve("holder.pid");
        icinga = new IcingaFixture(dir.resolve("icinga"), SERVICE.replace("@PIDFILE@", pidfile.toString()));
        events = icinga.subscribe(r -> {
            synchronized (results) {
                if (r.service().equals("rlimit holder") && r.perfdata().size() > 0) { // not Icinga's own "passive"
                    results.add(r);
                }
            }
        });
        proxy = new TcpProxy(icinga.port);
    }

    private Path credentials(String text) throws Exception {
        Path f = dir.resolve("credentials-" + text.hashCode());
        Files.writeString(f, text + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    private void startListener(Path credentials, Path ca) throws Exception {
        startListener(credentials, ca, "--icinga-services");
    }

    /** With {@code watches} "--icinga-services" or "--services FILE". */
    private void startListener(Path credentials, Path ca, String... watches) throws Exception {
        List<String> args = new ArrayList<>(List.of("--host-name", "testhost", "--icinga-api",
                "https://127.0.0.1:" + proxy.port, "--icinga-ca", ca.toString(), "--icinga-credentials",
                credentials.toString(), "--check-source", "agent-7", "--heartbeat", "30", "--timeout", "2"));
        args.addAll(List.of(watches));
        listener = TestListener.start(dir, line -> {
            synchronized (log) {
                log.add(line);
            }
        }, args.toArray(new String[0]));
    }

    /** The services as lines of the listener's own file, for tests where Icinga cannot be asked. */
    private String[] serviceFile(String... names) throws Exception {
        Path services = dir.resolve("services");
        StringBuilder lines = new StringBuilder();
        for (String name : names.length == 0 ? new String[] {"rlimit holder"} : names) {
            lines.append("testhost;").append(name).append(";-P ").append(dir.resolve("holder.pid")).append(" -r nofile\n");
        }
        Files.writeString(services, lines.toString());
        return new String[] {"--services", services.toString()};
    }

    private IcingaFixture.CheckResult awaitResult(int index, long ms) throws Exception {
        long deadline = System.currentTimeMillis() + ms;
        while (System.currentTimeMillis() < deadline) {
            synchronized (results) {
                if (results.size() > index) {
                    return results.get(index);
                }
            }
            Thread.sleep(20);
        }
        synchronized (log) {
            throw new AssertionError("no result #" + index + " within " + ms + " ms; got " + results + "; log " + log);
        }
    }

    private boolean logged(String text) {
        synchronized (log) {
            return log.stream().anyMatch(l -> l.contains(text));
        }
    }

    @Test
    void servicesFromIcingaGetResultsWithStateOutputPerfdataAndTtl() throws Exception {
        start(100);
        startListener(credentials("sender:" + IcingaFixture.PASSWORD), icinga.caFile);
        assertTrue(logged("watching 1 service(s)"), log.toString()); // "ping" is not an rlimit service
        IcingaFixture.CheckResult ok = awaitResult(0, 5000);
        String pid = Integer.toString(child.pid());
        // the text with its long output (real newlines), the perfdata apart, a ttl of two heartbeats
        assertEquals(new IcingaFixture.CheckResult("testhost", "rlimit holder", 0, "RLIMIT OK - bash[" + pid
                + "] nofile 100/1000 (10%)\nOK: bash[" + pid + "] nofile 100/1000 (10%)",
                List.of("nofile=100;800;900;0;1000"), 60), ok);
        JsonObject attrs = icinga.service("testhost", "rlimit holder");
        JsonObject cr = attrs.getAsJsonObject("last_check_result");
        assertEquals("agent-7", cr.get("check_source").getAsString());
        assertEquals(60, attrs.get("next_check").getAsDouble() - attrs.get("last_check").getAsDouble(), 1.0);

        child.holdFds(950); // through 80% (perhaps reported on the way) to 95%
        long t0 = System.currentTimeMillis();
        // the object's state (the API applies a result before it answers; its event stream may lag)
        JsonObject critical = icinga.await("testhost", "rlimit holder", a -> a.get("state").getAsInt() == 2, 5000);
        long ms = System.currentTimeMillis() - t0;
        assertTrue(ms <= 2000, "CRITICAL reached Icinga after " + ms + " ms; " + log);
        String output = critical.getAsJsonObject("last_check_result").get("output").getAsString();
        assertTrue(output.startsWith("RLIMIT CRITICAL - bash[" + pid + "] nofile "), output);
    }

    @Test
    void whenTheListenerStopsTheTemplateTurnsTheServiceUnknownAfterTheTtl() throws Exception {
        start(100);
        startListener(credentials("sender:" + IcingaFixture.PASSWORD), icinga.caFile, "--icinga-services",
                "--heartbeat", "2"); // a ttl of 4 s
        assertEquals(4.0, awaitResult(0, 5000).ttl());
        listener.close();
        listener = null;
        long t0 = System.currentTimeMillis();
        JsonObject stale = icinga.await("testhost", "rlimit holder", a -> a.get("state").getAsInt() == 3, 15_000);
        assertEquals("No Passive Check Result Received.",
                stale.getAsJsonObject("last_check_result").get("output").getAsString());
        long ms = System.currentTimeMillis() - t0;
        assertTrue(ms <= 8000, "UNKNOWN after " + ms + " ms");
    }

    @Test
    void resultsSpooledDuringAnOutageArriveInOrder() throws Exception {
        start(100);
        startListener(credentials("sender:" + IcingaFixture.PASSWORD), icinga.caFile);
        awaitResult(0, 5000);
        proxy.stop();
        TestListener.stepThroughStates(listener, child);
        TestListener.awaitSpooled(dir);
        assertTrue(logged("cannot reach the Icinga API https://127.0.0.1:" + proxy.port), log.toString());
        assertEquals(1, results.size(), "nothing arrived during the outage");
        proxy.start();
        // WARNING, CRITICAL, OK: in the order they happened
        long deadline = System.currentTimeMillis() + 40_000;
        while (System.currentTimeMillis() < deadline && (results.size() < 4 || results.get(results.size() - 1).state() != 0)) {
            Thread.sleep(50);
        }
        List<Integer> states = new ArrayList<>();
        synchronized (results) {
            results.forEach(r -> states.add(r.state()));
        }
        assertEquals(List.of(0, 1, 2, 0), states);
        assertTrue(logged("spooled results delivered"), log.toString());
    }

    @Test
    void aResultForAnObjectIcingaLacksIsDroppedAndAMissingPermissionIsNamed() throws Exception {
        start(100);
        startListener(credentials("sender:" + IcingaFixture.PASSWORD), icinga.caFile,
                serviceFile("rlimit nowhere", "rlimit holder"));
        awaitResult(0, 5000); // the known service's result went through after the other was refused
        assertTrue(logged("result for testhost;rlimit nowhere dropped: Icinga has no service testhost!rlimit nowhere"
                + " (HTTP 500, no results)"), log.toString());
        Path spool = dir.resolve("spool/results.spool");
        assertTrue(!Files.exists(spool) || Files.size(spool) == 0, "not spooled: it would never be taken");
        listener.close();
        listener = null;
        startListener(credentials("reader:" + IcingaFixture.PASSWORD), icinga.caFile, serviceFile());
        TestListener.awaitSpooled(dir);
        assertTrue(logged("the API user lacks the permission actions/process-check-result (HTTP 404)"),
                log.toString());
    }

    @Test
    void wrongCredentialsAreLoggedAndTheResultsKeptUntilARestartWithTheRightOnes() throws Exception {
        start(850);
        Path wrong = credentials("sender:wrong");
        String refused = "Icinga API https://127.0.0.1:" + proxy.port + ": wrong user or password (HTTP 401)";
        // services from Icinga: the listener cannot start, and says why
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> startListener(wrong, icinga.caFile));
        assertTrue(e.getMessage().contains(refused), e.getMessage());
        // services from a file: it runs, says why Icinga refuses, keeps every result...
        startListener(wrong, icinga.caFile, serviceFile());
        Path spool = dir.resolve("spool/results.spool");
        for (int i = 0; i < 100 && !logged("HTTP 401"); i++) {
            Thread.sleep(50);
        }
        assertTrue(logged(refused), log.toString());
        assertTrue(Files.size(spool) > 0, "kept in the spool");
        // ...and a restart with the right credentials delivers them
        listener.close();
        listener = null;
        startListener(credentials("sender:" + IcingaFixture.PASSWORD), icinga.caFile, serviceFile());
        IcingaFixture.CheckResult first = awaitResult(0, 10_000);
        assertEquals(1, first.state(), "the spooled WARNING first");
    }

    @Test
    void aServerCertificateFromAnotherCaIsRefusedAndNamedAndTheResultsKept() throws Exception {
        start(850);
        Path otherCa = dir.resolve("other-ca.crt");
        org.rlimitevents.kernel.testing.Commands.run(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=other", "-keyout",
                dir.resolve("other.key").toString(), "-out", otherCa.toString()));
        Path good = credentials("sender:" + IcingaFixture.PASSWORD);
        String refused = "is not signed by a CA in " + otherCa;
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> startListener(good, otherCa));
        assertTrue(e.getMessage().contains(refused), e.getMessage());
        startListener(good, otherCa, serviceFile());
        for (int i = 0; i < 100 && !logged(refused); i++) {
            Thread.sleep(50);
        }
        assertTrue(logged(refused), log.toString());
        assertTrue(Files.size(dir.resolve("spool/results.spool")) > 0, "kept in the spool");
        assertEquals(0, results.size());
    }
}
