package org.rlimitevents.listener.sink;

import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;

/**
 * Plugin output made to fit a protocol's size limit (the command pipe's PIPE_BUF, NSCA's 4096-byte
 * field): each line encoded for the protocol, lines joined by its separator; when too long,
 * long-output lines go first, then the summary is shortened (ending "..."); the perfdata after
 * " | " is never cut.
 */
final class FittedOutput {
    private FittedOutput() {
    }

    /** {@code output} (the plugin's final newline dropped) in at most {@code maxBytes} UTF-8 bytes. */
    static String fit(String output, int maxBytes, UnaryOperator<String> encode, String separator) {
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
        int budget = maxBytes - bytes(perf) - 3;
        if (budget < 0) {
            throw new IllegalArgumentException("perfdata alone exceeds " + maxBytes + " bytes");
        }
        return truncate(text, budget) + "..." + perf;
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
