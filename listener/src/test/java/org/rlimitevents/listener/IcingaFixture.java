package org.rlimitevents.listener;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.net.ssl.SSLContext;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.rlimitevents.kernel.testing.Commands;
import org.rlimitevents.kernel.testing.Prerequisites;
import org.rlimitevents.listener.remote.HttpEndpoint;

/**
 * A private Icinga 2 (Debian's icinga2-bin) in a temp dir: its own config, a self-signed
 * certificate that is its own CA (pinned by the client), the REST API on a free loopback port,
 * an API user "sender" (password {@link #PASSWORD}) and "reader" (same password, may not send
 * results), host "testhost". Recipe: the integration
 * reference §3.5. check_rlimit's "rlimit" CheckCommand comes from nagios-config/icinga2, with
 * PluginContribDir pointing at this tree's launcher.
 */
final class IcingaFixture implements AutoCloseable {
    static final String ICINGA2 = "/usr/sbin/icinga2";
    static final String NODE = "fixture.local";
    static final String PASSWORD = "s3cret";
    static final Path COMMAND_CONF = Path.of("../nagios-config/icinga2/rlimit.conf").toAbsolutePath().normalize();
    static final Path PLUGIN_DIR = Path.of("../plugins/bin").toAbsolutePath().normalize();

    final Path dir;
    final int port;
    final Path caFile;
    private final List<String> defines;
    private Process daemon;
    private final HttpClient http;

    IcingaFixture(Path dir, String extraObjects) throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireExecutable(ICINGA2, "icinga2-bin");
        this.dir = dir;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        for (String d : new String[] {"etc", "lib/certs", "log", "cache", "spool", "run/cmd"}) {
            Files.createDirectories(dir.resolve(d));
        }
        defines = List.of("-D", "ConfigDir=" + dir.resolve("etc"), "-D", "DataDir=" + dir.resolve("lib"), "-D",
                "LogDir=" + dir.resolve("log"), "-D", "CacheDir=" + dir.resolve("cache"), "-D",
                "SpoolDir=" + dir.resolve("spool"), "-D", "InitRunDir=" + dir.resolve("run"), "-D", "NodeName=" + NODE,
                "-D", "ZoneName=" + NODE, "-D", "ApiPort=" + port);
        Path certs = dir.resolve("lib/certs");
        // self-signed, its own CA; no lib/ca directory, or Icinga re-signs the cert at start (I5)
        Commands.run(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-days", "3650", "-subj", "/CN=" + NODE, "-addext",
                "subjectAltName=DNS:" + NODE + ",IP:127.0.0.1", "-keyout", certs.resolve(NODE + ".key").toString(),
                "-out", certs.resolve(NODE + ".crt").toString()));
        caFile = certs.resolve("ca.crt");
        Files.copy(certs.resolve(NODE + ".crt"), caFile);
        Files.writeString(dir.resolve("etc/icinga2.conf"), String.join("\n",
                "const PluginDir = \"/usr/lib/nagios/plugins\"",
                "const PluginContribDir = \"" + PLUGIN_DIR + "\"",
                "include <itl>", "include <plugins>",
                "include \"" + COMMAND_CONF + "\"",
                "object CheckerComponent \"checker\" { }",
                "object FileLogger \"main-log\" { severity = \"information\"; path = LogDir + \"/icinga2.log\" }",
                "object Endpoint NodeName { }", "object Zone ZoneName { endpoints = [ NodeName ] }",
                "object ApiListener \"api\" { bind_host = \"127.0.0.1\"; bind_port = ApiPort; ticket_salt = \"\" }",
                "object ApiUser \"sender\" {", "  password = \"" + PASSWORD + "\"",
                "  permissions = [ \"actions/process-check-result\", \"objects/query/Host\", \"objects/query/Service\",",
                "    \"events/CheckResult\" ]",
                "}",
                "object ApiUser \"reader\" {", "  password = \"" + PASSWORD + "\"",
                "  permissions = [ \"objects/query/Host\", \"objects/query/Service\" ]", "}",
                "object Host \"testhost\" { check_command = \"dummy\"; address = \"127.0.0.1\"; enable_active_checks = false }",
                extraObjects, ""));
        Commands.Result check = Commands.exec(command("daemon", "-C"), 60);
        if (check.exitCode() != 0) {
            throw new IllegalStateException("icinga2 daemon -C failed:\n" + check.stdout() + check.stderr());
        }
        SSLContext tls = HttpEndpoint.pinnedTls(caFile); // trusting only this CA, as the listener does
        http = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
        start();
    }

    /** An icinga2 command on this tree, as the current user (else Icinga switches to nagios). */
    private List<String> command(String... args) throws IOException, InterruptedException {
        String user = Commands.run(List.of("id", "-un")).strip();
        String group = Commands.run(List.of("id", "-gn")).strip();
        List<String> c = new ArrayList<>(List.of("env", "ICINGA2_USER=" + user, "ICINGA2_GROUP=" + group, ICINGA2));
        c.addAll(List.of(args));
        c.addAll(List.of("-c", dir.resolve("etc/icinga2.conf").toString()));
        c.addAll(defines);
        return c;
    }

    String url() {
        return "https://127.0.0.1:" + port;
    }

    void start() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command("daemon")).redirectErrorStream(true)
                .redirectOutput(dir.resolve("log/stdout.log").toFile());
        daemon = pb.start();
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (get("/v1/objects/hosts/testhost").statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("icinga2 did not start: " + Files.readString(dir.resolve("log/stdout.log")));
    }

    void stop() throws Exception {
        if (daemon != null && daemon.isAlive()) {
            daemon.destroy();
            if (!daemon.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
                daemon.destroyForcibly().waitFor();
            }
        }
        daemon = null;
    }

    private HttpRequest.Builder request(String path) {
        String auth = Base64.getEncoder().encodeToString(("sender:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        return HttpRequest.newBuilder(URI.create(url() + path)).header("Accept", "application/json")
                .header("Authorization", "Basic " + auth).timeout(Duration.ofSeconds(10));
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The attributes of service host!name (state, last_check_result, ...). */
    JsonObject service(String host, String name) throws IOException, InterruptedException {
        String path = "/v1/objects/services/" + java.net.URLEncoder.encode(host + "!" + name, StandardCharsets.UTF_8)
                .replace("+", "%20");
        HttpResponse<String> r = get(path);
        if (r.statusCode() != 200) {
            throw new IllegalStateException(path + ": HTTP " + r.statusCode() + " " + r.body());
        }
        JsonElement all = JsonParser.parseString(r.body());
        return all.getAsJsonObject().getAsJsonArray("results").get(0).getAsJsonObject().getAsJsonObject("attrs");
    }

    /** Waits until the service's attributes match; returns them. */
    JsonObject await(String host, String name, java.util.function.Predicate<JsonObject> p, long ms) throws Exception {
        long deadline = System.currentTimeMillis() + ms;
        JsonObject s = null;
        while (System.currentTimeMillis() < deadline) {
            s = service(host, name);
            if (p.test(s)) {
                return s;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("service " + host + "!" + name + " never matched within " + ms + " ms; last: " + s);
    }

    /** One check result as Icinga's event stream reported it. */
    record CheckResult(String host, String service, int state, String output, List<String> perfdata, double ttl) {
    }

    /**
     * Subscribes to Icinga's CheckResult events: every result Icinga processes from now on, in
     * order, into {@code sink}. Returns a handle that ends the subscription.
     */
    AutoCloseable subscribe(java.util.function.Consumer<CheckResult> sink) throws Exception {
        String body = "{\"queue\":\"test-" + System.nanoTime() + "\",\"types\":[\"CheckResult\"]}";
        HttpRequest req = request("/v1/events").POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofDays(1)).build();
        HttpResponse<java.util.stream.Stream<String>> r = http.send(req, HttpResponse.BodyHandlers.ofLines());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("event stream: HTTP " + r.statusCode());
        }
        java.util.stream.Stream<String> lines = r.body();
        Thread reader = new Thread(() -> {
            try {
                lines.forEach(line -> {
                    if (line.isBlank()) {
                        return;
                    }
                    JsonObject e = JsonParser.parseString(line).getAsJsonObject();
                    JsonObject cr = e.getAsJsonObject("check_result");
                    List<String> perf = new ArrayList<>();
                    if (cr.has("performance_data") && cr.get("performance_data").isJsonArray()) {
                        cr.getAsJsonArray("performance_data").forEach(p -> perf.add(p.getAsString()));
                    }
                    sink.accept(new CheckResult(e.get("host").getAsString(),
                            e.has("service") ? e.get("service").getAsString() : "", cr.get("state").getAsInt(),
                            cr.get("output").getAsString(), perf, cr.has("ttl") ? cr.get("ttl").getAsDouble() : 0));
                });
            } catch (RuntimeException ex) {
                // the stream ended (unsubscribed or Icinga stopped)
            }
        }, "icinga-events");
        reader.setDaemon(true);
        reader.start();
        Thread.sleep(300); // Icinga registers the queue after answering
        return lines::close;
    }

    String log() throws IOException {
        Path log = dir.resolve("log/icinga2.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
