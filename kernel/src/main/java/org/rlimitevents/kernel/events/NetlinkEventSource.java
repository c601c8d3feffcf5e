package org.rlimitevents.kernel.events;

import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.rlimitevents.kernel.proc.Limit;
import org.rlimitevents.kernel.proc.ProcFs;
import org.rlimitevents.kernel.proc.Resource;

/**
 * The netlink tier: the kernel's own rlimit-events interface (kernel/patch/, "rlimit-events v2"),
 * where the kernel offers it. For every level the kernel is asked to report the exact value at
 * which the level is exceeded and the value at which its hysteresis band is left, so this tier
 * wakes only when a level is crossed, a limit changes or the process exits; nothing polls. Each
 * wake-up re-evaluates the process with the polling tier's level logic (one implementation of the
 * levels, hysteresis and events). Resources the kernel does not hook (cpu) and processes it
 * refuses (no ptrace access) stay on the polling schedule.
 */
public final class NetlinkEventSource implements EventSource {
    /** The resources the kernel patch hooks. */
    static final Set<Resource> HOOKED = EnumSet.of(Resource.NOFILE, Resource.AS, Resource.DATA, Resource.STACK,
            Resource.MEMLOCK, Resource.NPROC, Resource.SIGPENDING);

    private final RlimitNotifications kernel;
    private final PollingEventSource levels;
    private final ProcFs procFs = ProcFs.at(Path.of("/proc"));
    private final EventListener listener;
    /** Per watched tgid: its watch and the kernel levels armed per resource; the tgid is kernel-driven. */
    private final Map<Integer, Armed> armed = new ConcurrentHashMap<>();
    private final Thread reader;
    private volatile long lost;
    private volatile boolean closed;

    private record Armed(Watch watch, Map<Resource, Set<Long>> levels) {
    }

    private NetlinkEventSource(RlimitNotifications kernel, EventListener listener, Consumer<String> log) {
        this.kernel = kernel;
        this.listener = listener;
        this.levels = new PollingEventSource(procFs, listener, EventSources.POLL_MIN_MS, EventSources.POLL_MAX_MS, log,
                armed::containsKey);
        reader = new Thread(this::run, "rlimit-netlink");
        reader.setDaemon(true);
        reader.start();
    }

    /** Opens the tier; {@link RlimitNotifications.Absent} when the kernel has no such interface. */
    public static NetlinkEventSource open(EventListener listener, Consumer<String> log) throws IOException {
        return new NetlinkEventSource(RlimitNotifications.open(), listener, log);
    }

    @Override
    public Tier tier() {
        return Tier.NETLINK;
    }

    @Override
    public void watch(Watch watch) {
        disarm(watch.tgid());
        if (watch.resources().stream().allMatch(rw -> HOOKED.contains(rw.resource()))) {
            arm(watch);
        }
        levels.watch(watch);
    }

    @Override
    public void unwatch(int tgid) {
        disarm(tgid);
        levels.unwatch(tgid);
    }

    @Override
    public void resync() {
        levels.resync();
    }

    @Override
    public Counters counters() {
        Counters c = levels.counters();
        return new Counters(c.events(), lost, c.resyncs(), c.recounts());
    }

    @Override
    public void close() {
        closed = true;
        kernel.stop();
        try {
            reader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        kernel.close();
        levels.close();
    }

    /**
     * Asks the kernel for each level's crossing points against the current soft limit: above the
     * level (usage exceeds it) and at or below the hysteresis band (usage falls back). All or none:
     * a process the kernel refuses stays polled.
     */
    private synchronized void arm(Watch watch) {
        int tgid = watch.tgid();
        Map<Resource, Limit> limits;
        try {
            limits = procFs.process(tgid).limits();
        } catch (RuntimeException e) {
            return; // gone or unreadable: the polling tier reports it
        }
        Map<Resource, Set<Long>> points = new HashMap<>();
        for (ResourceWatch rw : watch.resources()) {
            long soft = limits.getOrDefault(rw.resource(), new Limit(Limit.UNLIMITED, Limit.UNLIMITED)).soft();
            Set<Long> at = new TreeSet<>();
            for (Level level : rw.levels()) {
                long value = level.against(soft);
                if (Limit.isUnlimited(value)) {
                    continue;
                }
                long band = rw.hysteresisPpm() == 0 ? 0 : new Level(rw.hysteresisPpm(), -1).against(value);
                at.add(value + 1);        // exceeded: LevelTracker's value > level
                at.add(value - band + 1); // left: reached going down when usage <= level - band
            }
            points.put(rw.resource(), at);
        }
        Armed a = new Armed(watch, points);
        for (Map.Entry<Resource, Set<Long>> e : points.entrySet()) {
            for (long value : e.getValue()) {
                int errno = kernel.add(tgid, e.getKey().number(), Math.max(0, value));
                if (errno != 0 && errno != 17 /* EEXIST */) {
                    disarm(a, tgid);
                    return;
                }
            }
        }
        armed.put(tgid, a);
    }

    private synchronized void disarm(int tgid) {
        Armed a = armed.remove(tgid);
        if (a != null) {
            disarm(a, tgid);
        }
    }

    private void disarm(Armed a, int tgid) {
        a.levels().forEach((r, values) -> values.forEach(v -> kernel.remove(tgid, r.number(), Math.max(0, v))));
    }

    private void run() {
        while (!closed) {
            try {
                for (RlimitNotifications.Event e : kernel.next()) {
                    handle(e);
                }
            } catch (IOException | RuntimeException e) {
                listener.failed("rlimit-netlink", e, false);
                return;
            }
        }
    }

    /** One kernel record (package-private: tests hand it records the kernel rarely makes). */
    void handle(RlimitNotifications.Event e) {
        switch (e.type()) {
            case RlimitNotifications.LIMIT -> {
                Armed a = armed.get(e.pid());
                if (a != null) {
                    synchronized (this) { // percent levels move with the limit
                        disarm(e.pid());
                        arm(a.watch());
                    }
                }
                levels.wake(e.pid(), false);
            }
            case RlimitNotifications.EXIT -> {
                armed.remove(e.pid()); // the kernel dropped its watches
                levels.wake(e.pid(), false);
            }
            case RlimitNotifications.OVERFLOW -> {
                lost += e.aux();
                listener.failed("rlimit-netlink", new IOException("the kernel's queue overflowed: " + e.aux()
                        + " events lost; resyncing"), true);
                levels.resync();
            }
            default -> levels.wake(e.pid(), false);
        }
    }
}
