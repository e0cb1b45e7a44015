#include "runtime/connections.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "base/log.h"

struct connections {
    void *watched;  /* the socket counted */
    void *monitor;  /* PAIR connected to the socket's monitor */
    int *fds;       /* the open connections' descriptors */
    size_t count, cap;
};

connections_t *connections_new(void *zmq_ctx, void *socket, const char *name)
{
    char endpoint[96];
    snprintf(endpoint, sizeof endpoint, "inproc://thuky-connections-%s", name);
    if (zmq_socket_monitor(socket, endpoint, ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED) != 0) {
        log_warnx("cannot watch the connections of %s: %s", name, zmq_strerror(zmq_errno()));
        return NULL;
    }
    connections_t *self = xcalloc(1, sizeof *self);
    self->watched = socket;
    self->monitor = zmq_socket(zmq_ctx, ZMQ_PAIR);
    /* No high-water mark: libzmq's I/O thread sends the monitor's news
     * blocking, under a lock that stopping the monitor takes too; a full
     * pipe would stall it (and deadlock the stop). The loop reads the news
     * as it comes, so the pipe stays short. */
    int zero = 0;
    zmq_setsockopt(self->monitor, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(self->monitor, ZMQ_RCVHWM, &zero, sizeof zero);
    if (zmq_connect(self->monitor, endpoint) != 0) {
        log_warnx("cannot watch the connections of %s: %s", name, zmq_strerror(zmq_errno()));
        zmq_close(self->monitor);
        free(self);
        return NULL;
    }
    return self;
}

void connections_destroy(connections_t **self_p)
{
    connections_t *self = *self_p;
    if (!self)
        return;
    /* Read, stopped, then read to the end, before either socket closes: a
     * monitor message left in the pipe at close is never freed by libzmq. */
    connections_drain(self);
    zmq_socket_monitor(self->watched, NULL, 0);
    connections_drain(self);
    zmq_close(self->monitor);
    free(self->fds);
    free(self);
    *self_p = NULL;
}

static void s_forget(connections_t *self, int fd)
{
    for (size_t i = 0; i < self->count; i++)
        if (self->fds[i] == fd) {
            self->fds[i] = self->fds[--self->count];
            return;
        }
}

/* One monitor message: a frame of event (16 bits) and value (32 bits: the
 * descriptor for these two events), then a frame with the endpoint. */
static void s_apply(connections_t *self, const uint8_t *frame, size_t size)
{
    if (size < 6)
        return;
    uint16_t event;
    uint32_t value;
    memcpy(&event, frame, sizeof event);
    memcpy(&value, frame + 2, sizeof value);
    int fd = (int)value;
    s_forget(self, fd); /* a descriptor reused by a new connection is one */
    if (event == ZMQ_EVENT_ACCEPTED) {
        self->fds = xgrow(self->fds, self->count, &self->cap, sizeof *self->fds);
        self->fds[self->count++] = fd;
    }
}

void *connections_socket(connections_t *self) { return self->monitor; }

void connections_drain(connections_t *self)
{
    for (;;) {
        zmq_msg_t frame;
        zmq_msg_init(&frame);
        if (zmq_msg_recv(&frame, self->monitor, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&frame);
            break;
        }
        bool first = true;
        for (;;) {
            if (first)
                s_apply(self, zmq_msg_data(&frame), zmq_msg_size(&frame));
            first = false;
            bool more = zmq_msg_more(&frame);
            zmq_msg_close(&frame);
            if (!more)
                break;
            zmq_msg_init(&frame);
            if (zmq_msg_recv(&frame, self->monitor, 0) < 0) {
                zmq_msg_close(&frame);
                break;
            }
        }
    }
}

size_t connections_count(connections_t *self)
{
    connections_drain(self);
    return self->count;
}
