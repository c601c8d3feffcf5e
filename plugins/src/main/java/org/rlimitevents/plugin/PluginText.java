package org.rlimitevents.plugin;

/**
 * Makes untrusted text (process names, command lines) safe for plugin output: one line, no
 * perfdata separator. What reaches Nagios can then neither start a new output line nor a new
 * external command.
 */
public final class PluginText {
    private PluginText() {
    }

    public static String clean(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (c == '|') {
                b.append(' ');
            } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029) {
                b.append('?');
            } else {
                b.appendCodePoint(c);
            }
        }
        return b.toString();
    }
}
