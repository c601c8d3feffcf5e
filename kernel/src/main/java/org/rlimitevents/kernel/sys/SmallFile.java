package org.rlimitevents.kernel.sys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

import jnr.ffi.Pointer;

/**
 * A small file an untrusted hand may have replaced (a pidfile). Checked without following a
 * symlink to be a regular file of at most the cap, then read up to the cap. Where libc is bound
 * (the listener) the open is O_NONBLOCK|O_NOFOLLOW and the check is repeated on the opened
 * descriptor (through /proc/self/fd, which is fstat), so that a FIFO swapped in between cannot
 * block a daemon's thread; check_rlimit, which leaves jnr off its class path to start fast, opens
 * with O_NOFOLLOW alone: a swap in that window blocks only its check thread, which -t bounds.
 */
public final class SmallFile {
    private static final int ENOENT = 2;
    private static final int ELOOP = 40;

    /** The text (lenient UTF-8) and the modification time in milliseconds since the epoch. */
    public record Content(String text, long modifiedMillis) {
    }

    private SmallFile() {
    }

    /**
     * Reads {@code path} whole. NoSuchFileException when it does not exist; an IOException with
     * the reason when it is no regular file, a symlink, or larger than {@code maxBytes}.
     */
    public static Content read(Path path, int maxBytes) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            throw new IOException(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        check(a, maxBytes);
        return LIBC ? readNonBlocking(path, maxBytes) : readPlain(path, maxBytes, a);
    }

    private static final boolean LIBC = present("jnr.ffi.LibraryLoader");

    private static boolean present(String className) {
        try {
            Class.forName(className, false, SmallFile.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static void check(BasicFileAttributes a, int maxBytes) throws IOException {
        if (a.isSymbolicLink()) {
            throw new IOException("a symbolic link (refused: regular files only)");
        }
        if (!a.isRegularFile()) {
            throw new IOException("not a regular file" + (a.isOther() ? " (a FIFO, socket or device)" : ""));
        }
        if (a.size() > maxBytes) {
            throw new IOException(a.size() + " bytes, more than " + maxBytes);
        }
    }

    private static Content readPlain(Path path, int maxBytes, BasicFileAttributes a) throws IOException {
        try (var in = java.nio.channels.Channels.newInputStream(Files.newByteChannel(path,
                java.util.Set.of(java.nio.file.StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)))) {
            byte[] bytes = in.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw new IOException("more than " + maxBytes + " bytes");
            }
            return new Content(new String(bytes, StandardCharsets.UTF_8), a.lastModifiedTime().toMillis());
        }
    }

    private static Content readNonBlocking(Path path, int maxBytes) throws IOException {
        // the flags of this architecture (O_NOFOLLOW is 0400000 on x86 but 0100000 on arm64)
        int fd = Sys.C.open(path.toString(), jnr.constants.platform.OpenFlags.O_RDONLY.intValue()
                | jnr.constants.platform.OpenFlags.O_NONBLOCK.intValue()
                | jnr.constants.platform.OpenFlags.O_NOFOLLOW.intValue()
                | jnr.constants.platform.OpenFlags.O_CLOEXEC.intValue(), 0);
        if (fd < 0) {
            int errno = Sys.errno();
            if (errno == ENOENT) {
                throw new NoSuchFileException(path.toString());
            }
            throw new IOException(errno == ELOOP ? "a symbolic link (refused: regular files only)"
                    : Sys.strerror(errno));
        }
        try {
            BasicFileAttributes a = Files.readAttributes(Path.of("/proc/self/fd/" + fd), BasicFileAttributes.class);
            check(a, maxBytes);
            Pointer buf = Sys.allocate(maxBytes + 1);
            int len = 0;
            while (len <= maxBytes) {
                long n = Sys.C.read(fd, buf.slice(len), maxBytes + 1 - len);
                if (n < 0) {
                    throw new IOException(Sys.strerror(Sys.errno()));
                }
                if (n == 0) {
                    break;
                }
                len += (int) n;
            }
            if (len > maxBytes) {
                throw new IOException("more than " + maxBytes + " bytes");
            }
            byte[] bytes = new byte[len];
            buf.get(0, bytes, 0, len);
            return new Content(new String(bytes, StandardCharsets.UTF_8), a.lastModifiedTime().toMillis());
        } finally {
            Sys.C.close(fd);
        }
    }
}
