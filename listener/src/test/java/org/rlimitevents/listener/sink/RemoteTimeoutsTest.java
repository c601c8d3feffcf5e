package org.rlimitevents.listener.sink;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rlimitevents.listener.remote.HttpEndpoint;

/**
 * A server that accepts the connection and then says nothing: every remote sink gives up after its
 * timeout with a retryable failure (the result goes to the spool), instead of hanging the listener.
 */
class RemoteTimeoutsTest {
    private static final PassiveResult RESULT = new PassiveResult(1, "h", "s", 0, "RLIMIT OK | x=1\n");
    private final ServerSocket silent;
    private final List<Socket> held = new ArrayList<>();

    RemoteTimeoutsTest() throws Exception {
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            try {
                while (true) {
                    Socket s = silent.accept();
                    synchronized (held) {
                        held.add(s); // accepted, never answered
                    }
                }
            } catch (java.io.IOException e) {
                // closed
            }
        });
        t.setDaemon(true);
        t.start();
    }

    @AfterEach
    void close() throws Exception {
        silent.close();
        synchronized (held) {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    private static void timesOut(ResultSink sink, String message) {
        long t0 = System.nanoTime();
        SinkException e = assertThrows(SinkException.class, () -> sink.send(RESULT));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(e.retryable(), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertTrue(ms >= 900 && ms < 5000, "gave up after " + ms + " ms (timeout 1 s)");
    }

    @Test
    void nscaWithoutAGreeting() {
        timesOut(new NscaSink("127.0.0.1", silent.getLocalPort(), 1, "", 1), "cannot reach NSCA at 127.0.0.1:");
    }

    @Test
    void icingaWithoutAnAnswer(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path credentials = dir.resolve("credentials");
        java.nio.file.Files.writeString(credentials, "sender:pw\n");
        java.nio.file.Files.setPosixFilePermissions(credentials,
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        timesOut(new IcingaApiSink(new org.rlimitevents.listener.remote.IcingaApi(URI.create("http://127.0.0.1:"
                + silent.getLocalPort()), null, credentials, 1), "agent", 0), "cannot reach the Icinga API http://");
    }

    @Test
    void nrdpWithoutAnAnswer() throws Exception {
        timesOut(new NrdpSink(new HttpEndpoint(URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/nrdp/"), null,
                1), "token"), "cannot reach NRDP http://127.0.0.1:");
    }
}
