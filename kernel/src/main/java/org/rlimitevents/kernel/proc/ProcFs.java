package org.rlimitevents.kernel.proc;

import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
    /** Not counted in per-user task counts: this JVM's own threads are no load of the user it checks. */
    private final int excluded;
    private Map<Integer, Long> tasksByUid;
    /** In a round (see {@link #round}): the listing and each process's entry, read once; else null. */
    private List<Integer> listed;
    private Map<Integer, ProcEntry> entries;

    public ProcFs(Path root, FdCounter fdCounter) {
        this(root, fdCounter, -1);
    }

    private ProcFs(Path root, FdCounter fdCounter, int excluded) {
        this.root = root;
        this.fdCounter = fdCounter;
        this.excluded = excluded;
    }

    /** The tree at {@code root}, counting fds the fastest way its kernel release allows. */
    public static ProcFs at(Path root) {
        String release;
        try {
            release = read(root.resolve("sys/kernel/osrelease"), 0);
        } catch (RuntimeException e) {
            release = "0";
        }
        // A fixture tree is a plain directory: stat() of its fd dir says nothing about the count.
        boolean realProc = root.toString().equals("/proc");
        return realProc ? new ProcFs(root, FdCounter.forKernel(release), selfPid())
                : new ProcFs(root, FdCounter.READDIR, -1);
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

    /** A new snapshot of the same tree (per-user counts are cached per instance). */
    public ProcFs fresh() {
        return new ProcFs(root, fdCounter, excluded);
    }

    /**
     * A snapshot for one round over many selections (a listener evaluating its services together):
     * /proc is listed once and each process's files are read at most once in it, so a round costs
     * one walk, not one per service.
     */
    public ProcFs round() {
        ProcFs r = new ProcFs(root, fdCounter, excluded);
        r.entries = new HashMap<>();
        return r;
    }

    public Path root() {
        return root;
    }

    public FdCounter fdCounter() {
        return fdCounter;
    }

    /** Every thread-group id, ascending. (File.list: no Path object or stream per entry.) */
    public List<Integer> pids() {
        if (entries != null && listed != null) {
            return listed;
        }
        String[] names = root.toFile().list();
        if (names == null) {
            throw new IllegalStateException("cannot list " + root);
        }
        List<Integer> pids = new ArrayList<>(names.length);
        for (String name : names) {
            if (Tokens.isDigits(name, 10)) {
                pids.add(Integer.parseInt(name));
            }
        }
        Collections.sort(pids);
        if (entries != null) {
            listed = Collections.unmodifiableList(pids);
            return listed;
        }
        return pids;
    }

    public ProcEntry process(int pid) {
        if (entries != null) {
            return entries.computeIfAbsent(pid, p -> new ProcEntry(this, p, root.resolve(Integer.toString(p))));
        }
        return new ProcEntry(this, pid, root.resolve(Integer.toString(pid)));
    }

    public boolean exists(int pid) {
        if (listed != null && Collections.binarySearch(listed, pid) >= 0) {
            return true; // listed in this round (a read of one gone since throws ProcessGoneException)
        }
        return Files.isDirectory(root.resolve(Integer.toString(pid)));
    }

    /**
     * Tasks (threads) whose real uid is {@code uid}: what the kernel compares with RLIMIT_NPROC.
     */
    public synchronized long tasksOfUser(int uid) {
        if (tasksByUid == null) {
            Map<Integer, Long> counts = new HashMap<>();
            for (int pid : pids()) {
                if (pid == excluded) {
                    continue;
                }
                try {
                    StatusFile status = process(pid).status();
                    Long sum = counts.get(status.realUid());
                    counts.put(status.realUid(), (sum == null ? 0 : sum) + status.threads());
                } catch (ProcessGoneException | PrivilegeRequiredException e) {
                    // exited while we walked: no longer counted by the kernel either
                }
            }
            tasksByUid = counts;
        }
        return tasksByUid.getOrDefault(uid, 0L);
    }

    /** When the system booted, in seconds since the epoch (/proc/stat btime): start times are relative to it. */
    public long bootTimeSeconds() {
        for (String line : read(root.resolve("stat"), 0).split("\n")) {
            if (line.startsWith("btime ")) {
                return Long.parseLong(line.substring(6).trim());
            }
        }
        throw new IllegalStateException("no btime in " + root.resolve("stat"));
    }

    /**
     * Reads a /proc file whole. FileInputStream into a plain buffer: on a cold JVM it reads /proc
     * files three to four times faster than Files.readAllBytes, and a check reads one per process.
     */
    static String read(Path file, int pid) {
        try (FileInputStream in = new FileInputStream(file.toString())) {
            byte[] buf = new byte[4096];
            int len = 0;
            for (int n; (n = in.read(buf, len, buf.length - len)) > 0; ) {
                len += n;
                if (len == buf.length) {
                    buf = Arrays.copyOf(buf, buf.length * 2);
                }
            }
            // Process names are arbitrary bytes: decode leniently instead of failing on bad UTF-8.
            return new String(buf, 0, len, StandardCharsets.UTF_8);
        } catch (FileNotFoundException e) {
            String why = String.valueOf(e.getMessage());
            if (why.endsWith("(Permission denied)")) {
                throw new PrivilegeRequiredException("reading " + file + " needs root or CAP_DAC_READ_SEARCH");
            }
            throw new ProcessGoneException(pid);
        } catch (IOException e) {
            // ESRCH ("No such process") when the task dies between open and read
            if (!Files.exists(file.getParent())) {
                throw new ProcessGoneException(pid);
            }
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
