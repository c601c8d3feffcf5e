package org.rlimitevents.kernel.events;

/** Receives events, always on the event source's one delivery thread. */
@FunctionalInterface
public interface EventListener {
    void onEvent(RlimitEvent event);
}
