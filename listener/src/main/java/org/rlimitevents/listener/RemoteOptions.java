package org.rlimitevents.listener;

import java.net.URI;
import java.nio.file.Path;

/**
 * Where a listener on a host without the monitoring server sends its results (one of Icinga 2's
 * API, NRDP or NSCA) and whether its watches come from Icinga; {@link #timeoutSeconds} bounds
 * every connection and request.
 */
public record RemoteOptions(URI icingaApi, Path icingaCa, Path icingaCredentials, boolean icingaServices,
                            String checkSource, URI nrdpUrl, Path nrdpCa, Path nrdpTokenFile, String nsca, Path nscaConfig,
                            int timeoutSeconds) {
    /** How many result destinations these options name (at most one is allowed). */
    int destinations() {
        return (icingaApi != null ? 1 : 0) + (nrdpUrl != null ? 1 : 0) + (nsca != null ? 1 : 0);
    }
}
