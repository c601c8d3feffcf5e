package org.rlimitevents.listener.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.Test;

/** What the remote sinks put on the wire, byte by byte where the protocol is binary. */
class RemoteFormatsTest {
    private static final PassiveResult RESULT = new PassiveResult(1_700_000_000L, "web1", "rlimit nginx", 1,
            "RLIMIT WARNING - nginx[12] nofile 850/1000 (85%) | nofile=850;800;900;0;1000 'a b'=1\n"
                    + "WARNING: nginx[12] nofile 850/1000 (85%)\n");

    @Test
    void icingaGetsTheTextWithRealNewlinesPerfdataAsAnArrayAndNamesAsFilterVars() {
        JsonObject b = IcingaApiSink.body(new PassiveResult(1, "web1", "x\" || true || \"", 1, RESULT.output()),
                "agent", 600);
        assertEquals("host.name == rlimit_host && service.name == rlimit_service", b.get("filter").getAsString());
        assertEquals("x\" || true || \"", b.getAsJsonObject("filter_vars").get("rlimit_service").getAsString());
        assertEquals("RLIMIT WARNING - nginx[12] nofile 850/1000 (85%)\nWARNING: nginx[12] nofile 850/1000 (85%)",
                b.get("plugin_output").getAsString());
        assertEquals("[\"nofile=850;800;900;0;1000\",\"'a b'=1\"]", b.get("performance_data").toString());
        assertEquals(List.of(1, 600, "agent", "Service"), List.of(b.get("exit_status").getAsInt(),
                b.get("ttl").getAsInt(), b.get("check_source").getAsString(), b.get("type").getAsString()));
        assertTrue(!IcingaApiSink.body(RESULT, "agent", 0).has("ttl"), "no heartbeat, no ttl");
        assertTrue(!b.has("execution_start"), "Icinga's clock times each result");
    }

    @Test
    void nrdpGetsOneServiceResultInJson() {
        JsonObject root = JsonParser.parseString(NrdpSink.json(RESULT)).getAsJsonObject();
        JsonObject r = root.getAsJsonArray("checkresults").get(0).getAsJsonObject();
        assertEquals("service", r.getAsJsonObject("checkresult").get("type").getAsString());
        assertEquals(List.of("web1", "rlimit nginx", "1"), List.of(r.get("hostname").getAsString(),
                r.get("servicename").getAsString(), r.get("state").getAsString()));
        assertEquals(RESULT.output().substring(0, RESULT.output().length() - 1), r.get("output").getAsString());
    }

    @Test
    void nrdpAnswersAreReadDefensively() {
        assertEquals(null, NrdpSink.refusal("{\"result\":{\"status\":0,\"message\":\"OK\"}}"));
        assertEquals(null, NrdpSink.refusal("{\"result\":{\"status\":\"0\"}}"));
        assertEquals("refused the result: BAD TOKEN", NrdpSink.refusal("{\"result\":{\"status\":-1,\"message\":\"BAD TOKEN\"}}"));
        assertEquals("refused the result: status 2", NrdpSink.refusal("{\"result\":{\"status\":2,\"message\":[]}}"));
        for (String odd : new String[] {"{\"result\":{\"status\":\"zero\"}}", "{\"result\":{\"status\":null}}",
            "{\"result\":[1]}", "[]", "<html>502 Bad Gateway</html>", "", "{\"result\":{\"status\":1e99}}",
            "{\"result\":{\"status\":{}}}"}) {
            assertTrue(NrdpSink.refusal(odd).startsWith("sent something that is not an NRDP answer: "), odd);
        }
    }

    @Test
    void nscaPacketLayoutAndCrc() throws Exception {
        byte[] p = NscaPacket.of(RESULT, 0x12345678);
        assertEquals(4304, p.length);
        ByteBuffer b = ByteBuffer.wrap(p);
        assertEquals(3, b.getShort(0));
        assertEquals(0x12345678, b.getInt(8));
        assertEquals(1, b.getShort(12));
        assertEquals("web1", cString(p, 14));
        assertEquals("rlimit nginx", cString(p, 78));
        assertEquals(RESULT.output().substring(0, RESULT.output().length() - 1), cString(p, 206));
        int crc = b.getInt(4);
        byte[] zeroed = p.clone();
        ByteBuffer.wrap(zeroed).putInt(4, 0);
        CRC32 c = new CRC32();
        c.update(zeroed);
        assertEquals((int) c.getValue(), crc);
        assertThrows(SinkException.class, () -> NscaPacket.of(new PassiveResult(1, "h".repeat(64), "s", 0, "x"), 0));
    }

    @Test
    void nscaOutputIsCutToItsFieldKeepingThePerfdata() throws Exception {
        String longOutput = "RLIMIT OK - " + "x".repeat(5000) + " | nofile=1;2;3;0;4\n" + "long\n".repeat(10);
        String out = cString(NscaPacket.of(new PassiveResult(1, "h", "s", 0, longOutput), 0), 206);
        assertEquals(4095, out.getBytes(StandardCharsets.UTF_8).length);
        assertTrue(out.endsWith("... | nofile=1;2;3;0;4"), out.substring(out.length() - 40));
    }

    private static String cString(byte[] p, int offset) {
        int end = offset;
        while (p[end] != 0) {
            end++;
        }
        return new String(p, offset, end - offset, StandardCharsets.UTF_8);
    }

    @Test
    void nscaCiphersAreWhatTheServerUndoes() throws Exception {
        byte[] plain = NscaPacket.of(RESULT, 7);
        byte[] iv = new byte[128];
        for (int i = 0; i < iv.length; i++) {
            iv[i] = (byte) (i * 7 + 3);
        }
        String pw = "secret";
        byte[] xor = plain.clone();
        NscaCipher.XOR.encrypt(xor, iv, pw);
        for (int i = 0; i < xor.length; i++) {
            xor[i] ^= pw.getBytes(StandardCharsets.UTF_8)[i % pw.length()];
            xor[i] ^= iv[i % 128];
        }
        assertArrayEquals(plain, xor);
        for (Object[] c : new Object[][] {{NscaCipher.TRIPLE_DES, "DESede", 24, 8}, {NscaCipher.AES, "AES", 32, 16}}) {
            byte[] enc = plain.clone();
            ((NscaCipher) c[0]).encrypt(enc, iv, pw);
            Cipher d = Cipher.getInstance(c[1] + "/CFB8/NoPadding");
            d.init(Cipher.DECRYPT_MODE, new SecretKeySpec(Arrays.copyOf(pw.getBytes(StandardCharsets.UTF_8),
                    (int) c[2]), (String) c[1]), new IvParameterSpec(Arrays.copyOf(iv, (int) c[3])));
            assertArrayEquals(plain, d.doFinal(enc), c[0].toString());
        }
        byte[] none = plain.clone();
        NscaCipher.NONE.encrypt(none, iv, pw);
        assertArrayEquals(plain, none);
        assertThrows(IllegalArgumentException.class, () -> NscaCipher.of(16));
    }
}
