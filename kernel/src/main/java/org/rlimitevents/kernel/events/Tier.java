package org.rlimitevents.kernel.events;

/** How events are produced, in order of preference. */
public enum Tier {
    /** fexit on the fd-table functions: only fd operations pay. Refused on some kernels (policy). */
    FEXIT,
    /** tp_btf/sys_exit and sched tracepoints: wherever BTF and tracepoints exist; cost is global. */
    TRACEPOINT,
    /** /proc readers with an interval that adapts to the distance to a level; no privileges. */
    POLLING
}
