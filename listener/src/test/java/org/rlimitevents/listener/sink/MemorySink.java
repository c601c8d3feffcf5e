package org.rlimitevents.listener.sink;

import java.util.ArrayList;
import java.util.List;

/** A result sink in memory, for tests of what sends results: every result, in order; can be made to fail. */
public final class MemorySink implements ResultSink {
    private final List<PassiveResult> results = new ArrayList<>();
    private boolean failing;

    @Override
    public synchronized void send(PassiveResult result) throws SinkException {
        if (failing) {
            throw new SinkException("memory sink told to fail", true);
        }
        results.add(result);
    }

    @Override
    public String describe() {
        return "memory";
    }

    public synchronized void failing(boolean on) {
        failing = on;
    }

    /** The results so far, and forgets them. */
    public synchronized List<PassiveResult> take() {
        List<PassiveResult> out = new ArrayList<>(results);
        results.clear();
        return out;
    }
}
