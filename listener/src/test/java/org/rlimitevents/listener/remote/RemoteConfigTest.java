package org.rlimitevents.listener.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlimitevents.listener.config.ConfigException;

class RemoteConfigTest {
    @TempDir
    Path dir;

    private Path file(String name, String text, String perms) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(perms));
        return f;
    }

    @Test
    void aSecretFileReadableByOthersIsRefused() throws Exception {
        assertEquals("sender:pw", SecretFile.read(file("ok", "sender:pw\nignored\n", "rw-------"), "credentials"));
        ConfigException e = assertThrows(ConfigException.class,
                () -> SecretFile.read(file("group", "sender:pw\n", "rw-r-----"), "Icinga API credentials"));
        assertTrue(e.getMessage().endsWith("the Icinga API credentials file must be readable only by its owner"
                + " (chmod 600)"), e.getMessage());
        assertThrows(ConfigException.class, () -> SecretFile.read(file("empty", "\n", "rw-------"), "token"));
        e = assertThrows(ConfigException.class, () -> SecretFile.read(file("ww", "t\n", "rw-----w-"), "NRDP token"));
        assertEquals(dir.resolve("ww") + ": the NRDP token file is writable by every user: refused (chmod 600)",
                e.getMessage());
    }

    @Test
    void sendNscaConfig() throws Exception {
        assertEquals(new NscaConfig("pw x", 14), NscaConfig.read(file("a", "# c\npassword=pw x\nencryption_method=14\n",
                "rw-r-----")));
        assertEquals(new NscaConfig("", 1), NscaConfig.read(file("b", "\n", "rw-r--r--")));
        assertThrows(ConfigException.class, () -> NscaConfig.read(file("c", "password=x\n", "rw-r--r--")));
        assertThrows(ConfigException.class, () -> NscaConfig.read(file("d", "encryption_method=aes\n", "rw-------")));
        assertThrows(ConfigException.class, () -> NscaConfig.read(file("e", "passwort=x\n", "rw-------")));
    }

    @Test
    void caFilesThatCannotServeAreSaidPlainly() throws Exception {
        java.net.URI https = java.net.URI.create("https://icinga:5665");
        assertEquals("no CA file " + dir.resolve("none"), assertThrows(java.io.IOException.class,
                () -> new HttpEndpoint(https, dir.resolve("none"), 1)).getMessage());
        Path garbage = file("ca.pem", "not a certificate\n", "rw-r--r--");
        assertTrue(assertThrows(java.security.GeneralSecurityException.class, () -> new HttpEndpoint(https, garbage, 1))
                .getMessage().startsWith(garbage + ": not a PEM certificate"));
        assertEquals("https://icinga:5665: https needs the CA file to trust (pinned)",
                assertThrows(java.io.IOException.class, () -> new HttpEndpoint(https, null, 1)).getMessage());
    }
}
