package org.rlimitevents.kernel.events;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import jnr.ffi.Pointer;
import org.rlimitevents.kernel.sys.Sys;

/**
 * The rlimit-events v2 kernel interface (kernel/patch/, include/uapi/linux/rlimit_events.h): the
 * "rlimit_events" generic netlink family hands out a notification fd; ioctls add and remove
 * watches (pid, resource, level); read() returns 88-byte records. Offsets and ioctl numbers are
 * the header's, the same on 32- and 64-bit.
 */
final class RlimitNotifications implements AutoCloseable {
    static final String FAMILY = "rlimit_events";
    static final int CROSSING = 1;
    static final int LIMIT = 2;
    static final int EXIT = 3;
    static final int OVERFLOW = 4;
    static final int EVENT_SIZE = 88;

    private static final int AF_NETLINK = 16;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int NETLINK_GENERIC = 16;
    private static final int GENL_ID_CTRL = 0x10;
    private static final int CTRL_CMD_GETFAMILY = 3;
    private static final int CTRL_ATTR_FAMILY_ID = 1;
    private static final int CTRL_ATTR_FAMILY_NAME = 2;
    private static final int NLMSG_ERROR = 2;
    private static final int CMD_GET_FD = 1;
    private static final int ATTR_FD = 1;
    private static final int ATTR_FLAGS = 2;
    private static final int FD_NONBLOCK = 1;
    private static final int FD_CLOEXEC = 2;
    private static final long IOC_ADD = 0x40187201L;
    private static final long IOC_RM = 0x40187202L;
    private static final int WATCH_SIZE = 24;
    private static final int EAGAIN = 11;
    private static final int EINTR = 4;
    private static final int ENOENT = 2;
    private static final int EFD_CLOEXEC = 0x80000;
    private static final int POLLIN = 1;

    /** One record, fields as in struct rlimit_event. */
    record Event(int type, int direction, int resource, int pid, int tid, long level, long oldValue, long newValue,
                 long soft, long hard, long timestampNs, long seq, long aux) {
    }

    /** The family is missing: the kernel does not carry the patch (or the option is off). */
    static final class Absent extends IOException {
        Absent(String message) {
            super(message);
        }
    }

    private final int fd;
    private final int stopFd;
    private final Pointer watchBuf = Sys.allocate(WATCH_SIZE);
    private final Pointer readBuf = Sys.allocate(EVENT_SIZE * 32);
    private final Pointer pollFds = Sys.allocate(16);

    private RlimitNotifications(int fd, int stopFd) {
        this.fd = fd;
        this.stopFd = stopFd;
    }

    static RlimitNotifications open() throws IOException {
        int sock = Sys.C.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
        if (sock < 0) {
            throw new IOException("generic netlink socket: " + Sys.strerror(Sys.errno()));
        }
        try {
            byte[] name = (FAMILY + "\0").getBytes(StandardCharsets.US_ASCII);
            Pointer reply = request(sock, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_NAME, name);
            if (reply == null) {
                throw new Absent("the kernel has no " + FAMILY + " netlink family (needs the rlimit-events v2 patch)");
            }
            int family = attribute(reply, CTRL_ATTR_FAMILY_ID) & 0xffff;
            byte[] flags = le32(FD_NONBLOCK | FD_CLOEXEC);
            reply = request(sock, family, CMD_GET_FD, ATTR_FLAGS, flags);
            if (reply == null) {
                throw new IOException(FAMILY + ": no notification fd");
            }
            int fd = attribute(reply, ATTR_FD);
            int stop = Sys.C.eventfd(0, EFD_CLOEXEC);
            if (stop < 0) {
                Sys.C.close(fd);
                throw new IOException("eventfd: " + Sys.strerror(Sys.errno()));
            }
            return new RlimitNotifications(fd, stop);
        } finally {
            Sys.C.close(sock);
        }
    }

    /** Sends one genl request with one attribute; the reply, or null when the kernel said ENOENT. */
    private static Pointer request(int sock, int type, int cmd, int attr, byte[] value) throws IOException {
        int attrLen = 4 + value.length;
        int len = 16 + 4 + ((attrLen + 3) & ~3);
        Pointer msg = Sys.allocate(len);
        msg.putInt(0, len);
        msg.putShort(4, (short) type);
        msg.putShort(6, (short) 1); // NLM_F_REQUEST
        msg.putInt(8, 1);
        msg.putByte(16, (byte) cmd);
        msg.putByte(17, (byte) 1);  // genl version
        msg.putShort(20, (short) attrLen);
        msg.putShort(22, (short) attr);
        msg.put(24, value, 0, value.length);
        if (Sys.C.send(sock, msg, len, 0) < 0) {
            throw new IOException(FAMILY + ": netlink send: " + Sys.strerror(Sys.errno()));
        }
        Pointer reply = Sys.allocate(4096);
        long n = Sys.C.recv(sock, reply, 4096, 0);
        if (n < 20) {
            throw new IOException(FAMILY + ": netlink recv: " + (n < 0 ? Sys.strerror(Sys.errno()) : "short"));
        }
        if (reply.getShort(4) == NLMSG_ERROR) {
            int error = reply.getInt(16);
            if (error == -ENOENT) {
                return null;
            }
            throw new IOException(FAMILY + ": " + Sys.strerror(error));
        }
        return reply;
    }

    /** The u32/u16 value of attribute {@code type} in a genl reply. */
    private static int attribute(Pointer reply, int type) throws IOException {
        int end = reply.getInt(0);
        for (int off = 20; off + 4 <= end; ) {
            int len = reply.getShort(off) & 0xffff;
            if ((reply.getShort(off + 2) & 0x3fff) == type) {
                return len >= 8 ? reply.getInt(off + 4) : reply.getShort(off + 4);
            }
            off += Math.max(4, (len + 3) & ~3);
        }
        throw new IOException(FAMILY + ": attribute " + type + " missing from the reply");
    }

    private static byte[] le32(int v) {
        return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
    }

    /** Adds a watch; 0 or the errno (EEXIST when already there, EPERM without ptrace access). */
    synchronized int add(int pid, int resource, long level) {
        return watchIoctl(IOC_ADD, pid, resource, level);
    }

    synchronized int remove(int pid, int resource, long level) {
        return watchIoctl(IOC_RM, pid, resource, level);
    }

    private int watchIoctl(long cmd, int pid, int resource, long level) {
        watchBuf.putInt(0, WATCH_SIZE);
        watchBuf.putInt(4, 0);
        watchBuf.putInt(8, pid);
        watchBuf.putInt(12, resource);
        watchBuf.putLong(16, level);
        return Sys.C.ioctl(fd, cmd, watchBuf) == 0 ? 0 : Sys.errno();
    }

    /** Blocks until events arrive (returned, oldest first) or {@link #close} is called (empty). */
    List<Event> next() throws IOException {
        List<Event> out = new ArrayList<>();
        while (out.isEmpty()) {
            pollFds.putInt(0, fd);
            pollFds.putInt(4, POLLIN);
            pollFds.putInt(8, stopFd);
            pollFds.putInt(12, POLLIN);
            if (Sys.C.poll(pollFds, 2, -1) < 0 && Sys.errno() != EINTR) {
                throw new IOException(FAMILY + ": poll: " + Sys.strerror(Sys.errno()));
            }
            if ((pollFds.getShort(14) & POLLIN) != 0) {
                return out;
            }
            long n = Sys.C.read(fd, readBuf, EVENT_SIZE * 32);
            if (n < 0) {
                int errno = Sys.errno();
                if (errno == EAGAIN || errno == EINTR) {
                    continue;
                }
                throw new IOException(FAMILY + ": read: " + Sys.strerror(errno));
            }
            for (int off = 0; off + EVENT_SIZE <= n; off += EVENT_SIZE) {
                out.add(new Event(readBuf.getShort(off + 4) & 0xffff, readBuf.getShort(off + 6) & 0xffff,
                        readBuf.getInt(off + 8), readBuf.getInt(off + 12), readBuf.getInt(off + 16),
                        readBuf.getLong(off + 24), readBuf.getLong(off + 32), readBuf.getLong(off + 40),
                        readBuf.getLong(off + 48), readBuf.getLong(off + 56), readBuf.getLong(off + 64),
                        readBuf.getLong(off + 72), readBuf.getLong(off + 80)));
            }
        }
        return out;
    }

    /** Wakes {@link #next} for good; {@link #close} after its thread has ended. */
    void stop() {
        byte[] one = {1, 0, 0, 0, 0, 0, 0, 0};
        Sys.C.write(stopFd, one, 8);
    }

    /** Closing the fd removes every watch on it. */
    @Override
    public void close() {
        Sys.C.close(fd);
        Sys.C.close(stopFd);
    }
}
