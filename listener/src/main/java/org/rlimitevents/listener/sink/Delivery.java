package org.rlimitevents.listener.sink;

import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/**
 * Delivers results in the order they were accepted. While the spool is empty a result goes
 * straight to the sink; when the sink fails (Nagios stopped, pipe full) the result is spooled, and
 * every later one too, until a retry thread (backing off from 1 s to 30 s, asleep when there is
 * nothing to retry) has replayed the spool. A non-retryable failure (a result the server will
 * never take, such as one for an object it does not know) is logged and dropped.
 */
public final class Delivery implements AutoCloseable {
    private static final long FIRST_RETRY_MS = 1000;
    private static final long MAX_RETRY_MS = 30_000;

    private final ResultSink sink;
    private final Spool spool;
    private final Consumer<String> log;
    private final Thread retrier;
    private boolean closed;
    private long sent;
    private long spooled;

    public Delivery(ResultSink sink, Spool spool, Consumer<String> log) {
        this.sink = sink;
        this.spool = spool;
        this.log = log;
        retrier = new Thread(this::retryLoop, "rlimit-delivery");
        retrier.setDaemon(true);
        retrier.start();
    }

    /** Accepts a result: sent now, or spooled (on disk, fsync'd) before this returns. */
    public synchronized void submit(PassiveResult r) {
        try {
            if (spool.isEmpty()) {
                try {
                    sink.send(r);
                    sent++;
                    return;
                } catch (SinkException e) {
                    if (!e.retryable()) {
                        log.accept("result for " + r.host() + ";" + r.service() + " dropped: " + e.getMessage());
                        return;
                    }
                    log.accept(sink.describe() + ": " + e.getMessage() + "; spooling results until it takes them");
                }
            }
            if (spool.append(r)) {
                spooled++;
            } else {
                log.accept("spool full (" + spool.bytes() + " bytes): result for " + r.host() + ";" + r.service()
                        + " dropped");
            }
            notifyAll();
        } catch (IOException e) {
            log.accept("spool: " + e.getMessage() + ": result for " + r.host() + ";" + r.service() + " dropped");
        }
    }

    /** Where results go, for the status. */
    public String describe() {
        return sink.describe();
    }

    public synchronized long sent() {
        return sent;
    }

    public synchronized long spooled() {
        return spooled;
    }

    /** Tries the spool now (at start-up, after a restart with results left over). */
    public synchronized void kick() {
        notifyAll();
    }

    @Override
    public synchronized void close() {
        closed = true;
        notifyAll();
    }

    /**
     * Replays the spool, sending outside the lock: a remote sink may take its whole timeout, and
     * meanwhile new results are appended behind the ones being sent (the spool is not empty until
     * the last is committed), so the order holds and the listener is not held up.
     */
    private void retryLoop() {
        long backoff = FIRST_RETRY_MS;
        while (true) {
            List<Spool.Entry> pending;
            try {
                synchronized (this) {
                    while (!closed && spool.isEmpty()) {
                        backoff = FIRST_RETRY_MS;
                        wait(); // nothing to retry: asleep
                    }
                    if (closed) {
                        return;
                    }
                    pending = spool.pending();
                }
                if (replay(pending)) {
                    log.accept(sink.describe() + ": spooled results delivered");
                    backoff = FIRST_RETRY_MS;
                    continue;
                }
                synchronized (this) {
                    if (!closed) {
                        wait(backoff);
                    }
                }
                backoff = Math.min(MAX_RETRY_MS, backoff * 2);
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                log.accept("spool: " + e.getMessage());
                synchronized (this) {
                    try {
                        wait(MAX_RETRY_MS);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        }
    }

    /** Sends spooled results in order; true when all of {@code pending} went (or were dropped). */
    private boolean replay(List<Spool.Entry> pending) throws IOException {
        for (Spool.Entry e : pending) {
            try {
                sink.send(e.result());
                synchronized (this) {
                    sent++;
                }
            } catch (SinkException ex) {
                if (ex.retryable()) {
                    return false;
                }
                log.accept("spooled result for " + e.result().service() + " dropped: " + ex.getMessage());
            }
            spool.commit(e.end());
        }
        return true;
    }
}
