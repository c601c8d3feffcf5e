package org.rlimitevents.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlimitevents.kernel.testing.Commands;
import org.rlimitevents.kernel.testing.FdHolder;
import org.rlimitevents.kernel.testing.Prerequisites;

/**
 * The installed package's NRPE snippet (/etc/nagios/nrpe.d/rlimit.cfg) in Debian's NRPE server,
 * started privately (its own nrpe.cfg, loopback port and pid file; as root it drops to nagios as
 * Debian's does), asked by Debian's check_nrpe: for a real process, the exit code and output are
 * check_rlimit's own, run locally as nagios with the same command line; NRPE's limits (1023 bytes
 * in v2 packets, 65504 in v3/v4) cut a long output blindly, --max-bytes fits it (the last long
 * lines go, the perfdata stays); an unknown command is refused by name. Runs from packaging/test-deb.
 */
class NrpeInstalledIT {
    static final String NRPE = "/usr/sbin/nrpe";
    static final String CHECK_NRPE = "/usr/lib/nagios/plugins/check_nrpe";
    static final String PLUGIN = "/usr/lib/nagios/plugins/check_rlimit";
    static final Path SNIPPET = Path.of("/etc/nagios/nrpe.d/rlimit.cfg");
    static final int V2_BYTES = 1023;
    static final int V4_BYTES = 65504;
    /** An argument no other process on the machine has: the many-process check selects by it. */
    static final String MARK = "7777.25";

    @TempDir
    Path dir;
    private FdHolder child;
    private FdHolder other;
    private Process nrpe;
    private Process many;
    private int port;
    private final List<String> commands = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireExecutable(NRPE, "nagios-nrpe-server");
        Prerequisites.requireExecutable(CHECK_NRPE, "nagios-nrpe-plugin");
        Prerequisites.requireExecutable(PLUGIN, "rlimit-events (the .deb: packaging/test-deb installs it)");
        assertTrue(Files.isRegularFile(SNIPPET), SNIPPET + " is installed with the package");
        child = TestListener.holder(dir, 850);
        other = FdHolder.start();
        other.prlimit("--nofile=1000:1000");
        other.holdFds(300);
        // what does not change between two runs (not cpu, rss, nor the per-user counts); no '$' in
        // a line: NRPE takes $...$ for its macros
        String holder = PLUGIN + " -p " + child.pid() + " -p " + other.pid()
                + " -r nofile,as,data,stack,memlock,nice,rtprio,core,fsize,locks,msgqueue,rttime --max-lines 50";
        String select = PLUGIN + " -a 'sleep " + MARK.replace(".", "\\.") + "' -r nofile,as,stack,data --max-lines 100000";
        command("holder", holder);
        command("holder_fitted", holder + " --max-bytes " + V2_BYTES);
        command("many", select + " --max-bytes 1000000"); // beyond the default (what Nagios 4 keeps)
        command("many_fitted", select + " --max-bytes " + V4_BYTES);
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path cfg = dir.resolve("nrpe.cfg");
        Files.writeString(cfg, String.join("\n", "pid_file=" + dir.resolve("nrpe.pid"), "server_port=" + port,
                "server_address=127.0.0.1", "nrpe_user=nagios", "nrpe_group=nagios", "allowed_hosts=127.0.0.1",
                "dont_blame_nrpe=0", "allow_bash_command_substitution=0", "command_timeout=60",
                "connection_timeout=300", String.join("\n", commands), "include=" + SNIPPET, ""));
        nrpe = new ProcessBuilder(NRPE, "-c", cfg.toString(), "-f").redirectErrorStream(true)
                .redirectOutput(dir.resolve("nrpe.log").toFile()).start();
        for (int i = 0; i < 100; i++) {
            if (Commands.exec(List.of(CHECK_NRPE, "-H", "127.0.0.1", "-p", Integer.toString(port)), 10).exitCode() == 0) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("nrpe did not start: " + Files.readString(dir.resolve("nrpe.log")));
    }

    private void command(String name, String line) {
        commands.add("command[" + name + "]=" + line);
    }

    @AfterEach
    void stop() throws Exception {
        if (many != null) {
            many.descendants().forEach(ProcessHandle::destroy);
        }
        for (Process p : new Process[] {nrpe, many}) {
            if (p != null) {
                p.destroy();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        TestListener.closeAll(child, other);
    }

    /** check_nrpe's exit code and output; {@code v2}: the 1 KiB packets of NRPE 2. */
    private Commands.Result nrpe(String command, boolean v2) throws Exception {
        List<String> c = new ArrayList<>(List.of(CHECK_NRPE, "-H", "127.0.0.1", "-p", Integer.toString(port), "-t", "60",
                "-c", command));
        if (v2) {
            c.add("-2");
        }
        return Commands.exec(c, 90);
    }

    /** The command's line run here as nagios through sh, as NRPE runs it. */
    private Commands.Result local(String command) throws Exception {
        String line = commands.stream().filter(c -> c.startsWith("command[" + command + "]=")).findFirst()
                .map(c -> c.substring(c.indexOf('=') + 1))
                .orElseGet(() -> snippetLine(command));
        return Commands.exec(List.of("setpriv", "--reuid=nagios", "--regid=nagios", "--init-groups", "sh", "-c", line), 90);
    }

    private static String snippetLine(String command) {
        try {
            return Files.readAllLines(SNIPPET).stream().filter(l -> l.startsWith("command[" + command + "]="))
                    .findFirst().orElseThrow().substring(("command[" + command + "]=").length());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String firstLine(String s) {
        return s.substring(0, s.indexOf('\n'));
    }

    @Test
    void checkNrpeGivesWhatCheckRlimitGivesLocally() throws Exception {
        Commands.Result here = local("holder");
        assertEquals(1, here.exitCode(), here.stdout());
        assertTrue(here.stdout().startsWith("RLIMIT WARNING - bash[" + child.pid() + "] nofile 850/1000 (85%)"
                + " (2 processes) |"),
                here.stdout());
        Commands.Result there = nrpe("holder", false);
        assertEquals(here.exitCode(), there.exitCode());
        assertEquals(here.stdout(), there.stdout());
        // the shipped command, from the installed snippet, as it stands
        Commands.Result shipped = nrpe("check_rlimit_nrpe", false);
        Commands.Result shippedHere = local("check_rlimit_nrpe");
        assertEquals(shippedHere.exitCode(), shipped.exitCode());
        assertEquals(shippedHere.stdout(), shipped.stdout());
        assertTrue(shipped.stdout().startsWith("RLIMIT "), shipped.stdout());
    }

    @Test
    void v2PacketsCutAt1023BytesAndMaxBytesFitsTheOutputKeepingThePerfdata() throws Exception {
        String full = local("holder").stdout();
        assertTrue(bytes(full) > V2_BYTES, "long enough to be cut: " + bytes(full));
        // NRPE alone: the first 1023 bytes, wherever they end
        assertEquals(full.substring(0, V2_BYTES) + "\n", nrpe("holder", true).stdout());
        assertEquals(full, nrpe("holder", false).stdout(), "v4 packets carry it whole");
        // fitted: whole lines, the first (state, summary, every perfdata item) as it was
        Commands.Result fitted = local("holder_fitted");
        Commands.Result there = nrpe("holder_fitted", true);
        assertEquals(fitted.exitCode(), there.exitCode());
        assertEquals(fitted.stdout(), there.stdout());
        assertTrue(bytes(fitted.stdout()) <= V2_BYTES, fitted.stdout());
        assertEquals(firstLine(full), firstLine(fitted.stdout()));
        assertTrue(full.startsWith(fitted.stdout()), "the last long-output lines went, whole: " + fitted.stdout());
    }

    @Test
    void v4PacketsCutAt64KiBAndMaxBytesFitsTheOutputKeepingThePerfdata() throws Exception {
        // ~150 bytes of long output per process: 520 of them go well past NRPE v4's 65504 bytes
        // (the first line is the worst process's perfdata plus counts, whatever their number)
        // the mark as bash's $0, so that the spawning shell's own command line never reads "sleep MARK"
        // (it matched, and its memory grows as it forks: two runs of the check then disagreed)
        many = new ProcessBuilder("bash", "-c", "for i in $(seq 520); do sleep \"$0\" & done; wait", MARK)
                .redirectErrorStream(true).redirectOutput(dir.resolve("many.log").toFile()).start();
        for (int i = 0; i < 200 && Commands.exec(List.of("pgrep", "-c", "-f", "^sleep " + MARK + "$"), 10).stdout()
                .strip().equals("520") == false; i++) {
            Thread.sleep(50);
        }
        String full = local("many").stdout();
        assertTrue(bytes(full) > V4_BYTES && bytes(firstLine(full)) < V4_BYTES, "long output beyond 64 KiB, the"
                + " first line within: " + bytes(full) + ", " + bytes(firstLine(full)));
        assertEquals(full.substring(0, V4_BYTES) + "\n", nrpe("many", false).stdout());
        Commands.Result fitted = local("many_fitted");
        Commands.Result there = nrpe("many_fitted", false);
        assertEquals(fitted.exitCode(), there.exitCode());
        assertEquals(fitted.stdout(), there.stdout());
        assertTrue(bytes(fitted.stdout()) <= V4_BYTES);
        assertEquals(firstLine(full), firstLine(fitted.stdout()), "every perfdata item kept");
        assertTrue(full.startsWith(fitted.stdout()));
    }

    @Test
    void anUnknownCommandIsRefusedByName() throws Exception {
        Commands.Result r = nrpe("check_rlimit_nowhere", false);
        assertEquals(3, r.exitCode());
        assertEquals("NRPE: Command 'check_rlimit_nowhere' not defined\n", r.stdout());
    }
}
