package org.rlimitevents.kernel.events;

import java.util.List;

import org.rlimitevents.kernel.proc.Limit;

/**
 * The level logic of evaluate() in rlimit_events.bpf.c, for the polling tier: the same levels,
 * hysteresis and events, so both tiers report the same crossings for the same usage.
 */
final class LevelTracker {
    /** What an observation produced. */
    interface Sink {
        void limitChanged(int level, long value, long soft, long hard);

        void crossed(int oldLevel, int newLevel, long value, long soft, long hard);
    }

    private final ResourceWatch spec;
    private final long[] levels;
    private long soft = Long.MIN_VALUE;
    private long hard = Long.MIN_VALUE;
    private int current = RlimitEvent.UNKNOWN_LEVEL;
    private long value;

    LevelTracker(ResourceWatch spec) {
        this.spec = spec;
        this.levels = new long[spec.levels().size()];
    }

    ResourceWatch spec() {
        return spec;
    }

    void observe(long newValue, long newSoft, long newHard, boolean report, Sink sink) {
        if (newSoft != soft || newHard != hard || current == RlimitEvent.UNKNOWN_LEVEL) {
            List<Level> spec = this.spec.levels();
            for (int i = 0; i < levels.length; i++) {
                levels[i] = spec.get(i).against(newSoft);
            }
            java.util.Arrays.sort(levels); // mixed percent and absolute levels reorder with the limit
            if (current != RlimitEvent.UNKNOWN_LEVEL) {
                sink.limitChanged(current, newValue, newSoft, newHard);
            }
            soft = newSoft;
            hard = newHard;
        }
        int old = current;
        int n = old == RlimitEvent.UNKNOWN_LEVEL ? 0 : old;
        while (n < levels.length && above(newValue, levels[n])) {
            n++;
        }
        if (old != RlimitEvent.UNKNOWN_LEVEL) {
            while (n > 0) {
                long lvl = levels[n - 1];
                long band = spec.hysteresisPpm() == 0 ? 0 : new Level(spec.hysteresisPpm(), -1).against(lvl);
                if (!Limit.isUnlimited(lvl) && newValue <= lvl - band) {
                    n--;
                } else {
                    break;
                }
            }
        }
        value = newValue;
        current = n;
        if (n != old || report) {
            sink.crossed(old, n, newValue, soft, hard);
        }
    }

    /** The kernel compares unsigned: an unlimited level is never exceeded. */
    private static boolean above(long value, long level) {
        return !Limit.isUnlimited(level) && value > level;
    }

    /** The lowest level the value has not exceeded yet ({@link Limit#UNLIMITED} if none). */
    long nextLevelAbove() {
        for (long lvl : levels) {
            if (!above(value, lvl)) {
                return lvl;
            }
        }
        return Limit.UNLIMITED;
    }

    /** How far the value is from the nearest level, as a share of that level (0 at a level). */
    double distanceToNearestLevel() {
        double nearest = Double.MAX_VALUE;
        for (long lvl : levels) {
            if (!Limit.isUnlimited(lvl) && lvl > 0) {
                nearest = Math.min(nearest, Math.abs(value - lvl) / (double) lvl);
            }
        }
        return nearest;
    }
}
