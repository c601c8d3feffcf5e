package org.rlimitevents.listener.sink;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * NSCA's encryption methods that Debian's nsca (libmcrypt) and the JDK share, by their
 * encryption_method numbers: 0 none, 1 XOR with the server's IV and the password, 3 3DES and 14
 * Rijndael-128 (AES), both libmcrypt's "cfb" (8-bit CFB), keyed with the password zero-padded to
 * the algorithm's largest key (24 and 32 bytes), the IV the start of the server's 128 bytes.
 */
enum NscaCipher {
    NONE(0, null, 0, 0), XOR(1, null, 0, 0), TRIPLE_DES(3, "DESede", 24, 8), AES(14, "AES", 32, 16);

    final int method;
    private final String algorithm;
    private final int keySize;
    private final int ivSize;

    NscaCipher(int method, String algorithm, int keySize, int ivSize) {
        this.method = method;
        this.algorithm = algorithm;
        this.keySize = keySize;
        this.ivSize = ivSize;
    }

    static NscaCipher of(int method) {
        for (NscaCipher c : values()) {
            if (c.method == method) {
                return c;
            }
        }
        throw new IllegalArgumentException("encryption_method " + method
                + " is not supported (0 none, 1 XOR, 3 3DES, 14 AES/Rijndael-128)");
    }

    /** Encrypts the packet in place, as the server will decrypt it. */
    void encrypt(byte[] packet, byte[] iv, String password) throws GeneralSecurityException {
        byte[] pw = password.getBytes(StandardCharsets.UTF_8);
        switch (this) {
            case NONE:
                return;
            case XOR:
                for (int i = 0; i < packet.length; i++) {
                    packet[i] ^= iv[i % iv.length];
                    if (pw.length > 0) {
                        packet[i] ^= pw[i % pw.length];
                    }
                }
                return;
            default:
                Cipher c = Cipher.getInstance(algorithm + "/CFB8/NoPadding");
                c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(Arrays.copyOf(pw, keySize), algorithm),
                        new IvParameterSpec(Arrays.copyOf(iv, ivSize)));
                byte[] out = c.doFinal(packet);
                System.arraycopy(out, 0, packet, 0, packet.length);
        }
    }
}
