/*
 * tcp.h - TCP connections to "ADDRESS:PORT", with a deadline.
 */
#ifndef MAILSEAL_TCP_H
#define MAILSEAL_TCP_H

#include <stddef.h>

/* tcp_split - "ADDRESS:PORT" or "[ADDRESS]:PORT" (an IPv6 literal)
 * into host (hostsz bytes, the brackets removed) and *port (pointing
 * into hp): 0, or -1 */
int	tcp_split(const char *, char *, size_t, const char **);

/* tcp_connect - a connected, non-blocking, close-on-exec TCP socket to
 * hostport, each of its addresses tried in turn, all within timeout
 * seconds: the socket, or -1 with err saying why */
int	tcp_connect(const char *, unsigned int, char *, size_t);

#endif
