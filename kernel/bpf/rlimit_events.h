/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The ABI between the BPF programs and the Java decoder (org.rlimitevents.kernel.bpf): fixed-width
 * fields, natural alignment, no padding the compiler could choose. A Java test checks the sizes
 * and offsets against this file.
 */
#ifndef RLIMIT_EVENTS_H
#define RLIMIT_EVENTS_H

#define RL_NRES 16          /* RLIMIT_CPU (0) … RLIMIT_RTTIME (15), indexed by kernel number */
#define RL_MAX_LEVELS 4     /* levels per resource */
#define RL_PPM 1000000u     /* relative levels are parts per million of the soft limit */
#define RL_UNLIMITED (~0ULL)
#define RL_LEVEL_UNKNOWN 0xffffffffu
#define RL_CTL_REPORT 1     /* control[0]: the next resync reports every level, changed or not */

enum rl_event_kind {
	RL_EV_CROSSING = 1,   /* usage moved across one or more levels (old_level -> new_level) */
	RL_EV_LIMIT = 2,      /* soft or hard limit changed; levels recomputed */
	RL_EV_EXEC = 3,       /* the process exec'd: new image, fds recounted */
	RL_EV_EXIT = 4,       /* the whole thread group exited; the watch is gone */
	RL_EV_SYNC = 5,       /* end of a resync pass (task iterator) */
};

/* Resources the programs measure per process (bit = 1 << RLIMIT number). */
#define RL_RES_DATA 2
#define RL_RES_STACK 3
#define RL_RES_NOFILE 7
#define RL_RES_MEMLOCK 8
#define RL_RES_AS 9
/* … and per real user (counted in the user's ucounts, compared with the watched process's limit) */
#define RL_RES_NPROC 6
#define RL_RES_SIGPENDING 11
#define RL_RES_MSGQUEUE 12
#define RL_USER_WATCHES 8   /* watched processes per user, for per-user resources */

/* user_index map value: the watched processes of one user that watch a per-user resource. */
struct rl_user_index {
	__u32 tgid[RL_USER_WATCHES];   /* 0: free slot */
};

struct rl_event {
	__u64 ts_ns;        /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 seq;          /* global, increasing; a gap means events were lost */
	__u64 value;        /* usage in the resource's unit (fds, bytes) */
	__u64 soft;         /* RL_UNLIMITED for infinity */
	__u64 hard;
	__u32 kind;         /* enum rl_event_kind */
	__u32 tgid;
	__u32 tid;          /* the thread whose syscall caused it (0 from a resync) */
	__u32 resource;     /* RLIMIT number */
	__u32 old_level;    /* number of levels exceeded before (RL_LEVEL_UNKNOWN: first look) */
	__u32 new_level;    /* … and after */
	__u32 uid;          /* per-user resources: the user whose count changed (else 0) */
	__u32 pad;
	char comm[16];      /* the watched process (empty when the change came from another task) */
};

struct rl_res_watch {
	__u64 level[RL_MAX_LEVELS];    /* absolute levels, kept ascending (recomputed from ppm, sorted) */
	__u32 ppm[RL_MAX_LEVELS];      /* parts per million of the soft limit; 0: level[] is absolute */
	__u32 nlevels;                 /* 0: resource not watched */
	__u32 hysteresis_ppm;          /* leave a level downwards only at level - level * h */
	__u32 current;                 /* number of levels exceeded (value > level) */
	__u32 pad;
	__u64 value;                   /* last usage seen */
	__u64 soft;                    /* limits the levels were computed from */
	__u64 hard;
};

struct rl_watch {
	struct rl_res_watch res[RL_NRES];
	__s64 nofile_estimate;         /* open fds, kept by ±deltas between exact recounts */
	__u32 nofile_dirty;            /* an fd syscall of uncertain effect happened: recount */
	__u32 nofile_since_recount;
};

/* Counters, one slot each in the "stats" array. */
enum rl_stat {
	RL_STAT_EVENTS = 0,
	RL_STAT_LOST = 1,
	RL_STAT_RECOUNTS = 2,
	RL_STAT_NR = 4,
};

#endif
