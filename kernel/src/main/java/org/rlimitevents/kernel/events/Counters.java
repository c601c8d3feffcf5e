package org.rlimitevents.kernel.events;

/** What an event source has done: events delivered, events lost (and so resyncs run), exact recounts. */
public record Counters(long events, long lost, long resyncs, long recounts) {
}
