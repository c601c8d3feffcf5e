package org.rlimitevents.kernel.proc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A /proc tree: the real one, or a fixture directory laid out the same way (tests pass its path).
 * Per-user task counts are computed once per instance, so one instance is one snapshot of a check.
 */
public final class ProcFs {
    private final Path root;
    private final FdCounter fdCounter;
    private Map<Integer, Long> tasksByUid;

    public ProcFs(Path root, FdCounter fdCounter) {
        this.root = root;
        this.fdCounter = fdCounter;
    }

    /** The tree at {@code root}, counting fds the fastest way its kernel release allows. */
    public static ProcFs at(Path root) {
        String release;
        try {
            release = Files.readString(root.resolve("sys/kernel/osrelease"));
        } catch (IOException e) {
            release = "0";
        }
        // A fixture tree is a plain directory: stat() of its fd dir says nothing about the count.
        boolean realProc = root.toAbsolutePath().normalize().equals(Path.of("/proc"));
        return new ProcFs(root, realProc ? FdCounter.forKernel(release) : FdCounter.READDIR);
    }

    /**
     * This JVM's pid, from the /proc/self link: ProcessHandle.current() would start the JDK's
     * lambda machinery, milliseconds a one-shot plugin does not have.
     */
    public static int selfPid() {
        try {
            return Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/self")).toString());
        } catch (IOException | NumberFormatException e) {
            return (int) ProcessHandle.current().pid();
        }
    }

    public Path root() {
        return root;
    }

    public FdCounter fdCounter() {
        return fdCounter;
    }

    /** Every thread-group id, ascending. */
    public List<Integer> pids() {
        List<Integer> pids = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (!name.isEmpty() && name.chars().allMatch(Character::isDigit)) {
                    pids.add(Integer.parseInt(name));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + root + ": " + e.getMessage(), e);
        }
        Collections.sort(pids);
        return pids;
    }

    public ProcEntry process(int pid) {
        return new ProcEntry(this, pid, root.resolve(Integer.toString(pid)));
    }

    public boolean exists(int pid) {
        return Files.isDirectory(root.resolve(Integer.toString(pid)));
    }

    /**
     * Tasks (threads) whose real uid is {@code uid}: what the kernel compares with RLIMIT_NPROC.
     */
    public synchronized long tasksOfUser(int uid) {
        if (tasksByUid == null) {
            Map<Integer, Long> counts = new HashMap<>();
            for (int pid : pids()) {
                try {
                    StatusFile status = process(pid).status();
                    counts.merge(status.realUid(), (long) status.threads(), Long::sum);
                } catch (ProcessGoneException | PrivilegeRequiredException e) {
                    // exited while we walked: no longer counted by the kernel either
                }
            }
            tasksByUid = counts;
        }
        return tasksByUid.getOrDefault(uid, 0L);
    }

    static String read(Path file, int pid) {
        try {
            // Process names are arbitrary bytes: decode leniently instead of failing on bad UTF-8.
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ProcessGoneException(pid);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new PrivilegeRequiredException("reading " + file + " needs root or CAP_DAC_READ_SEARCH");
        } catch (IOException e) {
            // ESRCH ("No such process") when the task dies between open and read
            if (!Files.exists(file.getParent())) {
                throw new ProcessGoneException(pid);
            }
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
