package org.rlimitevents.plugin;

import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;

/**
 * Plugin output made to fit a size limit (the command pipe's PIPE_BUF, NSCA's 4096-byte field,
 * NRPE's 1 KiB v2 packet: check_rlimit --max-bytes): each line encoded for the protocol, lines
 * joined by its separator; when too long, the last long-output lines go first, then the summary
 * is shortened (ending "..."); the perfdata after " | " is cut last, and only by whole items from
 * its end, so what reaches the graphs is never a broken value.
 */
public final class FittedOutput {
    private FittedOutput() {
    }

    /** {@code output} (the plugin's final newline dropped) in at most {@code maxBytes} UTF-8 bytes. */
    public static String fit(String output, int maxBytes, UnaryOperator<String> encode, String separator) {
        String[] lines = output.split("\n", -1);
        int count = lines.length;
        while (count > 0 && lines[count - 1].isEmpty()) {
            count--;
        }
        String first = count > 0 ? lines[0] : "";
        for (int keep = count; keep >= 1; keep--) {
            StringBuilder b = new StringBuilder(encode.apply(first));
            for (int i = 1; i < keep; i++) {
                b.append(separator).append(encode.apply(lines[i]));
            }
            if (bytes(b.toString()) <= maxBytes) {
                return b.toString();
            }
        }
        int bar = first.indexOf(" | ");
        String text = encode.apply(bar < 0 ? first : first.substring(0, bar));
        String perf = bar < 0 ? "" : encode.apply(first.substring(bar));
        while (bytes(perf) + 3 > maxBytes && perf.lastIndexOf(' ') > 2) {
            perf = perf.substring(0, perf.lastIndexOf(' ')); // " | a b c": whole items from the end
        }
        if (bytes(perf) + 3 > maxBytes) {
            perf = "";
        }
        return truncate(text, Math.max(0, maxBytes - bytes(perf) - 3)) + "..." + perf;
    }

    private static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** At most {@code maxBytes} UTF-8 bytes, never ending inside an escape or a character. */
    private static String truncate(String s, int maxBytes) {
        int bytes = 0;
        int end = 0;
        while (end < s.length()) {
            int cp = s.codePointAt(end);
            int n = bytes(new String(Character.toChars(cp)));
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
}
