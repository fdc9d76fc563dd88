/*
 * agentgate-egress-relay: the sandbox's only way out.
 *
 * Runs inside a container started with --network none. It listens on 127.0.0.1:PORT (the container's own
 * loopback) and forwards every accepted connection, byte for byte, to a Unix socket of Agent Gate on the host
 * (the egress proxy's, the tool gateway's), which is bind-mounted into the container. The host side decides;
 * the relay never does. Several PORT/PATH pairs (at most MAX_LISTENERS) share one process and one loop: a
 * connection accepted on a PORT goes to the PATH given with it.
 *
 *   agentgate-egress-relay --listen PORT --socket PATH [--pass-fd] [--listen PORT --socket PATH [--pass-fd]]...
 *                          [-- COMMAND [ARG...]]
 *
 * With --pass-fd a pair's connections are not relayed: each accepted client's descriptor is handed to PATH with
 * SCM_RIGHTS (the egress pump on the host takes it from there), and the relay is out of its byte path.
 * The same binary, started as "agentgate-egress-relay --pump ...", is that host-side pump (egress-pump.c).
 *
 * With a COMMAND it binds first (so the agent never races the relay), detaches the relay loop into a
 * grandchild (re-parented to the container's init: no stray child for the agent to wait for), then execs
 * COMMAND in its own process, so the agent keeps the pid, the signals and the exit status it would have had.
 * Without COMMAND it relays in the foreground (used by tests and the benchmark on the host).
 *
 *   agentgate-egress-relay --stdio PATH
 *
 * The stdio bridge (a separate mode, see stdio_bridge below): connects to the Unix socket PATH and carries this
 * process's stdin to it and its answers to stdout, so an agent's MCP client can start the relay as a stdio MCP server
 * and reach the tool gateway's stdio endpoint without HTTP. No parsing, no name resolution.
 *
 * One process, one poll loop, bounded: at most MAX_PAIRS connections over all listeners, one pipe per direction moving bytes
 * with splice(2) (no copy through user space), or a fixed buffer where splice is unavailable.
 * Built static (gcc -static) so it runs in any Linux image of the same architecture; uses no name
 * resolution and no dynamic loading.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>

#define MAX_PAIRS 64
#define MAX_LISTENERS 4
#define BUF_SIZE (128 * 1024)
#define PUMP_ROUNDS 16

struct half {
    int pipe[2];  /* splice(2) path: socket -> pipe -> socket, no copy through user space; -1 when unused */
    size_t cap;   /* pipe capacity */
    char buf[BUF_SIZE]; /* read/write path, when splice is unavailable (its pages are touched only then) */
    size_t len;   /* bytes waiting to be written (in buf or in the pipe) */
    size_t off;   /* write offset into buf */
    int eof;      /* reader saw EOF */
    int shut;     /* writer side shut down after EOF */
};

struct pair {
    int client;           /* TCP connection from the agent */
    int upstream;         /* Unix socket connection to the proxy */
    struct half up;       /* client -> upstream */
    struct half down;     /* upstream -> client */
};

struct listener {
    int fd;               /* listening TCP socket on 127.0.0.1:port */
    long port;
    const char *socket;   /* the Unix socket its connections go to */
    int pass_fd;          /* hand each accepted connection's descriptor to the socket (SCM_RIGHTS) instead of relaying */
};

static struct pair *pairs[MAX_PAIRS];
static struct listener listeners[MAX_LISTENERS];
static int n_listeners;

static void die(const char *what) {
    fprintf(stderr, "agentgate-egress-relay: %s: %s\n", what, strerror(errno));
    exit(111);
}

static void usage(void) {
    fprintf(stderr, "usage: agentgate-egress-relay --listen PORT --socket PATH [--pass-fd] [--listen PORT --socket PATH"
            " [--pass-fd]]... [-- COMMAND [ARG...]]\n(at most %d pairs, each PORT once)\n"
            "       agentgate-egress-relay --stdio PATH\n"
            "       agentgate-egress-relay --pump ... (host side, see egress-pump.c)\n", MAX_LISTENERS);
    exit(64);
}

static void close_half(struct half *h) {
    if (h->pipe[0] >= 0) {
        close(h->pipe[0]);
        close(h->pipe[1]);
        h->pipe[0] = h->pipe[1] = -1;
    }
}

static void open_half(struct half *h) {
    h->pipe[0] = h->pipe[1] = -1;
    if (pipe2(h->pipe, O_NONBLOCK | O_CLOEXEC) < 0) {
        h->pipe[0] = h->pipe[1] = -1;
        return;
    }
    fcntl(h->pipe[1], F_SETPIPE_SZ, BUF_SIZE); /* best effort; the real size is read back */
    int cap = fcntl(h->pipe[1], F_GETPIPE_SZ);
    if (cap <= 0) {
        close_half(h);
        return;
    }
    h->cap = (size_t) cap;
}

static void close_pair(int i) {
    struct pair *p = pairs[i];
    close_half(&p->up);
    close_half(&p->down);
    close(p->client);
    close(p->upstream);
    free(p);
    pairs[i] = NULL;
}

static int open_upstream(const char *path) {
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof sa.sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        return -1;
    }
    /* A local connect completes at once, or fails: the proxy is gone (ECONNREFUSED, ENOENT) or its backlog is
       full (EAGAIN). Never block the loop that serves every other connection. */
    if (connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/*
 * Moves bytes for one direction: read when the buffer is empty, write what is buffered, and repeat while both
 * sides keep up (at most PUMP_ROUNDS times, so one busy connection cannot starve the others); back to poll on
 * EAGAIN. Returns -1 when the pair must be closed.
 */
static int pump(int from, int to, struct half *h, short rev_from, short rev_to) {
    int may_read = (rev_from & (POLLIN | POLLHUP | POLLERR)) != 0;
    int may_write = (rev_to & POLLOUT) != 0 || h->len > 0;
    for (int round = 0; round < PUMP_ROUNDS; round++) {
        int progressed = 0;
        if (may_read && !h->eof && h->len == 0) {
            ssize_t n;
            if (h->pipe[0] >= 0) {
                n = splice(from, NULL, h->pipe[1], NULL, h->cap, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
                if (n < 0 && (errno == EINVAL || errno == ENOSYS)) {
                    close_half(h); /* this kind of descriptor cannot splice: copy instead, from now on */
                    continue;
                }
            } else {
                n = read(from, h->buf, sizeof h->buf);
                h->off = 0;
            }
            if (n > 0) {
                h->len = (size_t) n;
                progressed = 1;
                may_write = 1;
            } else if (n == 0) {
                h->eof = 1;
            } else if (errno == EAGAIN || errno == EINTR) {
                may_read = 0;
            } else {
                return -1;
            }
        }
        if (h->len > 0 && may_write) {
            ssize_t n = h->pipe[0] >= 0
                    ? splice(h->pipe[0], NULL, to, NULL, h->len, SPLICE_F_MOVE | SPLICE_F_NONBLOCK)
                    : write(to, h->buf + h->off, h->len);
            if (n > 0) {
                h->off += (size_t) n;
                h->len -= (size_t) n;
                progressed = h->len == 0;
            } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                return -1;
            } else {
                may_write = 0;
            }
        }
        if (!progressed) {
            break;
        }
    }
    if (h->eof && h->len == 0 && !h->shut) {
        shutdown(to, SHUT_WR);
        h->shut = 1;
    }
    return 0;
}

/*
 * --pass-fd: sends the accepted client's descriptor to the host side (the egress pump) with SCM_RIGHTS and one
 * byte, then closes both copies: the relay is out of that connection's byte path. On any failure the client is
 * closed (the agent sees a reset), as when the host side is gone.
 */
static void pass_one(const struct listener *l, int c) {
    int u = open_upstream(l->socket);
    if (u >= 0) {
        char byte = 'F';
        struct iovec iov = {.iov_base = &byte, .iov_len = 1};
        union {
            struct cmsghdr align;
            char buf[CMSG_SPACE(sizeof(int))];
        } ctl;
        memset(&ctl, 0, sizeof ctl);
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
        struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &c, sizeof(int));
        (void) sendmsg(u, &msg, MSG_NOSIGNAL | MSG_DONTWAIT); /* a fresh local socket: room for one byte */
        close(u);
    }
    close(c);
}

/* Accepts one client on listener l and pairs it with a new connection to that listener's socket. */
static void accept_one(const struct listener *l) {
    int c = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (c < 0) {
        return;
    }
    if (l->pass_fd) {
        int one = 1;
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        pass_one(l, c);
        return;
    }
    int slot = -1;
    for (int i = 0; i < MAX_PAIRS; i++) {
        if (!pairs[i]) {
            slot = i;
            break;
        }
    }
    int u = slot < 0 ? -1 : open_upstream(l->socket);
    struct pair *p = u < 0 ? NULL : calloc(1, sizeof *p);
    if (!p) {
        /* No host side (or no room): refuse this client by closing; the agent sees a reset. */
        if (u >= 0) {
            close(u);
        }
        close(c);
        return;
    }
    int one = 1;
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    p->client = c;
    p->upstream = u;
    open_half(&p->up);
    open_half(&p->down);
    pairs[slot] = p;
}

static void relay_loop(void) {
    struct pollfd fds[MAX_LISTENERS + 2 * MAX_PAIRS];
    int owner[MAX_LISTENERS + 2 * MAX_PAIRS];
    signal(SIGPIPE, SIG_IGN);
    for (;;) {
        int n = 0;
        int active = 0;
        for (int i = 0; i < MAX_PAIRS; i++) {
            if (pairs[i]) {
                active++;
            }
        }
        for (int l = 0; l < n_listeners; l++) {
            fds[n].fd = listeners[l].fd;
            fds[n].events = active < MAX_PAIRS ? POLLIN : 0; /* at the cap, new clients wait in the backlog */
            owner[n++] = -1;
        }
        for (int i = 0; i < MAX_PAIRS; i++) {
            struct pair *p = pairs[i];
            if (!p) {
                continue;
            }
            /* A descriptor with nothing to wait for is left out (fd -1): poll reports POLLHUP whether asked or
               not, and a peer that has hung up must not make the loop spin while the other side drains. */
            short ce = (short) ((!p->up.eof && p->up.len == 0 ? POLLIN : 0) | (p->down.len ? POLLOUT : 0));
            short ue = (short) ((!p->down.eof && p->down.len == 0 ? POLLIN : 0) | (p->up.len ? POLLOUT : 0));
            fds[n].fd = ce ? p->client : -1;
            fds[n].events = ce;
            owner[n++] = i;
            fds[n].fd = ue ? p->upstream : -1;
            fds[n].events = ue;
            owner[n++] = i;
        }
        if (poll(fds, (nfds_t) n, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            die("poll");
        }
        for (int l = 0; l < n_listeners; l++) {
            if (fds[l].revents & POLLIN) {
                accept_one(&listeners[l]);
            }
        }
        for (int k = n_listeners; k < n; k += 2) {
            int i = owner[k];
            struct pair *p = pairs[i];
            if (!p) {
                continue;
            }
            short rc = fds[k].revents;
            short ru = fds[k + 1].revents;
            /* The proxy ends an exchange by closing its side: once that EOF is passed on, the pair is done. */
            if (pump(p->client, p->upstream, &p->up, rc, ru) < 0 || pump(p->upstream, p->client, &p->down, ru, rc) < 0
                    || p->down.shut
                    || ((rc | ru) & POLLERR)) {
                close_pair(i);
            }
        }
    }
}

static long parse_port(const char *text) {
    char *end;
    long port = strtol(text, &end, 10);
    if (*end || end == text || port < 1 || port > 65535) {
        usage();
    }
    return port;
}

static int bind_loopback(long port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        die("socket");
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short) port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
        fprintf(stderr, "agentgate-egress-relay: bind 127.0.0.1:%ld: %s\n", port, strerror(errno));
        exit(111);
    }
    if (listen(fd, 128) < 0) {
        die("listen");
    }
    return fd;
}

#define STDIO_BUF (64 * 1024)

/*
 * --stdio PATH: one connection to the Unix socket PATH, stdin -> socket and socket -> stdout, in one poll loop with
 * one bounded buffer per direction. stdin's EOF half-closes the socket (shutdown SHUT_WR) and the loop keeps draining
 * the answers; the socket's EOF ends the bridge (the far side is gone, nothing more can be carried), as does any
 * error. stdin and stdout are the caller's descriptors, so they stay blocking: each is read or written only after
 * poll reports it ready. Exit status 0 after a clean end, 111 when the socket cannot be reached or fails.
 */
static int stdio_bridge(const char *path) {
    signal(SIGPIPE, SIG_IGN);
    int s = open_upstream(path);
    if (s < 0) {
        fprintf(stderr, "agentgate-egress-relay: cannot connect to %s: %s\n", path, strerror(errno));
        return 111;
    }
    static char up[STDIO_BUF], down[STDIO_BUF];
    size_t up_len = 0, up_off = 0, down_len = 0, down_off = 0;
    int in_eof = 0, up_shut = 0;
    for (;;) {
        struct pollfd f[3];
        /* f[0] stdin (read), f[1] socket (read and/or write), f[2] stdout (write); fd -1 when nothing to wait for. */
        f[0].fd = !in_eof && up_len == 0 ? STDIN_FILENO : -1;
        f[0].events = POLLIN;
        f[1].fd = s;
        f[1].events = (short) ((down_len == 0 ? POLLIN : 0) | (up_len ? POLLOUT : 0));
        f[2].fd = down_len ? STDOUT_FILENO : -1;
        f[2].events = POLLOUT;
        f[0].revents = f[1].revents = f[2].revents = 0;
        if (f[1].events == 0) {
            f[1].fd = -1;
        }
        if (poll(f, 3, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            perror("agentgate-egress-relay: poll");
            return 111;
        }
        if (f[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = read(STDIN_FILENO, up, sizeof up);
            if (n > 0) {
                up_len = (size_t) n;
                up_off = 0;
            } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                in_eof = 1; /* a broken stdin ends the requests like an EOF */
            }
        }
        if (up_len && (f[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t n = write(s, up + up_off, up_len);
            if (n > 0) {
                up_off += (size_t) n;
                up_len -= (size_t) n;
            } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                perror("agentgate-egress-relay: write to socket");
                return 111;
            }
        }
        if (in_eof && up_len == 0 && !up_shut) {
            shutdown(s, SHUT_WR);
            up_shut = 1;
        }
        if (down_len == 0 && (f[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t n = read(s, down, sizeof down);
            if (n > 0) {
                down_len = (size_t) n;
                down_off = 0;
            } else if (n == 0) {
                close(s);
                return 0;
            } else if (errno != EAGAIN && errno != EINTR) {
                perror("agentgate-egress-relay: read from socket");
                return 111;
            }
        }
        if (down_len && (f[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t n = write(STDOUT_FILENO, down + down_off, down_len);
            if (n > 0) {
                down_off += (size_t) n;
                down_len -= (size_t) n;
            } else if (n < 0 && errno != EINTR && errno != EAGAIN) {
                return 0; /* the reader of our answers is gone: nothing more to do */
            }
        }
    }
}

int pump_main(int argc, char **argv); /* egress-pump.c */

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "--stdio") == 0) {
        if (argc != 3 || argv[2][0] == 0) {
            usage();
        }
        return stdio_bridge(argv[2]);
    }
    if (argc > 1 && strcmp(argv[1], "--pump") == 0) {
        return pump_main(argc, argv);
    }
    int cmd = -1;
    int pass[MAX_LISTENERS] = {0};
    /* Pairs in order: each --listen takes the next --socket. */
    long ports[MAX_LISTENERS];
    const char *sockets[MAX_LISTENERS];
    int n_ports = 0;
    int n_sockets = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            cmd = i + 1;
            break;
        } else if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
            if (n_ports != n_sockets || n_ports == MAX_LISTENERS) {
                usage();
            }
            ports[n_ports++] = parse_port(argv[++i]);
        } else if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc) {
            if (n_sockets + 1 != n_ports || argv[i + 1][0] == 0) {
                usage();
            }
            sockets[n_sockets++] = argv[++i];
        } else if (strcmp(argv[i], "--pass-fd") == 0) {
            if (n_sockets == 0 || n_sockets != n_ports || pass[n_sockets - 1]) {
                usage();
            }
            pass[n_sockets - 1] = 1;
        } else {
            usage();
        }
    }
    if (n_ports == 0 || n_ports != n_sockets || (cmd >= 0 && cmd >= argc)) {
        usage();
    }
    for (int a = 0; a < n_ports; a++) {
        for (int b = 0; b < a; b++) {
            if (ports[a] == ports[b]) {
                usage();
            }
        }
    }
    /* Bind every port before anything runs: a port that cannot be bound stops the container at once. */
    for (int l = 0; l < n_ports; l++) {
        listeners[l].fd = bind_loopback(ports[l]);
        listeners[l].port = ports[l];
        listeners[l].socket = sockets[l];
        listeners[l].pass_fd = pass[l];
    }
    n_listeners = n_ports;

    if (cmd < 0) {
        relay_loop();
        return 0;
    }

    pid_t child = fork();
    if (child < 0) {
        die("fork");
    }
    if (child == 0) {
        if (setsid() < 0) {
            /* not fatal: only detaches from the agent's session */
        }
        pid_t grandchild = fork();
        if (grandchild < 0) {
            _exit(111);
        }
        if (grandchild > 0) {
            _exit(0);
        }
        /* The relay: keep only what it needs. */
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, STDIN_FILENO);
            dup2(devnull, STDOUT_FILENO);
            if (devnull > STDERR_FILENO) {
                close(devnull);
            }
        }
        relay_loop();
        _exit(0);
    }
    int status;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    for (int l = 0; l < n_listeners; l++) {
        close(listeners[l].fd);
    }
    execvp(argv[cmd], &argv[cmd]);
    fprintf(stderr, "agentgate-egress-relay: cannot run %s: %s\n", argv[cmd], strerror(errno));
    return 127;
}
