package org.rlimitevents.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rlimitevents.kernel.testing.Commands;
import org.rlimitevents.kernel.testing.FdHolder;
import org.rlimitevents.kernel.testing.Prerequisites;

/**
 * The listener sending to Debian's nsca daemon, which writes into a private Nagios 4's command
 * pipe: for each encryption method they share, the result is in status.dat with its perfdata and
 * long output; with nsca stopped results are spooled and arrive in order once it is back.
 */
class NscaSinkIT {
    private static final String NSCA = "/usr/sbin/nsca";
    private static final String PASSWORD = "fixture pw; 0123456789abcdef0123456789";

    @TempDir
    Path dir;
    private NagiosFixture nagios;
    private Process nsca;
    private int port;
    private FdHolder child;
    private ListenerMain listener;
    private final List<String> log = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        TestListener.closeAll(listener, this::stopNsca, child, nagios);
    }

    private void start(int method) throws Exception {
        start(method, PASSWORD);
    }

    /** nsca decrypting with {@code method} and PASSWORD; the listener encrypting with {@code clientPassword}. */
    private void start(int method, String clientPassword) throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireExecutable(NSCA, "nsca");
        child = TestListener.holder(dir, 3);
        Path pidfile = dir.resolve("holder.pid");
        nagios = new NagiosFixture(dir.resolve("nagios"), NagiosFixture.passiveService("rlimit holder", pidfile, 3600));
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String user = Commands.run(List.of("id", "-un")).strip();
        String group = Commands.run(List.of("id", "-gn")).strip();
        Files.writeString(dir.resolve("nsca.cfg"), String.join("\n", "pid_file=" + dir.resolve("nsca.pid"),
                "server_address=127.0.0.1", "server_port=" + port, "nsca_user=" + user, "nsca_group=" + group,
                "debug=1", "command_file=" + nagios.commandFile, "alternate_dump_file=" + dir.resolve("nsca.dump"),
                "aggregate_writes=0", "append_to_file=0", "max_packet_age=30", "password=" + PASSWORD,
                "decryption_method=" + method, ""));
        Path client = dir.resolve("send_nsca.cfg");
        Files.writeString(client, "# shared with send_nsca\npassword=" + clientPassword + "\nencryption_method=" + method
                + "\n");
        Files.setPosixFilePermissions(client, PosixFilePermissions.fromString("rw-r-----"));
        startNsca();
        Path services = dir.resolve("services");
        Files.writeString(services, "testhost;rlimit holder;-P " + pidfile + " -r nofile -w 80% -c 90%\n");
        listener = TestListener.start(dir, line -> {
            synchronized (log) {
                log.add(line);
            }
        }, "--host-name", "testhost", "--services", services.toString(), "--nsca", "127.0.0.1:" + port,
                "--nsca-config", client.toString(), "--timeout", "2");
    }

    private void startNsca() throws Exception {
        nsca = new ProcessBuilder(NSCA, "-f", "-c", dir.resolve("nsca.cfg").toString(), "--single")
                .redirectErrorStream(true).redirectOutput(dir.resolve("nsca.out").toFile()).start();
        for (int i = 0; i < 100; i++) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (java.io.IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("nsca did not listen: " + Files.readString(dir.resolve("nsca.out")));
    }

    private void stopNsca() throws Exception {
        if (nsca != null) {
            nsca.destroy();
            nsca.waitFor(10, TimeUnit.SECONDS);
            nsca = null;
        }
    }

    private static int state(Map<String, String> s) {
        return Integer.parseInt(s.getOrDefault("current_state", "-1"));
    }

    @ParameterizedTest(name = "encryption_method={0}")
    @ValueSource(ints = {0, 1, 3, 14})
    void resultsReachNagiosThroughNscaWithEachEncryption(int method) throws Exception {
        start(method);
        child.holdFds(870);
        listener.listener().heartbeatNow();
        Map<String, String> s = nagios.await("rlimit holder", st -> state(st) == 1, 10_000);
        String pid = Integer.toString(child.pid());
        assertEquals("RLIMIT WARNING - bash[" + pid + "] nofile 870/1000 (87%)", s.get("plugin_output"));
        assertEquals("nofile=870;800;900;0;1000", s.get("performance_data"));
        assertEquals("WARNING: bash[" + pid + "] nofile 870/1000 (87%)", s.get("long_plugin_output"));
        assertEquals("1", s.get("check_type")); // passive
        assertTrue(log.stream().anyMatch(l -> l.contains("NSCA has no acknowledgement")), log.toString());
    }

    @Test
    void aWrongPasswordLosesTheResultAtTheServerUnseenAsDocumented() throws Exception {
        start(14, "not the server's password");
        child.holdFds(870);
        listener.listener().heartbeatNow();
        Thread.sleep(3000); // status.dat is rewritten every second
        assertEquals("0", nagios.service("rlimit holder").get("has_been_checked"), "nothing reached Nagios");
        Path spool = dir.resolve("spool/results.spool");
        assertTrue(!Files.exists(spool) || Files.size(spool) == 0, "the sender took it as delivered");
        String counters = listener.listener().status().get("counters");
        assertTrue(counters.matches(".* results_sent=[1-9]\\d* spooled=0"), counters);
        assertTrue(log.stream().anyMatch(l -> l.contains("a result the server cannot decrypt (wrong password or"
                + " encryption_method) is dropped there without a word here")), log.toString());
    }

    @Test
    void resultsSpooledWhileNscaIsDownArriveInOrder() throws Exception {
        start(14);
        child.holdFds(100);
        listener.listener().heartbeatNow();
        nagios.await("rlimit holder", st -> st.get("plugin_output").startsWith("RLIMIT OK"), 10_000);
        String before = nagios.log();
        stopNsca();
        TestListener.stepThroughStates(listener, child);
        TestListener.awaitSpooled(dir);
        assertTrue(log.stream().anyMatch(l -> l.contains("cannot reach NSCA at 127.0.0.1:" + port)), log.toString());
        startNsca();
        // until the last result (OK) is in the log: status.dat may still show the OK from before
        nagios.await("rlimit holder", st -> {
            List<String> c = codes(nagios.logUnchecked().substring(before.length()));
            return c.size() >= 3 && c.get(c.size() - 1).equals("0");
        }, 40_000);
        List<String> codes = codes(nagios.log().substring(before.length()));
        assertEquals(List.of("1", "2", "0"), codes);
    }

    private static List<String> codes(String log) {
        return NagiosFixture.resultCodes(log, "rlimit holder");
    }
}
