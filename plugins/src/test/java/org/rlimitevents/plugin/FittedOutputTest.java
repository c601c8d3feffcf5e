package org.rlimitevents.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;

class FittedOutputTest {
    private static final String OUT = "RLIMIT WARNING - bash[7] nofile 850/1000 (85%) | nofile=850;800;900;0;1000 as=5B\n"
            + "WARNING: bash[7] nofile 850/1000 (85%)\nOK: bash[7] as 5/10\n";

    private static String fit(int bytes) {
        return FittedOutput.fit(OUT, bytes, UnaryOperator.identity(), "\n");
    }

    @Test
    void longOutputLinesGoFirstFromTheEnd() {
        assertEquals(OUT.strip(), fit(1000));
        assertEquals("RLIMIT WARNING - bash[7] nofile 850/1000 (85%) | nofile=850;800;900;0;1000 as=5B\n"
                + "WARNING: bash[7] nofile 850/1000 (85%)", fit(120));
        assertEquals("RLIMIT WARNING - bash[7] nofile 850/1000 (85%) | nofile=850;800;900;0;1000 as=5B", fit(90));
    }

    @Test
    void thenTheSummaryShortensThenWholePerfdataItemsGo() {
        assertEquals("RLIMIT WARNING - bash[7] ... | nofile=850;800;900;0;1000 as=5B", fit(62));
        assertEquals("R... | nofile=850;800;900;0;1000 as=5B", fit(38));
        assertEquals("RLIMI... | nofile=850;800;900;0;1000", fit(36));
        assertEquals("RLIMIT WARNING - b...", fit(21));
    }
}
