package org.rlimitevents.listener.sink;

import java.nio.charset.StandardCharsets;

import org.rlimitevents.plugin.FittedOutput;

/**
 * A Nagios external command line for a passive result, safe to write to the command pipe:
 * {@code [time] PROCESS_SERVICE_CHECK_RESULT;host;service;rc;output\n}, at most {@link #MAX_BYTES}
 * bytes so one write() is atomic (PIPE_BUF). Backslashes and newlines in the output are escaped
 * (Nagios 4 unescapes {@code \\} and {@code \n}); no other control character survives, so text
 * taken from processes cannot start a second command. Too long: long-output lines go first, then
 * the summary is shortened; the perfdata is never cut.
 */
public final class ExternalCommand {
    /** Linux PIPE_BUF: a write of at most this many bytes to a pipe is atomic. */
    public static final int MAX_BYTES = 4096;

    private ExternalCommand() {
    }

    public static byte[] of(PassiveResult r) {
        checkName(r.host(), "host name");
        checkName(r.service(), "service description");
        String prefix = "[" + r.epochSeconds() + "] PROCESS_SERVICE_CHECK_RESULT;" + r.host() + ";" + r.service() + ";"
                + r.returnCode() + ";";
        int budget = MAX_BYTES - 1 - prefix.getBytes(StandardCharsets.UTF_8).length;
        return (prefix + FittedOutput.fit(r.output(), budget, ExternalCommand::escape, "\\n") + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                b.append("\\\\");
            } else if (c == '\n') {
                b.append("\\n");
            } else if (c < 0x20 || c == 0x7f) {
                b.append('?');
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** Host and service names cannot be escaped in the command syntax: refuse ';' and control characters. */
    public static void checkName(String name, String what) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("empty " + what);
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == ';' || c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException(what + " '" + ExternalCommand.escape(name)
                        + "' contains ';' or a control character, which Nagios cannot take");
            }
        }
    }
}
