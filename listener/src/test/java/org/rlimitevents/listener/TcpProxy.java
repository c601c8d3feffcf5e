package org.rlimitevents.listener;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback TCP forwarder to a server: stopping it is a network outage as the listener sees it,
 * while the test keeps its own direct connection to the server (Icinga's event stream).
 */
final class TcpProxy implements AutoCloseable {
    private final int target;
    final int port;
    private ServerSocket server;
    private final List<Socket> open = new ArrayList<>();

    TcpProxy(int target) throws IOException {
        this.target = target;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        start();
    }

    synchronized void start() throws IOException {
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        ServerSocket s = server;
        Thread accept = new Thread(() -> {
            while (true) {
                try {
                    Socket client = s.accept();
                    Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                    synchronized (this) {
                        open.add(client);
                        open.add(upstream);
                    }
                    pump(client.getInputStream(), upstream.getOutputStream(), upstream);
                    pump(upstream.getInputStream(), client.getOutputStream(), client);
                } catch (IOException e) {
                    return; // stopped
                }
            }
        }, "proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    private static void pump(InputStream in, OutputStream out, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16384];
            try {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    out.write(buf, 0, n);
                    out.flush();
                }
                to.shutdownOutput();
            } catch (IOException e) {
                // a side closed
            }
        }, "proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Refuses new connections and cuts the open ones. */
    synchronized void stop() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
        open.clear();
    }

    @Override
    public void close() throws IOException {
        stop();
    }
}
