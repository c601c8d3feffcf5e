package org.rlimitevents.kernel.events;

/**
 * A level: a fraction of the current soft limit (in parts per million, recomputed whenever the limit
 * changes) or an absolute value in the resource's unit. Crossed upwards when usage exceeds it.
 */
public record Level(int ppm, long absolute) {
    public static final int PPM = 1_000_000;

    public Level {
        if (ppm < 0 || (ppm == 0) == (absolute < 0)) {
            throw new IllegalArgumentException("a level is either a share of the limit or an absolute value");
        }
    }

    /** {@code percent} of the soft limit, e.g. 80.0. */
    public static Level ofLimit(double percent) {
        return new Level((int) Math.round(percent * PPM / 100.0), -1);
    }

    public static Level absolute(long value) {
        return new Level(0, value);
    }

    /** The absolute level against a soft limit (unlimited puts a relative level out of reach). */
    public long against(long soft) {
        if (ppm == 0) {
            return absolute;
        }
        if (org.rlimitevents.kernel.proc.Limit.isUnlimited(soft)) {
            return org.rlimitevents.kernel.proc.Limit.UNLIMITED;
        }
        // same arithmetic as scale() in rlimit_events.bpf.c
        return soft / PPM * ppm + soft % PPM * ppm / PPM;
    }
}
