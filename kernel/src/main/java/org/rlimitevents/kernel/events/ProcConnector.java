package org.rlimitevents.kernel.events;

import java.io.IOException;

import jnr.ffi.Pointer;
import org.rlimitevents.kernel.sys.Sys;

/**
 * The netlink process connector (CN_IDX_PROC): the kernel tells us of every fork, exec and exit as
 * it happens, without polling. Unprivileged since Linux 6.6; before that it needs CAP_NET_ADMIN, and
 * {@link #open} fails. Layouts from include/uapi/linux/{netlink,connector,cn_proc}.h.
 */
public final class ProcConnector implements AutoCloseable {
    public interface Listener {
        /**
         * The reader met an error: {@code recovered} (ENOBUFS: the kernel dropped messages, the
         * reader goes on, and what was missed must be found again) or gone for good.
         */
        default void failed(Throwable cause, boolean recovered) {
        }

        void exec(int pid, int tgid);

        void exit(int pid, int tgid);

        /** A task was created: a process when {@code childPid == childTgid}, else a thread. */
        default void fork(int childPid, int childTgid) {
        }
    }

    private static final int AF_NETLINK = 16;
    private static final int SOCK_DGRAM = 2;
    private static final int NETLINK_CONNECTOR = 11;
    private static final int CN_IDX_PROC = 1;
    private static final int CN_VAL_PROC = 1;
    private static final int NLMSG_DONE = 3;
    private static final int PROC_CN_MCAST_LISTEN = 1;
    private static final int PROC_EVENT_FORK = 0x1;
    private static final int PROC_EVENT_EXEC = 0x2;
    private static final int PROC_EVENT_EXIT = 0x80000000;
    private static final int NLMSG_HDRLEN = 16;
    private static final int EINTR = 4, ENOBUFS = 105;
    /** The socket's receive buffer in bytes, for tests only (the kernel's default otherwise). */
    public static final String RCVBUF_PROPERTY = "rlimit.connector.rcvbuf";
    private static final int CN_MSG_LEN = 20;
    /** struct proc_event: what, cpu, timestamp_ns, then event_data at 16. */
    private static final int EVENT = NLMSG_HDRLEN + CN_MSG_LEN;

    private final int fd;
    private final Thread reader;
    private volatile boolean closed;

    private ProcConnector(int fd, Listener listener) {
        this.fd = fd;
        reader = new Thread(() -> read(listener), "rlimit-proc-connector");
        reader.setDaemon(true);
        reader.start();
    }

    public static ProcConnector open(Listener listener) throws IOException {
        int fd = Sys.C.socket(AF_NETLINK, SOCK_DGRAM, NETLINK_CONNECTOR);
        if (fd < 0) {
            throw new IOException("netlink connector socket: " + Sys.strerror(Sys.errno()));
        }
        String rcvbuf = System.getProperty(RCVBUF_PROPERTY);
        if (rcvbuf != null) { // tests: a small buffer a fork storm overruns (ENOBUFS)
            Pointer v = Sys.allocate(4);
            v.putInt(0, Integer.parseInt(rcvbuf));
            Sys.C.setsockopt(fd, 1 /* SOL_SOCKET */, 8 /* SO_RCVBUF */, v, 4);
        }
        Pointer addr = Sys.allocate(12); // struct sockaddr_nl
        addr.putShort(0, (short) AF_NETLINK);
        addr.putInt(4, 0);               // nl_pid: the kernel picks
        addr.putInt(8, CN_IDX_PROC);     // nl_groups
        if (Sys.C.bind(fd, addr, 12) != 0) {
            int errno = Sys.errno();
            Sys.C.close(fd);
            throw new IOException("binding the process connector: " + Sys.strerror(errno)
                    + (errno == 1 ? " (needs CAP_NET_ADMIN before Linux 6.6)" : ""));
        }
        Pointer msg = Sys.allocate(NLMSG_HDRLEN + CN_MSG_LEN + 4);
        msg.putInt(0, NLMSG_HDRLEN + CN_MSG_LEN + 4); // nlmsg_len
        msg.putShort(4, (short) NLMSG_DONE);          // nlmsg_type
        msg.putInt(12, Sys.C.getpid());               // nlmsg_pid
        msg.putInt(16, CN_IDX_PROC);                  // cn_msg.id.idx
        msg.putInt(20, CN_VAL_PROC);                  // cn_msg.id.val
        msg.putShort(32, (short) 4);                  // cn_msg.len
        msg.putInt(36, PROC_CN_MCAST_LISTEN);
        if (Sys.C.send(fd, msg, NLMSG_HDRLEN + CN_MSG_LEN + 4, 0) < 0) {
            int errno = Sys.errno();
            Sys.C.close(fd);
            throw new IOException("subscribing to the process connector: " + Sys.strerror(errno));
        }
        return new ProcConnector(fd, listener);
    }

    private void read(Listener listener) {
        Pointer buf = Sys.allocate(4096);
        while (!closed) {
            long n = Sys.C.recv(fd, buf, 4096, 0);
            if (n < 0) {
                int errno = Sys.errno();
                if (closed) {
                    return;
                }
                if (errno == ENOBUFS) {
                    // a burst (a fork storm) overran the socket's buffer: execs were lost, not the socket
                    listener.failed(new IOException("process connector: " + Sys.strerror(errno)
                            + " (events lost in a burst)"), true);
                    continue;
                }
                if (errno != EINTR) {
                    listener.failed(new IOException("process connector: " + Sys.strerror(errno)), false);
                    return;
                }
                continue;
            }
            // One datagram may hold several netlink messages.
            for (int off = 0; off + EVENT + 16 <= n; ) {
                int len = buf.getInt(off);
                if (len < NLMSG_HDRLEN || off + len > n) {
                    break;
                }
                int what = buf.getInt(off + EVENT);
                int data = off + EVENT + 16;
                if (what == PROC_EVENT_FORK) { // parent pid, parent tgid, child pid, child tgid
                    listener.fork(buf.getInt(data + 8), buf.getInt(data + 12));
                } else if (what == PROC_EVENT_EXEC) {
                    listener.exec(buf.getInt(data), buf.getInt(data + 4));
                } else if (what == PROC_EVENT_EXIT) {
                    listener.exit(buf.getInt(data), buf.getInt(data + 4));
                }
                off += (len + 3) & ~3;
            }
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return; // once: by now the fd number may be someone else's
        }
        closed = true;
        Sys.C.shutdown(fd, 2);
        Sys.C.close(fd); // the reader ends at its next datagram (any process event on the host)
    }
}
