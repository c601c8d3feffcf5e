package org.rlimitevents.listener.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Services to watch, read from Nagios itself: the object cache (every object with templates
 * resolved, as Nagios wrote it at start-up) and the resource file for $USERn$. A service counts if
 * it is on our host and its check_command runs check_rlimit; its command line is expanded as Nagios
 * would ($ARGn$, $USERn$, $HOSTNAME$, $HOSTADDRESS$, $SERVICEDESC$) and the words after
 * check_rlimit become the service's options. The service's check_command then doubles as the active
 * fallback when passive results go stale.
 */
public final class NagiosObjects {
    /** Where a definition starts, kept with its attributes (no attribute has a NUL in its name). */
    private static final String LINE = "\0line";

    private NagiosObjects() {
    }

    /** The object cache and resource file named in nagios.cfg (paths as Nagios has them). */
    public record Paths(Path objectCache, Path resourceFile) {
    }

    public static Paths fromNagiosCfg(Path nagiosCfg) throws ConfigException {
        Path objects = null;
        Path resource = null;
        for (String line : lines(nagiosCfg)) {
            String l = line.strip();
            if (l.startsWith("object_cache_file=")) {
                objects = Path.of(l.substring(l.indexOf('=') + 1).strip());
            } else if (l.startsWith("resource_file=") && resource == null) {
                resource = Path.of(l.substring(l.indexOf('=') + 1).strip());
            }
        }
        if (objects == null) {
            throw new ConfigException(nagiosCfg + ": no object_cache_file");
        }
        return new Paths(objects, resource);
    }

    public static List<ServiceDefinition> services(Path objectCache, Path resourceFile, String hostName)
            throws ConfigException {
        Map<String, String> user = resourceFile == null ? Map.of() : userMacros(resourceFile);
        Map<String, String> commands = new HashMap<>();
        Map<String, String> addresses = new HashMap<>();
        List<Map<String, String>> services = new ArrayList<>();
        List<String> lines = lines(objectCache);
        Map<String, String> current = null;
        String type = null;
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            if (line.startsWith("define ") && line.endsWith("{")) {
                type = line.substring(7, line.length() - 1).strip();
                current = new HashMap<>();
                current.put(LINE, Integer.toString(n + 1));
            } else if (line.equals("}") && current != null) {
                switch (type) {
                    case "command" -> commands.put(current.get("command_name"), current.get("command_line"));
                    case "host" -> addresses.put(current.get("host_name"), current.get("address"));
                    case "service" -> services.add(current);
                    default -> { }
                }
                current = null;
            } else if (current != null && !line.isEmpty()) {
                int sp = indexOfBlank(line);
                if (sp > 0) {
                    current.put(line.substring(0, sp), line.substring(sp).strip());
                }
            }
        }
        List<ServiceDefinition> out = new ArrayList<>();
        for (Map<String, String> s : services) {
            String host = s.get("host_name");
            String desc = s.get("service_description");
            String check = s.get("check_command");
            if (!hostName.equals(host) || desc == null || check == null) {
                continue;
            }
            List<String> parts = splitCheckCommand(check);
            String commandLine = commands.get(parts.get(0));
            if (commandLine == null) {
                continue;
            }
            Map<String, String> macros = new HashMap<>(user);
            for (int i = 1; i < parts.size(); i++) {
                macros.put("ARG" + i, parts.get(i));
            }
            macros.put("HOSTNAME", host);
            macros.put("HOSTADDRESS", addresses.getOrDefault(host, host));
            macros.put("SERVICEDESC", desc);
            List<String> words = Words.split(expand(commandLine, macros));
            if (words.isEmpty() || !words.get(0).endsWith("/check_rlimit") && !words.get(0).equals("check_rlimit")) {
                continue;
            }
            out.add(ServiceFile.definition(objectCache + ":" + s.get(LINE) + ": service '" + desc + "'", host, desc,
                    words.subList(1, words.size())));
        }
        return out;
    }

    /** "name!arg1!arg2", where "\!" is a literal '!'. */
    static List<String> splitCheckCommand(String check) {
        List<String> parts = new ArrayList<>();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < check.length(); i++) {
            char c = check.charAt(i);
            if (c == '\\' && i + 1 < check.length() && check.charAt(i + 1) == '!') {
                b.append('!');
                i++;
            } else if (c == '!') {
                parts.add(b.toString());
                b.setLength(0);
            } else {
                b.append(c);
            }
        }
        parts.add(b.toString());
        return parts;
    }

    /** $NAME$ macros; $$ is a dollar sign; unknown macros stay as written. */
    static String expand(String line, Map<String, String> macros) {
        StringBuilder b = new StringBuilder();
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            int end = c == '$' ? line.indexOf('$', i + 1) : -1;
            if (end < 0) {
                b.append(c);
                i++;
                continue;
            }
            String name = line.substring(i + 1, end);
            if (name.isEmpty()) {
                b.append('$');
            } else if (macros.containsKey(name)) {
                b.append(macros.get(name));
            } else {
                b.append(line, i, end + 1);
            }
            i = end + 1;
        }
        return b.toString();
    }

    private static Map<String, String> userMacros(Path resourceFile) throws ConfigException {
        Map<String, String> m = new HashMap<>();
        if (!Files.isReadable(resourceFile)) {
            return m; // Debian's is nagios-only: $USERn$ then stay unexpanded, as the log will say
        }
        for (String line : lines(resourceFile)) {
            String l = line.strip();
            if (l.startsWith("$USER") && l.indexOf("$=") > 0) {
                int close = l.indexOf("$=");
                m.put(l.substring(1, close), l.substring(close + 2).strip());
            }
        }
        return m;
    }

    private static int indexOfBlank(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == ' ' || s.charAt(i) == '\t') {
                return i;
            }
        }
        return -1;
    }

    private static List<String> lines(Path p) throws ConfigException {
        return ConfigText.lines(p);
    }
}
