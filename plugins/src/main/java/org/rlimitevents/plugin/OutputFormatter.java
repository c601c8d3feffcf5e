package org.rlimitevents.plugin;

/**
 * The one place results become plugin text: {@code SERVICE STATE - summary | perfdata}, then
 * the long-output lines. All text parts are cleaned of newlines and '|'.
 */
public final class OutputFormatter {
    private final String serviceName;

    public OutputFormatter(String serviceName) {
        this.serviceName = serviceName;
    }

    public PluginOutput format(CheckResult result) {
        StringBuilder b = new StringBuilder();
        b.append(serviceName).append(' ').append(result.status().name()).append(" - ")
                .append(PluginText.clean(result.summary()));
        if (!result.perfdata().isEmpty()) {
            b.append(" |");
            for (Perfdata p : result.perfdata()) {
                b.append(' ').append(p);
            }
        }
        b.append('\n');
        for (String line : result.longOutput()) {
            b.append(PluginText.clean(line)).append('\n');
        }
        return new PluginOutput(b.toString(), result.status().exitCode);
    }

    /** A failure of the plugin itself (bad options, timeout): UNKNOWN with a reason. */
    public PluginOutput unknown(String reason) {
        return format(CheckResult.of(Status.UNKNOWN, reason));
    }
}
