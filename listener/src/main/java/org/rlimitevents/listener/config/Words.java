package org.rlimitevents.listener.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a command line into words the way Nagios 4 does before exec (runcmd_cmd2strv): blanks
 * separate words, single quotes keep everything literally, double quotes keep blanks and honour
 * backslash escapes, a backslash outside quotes escapes the next character.
 */
public final class Words {
    private Words() {
    }

    public static List<String> split(String line) throws ConfigException {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote == '\'') {
                if (c == '\'') {
                    quote = 0;
                } else {
                    w.append(c);
                }
            } else if (quote == '"') {
                if (c == '"') {
                    quote = 0;
                } else if (c == '\\' && i + 1 < line.length()) {
                    w.append(line.charAt(++i));
                } else {
                    w.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (c == '\\' && i + 1 < line.length()) {
                w.append(line.charAt(++i));
                inWord = true;
            } else if (c == ' ' || c == '\t') {
                if (inWord) {
                    words.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
            } else {
                w.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new ConfigException("unterminated " + (quote == '"' ? "double" : "single") + " quote in: " + line);
        }
        if (inWord) {
            words.add(w.toString());
        }
        return words;
    }
}
