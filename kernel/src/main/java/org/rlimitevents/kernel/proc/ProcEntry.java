package org.rlimitevents.kernel.proc;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One process under a {@link ProcFs}; each file is read at most once. */
public final class ProcEntry {
    private final ProcFs procFs;
    private final int pid;
    private final Path dir;
    private StatFile stat;
    private StatusFile status;
    private Map<Resource, Limit> limits;

    ProcEntry(ProcFs procFs, int pid, Path dir) {
        this.procFs = procFs;
        this.pid = pid;
        this.dir = dir;
    }

    public int pid() {
        return pid;
    }

    public StatFile stat() {
        if (stat == null) {
            stat = StatFile.parse(ProcFs.read(dir.resolve("stat"), pid));
        }
        return stat;
    }

    /**
     * When the process started, in clock ticks since boot: with the pid, its identity (a pid the
     * kernel hands out again belongs to a process with another start time).
     */
    public long startTicks() {
        return stat().startTicks();
    }

    public String comm() {
        return stat().comm();
    }

    public StatusFile status() {
        if (status == null) {
            status = StatusFile.parse(ProcFs.read(dir.resolve("status"), pid));
        }
        return status;
    }

    public Map<Resource, Limit> limits() {
        if (limits == null) {
            limits = LimitsFile.parse(ProcFs.read(dir.resolve("limits"), pid));
        }
        return limits;
    }

    /** The command line with NULs turned into spaces, as ps and check_procs show it. */
    public String cmdline() {
        String raw = ProcFs.read(dir.resolve("cmdline"), pid);
        if (raw.endsWith("\0")) {
            raw = raw.substring(0, raw.length() - 1);
        }
        return raw.replace('\0', ' ');
    }

    /**
     * The cgroup paths of this process: the cgroup v2 path ("0::/…") and the v1 name=systemd
     * path, whichever exist (hybrid systems have both).
     */
    public List<String> cgroupPaths() {
        List<String> paths = new ArrayList<>();
        for (String line : ProcFs.read(dir.resolve("cgroup"), pid).split("\n")) {
            int first = line.indexOf(':');
            int second = line.indexOf(':', first + 1);
            if (first < 0 || second < 0) {
                continue;
            }
            String controllers = line.substring(first + 1, second);
            if (controllers.isEmpty() || controllers.equals("name=systemd")) {
                paths.add(line.substring(second + 1));
            }
        }
        return paths;
    }

    /** The number of open file descriptors. */
    public long openFds() {
        Path fdDir = dir.resolve("fd");
        try {
            return procFs.fdCounter().countOf(fdDir);
        } catch (NoSuchFileException e) {
            throw new ProcessGoneException(pid);
        } catch (AccessDeniedException e) {
            throw new PrivilegeRequiredException("counting open files of pid " + pid + " (" + fdDir
                    + ") needs root, CAP_DAC_READ_SEARCH or CAP_SYS_PTRACE"
                    + " (on kernels >= 6.2 any user can count them)");
        } catch (IOException e) {
            if (!Files.exists(dir)) {
                throw new ProcessGoneException(pid);
            }
            throw new IllegalStateException("cannot count fds in " + fdDir + ": " + e.getMessage(), e);
        }
    }
}
