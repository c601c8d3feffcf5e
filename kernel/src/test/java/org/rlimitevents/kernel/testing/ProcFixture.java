package org.rlimitevents.kernel.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

import org.rlimitevents.kernel.proc.Limit;
import org.rlimitevents.kernel.proc.Resource;

/**
 * A fixture /proc tree in a directory, in the kernel's own file formats: one call per process,
 * then the fields a test cares about. What is not set has realistic defaults.
 */
public final class ProcFixture {
    private final Path root;

    public ProcFixture(Path root, String kernelRelease) {
        this.root = root;
        writeFile(root.resolve("sys/kernel/osrelease"), kernelRelease + "\n");
    }

    public Path root() {
        return root;
    }

    public Proc process(int pid, String comm) {
        return new Proc(pid, comm);
    }

    /** One process; {@link #write()} lays out its files. */
    public final class Proc {
        private final int pid;
        private final String comm;
        private int uid = 1000;
        private int threads = 1;
        private int fds = 3;
        private int nice = 0;
        private long utimeTicks = 0;
        private String cmdline;
        private String cgroup = "0::/user.slice";
        private final Map<String, Long> vmKb = new java.util.LinkedHashMap<>();
        private final Map<Resource, Limit> limits = new EnumMap<>(Resource.class);
        private long sigq = 0;
        private boolean kernelThread;
        private char state = 'S';
        private int ppid = 1;
        private long startTicks = 31;

        Proc(int pid, String comm) {
            this.pid = pid;
            this.comm = comm;
            this.cmdline = comm;
            for (String k : new String[] {"VmPeak", "VmSize", "VmLck", "VmPin", "VmHWM", "VmRSS", "VmData",
                "VmStk"}) {
                vmKb.put(k, 0L);
            }
            vmKb.put("VmSize", 10240L);
            vmKb.put("VmRSS", 2048L);
            vmKb.put("VmData", 1024L);
            vmKb.put("VmStk", 132L);
            limits.put(Resource.CPU, new Limit(Limit.UNLIMITED, Limit.UNLIMITED));
            limits.put(Resource.FSIZE, new Limit(Limit.UNLIMITED, Limit.UNLIMITED));
            limits.put(Resource.DATA, new Limit(Limit.UNLIMITED, Limit.UNLIMITED));
            limits.put(Resource.STACK, new Limit(8388608, Limit.UNLIMITED));
            limits.put(Resource.CORE, new Limit(0, Limit.UNLIMITED));
            limits.put(Resource.RSS, new Limit(Limit.UNLIMITED, Limit.UNLIMITED));
            limits.put(Resource.NPROC, new Limit(63204, 63204));
            limits.put(Resource.NOFILE, new Limit(1024, 524288));
            limits.put(Resource.MEMLOCK, new Limit(8388608, 8388608));
            limits.put(Resource.AS, new Limit(Limit.UNLIMITED, Limit.UNLIMITED));
            limits.put(Resource.LOCKS, new Limit(Limit.UNLIMITED, Limit.UNLIMITED));
            limits.put(Resource.SIGPENDING, new Limit(63204, 63204));
            limits.put(Resource.MSGQUEUE, new Limit(819200, 819200));
            limits.put(Resource.NICE, new Limit(0, 0));
            limits.put(Resource.RTPRIO, new Limit(0, 0));
            limits.put(Resource.RTTIME, new Limit(Limit.UNLIMITED, Limit.UNLIMITED));
        }

        public Proc uid(int v) { uid = v; return this; }
        public Proc threads(int v) { threads = v; return this; }
        public Proc fds(int v) { fds = v; return this; }
        public Proc nice(int v) { nice = v; return this; }
        public Proc cpuTicks(long v) { utimeTicks = v; return this; }
        public Proc cmdline(String v) { cmdline = v; return this; }
        public Proc cgroup(String procCgroupFile) { cgroup = procCgroupFile; return this; }
        public Proc vmKb(String key, long kb) { vmKb.put(key, kb); return this; }
        public Proc limit(Resource r, long soft, long hard) { limits.put(r, new Limit(soft, hard)); return this; }
        public Proc queuedSignals(long v) { sigq = v; return this; }
        public Proc kernelThread() { kernelThread = true; return this; }
        public Proc zombie() { state = 'Z'; vmKb.clear(); return this; } // no mm: no Vm lines
        public Proc parent(int v) { ppid = v; return this; }
        public Proc startTicks(long v) { startTicks = v; return this; }

        public Proc write() {
            Path dir = root.resolve(Integer.toString(pid));
            long flags = kernelThread ? 0x00208040L : 0x00400100L;
            writeFile(dir.resolve("stat"), pid + " (" + comm + ") " + state + " " + ppid + " " + pid + " " + pid
                    + " 0 -1 " + flags + " 100 0 0 0 " + utimeTicks + " 0 0 0 20 " + nice + " " + threads
                    + " 0 " + startTicks + " 40407040 2308 18446744073709551615 1 1 0 0 0 0 0 4096 1256 0 0 0 17 1 0 0 0 0 0 0 0"
                    + " 0 0 0 0 0 0\n");
            StringBuilder status = new StringBuilder()
                    .append("Name:\t").append(comm.replace("\n", "\\n")).append('\n')
                    .append("Umask:\t0022\nState:\tS (sleeping)\nTgid:\t").append(pid).append('\n')
                    .append("Pid:\t").append(pid).append("\nPPid:\t").append(ppid).append('\n')
                    .append("Uid:\t").append(uid).append('\t').append(uid).append('\t').append(uid).append('\t')
                    .append(uid).append('\n')
                    .append("Gid:\t").append(uid).append('\t').append(uid).append('\t').append(uid).append('\t')
                    .append(uid).append('\n')
                    .append("FDSize:\t1024\n");
            if (!kernelThread) {
                vmKb.forEach((k, v) -> status.append(k).append(":\t").append(String.format("%8d", v)).append(" kB\n"));
            }
            status.append("Threads:\t").append(threads).append('\n')
                    .append("SigQ:\t").append(sigq).append('/').append(limits.get(Resource.SIGPENDING).soft())
                    .append('\n');
            writeFile(dir.resolve("status"), status.toString());
            writeFile(dir.resolve("limits"), limitsText());
            writeFile(dir.resolve("cmdline"), kernelThread ? "" : cmdline.replace(' ', '\0') + "\0");
            writeFile(dir.resolve("cgroup"), cgroup + "\n");
            Path fd = dir.resolve("fd");
            try {
                Files.createDirectories(fd);
                try (var old = Files.list(fd)) { // written again: the new count, not the sum
                    for (Path f : old.toList()) {
                        Files.delete(f);
                    }
                }
                for (int i = 0; i < fds; i++) {
                    Files.createFile(fd.resolve(Integer.toString(i)));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        private String limitsText() {
            StringBuilder b = new StringBuilder(String.format("%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit",
                    "Hard Limit", "Units"));
            String[] units = {"seconds", "bytes", "bytes", "bytes", "bytes", "bytes", "processes", "files", "bytes",
                "bytes", "locks", "signals", "bytes", "", "", "us"};
            for (Resource r : Resource.values()) {
                Limit l = limits.get(r);
                b.append(String.format("%-25s %-20s %-20s %-10s\n", r.limitsRow, text(l.soft()), text(l.hard()),
                        units[r.ordinal()]));
            }
            return b.toString();
        }

        private String text(long v) {
            return Limit.isUnlimited(v) ? "unlimited" : Long.toString(v);
        }
    }

    private static void writeFile(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
