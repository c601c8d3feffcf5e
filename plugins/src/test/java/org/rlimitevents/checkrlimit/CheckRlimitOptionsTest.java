package org.rlimitevents.checkrlimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlimitevents.kernel.testing.ProcFixture;
import org.rlimitevents.plugin.PluginOutput;

/** Help, version, bad input and timeouts: always exit 3 with a reason, never a stack trace. */
class CheckRlimitOptionsTest {

    @Test
    void helpAndVersionExitThree() {
        PluginOutput help = CheckRlimit.run("-h");
        assertEquals(3, help.exitCode());
        assertTrue(help.text().startsWith("check_rlimit "), help.text());
        assertTrue(help.text().contains("\nUsage: check_rlimit "));
        assertTrue(help.text().contains("never alerts"));
        PluginOutput version = CheckRlimit.run("--version");
        assertEquals(3, version.exitCode());
        assertTrue(version.text().matches("check_rlimit \\S.*\\(rlimit-events\\)\n"), version.text());
    }

    @Test
    void badOptionsGiveAReasonAndTheUsage() {
        String[][] cases = {
            {"-x"}, {"-w", "2:1"}, {"-r", "files"}, {"-p", "abc"}, {"-p", "0"}, {"--limit", "medium"},
            {"--no-match", "maybe"}, {"-t", "-5"}, {"-a", "(unclosed"}, {"-w", "nofile=abc"}, {"-w", "sockets=5"},
            {"stray"}, {"--unit", "a/b"}, {"--max-lines"}, {"--max-bytes", "63"},
            {"--perfdata", "every"},
        };
        String[] reasons = {
            "unknown option -x", "invalid range '2:1': start is greater than end", "unknown resource 'files'",
            "pid must be a positive whole number, not 'abc'", "pid must be a positive whole number, not '0'",
            "--limit must be one of [soft, hard], not 'medium'",
            "--no-match must be one of [ok, warning, critical, unknown], not 'maybe'",
            "--timeout must be a positive whole number, not '-5'", "invalid --argument regex: Unclosed group",
            "invalid range 'abc': 'abc' is not a number", "unknown resource 'sockets'",
            "unexpected argument 'stray'", "invalid unit name 'a/b'", "option --max-lines needs a value",
            "--max-bytes must be at least 64", "--perfdata must be one of [worst, all], not 'every'",
        };
        for (int i = 0; i < cases.length; i++) {
            PluginOutput out = CheckRlimit.run(cases[i]);
            assertEquals(3, out.exitCode(), String.join(" ", cases[i]));
            String first = out.text().substring(0, out.text().indexOf('\n'));
            assertTrue(first.startsWith("RLIMIT UNKNOWN - " + reasons[i]), first);
            assertTrue(out.text().contains("\nUsage: check_rlimit "), out.text());
        }
    }

    @Test
    void maxBytesFitsTheOutputAndKeepsItsFinalNewline() {
        PluginOutput out = new PluginOutput("RLIMIT OK - a | n=1;8;9;0;10\nOK: a\nOK: b\n", 0);
        assertEquals(out, CheckRlimit.fitted(out, 0));
        assertEquals(out, CheckRlimit.fitted(out, 41));
        assertEquals(new PluginOutput("RLIMIT OK - a | n=1;8;9;0;10\nOK: a\n", 0), CheckRlimit.fitted(out, 40));
    }

    @Test
    void timeoutIsUnknown(@TempDir Path dir) throws Exception {
        ProcFixture proc = new ProcFixture(dir.resolve("proc"), "6.1.0");
        proc.process(100, "stuck").write();
        // a FIFO with no writer: reading the limits blocks, as a hung /proc or NFS read would
        Path limits = proc.root().resolve("100/limits");
        Files.delete(limits);
        Process mkfifo = new ProcessBuilder("mkfifo", limits.toString()).start();
        assertTrue(mkfifo.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, mkfifo.exitValue());
        long start = System.nanoTime();
        PluginOutput out = CheckRlimit.run("-p", "100", "-r", "nofile", "-t", "1", "--proc-root", proc.root().toString());
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals("RLIMIT UNKNOWN - check timed out after 1 s\n", out.text());
        assertEquals(3, out.exitCode());
        assertTrue(ms >= 1000 && ms < 5000, "took " + ms + " ms");
    }
}
