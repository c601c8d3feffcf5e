package org.rlimitevents.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ThresholdsTest {

    @Test
    void warningThirtyCriticalSixty() throws RangeException {
        Thresholds t = new Thresholds(Range.parse("30"), Range.parse("60"));
        assertEquals(Status.OK, t.evaluate(15.3));
        assertEquals(Status.WARNING, t.evaluate(30.0001));
        assertEquals(Status.CRITICAL, t.evaluate(69));
    }

    @Test
    void negativeRanges() throws RangeException {
        Thresholds t = new Thresholds(Range.parse("-10:-2"), Range.parse("-30:20"));
        assertEquals(Status.CRITICAL, t.evaluate(-31));
        assertEquals(Status.WARNING, t.evaluate(-29));
        assertEquals(Status.WARNING, t.evaluate(-11));
        assertEquals(Status.OK, t.evaluate(-10));
    }

    @Test
    void criticalIsTestedFirst() throws RangeException {
        Thresholds t = new Thresholds(Range.parse("@0:100"), Range.parse("@50:60"));
        assertEquals(Status.CRITICAL, t.evaluate(55));
        assertEquals(Status.WARNING, t.evaluate(70));
    }

    @Test
    void percentagesOfALimit() throws RangeException {
        Thresholds t = new Thresholds(Range.parse("80%"), Range.parse("90%")).ofLimit(1000);
        assertEquals(Status.OK, t.evaluate(800));
        assertEquals(Status.WARNING, t.evaluate(850));
        assertEquals(Status.WARNING, t.evaluate(900));
        assertEquals(Status.CRITICAL, t.evaluate(950));
        assertEquals("800", t.warning().toString());
        assertEquals("900", t.critical().toString());
    }

    @Test
    void noThresholdsIsAlwaysOk() {
        assertEquals(Status.OK, Thresholds.NONE.evaluate(1e18));
    }
}
