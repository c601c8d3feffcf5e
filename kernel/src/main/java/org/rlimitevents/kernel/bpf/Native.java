package org.rlimitevents.kernel.bpf;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/** The native boundary: libbpf and libc bound once; errno read right after a failing call. */
final class Native {
    static final LibBpf BPF;
    static final LibC C;
    static final Runtime RUNTIME;

    static {
        BPF = LibraryLoader.create(LibBpf.class).load("bpf");
        C = LibraryLoader.create(LibC.class).load("c");
        RUNTIME = Runtime.getRuntime(BPF);
        BPF.libbpf_set_print(null); // libbpf's own stderr chatter off: failures come back as errno
    }

    private Native() {
    }

    static int errno() {
        return RUNTIME.getLastError();
    }

    static String strerror(int errno) {
        return C.strerror(Math.abs(errno));
    }

    static BpfException failure(String what, int errno) {
        return new BpfException(what + ": " + strerror(errno) + " (errno " + Math.abs(errno) + ")",
                Math.abs(errno));
    }
}
