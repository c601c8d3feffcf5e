/*
 * A small client of the rlimit-events v2 interface, for the QEMU guest booting the patched
 * kernel. Built 64- and 32-bit from the patched tree's exported uapi header (kernel/patch/Makefile
 * fragment in the top Makefile). Each subcommand exits 0 on success and prints what it saw;
 * a failed check prints "FAIL: ..." and exits 1.
 *
 *   rlev abi        print the ABI's sizes and offsets (the 32- and 64-bit outputs must match)
 *   rlev absent     exit 0 if the kernel does not offer the family (the unpatched twin)
 *   rlev rfc        up and down crossings at exact values, RM/COUNT/GET/CLEAR, O_NONBLOCK and
 *                   O_CLOEXEC, limit-change and exit events, the overflow record with its count
 *   rlev eperm UID  as UID, a watch on pid 1 (root's) is refused with EPERM; on itself it works
 *   rlev pidns      a watcher in a child pid namespace sees its own pids
 *   rlev bench N    open()+close() of a hot file, N per round, 21 rounds alternating unwatched and
 *                   watched (a watch on its own NOFILE, never reached): ns per call
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/rlimit_events.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHECK(c, ...) do { if (!(c)) { printf("FAIL: %s:%d: ", __FILE__, __LINE__); \
    printf(__VA_ARGS__); printf(" (errno %d %s)\n", errno, strerror(errno)); exit(1); } } while (0)

static int nl_request(int sock, uint16_t type, uint8_t cmd, uint16_t attr, const void *val, int len,
                      char *reply, int rlen)
{
    struct { struct nlmsghdr n; struct genlmsghdr g; char buf[256]; } req;
    struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
    struct nlattr *a;

    memset(&req, 0, sizeof(req));
    req.n.nlmsg_type = type;
    req.n.nlmsg_flags = NLM_F_REQUEST;
    req.n.nlmsg_seq = 1;
    req.g.cmd = cmd;
    req.g.version = 1;
    a = (struct nlattr *)req.buf;
    a->nla_type = attr;
    a->nla_len = NLA_HDRLEN + len;
    memcpy((char *)a + NLA_HDRLEN, val, len);
    req.n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN) + NLA_ALIGN(a->nla_len);
    if (sendto(sock, &req, req.n.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
        return -errno;
    int n = recv(sock, reply, rlen, 0);
    if (n < 0)
        return -errno;
    struct nlmsghdr *h = (struct nlmsghdr *)reply;
    if (h->nlmsg_type == NLMSG_ERROR)
        return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
    return n;
}

/* The attribute @type of a genl reply, or NULL. */
static struct nlattr *nl_attr(char *reply, int type)
{
    struct nlmsghdr *h = (struct nlmsghdr *)reply;
    char *p = (char *)NLMSG_DATA(h) + GENL_HDRLEN, *end = reply + h->nlmsg_len;
    while (p + NLA_HDRLEN <= end) {
        struct nlattr *a = (struct nlattr *)p;
        if ((a->nla_type & NLA_TYPE_MASK) == type)
            return a;
        p += NLA_ALIGN(a->nla_len);
    }
    return NULL;
}

/* The notification fd, or -errno (-ENOENT: no such family). */
static int rlev_open(uint32_t flags)
{
    char reply[1024];
    int sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC), n, fd;
    if (sock < 0)
        return -errno;
    n = nl_request(sock, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_NAME, RLIMIT_EVENTS_GENL_NAME,
                   sizeof(RLIMIT_EVENTS_GENL_NAME), reply, sizeof(reply));
    if (n < 0) {
        close(sock);
        return n;
    }
    uint16_t family = *(uint16_t *)((char *)nl_attr(reply, CTRL_ATTR_FAMILY_ID) + NLA_HDRLEN);
    n = nl_request(sock, family, RLIMIT_EVENTS_CMD_GET_FD, RLIMIT_EVENTS_ATTR_FLAGS, &flags, 4, reply,
                   sizeof(reply));
    close(sock);
    if (n < 0)
        return n;
    fd = *(uint32_t *)((char *)nl_attr(reply, RLIMIT_EVENTS_ATTR_FD) + NLA_HDRLEN);
    return fd;
}

static int watch(int fd, unsigned long cmd, int pid, int resource, uint64_t level)
{
    struct rlimit_events_watch w = { .size = sizeof(w), .pid = pid, .resource = resource, .level = level };
    return ioctl(fd, cmd, &w);
}

/* The next event, waiting up to 5 s for it. */
#define next(fd) next_at(fd, __LINE__)
static struct rlimit_event next_at(int fd, int line)
{
    struct rlimit_event e;
    struct pollfd p = { .fd = fd, .events = POLLIN };
    CHECK(poll(&p, 1, 5000) == 1, "no event within 5 s (awaited at line %d)", line);
    CHECK(read(fd, &e, sizeof(e)) == sizeof(e), "read");
    CHECK(e.size == sizeof(e), "size %u", e.size);
    return e;
}

#define none_pending(fd) none_pending_at(fd, __LINE__)
static void none_pending_at(int fd, int line)
{
    struct rlimit_event e;
    CHECK(read(fd, &e, sizeof(e)) < 0 && errno == EAGAIN, "an event where none was expected (line %d): type %u",
          line, e.type);
}

static void print(const char *what, const struct rlimit_event *e)
{
    printf("%s: type=%u dir=%u res=%u pid=%d tid=%d level=%llu %llu->%llu soft=%lld hard=%lld seq=%llu aux=%llu\n",
           what, e->type, e->direction, e->resource, e->pid, e->tid, (unsigned long long)e->level,
           (unsigned long long)e->old_value, (unsigned long long)e->new_value, (long long)e->soft_limit,
           (long long)e->hard_limit, (unsigned long long)e->seq, (unsigned long long)e->aux);
}

static int count_fds(void)
{
    int n = 0;
    for (int i = 0; i < 4096; i++)
        if (fcntl(i, F_GETFD) >= 0)
            n++;
    return n;
}

#define OFF(s, f) printf("%s.%s %zu %zu\n", #s, #f, offsetof(struct s, f), sizeof(((struct s *)0)->f))

static int cmd_abi(void)
{
    printf("rlimit_event %zu\nrlimit_events_watch %zu\nrlimit_events_list %zu\n", sizeof(struct rlimit_event),
           sizeof(struct rlimit_events_watch), sizeof(struct rlimit_events_list));
    OFF(rlimit_event, type); OFF(rlimit_event, direction); OFF(rlimit_event, resource); OFF(rlimit_event, pid);
    OFF(rlimit_event, tid); OFF(rlimit_event, level); OFF(rlimit_event, old_value); OFF(rlimit_event, new_value);
    OFF(rlimit_event, soft_limit); OFF(rlimit_event, hard_limit); OFF(rlimit_event, timestamp_ns);
    OFF(rlimit_event, seq); OFF(rlimit_event, aux);
    OFF(rlimit_events_watch, pid); OFF(rlimit_events_watch, resource); OFF(rlimit_events_watch, level);
    OFF(rlimit_events_list, count); OFF(rlimit_events_list, watches);
    printf("ADD %#lx RM %#lx CLEAR %#lx COUNT %#lx GET %#lx\n", (unsigned long)RLIMIT_EVENTS_IOC_ADD,
           (unsigned long)RLIMIT_EVENTS_IOC_RM, (unsigned long)RLIMIT_EVENTS_IOC_CLEAR,
           (unsigned long)RLIMIT_EVENTS_IOC_COUNT, (unsigned long)RLIMIT_EVENTS_IOC_GET);
    return 0;
}

static int cmd_absent(void)
{
    int fd = rlev_open(0);
    CHECK(fd == -ENOENT, "family offered (fd %d)", fd);
    printf("rlimit_events family: not offered (ENOENT)\n");
    return 0;
}

static int cmd_rfc(void)
{
    int fd = rlev_open(RLIMIT_EVENTS_FD_NONBLOCK | RLIMIT_EVENTS_FD_CLOEXEC), me = getpid(), fds[400];
    CHECK(fd >= 0, "no notification fd: %d", fd);
    CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC, "O_CLOEXEC missing");
    CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK, "O_NONBLOCK missing");
    none_pending(fd);

    /* up and down at the exact values: level L is reached when the count goes L-1 -> L */
    int base = count_fds(), level = base + 5;
    CHECK(watch(fd, RLIMIT_EVENTS_IOC_ADD, 0, RLIMIT_NOFILE, level) == 0, "ADD");
    CHECK(watch(fd, RLIMIT_EVENTS_IOC_ADD, 0, RLIMIT_NOFILE, level) < 0 && errno == EEXIST, "ADD twice");
    CHECK(watch(fd, RLIMIT_EVENTS_IOC_ADD, 0, RLIMIT_CPU, 1) < 0 && errno == EOPNOTSUPP, "CPU refused");
    CHECK(watch(fd, RLIMIT_EVENTS_IOC_ADD, 0, 99, 1) < 0 && errno == EINVAL, "bad resource");
    for (int i = 0; i < 4; i++)
        fds[i] = open("/dev/null", O_RDONLY);
    none_pending(fd); /* base+4 < level */
    fds[4] = open("/dev/null", O_RDONLY);
    struct rlimit_event up = next(fd);
    print("up", &up);
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    CHECK(up.type == RLIMIT_EVENT_CROSSING && up.direction == RLIMIT_EVENT_DIR_UP, "up: type/dir");
    CHECK(up.old_value == (uint64_t)level - 1 && up.new_value == (uint64_t)level && up.level == (uint64_t)level,
          "up at %d: %llu->%llu", level, (unsigned long long)up.old_value, (unsigned long long)up.new_value);
    CHECK(up.pid == me && up.tid == me && up.resource == RLIMIT_NOFILE, "up: pid/tid/resource");
    CHECK(up.soft_limit == rl.rlim_cur && up.hard_limit == rl.rlim_max, "up: limits");
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t now = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
    CHECK(up.timestamp_ns <= now && now - up.timestamp_ns < 5000000000ULL, "timestamp not monotonic-now");
    fds[5] = open("/dev/null", O_RDONLY);
    none_pending(fd); /* level+1: no new crossing */
    close(fds[5]);
    none_pending(fd); /* back to level: still reached */
    close(fds[4]);
    struct rlimit_event down = next(fd);
    print("down", &down);
    CHECK(down.direction == RLIMIT_EVENT_DIR_DOWN && down.old_value == (uint64_t)level &&
          down.new_value == (uint64_t)level - 1 && down.seq == up.seq + 1, "down at %d", level);
    /* at level-1 now: dup2 onto a free slot counts, onto an open one does not */
    CHECK(dup2(fds[0], 300) == 300, "dup2");
    struct rlimit_event dup = next(fd);
    CHECK(dup.direction == RLIMIT_EVENT_DIR_UP && dup.new_value == (uint64_t)level, "dup2 up");
    CHECK(dup2(fds[1], 300) == 300, "dup2 over");
    none_pending(fd);
    close(300);
    CHECK(next(fd).direction == RLIMIT_EVENT_DIR_DOWN, "close down");

    /* COUNT, GET, RM, CLEAR */
    CHECK(watch(fd, RLIMIT_EVENTS_IOC_ADD, 0, RLIMIT_AS, 1ULL << 40) == 0, "ADD AS");
    uint32_t count = 0;
    CHECK(ioctl(fd, RLIMIT_EVENTS_IOC_COUNT, &count) == 0 && count == 2, "COUNT %u", count);
    struct rlimit_events_watch got[4];
    struct rlimit_events_list list = { .size = sizeof(list), .count = 4, .watches = (uintptr_t)got };
    CHECK(ioctl(fd, RLIMIT_EVENTS_IOC_GET, &list) == 2 && list.count == 2, "GET");
    CHECK(got[0].pid == me && got[0].resource == RLIMIT_NOFILE && got[0].level == (uint64_t)level &&
          got[1].resource == RLIMIT_AS, "GET contents");
    CHECK(watch(fd, RLIMIT_EVENTS_IOC_RM, 0, RLIMIT_AS, 1ULL << 40) == 0, "RM");
    CHECK(watch(fd, RLIMIT_EVENTS_IOC_RM, 0, RLIMIT_AS, 1ULL << 40) < 0 && errno == ENOENT, "RM twice");
    CHECK(ioctl(fd, RLIMIT_EVENTS_IOC_COUNT, &count) == 0 && count == 1, "COUNT after RM");
    CHECK(ioctl(fd, RLIMIT_EVENTS_IOC_CLEAR) == 0, "CLEAR");
    CHECK(ioctl(fd, RLIMIT_EVENTS_IOC_COUNT, &count) == 0 && count == 0, "COUNT after CLEAR");
    fds[4] = open("/dev/null", O_RDONLY);
    none_pending(fd);
    close(fds[4]);
    printf("crossings, COUNT/GET/RM/CLEAR, NONBLOCK/CLOEXEC: ok\n");

    /* limit change by another process (prlimit from a child) */
    CHECK(watch(fd, RLIMIT_EVENTS_IOC_ADD, 0, RLIMIT_NOFILE, 1000) == 0, "ADD");
    pid_t c = fork();
    if (c == 0) {
        struct rlimit n = { 500, rl.rlim_max };
        _exit(prlimit(getppid(), RLIMIT_NOFILE, &n, NULL) == 0 ? 0 : 1);
    }
    int st;
    waitpid(c, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "prlimit child");
    struct rlimit_event lim = next(fd);
    print("limit", &lim);
    CHECK(lim.type == RLIMIT_EVENT_LIMIT && lim.soft_limit == 500 && lim.hard_limit == rl.rlim_max &&
          lim.aux == rl.rlim_cur && lim.new_value == (uint64_t)count_fds() && lim.pid == me && lim.tid == c,
          "limit event");
    CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0, "setrlimit back");
    CHECK(next(fd).type == RLIMIT_EVENT_LIMIT, "limit back");
    ioctl(fd, RLIMIT_EVENTS_IOC_CLEAR);

    /* exit of a watched child: one EXIT event, its watches gone */
    int pipefd[2];
    CHECK(pipe(pipefd) == 0, "pipe");
    c = fork();
    if (c == 0) {
        char b;
        close(pipefd[1]);
        read(pipefd[0], &b, 1); /* EOF when the parent closes its end */
        _exit(7);
    }
    CHECK(watch(fd, RLIMIT_EVENTS_IOC_ADD, c, RLIMIT_NOFILE, 100) == 0, "ADD child");
    CHECK(watch(fd, RLIMIT_EVENTS_IOC_ADD, c, RLIMIT_AS, 1ULL << 40) == 0, "ADD child AS");
    close(pipefd[1]);
    struct rlimit_event ex = next(fd);
    print("exit", &ex);
    CHECK(ex.type == RLIMIT_EVENT_EXIT && ex.pid == c && ex.aux == 7 << 8, "exit event");
    none_pending(fd);
    CHECK(ioctl(fd, RLIMIT_EVENTS_IOC_COUNT, &count) == 0 && count == 0, "watches gone after exit");
    waitpid(c, &st, 0);
    close(pipefd[0]);
    CHECK(watch(fd, RLIMIT_EVENTS_IOC_ADD, c, RLIMIT_NOFILE, 100) < 0 && errno == ESRCH, "ADD on reaped pid");

    /* overflow: 300 crossings unread; 256 fit, the rest are counted in one record */
    base = count_fds();
    CHECK(watch(fd, RLIMIT_EVENTS_IOC_ADD, 0, RLIMIT_NOFILE, base + 1) == 0, "ADD");
    for (int i = 0; i < 150; i++) {
        int f = open("/dev/null", O_RDONLY);
        close(f);
    }
    struct rlimit_event all[400];
    ssize_t n = read(fd, all, sizeof(all));
    CHECK(n == 257 * (ssize_t)sizeof(struct rlimit_event), "read %zd bytes, want 257 records", n);
    struct rlimit_event *o = &all[256];
    print("overflow", o);
    CHECK(o->type == RLIMIT_EVENT_OVERFLOW && o->aux == 300 - 256 && o->seq == all[255].seq + 1, "overflow");
    for (int i = 1; i < 256; i++)
        CHECK(all[i].seq == all[i - 1].seq + 1, "seq gap at %d", i);
    none_pending(fd);
    close(fd);
    printf("limit change, exit, overflow: ok\n");
    return 0;
}

static int cmd_eperm(int uid)
{
    int fd = rlev_open(RLIMIT_EVENTS_FD_NONBLOCK);
    CHECK(fd >= 0, "fd");
    CHECK(setresgid(uid, uid, uid) == 0 && setresuid(uid, uid, uid) == 0, "drop to %d", uid);
    CHECK(watch(fd, RLIMIT_EVENTS_IOC_ADD, 1, RLIMIT_NOFILE, 10) < 0 && errno == EPERM,
          "watch on root's pid 1 as uid %d not refused", uid);
    int fd2 = rlev_open(0);
    CHECK(fd2 >= 0, "fd as uid %d", uid);
    CHECK(watch(fd2, RLIMIT_EVENTS_IOC_ADD, 1, RLIMIT_NOFILE, 10) < 0 && errno == EPERM, "fresh fd: EPERM");
    CHECK(watch(fd2, RLIMIT_EVENTS_IOC_ADD, 0, RLIMIT_NOFILE, 1000) == 0, "own process refused");
    printf("uid %d: watch on pid 1 refused with EPERM, on itself allowed: ok\n", uid);
    return 0;
}

static int cmd_pidns(void)
{
    CHECK(unshare(CLONE_NEWPID) == 0, "unshare(CLONE_NEWPID)");
    pid_t init = fork();
    if (init == 0) { /* pid 1 of the new namespace */
        int fd = rlev_open(RLIMIT_EVENTS_FD_NONBLOCK), p[2];
        CHECK(fd >= 0, "fd in child ns");
        CHECK(getpid() == 1, "pid in ns %d", getpid());
        CHECK(pipe(p) == 0, "pipe");
        pid_t c = fork();
        if (c == 0) {
            char b;
            close(p[1]);
            read(p[0], &b, 1);
            open("/dev/null", O_RDONLY);
            read(p[0], &b, 1);
            _exit(0);
        }
        int n = 0;
        for (int i = 0; i < 4096; i++)
            n += fcntl(i, F_GETFD) >= 0;
        CHECK(watch(fd, RLIMIT_EVENTS_IOC_ADD, c, RLIMIT_NOFILE, 1) == 0, "ADD %d", c);
        CHECK(watch(fd, RLIMIT_EVENTS_IOC_ADD, c, RLIMIT_NOFILE, 100000) == 0, "ADD high");
        CHECK(watch(fd, RLIMIT_EVENTS_IOC_ADD, 0, RLIMIT_NOFILE, n + 1) == 0, "ADD self");
        int f = open("/dev/null", O_RDONLY);
        struct rlimit_event self = next(fd);
        print("self", &self);
        CHECK(self.pid == 1 && self.tid == 1, "own event names pid 1: %d/%d", self.pid, self.tid);
        close(f);
        next(fd);
        struct rlimit_events_watch got[4];
        struct rlimit_events_list list = { .size = sizeof(list), .count = 4, .watches = (uintptr_t)got };
        CHECK(ioctl(fd, RLIMIT_EVENTS_IOC_GET, &list) == 3 && got[0].pid == c && c == 2, "GET names %d", got[0].pid);
        close(p[1]);
        struct rlimit_event ex;
        do
            ex = next(fd);
        while (ex.type != RLIMIT_EVENT_EXIT);
        print("child exit", &ex);
        CHECK(ex.pid == c && ex.tid == c, "exit names the namespace's pids");
        printf("pid namespace: watcher sees pid 1 and child %d: ok\n", c);
        _exit(0);
    }
    int st;
    waitpid(init, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

static uint64_t ns_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* a file on the guest's /tmp (tmpfs): the root is 9p, where every open is a round trip to the host */
static const char *bench_file = "/tmp/rlev-bench";

static double round_ns(int n)
{
    uint64_t t = ns_now();
    for (int i = 0; i < n; i++)
        close(open(bench_file, O_RDONLY));
    return (double)(ns_now() - t) / n;
}

/* Interleaved rounds of open+close: unwatched, then (if the family exists) watched; ns per call. */
static int cmd_bench(int n)
{
    enum { ROUNDS = 21 };
    int fd = rlev_open(RLIMIT_EVENTS_FD_NONBLOCK);
    close(open(bench_file, O_CREAT | O_WRONLY, 0644));
    round_ns(n); /* warm: the file is hot, its dentry cached */
    for (int r = 0; r < ROUNDS; r++) {
        double plain = round_ns(n), watched = 0;
        if (fd >= 0) {
            CHECK(watch(fd, RLIMIT_EVENTS_IOC_ADD, 0, RLIMIT_NOFILE, 100000) == 0, "ADD");
            watched = round_ns(n);
            CHECK(ioctl(fd, RLIMIT_EVENTS_IOC_CLEAR) == 0, "CLEAR");
        }
        printf("round %d nowatch %.1f watched %.1f\n", r, plain, watched);
    }
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) {
        fprintf(stderr, "usage: rlev abi|absent|rfc|eperm UID|pidns|bench N\n");
        return 2;
    }
    if (!strcmp(argv[1], "abi"))
        return cmd_abi();
    if (!strcmp(argv[1], "absent"))
        return cmd_absent();
    if (!strcmp(argv[1], "rfc"))
        return cmd_rfc();
    if (!strcmp(argv[1], "eperm") && argc > 2)
        return cmd_eperm(atoi(argv[2]));
    if (!strcmp(argv[1], "pidns"))
        return cmd_pidns();
    if (!strcmp(argv[1], "bench") && argc > 2)
        return cmd_bench(atoi(argv[2]));
    fprintf(stderr, "rlev: unknown command %s\n", argv[1]);
    return 2;
}
