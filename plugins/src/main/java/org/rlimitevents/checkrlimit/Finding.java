package org.rlimitevents.checkrlimit;

import java.util.Comparator;
import java.util.OptionalDouble;

import org.rlimitevents.kernel.proc.Limit;
import org.rlimitevents.kernel.proc.Resource;
import org.rlimitevents.plugin.Numbers;
import org.rlimitevents.plugin.Status;
import org.rlimitevents.plugin.Thresholds;

/**
 * One process × resource, evaluated: its usage against its limit, the absolute thresholds used, the
 * state, and a note where the usage could not be compared.
 */
public record Finding(int pid, String comm, int uid, Resource resource, OptionalDouble usage, long limit,
                      Thresholds thresholds, Status status, String note) {

    /**
     * Worst first: state, then share of the limit, then pid and resource for a stable order.
     * (Written out: Comparator combinators cost a one-shot plugin milliseconds of lambda linking.)
     */
    public static final Comparator<Finding> WORST_FIRST = new Comparator<>() {
        @Override
        public int compare(Finding a, Finding b) {
            int c = Integer.compare(b.status.severity(), a.status.severity());
            if (c == 0) {
                c = Double.compare(b.percent().orElse(-1), a.percent().orElse(-1));
            }
            if (c == 0) {
                c = Integer.compare(a.pid, b.pid);
            }
            return c != 0 ? c : a.resource.compareTo(b.resource);
        }
    };

    public OptionalDouble percent() {
        if (usage.isEmpty() || Limit.isUnlimited(limit) || limit <= 0 || note != null) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(usage.getAsDouble() * 100.0 / limit);
    }

    /** e.g. {@code nginx[1234] nofile 950/1000 (95%)}. */
    public String describe() {
        StringBuilder b = new StringBuilder().append(comm).append('[').append(pid).append("] ").append(resource.key);
        if (status == Status.UNKNOWN) {
            return b.append(": ").append(note).toString();
        }
        b.append(' ').append(usage.isPresent() ? amount(usage.getAsDouble()) : "-").append('/').append(amount(limit));
        OptionalDouble percent = percent();
        if (percent.isPresent()) {
            b.append(" (").append(Math.round(percent.getAsDouble())).append("%)");
        }
        if (resource.perUser) {
            b.append(" for uid ").append(uid);
        }
        if (note != null) {
            b.append(" (").append(note).append(')');
        }
        return b.toString();
    }

    private String amount(double v) {
        if (v == Limit.UNLIMITED) {
            return "unlimited";
        }
        switch (resource.unit) {
            case BYTES:
                return bytes(v);
            case SECONDS:
                return Numbers.format(Math.round(v * 100) / 100.0) + "s";
            case MICROSECONDS:
                return Numbers.format(v) + "us";
            default:
                return Numbers.format(v);
        }
    }

    private static String bytes(double v) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        int i = 0;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return Numbers.format(i == 0 ? v : Math.round(v * 10) / 10.0) + units[i];
    }
}
