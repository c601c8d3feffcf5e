package org.rlimitevents.checkrlimit;

import java.io.IOException;
import java.nio.file.Files;
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

    /** The matching processes, ascending by pid. */
    public List<ProcEntry> select(ProcFs procFs, int selfPid) throws UsageException {
        Set<Integer> candidates = new LinkedHashSet<>();
        boolean explicit = !pids.isEmpty() || !pidfiles.isEmpty();
        if (explicit) {
            candidates.addAll(pids);
            for (Path f : pidfiles) {
                Integer pid = readPidfile(f);
                if (pid != null) {
                    candidates.add(pid);
                }
            }
        } else {
            for (int pid : procFs.pids()) {
                if (pid != selfPid) {
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
                if ((explicit || !p.stat().kernelThread()) && matches(p)) {
                    matched.add(p);
                }
            } catch (ProcessGoneException e) {
                // exited between listing and reading: not a match
            }
        }
        return matched;
    }

    private boolean matches(ProcEntry p) {
        if (command != null && !command.equals(p.comm())) {
            return false;
        }
        if (uid != null && uid != p.status().realUid()) {
            return false;
        }
        if (argument != null && !argument.matcher(p.cmdline()).find()) {
            return false;
        }
        if (unit != null && !inUnit(p.cgroupPaths())) {
            return false;
        }
        return cgroup == null || inCgroup(p.cgroupPaths());
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

    /** The pid in a pidfile, or null when the file does not exist. */
    private static Integer readPidfile(Path f) throws UsageException {
        String text;
        try {
            text = Files.readString(f).trim();
        } catch (NoSuchFileException e) {
            return null; // the daemon is not running: no match, not an error
        } catch (IOException e) {
            throw new UsageException("cannot read pidfile " + f + ": " + e.getMessage());
        }
        String first = text.isEmpty() ? "" : Tokens.whitespace(text)[0];
        if (!Tokens.isDigits(first, 9) || Integer.parseInt(first) == 0) {
            throw new UsageException("pidfile " + f + " does not hold a pid");
        }
        return Integer.parseInt(first);
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
