package org.rlimitevents.listener.sink;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.rlimitevents.listener.remote.HttpEndpoint;

/**
 * NRDP: a form POST ({@code token}, {@code cmd=submitcheck}, {@code json}) of one check result.
 * NRDP answers HTTP 200 even when it refuses ({@code "status": -1} with a message such as BAD
 * TOKEN): only {@code status 0} counts as delivered; anything else is kept for a retry.
 */
public final class NrdpSink implements ResultSink {
    private final HttpEndpoint endpoint;
    private final String token;

    public NrdpSink(HttpEndpoint endpoint, String token) {
        this.endpoint = endpoint;
        this.token = token;
    }

    static String json(PassiveResult r) {
        JsonObject type = new JsonObject();
        type.addProperty("type", "service");
        type.addProperty("checktype", "1");
        JsonObject result = new JsonObject();
        result.add("checkresult", type);
        result.addProperty("hostname", r.host());
        result.addProperty("servicename", r.service());
        result.addProperty("state", Integer.toString(r.returnCode()));
        String out = r.output().endsWith("\n") ? r.output().substring(0, r.output().length() - 1) : r.output();
        result.addProperty("output", out);
        JsonArray all = new JsonArray();
        all.add(result);
        JsonObject root = new JsonObject();
        root.add("checkresults", all);
        return root.toString();
    }

    @Override
    public void send(PassiveResult r) throws SinkException {
        String form = "token=" + encode(token) + "&cmd=submitcheck&json=" + encode(json(r));
        HttpEndpoint.Response answer;
        try {
            answer = endpoint.post("", Map.of("Content-Type", "application/x-www-form-urlencoded",
                    "Accept", "application/json"), form.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new SinkException("cannot reach NRDP " + endpoint.base() + ": " + e.getMessage(), true);
        }
        if (answer.status() != 200) {
            throw new SinkException("NRDP " + endpoint.base() + ": HTTP " + answer.status(), true);
        }
        String refusal = refusal(answer.body());
        if (refusal != null) {
            throw new SinkException("NRDP " + endpoint.base() + " " + refusal, true);
        }
    }

    /**
     * Null when the answer is NRDP's "accepted" ({@code {"result":{"status":0,...}}}), otherwise
     * why not: a refusal with its message, or an answer not understood (a proxy's page, a status
     * that is not a number) quoted, shortened. Anything unexpected is a retryable failure: the
     * result stays in the spool.
     */
    static String refusal(String body) {
        String quoted = (body.length() > 200 ? body.substring(0, 200) : body).replaceAll("[\\x00-\\x1f]", " ");
        try {
            JsonElement root = JsonParser.parseString(body);
            JsonElement result = root.isJsonObject() ? root.getAsJsonObject().get("result") : null;
            JsonElement status = result != null && result.isJsonObject() ? result.getAsJsonObject().get("status") : null;
            // an integer, written as a number or a string (1e99 would read as 0: not taken)
            if (status == null || !status.isJsonPrimitive() || status.getAsJsonPrimitive().isBoolean()
                    || !status.getAsString().matches("-?\\d{1,9}")) {
                return "sent something that is not an NRDP answer: " + quoted;
            }
            if (status.getAsInt() == 0) {
                return null;
            }
            JsonElement message = result.getAsJsonObject().get("message");
            return "refused the result: " + (message != null && message.isJsonPrimitive() ? message.getAsString()
                    : "status " + status.getAsInt());
        } catch (RuntimeException e) { // Gson's parse and conversion errors, whatever their class
            return "sent something that is not an NRDP answer: " + quoted;
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public String describe() {
        return "NRDP " + endpoint.base();
    }
}
