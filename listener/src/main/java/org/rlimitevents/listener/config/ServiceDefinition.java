package org.rlimitevents.listener.config;

import java.util.List;

import org.rlimitevents.checkrlimit.CheckOptions;

/**
 * A service the listener keeps current: where it is defined, its host and description, and the
 * check_rlimit options its check runs with (parsed by check_rlimit's own parser). A service whose
 * options check_rlimit refuses has no options and a {@code problem}: it is reported UNKNOWN with
 * that reason while the others run.
 */
public record ServiceDefinition(String origin, String host, String description, List<String> arguments,
                                CheckOptions options, String problem) {
    public ServiceDefinition {
        arguments = List.copyOf(arguments);
        if ((options == null) == (problem == null)) {
            throw new IllegalArgumentException("a service has either options or a problem");
        }
    }

    public ServiceDefinition(String origin, String host, String description, List<String> arguments,
                             CheckOptions options) {
        this(origin, host, description, arguments, options, null);
    }

    /** A service whose check_rlimit options are refused: {@code problem} says where and why. */
    public static ServiceDefinition broken(String origin, String host, String description, List<String> arguments,
                                           String problem) {
        return new ServiceDefinition(origin, host, description, arguments, null, problem);
    }

    /** host;description: the identity of a service. */
    public String key() {
        return host + ";" + description;
    }
}
