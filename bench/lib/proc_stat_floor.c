/*
 * proc-stat-floor: the floor of a sampling cycle over N processes on this machine: the
 * CPU time of one pread of each process's /proc/PID/stat through a file kept open (what
 * vigild's GroupSampler does each round), best of 20 rounds, next to one listing of /proc.
 * A reader of /proc cannot do with less; the health benchmark judges vigild's cycle as a
 * ratio to this figure, measured in the same run.
 *
 * Build: gcc -O2 -Wall -o proc-stat-floor proc_stat_floor.c
 * Usage: proc-stat-floor [N]   (default 1000; needs RLIMIT_NOFILE above N)
 * Prints one line: "N <n> pread_ms <best> listing_ms <best>".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double cpu_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1000;
  pid_t* kids = calloc((size_t)n, sizeof *kids);
  int* fds = calloc((size_t)n, sizeof *fds);
  if (!kids || !fds) return 1;
  for (int i = 0; i < n; ++i) {
    pid_t p = fork();
    if (p < 0) { perror("fork"); return 1; }
    if (p == 0) { pause(); _exit(0); }
    kids[i] = p;
  }
  for (int i = 0; i < n; ++i) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)kids[i]);
    fds[i] = open(path, O_RDONLY | O_CLOEXEC);
    if (fds[i] < 0) { perror(path); return 1; }
  }
  char buf[4096];
  double best_read = 1e9, best_list = 1e9;
  for (int round = 0; round < 20; ++round) {
    double a = cpu_ms();
    for (int i = 0; i < n; ++i) {
      if (pread(fds[i], buf, sizeof buf, 0) <= 0) { perror("pread"); return 1; }
    }
    double b = cpu_ms();
    DIR* d = opendir("/proc");
    if (!d) return 1;
    while (readdir(d) != NULL) {}
    closedir(d);
    double c = cpu_ms();
    if (b - a < best_read) best_read = b - a;
    if (c - b < best_list) best_list = c - b;
  }
  printf("N %d pread_ms %.2f listing_ms %.2f\n", n, best_read, best_list);
  for (int i = 0; i < n; ++i) kill(kids[i], SIGKILL);
  for (int i = 0; i < n; ++i) waitpid(kids[i], NULL, 0);
  return 0;
}
