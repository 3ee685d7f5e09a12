/*
 * orphans: helper of bench/lib/service_bench.py, for "zombies reaped per second as PID 1".
 *
 *   orphans reap N     fork N children blocked on a pipe, release them all at once, and
 *                      reap them here: prints the ns from the release to the last reap
 *                      (the floor: a parent reaping its own children).
 *   orphans orphan N   the same children, released, and this process exits at once
 *                      without reaping: prints the realtime ns of the release. The
 *                      children end as orphans that the PID namespace's init must reap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: orphans reap|orphan N\n"); return 2; }
    int n = atoi(argv[2]);
    int fds[2];
    if (pipe(fds) != 0) { perror("pipe"); return 1; }
    for (int i = 0; i < n; i++) {
        pid_t p = fork();
        if (p < 0) { perror("fork"); return 1; }
        if (p == 0) {
            char c;
            close(fds[1]);
            (void)!read(fds[0], &c, 1); /* EOF when the parent closes its end */
            _exit(0);
        }
    }
    close(fds[0]);
    long long t0 = now_ns();
    close(fds[1]);
    if (!strcmp(argv[1], "orphan")) {
        printf("%lld\n", t0);
        fflush(stdout);
        _exit(0);
    }
    for (int i = 0; i < n; i++) wait(NULL);
    printf("%lld\n", now_ns() - t0);
    return 0;
}
