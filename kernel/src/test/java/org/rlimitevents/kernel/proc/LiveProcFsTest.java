package org.rlimitevents.kernel.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.OptionalDouble;

import org.junit.jupiter.api.Test;
import org.rlimitevents.kernel.testing.FdHolder;

/** The readers against the running kernel, on a real child holding a known number of fds. */
class LiveProcFsTest {

    @Test
    void statAndReaddirCountTheSameFds() throws Exception {
        try (FdHolder child = FdHolder.start()) {
            assertEquals(321, child.holdFds(321));
            ProcFs proc = ProcFs.at(Path.of("/proc"));
            ProcEntry p = proc.process(child.pid());
            assertEquals(321, p.openFds());
            assertEquals(321, FdCounter.READDIR.countOf(Path.of("/proc/" + child.pid() + "/fd")));
            assertEquals(OptionalDouble.of(321), Usage.of(p, Resource.NOFILE, proc));
            assertEquals("bash", p.comm());
        }
    }

    @Test
    void limitsSetFromOutsideAreRead() throws Exception {
        try (FdHolder child = FdHolder.start()) {
            child.prlimit("--nofile=1000:2000", "--nproc=77:88");
            ProcEntry p = ProcFs.at(Path.of("/proc")).process(child.pid());
            assertEquals(new Limit(1000, 2000), p.limits().get(Resource.NOFILE));
            assertEquals(new Limit(77, 88), p.limits().get(Resource.NPROC));
        }
    }

    @Test
    void aProcessThatExitedIsGone() throws Exception {
        FdHolder child = FdHolder.start();
        int pid = child.pid();
        ProcFs proc = ProcFs.at(Path.of("/proc"));
        ProcEntry p = proc.process(pid);
        child.close();
        assertThrows(ProcessGoneException.class, p::limits);
        assertThrows(ProcessGoneException.class, p::openFds);
    }

    @Test
    void selfPidIsThisJvm() {
        assertEquals(ProcessHandle.current().pid(), ProcFs.selfPid());
        assertTrue(ProcFs.at(Path.of("/proc")).pids().contains(ProcFs.selfPid()));
    }
}
