package org.rlimitevents.listener;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import org.rlimitevents.checkrlimit.CheckOptions;
import org.rlimitevents.kernel.events.Level;
import org.rlimitevents.kernel.events.ResourceWatch;
import org.rlimitevents.kernel.proc.Resource;
import org.rlimitevents.plugin.Range;
import org.rlimitevents.plugin.Thresholds;

/**
 * Kernel levels from a service's thresholds: every finite end of its warning and critical ranges
 * is a place where check_rlimit's verdict can change, so the kernel reports crossing it. Percent
 * ends stay percentages of the soft limit (the kernel recomputes them when the limit changes).
 */
final class Levels {
    /** Resources the event sources can measure (the others are re-evaluated at the heartbeat). */
    static boolean watchable(Resource r) {
        return r.kind == Resource.Kind.CONSUMED;
    }

    private Levels() {
    }

    /** Two services' levels on one process's resource: all of them, ascending, at most four. */
    static ResourceWatch union(ResourceWatch a, ResourceWatch b) {
        List<Level> all = new ArrayList<>(a.levels());
        for (Level l : b.levels()) {
            if (!all.contains(l)) {
                all.add(l);
            }
        }
        all.sort(java.util.Comparator.comparingDouble(Levels::sortKey));
        return new ResourceWatch(a.resource(), all.subList(0, Math.min(all.size(), ResourceWatch.MAX_LEVELS)), 0);
    }

    private static double sortKey(Level l) {
        return l.ppm() != 0 ? l.ppm() / (double) Level.PPM : l.absolute();
    }

    static List<ResourceWatch> of(CheckOptions options) {
        List<ResourceWatch> watches = new ArrayList<>();
        for (Resource r : options.resources()) {
            if (!watchable(r)) {
                continue;
            }
            Thresholds t = options.thresholds().of(r);
            TreeMap<Double, Level> levels = new TreeMap<>();
            for (Range range : new Range[] {t.warning(), t.critical()}) {
                if (range == null) {
                    continue;
                }
                for (double end : new double[] {range.start(), range.end()}) {
                    if (Double.isInfinite(end) || end <= 0) {
                        continue;
                    }
                    levels.put(end, range.isPercent() ? Level.ofLimit(end) : Level.absolute((long) Math.floor(end)));
                }
            }
            if (!levels.isEmpty()) {
                List<Level> ascending = new ArrayList<>(levels.values());
                watches.add(new ResourceWatch(r, ascending.subList(0, Math.min(ascending.size(),
                        ResourceWatch.MAX_LEVELS)), 0));
            }
        }
        return watches;
    }
}
