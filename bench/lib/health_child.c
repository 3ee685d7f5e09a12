/*
 * health-child: helpers of the `health` benchmark (bench/scenarios/health.sh).
 *
 * Build: gcc -O2 -Wall -static -o health-child health_child.c  (health.sh does it)
 *
 *   health-child http PORT FAILFILE EVENTFILE ID
 *       The supervised program of the HTTP-restart part. Removes FAILFILE, listens on
 *       127.0.0.1:PORT (SO_REUSEADDR, so its restart can bind again at once), appends
 *       "S <CLOCK_REALTIME ns> <pid> <ID>" to EVENTFILE (one O_APPEND write) once it
 *       accepts connections, then answers every request with "200 ok", or with
 *       "500 failing" while FAILFILE exists; the first failing answer of the process
 *       appends "X <ns> <pid> <ID>". One connection at a time, HTTP/1.0. SIGTERM ends
 *       it at once (default action).
 *
 *   health-child fail FILE
 *       Takes CLOCK_REALTIME, then creates FILE, and prints the time (ns): the moment the
 *       program above starts failing, without a fork+exec between the stamp and the file.
 *
 *   health-child now
 *       Prints CLOCK_REALTIME in ns.
 *
 * Static, so exec costs as little as possible: the restart latency measured is vigild's.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void append_line(const char *file, char tag, const char *id) {
    char line[256];
    int n = snprintf(line, sizeof line, "%c %lld %d %s\n", tag, now_ns(), (int)getpid(), id);
    int fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return;
    if (write(fd, line, (size_t)n) != n) perror("write event");
    close(fd);
}

static int serve(int port, const char *failfile, const char *events, const char *id) {
    unlink(failfile);
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(l, (struct sockaddr *)&a, sizeof a) != 0 || listen(l, 16) != 0) {
        perror("bind");
        return 3;
    }
    append_line(events, 'S', id);
    int reported = 0;
    for (;;) {
        int c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0) continue;
        char buf[2048];
        size_t got = 0;
        while (got < sizeof buf - 1) {
            ssize_t n = read(c, buf + got, sizeof buf - 1 - got);
            if (n <= 0) break;
            got += (size_t)n;
            buf[got] = 0;
            if (strstr(buf, "\r\n\r\n")) break;
        }
        int failing = access(failfile, F_OK) == 0;
        if (failing && !reported) {
            append_line(events, 'X', id);
            reported = 1;
        }
        const char *ans = failing
            ? "HTTP/1.0 500 Internal Server Error\r\nContent-Length: 8\r\n\r\nfailing\n"
            : "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n";
        if (write(c, ans, strlen(ans)) < 0) perror("write");
        close(c);
    }
}

int main(int argc, char **argv) {
    if (argc >= 6 && !strcmp(argv[1], "http")) return serve(atoi(argv[2]), argv[3], argv[4], argv[5]);
    if (argc >= 3 && !strcmp(argv[1], "fail")) {
        long long t = now_ns();
        int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) { perror("open"); return 1; }
        close(fd);
        printf("%lld\n", t);
        return 0;
    }
    if (argc >= 2 && !strcmp(argv[1], "now")) { printf("%lld\n", now_ns()); return 0; }
    fprintf(stderr, "usage: health-child http PORT FAILFILE EVENTFILE ID | fail FILE | now\n");
    return 100;
}
