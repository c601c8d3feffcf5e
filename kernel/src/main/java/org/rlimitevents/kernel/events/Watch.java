package org.rlimitevents.kernel.events;

import java.util.List;

/** What to watch in one process (thread group). */
public record Watch(int tgid, List<ResourceWatch> resources) {
    public Watch {
        resources = List.copyOf(resources);
    }
}
