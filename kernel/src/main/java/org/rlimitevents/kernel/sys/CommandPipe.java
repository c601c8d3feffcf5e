package org.rlimitevents.kernel.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Writes whole lines to a FIFO such as Nagios's external command file, never blocking: the open
 * is O_WRONLY|O_NONBLOCK (no reader: ENXIO at once, where a plain open would hang forever) and each
 * line is one write() of at most PIPE_BUF bytes, atomic with respect to other writers.
 */
public final class CommandPipe {
    private static final int O_WRONLY = 01;
    private static final int O_NONBLOCK = 04000;
    private static final int O_CLOEXEC = 02000000;
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;
    private static final int ENOENT = 2, ENXIO = 6, EACCES = 13, EAGAIN = 11, EPIPE = 32;
    public static final int PIPE_BUF = 4096;

    /** Why a line could not be written; {@link #retryable()} says whether to spool and try again. */
    public static final class PipeException extends IOException {
        private static final long serialVersionUID = 1L;
        private final boolean retryable;

        PipeException(String message, boolean retryable) {
            super(message);
            this.retryable = retryable;
        }

        public boolean retryable() {
            return retryable;
        }
    }

    private final Path path;

    public CommandPipe(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
    }

    public void write(byte[] line) throws PipeException {
        if (line.length > PIPE_BUF) {
            throw new PipeException("a line of " + line.length + " bytes could interleave with other writers", false);
        }
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if ((mode & S_IFMT) != S_IFIFO) {
                throw new PipeException(path + " is not a FIFO: refusing to write (results would be lost)", false);
            }
        } catch (NoSuchFileException e) {
            throw new PipeException(path + " does not exist (Nagios not running, or another command_file)", true);
        } catch (IOException e) {
            throw new PipeException("cannot stat " + path + ": " + e.getMessage(), true);
        }
        int fd = Sys.C.open(path.toString(), O_WRONLY | O_NONBLOCK | O_CLOEXEC, 0);
        if (fd < 0) {
            int errno = Sys.errno();
            switch (errno) {
                case ENXIO -> throw new PipeException(path + " has no reader (Nagios is not running)", true);
                case ENOENT -> throw new PipeException(path + " does not exist", true);
                case EACCES -> throw new PipeException("no permission to write " + path + ": run as its owner or in"
                        + " its group '" + group() + "' (Debian: www-data)", true);
                default -> throw new PipeException("cannot open " + path + ": " + Sys.strerror(errno), true);
            }
        }
        try {
            long n = Sys.C.write(fd, line, line.length);
            if (n < 0) {
                int errno = Sys.errno();
                throw new PipeException(errno == EAGAIN ? path + " is full (Nagios is not reading)"
                        : errno == EPIPE ? path + " lost its reader" : "writing " + path + ": " + Sys.strerror(errno),
                        true);
            }
            if (n != line.length) {
                throw new PipeException("short write to " + path + ": " + n + " of " + line.length, true);
            }
        } finally {
            Sys.C.close(fd);
        }
    }

    private String group() {
        try {
            return Files.getAttribute(path, "posix:group").toString();
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }
}
