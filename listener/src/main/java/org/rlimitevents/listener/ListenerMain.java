package org.rlimitevents.listener;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.rlimitevents.kernel.events.EventListener;
import org.rlimitevents.kernel.events.EventSource;
import org.rlimitevents.kernel.events.EventSources;
import org.rlimitevents.kernel.events.ProcConnector;
import org.rlimitevents.kernel.events.RlimitEvent;
import org.rlimitevents.kernel.sys.ControlSocket;
import org.rlimitevents.kernel.sys.SystemdNotify;
import org.rlimitevents.listener.config.ConfigException;
import org.rlimitevents.listener.config.ConfigText;
import org.rlimitevents.listener.config.IcingaServices;
import org.rlimitevents.listener.config.NagiosObjects;
import org.rlimitevents.listener.config.ServiceDefinition;
import org.rlimitevents.listener.config.ServiceFile;
import org.rlimitevents.listener.sink.CheckResultDirSink;
import org.rlimitevents.listener.sink.CommandFileSink;
import org.rlimitevents.listener.sink.Delivery;
import org.rlimitevents.listener.remote.HttpEndpoint;
import org.rlimitevents.listener.remote.IcingaApi;
import org.rlimitevents.listener.remote.NscaConfig;
import org.rlimitevents.listener.remote.SecretFile;
import org.rlimitevents.listener.sink.DryRunSink;
import org.rlimitevents.listener.sink.FailoverSink;
import org.rlimitevents.listener.sink.IcingaApiSink;
import org.rlimitevents.listener.sink.NrdpSink;
import org.rlimitevents.listener.sink.NscaSink;
import org.rlimitevents.listener.sink.ResultSink;
import org.rlimitevents.listener.sink.Spool;
import org.rlimitevents.listener.sink.SpoolDirectory;
import org.rlimitevents.plugin.ArgParser;

/**
 * rlimit-listener: runs in the foreground (for systemd), logs one line per event of note to
 * stderr, exits 0 on SIGTERM after flushing, 2 on a configuration it cannot use.
 */
public final class ListenerMain implements AutoCloseable {
    private final ListenerOptions options;
    private final Consumer<String> log;
    private final EventSource source;
    private final Delivery delivery;
    private final RlimitListener listener;
    private final ProcConnector execs;
    private final ControlSocket control;
    private final Health health;
    private final FileLock spoolLock;
    private final FileLock controlLock;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ListenerMain(ListenerOptions options, Consumer<String> log, Health health, FileLock spoolLock,
                         FileLock controlLock) throws ConfigException, IOException {
        this.options = options;
        this.log = log;
        this.health = health;
        this.spoolLock = spoolLock;
        this.controlLock = controlLock;
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> health.failed(t.getName(), e, false));
        List<ServiceDefinition> services = services(options);
        ResultSink sink = sink(options, log);
        log.accept("results go to " + sink.describe());
        if (!options.remote().nsca().isEmpty()) {
            log.accept("NSCA has no acknowledgement: a result the server cannot decrypt (wrong password or"
                    + " encryption_method) is dropped there without a word here; check the server's syslog");
        }
        delivery = new Delivery(sink, new Spool(options.spoolDir(), options.spoolMaxBytes(), log), log, health);
        RlimitListener[] holder = new RlimitListener[1];
        source = EventSources.open(options.tier(), new EventListener() {
            @Override
            public void onEvent(RlimitEvent e) {
                holder[0].onEvent(e);
            }

            @Override
            public void failed(String thread, Throwable cause, boolean recovered) {
                health.failed(thread, cause, recovered);
            }
        }, log);
        listener = new RlimitListener(source, delivery, options.heartbeatSeconds(), log);
        listener.settleMillis(options.settleSeconds() * 1000);
        holder[0] = listener;
        ProcConnector pc = null;
        try {
            // Every selection can gain processes: new ones by fork or exec, -p and -P by a reused pid.
            pc = ProcConnector.open(new ProcConnector.Listener() {
                @Override
                public void exec(int pid, int tgid) {
                    listener.onNewProcess(tgid);
                }

                @Override
                public void fork(int childPid, int childTgid) {
                    if (childPid == childTgid) { // a process, not a thread
                        listener.onNewProcess(childTgid);
                    }
                }

                @Override
                public void exit(int pid, int tgid) {
                    // exits of watched processes come from the event source
                }

                @Override
                public void failed(Throwable cause, boolean recovered) {
                    health.failed("rlimit-proc-connector", cause, recovered);
                    if (recovered) {
                        listener.rescan(); // forks and execs were lost: every selection again
                    }
                }
            });
        } catch (IOException e) {
            log.accept("new processes are found at the heartbeat only: " + e.getMessage());
        }
        execs = pc;
        listener.configure(services);
        delivery.kick(); // results spooled before a restart go out first
        ControlSocket cs = null;
        try {
            cs = new ControlSocket(options.controlSocket(), this::control, log);
        } catch (IOException | RuntimeException e) {
            log.accept("no control socket at " + options.controlSocket() + ": " + e.getMessage());
        }
        control = cs;
    }

    /** The control socket's requests: "status" (tier, counters, every service), "send" (heartbeat now). */
    private String control(String request) {
        switch (request) {
            case "status": {
                StringBuilder b = new StringBuilder();
                listener.status().forEach((k, v) -> b.append(k).append(": ").append(v).append('\n'));
                b.append("health: ").append(health.describe()).append('\n');
                return b.toString();
            }
            case "send":
                listener.heartbeatNow();
                return "sent\n";
            default:
                return testHook(request);
        }
    }

    public static ListenerMain start(ListenerOptions options, Consumer<String> log) throws ConfigException,
            IOException {
        return start(options, log, new Health(log, () -> { }));
    }

    /** {@code health} decides what a thread's fatal failure does (the daemon: stop, exit 1). */
    public static ListenerMain start(ListenerOptions options, Consumer<String> log, Health health)
            throws ConfigException, IOException {
        // One listener per spool and per control socket: a second would send every result twice
        // and, stopping, remove the first one's socket.
        FileLock spool = SpoolDirectory.lock(options.spoolDir().resolve("lock"), "spool " + options.spoolDir());
        FileLock control = null;
        try {
            control = SpoolDirectory.lock(Path.of(options.controlSocket() + ".lock"),
                    "control socket " + options.controlSocket());
            return new ListenerMain(options, log, health, spool, control);
        } catch (ConfigException | IOException | RuntimeException e) {
            release(control);
            release(spool);
            throw e;
        }
    }

    public RlimitListener listener() {
        return listener;
    }

    /** Re-reads the service definitions (SIGHUP); state and unchanged services are kept. */
    public void reload() {
        try {
            listener.configure(services(options));
        } catch (ConfigException e) {
            log.accept("reload failed, keeping the old services: " + e.getMessage());
        }
    }

    static List<ServiceDefinition> services(ListenerOptions o) throws ConfigException {
        List<ServiceDefinition> all = new ArrayList<>();
        Path objects = o.objectsCache();
        Path resource = o.resourceFile();
        if (objects == null && (o.nagiosCfg() != null || o.serviceFiles().isEmpty() && !o.remote().icingaServices())) {
            Path cfg = o.nagiosCfg() != null ? o.nagiosCfg() : Path.of("/etc/nagios4/nagios.cfg");
            NagiosObjects.Paths p = NagiosObjects.fromNagiosCfg(cfg);
            objects = p.objectCache();
            resource = resource != null ? resource : p.resourceFile();
        }
        if (objects != null) {
            all.addAll(NagiosObjects.services(objects, resource, o.hostName()));
        }
        for (Path f : o.serviceFiles()) {
            all.addAll(ServiceFile.read(f));
        }
        if (o.remote().icingaServices()) {
            all.addAll(icingaServices(o.remote(), o.hostName()));
        }
        return all;
    }

    private static IcingaApi icingaApi(RemoteOptions r, URI url) throws ConfigException {
        return new IcingaApi(url, r.icingaCa(), r.icingaCredentials(), r.timeoutSeconds());
    }

    /** The watches from the first Icinga endpoint that answers, as results go to the first that takes them. */
    private static List<ServiceDefinition> icingaServices(RemoteOptions r, String host) throws ConfigException {
        List<String> reasons = new ArrayList<>();
        for (URI url : r.icingaApi()) {
            try {
                return IcingaServices.fetch(icingaApi(r, url), host);
            } catch (ConfigException e) {
                reasons.add(url + ": " + e.getMessage());
            }
        }
        throw new ConfigException(String.join("; ", reasons));
    }

    /** One sink per endpoint; several in a {@link FailoverSink}. */
    private static ResultSink failover(List<ResultSink> endpoints, Consumer<String> log) {
        return endpoints.size() == 1 ? endpoints.get(0) : new FailoverSink(endpoints, log);
    }

    /**
     * Icinga marks a service stale when no result came within its ttl: two heartbeats, so that one
     * late or lost heartbeat does not; none without a heartbeat (the service's check_interval).
     */
    static long ttlSeconds(long heartbeatSeconds) {
        return 2 * heartbeatSeconds;
    }

    static ResultSink sink(ListenerOptions o, Consumer<String> log) throws ConfigException {
        if (o.dryRun()) {
            return new DryRunSink(System.out);
        }
        RemoteOptions r = o.remote();
        List<ResultSink> endpoints = new ArrayList<>();
        for (URI url : r.icingaApi()) {
            endpoints.add(new IcingaApiSink(icingaApi(r, url), r.checkSource(), ttlSeconds(o.heartbeatSeconds())));
        }
        for (URI url : r.nrdpUrl()) {
            try {
                endpoints.add(new NrdpSink(new HttpEndpoint(url, r.nrdpCa(), r.timeoutSeconds()),
                        SecretFile.read(r.nrdpTokenFile(), "NRDP token")));
            } catch (IOException | java.security.GeneralSecurityException e) {
                throw new ConfigException("--nrdp-url " + url + ": " + e.getMessage());
            }
        }
        NscaConfig nscaCfg = r.nsca().isEmpty() || r.nscaConfig() == null ? new NscaConfig("", 1)
                : NscaConfig.read(r.nscaConfig());
        for (String nsca : r.nsca()) {
            int colon = nsca.lastIndexOf(':');
            String host = colon < 0 ? nsca : nsca.substring(0, colon);
            int port;
            try {
                port = colon < 0 ? 5667 : Integer.parseInt(nsca.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new ConfigException("--nsca " + nsca + ": the port must be a number");
            }
            try {
                endpoints.add(new NscaSink(host, port, nscaCfg.encryptionMethod(), nscaCfg.password(), r.timeoutSeconds()));
            } catch (IllegalArgumentException e) {
                throw new ConfigException((r.nscaConfig() == null ? "--nsca" : r.nscaConfig().toString()) + ": "
                        + e.getMessage());
            }
        }
        if (!endpoints.isEmpty()) {
            return failover(endpoints, log);
        }
        if (o.checkResultDir() != null) {
            return new CheckResultDirSink(o.checkResultDir());
        }
        Path fifo = o.commandFile();
        if (fifo == null) {
            Path cfg = o.nagiosCfg() != null ? o.nagiosCfg() : Path.of("/etc/nagios4/nagios.cfg");
            fifo = commandFileOf(cfg);
        }
        return new CommandFileSink(fifo);
    }

    private static Path commandFileOf(Path nagiosCfg) throws ConfigException {
        for (String line : ConfigText.lines(nagiosCfg)) {
            if (line.strip().startsWith("command_file=")) {
                return Path.of(line.substring(line.indexOf('=') + 1).strip());
            }
        }
        return Path.of("/var/lib/nagios4/rw/nagios.cmd");
    }

    /**
     * Stops in the order the data flows, once: the sources (no event after this), the listener's
     * threads, delivery (its retry thread joined), the control socket, then the locks.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (execs != null) {
            execs.close();
        }
        source.close();
        listener.close();
        delivery.close();
        if (control != null) {
            control.close();
        }
        release(controlLock);
        release(spoolLock);
    }

    private static void release(FileLock lock) {
        if (lock == null) {
            return;
        }
        try {
            lock.channel().close(); // releases the lock
        } catch (IOException e) {
            // the kernel drops it at exit anyway
        }
    }

    /**
     * Only with RLIMIT_LISTENER_TEST_HOOKS=1 in the environment: "fail delivery" (a failure the
     * retry thread recovers from) and "fail worker" (the listener's thread dies: fatal).
     */
    private String testHook(String request) {
        if ("1".equals(System.getenv("RLIMIT_LISTENER_TEST_HOOKS"))) {
            if (request.equals("fail delivery")) {
                delivery.injectFailure(new IllegalStateException("test hook"));
                return "injected\n";
            }
            if (request.equals("fail worker")) {
                listener.injectFailure(new IllegalStateException("test hook"));
                return "injected\n";
            }
        }
        return "unknown request '" + request + "' (status, send)\n";
    }

    public static void main(String[] args) {
        PrintStream err = System.err;
        LogLine lines = LogLine.forEnvironment(System.getenv(), java.time.Clock.systemDefaultZone());
        Consumer<String> log = line -> {
            String stamped = lines.format(line);
            synchronized (err) {
                err.println(stamped);
            }
        };
        ListenerOptions options;
        try {
            options = ListenerOptions.parse(args);
        } catch (ArgParser.ArgException e) {
            err.print("rlimit-listener: " + e.getMessage() + "\n" + ListenerOptions.SHORT_USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.print(ListenerOptions.USAGE);
            System.exit(0);
            return;
        }
        if (options.statusRequest()) {
            try {
                System.out.print(ControlSocket.request(options.controlSocket(), "status"));
                System.exit(0);
            } catch (IOException e) {
                err.println("rlimit-listener: no listener answers at " + options.controlSocket() + ": "
                        + e.getMessage());
                System.exit(1);
            }
            return;
        }
        ListenerMain[] main = new ListenerMain[1];
        SignalHandlers signals = new SignalHandlers(() -> {
            if (main[0] != null) {
                main[0].reload();
            }
        }, () -> {
            if (main[0] != null) {
                log.accept("stopping: flushing results, detaching the BPF programs");
                main[0].close();
            }
        });
        try {
            main[0] = start(options, log, new Health(log, () -> signals.exit(1)));
        } catch (ConfigException | IOException e) {
            log.accept(e.getMessage());
            System.exit(2);
            return;
        } catch (RuntimeException e) {
            log.accept("cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        log.accept("ready");
        try {
            SystemdNotify.send("READY=1"); // Type=notify: systemd starts dependants only now
        } catch (IOException e) {
            log.accept("sd_notify: " + e.getMessage());
        }
        try {
            Thread.currentThread().join(); // the work happens on the listener's threads
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
