/*
 * task-stamp: the task command of the `tasks` benchmark (bench/scenarios/tasks.sh).
 *
 * Build: gcc -O2 -Wall -static -o task-stamp task_stamp.c  (tasks.sh does it)
 *
 *   task-stamp FILE
 *
 * As its first action takes CLOCK_REALTIME and appends one line
 *   "<realtime_ns> <VIGIL_TASK> <VIGIL_RUN_ID> <VIGIL_TRIGGER> <pid>\n"
 * to FILE (O_APPEND, one write(2), so concurrent runs never interleave), then
 * exits 0 without output. Static, so exec costs as little as possible and the
 * measured lateness is vigild's, not the helper's start-up.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (argc < 2) return 2;
    const char *task = getenv("VIGIL_TASK"), *id = getenv("VIGIL_RUN_ID"),
               *trig = getenv("VIGIL_TRIGGER");
    char line[256];
    int n = snprintf(line, sizeof line, "%lld %s %s %s %d\n",
                     (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec, task ? task : "-",
                     id ? id : "-", trig ? trig : "-", (int)getpid());
    int fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0 || n <= 0 || write(fd, line, (size_t)n) != n) return 1;
    return close(fd) == 0 ? 0 : 1;
}
