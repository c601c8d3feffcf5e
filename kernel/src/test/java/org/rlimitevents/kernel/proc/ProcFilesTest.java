package org.rlimitevents.kernel.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

/** The /proc file parsers against files captured from a Debian 12 machine (kernel 6.18). */
class ProcFilesTest {

    private static String sample(String name) throws IOException {
        try (InputStream in = ProcFilesTest.class.getResourceAsStream("/samples/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void limitsFileHasEveryResource() throws IOException {
        Map<Resource, Limit> limits = LimitsFile.parse(sample("limits"));
        assertEquals(16, limits.size());
        assertEquals(new Limit(20000, 20000), limits.get(Resource.NOFILE));
        assertEquals(new Limit(8388608, Limit.UNLIMITED), limits.get(Resource.STACK));
        assertEquals(new Limit(Limit.UNLIMITED, Limit.UNLIMITED), limits.get(Resource.CPU));
        assertEquals(new Limit(96365, 96365), limits.get(Resource.NPROC));
        assertEquals(new Limit(0, 0), limits.get(Resource.NICE));
        assertEquals(new Limit(819200, 819200), limits.get(Resource.MSGQUEUE));
        assertEquals(new Limit(Limit.UNLIMITED, Limit.UNLIMITED), limits.get(Resource.RTTIME));
    }

    @Test
    void statusFields() throws IOException {
        StatusFile s = StatusFile.parse(sample("status"));
        assertEquals(0, s.realUid());
        assertEquals(1, s.threads());
        assertEquals(0, s.queuedSignals());
        assertEquals(OptionalLong.of(3060L * 1024), s.bytes("VmSize"));
        assertEquals(OptionalLong.of(360L * 1024), s.bytes("VmData"));
        assertEquals(OptionalLong.of(132L * 1024), s.bytes("VmStk"));
        assertEquals(OptionalLong.of(0), s.bytes("VmLck"));
        assertEquals(OptionalLong.empty(), s.bytes("NoSuchField"));
    }

    @Test
    void statusOfAKernelThreadHasNoMemory() {
        StatusFile s = StatusFile.parse("Name:\tkthreadd\nUid:\t0\t0\t0\t0\nThreads:\t1\nSigQ:\t0/96365\n");
        assertEquals(OptionalLong.empty(), s.bytes("VmSize"));
    }

    @Test
    void statusNameThatLooksLikeAField() {
        // a process may call itself "Uid: 7": only a key at the start of a line counts
        StatusFile s = StatusFile.parse("Name:\tUid:\t7\nUid:\t1000\t1000\t1000\t1000\nThreads:\t3\n");
        assertEquals(1000, s.realUid());
        assertEquals(3, s.threads());
    }

    @Test
    void statWithAHostileCommand() {
        StatFile s = StatFile.parse("4242 (a) (b\nS 1 2) S 1 4242 4242 0 -1 4194560 26020 1672365 0 612 66 320"
                + " 3092 2043 20 -5 14 0 31 40407040 2308 18446744073709551615 1 1 0 0 0 0 0 4096 1256 0 0 0 17 1"
                + " 7 0 0 0 0 0 0 0 0 0 0 0 0");
        assertEquals("a) (b\nS 1 2", s.comm());
        assertEquals(66, s.utimeTicks());
        assertEquals(320, s.stimeTicks());
        assertEquals(-5, s.nice());
        assertEquals(7, s.rtPriority());
        assertEquals(3.86, s.cpuSeconds(), 1e-9);
        assertFalse(s.kernelThread());
        assertEquals(31, s.startTicks());
        assertEquals(1, s.ppid());
        assertEquals(14, s.threads());
        assertFalse(s.dead());
        // a leader that exited before its threads is a zombie, its process is not
        String zombie = "4242 (a) Z 1 4242 4242 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 %d 0 31 0 0"
                + " 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0";
        assertFalse(StatFile.parse(String.format(zombie, 3)).dead());
        assertTrue(StatFile.parse(String.format(zombie, 1)).dead());
    }

    @Test
    void kernelThreadFlag() {
        StatFile s = StatFile.parse("2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 3 0 0 20 0 1 0 7 0 0"
                + " 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0");
        assertTrue(s.kernelThread());
    }

    @Test
    void fdCounterByKernelRelease() {
        assertEquals(FdCounter.STAT, FdCounter.forKernel("6.18.44-fc-v657"));
        assertEquals(FdCounter.STAT, FdCounter.forKernel("6.2.0"));
        assertEquals(FdCounter.READDIR, FdCounter.forKernel("6.1.0-28-amd64"));
        assertEquals(FdCounter.READDIR, FdCounter.forKernel("5.10.0"));
        assertEquals(FdCounter.STAT, FdCounter.forKernel("7.0"));
        assertEquals(FdCounter.READDIR, FdCounter.forKernel("garbage"));
    }

    @Test
    void tokens() {
        assertEquals(3, Tokens.whitespace("  a\tb   c ").length);
        assertEquals("b", Tokens.whitespace("  a\tb   c ")[1]);
        assertEquals(0, Tokens.whitespace("   ").length);
        assertTrue(Tokens.isDigits("0123", 4));
        assertFalse(Tokens.isDigits("12345", 4));
        assertFalse(Tokens.isDigits("", 4));
        assertFalse(Tokens.isDigits("1a", 4));
    }
}
