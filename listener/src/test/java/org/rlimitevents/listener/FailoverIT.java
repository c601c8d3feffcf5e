package org.rlimitevents.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlimitevents.kernel.sys.ControlSocket;
import org.rlimitevents.kernel.testing.FdHolder;
import org.rlimitevents.listener.sink.FailoverSink;

/**
 * Two central endpoints of one kind, the listener given both in order: two real private Icinga 2
 * instances, then two NRDP endpoints. The first stopped mid-stream: the next results arrive at the
 * second, in order, none lost; the first back: used again once its recheck is due; both down: the
 * log says so for each, the results wait in the spool and arrive in order at whichever comes back.
 * With --icinga-services, the watches come from the first Icinga that answers.
 * Each step waits for its result before the next, so every transition is one result (fds only go
 * up, or down by one state at a time: no state is passed on the way).
 */
class FailoverIT {
    private static final String SERVICE = String.join("\n",
            "object Service \"rlimit holder\" {", "  import \"rlimit-passive\"", "  host_name = \"testhost\"", "}");

    @TempDir
    Path dir;
    private FdHolder child;
    private ListenerMain listener;
    private Central first;
    private Central second;
    private final List<String> log = new ArrayList<>();

    /** One central endpoint: stopped and started again; every state of the service it received, in order. */
    interface Central extends AutoCloseable {
        void stop() throws Exception;

        void start() throws Exception;

        List<Integer> states();

        /** How the listener names it in the log and status. */
        String describe();
    }

    /** A private Icinga 2; its CheckResult events (those with perfdata: not Icinga's own "passive"). */
    static final class IcingaCentral implements Central {
        final IcingaFixture icinga;
        private final List<Integer> states = new ArrayList<>();
        private AutoCloseable events;

        IcingaCentral(Path dir, Path pidfile) throws Exception {
            icinga = new IcingaFixture(dir, SERVICE.replace("import \"rlimit-passive\"",
                    "import \"rlimit-passive\"\n  vars.rlimit_pidfile = \"" + pidfile + "\""));
            subscribe();
        }

        private void subscribe() throws Exception {
            events = icinga.subscribe(r -> {
                if (r.service().equals("rlimit holder") && !r.perfdata().isEmpty()) {
                    synchronized (states) {
                        states.add(r.state());
                    }
                }
            });
        }

        @Override
        public void stop() throws Exception {
            events.close();
            icinga.stop();
        }

        @Override
        public void start() throws Exception {
            icinga.start();
            subscribe();
        }

        @Override
        public List<Integer> states() {
            synchronized (states) {
                return List.copyOf(states);
            }
        }

        @Override
        public String describe() {
            return "Icinga API " + icinga.url();
        }

        @Override
        public void close() throws Exception {
            TestListener.closeAll(events, icinga);
        }
    }

    /** An NRDP endpoint (the test's, as in NrdpSinkIT), started again on the same port. */
    static final class NrdpCentral implements Central {
        private FakeNrdp nrdp;
        private final int port;
        private final List<Integer> before = new ArrayList<>();

        NrdpCentral() throws Exception {
            nrdp = new FakeNrdp(0, null);
            port = nrdp.port;
        }

        @Override
        public void stop() {
            nrdp.states().forEach(s -> before.add(Integer.parseInt(s)));
            nrdp.close();
            nrdp = null;
        }

        @Override
        public void start() throws Exception {
            nrdp = new FakeNrdp(port, null);
        }

        @Override
        public List<Integer> states() {
            List<Integer> all = new ArrayList<>(before);
            if (nrdp != null) {
                nrdp.states().forEach(s -> all.add(Integer.parseInt(s)));
            }
            return all;
        }

        @Override
        public String describe() {
            return "NRDP http://127.0.0.1:" + port + "/nrdp/";
        }

        @Override
        public void close() {
            if (nrdp != null) {
                nrdp.close();
            }
        }
    }

    @AfterEach
    void stop() throws Exception {
        TestListener.closeAll(listener, first, second, child);
    }

    @Test
    void twoIcingaInstances() throws Exception {
        child = TestListener.holder(dir, 100);
        Path cas = twoIcingas();
        IcingaFixture one = ((IcingaCentral) first).icinga;
        IcingaFixture two = ((IcingaCentral) second).icinga;
        scenario("--icinga-api", one.url() + "," + two.url(), "--icinga-ca", cas.toString(),
                "--icinga-credentials", secret("sender:" + IcingaFixture.PASSWORD).toString());
    }

    @Test
    void watchesFromIcingaComeFromTheFirstThatAnswers() throws Exception {
        child = TestListener.holder(dir, 850);
        Path cas = twoIcingas();
        IcingaFixture one = ((IcingaCentral) first).icinga;
        IcingaFixture two = ((IcingaCentral) second).icinga;
        first.stop();
        listener = TestListener.start(dir, line -> {
            synchronized (log) {
                log.add(line);
            }
        }, "--host-name", "testhost", "--icinga-services", "--icinga-api", one.url(), "--icinga-api", two.url(),
                "--icinga-ca", cas.toString(), "--icinga-credentials",
                secret("sender:" + IcingaFixture.PASSWORD).toString(), "--timeout", "2");
        assertTrue(logged("watching 1 service(s)"), log.toString());
        awaitStates(second, List.of(1));
        assertEquals(List.of(), first.states());
    }

    /**
     * Two private Icinga 2 instances as {@link #first} and {@link #second}; returns their CAs in one
     * file (an HA pair has one cluster CA and synced API users: one --icinga-ca, one credentials file).
     */
    private Path twoIcingas() throws Exception {
        first = new IcingaCentral(dir.resolve("icinga1"), dir.resolve("holder.pid"));
        second = new IcingaCentral(dir.resolve("icinga2"), dir.resolve("holder.pid"));
        Path cas = dir.resolve("cas.crt");
        Files.writeString(cas, Files.readString(((IcingaCentral) first).icinga.caFile)
                + Files.readString(((IcingaCentral) second).icinga.caFile));
        return cas;
    }

    @Test
    void twoNrdpEndpoints() throws Exception {
        child = TestListener.holder(dir, 100);
        first = new NrdpCentral();
        second = new NrdpCentral();
        // the option repeated, the other way to name several
        scenario("--nrdp-url", first.describe().substring(5), "--nrdp-url", second.describe().substring(5),
                "--nrdp-token-file", secret(FakeNrdp.TOKEN).toString());
    }

    private Path secret(String text) throws Exception {
        Path f = dir.resolve("secret-" + text.hashCode());
        Files.writeString(f, text + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    private void scenario(String... destination) throws Exception {
        Path services = dir.resolve("services");
        Files.writeString(services, "testhost;rlimit holder;-P " + dir.resolve("holder.pid") + " -r nofile\n");
        List<String> args = new ArrayList<>(List.of("--host-name", "testhost", "--services", services.toString(),
                "--timeout", "2"));
        args.addAll(List.of(destination));
        listener = TestListener.start(dir, line -> {
            synchronized (log) {
                log.add(line);
            }
        }, args.toArray(new String[0]));
        awaitStates(first, List.of(0));
        assertTrue(status().startsWith(first.describe() + " (in use; failover order: 1. " + first.describe()
                + ", 2. " + second.describe() + ")"), status());
        step(850, first, List.of(0, 1));

        first.stop(); // mid-stream
        step(950, second, List.of(2));
        step(850, second, List.of(2, 1));
        step(100, second, List.of(2, 1, 0));
        long lastFailure = System.currentTimeMillis();
        assertEquals(List.of(0, 1), first.states());
        awaitLogged("results now go to " + second.describe() + " (failover endpoint 2 of 2)", 0);
        assertTrue(status().startsWith(second.describe() + " (in use; failover order: 1. " + first.describe()
                + " [failed], 2. "), status());
        assertTrue(counters().contains(" spooled=0"), "failover, not the spool: " + counters());

        first.start(); // back: asked first again once its recheck is due
        while (System.currentTimeMillis() < lastFailure + FailoverSink.RECHECK_MS) {
            Thread.sleep(100);
        }
        step(850, first, List.of(0, 1, 1));
        // the endpoint has the result before the listener has its answer: wait for the log and status
        awaitLogged("results now go to " + first.describe() + " (failover endpoint 1 of 2)", 0);
        assertTrue(status().startsWith(first.describe() + " (in use;"), status());

        // every endpoint down: each named, every result spooled, then delivered in order
        first.stop();
        second.stop();
        int downFrom = logCopy().size();
        for (int fds : new int[] {950, 850, 100}) {
            int from = logCopy().size(); // an event tier reports while the fds are still being opened
            child.holdFds(fds);
            awaitLogged("result testhost;rlimit holder: RLIMIT " + (fds == 950 ? "CRITICAL" : fds == 850 ? "WARNING" : "OK"),
                    from);
        }
        TestListener.awaitSpooled(dir);
        assertTrue(logged("no endpoint took the result: "), log.toString());
        // under load an event tier may also report a state passed on the way (WARNING while the fds
        // climb to 950): every result taken while both were down is spooled, then delivered in order
        List<Integer> spooled = resultStates(downFrom);
        assertEquals(List.of(2, 1, 0), spooled.subList(spooled.size() - 3, spooled.size()), log.toString());
        assertTrue(counters().matches(".* spooled=" + spooled.size() + "\\b.*"), spooled + " " + counters());
        second.start();
        List<Integer> delivered = new ArrayList<>(List.of(2, 1, 0));
        delivered.addAll(spooled);
        awaitStates(second, delivered);
        assertEquals(List.of(0, 1, 1), first.states());
        awaitLogged("spooled results delivered", 0);
        assertEquals(0, Files.size(dir.resolve("spool/results.spool")), "nothing left in the spool");
    }

    /** Holds {@code fds} open files and waits until {@code central} has received {@code states}. */
    private void step(int fds, Central central, List<Integer> states) throws Exception {
        child.holdFds(fds);
        awaitStates(central, states);
    }

    private void awaitStates(Central central, List<Integer> states) throws Exception {
        long deadline = System.currentTimeMillis() + 40_000;
        while (System.currentTimeMillis() < deadline && !central.states().equals(states)) {
            Thread.sleep(20);
        }
        assertEquals(states, central.states(), central.describe() + "; log " + logCopy());
    }

    /** The states of the results logged since line {@code from}, in order. */
    private List<Integer> resultStates(int from) {
        List<Integer> states = new ArrayList<>();
        for (String l : logCopy().subList(from, logCopy().size())) {
            int at = l.startsWith("result ") ? l.indexOf(": RLIMIT ") : -1;
            if (at >= 0) {
                String word = l.substring(at + ": RLIMIT ".length()).split(" ", 2)[0];
                states.add(List.of("OK", "WARNING", "CRITICAL", "UNKNOWN").indexOf(word));
            }
        }
        return states;
    }

    private void awaitLogged(String text, int from) throws Exception {
        long deadline = System.currentTimeMillis() + 40_000;
        while (System.currentTimeMillis() < deadline) {
            synchronized (log) {
                if (log.subList(from, log.size()).stream().anyMatch(l -> l.contains(text))) {
                    return;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("never logged: " + text + "; log " + logCopy());
    }

    private boolean logged(String text) {
        synchronized (log) {
            return log.stream().anyMatch(l -> l.contains(text));
        }
    }

    private List<String> logCopy() {
        synchronized (log) {
            return new ArrayList<>(log);
        }
    }

    /** The "results" line of `rlimit-listener status`, through the control socket as the command asks. */
    private String status() throws Exception {
        return statusLine("results: ");
    }

    private String counters() throws Exception {
        return statusLine("counters: ");
    }

    private String statusLine(String key) throws Exception {
        return ControlSocket.request(dir.resolve("control"), "status").lines().filter(l -> l.startsWith(key))
                .findFirst().orElseThrow().substring(key.length());
    }
}
