package org.rlimitevents.kernel.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Both tiers wait for the end of a resync alike: done, closed, or an error after the timeout. */
class EndMarkerTest {
    private final Object lock = new Object();
    private long done;
    private boolean closing;

    @Test
    void returnsWhenTheMarkerArrivesOrTheSourceClosesAndFailsAfterTheTimeout() throws Exception {
        Thread marker = new Thread(() -> {
            synchronized (lock) {
                done = 1;
                lock.notifyAll();
            }
        });
        synchronized (lock) {
            marker.start();
            EndMarker.await(lock, () -> done, 1, () -> closing, "test", 10_000);
        }
        synchronized (lock) {
            closing = true;
            EndMarker.await(lock, () -> done, 5, () -> closing, "test", 10_000); // closed: no wait
            closing = false;
            EndMarker.TimeoutException e = assertThrows(EndMarker.TimeoutException.class,
                    () -> EndMarker.await(lock, () -> done, 2, () -> closing, "ring buffer full?", 50));
            assertEquals("resync: no end marker within 50 ms (ring buffer full?)", e.getMessage());
        }
    }
}
