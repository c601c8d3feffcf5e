package org.rlimitevents.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import org.junit.jupiter.api.Test;

class LogLineTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-02T02:30:01.250Z"), ZoneOffset.UTC);

    @Test
    void aTerminalOrAFileGetsATimestamp() {
        assertEquals("2026-12-02T02:30:01.250Z rlimit-listener: ready",
                LogLine.forEnvironment(Map.of("TERM", "xterm"), CLOCK).format("ready"));
    }

    @Test
    void theJournalStampsItsOwnLines() {
        assertEquals("rlimit-listener: ready",
                LogLine.forEnvironment(Map.of("JOURNAL_STREAM", "8:12345"), CLOCK).format("ready"));
    }
}
