package org.rlimitevents.listener;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.rlimitevents.kernel.testing.Commands;
import org.rlimitevents.kernel.testing.Prerequisites;

/**
 * A private Nagios 4 (Debian's nagios4-core) in a temp dir, started and stopped by a test: own
 * nagios.cfg and objects, command FIFO, status.dat rewritten every second. Host "testhost", and a
 * command "check_rlimit" taking pidfile, resources, warning and critical.
 */
final class NagiosFixture implements AutoCloseable {
    static final String NAGIOS = "/usr/sbin/nagios4";
    static final Path TEMPLATES = Path.of("../demo").toAbsolutePath().normalize();
    static final String PLUGIN = Path.of("../plugins/bin/check_rlimit").toAbsolutePath().normalize().toString();
    final Path dir;
    final Path cfg;
    final Path commandFile;
    final Path statusFile;
    final Path logFile;
    final Path lockFile;
    final String host;

    /** Where everything that changes lives: dir/var (state, FIFO, spool), dir/nagios.cfg. */
    private NagiosFixture(String host, Path dir) throws Exception {
        Prerequisites.requireExecutable(NAGIOS, "nagios4-core");
        this.dir = dir;
        this.host = host;
        Path var = dir.resolve("var");
        Files.createDirectories(var.resolve("rw"));
        Files.createDirectories(var.resolve("spool"));
        cfg = dir.resolve("nagios.cfg");
        commandFile = var.resolve("rw/nagios.cmd");
        statusFile = var.resolve("status.dat");
        logFile = var.resolve("nagios.log");
        lockFile = var.resolve("nagios.lock");
    }

    NagiosFixture(Path dir, String extraObjects) throws Exception {
        this("testhost", dir);
        String uid = Commands.run(List.of("id", "-u")).strip();
        String gid = Commands.run(List.of("id", "-g")).strip();
        // the same templates as the demo (demo/*.cfg.in)
        Files.writeString(cfg, Files.readString(TEMPLATES.resolve("nagios.cfg.in")).replace("@DIR@", dir.toString())
                .replace("@UID@", uid).replace("@GID@", gid));
        Files.writeString(dir.resolve("resource.cfg"), "$USER1$=/usr/lib/nagios/plugins\n");
        Files.writeString(dir.resolve("objects.cfg"), Files.readString(TEMPLATES.resolve("objects.cfg.in"))
                .replace("@PLUGIN@", PLUGIN) + extraObjects + "\n");
        verifyAndStart();
    }

    /**
     * Debian's own /etc/nagios4 layout (cfg_dir, templates, resource file with $USER1$, host
     * "localhost"), with only the state files moved into {@code dir} and {@code extraObjects} added.
     */
    NagiosFixture(Path dir, Path debianCfg, String extraObjects) throws Exception {
        this("localhost", dir);
        Path var = dir.resolve("var");
        Map<String, String> moved = Map.ofEntries(Map.entry("log_file", logFile.toString()),
                Map.entry("object_cache_file", var.resolve("objects.cache").toString()),
                Map.entry("precached_object_file", var.resolve("objects.precache").toString()),
                Map.entry("status_file", statusFile.toString()), Map.entry("command_file", commandFile.toString()),
                Map.entry("lock_file", lockFile.toString()), Map.entry("temp_file", var.resolve("nagios.tmp").toString()),
                Map.entry("temp_path", var.toString()), Map.entry("check_result_path", var.resolve("spool").toString()),
                Map.entry("state_retention_file", var.resolve("retention.dat").toString()),
                Map.entry("query_socket", var.resolve("rw/nagios.qh").toString()),
                Map.entry("nagios_user", Commands.run(List.of("id", "-u")).strip()),
                Map.entry("nagios_group", Commands.run(List.of("id", "-g")).strip()),
                Map.entry("status_update_interval", "1"), Map.entry("enable_notifications", "0"),
                Map.entry("check_result_reaper_frequency", "1"));
        StringBuilder out = new StringBuilder();
        for (String line : Files.readAllLines(debianCfg)) {
            int eq = line.indexOf('=');
            String key = eq > 0 && !line.startsWith("#") ? line.substring(0, eq) : null;
            out.append(key != null && moved.containsKey(key) ? key + "=" + moved.get(key) : line).append('\n');
        }
        Files.writeString(dir.resolve("rlimit.cfg"), extraObjects + "\n");
        out.append("query_socket=").append(moved.get("query_socket")).append('\n')
                .append("cfg_file=").append(dir.resolve("rlimit.cfg")).append('\n');
        Files.writeString(cfg, out.toString());
        verifyAndStart();
    }

    private void verifyAndStart() throws Exception {
        Commands.Result verify = Commands.exec(List.of(NAGIOS, "-v", cfg.toString()), 60);
        if (verify.exitCode() != 0) {
            throw new IllegalStateException("nagios4 -v failed:\n" + verify.stdout());
        }
        start();
    }

    /**
     * A passive rlimit service on testhost watching the process in {@code pidfile} (nofile at
     * 80%/90%), whose stale fallback after {@code freshness} seconds is check_rlimit itself.
     */
    static String passiveService(String description, Path pidfile, int freshness) {
        return String.join("\n",
                "define service {", "  host_name testhost", "  service_description " + description,
                "  check_command check_rlimit!" + pidfile + "!nofile!80%!90%", "  max_check_attempts 1",
                "  check_interval 1", "  retry_interval 1", "  check_period 24x7", "  notification_period 24x7",
                "  contacts nobody", "  active_checks_enabled 0", "  passive_checks_enabled 1", "  check_freshness 1",
                "  freshness_threshold " + freshness, "  flap_detection_enabled 0", "}");
    }

    /** The command {@link #argsService} uses: check_rlimit with its arguments as written. */
    static final String ARGS_COMMAND = String.join("\n", "define command {", "  command_name check_rlimit_args",
            "  command_line " + PLUGIN + " $ARG1$", "}");

    /** A passive service on testhost checked with these check_rlimit arguments (no ';': Nagios's comment). */
    static String argsService(String description, String args) {
        return String.join("\n", "define service {", "  host_name testhost", "  service_description " + description,
                "  check_command check_rlimit_args!" + args, "  max_check_attempts 1", "  check_interval 1",
                "  retry_interval 1", "  check_period 24x7", "  notification_period 24x7", "  contacts nobody",
                "  active_checks_enabled 0", "  passive_checks_enabled 1", "  check_freshness 1",
                "  freshness_threshold 3600", "  flap_detection_enabled 0", "}");
    }

    void start() throws Exception {
        Files.deleteIfExists(commandFile);
        Files.deleteIfExists(statusFile);
        Commands.run(List.of(NAGIOS, "-d", cfg.toString()));
        for (int i = 0; i < 200 && !(Files.exists(commandFile) && Files.exists(statusFile)
                && Files.size(statusFile) > 0); i++) {
            Thread.sleep(50);
        }
        if (!Files.exists(commandFile)) {
            throw new IllegalStateException("nagios did not start");
        }
    }

    void stop() throws Exception {
        Path lock = lockFile;
        if (!Files.exists(lock)) {
            return;
        }
        String pid = Files.readString(lock).strip();
        Commands.exec(List.of("kill", pid), 10);
        for (int i = 0; i < 100 && Path.of("/proc/" + pid).toFile().exists(); i++) {
            Thread.sleep(100);
        }
        Commands.exec(List.of("kill", "-9", pid), 10);
        Files.deleteIfExists(commandFile); // Nagios 4.4.6 leaves its FIFO behind
    }

    /** The servicestatus block of a service in status.dat (empty while Nagios rewrites it). */
    Map<String, String> service(String description) throws IOException {
        Map<String, String> found = new HashMap<>();
        if (!Files.exists(statusFile)) {
            return found;
        }
        Map<String, String> block = null;
        for (String line : Files.readAllLines(statusFile)) {
            String l = line.strip();
            if (l.equals("servicestatus {")) {
                block = new HashMap<>();
            } else if (l.equals("}") && block != null) {
                if (host.equals(block.get("host_name")) && description.equals(block.get("service_description"))) {
                    return block;
                }
                block = null;
            } else if (block != null && l.indexOf('=') > 0) {
                block.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1));
            }
        }
        return found;
    }

    /** Waits until the service's status matches; returns it. */
    Map<String, String> await(String description, java.util.function.Predicate<Map<String, String>> p, long ms)
            throws Exception {
        long deadline = System.currentTimeMillis() + ms;
        Map<String, String> s = Map.of();
        while (System.currentTimeMillis() < deadline) {
            s = service(description);
            if (!s.isEmpty() && p.test(s)) {
                return s;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("service " + description + " never matched within " + ms + " ms; last: " + s);
    }

    /** The return codes of the passive results for {@code service} on testhost in a stretch of the log, in order. */
    static List<String> resultCodes(String log, String service) {
        List<String> codes = new java.util.ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "EXTERNAL COMMAND: PROCESS_SERVICE_CHECK_RESULT;testhost;" + java.util.regex.Pattern.quote(service)
                        + ";(\\d);").matcher(log);
        while (m.find()) {
            codes.add(m.group(1));
        }
        return codes;
    }

    /** The log, for use inside lambdas. */
    String logUnchecked() {
        try {
            return log();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    String log() throws IOException {
        return Files.exists(logFile) ? Files.readString(logFile) : "";
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
