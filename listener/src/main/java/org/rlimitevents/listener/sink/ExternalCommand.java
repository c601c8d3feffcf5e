package org.rlimitevents.listener.sink;

import java.nio.charset.StandardCharsets;

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
        String[] lines = r.output().split("\n", -1);
        int count = lines.length;
        while (count > 0 && lines[count - 1].isEmpty()) {
            count--; // the plugin's final newline
        }
        String first = count > 0 ? lines[0] : "";
        for (int keep = count; keep >= 1; keep--) {
            byte[] line = line(prefix, first, lines, keep);
            if (line.length <= MAX_BYTES) {
                return line;
            }
        }
        // Only the first line left and still too long: shorten its text, keep " | perfdata".
        int bar = first.indexOf(" | ");
        String text = bar < 0 ? first : first.substring(0, bar);
        String perf = bar < 0 ? "" : first.substring(bar);
        int budget = MAX_BYTES - 1 - prefix.getBytes(StandardCharsets.UTF_8).length
                - escape(perf).getBytes(StandardCharsets.UTF_8).length - 3;
        String shortened = truncate(escape(text), Math.max(0, budget)) + "...";
        byte[] out = (prefix + shortened + escape(perf) + "\n").getBytes(StandardCharsets.UTF_8);
        if (out.length > MAX_BYTES) {
            throw new IllegalArgumentException("perfdata alone exceeds " + MAX_BYTES + " bytes");
        }
        return out;
    }

    private static byte[] line(String prefix, String first, String[] lines, int keep) {
        StringBuilder b = new StringBuilder(prefix).append(escape(first));
        for (int i = 1; i < keep; i++) {
            b.append("\\n").append(escape(lines[i]));
        }
        return b.append('\n').toString().getBytes(StandardCharsets.UTF_8);
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

    /** At most {@code maxBytes} UTF-8 bytes, never ending inside an escape or a character. */
    private static String truncate(String s, int maxBytes) {
        int bytes = 0;
        int end = 0;
        while (end < s.length()) {
            int cp = s.codePointAt(end);
            int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + n > maxBytes) {
                break;
            }
            bytes += n;
            end += Character.charCount(cp);
        }
        String t = s.substring(0, end);
        int trailing = 0;
        for (int i = t.length() - 1; i >= 0 && t.charAt(i) == '\\'; i--) {
            trailing++;
        }
        return trailing % 2 == 1 ? t.substring(0, t.length() - 1) : t;
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
