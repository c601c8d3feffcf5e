/* exec-storm RATE SECONDS EVERY MATCH OTHER: starts RATE processes a second for SECONDS seconds,
 * every EVERY-th one by exec'ing MATCH and the rest OTHER (both programs that exit at once), at most
 * 32 alive at a time; prints the execs done and the rate achieved. Used by ListenerScaleIT. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: exec-storm RATE SECONDS EVERY MATCH OTHER\n");
        return 2;
    }
    double rate = atof(argv[1]), seconds = atof(argv[2]);
    long every = atol(argv[3]), done = 0, alive = 0;
    double t0 = now();
    while (now() - t0 < seconds) {
        long due = (long) ((now() - t0) * rate);
        while (done < due && alive < 32) {
            char *path = done % every == 0 ? argv[4] : argv[5];
            pid_t pid = fork();
            if (pid == 0) {
                execl(path, path, (char *) NULL);
                _exit(127);
            }
            if (pid > 0) {
                done++;
                alive++;
            }
        }
        while (alive > 0 && waitpid(-1, NULL, done < due ? WNOHANG : 0) > 0) {
            alive--;
            if (done >= due && now() - t0 >= (double) done / rate) {
                break;
            }
        }
        if (done >= due && alive == 0) {
            struct timespec pause = {0, 1000000};
            nanosleep(&pause, NULL);
        }
    }
    while (alive > 0 && wait(NULL) > 0) {
        alive--;
    }
    double took = now() - t0;
    printf("execs=%ld seconds=%.2f rate=%.1f\n", done, took, done / took);
    return 0;
}
