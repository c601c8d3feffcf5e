package org.rlimitevents.kernel.bpf;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.nio.file.Path;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.rlimitevents.kernel.events.Counters;
import org.rlimitevents.kernel.events.CpuClock;
import org.rlimitevents.kernel.events.EndMarker;
import org.rlimitevents.kernel.events.EventKind;
import org.rlimitevents.kernel.events.EventListener;
import org.rlimitevents.kernel.events.EventSource;
import org.rlimitevents.kernel.events.ResourceWatch;
import org.rlimitevents.kernel.events.RlimitEvent;
import org.rlimitevents.kernel.events.Tier;
import org.rlimitevents.kernel.events.Watch;
import org.rlimitevents.kernel.proc.ProcFs;
import org.rlimitevents.kernel.proc.Resource;

/**
 * Events from the BPF programs in rlimit_events.bpf.o, loaded through libbpf. One thread polls the
 * ring buffer (blocking, no timeout: idle means asleep) and delivers events in kernel order. The
 * programs are attached only while something is watched. When the kernel counts lost events (ring
 * buffer full), the poll thread runs the task iterator, which re-reports every watch in the kernel.
 */
public final class BpfEventSource implements EventSource {
    static final String OBJECT = "rlimit_events.bpf.o";
    /** Programs both tiers attach: process lifecycle and signals (not per syscall). */
    private static final String[] SHARED_PROGRAMS = {"rl_exec", "rl_exit", "rl_fork", "rl_free",
        "rl_signal_generate", "rl_signal_deliver"};
    private static final String[] TRACEPOINT_PROGRAMS = {"rl_sys_exit", "rl_sys_exit_empty"};
    private static final String[] FEXIT_PROGRAMS = {"rl_fx_alloc_fd", "rl_fx_put_unused_fd", "rl_fx_close",
        "rl_fx_dup2", "rl_fx_dup3", "rl_fx_close_range", "rl_fx_vm_stat_account", "rl_fx_mmap", "rl_fx_munmap",
        "rl_fx_brk", "rl_fx_mremap", "rl_fx_mprotect", "rl_fx_mlock", "rl_fx_mlock2",
        "rl_fx_munlock", "rl_fx_mlockall", "rl_fx_munlockall", "rl_fx_prlimit64", "rl_fx_setrlimit",
        "rl_fx_mq_open", "rl_fx_mq_unlink"};

    private final Tier tier;
    private final long samplingMs;
    private Thread sampler;
    private static final long BPF_ANY = 0;

    private final EventListener listener;
    private final Pointer objectMemory; // libbpf may refer to the object bytes while the object lives
    private final Pointer object;
    private final int watchesFd;
    private final int bitsFd;
    private final int statsFd;
    private final int controlFd;
    private final int userIndexFd;
    /** Watched processes with a per-user resource, and the user they are counted under. */
    private final java.util.Map<Integer, Integer> userOf = new java.util.HashMap<>();
    private final Pointer ringBuffer;
    private final LibBpf.SampleCallback callback; // strongly held: native code calls it
    private final Pointer iterLink;
    private final List<Pointer> links = new ArrayList<>();
    private final Set<Integer> watched = new HashSet<>();
    private final Thread poller;
    private final Object syncLock = new Object();
    private final Pointer key;
    private final Pointer watchValue;
    private final Pointer word;
    private final Pointer stat;
    private final Pointer iterBuf;

    private final CpuClock cpuClock;
    private final Object deliveryLock = new Object();
    private long deliverySeq;
    private volatile boolean closing;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private long delivered;
    private long resyncs;
    private long syncsSeen;

    private BpfEventSource(Tier tier, long samplingMs, EventListener listener, byte[] objectBytes) {
        this.tier = tier;
        this.samplingMs = samplingMs;
        this.listener = listener;
        objectMemory = Memory.allocateDirect(Native.RUNTIME, objectBytes.length);
        objectMemory.put(0, objectBytes, 0, objectBytes.length);
        Pointer obj = Native.BPF.bpf_object__open_mem(objectMemory, objectBytes.length, null);
        if (obj == null) {
            throw Native.failure("opening the BPF object", Native.errno());
        }
        object = obj;
        try {
            // One object holds both tiers: load only this tier's per-operation programs.
            for (String name : TRACEPOINT_PROGRAMS) {
                Native.BPF.bpf_program__set_autoload(program(name), tier != Tier.FEXIT);
            }
            for (String name : FEXIT_PROGRAMS) {
                Native.BPF.bpf_program__set_autoload(program(name), tier == Tier.FEXIT);
            }
            int rc = Native.BPF.bpf_object__load(object);
            if (rc != 0) {
                throw Native.failure("loading the BPF programs", rc);
            }
            watchesFd = mapFd("watches");
            bitsFd = mapFd("watched_bits");
            statsFd = mapFd("stats");
            controlFd = mapFd("control");
            userIndexFd = mapFd("user_index");
            callback = (ctx, data, size) -> {
                deliver(data, size);
                return 0;
            };
            ringBuffer = Native.BPF.ring_buffer__new(mapFd("events"), callback, null, null);
            if (ringBuffer == null) {
                throw Native.failure("creating the ring buffer", Native.errno());
            }
            iterLink = Native.BPF.bpf_program__attach_iter(program("rl_resync"), null);
            if (iterLink == null) {
                throw Native.failure("attaching the task iterator", Native.errno());
            }
        } catch (RuntimeException e) {
            Native.BPF.bpf_object__close(object);
            throw e;
        }
        key = Memory.allocateDirect(Native.RUNTIME, 8);
        watchValue = Memory.allocateDirect(Native.RUNTIME, Abi.WATCH_SIZE);
        word = Memory.allocateDirect(Native.RUNTIME, 8);
        stat = Memory.allocateDirect(Native.RUNTIME, 8);
        iterBuf = Memory.allocateDirect(Native.RUNTIME, 4096);
        cpuClock = new CpuClock(this::deliverEvent);
        poller = new Thread(this::poll, "rlimit-events");
        poller.setDaemon(true);
        poller.start();
    }

    /** Loads the tracepoint tier; a BpfException says why it could not (EPERM: privileges or policy). */
    public static BpfEventSource open(EventListener listener) {
        return open(Tier.TRACEPOINT, listener);
    }

    /** Loads the fexit or the tracepoint tier. */
    public static BpfEventSource open(Tier tier, EventListener listener) {
        if (tier != Tier.FEXIT && tier != Tier.TRACEPOINT) {
            throw new IllegalArgumentException(tier + " is not a BPF hook tier");
        }
        return new BpfEventSource(tier, 0, listener, objectBytes());
    }

    /** The sampling mode: no syscall hook; the task iterator evaluates every watch every {@code periodMs}. */
    public static BpfEventSource openSampling(EventListener listener, long periodMs) {
        return new BpfEventSource(Tier.SAMPLING, periodMs, listener, objectBytes());
    }

    static byte[] objectBytes() {
        try (InputStream in = BpfEventSource.class.getResourceAsStream(OBJECT)) {
            if (in == null) {
                throw new BpfException(OBJECT + " is not in the kernel jar: build with make, not mvn alone",
                        BpfException.ENOENT);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new BpfException("reading " + OBJECT + ": " + e.getMessage(), BpfException.ENOENT);
        }
    }

    @Override
    public Tier tier() {
        return tier;
    }

    @Override
    public void watch(Watch watch) {
        List<ResourceWatch> inKernel = new ArrayList<>();
        ResourceWatch cpu = null;
        for (ResourceWatch rw : watch.resources()) {
            if (rw.resource() == Resource.CPU) {
                cpu = rw;
                // Also in the kernel watch, where only its limit changes matter: they make the
                // CpuClock look again at once (a limit set later must not wait for a check).
                inKernel.add(rw);
            } else if (Abi.measuredInKernel(rw.resource())) {
                inKernel.add(rw);
            } else {
                throw new IllegalArgumentException(rw.resource().key + " has no usage to watch");
            }
        }
        synchronized (this) {
            // The kernel watch exists even for a cpu-only watch: exec and exit come from there.
            byte[] value = Abi.encodeWatch(new Watch(watch.tgid(), inKernel));
            key.putInt(0, watch.tgid());
            watchValue.put(0, value, 0, value.length);
            check(Native.BPF.bpf_map_update_elem(watchesFd, key, watchValue, BPF_ANY), "adding a watch");
            setBit(watch.tgid(), true);
            indexUser(watch);
            if (watched.isEmpty()) {
                attach();
            }
            watched.add(watch.tgid());
        }
        if (cpu != null) {
            cpuClock.watch(watch.tgid(), cpu);
        } else {
            cpuClock.unwatch(watch.tgid());
        }
        // The starting level of every watched resource, from the kernel's exact state. Not under the
        // lock: the poll thread may need it (an exit) before it delivers the resync's end marker.
        resync();
    }

    @Override
    public synchronized void unwatch(int tgid) {
        setBit(tgid, false);
        key.putInt(0, tgid);
        Native.BPF.bpf_map_delete_elem(watchesFd, key);
        forget(tgid);
    }

    private synchronized void forget(int tgid) {
        cpuClock.unwatch(tgid);
        Integer uid = userOf.remove(tgid);
        if (uid != null) {
            updateUserIndex(uid, tgid, false);
        }
        if (watched.remove(tgid) && watched.isEmpty()) {
            detach(); // the tracepoint's cost is global: nobody pays while nothing is watched
        }
    }

    @Override
    public void resync() {
        cpuClock.resync();
        long target;
        synchronized (syncLock) {
            target = syncsSeen + 1;
        }
        runIterator(false);
        synchronized (syncLock) {
            EndMarker.await(syncLock, () -> syncsSeen, target, () -> closing, "ring buffer full?");
        }
    }

    @Override
    public Counters counters() {
        synchronized (syncLock) {
            return new Counters(delivered, stat(Abi.STAT_LOST), resyncs, stat(Abi.STAT_RECOUNTS));
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return; // once: a second close would free the ring buffer twice
        }
        closing = true;
        cpuClock.close();
        synchronized (this) {
            detach(); // no more events from the hooks
        }
        boolean stopped = false;
        for (int i = 0; i < 50 && !stopped; i++) {
            runIterator(false); // its end marker wakes the poll thread, which then sees `closing`
            try {
                poller.join(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            stopped = !poller.isAlive() || Thread.currentThread() == poller;
        }
        if (!stopped) {
            // the poller may still be inside ring_buffer__poll: freeing now would be a use after free
            System.err.println("rlimit-events: the BPF poll thread did not stop; its ring buffer is left allocated");
            return;
        }
        Native.BPF.bpf_link__destroy(iterLink);
        Native.BPF.ring_buffer__free(ringBuffer);
        Native.BPF.bpf_object__close(object);
    }

    /** Attaches this tier's programs (first watch). */
    void attach() {
        if (!links.isEmpty()) {
            return;
        }
        List<String> names = new ArrayList<>(List.of(SHARED_PROGRAMS));
        if (tier == Tier.FEXIT) {
            names.addAll(List.of(FEXIT_PROGRAMS));
        } else if (tier == Tier.TRACEPOINT) {
            names.add("rl_sys_exit");
        } else {
            sampler = new Thread(this::sample, "rlimit-sampler");
            sampler.setDaemon(true);
            sampler.start();
        }
        for (String name : names) {
            Pointer link = Native.BPF.bpf_program__attach(program(name));
            if (link == null) {
                int errno = Native.errno();
                detach();
                throw Native.failure("attaching " + name, errno);
            }
            links.add(link);
        }
    }

    /** Attaches a program that does nothing on the same tracepoint (benchmark baseline). */
    void attachEmptyProgram() {
        Pointer link = Native.BPF.bpf_program__attach(program("rl_sys_exit_empty"));
        if (link == null) {
            throw Native.failure("attaching rl_sys_exit_empty", Native.errno());
        }
        links.add(link);
    }

    void detach() {
        if (sampler != null) {
            sampler.interrupt();
            sampler = null;
        }
        for (Pointer link : links) {
            Native.BPF.bpf_link__destroy(link);
        }
        links.clear();
    }

    /** Sampling mode: exact in-kernel evaluation of every watch, every samplingMs, while any exists. */
    private void sample() {
        while (!closing && !Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(samplingMs);
            } catch (InterruptedException e) {
                return;
            }
            if (!closing) {
                runIterator(false);
            }
        }
    }

    private void poll() {
        try {
            pollLoop();
        } catch (RuntimeException | Error e) {
            if (!closing) {
                listener.failed(Thread.currentThread().getName(), e, false);
            }
        }
    }

    private void pollLoop() {
        long lost = 0;
        while (!closing) {
            int n = Native.BPF.ring_buffer__poll(ringBuffer, -1);
            if (n < 0 && -n != 4 /* EINTR */) {
                if (!closing) {
                    listener.failed(Thread.currentThread().getName(),
                            new BpfException("ring buffer poll failed: " + Native.strerror(n), -n), false);
                }
                return;
            }
            // The kernel counts what it could not queue (ring buffer full). Then the last level we
            // saw may be stale: the iterator re-reports every watch from the kernel's exact state.
            long nowLost = stat(Abi.STAT_LOST);
            if (nowLost > lost && !closing) {
                lost = nowLost;
                synchronized (syncLock) {
                    resyncs++;
                }
                runIterator(true);
            }
        }
    }

    /** Runs on the poll thread, inside ring_buffer__poll. */
    private void deliver(Pointer data, long size) {
        byte[] bytes = new byte[(int) size];
        data.get(0, bytes, 0, bytes.length);
        RlimitEvent e = Abi.decodeEvent(ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()));
        if (e.kind() == EventKind.EXIT) {
            forget(e.tgid());
        }
        if (e.resource() == Resource.CPU) {
            cpuClock.recheck(e.tgid()); // the kernel does not measure cpu time: CpuClock reports
            return;
        }
        deliverEvent(e);
        if (e.kind() == EventKind.SYNC) {
            synchronized (syncLock) {
                syncsSeen++;
                syncLock.notifyAll();
            }
        }
    }

    /** Kernel events (poll thread) and cpu events (CpuClock) reach the listener one at a time. */
    private void deliverEvent(RlimitEvent e) {
        synchronized (deliveryLock) {
            synchronized (syncLock) {
                delivered++;
            }
            if (!closing) {
                listener.onEvent(e.withSeq(deliverySeq++));
            }
        }
    }

    /**
     * Runs the task iterator: reading its fd to the end executes the program once per task.
     * {@code report}: every watch reports its level, changed or not (after lost events).
     */
    private void runIterator(boolean report) {
        synchronized (iterBuf) {
            iterBuf.putInt(0, 0);
            iterBuf.putInt(4, report ? 1 : 0);
            check(Native.BPF.bpf_map_update_elem(controlFd, iterBuf, iterBuf.slice(4), BPF_ANY), "setting the resync mode");
            int fd = Native.BPF.bpf_iter_create(Native.BPF.bpf_link__fd(iterLink));
            if (fd < 0) {
                throw Native.failure("creating the task iterator", Native.errno());
            }
            try {
                while (Native.C.read(fd, iterBuf, 4096) > 0) {
                    // the program writes nothing: the loop ends at the first read
                }
            } finally {
                Native.C.close(fd);
            }
        }
    }

    /**
     * Per-user resources are counted under the process's real uid: the kernel finds the watched
     * processes of a user through user_index when that user's count changes.
     */
    private void indexUser(Watch watch) {
        boolean perUser = false;
        for (ResourceWatch rw : watch.resources()) {
            perUser |= rw.resource().perUser;
        }
        Integer old = userOf.remove(watch.tgid());
        if (old != null) {
            updateUserIndex(old, watch.tgid(), false);
        }
        if (!perUser) {
            return;
        }
        int uid;
        try {
            uid = ProcFs.at(Path.of("/proc")).process(watch.tgid()).status().realUid();
        } catch (RuntimeException e) {
            return; // gone already: its exit event follows
        }
        updateUserIndex(uid, watch.tgid(), true);
        userOf.put(watch.tgid(), uid);
    }

    private void updateUserIndex(int uid, int tgid, boolean add) {
        Pointer k = Memory.allocateDirect(Native.RUNTIME, 4);
        Pointer v = Memory.allocateDirect(Native.RUNTIME, Abi.USER_INDEX_SIZE);
        k.putInt(0, uid);
        if (Native.BPF.bpf_map_lookup_elem(userIndexFd, k, v) != 0) {
            for (int i = 0; i < Abi.USER_WATCHES; i++) {
                v.putInt(4L * i, 0);
            }
        }
        int free = -1;
        for (int i = 0; i < Abi.USER_WATCHES; i++) {
            int t = v.getInt(4L * i);
            if (t == tgid) {
                v.putInt(4L * i, 0);
            }
            if (v.getInt(4L * i) == 0 && free < 0) {
                free = i;
            }
        }
        if (add) {
            if (free < 0) {
                throw new BpfException("more than " + Abi.USER_WATCHES + " watched processes of uid " + uid
                        + " watch a per-user resource", 28 /* ENOSPC */);
            }
            v.putInt(4L * free, tgid);
        }
        check(Native.BPF.bpf_map_update_elem(userIndexFd, k, v, BPF_ANY), "updating the per-user index");
    }

    private synchronized void setBit(int tgid, boolean on) {
        key.putInt(0, tgid >>> 6);
        word.putLong(0, 0);
        check(Native.BPF.bpf_map_lookup_elem(bitsFd, key, word), "reading the watch bitmap");
        long bits = word.getLong(0);
        long bit = 1L << (tgid & 63);
        word.putLong(0, on ? bits | bit : bits & ~bit);
        check(Native.BPF.bpf_map_update_elem(bitsFd, key, word, BPF_ANY), "writing the watch bitmap");
    }

    private long stat(int which) {
        synchronized (stat) {
            Pointer k = Memory.allocateDirect(Native.RUNTIME, 4);
            k.putInt(0, which);
            if (Native.BPF.bpf_map_lookup_elem(statsFd, k, stat) != 0) {
                return -1;
            }
            return stat.getLong(0);
        }
    }

    private Pointer program(String name) {
        Pointer p = Native.BPF.bpf_object__find_program_by_name(object, name);
        if (p == null) {
            throw new BpfException("no program " + name + " in " + OBJECT, BpfException.ENOENT);
        }
        return p;
    }

    private int mapFd(String name) {
        Pointer m = Native.BPF.bpf_object__find_map_by_name(object, name);
        if (m == null) {
            throw new BpfException("no map " + name + " in " + OBJECT, BpfException.ENOENT);
        }
        return Native.BPF.bpf_map__fd(m);
    }

    private static void check(int rc, String what) {
        if (rc != 0) {
            throw Native.failure(what, rc < 0 ? rc : Native.errno());
        }
    }
}
