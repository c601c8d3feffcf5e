package org.rlimitevents.kernel.proc;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/** /proc/PID/status as "Key:\tvalue" pairs, with typed accessors for the fields we read. */
public final class StatusFile {
    private final Map<String, String> fields;

    private StatusFile(Map<String, String> fields) {
        this.fields = fields;
    }

    public static StatusFile parse(String text) {
        Map<String, String> fields = new HashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return new StatusFile(fields);
    }

    /** A "Vm…: N kB" field in bytes; empty for kernel threads, which have no mm. */
    public OptionalLong bytes(String key) {
        String v = fields.get(key);
        if (v == null) {
            return OptionalLong.empty();
        }
        String[] parts = Tokens.whitespace(v);
        long n = Long.parseLong(parts[0]);
        return OptionalLong.of(parts.length > 1 && parts[1].equals("kB") ? n * 1024 : n);
    }

    /** The real uid: the first of the four ids on the "Uid:" line. */
    public int realUid() {
        return Integer.parseInt(Tokens.whitespace(required("Uid"))[0]);
    }

    public int threads() {
        return Integer.parseInt(required("Threads"));
    }

    /** The per-user count of queued signals, the first half of "SigQ: n/limit". */
    public long queuedSignals() {
        return Long.parseLong(required("SigQ").split("/")[0]);
    }

    private String required(String key) {
        String v = fields.get(key);
        if (v == null) {
            throw new IllegalStateException("no " + key + " in /proc status");
        }
        return v;
    }
}
