/*
 * agentgate egress pump: the host side of the sandbox's egress socket, in the same static binary as the relay.
 *
 *   agentgate-egress-relay --pump --socket SANDBOX_SOCKET --proxy PROXY_SOCKET --max-conn N --head-max N
 *                          --idle-ms N --connect-ms N
 *
 * Trusted, runs on the host as a child of the JVM that runs the egress proxy. It listens on SANDBOX_SOCKET (the
 * socket bind-mounted into the sandbox). For each connection from the sandbox it opens a connection to
 * PROXY_SOCKET (the Java proxy's, host-only: never mounted) and then:
 *
 *  - takes the client: the descriptor the relay passed with SCM_RIGHTS (validated: exactly one, a connected
 *    stream socket; anything else is closed and reported "F <why>"), or, when the first message carries no
 *    descriptor, the sandbox connection itself (a byte stream, as the relay without --pass-fd sends it);
 *  - writes "A\n", then forwards the client's request head, and nothing beyond it, to the proxy;
 *  - obeys the proxy's answer, one line:
 *      "R\n"                    relay: from now on bytes flow client <-> proxy (denials, plain HTTP: Java serves it);
 *      "C IP PORT CREDIT\n"     connect to exactly IP:PORT (numeric; the pump never resolves a name). Reports
 *                               "OK\n" or "NO ERRNO\n" (the proxy may then send another C, or R with a 502). On OK
 *                               it writes the 200 reply and splices client <-> upstream, moving at most CREDIT bytes
 *                               (both ways together); it asks "B\n" for more and gets "b N\n" (0: the run's byte
 *                               budget is spent; the tunnel is cut when it next has data to move). It cuts a tunnel
 *                               idle for --idle-ms, and ends it when the proxy shuts its side ("cut"), reporting
 *                               "E UP DOWN CONSUMED REASON\n" (REASON: done, idle, bytes, error, cut).
 *
 * Nothing from the sandbox is interpreted beyond finding the end of the head ("\r\n\r\n", bounded by --head-max).
 * Bounded: at most --max-conn connections (more wait in the listen backlog), one head buffer each, one pipe per
 * direction. It exits when its standard input reaches EOF (the JVM closed it or died) and, through
 * PR_SET_PDEATHSIG, when its parent dies.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define PIPE_SIZE (1024 * 1024)
#define COPY_SIZE (64 * 1024)
#define ROUNDS 16
#define CTL_LINE 256
#define MAX_FDS_IN 4
#define MAX_COMPLAINTS 64 /* stderr lines per pump: a sandbox that keeps passing junk must not fill the host's disk */

enum state { S_WAIT, S_HEAD, S_CONNECTING, S_TUNNEL, S_RELAY };

struct flow {
    int pipe[2];      /* splice path; -1 when this flow copies through pend instead */
    size_t cap;
    size_t inpipe;    /* bytes in the pipe */
    char *pend;       /* user-space bytes to write first (retained head remainder, proxy bytes), or the copy buffer */
    size_t plen, poff;
    int eof, shut, dead;
};

struct pconn {
    enum state state;
    int sc;           /* the sandbox's connection to SANDBOX_SOCKET (closed once a passed descriptor is taken) */
    int client;       /* the client's byte stream: the passed descriptor or sc; -1 until known */
    int ctl;          /* connection to the Java proxy */
    int up;           /* upstream TCP, -1 */
    char *head;
    size_t hlen, hfwd;
    long hend;        /* index after "\r\n\r\n", or -1 */
    int ceof;         /* client EOF while reading the head */
    char cbuf[CTL_LINE];
    size_t clen;
    struct flow a;    /* client -> proxy (relay) or upstream (tunnel) */
    struct flow b;    /* proxy or upstream -> client */
    long long credit, consumed, nup, ndown, granted_last;
    int asked, nomore;
    long long last_ms, connect_deadline;
};

static struct pconn **conns;
static int max_conn;
static size_t head_max;
static long long idle_ms, connect_ms;
static const char *proxy_path;
static int complaints;
/*
 * A passed descriptor shares its open file description (and the socket) with whoever in the sandbox kept a copy:
 * they can clear O_NONBLOCK or set SO_LINGER under us, and splice(2) then blocks. So each connection's work runs
 * under a timer: SIGALRM (no SA_RESTART) interrupts any call that blocks, and the connection is closed.
 */
static volatile sig_atomic_t alarmed;

static void on_alarm(int sig) {
    (void) sig;
    alarmed = 1;
}

static void arm(int on) {
    struct itimerval t;
    memset(&t, 0, sizeof t);
    if (on) {
        t.it_value.tv_sec = 2; /* far beyond any step (microseconds to milliseconds), even on a loaded machine */
        t.it_interval.tv_usec = 10000; /* then again, until disarmed: every further blocking call is cut short too */
    }
    setitimer(ITIMER_REAL, &t, NULL);
}

static void complain(const char *what, const char *detail) {
    if (complaints < MAX_COMPLAINTS) {
        complaints++;
        fprintf(stderr, "agentgate-egress-pump: %s: %s%s\n", what, detail,
                complaints == MAX_COMPLAINTS ? " (further messages suppressed)" : "");
    }
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void pump_usage(void) {
    fprintf(stderr, "usage: agentgate-egress-relay --pump --socket SANDBOX_SOCKET --proxy PROXY_SOCKET --max-conn N"
            " --head-max N --idle-ms N --connect-ms N\n");
    exit(64);
}

static long long parse_num(const char *text, long long lo, long long hi) {
    char *end;
    long long v = strtoll(text, &end, 10);
    if (*end || end == text || v < lo || v > hi) {
        pump_usage();
    }
    return v;
}

static void flow_init(struct flow *f) {
    memset(f, 0, sizeof *f);
    f->pipe[0] = f->pipe[1] = -1;
    if (pipe2(f->pipe, O_NONBLOCK | O_CLOEXEC) < 0) {
        f->pipe[0] = f->pipe[1] = -1;
        return;
    }
    fcntl(f->pipe[1], F_SETPIPE_SZ, PIPE_SIZE); /* best effort (pipe-max-size); the real size is read back */
    int cap = fcntl(f->pipe[1], F_GETPIPE_SZ);
    if (cap <= 0) {
        close(f->pipe[0]);
        close(f->pipe[1]);
        f->pipe[0] = f->pipe[1] = -1;
        return;
    }
    f->cap = (size_t) cap;
}

static void flow_free(struct flow *f) {
    if (f->pipe[0] >= 0) {
        close(f->pipe[0]);
        close(f->pipe[1]);
    }
    free(f->pend);
    memset(f, 0, sizeof *f);
    f->pipe[0] = f->pipe[1] = -1;
}

/* Queues bytes to be written before anything else in this flow. */
static int flow_queue(struct flow *f, const char *data, size_t n) {
    if (n == 0) {
        return 0;
    }
    char *p = malloc(n > COPY_SIZE ? n : COPY_SIZE);
    if (!p) {
        return -1;
    }
    memcpy(p, data, n);
    free(f->pend);
    f->pend = p;
    f->plen = n;
    f->poff = 0;
    return 0;
}

static int flow_busy(const struct flow *f) {
    return f->inpipe > 0 || f->plen > f->poff;
}

/*
 * Whether this flow may read now: no user-space bytes waiting and, on the splice path, room left in the pipe (so
 * the pump keeps reading from one side while the other drains, instead of alternating).
 */
static int flow_room(const struct flow *f) {
    if (f->eof || f->dead || f->plen > f->poff) {
        return 0;
    }
    return f->pipe[0] < 0 ? 1 : f->inpipe < f->cap;
}

/*
 * Moves bytes for one direction, pumping while both sides keep up (bounded rounds). With a credit, reads at most
 * that many bytes and charges them to it. Returns -1 on an I/O error, else the number of bytes moved.
 */
static long long flow_move(int from, int to, struct flow *f, int can_read, int can_write, long long *credit,
                           long long *consumed, long long *out) {
    long long moved = 0;
    for (int round = 0; round < ROUNDS; round++) {
        int progressed = 0;
        if (alarmed) {
            return -1;
        }
        if (f->plen > f->poff && can_write) {
            ssize_t n = write(to, f->pend + f->poff, f->plen - f->poff);
            if (n > 0) {
                f->poff += (size_t) n;
                *out += n;
                moved += n;
                progressed = 1;
                if (f->poff == f->plen) {
                    f->plen = f->poff = 0;
                }
            } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                return -1;
            } else {
                can_write = 0;
            }
        }
        if (can_read && flow_room(f) && (!credit || *credit > 0)) {
            size_t want = f->pipe[0] >= 0 ? f->cap - f->inpipe : COPY_SIZE;
            if (credit && (long long) want > *credit) {
                want = (size_t) *credit;
            }
            ssize_t n;
            if (f->pipe[0] >= 0) {
                n = splice(from, NULL, f->pipe[1], NULL, want, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
                if (n < 0 && (errno == EINVAL || errno == ENOSYS)) {
                    close(f->pipe[0]);
                    close(f->pipe[1]);
                    f->pipe[0] = f->pipe[1] = -1; /* cannot splice this kind of descriptor: copy from now on */
                    continue;
                }
                if (n > 0) {
                    f->inpipe += (size_t) n;
                }
            } else {
                if (!f->pend && !(f->pend = malloc(COPY_SIZE))) {
                    return -1;
                }
                n = read(from, f->pend, want);
                if (n > 0) {
                    f->plen = (size_t) n;
                    f->poff = 0;
                }
            }
            if (n > 0) {
                if (credit) {
                    *credit -= n;
                }
                *consumed += n;
                progressed = 1;
                can_write = 1;
            } else if (n == 0) {
                f->eof = 1;
            } else if (errno == EAGAIN || errno == EINTR) {
                can_read = 0;
            } else {
                return -1;
            }
        }
        if (f->inpipe > 0 && can_write) {
            ssize_t n = splice(f->pipe[0], NULL, to, NULL, f->inpipe, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
            if (n > 0) {
                f->inpipe -= (size_t) n;
                *out += n;
                moved += n;
                progressed = 1;
            } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                return -1;
            } else {
                can_write = 0;
            }
        }
        if (f->plen > f->poff && can_write && f->pipe[0] < 0) {
            continue; /* copy path: write what was just read */
        }
        if (!progressed) {
            break;
        }
    }
    if (f->eof && !flow_busy(f) && !f->shut) {
        shutdown(to, SHUT_WR);
        f->shut = 1;
    }
    return moved;
}

static void close_fd(int *fd) {
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

static void conn_free(int i) {
    struct pconn *c = conns[i];
    if (c->client != c->sc) {
        close_fd(&c->client);
    }
    close_fd(&c->sc);
    close_fd(&c->ctl);
    close_fd(&c->up);
    flow_free(&c->a);
    flow_free(&c->b);
    free(c->head);
    free(c);
    conns[i] = NULL;
}

/* Best-effort short write of a control line; the socket is local and its buffer never full of our lines. */
static int ctl_say(struct pconn *c, const char *line) {
    size_t n = strlen(line);
    return c->ctl >= 0 && send(c->ctl, line, n, MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t) n ? 0 : -1;
}

static void tunnel_end(int i, const char *reason) {
    struct pconn *c = conns[i];
    char line[CTL_LINE];
    snprintf(line, sizeof line, "E %lld %lld %lld %s\n", c->nup, c->ndown, c->consumed, reason);
    ctl_say(c, line);
    conn_free(i);
}

static int connect_proxy(void) {
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (strlen(proxy_path) >= sizeof sa.sun_path) {
        return -1;
    }
    strcpy(sa.sun_path, proxy_path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Why a passed descriptor is not a usable client, or NULL when it is a connected stream socket. */
static const char *refuse_reason(int fd) {
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode)) {
        return "not-a-socket";
    }
    int type = 0, listening = 0;
    socklen_t len = sizeof type;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM) {
        return "not-a-stream-socket";
    }
    int family = 0;
    len = sizeof family;
    if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &len) < 0
            || (family != AF_INET && family != AF_INET6 && family != AF_UNIX)) {
        return "unexpected-socket-family";
    }
    len = sizeof listening;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0 || listening) {
        return "listening-socket";
    }
    struct sockaddr_storage peer;
    len = sizeof peer;
    if (getpeername(fd, (struct sockaddr *) &peer, &len) < 0) {
        return "unconnected-socket";
    }
    return NULL;
}

static void scan_head(struct pconn *c, size_t from) {
    size_t start = from >= 3 ? from - 3 : 0;
    for (size_t k = start; k + 4 <= c->hlen; k++) {
        if (memcmp(c->head + k, "\r\n\r\n", 4) == 0) {
            c->hend = (long) (k + 4);
            return;
        }
    }
}

/*
 * Learns the client from the sandbox connection's first message. Returns 0 when the connection goes on (S_HEAD),
 * -1 when it is done (refused descriptor reported, or an error).
 */
static int take_client(struct pconn *c, int forced) {
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(MAX_FDS_IN * sizeof(int))];
    } cbuf;
    struct iovec iov = {.iov_base = c->head, .iov_len = head_max};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf.buf, .msg_controllen = sizeof cbuf.buf};
    ssize_t n = recvmsg(c->sc, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        if (!forced) {
            return 0; /* spurious wake-up: still waiting */
        }
        n = 0; /* the proxy answered first (a refusal, a cut): the connection itself is the client */
        c->client = c->sc;
        c->state = S_HEAD;
        ctl_say(c, "A\n");
        return 0;
    }
    if (n < 0) {
        return -1;
    }
    int fds[MAX_FDS_IN];
    int nfds = 0;
    int other = 0;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
        if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
            int k = (int) ((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            for (int j = 0; j < k; j++) {
                int fd;
                memcpy(&fd, CMSG_DATA(cm) + j * sizeof(int), sizeof fd);
                if (nfds < MAX_FDS_IN) {
                    fds[nfds++] = fd;
                } else {
                    close(fd);
                }
            }
        } else {
            other = 1;
        }
    }
    const char *why = NULL;
    if (msg.msg_flags & MSG_CTRUNC) {
        why = "too-many-descriptors";
    } else if (nfds > 1) {
        why = "more-than-one-descriptor";
    } else if (other) {
        why = "unexpected-control-message";
    } else if (nfds == 1) {
        why = refuse_reason(fds[0]);
    }
    if (why) {
        for (int j = 0; j < nfds; j++) {
            close(fds[j]);
        }
        char line[CTL_LINE];
        snprintf(line, sizeof line, "F %s\n", why);
        ctl_say(c, line);
        complain("refused a passed descriptor", why);
        return -1;
    }
    if (nfds == 1) {
        c->client = fds[0];
        close_fd(&c->sc);
        int fl = fcntl(c->client, F_GETFL);
        if (fl < 0 || fcntl(c->client, F_SETFL, fl | O_NONBLOCK) < 0) {
            return -1;
        }
        c->hlen = 0; /* the marker byte */
    } else {
        c->client = c->sc; /* no descriptor: the sandbox connection is the byte stream */
        c->hlen = (size_t) n;
        scan_head(c, 0);
        if (n == 0) {
            c->ceof = 1;
        }
    }
    c->state = S_HEAD;
    ctl_say(c, "A\n");
    return 0;
}

/* Head phase: read the client's head, forward it (and nothing beyond it) to the proxy. -1: done. */
static int head_io(struct pconn *c, short rcl, short rctl) {
    if (c->hend < 0 && !c->ceof && c->hlen < head_max && (rcl & (POLLIN | POLLHUP | POLLERR))) {
        ssize_t n = read(c->client, c->head + c->hlen, head_max - c->hlen);
        if (n > 0) {
            size_t before = c->hlen;
            c->hlen += (size_t) n;
            scan_head(c, before);
        } else if (n == 0) {
            c->ceof = 1;
        } else if (errno != EAGAIN && errno != EINTR) {
            return -1;
        }
    }
    size_t limit = c->hend >= 0 ? (size_t) c->hend : c->hlen;
    if (c->hfwd < limit && (rctl & POLLOUT || rcl)) {
        ssize_t n = send(c->ctl, c->head + c->hfwd, limit - c->hfwd, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            c->hfwd += (size_t) n;
        } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
            return -1;
        }
    }
    if (c->ceof && c->hfwd == c->hlen && c->hend < 0) {
        shutdown(c->ctl, SHUT_WR); /* the proxy sees the client's EOF before a complete head */
    }
    return 0;
}

static int start_connect(struct pconn *c, const char *ip, long port) {
    struct sockaddr_storage ss;
    socklen_t len;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *v4 = (struct sockaddr_in *) &ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *) &ss;
    if (inet_pton(AF_INET, ip, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((unsigned short) port);
        len = sizeof *v4;
    } else if (inet_pton(AF_INET6, ip, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((unsigned short) port);
        len = sizeof *v6;
    } else {
        errno = EINVAL;
        return -1;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *) &ss, len) < 0 && errno != EINPROGRESS) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    c->up = fd;
    c->state = S_CONNECTING;
    c->connect_deadline = now_ms() + connect_ms;
    return 0;
}

static void connect_failed(struct pconn *c, int err) {
    close_fd(&c->up);
    char line[64];
    snprintf(line, sizeof line, "NO %d\n", err);
    ctl_say(c, line);
    c->state = S_HEAD; /* the head is fully forwarded; the proxy answers again */
}

/* Handles the proxy's control lines. -1: the connection is done (protocol error or a tunnel end already sent). */
static int ctl_lines(int i) {
    struct pconn *c = conns[i];
    for (;;) {
        char *nl = memchr(c->cbuf, '\n', c->clen);
        if (!nl) {
            return c->clen == sizeof c->cbuf ? -1 : 0;
        }
        *nl = 0;
        size_t used = (size_t) (nl - c->cbuf) + 1;
        char ip[INET6_ADDRSTRLEN + 1];
        long port;
        long long n;
        if (c->state == S_HEAD && strcmp(c->cbuf, "R") == 0) {
            /* Relay: the rest of the head buffer goes to the proxy, the rest of cbuf to the client. */
            c->state = S_RELAY;
            flow_init(&c->a);
            flow_init(&c->b);
            size_t limit = c->hend >= 0 ? (size_t) c->hend : c->hlen;
            if (flow_queue(&c->a, c->head + limit, c->hlen - limit) < 0
                    || flow_queue(&c->b, c->cbuf + used, c->clen - used) < 0) {
                return -1;
            }
            if (c->ceof) {
                c->a.eof = 1;
            }
            c->clen = 0;
            return 0;
        } else if (c->state == S_HEAD && sscanf(c->cbuf, "C %46s %ld %lld", ip, &port, &n) == 3 && port >= 1
                && port <= 65535 && n >= 0) {
            c->credit = n;
            c->granted_last = n;
            if (start_connect(c, ip, port) < 0) {
                connect_failed(c, errno);
            }
        } else if (c->state == S_TUNNEL && sscanf(c->cbuf, "b %lld", &n) == 1 && n >= 0) {
            c->credit += n;
            c->asked = 0;
            if (n == 0) {
                c->nomore = 1;
            } else {
                c->granted_last = n;
            }
        } else {
            complain("unexpected line from the proxy", c->cbuf);
            return -1;
        }
        memmove(c->cbuf, c->cbuf + used, c->clen - used);
        c->clen -= used;
    }
}

/* Reads what the proxy sent. 1: EOF, 0: ok, -1: error. */
static int ctl_read(struct pconn *c) {
    ssize_t n = read(c->ctl, c->cbuf + c->clen, sizeof c->cbuf - c->clen);
    if (n > 0) {
        c->clen += (size_t) n;
        return 0;
    }
    if (n == 0) {
        return 1;
    }
    return errno == EAGAIN || errno == EINTR ? 0 : -1;
}

static void connected(int i) {
    struct pconn *c = conns[i];
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(c->up, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err != 0) {
        connect_failed(c, err ? err : errno);
        return;
    }
    static const char ok[] = "HTTP/1.1 200 Connection established\r\n\r\n";
    ctl_say(c, "OK\n");
    if (send(c->client, ok, sizeof ok - 1, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t) (sizeof ok - 1)) {
        tunnel_end(i, "error");
        return;
    }
    c->state = S_TUNNEL;
    c->last_ms = now_ms();
    flow_init(&c->a);
    flow_init(&c->b);
    size_t rest = c->hend >= 0 ? c->hlen - (size_t) c->hend : 0;
    if (rest > 0) { /* bytes the client sent right behind its CONNECT (a TLS hello): charged like any other */
        if ((long long) rest > c->credit || flow_queue(&c->a, c->head + c->hend, rest) < 0) {
            tunnel_end(i, (long long) rest > c->credit ? "bytes" : "error");
            return;
        }
        c->credit -= (long long) rest;
        c->consumed += (long long) rest;
    }
    if (c->ceof) {
        c->a.eof = 1;
    }
    free(c->head);
    c->head = NULL;
}

/* With no credit left and none to come: data waiting means the tunnel crosses the run's byte budget. */
static int over_budget(int fd, struct flow *f) {
    char ch;
    ssize_t n = recv(fd, &ch, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0) {
        return 1;
    }
    if (n == 0) {
        f->eof = 1;
    }
    return 0;
}

static void tunnel_io(int i, short rcl, short rctl, short rup) {
    struct pconn *c = conns[i];
    if (rctl & (POLLIN | POLLHUP | POLLERR)) {
        int r = ctl_read(c);
        if (r != 0) {
            tunnel_end(i, "cut"); /* the proxy shut its side: a limit, a timeout or the sandbox stopping */
            return;
        }
        if (ctl_lines(i) < 0) {
            tunnel_end(i, "error");
            return;
        }
    }
    if (c->credit == 0 && c->nomore) {
        if (((rcl & POLLIN) && flow_room(&c->a) && over_budget(c->client, &c->a))
                || ((rup & POLLIN) && flow_room(&c->b) && over_budget(c->up, &c->b))) {
            tunnel_end(i, "bytes");
            return;
        }
    }
    long long ma = flow_move(c->client, c->up, &c->a, (rcl & (POLLIN | POLLHUP | POLLERR)) != 0,
            (rup & POLLOUT) != 0, &c->credit, &c->consumed, &c->nup);
    long long mb = ma < 0 ? -1 : flow_move(c->up, c->client, &c->b, (rup & (POLLIN | POLLHUP | POLLERR)) != 0,
            (rcl & POLLOUT) != 0, &c->credit, &c->consumed, &c->ndown);
    if (ma < 0 || mb < 0) {
        tunnel_end(i, "error");
        return;
    }
    if (ma > 0 || mb > 0) {
        c->last_ms = now_ms();
    }
    if (c->b.shut) {
        tunnel_end(i, "done"); /* upstream ended and everything reached the client */
        return;
    }
    if (!c->asked && !c->nomore && c->credit < c->granted_last / 2 + 1) {
        if (ctl_say(c, "B\n") == 0) {
            c->asked = 1;
        }
    }
}

static void relay_io(int i, short rcl, short rctl) {
    struct pconn *c = conns[i];
    long long ignored = 0;
    if (!c->a.dead) {
        long long ma = flow_move(c->client, c->ctl, &c->a, (rcl & (POLLIN | POLLHUP | POLLERR)) != 0,
                (rctl & POLLOUT) != 0, NULL, &ignored, &ignored);
        if (ma < 0) {
            c->a.dead = 1; /* the proxy stopped reading (it answered): still deliver its answer */
            c->a.inpipe = 0;
            c->a.plen = c->a.poff = 0;
        }
    }
    long long mb = flow_move(c->ctl, c->client, &c->b, (rctl & (POLLIN | POLLHUP | POLLERR)) != 0,
            (rcl & POLLOUT) != 0, NULL, &ignored, &ignored);
    if (mb < 0 || c->b.shut || (c->a.dead && (rcl & POLLERR))) {
        conn_free(i); /* the proxy ends an exchange by closing its side */
    }
}

static void accept_sandbox(int lfd) {
    int sc = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (sc < 0) {
        return;
    }
    int slot = -1;
    for (int i = 0; i < max_conn; i++) {
        if (!conns[i]) {
            slot = i;
            break;
        }
    }
    int ctl = slot < 0 ? -1 : connect_proxy();
    struct pconn *c = ctl < 0 ? NULL : calloc(1, sizeof *c);
    char *head = c ? malloc(head_max) : NULL;
    if (!head) {
        if (ctl >= 0) {
            close(ctl);
        }
        free(c);
        close(sc);
        return;
    }
    c->sc = sc;
    c->client = -1;
    c->ctl = ctl;
    c->up = -1;
    c->head = head;
    c->hend = -1;
    c->state = S_WAIT;
    c->a.pipe[0] = c->a.pipe[1] = c->b.pipe[0] = c->b.pipe[1] = -1;
    conns[slot] = c;
}

static short flow_read_events(const struct flow *f) {
    return flow_room(f) ? POLLIN : 0;
}

static short flow_write_events(const struct flow *f) {
    return flow_busy(f) && !f->dead ? POLLOUT : 0;
}

static void events(struct pconn *c, short *ecl, short *ectl, short *eup) {
    *ecl = *ectl = *eup = 0;
    switch (c->state) {
        case S_WAIT:
            *ecl = POLLIN;
            *ectl = POLLIN;
            break;
        case S_HEAD: {
            size_t limit = c->hend >= 0 ? (size_t) c->hend : c->hlen;
            *ecl = c->hend < 0 && !c->ceof && c->hlen < head_max ? POLLIN : 0;
            *ectl = (short) (POLLIN | (c->hfwd < limit ? POLLOUT : 0));
            break;
        }
        case S_CONNECTING:
            *ectl = POLLIN;
            *eup = POLLOUT;
            break;
        case S_TUNNEL: {
            int reading = c->credit > 0 || c->nomore;
            *ecl = (short) ((reading ? flow_read_events(&c->a) : 0) | flow_write_events(&c->b));
            *eup = (short) ((reading ? flow_read_events(&c->b) : 0) | flow_write_events(&c->a));
            *ectl = POLLIN;
            break;
        }
        case S_RELAY:
            *ecl = (short) (flow_read_events(&c->a) | flow_write_events(&c->b));
            *ectl = (short) (flow_read_events(&c->b) | flow_write_events(&c->a));
            break;
    }
}

static void step(int i, short rcl, short rctl, short rup) {
    struct pconn *c = conns[i];
    switch (c->state) {
        case S_WAIT:
            if (rcl || rctl) {
                if (take_client(c, rcl == 0) < 0) {
                    conn_free(i);
                    return;
                }
                if (c->state == S_HEAD) {
                    rcl = 0;
                    step(i, 0, rctl | POLLOUT, 0);
                }
            }
            return;
        case S_HEAD: {
            if (head_io(c, rcl, rctl) < 0) {
                conn_free(i);
                return;
            }
            if (rctl & (POLLIN | POLLHUP | POLLERR)) {
                int r = ctl_read(c);
                if (r == 0 && c->clen > 0) {
                    if (ctl_lines(i) < 0) {
                        conn_free(i);
                        return;
                    }
                    if (c->state == S_RELAY) {
                        relay_io(i, POLLOUT, POLLOUT);
                    }
                } else if (r != 0) {
                    conn_free(i); /* the proxy closed without an answer (a cut before a complete head) */
                }
            }
            return;
        }
        case S_CONNECTING:
            if (rctl & (POLLIN | POLLHUP | POLLERR)) {
                conn_free(i); /* the proxy gave up (cut while connecting) */
                return;
            }
            if (rup) {
                connected(i);
                if (conns[i] && c->state == S_TUNNEL) {
                    tunnel_io(i, POLLIN | POLLOUT, 0, POLLOUT);
                }
            }
            return;
        case S_TUNNEL:
            tunnel_io(i, rcl, rctl, rup);
            return;
        case S_RELAY:
            relay_io(i, rcl, rctl);
            return;
    }
}

int pump_main(int argc, char **argv) {
    const char *sandbox_path = NULL;
    long long mc = -1, hm = -1, im = -1, cm = -1;
    for (int i = 2; i < argc; i++) {
        if (i + 1 >= argc) {
            pump_usage();
        }
        if (strcmp(argv[i], "--socket") == 0) {
            sandbox_path = argv[++i];
        } else if (strcmp(argv[i], "--proxy") == 0) {
            proxy_path = argv[++i];
        } else if (strcmp(argv[i], "--max-conn") == 0) {
            mc = parse_num(argv[++i], 1, 4096);
        } else if (strcmp(argv[i], "--head-max") == 0) {
            hm = parse_num(argv[++i], 1024, 1 << 20);
        } else if (strcmp(argv[i], "--idle-ms") == 0) {
            im = parse_num(argv[++i], 1, 1LL << 40);
        } else if (strcmp(argv[i], "--connect-ms") == 0) {
            cm = parse_num(argv[++i], 1, 1LL << 40);
        } else {
            pump_usage();
        }
    }
    if (!sandbox_path || !proxy_path || mc < 0 || hm < 0 || im < 0 || cm < 0) {
        pump_usage();
    }
    /* Dies with the JVM: the parent's death signals it, and stdin (a pipe from the JVM) reaches EOF. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() == 1) {
        return 0;
    }
    signal(SIGPIPE, SIG_IGN);
    struct sigaction alarm_action;
    memset(&alarm_action, 0, sizeof alarm_action);
    alarm_action.sa_handler = on_alarm;
    sigemptyset(&alarm_action.sa_mask);
    sigaction(SIGALRM, &alarm_action, NULL);
    sigset_t alarm_set;
    sigemptyset(&alarm_set);
    sigaddset(&alarm_set, SIGALRM);
    sigprocmask(SIG_UNBLOCK, &alarm_set, NULL); /* whatever the JVM left blocked */
    max_conn = (int) mc;
    head_max = (size_t) hm;
    idle_ms = im;
    connect_ms = cm;
    /* Up to 7 descriptors per connection (client, sandbox, proxy, upstream, two pipes). */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
        if (rl.rlim_cur != RLIM_INFINITY && (long long) rl.rlim_cur < 16 + 7LL * max_conn) {
            max_conn = (int) (((long long) rl.rlim_cur - 16) / 7);
            if (max_conn < 1) {
                fprintf(stderr, "agentgate-egress-pump: too few file descriptors\n");
                return 111;
            }
        }
    }
    conns = calloc((size_t) max_conn, sizeof *conns);
    struct pollfd *fds = calloc(2 + 3 * (size_t) max_conn, sizeof *fds);
    if (!conns || !fds) {
        fprintf(stderr, "agentgate-egress-pump: out of memory\n");
        return 111;
    }

    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (strlen(sandbox_path) >= sizeof sa.sun_path) {
        pump_usage();
    }
    strcpy(sa.sun_path, sandbox_path);
    int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (lfd < 0 || bind(lfd, (struct sockaddr *) &sa, sizeof sa) < 0 || listen(lfd, 128) < 0
            || chmod(sandbox_path, 0666) < 0) { /* the sandbox's uid is not ours: it needs write permission */
        fprintf(stderr, "agentgate-egress-pump: cannot listen on %s: %s\n", sandbox_path, strerror(errno));
        return 111;
    }
    if (write(STDOUT_FILENO, "READY\n", 6) != 6) {
        return 111;
    }

    for (;;) {
        int n = 0;
        int active = 0;
        for (int i = 0; i < max_conn; i++) {
            active += conns[i] != NULL;
        }
        fds[n].fd = STDIN_FILENO;
        fds[n++].events = POLLIN;
        fds[n].fd = lfd;
        fds[n++].events = active < max_conn ? POLLIN : 0; /* at the cap, new connections wait in the backlog */
        long long now = now_ms();
        long long wake = -1;
        for (int i = 0; i < max_conn; i++) {
            struct pconn *c = conns[i];
            short ecl = 0, ectl = 0, eup = 0;
            if (c) {
                events(c, &ecl, &ectl, &eup);
                long long due = c->state == S_TUNNEL ? c->last_ms + idle_ms
                        : c->state == S_CONNECTING ? c->connect_deadline : -1;
                if (due >= 0 && (wake < 0 || due < wake)) {
                    wake = due;
                }
            }
            /* A descriptor with nothing to wait for is left out: poll reports POLLHUP whether asked or not. */
            fds[n].fd = c && ecl ? c->client >= 0 ? c->client : c->sc : -1;
            fds[n++].events = ecl;
            fds[n].fd = c && ectl ? c->ctl : -1;
            fds[n++].events = ectl;
            fds[n].fd = c && eup ? c->up : -1;
            fds[n++].events = eup;
        }
        int timeout = wake < 0 ? -1 : wake <= now ? 0 : (int) (wake - now > 60000 ? 60000 : wake - now);
        if (poll(fds, (nfds_t) n, timeout) < 0) {
            if (errno == EINTR) {
                continue;
            }
            fprintf(stderr, "agentgate-egress-pump: poll: %s\n", strerror(errno));
            return 111;
        }
        if (fds[0].revents) {
            char b[64];
            ssize_t r = read(STDIN_FILENO, b, sizeof b);
            if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
                return 0; /* the JVM closed our stdin or died: every connection goes with us */
            }
        }
        if (fds[1].revents & POLLIN) {
            accept_sandbox(lfd);
        }
        now = now_ms();
        for (int i = 0; i < max_conn; i++) {
            struct pconn *c = conns[i];
            if (!c) {
                continue;
            }
            short rcl = fds[2 + 3 * i].revents, rctl = fds[3 + 3 * i].revents, rup = fds[4 + 3 * i].revents;
            int due = (c->state == S_TUNNEL && now - c->last_ms >= idle_ms)
                    || (c->state == S_CONNECTING && now >= c->connect_deadline);
            if (!rcl && !rctl && !rup && !due) {
                continue;
            }
            alarmed = 0;
            arm(1);
            if (rcl || rctl || rup) {
                step(i, rcl, rctl, rup);
            }
            c = conns[i];
            if (c && alarmed) {
                complain("a connection blocked the pump", "closed");
                if (c->state == S_TUNNEL) {
                    tunnel_end(i, "error");
                } else {
                    conn_free(i);
                }
            } else if (c && c->state == S_TUNNEL && now - c->last_ms >= idle_ms) {
                tunnel_end(i, "idle");
            } else if (c && c->state == S_CONNECTING && now >= c->connect_deadline) {
                connect_failed(c, ETIMEDOUT);
            }
            arm(0);
            alarmed = 0;
        }
    }
}
