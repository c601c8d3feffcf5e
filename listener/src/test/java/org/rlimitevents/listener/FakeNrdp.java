package org.rlimitevents.listener;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * NRDP's server side in the test, as its README and nagioscorepassivecheck plugin describe it (NRDP
 * is not packaged in Debian): a form POST with token {@link #TOKEN}, cmd=submitcheck and json; each
 * result written as a Nagios check-result file; HTTP 200 for errors too, with status -1.
 */
final class FakeNrdp implements AutoCloseable {
    static final String TOKEN = "t0ken-for-the-test";

    final List<JsonObject> accepted = new ArrayList<>();
    private final java.util.Random random = new java.util.Random();
    final int port;
    private HttpServer server;

    private final Path checkResultDir;

    /** On {@code port} (0: any free one); each result also written into {@code checkResultDir} unless null. */
    FakeNrdp(int port, Path checkResultDir) throws IOException {
        this.checkResultDir = checkResultDir;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/nrdp/", this::handle);
        server.start();
        this.port = server.getAddress().getPort();
    }

    private void handle(HttpExchange x) throws IOException {
        Map<String, String> form = new HashMap<>();
        for (String pair : new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("&")) {
            int eq = pair.indexOf('=');
            form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        String answer;
        if (!"POST".equals(x.getRequestMethod())
                || !"application/x-www-form-urlencoded".equals(x.getRequestHeaders().getFirst("Content-Type"))) {
            answer = error("NO DATA");
        } else if (!form.containsKey("token")) {
            answer = error("NO TOKEN");
        } else if (!TOKEN.equals(form.get("token"))) {
            answer = error("BAD TOKEN");
        } else if (!"submitcheck".equals(form.get("cmd")) || !form.containsKey("json")) {
            answer = error("NO DATA");
        } else {
            int n = 0;
            try {
                for (JsonElement e : JsonParser.parseString(form.get("json")).getAsJsonObject()
                        .getAsJsonArray("checkresults")) {
                    JsonObject r = e.getAsJsonObject();
                    if (checkResultDir != null) {
                        writeCheckResult(r);
                    }
                    synchronized (accepted) {
                        accepted.add(r);
                    }
                    n++;
                }
                answer = "{\"result\":{\"status\":0,\"message\":\"OK\",\"meta\":{\"output\":\"" + n
                        + " checks processed\"}}}";
            } catch (RuntimeException e) {
                answer = error("BAD JSON");
            }
        }
        byte[] body = answer.getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(200, body.length); // NRDP answers 200 for errors too
        x.getResponseBody().write(body);
        x.close();
    }

    private String error(String message) {
        return "{\"result\":{\"status\":-1,\"message\":\"" + message + "\"}}";
    }

    /** As NRDP: a spool file in check_result_path (newlines as \n), then its ".ok". */
    private void writeCheckResult(JsonObject r) throws IOException {
        Path spool = checkResultDir;
        Path file;
        do { // tempnam(dir, "c"): "c" and six characters, the only names Nagios's reaper reads
            file = spool.resolve("c" + Long.toString(Math.abs(random.nextLong()), 36).substring(0, 6));
        } while (Files.exists(file));
        long now = System.currentTimeMillis() / 1000;
        Files.writeString(file, "### NRDP Check ###\nstart_time=" + now + ".0\nfinish_time=" + now + ".0\n"
                + "host_name=" + r.get("hostname").getAsString() + "\nservice_description="
                + r.get("servicename").getAsString() + "\ncheck_type=1\nearly_timeout=0\nexited_ok=1\n"
                + "return_code=" + r.get("state").getAsString() + "\noutput="
                + r.get("output").getAsString().replace("\\", "\\\\").replace("\n", "\\n") + "\n");
        Files.createFile(Path.of(file + ".ok"));
    }

    List<String> states() {
        List<String> s = new ArrayList<>();
        synchronized (accepted) {
            accepted.forEach(r -> s.add(r.get("state").getAsString()));
        }
        return s;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
