/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Kernel-version differences, each resolved with CO-RE at load time against the running kernel's
 * BTF, with the kernel change that caused it.
 */
#ifndef CORE_FIXES_BPF_H
#define CORE_FIXES_BPF_H

#include <bpf/bpf_core_read.h>

/*
 * Per-user rlimit counters (RLIMIT_NPROC, _MSGQUEUE, _SIGPENDING) live in struct ucounts since
 * Linux 5.14 ("Reimplement RLIMIT_NPROC on top of ucounts" and its siblings), first as the
 * tail of ucount[] (enum ucount_type), later in a separate rlimit[] (enum rlimit_type).
 */
struct ucounts___old {
	atomic_long_t ucount[16];
};

enum ucount_type___old {
	UCOUNT_RLIMIT_NPROC___old = 0,
	UCOUNT_RLIMIT_MSGQUEUE___old = 1,
	UCOUNT_RLIMIT_SIGPENDING___old = 2,
};

/* The per-user count for an RLIMIT number (RLIMIT_NPROC 6, MSGQUEUE 12, SIGPENDING 11). */
static __always_inline __u64 user_count(struct ucounts *uc, __u32 rlimit)
{
	int idx;

	if (!uc)
		return 0;
	if (bpf_core_field_exists(uc->rlimit)) {
		idx = rlimit == 6 ? UCOUNT_RLIMIT_NPROC : rlimit == 12 ? UCOUNT_RLIMIT_MSGQUEUE
							   : UCOUNT_RLIMIT_SIGPENDING;
		return BPF_CORE_READ(uc, rlimit[idx & 3].counter);
	} else {
		struct ucounts___old *old = (void *)uc;

		idx = rlimit == 6 ? bpf_core_enum_value(enum ucount_type___old, UCOUNT_RLIMIT_NPROC___old)
		    : rlimit == 12 ? bpf_core_enum_value(enum ucount_type___old, UCOUNT_RLIMIT_MSGQUEUE___old)
				   : bpf_core_enum_value(enum ucount_type___old, UCOUNT_RLIMIT_SIGPENDING___old);
		return BPF_CORE_READ(old, ucount[idx & 15].counter);
	}
}

#endif
