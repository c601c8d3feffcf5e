package org.rlimitevents.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlimitevents.kernel.testing.Commands;
import org.rlimitevents.kernel.testing.FdHolder;
import org.rlimitevents.kernel.testing.Prerequisites;

/**
 * nagios-config/ is read by the programs it is for: Nagios 4 validates Debian's stock
 * configuration with the snippet and the examples added; Icinga 2 validates its stock
 * configuration with the CheckCommand, template and examples added; and a private Icinga runs the
 * CheckCommand, whose rendered command line is check_rlimit with exactly the expected arguments.
 */
class DropInConfigIT {
    private static final Path CONFIG = Path.of("../nagios-config").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private static int count(String output, String regex) {
        Matcher m = Pattern.compile(regex).matcher(output);
        assertTrue(m.find(), regex + " not in:\n" + output);
        return Integer.parseInt(m.group(1));
    }

    /** Debian's stock nagios.cfg, with {@code extra} files read after its own cfg_dir lines. */
    private Commands.Result nagiosVerify(String name, Path... extra) throws Exception {
        // Nagios reads its files as nagios_user (nagios): copies in a directory it may enter, as
        // the package installs them in /etc
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        StringBuilder cfg = new StringBuilder();
        for (String line : Files.readAllLines(Path.of("/etc/nagios4/nagios.cfg"))) {
            cfg.append(line).append('\n');
            if (line.equals("cfg_dir=/etc/nagios-plugins/config")) {
                for (Path p : extra) {
                    Path copy = Files.copy(p, dir.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                    cfg.append("cfg_file=").append(copy).append('\n');
                }
            }
        }
        Path file = dir.resolve(name);
        Files.writeString(file, cfg.toString());
        return Commands.exec(List.of(NagiosFixture.NAGIOS, "-v", file.toString()), 60);
    }

    @Test
    void nagiosValidatesDebiansStockConfigWithTheSnippetAndTheExamples() throws Exception {
        Prerequisites.requireExecutable(NagiosFixture.NAGIOS, "nagios4-core");
        Commands.Result stock = nagiosVerify("stock.cfg");
        Commands.Result ours = nagiosVerify("ours.cfg", CONFIG.resolve("nagios/rlimit.cfg"),
                CONFIG.resolve("nagios/rlimit-examples.cfg"));
        assertEquals(0, ours.exitCode(), ours.stdout());
        assertTrue(ours.stdout().contains("Total Warnings: 0\nTotal Errors:   0\n"), ours.stdout());
        String services = "Checked (\\d+) services\\.";
        String commands = "Checked (\\d+) commands\\.";
        assertEquals(count(stock.stdout(), services) + 5, count(ours.stdout(), services));
        assertEquals(count(stock.stdout(), commands) + 5, count(ours.stdout(), commands));
    }

    @Test
    void theSnippetNeedsNoOtherTemplatesAndItsTemplateIsPassiveWithTheActiveCheckAsFallback() throws Exception {
        Prerequisites.requireRoot();
        String service = String.join("\n", "define service {", "  use rlimit-passive-service",
                "  host_name testhost", "  service_description rlimit snippet",
                "  check_command check_rlimit_pidfile!/run/none.pid!nofile!80%!90%", "  check_period 24x7",
                "  notification_period 24x7", "  contacts nobody", "}");
        // a private Nagios with no generic-service: its own objects, the snippet, one service
        try (NagiosFixture nagios = new NagiosFixture(dir.resolve("nagios"),
                Files.readString(CONFIG.resolve("nagios/rlimit.cfg")) + "\n" + service)) {
            java.util.Map<String, String> s = nagios.await("rlimit snippet", st -> true, 5000);
            assertEquals(List.of("0", "1", "0"), List.of(s.get("active_checks_enabled"),
                    s.get("passive_checks_enabled"), s.get("flap_detection_enabled")));
            // what the template gave the service, as Nagios resolved it (objects.cache)
            String cache = Files.readString(nagios.dir.resolve("var/objects.cache"));
            int at = cache.indexOf("\tservice_description\trlimit snippet\n");
            java.util.Map<String, String> resolved = new java.util.HashMap<>();
            for (String line : cache.substring(at, cache.indexOf("\t}", at)).split("\n")) {
                String[] kv = line.strip().split("\t", 2);
                resolved.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
            assertEquals(List.of("check_rlimit_pidfile!/run/none.pid!nofile!80%!90%", "1", "1", "900"),
                    List.of(resolved.get("check_command"), resolved.get("max_check_attempts"),
                            resolved.get("check_freshness"), resolved.get("freshness_threshold")));
        }
    }

    @Test
    void icingaValidatesItsStockConfigWithTheCommandTheTemplateAndTheExamples() throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireExecutable(IcingaFixture.ICINGA2, "icinga2-bin");
        Commands.Result stock = icingaCheck("stock.conf");
        Commands.Result ours = icingaCheck("ours.conf", CONFIG.resolve("icinga2/rlimit.conf"),
                CONFIG.resolve("icinga2/rlimit-examples.conf"));
        assertEquals(0, ours.exitCode(), ours.stdout());
        assertFalse(ours.stdout().contains("warning/") || ours.stdout().contains("critical/"), ours.stdout());
        String services = "Instantiated (\\d+) Services?\\.";
        String commands = "Instantiated (\\d+) CheckCommands\\.";
        assertEquals(count(stock.stdout(), services) + 5, count(ours.stdout(), services));
        assertEquals(count(stock.stdout(), commands) + 1, count(ours.stdout(), commands));
    }

    /** `icinga2 daemon -C` of Debian's /etc/icinga2 plus {@code extra}, its state kept in the temp dir. */
    private Commands.Result icingaCheck(String name, Path... extra) throws Exception {
        Path state = dir.resolve(name + ".d");
        String me = Commands.run(List.of("id", "-un")).strip();
        List<String> cmd = new ArrayList<>(List.of("env", "ICINGA2_USER=" + me, "ICINGA2_GROUP=" + me,
                IcingaFixture.ICINGA2, "daemon", "-C", "-c", dir.resolve(name).toString()));
        StringBuilder conf = new StringBuilder("include \"/etc/icinga2/icinga2.conf\"\n");
        for (Path p : extra) {
            conf.append("include \"").append(p).append("\"\n");
        }
        Files.writeString(dir.resolve(name), conf.toString());
        for (String d : new String[] {"DataDir", "LogDir", "CacheDir", "SpoolDir", "InitRunDir"}) {
            Files.createDirectories(state.resolve(d));
            cmd.addAll(List.of("-D", d + "=" + state.resolve(d)));
        }
        return Commands.exec(cmd, 60);
    }

    @Test
    void icingaRunsCheckRlimitWithTheArgumentsTheServiceSets() throws Exception {
        try (FdHolder child = FdHolder.start()) {
            child.prlimit("--nofile=1000:1000");
            child.holdFds(850);
            Path pidfile = dir.resolve("holder.pid");
            Files.writeString(pidfile, child.pid() + "\n");
            String service = String.join("\n", "object Service \"rlimit holder\" {", "  host_name = \"testhost\"",
                    "  check_command = \"rlimit\"", "  check_interval = 1s", "  retry_interval = 1s",
                    "  vars.rlimit_pidfile = \"" + pidfile + "\"", "  vars.rlimit_resource = [ \"nofile\" ]",
                    "  vars.rlimit_warning = [ \"80%\", \"nofile=70%\" ]", "}");
            try (IcingaFixture icinga = new IcingaFixture(dir.resolve("icinga"), service)) {
                JsonObject s = icinga.await("testhost", "rlimit holder", a -> a.get("last_check_result").isJsonObject(),
                        20_000);
                JsonObject cr = s.getAsJsonObject("last_check_result");
                List<String> argv = new ArrayList<>();
                for (JsonElement e : cr.getAsJsonArray("command")) {
                    argv.add(e.getAsString());
                }
                String plugin = IcingaFixture.PLUGIN_DIR.resolve("check_rlimit").toString();
                // sorted by key, arrays repeating their flag, unset vars left out
                assertEquals(List.of(plugin, "-P", pidfile.toString(), "-c", "90%", "-r", "nofile", "-w", "80%", "-w",
                        "nofile=70%"), argv);
                Commands.Result direct = Commands.exec(argv, 30);
                assertEquals(1, direct.exitCode());
                String first = direct.stdout().lines().findFirst().orElseThrow();
                String summary = first.substring(0, first.indexOf(" | "));
                assertEquals("RLIMIT WARNING - bash[" + child.pid() + "] nofile 850/1000 (85%)", summary);
                // Icinga keeps the text (and the space before its "|") and the long output; the
                // perfdata goes apart
                assertEquals(direct.stdout().replace(first, summary + " ").strip(), cr.get("output").getAsString());
                assertEquals("nofile=850;700;900;0;1000", cr.getAsJsonArray("performance_data").get(0).getAsString());
                assertEquals(1, s.get("state").getAsInt());
            }
        }
    }
}
