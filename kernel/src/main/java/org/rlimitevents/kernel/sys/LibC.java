package org.rlimitevents.kernel.sys;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The libc calls the kernel module makes itself: BPF iterator fds, netlink sockets, the Nagios
 * command pipe (which needs O_NONBLOCK, which Java's own I/O cannot ask for), the rlimit-events
 * notification fd (ioctl, poll, and an eventfd to stop its reader).
 * Public only because jnr-ffi generates its implementation in another class loader; use it
 * through {@link Sys}.
 */
public interface LibC {
    @SaveError
    @ssize_t
    long read(int fd, Pointer buf, @size_t long count);

    int close(int fd);

    String strerror(int errnum);

    @SaveError
    int socket(int domain, int type, int protocol);

    @SaveError
    int bind(int fd, Pointer addr, int addrlen);

    @SaveError
    int setsockopt(int fd, int level, int optname, Pointer optval, int optlen);

    @SaveError
    @ssize_t
    long send(int fd, Pointer buf, @size_t long len, int flags);

    @SaveError
    @ssize_t
    long recv(int fd, Pointer buf, @size_t long len, int flags);

    @SaveError
    int shutdown(int fd, int how);

    int getpid();

    int getuid();

    /** Gives freed heap back to the kernel: see {@link Sys#trimNativeHeap}. */
    int malloc_trim(@size_t long pad);

    int getgid();

    @SaveError
    int open(String path, int flags, int mode);

    @SaveError
    @ssize_t
    long write(int fd, @In byte[] buf, @size_t long count);

    @SaveError
    int fsync(int fd);

    /** ioctl(2) with a pointer argument (the only form used). */
    @SaveError
    int ioctl(int fd, long request, Pointer arg);

    /** poll(2) on an array of struct pollfd (8 bytes each). */
    @SaveError
    int poll(Pointer fds, int nfds, int timeout);

    @SaveError
    int eventfd(int initval, int flags);
}
