package org.rlimitevents.kernel.proc;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/** Parses /proc/PID/limits: one row per resource, soft and hard value, "unlimited" for infinity. */
public final class LimitsFile {
    private LimitsFile() {
    }

    public static Map<Resource, Limit> parse(String text) {
        Map<Resource, Limit> limits = new EnumMap<>(Resource.class);
        for (String line : text.split("\n")) {
            for (Resource r : Resource.values()) {
                // Row names are fixed-width padded; a prefix match plus a space keeps
                // "Max processes" from matching a longer future row name.
                if (line.startsWith(r.limitsRow + " ")) {
                    String[] cols = Tokens.whitespace(line.substring(r.limitsRow.length()));
                    if (cols.length >= 2) {
                        limits.put(r, new Limit(value(cols[0]), value(cols[1])));
                    }
                }
            }
        }
        return Collections.unmodifiableMap(limits);
    }

    private static long value(String col) {
        if (col.equals("unlimited")) {
            return Limit.UNLIMITED;
        }
        try {
            long v = Long.parseUnsignedLong(col);
            return v < 0 ? Limit.UNLIMITED : v;
        } catch (NumberFormatException e) {
            throw new IllegalStateException("unexpected value in /proc limits: " + col, e);
        }
    }
}
