package org.rlimitevents.plugin;

/** A threshold range that does not follow the Monitoring Plugins syntax; the message says why. */
public final class RangeException extends Exception {
    private static final long serialVersionUID = 1L;

    public RangeException(String range, String reason) {
        super("invalid range '" + range + "': " + reason);
    }
}
