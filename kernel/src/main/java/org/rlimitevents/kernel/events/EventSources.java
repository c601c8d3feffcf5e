package org.rlimitevents.kernel.events;

import java.nio.file.Path;
import java.util.function.Consumer;

import org.rlimitevents.kernel.bpf.BpfEventSource;
import org.rlimitevents.kernel.bpf.BpfException;
import org.rlimitevents.kernel.proc.ProcFs;
import org.rlimitevents.kernel.proc.StatusFile;

/**
 * Opens the best event source this machine allows, by trying: the kernel's own rlimit-events
 * interface (netlink tier) where the kernel carries it, then BPF, then the polling tier when BPF is
 * refused or missing. What was chosen, and why, goes to {@code log}.
 */
public final class EventSources {
    /** Which tier to use: the best available, or one forced (tests, admins who prefer polling). */
    public enum Choice { AUTO, NETLINK, FEXIT, TRACEPOINT, SAMPLING, POLLING }

    /** The sampling period of {@link Choice#SAMPLING}. */
    public static final long SAMPLING_MS = 1000;

    static final long POLL_MIN_MS = 100;
    static final long POLL_MAX_MS = 2000;

    private EventSources() {
    }

    public static EventSource open(Choice choice, EventListener listener, Consumer<String> log) {
        if (choice == Choice.SAMPLING) {
            EventSource sampling = BpfEventSource.openSampling(listener, SAMPLING_MS);
            log.accept("event source: sampling mode (task iterator every " + SAMPLING_MS + " ms, no syscall hook)");
            return sampling;
        }
        if (choice == Choice.AUTO || choice == Choice.NETLINK) {
            try {
                EventSource netlink = NetlinkEventSource.open(listener, log);
                log.accept("event source: netlink tier (the kernel's rlimit-events interface: woken at each level)");
                return netlink;
            } catch (java.io.IOException | LinkageError e) {
                if (choice == Choice.NETLINK) {
                    throw new IllegalStateException("netlink tier forced but unavailable: " + e.getMessage(), e);
                }
                log.accept("event source: netlink tier unavailable: " + e.getMessage());
            }
        }
        for (Tier tier : new Tier[] {Tier.FEXIT, Tier.TRACEPOINT}) {
            boolean forced = choice.name().equals(tier.name());
            if (choice != Choice.AUTO && !forced) {
                continue;
            }
            try {
                EventSource bpf = BpfEventSource.open(tier, listener);
                log.accept("event source: " + describe(tier));
                return bpf;
            } catch (BpfException e) {
                String why = e.getMessage() + (e.errno() == BpfException.EPERM ? permissionHint() : "");
                if (forced) {
                    throw new BpfException(tier + " tier forced but unavailable: " + why, e.errno());
                }
                log.accept("event source: " + tier.name().toLowerCase(java.util.Locale.ROOT) + " tier unavailable: "
                        + why);
            } catch (LinkageError e) {
                if (forced) {
                    throw e;
                }
                log.accept("event source: libbpf.so.1 not loadable (" + e.getMessage() + "; apt-get install libbpf1)");
                break;
            }
        }
        PollingEventSource polling = new PollingEventSource(ProcFs.at(Path.of("/proc")), listener, POLL_MIN_MS,
                POLL_MAX_MS, log);
        log.accept("event source: polling tier (/proc every " + POLL_MIN_MS + "-" + POLL_MAX_MS
                + " ms by distance to a level; exec/exit from the process connector)");
        return polling;
    }

    private static final int CAP_SYS_ADMIN = 21, CAP_PERFMON = 38, CAP_BPF = 39;

    /** Why EPERM: the capabilities this process lacks, or, when it has them, the kernel's own refusal. */
    static String permissionHint() {
        StatusFile self;
        try {
            self = StatusFile.parse(java.nio.file.Files.readString(Path.of("/proc/self/status")));
        } catch (java.io.IOException e) {
            return " (needs CAP_BPF and CAP_PERFMON, or root)";
        }
        return permissionHint(self);
    }

    static String permissionHint(StatusFile self) {
        boolean capable = self.hasEffectiveCapability(CAP_SYS_ADMIN)
                || self.hasEffectiveCapability(CAP_BPF) && self.hasEffectiveCapability(CAP_PERFMON);
        return capable ? " (this process has the capabilities: the kernel refused it)"
                : " (needs CAP_BPF and CAP_PERFMON, or root)";
    }

    private static String describe(Tier tier) {
        return tier == Tier.FEXIT ? "fexit tier (fd-table and mm functions; only those operations pay)"
                : "tracepoint tier (tp_btf/sys_exit: every syscall pays while something is watched)";
    }
}
