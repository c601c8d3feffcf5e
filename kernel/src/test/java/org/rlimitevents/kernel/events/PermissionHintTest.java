package org.rlimitevents.kernel.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.rlimitevents.kernel.proc.StatusFile;

/** The EPERM hint blames missing capabilities only when they are missing. */
class PermissionHintTest {
    private static final String REFUSED = " (this process has the capabilities: the kernel refused it)";
    private static final String MISSING = " (needs CAP_BPF and CAP_PERFMON, or root)";

    private static String hint(String capEff) {
        return EventSources.permissionHint(StatusFile.parse("Name:\tjava\nUmask:\t0022\nCapEff:\t" + capEff + "\n"));
    }

    @Test
    void rootAndTheUnitsCapabilitiesAreTheKernelsRefusal() {
        assertEquals(REFUSED, hint("000001ffffffffff")); // root
        assertEquals(REFUSED, hint("000000c000000000")); // CAP_BPF + CAP_PERFMON only (the unit)
        assertEquals(REFUSED, hint("0000000000200000")); // CAP_SYS_ADMIN
    }

    @Test
    void withoutThemTheyAreNamed() {
        assertEquals(MISSING, hint("0000000000000000"));
        assertEquals(MISSING, hint("0000008000000000")); // CAP_BPF without CAP_PERFMON
    }
}
