package org.rlimitevents.plugin;

import java.util.OptionalDouble;

/** One performance data item: {@code 'label'=value[UOM];[warn];[crit];[min];[max]}. */
public record Perfdata(String label, OptionalDouble value, String uom, Thresholds thresholds,
                       OptionalDouble min, OptionalDouble max) {

    public Perfdata {
        if (label.isEmpty()) {
            throw new IllegalArgumentException("empty perfdata label");
        }
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        b.append(quoteLabel(label)).append('=');
        b.append(value.isPresent() ? Numbers.format(value.getAsDouble()) + uom : "U");
        String[] tail = {
            thresholds.warning() == null ? "" : thresholds.warning().toString(),
            thresholds.critical() == null ? "" : thresholds.critical().toString(),
            min.isPresent() ? Numbers.format(min.getAsDouble()) : "",
            max.isPresent() ? Numbers.format(max.getAsDouble()) : "",
        };
        int last = tail.length;
        while (last > 0 && tail[last - 1].isEmpty()) {
            last--;
        }
        for (int i = 0; i < last; i++) {
            b.append(';').append(tail[i]);
        }
        return b.toString();
    }

    /**
     * '=' cannot appear in a label at all; a quote is doubled; the label is quoted when it holds
     * anything but letters, digits, '_', '.', '-' (quoting is always allowed).
     */
    static String quoteLabel(String label) {
        String clean = PluginText.clean(label).replace('=', '_');
        for (int i = 0; i < clean.length(); i++) {
            char c = clean.charAt(i);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '.' || c == '-' || c == '[' || c == ']';
            if (!plain) {
                return "'" + clean.replace("'", "''") + "'";
            }
        }
        return clean;
    }
}
