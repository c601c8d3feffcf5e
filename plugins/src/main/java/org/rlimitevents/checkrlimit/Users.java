package org.rlimitevents.checkrlimit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.rlimitevents.kernel.proc.Tokens;

/** User names to uids from a passwd(5) file (files only: a plugin must not hang on a directory service). */
final class Users {
    private Users() {
    }

    static int uidOf(String user, Path passwd) throws UsageException {
        if (Tokens.isDigits(user, 10)) {
            long uid = Long.parseLong(user);
            if (uid > Integer.MAX_VALUE) {
                throw new UsageException("uid " + user + " is out of range");
            }
            return (int) uid;
        }
        Optional<Integer> uid;
        try {
            uid = lookup(Files.readString(passwd), user);
        } catch (IOException e) {
            throw new UsageException("cannot read " + passwd + " to look up user '" + user + "'");
        }
        if (uid.isEmpty()) {
            throw new UsageException("unknown user '" + user + "' (not in " + passwd + ")");
        }
        return uid.get();
    }

    static Optional<Integer> lookup(String passwdText, String user) {
        for (String line : passwdText.split("\n")) {
            String[] f = line.split(":", -1);
            if (f.length >= 3 && f[0].equals(user) && Tokens.isDigits(f[2], 10)) {
                return Optional.of(Integer.parseInt(f[2]));
            }
        }
        return Optional.empty();
    }
}
