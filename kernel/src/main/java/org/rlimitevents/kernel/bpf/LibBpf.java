package org.rlimitevents.kernel.bpf;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.Delegate;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;

/**
 * The part of libbpf 1.x (libbpf.so.1) we call. Pointer functions return NULL and set errno;
 * int functions return -errno: both save errno for {@link Native#errno()}. Public only because
 * jnr-ffi generates its implementation in another class loader; nothing outside this package uses it.
 */
public interface LibBpf {
    @SaveError
    Pointer bpf_object__open_mem(Pointer objBuf, @size_t long objBufSize, Pointer opts);

    @SaveError
    int bpf_object__load(Pointer obj);

    void bpf_object__close(Pointer obj);

    Pointer bpf_object__find_program_by_name(Pointer obj, String name);

    Pointer bpf_object__find_map_by_name(Pointer obj, String name);

    int bpf_program__set_autoload(Pointer prog, boolean autoload);

    @SaveError
    Pointer bpf_program__attach(Pointer prog);

    @SaveError
    Pointer bpf_program__attach_iter(Pointer prog, Pointer opts);

    int bpf_link__destroy(Pointer link);

    int bpf_link__fd(Pointer link);

    int bpf_map__fd(Pointer map);

    @SaveError
    int bpf_map_update_elem(int fd, Pointer key, Pointer value, long flags);

    @SaveError
    int bpf_map_lookup_elem(int fd, Pointer key, Pointer value);

    @SaveError
    int bpf_map_delete_elem(int fd, Pointer key);

    @SaveError
    int bpf_iter_create(int linkFd);

    @SaveError
    Pointer ring_buffer__new(int mapFd, SampleCallback callback, Pointer ctx, Pointer opts);

    @SaveError
    int ring_buffer__poll(Pointer rb, int timeoutMs);

    void ring_buffer__free(Pointer rb);

    /** libbpf's print callback takes a va_list, which jnr cannot model: we only ever pass null. */
    Pointer libbpf_set_print(Pointer fn);

    /** int (*ring_buffer_sample_fn)(void *ctx, void *data, size_t size) */
    interface SampleCallback {
        @Delegate
        int call(Pointer ctx, Pointer data, @size_t long size);
    }
}
