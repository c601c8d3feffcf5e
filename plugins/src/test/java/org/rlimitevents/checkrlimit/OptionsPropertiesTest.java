package org.rlimitevents.checkrlimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Fuzzing the command line: options, or a one-line typed error; never another exception. */
class OptionsPropertiesTest {
    private static final List<String> WORDS = List.of("-p", "-P", "-C", "-a", "-u", "--unit", "--cgroup",
            "--no-match", "-r", "-w", "-c", "--limit", "--max-lines", "-t", "-v", "-h", "-V", "--", "-vv", "--pid=",
            "--warning=", "nofile", "all", "80%", "~:10", "@1:2", "2:1", "nofile=70%", "x=1", "soft", "hard", "ok",
            "1", "0", "-1", "999999999999", "(", "[a-", "root", "nobody", "/", "%", "=", ":", "");

    @Provide
    Arbitrary<List<String>> commandLines() {
        Arbitrary<String> word = Arbitraries.oneOf(Arbitraries.of(WORDS), Arbitraries.strings().ofMaxLength(8));
        return word.list().ofMaxSize(8);
    }

    @Property(tries = 5000)
    void parsesOrFailsWithAReason(@ForAll("commandLines") List<String> args) {
        try {
            CheckOptions o = CheckOptions.parse(args.toArray(new String[0]));
            assertNotNull(o.selection());
            assertFalse(o.resources().isEmpty());
        } catch (UsageException e) {
            assertFalse(e.getMessage().isBlank());
            assertEquals(-1, e.getMessage().indexOf('\n'), e.getMessage());
        }
    }
}
