package org.rlimitevents.kernel.events;

/**
 * A subscription to rlimit events. Adding a watch reports the process's current level on every
 * watched resource (old level {@link RlimitEvent#UNKNOWN_LEVEL}); after that, only changes.
 */
public interface EventSource extends AutoCloseable {
    Tier tier();

    /** Adds or replaces the watch on {@code watch.tgid()}. */
    void watch(Watch watch);

    void unwatch(int tgid);

    /** Re-evaluates every watch from the kernel's exact state; returns once its events are delivered. */
    void resync();

    Counters counters();

    @Override
    void close();
}
