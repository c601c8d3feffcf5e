package org.rlimitevents.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonObject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlimitevents.kernel.testing.FdHolder;

/**
 * The listener against an NRDP endpoint in the test that does what NRDP 2.0 documents (NRDP is not
 * packaged in Debian): a form POST with token, cmd=submitcheck and json; each result written as a
 * Nagios check-result file into a private Nagios 4; HTTP 200 for errors too, with status -1.
 */
class NrdpSinkIT {
    private static final String TOKEN = FakeNrdp.TOKEN;

    @TempDir
    Path dir;
    private NagiosFixture nagios;
    private FdHolder child;
    private ListenerMain listener;
    private FakeNrdp nrdp;
    private final List<String> log = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        TestListener.closeAll(listener, nrdp, child, nagios);
    }

    private void start(int fds) throws Exception {
        child = TestListener.holder(dir, fds);
        Path pidfile = dir.resolve("holder.pid");
        nagios = new NagiosFixture(dir.resolve("nagios"), NagiosFixture.passiveService("rlimit holder", pidfile, 3600));
        nrdp = new FakeNrdp(0, nagios.dir.resolve("var/spool"));
    }

    private Path token(String token) throws IOException {
        Path f = dir.resolve("token-" + token.hashCode());
        Files.writeString(f, token + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    private void startListener(Path token) throws Exception {
        Path services = dir.resolve("services");
        Files.writeString(services, "testhost;rlimit holder;-P " + dir.resolve("holder.pid") + " -r nofile\n");
        listener = TestListener.start(dir, line -> {
            synchronized (log) {
                log.add(line);
            }
        }, "--host-name", "testhost", "--services", services.toString(), "--nrdp-url",
                "http://127.0.0.1:" + nrdp.port + "/nrdp/", "--nrdp-token-file", token.toString(), "--timeout", "2");
    }

    private boolean logged(String text) {
        synchronized (log) {
            return log.stream().anyMatch(l -> l.contains(text));
        }
    }

    private static int state(Map<String, String> s) {
        return Integer.parseInt(s.getOrDefault("current_state", "-1"));
    }

    @Test
    void resultsReachNagiosThroughNrdp() throws Exception {
        start(870);
        startListener(token(TOKEN));
        Map<String, String> s = nagios.await("rlimit holder", st -> state(st) == 1, 10_000);
        String pid = Integer.toString(child.pid());
        assertEquals("RLIMIT WARNING - bash[" + pid + "] nofile 870/1000 (87%)", s.get("plugin_output"));
        assertEquals("nofile=870;800;900;0;1000", s.get("performance_data"));
        assertEquals("WARNING: bash[" + pid + "] nofile 870/1000 (87%)", s.get("long_plugin_output"));
        JsonObject sent = nrdp.accepted.get(0);
        assertEquals("service", sent.getAsJsonObject("checkresult").get("type").getAsString());
        assertEquals(List.of("testhost", "rlimit holder", "1"), List.of(sent.get("hostname").getAsString(),
                sent.get("servicename").getAsString(), sent.get("state").getAsString()));
    }

    @Test
    void aRefusalWithHttp200IsAFailureAndTheResultIsKept() throws Exception {
        start(870);
        startListener(token("not-the-token"));
        for (int i = 0; i < 100 && !logged("BAD TOKEN"); i++) {
            Thread.sleep(50);
        }
        assertTrue(logged("NRDP http://127.0.0.1:" + nrdp.port + "/nrdp/ refused the result: BAD TOKEN"),
                log.toString());
        assertTrue(Files.size(dir.resolve("spool/results.spool")) > 0, "kept in the spool");
        assertEquals(List.of(), nrdp.states());
        listener.close();
        listener = null;
        startListener(token(TOKEN));
        nagios.await("rlimit holder", st -> state(st) == 1, 10_000);
        assertEquals("1", nrdp.states().get(0));
    }

    @Test
    void resultsSpooledWhileNrdpIsDownArriveInOrder() throws Exception {
        start(100);
        startListener(token(TOKEN));
        nagios.await("rlimit holder", st -> st.get("plugin_output").startsWith("RLIMIT OK"), 10_000);
        int port = nrdp.port;
        nrdp.close();
        TestListener.stepThroughStates(listener, child);
        TestListener.awaitSpooled(dir);
        assertTrue(logged("cannot reach NRDP http://127.0.0.1:" + port + "/nrdp/"), log.toString());
        nrdp = new FakeNrdp(port, nagios.dir.resolve("var/spool"));
        long deadline = System.currentTimeMillis() + 40_000;
        while (System.currentTimeMillis() < deadline && !nrdp.states().contains("0")) {
            Thread.sleep(50);
        }
        List<String> states = nrdp.states();
        assertEquals(List.of("1", "2", "0"), states);
        nagios.await("rlimit holder", st -> state(st) == 0, 5000);
    }
}
