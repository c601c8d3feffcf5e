package org.rlimitevents.listener.sink;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.zip.CRC32;

import org.rlimitevents.plugin.FittedOutput;

/**
 * NSCA 2.x's v3 data packet (4304 bytes, network byte order): version 3, CRC-32 of the whole
 * packet (computed with the field zero), the timestamp the server sent, the return code, then
 * host, service and output as NUL-terminated strings in 64-, 128- and 4096-byte fields. The rest
 * is random, as send_nsca makes it (with XOR "encryption" the padding would otherwise show the key).
 */
final class NscaPacket {
    static final int SIZE = 4304;
    static final int MAX_HOST = 63;
    static final int MAX_SERVICE = 127;
    static final int MAX_OUTPUT = 4095;
    private static final SecureRandom RANDOM = new SecureRandom();

    private NscaPacket() {
    }

    static byte[] of(PassiveResult r, int serverTimestamp) throws SinkException {
        byte[] p = new byte[SIZE];
        RANDOM.nextBytes(p);
        ByteBuffer b = ByteBuffer.wrap(p);
        b.putShort(0, (short) 3);
        b.putInt(4, 0);
        b.putInt(8, serverTimestamp);
        b.putShort(12, (short) r.returnCode());
        put(p, 14, field(r.host(), MAX_HOST, "host name"));
        put(p, 78, field(r.service(), MAX_SERVICE, "service description"));
        // the server turns real newlines into \n itself; other control characters are not sent
        put(p, 206, FittedOutput.fit(r.output(), MAX_OUTPUT, NscaPacket::printable, "\n").getBytes(StandardCharsets.UTF_8));
        CRC32 crc = new CRC32();
        crc.update(p);
        b.putInt(4, (int) crc.getValue());
        return p;
    }

    private static byte[] field(String s, int max, String what) throws SinkException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > max) {
            throw new SinkException(what + " '" + s + "' is longer than NSCA's " + max + " bytes", false);
        }
        return bytes;
    }

    private static void put(byte[] p, int offset, byte[] s) {
        System.arraycopy(s, 0, p, offset, s.length);
        p[offset + s.length] = 0;
    }

    private static String printable(String line) {
        StringBuilder b = new StringBuilder(line.length());
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return b.toString();
    }
}
