package org.rlimitevents.listener.sink;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;

/**
 * NSCA 2.x: per result, one connection; the server's 132-byte greeting (a 128-byte IV and its
 * time), then one encrypted v3 packet. NSCA never answers: a packet the server cannot decrypt
 * (wrong password or method) is dropped there, unseen here; only connection failures are
 * retried. See {@link NscaCipher} for the methods.
 */
public final class NscaSink implements ResultSink {
    private final String host;
    private final int port;
    private final NscaCipher cipher;
    private final String password;
    private final int timeoutMs;

    public NscaSink(String host, int port, int encryptionMethod, String password, int timeoutSeconds) {
        this.host = host;
        this.port = port;
        this.cipher = NscaCipher.of(encryptionMethod);
        this.password = password;
        this.timeoutMs = timeoutSeconds * 1000;
    }

    @Override
    public void send(PassiveResult r) throws SinkException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), timeoutMs);
            s.setSoTimeout(timeoutMs);
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] iv = new byte[128];
            in.readFully(iv);
            int timestamp = in.readInt();
            byte[] packet = NscaPacket.of(r, timestamp);
            cipher.encrypt(packet, iv, password);
            OutputStream out = s.getOutputStream();
            out.write(packet);
            out.flush();
            s.shutdownOutput();
            // the server closes once it has read the packet and found no other: the closest thing
            // to an acknowledgement NSCA has (it says nothing of decryption)
            while (in.read() >= 0) {
                // nothing is expected
            }
        } catch (IOException e) {
            throw new SinkException("cannot reach NSCA at " + host + ":" + port + ": " + e.getMessage(), true);
        } catch (GeneralSecurityException e) {
            throw new SinkException("NSCA encryption: " + e.getMessage(), false);
        }
    }

    @Override
    public String describe() {
        return "NSCA " + host + ":" + port + " (" + cipher.name().toLowerCase(java.util.Locale.ROOT)
                + "; NSCA sends no acknowledgement)";
    }
}
