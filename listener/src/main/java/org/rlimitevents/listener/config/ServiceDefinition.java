package org.rlimitevents.listener.config;

import java.util.List;

import org.rlimitevents.checkrlimit.CheckOptions;

/**
 * A service the listener keeps current: where it is defined, its host and description, and the
 * check_rlimit options its check runs with (parsed by check_rlimit's own parser).
 */
public record ServiceDefinition(String origin, String host, String description, List<String> arguments,
                                CheckOptions options) {
    public ServiceDefinition {
        arguments = List.copyOf(arguments);
    }

    /** host;description: the identity of a service. */
    public String key() {
        return host + ";" + description;
    }
}
