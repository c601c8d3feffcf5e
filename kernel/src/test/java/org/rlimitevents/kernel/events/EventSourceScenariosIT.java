package org.rlimitevents.kernel.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.rlimitevents.kernel.proc.Resource;
import org.rlimitevents.kernel.proc.StatusFile;
import org.rlimitevents.kernel.testing.Commands;
import org.rlimitevents.kernel.testing.EventRecorder;
import org.rlimitevents.kernel.testing.FdHolder;
import org.rlimitevents.kernel.testing.MemHolder;
import org.rlimitevents.kernel.testing.Prerequisites;

/**
 * The same real-process scenarios on every tier this machine runs, the tier forced: the kernel
 * (tracepoint) tier and the polling tier must report the same levels.
 */
class EventSourceScenariosIT {
    private final EventRecorder events = new EventRecorder();
    private final List<String> log = new ArrayList<>();
    private EventSource source;

    /**
     * The tiers to run: -Drlimit.tiers=FEXIT,... (the QEMU guest on Debian's kernel runs FEXIT);
     * by default those this machine's kernel allows (fexit is refused here).
     */
    static List<EventSources.Choice> tiers() {
        List<EventSources.Choice> tiers = new ArrayList<>();
        for (String t : System.getProperty("rlimit.tiers", "TRACEPOINT,SAMPLING,POLLING").split(",")) {
            tiers.add(EventSources.Choice.valueOf(t.trim()));
        }
        return tiers;
    }

    private void open(EventSources.Choice tier) {
        if (tier != EventSources.Choice.POLLING) {
            Prerequisites.requireRoot();
        }
        source = EventSources.open(tier, events, log::add);
        assertEquals(tier.name(), source.tier().name());
    }

    @AfterEach
    void close() {
        if (source != null) {
            source.close();
        }
    }

    private static Watch nofile(int pid) {
        return new Watch(pid, List.of(new ResourceWatch(Resource.NOFILE,
                List.of(Level.ofLimit(80), Level.ofLimit(90)), 20_000)));
    }

    /** A bash holding {@code fds} open files under {@code nofile} (soft:hard). */
    private static FdHolder holder(String nofile, int fds) throws Exception {
        FdHolder child = FdHolder.start();
        child.prlimit("--nofile=" + nofile);
        child.holdFds(fds);
        return child;
    }

    /** Waits for the event that brings the watched resource of {@code pid} to {@code level}. */
    private RlimitEvent awaitLevel(int pid, int level) throws InterruptedException {
        return awaitLevel(pid, level, 5);
    }

    private RlimitEvent awaitLevel(int pid, int level, int seconds) throws InterruptedException {
        while (true) {
            RlimitEvent e = events.next(pid, seconds);
            if (e.kind() == EventKind.CROSSING && e.newLevel() == level) {
                return e;
            }
        }
    }

    @ParameterizedTest
    @MethodSource("tiers")
    void openFilesPastEightyAndNinetyPercentAndBack(EventSources.Choice tier) throws Exception {
        open(tier);
        try (FdHolder child = holder("1000:1000", 10)) {
            int pid = child.pid();
            source.watch(nofile(pid));
            RlimitEvent first = events.next(pid);
            assertEquals(List.of(RlimitEvent.UNKNOWN_LEVEL, 0, 10L), List.of(first.oldLevel(), first.newLevel(),
                    first.value()));
            child.holdFds(850);
            RlimitEvent warning = awaitLevel(pid, 1);
            assertTrue(warning.value() > 800 && warning.value() <= 850, warning.toString());
            child.holdFds(950);
            RlimitEvent critical = awaitLevel(pid, 2);
            assertTrue(critical.value() > 900 && critical.value() <= 950, critical.toString());
            child.holdFds(100);
            RlimitEvent ok = awaitLevel(pid, 0);
            assertTrue(ok.value() >= 100 && ok.value() <= 784, ok.toString());
            assertEquals(1000, ok.soft());
        }
    }

    @ParameterizedTest
    @MethodSource("tiers")
    void prlimitFromAnotherProcessRecomputesTheLevels(EventSources.Choice tier) throws Exception {
        open(tier);
        try (FdHolder child = holder("2000:2000", 850)) {
            int pid = child.pid();
            source.watch(nofile(pid));
            assertEquals(0, events.next(pid).newLevel());
            child.prlimit("--nofile=1000:2000");
            RlimitEvent limit = events.next(pid);
            assertEquals(List.of(EventKind.LIMIT, 1000L, 2000L), List.of(limit.kind(), limit.soft(), limit.hard()));
            RlimitEvent crossing = events.next(pid);
            assertEquals(List.of(EventKind.CROSSING, 0, 1, 850L), List.of(crossing.kind(), crossing.oldLevel(),
                    crossing.newLevel(), crossing.value()));
        }
    }

    @ParameterizedTest
    @MethodSource("tiers")
    void percentAndAbsoluteLevelsReorderWithTheLimit(EventSources.Choice tier) throws Exception {
        open(tier);
        try (FdHolder child = holder("1000:1000", 10)) {
            int pid = child.pid();
            // given in this order; against a soft limit of 1000 they are 500, then 800
            source.watch(new Watch(pid, List.of(new ResourceWatch(Resource.NOFILE,
                    List.of(Level.ofLimit(80), Level.absolute(500)), 20_000))));
            assertEquals(0, events.next(pid).newLevel());
            child.holdFds(600);
            RlimitEvent absolute = awaitLevel(pid, 1);
            assertTrue(absolute.value() > 500 && absolute.value() <= 600, absolute.toString());
            child.prlimit("--nofile=700:1000"); // 80% is now 560: below the absolute level's neighbour
            RlimitEvent limit = events.next(pid);
            while (limit.kind() != EventKind.LIMIT) { // a recount may re-report level 1 first
                assertEquals(1, limit.newLevel(), limit.toString());
                limit = events.next(pid);
            }
            assertEquals(700L, limit.soft());
            RlimitEvent both = events.next(pid);
            assertEquals(List.of(EventKind.CROSSING, 1, 2, 600L), List.of(both.kind(), both.oldLevel(),
                    both.newLevel(), both.value()));
        }
    }

    @ParameterizedTest
    @MethodSource("tiers")
    void exitEndsTheWatch(EventSources.Choice tier) throws Exception {
        open(tier);
        FdHolder child = FdHolder.start();
        int pid = child.pid();
        source.watch(nofile(pid));
        events.next(pid);
        child.close();
        RlimitEvent e = events.next(pid);
        while (e.kind() == EventKind.CROSSING) { // the watch's resync may report its level twice
            e = events.next(pid);
        }
        assertEquals(EventKind.EXIT, e.kind());
    }

    @ParameterizedTest
    @MethodSource("tiers")
    void addressSpaceGrownByMmap(EventSources.Choice tier) throws Exception {
        open(tier);
        try (MemHolder child = MemHolder.start()) {
            int pid = child.pid();
            long vm = StatusFile.parse(Files.readString(Path.of("/proc/" + pid + "/status"))).bytes("VmSize")
                    .getAsLong();
            long limit = vm + (512L << 20);
            Commands.run(FdHolder.prlimitCommand(pid, "--as=" + limit + ":" + limit));
            source.watch(new Watch(pid, List.of(new ResourceWatch(Resource.AS,
                    List.of(Level.absolute(vm + (256L << 20)), Level.absolute(vm + (384L << 20))), 0))));
            assertEquals(0, events.next(pid).newLevel());
            child.grow(300);
            RlimitEvent first = awaitLevel(pid, 1);
            assertTrue(first.value() > vm + (256L << 20), first.toString());
            child.grow(100);
            RlimitEvent second = awaitLevel(pid, 2);
            assertTrue(second.value() > vm + (384L << 20) && second.value() <= limit, second.toString());
            assertEquals(Resource.AS, second.resource());
        }
    }

    /** A shell running as {@code uid} that starts or kills one background task per command. */
    private static Process taskSpawner(int uid, String limits) throws Exception {
        Process p = new ProcessBuilder("prlimit", limits, "--", "setpriv", "--reuid=" + uid, "--regid=" + uid,
                "--clear-groups", "/bin/bash", "-c", "pids=(); echo ready; while read -r cmd; do case $cmd in"
                + " up) sleep 600 & pids+=($!);; down) kill ${pids[-1]}; wait ${pids[-1]} 2>/dev/null;"
                + " unset 'pids[-1]';; esac; echo ${#pids[@]}; done").start();
        String ready = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
        assertEquals("ready", ready);
        return p;
    }

    private static void send(Process p, java.io.BufferedReader out, String cmd) throws Exception {
        p.getOutputStream().write((cmd + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        p.getOutputStream().flush();
        out.readLine();
    }

    @ParameterizedTest
    @MethodSource("tiers")
    void nprocCountsEveryTaskOfTheUser(EventSources.Choice tier) throws Exception {
        Prerequisites.requireRoot();
        open(tier);
        int uid = 62000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(3000);
        Process shell = taskSpawner(uid, "--nproc=10:10");
        try {
            java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(shell.getInputStream()));
            int pid = (int) shell.pid();
            for (int i = 0; i < 7; i++) {
                send(shell, out, "up");
            }
            Thread.sleep(100);
            source.watch(new Watch(pid, List.of(new ResourceWatch(Resource.NPROC,
                    List.of(Level.ofLimit(80), Level.ofLimit(90)), 0))));
            RlimitEvent first = events.next(pid);
            assertEquals(List.of(0, 8L, 10L, uid), List.of(first.newLevel(), first.value(), first.soft(), first.uid()));
            send(shell, out, "up");
            RlimitEvent warning = awaitLevel(pid, 1);
            assertEquals(9, warning.value());
            send(shell, out, "up");
            assertEquals(10, awaitLevel(pid, 2).value());
            send(shell, out, "down");
            send(shell, out, "down");
            send(shell, out, "down");
            RlimitEvent ok = awaitLevel(pid, 0);
            assertTrue(ok.value() <= 8, ok.toString());
        } finally {
            shell.destroyForcibly();
            Commands.exec(List.of("pkill", "-KILL", "-U", "" + uid), 10);
        }
    }

    @ParameterizedTest
    @MethodSource("tiers")
    void queuedSignalsOfTheUser(EventSources.Choice tier) throws Exception {
        Prerequisites.requireRoot();
        open(tier);
        int uid = 65000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(500);
        Process sleeper = new ProcessBuilder("prlimit", "--sigpending=100:100", "--", "setpriv", "--reuid=" + uid,
                "--regid=" + uid, "--clear-groups", "sleep", "600").start();
        try {
            int pid = (int) sleeper.pid();
            while (!Files.readString(Path.of("/proc/" + pid + "/comm")).startsWith("sleep")) {
                Thread.sleep(10); // prlimit and setpriv have done their work and exec'd sleep
            }
            Commands.run(List.of("kill", "-STOP", "" + pid)); // stopped: real-time signals stay queued
            source.watch(new Watch(pid, List.of(new ResourceWatch(Resource.SIGPENDING,
                    List.of(Level.absolute(3)), 0))));
            RlimitEvent first = events.next(pid);
            assertEquals(List.of(0, 0L, uid), List.of(first.newLevel(), first.value(), first.uid()));
            for (int i = 0; i < 4; i++) {
                Commands.run(List.of("kill", "-s", "RTMIN+" + i, "" + pid));
            }
            RlimitEvent queued = awaitLevel(pid, 1);
            assertTrue(queued.value() == 4, queued.toString());
            assertEquals(100, queued.soft());
        } finally {
            sleeper.destroyForcibly();
            sleeper.waitFor();
        }
    }

    @ParameterizedTest
    @MethodSource("tiers")
    void cpuTimeReachesItsLevelsWithoutPolling(EventSources.Choice tier) throws Exception {
        open(tier);
        Process burner = new ProcessBuilder("prlimit", "--cpu=10:20", "--", "/bin/bash", "-c", "while :; do :; done")
                .start();
        try {
            int pid = (int) burner.pid();
            while (!Files.readString(Path.of("/proc/" + pid + "/comm")).startsWith("bash")) {
                Thread.sleep(10); // prlimit has set the limits and exec'd bash
            }
            source.watch(new Watch(pid, List.of(new ResourceWatch(Resource.CPU,
                    List.of(Level.ofLimit(10), Level.ofLimit(20)), 0))));
            RlimitEvent first = awaitLevel(pid, 0);
            assertEquals(List.of(Resource.CPU, 10L, 20L), List.of(first.resource(), first.soft(), first.hard()));
            // a busy machine gives the burner less than a CPU second per second: bound the wait by its CPU
            RlimitEvent one = awaitLevel(pid, 1, 30);
            assertEquals(2, one.value()); // past 1 s (10% of 10 s): whole seconds used
            RlimitEvent two = awaitLevel(pid, 2, 30);
            assertEquals(3, two.value());
        } finally {
            burner.destroyForcibly();
            burner.waitFor();
        }
    }
}
