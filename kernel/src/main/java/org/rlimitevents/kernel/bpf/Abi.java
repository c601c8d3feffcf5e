package org.rlimitevents.kernel.bpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import org.rlimitevents.kernel.events.EventKind;
import org.rlimitevents.kernel.events.Level;
import org.rlimitevents.kernel.events.ResourceWatch;
import org.rlimitevents.kernel.events.RlimitEvent;
import org.rlimitevents.kernel.events.Watch;
import org.rlimitevents.kernel.proc.Limit;
import org.rlimitevents.kernel.proc.Resource;

/**
 * The byte layouts of kernel/bpf/rlimit_events.h, mirrored field by field (AbiTest compiles the
 * header and compares every size and offset).
 */
final class Abi {
    static final int NRES = 16;
    static final int MAX_LEVELS = 4;
    static final long UNLIMITED = -1L; // RL_UNLIMITED, ~0ULL
    static final int LEVEL_UNKNOWN = -1; // RL_LEVEL_UNKNOWN, 0xffffffff

    // struct rl_event
    static final int EVENT_SIZE = 88;
    static final int EV_TS = 0, EV_SEQ = 8, EV_VALUE = 16, EV_SOFT = 24, EV_HARD = 32, EV_KIND = 40, EV_TGID = 44,
            EV_TID = 48, EV_RESOURCE = 52, EV_OLD = 56, EV_NEW = 60, EV_UID = 64, EV_COMM = 72, COMM_LEN = 16;

    // struct rl_user_index
    static final int USER_WATCHES = 8;
    static final int USER_INDEX_SIZE = 4 * USER_WATCHES;

    // struct rl_res_watch
    static final int RES_SIZE = 88;
    static final int RES_LEVEL = 0, RES_PPM = 32, RES_NLEVELS = 48, RES_HYSTERESIS = 52, RES_CURRENT = 56,
            RES_VALUE = 64, RES_SOFT = 72, RES_HARD = 80;

    // struct rl_watch
    static final int WATCH_SIZE = 1424;
    static final int W_RES = 0, W_NOFILE_ESTIMATE = 1408, W_NOFILE_DIRTY = 1416, W_NOFILE_SINCE = 1420;

    // enum rl_stat
    static final int STAT_EVENTS = 0, STAT_LOST = 1, STAT_RECOUNTS = 2, STAT_NR = 4;

    /** Resources the BPF programs measure per process. */
    static boolean measuredInKernel(Resource r) {
        return r == Resource.NOFILE || r == Resource.AS || r == Resource.DATA || r == Resource.STACK
                || r == Resource.MEMLOCK || r.perUser;
    }

    private Abi() {
    }

    /**
     * A new watch: levels and the ppm they follow; current level unknown and limits zero, so the
     * first evaluation computes the levels from the real limits and reports the starting level.
     */
    static byte[] encodeWatch(Watch watch) {
        ByteBuffer b = ByteBuffer.allocate(WATCH_SIZE).order(ByteOrder.nativeOrder());
        for (ResourceWatch rw : watch.resources()) {
            int base = W_RES + rw.resource().number() * RES_SIZE;
            for (int i = 0; i < rw.levels().size(); i++) {
                Level l = rw.levels().get(i);
                b.putLong(base + RES_LEVEL + 8 * i, l.ppm() == 0 ? l.absolute() : UNLIMITED);
                b.putInt(base + RES_PPM + 4 * i, l.ppm());
            }
            b.putInt(base + RES_NLEVELS, rw.levels().size());
            b.putInt(base + RES_HYSTERESIS, rw.hysteresisPpm());
            b.putInt(base + RES_CURRENT, LEVEL_UNKNOWN);
        }
        b.putInt(W_NOFILE_DIRTY, 1); // count exactly the first time
        return b.array();
    }

    static RlimitEvent decodeEvent(ByteBuffer b) {
        EventKind kind = EventKind.of(b.getInt(EV_KIND));
        boolean perResource = kind == EventKind.CROSSING || kind == EventKind.LIMIT;
        return new RlimitEvent(kind, b.getLong(EV_SEQ), b.getLong(EV_TS), b.getInt(EV_TGID), b.getInt(EV_TID),
                comm(b), perResource ? Resource.values()[b.getInt(EV_RESOURCE)] : null,
                level(b.getInt(EV_OLD)), level(b.getInt(EV_NEW)), b.getLong(EV_VALUE), limit(b.getLong(EV_SOFT)),
                limit(b.getLong(EV_HARD)), b.getInt(EV_UID));
    }

    private static int level(int raw) {
        return raw == LEVEL_UNKNOWN ? RlimitEvent.UNKNOWN_LEVEL : raw;
    }

    private static long limit(long raw) {
        return raw == UNLIMITED ? Limit.UNLIMITED : raw;
    }

    private static String comm(ByteBuffer b) {
        int len = 0;
        while (len < COMM_LEN && b.get(EV_COMM + len) != 0) {
            len++;
        }
        byte[] bytes = new byte[len];
        b.get(EV_COMM, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
