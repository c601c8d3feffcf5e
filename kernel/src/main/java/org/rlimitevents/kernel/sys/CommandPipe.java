package org.rlimitevents.kernel.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import jnr.constants.platform.OpenFlags;

/**
 * Writes whole lines to a FIFO such as Nagios's external command file, never blocking: the open
 * is O_WRONLY|O_NONBLOCK (no reader: ENXIO at once, where a plain open would hang forever) and each
 * line is one write() of at most PIPE_BUF bytes, atomic with respect to other writers.
 */
public final class CommandPipe {
    private static final int FLAGS = OpenFlags.O_WRONLY.intValue() | OpenFlags.O_NONBLOCK.intValue()
            | OpenFlags.O_CLOEXEC.intValue() | OpenFlags.O_NOFOLLOW.intValue() | OpenFlags.O_NOCTTY.intValue();
    private static final int S_IFIFO = 0010000;
    private static final int ENOENT = 2, ENXIO = 6, EACCES = 13, EAGAIN = 11, EPIPE = 32, ELOOP = 40;
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
        // Never by path: a check then an open could be raced by a symlink swapped in between (the
        // line would land in whatever file it points to). O_NOFOLLOW refuses a symlink at the
        // last component, O_NONBLOCK keeps a regular file or a FIFO without reader from blocking,
        // and the type is checked on the descriptor actually opened.
        int fd = Sys.C.open(path.toString(), FLAGS, 0);
        if (fd < 0) {
            int errno = Sys.errno();
            switch (errno) {
                case ENXIO -> throw new PipeException(path + " has no reader (Nagios is not running)", true);
                case ENOENT -> throw new PipeException(path + " does not exist (Nagios not running, or another"
                        + " command_file)", true);
                case ELOOP -> throw new PipeException(path + " is a symbolic link: refusing to write through it", true);
                case EACCES -> throw new PipeException("no permission to write " + path + ": run as its owner or in"
                        + " its group '" + group() + "' (Debian: www-data)", true);
                default -> throw new PipeException("cannot open " + path + ": " + Sys.strerror(errno), true);
            }
        }
        try {
            int type = Sys.fileType(fd);
            if (type != S_IFIFO) {
                throw new PipeException(path + (type < 0 ? ": fstat: " + Sys.strerror(type)
                        : " is not a FIFO: refusing to write (results would be lost)"), true);
            }
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
