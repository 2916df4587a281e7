/*
 * tcp.c - TCP connections to "ADDRESS:PORT" (tcp.h): the address a
 * numeric IPv4 or IPv6 one ("[::1]:10026") or a name the resolver
 * knows, the port a number; the connect is non-blocking and waited for
 * with poll(2) until the deadline, so an address that drops our SYN
 * cannot hold the caller.  TCP_NODELAY: callers write whole buffers.
 */
#include <config.h>

#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tcp.h"

/* tcp_now - a monotonic clock in milliseconds */
static long long
tcp_now(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* tcp_split - see tcp.h */
int
tcp_split(const char *hp, char *host, size_t hostsz, const char **port)
{
	const char *h = hp, *he, *colon;

	if (*hp == '[') {
		if ((he = strchr(hp, ']')) == NULL || he[1] != ':')
			return -1;
		h = hp + 1;
		colon = he + 1;
	} else {
		if ((colon = strrchr(hp, ':')) == NULL)
			return -1;
		he = colon;
	}
	if (he == h || (size_t)(he - h) >= hostsz || colon[1] == '\0')
		return -1;
	memcpy(host, h, (size_t)(he - h));
	host[he - h] = '\0';
	*port = colon + 1;
	return 0;
}

/* tcp_connect1 - a non-blocking connect to ai, done by until (ms):
 * the socket, or -1 (errno) */
static int
tcp_connect1(const struct addrinfo *ai, long long until)
{
	struct pollfd p;
	socklen_t sl = sizeof(int);
	long long left;
	int fd, e = 0, n, one = 1;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd == -1)
		return -1;
	/* our writes are whole buffers: no wait for the ACK of the last */
	if (ai->ai_protocol == IPPROTO_TCP || ai->ai_protocol == 0)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof one);
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS && errno != EINTR)
		goto fail;
	for (;;) {
		if ((left = until - tcp_now()) <= 0) {
			errno = ETIMEDOUT;
			goto fail;
		}
		p.fd = fd;
		p.events = POLLOUT;
		p.revents = 0;
		n = poll(&p, 1, left > 60000 ? 60000 : (int)left);
		if (n == -1 && errno != EINTR)
			goto fail;
		if (n > 0)
			break;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &sl) == -1)
		goto fail;
	if (e == 0)
		return fd;
	errno = e;
fail:
	e = errno;
	(void)close(fd);
	errno = e;
	return -1;
}

/* tcp_connect - see tcp.h */
int
tcp_connect(const char *hostport, unsigned int t, char *err, size_t errsz)
{
	struct addrinfo hints, *res, *ai;
	char host[NI_MAXHOST];
	const char *port;
	long long until;
	int fd = -1, e, eno = 0;

	if (tcp_split(hostport, host, sizeof host, &port) == -1) {
		(void)snprintf(err, errsz, "not ADDRESS:PORT");
		return -1;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((e = getaddrinfo(host, port, &hints, &res)) != 0) {
		(void)snprintf(err, errsz, "%s", gai_strerror(e));
		return -1;
	}
	until = tcp_now() + (long long)t * 1000;
	for (ai = res; ai != NULL && fd == -1; ai = ai->ai_next)
		if ((fd = tcp_connect1(ai, until)) == -1)
			eno = errno;
	freeaddrinfo(res);
	if (fd == -1)
		(void)snprintf(err, errsz, "cannot connect: %s",
		    strerror(eno));
	return fd;
}
