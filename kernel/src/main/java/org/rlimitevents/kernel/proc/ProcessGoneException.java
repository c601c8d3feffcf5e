package org.rlimitevents.kernel.proc;

/** The process exited while it was being read; callers drop it as if it had never matched. */
public final class ProcessGoneException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ProcessGoneException(int pid) {
        super("process " + pid + " exited", null, false, false);
    }
}
