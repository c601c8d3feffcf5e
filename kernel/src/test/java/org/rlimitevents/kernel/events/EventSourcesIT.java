package org.rlimitevents.kernel.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlimitevents.kernel.testing.Commands;
import org.rlimitevents.kernel.testing.Prerequisites;

/** Tier choice: the best tier the kernel and the privileges allow, and a log line saying why. */
class EventSourcesIT {

    @Test
    void rootGetsAKernelTierAndTheLogSaysWhich() {
        Prerequisites.requireRoot();
        List<String> log = new ArrayList<>();
        try (EventSource source = EventSources.open(EventSources.Choice.AUTO, e -> { }, log::add)) {
            assertTrue(source.tier() != Tier.POLLING, log.toString());
            String chosen = log.get(log.size() - 1);
            assertTrue(chosen.startsWith("event source: " + source.tier().name().toLowerCase(java.util.Locale.ROOT) + " tier"),
                    chosen);
            if (source.tier() == Tier.TRACEPOINT) {
                // netlink (not in stock kernels) and fexit were tried first and refused: the reasons are logged
                assertTrue(log.get(0).startsWith("event source: netlink tier unavailable: "), log.get(0));
                assertTrue(log.get(1).startsWith("event source: fexit tier unavailable: "), log.get(1));
                // root has the capabilities: a refusal is the kernel's, and the line must not blame them
                assertTrue(!log.get(1).contains("needs CAP_BPF"), log.get(1));
            }
        }
    }

    @Test
    void withoutCapBpfTheFallbackIsPollingAndTheLogNamesTheCapabilities(@TempDir Path dir) throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireExecutable("/usr/bin/setpriv", "util-linux");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Commands.Result r = Commands.exec(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                java, "-cp", readableCopy(dir), TierProbe.class.getName()), 60);
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        assertTrue(r.stdout().contains("needs CAP_BPF and CAP_PERFMON, or root"), r.stdout());
        assertTrue(r.stdout().contains("event source: polling tier"), r.stdout());
        assertTrue(r.stdout().trim().endsWith("tier=POLLING"), r.stdout());
    }

    /** This JVM's class path copied where user nobody can read it (the Maven repository is root's). */
    private static String readableCopy(Path dir) throws Exception {
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path from = Path.of(entry);
            if (!Files.exists(from)) {
                continue;
            }
            Path to = dir.resolve(i++ + "-" + from.getFileName());
            Commands.run(List.of("cp", "-r", from.toString(), to.toString()));
            entries.add(to.toString());
        }
        Commands.run(List.of("chmod", "-R", "a+rX", dir.toString()));
        return String.join(File.pathSeparator, entries);
    }
}
