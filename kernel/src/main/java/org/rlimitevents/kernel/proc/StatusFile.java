package org.rlimitevents.kernel.proc;

import java.util.OptionalLong;

/**
 * /proc/PID/status, "Key:\tvalue" lines, with typed accessors for the fields we read. Fields are
 * found on demand: a check reads two or three of some fifty, for every process on the host.
 */
public final class StatusFile {
    private final String text;

    private StatusFile(String text) {
        this.text = text;
    }

    public static StatusFile parse(String text) {
        return new StatusFile(text);
    }

    private String field(String key) {
        // "Name:" is the first line and may hold any byte but newline (escaped by the kernel);
        // every other key starts a line.
        String needle = key + ":";
        int at = text.startsWith(needle) ? 0 : text.indexOf("\n" + needle);
        if (at < 0) {
            return null;
        }
        int start = at == 0 ? needle.length() : at + 1 + needle.length();
        int end = text.indexOf('\n', start);
        return text.substring(start, end < 0 ? text.length() : end).trim();
    }

    /** Whether capability {@code cap} (linux/capability.h number) is in the effective set (CapEff). */
    public boolean hasEffectiveCapability(int cap) {
        String v = field("CapEff");
        return v != null && (Long.parseUnsignedLong(v, 16) & (1L << cap)) != 0;
    }

    /** A "Vm…: N kB" field in bytes; empty for kernel threads, which have no mm. */
    public OptionalLong bytes(String key) {
        String v = field(key);
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
        String v = field(key);
        if (v == null) {
            throw new IllegalStateException("no " + key + " in /proc status");
        }
        return v;
    }
}
