package org.rlimitevents.checkrlimit;

/**
 * A string that a regex may read only so many times: java.util.regex backtracks without bound
 * on patterns such as {@code (.*a){25}}, and user input must not hang a check or the listener.
 */
final class BudgetedChars implements CharSequence {
    /** The budget is spent. */
    static final class Exhausted extends RuntimeException {
        Exhausted() {
            super(null, null, false, false); // thrown deep in the matcher: no stack trace to fill
        }
    }

    private final String text;
    private final long[] left; // shared with subsequences

    BudgetedChars(String text, long budget) {
        this(text, new long[] {budget});
    }

    private BudgetedChars(String text, long[] left) {
        this.text = text;
        this.left = left;
    }

    @Override
    public char charAt(int index) {
        if (--left[0] < 0) {
            throw new Exhausted();
        }
        return text.charAt(index);
    }

    @Override
    public int length() {
        return text.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return new BudgetedChars(text.substring(start, end), left);
    }

    @Override
    public String toString() {
        return text;
    }
}
