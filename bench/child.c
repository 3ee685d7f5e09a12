/*
 * bench-child: helper binary for the process-supervisor benchmark harness.
 *
 * Build: gcc -O2 -Wall -static -o bench-child child.c  (run.sh does it)
 *
 * Child modes (what the supervisor under test runs):
 *   idle  EVENTFILE ID [PIDFILE] [notify-fd=N]
 *         Appends "S <realtime_ns> <pid> <ID>\n" to EVENTFILE (O_APPEND, one
 *         write), optionally writes PIDFILE and a readiness newline to fd N
 *         (s6 notification-fd), then pause()s forever.
 *         On SIGTERM it appends "T <realtime_ns> <pid> <ID>\n" and _exit(0)s.
 *   flood EVENTFILE ID TOTAL_BYTES LINE_LEN
 *         Appends an S event, writes TOTAL_BYTES/LINE_LEN numbered lines of
 *         exactly LINE_LEN bytes ("%012llu " + 'x' padding + '\n') to stdout
 *         in 64 KiB writes as fast as the pipe accepts them, appends
 *         "F <ns> <pid> <ID>" when the last write returned, then idles like
 *         `idle` (so a restart can never duplicate the data).
 *   If invoked as "run" (a symlink named run, as runit/s6 service dirs need)
 *   with no arguments, the arguments are read from ./bench-child.args (one
 *   per line): this lets runsv/s6-supervise exec the helper directly, with
 *   no shell in between, exactly like supervisord/PM2 do.
 *
 * Harness modes:
 *   now                      print CLOCK_REALTIME ns
 *   kill SIG PID             take the timestamp, kill(PID,SIG), print the ts
 *   reaper PIDFILE T0FILE OUTFILE -- CMD [ARGS...]
 *         become a child subreaper in a new session, write own pid, write
 *         the realtime ns taken right before fork+exec of CMD to T0FILE,
 *         run CMD (stdout/stderr -> OUTFILE), reap everything (daemonizing
 *         supervisors stay our descendants). Exits on SIGTERM.
 *   tree PID [all|children|others|direct-others]
 *                            descendants of PID (not PID itself); children =
 *                            those running this helper binary, others = the
 *                            rest (supervision tree), direct-others = direct
 *                            children of PID that are not the helper
 *   procstat PID...          per pid: pid rss_kb pss_kb utime stime (ticks)
 *                            vcsw nvcsw run_ns comm threads (TSV; ctx
 *                            switches and schedstat run time summed over
 *                            all threads of the process)
 *   waitev EVENTFILE TAG COUNT TIMEOUT_MS
 *         wait until EVENTFILE holds COUNT lines of TAG; print
 *         "count first_ts max_ts nth_ts nth_pid" over the first COUNT such
 *         lines (nth = the COUNT-th). Exit 1 on timeout (prints what it saw).
 *   waitsize EXPECTED TIMEOUT_MS STALL_MS GLOB...
 *         poll (10 ms) the summed size of all files matching the globs until
 *         it reaches EXPECTED bytes; print "detect_ts bytes reached".
 *         Gives up after TIMEOUT_MS, or STALL_MS without growth.
 *   check LINE_LEN NLINES FILE...
 *         verify flood output: print lines, unique, missing, dup, bad.
 *   spawnseq EVENTFILE N
 *         cold-start baseline: fork+exec N "idle" children back to back from
 *         C (no waiting in between); print "all_ms first_ms": fork of the
 *         first -> last / first child's own start timestamp. Kills them.
 *   check LINE_LEN NLINES FILE... with CHECK_PREFIX=K in the environment:
 *         every line must start with a K-byte prefix ending in a space (the
 *         supervisor's timestamp), which is stripped before checking.
 *   spawnbase EVENTFILE REPS
 *         baseline: plain fork+exec of "idle" from C, print ms until the
 *         child's own start timestamp (floor for restart/spawn figures).
 *
 * Build static (gcc -static) when possible: exec of a static binary is
 * cheaper, so less of the measured latency is the helper's own start-up.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *m) {
    fprintf(stderr, "bench-child: %s: %s\n", m, strerror(errno));
    exit(111);
}

static int write_all(int fd, const char *buf, size_t len) {
    while (len > 0) {
        ssize_t w = write(fd, buf, len);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        buf += w;
        len -= (size_t)w;
    }
    return 0;
}

/* ---------- child modes ---------- */

static const char *g_eventfile;
static const char *g_id;

static void append_event(char tag) {
    char line[160];
    int n = snprintf(line, sizeof line, "%c %lld %d %s\n", tag, now_ns(),
                     (int)getpid(), g_id);
    int fd = open(g_eventfile, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return;
    (void)write(fd, line, (size_t)n); /* single write: atomic append */
    close(fd);
}

static void on_term(int sig) {
    (void)sig;
    append_event('T');
    _exit(0);
}

static void idle_forever(void) {
    for (;;) pause();
}

static void setup_term(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    /* undo anything a supervisor might have left blocked */
    sigset_t s;
    sigemptyset(&s);
    sigprocmask(SIG_SETMASK, &s, NULL);
}

static int mode_idle(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: idle EVENTFILE ID [PIDFILE] [notify-fd=N]\n"); return 100; }
    g_eventfile = argv[2];
    g_id = argv[3];
    setup_term();
    int notify = -1;
    for (int i = 4; i < argc; i++) {
        if (!strncmp(argv[i], "notify-fd=", 10)) { notify = atoi(argv[i] + 10); continue; }
        char b[32];
        int n = snprintf(b, sizeof b, "%d\n", (int)getpid());
        int fd = open(argv[i], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd >= 0) { (void)write(fd, b, (size_t)n); close(fd); }
    }
    append_event('S');
    if (notify >= 0) { (void)write(notify, "\n", 1); close(notify); } /* s6 readiness */
    idle_forever();
    return 0;
}

/* spawnbase EVENTFILE REPS: floor for spawn latency on this machine: a plain
   C parent fork+execs "SELF idle EVENTFILE base" and we report the child's
   start timestamp minus the timestamp taken right before fork(). */
static int mode_spawnbase(int argc, char **argv) {
    if (argc < 4) return 100;
    const char *ev = argv[2];
    int reps = atoi(argv[3]);
    char self[PATH_MAX];
    ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
    if (sl <= 0) die("readlink self");
    self[sl] = 0;
    for (int r = 0; r < reps; r++) {
        struct stat st0;
        if (stat(ev, &st0) < 0) st0.st_size = 0;
        long long t = now_ns();
        pid_t p = fork();
        if (p == 0) {
            execl(self, self, "idle", ev, "base", (char *)NULL);
            _exit(127);
        }
        for (int i = 0; i < 50000; i++) {   /* <= 10 s */
            struct stat st;
            if (stat(ev, &st) == 0 && st.st_size > st0.st_size) break;
            usleep(200);
        }
        FILE *f = fopen(ev, "r");
        long long ts = 0, last = 0;
        char line[256];
        while (f && fgets(line, sizeof line, f))
            if (line[0] == 'S' && sscanf(line + 2, "%lld", &ts) == 1) last = ts;
        if (f) fclose(f);
        kill(p, SIGKILL);
        waitpid(p, NULL, 0);
        printf("%.3f\n", (last - t) / 1e6);
        fflush(stdout);
        usleep(100000);
    }
    return 0;
}

/* spawnseq EVENTFILE N: N back-to-back fork+execs of the idle helper. */
static int mode_spawnseq(int argc, char **argv) {
    if (argc < 4) return 100;
    const char *ev = argv[2];
    int n = atoi(argv[3]);
    char self[PATH_MAX];
    ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
    if (sl <= 0) die("readlink self");
    self[sl] = 0;
    int fd = open(ev, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) close(fd);
    pid_t *pids = calloc((size_t)n, sizeof *pids);
    if (!pids) die("calloc");
    long long t = now_ns();
    for (int i = 0; i < n; i++) {
        pid_t p = fork();
        if (p == 0) {
            execl(self, self, "idle", ev, "seq", (char *)NULL);
            _exit(127);
        }
        pids[i] = p;
    }
    long long first = 0, last = 0;
    for (int w = 0; w < 100000; w++) {   /* <= ~20 s */
        FILE *f = fopen(ev, "r");
        long long ts; int c = 0;
        char line[256];
        first = 0; last = 0;
        while (f && fgets(line, sizeof line, f))
            if (line[0] == 'S' && sscanf(line + 2, "%lld", &ts) == 1) {
                c++;
                if (!first || ts < first) first = ts;
                if (ts > last) last = ts;
            }
        if (f) fclose(f);
        if (c >= n) break;
        usleep(200);
    }
    for (int i = 0; i < n; i++) kill(pids[i], SIGKILL);
    for (int i = 0; i < n; i++) waitpid(pids[i], NULL, 0);
    printf("%.3f %.3f\n", (last - t) / 1e6, (first - t) / 1e6);
    return 0;
}

static int mode_flood(int argc, char **argv) {
    if (argc < 6) { fprintf(stderr, "usage: flood EVENTFILE ID TOTAL_BYTES LINE_LEN\n"); return 100; }
    g_eventfile = argv[2];
    g_id = argv[3];
    long long total = atoll(argv[4]);
    int len = atoi(argv[5]);
    if (len < 16 || len > 4096) { fprintf(stderr, "LINE_LEN must be 16..4096\n"); return 100; }
    setup_term();
    long long nlines = total / len;
    size_t per = 65536 / (size_t)len;
    if (per < 1) per = 1;
    char *buf = malloc(per * (size_t)len);
    if (!buf) die("malloc");
    /* prefill padding once; only the numbers change */
    for (size_t i = 0; i < per; i++) {
        char *l = buf + i * (size_t)len;
        memset(l, 'x', (size_t)len);
        l[12] = ' ';
        l[len - 1] = '\n';
    }
    append_event('S');
    long long seq = 0;
    while (seq < nlines) {
        size_t k = 0;
        for (; k < per && seq < nlines; k++, seq++) {
            char *l = buf + k * (size_t)len;
            unsigned long long v = (unsigned long long)seq;
            for (int d = 11; d >= 0; d--) { l[d] = (char)('0' + v % 10); v /= 10; }
        }
        if (write_all(1, buf, k * (size_t)len) < 0) {
            fprintf(stderr, "bench-child flood: write: %s\n", strerror(errno));
            append_event('E');
            return 1;
        }
    }
    append_event('F');
    idle_forever();
    return 0;
}

/* ---------- harness modes ---------- */

static int mode_kill(int argc, char **argv) {
    if (argc < 4) return 100;
    int sig = atoi(argv[2]);
    pid_t pid = (pid_t)atoi(argv[3]);
    if (pid <= 1) { fprintf(stderr, "refusing pid %d\n", (int)pid); return 100; }
    long long t = now_ns();
    if (kill(pid, sig) < 0) die("kill");
    printf("%lld\n", t);
    return 0;
}

static volatile sig_atomic_t g_term;
static void on_reaper_sig(int s) { if (s == SIGTERM || s == SIGINT) g_term = 1; }

static int mode_reaper(int argc, char **argv) {
    if (argc < 7 || strcmp(argv[5], "--") != 0) {
        fprintf(stderr, "usage: reaper PIDFILE T0FILE OUTFILE -- CMD...\n");
        return 100;
    }
    const char *pidfile = argv[2], *t0file = argv[3], *outfile = argv[4];
    char **cmd = argv + 6;
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) die("prctl subreaper");
    (void)setsid();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_reaper_sig;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGCHLD, &sa, NULL);
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGCHLD);
    sigprocmask(SIG_BLOCK, &block, &old);

    char b[64];
    int fd = open(pidfile, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) die("open pidfile");
    int n = snprintf(b, sizeof b, "%d\n", (int)getpid());
    (void)write(fd, b, (size_t)n);
    close(fd);

    long long t0 = now_ns();
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
        int o = open(outfile, O_WRONLY | O_CREAT | O_APPEND, 0644);
        int in = open("/dev/null", O_RDONLY);
        if (o >= 0) { dup2(o, 1); dup2(o, 2); if (o > 2) close(o); }
        if (in >= 0) { dup2(in, 0); if (in > 2) close(in); }
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGCHLD, SIG_DFL);
        sigprocmask(SIG_SETMASK, &old, NULL);
        execvp(cmd[0], cmd);
        fprintf(stderr, "reaper: exec %s: %s\n", cmd[0], strerror(errno));
        _exit(127);
    }
    fd = open(t0file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        n = snprintf(b, sizeof b, "%lld\n", t0);
        (void)write(fd, b, (size_t)n);
        close(fd);
    }
    for (;;) {
        int st;
        pid_t p;
        while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
            if (p == pid)
                fprintf(stderr, "reaper: main child %d exited status 0x%x\n", (int)p, st);
        }
        if (g_term) return 0;
        sigset_t w = old;
        sigdelset(&w, SIGTERM);
        sigdelset(&w, SIGINT);
        sigdelset(&w, SIGCHLD);
        sigsuspend(&w);
    }
}

/* read ppid of every process */
struct pp { int pid, ppid; };

static int read_ppids(struct pp **out) {
    DIR *d = opendir("/proc");
    if (!d) die("opendir /proc");
    int cap = 4096, cnt = 0;
    struct pp *a = malloc(sizeof *a * (size_t)cap);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        char path[300], buf[1024];
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        int fd = open(path, O_RDONLY);
        if (fd < 0) continue;
        ssize_t r = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (r <= 0) continue;
        buf[r] = 0;
        char *rp = strrchr(buf, ')');
        if (!rp) continue;
        char state;
        int ppid;
        if (sscanf(rp + 2, "%c %d", &state, &ppid) != 2) continue;
        if (cnt == cap) { cap *= 2; a = realloc(a, sizeof *a * (size_t)cap); }
        a[cnt].pid = atoi(e->d_name);
        a[cnt].ppid = ppid;
        cnt++;
    }
    closedir(d);
    *out = a;
    return cnt;
}

/* exe of a pid equals our own exe (i.e. it is a bench-child process) */
static int same_exe(int pid) {
    static char self[PATH_MAX];
    static int have = 0;
    if (!have) {
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        self[n > 0 ? n : 0] = 0;
        have = 1;
    }
    char path[64], buf[PATH_MAX];
    snprintf(path, sizeof path, "/proc/%d/exe", pid);
    ssize_t n = readlink(path, buf, sizeof buf - 1);
    if (n <= 0) return 0;
    buf[n] = 0;
    return strcmp(buf, self) == 0;
}

/* tree PID [all|children|others|direct-others]
   all: every descendant; children: descendants running this helper binary
   (the supervised children); others: descendants that are not (the
   supervision tree); direct-others: direct children of PID that are not. */
static int mode_tree(int argc, char **argv) {
    if (argc < 3) return 100;
    int root = atoi(argv[2]);
    const char *sel = argc > 3 ? argv[3] : "all";
    int want_children = !strcmp(sel, "children");
    int want_others = !strcmp(sel, "others") || !strcmp(sel, "direct-others");
    int direct = !strcmp(sel, "direct-others");
    struct pp *a;
    int n = read_ppids(&a);
    int *q = malloc(sizeof(int) * (size_t)(n + 1));
    int qh = 0, qt = 0;
    q[qt++] = root;
    while (qh < qt) {
        int p = q[qh++];
        if (direct && p != root) break;
        for (int i = 0; i < n; i++)
            if (a[i].ppid == p && a[i].pid != p) {
                q[qt++] = a[i].pid;
                if (want_children && !same_exe(a[i].pid)) continue;
                if (want_others && same_exe(a[i].pid)) continue;
                printf("%d\n", a[i].pid);
            }
    }
    return 0;
}

static long long field_kb(const char *path, const char *key) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[256];
    size_t kl = strlen(key);
    long long v = -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, kl) == 0) { v = atoll(line + kl); break; }
    }
    fclose(f);
    return v;
}

static int mode_procstat(int argc, char **argv) {
    for (int i = 2; i < argc; i++) {
        const char *p = argv[i];
        char path[96], buf[1024], comm[64] = "?";
        snprintf(path, sizeof path, "/proc/%s/status", p);
        long long rss = field_kb(path, "VmRSS:");
        /* context switches and schedstat are per thread: sum all threads
           (node/PM2 and other multi-threaded supervisors) */
        long long vcs = 0, nvcs = 0, run = 0;
        int nthreads = 0;
        snprintf(path, sizeof path, "/proc/%s/task", p);
        DIR *td = opendir(path);
        if (td) {
            struct dirent *te;
            while ((te = readdir(td))) {
                if (te->d_name[0] < '0' || te->d_name[0] > '9') continue;
                char tp[320];
                snprintf(tp, sizeof tp, "/proc/%s/task/%s/status", p, te->d_name);
                long long v = field_kb(tp, "voluntary_ctxt_switches:");
                long long nv = field_kb(tp, "nonvoluntary_ctxt_switches:");
                if (v > 0) vcs += v;
                if (nv > 0) nvcs += nv;
                snprintf(tp, sizeof tp, "/proc/%s/task/%s/schedstat", p, te->d_name);
                FILE *tf = fopen(tp, "r");
                long long r = 0;
                if (tf) { if (fscanf(tf, "%lld", &r) == 1) run += r; fclose(tf); }
                nthreads++;
            }
            closedir(td);
        }
        snprintf(path, sizeof path, "/proc/%s/smaps_rollup", p);
        long long pss = field_kb(path, "Pss:");
        long long ut = -1, stt = -1;
        snprintf(path, sizeof path, "/proc/%s/stat", p);
        int fd = open(path, O_RDONLY);
        if (fd >= 0) {
            ssize_t r = read(fd, buf, sizeof buf - 1);
            close(fd);
            if (r > 0) {
                buf[r] = 0;
                char *lp = strchr(buf, '('), *rp = strrchr(buf, ')');
                if (lp && rp && rp > lp) {
                    size_t cl = (size_t)(rp - lp - 1);
                    if (cl >= sizeof comm) cl = sizeof comm - 1;
                    memcpy(comm, lp + 1, cl);
                    comm[cl] = 0;
                    for (char *c = comm; *c; c++) if (*c == ' ' || *c == '\t') *c = '_';
                    /* fields after ')' : 3=state ... 14=utime 15=stime */
                    char *s = rp + 2;
                    int fno = 3;
                    char *tok = strtok(s, " ");
                    while (tok) {
                        if (fno == 14) ut = atoll(tok);
                        if (fno == 15) { stt = atoll(tok); break; }
                        tok = strtok(NULL, " ");
                        fno++;
                    }
                }
            }
        }
        if (rss < 0 && ut < 0) continue; /* gone */
        printf("%s\t%lld\t%lld\t%lld\t%lld\t%lld\t%lld\t%lld\t%s\t%d\n", p, rss, pss, ut, stt,
               vcs, nvcs, run, comm, nthreads);
    }
    return 0;
}

static int mode_waitev(int argc, char **argv) {
    if (argc < 6) return 100;
    const char *file = argv[2];
    char tag = argv[3][0];
    long want = atol(argv[4]);
    long long deadline = now_ns() + atoll(argv[5]) * 1000000LL;
    /* inotify on the directory so creation is seen too */
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", file);
    char *sl = strrchr(dir, '/');
    if (sl) *sl = 0; else strcpy(dir, ".");
    int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (in >= 0) inotify_add_watch(in, dir, IN_MODIFY | IN_CREATE | IN_CLOSE_WRITE);
    long count = 0;
    long long first = 0, maxts = 0, nth = 0;
    int nthpid = 0;
    for (;;) {
        count = 0; first = 0; maxts = 0; nth = 0; nthpid = 0;
        FILE *f = fopen(file, "r");
        if (f) {
            char line[256];
            while (fgets(line, sizeof line, f) && count < want) {
                if (line[0] != tag || line[1] != ' ') continue;
                long long ts = 0; int pid = 0;
                if (sscanf(line + 2, "%lld %d", &ts, &pid) != 2) continue;
                count++;
                if (count == 1) first = ts;
                if (ts > maxts) maxts = ts;
                if (count == want) { nth = ts; nthpid = pid; }
            }
            fclose(f);
        }
        if (count >= want) {
            printf("%ld %lld %lld %lld %d\n", count, first, maxts, nth, nthpid);
            return 0;
        }
        long long now = now_ns();
        if (now >= deadline) {
            printf("%ld %lld %lld %lld %d\n", count, first, maxts, nth, nthpid);
            return 1;
        }
        long long left_ms = (deadline - now) / 1000000LL;
        struct pollfd pfd = { in, POLLIN, 0 };
        (void)poll(&pfd, in >= 0 ? 1 : 0, (int)(left_ms < 50 ? left_ms + 1 : 50));
        char ib[4096];
        if (in >= 0) while (read(in, ib, sizeof ib) > 0) {}
    }
}

static int mode_waitsize(int argc, char **argv) {
    if (argc < 6) return 100;
    long long expected = atoll(argv[2]);
    long long t_start = now_ns();
    long long deadline = t_start + atoll(argv[3]) * 1000000LL;
    long long stall = atoll(argv[4]) * 1000000LL;
    long long last = -1, last_change = t_start;
    for (;;) {
        long long sum = 0;
        glob_t g;
        for (int i = 5; i < argc; i++) {
            memset(&g, 0, sizeof g);
            if (glob(argv[i], 0, NULL, &g) == 0) {
                for (size_t k = 0; k < g.gl_pathc; k++) {
                    struct stat st;
                    if (stat(g.gl_pathv[k], &st) == 0 && S_ISREG(st.st_mode)) sum += st.st_size;
                }
            }
            globfree(&g);
        }
        long long now = now_ns();
        if (sum >= expected) { printf("%lld %lld 1\n", now, sum); return 0; }
        if (sum != last) { last = sum; last_change = now; }
        if (now >= deadline || (now - last_change) >= stall) {
            printf("%lld %lld 0\n", last_change, sum);
            return 1;
        }
        usleep(10000);
    }
}

static int mode_check(int argc, char **argv) {
    if (argc < 4) return 100;
    int len = atoi(argv[2]);
    long long n = atoll(argv[3]);
    const char *pe = getenv("CHECK_PREFIX");
    ssize_t prefix = pe ? atoi(pe) : 0;
    unsigned char *cnt = calloc((size_t)n, 1);
    if (!cnt) die("calloc");
    long long lines = 0, bad = 0;
    char *line = NULL;
    size_t cap = 0;
    for (int i = 4; i < argc; i++) {
        FILE *f = fopen(argv[i], "r");
        if (!f) { fprintf(stderr, "check: cannot open %s\n", argv[i]); continue; }
        ssize_t r;
        while ((r = getline(&line, &cap, f)) > 0) {
            lines++;
            if (prefix > 0) {
                if (r <= prefix || line[prefix - 1] != ' ') { bad++; continue; }
                memmove(line, line + prefix, (size_t)(r - prefix) + 1);
                r -= prefix;
            }
            int ok = (r == len && line[len - 1] == '\n' && line[12] == ' ');
            unsigned long long v = 0;
            for (int d = 0; ok && d < 12; d++) {
                if (line[d] < '0' || line[d] > '9') ok = 0;
                else v = v * 10 + (unsigned)(line[d] - '0');
            }
            for (int d = 13; ok && d < len - 1; d++) if (line[d] != 'x') ok = 0;
            if (!ok || v >= (unsigned long long)n) { bad++; continue; }
            if (cnt[v] < 255) cnt[v]++;
        }
        fclose(f);
    }
    long long unique = 0, missing = 0, dup = 0;
    for (long long k = 0; k < n; k++) {
        if (cnt[k] == 0) missing++;
        else { unique++; dup += cnt[k] - 1; }
    }
    printf("lines=%lld unique=%lld missing=%lld dup=%lld bad=%lld\n", lines, unique, missing, dup, bad);
    return 0;
}

static int dispatch(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: bench-child MODE ... (see child.c)\n");
        return 100;
    }
    const char *m = argv[1];
    if (!strcmp(m, "idle")) return mode_idle(argc, argv);
    if (!strcmp(m, "flood")) return mode_flood(argc, argv);
    if (!strcmp(m, "now")) { printf("%lld\n", now_ns()); return 0; }
    if (!strcmp(m, "kill")) return mode_kill(argc, argv);
    if (!strcmp(m, "reaper")) return mode_reaper(argc, argv);
    if (!strcmp(m, "tree")) return mode_tree(argc, argv);
    if (!strcmp(m, "procstat")) return mode_procstat(argc, argv);
    if (!strcmp(m, "waitev")) return mode_waitev(argc, argv);
    if (!strcmp(m, "waitsize")) return mode_waitsize(argc, argv);
    if (!strcmp(m, "check")) return mode_check(argc, argv);
    if (!strcmp(m, "spawnbase")) return mode_spawnbase(argc, argv);
    if (!strcmp(m, "spawnseq")) return mode_spawnseq(argc, argv);
    fprintf(stderr, "bench-child: unknown mode %s\n", m);
    return 100;
}

int main(int argc, char **argv) {
    const char *base = strrchr(argv[0], '/');
    base = base ? base + 1 : argv[0];
    if (!strcmp(base, "run")) {
        /* service-dir mode (runsv: no args, s6-supervise: one arg = the
           servicedir name, both ignored): args from ./bench-child.args */
        FILE *f = fopen("bench-child.args", "r");
        if (!f) die("open ./bench-child.args");
        static char *av[64];
        int ac = 0;
        av[ac++] = argv[0];
        char *line = NULL;
        size_t cap = 0;
        ssize_t r;
        while (ac < 63 && (r = getline(&line, &cap, f)) > 0) {
            if (line[r - 1] == '\n') line[r - 1] = 0;
            av[ac++] = strdup(line);
        }
        fclose(f);
        av[ac] = NULL;
        return dispatch(ac, av);
    }
    return dispatch(argc, argv);
}
