package org.rlimitevents.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The range vectors of monitoring-plugins lib/tests/test_utils.c and the guidelines' table. */
class RangeTest {

    @Test
    void plainNumberIsZeroToIt() throws RangeException {
        Range r = Range.parse("6");
        assertEquals(0, r.start());
        assertEquals(6, r.end());
        assertFalse(r.inside());
    }

    @Test
    void percentIsKeptAndScaledAgainstALimit() throws RangeException {
        Range r = Range.parse("1:12%");
        assertEquals(1, r.start());
        assertEquals(12, r.end());
        assertTrue(r.isPercent());
        Range abs = r.ofLimit(1000);
        assertEquals(10, abs.start());
        assertEquals(120, abs.end());
        assertFalse(abs.isPercent());
    }

    @Test
    void negativeStart() throws RangeException {
        Range r = Range.parse("-7:23");
        assertEquals(-7, r.start());
        assertEquals(23, r.end());
    }

    @Test
    void omittedStartIsZero() throws RangeException {
        Range r = Range.parse(":5.75");
        assertEquals(0, r.start());
        assertEquals(5.75, r.end());
    }

    @Test
    void aPercentWithoutANumberIsRefusedSoEveryRangeRoundTrips() {
        for (String text : new String[] {"~:%", "~%:", "~%:%", "%:5", ":%", "@~:%"}) {
            RangeException e = assertThrows(RangeException.class, () -> Range.parse(text), text);
            assertTrue(e.getMessage().contains("'%' must follow a number"), e.getMessage());
        }
    }

    @Test
    void tildeIsMinusInfinity() throws RangeException {
        Range r = Range.parse("~:-95.99");
        assertEquals(Double.NEGATIVE_INFINITY, r.start());
        assertEquals(-95.99, r.end());
    }

    @Test
    void emptyEndIsPlusInfinity() throws RangeException {
        Range r = Range.parse("12345678901234567890:");
        double start = 12345678901234567890.0;
        assertEquals(start, r.start());
        assertEquals(Double.POSITIVE_INFINITY, r.end());
        assertTrue(r.alerts(start / 1.1));
        assertFalse(r.alerts(start));
        assertFalse(r.alerts(start * 2));
    }

    @Test
    void upToZero() throws RangeException {
        Range r = Range.parse("~:0");
        assertTrue(r.alerts(0.5));
        assertFalse(r.alerts(-10));
        assertFalse(r.alerts(0));
    }

    @Test
    void insideRangeAlertsWithinBothEnds() throws RangeException {
        Range r = Range.parse("@0:657.8210567");
        assertTrue(r.alerts(32.88));
        assertFalse(r.alerts(-2));
        assertTrue(r.alerts(657.8210567));
        assertTrue(r.alerts(0));
    }

    @Test
    void singlePointInside() throws RangeException {
        Range r = Range.parse("@1:1");
        assertTrue(r.alerts(1));
        assertFalse(r.alerts(0.5));
        assertFalse(r.alerts(1.5));
    }

    @Test
    void singlePointOutside() throws RangeException {
        Range r = Range.parse("1:1");
        assertTrue(r.alerts(0.5));
        assertTrue(r.alerts(5.2));
        assertFalse(r.alerts(1));
    }

    @Test
    void startGreaterThanEndIsATypedError() {
        RangeException e = assertThrows(RangeException.class, () -> Range.parse("2:1"));
        assertEquals("invalid range '2:1': start is greater than end", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "@", "abc", "1:2:3", "~", "1e", "--1", "1..2", "NaN", "Infinity", "0x10", "1e999"})
    void malformedRangesAreTypedErrors(String text) {
        assertThrows(RangeException.class, () -> Range.parse(text));
    }

    /** The guidelines' table: alert if x … */
    @ParameterizedTest
    @CsvSource({
        "10, -1, true", "10, 0, false", "10, 10, false", "10, 10.01, true",
        "10:, 9.99, true", "10:, 10, false", "10:, 1e9, false",
        "~:10, -1e9, false", "~:10, 10, false", "~:10, 11, true",
        "10:20, 9, true", "10:20, 10, false", "10:20, 20, false", "10:20, 21, true",
        "@10:20, 9, false", "@10:20, 10, true", "@10:20, 20, true", "@10:20, 21, false",
    })
    void guidelineTable(String range, double value, boolean alerts) throws RangeException {
        assertEquals(alerts, Range.parse(range).alerts(value), range + " at " + value);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "6|6", "10:|10:", "~:10|~:10", "10:20|10:20", "@10:20|@10:20", "80%|80%", "0:5|5", "-7:23|-7:23",
        "@0:10|@10", "1.50|1.5",
    })
    void canonicalText(String in, String out) throws RangeException {
        assertEquals(out, Range.parse(in).toString());
    }
}
