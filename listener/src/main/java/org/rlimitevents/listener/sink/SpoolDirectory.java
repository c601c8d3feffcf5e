package org.rlimitevents.listener.sink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * The files the listener creates, with explicit modes whatever the umask (results name hosts and
 * processes: never world-readable), and the lock that keeps a second listener off a spool or a
 * control socket another one uses (two listeners would send every result twice).
 */
public final class SpoolDirectory {
    private static final FileAttribute<Set<PosixFilePermission>> DIR = PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rwx------"));
    private static final FileAttribute<Set<PosixFilePermission>> FILE = PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rw-------"));

    /** Another listener holds the lock: its pid, for the message. */
    public static final class LockedException extends IOException {
        private static final long serialVersionUID = 1L;

        LockedException(String message) {
            super(message);
        }
    }

    private SpoolDirectory() {
    }

    /** Creates {@code dir} 0700 if missing; an existing one loses any access for others. */
    public static void create(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir.toAbsolutePath().getParent());
            try {
                Files.createDirectory(dir, DIR);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // created meanwhile
            }
        }
        Set<PosixFilePermission> p = Files.getPosixFilePermissions(dir);
        if (p.removeAll(EnumSet.of(PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
                PosixFilePermission.OTHERS_EXECUTE))) {
            Files.setPosixFilePermissions(dir, p);
        }
    }

    /** Opens (creating it 0600) a file of the listener's. */
    public static FileChannel open(Path file, OpenOption... options) throws IOException {
        Set<OpenOption> set = new java.util.HashSet<>(Set.of(options));
        return FileChannel.open(file, set, FILE);
    }

    /** An existing file (left by an older listener, created under its umask) made 0600. */
    static void ownerOnly(Path file) throws IOException {
        Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
        if (p.removeAll(EnumSet.complementOf(EnumSet.of(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE)))) {
            Files.setPosixFilePermissions(file, p);
        }
    }

    /**
     * Locks {@code lockFile} for this process's life (the kernel drops the lock when it dies, so a
     * crash leaves nothing to clean up) and writes this pid into it; {@link LockedException} names
     * the holder's pid when another process has it.
     */
    public static FileLock lock(Path lockFile, String what) throws IOException {
        create(lockFile.toAbsolutePath().getParent());
        FileChannel ch = open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // this JVM holds it already
        }
        if (lock == null) {
            String holder = new String(Files.readAllBytes(lockFile), StandardCharsets.US_ASCII).strip();
            ch.close();
            throw new LockedException(what + " is in use by another listener" + (holder.matches("\\d{1,10}")
                    ? " (pid " + holder + ")" : "") + ": lock " + lockFile);
        }
        ch.truncate(0);
        ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        ch.force(true);
        return lock;
    }
}
