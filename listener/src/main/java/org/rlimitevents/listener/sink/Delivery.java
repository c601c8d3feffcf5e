package org.rlimitevents.listener.sink;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.rlimitevents.listener.Health;

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
    /** After a round that delivered something but not all (a slow reader, a full pipe): try again soon. */
    private static final long PROGRESS_RETRY_MS = 5;

    private final ResultSink sink;
    private final Spool spool;
    private final Consumer<String> log;
    private final Health health;
    private final Thread retrier;
    /** Orders the submitters; the send happens under it, never under this object's monitor. */
    private final Object submitLock = new Object();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong spooled = new AtomicLong();
    private boolean closed;
    private RuntimeException injected;

    public Delivery(ResultSink sink, Spool spool, Consumer<String> log) {
        this(sink, spool, log, new Health(log, () -> { }));
    }

    public Delivery(ResultSink sink, Spool spool, Consumer<String> log, Health health) {
        this.sink = sink;
        this.spool = spool;
        this.log = log;
        this.health = health;
        retrier = health.daemon("rlimit-delivery", this::retryLoop);
        retrier.start();
    }

    /**
     * Accepts a result: sent now, or spooled (on disk, fsync'd) before this returns. The send is
     * outside the monitor that status and the retry thread use: a remote sink may take its whole
     * timeout.
     */
    public void submit(PassiveResult r) {
        synchronized (submitLock) {
            try {
                if (spool.isEmpty()) {
                    try {
                        sink.send(r);
                        sent.incrementAndGet();
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
                    spooled.incrementAndGet();
                } else {
                    log.accept("spool full (" + spool.bytes() + " bytes): result for " + r.host() + ";"
                            + r.service() + " dropped");
                }
            } catch (IOException e) {
                log.accept("spool: " + e.getMessage() + ": result for " + r.host() + ";" + r.service() + " dropped");
            }
        }
        kick();
    }

    /** Where results go, for the status. */
    public String describe() {
        return sink.describe();
    }

    public long sent() {
        return sent.get();
    }

    public long spooled() {
        return spooled.get();
    }

    /** Tries the spool now (at start-up, after a restart with results left over). */
    public synchronized void kick() {
        notifyAll();
    }

    /** The test hook: the retry thread throws {@code e} when it next wakes. */
    public synchronized void injectFailure(RuntimeException e) {
        injected = e;
        notifyAll();
    }

    /** Stops the retry thread and waits for it (a send under way ends within its timeout). */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            notifyAll();
        }
        if (Thread.currentThread() != retrier) {
            try {
                retrier.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Replays the spool, sending outside the lock: a remote sink may take its whole timeout, and
     * meanwhile new results are appended behind the ones being sent (the spool is not empty until
     * the last is committed), so the order holds and the listener is not held up. Anything that
     * goes wrong in a round is a failure recovered from: the spool is the state, the next round
     * starts from it.
     */
    private void retryLoop() {
        long backoff = FIRST_RETRY_MS;
        List<Spool.Entry> pending = List.of(); // what the last round left: retried without re-reading the spool
        while (true) {
            try {
                synchronized (this) {
                    while (!closed && injected == null && pending.isEmpty() && spool.isEmpty()) {
                        backoff = FIRST_RETRY_MS;
                        wait(); // nothing to retry: asleep
                    }
                    if (closed) {
                        return;
                    }
                    if (injected != null) {
                        RuntimeException e = injected;
                        injected = null;
                        throw e;
                    }
                    if (pending.isEmpty()) {
                        pending = spool.pending();
                    }
                }
                int delivered = replay(pending);
                if (delivered == pending.size()) {
                    if (!pending.isEmpty() && spool.isEmpty()) {
                        log.accept(sink.describe() + ": spooled results delivered");
                    }
                    pending = List.of();
                    backoff = FIRST_RETRY_MS;
                    continue;
                }
                pending = pending.subList(delivered, pending.size());
                long wait = delivered > 0 ? PROGRESS_RETRY_MS : backoff;
                synchronized (this) {
                    if (!closed) {
                        wait(wait);
                    }
                }
                backoff = delivered > 0 ? FIRST_RETRY_MS : Math.min(MAX_RETRY_MS, backoff * 2);
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                pending = List.of(); // read again from the spool: it is the state
                health.failed("rlimit-delivery", e, true);
                synchronized (this) {
                    try {
                        if (!closed) {
                            wait(backoff);
                        }
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
                backoff = Math.min(MAX_RETRY_MS, backoff * 2);
            }
        }
    }

    /** Sends spooled results in order; how many of {@code pending} went (or were dropped). */
    private int replay(List<Spool.Entry> pending) throws IOException {
        int done = 0;
        for (Spool.Entry e : pending) {
            synchronized (this) {
                if (closed) {
                    return done;
                }
            }
            try {
                sink.send(e.result());
                sent.incrementAndGet();
            } catch (SinkException ex) {
                if (ex.retryable()) {
                    return done;
                }
                log.accept("spooled result for " + e.result().service() + " dropped: " + ex.getMessage());
            }
            spool.commit(e.end());
            done++;
        }
        return done;
    }
}
