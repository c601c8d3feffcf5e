package org.rlimitevents.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.OptionalDouble;

import org.junit.jupiter.api.Test;

class OutputFormatterTest {
    private final OutputFormatter formatter = new OutputFormatter("RLIMIT");

    @Test
    void firstLineLongOutputAndPerfdata() throws RangeException {
        CheckResult r = new CheckResult(Status.CRITICAL, "nginx[1234] nofile 950/1000 (95%)",
                List.of("CRITICAL: nginx[1234] nofile 950/1000 (95%)", "OK: nginx[1234] as 1MiB/unlimited"),
                List.of(new Perfdata("nofile", OptionalDouble.of(950), "",
                        new Thresholds(Range.parse("800"), Range.parse("900")), OptionalDouble.of(0),
                        OptionalDouble.of(1000))));
        PluginOutput out = formatter.format(r);
        assertEquals("RLIMIT CRITICAL - nginx[1234] nofile 950/1000 (95%) | nofile=950;800;900;0;1000\n"
                + "CRITICAL: nginx[1234] nofile 950/1000 (95%)\n"
                + "OK: nginx[1234] as 1MiB/unlimited\n", out.text());
        assertEquals(2, out.exitCode());
    }

    @Test
    void untrustedTextCannotAddLinesOrPerfdata() {
        PluginOutput out = formatter.format(new CheckResult(Status.OK, "x\n[0] DISABLE_NOTIFICATIONS|a=1",
                List.of("evil\r\nline|b=2"), List.of()));
        assertEquals("RLIMIT OK - x?[0] DISABLE_NOTIFICATIONS a=1\nevil??line b=2\n", out.text());
        assertEquals(0, out.exitCode());
    }

    @Test
    void unknownCarriesTheReason() {
        PluginOutput out = formatter.unknown("check timed out after 10 s");
        assertEquals("RLIMIT UNKNOWN - check timed out after 10 s\n", out.text());
        assertEquals(3, out.exitCode());
    }
}
