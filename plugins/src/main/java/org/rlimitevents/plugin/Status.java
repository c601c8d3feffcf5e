package org.rlimitevents.plugin;

/** A Monitoring Plugins service state and its exit code. */
public enum Status {
    OK(0), WARNING(1), CRITICAL(2), UNKNOWN(3);

    public final int exitCode;

    Status(int exitCode) {
        this.exitCode = exitCode;
    }

    /**
     * The more severe of two states, ordered OK < UNKNOWN < WARNING < CRITICAL (monitoring-plugins'
     * {@code max_state_alt}): a real alert outranks a reading that failed.
     */
    public static Status worst(Status a, Status b) {
        return a.severity() >= b.severity() ? a : b;
    }

    public int severity() {
        switch (this) {
            case OK: return 0;
            case UNKNOWN: return 1;
            case WARNING: return 2;
            default: return 3;
        }
    }

    public static Status fromExitCode(int code) {
        for (Status s : values()) {
            if (s.exitCode == code) {
                return s;
            }
        }
        return UNKNOWN;
    }
}
