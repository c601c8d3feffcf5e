package org.rlimitevents.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class StatusTest {

    @Test
    void exitCodes() {
        assertEquals(0, Status.OK.exitCode);
        assertEquals(1, Status.WARNING.exitCode);
        assertEquals(2, Status.CRITICAL.exitCode);
        assertEquals(3, Status.UNKNOWN.exitCode);
    }

    @Test
    void worstOfOrdersOkUnknownWarningCritical() {
        assertEquals(Status.UNKNOWN, Status.worst(Status.OK, Status.UNKNOWN));
        assertEquals(Status.WARNING, Status.worst(Status.UNKNOWN, Status.WARNING));
        assertEquals(Status.CRITICAL, Status.worst(Status.CRITICAL, Status.WARNING));
        assertEquals(Status.CRITICAL, Status.worst(Status.UNKNOWN, Status.CRITICAL));
        assertEquals(Status.OK, Status.worst(Status.OK, Status.OK));
    }

    @Test
    void unexpectedExitCodesAreUnknown() {
        assertEquals(Status.UNKNOWN, Status.fromExitCode(138));
        assertEquals(Status.WARNING, Status.fromExitCode(1));
    }
}
