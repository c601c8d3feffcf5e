package org.rlimitevents.kernel.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;

/** The receiving end of sd_notify: a datagram socket a test passes as NOTIFY_SOCKET. */
public final class FakeSystemd implements AutoCloseable {
    private final UnixDatagramChannel channel;
    private final Path path;

    public FakeSystemd(Path path) throws IOException {
        this.path = path;
        channel = UnixDatagramChannel.open();
        channel.bind(new UnixSocketAddress(path.toFile()));
    }

    public Path path() {
        return path;
    }

    /** Blocks until a notification arrives; returns it ("READY=1"). */
    public String receive() throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(1024);
        channel.receive(buf);
        return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
