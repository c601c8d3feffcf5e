package org.rlimitevents.kernel.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlimitevents.kernel.events.EventKind;
import org.rlimitevents.kernel.events.Level;
import org.rlimitevents.kernel.events.ResourceWatch;
import org.rlimitevents.kernel.events.RlimitEvent;
import org.rlimitevents.kernel.events.Watch;
import org.rlimitevents.kernel.proc.Limit;
import org.rlimitevents.kernel.proc.Resource;
import org.rlimitevents.kernel.testing.Commands;
import org.rlimitevents.kernel.testing.Prerequisites;

/** The Java mirror of rlimit_events.h against the header itself, compiled by gcc. */
class AbiTest {

    @Test
    void everySizeAndOffsetMatchesTheHeader(@TempDir Path dir) throws Exception {
        Prerequisites.requireExecutable("/usr/bin/gcc", "gcc");
        Path header = Path.of("bpf/rlimit_events.h").toAbsolutePath();
        String[][] fields = {
            {"rl_event", "ts_ns", "" + Abi.EV_TS}, {"rl_event", "seq", "" + Abi.EV_SEQ},
            {"rl_event", "value", "" + Abi.EV_VALUE}, {"rl_event", "soft", "" + Abi.EV_SOFT},
            {"rl_event", "hard", "" + Abi.EV_HARD}, {"rl_event", "kind", "" + Abi.EV_KIND},
            {"rl_event", "tgid", "" + Abi.EV_TGID}, {"rl_event", "tid", "" + Abi.EV_TID},
            {"rl_event", "resource", "" + Abi.EV_RESOURCE}, {"rl_event", "old_level", "" + Abi.EV_OLD},
            {"rl_event", "new_level", "" + Abi.EV_NEW}, {"rl_event", "uid", "" + Abi.EV_UID},
            {"rl_event", "comm", "" + Abi.EV_COMM},
            {"rl_res_watch", "level", "" + Abi.RES_LEVEL}, {"rl_res_watch", "ppm", "" + Abi.RES_PPM},
            {"rl_res_watch", "nlevels", "" + Abi.RES_NLEVELS},
            {"rl_res_watch", "hysteresis_ppm", "" + Abi.RES_HYSTERESIS},
            {"rl_res_watch", "current", "" + Abi.RES_CURRENT}, {"rl_res_watch", "value", "" + Abi.RES_VALUE},
            {"rl_res_watch", "soft", "" + Abi.RES_SOFT}, {"rl_res_watch", "hard", "" + Abi.RES_HARD},
            {"rl_watch", "res", "" + Abi.W_RES}, {"rl_watch", "nofile_estimate", "" + Abi.W_NOFILE_ESTIMATE},
            {"rl_watch", "nofile_dirty", "" + Abi.W_NOFILE_DIRTY},
            {"rl_watch", "nofile_since_recount", "" + Abi.W_NOFILE_SINCE},
        };
        StringBuilder c = new StringBuilder("#include <linux/types.h>\n#include <stddef.h>\n#include <stdio.h>\n")
                .append("#include \"").append(header).append("\"\nint main(void) {\n");
        for (String s : new String[] {"rl_event", "rl_res_watch", "rl_watch", "rl_user_index"}) {
            c.append("printf(\"sizeof ").append(s).append(" %zu\\n\", sizeof(struct ").append(s).append("));\n");
        }
        for (String[] f : fields) {
            c.append("printf(\"").append(f[0]).append('.').append(f[1]).append(" %zu\\n\", offsetof(struct ")
                    .append(f[0]).append(", ").append(f[1]).append("));\n");
        }
        c.append("printf(\"RL_NRES %d\\nRL_MAX_LEVELS %d\\nRL_STAT_LOST %d\\nRL_STAT_NR %d\\n\", RL_NRES,"
                + " RL_MAX_LEVELS, RL_STAT_LOST, RL_STAT_NR);\nreturn 0;\n}\n");
        Path src = dir.resolve("abi.c");
        Files.writeString(src, c.toString());
        Commands.run(List.of("gcc", "-o", dir.resolve("abi").toString(), src.toString()));
        Map<String, Long> actual = new HashMap<>();
        for (String line : Commands.run(List.of(dir.resolve("abi").toString())).split("\n")) {
            String[] kv = line.split(" ");
            actual.put(kv[kv.length - 2], Long.parseLong(kv[kv.length - 1]));
        }
        assertEquals(Abi.EVENT_SIZE, actual.get("rl_event"));
        assertEquals(Abi.RES_SIZE, actual.get("rl_res_watch"));
        assertEquals(Abi.WATCH_SIZE, actual.get("rl_watch"));
        assertEquals(Abi.USER_INDEX_SIZE, actual.get("rl_user_index"));
        for (String[] f : fields) {
            assertEquals(Long.parseLong(f[2]), actual.get(f[0] + "." + f[1]), f[0] + "." + f[1]);
        }
        assertEquals(Abi.NRES, actual.get("RL_NRES"));
        assertEquals(Abi.MAX_LEVELS, actual.get("RL_MAX_LEVELS"));
        assertEquals(Abi.STAT_LOST, actual.get("RL_STAT_LOST"));
        assertEquals(Abi.STAT_NR, actual.get("RL_STAT_NR"));
    }

    @Test
    void watchEncodingPutsLevelsWhereTheKernelReadsThem() {
        byte[] raw = Abi.encodeWatch(new Watch(42, List.of(new ResourceWatch(Resource.NOFILE,
                List.of(Level.ofLimit(80), Level.absolute(950)), 20_000))));
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder());
        int base = 7 * Abi.RES_SIZE;
        assertEquals(800_000, b.getInt(base + Abi.RES_PPM));
        assertEquals(0, b.getInt(base + Abi.RES_PPM + 4));
        assertEquals(950, b.getLong(base + Abi.RES_LEVEL + 8));
        assertEquals(2, b.getInt(base + Abi.RES_NLEVELS));
        assertEquals(20_000, b.getInt(base + Abi.RES_HYSTERESIS));
        assertEquals(-1, b.getInt(base + Abi.RES_CURRENT));
        assertEquals(0, b.getInt(9 * Abi.RES_SIZE + Abi.RES_NLEVELS)); // AS not watched
    }

    @Test
    void eventDecoding() {
        ByteBuffer b = ByteBuffer.allocate(Abi.EVENT_SIZE).order(ByteOrder.nativeOrder());
        b.putLong(Abi.EV_TS, 123).putLong(Abi.EV_SEQ, 7).putLong(Abi.EV_VALUE, 901).putLong(Abi.EV_SOFT, 1000)
                .putLong(Abi.EV_HARD, -1).putInt(Abi.EV_KIND, 1).putInt(Abi.EV_TGID, 55).putInt(Abi.EV_TID, 56)
                .putInt(Abi.EV_RESOURCE, 7).putInt(Abi.EV_OLD, 1).putInt(Abi.EV_NEW, 2).putInt(Abi.EV_UID, 33);
        b.put(Abi.EV_COMM, "nginx\0garbage!!!".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        RlimitEvent e = Abi.decodeEvent(b);
        assertEquals(new RlimitEvent(EventKind.CROSSING, 7, 123, 55, 56, "nginx", Resource.NOFILE, 1, 2, 901, 1000,
                Limit.UNLIMITED, 33), e);
    }
}
