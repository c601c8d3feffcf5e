package org.rlimitevents.listener;

import java.util.ArrayList;
import java.util.List;

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

    /** Two services' levels on one process's resource: all of them, at most four. */
    static ResourceWatch union(ResourceWatch a, ResourceWatch b) {
        List<Level> all = new ArrayList<>(a.levels());
        for (Level l : b.levels()) {
            if (!all.contains(l)) {
                all.add(l);
            }
        }
        return new ResourceWatch(a.resource(), all.subList(0, Math.min(all.size(), ResourceWatch.MAX_LEVELS)), 0);
    }

    static List<ResourceWatch> of(CheckOptions options) {
        List<ResourceWatch> watches = new ArrayList<>();
        for (Resource r : options.resources()) {
            if (!watchable(r)) {
                continue;
            }
            Thresholds t = options.thresholds().of(r);
            List<Level> levels = new ArrayList<>();
            for (Range range : new Range[] {t.warning(), t.critical()}) {
                if (range == null) {
                    continue;
                }
                for (double end : new double[] {range.start(), range.end()}) {
                    Level l = Double.isInfinite(end) || end <= 0 ? null
                            : range.isPercent() ? Level.ofLimit(end) : Level.absolute((long) Math.floor(end));
                    if (l != null && !levels.contains(l)) {
                        levels.add(l);
                    }
                }
            }
            if (!levels.isEmpty()) {
                watches.add(new ResourceWatch(r, levels.subList(0, Math.min(levels.size(), ResourceWatch.MAX_LEVELS)),
                        0));
            }
        }
        return watches;
    }
}
