package org.rlimitevents.listener.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.rlimitevents.checkrlimit.CheckOptions;
import org.rlimitevents.checkrlimit.UsageException;
import org.rlimitevents.listener.sink.ExternalCommand;

/**
 * The listener's own service list, for hosts whose Nagios is elsewhere: one service per line,
 * {@code host;service description;check_rlimit options}, '#' comments and blank lines allowed.
 */
public final class ServiceFile {
    private ServiceFile() {
    }

    public static List<ServiceDefinition> read(Path file) throws ConfigException {
        List<String> lines = ConfigText.ownLines(file);
        List<ServiceDefinition> services = new ArrayList<>();
        for (int n = 1; n <= lines.size(); n++) {
            String line = lines.get(n - 1).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = file + ":" + n;
            String[] f = line.split(";", 3);
            if (f.length < 3) {
                throw new ConfigException(where + ": expected host;service description;check_rlimit options");
            }
            services.add(definition(where, f[0].strip(), f[1].strip(), Words.split(f[2])));
        }
        return services;
    }

    /**
     * A definition whose names Nagios can take (else the configuration is refused: no result could
     * name the service). Options check_rlimit refuses make a broken definition, reported UNKNOWN.
     */
    static ServiceDefinition definition(String where, String host, String description, List<String> args)
            throws ConfigException {
        try {
            ExternalCommand.checkName(host, "host name");
            ExternalCommand.checkName(description, "service description");
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where + ": " + e.getMessage());
        }
        try {
            return new ServiceDefinition(where, host, description, args,
                    CheckOptions.parse(args.toArray(new String[0])));
        } catch (UsageException e) {
            return ServiceDefinition.broken(where, host, description, args,
                    where + ": check_rlimit options: " + e.getMessage());
        }
    }
}
