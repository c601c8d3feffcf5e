package org.rlimitevents.listener;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** A listener for a test: its spool and control socket in the test's dir, no heartbeat unless asked. */
final class TestListener {
    private TestListener() {
    }

    static ListenerMain start(Path dir, Consumer<String> log, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--spool-dir", dir.resolve("spool").toString(), "--spool-max-bytes",
                "1048576", "--heartbeat", "0", "--control-socket", dir.resolve("control").toString()));
        all.addAll(List.of(args)); // later options win
        return ListenerMain.start(ListenerOptions.parse(all.toArray(new String[0])), log);
    }
}
