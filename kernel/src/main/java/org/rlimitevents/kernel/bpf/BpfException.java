package org.rlimitevents.kernel.bpf;

/** A libbpf call failed; {@link #errno()} says how (EPERM: privileges or policy). */
public final class BpfException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EACCES = 13;

    private final int errno;

    public BpfException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
