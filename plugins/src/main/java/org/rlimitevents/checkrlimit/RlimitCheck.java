package org.rlimitevents.checkrlimit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

import org.rlimitevents.kernel.proc.Limit;
import org.rlimitevents.kernel.proc.PrivilegeRequiredException;
import org.rlimitevents.kernel.proc.ProcEntry;
import org.rlimitevents.kernel.proc.ProcFs;
import org.rlimitevents.kernel.proc.ProcessGoneException;
import org.rlimitevents.kernel.proc.Resource;
import org.rlimitevents.kernel.proc.Usage;
import org.rlimitevents.plugin.CheckResult;
import org.rlimitevents.plugin.Perfdata;
import org.rlimitevents.plugin.Range;
import org.rlimitevents.plugin.Status;
import org.rlimitevents.plugin.Thresholds;

/** The check itself: select processes, read usage and limits, evaluate, and build the result. */
public final class RlimitCheck {
    private final CheckOptions options;

    public RlimitCheck(CheckOptions options) {
        this.options = options;
    }

    /**
     * One evaluation: the processes read (pid → start time in clock ticks since boot: with the
     * pid, the process's identity), each process × resource finding, and the result.
     */
    public record Evaluation(Map<Integer, Long> processes, List<Finding> findings, CheckResult result) {
        public List<Integer> pids() {
            return List.copyOf(processes.keySet());
        }
    }

    public CheckResult run(ProcFs procFs, int selfPid) throws UsageException {
        return evaluate(procFs, selfPid).result();
    }

    public Evaluation evaluate(ProcFs procFs, int selfPid) throws UsageException {
        return evaluate(procFs, selfPid, Map.of());
    }

    /**
     * An evaluation that leaves out processes known to have exited ({@code exited}: pid → start
     * time), which /proc still shows as running while the kernel releases their memory and files.
     */
    public Evaluation evaluate(ProcFs procFs, int selfPid, Map<Integer, Long> exited) throws UsageException {
        List<Finding> findings = new ArrayList<>();
        Map<Integer, Long> pids = new LinkedHashMap<>();
        ProcessSelection.Selected selected = options.selection().select(procFs, selfPid);
        for (ProcEntry p : selected.processes()) {
            try {
                Long gone = exited.get(p.pid());
                if (gone != null && gone == p.startTicks()) {
                    continue;
                }
                List<Finding> ofProcess = new ArrayList<>();
                for (Resource r : options.resources()) {
                    ofProcess.add(evaluate(p, r, procFs));
                }
                findings.addAll(ofProcess);
                pids.put(p.pid(), p.startTicks());
            } catch (ProcessGoneException e) {
                // exited during the check: report it as not matched rather than half-read
            }
        }
        if (findings.isEmpty()) {
            String why = selected.notes().isEmpty() ? "" : " (" + String.join("; ", selected.notes()) + ")";
            return new Evaluation(pids, findings,
                    CheckResult.of(options.noMatch(), "no process matched " + options.selection().describe() + why));
        }
        CheckResult result = result(findings, pids.size());
        if (!selected.notes().isEmpty()) {
            List<String> lines = new ArrayList<>(result.longOutput());
            lines.addAll(selected.notes());
            result = new CheckResult(result.status(), result.summary(), lines, result.perfdata());
        }
        return new Evaluation(pids, findings, result);
    }

    Finding evaluate(ProcEntry p, Resource r, ProcFs procFs) {
        String comm = p.comm();
        int uid = p.status().realUid();
        Limit pair = p.limits().getOrDefault(r, new Limit(Limit.UNLIMITED, Limit.UNLIMITED));
        long limit = options.limit() == LimitKind.SOFT ? pair.soft() : pair.hard();
        OptionalDouble usage;
        try {
            usage = Usage.of(p, r, procFs);
        } catch (PrivilegeRequiredException e) {
            return new Finding(p.pid(), comm, uid, r, OptionalDouble.empty(), limit, Thresholds.NONE,
                    Status.UNKNOWN, e.getMessage());
        }
        String note = null;
        if (r.kind == Resource.Kind.LIMIT_ONLY) {
            note = r == Resource.RSS ? "not enforced by Linux" : "limit only: Linux keeps no usage to compare";
        } else if (r == Resource.NPROC && uid == 0) {
            note = "root is exempt";
        } else if (r.kind == Resource.Kind.CEILING && limit == 0) {
            note = "may not raise its priority";
        } else if (usage.isEmpty()) {
            note = p.stat().dead() ? "no usage: zombie (exited, not yet reaped)" : "no usage: kernel thread";
        }
        if (note != null) {
            return new Finding(p.pid(), comm, uid, r, usage, limit, Thresholds.NONE, Status.OK, note);
        }
        Thresholds configured = options.thresholds().of(r);
        Thresholds effective = Limit.isUnlimited(limit)
                ? new Thresholds(absoluteOnly(configured.warning()), absoluteOnly(configured.critical()))
                : configured.ofLimit(limit);
        return new Finding(p.pid(), comm, uid, r, usage, limit, effective,
                effective.evaluate(usage.getAsDouble()), null);
    }

    /** Against an unlimited limit a percentage means nothing; an absolute range still applies. */
    private static Range absoluteOnly(Range range) {
        return range == null || range.isPercent() ? null : range;
    }

    private CheckResult result(List<Finding> findings, int processes) {
        List<Finding> sorted = new ArrayList<>(findings);
        sorted.sort(Finding.WORST_FIRST);
        Finding worst = sorted.get(0);
        Status status = Status.OK;
        int alerts = 0;
        for (Finding f : sorted) {
            status = Status.worst(status, f.status());
            alerts += f.status() == Status.OK ? 0 : 1;
        }
        StringBuilder summary = new StringBuilder(worst.describe());
        if (alerts > 1) {
            summary.append(", ").append(alerts - 1).append(alerts == 2 ? " more alert" : " more alerts");
        }
        if (processes > 1) {
            summary.append(" (").append(processes).append(" processes)");
        }

        List<String> lines = new ArrayList<>();
        for (Finding f : sorted.subList(0, Math.min(sorted.size(), options.maxLines()))) {
            lines.add(f.status().name() + ": " + f.describe());
        }
        if (sorted.size() > options.maxLines()) {
            lines.add("... " + (sorted.size() - options.maxLines()) + " more lines (raise --max-lines to see them)");
        }
        if (options.verbosity() > 0) {
            lines.add("checked " + processes + " process(es) against their " + options.limit().name().toLowerCase(java.util.Locale.ROOT)
                    + " limits");
        }

        List<Perfdata> perfdata = options.perfdataAll() ? perProcess(findings, processes == 1)
                : worstPerResource(sorted, processes);
        return new CheckResult(status, summary.toString(), lines, perfdata);
    }

    /** --perfdata=all: one item per process and resource, labelled RES (one process) or PID_RES, selection order. */
    private static List<Perfdata> perProcess(List<Finding> findings, boolean single) {
        List<Perfdata> perfdata = new ArrayList<>();
        for (Finding f : findings) {
            if (f.usage().isPresent()) {
                perfdata.add(item(single ? f.resource().key : f.pid() + "_" + f.resource().key, f));
            }
        }
        return perfdata;
    }

    /**
     * The default: one item per resource, the worst process's (so the size does not grow with the
     * processes matched: the output fits Nagios's limits), in the order the resources were asked;
     * with more than one process, how many matched and how many are at WARNING and CRITICAL.
     */
    private List<Perfdata> worstPerResource(List<Finding> worstFirst, int processes) {
        Map<Resource, Finding> worst = new java.util.EnumMap<>(Resource.class);
        Map<Integer, Status> perProcess = new java.util.HashMap<>(); // worst first: a process's first is its worst
        for (Finding f : worstFirst) {
            if (f.usage().isPresent()) {
                worst.putIfAbsent(f.resource(), f);
            }
            perProcess.putIfAbsent(f.pid(), f.status());
        }
        List<Perfdata> perfdata = new ArrayList<>();
        for (Resource r : options.resources()) {
            if (worst.containsKey(r)) {
                perfdata.add(item(r.key, worst.get(r)));
            }
        }
        if (processes > 1) {
            perfdata.add(count("processes", processes));
            int warning = 0;
            int critical = 0;
            for (Status s : perProcess.values()) { // a loop, not a stream: a one-shot plugin links no lambdas
                warning += s == Status.WARNING ? 1 : 0;
                critical += s == Status.CRITICAL ? 1 : 0;
            }
            perfdata.add(count("processes_warning", warning));
            perfdata.add(count("processes_critical", critical));
        }
        return perfdata;
    }

    private static Perfdata item(String label, Finding f) {
        OptionalDouble max = Limit.isUnlimited(f.limit()) ? OptionalDouble.empty() : OptionalDouble.of(f.limit());
        return new Perfdata(label, f.usage(), f.resource().unit.uom, f.thresholds(), OptionalDouble.of(0), max);
    }

    private static Perfdata count(String label, long n) {
        return new Perfdata(label, OptionalDouble.of(n), "", Thresholds.NONE, OptionalDouble.of(0), OptionalDouble.empty());
    }
}
