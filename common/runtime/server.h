/* The command server every daemon runs: a ROUTER socket for commands, a PUB
 * socket for events, one LMDB store, and a single-threaded poll loop.
 *
 * Group commit: each turn of the loop takes every request already waiting
 * (up to batch_max), runs each in its own nested transaction inside one
 * write transaction, commits once (one fsync), then replies to all and
 * publishes their events. A request is acknowledged only after that commit.
 *
 * Requests are checked in this order before a handler runs: size limit
 * (before decoding; the reply still carries the request id), envelope
 * decode, the envelope's text (UTF-8, no NUL) and id lengths, protocol
 * version, known command, the body's text at every depth, body decode.
 * Each failure gets an INVALID_ARGUMENT (or NOT_FOUND for an unknown
 * command) reply naming the field; nothing from outside can stop the loop.
 * Every string a reply or event carries is valid UTF-8 (wire_text.h).
 *
 * Write commands are idempotent per (client_id, request_no): the reply is
 * stored in the same transaction and resent for a retried request. */
#ifndef THUKY_SERVER_H
#define THUKY_SERVER_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "runtime/config.h"
#include "runtime/eventlog.h"
#include "runtime/store.h"
#include "runtime/subscriber.h"
#include "thuky/envelope.pb-c.h"

typedef struct server server_t;

/* Longest client_id (the idempotency key) and request_id accepted. */
#define SERVER_MAX_CLIENT_ID 255
#define SERVER_MAX_REQUEST_ID 255

/* What a handler sees of one request. */
typedef struct {
    server_t *server;
    store_txn_t *txn;       /* a nested write transaction for this request */
    const char *caller;     /* the authenticated caller: login or [client:NAME] */
    role_t role;            /* one of the command's roles */
    const char *office;     /* role office: the caller's office */
    int64_t now_ms;         /* the daemon clock, fixed for the whole batch */
    lang_t lang;            /* the caller's: server_fail translates into it */
    void *service;          /* the service's own context */
    Thuky__StatusCode code;
    char message[512];
    uint8_t *reply_body;    /* set by server_reply */
    size_t reply_len;
} server_call_t;

typedef void (*command_fn)(server_call_t *call, const ProtobufCMessage *request);

enum {
    COMMAND_WRITE = 1 << 0,   /* changes state: deduplicated, reply stored */
    /* The gateway may run this write on behalf of an office (Request.on_behalf):
     * it then runs as that office, with the office role's checks. */
    COMMAND_GATEWAY = 1 << 1,
    /* Its reply shows a secret once (a new token): the reply stored for a
     * retry is a CONFLICT without it, so no store keeps the secret. */
    COMMAND_SECRET = 1 << 2,
};

typedef struct {
    const char *name;                           /* "task.add" */
    const ProtobufCMessageDescriptor *request;  /* body type; NULL = no body */
    command_fn handler;
    unsigned flags;
    unsigned roles;   /* role_t bits that may run it; others get PERMISSION_DENIED.
                       * A handler open to ROLE_OFFICE limits it to call->office.
                       * The gateway runs those open to ROLE_GATEWAY (reads) as
                       * itself, and as an office those open to ROLE_OFFICE that
                       * are reads or marked COMMAND_GATEWAY. */
} command_t;

typedef struct {
    service_id_t id;
    /* The whole configuration; SIGHUP rereads its file and updates in place
     * what can change while running (config_reload), then calls reloaded. */
    config_t *settings;
    void (*reloaded)(server_t *server, void *service);
    const config_service_t *config;
    const command_t *commands;
    size_t command_count;
    void *service;
    /* Databases the server itself uses, opened by the service with the
     * rest of its store: the event log (whose identity lives in meta),
     * stored replies and their time index. */
    MDB_dbi events_dbi, meta_dbi, replies_dbi, replies_time_dbi;
} server_options_t;

/* A socket the loop polls besides its own (e.g. a subscription). */
typedef void (*server_reader_fn)(server_t *server, void *socket, void *arg);
/* Periodic work; returns milliseconds until it wants to run again. */
typedef int64_t (*server_timer_fn)(server_t *server, void *arg);

/* Binds the endpoints; NULL with a one-line reason on failure. */
server_t *server_new(void *zmq_ctx, store_t *store, const server_options_t *options, char *why,
                     size_t why_len);
void server_destroy(server_t **self_p);
void server_add_reader(server_t *self, void *socket, server_reader_fn fn, void *arg);
/* The same for a file descriptor (e.g. an HTTP server's epoll set); fn gets
 * a NULL socket. */
void server_add_fd_reader(server_t *self, int fd, server_reader_fn fn, void *arg);
void server_add_timer(server_t *self, server_timer_fn fn, void *arg);
/* Runs every timer at the next turn of the loop (its plan changed, or the
 * test clock moved). */
void server_wake_timers(server_t *self);
/* Runs until SIGTERM or SIGINT (handled here: a self-pipe wakes the poll,
 * so a signal is never missed between two polls). The batch in hand is
 * committed and answered before it returns. SIGHUP reloads. Tells systemd
 * READY=1 when it starts, pings its watchdog from the loop, and says
 * STOPPING=1 on the way out. */
void server_run(server_t *self);

/* One request handled in-process, by the same path a message from the
 * ROUTER socket takes (size limit, decode, role, command, commit), for a
 * caller with role and office: for fuzzing and tests. Returns the length of
 * the packed Reply put in *reply (malloc'ed; the caller frees it). */
size_t server_dispatch(server_t *self, const void *data, size_t size, role_t role,
                       const char *office, uint8_t **reply);

/* Reports the subscriber's progress in the status reply. */
void server_add_subscription(server_t *self, subscriber_t *subscriber);

eventlog_t *server_eventlog(server_t *self);
service_id_t server_service_id(const server_t *self);
store_t *server_store(server_t *self);
void server_add_counter(server_t *self, const char *name, uint64_t delta);
/* A gauge: the counter's value is set, not added to (name must outlive the server). */
void server_set_counter(server_t *self, const char *name, uint64_t value);

/* Sets the reply to a packed copy of msg (status OK). */
void server_reply(server_call_t *call, const ProtobufCMessage *msg);
/* Sets an error status; the request's changes are rolled back. */
void server_fail(server_call_t *call, Thuky__StatusCode code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* For a caller with role office: the office its query is limited to (a
 * request naming another office fails with PERMISSION_DENIED, and NULL is
 * returned). For other roles: requested, unchanged. what ("tasks") is
 * English marked N_(): the message translates it into the caller's
 * language. */
const char *server_scope_office(server_call_t *call, const char *requested, const char *what);
/* Fails with PERMISSION_DENIED unless the caller is not an office or is
 * one of the offices given; returns whether it may go on. what, as for
 * server_scope_office. */
bool server_office_may(server_call_t *call, const char *what, const char *const *offices,
                       size_t count);

/* Appends an event to the log within the request's transaction. */
uint64_t server_emit(server_call_t *call, Thuky__Event *event);

const char *server_status_name(Thuky__StatusCode code);

#endif
