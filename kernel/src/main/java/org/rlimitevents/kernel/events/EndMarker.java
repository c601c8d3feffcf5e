package org.rlimitevents.kernel.events;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * How every tier waits for the end of a resync: until the count of completed resyncs reaches
 * {@code target}, the source closes, or {@link #TIMEOUT_MS} pass, which is an error (the events
 * of the resync did not arrive) rather than a silent return.
 */
public final class EndMarker {
    public static final long TIMEOUT_MS = 5000;

    /** The resync's end did not arrive in time. */
    public static final class TimeoutException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        TimeoutException(String message) {
            super(message);
        }
    }

    private EndMarker() {
    }

    /** Called holding {@code lock}, whose notifyAll() follows every change of {@code done}. */
    public static void await(Object lock, LongSupplier done, long target, BooleanSupplier closing, String why) {
        await(lock, done, target, closing, why, TIMEOUT_MS);
    }

    static void await(Object lock, LongSupplier done, long target, BooleanSupplier closing, String why,
                      long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (done.getAsLong() < target && !closing.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException("resync: no end marker within " + timeoutMs + " ms (" + why + ")");
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
