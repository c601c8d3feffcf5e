package org.rlimitevents.kernel.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlimitevents.kernel.proc.Resource;
import org.rlimitevents.kernel.testing.Prerequisites;

/**
 * The netlink tier's choice and the kernel queue's overflow record. Whether the running kernel
 * carries the rlimit-events patch comes from RLIMIT_NETLINK=present|absent (set by
 * kernel/patch/test/guest, which boots both kernels); unset, as on stock kernels, it is absent.
 */
class NetlinkEventSourceIT {
    private static boolean offered() {
        return "present".equals(System.getenv("RLIMIT_NETLINK"));
    }

    @Test
    void autoChoosesTheNetlinkTierExactlyWhenTheKernelOffersIt() {
        Prerequisites.requireRoot();
        List<String> log = new ArrayList<>();
        try (EventSource source = EventSources.open(EventSources.Choice.AUTO, e -> { }, log::add)) {
            if (offered()) {
                assertEquals(Tier.NETLINK, source.tier());
                assertTrue(log.get(0).startsWith("event source: netlink tier ("), log.toString());
            } else {
                assertNotEquals(Tier.NETLINK, source.tier());
                assertEquals("event source: netlink tier unavailable: the kernel has no rlimit_events netlink family"
                        + " (needs the rlimit-events v2 patch)", log.get(0));
            }
        }
    }

    @Test
    void aForcedNetlinkTierFailsWithTheReasonWhereTheKernelHasNone() {
        if (offered()) {
            try (EventSource source = EventSources.open(EventSources.Choice.NETLINK, e -> { }, s -> { })) {
                assertEquals(Tier.NETLINK, source.tier());
            }
        } else {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> EventSources.open(EventSources.Choice.NETLINK, x -> { }, s -> { }));
            assertTrue(e.getMessage().startsWith("netlink tier forced but unavailable: the kernel has no"),
                    e.getMessage());
        }
    }

    /**
     * A burst of crossings nobody reads: 256 are queued, then one record counts the rest, and the
     * next event's sequence number accounts for every lost one.
     */
    @Test
    void theKernelCountsWhatItCouldNotQueue() throws Exception {
        if (!offered()) {
            assertThrows(RlimitNotifications.Absent.class, RlimitNotifications::open);
            return;
        }
        Prerequisites.requireRoot();
        Process burst = new ProcessBuilder("/bin/bash", "-c", "read; for i in {1..200}; do exec 9</dev/null;"
                + " exec 9<&-; done; echo burst; read; exec 9</dev/null; echo one; read").start();
        try (RlimitNotifications kernel = RlimitNotifications.open()) {
            int pid = (int) burst.pid();
            var out = new java.io.BufferedReader(new java.io.InputStreamReader(burst.getInputStream()));
            long open;
            try (var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/" + pid + "/fd"))) {
                open = fds.count(); // bash waits in read: nothing moves
            }
            assertEquals(0, kernel.add(pid, Resource.NOFILE.number(), open + 1));
            send(burst, out, "burst");
            List<RlimitNotifications.Event> events = new ArrayList<>();
            while (events.isEmpty() || events.get(events.size() - 1).type() != RlimitNotifications.OVERFLOW) {
                events.addAll(kernel.next());
            }
            assertEquals(257, events.size());
            for (int i = 0; i < 256; i++) {
                RlimitNotifications.Event e = events.get(i);
                assertEquals(List.of(RlimitNotifications.CROSSING, pid, events.get(0).seq() + i),
                        List.of(e.type(), e.pid(), e.seq()), e.toString());
            }
            RlimitNotifications.Event overflow = events.get(256);
            assertEquals(events.get(255).seq() + 1, overflow.seq());
            assertTrue(overflow.aux() >= 400 - 256, overflow.toString()); // 200 opens and closes at least
            send(burst, out, "one");
            RlimitNotifications.Event next = kernel.next().get(0);
            assertEquals(List.of(RlimitNotifications.CROSSING, 1, overflow.seq() + overflow.aux(), open + 1),
                    List.of(next.type(), next.direction(), next.seq(), next.newValue()), next.toString());
        } finally {
            burst.destroyForcibly();
            burst.waitFor();
        }
    }

    /** The tier's answer to an overflow record: the loss counted, reported as recovered, a resync. */
    @Test
    void anOverflowRecordIsCountedAndResynced() throws Exception {
        if (!offered()) {
            assertThrows(IllegalStateException.class,
                    () -> EventSources.open(EventSources.Choice.NETLINK, x -> { }, s -> { }));
            return;
        }
        Prerequisites.requireRoot();
        java.util.concurrent.BlockingQueue<Object> seen = new java.util.concurrent.LinkedBlockingQueue<>();
        EventListener listener = new EventListener() {
            @Override
            public void onEvent(RlimitEvent event) {
                seen.add(event);
            }

            @Override
            public void failed(String thread, Throwable cause, boolean recovered) {
                seen.add(thread + ": " + cause.getMessage() + (recovered ? " (recovered)" : ""));
            }
        };
        try (NetlinkEventSource source = NetlinkEventSource.open(listener, s -> { });
             org.rlimitevents.kernel.testing.FdHolder child = org.rlimitevents.kernel.testing.FdHolder.start()) {
            source.watch(new Watch(child.pid(), List.of(new ResourceWatch(Resource.NOFILE,
                    List.of(Level.absolute(100)), 0))));
            assertEquals(EventKind.CROSSING, ((RlimitEvent) seen.take()).kind());
            assertEquals(EventKind.SYNC, ((RlimitEvent) seen.take()).kind()); // watch() resyncs
            source.handle(new RlimitNotifications.Event(RlimitNotifications.OVERFLOW, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                    1000, 44));
            assertEquals("rlimit-netlink: the kernel's queue overflowed: 44 events lost; resyncing (recovered)",
                    seen.take());
            RlimitEvent again = (RlimitEvent) seen.take();
            assertEquals(List.of(EventKind.CROSSING, child.pid(), 0, 0), List.of(again.kind(), again.tgid(),
                    again.oldLevel(), again.newLevel()));
            assertEquals(EventKind.SYNC, ((RlimitEvent) seen.take()).kind());
            assertEquals(List.of(44L, 1L), List.of(source.counters().lost(), source.counters().resyncs() - 1));
        }
    }

    private static void send(Process p, java.io.BufferedReader out, String expect) throws Exception {
        p.getOutputStream().write('\n');
        p.getOutputStream().flush();
        assertEquals(expect, out.readLine());
    }
}
