/* How many peers are connected to one listening socket, so that the
 * number can be bounded.
 *
 * Every connection to a PUB or ROUTER socket holds a queue of messages in
 * the daemon (up to the socket's high-water mark), and ZeroMQ sets no limit
 * on connections: fifty subscribers that never read once held 150 MiB.
 * So each socket is watched with a socket monitor (accepted and
 * disconnected, by file descriptor) and the ZAP handler (access.h) refuses
 * a connection that would go past the configured bound. */
#ifndef THUKY_CONNECTIONS_H
#define THUKY_CONNECTIONS_H

#include <stddef.h>

typedef struct connections connections_t;

/* Starts watching socket (before it is bound, so no connection is missed);
 * name makes the monitor's inproc endpoint unique. NULL when the monitor
 * cannot start (then nothing is counted and nothing refused). */
connections_t *connections_new(void *zmq_ctx, void *socket, const char *name);
/* Before the watched socket is closed. */
void connections_destroy(connections_t **self_p);

/* The monitor's socket, for the owner's poll loop: its news must be read
 * as it comes (connections_drain), or libzmq's I/O thread waits on it. */
void *connections_socket(connections_t *self);
void connections_drain(connections_t *self);

/* The connections open now, the one being admitted included: the monitor's
 * news is read first, so a connection is counted before its ZAP request. */
size_t connections_count(connections_t *self);

#endif
