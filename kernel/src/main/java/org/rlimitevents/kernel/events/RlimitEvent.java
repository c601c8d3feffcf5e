package org.rlimitevents.kernel.events;

import org.rlimitevents.kernel.proc.Limit;
import org.rlimitevents.kernel.proc.Resource;

/**
 * One event: a process's usage of a resource crossed levels (oldLevel → newLevel, counted as the
 * number of levels the value is above; {@link #UNKNOWN_LEVEL} for a first look), its limit changed,
 * it exec'd or exited, or a resync pass ended. Limits use {@link Limit#UNLIMITED} for infinity.
 * For per-user resources (nproc, sigpending, msgqueue) {@code value} is the count of user
 * {@code uid}, compared with the watched process's own limit.
 */
public record RlimitEvent(EventKind kind, long seq, long timestampNs, int tgid, int tid, String comm,
                          Resource resource, int oldLevel, int newLevel, long value, long soft, long hard,
                          int uid) {
    public static final int UNKNOWN_LEVEL = -1;

    /** The same event with the source's delivery sequence number. */
    public RlimitEvent withSeq(long newSeq) {
        return new RlimitEvent(kind, newSeq, timestampNs, tgid, tid, comm, resource, oldLevel, newLevel, value, soft,
                hard, uid);
    }

    @Override
    public String toString() {
        return kind + " #" + seq + " " + comm + "[" + tgid + "] " + (resource == null ? "" : resource.key + " ")
                + oldLevel + "->" + newLevel + " value=" + value + " soft=" + limit(soft) + " hard=" + limit(hard);
    }

    private static String limit(long v) {
        return Limit.isUnlimited(v) ? "unlimited" : Long.toString(v);
    }
}
