package org.rlimitevents.listener.sink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/**
 * Results that could not be delivered yet, on disk, in order: an append-only journal (one JSON
 * object per line with a format version and a checksum, fsync'd before {@link #append} returns,
 * so an accepted result survives kill -9) and the offset up to which records were delivered. When
 * everything is delivered both are emptied.
 *
 * <p>Reading is tolerant, because a crash or a disk can leave anything: a torn last record is cut
 * off when the spool is opened, a record that does not parse or whose checksum is wrong is logged
 * (file and byte offset) and skipped, never sent, and an offset past the end (a crash between
 * emptying the journal and removing the offset) is repaired. Lines in the format before version 1
 * ({@code epoch;host;service;code;output}) are still read, so a spool left by an older listener is
 * replayed once. Files are created 0600 in a 0700 directory: results name hosts and processes.
 */
public final class Spool {
    /** A spooled result and where the next good record starts (what to commit once it is delivered). */
    public record Entry(PassiveResult result, long end) {
    }

    static final int VERSION = 1;

    private final Path journal;
    private final Path offsetFile;
    private final long maxBytes;
    private final Consumer<String> log;
    /** Records before this offset were already reported as skipped (pending() is called on every retry). */
    private long reportedUpTo;

    /** A spool whose notes (records skipped, offsets repaired) go to stderr. */
    public Spool(Path dir, long maxBytes) throws IOException {
        this(dir, maxBytes, line -> System.err.println("rlimit-listener: " + line));
    }

    public Spool(Path dir, long maxBytes, Consumer<String> log) throws IOException {
        SpoolDirectory.create(dir);
        this.journal = dir.resolve("results.spool");
        this.offsetFile = dir.resolve("results.offset");
        this.maxBytes = maxBytes;
        this.log = log;
        cutTornTail();
    }

    /** False when the spool is full (the result is not kept; the caller logs it). */
    public synchronized boolean append(PassiveResult r) throws IOException {
        byte[] record = (encode(r) + "\n").getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = SpoolDirectory.open(journal, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
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

    /** The undelivered results that can be read, oldest first; unreadable ones are logged and passed over. */
    public synchronized List<Entry> pending() throws IOException {
        List<Entry> out = new ArrayList<>();
        if (!Files.exists(journal)) {
            return out;
        }
        byte[] all = Files.readAllBytes(journal);
        int pos = (int) committed();
        if (pos > 0 && all[pos - 1] != '\n') {
            int nl = next(all, pos);
            log.accept(offsetFile + ": offset " + pos + " is inside a record: resuming at " + Math.min(nl + 1, all.length));
            pos = Math.min(nl + 1, all.length);
        }
        while (pos < all.length) {
            int nl = next(all, pos);
            if (nl == all.length) {
                break; // torn by a crash mid-append after this spool was opened: never accepted
            }
            String line = new String(all, pos, nl - pos, StandardCharsets.UTF_8);
            try {
                PassiveResult r = decode(line);
                if (!out.isEmpty()) {
                    Entry last = out.remove(out.size() - 1);
                    out.add(new Entry(last.result(), pos)); // committing it passes over the bad ones between
                }
                out.add(new Entry(r, nl + 1));
            } catch (IllegalArgumentException e) {
                if (pos >= reportedUpTo) {
                    log.accept(journal + ": record at byte " + pos + " skipped, not sent: " + e.getMessage());
                }
            }
            pos = nl + 1;
            reportedUpTo = Math.max(reportedUpTo, pos);
        }
        if (out.isEmpty()) {
            if (pos > committed()) {
                commit(pos); // nothing readable left: the bad records are done with
            }
        } else {
            Entry last = out.remove(out.size() - 1);
            out.add(new Entry(last.result(), Math.max(last.end(), pos)));
        }
        return out;
    }

    /** Records up to {@code end} were delivered. */
    public synchronized void commit(long end) throws IOException {
        if (Files.exists(journal) && end >= Files.size(journal)) {
            Files.write(journal, new byte[0]);        // all delivered: start afresh
            Files.deleteIfExists(offsetFile);
            reportedUpTo = 0;
            return;
        }
        Path tmp = offsetFile.resolveSibling("results.offset.tmp");
        try (FileChannel ch = SpoolDirectory.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap(Long.toString(end).getBytes(StandardCharsets.US_ASCII)));
            ch.force(true);
        }
        Files.move(tmp, offsetFile, StandardCopyOption.ATOMIC_MOVE);
    }

    public synchronized long bytes() throws IOException {
        return Files.exists(journal) ? Math.max(0, Files.size(journal) - committed()) : 0;
    }

    private long committed() throws IOException {
        if (!Files.exists(offsetFile)) {
            return 0;
        }
        String s = Files.readString(offsetFile, StandardCharsets.ISO_8859_1).trim();
        try {
            long v = Long.parseLong(s);
            long size = Files.exists(journal) ? Files.size(journal) : 0;
            if (v > size) {
                // a crash between emptying the journal and removing the offset: all of it is new
                log.accept(offsetFile + ": offset " + v + " is past the end of " + journal + " (" + size
                        + " bytes): replaying it from the start");
                Files.deleteIfExists(offsetFile);
                return 0;
            }
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        log.accept(offsetFile + ": not an offset ('" + (s.length() > 40 ? s.substring(0, 40) : s)
                + "'): replaying the spool from the start");
        Files.deleteIfExists(offsetFile);
        return 0;
    }

    /** A crash mid-append leaves a record without its newline: cut it off, or the next append would join it. */
    private void cutTornTail() throws IOException {
        if (!Files.exists(journal)) {
            return;
        }
        SpoolDirectory.ownerOnly(journal);
        try (FileChannel ch = FileChannel.open(journal, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long keep = size;
            ByteBuffer one = ByteBuffer.allocate(1);
            while (keep > 0) {
                one.clear();
                ch.read(one, keep - 1);
                if (one.get(0) == '\n') {
                    break;
                }
                keep--;
            }
            if (keep < size) {
                log.accept(journal + ": a torn last record (" + (size - keep) + " bytes at byte " + keep
                        + ", from a crash mid-write) cut off, not sent");
                ch.truncate(keep);
                ch.force(true);
            }
        }
    }

    private static int next(byte[] all, int from) {
        int nl = from;
        while (nl < all.length && all[nl] != '\n') {
            nl++;
        }
        return nl;
    }

    static String encode(PassiveResult r) {
        JsonObject o = new JsonObject();
        o.addProperty("v", VERSION);
        o.addProperty("time", r.epochSeconds());
        o.addProperty("host", r.host());
        o.addProperty("service", r.service());
        o.addProperty("code", r.returnCode());
        o.addProperty("output", r.output());
        o.addProperty("crc32c", checksum(r));
        return o.toString();
    }

    /** A record back, or IllegalArgumentException saying why it cannot be trusted. */
    static PassiveResult decode(String line) {
        if (!line.startsWith("{")) {
            return legacy(line);
        }
        try {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            int v = field(o, "v").getAsInt();
            if (v != VERSION) {
                throw new IllegalArgumentException("format version " + v + " (this listener reads " + VERSION + ")");
            }
            PassiveResult r = new PassiveResult(field(o, "time").getAsLong(), field(o, "host").getAsString(),
                    field(o, "service").getAsString(), field(o, "code").getAsInt(), field(o, "output").getAsString());
            if (r.returnCode() < 0 || r.returnCode() > 3) {
                throw new IllegalArgumentException("return code " + r.returnCode());
            }
            if (!checksum(r).equals(field(o, "crc32c").getAsString())) {
                throw new IllegalArgumentException("checksum mismatch");
            }
            return r;
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
            throw new IllegalArgumentException("not a spool record: " + e.getMessage());
        }
    }

    private static JsonElement field(JsonObject o, String name) {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            throw new IllegalArgumentException("no " + name);
        }
        return e;
    }

    /** The format before version 1: {@code epoch;host;service;code;escaped output}. */
    private static PassiveResult legacy(String line) {
        String[] f = line.split(";", 5);
        if (f.length < 5) {
            throw new IllegalArgumentException("neither JSON nor the old epoch;host;service;code;output");
        }
        try {
            int code = Integer.parseInt(f[3]);
            if (code < 0 || code > 3) {
                throw new IllegalArgumentException("return code " + code);
            }
            return new PassiveResult(Long.parseLong(f[0]), f[1], f[2], code, unescape(f[4]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("old format with a bad number: " + e.getMessage());
        }
    }

    private static String checksum(PassiveResult r) {
        CRC32C crc = new CRC32C();
        crc.update((r.epochSeconds() + "\0" + r.host() + "\0" + r.service() + "\0" + r.returnCode() + "\0"
                + r.output()).getBytes(StandardCharsets.UTF_8));
        return String.format("%08x", crc.getValue());
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
