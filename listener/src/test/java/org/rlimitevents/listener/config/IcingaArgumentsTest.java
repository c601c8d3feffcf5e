package org.rlimitevents.listener.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.Test;

class IcingaArgumentsTest {
    private static final Path COMMAND = Path.of("../nagios-config/icinga2/rlimit.conf");

    /** The table the listener uses is the CheckCommand's arguments block, entry by entry. */
    @Test
    void theTableIsTheCheckCommandsArguments() throws Exception {
        String conf = Files.readString(COMMAND);
        Matcher m = Pattern.compile("\"(-[-a-zA-Z]+)\" = \\{\\s*(value|set_if) = \"\\$(\\w+)\\$\"(\\s*repeat_key = true)?")
                .matcher(conf);
        List<IcingaArguments.Argument> declared = new ArrayList<>();
        while (m.find()) {
            declared.add(new IcingaArguments.Argument(m.group(1), m.group(3), m.group(4) != null,
                    m.group(2).equals("set_if")));
        }
        assertEquals(IcingaArguments.ALL, declared);
        Matcher d = Pattern.compile("vars\\.(rlimit_\\w+) = \"([^\"]*)\"").matcher(conf);
        List<String> defaults = new ArrayList<>();
        while (d.find()) {
            defaults.add(d.group(1) + "=" + d.group(2));
        }
        assertEquals(List.of("rlimit_warning=80%", "rlimit_critical=90%"), defaults);
        assertEquals(IcingaArguments.DEFAULTS.get("rlimit_warning"), "80%");
        assertEquals(IcingaArguments.DEFAULTS.get("rlimit_critical"), "90%");
    }

    private static JsonObject vars(String json) {
        return JsonParser.parseString(json).getAsJsonObject();
    }

    @Test
    void varsBecomeTheArgumentsIcingaRenders() {
        assertEquals(List.of("-P", "/run/sshd.pid", "-r", "nofile", "-r", "as", "-w", "80%", "-w", "nofile=70%", "-c",
                "90%", "-v"), IcingaArguments.of(vars("{\"rlimit_pidfile\":\"/run/sshd.pid\",\"rlimit_resource\":"
                        + "[\"nofile\",\"as\"],\"rlimit_warning\":[\"80%\",\"nofile=70%\"],\"rlimit_verbose\":true,"
                        + "\"other\":1}")));
        assertEquals(List.of("-p", "1234", "-w", "80%", "-c", "90%"), IcingaArguments.of(vars(
                "{\"rlimit_pid\":1234,\"rlimit_verbose\":false}")));
        assertEquals(List.of("-C", "php-fpm", "-w", "80%", "-c", "90%", "--perfdata", "all"), IcingaArguments.of(vars(
                "{\"rlimit_command\":\"php-fpm\",\"rlimit_perfdata\":\"all\"}")));
        assertThrows(IllegalArgumentException.class, () -> IcingaArguments.of(vars("{\"rlimit_command\":[\"a\",\"b\"]}")));
        assertThrows(IllegalArgumentException.class, () -> IcingaArguments.of(vars("{\"rlimit_user\":{\"x\":1}}")));
    }
}
