package org.rlimitevents.kernel.bpf;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import org.rlimitevents.kernel.sys.LibC;
import org.rlimitevents.kernel.sys.Sys;

/** The native boundary: libbpf bound once; errno read right after a failing call. */
final class Native {
    static final LibBpf BPF;
    static final LibC C = Sys.C;
    static final Runtime RUNTIME;

    static {
        BPF = LibraryLoader.create(LibBpf.class).load("bpf");
        RUNTIME = Runtime.getRuntime(BPF);
        BPF.libbpf_set_print(null); // libbpf's own stderr chatter off: failures come back as errno
    }

    private Native() {
    }

    static int errno() {
        return RUNTIME.getLastError();
    }

    static String strerror(int errno) {
        return Sys.strerror(errno);
    }

    static BpfException failure(String what, int errno) {
        return new BpfException(what + ": " + strerror(errno) + " (errno " + Math.abs(errno) + ")",
                Math.abs(errno));
    }
}
