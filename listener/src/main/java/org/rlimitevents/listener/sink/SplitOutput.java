package org.rlimitevents.listener.sink;

import java.util.ArrayList;
import java.util.List;

/**
 * A plugin's printed output taken apart, for protocols that want the pieces separately (Icinga's
 * API): the text (summary, then long output, real newlines) and the perfdata items of the first
 * line, split at spaces outside quoted labels.
 */
record SplitOutput(String text, List<String> perfdata) {
    static SplitOutput of(String output) {
        String trimmed = output.endsWith("\n") ? output.substring(0, output.length() - 1) : output;
        int nl = trimmed.indexOf('\n');
        String first = nl < 0 ? trimmed : trimmed.substring(0, nl);
        String rest = nl < 0 ? "" : trimmed.substring(nl);
        int bar = first.indexOf('|');
        if (bar < 0) {
            return new SplitOutput(trimmed, List.of());
        }
        return new SplitOutput(first.substring(0, bar).stripTrailing() + rest, split(first.substring(bar + 1)));
    }

    private static List<String> split(String perf) {
        List<String> items = new ArrayList<>();
        StringBuilder item = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < perf.length(); i++) {
            char c = perf.charAt(i);
            if (c == '\'') {
                quoted = !quoted;
            }
            if (c == ' ' && !quoted) {
                if (item.length() > 0) {
                    items.add(item.toString());
                    item.setLength(0);
                }
            } else {
                item.append(c);
            }
        }
        if (item.length() > 0) {
            items.add(item.toString());
        }
        return items;
    }
}
