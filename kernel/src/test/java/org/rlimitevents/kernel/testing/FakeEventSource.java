package org.rlimitevents.kernel.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rlimitevents.kernel.events.Counters;
import org.rlimitevents.kernel.events.EventKind;
import org.rlimitevents.kernel.events.EventListener;
import org.rlimitevents.kernel.events.EventSource;
import org.rlimitevents.kernel.events.RlimitEvent;
import org.rlimitevents.kernel.events.Tier;
import org.rlimitevents.kernel.events.Watch;
import org.rlimitevents.kernel.proc.Resource;

/**
 * An event source without a kernel, for fast tests of what consumes events: it records the watches
 * it is given (and every watch/unwatch call, in order) and replays the events a test hands it.
 */
public final class FakeEventSource implements EventSource {
    private EventListener listener = e -> { };
    private final Map<Integer, Watch> watches = new LinkedHashMap<>();
    private final List<String> calls = new ArrayList<>();
    private long seq;
    private long delivered;
    private boolean closed;

    /** Where events go (set once the consumer exists: it usually needs the source first). */
    public synchronized void listener(EventListener l) {
        listener = l;
    }

    @Override
    public Tier tier() {
        return Tier.POLLING;
    }

    @Override
    public synchronized void watch(Watch watch) {
        watches.put(watch.tgid(), watch);
        calls.add("watch " + watch.tgid());
    }

    @Override
    public synchronized void unwatch(int tgid) {
        watches.remove(tgid);
        calls.add("unwatch " + tgid);
    }

    @Override
    public void resync() {
    }

    @Override
    public synchronized Counters counters() {
        return new Counters(delivered, 0, 0, 0);
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    public synchronized boolean closed() {
        return closed;
    }

    /** The current watches by tgid. */
    public synchronized Map<Integer, Watch> watches() {
        return new LinkedHashMap<>(watches);
    }

    /** Every watch and unwatch so far ("watch 100", "unwatch 100"), and forgets them. */
    public synchronized List<String> takeCalls() {
        List<String> out = new ArrayList<>(calls);
        calls.clear();
        return out;
    }

    /** Delivers events as a tier would: one at a time, numbered in order. */
    public void replay(RlimitEvent... events) {
        for (RlimitEvent e : events) {
            EventListener l;
            synchronized (this) {
                l = listener;
                delivered++;
                e = e.withSeq(seq++);
            }
            l.onEvent(e);
        }
    }

    /** A lifecycle event (EXEC, EXIT) of {@code tgid}. */
    public static RlimitEvent lifecycle(EventKind kind, int tgid) {
        return new RlimitEvent(kind, 0, System.nanoTime(), tgid, tgid, "", null, 0, 0, 0, 0, 0, 0);
    }

    /** A crossing of {@code tgid}'s levels on {@code r}. */
    public static RlimitEvent crossing(int tgid, Resource r, int oldLevel, int newLevel, long value, long soft) {
        return new RlimitEvent(EventKind.CROSSING, 0, System.nanoTime(), tgid, tgid, "", r, oldLevel, newLevel, value,
                soft, soft, 0);
    }
}
