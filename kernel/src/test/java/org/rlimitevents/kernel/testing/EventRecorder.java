package org.rlimitevents.kernel.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.rlimitevents.kernel.events.EventKind;
import org.rlimitevents.kernel.events.EventListener;
import org.rlimitevents.kernel.events.RlimitEvent;

/** Collects events for a test and hands them out per process, in delivery order. */
public final class EventRecorder implements EventListener {
    private final BlockingQueue<RlimitEvent> queue = new LinkedBlockingQueue<>();

    @Override
    public void onEvent(RlimitEvent event) {
        queue.add(event);
    }

    /** The next event about {@code tgid} (resync markers and other processes skipped); fails after 5 s. */
    public RlimitEvent next(int tgid) throws InterruptedException {
        return next(tgid, 5);
    }

    /** {@link #next(int)} with its own bound (CPU time advances with the machine's load, not the clock). */
    public RlimitEvent next(int tgid, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            RlimitEvent e = queue.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError("no event for pid " + tgid + " within " + seconds + " s");
            }
            if (e.tgid() == tgid && e.kind() != EventKind.SYNC) {
                return e;
            }
        }
    }

    /** The next {@code n} crossings of {@code tgid} as "old->new@value" (other kinds must not come between). */
    public List<String> crossings(int tgid, int n) throws InterruptedException {
        List<String> out = new ArrayList<>();
        while (out.size() < n) {
            RlimitEvent e = next(tgid);
            if (e.kind() != EventKind.CROSSING) {
                throw new AssertionError("expected a crossing, got " + e);
            }
            out.add(e.oldLevel() + "->" + e.newLevel() + "@" + e.value());
        }
        return out;
    }
}
