package org.rlimitevents.kernel.sys;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;

/** sd_notify(3) without libsystemd: a datagram to $NOTIFY_SOCKET ("@" = abstract namespace). */
public final class SystemdNotify {
    private SystemdNotify() {
    }

    /** Sends {@code state} (e.g. "READY=1") if systemd asked for it; false when not under Type=notify. */
    public static boolean send(String state) throws IOException {
        String socket = System.getenv("NOTIFY_SOCKET");
        if (socket == null || socket.isEmpty()) {
            return false;
        }
        String path = socket.startsWith("@") ? "\0" + socket.substring(1) : socket;
        try (UnixDatagramChannel ch = UnixDatagramChannel.open()) {
            ch.send(ByteBuffer.wrap(state.getBytes(StandardCharsets.UTF_8)), new UnixSocketAddress(path));
        }
        return true;
    }
}
