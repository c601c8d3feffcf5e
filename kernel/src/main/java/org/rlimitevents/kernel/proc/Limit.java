package org.rlimitevents.kernel.proc;

/** One soft/hard rlimit pair; {@link #UNLIMITED} stands for RLIM_INFINITY. */
public record Limit(long soft, long hard) {
    public static final long UNLIMITED = Long.MAX_VALUE;

    public static boolean isUnlimited(long value) {
        return value == UNLIMITED;
    }
}
