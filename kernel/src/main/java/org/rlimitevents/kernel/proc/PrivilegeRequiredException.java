package org.rlimitevents.kernel.proc;

/** A /proc file exists but this user may not read it; the message names the privilege needed. */
public final class PrivilegeRequiredException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PrivilegeRequiredException(String message) {
        super(message, null, false, false);
    }
}
