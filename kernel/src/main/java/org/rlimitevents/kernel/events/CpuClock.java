package org.rlimitevents.kernel.events;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

import org.rlimitevents.kernel.proc.Limit;
import org.rlimitevents.kernel.proc.ProcEntry;
import org.rlimitevents.kernel.proc.ProcFs;
import org.rlimitevents.kernel.proc.ProcessGoneException;
import org.rlimitevents.kernel.proc.Resource;

/**
 * RLIMIT_CPU for the kernel tiers. CPU time is continuous: no event exists for "crossed N
 * seconds". A process with T threads gains at most min(T, CPUs) seconds of CPU time per second,
 * so the next level cannot be reached before (level - used) / min(T, CPUs) seconds: the check is
 * scheduled then, not polled. With an unlimited soft limit (and only relative levels) nothing is
 * ever scheduled. A limit change is reported by the kernel tier, which calls {@link #recheck};
 * past the last level, a check every {@link #MAX_WAIT_MS} catches a limit raised or lowered.
 */
public final class CpuClock implements AutoCloseable {
    static final long MAX_WAIT_MS = 60_000;
    private static final long MIN_WAIT_MS = 10;

    private final ProcFs procFs = ProcFs.at(Path.of("/proc"));
    private final Consumer<RlimitEvent> sink;
    private final Map<Integer, Entry> entries = new HashMap<>();
    private final Thread thread;
    private final int cpus = Runtime.getRuntime().availableProcessors();
    private boolean closed;

    private static final class Entry {
        final LevelTracker tracker;
        long dueNanos;
        boolean report = true;

        Entry(ResourceWatch rw) {
            tracker = new LevelTracker(rw);
        }
    }

    public CpuClock(Consumer<RlimitEvent> sink) {
        this.sink = sink;
        thread = new Thread(this::run, "rlimit-cpu-clock");
        thread.setDaemon(true);
        thread.start();
    }

    public synchronized void watch(int tgid, ResourceWatch cpu) {
        if (cpu.resource() != Resource.CPU) {
            throw new IllegalArgumentException("not a cpu watch");
        }
        entries.put(tgid, new Entry(cpu));
        notifyAll();
    }

    public synchronized void unwatch(int tgid) {
        entries.remove(tgid);
    }

    /** Looks at one process again now (its cpu limit changed). */
    public synchronized void recheck(int tgid) {
        Entry e = entries.get(tgid);
        if (e != null) {
            e.dueNanos = 0;
            notifyAll();
        }
    }

    /** Every watch re-reports its level now (a resync). */
    public synchronized void resync() {
        for (Entry e : entries.values()) {
            e.dueNanos = 0;
            e.report = true;
        }
        notifyAll();
    }

    @Override
    public synchronized void close() {
        closed = true;
        notifyAll();
    }

    private void run() {
        while (true) {
            int tgid;
            Entry entry;
            synchronized (this) {
                while (true) {
                    if (closed) {
                        return;
                    }
                    long now = System.nanoTime();
                    long next = Long.MAX_VALUE;
                    Integer due = null;
                    for (Map.Entry<Integer, Entry> e : entries.entrySet()) {
                        if (e.getValue().dueNanos <= now) {
                            due = e.getKey();
                            break;
                        }
                        next = Math.min(next, e.getValue().dueNanos);
                    }
                    if (due != null) {
                        tgid = due;
                        entry = entries.get(due);
                        entry.dueNanos = Long.MAX_VALUE; // until evaluated
                        break;
                    }
                    try {
                        if (next == Long.MAX_VALUE) {
                            wait(); // nothing can cross: asleep until a watch is added
                        } else {
                            wait(Math.max(1, (next - now) / 1_000_000));
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
            evaluate(tgid, entry);
        }
    }

    private void evaluate(int tgid, Entry entry) {
        ProcEntry p = procFs.process(tgid);
        long waitMs;
        try {
            String comm = p.comm();
            double used = p.stat().cpuSeconds();
            int threads = p.status().threads();
            Limit limit = p.limits().getOrDefault(Resource.CPU, new Limit(Limit.UNLIMITED, Limit.UNLIMITED));
            boolean report;
            synchronized (this) {
                report = entry.report;
                entry.report = false;
            }
            entry.tracker.observe((long) Math.floor(used), limit.soft(), limit.hard(), report,
                    new LevelTracker.Sink() {
                        @Override
                        public void limitChanged(int level, long value, long soft, long hard) {
                            sink.accept(new RlimitEvent(EventKind.LIMIT, 0, System.nanoTime(), tgid, 0, comm,
                                    Resource.CPU, level, level, value, soft, hard, 0));
                        }

                        @Override
                        public void crossed(int oldLevel, int newLevel, long value, long soft, long hard) {
                            sink.accept(new RlimitEvent(EventKind.CROSSING, 0, System.nanoTime(), tgid, 0, comm,
                                    Resource.CPU, oldLevel, newLevel, value, soft, hard, 0));
                        }
                    });
            long next = entry.tracker.nextLevelAbove();
            if (Limit.isUnlimited(next)) {
                waitMs = Limit.isUnlimited(limit.soft()) ? Long.MAX_VALUE : MAX_WAIT_MS;
            } else {
                double seconds = (next + 1 - used) / Math.max(1, Math.min(threads, cpus));
                waitMs = Math.min(MAX_WAIT_MS, Math.max(MIN_WAIT_MS, (long) Math.ceil(seconds * 1000)));
            }
        } catch (ProcessGoneException e) {
            unwatch(tgid); // its exit event comes from the kernel tier
            return;
        }
        synchronized (this) {
            // a recheck() during the evaluation (due set to 0) stands: evaluate again at once
            if (entries.get(tgid) == entry && entry.dueNanos == Long.MAX_VALUE) {
                entry.dueNanos = waitMs == Long.MAX_VALUE ? Long.MAX_VALUE
                        : System.nanoTime() + waitMs * 1_000_000;
            }
        }
    }
}
