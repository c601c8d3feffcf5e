package org.rlimitevents.kernel.events;

import java.util.List;

import org.rlimitevents.kernel.proc.Resource;

/**
 * The levels watched on one resource, in any order (percent levels move with the limit, so the
 * event sources sort them against the current one), and the hysteresis band below each (ppm of it).
 */
public record ResourceWatch(Resource resource, List<Level> levels, int hysteresisPpm) {
    public static final int MAX_LEVELS = 4;

    public ResourceWatch {
        levels = List.copyOf(levels);
        if (levels.isEmpty() || levels.size() > MAX_LEVELS) {
            throw new IllegalArgumentException("1 to " + MAX_LEVELS + " levels per resource");
        }
        if (hysteresisPpm < 0 || hysteresisPpm >= Level.PPM) {
            throw new IllegalArgumentException("hysteresis must be below 100%");
        }
    }
}
