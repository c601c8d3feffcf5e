package org.rlimitevents.listener.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * The arguments of Icinga 2's CheckCommand "rlimit" (nagios-config/icinga2/rlimit.conf; a test
 * holds the two together): which vars.rlimit_* becomes which check_rlimit option, so the
 * listener runs a service's check as Icinga would.
 */
final class IcingaArguments {
    /** One argument: the option, the var it reads, whether an array repeats it, whether it is a flag. */
    record Argument(String option, String var, boolean repeat, boolean flag) {
    }

    static final List<Argument> ALL = List.of(
            new Argument("-p", "rlimit_pid", true, false),
            new Argument("-P", "rlimit_pidfile", true, false),
            new Argument("-C", "rlimit_command", false, false),
            new Argument("-a", "rlimit_argument", false, false),
            new Argument("-u", "rlimit_user", false, false),
            new Argument("--unit", "rlimit_unit", false, false),
            new Argument("--cgroup", "rlimit_cgroup", false, false),
            new Argument("--no-match", "rlimit_no_match", false, false),
            new Argument("-r", "rlimit_resource", true, false),
            new Argument("-w", "rlimit_warning", true, false),
            new Argument("-c", "rlimit_critical", true, false),
            new Argument("--limit", "rlimit_limit", false, false),
            new Argument("--max-lines", "rlimit_max_lines", false, false),
            new Argument("--max-bytes", "rlimit_max_bytes", false, false),
            new Argument("--perfdata", "rlimit_perfdata", false, false),
            new Argument("-t", "rlimit_timeout", false, false),
            new Argument("-v", "rlimit_verbose", false, true));

    /** The CheckCommand's own defaults, used where a service leaves a var unset. */
    static final Map<String, String> DEFAULTS = Map.of("rlimit_warning", "80%", "rlimit_critical", "90%");

    private IcingaArguments() {
    }

    /** check_rlimit's arguments for a service with these vars (null: none). */
    static List<String> of(JsonObject vars) throws IllegalArgumentException {
        List<String> args = new ArrayList<>();
        for (Argument a : ALL) {
            JsonElement v = vars == null ? null : vars.get(a.var());
            if (v == null || v.isJsonNull()) {
                String d = DEFAULTS.get(a.var());
                if (d != null) {
                    args.add(a.option());
                    args.add(d);
                }
                continue;
            }
            if (a.flag()) {
                if (v.isJsonPrimitive() && v.getAsJsonPrimitive().isBoolean() ? v.getAsBoolean() : true) {
                    args.add(a.option());
                }
            } else if (v.isJsonArray()) {
                JsonArray values = v.getAsJsonArray();
                if (!a.repeat() && values.size() != 1) {
                    throw new IllegalArgumentException("vars." + a.var() + " takes one value, not an array");
                }
                for (JsonElement e : values) {
                    args.add(a.option());
                    args.add(e.getAsString());
                }
            } else if (v.isJsonPrimitive()) {
                args.add(a.option());
                args.add(v.getAsString());
            } else {
                throw new IllegalArgumentException("vars." + a.var() + " must be a string, a number or an array");
            }
        }
        return args;
    }
}
