package org.rlimitevents.kernel.proc;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/** Counts the open file descriptors of a process from its /proc/PID/fd directory. */
public enum FdCounter {
    /**
     * Since Linux 6.2 ("proc: report open files as size in stat() for /proc/pid/fd"), stat() of
     * /proc/PID/fd reports the number of open fds in st_size: one syscall, no ptrace check,
     * however many fds are open.
     */
    STAT {
        @Override
        public long countOf(Path fdDir) throws IOException {
            return Files.readAttributes(fdDir, BasicFileAttributes.class).size();
        }
    },
    /** Older kernels: list the directory (needs ptrace-level access to another user's process). */
    READDIR {
        @Override
        public long countOf(Path fdDir) throws IOException {
            long n = 0;
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(fdDir)) {
                for (Path ignored : entries) {
                    n++;
                }
            }
            return n;
        }
    };

    /** The number of entries in a /proc/PID/fd directory. */
    public abstract long countOf(Path fdDir) throws IOException;

    /** STAT where the kernel supports it (release 6.2 or later), READDIR elsewhere. */
    public static FdCounter forKernel(String release) {
        String[] parts = release.trim().replace('-', '.').split("\\.");
        try {
            int major = Integer.parseInt(parts[0]);
            int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return major > 6 || (major == 6 && minor >= 2) ? STAT : READDIR;
        } catch (NumberFormatException e) {
            return READDIR;
        }
    }
}
