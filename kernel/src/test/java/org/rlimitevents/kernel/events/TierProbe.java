package org.rlimitevents.kernel.events;

/** Opens the best event source and prints what was chosen and why (run as another user by a test). */
public final class TierProbe {
    private TierProbe() {
    }

    public static void main(String[] args) {
        try (EventSource source = EventSources.open(EventSources.Choice.AUTO, e -> { }, System.out::println)) {
            System.out.println("tier=" + source.tier());
        }
    }
}
