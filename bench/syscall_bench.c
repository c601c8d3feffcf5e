/*
 * The process whose syscalls are measured by `make bench` (KernelOverheadBench): it runs what it is
 * told on stdin and prints nanoseconds per operation, so that the BPF side can switch conditions
 * (nothing attached / attached / watched) between batches inside one process.
 *   run N        N × (open+close of a hot file) and N × getppid(): prints "open_close_ns getppid_ns"
 *   fds N        hold N open fds (dups of /dev/null), prints the count
 *   flap N US    N times: open one fd, sleep US µs, close it, sleep US µs (crossing latency)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	const char *hot = argc > 1 ? argv[1] : "/etc/hostname";
	static int held[1 << 20];
	int nheld = 0;
	char line[128];

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("ready\n");
	while (fgets(line, sizeof(line), stdin)) {
		long n = 0, us = 0;

		if (sscanf(line, "run %ld", &n) == 1) {
			long long t0 = now_ns(), t1, t2;

			for (long i = 0; i < n; i++)
				close(open(hot, O_RDONLY));
			t1 = now_ns();
			for (long i = 0; i < n; i++)
				syscall(SYS_getppid);
			t2 = now_ns();
			printf("%.1f %.1f\n", (double)(t1 - t0) / n, (double)(t2 - t1) / n);
		} else if (sscanf(line, "fds %ld", &n) == 1) {
			while (nheld < n) {
				int fd = open("/dev/null", O_RDONLY);

				if (fd < 0)
					break;
				held[nheld++] = fd;
			}
			while (nheld > n)
				close(held[--nheld]);
			printf("%d\n", nheld);
		} else if (sscanf(line, "flap %ld %ld", &n, &us) == 2) {
			for (long i = 0; i < n; i++) {
				int fd = open("/dev/null", O_RDONLY);

				usleep(us);
				close(fd);
				usleep(us);
			}
			printf("done\n");
		}
	}
	return 0;
}
