package org.rlimitevents.kernel.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlimitevents.kernel.testing.Commands;

/** The command file is written only when the descriptor opened is a FIFO, never through a symlink. */
class CommandPipeTest {
    private static final byte[] LINE = "[1] PROCESS_SERVICE_CHECK_RESULT;h;s;0;RLIMIT OK\n".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private Path fifo(String name) throws Exception {
        Path p = dir.resolve(name);
        Commands.run(List.of("mkfifo", p.toString()));
        return p;
    }

    @Test
    void aRegularFileOrASymlinkIsNeverWritten() throws Exception {
        Path file = Files.createFile(dir.resolve("regular"));
        CommandPipe.PipeException e = assertThrows(CommandPipe.PipeException.class, () -> new CommandPipe(file).write(LINE));
        assertEquals(file + " is not a FIFO: refusing to write (results would be lost)", e.getMessage());
        Path fifo = fifo("fifo");
        Path link = Files.createSymbolicLink(dir.resolve("link"), fifo);
        e = assertThrows(CommandPipe.PipeException.class, () -> new CommandPipe(link).write(LINE));
        assertEquals(link + " is a symbolic link: refusing to write through it", e.getMessage());
        assertEquals(0, Files.size(file));
    }

    /**
     * The race a check by path then an open by path loses: the command file swapped for a symlink
     * to a regular file, as fast as rename(2) goes, while lines are written. The FIFO stays
     * reachable through a hard link, so the swap back is atomic too.
     */
    @Test
    void theSymlinkRaceNeverReachesTheRegularFile() throws Exception {
        Path keep = fifo("keep");
        Path cmd = dir.resolve("nagios.cmd");
        Files.createLink(cmd, keep);
        Path target = Files.createFile(dir.resolve("victim"));
        CommandPipe pipe = new CommandPipe(cmd);
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong received = new AtomicLong();
        AtomicLong written = new AtomicLong();
        try (FileChannel reader = FileChannel.open(keep, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // O_RDWR: a FIFO opened so never blocks and always has a reader
            Thread drain = new Thread(() -> {
                ByteBuffer buf = ByteBuffer.allocate(1 << 16);
                try {
                    while (true) {
                        buf.clear();
                        int n = reader.read(buf);
                        for (int i = 0; i < n; i++) {
                            if (buf.get(i) == '\n') {
                                received.incrementAndGet();
                            }
                        }
                    }
                } catch (java.io.IOException e) {
                    // closed at the end
                }
            });
            drain.setDaemon(true);
            drain.start();
            Thread writer = new Thread(() -> {
                while (!done.get()) {
                    try {
                        pipe.write(LINE);
                        written.incrementAndGet();
                    } catch (CommandPipe.PipeException e) {
                        // a symlink or a moment without the file: refused, and that is the point
                    }
                }
            });
            writer.start();
            int swaps = 0;
            while (swaps < 100_000) {
                Path tmpLink = dir.resolve("tmp-link");
                Files.createSymbolicLink(tmpLink, target);
                Files.move(tmpLink, cmd, StandardCopyOption.ATOMIC_MOVE);
                Path tmpFifo = dir.resolve("tmp-fifo");
                Files.createLink(tmpFifo, keep);
                Files.move(tmpFifo, cmd, StandardCopyOption.ATOMIC_MOVE);
                swaps += 2;
            }
            done.set(true);
            writer.join();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (received.get() < written.get() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(0, Files.size(target), "the regular file behind the symlink was written");
            assertTrue(written.get() > 0, "lines went through the FIFO between swaps");
            assertEquals(written.get(), received.get(), "every line written reached the FIFO");
        }
    }
}
