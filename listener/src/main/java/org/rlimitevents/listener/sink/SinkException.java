package org.rlimitevents.listener.sink;

/** A result could not be delivered; retryable ones are spooled and sent again later, in order. */
public final class SinkException extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean retryable;

    public SinkException(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
