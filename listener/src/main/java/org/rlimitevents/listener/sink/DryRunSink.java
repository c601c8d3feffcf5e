package org.rlimitevents.listener.sink;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** --dry-run: the commands that would be written, on stdout. */
public final class DryRunSink implements ResultSink {
    private final PrintStream out;

    public DryRunSink(PrintStream out) {
        this.out = out;
    }

    @Override
    public void send(PassiveResult result) {
        out.print(new String(ExternalCommand.of(result), StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public String describe() {
        return "stdout (dry run)";
    }
}
