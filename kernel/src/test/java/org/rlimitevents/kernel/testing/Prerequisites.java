package org.rlimitevents.kernel.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Live tests need root (other uids, other processes' limits) and system tools. On a developer
 * machine without them a test is skipped with the reason; under CI (CI=true) it fails instead, so
 * CI can never pass by skipping.
 */
public final class Prerequisites {
    private Prerequisites() {
    }

    public static boolean underCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    public static void requireRoot() {
        if (!isRoot()) {
            missing("needs root (run the tests as root, e.g. sudo make test)");
        }
    }

    public static void requireExecutable(String path, String debianPackage) {
        if (!Files.isExecutable(Path.of(path))) {
            missing("needs " + path + " (apt-get install " + debianPackage + ", or make deps)");
        }
    }

    public static boolean isRoot() {
        try {
            String status = Files.readString(Path.of("/proc/self/status"));
            int at = status.indexOf("\nUid:");
            return status.substring(at + 5).trim().startsWith("0");
        } catch (IOException e) {
            return false;
        }
    }

    private static void missing(String what) {
        if (underCi()) {
            fail("CI=true and this test " + what + ": CI must run it, not skip it");
        }
        abort("skipped: this test " + what);
    }
}
