package org.rlimitevents.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class HealthTest {

    @Test
    void aRecoveredFailureDegradesAFatalOneStopsOnce() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        AtomicInteger fatal = new AtomicInteger();
        Health h = new Health(log::add, fatal::incrementAndGet);
        assertEquals("ok", h.describe());
        h.failed("rlimit-proc-connector", new java.io.IOException("ENOBUFS"), true);
        assertTrue(h.describe().startsWith("degraded: 1 failure(s), last: rlimit-proc-connector: IOException: ENOBUFS"
                + " (recovered) at "), h.describe());
        assertEquals(0, fatal.get());
        Thread t = h.daemon("rlimit-test", () -> {
            throw new IllegalStateException("boom");
        });
        t.start();
        t.join();
        h.failed("rlimit-other", new IllegalStateException("later"), false);
        assertEquals(1, fatal.get(), "the stop runs once");
        assertTrue(h.describe().startsWith("failing: 3 failure(s)"), h.describe());
        assertEquals("thread rlimit-test: IllegalStateException: boom (not recoverable): exiting 1 so that systemd"
                + " restarts the listener", log.get(1));
    }
}
