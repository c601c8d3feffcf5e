package org.rlimitevents.listener;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a listener on a host without the monitoring server sends its results (one of Icinga 2's
 * API, NRDP or NSCA: one endpoint, or several in failover order, sharing the CA, credentials,
 * token or NSCA config) and whether its watches come from Icinga; {@link #timeoutSeconds} bounds
 * every connection and request. An unused kind is an empty list.
 */
public record RemoteOptions(List<URI> icingaApi, Path icingaCa, Path icingaCredentials, boolean icingaServices,
                            String checkSource, List<URI> nrdpUrl, Path nrdpCa, Path nrdpTokenFile, List<String> nsca,
                            Path nscaConfig, int timeoutSeconds) {
    /** How many kinds of result destination these options name (at most one is allowed). */
    int destinations() {
        return (icingaApi.isEmpty() ? 0 : 1) + (nrdpUrl.isEmpty() ? 0 : 1) + (nsca.isEmpty() ? 0 : 1);
    }
}
