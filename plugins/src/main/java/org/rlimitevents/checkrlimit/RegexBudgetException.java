package org.rlimitevents.checkrlimit;

/** An -a regex spent its step budget on a command line: the selection cannot be evaluated. */
public final class RegexBudgetException extends UsageException {
    private static final long serialVersionUID = 1L;

    public RegexBudgetException(String message) {
        super(message);
    }
}
