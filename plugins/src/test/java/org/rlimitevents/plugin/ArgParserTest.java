package org.rlimitevents.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

class ArgParserTest {
    private final ArgParser parser = new ArgParser(List.of(
            new ArgParser.Spec('w', "warning", true),
            new ArgParser.Spec('v', "verbose", false),
            new ArgParser.Spec((char) 0, "unit", true)));

    @Test
    void shortLongAttachedAndSeparateValues() throws ArgParser.ArgException {
        ArgParser.Parsed p = parser.parse("-w", "1", "-w2", "--warning=3", "--warning", "4");
        assertEquals(List.of("1", "2", "3", "4"), p.all("warning"));
        assertEquals("4", p.last("warning", null));
    }

    @Test
    void valuesMayStartWithADash() throws ArgParser.ArgException {
        assertEquals(List.of("-10:-2"), parser.parse("-w", "-10:-2").all("warning"));
    }

    @Test
    void clusteredFlagsAndAFinalValue() throws ArgParser.ArgException {
        ArgParser.Parsed p = parser.parse("-vvw80");
        assertEquals(2, p.count("verbose"));
        assertEquals("80", p.last("warning", null));
    }

    @Test
    void doubleDashEndsOptions() throws ArgParser.ArgException {
        ArgParser.Parsed p = parser.parse("-v", "--", "-w", "x");
        assertEquals(List.of("-w", "x"), p.positional());
        assertEquals(List.of(), p.all("warning"));
    }

    @Test
    void errorsSayWhat() {
        assertEquals("unknown option -x", assertThrows(ArgParser.ArgException.class, () -> parser.parse("-x")).getMessage());
        assertEquals("unknown option --nope", assertThrows(ArgParser.ArgException.class, () -> parser.parse("--nope=1")).getMessage());
        assertEquals("option -w needs a value", assertThrows(ArgParser.ArgException.class, () -> parser.parse("-w")).getMessage());
        assertEquals("option --unit needs a value", assertThrows(ArgParser.ArgException.class, () -> parser.parse("--unit")).getMessage());
        assertEquals("option --verbose takes no value", assertThrows(ArgParser.ArgException.class, () -> parser.parse("--verbose=2")).getMessage());
    }

    @Test
    void defaultsWhenAbsent() throws ArgParser.ArgException {
        ArgParser.Parsed p = parser.parse();
        assertEquals("x", p.last("unit", "x"));
        assertEquals(0, p.count("verbose"));
    }
}
