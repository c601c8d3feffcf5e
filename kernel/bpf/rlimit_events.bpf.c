// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rlimit-events on stock kernels: tell userspace when a watched process's use of a resource
 * crosses a level (a fraction of its soft limit, or an absolute value), in either direction.
 *
 * Tracepoint tier: tp_btf/sys_exit sees every syscall of every process while attached, so the
 * unwatched path is one bitmap test; a watched process pays for a few loads per syscall and, on
 * fd syscalls, a ±1 update of its open-fd estimate, with an exact recount only near a level.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "rlimit_events.h"
#include "core_fixes.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define PID_MAX_LIMIT (4 * 1024 * 1024)
/* An exact open-fd count walks the fd bitmap: at most this many 64-bit words (1M fds). */
#define FD_WORDS_MAX (1024 * 1024 / 64)
/* Recount when the estimate is this close to a level, or after this many ±1 updates. */
#define NOFILE_MARGIN 16
#define NOFILE_RECOUNT_EVERY 256

/* x86-64 syscall numbers (arch/x86/entry/syscalls/syscall_64.tbl). */
#define NR_read 0
#define NR_open 2
#define NR_close 3
#define NR_mmap 9
#define NR_mprotect 10
#define NR_munmap 11
#define NR_brk 12
#define NR_pipe 22
#define NR_mremap 25
#define NR_shmat 30
#define NR_dup 32
#define NR_dup2 33
#define NR_socket 41
#define NR_accept 43
#define NR_recvmsg 47
#define NR_socketpair 53
#define NR_execve 59
#define NR_shmdt 67
#define NR_fcntl 72
#define NR_creat 85
#define NR_mlock 149
#define NR_munlock 150
#define NR_mlockall 151
#define NR_munlockall 152
#define NR_setrlimit 160
#define NR_epoll_create 213
#define NR_mq_open 240
#define NR_mq_unlink 241
#define NR_inotify_init 253
#define NR_openat 257
#define NR_signalfd 282
#define NR_timerfd_create 283
#define NR_eventfd 284
#define NR_accept4 288
#define NR_signalfd4 289
#define NR_eventfd2 290
#define NR_epoll_create1 291
#define NR_dup3 292
#define NR_pipe2 293
#define NR_inotify_init1 294
#define NR_perf_event_open 298
#define NR_recvmmsg 299
#define NR_fanotify_init 300
#define NR_prlimit64 302
#define NR_open_by_handle_at 304
#define NR_seccomp 317
#define NR_memfd_create 319
#define NR_bpf 321
#define NR_execveat 322
#define NR_userfaultfd 323
#define NR_mlock2 325
#define NR_io_uring_setup 425
#define NR_open_tree 428
#define NR_fsopen 430
#define NR_fsmount 432
#define NR_fspick 433
#define NR_pidfd_open 434
#define NR_close_range 436
#define NR_openat2 437
#define NR_pidfd_getfd 438
#define NR_memfd_secret 447

#define F_DUPFD 0
#define F_DUPFD_CLOEXEC 1030

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PID_MAX_LIMIT / 64);
	__type(key, __u32);
	__type(value, __u64);
} watched_bits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);               /* tgid */
	__type(value, struct rl_watch);
} watches SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);               /* real uid */
	__type(value, struct rl_user_index);
} user_index SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/* Written by the loader before it runs the iterator: RL_CTL_REPORT (rlimit_events.h) re-reports every watch's
 * level even when unchanged (after lost events, the last level userspace saw may be stale). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} control SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RL_STAT_NR);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

/* Set by the loader: pretend the ring buffer is full (tests of the lost-event path). */
const volatile __u32 drop_every = 0;

static __u64 event_seq;

static __always_inline void stat_add(__u32 which, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &which);

	if (v)
		__sync_fetch_and_add(v, n);
}

static __always_inline bool is_watched(__u32 tgid)
{
	__u32 word = tgid >> 6;
	__u64 *bits = bpf_map_lookup_elem(&watched_bits, &word);

	return bits && (*bits & (1ULL << (tgid & 63)));
}

static __always_inline void emit(__u32 kind, __u32 tgid, __u32 tid, __u32 resource, __u32 old_level,
				 __u32 new_level, __u64 value, __u64 soft, __u64 hard, struct task_struct *task,
				 __u32 uid)
{
	__u64 seq = __sync_fetch_and_add(&event_seq, 1);
	struct rl_event *e;

	if (drop_every && seq % drop_every != 0)
		e = NULL;
	else
		e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		stat_add(RL_STAT_LOST, 1);
		return;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->seq = seq;
	e->value = value;
	e->soft = soft;
	e->hard = hard;
	e->kind = kind;
	e->tgid = tgid;
	e->tid = tid;
	e->resource = resource;
	e->old_level = old_level;
	e->new_level = new_level;
	e->uid = uid;
	e->pad = 0;
	if (task)
		bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), task->comm);
	else
		e->comm[0] = 0;
	bpf_ringbuf_submit(e, 0);
	stat_add(RL_STAT_EVENTS, 1);
}

static __always_inline __u64 rlim_value(unsigned long v)
{
	return v == (unsigned long)-1 ? RL_UNLIMITED : v;
}

/* level = soft * ppm / 1e6 without overflowing 64 bits for any finite soft limit. */
static __always_inline __u64 scale(__u64 soft, __u32 ppm)
{
	return soft / RL_PPM * ppm + soft % RL_PPM * ppm / RL_PPM;
}

/* Compare-and-swap two levels (and the ppm each follows) when out of order and both in use. */
static __always_inline void order_pair(struct rl_res_watch *rw, __u32 a, __u32 b)
{
	__u64 l;
	__u32 p;

	if (b >= rw->nlevels || rw->level[a] <= rw->level[b])
		return;
	l = rw->level[a];
	rw->level[a] = rw->level[b];
	rw->level[b] = l;
	p = rw->ppm[a];
	rw->ppm[a] = rw->ppm[b];
	rw->ppm[b] = p;
}

/*
 * Levels that mix percentages and absolute values change order with the limit (80% of 1000 is
 * above an absolute 500, 80% of 500 below it): a sorting network over the levels in use.
 */
static __always_inline void sort_levels(struct rl_res_watch *rw)
{
	order_pair(rw, 0, 1);
	order_pair(rw, 2, 3);
	order_pair(rw, 0, 2);
	order_pair(rw, 1, 3);
	order_pair(rw, 1, 2);
}

/*
 * The heart of it: compare a new usage (and the current limits) with the watch's levels and
 * report what changed. Relative levels follow the soft limit; an unlimited soft limit puts them
 * out of reach. Going down, a level is left only below its hysteresis band.
 */
/* One observation of one resource of one process (BPF calls take at most five arguments). */
struct rl_sample {
	struct task_struct *task;    /* for the command name; NULL when not at hand */
	__u64 value, soft, hard;
	__u32 resource, tgid, tid;
	__u32 report;                /* emit the level even if unchanged */
	__u32 uid;                   /* per-user resources: whose count */
};

static __noinline void evaluate(struct rl_watch *w, struct rl_sample *s)
{
	struct rl_res_watch *rw;
	__u32 n, old, i, r = s->resource, tgid = s->tgid, tid = s->tid;
	__u64 value = s->value, soft = s->soft, hard = s->hard;
	struct task_struct *task = s->task;

	if (!w || r >= RL_NRES)
		return;
	rw = &w->res[r & (RL_NRES - 1)];
	if (rw->nlevels == 0)
		return;
	if (soft != rw->soft || hard != rw->hard || rw->current == RL_LEVEL_UNKNOWN) {
		for (i = 0; i < RL_MAX_LEVELS; i++) {
			if (rw->ppm[i])
				rw->level[i] = soft == RL_UNLIMITED ? RL_UNLIMITED : scale(soft, rw->ppm[i]);
		}
		sort_levels(rw);
		if (rw->current != RL_LEVEL_UNKNOWN)
			emit(RL_EV_LIMIT, tgid, tid, r, rw->current, rw->current, value, soft, hard, task, s->uid);
		rw->soft = soft;
		rw->hard = hard;
	}
	old = rw->current;
	n = old == RL_LEVEL_UNKNOWN ? 0 : old;
	for (i = 0; i < RL_MAX_LEVELS; i++) {      /* up: every level the value is above */
		if (n < rw->nlevels && n < RL_MAX_LEVELS && value > rw->level[n & (RL_MAX_LEVELS - 1)])
			n++;
	}
	if (old != RL_LEVEL_UNKNOWN) {
		for (i = 0; i < RL_MAX_LEVELS; i++) {  /* down: below the band under the level */
			__u64 lvl, band;

			if (n == 0)
				break;
			lvl = rw->level[(n - 1) & (RL_MAX_LEVELS - 1)];
			band = rw->hysteresis_ppm ? scale(lvl, rw->hysteresis_ppm) : 0;
			if (value <= lvl - band)
				n--;
			else
				break;
		}
	}
	rw->value = value;
	if (n != old && __sync_val_compare_and_swap(&rw->current, old, n) == old)
		emit(RL_EV_CROSSING, tgid, tid, r, old, n, value, soft, hard, task, s->uid);
	else if (s->report && n == old)
		emit(RL_EV_CROSSING, tgid, tid, r, old, n, value, soft, hard, task, s->uid);
}

struct popcount_ctx {
	unsigned long *bits;
	__u64 count;
};

static long popcount_word(__u32 i, struct popcount_ctx *ctx)
{
	unsigned long word = 0;

	bpf_probe_read_kernel(&word, sizeof(word), ctx->bits + i);
	ctx->count += __builtin_popcountl(word);
	return 0;
}

/* The exact number of open fds: the population count of the fd table's open bitmap. */
static __always_inline __u64 count_fds(struct task_struct *task)
{
	struct files_struct *files = task->files;
	struct fdtable *fdt;
	struct popcount_ctx ctx = {};
	__u32 words;

	if (!files)
		return 0;
	fdt = files->fdt;
	words = fdt->max_fds / 64;
	if (words > FD_WORDS_MAX)
		words = FD_WORDS_MAX;
	ctx.bits = fdt->open_fds;
	bpf_loop(words, popcount_word, &ctx, 0);
	stat_add(RL_STAT_RECOUNTS, 1);
	return ctx.count;
}

/* How a syscall that returned `ret` changed the number of open fds: ±n, or 99 if unknown. */
static __always_inline int fd_delta(long nr, long ret, struct pt_regs *regs)
{
	if (ret < 0)
		return 0;
	switch (nr) {
	case NR_open: case NR_openat: case NR_openat2: case NR_creat: case NR_socket: case NR_accept:
	case NR_accept4: case NR_dup: case NR_eventfd: case NR_eventfd2: case NR_epoll_create:
	case NR_epoll_create1: case NR_timerfd_create: case NR_inotify_init: case NR_inotify_init1:
	case NR_fanotify_init: case NR_memfd_create: case NR_userfaultfd: case NR_perf_event_open:
	case NR_pidfd_open: case NR_pidfd_getfd: case NR_open_by_handle_at: case NR_io_uring_setup:
	case NR_mq_open: case NR_fsopen: case NR_fspick: case NR_fsmount: case NR_open_tree:
	case NR_memfd_secret:
		return 1;
	case NR_signalfd: case NR_signalfd4:
		return (int)regs->di == -1 ? 1 : 0;     /* a new signalfd, not an update */
	case NR_pipe: case NR_pipe2: case NR_socketpair:
		return 2;
	case NR_close:
		return -1;
	case NR_fcntl: {
		long cmd = regs->si;

		return cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC ? 1 : 0;
	}
	case NR_dup2: case NR_dup3: case NR_close_range: case NR_recvmsg: case NR_recvmmsg:
	case NR_bpf: case NR_seccomp: case NR_execve: case NR_execveat:
		return 99;
	default:
		return 0;
	}
}

static __always_inline bool near_level(struct rl_res_watch *rw, __s64 estimate)
{
	__u32 i;

	for (i = 0; i < RL_MAX_LEVELS; i++) {
		__s64 d;

		if (i >= rw->nlevels)
			break;
		d = estimate - (__s64)rw->level[i];
		if (d >= -NOFILE_MARGIN && d <= NOFILE_MARGIN)
			return true;
	}
	return false;
}

static __always_inline void evaluate_nofile(struct rl_watch *w, struct task_struct *task, __u32 tgid, __u32 tid,
					    int delta, bool force, __u32 report)
{
	struct rl_res_watch *rw = &w->res[RL_RES_NOFILE];
	struct rlimit *rl;
	__u64 soft, hard;

	if (rw->nlevels == 0 || (delta == 0 && !force))
		return;   /* not an fd syscall: nothing to do (limit changes come through limit_set_by) */
	rl = &task->signal->rlim[RL_RES_NOFILE];
	soft = rlim_value(rl->rlim_cur);
	hard = rlim_value(rl->rlim_max);
	if (delta == 99)
		w->nofile_dirty = 1;
	else
		w->nofile_estimate += delta;
	if (force || w->nofile_dirty || soft != rw->soft || near_level(rw, w->nofile_estimate) ||
	    ++w->nofile_since_recount >= NOFILE_RECOUNT_EVERY) {
		w->nofile_estimate = count_fds(task);
		w->nofile_dirty = 0;
		w->nofile_since_recount = 0;
	}
	{
		struct rl_sample s = { .task = task, .value = w->nofile_estimate, .soft = soft, .hard = hard,
				    .resource = RL_RES_NOFILE, .tgid = tgid, .tid = tid, .report = report };

		evaluate(w, &s);
	}
}

/* Compare a usage with the task's current limits for that resource. */
static __always_inline void observe(struct rl_watch *w, struct task_struct *task, __u32 r, __u64 value,
				    __u32 tgid, __u32 tid, __u32 report)
{
	struct rlimit *rl = &task->signal->rlim[r & (RL_NRES - 1)];
	struct rl_sample s = { .task = task, .value = value, .soft = rlim_value(rl->rlim_cur),
			    .hard = rlim_value(rl->rlim_max), .resource = r, .tgid = tgid, .tid = tid,
			    .report = report };

	evaluate(w, &s);
}

/* AS, DATA, STACK, MEMLOCK: the mm's own counters, in pages, read on every watched syscall exit
 * (stack growth happens in page faults, not syscalls: the next syscall sees it). */
static __always_inline void evaluate_mm(struct rl_watch *w, struct task_struct *task, __u32 tgid, __u32 tid,
				       __u32 report)
{
	struct mm_struct *mm = task->mm;
	__u64 page = 4096;

	if (!mm)
		return;
	if (w->res[RL_RES_AS].nlevels)
		observe(w, task, RL_RES_AS, mm->total_vm * page, tgid, tid, report);
	if (w->res[RL_RES_DATA].nlevels)
		observe(w, task, RL_RES_DATA, mm->data_vm * page, tgid, tid, report);
	if (w->res[RL_RES_STACK].nlevels)
		observe(w, task, RL_RES_STACK, mm->stack_vm * page, tgid, tid, report);
	if (w->res[RL_RES_MEMLOCK].nlevels)
		observe(w, task, RL_RES_MEMLOCK, (mm->locked_vm + mm->pinned_vm.counter) * page, tgid, tid, report);
}

/* The real user of a task and its per-user counters (what RLIMIT_NPROC & co. are checked against). */
static __always_inline struct ucounts *task_ucounts_of(struct task_struct *t, __u32 *uid)
{
	const struct cred *cred = t->real_cred;

	*uid = cred->uid.val;
	return cred->ucounts;
}

/*
 * A per-user count changed (a task of `t`'s user was created or freed, a signal queued or
 * delivered, a message queue created or removed): re-evaluate every watched process of that user
 * that watches the resource, each against its own limit (the one last seen).
 */
static __always_inline void user_changed(struct task_struct *t, __u32 r)
{
	struct rl_user_index *idx;
	struct ucounts *uc;
	__u64 count;
	__u32 uid, i;

	uc = task_ucounts_of(t, &uid);
	idx = bpf_map_lookup_elem(&user_index, &uid);
	if (!idx)
		return;
	count = user_count(uc, r);
	for (i = 0; i < RL_USER_WATCHES; i++) {
		__u32 tgid = idx->tgid[i];
		struct rl_watch *w;
		struct rl_res_watch *rw;

		if (!tgid)
			continue;
		w = bpf_map_lookup_elem(&watches, &tgid);
		if (!w)
			continue;
		rw = &w->res[r & (RL_NRES - 1)];
		if (rw->nlevels == 0 || rw->current == RL_LEVEL_UNKNOWN)
			continue;   /* not watched, or not yet evaluated (the resync does it) */
		{
			struct rl_sample s = { .value = count, .soft = rw->soft, .hard = rw->hard, .resource = r,
					    .tgid = tgid, .tid = t->pid, .uid = uid };

			evaluate(w, &s);
		}
	}
}

/* The per-user resources of one watched process, read exactly (resync, exec). */
static __always_inline void evaluate_user(struct rl_watch *w, struct task_struct *task, __u32 tgid, __u32 report)
{
	__u32 uid;
	struct ucounts *uc = task_ucounts_of(task, &uid);
	__u32 rs[3] = { RL_RES_NPROC, RL_RES_SIGPENDING, RL_RES_MSGQUEUE };
	__u32 i;

	for (i = 0; i < 3; i++) {
		__u32 r = rs[i];
		struct rlimit *rl;

		if (w->res[r & (RL_NRES - 1)].nlevels == 0)
			continue;
		rl = &task->signal->rlim[r & (RL_NRES - 1)];
		{
			struct rl_sample s = { .task = task, .value = user_count(uc, r), .soft = rlim_value(rl->rlim_cur),
					    .hard = rlim_value(rl->rlim_max), .resource = r, .tgid = tgid,
					    .report = report, .uid = uid };

			evaluate(w, &s);
		}
	}
}

/*
 * prlimit64() on a watched process from another one: the limit changed while the target may be
 * asleep. The new value is read from the caller's own arguments (we run in its context).
 */
static __always_inline void limit_set_by(struct pt_regs *regs, long nr, __u32 caller_tgid)
{
	struct rlimit64 { __u64 cur, max; } nl;
	__u32 target = nr == NR_prlimit64 ? (__u32)regs->di : 0;
	__u32 r = nr == NR_prlimit64 ? (__u32)regs->si : (__u32)regs->di;
	void *arg = (void *)(nr == NR_prlimit64 ? regs->dx : regs->si);
	struct rl_watch *w;

	if (!arg || r >= RL_NRES)
		return;
	if (target == 0)
		target = caller_tgid;
	if (!is_watched(target))
		return;
	w = bpf_map_lookup_elem(&watches, &target);
	if (!w || bpf_probe_read_user(&nl, sizeof(nl), arg))
		return;
	if (nr == NR_setrlimit) {   /* struct rlimit: unsigned longs, same layout on 64-bit */
		nl.cur = rlim_value(nl.cur);
		nl.max = rlim_value(nl.max);
	}
	{
		struct rl_sample s = { .value = w->res[r & (RL_NRES - 1)].value, .soft = nl.cur, .hard = nl.max,
				    .resource = r, .tgid = target };

		evaluate(w, &s);
	}
}

SEC("tp_btf/sys_exit")
int BPF_PROG(rl_sys_exit, struct pt_regs *regs, long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, tid = (__u32)id;
	struct task_struct *task;
	struct rl_watch *w;
	long nr;
	int delta;

	if (!is_watched(tgid)) {
		nr = regs->orig_ax;
		if (nr == NR_prlimit64 && ret == 0)
			limit_set_by(regs, nr, tgid);
		else if ((nr == NR_mq_open || nr == NR_mq_unlink) && ret >= 0)
			user_changed(bpf_get_current_task_btf(), RL_RES_MSGQUEUE);
		return 0;
	}
	w = bpf_map_lookup_elem(&watches, &tgid);
	if (!w)
		return 0;
	nr = regs->orig_ax;
	if ((nr == NR_prlimit64 || nr == NR_setrlimit) && ret == 0)
		limit_set_by(regs, nr, tgid);
	task = bpf_get_current_task_btf();
	if ((nr == NR_mq_open || nr == NR_mq_unlink) && ret >= 0)
		user_changed(task, RL_RES_MSGQUEUE);
	delta = fd_delta(nr, ret, regs);
	evaluate_nofile(w, task, tgid, tid, delta, false, 0);
	evaluate_mm(w, task, tgid, tid, 0);
	return 0;
}

/* The tracepoint mechanism alone, for `make bench`: what any sys_exit program costs, ours aside. */
SEC("tp_btf/sys_exit")
int BPF_PROG(rl_sys_exit_empty, struct pt_regs *regs, long ret)
{
	return 0;
}

/*
 * fexit tier: the same accounting from the fd-table and mm functions themselves, so that only the
 * operations that change a count pay (no syscall tracepoint). Loaded instead of rl_sys_exit where
 * the kernel allows fexit; the sched, signal and iterator programs serve both tiers.
 */
static __always_inline void fd_changed(int delta)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	struct rl_watch *w;

	if (!is_watched(tgid))
		return;
	w = bpf_map_lookup_elem(&watches, &tgid);
	if (w)
		evaluate_nofile(w, bpf_get_current_task_btf(), tgid, (__u32)id, delta, false, 0);
}

/* Every new fd is reserved here (open, socket, dup, accept, F_DUPFD, SCM_RIGHTS, pidfd_getfd …). */
SEC("fexit/alloc_fd")
int BPF_PROG(rl_fx_alloc_fd, unsigned int start, unsigned int end, unsigned int flags, int ret)
{
	if (ret >= 0)
		fd_changed(1);
	return 0;
}

/* A reserved fd given back before it was installed (the open failed later on). */
SEC("fexit/put_unused_fd")
int BPF_PROG(rl_fx_put_unused_fd, unsigned int fd)
{
	fd_changed(-1);
	return 0;
}

SEC("fexit/__x64_sys_close")
int BPF_PROG(rl_fx_close, const struct pt_regs *regs, long ret)
{
	if (ret == 0)
		fd_changed(-1);
	return 0;
}

/* dup2/dup3 may replace an open fd or fill a free one, close_range closes any number: recount. */
SEC("fexit/__x64_sys_dup2")
int BPF_PROG(rl_fx_dup2, const struct pt_regs *regs, long ret)
{
	if (ret >= 0)
		fd_changed(99);
	return 0;
}

SEC("fexit/__x64_sys_dup3")
int BPF_PROG(rl_fx_dup3, const struct pt_regs *regs, long ret)
{
	if (ret >= 0)
		fd_changed(99);
	return 0;
}

SEC("fexit/__x64_sys_close_range")
int BPF_PROG(rl_fx_close_range, const struct pt_regs *regs, long ret)
{
	if (ret == 0)
		fd_changed(99);
	return 0;
}

/* total_vm, data_vm, stack_vm all change here (mmap, munmap, brk, mremap, stack growth). */
SEC("fexit/vm_stat_account")
int BPF_PROG(rl_fx_vm_stat_account, struct mm_struct *mm, vm_flags_t flags, long npages)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	struct task_struct *task;
	struct rl_watch *w;

	if (!is_watched(tgid))
		return 0;
	task = bpf_get_current_task_btf();
	w = bpf_map_lookup_elem(&watches, &tgid);
	if (w && task->mm == mm)
		evaluate_mm(w, task, tgid, (__u32)id, 0);
	return 0;
}

/* locked_vm: the mlock family; and the mm syscalls themselves, because vm_stat_account() is a
 * static function that some kernel builds inline into some callers, where fexit never sees it. */
static __always_inline void mm_changed(long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	struct rl_watch *w;

	if (ret < 0 || !is_watched(tgid))
		return;
	w = bpf_map_lookup_elem(&watches, &tgid);
	if (w)
		evaluate_mm(w, bpf_get_current_task_btf(), tgid, (__u32)id, 0);
}

SEC("fexit/__x64_sys_mmap")
int BPF_PROG(rl_fx_mmap, const struct pt_regs *regs, long ret) { mm_changed(ret); return 0; }
SEC("fexit/__x64_sys_munmap")
int BPF_PROG(rl_fx_munmap, const struct pt_regs *regs, long ret) { mm_changed(ret); return 0; }
SEC("fexit/__x64_sys_brk")
int BPF_PROG(rl_fx_brk, const struct pt_regs *regs, long ret) { mm_changed(0); return 0; }
SEC("fexit/__x64_sys_mremap")
int BPF_PROG(rl_fx_mremap, const struct pt_regs *regs, long ret) { mm_changed(ret); return 0; }
SEC("fexit/__x64_sys_mprotect")
int BPF_PROG(rl_fx_mprotect, const struct pt_regs *regs, long ret) { mm_changed(ret); return 0; }
SEC("fexit/__x64_sys_mlock")
int BPF_PROG(rl_fx_mlock, const struct pt_regs *regs, long ret) { mm_changed(ret); return 0; }
SEC("fexit/__x64_sys_mlock2")
int BPF_PROG(rl_fx_mlock2, const struct pt_regs *regs, long ret) { mm_changed(ret); return 0; }
SEC("fexit/__x64_sys_munlock")
int BPF_PROG(rl_fx_munlock, const struct pt_regs *regs, long ret) { mm_changed(ret); return 0; }
SEC("fexit/__x64_sys_mlockall")
int BPF_PROG(rl_fx_mlockall, const struct pt_regs *regs, long ret) { mm_changed(ret); return 0; }
SEC("fexit/__x64_sys_munlockall")
int BPF_PROG(rl_fx_munlockall, const struct pt_regs *regs, long ret) { mm_changed(ret); return 0; }

/* Limit changes, by the process itself or by another: the same argument reading as sys_exit. */
SEC("fexit/__x64_sys_prlimit64")
int BPF_PROG(rl_fx_prlimit64, const struct pt_regs *regs, long ret)
{
	if (ret == 0)
		limit_set_by((struct pt_regs *)regs, NR_prlimit64, bpf_get_current_pid_tgid() >> 32);
	return 0;
}

SEC("fexit/__x64_sys_setrlimit")
int BPF_PROG(rl_fx_setrlimit, const struct pt_regs *regs, long ret)
{
	if (ret == 0)
		limit_set_by((struct pt_regs *)regs, NR_setrlimit, bpf_get_current_pid_tgid() >> 32);
	return 0;
}

SEC("fexit/__x64_sys_mq_open")
int BPF_PROG(rl_fx_mq_open, const struct pt_regs *regs, long ret)
{
	if (ret >= 0)
		user_changed(bpf_get_current_task_btf(), RL_RES_MSGQUEUE);
	return 0;
}

SEC("fexit/__x64_sys_mq_unlink")
int BPF_PROG(rl_fx_mq_unlink, const struct pt_regs *regs, long ret)
{
	if (ret == 0)
		user_changed(bpf_get_current_task_btf(), RL_RES_MSGQUEUE);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(rl_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = p->tgid;
	struct rl_watch *w;

	if (!is_watched(tgid))
		return 0;
	w = bpf_map_lookup_elem(&watches, &tgid);
	if (!w)
		return 0;
	emit(RL_EV_EXEC, tgid, p->pid, 0, 0, 0, 0, 0, 0, p, 0);
	evaluate_nofile(w, p, tgid, p->pid, 0, true, 1);  /* close-on-exec fds are gone */
	evaluate_mm(w, p, tgid, p->pid, 1);                /* a new address space */
	evaluate_user(w, p, tgid, 1);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(rl_exit, struct task_struct *p)
{
	__u32 tgid = p->tgid, word = tgid >> 6;
	__u64 *bits;

	if (!is_watched(tgid) || p->signal->live.counter != 0)
		return 0;                                      /* other threads live on */
	emit(RL_EV_EXIT, tgid, p->pid, 0, 0, 0, 0, 0, 0, p, 0);
	bpf_map_delete_elem(&watches, &tgid);
	bits = bpf_map_lookup_elem(&watched_bits, &word);
	if (bits)
		__sync_fetch_and_and(bits, ~(1ULL << (tgid & 63)));
	return 0;
}

/* RLIMIT_NPROC counts tasks (threads included) per user: one more at every fork or clone ... */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(rl_fork, struct task_struct *parent, struct task_struct *child)
{
	user_changed(child, RL_RES_NPROC);
	return 0;
}

/* ... and one fewer when a task is freed (release_task has uncharged it by then). */
SEC("tp_btf/sched_process_free")
int BPF_PROG(rl_free, struct task_struct *p)
{
	user_changed(p, RL_RES_NPROC);
	return 0;
}

/* RLIMIT_SIGPENDING counts queued signals per receiving user: queued here (result 0: delivered
 * to the queue) ... */
SEC("tp_btf/signal_generate")
int BPF_PROG(rl_signal_generate, int sig, struct kernel_siginfo *info, struct task_struct *t, int group,
	     int result)
{
	if (result == 0)
		user_changed(t, RL_RES_SIGPENDING);
	return 0;
}

/* ... and dequeued here, in the receiver's context. */
SEC("tp_btf/signal_deliver")
int BPF_PROG(rl_signal_deliver, int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
	user_changed(bpf_get_current_task_btf(), RL_RES_SIGPENDING);
	return 0;
}

/*
 * Resync: re-evaluate every watch from the kernel's exact state (after lost events, or to learn
 * the first state of new watches). Run by reading the iterator; ends with an RL_EV_SYNC marker.
 */
SEC("iter/task")
int rl_resync(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	__u32 zero = 0, report, *ctl;
	struct rl_watch *w;
	__u32 tgid;

	if (!task) {
		emit(RL_EV_SYNC, 0, 0, 0, 0, 0, 0, 0, 0, NULL, 0);
		return 0;
	}
	tgid = task->tgid;
	if (task->pid != tgid || !is_watched(tgid))
		return 0;
	w = bpf_map_lookup_elem(&watches, &tgid);
	if (!w)
		return 0;
	ctl = bpf_map_lookup_elem(&control, &zero);
	report = ctl ? *ctl : 0;
	evaluate_nofile(w, task, tgid, 0, 0, true, report);
	evaluate_mm(w, task, tgid, 0, report);
	evaluate_user(w, task, tgid, report);
	return 0;
}
