package org.rlimitevents.kernel.sys;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Consumer;
import java.util.function.Function;

import jnr.unixsocket.Credentials;
import jnr.unixsocket.UnixServerSocketChannel;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;
import jnr.unixsocket.UnixSocketOptions;

/**
 * A local control socket: one request line in, one answer out. Only root, the daemon's own user
 * and members of its group get an answer (checked with SO_PEERCRED, whatever the file mode says).
 * The accept thread is blocked in the kernel while nobody asks: it wakes nothing.
 */
public final class ControlSocket implements AutoCloseable {
    private final Path path;
    private final UnixServerSocketChannel server;
    private final Thread thread;
    private final int uid;
    private final int gid;
    private volatile boolean closed;

    public ControlSocket(Path path, Function<String, String> handler, Consumer<String> log) throws IOException {
        this.path = path;
        this.uid = Sys.C.getuid();
        this.gid = Sys.C.getgid();
        Files.createDirectories(path.getParent());
        Files.deleteIfExists(path);
        server = UnixServerSocketChannel.open();
        server.socket().bind(new UnixSocketAddress(path.toFile()));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
        thread = new Thread(() -> serve(handler, log), "rlimit-control");
        thread.setDaemon(true);
        thread.start();
    }

    private void serve(Function<String, String> handler, Consumer<String> log) {
        while (!closed) {
            try (UnixSocketChannel client = server.accept()) {
                if (client == null) {
                    continue;
                }
                Credentials peer = client.getOption(UnixSocketOptions.SO_PEERCRED);
                String request = readLine(client); // read before answering: the client writes first
                String answer;
                if (peer.getUid() != 0 && peer.getUid() != uid && peer.getGid() != gid) {
                    answer = "denied: uid " + peer.getUid() + " is neither root nor this service's user or group\n";
                    log.accept("control socket: refused pid " + peer.getPid() + " (uid " + peer.getUid() + ")");
                } else {
                    answer = handler.apply(request);
                }
                ByteBuffer out = ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8));
                while (out.hasRemaining()) {
                    client.write(out);
                }
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    log.accept("control socket: " + e.getMessage());
                    if (!server.isOpen()) { // not one client's trouble: the socket is gone, and so is status
                        throw new IllegalStateException("control socket " + path + " closed under it", e);
                    }
                }
            }
        }
    }

    private static String readLine(UnixSocketChannel client) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(256);
        while (in.hasRemaining()) {
            int n = client.read(in);
            if (n < 0 || new String(in.array(), 0, in.position(), StandardCharsets.UTF_8).indexOf('\n') >= 0) {
                break;
            }
        }
        String s = new String(in.array(), 0, in.position(), StandardCharsets.UTF_8);
        int nl = s.indexOf('\n');
        return (nl >= 0 ? s.substring(0, nl) : s).strip();
    }

    /** The client side: sends one request, returns the whole answer. */
    public static String request(Path path, String request) throws IOException {
        try (UnixSocketChannel ch = UnixSocketChannel.open(new UnixSocketAddress(path.toFile()))) {
            ch.write(ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.UTF_8)));
            StringBuilder answer = new StringBuilder();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            while (ch.read(buf) > 0) {
                answer.append(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8));
                buf.clear();
            }
            return answer.toString();
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // closing anyway
        }
    }
}
