package org.rlimitevents.plugin;

/** The text a plugin prints on stdout and the code it exits with. */
public record PluginOutput(String text, int exitCode) {
}
