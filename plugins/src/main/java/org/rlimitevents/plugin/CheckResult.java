package org.rlimitevents.plugin;

import java.util.List;

/**
 * What a plugin found: the state, a one-line summary, long-output lines and perfdata. Plugins build
 * one; {@link OutputFormatter} alone turns it into text.
 */
public record CheckResult(Status status, String summary, List<String> longOutput, List<Perfdata> perfdata) {
    public CheckResult {
        longOutput = List.copyOf(longOutput);
        perfdata = List.copyOf(perfdata);
    }

    public static CheckResult of(Status status, String summary) {
        return new CheckResult(status, summary, List.of(), List.of());
    }
}
