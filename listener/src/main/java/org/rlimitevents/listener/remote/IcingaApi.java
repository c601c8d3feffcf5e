package org.rlimitevents.listener.remote;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Map;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import org.rlimitevents.listener.config.ConfigException;

/**
 * Icinga 2's REST API (v1), as an API user: posting passive results and reading this host's
 * services. Basic auth from a credentials file ({@code user:password}); TLS with a pinned CA.
 */
public final class IcingaApi {
    private final HttpEndpoint endpoint;
    private final String authorization;

    public IcingaApi(URI url, Path caFile, Path credentialsFile, int timeoutSeconds) throws ConfigException {
        String credentials = SecretFile.read(credentialsFile, "Icinga API credentials");
        if (credentials.indexOf(':') <= 0) {
            throw new ConfigException(credentialsFile + ": expected user:password on the first line");
        }
        authorization = "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
        try {
            endpoint = new HttpEndpoint(url, caFile, timeoutSeconds);
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException("Icinga API " + url + ": " + e.getMessage());
        }
    }

    public URI url() {
        return endpoint.base();
    }

    /** POSTs a JSON body; the answer as HTTP status and body. */
    public HttpEndpoint.Response post(String path, JsonObject body, boolean asGet) throws IOException {
        Map<String, String> headers = new java.util.HashMap<>(Map.of("Accept", "application/json",
                "Content-Type", "application/json", "Authorization", authorization));
        if (asGet) {
            headers.put("X-HTTP-Method-Override", "GET"); // a query with a body
        }
        return endpoint.post(path, headers, body.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The name, check_command and vars of every service of {@code host}. */
    public JsonArray services(String host) throws IOException {
        JsonObject query = new JsonObject();
        query.addProperty("filter", "host.name == rlimit_host");
        JsonObject vars = new JsonObject();
        vars.addProperty("rlimit_host", host);
        query.add("filter_vars", vars);
        JsonArray attrs = new JsonArray();
        attrs.add("name");
        attrs.add("check_command");
        attrs.add("vars");
        query.add("attrs", attrs);
        HttpEndpoint.Response r = post("/v1/objects/services", query, true);
        if (r.status() == 401) {
            throw new IOException("Icinga API " + url() + ": wrong user or password (HTTP 401)");
        }
        if (r.status() == 404) {
            throw new IOException("Icinga API " + url() + ": the API user may not query services (HTTP 404;"
                    + " it needs the permission objects/query/Service)");
        }
        if (r.status() != 200) {
            throw new IOException("Icinga API " + url() + ": HTTP " + r.status() + " " + r.body());
        }
        try {
            return JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonArray("results");
        } catch (JsonParseException | IllegalStateException | ClassCastException e) {
            throw new IOException("Icinga API " + url() + ": unexpected answer " + r.body());
        }
    }
}
