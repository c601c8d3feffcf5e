package org.rlimitevents.plugin;

/**
 * A Monitoring Plugins threshold range, {@code [@]start:end}: alert when the value is outside
 * [start, end] (ends inclusive), or inside it with a leading '@'. {@code ~} is minus infinity, an
 * empty end plus infinity, and an omitted start 0. Endpoints may carry '%', making the range a
 * percentage of a limit that {@link #ofLimit} turns into an absolute range.
 */
public final class Range {

    private final double start;
    private final double end;
    private final boolean inside;
    private final boolean percent;

    private Range(double start, double end, boolean inside, boolean percent) {
        this.start = start;
        this.end = end;
        this.inside = inside;
        this.percent = percent;
    }

    /** Alert when the value is above {@code end} (or below 0): the range "end". */
    public static Range upTo(double end) {
        return new Range(0, end, false, false);
    }

    public static Range parse(String text) throws RangeException {
        if (text == null) {
            throw new RangeException("", "empty");
        }
        String s = text.trim();
        boolean inside = s.startsWith("@");
        if (inside) {
            s = s.substring(1);
        }
        if (s.isEmpty()) {
            throw new RangeException(text, "empty");
        }
        int colon = s.indexOf(':');
        if (colon != s.lastIndexOf(':')) {
            throw new RangeException(text, "more than one ':'");
        }
        String startText = colon < 0 ? "" : s.substring(0, colon);
        String endText = colon < 0 ? s : s.substring(colon + 1);
        boolean startPct = startText.endsWith("%");
        boolean endPct = endText.endsWith("%");
        if (startPct) {
            startText = startText.substring(0, startText.length() - 1);
        }
        if (endPct) {
            endText = endText.substring(0, endText.length() - 1);
        }
        // "~:%" would be a percentage of nothing, and print back as "~:", another range
        if (startPct && (startText.isEmpty() || startText.equals("~")) || endPct && endText.isEmpty()) {
            throw new RangeException(text, "'%' must follow a number");
        }
        double start = startText.equals("~") ? Double.NEGATIVE_INFINITY
                : startText.isEmpty() ? 0 : number(text, startText);
        if (colon < 0 && endText.isEmpty()) {
            throw new RangeException(text, "no end value");
        }
        double end = endText.isEmpty() ? Double.POSITIVE_INFINITY : number(text, endText);
        if (start > end) {
            throw new RangeException(text, "start is greater than end");
        }
        return new Range(start, end, inside, startPct || endPct);
    }

    private static double number(String range, String s) throws RangeException {
        if (!isDecimal(s)) {
            throw new RangeException(range, "'" + s + "' is not a number");
        }
        double v = Double.parseDouble(s);
        if (Double.isInfinite(v)) {
            throw new RangeException(range, "'" + s + "' is out of range");
        }
        return v + 0.0; // -0 is 0
    }

    /** {@code [-+]?(digits[.digits]|.digits)([eE][-+]?digits)?}, checked by hand (no regex at start-up). */
    static boolean isDecimal(String s) {
        int i = 0;
        int n = s.length();
        if (i < n && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
            i++;
        }
        int intDigits = digits(s, i);
        i += intDigits;
        int fracDigits = 0;
        if (i < n && s.charAt(i) == '.') {
            i++;
            fracDigits = digits(s, i);
            i += fracDigits;
        }
        if (intDigits + fracDigits == 0) {
            return false;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
                i++;
            }
            int expDigits = digits(s, i);
            if (expDigits == 0) {
                return false;
            }
            i += expDigits;
        }
        return i == n;
    }

    private static int digits(String s, int from) {
        int i = from;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        return i - from;
    }

    public boolean alerts(double value) {
        boolean within = value >= start && value <= end;
        return inside == within;
    }

    public boolean isPercent() {
        return percent;
    }

    public double start() {
        return start;
    }

    public double end() {
        return end;
    }

    public boolean inside() {
        return inside;
    }

    /** This range with percentages of {@code limit} made absolute; an absolute range is returned as is. */
    public Range ofLimit(double limit) {
        if (!percent) {
            return this;
        }
        return new Range(scale(start, limit), scale(end, limit), inside, false);
    }

    private static double scale(double v, double limit) {
        return Double.isInfinite(v) ? v : v * limit / 100.0;
    }

    /** The canonical text, as perfdata warn/crit fields carry it. */
    @Override
    public String toString() {
        String pct = percent ? "%" : "";
        String startText = start == Double.NEGATIVE_INFINITY ? "~" : Numbers.format(start) + pct;
        String endText = end == Double.POSITIVE_INFINITY ? "" : Numbers.format(end) + pct;
        String body = start == 0 && !Double.isInfinite(end) ? endText : startText + ":" + endText;
        return (inside ? "@" : "") + body;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Range r && Double.compare(start, r.start) == 0 && Double.compare(end, r.end) == 0
                && inside == r.inside && percent == r.percent;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(start, end, inside, percent);
    }
}
