package org.rlimitevents.listener.remote;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;

import org.rlimitevents.listener.config.ConfigException;

/**
 * send_nsca's configuration file ({@code password=}, {@code encryption_method=}; '#' comments), so
 * the listener and send_nsca can share one. A file holding a password must not be world-readable.
 */
public record NscaConfig(String password, int encryptionMethod) {
    public static NscaConfig read(Path file) throws ConfigException {
        String password = "";
        int method = 1; // send_nsca's default
        try {
            int n = 0;
            for (String line : Files.readAllLines(file)) {
                n++;
                String l = line.strip();
                if (l.isEmpty() || l.startsWith("#")) {
                    continue;
                }
                int eq = l.indexOf('=');
                String key = eq < 0 ? l : l.substring(0, eq).strip();
                String value = eq < 0 ? "" : l.substring(eq + 1).strip();
                if (key.equals("password")) {
                    password = value;
                } else if (key.equals("encryption_method")) {
                    try {
                        method = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        throw new ConfigException(file + ":" + n + ": encryption_method must be a number");
                    }
                } else {
                    throw new ConfigException(file + ":" + n + ": unknown setting '" + key + "'");
                }
            }
            if (!password.isEmpty() && Files.getPosixFilePermissions(file).contains(PosixFilePermission.OTHERS_READ)) {
                throw new ConfigException(file + ": holds a password and is world-readable (chmod o-r)");
            }
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        return new NscaConfig(password, method);
    }
}
