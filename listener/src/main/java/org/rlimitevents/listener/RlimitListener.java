package org.rlimitevents.listener;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.rlimitevents.checkrlimit.CheckOptions;
import org.rlimitevents.checkrlimit.CheckRlimit;
import org.rlimitevents.checkrlimit.RegexBudgetException;
import org.rlimitevents.checkrlimit.RlimitCheck;
import org.rlimitevents.checkrlimit.UsageException;
import org.rlimitevents.kernel.events.EventKind;
import org.rlimitevents.kernel.events.EventSource;
import org.rlimitevents.kernel.events.Level;
import org.rlimitevents.kernel.events.ResourceWatch;
import org.rlimitevents.kernel.events.RlimitEvent;
import org.rlimitevents.kernel.events.Watch;
import org.rlimitevents.kernel.proc.ProcEntry;
import org.rlimitevents.kernel.proc.ProcFs;
import org.rlimitevents.kernel.proc.ProcessGoneException;
import org.rlimitevents.kernel.proc.Resource;
import org.rlimitevents.kernel.proc.StatFile;
import org.rlimitevents.kernel.sys.Sys;
import org.rlimitevents.listener.config.ServiceDefinition;
import org.rlimitevents.listener.sink.Delivery;
import org.rlimitevents.listener.sink.PassiveResult;
import org.rlimitevents.plugin.OutputFormatter;
import org.rlimitevents.plugin.PluginOutput;

/**
 * The listener's state machine. Every service is evaluated with check_rlimit's own code (so a
 * passive result is exactly what check_rlimit would print), its processes are watched at the
 * levels its thresholds imply, and a kernel event about a process re-evaluates the services that
 * watch it; a result is sent when a state changes. All state changes run on one thread.
 */
public final class RlimitListener implements AutoCloseable {
    private static final OutputFormatter FORMATTER = new OutputFormatter(CheckRlimit.SERVICE);

    private final EventSource source;
    private final Delivery delivery;
    private final Consumer<String> log;
    private static final long TRIM_DELAY_SECONDS = 20;
    private final long heartbeatSeconds;
    private final int selfPid = ProcFs.selfPid();
    /** The /proc trees services read (one, but for tests with fixture trees), for one-process matching. */
    private final Map<Path, ProcFs> trees = new HashMap<>();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> daemon(r, "rlimit-listener"));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> daemon(r, "rlimit-heartbeat"));
    private final Map<String, ServiceState> services = new LinkedHashMap<>();
    /** Which services watch a process, and what each process is watched for. */
    private final Map<Integer, Set<ServiceState>> byPid = new HashMap<>();
    /** Per watched process: the watch the source has, the last usage and soft limit seen per resource. */
    private final Map<Integer, Watch> armed = new HashMap<>();
    private final Map<Integer, Map<Resource, long[]>> usage = new HashMap<>();
    /** Processes whose services need more levels on a resource than the kernel watches at once. */
    private final Set<Integer> windowed = new HashSet<>();
    /**
     * Processes the kernel reported exited (pid → start time) that /proc may still show running:
     * left out of every evaluation (an exit is final), until /proc shows it. Bounded.
     */
    private final Map<Integer, Long> exited = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Long> eldest) {
            return size() > MAX_EXITED;
        }
    };
    private static final int MAX_EXITED = 4096;
    private ScheduledFuture<?> heartbeat;
    /** Written by the worker only; read by {@link #status} on any thread. */
    private volatile long evaluations;
    private volatile List<ServiceState> published = List.of();
    /** Services an event touched since they were last evaluated (worker thread only). */
    private final Set<ServiceState> dirty = new java.util.LinkedHashSet<>();
    private long events;

    public RlimitListener(EventSource source, Delivery delivery, long heartbeatSeconds, Consumer<String> log) {
        this.source = source;
        this.delivery = delivery;
        this.heartbeatSeconds = heartbeatSeconds;
        this.log = log;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Called by the event source (one event at a time). */
    public void onEvent(RlimitEvent e) {
        if (e.kind() == EventKind.SYNC) {
            return;
        }
        worker.execute(() -> handle(e));
    }

    /**
     * A new process (fork) or a new program (exec) somewhere: attach it to the services whose
     * selection matches it, testing that one process (it inherits comm, uid and cgroup at fork).
     */
    public void onNewProcess(int tgid) {
        worker.execute(() -> attachNew(tgid));
    }

    /** The test hook: the listener's thread dies of {@code e}. */
    void injectFailure(RuntimeException e) {
        worker.execute(() -> {
            throw e;
        });
    }

    /** Replaces the service set (start-up and SIGHUP): unchanged services keep their state. */
    public void configure(List<ServiceDefinition> definitions) {
        submitAndWait(() -> {
            Map<String, ServiceState> next = new LinkedHashMap<>();
            for (ServiceDefinition d : definitions) {
                ServiceState old = services.get(d.key());
                next.put(d.key(), old != null && old.definition.arguments().equals(d.arguments()) ? old
                        : new ServiceState(d));
            }
            for (ServiceState gone : services.values()) {
                if (next.get(gone.definition.key()) != gone) {
                    for (int pid : new ArrayList<>(gone.pids.keySet())) {
                        detach(gone, pid);
                    }
                }
            }
            services.clear();
            services.putAll(next);
            published = List.copyOf(services.values());
            log.accept("watching " + services.size() + " service(s)");
            inRound(() -> {
                for (ServiceState s : services.values()) {
                    evaluate(s, Send.ON_STATE);
                }
            });
        });
        // Start-up (or reload) work frees native memory for a while after it is done: the JIT's
        // arenas go back to malloc only at the JVM's next 5-second pool cleaning.
        timer.schedule(Sys::trimNativeHeap, TRIM_DELAY_SECONDS, TimeUnit.SECONDS);
        if (heartbeatSeconds > 0 && heartbeat == null) {
            heartbeat = timer.scheduleAtFixedRate(() -> worker.execute(this::beat), heartbeatSeconds,
                    heartbeatSeconds, TimeUnit.SECONDS);
        }
    }

    private void submitAndWait(Runnable r) {
        try {
            worker.submit(r).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private void handle(RlimitEvent e) {
        events++;
        Set<ServiceState> watching = byPid.get(e.tgid());
        if (watching == null) {
            return;
        }
        // A first look (old level unknown) counts too: a watch replaced for another service on the
        // same process starts its levels again, and what changed since the last evaluation would
        // otherwise never be told.
        if (e.kind() == EventKind.EXIT || e.kind() == EventKind.EXEC || e.kind() == EventKind.LIMIT
                || e.kind() == EventKind.CROSSING) {
            if (e.resource() != null && e.kind() != EventKind.EXIT) {
                usage.computeIfAbsent(e.tgid(), k -> new java.util.EnumMap<>(Resource.class))
                        .put(e.resource(), new long[] {e.value(), e.soft()});
            }
            if (e.kind() != EventKind.CROSSING) {
                // crossings are told by the results they change: a usage hovering at a level
                // crosses it many times a second and would flood the log
                log.accept("event: " + e);
            }
            if (e.kind() == EventKind.EXIT) {
                ServiceState any = watching.iterator().next();
                Long start = any.pids.get(e.tgid());
                if (start != null) {
                    exited.put(e.tgid(), start); // final: no result from now on has it
                    forgetExitOnceShown(e.tgid(), start, any.definition.options().procRoot(), 0);
                }
                markDirty(watching);
            } else {
                markDirty(watching);
            }
        }
    }

    /** How often, and how long, an exit reported before /proc shows it is looked at again. */
    private static final long EXIT_RECHECK_MS = 10;
    private static final int EXIT_RECHECKS = 500;

    /**
     * The kernel reports a group's exit (sched_process_exit, the connector) before the process
     * becomes a zombie in /proc (its memory and files are released in between, which takes
     * milliseconds for a large process): it stays in {@link #exited}, left out of every evaluation,
     * until /proc shows the exit (or the pid reused); then the selections no longer match it.
     */
    private void forgetExitOnceShown(int tgid, long start, Path procRoot, int attempt) {
        boolean shown;
        try {
            StatFile stat = trees.computeIfAbsent(procRoot, ProcFs::at).process(tgid).stat();
            shown = stat.dead() || stat.startTicks() != start;
        } catch (ProcessGoneException e) {
            shown = true;
        }
        if (shown) {
            exited.remove(tgid, start);
        } else if (attempt < EXIT_RECHECKS) { // past that, the bounded map lets it go in time
            timer.schedule(() -> worker.execute(() -> forgetExitOnceShown(tgid, start, procRoot, attempt + 1)),
                    EXIT_RECHECK_MS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Evaluates the services events touched, once each: queued behind those events, so a burst
     * (a usage hovering at a level, a resync) costs one /proc read per service, not one per event.
     */
    private void evaluateDirty() {
        List<ServiceState> now = new ArrayList<>(dirty);
        dirty.clear();
        inRound(() -> {
            for (ServiceState s : now) {
                if (services.get(s.definition.key()) == s) { // not replaced by a reload meanwhile
                    evaluate(s, Send.ON_STATE);
                }
            }
        });
    }

    /** The /proc snapshots of the round of evaluations under way (see {@link #inRound}); null between rounds. */
    private Map<Path, ProcFs> round;

    /** Evaluations run together share one snapshot of /proc: one walk for all their selections. */
    private void inRound(Runnable evaluations) {
        round = new HashMap<>();
        try {
            evaluations.run();
        } finally {
            round = null;
        }
    }

    private ProcFs procFs(Path root) {
        return round == null ? ProcFs.at(root) : round.computeIfAbsent(root, r -> ProcFs.at(r).round());
    }

    private void attachNew(int tgid) {
        Map<Path, ProcEntry> read = new HashMap<>(); // each /proc file of the process read once for all services
        for (ServiceState s : services.values()) {
            CheckOptions options = s.definition.options();
            if (options == null || s.regexTooSlow || dirty.contains(s)) {
                continue;
            }
            ProcFs procFs = trees.computeIfAbsent(options.procRoot(), ProcFs::at);
            ProcEntry p = read.computeIfAbsent(options.procRoot(), root -> procFs.process(tgid));
            try {
                Long known = s.pids.get(tgid);
                if (known != null && known == p.startTicks()) {
                    continue; // watched already: its exec comes as an event of the source
                }
                if (known == null && !options.selection().selects(procFs, p, selfPid)) {
                    recheckPidfiles(s);
                    continue;
                }
            } catch (ProcessGoneException e) {
                continue; // short-lived: gone before we looked
            } catch (UsageException | RuntimeException e) {
                // the selection cannot be tested (a pidfile, a regex): the evaluation reports why
            }
            log.accept("new process " + tgid + " for " + s.definition.key());
            markDirty(Set.of(s));
        }
    }

    /**
     * A daemon writes its pidfile after it forks: a -P service looks again a moment after a new
     * process that its pidfile did not (yet) name. At most one pending look per service.
     */
    private void recheckPidfiles(ServiceState s) {
        if (s.definition.options().selection().pidfiles().isEmpty() || s.recheckPending) {
            return;
        }
        s.recheckPending = true;
        timer.schedule(() -> worker.execute(() -> {
            s.recheckPending = false;
            if (services.get(s.definition.key()) == s) {
                evaluate(s, Send.ON_STATE);
            }
        }), PIDFILE_RECHECK_MS, TimeUnit.MILLISECONDS);
    }

    private static final long PIDFILE_RECHECK_MS = 1000;

    /** Queues one evaluation of each service (behind the events queued now: a burst costs one), and its settle. */
    private void markDirty(Set<ServiceState> touched) {
        if (dirty.isEmpty()) {
            worker.execute(this::evaluateDirty);
        }
        dirty.addAll(touched);
        long now = System.nanoTime();
        for (ServiceState s : touched) {
            s.lastTouched = now;
            if (!s.settlePending && settleMillis > 0) {
                s.settlePending = true;
                scheduleSettle(s, settleMillis);
            }
        }
    }

    /** When to send a result because values moved, not a state: see {@link #settle}. */
    enum Send { ON_STATE, ON_VALUE, ALWAYS }

    /** How long a service's usage must go without an event to count as settled (the settle rule). */
    static final long SETTLE_MS = 2000;
    private volatile long settleMillis = SETTLE_MS;

    /** The settle time (--settle; 0: no settle results), set before {@link #configure}. */
    public void settleMillis(long ms) {
        settleMillis = ms;
    }

    private void scheduleSettle(ServiceState s, long ms) {
        timer.schedule(() -> worker.execute(() -> settle(s)), ms, TimeUnit.MILLISECONDS);
    }

    /**
     * The settle rule: a result is sent when a state changes, so the values it carries are those
     * at the change (a usage falling on past its return to OK would stay in Nagios until the
     * heartbeat). Once no event has touched the service for the settle time, it is evaluated once
     * more and the result sent if any value moved: at most one per service per settle period.
     */
    private void settle(ServiceState s) {
        long quiet = (System.nanoTime() - s.lastTouched) / 1_000_000;
        if (quiet < settleMillis) {
            scheduleSettle(s, settleMillis - quiet);
            return;
        }
        s.settlePending = false;
        if (settled.isEmpty()) { // behind the settles queued now: those that settle together share a round
            worker.execute(this::evaluateSettled);
        }
        settled.add(s);
    }

    /** Services settled since the last {@link #evaluateSettled}, to evaluate together. */
    private final Set<ServiceState> settled = new java.util.LinkedHashSet<>();

    private void evaluateSettled() {
        List<ServiceState> now = new ArrayList<>(settled);
        settled.clear();
        inRound(() -> {
            for (ServiceState s : now) {
                if (services.get(s.definition.key()) == s) {
                    evaluate(s, Send.ON_VALUE);
                }
            }
        });
    }

    /**
     * New processes may have been missed (the process connector overran its buffer: ENOBUFS):
     * every service selects again, once. For the connector's failure path.
     */
    public void rescan() {
        worker.execute(() -> markDirty(new java.util.LinkedHashSet<>(services.values())));
    }

    /** Sends every service's current result now (tests, and the control socket's "send"). */
    public void heartbeatNow() {
        submitAndWait(this::beat);
    }

    /** The last result sent for a service ("host;description"): exit code and check_rlimit's text. */
    public org.rlimitevents.plugin.PluginOutput lastResult(String key) {
        org.rlimitevents.plugin.PluginOutput[] out = new org.rlimitevents.plugin.PluginOutput[1];
        submitAndWait(() -> {
            ServiceState s = services.get(key);
            out[0] = s == null || s.lastOutput == null ? null
                    : new org.rlimitevents.plugin.PluginOutput(s.lastOutput, s.lastExitCode);
        });
        return out[0];
    }

    /** The heartbeat: every service's current result, sent whether or not it changed. */
    private void beat() {
        inRound(() -> {
            for (ServiceState s : services.values()) {
                evaluate(s, Send.ALWAYS);
            }
        });
    }

    /** Runs check_rlimit's evaluation for a service, re-watches its processes, sends if changed. */
    private void evaluate(ServiceState s, Send when) {
        evaluations++;
        RlimitCheck.Evaluation ev = null;
        PluginOutput out;
        s.regexTooSlow = false;
        try {
            if (s.definition.options() == null) {
                throw new UsageException(s.definition.problem());
            }
            ev = new RlimitCheck(s.definition.options()).evaluate(procFs(s.definition.options().procRoot()),
                    selfPid, exited);
            out = FORMATTER.format(ev.result());
        } catch (UsageException | RuntimeException e) {
            s.regexTooSlow = e instanceof RegexBudgetException;
            out = FORMATTER.unknown(e instanceof UsageException ? e.getMessage()
                    : "internal error: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            ev = null;
        }
        if (ev != null) {
            if (s.definition.options().limit() == org.rlimitevents.checkrlimit.LimitKind.SOFT) {
                remember(ev); // percent levels follow the soft limit; a --limit=hard finding has the hard one
            }
            rewatch(s, ev.processes());
            for (int pid : ev.processes().keySet()) {
                if (windowed.contains(pid)) {
                    watchPid(pid, false);
                }
            }
        }
        String signature = ev == null ? "error:" + out.text()
                : ServiceState.signature(out.exitCode(), ev.findings());
        if (when != Send.ALWAYS && signature.equals(s.lastSignature)
                && (when == Send.ON_STATE || out.text().equals(s.lastOutput))) {
            publish(s); // its pids may have changed
            return;
        }
        s.lastSignature = signature;
        s.lastOutput = out.text();
        s.lastExitCode = out.exitCode();
        publish(s);
        String first = out.text().lines().findFirst().orElse("");
        log.accept("result " + s.definition.key() + ": " + first);
        delivery.submit(new PassiveResult(System.currentTimeMillis() / 1000, s.definition.host(),
                s.definition.description(), out.exitCode(), out.text()));
    }

    /** Watches what the evaluation read; a pid now held by another process (new start time) is detached first. */
    private void rewatch(ServiceState s, Map<Integer, Long> now) {
        for (Map.Entry<Integer, Long> old : new ArrayList<>(s.pids.entrySet())) {
            Long start = now.get(old.getKey());
            if (start == null) {
                detach(s, old.getKey());
            } else if (!start.equals(old.getValue())) {
                forget(old.getKey());
            }
        }
        boolean first = s.pids.isEmpty();
        for (Map.Entry<Integer, Long> p : now.entrySet()) {
            int pid = p.getKey();
            if (s.pids.putIfAbsent(pid, p.getValue()) == null) {
                byPid.computeIfAbsent(pid, k -> new HashSet<>()).add(s);
                watchPid(pid, true);
            }
        }
        if (first && !now.isEmpty() && Levels.of(s.definition.options()).isEmpty()) {
            log.accept(s.definition.key() + ": no resource the kernel can follow; results at the heartbeat only");
        }
    }

    /**
     * A pid now names another process: the old one is unwatched for every service at once (no
     * watch of it survives, merged with the new one's), and the services that had it look again.
     */
    private void forget(int pid) {
        Set<ServiceState> had = byPid.remove(pid);
        unwatch(pid);
        if (had != null) {
            for (ServiceState other : had) {
                other.pids.remove(pid);
            }
            markDirty(had);
        }
    }

    private void detach(ServiceState s, int pid) {
        s.pids.remove(pid);
        Set<ServiceState> set = byPid.get(pid);
        if (set != null) {
            set.remove(s);
            if (set.isEmpty()) {
                byPid.remove(pid);
                unwatch(pid);
            } else {
                watchPid(pid, true);
            }
        }
    }

    /**
     * One watch per process: the union of what its services need. Where that is more levels on a
     * resource than the kernel watches at once, the ones nearest the last usage seen are armed
     * ({@link Levels#armed}) and each evaluation moves them with the usage. {@code always}: send the
     * watch even if unchanged (a service came or went).
     */
    private void watchPid(int pid, boolean always) {
        Map<Resource, List<Level>> merged = new LinkedHashMap<>();
        for (ServiceState s : byPid.getOrDefault(pid, Set.of())) {
            for (ResourceWatch rw : Levels.of(s.definition.options())) {
                merged.merge(rw.resource(), rw.levels(), Levels::union);
            }
        }
        Watch before = armed.get(pid);
        Map<Resource, long[]> seen = usage.getOrDefault(pid, Map.of());
        List<ResourceWatch> watches = new ArrayList<>();
        boolean more = false;
        for (Map.Entry<Resource, List<Level>> e : merged.entrySet()) {
            long[] u = seen.getOrDefault(e.getKey(), new long[] {0, org.rlimitevents.kernel.proc.Limit.UNLIMITED});
            List<Level> was = before == null ? null : before.resources().stream()
                    .filter(rw -> rw.resource() == e.getKey()).map(ResourceWatch::levels).findFirst().orElse(null);
            watches.add(new ResourceWatch(e.getKey(), Levels.armed(e.getValue(), was, u[0], u[1]), 0));
            if (e.getValue().size() > ResourceWatch.MAX_LEVELS) {
                more = true;
                if (always) {
                    log.accept("pid " + pid + " " + e.getKey().key + ": " + e.getValue().size() + " levels, the "
                            + ResourceWatch.MAX_LEVELS + " nearest the usage watched, re-armed as it moves");
                }
            }
        }
        if (more) {
            windowed.add(pid);
        } else {
            windowed.remove(pid);
        }
        Watch w = new Watch(pid, watches);
        if (!always && w.equals(before)) {
            return;
        }
        try {
            source.watch(w);
            armed.put(pid, w);
        } catch (RuntimeException e) {
            log.accept("cannot watch pid " + pid + ": " + e.getMessage());
        }
    }

    /**
     * The usages an evaluation read (against the soft limit), where the levels nearest them are
     * armed (a process it matched is watched); a crossing's value and soft limit count too.
     */
    private void remember(RlimitCheck.Evaluation ev) {
        for (org.rlimitevents.checkrlimit.Finding f : ev.findings()) {
            if (f.usage().isPresent() && ev.processes().containsKey(f.pid())) {
                usage.computeIfAbsent(f.pid(), k -> new java.util.EnumMap<>(Resource.class))
                        .put(f.resource(), new long[] {(long) f.usage().getAsDouble(), f.limit()});
            }
        }
    }

    /** A process no longer watched: what was kept for its watch goes. */
    private void unwatch(int pid) {
        source.unwatch(pid);
        armed.remove(pid);
        usage.remove(pid);
        windowed.remove(pid);
    }

    /**
     * What the control socket's "status" shows, from what the worker last published: answered on
     * the caller's thread at once, never queued behind the worker (a storm of events, a resync).
     */
    public Map<String, String> status() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("tier", source.tier().name().toLowerCase(java.util.Locale.ROOT));
        out.put("results", delivery.describe());
        var c = source.counters();
        out.put("counters", "events=" + c.events() + " lost=" + c.lost() + " resyncs=" + c.resyncs()
                + " evaluations=" + evaluations + " results_sent=" + delivery.sent() + " spooled="
                + delivery.spooled());
        for (ServiceState s : published) {
            out.put("service " + s.definition.key(), s.statusLine);
        }
        return out;
    }

    /** Waits until the work queued now, and the evaluations it queues in turn, are done (tests). */
    void sync() {
        submitAndWait(() -> { });
        submitAndWait(() -> { });
    }

    /** A service's line in {@link #status}, published for other threads (worker thread only). */
    private static void publish(ServiceState s) {
        s.statusLine = "pids=" + s.pids.keySet() + " state="
                + (s.lastExitCode < 0 ? "pending" : org.rlimitevents.plugin.Status.fromExitCode(s.lastExitCode))
                + " output=" + (s.lastOutput == null ? "" : s.lastOutput.lines().findFirst().orElse(""));
    }

    @Override
    public void close() {
        timer.shutdownNow();
        worker.shutdown();
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
