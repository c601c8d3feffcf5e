package org.rlimitevents.listener.sink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Results that could not be delivered yet, on disk, in order: an append-only journal (one record
 * per line, fsync'd before {@link #append} returns, so an accepted result survives kill -9) and the
 * offset up to which records were delivered. When everything is delivered both are emptied.
 */
public final class Spool {
    /** A spooled result and where the next record starts (what to commit once it is delivered). */
    public record Entry(PassiveResult result, long end) {
    }

    private final Path journal;
    private final Path offsetFile;
    private final long maxBytes;

    public Spool(Path dir, long maxBytes) throws IOException {
        Files.createDirectories(dir);
        this.journal = dir.resolve("results.spool");
        this.offsetFile = dir.resolve("results.offset");
        this.maxBytes = maxBytes;
    }

    /** False when the spool is full (the result is not kept; the caller logs it). */
    public synchronized boolean append(PassiveResult r) throws IOException {
        byte[] record = (r.epochSeconds() + ";" + r.host() + ";" + r.service() + ";" + r.returnCode() + ";"
                + ExternalCommand.escape(r.output()) + "\n").getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(journal, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            if (ch.size() + record.length > maxBytes) {
                return false;
            }
            ch.write(ByteBuffer.wrap(record));
            ch.force(true);
        }
        return true;
    }

    public synchronized boolean isEmpty() throws IOException {
        return !Files.exists(journal) || Files.size(journal) <= committed();
    }

    /** The undelivered results, oldest first. */
    public synchronized List<Entry> pending() throws IOException {
        List<Entry> out = new ArrayList<>();
        if (!Files.exists(journal)) {
            return out;
        }
        byte[] all = Files.readAllBytes(journal);
        int pos = (int) Math.min(committed(), all.length);
        while (pos < all.length) {
            int nl = pos;
            while (nl < all.length && all[nl] != '\n') {
                nl++;
            }
            if (nl == all.length) {
                break; // a record cut short by a crash mid-append: not accepted, never fsync'd
            }
            String line = new String(all, pos, nl - pos, StandardCharsets.UTF_8);
            String[] f = line.split(";", 5);
            out.add(new Entry(new PassiveResult(Long.parseLong(f[0]), f[1], f[2], Integer.parseInt(f[3]),
                    unescape(f[4])), nl + 1));
            pos = nl + 1;
        }
        return out;
    }

    /** Records up to {@code end} were delivered. */
    public synchronized void commit(long end) throws IOException {
        if (Files.exists(journal) && end >= Files.size(journal)) {
            Files.write(journal, new byte[0]);        // all delivered: start afresh
            Files.deleteIfExists(offsetFile);
            return;
        }
        Path tmp = offsetFile.resolveSibling("results.offset.tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap(Long.toString(end).getBytes(StandardCharsets.US_ASCII)));
            ch.force(true);
        }
        Files.move(tmp, offsetFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    public synchronized long bytes() throws IOException {
        return Files.exists(journal) ? Files.size(journal) - committed() : 0;
    }

    private long committed() throws IOException {
        if (!Files.exists(offsetFile)) {
            return 0;
        }
        return Long.parseLong(Files.readString(offsetFile).trim());
    }

    static String unescape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                b.append(n == 'n' ? '\n' : n);
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
