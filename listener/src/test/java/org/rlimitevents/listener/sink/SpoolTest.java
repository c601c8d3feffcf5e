package org.rlimitevents.listener.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {

    @Test
    void recordsComeBackInOrderAcrossReopenAndCommits(@TempDir Path dir) throws Exception {
        Spool spool = new Spool(dir, 1 << 20, s -> { });
        PassiveResult a = new PassiveResult(1, "h", "s", 1, "RLIMIT WARNING - a\\b | x=1\nlong line\n");
        PassiveResult b = new PassiveResult(2, "h", "s", 2, "RLIMIT CRITICAL - b\n");
        assertTrue(spool.append(a));
        assertTrue(spool.append(b));
        Spool reopened = new Spool(dir, 1 << 20, s -> { }); // as after kill -9
        List<Spool.Entry> pending = reopened.pending();
        assertEquals(List.of(a, b), List.of(pending.get(0).result(), pending.get(1).result()));
        reopened.commit(pending.get(0).end());
        assertEquals(List.of(b), new Spool(dir, 1 << 20, s -> { }).pending().stream().map(Spool.Entry::result).toList());
        reopened.commit(pending.get(1).end());
        assertTrue(reopened.isEmpty());
        assertEquals(0, Files.size(dir.resolve("results.spool")));
    }

    @Test
    void aFullSpoolRefusesAndATornRecordIsCutOffWhenOpened(@TempDir Path dir) throws Exception {
        PassiveResult r = new PassiveResult(1, "h", "s", 0, "RLIMIT OK - 1234567890");
        int one = (Spool.encode(r) + "\n").length();
        Spool spool = new Spool(dir, one + 10, s -> { });
        assertTrue(spool.append(r));
        assertFalse(spool.append(r));
        Files.writeString(dir.resolve("results.spool"), "{\"v\":1,\"time\":3,\"host\":\"h\",\"serv",
                StandardOpenOption.APPEND);
        List<String> log = new ArrayList<>();
        Spool reopened = new Spool(dir, 1 << 20, log::add); // as after a crash mid-append
        assertEquals(List.of(dir.resolve("results.spool") + ": a torn last record (32 bytes at byte " + one
                + ", from a crash mid-write) cut off, not sent"), log);
        PassiveResult later = new PassiveResult(4, "h", "s", 1, "RLIMIT WARNING - later");
        assertTrue(reopened.append(later)); // not joined to the torn bytes
        assertEquals(List.of(r, later), results(reopened));
    }

    @Test
    void unreadableRecordsAreLoggedOnceAndSkippedTheGoodOnesKeptInOrder(@TempDir Path dir) throws Exception {
        List<String> log = new ArrayList<>();
        Spool spool = new Spool(dir, 1 << 20, log::add);
        PassiveResult a = new PassiveResult(1, "h", "s", 0, "a");
        PassiveResult b = new PassiveResult(2, "h", "s", 1, "b");
        PassiveResult c = new PassiveResult(3, "h", "s", 2, "c");
        Path journal = dir.resolve("results.spool");
        spool.append(a);
        long bad1 = Files.size(journal);
        Files.writeString(journal, "{\"v\":1,\"time\":\"x\n", StandardOpenOption.APPEND);
        spool.append(b);
        long bad2 = Files.size(journal);
        Files.writeString(journal, Spool.encode(new PassiveResult(9, "h", "s", 2, "tampered")).replace("tampered",
                "TAMPERED") + "\n", StandardOpenOption.APPEND);
        long bad3 = Files.size(journal);
        Files.writeString(journal, Spool.encode(c).replace("\"v\":1", "\"v\":7") + "\n", StandardOpenOption.APPEND);
        spool.append(c);
        long bad4 = Files.size(journal);
        Files.writeString(journal, "12;h;s;zero;old and bad\n", StandardOpenOption.APPEND);

        List<Spool.Entry> pending = spool.pending();
        assertEquals(List.of(a, b, c), pending.stream().map(Spool.Entry::result).toList());
        assertEquals(4, log.size(), String.join("\n", log));
        assertTrue(log.get(0).startsWith(journal + ": record at byte " + bad1 + " skipped, not sent: not a spool record"),
                log.get(0));
        assertEquals(journal + ": record at byte " + bad2 + " skipped, not sent: checksum mismatch", log.get(1));
        assertEquals(journal + ": record at byte " + bad3 + " skipped, not sent: format version 7 (this listener"
                + " reads 1)", log.get(2));
        assertTrue(log.get(3).startsWith(journal + ": record at byte " + bad4 + " skipped, not sent: old format"),
                log.get(3));
        spool.pending();
        assertEquals(4, log.size(), "reported once, not at every retry");
        spool.commit(pending.get(2).end()); // the last good one: the bad one behind it goes too
        assertTrue(spool.isEmpty());
        assertEquals(0, Files.size(journal));
    }

    @Test
    void onlyBadRecordsLeftAreDoneWith(@TempDir Path dir) throws Exception {
        Spool spool = new Spool(dir, 1 << 20, s -> { });
        Files.writeString(dir.resolve("results.spool"), "garbage\n");
        assertEquals(List.of(), spool.pending());
        assertTrue(spool.isEmpty());
    }

    @Test
    void anOffsetPastTheEndOrNotANumberIsRepaired(@TempDir Path dir) throws Exception {
        List<String> log = new ArrayList<>();
        Spool spool = new Spool(dir, 1 << 20, log::add);
        PassiveResult a = new PassiveResult(1, "h", "s", 0, "a");
        spool.append(a);
        Files.writeString(dir.resolve("results.offset"), "999999");
        assertFalse(spool.isEmpty(), "the delivery must not take it for done");
        assertEquals(List.of(a), results(spool));
        assertEquals(List.of(dir.resolve("results.offset") + ": offset 999999 is past the end of "
                + dir.resolve("results.spool") + " (" + Files.size(dir.resolve("results.spool"))
                + " bytes): replaying it from the start"), log);
        Files.writeString(dir.resolve("results.offset"), "12x");
        assertEquals(List.of(a), results(spool));
        assertTrue(log.get(1).startsWith(dir.resolve("results.offset") + ": not an offset ('12x')"), log.get(1));
        Files.writeString(dir.resolve("results.offset"), "3"); // inside the first record
        assertEquals(List.of(), results(spool));
        assertTrue(log.get(2).contains("offset 3 is inside a record"), log.get(2));
    }

    @Test
    void aSpoolInTheOldFormatIsReplayed(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("results.spool"), "5;h;s;1;RLIMIT WARNING - x\\ny | a=1\n");
        Spool spool = new Spool(dir, 1 << 20, s -> { });
        assertEquals(List.of(new PassiveResult(5, "h", "s", 1, "RLIMIT WARNING - x\ny | a=1")), results(spool));
    }

    @Test
    void filesAreOwnerOnlyAndTheSpoolIsLocked(@TempDir Path dir) throws Exception {
        Path spoolDir = dir.resolve("spool");
        Spool spool = new Spool(spoolDir, 1 << 20, s -> { });
        spool.append(new PassiveResult(1, "h", "s", 0, "a"));
        spool.commit(1);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(spoolDir)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                spoolDir.resolve("results.spool"))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                spoolDir.resolve("results.offset"))));
        try (FileLock lock = SpoolDirectory.lock(spoolDir.resolve("lock"), "spool x")) {
            SpoolDirectory.LockedException e = assertThrows(SpoolDirectory.LockedException.class,
                    () -> SpoolDirectory.lock(spoolDir.resolve("lock"), "spool x"));
            assertEquals("spool x is in use by another listener (pid " + ProcessHandle.current().pid() + "): lock "
                    + spoolDir.resolve("lock"), e.getMessage());
        }
        SpoolDirectory.lock(spoolDir.resolve("lock"), "spool x").channel().close(); // released: free again
    }

    private static List<PassiveResult> results(Spool spool) throws Exception {
        return spool.pending().stream().map(Spool.Entry::result).toList();
    }

    @Test
    void aBadRecordDoesNotStopDelivery(@TempDir Path dir) throws Exception {
        List<String> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
        Spool spool = new Spool(dir, 1 << 20, log::add);
        spool.append(new PassiveResult(1, "h", "s", 0, "one"));
        Files.writeString(dir.resolve("results.spool"), "1;h;s;NaN;bad\n", StandardOpenOption.APPEND);
        spool.append(new PassiveResult(2, "h", "s", 0, "two"));
        ResultSink sink = new ResultSink() {
            @Override
            public void send(PassiveResult r) {
                got.add(r.output());
            }

            @Override
            public String describe() {
                return "test sink";
            }
        };
        try (Delivery d = new Delivery(sink, spool, log::add)) {
            d.kick();
            d.submit(new PassiveResult(3, "h", "s", 0, "three"));
            for (int i = 0; i < 100 && got.size() < 3; i++) {
                Thread.sleep(50);
            }
            assertEquals(List.of("one", "two", "three"), got);
            assertTrue(log.stream().anyMatch(l -> l.contains("record at byte") && l.contains("skipped")), log.toString());
        }
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
        try (Delivery d = new Delivery(sink, new Spool(dir, 1 << 20, s -> { }), log::add)) {
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

    /**
     * A slow reader (a pipe that takes one result, then is full for a moment): a round that
     * delivers something is followed by another at once, not by the backoff (which reached 30 s
     * and drained ~1.6 results/s).
     */
    @Test
    void aBacklogDrainsAsFastAsTheReaderTakesIt(@TempDir Path dir) throws Exception {
        Spool spool = new Spool(dir, 1 << 24, s -> { });
        for (int i = 0; i < 200; i++) {
            spool.append(new PassiveResult(i, "h", "s", 0, "r" + i));
        }
        List<String> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        int[] calls = {0};
        ResultSink slow = new ResultSink() {
            @Override
            public synchronized void send(PassiveResult r) throws SinkException {
                if (calls[0]++ % 2 == 1) {
                    throw new SinkException("full", true); // every other write finds the pipe full
                }
                got.add(r.output());
            }

            @Override
            public String describe() {
                return "slow sink";
            }
        };
        long start = System.nanoTime();
        try (Delivery d = new Delivery(slow, spool, s -> { })) {
            d.kick();
            for (int i = 0; i < 500 && got.size() < 200; i++) {
                Thread.sleep(20);
            }
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(200, got.size(), "drained in " + ms + " ms");
        assertEquals("r0", got.get(0));
        assertEquals("r199", got.get(199));
        assertTrue(ms < 10_000, ms + " ms"); // 1.7-3.7 s here (load 7-9 on 2 cores); the old backoff: minutes
    }

    /** A send that takes its whole timeout holds up its caller only: counters, kick and close go on. */
    @Test
    void noSendUnderTheLockTheStatusAndTheRetryThreadUse(@TempDir Path dir) throws Exception {
        java.util.concurrent.CountDownLatch sending = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        ResultSink slow = new ResultSink() {
            @Override
            public void send(PassiveResult r) {
                sending.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public String describe() {
                return "slow sink";
            }
        };
        try (Delivery d = new Delivery(slow, new Spool(dir, 1 << 20, s -> { }), s -> { })) {
            Thread submitter = new Thread(() -> d.submit(new PassiveResult(1, "h", "s", 0, "one")));
            submitter.start();
            assertTrue(sending.await(10, java.util.concurrent.TimeUnit.SECONDS));
            java.util.concurrent.CompletableFuture<Long> counters = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> {
                        d.kick();
                        return d.sent() + d.spooled();
                    });
            assertEquals(0L, counters.get(5, java.util.concurrent.TimeUnit.SECONDS)); // not behind the send
            release.countDown();
            submitter.join();
            assertEquals(1, d.sent());
        }
    }
}
