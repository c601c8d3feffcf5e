package org.rlimitevents.kernel.events;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Consumer;

import org.rlimitevents.kernel.proc.Limit;
import org.rlimitevents.kernel.proc.PrivilegeRequiredException;
import org.rlimitevents.kernel.proc.ProcEntry;
import org.rlimitevents.kernel.proc.ProcFs;
import org.rlimitevents.kernel.proc.ProcessGoneException;
import org.rlimitevents.kernel.proc.Resource;
import org.rlimitevents.kernel.proc.Usage;

/**
 * The fallback tier: no BPF, no privilege. Each watch is re-read from /proc at an interval that
 * shrinks as its usage nears a level (from {@code maxIntervalMs} far away down to
 * {@code minIntervalMs} at a level); exec and exit arrive at once from the netlink process
 * connector where the kernel allows it. Same level logic and events as the kernel tiers.
 */
public final class PollingEventSource implements EventSource {
    private final ProcFs procFs;
    private final EventListener listener;
    private final long minIntervalMs;
    private final long maxIntervalMs;
    private final Map<Integer, Watched> watches = new HashMap<>();
    private final Thread thread;
    private final ProcConnector connector;
    private long seq;
    private long delivered;
    private long resyncs;
    private boolean closed;
    private boolean resyncRequested;
    /** Resync rounds taken up and finished: {@link #resync} waits for its own with {@link EndMarker}. */
    private long resyncsTaken;
    private long resyncsDone;

    private static final class Watched {
        final Watch watch;
        final List<LevelTracker> trackers = new ArrayList<>();
        long dueNanos;
        boolean execSeen;

        Watched(Watch watch) {
            this.watch = watch;
            for (ResourceWatch rw : watch.resources()) {
                trackers.add(new LevelTracker(rw));
            }
        }
    }

    public PollingEventSource(ProcFs procFs, EventListener listener, long minIntervalMs, long maxIntervalMs,
                              Consumer<String> log) {
        this.procFs = procFs;
        this.listener = listener;
        this.minIntervalMs = minIntervalMs;
        this.maxIntervalMs = maxIntervalMs;
        ProcConnector pc = null;
        try {
            pc = ProcConnector.open(new ProcConnector.Listener() {
                @Override
                public void exec(int pid, int tgid) {
                    wake(tgid, true);
                }

                @Override
                public void exit(int pid, int tgid) {
                    wake(tgid, false);
                }

                @Override
                public void failed(Throwable cause, boolean recovered) {
                    listener.failed("rlimit-proc-connector", cause, recovered);
                    if (recovered) {
                        requestResync(); // exits or execs were lost: every watch read again
                    }
                }
            });
        } catch (IOException | LinkageError e) {
            log.accept("polling tier: no process connector (" + e.getMessage() + "); exits are seen at the next poll");
        }
        connector = pc;
        thread = new Thread(() -> {
            try {
                run();
            } catch (RuntimeException | Error e) {
                listener.failed("rlimit-poll", e, false);
            }
        }, "rlimit-poll");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public Tier tier() {
        return Tier.POLLING;
    }

    @Override
    public void watch(Watch watch) {
        for (ResourceWatch rw : watch.resources()) {
            if (rw.resource().kind == Resource.Kind.LIMIT_ONLY) {
                throw new IllegalArgumentException(rw.resource().key + " has no usage to watch");
            }
        }
        synchronized (this) {
            watches.put(watch.tgid(), new Watched(watch));
        }
        resync();
    }

    @Override
    public synchronized void unwatch(int tgid) {
        watches.remove(tgid);
    }

    @Override
    public void resync() {
        synchronized (this) {
            requestResync();
            EndMarker.await(this, () -> resyncsDone, resyncsTaken + 1, () -> closed, "polling round stuck?");
        }
    }

    private synchronized void requestResync() {
        resyncRequested = true;
        for (Watched w : watches.values()) {
            w.dueNanos = 0;
        }
        notifyAll();
    }

    @Override
    public synchronized Counters counters() {
        return new Counters(delivered, 0, resyncs, 0);
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        if (connector != null) {
            connector.close();
        }
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void wake(int tgid, boolean exec) {
        Watched w = watches.get(tgid);
        if (w != null) {
            w.dueNanos = 0;
            w.execSeen |= exec;
            notifyAll();
        }
    }

    /** Whether an exec was seen since the last read of {@code w} (wake() sets it, on the connector's thread). */
    private synchronized boolean takeExec(Watched w) {
        boolean seen = w.execSeen;
        w.execSeen = false;
        return seen;
    }

    private void run() {
        List<RlimitEvent> out = new ArrayList<>();
        while (true) {
            List<Watched> due = new ArrayList<>();
            boolean wasResync;
            synchronized (this) {
                while (!closed) {
                    long now = System.nanoTime();
                    long next = Long.MAX_VALUE;
                    for (Watched w : watches.values()) {
                        if (w.dueNanos <= now) {
                            due.add(w);
                        } else {
                            next = Math.min(next, w.dueNanos);
                        }
                    }
                    if (!due.isEmpty() || resyncRequested) {
                        break;
                    }
                    try {
                        if (next == Long.MAX_VALUE) {
                            wait();
                        } else {
                            long ms = Math.max(1, (next - now) / 1_000_000);
                            wait(ms);
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                wasResync = resyncRequested;
                if (wasResync) {
                    resyncRequested = false; // a request from now on gets the next round
                    resyncsTaken++;
                }
            }
            ProcFs snapshot = procFs.fresh(); // per-user counts are taken once per round
            for (Watched w : due) {
                evaluate(snapshot, w, wasResync, out);
            }
            synchronized (this) {
                delivered += out.size();
                if (wasResync) {
                    resyncs++;
                }
            }
            for (RlimitEvent e : out) {
                listener.onEvent(e);
            }
            out.clear();
            if (wasResync) {
                listener.onEvent(event(EventKind.SYNC, 0, "", null, 0, 0, 0, 0, 0, 0));
                synchronized (this) {
                    resyncsDone++;
                    notifyAll();
                }
            }
        }
    }

    private void evaluate(ProcFs procFs, Watched w, boolean report, List<RlimitEvent> out) {
        int tgid = w.watch.tgid();
        ProcEntry p = procFs.process(tgid);
        String comm;
        try {
            comm = p.comm();
            if (p.stat().dead()) {
                throw new ProcessGoneException(tgid);
            }
            if (takeExec(w)) {
                out.add(event(EventKind.EXEC, tgid, comm, null, 0, 0, 0, 0, 0, 0));
            }
            Map<Resource, Limit> limits = p.limits();
            int uid = p.status().realUid();
            double nearest = Double.MAX_VALUE;
            for (LevelTracker t : w.trackers) {
                Resource r = t.spec().resource();
                OptionalDouble usage = Usage.of(p, r, procFs);
                if (usage.isEmpty()) {
                    continue;
                }
                Limit limit = limits.getOrDefault(r, new Limit(Limit.UNLIMITED, Limit.UNLIMITED));
                t.observe((long) usage.getAsDouble(), limit.soft(), limit.hard(), report, new LevelTracker.Sink() {
                    @Override
                    public void limitChanged(int level, long value, long soft, long hard) {
                        out.add(event(EventKind.LIMIT, tgid, comm, r, level, level, value, soft, hard,
                                r.perUser ? uid : 0));
                    }

                    @Override
                    public void crossed(int oldLevel, int newLevel, long value, long soft, long hard) {
                        out.add(event(EventKind.CROSSING, tgid, comm, r, oldLevel, newLevel, value, soft, hard,
                                r.perUser ? uid : 0));
                    }
                });
                nearest = Math.min(nearest, t.distanceToNearestLevel());
            }
            w.dueNanos = System.nanoTime() + interval(nearest) * 1_000_000;
        } catch (ProcessGoneException e) {
            synchronized (this) {
                watches.remove(tgid);
            }
            out.add(event(EventKind.EXIT, tgid, "", null, 0, 0, 0, 0, 0, 0));
        } catch (PrivilegeRequiredException e) {
            w.dueNanos = System.nanoTime() + maxIntervalMs * 1_000_000;
        }
    }

    /** Far from every level (20% or more): the longest interval; at a level: the shortest. */
    long interval(double distance) {
        double share = Math.min(1.0, distance / 0.2);
        return minIntervalMs + Math.round((maxIntervalMs - minIntervalMs) * share);
    }

    private RlimitEvent event(EventKind kind, int tgid, String comm, Resource r, int oldLevel, int newLevel,
                              long value, long soft, long hard, int uid) {
        return new RlimitEvent(kind, seq++, System.nanoTime(), tgid, 0, comm, r, oldLevel, newLevel, value, soft,
                hard, uid);
    }
}
