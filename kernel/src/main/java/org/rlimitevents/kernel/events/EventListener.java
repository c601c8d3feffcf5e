package org.rlimitevents.kernel.events;

/** Receives events one at a time, never concurrently, in the order of their sequence numbers. */
@FunctionalInterface
public interface EventListener {
    void onEvent(RlimitEvent event);

    /**
     * A thread of the event source stopped working (its loop threw, or the kernel said something
     * it cannot recover from). {@code recovered} says whether the source went on (for example a
     * netlink ENOBUFS answered by a resync) or the thread is gone for good. The listener logs it,
     * shows it in its status and, when not recovered, exits non-zero so that systemd restarts it.
     */
    default void failed(String thread, Throwable cause, boolean recovered) {
    }
}
