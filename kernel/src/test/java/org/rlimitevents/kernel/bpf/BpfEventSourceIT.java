package org.rlimitevents.kernel.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rlimitevents.kernel.events.EventKind;
import org.rlimitevents.kernel.events.Level;
import org.rlimitevents.kernel.events.ResourceWatch;
import org.rlimitevents.kernel.events.RlimitEvent;
import org.rlimitevents.kernel.events.Watch;
import org.rlimitevents.kernel.proc.Limit;
import org.rlimitevents.kernel.proc.Resource;
import org.rlimitevents.kernel.testing.EventRecorder;
import org.rlimitevents.kernel.testing.FdHolder;
import org.rlimitevents.kernel.testing.Prerequisites;

/** The tracepoint tier on the running kernel, with real processes: exact events, in order. */
class BpfEventSourceIT {
    private final EventRecorder events = new EventRecorder();
    private BpfEventSource source;

    @BeforeEach
    void load() {
        Prerequisites.requireRoot();
        source = BpfEventSource.open(events);
    }

    @AfterEach
    void unload() {
        if (source != null) {
            source.close();
            source.close(); // once only: a second close must not free the ring buffer again (it would crash)
        }
    }

    /** Levels at 80% and 90% of the soft limit; 2% hysteresis keeps bash's open-dup-close from flapping. */
    private static Watch nofile(int pid) {
        return new Watch(pid, List.of(new ResourceWatch(Resource.NOFILE,
                List.of(Level.ofLimit(80), Level.ofLimit(90)), 20_000)));
    }

    @Test
    void crossingsUpAndDownWithExactValues() throws Exception {
        try (FdHolder child = FdHolder.start()) {
            child.prlimit("--nofile=1000:1000");
            int pid = child.pid();
            int start = child.holdFds(10);
            source.watch(nofile(pid));
            RlimitEvent first = events.next(pid);
            assertEquals(List.of(EventKind.CROSSING, RlimitEvent.UNKNOWN_LEVEL, 0, (long) start, 1000L, 1000L),
                    List.of(first.kind(), first.oldLevel(), first.newLevel(), first.value(), first.soft(), first.hard()));
            child.holdFds(850);
            child.holdFds(950);
            child.holdFds(100);
            assertEquals(List.of("0->1@801", "1->2@901", "2->1@882", "1->0@784"), events.crossings(pid, 4));
            assertEquals("bash", first.comm());
        }
    }

    @Test
    void limitChangedByAnotherProcessRecomputesTheLevels() throws Exception {
        try (FdHolder child = FdHolder.start()) {
            child.prlimit("--nofile=2000:2000");
            int pid = child.pid();
            child.holdFds(850);
            source.watch(nofile(pid));
            assertEquals("-1->0@850", events.crossings(pid, 1).get(0));
            child.prlimit("--nofile=1000:2000"); // the child sleeps in read(): nothing of its own runs
            RlimitEvent limit = events.next(pid);
            assertEquals(List.of(EventKind.LIMIT, Resource.NOFILE, 1000L, 2000L),
                    List.of(limit.kind(), limit.resource(), limit.soft(), limit.hard()));
            assertEquals("0->1@850", events.crossings(pid, 1).get(0));
        }
    }

    @Test
    void exitEndsTheWatch() throws Exception {
        FdHolder child = FdHolder.start();
        int pid = child.pid();
        source.watch(nofile(pid));
        events.next(pid);
        child.close();
        RlimitEvent exit = events.next(pid);
        assertEquals(EventKind.EXIT, exit.kind());
        assertEquals("bash", exit.comm());
    }

    @Test
    void unlimitedSoftLimitPutsRelativeLevelsOutOfReach() throws Exception {
        try (FdHolder child = FdHolder.start()) {
            int pid = child.pid();
            source.watch(new Watch(pid, List.of(new ResourceWatch(Resource.AS,
                    List.of(Level.ofLimit(80)), 0))));
            RlimitEvent first = events.next(pid);
            assertEquals(Resource.AS, first.resource());
            assertEquals(Limit.UNLIMITED, first.soft());
            assertEquals(0, first.newLevel());
            assertTrue(first.value() > 1 << 20, "VmSize in bytes: " + first.value());
        }
    }

    @Test
    void aBurstThatOverflowsTheRingBufferIsCountedAndResynced() throws Exception {
        source.close();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        // A consumer that stalls on its first event while the child flaps across a level.
        source = BpfEventSource.open(e -> {
            try {
                release.await();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            events.onEvent(e);
        });
        try (FdHolder child = FdHolder.start()) {
            child.prlimit("--nofile=1000:1000");
            int pid = child.pid();
            child.holdFds(400);
            Thread watcher = new Thread(() -> {
                try {
                    source.watch(new Watch(pid, List.of(new ResourceWatch(Resource.NOFILE,
                            List.of(Level.absolute(500)), 0))));
                } catch (BpfException expected) {
                    // its resync cannot finish while the consumer is stalled: that is the point
                }
            });
            watcher.start();
            while (source.counters().events() == 0) {
                Thread.sleep(5); // the first event is delivered (and stuck): the watch is in place
            }
            for (int i = 0; i < 2000; i++) {
                child.holdFds(501);
                child.holdFds(499);
            }
            child.holdFds(700);
            release.countDown();
            watcher.join(10_000);
            // after the loss, the resync reports the true level: above the level, at 700 fds
            RlimitEvent last = null;
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < deadline) {
                RlimitEvent e = events.next(pid);
                if (e.kind() == EventKind.CROSSING && e.value() == 700) {
                    last = e;
                    break;
                }
            }
            assertTrue(last != null, "a report of 700 fds after the resync");
            assertEquals(1, last.newLevel());
            assertTrue(source.counters().lost() > 0, "lost: " + source.counters());
            assertTrue(source.counters().resyncs() >= 1, "resyncs: " + source.counters());
        }
    }
}
