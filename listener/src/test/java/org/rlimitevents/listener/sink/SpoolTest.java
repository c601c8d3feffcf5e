package org.rlimitevents.listener.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {

    @Test
    void recordsComeBackInOrderAcrossReopenAndCommits(@TempDir Path dir) throws Exception {
        Spool spool = new Spool(dir, 1 << 20);
        PassiveResult a = new PassiveResult(1, "h", "s", 1, "RLIMIT WARNING - a\\b | x=1\nlong line\n");
        PassiveResult b = new PassiveResult(2, "h", "s", 2, "RLIMIT CRITICAL - b\n");
        assertTrue(spool.append(a));
        assertTrue(spool.append(b));
        Spool reopened = new Spool(dir, 1 << 20); // as after kill -9
        List<Spool.Entry> pending = reopened.pending();
        assertEquals(List.of(a, b), List.of(pending.get(0).result(), pending.get(1).result()));
        reopened.commit(pending.get(0).end());
        assertEquals(List.of(b), new Spool(dir, 1 << 20).pending().stream().map(Spool.Entry::result).toList());
        reopened.commit(pending.get(1).end());
        assertTrue(reopened.isEmpty());
        assertEquals(0, Files.size(dir.resolve("results.spool")));
    }

    @Test
    void aFullSpoolRefusesAndATornRecordIsIgnored(@TempDir Path dir) throws Exception {
        Spool spool = new Spool(dir, 60);
        assertTrue(spool.append(new PassiveResult(1, "h", "s", 0, "RLIMIT OK - 1234567890")));
        assertFalse(spool.append(new PassiveResult(2, "h", "s", 0, "RLIMIT OK - 1234567890")));
        Files.writeString(dir.resolve("results.spool"), "3;h;s;0;half a rec",
                java.nio.file.StandardOpenOption.APPEND);
        assertEquals(1, spool.pending().size());
    }

    @Test
    void deliveryKeepsOrderWhileTheSinkIsDown(@TempDir Path dir) throws Exception {
        List<String> got = new ArrayList<>();
        boolean[] up = {false};
        ResultSink sink = new ResultSink() {
            @Override
            public synchronized void send(PassiveResult r) throws SinkException {
                if (!up[0]) {
                    throw new SinkException("down", true);
                }
                got.add(r.output());
            }

            @Override
            public String describe() {
                return "test sink";
            }
        };
        List<String> log = new ArrayList<>();
        try (Delivery d = new Delivery(sink, new Spool(dir, 1 << 20), log::add)) {
            d.submit(new PassiveResult(1, "h", "s", 0, "one"));
            d.submit(new PassiveResult(2, "h", "s", 0, "two"));
            synchronized (sink) {
                up[0] = true;
            }
            d.submit(new PassiveResult(3, "h", "s", 0, "three")); // behind the spooled ones
            for (int i = 0; i < 100 && got.size() < 3; i++) {
                Thread.sleep(50);
            }
            assertEquals(List.of("one", "two", "three"), got);
            assertEquals(3, d.spooled());
        }
    }
}
