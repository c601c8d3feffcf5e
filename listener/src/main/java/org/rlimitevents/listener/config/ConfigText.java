package org.rlimitevents.listener.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;

/**
 * Configuration files read as bytes and decoded a line at a time: UTF-8 where it is, ISO-8859-1
 * where a line is not (Nagios copies object definitions byte for byte, and one Latin-1 alias on
 * another host must not stop the listener from reading its own services).
 */
public final class ConfigText {
    private ConfigText() {
    }

    public static List<String> lines(Path p) throws ConfigException {
        byte[] all;
        try {
            all = Files.readAllBytes(p);
        } catch (IOException e) {
            throw new ConfigException(p + ": cannot read: " + e.getMessage());
        }
        List<String> out = new ArrayList<>();
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        int start = 0;
        while (start < all.length) {
            int end = start;
            while (end < all.length && all[end] != '\n') {
                end++;
            }
            int len = end - start;
            if (len > 0 && all[end - 1] == '\r') {
                len--;
            }
            try {
                out.add(utf8.decode(ByteBuffer.wrap(all, start, len)).toString());
            } catch (CharacterCodingException e) {
                out.add(new String(all, start, len, StandardCharsets.ISO_8859_1));
            }
            start = end + 1;
        }
        return out;
    }

    /** The listener's own configuration: refused when any user may write it (as sudo and ssh do). */
    public static List<String> ownLines(Path p) throws ConfigException {
        try {
            if (Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new ConfigException(p + ": writable by every user, so anyone could choose what is watched"
                        + " and reported: refused (chmod o-w)");
            }
        } catch (IOException e) {
            throw new ConfigException(p + ": cannot read: " + e.getMessage());
        }
        return lines(p);
    }
}
