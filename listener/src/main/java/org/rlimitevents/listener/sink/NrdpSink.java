package org.rlimitevents.listener.sink;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
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
        try {
            JsonElement root = JsonParser.parseString(answer.body());
            JsonObject result = root.getAsJsonObject().getAsJsonObject("result");
            if (result.get("status").getAsInt() == 0) {
                return;
            }
            throw new SinkException("NRDP " + endpoint.base() + " refused the result: "
                    + result.get("message").getAsString(), true);
        } catch (JsonParseException | IllegalStateException | NullPointerException | ClassCastException e) {
            throw new SinkException("NRDP " + endpoint.base() + ": not an NRDP answer: "
                    + (answer.body().length() > 200 ? answer.body().substring(0, 200) : answer.body()), true);
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
