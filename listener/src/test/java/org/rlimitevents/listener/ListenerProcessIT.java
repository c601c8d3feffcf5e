package org.rlimitevents.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlimitevents.kernel.testing.Commands;
import org.rlimitevents.kernel.testing.FakeSystemd;
import org.rlimitevents.kernel.testing.FdHolder;
import org.rlimitevents.kernel.testing.Prerequisites;

/**
 * The listener as systemd runs it, through its launcher: readiness over NOTIFY_SOCKET, the control
 * socket (and who may use it), exit 0 on SIGTERM, and spooled results surviving kill -9.
 */
class ListenerProcessIT {
    private static final String LAUNCHER = Path.of("bin/rlimit-listener").toAbsolutePath().toString();

    @TempDir
    Path dir;
    private NagiosFixture nagios;
    private FdHolder child;
    private final List<Process> listeners = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Process p : listeners) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        if (child != null) {
            child.close();
        }
        if (nagios != null) {
            nagios.close();
        }
    }

    private void setUp() throws Exception {
        Prerequisites.requireRoot();
        Path pidfile = dir.resolve("holder.pid");
        nagios = new NagiosFixture(dir.resolve("nagios"), NagiosFixture.passiveService("rlimit holder", pidfile, 3600));
        child = FdHolder.start();
        child.prlimit("--nofile=1000:1000");
        child.holdFds(100);
        Files.writeString(pidfile, child.pid() + "\n");
    }

    private Process launch(Path notify) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(LAUNCHER, "--nagios-cfg", nagios.cfg.toString(), "--host-name",
                "testhost", "--spool-dir", dir.resolve("spool").toString(), "--control-socket",
                dir.resolve("control").toString(), "--heartbeat", "0");
        if (notify != null) {
            pb.environment().put("NOTIFY_SOCKET", notify.toString());
        }
        Process p = pb.redirectOutput(dir.resolve("listener.out").toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("listener.err").toFile())).start();
        listeners.add(p);
        return p;
    }

    @Test
    void readinessControlSocketAndCleanStop() throws Exception {
        setUp();
        try (FakeSystemd systemd = new FakeSystemd(dir.resolve("notify"))) {
            Process listener = launch(systemd.path());
            assertEquals("READY=1", systemd.receive()); // blocks until the listener says it is ready

            Commands.Result status = Commands.exec(List.of(LAUNCHER, "status", "--control-socket",
                    dir.resolve("control").toString()), 30);
            assertEquals(0, status.exitCode(), status.stderr());
            assertTrue(status.stdout().matches("(?s)tier: (fexit|tracepoint)\nresults: command file "
                    + java.util.regex.Pattern.quote(nagios.commandFile.toString())
                    + "\ncounters: events=\\d+ lost=0 resyncs=0"
                    + " evaluations=\\d+ results_sent=1 spooled=0\nservice testhost;rlimit holder: pids=\\[" + child.pid()
                    + "\\] state=OK output=RLIMIT OK - bash\\[" + child.pid() + "\\] nofile 100/1000 \\(10%\\).*\n"),
                    status.stdout());

            // peer credentials decide, not the file mode: nobody gets nothing even through an open socket
            Commands.run(List.of("chmod", "0666", dir.resolve("control").toString()));
            Commands.run(List.of("chmod", "a+x", dir.toString()));
            Commands.Result denied = Commands.exec(List.of("setpriv", "--reuid=65534", "--regid=65534",
                    "--clear-groups", LAUNCHER, "status", "--control-socket", dir.resolve("control").toString()), 30);
            assertEquals("denied: uid 65534 is neither root nor this service's user or group\n", denied.stdout());

            Commands.run(List.of("kill", "-TERM", Long.toString(listener.pid())));
            assertTrue(listener.waitFor(20, TimeUnit.SECONDS));
            assertEquals(0, listener.exitValue(), Files.readString(dir.resolve("listener.err")));
        }
    }

    @Test
    void anAcceptedResultSurvivesKillNine() throws Exception {
        setUp();
        Process first = launch(null);
        nagios.await("rlimit holder", s -> s.get("plugin_output").startsWith("RLIMIT OK"), 30_000);
        nagios.stop();
        child.holdFds(850); // WARNING: Nagios is down, so it goes to the spool
        Path journal = dir.resolve("spool/results.spool");
        for (int i = 0; i < 200 && (!Files.exists(journal) || Files.size(journal) == 0); i++) {
            Thread.sleep(50);
        }
        assertTrue(Files.size(journal) > 0, "spooled");
        Commands.run(List.of("kill", "-KILL", Long.toString(first.pid())));
        first.waitFor(10, TimeUnit.SECONDS);
        child.holdFds(100); // back to OK before anything is restarted
        String before = nagios.log();
        nagios.start();
        launch(null);
        nagios.await("rlimit holder", s -> s.get("plugin_output").startsWith("RLIMIT OK"), 30_000);
        String after = nagios.log().substring(before.length());
        int warning = after.indexOf("PROCESS_SERVICE_CHECK_RESULT;testhost;rlimit holder;1;RLIMIT WARNING");
        int ok = after.indexOf("PROCESS_SERVICE_CHECK_RESULT;testhost;rlimit holder;0;RLIMIT OK");
        assertTrue(warning >= 0, "the spooled WARNING was delivered after the restart:\n" + after);
        assertTrue(ok > warning, "and before the new listener's OK:\n" + after);
        assertTrue(new File(journal.toString()).length() == 0, "spool emptied");
    }
}
