package org.rlimitevents.checkrlimit;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.rlimitevents.kernel.proc.ProcEntry;
import org.rlimitevents.kernel.proc.ProcFs;
import org.rlimitevents.kernel.proc.ProcessGoneException;
import org.rlimitevents.kernel.proc.StatFile;
import org.rlimitevents.kernel.sys.SmallFile;
import org.rlimitevents.kernel.proc.Tokens;

/**
 * Which processes a check looks at. Explicit pids and pidfiles name candidates; without them every
 * process is a candidate (kernel threads and the plugin itself excluded). The other criteria all
 * have to match, as with check_procs.
 */
public record ProcessSelection(List<Integer> pids, List<Path> pidfiles, String command, Pattern argument,
                               Integer uid, String unit, String cgroup) {

    private static final List<String> UNIT_SUFFIXES = List.of(".service", ".scope", ".slice", ".socket",
            ".mount", ".swap", ".timer", ".target", ".path", ".device", ".automount");

    public ProcessSelection {
        pids = List.copyOf(pids);
        pidfiles = List.copyOf(pidfiles);
        if (unit != null && !hasUnitSuffix(unit)) {
            unit = unit + ".service";
        }
        if (cgroup != null) {
            cgroup = normaliseCgroup(cgroup);
        }
    }

    private static boolean hasUnitSuffix(String unit) {
        for (String suffix : UNIT_SUFFIXES) {
            if (unit.endsWith(suffix)) {
                return true;
            }
        }
        return false;
    }

    /** Accepts "/system.slice/x.service" as well as the same path under /sys/fs/cgroup. */
    static String normaliseCgroup(String path) {
        String p = path;
        for (String mount : List.of("/sys/fs/cgroup/systemd", "/sys/fs/cgroup/unified", "/sys/fs/cgroup")) {
            if (p.equals(mount) || p.startsWith(mount + "/")) {
                p = p.substring(mount.length());
                break;
            }
        }
        if (!p.startsWith("/")) {
            p = "/" + p;
        }
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    /** The processes a selection matched, and what the reader should know about the rest (a stale pidfile). */
    public record Selected(List<ProcEntry> processes, List<String> notes) {
    }

    /** The most of a pidfile read: a pid and a newline need a dozen bytes. */
    static final int PIDFILE_MAX_BYTES = 4096;
    /** A pidfile written this long before its process started belongs to an earlier process. */
    static final long PIDFILE_SLACK_MS = 2000;
    /** Characters an -a regex may read per command line: a backtracking pattern stops here. */
    static final long REGEX_BUDGET = 10_000_000;

    /**
     * The matching processes, ascending by pid. Never this process, nor (without explicit pids)
     * its parent, as check_procs does (a shell or timeout wrapper with the same arguments); never
     * a zombie (its thread group exited: no limit applies any more).
     */
    public Selected select(ProcFs procFs, int selfPid) throws UsageException {
        Set<Integer> candidates = new LinkedHashSet<>();
        List<String> notes = new ArrayList<>();
        boolean explicit = !pids.isEmpty() || !pidfiles.isEmpty();
        if (explicit) {
            candidates.addAll(pids);
            for (Path f : pidfiles) {
                Integer pid = pidOf(procFs, f, notes);
                if (pid != null) {
                    candidates.add(pid);
                }
            }
        } else {
            int parent = parentOf(procFs, selfPid);
            for (int pid : procFs.pids()) {
                if (pid != selfPid && pid != parent) {
                    candidates.add(pid);
                }
            }
        }
        List<ProcEntry> matched = new ArrayList<>();
        List<Integer> ordered = new ArrayList<>(candidates);
        Collections.sort(ordered);
        for (int pid : ordered) {
            if (!procFs.exists(pid)) {
                continue;
            }
            ProcEntry p = procFs.process(pid);
            try {
                if ((explicit || !p.stat().kernelThread()) && !p.stat().dead() && matches(p)) {
                    matched.add(p);
                }
            } catch (ProcessGoneException e) {
                // exited between listing and reading: not a match
            }
        }
        return new Selected(matched, notes);
    }

    /**
     * Whether one process, new since the last selection (forked or exec'd), is selected: the same
     * test as {@link #select} for that process alone, without a walk of /proc.
     */
    public boolean selects(ProcFs procFs, ProcEntry p, int selfPid) throws UsageException {
        boolean explicit = !pids.isEmpty() || !pidfiles.isEmpty();
        if (p.pid() == selfPid) {
            return false;
        }
        if (explicit) {
            boolean named = pids.contains(p.pid());
            for (Path f : pidfiles) {
                named |= Integer.valueOf(p.pid()).equals(pidOf(procFs, f, new ArrayList<>()));
            }
            if (!named) {
                return false;
            }
        } else if (p.stat().kernelThread()) {
            return false;
        }
        // the cheap tests on this process first: the caller's parent costs a read of /proc, and a
        // listener asks every service about every new process on the host
        return !p.stat().dead() && matches(p) && (explicit || p.pid() != parentOf(procFs, selfPid));
    }

    private static int parentOf(ProcFs procFs, int selfPid) {
        try {
            return procFs.exists(selfPid) ? procFs.process(selfPid).stat().ppid() : -1;
        } catch (ProcessGoneException e) {
            return -1;
        }
    }

    private boolean matches(ProcEntry p) throws UsageException {
        if (command != null && !command.equals(p.comm())) {
            return false;
        }
        if (uid != null && uid != p.status().realUid()) {
            return false;
        }
        if (argument != null && !find(argument, p)) {
            return false;
        }
        if (unit != null && !inUnit(p.cgroupPaths())) {
            return false;
        }
        return cgroup == null || inCgroup(p.cgroupPaths());
    }

    /** The regex on a command line, within {@link #REGEX_BUDGET} character reads. */
    private static boolean find(Pattern argument, ProcEntry p) throws UsageException {
        try {
            return argument.matcher(new BudgetedChars(p.cmdline(), REGEX_BUDGET)).find();
        } catch (BudgetedChars.Exhausted e) {
            throw new RegexBudgetException("--argument regex /" + argument.pattern() + "/ gave up on pid " + p.pid()
                    + ": more than " + REGEX_BUDGET + " steps on one command line (a pattern that backtracks"
                    + " without bound, such as (.*a){25}; simplify it)");
        }
    }

    /** A unit's processes live in a cgroup named after it, or in cgroups below that one. */
    private boolean inUnit(List<String> paths) {
        for (String path : paths) {
            for (String component : path.split("/")) {
                if (component.equals(unit)) {
                    return true;
                }
            }
        }
        return false;
    }

    private boolean inCgroup(List<String> paths) {
        for (String path : paths) {
            if (cgroup.equals("/") || path.equals(cgroup) || path.startsWith(cgroup + "/")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The pid in a pidfile; null when the file does not exist or is stale (its process started
     * after the file was written: the daemon that wrote it is gone and the pid was reused).
     */
    private static Integer pidOf(ProcFs procFs, Path f, List<String> notes) throws UsageException {
        SmallFile.Content content;
        try {
            content = SmallFile.read(f, PIDFILE_MAX_BYTES);
        } catch (NoSuchFileException e) {
            return null; // the daemon is not running: no match, not an error
        } catch (IOException e) {
            throw new UsageException("cannot read pidfile " + f + ": " + e.getMessage());
        }
        String text = content.text().trim();
        String first = text.isEmpty() ? "" : Tokens.whitespace(text)[0];
        if (!Tokens.isDigits(first, 9) || Integer.parseInt(first) == 0) {
            throw new UsageException("pidfile " + f + " does not hold a pid");
        }
        int pid = Integer.parseInt(first);
        try {
            if (!procFs.exists(pid)) {
                return pid;
            }
            long startedMs = procFs.bootTimeSeconds() * 1000
                    + procFs.process(pid).startTicks() * 1000 / StatFile.TICKS_PER_SECOND;
            if (startedMs > content.modifiedMillis() + PIDFILE_SLACK_MS) {
                notes.add("stale pidfile " + f + ": pid " + pid + " started "
                        + (startedMs - content.modifiedMillis()) / 1000 + " s after the file was written");
                return null;
            }
        } catch (ProcessGoneException | IllegalStateException e) {
            // gone (or no btime in a fixture tree): the pid stands, the selection finds no process
        }
        return pid;
    }

    /** How the no-match message names this selection. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        for (int p : pids) {
            parts.add("pid " + p);
        }
        for (Path f : pidfiles) {
            parts.add("pidfile " + f);
        }
        if (command != null) {
            parts.add("command '" + command + "'");
        }
        if (argument != null) {
            parts.add("argument /" + argument.pattern() + "/");
        }
        if (uid != null) {
            parts.add("uid " + uid);
        }
        if (unit != null) {
            parts.add("unit " + unit);
        }
        if (cgroup != null) {
            parts.add("cgroup " + cgroup);
        }
        return parts.isEmpty() ? "any process" : String.join(", ", parts);
    }
}
