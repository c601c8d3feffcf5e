package org.rlimitevents.kernel.proc;

import java.util.OptionalDouble;

/**
 * How much of a resource a process (or, for per-user resources, its real user) uses, in the
 * resource's own unit, from the kernel's own accounting as /proc shows it.
 */
public final class Usage {
    private Usage() {
    }

    /** Empty where Linux keeps no usage to compare with the limit. */
    public static OptionalDouble of(ProcEntry p, Resource r, ProcFs procFs) {
        switch (r) {
            case NOFILE:
                return OptionalDouble.of(p.openFds());
            case AS:
                return bytes(p, "VmSize");
            case DATA:
                return bytes(p, "VmData");
            case STACK:
                return bytes(p, "VmStk");
            case MEMLOCK: {
                // RLIMIT_MEMLOCK is checked against mlock()ed pages and, separately, pinned pages.
                StatusFile s = p.status();
                if (s.bytes("VmLck").isEmpty()) {
                    return OptionalDouble.empty();
                }
                return OptionalDouble.of(s.bytes("VmLck").getAsLong() + s.bytes("VmPin").orElse(0));
            }
            case RSS:
                return bytes(p, "VmRSS");
            case CPU:
                return OptionalDouble.of(p.stat().cpuSeconds());
            case NPROC:
                return OptionalDouble.of(procFs.tasksOfUser(p.status().realUid()));
            case SIGPENDING:
                return OptionalDouble.of(p.status().queuedSignals());
            case NICE:
                // RLIMIT_NICE is on the scale 20 - nice: a limit of 20 lets the process reach nice 0.
                return OptionalDouble.of(20 - p.stat().nice());
            case RTPRIO:
                return OptionalDouble.of(p.stat().rtPriority());
            default:
                return OptionalDouble.empty();
        }
    }

    private static OptionalDouble bytes(ProcEntry p, String key) {
        var v = p.status().bytes(key);
        return v.isPresent() ? OptionalDouble.of(v.getAsLong()) : OptionalDouble.empty();
    }
}
