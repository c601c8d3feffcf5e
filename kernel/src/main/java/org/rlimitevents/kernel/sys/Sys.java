package org.rlimitevents.kernel.sys;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/** libc, bound once, with errno read right after a failing call. */
public final class Sys {
    public static final LibC C = LibraryLoader.create(LibC.class).load("c");
    public static final Runtime RUNTIME = Runtime.getRuntime(C);

    private Sys() {
    }

    public static int errno() {
        return RUNTIME.getLastError();
    }

    public static String strerror(int errno) {
        return C.strerror(Math.abs(errno));
    }

    /**
     * Gives memory freed during start-up back to the kernel: libbpf's parse of the kernel's BTF
     * and the JIT's first compilations leave ~13 MB in malloc's free lists otherwise, kept for a
     * daemon's whole life. Call a while after the start-up work is done.
     */
    public static void trimNativeHeap() {
        C.malloc_trim(0);
    }

    /** The kind of file an open descriptor is (S_IFIFO, S_IFREG...: the st_mode & S_IFMT), or -errno. */
    public static int fileType(int fd) {
        jnr.posix.FileStat st = POSIX.allocateStat();
        if (POSIX.fstat(fd, st) < 0) {
            return -Math.abs(POSIX.errno());
        }
        return st.mode() & 0170000;
    }

    private static final jnr.posix.POSIX POSIX = jnr.posix.POSIXFactory.getNativePOSIX();

    public static Pointer allocate(int size) {
        return Memory.allocateDirect(RUNTIME, size);
    }
}
