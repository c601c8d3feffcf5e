package org.rlimitevents.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Fuzzing: whatever text arrives, a range parses or fails with a typed error, never otherwise. */
class RangePropertiesTest {

    @Provide
    Arbitrary<String> rangeLike() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars("0123456789.:~@%-+eE ").ofMaxLength(12),
                Arbitraries.strings().ofMaxLength(20));
    }

    @Property(tries = 3000)
    void rangeParsesOrFailsTyped(@ForAll("rangeLike") String text) {
        try {
            Range r = Range.parse(text);
            assertTrue(r.start() <= r.end(), text);
            // the canonical text parses back to the same range
            assertEquals(r, Range.parse(r.toString()), text);
        } catch (RangeException expected) {
            assertTrue(expected.getMessage().startsWith("invalid range"), expected.getMessage());
        }
    }

    @Property(tries = 2000)
    void outsideAndInsideAreComplements(@ForAll("rangeLike") String text, @ForAll double value) {
        try {
            Range outside = Range.parse(text.startsWith("@") ? text.substring(1) : text);
            Range inside = Range.parse("@" + (text.startsWith("@") ? text.substring(1) : text));
            if (!Double.isNaN(value)) {
                assertEquals(!outside.alerts(value), inside.alerts(value));
            }
        } catch (RangeException expected) {
            // a typed error is an allowed outcome
        }
    }
}
