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
 * nagios.cfg and objects, command FIFO, status.dat rewritten every second. Host "testhost".
 */
final class NagiosFixture implements AutoCloseable {
    static final String NAGIOS = "/usr/sbin/nagios4";
    final Path dir;
    final Path cfg;
    final Path commandFile;
    final Path statusFile;
    final Path logFile;

    NagiosFixture(Path dir, String extraObjects) throws Exception {
        Prerequisites.requireExecutable(NAGIOS, "nagios4-core");
        this.dir = dir;
        Path var = dir.resolve("var");
        Files.createDirectories(var.resolve("rw"));
        Files.createDirectories(var.resolve("spool"));
        cfg = dir.resolve("nagios.cfg");
        commandFile = var.resolve("rw/nagios.cmd");
        statusFile = var.resolve("status.dat");
        logFile = var.resolve("nagios.log");
        String uid = Commands.run(List.of("id", "-u")).strip();
        String gid = Commands.run(List.of("id", "-g")).strip();
        Files.writeString(cfg, String.join("\n",
                "log_file=" + logFile, "cfg_file=" + dir.resolve("objects.cfg"),
                "object_cache_file=" + var.resolve("objects.cache"),
                "precached_object_file=" + var.resolve("objects.precache"),
                "resource_file=" + dir.resolve("resource.cfg"),
                "status_file=" + statusFile, "status_update_interval=1", "retain_state_information=0",
                "state_retention_file=" + var.resolve("retention.dat"), "command_file=" + commandFile,
                "check_external_commands=1", "query_socket=" + var.resolve("rw/nagios.qh"),
                "lock_file=" + var.resolve("nagios.lock"), "temp_file=" + var.resolve("nagios.tmp"),
                "temp_path=" + var, "check_result_path=" + var.resolve("spool"), "check_result_reaper_frequency=1",
                "nagios_user=" + uid, "nagios_group=" + gid, "use_syslog=0", "log_passive_checks=1",
                "log_external_commands=1", "enable_notifications=0", "check_for_updates=0",
                "check_service_freshness=1", "service_freshness_check_interval=1",
                "illegal_macro_output_chars=`~$&|'\"<>", ""));
        Files.writeString(dir.resolve("resource.cfg"), "$USER1$=/usr/lib/nagios/plugins\n");
        Files.writeString(dir.resolve("objects.cfg"), String.join("\n",
                "define timeperiod {", "  timeperiod_name 24x7", "  alias 24x7", "  sunday 00:00-24:00",
                "  monday 00:00-24:00", "  tuesday 00:00-24:00", "  wednesday 00:00-24:00", "  thursday 00:00-24:00",
                "  friday 00:00-24:00", "  saturday 00:00-24:00", "}",
                "define command {", "  command_name notify_none", "  command_line /bin/true", "}",
                "define contact {", "  contact_name nobody", "  host_notifications_enabled 0",
                "  service_notifications_enabled 0", "  host_notification_period 24x7",
                "  service_notification_period 24x7", "  host_notification_options n",
                "  service_notification_options n", "  host_notification_commands notify_none",
                "  service_notification_commands notify_none", "}",
                "define host {", "  host_name testhost", "  address 127.0.0.1", "  max_check_attempts 1",
                "  check_period 24x7", "  contacts nobody", "  active_checks_enabled 0", "  passive_checks_enabled 1",
                "}", extraObjects, ""));
        Commands.Result verify = Commands.exec(List.of(NAGIOS, "-v", cfg.toString()), 60);
        if (verify.exitCode() != 0) {
            throw new IllegalStateException("nagios4 -v failed:\n" + verify.stdout());
        }
        start();
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
        Path lock = dir.resolve("var/nagios.lock");
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
                if ("testhost".equals(block.get("host_name")) && description.equals(block.get("service_description"))) {
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
