package org.rlimitevents.kernel.proc;

import java.util.ArrayList;
import java.util.List;

/**
 * Whitespace splitting and digit checks without java.util.regex: the first regex in a JVM starts
 * the lambda machinery (~15 ms), which a one-shot plugin cannot afford on every run.
 */
public final class Tokens {
    private Tokens() {
    }

    /** The words of {@code s}, split on runs of spaces and tabs. */
    public static String[] whitespace(String s) {
        List<String> words = new ArrayList<>();
        int i = 0;
        int n = s.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i > start) {
                words.add(s.substring(start, i));
            }
        }
        return words.toArray(new String[0]);
    }

    /** One to {@code maxLength} ASCII digits. */
    public static boolean isDigits(String s, int maxLength) {
        if (s.isEmpty() || s.length() > maxLength) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
