package org.rlimitevents.kernel.sys;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The libc calls the kernel module makes itself: reading BPF iterator fds and netlink sockets.
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
    @ssize_t
    long send(int fd, Pointer buf, @size_t long len, int flags);

    @SaveError
    @ssize_t
    long recv(int fd, Pointer buf, @size_t long len, int flags);

    @SaveError
    int shutdown(int fd, int how);

    int getpid();
}
