package org.rlimitevents.listener.remote;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

import org.rlimitevents.listener.config.ConfigException;

/**
 * A credential kept in a file readable only by the service's user (never on the command line,
 * where every user can read it in /proc/PID/cmdline): the file's first line.
 */
public final class SecretFile {
    private SecretFile() {
    }

    public static String read(Path file, String what) throws ConfigException {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new ConfigException(file + ": the " + what + " file is writable by every user: refused"
                        + " (chmod 600)"); // anyone could put their own credential there
            }
            if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
                throw new ConfigException(file + ": the " + what + " file must be readable only by its owner"
                        + " (chmod 600)");
            }
            String first = Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
            if (first.isEmpty()) {
                throw new ConfigException(file + ": no " + what + " on its first line");
            }
            return first;
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read the " + what + ": " + e.getMessage());
        }
    }
}
