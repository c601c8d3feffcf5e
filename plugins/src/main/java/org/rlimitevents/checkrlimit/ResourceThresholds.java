package org.rlimitevents.checkrlimit;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.rlimitevents.kernel.proc.Resource;
import org.rlimitevents.plugin.Range;
import org.rlimitevents.plugin.RangeException;
import org.rlimitevents.plugin.Thresholds;

/**
 * Warning and critical ranges per resource: {@code -w 80%} sets the default for every resource,
 * {@code -w nofile=70%} one resource's; the later of two for the same target wins.
 */
public final class ResourceThresholds {
    static final String DEFAULT_WARNING = "80%";
    static final String DEFAULT_CRITICAL = "90%";

    private final Thresholds defaults;
    private final Map<Resource, Thresholds> perResource;

    private ResourceThresholds(Thresholds defaults, Map<Resource, Thresholds> perResource) {
        this.defaults = defaults;
        this.perResource = perResource;
    }

    public static ResourceThresholds parse(List<String> warnings, List<String> criticals) throws UsageException {
        Range[] defaultRanges = {range(DEFAULT_WARNING), range(DEFAULT_CRITICAL)};
        Map<Resource, Range[]> specific = new EnumMap<>(Resource.class);
        List<List<String>> both = List.of(warnings, criticals);
        for (int level = 0; level < 2; level++) {
            for (String spec : both.get(level)) {
                int eq = spec.indexOf('=');
                if (eq < 0) {
                    defaultRanges[level] = range(spec);
                } else {
                    Resource r = CheckOptions.resource(spec.substring(0, eq));
                    Range[] ranges = specific.get(r);
                    if (ranges == null) {
                        ranges = new Range[2];
                        specific.put(r, ranges);
                    }
                    ranges[level] = range(spec.substring(eq + 1));
                }
            }
        }
        Thresholds defaults = new Thresholds(defaultRanges[0], defaultRanges[1]);
        Map<Resource, Thresholds> perResource = new EnumMap<>(Resource.class);
        for (Map.Entry<Resource, Range[]> e : specific.entrySet()) {
            Range[] ranges = e.getValue();
            perResource.put(e.getKey(), new Thresholds(ranges[0] != null ? ranges[0] : defaults.warning(),
                    ranges[1] != null ? ranges[1] : defaults.critical()));
        }
        return new ResourceThresholds(defaults, perResource);
    }

    private static Range range(String text) throws UsageException {
        try {
            return Range.parse(text);
        } catch (RangeException e) {
            throw new UsageException(e.getMessage());
        }
    }

    public Thresholds of(Resource r) {
        Thresholds t = perResource.get(r);
        return t != null ? t : defaults;
    }
}
