package org.rlimitevents.listener.sink;

import java.io.IOException;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import org.rlimitevents.listener.remote.HttpEndpoint;
import org.rlimitevents.listener.remote.IcingaApi;

/**
 * Icinga 2's {@code POST /v1/actions/process-check-result}: the service named by a filter in the
 * body (names passed as filter_vars, never spliced into the expression), the text with real
 * newlines, perfdata as an array, a check_source, and a ttl after which Icinga runs the service's
 * own check (the "passive" template: UNKNOWN) if no result followed. No execution_start: Icinga
 * silently drops a result older than the one it has, so its own clock times each arrival and a
 * replayed spool stays in order. 2.13's answers: 500 with no results is an unknown object (dropped:
 * it would never be taken), 404 a missing permission, 401 wrong credentials (both kept).
 */
public final class IcingaApiSink implements ResultSink {
    private final IcingaApi api;
    private final String checkSource;
    private final long ttlSeconds;

    public IcingaApiSink(IcingaApi api, String checkSource, long ttlSeconds) {
        this.api = api;
        this.checkSource = checkSource;
        this.ttlSeconds = ttlSeconds;
    }

    static JsonObject body(PassiveResult r, String checkSource, long ttlSeconds) {
        JsonObject b = new JsonObject();
        b.addProperty("type", "Service");
        b.addProperty("filter", "host.name == rlimit_host && service.name == rlimit_service");
        JsonObject vars = new JsonObject();
        vars.addProperty("rlimit_host", r.host());
        vars.addProperty("rlimit_service", r.service());
        b.add("filter_vars", vars);
        b.addProperty("exit_status", r.returnCode());
        SplitOutput text = SplitOutput.of(r.output());
        b.addProperty("plugin_output", text.text());
        JsonArray perf = new JsonArray();
        text.perfdata().forEach(perf::add);
        b.add("performance_data", perf);
        b.addProperty("check_source", checkSource);
        if (ttlSeconds > 0) {
            b.addProperty("ttl", ttlSeconds);
        }
        return b;
    }

    @Override
    public void send(PassiveResult r) throws SinkException {
        String object = r.host() + "!" + r.service();
        HttpEndpoint.Response answer;
        try {
            answer = api.post("/v1/actions/process-check-result", body(r, checkSource, ttlSeconds), false);
        } catch (IOException e) {
            throw new SinkException("cannot reach the Icinga API " + api.url() + ": " + e.getMessage(), true);
        }
        JsonArray results = results(answer.body());
        switch (answer.status()) {
            case 200:
                return;
            case 401:
                throw new SinkException("Icinga API " + api.url() + ": wrong user or password (HTTP 401)", true);
            case 404:
                throw new SinkException("Icinga API " + api.url() + ": the API user lacks the permission"
                        + " actions/process-check-result (HTTP 404)", true);
            case 500:
                if (results != null && results.size() == 0) {
                    throw new SinkException("Icinga has no service " + object + " (HTTP 500, no results)", false);
                }
                break;
            case 400:
            case 403:
                throw new SinkException("Icinga refused the result for " + object + ": HTTP " + answer.status() + " "
                        + status(results, answer.body()), false);
            default:
                break;
        }
        throw new SinkException("Icinga API " + api.url() + ": HTTP " + answer.status() + " "
                + status(results, answer.body()), true);
    }

    private static JsonArray results(String body) {
        try {
            JsonElement e = JsonParser.parseString(body);
            return e.isJsonObject() && e.getAsJsonObject().has("results")
                    ? e.getAsJsonObject().getAsJsonArray("results") : null;
        } catch (JsonParseException | IllegalStateException e) {
            return null;
        }
    }

    private static String status(JsonArray results, String body) {
        if (results != null && results.size() > 0 && results.get(0).isJsonObject()
                && results.get(0).getAsJsonObject().has("status")) {
            return results.get(0).getAsJsonObject().get("status").getAsString();
        }
        return body.length() > 200 ? body.substring(0, 200) : body;
    }

    @Override
    public String describe() {
        return "Icinga API " + api.url();
    }
}
