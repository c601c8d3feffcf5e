package org.rlimitevents.kernel.bpf;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/** The few libc calls the BPF loader needs (reading an iterator fd). */
public interface LibC {
    @SaveError
    @ssize_t
    long read(int fd, Pointer buf, @size_t long count);

    int close(int fd);

    String strerror(int errnum);
}
