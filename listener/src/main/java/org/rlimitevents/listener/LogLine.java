package org.rlimitevents.listener;

import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * One line of the daemon's log. A timestamp comes first unless stderr goes to the journal, which
 * stamps every line itself (systemd sets JOURNAL_STREAM for a unit whose stderr it connects).
 */
final class LogLine {
    static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");

    private final Clock clock; // null: no timestamp

    private LogLine(Clock clock) {
        this.clock = clock;
    }

    static LogLine forEnvironment(Map<String, String> env, Clock clock) {
        return new LogLine(env.containsKey("JOURNAL_STREAM") ? null : clock);
    }

    String format(String message) {
        String line = "rlimit-listener: " + message;
        return clock == null ? line : STAMP.format(ZonedDateTime.now(clock)) + " " + line;
    }
}
