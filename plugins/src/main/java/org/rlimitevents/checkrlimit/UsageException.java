package org.rlimitevents.checkrlimit;

/** The command line cannot be used; the message is the one-line reason shown to the admin. */
public final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
