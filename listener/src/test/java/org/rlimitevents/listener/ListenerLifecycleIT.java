package org.rlimitevents.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.rlimitevents.kernel.testing.Commands;
import org.rlimitevents.kernel.testing.FdHolder;
import org.rlimitevents.kernel.testing.Prerequisites;

/**
 * Processes coming and going as daemons make them, against a real private Nagios: workers forked
 * without exec (a real nginx, and a small forking script), a watched process dying while its
 * parent has not reaped it (every tier), a pid handed out again (-p, -P, -C), and selections that
 * would hang or exhaust the listener.
 */
class ListenerLifecycleIT {
    @TempDir
    Path dir;
    private NagiosFixture nagios;
    private ListenerMain listener;
    private final List<String> log = new ArrayList<>();
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        if (listener != null) {
            listener.close();
        }
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
        if (nagios != null) {
            nagios.close();
        }
    }

    /** The tiers to run (as EventSourceScenariosIT): -Drlimit.tiers=...; by default those this kernel allows. */
    static List<String> tiers() {
        List<String> tiers = new ArrayList<>();
        for (String t : System.getProperty("rlimit.tiers", "TRACEPOINT,SAMPLING,POLLING").split(",")) {
            tiers.add(t.trim().toLowerCase(java.util.Locale.ROOT));
        }
        return tiers;
    }

    private static String service(String description, String args) {
        return NagiosFixture.argsService(description, args);
    }

    private void startNagios(String... services) throws Exception {
        Prerequisites.requireRoot();
        nagios = new NagiosFixture(dir.resolve("nagios"), NagiosFixture.ARGS_COMMAND + "\n"
                + String.join("\n", services));
    }

    private void startListener(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--host-name", "testhost", "--nagios-cfg", nagios.cfg.toString()));
        args.addAll(List.of(extra));
        listener = TestListener.start(dir, line -> {
            synchronized (log) {
                log.add(line);
            }
        }, args.toArray(new String[0]));
    }

    private static int state(Map<String, String> s) {
        return Integer.parseInt(s.getOrDefault("current_state", "-1"));
    }

    /** The line of the object cache where the service's definition starts (what an error names). */
    private static int definitionLine(Path cache, String description) throws java.io.IOException {
        List<String> lines = Files.readAllLines(cache);
        int define = 0;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.startsWith("define service")) {
                define = i + 1;
            } else if (l.matches("service_description\\s+" + java.util.regex.Pattern.quote(description))) {
                return define;
            }
        }
        throw new AssertionError("no service '" + description + "' in " + cache);
    }

    private Map<String, String> awaitOutput(String service, String prefix, long ms) throws Exception {
        return nagios.await(service, s -> s.get("plugin_output").startsWith(prefix), ms);
    }

    /** Waits until Nagios shows {@code state} with {@code text} in the output; returns how long that took. */
    private long msUntil(String service, int wanted, String text, long t0) throws Exception {
        // the listener's own share, before Nagios's once-a-second status.dat adds its own
        awaitTrue("the listener's result", () -> {
            org.rlimitevents.plugin.PluginOutput last = listener.listener().lastResult("testhost;" + service);
            return last != null && last.exitCode() == wanted && last.text().contains(text);
        }, 10_000);
        System.out.println("ListenerLifecycleIT: listener: " + service + " " + text + " after "
                + (System.nanoTime() - t0) / 1_000_000 + " ms");
        try {
            nagios.await(service, s -> state(s) == wanted && s.get("plugin_output").contains(text), 10_000);
        } catch (AssertionError e) {
            synchronized (log) {
                String nagiosLog = String.join("\n", nagios.log().lines().filter(l -> l.contains(service)).toList());
                throw new AssertionError(e.getMessage() + "\nlistener log:\n" + String.join("\n", log)
                        + "\nNagios log:\n" + nagiosLog, e);
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("ListenerLifecycleIT: " + service + " " + text + " after " + ms + " ms");
        return ms;
    }

    private static Set<Integer> children(int parent) throws Exception {
        Set<Integer> out = new HashSet<>();
        for (String line : Commands.exec(List.of("pgrep", "-P", Integer.toString(parent)), 10).stdout().split("\n")) {
            if (!line.isBlank()) {
                out.add(Integer.parseInt(line.strip()));
            }
        }
        return out;
    }

    private static int fdCount(int pid) {
        String[] fds = Path.of("/proc/" + pid + "/fd").toFile().list();
        return fds == null ? -1 : fds.length;
    }

    private static void awaitTrue(String what, java.util.concurrent.Callable<Boolean> condition, long ms)
            throws Exception {
        long deadline = System.currentTimeMillis() + ms;
        while (!condition.call()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError(what + " within " + ms + " ms");
            }
            Thread.sleep(20);
        }
    }

    private String pidsOf(String service) {
        return listener.listener().status().get("service testhost;" + service);
    }

    private static String nginxConf(Path dir, int port, String workerLimit) {
        // reuseport: one listening socket per worker, so the kernel spreads connections over all four
        return String.join("\n", "daemon on;", "master_process on;", "worker_processes 4;", workerLimit,
                "pid " + dir.resolve("nginx.pid") + ";", "error_log " + dir.resolve("nginx-error.log") + ";",
                "events { worker_connections 512; }",
                "http {", "  access_log off;", "  client_body_temp_path " + dir.resolve("nginx-tmp/body") + ";",
                "  proxy_temp_path " + dir.resolve("nginx-tmp/proxy") + ";",
                "  fastcgi_temp_path " + dir.resolve("nginx-tmp/fastcgi") + ";",
                "  uwsgi_temp_path " + dir.resolve("nginx-tmp/uwsgi") + ";",
                "  scgi_temp_path " + dir.resolve("nginx-tmp/scgi") + ";",
                "  server { listen 127.0.0.1:" + port + " reuseport; location / { return 200 \"ok\\n\"; } }", "}", "");
    }

    @Test
    void nginxWorkersForkedAfterTheStartAreWatched() throws Exception {
        Prerequisites.requireExecutable("/usr/sbin/nginx", "nginx-light");
        startNagios(service("nginx fds", "-C nginx -r nofile -w 80% -c 90%"));
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Path conf = dir.resolve("nginx.conf");
        Files.createDirectories(dir.resolve("nginx-tmp"));
        Files.writeString(conf, nginxConf(dir, port, ""));
        Commands.Result started = Commands.exec(List.of("/usr/sbin/nginx", "-p", dir.toString(), "-c", conf.toString()), 30);
        assertEquals(0, started.exitCode(), started.stderr());
        int master = Integer.parseInt(Files.readString(dir.resolve("nginx.pid")).strip());
        cleanup.add(() -> { // the workers outlive a killed master: every process of this instance
            List<String> kill = new ArrayList<>(List.of("kill", "-9", Integer.toString(master)));
            children(master).forEach(w -> kill.add(Integer.toString(w)));
            Commands.exec(kill, 10);
        });
        awaitTrue("4 nginx workers", () -> children(master).size() == 4, 10_000);
        Set<Integer> before = children(master);

        startListener();
        awaitOutput("nginx fds", "RLIMIT OK", 10_000);
        assertTrue(nagios.service("nginx fds").get("plugin_output").contains("(5 processes)"),
                nagios.service("nginx fds").toString());

        // a reload: the master forks four new workers (no exec) under a lower fd limit (root may not
        // prlimit a worker that dropped its privileges without CAP_SYS_PTRACE: nginx sets it itself)
        int limit = fdCount(before.iterator().next()) + 16; // a new worker needs a few more while it starts
        Files.writeString(conf, nginxConf(dir, port, "worker_rlimit_nofile " + limit + ";"));
        Commands.run(List.of("/usr/sbin/nginx", "-p", dir.toString(), "-c", conf.toString(), "-s", "reload"));
        Set<Integer> fresh = new HashSet<>();
        awaitTrue("4 new workers, the old ones gone", () -> {
            fresh.clear();
            fresh.addAll(children(master));
            return fresh.size() == 4 && java.util.Collections.disjoint(fresh, before);
        }, 10_000);
        awaitTrue("the new workers watched", () -> {
            String watched = pidsOf("nginx fds");
            return fresh.stream().allMatch(w -> watched.contains(Integer.toString(w)));
        }, 2000);

        long t0 = System.nanoTime();
        List<Socket> held = new ArrayList<>();
        cleanup.add(() -> {
            for (Socket s : held) {
                s.close();
            }
        });
        for (int i = 0; i < 120; i++) {
            Socket s = new Socket();
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            held.add(s); // idle: nginx holds each connection open, waiting for a request
        }
        Map<String, String> critical = nagios.await("nginx fds", st -> state(st) == 2, 10_000);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("ListenerLifecycleIT: nginx new worker CRITICAL after " + ms + " ms");
        assertTrue(ms <= 2000, "CRITICAL for a new worker reached Nagios after " + ms + " ms");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("RLIMIT CRITICAL - nginx\\[(\\d+)\\] nofile (\\d+)/"
                + limit + " .*").matcher(critical.get("plugin_output"));
        assertTrue(m.matches(), critical.get("plugin_output"));
        assertTrue(fresh.contains(Integer.parseInt(m.group(1))), "a new worker: " + critical.get("plugin_output"));
        assertNoResultAfterItsExit(before, 5);
    }

    /**
     * Exits are final: in the listener's log (events and results in the order they happened), no
     * result names an old worker after its EXIT, and once every old one has an EXIT no result counts
     * more than {@code after} processes.
     */
    private void assertNoResultAfterItsExit(Set<Integer> old, int after) {
        Set<Integer> exited = new HashSet<>();
        java.util.regex.Pattern exit = java.util.regex.Pattern.compile("event: EXIT #\\d+ .*\\[(\\d+)\\] .*");
        java.util.regex.Pattern result = java.util.regex.Pattern.compile(
                "result testhost;nginx fds: RLIMIT \\w+ - nginx\\[(\\d+)\\].*?(?:\\((\\d+) processes\\))?(?: \\|.*)?");
        int results = 0;
        synchronized (log) {
            for (String line : log) {
                java.util.regex.Matcher e = exit.matcher(line);
                if (e.matches() && old.contains(Integer.parseInt(e.group(1)))) {
                    exited.add(Integer.parseInt(e.group(1)));
                }
                java.util.regex.Matcher r = result.matcher(line);
                if (r.matches()) {
                    results++;
                    assertTrue(!exited.contains(Integer.parseInt(r.group(1))), "after its EXIT: " + line);
                    if (exited.size() == old.size()) {
                        assertTrue(r.group(2) == null || Integer.parseInt(r.group(2)) <= after, line);
                    }
                }
            }
        }
        // (an old worker /proc shows gone before its EXIT arrives is unwatched at once: no EXIT then)
        assertTrue(!exited.isEmpty() || results >= 2, results + " results, EXITs of " + exited);
    }

    /** A script (its name is its comm) forking a child without exec per line read: the child holds that many fds. */
    private Process forker() throws Exception {
        Path script = dir.resolve("rlforker");
        Files.writeString(script, String.join("\n", "#!/bin/bash", "mkfifo \"$0.wait\"", "echo ready",
                "while read -r n; do",
                "  ( for ((i = 3; i < n; i++)); do exec {fd}</dev/null || break; done",
                "    echo \"$BASHPID\"; read -r _ <> \"$0.wait\" ) &",
                "done", ""));
        script.toFile().setExecutable(true);
        Process p = new ProcessBuilder("prlimit", "--nofile=100:100", script.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        cleanup.add(() -> {
            Commands.exec(List.of("pkill", "-9", "-P", Long.toString(p.pid())), 10);
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        });
        return p;
    }

    @Test
    void aChildForkedWithoutExecIsWatched() throws Exception {
        startNagios(service("forker fds", "-C rlforker -r nofile -w 80% -c 90%"));
        Process forker = forker();
        BufferedReader out = new BufferedReader(new InputStreamReader(forker.getInputStream(), StandardCharsets.UTF_8));
        Writer in = new java.io.OutputStreamWriter(forker.getOutputStream(), StandardCharsets.UTF_8);
        assertEquals("ready", out.readLine());
        startListener();
        awaitOutput("forker fds", "RLIMIT OK - rlforker[" + forker.pid() + "]", 10_000);

        long t0 = System.nanoTime();
        in.write("95\n");
        in.flush();
        int child = Integer.parseInt(out.readLine().strip());
        long ms = msUntil("forker fds", 2, "rlforker[" + child + "] nofile", t0);
        assertTrue(ms <= 2000, "CRITICAL for the forked child reached Nagios after " + ms + " ms");
        assertTrue(nagios.service("forker fds").get("plugin_output").contains("(2 processes)"));
    }

    @ParameterizedTest
    @MethodSource("tiers")
    void aChildKilledBeforeItsParentReapsItIsNoMatchAtOnce(String tier) throws Exception {
        Path pidfile = dir.resolve("child.pid");
        startNagios(NagiosFixture.passiveService("rlimit child", pidfile, 3600));
        Path name = dir.resolve("rlchild");
        Files.createSymbolicLink(name, Path.of("/bin/sleep"));
        // the parent starts the child, then becomes a sleep that never waits for it
        Process parent = new ProcessBuilder("/bin/bash", "-c", name + " 1000 & echo $! > " + pidfile + "; exec sleep 60")
                .start();
        cleanup.add(() -> parent.destroyForcibly().waitFor(10, TimeUnit.SECONDS));
        awaitTrue("the child's pidfile", () -> Files.exists(pidfile) && Files.size(pidfile) > 0, 5000);
        int child = Integer.parseInt(Files.readString(pidfile).strip());
        startListener("--tier", tier);
        awaitOutput("rlimit child", "RLIMIT OK - rlchild[" + child + "]", 10_000);

        Commands.run(List.of("kill", "-9", Integer.toString(child)));
        long t0 = System.nanoTime();
        long ms = msUntil("rlimit child", 2, "no process matched", t0);
        String stat = Files.readString(Path.of("/proc/" + child + "/stat"));
        assertTrue(stat.contains(") Z "), "still a zombie, not reaped: " + stat);
        assertTrue(ms <= 2000, tier + ": no-match reached Nagios " + ms + " ms after the kill");
    }

    @ParameterizedTest
    @MethodSource("tiers")
    void threeServicesWithSixLevelsOnOneProcessEachReachNagios(String tier) throws Exception {
        Path pidfile = dir.resolve("holder.pid");
        String[][] levels = {{"high", "90%", "95%"}, {"mid", "50%", "60%"}, {"low", "10%", "20%"}};
        List<String> services = new ArrayList<>();
        for (String[] l : levels) {
            services.add(service("levels " + l[0], "-P " + pidfile + " -r nofile -w " + l[1] + " -c " + l[2]));
        }
        startNagios(services.toArray(new String[0]));
        FdHolder child = TestListener.holder(dir, 5);
        cleanup.add(child);
        startListener("--tier", tier);
        for (String[] l : levels) {
            nagios.await("levels " + l[0], s -> state(s) == 0, 10_000);
        }
        // each step changes one service's state (the kernel watches four of the six levels at a
        // time, re-armed as the usage moves); one state per step, as fds close one by one on the way
        // down and every state between is real
        int[] fds = {150, 250, 550, 650, 920, 960, 650, 550, 450, 150};
        String[] service = {"low", "low", "mid", "mid", "high", "high", "high", "mid", "mid", "low"};
        int[] state = {1, 2, 1, 2, 1, 2, 0, 1, 0, 1};
        // the polling tier reads /proc at most 2 s apart (EventSources.POLL_MAX_MS), the kernel tiers at
        // once; then Nagios's status.dat, rewritten every second
        long bound = tier.equals("polling") ? 3500 : 2000;
        for (int i = 0; i < fds.length; i++) {
            child.holdFds(fds[i]);
            long ms = msUntil("levels " + service[i], state[i], "] nofile ", System.nanoTime());
            assertTrue(ms <= bound, tier + ": levels " + service[i] + " at " + fds[i] + " reached Nagios after "
                    + ms + " ms");
        }
    }

    @Test
    void fiftyMatchedProcessesWithTheDefaultResourcesFitTheCommandPipe() throws Exception {
        startNagios(service("fifty", "-C rlfifty"));
        Path name = dir.resolve("rlfifty");
        Files.createSymbolicLink(name, Path.of("/bin/sleep"));
        for (int i = 0; i < 50; i++) {
            Process p = new ProcessBuilder(name.toString(), "1000").start();
            cleanup.add(() -> p.destroyForcibly().waitFor(10, TimeUnit.SECONDS));
        }
        startListener();
        Map<String, String> s = nagios.await("fifty", st -> st.get("plugin_output").contains("(50 processes)"), 10_000);
        assertEquals("1", s.get("check_type")); // passive: from the command pipe
        assertEquals(0, state(s));
        String perf = s.get("performance_data");
        // the worst process per default resource, and the counts: a size independent of the 50
        assertEquals(List.of("nofile", "nproc", "as", "data", "stack", "memlock", "sigpending", "cpu", "processes",
                "processes_warning", "processes_critical"), labels(perf));
        assertTrue(perf.endsWith(" processes=50;;;0 processes_warning=0;;;0 processes_critical=0;;;0"), perf);
        // check_rlimit itself, as Nagios would run it actively: the same rule
        Commands.Result direct = Commands.exec(List.of(NagiosFixture.PLUGIN, "-C", "rlfifty"), 30);
        assertEquals(0, direct.exitCode());
        String first = direct.stdout().lines().findFirst().orElseThrow();
        assertEquals(labels(perf), labels(first.substring(first.indexOf(" | ") + 3)));
        assertTrue(direct.stdout().getBytes(StandardCharsets.UTF_8).length <= 8192, direct.stdout().length() + " bytes");
        System.out.println("ListenerLifecycleIT: 50 processes: first line " + first.length() + " bytes, output "
                + direct.stdout().length() + " bytes");
    }

    private static List<String> labels(String perfdata) {
        return java.util.Arrays.stream(perfdata.strip().split(" ")).map(i -> i.substring(0, i.indexOf('='))).toList();
    }

    /** Makes the next process get {@code pid}: ns_last_pid (root) and a retry when another fork came first. */
    private FdHolder holderAt(int pid, Path name) throws Exception {
        for (int attempt = 0; attempt < 50; attempt++) {
            Files.writeString(Path.of("/proc/sys/kernel/ns_last_pid"), Integer.toString(pid - 1));
            FdHolder h = FdHolder.named(name, "prlimit", "--nofile=100:100", "--");
            if (h.pid() == pid) {
                return h;
            }
            h.close();
        }
        throw new AssertionError("could not get pid " + pid + " again in 50 tries");
    }

    @Test
    void aReusedPidIsANewProcessForPidPidfileAndCommand() throws Exception {
        Prerequisites.requireRoot();
        Path name = dir.resolve("rlreuse");
        Path pidfile = dir.resolve("reuse.pid");
        FdHolder first = FdHolder.named(name, "prlimit", "--nofile=100:100", "--");
        int pid = first.pid();
        first.holdFds(10);
        Files.writeString(pidfile, pid + "\n");
        String[] services = {"by pid", "by pidfile", "by command"};
        startNagios(service(services[0], "-p " + pid + " -r nofile -w 80% -c 90%"),
                service(services[1], "-P " + pidfile + " -r nofile -w 80% -c 90%"),
                service(services[2], "-C rlreuse -r nofile -w 80% -c 90%"));
        startListener();
        for (String s : services) {
            awaitOutput(s, "RLIMIT OK - rlreuse[" + pid + "] nofile 10/100", 10_000);
        }
        first.close();
        for (String s : services) {
            awaitOutput(s, "RLIMIT CRITICAL - no process matched", 5000);
        }

        FdHolder second = holderAt(pid, name);
        cleanup.add(second);
        Files.writeString(pidfile, pid + "\n"); // the new daemon writes its pidfile
        long t0 = System.nanoTime();
        second.holdFds(95);
        for (String s : services) {
            long ms = msUntil(s, 2, "rlreuse[" + pid + "] nofile 9", t0);
            assertTrue(ms <= 3000, s + ": the new process at 95/100 reached Nagios after " + ms + " ms");
        }
    }

    @Test
    void hostileSelectionsAreUnknownAndTheListenerKeepsAnswering() throws Exception {
        Path pidfile = dir.resolve("holder.pid");
        startNagios(NagiosFixture.passiveService("good", pidfile, 3600),
                service("backtracking", "-a (.*a){25} -r nofile"),
                service("zero", "-P /dev/zero -r nofile"),
                service("fifo", "-P " + dir.resolve("fifo.pid") + " -r nofile"),
                service("empty", "-p 1 -r ,"),
                service("bad range", "-p 1 -r nofile -w 2:1"));
        Commands.run(List.of("mkfifo", dir.resolve("fifo.pid").toString()));
        FdHolder holder = TestListener.holder(dir, 100);
        cleanup.add(holder);
        // a command line on which the regex backtracks for ever: 24 a's, never 25
        Process target = new ProcessBuilder("/bin/bash", "-c", "read -r _", "x", "a ".repeat(24).strip()).start();
        cleanup.add(() -> target.destroyForcibly().waitFor(10, TimeUnit.SECONDS));

        long t0 = System.nanoTime();
        startListener();
        awaitOutput("good", "RLIMIT OK - bash[" + holder.pid() + "]", 10_000);
        awaitOutput("backtracking", "RLIMIT UNKNOWN - --argument regex /(.*a){25}/ gave up on pid", 10_000);
        awaitOutput("zero", "RLIMIT UNKNOWN - cannot read pidfile /dev/zero: not a regular file", 10_000);
        awaitOutput("fifo", "RLIMIT UNKNOWN - cannot read pidfile " + dir.resolve("fifo.pid") + ": not a regular file",
                10_000);
        Path cache = nagios.dir.resolve("var/objects.cache");
        awaitOutput("empty", "RLIMIT UNKNOWN - " + cache + ":" + definitionLine(cache, "empty") + ": service 'empty':"
                + " check_rlimit options: -r names no resource", 10_000);
        awaitOutput("bad range", "RLIMIT UNKNOWN - " + cache + ":" + definitionLine(cache, "bad range")
                + ": service 'bad range': check_rlimit options: invalid range '2:1'", 10_000);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 10_000, "every result after " + ms + " ms");

        // still running and answering; a new event on the good service still flows
        assertTrue(listener.listener().status().get("service testhost;good").contains("state=OK"));
        long t1 = System.nanoTime();
        holder.holdFds(950);
        long toCritical = msUntil("good", 2, "nofile 9", t1);
        assertTrue(toCritical <= 2000, "CRITICAL after " + toCritical + " ms");
        // no result lost: each service's one result is in Nagios's log
        String nagiosLog = nagios.log();
        for (String s : List.of("good", "backtracking", "zero", "fifo", "empty", "bad range")) {
            assertTrue(!NagiosFixture.resultCodes(nagiosLog, s).isEmpty(), s + " has a result in Nagios's log");
        }
    }
}
