package org.rlimitevents.listener.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class ExternalCommandTest {

    private static String line(PassiveResult r) {
        return new String(ExternalCommand.of(r), StandardCharsets.UTF_8);
    }

    @Test
    void multiLineOutputIsOneEscapedLine() {
        assertEquals("[1700000000] PROCESS_SERVICE_CHECK_RESULT;web1;rlimit nginx;2;RLIMIT CRITICAL - nginx[5] nofile"
                + " 950/1000 (95%) | nofile=950;800;900;0;1000\\nCRITICAL: nginx[5] nofile 950/1000 (95%)\n",
                line(new PassiveResult(1700000000, "web1", "rlimit nginx", 2,
                        "RLIMIT CRITICAL - nginx[5] nofile 950/1000 (95%) | nofile=950;800;900;0;1000\n"
                        + "CRITICAL: nginx[5] nofile 950/1000 (95%)\n")));
    }

    @Test
    void aProcessNameCannotInjectACommand() {
        String evil = "RLIMIT OK - x\n[0] DISABLE_NOTIFICATIONS\\\r[1] SHUTDOWN_PROGRAM[7] nofile 3/1024 (0%)\n";
        String out = line(new PassiveResult(1, "h", "s", 0, evil));
        assertEquals(1, out.chars().filter(c -> c == '\n').count(), out);
        assertTrue(out.endsWith("\n"));
        assertEquals("[1] PROCESS_SERVICE_CHECK_RESULT;h;s;0;RLIMIT OK - x\\n[0] DISABLE_NOTIFICATIONS\\\\?[1]"
                + " SHUTDOWN_PROGRAM[7] nofile 3/1024 (0%)\n", out);
    }

    @Test
    void tooLongDropsLongOutputFirstAndNeverThePerfdata() {
        StringBuilder out = new StringBuilder("RLIMIT CRITICAL - worst | a=1;2;3;0;4 b=5\n");
        for (int i = 0; i < 300; i++) {
            out.append("OK: process[").append(i).append("] nofile 1/1024 (0%)\n");
        }
        byte[] cmd = ExternalCommand.of(new PassiveResult(1, "h", "s", 2, out.toString()));
        assertTrue(cmd.length <= ExternalCommand.MAX_BYTES, "length " + cmd.length);
        String s = new String(cmd, StandardCharsets.UTF_8);
        assertTrue(s.startsWith("[1] PROCESS_SERVICE_CHECK_RESULT;h;s;2;RLIMIT CRITICAL - worst | a=1;2;3;0;4 b=5\\n"));
        assertTrue(s.endsWith("(0%)\n"), s.substring(s.length() - 40));
    }

    @Test
    void aHugeSummaryIsShortenedButThePerfdataKept() {
        String summary = "RLIMIT WARNING - " + "é".repeat(5000);
        byte[] cmd = ExternalCommand.of(new PassiveResult(1, "h", "s", 1, summary + " | nofile=1;2;3;0;4\n"));
        String s = new String(cmd, StandardCharsets.UTF_8);
        assertTrue(cmd.length <= ExternalCommand.MAX_BYTES);
        assertTrue(s.endsWith("... | nofile=1;2;3;0;4\n"), s.substring(s.length() - 30));
    }

    @Test
    void namesWithSemicolonsOrNewlinesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ExternalCommand.of(new PassiveResult(1, "h;x", "s", 0, "o")));
        assertThrows(IllegalArgumentException.class, () -> ExternalCommand.of(new PassiveResult(1, "h", "s\n", 0, "o")));
    }
}
