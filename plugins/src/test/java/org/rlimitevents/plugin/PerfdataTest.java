package org.rlimitevents.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.OptionalDouble;

import org.junit.jupiter.api.Test;

class PerfdataTest {

    private static Perfdata perf(String label, OptionalDouble value, String uom, Thresholds t,
                                 OptionalDouble min, OptionalDouble max) {
        return new Perfdata(label, value, uom, t, min, max);
    }

    @Test
    void fullItem() throws RangeException {
        Perfdata p = perf("nofile", OptionalDouble.of(950), "", new Thresholds(Range.parse("800"), Range.parse("900")),
                OptionalDouble.of(0), OptionalDouble.of(1000));
        assertEquals("nofile=950;800;900;0;1000", p.toString());
    }

    @Test
    void trailingEmptyFieldsAreDropped() {
        Perfdata p = perf("as", OptionalDouble.of(4096), "B", Thresholds.NONE, OptionalDouble.of(0), OptionalDouble.empty());
        assertEquals("as=4096B;;;0", p.toString());
    }

    @Test
    void unknownValueIsU() {
        Perfdata p = perf("x", OptionalDouble.empty(), "", Thresholds.NONE, OptionalDouble.empty(), OptionalDouble.empty());
        assertEquals("x=U", p.toString());
    }

    @Test
    void labelsWithSpacesAndQuotesAreQuoted() {
        Perfdata p = perf("my 'app' fds", OptionalDouble.of(1.5), "s", Thresholds.NONE, OptionalDouble.empty(),
                OptionalDouble.empty());
        assertEquals("'my ''app'' fds'=1.5s", p.toString());
    }

    @Test
    void equalsSignAndControlCharactersCannotBreakTheLabel() {
        Perfdata p = perf("a=b\nc|d", OptionalDouble.of(1), "", Thresholds.NONE, OptionalDouble.empty(),
                OptionalDouble.empty());
        assertEquals("'a_b?c d'=1", p.toString());
    }

    @Test
    void numbersUseNoExponent() {
        assertEquals("12345678901234", Numbers.format(12345678901234.0));
        assertEquals("0.000001", Numbers.format(0.000001));
        assertEquals("0.0000000001", Numbers.format(1e-10));
        assertEquals("26214.4", Numbers.format(26214.4));
        assertEquals("-3", Numbers.format(-3));
    }
}
