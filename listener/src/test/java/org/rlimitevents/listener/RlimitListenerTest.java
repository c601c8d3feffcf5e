package org.rlimitevents.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlimitevents.checkrlimit.CheckOptions;
import org.rlimitevents.kernel.events.EventKind;
import org.rlimitevents.kernel.events.Level;
import org.rlimitevents.kernel.events.ResourceWatch;
import org.rlimitevents.kernel.events.RlimitEvent;
import org.rlimitevents.kernel.events.Watch;
import org.rlimitevents.kernel.proc.Resource;
import org.rlimitevents.kernel.testing.FakeEventSource;
import org.rlimitevents.kernel.testing.ProcFixture;
import org.rlimitevents.listener.config.ServiceDefinition;
import org.rlimitevents.listener.sink.Delivery;
import org.rlimitevents.listener.sink.MemorySink;
import org.rlimitevents.listener.sink.PassiveResult;
import org.rlimitevents.listener.sink.Spool;

/**
 * The listener's core without a kernel or a Nagios: a fake event source, an in-memory sink, and
 * services reading fixture /proc trees. Coalescing, level merging, detach, exit, fork, pid reuse.
 */
class RlimitListenerTest {
    @TempDir
    Path dir;
    private ProcFixture proc;
    private FakeEventSource source;
    private MemorySink sink;
    private Delivery delivery;
    private RlimitListener listener;
    private final List<String> log = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        proc = new ProcFixture(dir.resolve("proc"), "5.10.0-fixture");
        source = new FakeEventSource();
        sink = new MemorySink();
        delivery = new Delivery(sink, new Spool(dir.resolve("spool"), 1 << 20), this::log);
        listener = new RlimitListener(source, delivery, 0, this::log);
        listener.settleMillis(0); // a test's results are those its steps make (one test sets it)
        source.listener(listener::onEvent);
    }

    @AfterEach
    void stop() {
        listener.close();
        delivery.close();
    }

    /** While set, the worker stops at its next "event:" log line until it is counted down. */
    private volatile java.util.concurrent.CountDownLatch holdWorker;

    private void log(String line) {
        java.util.concurrent.CountDownLatch hold = holdWorker;
        if (hold != null && line.startsWith("event: ")) {
            try {
                hold.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            log.add(line);
        }
    }

    private ServiceDefinition service(String description, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--proc-root=" + proc.root());
        return new ServiceDefinition("test", "h", description, all, CheckOptions.parse(all.toArray(new String[0])));
    }

    /** Waits for the work queued now and the evaluations it queues in turn. */
    private void settle() {
        listener.sync();
    }

    private List<String> results() {
        settle();
        List<String> out = new ArrayList<>();
        for (PassiveResult r : sink.take()) {
            out.add(r.service() + " " + r.returnCode() + " " + r.output().lines().findFirst().orElse(""));
        }
        return out;
    }

    private long evaluations() {
        Matcher m = Pattern.compile("evaluations=(\\d+)").matcher(listener.status().get("counters"));
        assertTrue(m.find());
        return Long.parseLong(m.group(1));
    }

    @Test
    void aServiceIsEvaluatedAndItsProcessesWatchedAtItsLevels() throws Exception {
        proc.process(100, "nginx").limit(Resource.NOFILE, 1000, 1000).fds(950).write();
        listener.configure(List.of(service("fds", "-C", "nginx", "-r", "nofile")));
        assertEquals(List.of("fds 2 RLIMIT CRITICAL - nginx[100] nofile 950/1000 (95%) | nofile=950;800;900;0;1000"),
                results());
        assertEquals(List.of(new ResourceWatch(Resource.NOFILE, List.of(Level.ofLimit(80), Level.ofLimit(90)),
                source.watches().get(100).resources().get(0).hysteresisPpm())), source.watches().get(100).resources());
    }

    @Test
    void aBurstOfCrossingsCostsOneEvaluationAndNoResultWhenNothingChanged() throws Exception {
        proc.process(100, "nginx").limit(Resource.NOFILE, 1000, 1000).fds(100).write();
        listener.configure(List.of(service("fds", "-C", "nginx", "-r", "nofile")));
        results();
        long before = evaluations();
        for (int i = 0; i < 1000; i++) {
            source.replay(FakeEventSource.crossing(100, Resource.NOFILE, i % 2, (i + 1) % 2, 800, 1000));
        }
        assertEquals(List.of(), results());
        long cost = evaluations() - before;
        assertTrue(cost >= 1 && cost <= 20, cost + " evaluations for 1000 events (one per drain of the queue)");
    }

    @Test
    void servicesSharingAProcessShareOneWatchWithTheUnionOfTheirLevels() throws Exception {
        proc.process(100, "nginx").limit(Resource.NOFILE, 1000, 1000).fds(100).write();
        listener.configure(List.of(service("a", "-C", "nginx", "-r", "nofile", "-w", "50%", "-c", "60%"),
                service("b", "-p", "100", "-r", "nofile")));
        settle();
        Watch w = source.watches().get(100);
        assertEquals(1, w.resources().size());
        assertEquals(List.of(Level.ofLimit(50), Level.ofLimit(60), Level.ofLimit(80), Level.ofLimit(90)),
                w.resources().get(0).levels().stream().sorted(java.util.Comparator.comparingInt(Level::ppm)).toList());
        // one service goes: the process stays watched for the other, at its levels only
        listener.configure(List.of(service("b", "-p", "100", "-r", "nofile")));
        settle();
        assertEquals(List.of(Level.ofLimit(80), Level.ofLimit(90)),
                source.watches().get(100).resources().get(0).levels());
        listener.configure(List.of());
        settle();
        assertEquals(List.of(), List.copyOf(source.watches().keySet()));
    }

    @Test
    void threeServicesWithSixLevelsOnOneProcessEachSeeTheirCrossings() throws Exception {
        proc.process(100, "nginx").limit(Resource.NOFILE, 1000, 1000).fds(5).write();
        listener.configure(List.of(service("high", "-C", "nginx", "-r", "nofile", "-w", "90%", "-c", "95%"),
                service("mid", "-C", "nginx", "-r", "nofile", "-w", "50%", "-c", "60%"),
                service("low", "-C", "nginx", "-r", "nofile", "-w", "10%", "-c", "20%")));
        assertEquals(List.of("high 0", "mid 0", "low 0"), results().stream().map(r -> r.substring(0, r.indexOf(' ',
                r.indexOf(' ') + 1))).toList());
        assertTrue(log.stream().anyMatch(l -> l.equals("pid 100 nofile: 6 levels, the 4 nearest the usage watched,"
                + " re-armed as it moves")), log.toString());
        int[] fds = {150, 250, 550, 650, 920, 960, 550, 150};
        String[] want = {"low 1", "low 2", "mid 1", "mid 2", "high 1", "high 2", "high 0;mid 1", "low 1;mid 0"};
        long previous = 5;
        for (int i = 0; i < fds.length; i++) {
            proc.process(100, "nginx").limit(Resource.NOFILE, 1000, 1000).fds(fds[i]).write();
            long value = fds[i];
            long lo = Math.min(previous, value);
            long hi = Math.max(previous, value);
            // the kernel reports a crossing only of an armed level: one must lie on the way
            assertTrue(source.watches().get(100).resources().get(0).levels().stream()
                    .anyMatch(l -> l.against(1000) >= lo && l.against(1000) < hi), previous + " -> " + value);
            previous = value;
            source.replay(FakeEventSource.crossing(100, Resource.NOFILE, 0, 1, value, 1000));
            assertEquals(List.of(want[i].split(";")), results().stream().map(r -> r.substring(0, r.indexOf(' ',
                    r.indexOf(' ') + 1))).sorted().toList(), "at " + fds[i]);
            List<Level> now = source.watches().get(100).resources().get(0).levels();
            assertEquals(Levels.armed(SIX_LEVELS, now, value, 1000), now, "armed at " + fds[i]);
        }
    }

    private static final List<Level> SIX_LEVELS = java.util.stream.DoubleStream.of(10, 20, 50, 60, 90, 95)
            .mapToObj(Level::ofLimit).toList();

    /** Service "fds" (-C nginx) reporting nginx[100] at 100/1000, its first results and watch calls taken. */
    private void nginxReportedOk() throws Exception {
        proc.process(100, "nginx").limit(Resource.NOFILE, 1000, 1000).fds(100).write();
        listener.configure(List.of(service("fds", "-C", "nginx", "-r", "nofile")));
        results();
        source.takeCalls();
    }

    @Test
    void aFirstLookAfterAWatchWasReplacedIsEvaluated() throws Exception {
        nginxReportedOk();
        // another service's watch on the same process restarts its levels: the change since the
        // last evaluation arrives as a first look (old level unknown), not as a crossing
        proc.process(100, "nginx").limit(Resource.NOFILE, 1000, 1000).fds(950).write();
        source.replay(FakeEventSource.crossing(100, Resource.NOFILE, RlimitEvent.UNKNOWN_LEVEL, 2, 950, 1000));
        assertEquals(List.of("fds 2 RLIMIT CRITICAL - nginx[100] nofile 950/1000 (95%) | nofile=950;800;900;0;1000"),
                results());
    }

    @Test
    void anExitWhileTheParentHasNotReapedIsNoMatchAtOnce() throws Exception {
        nginxReportedOk();
        proc.process(100, "nginx").zombie().write(); // exited; still in /proc until its parent waits
        source.replay(FakeEventSource.lifecycle(EventKind.EXIT, 100));
        assertEquals(List.of("fds 2 RLIMIT CRITICAL - no process matched command 'nginx'"), results());
        assertEquals(List.of("unwatch 100"), source.takeCalls());
    }

    @Test
    void anExitIsFinalEvenBeforeProcShowsIt() throws Exception {
        nginxReportedOk();
        proc.process(101, "nginx").limit(Resource.NOFILE, 1000, 1000).fds(950).write();
        listener.onNewProcess(101);
        assertEquals(List.of("fds 2 RLIMIT CRITICAL - nginx[101] nofile 950/1000 (95%) (2 processes)"),
                results().stream().map(r -> r.replaceAll(" \\|.*", "")).toList());
        source.takeCalls();
        // 101 exits; /proc still shows it running (the kernel is releasing its memory)
        source.replay(FakeEventSource.lifecycle(EventKind.EXIT, 101));
        assertEquals(List.of("fds 0 RLIMIT OK - nginx[100] nofile 100/1000 (10%)"),
                results().stream().map(r -> r.replaceAll(" \\|.*", "")).toList());
        // nor in any later result: another process's event, the heartbeat
        proc.process(100, "nginx").limit(Resource.NOFILE, 1000, 1000).fds(850).write();
        source.replay(FakeEventSource.crossing(100, Resource.NOFILE, 0, 1, 850, 1000));
        List<String> later = new ArrayList<>(results());
        listener.heartbeatNow();
        later.addAll(results());
        assertEquals(2, later.size(), later.toString());
        for (String r : later) {
            assertTrue(r.startsWith("fds 1 RLIMIT WARNING - nginx[100] nofile 850/1000 (85%) | nofile="), r);
        }
        assertEquals(List.of("unwatch 101"), source.takeCalls());
        // once /proc shows it, and its pid goes to a new nginx, that one is matched
        proc.process(101, "nginx").startTicks(9999).limit(Resource.NOFILE, 1000, 1000).fds(10).write();
        listener.onNewProcess(101);
        assertEquals(List.of("fds 1 RLIMIT WARNING - nginx[100] nofile 850/1000 (85%) (2 processes)"),
                results().stream().map(r -> r.replaceAll(" \\|.*", "")).toList());
    }

    @Test
    void onceTheUsageSettlesOneMoreResultCarriesTheSettledValue() throws Exception {
        listener.settleMillis(1000);
        proc.process(100, "nginx").limit(Resource.NOFILE, 1000, 1000).fds(950).write();
        listener.configure(List.of(service("fds", "-C", "nginx", "-r", "nofile")));
        results();
        // back to OK: the result carries the value at the crossing...
        proc.process(100, "nginx").limit(Resource.NOFILE, 1000, 1000).fds(790).write();
        source.replay(FakeEventSource.crossing(100, Resource.NOFILE, 2, 0, 790, 1000));
        assertEquals(List.of("fds 0 RLIMIT OK - nginx[100] nofile 790/1000 (79%)"),
                results().stream().map(r -> r.replaceAll(" \\|.*", "")).toList());
        // ...and the usage falls on, past no level: no event
        proc.process(100, "nginx").limit(Resource.NOFILE, 1000, 1000).fds(11).write();
        long t0 = System.nanoTime();
        List<String> sent = new ArrayList<>();
        TestListener.await("the settled value", 5000, () -> {
            sent.addAll(results());
            return !sent.isEmpty();
        });
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(List.of("fds 0 RLIMIT OK - nginx[100] nofile 11/1000 (1%) | nofile=11;800;900;0;1000"), sent);
        assertTrue(ms >= 500 && ms <= 2000, ms + " ms after the last event's second");
        // at most one per settle period: nothing more without an event (waiting is the assertion)
        Thread.sleep(1500);
        assertEquals(List.of(), results());
        // a value that did not move sends nothing: an event, the same usage
        source.replay(FakeEventSource.crossing(100, Resource.NOFILE, 0, 0, 11, 1000));
        Thread.sleep(1500);
        assertEquals(List.of(), results());
    }

    @Test
    void statusAnswersAtOnceWhileTheWorkerIsBusy() throws Exception {
        nginxReportedOk();
        holdWorker = new java.util.concurrent.CountDownLatch(1);
        try {
            source.replay(FakeEventSource.lifecycle(EventKind.EXEC, 100)); // the worker stops on it
            java.util.Map<String, String> status = java.util.concurrent.CompletableFuture.supplyAsync(listener::status)
                    .get(1, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals("pids=[100] state=OK output=RLIMIT OK - nginx[100] nofile 100/1000 (10%) | nofile=100;800;900;0;1000",
                    status.get("service h;fds"));
            assertTrue(status.get("counters").startsWith("events=1 "), status.toString());
        } finally {
            holdWorker.countDown();
        }
    }

    @Test
    void aForkedChildIsAttachedByTestingItAloneAndOthersCostNothing() throws Exception {
        nginxReportedOk();
        proc.process(200, "bash").write();
        long before = evaluations();
        listener.onNewProcess(200);
        assertEquals(List.of(), results());
        assertEquals(before, evaluations()); // no match: no evaluation
        proc.process(101, "nginx").parent(100).limit(Resource.NOFILE, 1000, 1000).fds(950).write();
        listener.onNewProcess(101);
        assertEquals(List.of("fds 2 RLIMIT CRITICAL - nginx[101] nofile 950/1000 (95%) (2 processes)"),
                results().stream().map(r -> r.replaceAll(" \\|.*", "")).toList());
        assertEquals(List.of("watch 101"), source.takeCalls());
    }

    @Test
    void aRescanFindsWhatTheConnectorMissed() throws Exception {
        nginxReportedOk();
        proc.process(101, "nginx").limit(Resource.NOFILE, 1000, 1000).fds(950).write(); // its fork was lost
        listener.rescan();
        assertEquals(List.of("fds 2 RLIMIT CRITICAL - nginx[101] nofile 950/1000 (95%) (2 processes)"),
                results().stream().map(r -> r.replaceAll(" \\|.*", "")).toList());
        assertEquals(List.of("watch 101"), source.takeCalls());
    }

    @Test
    void aReusedPidIsANewProcessOnEverySelection() throws Exception {
        proc.process(100, "nginx").limit(Resource.NOFILE, 1000, 1000).fds(100).write();
        java.nio.file.Files.writeString(dir.resolve("nginx.pid"), "100\n");
        listener.configure(List.of(service("p", "-p", "100", "-r", "nofile"),
                service("P", "-P", dir.resolve("nginx.pid").toString(), "-r", "nofile"),
                service("C", "-C", "nginx", "-r", "nofile")));
        results();
        source.takeCalls();
        // the process exits, is reaped, and its pid goes to a new nginx before the listener looks
        proc.process(100, "nginx").startTicks(9999).limit(Resource.NOFILE, 1000, 1000).fds(950).write();
        listener.onNewProcess(100);
        List<String> sent = results();
        assertEquals(3, sent.size(), sent.toString());
        for (String r : sent) {
            assertTrue(r.matches("[pPC] 2 RLIMIT CRITICAL - nginx\\[100\\] nofile 950/1000 \\(95%\\).*"), r);
        }
        List<String> calls = source.takeCalls();
        assertEquals("unwatch 100", calls.get(0), calls.toString());
        assertEquals(List.of("watch 100"), calls.subList(1, calls.size()).stream().distinct().toList());
    }

    @Test
    void aBadServiceIsUnknownWithItsOriginAndTheOthersRun() throws Exception {
        proc.process(100, "nginx").limit(Resource.NOFILE, 1000, 1000).fds(100).write();
        listener.configure(List.of(ServiceDefinition.broken("services:3", "h", "bad", List.of("-r", ","),
                        "services:3: check_rlimit options: -r names no resource"),
                service("good", "-C", "nginx", "-r", "nofile")));
        List<String> sent = results();
        assertEquals("bad 3 RLIMIT UNKNOWN - services:3: check_rlimit options: -r names no resource", sent.get(0));
        assertTrue(sent.get(1).startsWith("good 0 RLIMIT OK - nginx[100]"), sent.get(1));
        listener.onNewProcess(100); // nothing to match for the broken one
        assertEquals(List.of(), results());
    }

    @Test
    void aBacktrackingRegexIsReportedOnceAndNotRetriedPerNewProcess() throws Exception {
        proc.process(100, "python3").cmdline("a".repeat(60)).write();
        listener.configure(List.of(service("slow", "-a", "(.*a){25}", "-r", "nofile")));
        List<String> sent = results();
        assertEquals(1, sent.size());
        assertTrue(sent.get(0).startsWith("slow 3 RLIMIT UNKNOWN - --argument regex /(.*a){25}/ gave up"), sent.get(0));
        long before = evaluations();
        proc.process(101, "python3").cmdline("a".repeat(60)).write();
        listener.onNewProcess(101);
        settle();
        assertEquals(before, evaluations());
    }
}
