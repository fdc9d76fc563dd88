/*
 * Test helper (compiled by EgressPumpTest with the build's C compiler): connects to the egress pump's socket and
 * passes it something that is not a client connection, as a hostile sandbox process could.
 *   send-fd SOCKET KIND   KIND: file | pipe | datagram | listening | two
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        return 64;
    }
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
    /* Wait for the pump to close the connection: it must refuse, not serve. */
    char b[64];
    ssize_t r = read(u, b, sizeof b);
    return r == 0 ? 0 : 2;
}
