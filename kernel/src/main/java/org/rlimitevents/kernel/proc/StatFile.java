package org.rlimitevents.kernel.proc;

/**
 * The fields of /proc/PID/stat we use. The command name sits between the first '(' and the
 * <em>last</em> ')' and may itself contain spaces, parentheses and newlines.
 */
public record StatFile(String comm, char state, long utimeTicks, long stimeTicks, int nice, long rtPriority,
                       boolean kernelThread, long startTicks, int ppid, int threads) {
    /** USER_HZ: fixed at 100 in the Linux userspace ABI on every architecture we run on. */
    public static final int TICKS_PER_SECOND = 100;
    private static final long PF_KTHREAD = 0x00200000L;

    public static StatFile parse(String text) {
        int open = text.indexOf('(');
        int close = text.lastIndexOf(')');
        if (open < 0 || close < open) {
            throw new IllegalStateException("malformed /proc stat line");
        }
        String comm = text.substring(open + 1, close);
        // After ')' the fields start at field 3 (state); field n is at index n - 3.
        String[] f = text.substring(close + 2).trim().split(" ");
        long flags = Long.parseUnsignedLong(f[9 - 3]);
        return new StatFile(comm, f[0].charAt(0),
                Long.parseLong(f[14 - 3]),
                Long.parseLong(f[15 - 3]),
                Integer.parseInt(f[19 - 3]),
                Long.parseLong(f[40 - 3]),
                (flags & PF_KTHREAD) != 0,
                Long.parseLong(f[22 - 3]),
                Integer.parseInt(f[4 - 3]),
                Integer.parseInt(f[20 - 3]));
    }

    /**
     * The whole thread group exited, not yet reaped by its parent (or being reaped): no longer a
     * process to watch. A leader that exited before its other threads also shows Z, but its
     * thread count still holds the live ones.
     */
    public boolean dead() {
        return (state == 'Z' || state == 'X' || state == 'x') && threads <= 1;
    }

    public double cpuSeconds() {
        return (utimeTicks + stimeTicks) / (double) TICKS_PER_SECOND;
    }
}
