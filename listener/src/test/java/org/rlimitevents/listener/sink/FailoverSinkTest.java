package org.rlimitevents.listener.sink;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class FailoverSinkTest {
    /** An endpoint that is up or down, and what it took. */
    static final class Endpoint implements ResultSink {
        final String name;
        final List<String> took = new ArrayList<>();
        boolean up = true;
        boolean refuses;
        int tries;

        Endpoint(String name) {
            this.name = name;
        }

        @Override
        public void send(PassiveResult r) throws SinkException {
            tries++;
            if (refuses) {
                throw new SinkException(name + " knows no " + r.service(), false);
            }
            if (!up) {
                throw new SinkException("cannot reach " + name, true);
            }
            took.add(r.service());
        }

        @Override
        public String describe() {
            return name;
        }
    }

    private final Endpoint a = new Endpoint("A");
    private final Endpoint b = new Endpoint("B");
    private final List<String> log = new ArrayList<>();
    private long now = 1_000_000;
    private final FailoverSink sink = new FailoverSink(List.of(a, b), log::add, () -> now);

    private static PassiveResult result(String service) {
        return new PassiveResult(0, "h", service, 0, "RLIMIT OK\n");
    }

    @Test
    void theFirstThatAnswersTakesEachResultAndTheFirstIsUsedAgainOnceBack() throws Exception {
        sink.send(result("1"));
        assertEquals("A (in use; failover order: 1. A, 2. B)", sink.describe());
        a.up = false;
        sink.send(result("2"));
        sink.send(result("3"));
        assertEquals(List.of("1"), a.took);
        assertEquals(List.of("2", "3"), b.took);
        assertEquals(2, a.tries, "a failed endpoint is tried last until the recheck");
        assertEquals(List.of("results now go to B (failover endpoint 2 of 2)"), log);
        assertEquals("B (in use; failover order: 1. A [failed], 2. B)", sink.describe());
        a.up = true;
        sink.send(result("4"));
        assertEquals(List.of("2", "3", "4"), b.took, "within the recheck interval: still B");
        now += FailoverSink.RECHECK_MS;
        sink.send(result("5"));
        assertEquals(List.of("1", "5"), a.took);
        assertEquals("results now go to A (failover endpoint 1 of 2)", log.get(1));
    }

    @Test
    void everyEndpointDownFailsRetryablyWithEachReason() {
        a.up = false;
        b.up = false;
        SinkException e = assertThrows(SinkException.class, () -> sink.send(result("1")));
        assertTrue(e.retryable());
        assertEquals("no endpoint took the result: cannot reach A; cannot reach B", e.getMessage());
        b.up = true;
        assertDoesNotThrow(() -> sink.send(result("2")));
        assertEquals(List.of("2"), b.took);
        assertEquals(2, a.tries, "both failed: each asked again, in order");
    }

    @Test
    void aRefusalIsNotRetriedElsewhere() {
        a.refuses = true;
        SinkException e = assertThrows(SinkException.class, () -> sink.send(result("x")));
        assertFalse(e.retryable());
        assertEquals(0, b.tries);
    }

    @Test
    void oneEndpointIsNoFailover() {
        assertThrows(IllegalArgumentException.class, () -> new FailoverSink(List.of(a), log::add));
    }
}
