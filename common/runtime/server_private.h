/* What the server's files share. They call one way: server.c (setup and
 * loop) -> server_request.c (one request's path) -> server_builtins.c (the
 * commands every daemon answers) -> server_call.c (what handlers use).
 * Not for use outside common/runtime/server*.c. */
#ifndef THUKY_SERVER_PRIVATE_H
#define THUKY_SERVER_PRIVATE_H

#include "runtime/access.h"
#include "runtime/connections.h"
#include "runtime/server.h"

#define SERVER_MAX_READERS 12
#define SERVER_MAX_TIMERS 12
#define SERVER_MAX_COUNTERS 24
#define SERVER_MAX_SUBSCRIPTIONS 4
#define SERVER_MAX_IDENTITY 256
#define SERVER_GROW_ATTEMPTS 8
#define SERVER_HEARTBEAT_MS 1000
#define SERVER_READER_CHECK_MS 1000
#define SERVER_REPLY_KEEP_MS (7LL * 24 * 3600 * 1000)
/* Requests up to this size (or twice max_message, if larger) are read and
 * answered INVALID_ARGUMENT when over max_message; past it libzmq closes
 * the connection before buffering the message. */
#define SERVER_HARD_CAP_MIN (32LL << 20)
/* Messages queued each way for one command client: a client waits for its
 * reply (a pipelining one meets backpressure, and replies past it are
 * dropped, to be retried), so this only bounds what an idle one holds. */
#define SERVER_CLIENT_QUEUE 64
/* A connection that has not finished its handshake by then is closed: it
 * holds a slot of the connection bound (connections.h) meanwhile. */
#define SERVER_HANDSHAKE_MS 5000
/* The audit name of a gateway call: token, office, address, browser. */
#define SERVER_MAX_CALLER 512
#define SERVER_MAX_ON_BEHALF_TOKEN 64
#define SERVER_MAX_ON_BEHALF_ADDRESS 64
#define SERVER_MAX_ON_BEHALF_AGENT 256
#define THUKY_VERSION "0.1.0"

/* One request taken from the ROUTER socket, from arrival to reply. */
typedef struct {
    uint8_t identity[SERVER_MAX_IDENTITY];
    size_t identity_len;
    bool delimiter;             /* a REQ client sent an empty frame */
    identity_t who;             /* from the connection's ZAP answer; the office it
                                 * acts for when the gateway names one */
    char caller[SERVER_MAX_CALLER]; /* what the history records as the caller */
    Thuky__Request *request;    /* NULL once answered early */
    const command_t *command;
    ProtobufCMessage *body;
    uint8_t *reply;             /* packed Reply */
    size_t reply_len;
    /* the request id of a request refused before decoding (too large) */
    char early_id[SERVER_MAX_REQUEST_ID + 1];
    lang_t lang;   /* Request.language, else the installation's */
} pending_t;

typedef struct {
    void *socket;      /* a ZeroMQ socket, or NULL for a file descriptor */
    int fd;
    server_reader_fn fn;
    void *arg;
} reader_t;

typedef struct {
    server_timer_fn fn;
    void *arg;
    int64_t due_ms;             /* monotonic */
} timer_t_;

typedef struct {
    const char *name;
    uint64_t value;
} counter_t;

struct server {
    server_options_t options;
    store_t *store;
    void *router, *pub;
    connections_t *clients, *subscribers; /* on router and pub; NULL if unwatched */
    access_t *access;
    eventlog_t *eventlog;
    pending_t *batch;
    reader_t readers[SERVER_MAX_READERS];
    size_t reader_count;
    timer_t_ timers[SERVER_MAX_TIMERS];
    size_t timer_count;
    counter_t counters[SERVER_MAX_COUNTERS];
    size_t counter_count;
    subscriber_t *subscriptions[SERVER_MAX_SUBSCRIPTIONS];
    size_t subscription_count;
    int64_t started_ms;
    size_t last_batch;          /* requests in the last commit */
};

/* Takes every request waiting on the command socket, runs them as one
 * batch, replies (server_request.c). */
void server_handle_requests(server_t *self);
/* The built-in command of that name, or NULL (server_builtins.c). */
const command_t *server_builtin(const char *name);

#endif
