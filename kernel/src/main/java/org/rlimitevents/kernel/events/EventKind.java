package org.rlimitevents.kernel.events;

/** What happened; the numbers are the kernel ABI (enum rl_event_kind in rlimit_events.h). */
public enum EventKind {
    CROSSING(1), LIMIT(2), EXEC(3), EXIT(4), SYNC(5);

    public final int code;

    EventKind(int code) {
        this.code = code;
    }

    public static EventKind of(int code) {
        for (EventKind k : values()) {
            if (k.code == code) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown event kind " + code);
    }
}
