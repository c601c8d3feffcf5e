package org.rlimitevents.plugin;

/** A warning and a critical range (either may be absent); critical is tested first. */
public record Thresholds(Range warning, Range critical) {
    public static final Thresholds NONE = new Thresholds(null, null);

    public Status evaluate(double value) {
        if (critical != null && critical.alerts(value)) {
            return Status.CRITICAL;
        }
        if (warning != null && warning.alerts(value)) {
            return Status.WARNING;
        }
        return Status.OK;
    }

    /** Percentages of {@code limit} made absolute. */
    public Thresholds ofLimit(double limit) {
        return new Thresholds(warning == null ? null : warning.ofLimit(limit),
                critical == null ? null : critical.ofLimit(limit));
    }
}
