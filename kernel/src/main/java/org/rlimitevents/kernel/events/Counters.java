package org.rlimitevents.kernel.events;

/**
 * What an event source has done: events delivered, events the kernel could not queue (each loss
 * triggers a resync), resyncs run after losses, and exact open-fd recounts in the kernel.
 */
public record Counters(long events, long lost, long resyncs, long recounts) {
}
