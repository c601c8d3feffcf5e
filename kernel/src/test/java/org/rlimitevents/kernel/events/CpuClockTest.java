package org.rlimitevents.kernel.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.rlimitevents.kernel.proc.ProcFs;
import org.rlimitevents.kernel.proc.Resource;

/** CPU time reaching a level, told by a check scheduled for when it can first be reached. */
class CpuClockTest {

    @Test
    void aBusyProcessCrossesItsCpuLevelAndAGoneOneIsForgotten() throws Exception {
        List<RlimitEvent> events = new CopyOnWriteArrayList<>();
        Process busy = new ProcessBuilder("bash", "-c", "while :; do :; done").start();
        int pid = (int) busy.pid();
        try (CpuClock clock = new CpuClock(events::add)) {
            clock.watch(pid, new ResourceWatch(Resource.CPU, List.of(Level.absolute(0)), 0)); // above 0: 1 s used
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (events.stream().noneMatch(e -> e.newLevel() == 1) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            RlimitEvent first = events.get(0);
            assertEquals(List.of(EventKind.CROSSING, pid, RlimitEvent.UNKNOWN_LEVEL, 0, 0L),
                    List.of(first.kind(), first.tgid(), first.oldLevel(), first.newLevel(), first.value()));
            RlimitEvent crossed = events.stream().filter(e -> e.newLevel() == 1).findFirst().orElseThrow();
            assertEquals(List.of(EventKind.CROSSING, pid, 0, 1), List.of(crossed.kind(), crossed.tgid(),
                    crossed.oldLevel(), crossed.newLevel()));
            assertTrue(crossed.value() >= 1, crossed.toString());
            assertTrue(ProcFs.at(java.nio.file.Path.of("/proc")).process(pid).stat().cpuSeconds() >= 1);
            busy.destroyForcibly();
            busy.waitFor();
            int seen = events.size();
            clock.recheck(pid); // gone: read once more, then forgotten without an event
            clock.resync();
            Thread.sleep(200);
            assertEquals(seen, events.size());
        } finally {
            busy.destroyForcibly();
        }
    }
}
