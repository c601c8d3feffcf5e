package org.rlimitevents.plugin;

import java.math.BigDecimal;

/** Numbers as plugins print them: C locale, no exponent, no trailing zeros. */
public final class Numbers {
    private Numbers() {
    }

    public static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 9.0e15) {
            return Long.toString((long) v);
        }
        BigDecimal d = new BigDecimal(v).setScale(6, java.math.RoundingMode.HALF_EVEN).stripTrailingZeros();
        return d.toPlainString();
    }
}
