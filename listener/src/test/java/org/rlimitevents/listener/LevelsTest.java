package org.rlimitevents.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.OptionalDouble;

import org.junit.jupiter.api.Test;
import org.rlimitevents.checkrlimit.CheckOptions;
import org.rlimitevents.checkrlimit.Finding;
import org.rlimitevents.kernel.events.Level;
import org.rlimitevents.kernel.events.ResourceWatch;
import org.rlimitevents.kernel.proc.Resource;
import org.rlimitevents.plugin.Status;

/** Kernel levels from a service's thresholds, and what makes a result worth sending. */
class LevelsTest {

    private static List<ResourceWatch> levels(String... args) throws Exception {
        return Levels.of(CheckOptions.parse(args));
    }

    @Test
    void everyFiniteEndOfTheRangesIsALevelPercentOfTheLimitOrAbsolute() throws Exception {
        assertEquals(List.of(new ResourceWatch(Resource.NOFILE, List.of(Level.ofLimit(80), Level.ofLimit(90)), 0)),
                levels("-p", "1", "-r", "nofile", "-w", "80%", "-c", "90%"));
        // an inside range (@) has two ends; 0 and infinity are no level
        assertEquals(List.of(new ResourceWatch(Resource.NOFILE, List.of(Level.absolute(10), Level.absolute(20),
                Level.absolute(500)), 0)), levels("-p", "1", "-r", "nofile", "-w", "@10:20", "-c", "500"));
        // a resource with no usage to follow (a limit only) gets no watch
        assertEquals(List.of(), levels("-p", "1", "-r", "core", "-w", "80%"));
    }

    @Test
    void servicesOnOneProcessNeedEveryLevelOfAny() {
        List<Level> a = List.of(Level.ofLimit(80), Level.ofLimit(90));
        List<Level> b = List.of(Level.ofLimit(90), Level.ofLimit(50), Level.absolute(7), Level.absolute(9));
        assertEquals(List.of(Level.ofLimit(80), Level.ofLimit(90), Level.ofLimit(50), Level.absolute(7),
                Level.absolute(9)), Levels.union(a, b));
    }

    private static final List<Level> SIX = List.of(Level.ofLimit(90), Level.ofLimit(95), Level.ofLimit(50),
            Level.ofLimit(60), Level.ofLimit(10), Level.ofLimit(20));

    private static List<Level> pct(double... percents) {
        return java.util.Arrays.stream(percents).mapToObj(Level::ofLimit).toList();
    }

    @Test
    void moreLevelsThanTheKernelWatchesArmTheNearestTheUsageTwoBelowTwoAbove() {
        assertEquals(pct(10, 20, 50, 60), Levels.armed(SIX, null, 5, 1000)); // none below: four above
        assertEquals(pct(10, 20, 50, 60), Levels.armed(SIX, null, 300, 1000));
        assertEquals(pct(50, 60, 90, 95), Levels.armed(SIX, null, 700, 1000));
        assertEquals(pct(50, 60, 90, 95), Levels.armed(SIX, null, 999, 1000)); // none above: four below
        assertEquals(pct(20, 50, 60, 90), Levels.armed(SIX, null, 550, 1000));
        // a level equal to the usage is not crossed yet (crossed when usage exceeds it)
        assertEquals(pct(10, 20, 50, 60), Levels.armed(SIX, null, 200, 1000));
        // four or fewer: all of them, as given
        assertEquals(pct(90, 10), Levels.armed(pct(90, 10), null, 500, 1000));
    }

    @Test
    void armedLevelsStayWhileTheyHoldTheNearestOnEachSide() {
        List<Level> armed = pct(10, 20, 50, 60);
        assertEquals(armed, Levels.armed(SIX, armed, 550, 1000)); // 50 below, 60 above: kept
        assertEquals(armed, Levels.armed(SIX, armed, 150, 1000));
        assertEquals(pct(50, 60, 90, 95), Levels.armed(SIX, armed, 650, 1000)); // above 60: moved up
        assertEquals(pct(10, 20, 50, 60), Levels.armed(SIX, pct(50, 60, 90, 95), 450, 1000)); // below 50: down
        // a level no service needs any more (its service went) is not kept
        assertEquals(pct(10, 20, 50, 60), Levels.armed(SIX, pct(10, 20, 50, 55), 300, 1000));
    }

    @Test
    void aResultIsWorthSendingWhenAStateChangesNotAValue() {
        Finding at850 = finding(850, Status.WARNING);
        Finding at870 = finding(870, Status.WARNING);
        assertEquals(ServiceState.signature(1, List.of(at850)), ServiceState.signature(1, List.of(at870)));
        assertEquals("2,42:nofile:CRITICAL", ServiceState.signature(2, List.of(finding(950, Status.CRITICAL))));
        assertEquals("3", ServiceState.signature(3, List.of()));
    }

    private static Finding finding(double usage, Status status) {
        return new Finding(42, "bash", 0, Resource.NOFILE, OptionalDouble.of(usage), 1000, null, status, "");
    }
}
