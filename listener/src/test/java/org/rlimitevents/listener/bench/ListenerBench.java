package org.rlimitevents.listener.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.rlimitevents.kernel.events.EventSource;
import org.rlimitevents.kernel.events.EventSources;
import org.rlimitevents.kernel.testing.Commands;
import org.rlimitevents.listener.RlimitListener;
import org.rlimitevents.listener.config.ServiceFile;
import org.rlimitevents.listener.sink.CommandFileSink;
import org.rlimitevents.listener.sink.Delivery;
import org.rlimitevents.listener.sink.PassiveResult;
import org.rlimitevents.listener.sink.ResultSink;
import org.rlimitevents.listener.sink.SinkException;
import org.rlimitevents.listener.sink.Spool;

/**
 * The listener's costs: (1) latency from a crossing in the kernel to the result written into a
 * command pipe (a FIFO with a reader, as Nagios keeps one); (2) the real daemon at idle, 100
 * watched processes and nothing changing: wakeups of all its threads per second and its RSS.
 * Usage: ListenerBench WORKDIR SYSCALL_BENCH_BINARY LISTENER_LAUNCHER
 */
public final class ListenerBench {
    private ListenerBench() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        Files.createDirectories(work);
        latency(work, args[1]);
        idle(work, args[2], Integer.parseInt(System.getenv().getOrDefault("IDLE_SECONDS", "60")));
    }

    private static void latency(Path work, String syscallBench) throws Exception {
        Path fifo = work.resolve("nagios.cmd");
        Files.deleteIfExists(fifo);
        Commands.run(List.of("mkfifo", fifo.toString()));
        Thread reader = new Thread(() -> { // plays Nagios: holds the pipe open read-write (no EOF) and drains it
            try (java.io.RandomAccessFile in = new java.io.RandomAccessFile(fifo.toFile(), "rw")) {
                byte[] buf = new byte[65536];
                while (in.read(buf) >= 0) {
                    // discard
                }
            } catch (java.io.IOException e) {
                // pipe closed
            }
        });
        reader.setDaemon(true);
        reader.start();
        Process child = new ProcessBuilder(syscallBench).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        Writer in = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8);
        out.readLine();
        in.write("fds 1000\n");
        in.flush();
        out.readLine();
        long fds;
        try (var list = Files.list(Path.of("/proc/" + child.pid() + "/fd"))) {
            fds = list.count();
        }
        Path services = work.resolve("services");
        // the warning threshold is the child's fd count: it flaps one fd across it, up and down
        Files.writeString(services, "bench;latency;-p " + child.pid() + " -r nofile -w nofile=" + fds
                + " -c nofile=" + (fds + 100) + "\n");
        List<Long> latencies = new ArrayList<>();
        long[] lastCrossing = new long[1];
        ResultSink pipe = new CommandFileSink(fifo);
        ResultSink timed = new ResultSink() {
            @Override
            public void send(PassiveResult r) throws SinkException {
                pipe.send(r);
                long t;
                synchronized (lastCrossing) {
                    t = lastCrossing[0];
                }
                if (t != 0) {
                    synchronized (latencies) {
                        latencies.add(System.nanoTime() - t);
                    }
                }
            }

            @Override
            public String describe() {
                return pipe.describe();
            }
        };
        List<String> log = new ArrayList<>();
        Delivery delivery = new Delivery(timed, new Spool(work.resolve("spool"), 1 << 20, log::add), log::add);
        RlimitListener[] holder = new RlimitListener[1];
        EventSource source = EventSources.open(EventSources.Choice.AUTO, e -> {
            if (e.oldLevel() >= 0) {
                synchronized (lastCrossing) {
                    lastCrossing[0] = e.timestampNs(); // CLOCK_MONOTONIC, as System.nanoTime()
                }
            }
            holder[0].onEvent(e);
        }, log::add);
        holder[0] = new RlimitListener(source, delivery, 0, log::add);
        holder[0].configure(ServiceFile.read(services));
        synchronized (latencies) {
            latencies.clear();
        }
        in.write("flap 500 3000\n");
        in.flush();
        out.readLine();
        Thread.sleep(300);
        holder[0].close();
        source.close();
        delivery.close();
        child.destroy();
        long[] lat;
        synchronized (latencies) {
            lat = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        }
        if (lat.length == 0) {
            throw new IllegalStateException("no latency measured; sent " + delivery.sent() + ", spooled "
                    + delivery.spooled() + "; last log lines: " + log.subList(Math.max(0, log.size() - 3), log.size()));
        }
        System.out.printf("crossing → command pipe (%s tier), %d results: median %.0f µs, p90 %.0f µs, p99 %.0f µs,"
                + " max %.0f µs (target p99 ≤ 5000 µs)%n", source.tier().name().toLowerCase(), lat.length,
                lat[lat.length / 2] / 1e3, lat[lat.length * 9 / 10] / 1e3, lat[lat.length * 99 / 100] / 1e3,
                lat[lat.length - 1] / 1e3);
    }

    private static void idle(Path work, String launcher, int seconds) throws Exception {
        List<Process> sleepers = new ArrayList<>();
        StringBuilder services = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            Process p = new ProcessBuilder("sleep", "3600").start();
            sleepers.add(p);
            services.append("bench;idle ").append(i).append(";-p ").append(p.pid()).append(" -r nofile,as\n");
        }
        Path file = work.resolve("idle-services");
        Files.writeString(file, services.toString());
        Process listener = new ProcessBuilder(launcher, "--services", file.toString(), "--dry-run", "--spool-dir",
                work.resolve("idle-spool").toString(), "--control-socket", work.resolve("control").toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(work.resolve("idle.err").toFile())
                .start();
        try {
            for (int i = 0; i < 300 && !Files.readString(work.resolve("idle.err")).contains("ready"); i++) {
                Thread.sleep(100);
            }
            Thread.sleep(3000); // start-up work done
            long before = switches(listener.pid());
            Thread.sleep(seconds * 1000L);
            long after = switches(listener.pid());
            long rssKb = Long.parseLong(Files.readAllLines(Path.of("/proc/" + listener.pid() + "/status")).stream()
                    .filter(l -> l.startsWith("VmRSS:")).findFirst().orElseThrow().replaceAll("[^0-9]", ""));
            System.out.printf("idle listener, 100 watched processes, %d s: %.2f wakeups/s over all threads (target ≤ 0.5),"
                    + " RSS %.1f MB (target ≤ 64)%n", seconds, (after - before) / (double) seconds, rssKb / 1024.0);
        } finally {
            listener.destroy();
            listener.waitFor(10, TimeUnit.SECONDS);
            for (Process p : sleepers) {
                p.destroy();
            }
        }
    }

    /** Context switches of every thread of a process: each is a wakeup of a thread that slept. */
    private static long switches(long pid) throws Exception {
        long total = 0;
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : tasks.toList()) {
                for (String line : Files.readAllLines(t.resolve("status"))) {
                    if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                        total += Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            }
        }
        return total;
    }
}
