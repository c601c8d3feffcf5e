package org.rlimitevents.listener;

import java.time.Instant;
import java.util.function.Consumer;

/**
 * The one failure path of the listener's threads: a failure is logged with its cause and shown by
 * {@code status} ("health: degraded ..."); one the thread recovered from leaves the listener
 * running, any other makes it stop and exit non-zero, so that systemd's Restart= starts it afresh
 * rather than leaving a listener that looks alive and watches nothing.
 */
public final class Health {
    private final Consumer<String> log;
    private final Runnable fatal;
    private int failures;
    private String last;
    private boolean failing;

    /** {@code fatal} runs once, on the first failure not recovered from (it stops the process). */
    public Health(Consumer<String> log, Runnable fatal) {
        this.log = log;
        this.fatal = fatal;
    }

    public void failed(String thread, Throwable cause, boolean recovered) {
        String reason = thread + ": " + describe(cause) + (recovered ? " (recovered)" : " (not recoverable)");
        boolean first;
        synchronized (this) {
            failures++;
            last = reason + " at " + Instant.now();
            first = !recovered && !failing;
            failing |= !recovered;
        }
        log.accept("thread " + reason + (recovered ? "" : ": exiting 1 so that systemd restarts the listener"));
        if (first) {
            fatal.run();
        }
    }

    /** Runs {@code loop} as a daemon thread whose death by an exception is a failure, not a silence. */
    public Thread daemon(String name, Runnable loop) {
        Thread t = new Thread(() -> {
            try {
                loop.run();
            } catch (RuntimeException | Error e) {
                failed(name, e, false);
            }
        }, name);
        t.setDaemon(true);
        return t;
    }

    /** What {@code status} says: "ok" or "degraded: N failure(s), last: ...". */
    public synchronized String describe() {
        return failures == 0 ? "ok" : (failing ? "failing" : "degraded") + ": " + failures + " failure(s), last: " + last;
    }

    static String describe(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
