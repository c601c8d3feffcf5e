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

    /** Every level any service needs on one process's resource (more than the kernel watches at once, maybe). */
    static List<Level> union(List<Level> a, List<Level> b) {
        List<Level> all = new ArrayList<>(a);
        for (Level l : b) {
            if (!all.contains(l)) {
                all.add(l);
            }
        }
        return all;
    }

    /**
     * The levels the kernel watches on one resource when services need more than
     * {@link ResourceWatch#MAX_LEVELS}: those still {@code armed} (all still needed) while they include the nearest level
     * below the usage and the nearest at or above it (so the next crossing either way is seen), else
     * the ones nearest the usage, half below and half above. The listener re-arms after each
     * evaluation, so every level is crossed with a watch on it: none is dropped. {@code soft} places
     * percent levels (unlimited: out of reach).
     */
    static List<Level> armed(List<Level> all, List<Level> armed, long usage, long soft) {
        if (all.size() <= ResourceWatch.MAX_LEVELS) {
            return all;
        }
        List<Level> below = new ArrayList<>();
        List<Level> above = new ArrayList<>();
        for (Level l : all) {
            (usage > l.against(soft) ? below : above).add(l);
        }
        below.sort((x, y) -> Long.compare(y.against(soft), x.against(soft))); // nearest first
        above.sort((x, y) -> Long.compare(x.against(soft), y.against(soft)));
        if (armed != null && all.containsAll(armed) && (below.isEmpty() || armed.contains(below.get(0)))
                && (above.isEmpty() || armed.contains(above.get(0)))) {
            return armed;
        }
        int up = Math.min(above.size(), Math.max(ResourceWatch.MAX_LEVELS / 2, ResourceWatch.MAX_LEVELS - below.size()));
        List<Level> out = new ArrayList<>(below.subList(0, ResourceWatch.MAX_LEVELS - up));
        java.util.Collections.reverse(out);
        out.addAll(above.subList(0, up));
        return out;
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
