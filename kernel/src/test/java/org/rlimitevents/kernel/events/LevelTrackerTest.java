package org.rlimitevents.kernel.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlimitevents.kernel.proc.Limit;
import org.rlimitevents.kernel.proc.Resource;

/** The polling tier's level logic, as evaluate() in rlimit_events.bpf.c has it. */
class LevelTrackerTest {
    private final List<String> events = new ArrayList<>();
    private final LevelTracker.Sink sink = new LevelTracker.Sink() {
        @Override
        public void limitChanged(int level, long value, long soft, long hard) {
            events.add("limit " + level + " " + value + " " + soft);
        }

        @Override
        public void crossed(int oldLevel, int newLevel, long value, long soft, long hard) {
            events.add(oldLevel + "->" + newLevel + " " + value);
        }
    };

    private static LevelTracker tracker(int hysteresisPpm, Level... levels) {
        return new LevelTracker(new ResourceWatch(Resource.NOFILE, List.of(levels), hysteresisPpm));
    }

    @Test
    void crossingsUpAndDownAndTheFirstObservationReported() {
        LevelTracker t = tracker(0, Level.ofLimit(80), Level.ofLimit(90));
        t.observe(100, 1000, 1000, false, sink);
        t.observe(799, 1000, 1000, false, sink);  // not above 800: nothing
        t.observe(801, 1000, 1000, false, sink);
        t.observe(950, 1000, 1000, false, sink);
        t.observe(800, 1000, 1000, false, sink);  // at a level is not above it
        t.observe(100, 1000, 1000, true, sink);   // a resync reports even without a change
        t.observe(100, 1000, 1000, true, sink);
        assertEquals(List.of(RlimitEvent.UNKNOWN_LEVEL + "->0 100", "0->1 801", "1->2 950", "2->0 800", "0->0 100",
                "0->0 100"), events);
    }

    @Test
    void hysteresisKeepsTheLevelUntilUsageDropsBelowTheBand() {
        LevelTracker t = tracker(100_000, Level.absolute(100)); // 10% band: down only at 90 or below
        t.observe(101, 1000, 1000, false, sink);
        t.observe(95, 1000, 1000, false, sink);
        t.observe(90, 1000, 1000, false, sink);
        assertEquals(List.of(RlimitEvent.UNKNOWN_LEVEL + "->1 101", "1->0 90"), events);
    }

    @Test
    void aNewLimitRecomputesPercentLevelsAndReordersThemAmongAbsoluteOnes() {
        LevelTracker t = tracker(0, Level.ofLimit(50), Level.absolute(600));
        t.observe(550, 1000, 1000, false, sink);   // above 500 (50%), below 600
        t.observe(550, 2000, 2000, false, sink);   // 50% is now 1000: above nothing
        assertEquals(List.of(RlimitEvent.UNKNOWN_LEVEL + "->1 550", "limit 1 550 2000", "1->0 550"), events);
        assertEquals(600, t.nextLevelAbove());
        assertEquals((600 - 550) / 600.0, t.distanceToNearestLevel(), 1e-9);
    }

    @Test
    void anUnlimitedSoftLimitPutsPercentLevelsOutOfReach() {
        LevelTracker t = tracker(0, Level.ofLimit(80));
        t.observe(Long.MAX_VALUE - 1, Limit.UNLIMITED, Limit.UNLIMITED, false, sink);
        assertEquals(List.of(RlimitEvent.UNKNOWN_LEVEL + "->0 " + (Long.MAX_VALUE - 1)), events);
        assertEquals(Limit.UNLIMITED, t.nextLevelAbove());
        assertEquals(Double.MAX_VALUE, t.distanceToNearestLevel());
    }
}
