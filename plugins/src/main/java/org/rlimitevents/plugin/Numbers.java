package org.rlimitevents.plugin;

import java.math.BigDecimal;

/** Numbers as plugins print them: C locale, no exponent, no trailing zeros, nothing lost. */
public final class Numbers {
    private Numbers() {
    }

    public static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 9.0e15) {
            return Long.toString((long) v);
        }
        // the shortest decimal that reads back as the same double, written out in full
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}
