package org.rlimitevents.kernel.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

import org.junit.jupiter.api.Test;
import org.rlimitevents.kernel.testing.FdHolder;

/**
 * The fd-count method is chosen from the kernel's release; the running kernel confirms the choice:
 * stat() of /proc/PID/fd gives the count exactly where STAT is chosen, and not where READDIR is.
 * `make test-vm` runs this in the guest too, so an older kernel (Debian 12's 6.1) checks the other side.
 */
class FdCountMethodIT {

    @Test
    void theReleaseNamesTheMethodThisKernelSupports() throws Exception {
        String release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        FdCounter chosen = FdCounter.forKernel(release);
        try (FdHolder child = FdHolder.start()) {
            child.holdFds(57);
            Path fd = Path.of("/proc/" + child.pid() + "/fd");
            long entries = FdCounter.READDIR.countOf(fd);
            long statSize = Files.readAttributes(fd, BasicFileAttributes.class).size();
            assertEquals(57, entries);
            assertEquals(chosen == FdCounter.STAT, statSize == entries,
                    "kernel " + release + ": chose " + chosen + ", stat size " + statSize + ", " + entries + " entries");
            assertEquals(entries, chosen.countOf(fd));
        }
    }
}
