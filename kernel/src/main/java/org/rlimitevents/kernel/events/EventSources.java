package org.rlimitevents.kernel.events;

import java.nio.file.Path;
import java.util.function.Consumer;

import org.rlimitevents.kernel.bpf.BpfEventSource;
import org.rlimitevents.kernel.bpf.BpfException;
import org.rlimitevents.kernel.proc.ProcFs;

/**
 * Opens the best event source this machine allows, by trying: the kernel tier (BPF) first, the
 * polling tier when BPF is refused or missing. What was chosen, and why, goes to {@code log}.
 */
public final class EventSources {
    /** Which tier to use: the best available, or one forced (tests, admins who prefer polling). */
    public enum Choice { AUTO, TRACEPOINT, POLLING }

    static final long POLL_MIN_MS = 100;
    static final long POLL_MAX_MS = 2000;

    private EventSources() {
    }

    public static EventSource open(Choice choice, EventListener listener, Consumer<String> log) {
        if (choice != Choice.POLLING) {
            try {
                EventSource bpf = BpfEventSource.open(listener);
                log.accept("event source: tracepoint tier (tp_btf/sys_exit, sched exec/exit; BPF CO-RE)");
                return bpf;
            } catch (BpfException e) {
                String why = e.getMessage() + (e.errno() == BpfException.EPERM
                        ? " (needs CAP_BPF and CAP_PERFMON, or root; or BPF is refused by policy)" : "");
                if (choice == Choice.TRACEPOINT) {
                    throw new BpfException("tracepoint tier forced but unavailable: " + why, e.errno());
                }
                log.accept("event source: tracepoint tier unavailable: " + why + "; falling back to polling /proc");
            } catch (LinkageError e) {
                if (choice == Choice.TRACEPOINT) {
                    throw e;
                }
                log.accept("event source: libbpf.so.1 not loadable (" + e.getMessage()
                        + "; apt-get install libbpf1); falling back to polling /proc");
            }
        }
        PollingEventSource polling = new PollingEventSource(ProcFs.at(Path.of("/proc")), listener, POLL_MIN_MS,
                POLL_MAX_MS, log);
        log.accept("event source: polling tier (/proc every " + POLL_MIN_MS + "-" + POLL_MAX_MS
                + " ms by distance to a level; exec/exit from the process connector)");
        return polling;
    }
}
