package org.rlimitevents.kernel.testing;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A child process that gives itself a hostile command name (one write to /proc/self/comm: a
 * shell's printf would split it at the newline) and then waits on stdin. Usage: NAME
 */
public final class RenamedProcess {
    private RenamedProcess() {
    }

    public static void main(String[] args) throws IOException {
        try (FileOutputStream comm = new FileOutputStream("/proc/self/comm")) {
            comm.write(args[0].getBytes(StandardCharsets.UTF_8));
        }
        System.out.println("renamed");
        System.out.flush();
        System.in.read();
    }
}
