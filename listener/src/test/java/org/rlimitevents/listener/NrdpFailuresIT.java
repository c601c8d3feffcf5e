package org.rlimitevents.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlimitevents.kernel.testing.FdHolder;

/**
 * An NRDP server that answers what NRDP never should (a status "zero"), or dies while a result is
 * on its way: a logged, retryable failure each time, the result kept in the spool and delivered
 * once the server answers properly, nothing lost.
 */
class NrdpFailuresIT {
    @TempDir
    Path dir;
    private final List<String> log = new CopyOnWriteArrayList<>();
    private ListenerMain listener;
    private FdHolder child;
    private Server server;

    /** Answers every request as {@link #mode} says; the states of the results it took, in order. */
    static final class Server implements AutoCloseable {
        final List<String> states = new CopyOnWriteArrayList<>();
        final HttpServer http;
        final ExecutorService handlers = Executors.newCachedThreadPool();
        volatile String mode = "ok";
        final CountDownLatch held = new CountDownLatch(1);

        Server(int port) throws IOException {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
            http.createContext("/nrdp/", this::handle);
            http.setExecutor(handlers); // off the dispatcher: stop() closes connections under a held request
            http.start();
        }

        int port() {
            return http.getAddress().getPort();
        }

        private void handle(HttpExchange x) throws IOException {
            String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String answer;
            switch (mode) {
                case "hold" -> {
                    held.countDown(); // the test kills the server now, under the request
                    try {
                        Thread.sleep(60_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    x.close();
                    return;
                }
                case "zero" -> answer = "{\"result\":{\"status\":\"zero\",\"message\":\"OK\"}}";
                default -> {
                    String json = "";
                    for (String pair : body.split("&")) {
                        if (pair.startsWith("json=")) {
                            json = URLDecoder.decode(pair.substring(5), StandardCharsets.UTF_8);
                        }
                    }
                    for (JsonElement e : JsonParser.parseString(json).getAsJsonObject().getAsJsonArray("checkresults")) {
                        states.add(e.getAsJsonObject().get("state").getAsString());
                    }
                    answer = "{\"result\":{\"status\":0,\"message\":\"OK\"}}";
                }
            }
            byte[] out = answer.getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, out.length);
            x.getResponseBody().write(out);
            x.close();
        }

        /** As a killed server: the socket closed, every connection dropped, the held handler interrupted. */
        @Override
        public void close() {
            http.stop(0);
            handlers.shutdownNow();
        }
    }

    @AfterEach
    void stop() throws Exception {
        TestListener.closeAll(listener, server, child);
    }

    private void start(int fds, String mode) throws Exception {
        child = TestListener.holder(dir, fds);
        server = new Server(0);
        server.mode = mode;
        Path token = dir.resolve("token");
        Files.writeString(token, "t0ken\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        Path services = dir.resolve("services");
        Files.writeString(services, "testhost;rlimit holder;-P " + dir.resolve("holder.pid") + " -r nofile\n");
        listener = TestListener.start(dir, log::add, "--host-name", "testhost", "--services", services.toString(),
                "--nrdp-url", "http://127.0.0.1:" + server.port() + "/nrdp/", "--nrdp-token-file", token.toString(),
                "--timeout", "2");
    }

    private boolean logged(String text) {
        return log.stream().anyMatch(l -> l.contains(text));
    }

    @Test
    void aStatusThatIsNotANumberIsARetryableFailureAndTheResultIsKept() throws Exception {
        start(870, "zero");
        TestListener.await("the odd answer logged", 20_000, () -> logged("sent something that is not an NRDP answer"));
        assertTrue(logged("NRDP http://127.0.0.1:" + server.port() + "/nrdp/ sent something that is not an NRDP"
                + " answer: {\"result\":{\"status\":\"zero\",\"message\":\"OK\"}}"), log.toString());
        TestListener.awaitSpooled(dir);
        assertTrue(listener.listener().status().get("counters").endsWith("results_sent=0 spooled=1"),
                listener.listener().status().toString()); // and still answering
        server.mode = "ok";
        TestListener.await("delivered by the retry", 20_000, () -> server.states.equals(List.of("1")));
    }

    @Test
    void theServerKilledMidSendLosesNothing() throws Exception {
        start(100, "ok");
        TestListener.await("the first result", 20_000, () -> server.states.equals(List.of("0")));
        int port = server.port();
        server.mode = "hold";
        child.holdFds(870); // WARNING: its request reaches the server, which dies before answering
        assertTrue(server.held.await(20, TimeUnit.SECONDS));
        server.close();
        TestListener.await("the failure logged", 20_000, () -> logged("cannot reach NRDP http://127.0.0.1:" + port));
        server = new Server(port);
        TestListener.await("the held result delivered", 40_000, () -> server.states.equals(List.of("1")));
    }
}
