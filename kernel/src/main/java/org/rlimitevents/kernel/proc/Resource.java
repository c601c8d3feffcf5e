package org.rlimitevents.kernel.proc;

import java.util.Locale;
import java.util.Optional;

/**
 * The sixteen Linux rlimits, in kernel numbering (RLIMIT_CPU = 0 … RLIMIT_RTTIME = 15), with what
 * the kernel counts against each one.
 */
public enum Resource {
    CPU("cpu", "Max cpu time", Unit.SECONDS, Kind.CONSUMED, false),
    FSIZE("fsize", "Max file size", Unit.BYTES, Kind.LIMIT_ONLY, false),
    DATA("data", "Max data size", Unit.BYTES, Kind.CONSUMED, false),
    STACK("stack", "Max stack size", Unit.BYTES, Kind.CONSUMED, false),
    CORE("core", "Max core file size", Unit.BYTES, Kind.LIMIT_ONLY, false),
    RSS("rss", "Max resident set", Unit.BYTES, Kind.LIMIT_ONLY, false),
    NPROC("nproc", "Max processes", Unit.COUNT, Kind.CONSUMED, true),
    NOFILE("nofile", "Max open files", Unit.COUNT, Kind.CONSUMED, false),
    MEMLOCK("memlock", "Max locked memory", Unit.BYTES, Kind.CONSUMED, false),
    AS("as", "Max address space", Unit.BYTES, Kind.CONSUMED, false),
    LOCKS("locks", "Max file locks", Unit.COUNT, Kind.LIMIT_ONLY, false),
    SIGPENDING("sigpending", "Max pending signals", Unit.COUNT, Kind.CONSUMED, true),
    MSGQUEUE("msgqueue", "Max msgqueue size", Unit.BYTES, Kind.LIMIT_ONLY, true),
    NICE("nice", "Max nice priority", Unit.COUNT, Kind.CEILING, false),
    RTPRIO("rtprio", "Max realtime priority", Unit.COUNT, Kind.CEILING, false),
    RTTIME("rttime", "Max realtime timeout", Unit.MICROSECONDS, Kind.LIMIT_ONLY, false);

    /** How a resource relates to its limit. */
    public enum Kind {
        /** Something the process (or its user) uses up; crossing the limit fails a syscall. */
        CONSUMED,
        /** A ceiling on a setting (priority), not a consumption; the current setting is the usage. */
        CEILING,
        /** Linux has no usage to compare (or does not enforce the limit): only the limit is reported. */
        LIMIT_ONLY
    }

    /** The unit of both the limit and the usage, with its perfdata UOM. */
    public enum Unit {
        COUNT(""), BYTES("B"), SECONDS("s"), MICROSECONDS("us");

        public final String uom;

        Unit(String uom) {
            this.uom = uom;
        }
    }

    public final String key;
    /** The row label in /proc/PID/limits. */
    public final String limitsRow;
    public final Unit unit;
    public final Kind kind;
    /** Counted per real user (per user namespace), not per process. */
    public final boolean perUser;

    Resource(String key, String limitsRow, Unit unit, Kind kind, boolean perUser) {
        this.key = key;
        this.limitsRow = limitsRow;
        this.unit = unit;
        this.kind = kind;
        this.perUser = perUser;
    }

    /** The kernel's RLIMIT_* number. */
    public int number() {
        return ordinal();
    }

    public static Optional<Resource> byKey(String key) {
        String k = key.trim().toLowerCase(Locale.ROOT);
        for (Resource r : values()) {
            if (r.key.equals(k)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
