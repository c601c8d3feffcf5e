package org.rlimitevents.listener;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.rlimitevents.checkrlimit.Finding;
import org.rlimitevents.listener.config.ServiceDefinition;

/** A service and what the listener last knew and sent about it. */
final class ServiceState {
    final ServiceDefinition definition;
    /**
     * The processes its selection matched at the last evaluation (watched): pid → start time in
     * clock ticks since boot. The pair is a process's identity: a pid reused is another process.
     */
    final Map<Integer, Long> pids = new TreeMap<>();
    /** Its -a regex ran out of steps: new processes are not matched one by one (the heartbeat retries). */
    boolean regexTooSlow;
    /** A look at its pidfiles is scheduled (a new process appeared that they did not name yet). */
    boolean recheckPending;
    /** When an event last touched it (System.nanoTime), and whether its settle look is scheduled. */
    long lastTouched;
    boolean settlePending;
    /** The last result sent: exit code and, per process and resource, the state (the usage band). */
    String lastSignature;
    String lastOutput;
    int lastExitCode = -1;
    /** Its line in the listener's status, for other threads: pids, state, first output line. */
    volatile String statusLine = "pids=[] state=pending output=";

    ServiceState(ServiceDefinition definition) {
        this.definition = definition;
    }

    /** What must change for a new result to be worth sending: the state of any finding, or the state. */
    static String signature(int exitCode, List<Finding> findings) {
        List<String> parts = new ArrayList<>();
        parts.add(Integer.toString(exitCode));
        for (Finding f : findings) {
            parts.add(f.pid() + ":" + f.resource().key + ":" + f.status());
        }
        return String.join(",", parts);
    }
}
