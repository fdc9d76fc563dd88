/*
 * Test helper (compiled by EgressPumpTest with the build's C compiler): connects to the egress pump's socket and
 * passes it something that is not a client connection, as a hostile sandbox process could.
 *   send-fd SOCKET KIND   KIND: file | pipe | datagram | listening | two
 *   send-fd SOCKET blocking 'CONNECT host:port HTTP/1.1'
 *       passes one end of a loopback TCP connection, sends the CONNECT on the other and waits for the 200; then
 *       clears O_NONBLOCK on the passed end (its open file description is shared with the pump), sends one tunnel
 *       byte, and keeps clearing the flag for 8 s: the pump reads the byte, and its next read blocks.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 3 && argc != 4) {
        return 64;
    }
    int blocking = strcmp(argv[2], "blocking") == 0;
    int fds[2];
    int n = 1;
    if (strcmp(argv[2], "file") == 0) {
        fds[0] = open("/dev/null", O_RDWR);
    } else if (strcmp(argv[2], "pipe") == 0) {
        if (pipe(fds) < 0) {
            return 1;
        }
    } else if (strcmp(argv[2], "datagram") == 0) {
        fds[0] = socket(AF_INET, SOCK_DGRAM, 0);
    } else if (strcmp(argv[2], "listening") == 0) {
        fds[0] = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        if (bind(fds[0], (struct sockaddr *) &a, sizeof a) < 0 || listen(fds[0], 1) < 0) {
            return 1;
        }
    } else if (blocking) {
        /* TCP: splice(2) from a TCP socket blocks unless the file is O_NONBLOCK (unlike a Unix socket). */
        int l = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t alen = sizeof a;
        if (argc != 4 || l < 0 || bind(l, (struct sockaddr *) &a, sizeof a) < 0 || listen(l, 1) < 0
                || getsockname(l, (struct sockaddr *) &a, &alen) < 0) {
            return 64;
        }
        fds[0] = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(fds[0], (struct sockaddr *) &a, sizeof a) < 0 || (fds[1] = accept(l, NULL, NULL)) < 0) {
            return 1;
        }
        close(l);
    } else if (strcmp(argv[2], "two") == 0) {
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) < 0) {
            return 1;
        }
        n = 2;
    } else {
        return 64;
    }
    int u = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strncpy(sa.sun_path, argv[1], sizeof sa.sun_path - 1);
    if (u < 0 || connect(u, (struct sockaddr *) &sa, sizeof sa) < 0) {
        perror("connect");
        return 1;
    }
    char byte = 'F';
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    char ctl[CMSG_SPACE(2 * sizeof(int))];
    memset(ctl, 0, sizeof ctl);
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = CMSG_SPACE(n * sizeof(int))};
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(n * sizeof(int));
    memcpy(CMSG_DATA(cm), fds, n * sizeof(int));
    if (sendmsg(u, &msg, 0) != 1) {
        perror("sendmsg");
        return 1;
    }
    if (blocking) {
        char head[512];
        snprintf(head, sizeof head, "%s\r\n\r\n", argv[3]);
        if (write(fds[1], head, strlen(head)) < 0) {
            return 1;
        }
        char reply[256];
        size_t got = 0;
        while (got < sizeof reply - 1) { /* the pump has taken the descriptor once the 200 arrives */
            ssize_t r = read(fds[1], reply + got, 1);
            if (r <= 0) {
                return 3;
            }
            got++;
            reply[got] = 0;
            if (got >= 4 && strcmp(reply + got - 4, "\r\n\r\n") == 0) {
                break;
            }
        }
        fcntl(fds[0], F_SETFL, 0);
        if (write(fds[1], "x", 1) != 1) {
            return 1;
        }
        for (int i = 0; i < 8000; i++) {
            fcntl(fds[0], F_SETFL, 0);
            struct timespec ms = {0, 1000000};
            nanosleep(&ms, NULL);
        }
        return 0;
    }
    /* Wait for the pump to close the connection: it must refuse, not serve. */
    char b[64];
    ssize_t r = read(u, b, sizeof b);
    return r == 0 ? 0 : 2;
}
