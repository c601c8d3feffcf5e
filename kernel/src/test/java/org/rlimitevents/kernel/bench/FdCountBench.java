package org.rlimitevents.kernel.bench;

import java.nio.file.Path;
import java.util.Arrays;

import org.rlimitevents.kernel.proc.FdCounter;
import org.rlimitevents.kernel.testing.FdHolder;

/**
 * Counting a process's open fds: stat() of /proc/PID/fd (Linux 6.2+) against listing it, for a
 * process with 100 and with 19,000 fds open, the two methods interleaved in one JVM.
 */
public final class FdCountBench {
    private FdCountBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = 101;
        System.out.println("open-fd count of one process, " + rounds + " interleaved rounds, medians");
        System.out.printf("%-10s %14s %14s %10s%n", "fds", "stat µs", "readdir µs", "readdir/stat");
        for (int fds : new int[] {100, 19_000}) {
            try (FdHolder child = FdHolder.start()) {
                int held = child.holdFds(fds);
                Path dir = Path.of("/proc/" + child.pid() + "/fd");
                long[] stat = new long[rounds];
                long[] readdir = new long[rounds];
                for (int warm = 0; warm < 20; warm++) {
                    check(FdCounter.STAT.countOf(dir), held);
                    check(FdCounter.READDIR.countOf(dir), held);
                }
                for (int r = 0; r < rounds; r++) {
                    long t0 = System.nanoTime();
                    check(FdCounter.STAT.countOf(dir), held);
                    long t1 = System.nanoTime();
                    check(FdCounter.READDIR.countOf(dir), held);
                    long t2 = System.nanoTime();
                    stat[r] = t1 - t0;
                    readdir[r] = t2 - t1;
                }
                double s = median(stat) / 1000.0;
                double d = median(readdir) / 1000.0;
                System.out.printf("%-10d %14.1f %14.1f %10.0f×%n", held, s, d, d / s);
            }
        }
    }

    private static void check(long counted, int expected) {
        if (counted != expected) {
            throw new IllegalStateException("counted " + counted + " fds, expected " + expected);
        }
    }

    private static long median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
