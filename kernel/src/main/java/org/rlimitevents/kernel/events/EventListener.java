package org.rlimitevents.kernel.events;

/** Receives events one at a time, never concurrently, in the order of their sequence numbers. */
@FunctionalInterface
public interface EventListener {
    void onEvent(RlimitEvent event);
}
