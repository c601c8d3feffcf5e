package org.rlimitevents.kernel.events;

/** How events are produced, in order of preference. */
public enum Tier {
    /**
     * The kernel's own rlimit-events interface (kernel/patch/: not in mainline): the kernel reports
     * crossings of exact values; nothing else pays while nothing is watched.
     */
    NETLINK,
    /** fexit on the fd-table functions: only fd operations pay. Refused on some kernels (policy). */
    FEXIT,
    /** tp_btf/sys_exit and sched tracepoints: wherever BTF and tracepoints exist; cost is global. */
    TRACEPOINT,
    /**
     * Opt-in mode of the tracepoint tier for those who prefer no per-syscall cost to immediacy: no
     * syscall hook; the kernel's task iterator re-evaluates every watch every N ms, exactly.
     */
    SAMPLING,
    /** /proc readers with an interval that adapts to the distance to a level; no privileges. */
    POLLING
}
