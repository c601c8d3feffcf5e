package org.rlimitevents.listener.sink;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Several endpoints of one kind (an Icinga HA pair, two NRDP servers, two NSCA daemons) in order
 * of preference: each result goes to the first that takes it. An endpoint that failed is tried
 * last for {@link #RECHECK_MS}, so a dead first one (which may cost a whole timeout) is not asked
 * before every result; after that it is asked first again, and results go back to it when it
 * answers. Only when every endpoint failed does the result fail (retryable, with each reason), and
 * {@link Delivery} spools it as for a single sink. A refusal that is not retryable (an object the
 * server does not know) is not retried elsewhere: the endpoints of a pair hold the same objects.
 */
public final class FailoverSink implements ResultSink {
    /** How long a failed endpoint is asked last (public for the tests). */
    public static final long RECHECK_MS = 10_000;

    private final List<ResultSink> endpoints;
    private final long[] failedAt;
    private final Consumer<String> log;
    private final LongSupplier clock;
    private int inUse;

    public FailoverSink(List<ResultSink> endpoints, Consumer<String> log) {
        this(endpoints, log, System::currentTimeMillis);
    }

    FailoverSink(List<ResultSink> endpoints, Consumer<String> log, LongSupplier clock) {
        if (endpoints.size() < 2) {
            throw new IllegalArgumentException("failover needs two endpoints or more");
        }
        this.endpoints = List.copyOf(endpoints);
        this.failedAt = new long[endpoints.size()];
        this.log = log;
        this.clock = clock;
    }

    @Override
    public synchronized void send(PassiveResult r) throws SinkException {
        List<String> reasons = new ArrayList<>();
        for (int i : order()) {
            ResultSink s = endpoints.get(i);
            try {
                s.send(r);
                failedAt[i] = 0;
                if (i != inUse) {
                    log.accept("results now go to " + s.describe() + " (failover endpoint " + (i + 1) + " of "
                            + endpoints.size() + ")");
                    inUse = i;
                }
                return;
            } catch (SinkException e) {
                if (!e.retryable()) {
                    throw e;
                }
                failedAt[i] = clock.getAsLong();
                reasons.add(e.getMessage());
            }
        }
        throw new SinkException("no endpoint took the result: " + String.join("; ", reasons), true);
    }

    /** The endpoints to try: those not failed within RECHECK_MS in order, then the others in order. */
    private List<Integer> order() {
        long now = clock.getAsLong();
        List<Integer> fresh = new ArrayList<>();
        List<Integer> failed = new ArrayList<>();
        for (int i = 0; i < endpoints.size(); i++) {
            (failedAt[i] != 0 && now - failedAt[i] < RECHECK_MS ? failed : fresh).add(i);
        }
        fresh.addAll(failed);
        return fresh;
    }

    /** The one in use (the last that took a result), then the failover order. */
    @Override
    public synchronized String describe() {
        StringBuilder b = new StringBuilder(endpoints.get(inUse).describe()).append(" (in use; failover order:");
        for (int i = 0; i < endpoints.size(); i++) {
            b.append(' ').append(i + 1).append(". ").append(endpoints.get(i).describe())
                    .append(failedAt[i] != 0 ? " [failed]" : "").append(i + 1 < endpoints.size() ? "," : ")");
        }
        return b.toString();
    }
}
