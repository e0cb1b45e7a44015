#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <poll.h>
#include <time.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <zmq.h>

#include "access.h"
#include "curve.h"
#include "clock.h"
#include "connections.h"
#include "keys.h"
#include "log.h"
#include "paths.h"
#include "proto_clean.h"
#include "secret.h"
#include "subscriber.h"
#include "utf8.h"
#include "wire_text.h"

#define SERVER_MAX_READERS 12
#define SERVER_MAX_TIMERS 8
#define SERVER_MAX_COUNTERS 16
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
#define THUKY_VERSION "0.1.0"

/* One request taken from the ROUTER socket, from arrival to reply. */
typedef struct {
    uint8_t identity[SERVER_MAX_IDENTITY];
    size_t identity_len;
    bool delimiter;             /* a REQ client sent an empty frame */
    identity_t who;             /* from the connection's ZAP answer */
    Thuky__Request *request;    /* NULL once answered early */
    const command_t *command;
    ProtobufCMessage *body;
    uint8_t *reply;             /* packed Reply */
    size_t reply_len;
    /* the request id of a request refused before decoding (too large) */
    char early_id[SERVER_MAX_REQUEST_ID + 1];
} pending_t;

typedef struct {
    void *socket;
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

static void s_builtin_status(server_call_t *call, const ProtobufCMessage *request);
static void s_builtin_events_read(server_call_t *call, const ProtobufCMessage *request);
static void s_builtin_clock(server_call_t *call, const ProtobufCMessage *request);
static void s_builtin_resync(server_call_t *call, const ProtobufCMessage *request);

static const command_t s_builtins[] = {
    {"status", NULL, s_builtin_status, 0, ROLES_ANY},
    {"events.read", &thuky__events_read_request__descriptor, s_builtin_events_read, 0,
     ROLE_ADMIN | ROLE_READER},
    {"clock.set", &thuky__clock_request__descriptor, s_builtin_clock, 0, ROLE_ADMIN},
    {"clock.advance", &thuky__clock_request__descriptor, s_builtin_clock, 0, ROLE_ADMIN},
    {"subscription.resync", &thuky__resync_request__descriptor, s_builtin_resync, COMMAND_WRITE,
     ROLE_ADMIN},
};

const char *server_status_name(Thuky__StatusCode code)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&thuky__status_code__descriptor, (int)code);
    return v ? v->name : "UNKNOWN";
}

void server_add_subscription(server_t *self, subscriber_t *subscriber)
{
    if (self->subscription_count == SERVER_MAX_SUBSCRIPTIONS)
        fatalx("more than %d subscriptions", SERVER_MAX_SUBSCRIPTIONS);
    self->subscriptions[self->subscription_count++] = subscriber;
}

void server_set_counter(server_t *self, const char *name, uint64_t value)
{
    for (size_t i = 0; i < self->counter_count; i++)
        if (strcmp(self->counters[i].name, name) == 0) {
            self->counters[i].value = value;
            return;
        }
    server_add_counter(self, name, value);
}

void server_add_counter(server_t *self, const char *name, uint64_t delta)
{
    for (size_t i = 0; i < self->counter_count; i++) {
        if (strcmp(self->counters[i].name, name) == 0) {
            self->counters[i].value += delta;
            return;
        }
    }
    if (self->counter_count < SERVER_MAX_COUNTERS)
        self->counters[self->counter_count++] = (counter_t){name, delta};
}

/* ---- replies --------------------------------------------------------- */

static void s_pack_reply(pending_t *p, const char *request_id, Thuky__StatusCode code,
                         const char *message, const uint8_t *body, size_t body_len)
{
    Thuky__Status status = THUKY__STATUS__INIT;
    status.code = code;
    status.message = (char *)message;
    Thuky__Reply reply = THUKY__REPLY__INIT;
    reply.protocol = THUKY__PROTOCOL__PROTOCOL_CURRENT;
    reply.request_id = (char *)(request_id ? request_id : "");
    reply.status = &status;
    reply.body.data = (uint8_t *)body;
    reply.body.len = body_len;
    free(p->reply);
    p->reply_len = thuky__reply__get_packed_size(&reply);
    p->reply = xmalloc(p->reply_len);
    thuky__reply__pack(&reply, p->reply);
    /* the request id and a message quoting the request may hold anything */
    wire_text_scrub(&thuky__reply__descriptor, p->reply, p->reply_len);
}

static void s_send_reply(server_t *self, pending_t *p)
{
    if (!p->reply)
        return;
    int flags = ZMQ_DONTWAIT;
    bool ok = zmq_send(self->router, p->identity, p->identity_len, flags | ZMQ_SNDMORE) >= 0;
    if (ok && p->delimiter)
        ok = zmq_send(self->router, "", 0, flags | ZMQ_SNDMORE) >= 0;
    if (ok)
        ok = zmq_send(self->router, p->reply, p->reply_len, flags) >= 0;
    if (!ok) /* the client vanished or is not reading; it will retry */
        log_debug("reply not delivered: %s", zmq_strerror(zmq_errno()));
}

static void s_pending_clear(pending_t *p)
{
    if (p->request)
        thuky__request__free_unpacked(p->request, NULL);
    if (p->body)
        protobuf_c_message_free_unpacked(p->body, NULL);
    free(p->reply);
    memset(p, 0, sizeof *p);
}

/* Answers a request that never reached a handler: the reply is packed into
 * p; the caller sends it and clears p (s_send_rejected). */
static void s_reject(server_t *self, pending_t *p, Thuky__StatusCode code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void s_reject(server_t *self, pending_t *p, Thuky__StatusCode code, const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    s_pack_reply(p, p->request ? p->request->request_id : p->early_id, code, message, NULL, 0);
    server_add_counter(self, "rejected", 1);
}

static void s_send_rejected(server_t *self, pending_t *p)
{
    s_send_reply(self, p);
    s_pending_clear(p);
}

/* The envelope's own fields: text that is text, ids of bounded length. */
static void s_check_envelope(server_t *self, pending_t *p, const void *data, size_t size)
{
    wire_text_fault_t fault;
    if (!wire_text_check(&thuky__request__descriptor, data, size, &fault)) {
        s_reject(self, p, THUKY__STATUS_CODE__INVALID_ARGUMENT, "request field '%s' %s",
                 fault.field, fault.problem);
        return;
    }
    size_t client_len = strlen(p->request->client_id);
    size_t id_len = strlen(p->request->request_id);
    if (client_len > SERVER_MAX_CLIENT_ID)
        s_reject(self, p, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                 "client_id is %zu bytes; at most %d are allowed", client_len,
                 SERVER_MAX_CLIENT_ID);
    else if (id_len > SERVER_MAX_REQUEST_ID)
        s_reject(self, p, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                 "request_id is %zu bytes; at most %d are allowed", id_len,
                 SERVER_MAX_REQUEST_ID);
}

/* The checks before decoding, then the envelope decode (rejects into p). */
static void s_decode(server_t *self, pending_t *p, const void *data, size_t size)
{
    size_t limit = self->options.config->max_message;
    server_add_counter(self, "requests", 1);
    if (size > limit) {
        /* answered under the id it carries, so its client sees the reason */
        wire_text_find(data, size, 2, p->early_id, sizeof p->early_id);
        s_reject(self, p, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                 "request of %zu bytes exceeds the limit of %zu bytes", size, limit);
    } else if (size == 0) {
        s_reject(self, p, THUKY__STATUS_CODE__INVALID_ARGUMENT, "empty request");
    } else {
        p->request = thuky__request__unpack(NULL, size, data);
        if (!p->request)
            s_reject(self, p, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                     "request is not a thuky.Request protobuf message");
        else
            s_check_envelope(self, p, data, size);
    }
}

/* ---- the handler interface -------------------------------------------- */

void server_reply(server_call_t *call, const ProtobufCMessage *msg)
{
    free(call->reply_body);
    call->reply_len = protobuf_c_message_get_packed_size(msg);
    call->reply_body = xmalloc(call->reply_len);
    protobuf_c_message_pack(msg, call->reply_body);
    wire_text_scrub(msg->descriptor, call->reply_body, call->reply_len);
}

void server_fail(server_call_t *call, Thuky__StatusCode code, const char *fmt, ...)
{
    if (call->code != THUKY__STATUS_CODE__OK)
        return; /* keep the first reason */
    call->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(call->message, sizeof call->message, fmt, ap);
    va_end(ap);
}

const char *server_scope_office(server_call_t *call, const char *requested, const char *what)
{
    if (call->role != ROLE_OFFICE)
        return requested;
    if (requested[0] && strcmp(requested, call->office) != 0) {
        server_fail(call, THUKY__STATUS_CODE__PERMISSION_DENIED,
                    "%s (office %s) may only see its own %s", call->caller, call->office, what);
        return NULL;
    }
    return call->office;
}

bool server_office_may(server_call_t *call, const char *what, const char *const *offices,
                       size_t count)
{
    if (call->role != ROLE_OFFICE)
        return true;
    for (size_t i = 0; i < count; i++)
        if (offices[i] && strcmp(offices[i], call->office) == 0)
            return true;
    server_fail(call, THUKY__STATUS_CODE__PERMISSION_DENIED, "%s (office %s) may not %s",
                call->caller, call->office, what);
    return false;
}

uint64_t server_emit(server_call_t *call, Thuky__Event *event)
{
    return eventlog_append(call->server->eventlog, call->txn, event, call->now_ms);
}

eventlog_t *server_eventlog(server_t *self) { return self->eventlog; }
store_t *server_store(server_t *self) { return self->store; }
service_id_t server_service_id(const server_t *self) { return self->options.id; }

/* ---- decoding ----------------------------------------------------------- */

static const command_t *s_find_command(const server_t *self, const char *name)
{
    for (size_t i = 0; i < self->options.command_count; i++)
        if (strcmp(self->options.commands[i].name, name) == 0)
            return &self->options.commands[i];
    for (size_t i = 0; i < sizeof s_builtins / sizeof s_builtins[0]; i++)
        if (strcmp(s_builtins[i].name, name) == 0)
            return &s_builtins[i];
    return NULL;
}

/* Receives one multipart message into p. Returns false when nothing is
 * waiting. Malformed framing is answered (or dropped) here. */
static bool s_receive(server_t *self, pending_t *p)
{
    memset(p, 0, sizeof *p);
    zmq_msg_t frame;
    zmq_msg_init(&frame);
    if (zmq_msg_recv(&frame, self->router, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&frame);
        return false;
    }
    /* ROUTER guarantees the identity frame; its size is at most 255. */
    p->identity_len = zmq_msg_size(&frame);
    if (p->identity_len > SERVER_MAX_IDENTITY)
        p->identity_len = SERVER_MAX_IDENTITY;
    memcpy(p->identity, zmq_msg_data(&frame), p->identity_len);

    zmq_msg_t body;
    zmq_msg_init(&body);
    int frames = 0;
    while (zmq_msg_more(&frame)) {
        zmq_msg_close(&frame);
        zmq_msg_init(&frame);
        if (zmq_msg_recv(&frame, self->router, 0) < 0)
            break;
        frames++;
        /* Every frame from the wire carries the identity ZAP gave its
         * connection (the routing id frame, made here, does not). */
        if (frames == 1)
            access_identity(zmq_msg_gets(&frame, "User-Id"), &p->who);
        if (frames == 1 && zmq_msg_size(&frame) == 0 && zmq_msg_more(&frame)) {
            p->delimiter = true; /* REQ envelope */
            continue;
        }
        zmq_msg_close(&body);
        zmq_msg_init(&body);
        zmq_msg_copy(&body, &frame);
    }
    zmq_msg_close(&frame);

    s_decode(self, p, zmq_msg_data(&body), zmq_msg_size(&body));
    zmq_msg_close(&body);
    if (p->reply)
        s_send_rejected(self, p);
    return true;
}

/* Checks the envelope and decodes the body; false when p was answered. */
static bool s_admit(server_t *self, pending_t *p)
{
    Thuky__Request *req = p->request;
    if (req->protocol != THUKY__PROTOCOL__PROTOCOL_CURRENT) {
        s_reject(self, p, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                 "protocol version %u is not supported (this daemon speaks %d)", req->protocol,
                 THUKY__PROTOCOL__PROTOCOL_CURRENT);
        return false;
    }
    p->command = s_find_command(self, req->command);
    if (!p->command) {
        s_reject(self, p, THUKY__STATUS_CODE__NOT_FOUND, "unknown command '%.64s'", req->command);
        return false;
    }
    if (!(p->command->roles & p->who.role)) {
        server_add_counter(self, "denied", 1);
        s_reject(self, p, THUKY__STATUS_CODE__PERMISSION_DENIED, "%s (role %s) may not run %s",
                 p->who.name[0] ? p->who.name : "an unidentified caller", role_name(p->who.role),
                 p->command->name);
        return false;
    }
    wire_text_fault_t fault;
    if (p->command->request &&
        !wire_text_check(p->command->request, req->body.data, req->body.len, &fault)) {
        s_reject(self, p, THUKY__STATUS_CODE__INVALID_ARGUMENT, "field '%s' of %s %s",
                 fault.field, p->command->name, fault.problem);
        return false;
    }
    if (p->command->request) {
        p->body = protobuf_c_message_unpack(p->command->request, NULL, req->body.len,
                                            req->body.data);
        if (!p->body) {
            s_reject(self, p, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                     "body of '%s' is not a %s message", req->command, p->command->request->name);
            return false;
        }
        proto_drop_unknown(p->body);
    }
    return true;
}

/* ---- idempotency ---------------------------------------------------------- */

/* Stored reply: request_no (8) | time_ms (8) | packed Reply. */
enum { REPLY_HEADER = 16 };

static bool s_idempotent(const pending_t *p)
{
    return (p->command->flags & COMMAND_WRITE) && p->request->client_id[0] &&
           p->request->request_no > 0;
}

/* Returns true when the request was already applied (p->reply is set). */
static bool s_replay(server_t *self, store_txn_t *txn, pending_t *p)
{
    const char *client = p->request->client_id;
    MDB_val v;
    if (!store_get(txn, self->options.replies_dbi, client, strlen(client), &v) ||
        v.mv_size < REPLY_HEADER)
        return false;
    uint64_t stored_no = key_get_u64(v.mv_data);
    if (stored_no == p->request->request_no) {
        p->reply_len = v.mv_size - REPLY_HEADER;
        p->reply = xmalloc(p->reply_len);
        memcpy(p->reply, (uint8_t *)v.mv_data + REPLY_HEADER, p->reply_len);
        server_add_counter(self, "replayed", 1);
        return true;
    }
    if (stored_no > p->request->request_no) {
        s_pack_reply(p, p->request->request_id, THUKY__STATUS_CODE__CONFLICT,
                     "request number is older than one already applied for this client", NULL, 0);
        return true;
    }
    return false;
}

static void s_store_reply(server_t *self, store_txn_t *txn, const pending_t *p, int64_t now_ms)
{
    const char *client = p->request->client_id;
    size_t client_len = strlen(client);
    MDB_val old;
    uint8_t tkey[8 + SERVER_MAX_CLIENT_ID]; /* the envelope check bounds it */
    memcpy(tkey + 8, client, client_len);
    if (store_get(txn, self->options.replies_dbi, client, client_len, &old) &&
        old.mv_size >= REPLY_HEADER) {
        memcpy(tkey, (uint8_t *)old.mv_data + 8, 8);
        store_del(txn, self->options.replies_time_dbi, tkey, 8 + client_len);
    }
    size_t len = REPLY_HEADER + p->reply_len;
    uint8_t *value = xmalloc(len);
    key_put_u64(value, p->request->request_no);
    key_put_i64(value + 8, now_ms);
    memcpy(value + REPLY_HEADER, p->reply, p->reply_len);
    store_put(txn, self->options.replies_dbi, client, client_len, value, len);
    free(value);
    key_put_i64(tkey, now_ms);
    store_put(txn, self->options.replies_time_dbi, tkey, 8 + client_len, "", 0);
}

/* Forgets stored replies older than a week, oldest first. */
static void s_prune_replies(server_t *self, store_txn_t *txn, int64_t now_ms)
{
    store_iter_t it;
    store_iter_init(&it, txn, self->options.replies_time_dbi, NULL, 0, NULL, 0, false);
    int budget = 1000;
    while (budget-- > 0 && store_iter_next(&it)) {
        if (it.key.mv_size < 8 || key_get_i64(it.key.mv_data) > now_ms - SERVER_REPLY_KEEP_MS)
            break;
        store_del(txn, self->options.replies_dbi, (uint8_t *)it.key.mv_data + 8,
                  it.key.mv_size - 8);
        mdb_cursor_del(it.cursor, 0);
    }
    store_iter_close(&it);
}

/* ---- executing a batch ------------------------------------------------------- */

static Thuky__StatusCode s_store_status(store_rc_t rc)
{
    return rc == STORE_NO_SPACE ? THUKY__STATUS_CODE__UNAVAILABLE : THUKY__STATUS_CODE__INTERNAL;
}

/* Runs one request in a nested transaction. Returns STORE_MAP_FULL when the
 * whole batch must be redone after growing the map. */
static store_rc_t s_execute(server_t *self, store_txn_t *parent, pending_t *p, int64_t now_ms)
{
    bool idempotent = s_idempotent(p);
    if (idempotent && s_replay(self, parent, p))
        return parent->rc;

    store_txn_t child;
    store_txn_begin_child(parent, &child);
    size_t mark = eventlog_mark(self->eventlog);
    server_call_t call = {
        .server = self,
        .txn = &child,
        .caller = p->who.name,
        .role = p->who.role,
        .office = p->who.office,
        .now_ms = now_ms,
        .service = self->options.service,
        .code = THUKY__STATUS_CODE__OK,
    };
    if (child.rc == STORE_OK)
        p->command->handler(&call, p->body);

    store_rc_t rc = child.rc;
    if (rc == STORE_MAP_FULL) {
        store_txn_abort(&child);
        free(call.reply_body);
        return rc;
    }
    if (rc != STORE_OK) {
        server_fail(&call, s_store_status(rc), "%s", store_rc_text(rc));
        /* the failure stays in this request: the parent is untouched */
    }
    if (call.code != THUKY__STATUS_CODE__OK) {
        store_txn_abort(&child);
        eventlog_rollback_to(self->eventlog, mark);
        s_pack_reply(p, p->request->request_id, call.code, call.message, NULL, 0);
        server_add_counter(self, "failed", 1);
    } else {
        s_pack_reply(p, p->request->request_id, THUKY__STATUS_CODE__OK, "", call.reply_body,
                     call.reply_len);
        if (idempotent)
            s_store_reply(self, &child, p, now_ms);
        rc = store_txn_commit(&child);
        if (rc == STORE_MAP_FULL) {
            free(call.reply_body);
            return rc;
        }
        if (rc != STORE_OK) {
            eventlog_rollback_to(self->eventlog, mark);
            s_pack_reply(p, p->request->request_id, s_store_status(rc), store_rc_text(rc), NULL, 0);
        }
    }
    free(call.reply_body);
    return STORE_OK;
}

static void s_fail_batch(server_t *self, pending_t *batch, size_t count, store_rc_t rc)
{
    server_add_counter(self, "failed_commits", 1);
    log_error("batch of %zu request(s) not committed: %s", count, store_rc_text(rc));
    for (size_t i = 0; i < count; i++)
        if (batch[i].request)
            s_pack_reply(&batch[i], batch[i].request->request_id, s_store_status(rc),
                         store_rc_text(rc), NULL, 0);
}

static void s_run_batch(server_t *self, pending_t *batch, size_t count)
{
    for (int attempt = 0;; attempt++) {
        store_txn_t txn;
        store_rc_t rc = store_txn_begin(self->store, &txn, true);
        int64_t now_ms = clock_now_ms();
        for (size_t i = 0; rc == STORE_OK && i < count; i++) {
            if (!batch[i].request)
                continue;
            free(batch[i].reply);
            batch[i].reply = NULL;
            rc = s_execute(self, &txn, &batch[i], now_ms);
        }
        if (rc == STORE_OK)
            s_prune_replies(self, &txn, now_ms);
        if (rc == STORE_OK)
            rc = store_txn_commit(&txn);
        else
            store_txn_abort(&txn);
        if (rc == STORE_OK) {
            eventlog_publish(self->eventlog);
            server_add_counter(self, "commits", 1);
            return;
        }
        eventlog_rollback_to(self->eventlog, 0);
        if (rc != STORE_MAP_FULL || attempt >= SERVER_GROW_ATTEMPTS ||
            store_grow(self->store) != STORE_OK) {
            s_fail_batch(self, batch, count, rc == STORE_MAP_FULL ? STORE_NO_SPACE : rc);
            return;
        }
    }
}

/* Waits up to us microseconds for the socket to become readable (zmq_poll
 * counts in milliseconds, too coarse here). */
static bool s_wait_readable(void *socket, int64_t us)
{
    int events = 0, fd = -1;
    size_t len = sizeof events;
    zmq_getsockopt(socket, ZMQ_EVENTS, &events, &len);
    if (events & ZMQ_POLLIN)
        return true;
    len = sizeof fd;
    zmq_getsockopt(socket, ZMQ_FD, &fd, &len);
    struct pollfd pfd = {fd, POLLIN, 0};
    struct timespec ts = {0, (long)us * 1000};
    ppoll(&pfd, 1, &ts, NULL);
    len = sizeof events;
    zmq_getsockopt(socket, ZMQ_EVENTS, &events, &len);
    return (events & ZMQ_POLLIN) != 0;
}

/* Takes what is waiting into the batch; returns the new count. */
static size_t s_drain(server_t *self, size_t count, size_t max)
{
    while (count < max && s_receive(self, &self->batch[count])) {
        pending_t *p = &self->batch[count];
        if (p->request && s_admit(self, p))
            count++;
        else if (p->reply)
            s_send_rejected(self, p);
    }
    return count;
}

static void s_handle_router(server_t *self)
{
    const config_service_t *cfg = self->options.config;
    size_t max = (size_t)cfg->batch_max;
    size_t count = s_drain(self, 0, max);
    if (count == 0)
        return;
    /* Gather window: the clients answered by the last commit are sending
     * their next requests right now. Waiting a fraction of an fsync for
     * them lets one commit carry them all instead of every other one. */
    size_t expected = self->last_batch < max ? self->last_batch : max;
    int64_t until = clock_monotonic_us() + cfg->gather_us;
    while (count < expected) {
        int64_t left = until - clock_monotonic_us();
        if (left <= 0 || !s_wait_readable(self->router, left))
            break;
        count = s_drain(self, count, max);
    }
    self->last_batch = count;
    s_run_batch(self, self->batch, count);
    for (size_t i = 0; i < count; i++) {
        s_send_reply(self, &self->batch[i]);
        s_pending_clear(&self->batch[i]);
    }
}

size_t server_dispatch(server_t *self, const void *data, size_t size, role_t role,
                       const char *office, uint8_t **reply)
{
    pending_t p;
    memset(&p, 0, sizeof p);
    p.who.role = role;
    snprintf(p.who.office, sizeof p.who.office, "%s", office ? office : "");
    snprintf(p.who.name, sizeof p.who.name, "%s", "in-process");
    s_decode(self, &p, data, size);
    if (p.request && s_admit(self, &p))
        s_run_batch(self, &p, 1);
    *reply = p.reply;
    size_t len = p.reply_len;
    p.reply = NULL;
    s_pending_clear(&p);
    return len;
}

/* ---- built-in commands -------------------------------------------------------- */

static void s_builtin_status(server_call_t *call, const ProtobufCMessage *request)
{
    (void)request;
    server_t *self = call->server;
    Thuky__DaemonStatus st = THUKY__DAEMON_STATUS__INIT;
    st.daemon = (char *)eventlog_source(self->eventlog);
    st.version = THUKY_VERSION;
    st.started_at_ms = self->started_ms;
    st.last_event_seq = eventlog_last_seq(self->eventlog);
    st.store_bytes = store_used_bytes(self->store);
    st.test_clock = clock_is_test();
    st.now_ms = call->now_ms;
    Thuky__Counter counters[SERVER_MAX_COUNTERS];
    Thuky__Counter *ptrs[SERVER_MAX_COUNTERS];
    for (size_t i = 0; i < self->counter_count; i++) {
        thuky__counter__init(&counters[i]);
        counters[i].name = (char *)self->counters[i].name;
        counters[i].value = self->counters[i].value;
        ptrs[i] = &counters[i];
    }
    st.counters = ptrs;
    st.n_counters = self->counter_count;
    Thuky__Subscription subs[SERVER_MAX_SUBSCRIPTIONS];
    Thuky__Subscription *sub_ptrs[SERVER_MAX_SUBSCRIPTIONS];
    for (size_t i = 0; i < self->subscription_count; i++) {
        thuky__subscription__init(&subs[i]);
        subs[i].source = (char *)subscriber_name(self->subscriptions[i]);
        subs[i].applied_seq = subscriber_offset(self->subscriptions[i]);
        subs[i].known_seq = subscriber_known_last(self->subscriptions[i]);
        const char *problem = subscriber_problem(self->subscriptions[i]);
        subs[i].state = problem[0] ? "diverged" : "following";
        subs[i].problem = (char *)problem;
        uint64_t from = subscriber_resync_from(self->subscriptions[i]);
        subs[i].resync_from = problem[0] && from != UINT64_MAX ? from : 0;
        subs[i].log_id = (char *)subscriber_log_id(self->subscriptions[i]);
        sub_ptrs[i] = &subs[i];
    }
    st.subscriptions = sub_ptrs;
    st.n_subscriptions = self->subscription_count;
    st.log_id = (char *)eventlog_id(self->eventlog);
    server_reply(call, &st.base);
}

static void s_builtin_events_read(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__EventsReadRequest *req = (const Thuky__EventsReadRequest *)request;
    Thuky__EventsReadRaw raw = THUKY__EVENTS_READ_RAW__INIT;
    eventlog_read(call->server->eventlog, call->txn, req->after_seq, req->limit, &raw);
    server_reply(call, &raw.base);
    eventlog_read_free(&raw);
}

static void s_builtin_clock(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__ClockRequest *req = (const Thuky__ClockRequest *)request;
    if (!clock_is_test()) {
        server_fail(call, THUKY__STATUS_CODE__PERMISSION_DENIED,
                    "the test clock is off (start the daemon with --test-clock)");
        return;
    }
    if (req->set_ms)
        clock_set_ms(req->set_ms);
    else
        clock_advance_ms(req->advance_ms);
    server_wake_timers(call->server); /* what is due at the new time runs now */
    Thuky__ClockReply reply = THUKY__CLOCK_REPLY__INIT;
    reply.now_ms = clock_now_ms();
    server_reply(call, &reply.base);
}

/* The documented way out of a divergence (subscriber.h): the follower
 * counts in the source's present log from the given (or default) sequence.
 * Audited in this daemon's own log as subscription.resynced. */
static void s_builtin_resync(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__ResyncRequest *req = (const Thuky__ResyncRequest *)request;
    server_t *self = call->server;
    subscriber_t *sub = NULL;
    for (size_t i = 0; i < self->subscription_count && !sub; i++)
        if (strcmp(subscriber_name(self->subscriptions[i]), req->source) == 0)
            sub = self->subscriptions[i];
    if (!sub) {
        server_fail(call, THUKY__STATUS_CODE__NOT_FOUND, "%s does not follow '%.64s'",
                    eventlog_source(self->eventlog), utf8_valid(req->source, strlen(req->source)) ? req->source : "?");
        return;
    }
    char problem[256], why[256];
    snprintf(problem, sizeof problem, "%s", subscriber_problem(sub));
    uint64_t previous = subscriber_offset(sub), from;
    if (!subscriber_resync(sub, call->txn, req->from_set_case != 0, req->from_seq, &from, why,
                           sizeof why)) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "%s", why);
        return;
    }
    char subject[96];
    snprintf(subject, sizeof subject, "subscription/%s", req->source);
    Thuky__Event event = THUKY__EVENT__INIT;
    event.type = "subscription.resynced";
    event.subject = subject;
    server_emit(call, &event);
    log_warnx("subscription %s resynced by %s: %llu -> %llu in log %s%s%s", req->source,
              call->caller, (unsigned long long)previous, (unsigned long long)from,
              subscriber_log_id(sub), problem[0] ? "; it had diverged: " : "", problem);
    Thuky__ResyncReply reply = THUKY__RESYNC_REPLY__INIT;
    reply.source = req->source;
    reply.previous_seq = previous;
    reply.from_seq = from;
    reply.log_id = (char *)subscriber_log_id(sub);
    reply.problem = problem;
    server_reply(call, &reply.base);
}

/* ---- setup and loop ----------------------------------------------------------- */

/* How one listening socket is set up. */
typedef struct {
    int type;
    const char *endpoint;
    int64_t max_message;        /* 0 = no limit */
    int queue;                  /* messages queued per connection (HWM) */
    const char *domain;         /* ZAP domain */
    const char *name;           /* names its connection monitor */
} socket_spec_t;

/* Options are set before bind: libzmq applies them to a listener then, and
 * the monitor sees every connection from the first. Every connection is put
 * to the ZAP handler (domain); tcp ones use CURVE. */
static void *s_socket(void *ctx, const socket_spec_t *spec, const curve_pair_t *curve,
                      connections_t **conns, char *why, size_t why_len)
{
    if (paths_prepare_ipc(spec->endpoint) != 0) {
        snprintf(why, why_len, "cannot create the directory of %s: %s", spec->endpoint,
                 strerror(errno));
        return NULL;
    }
    void *sock = zmq_socket(ctx, spec->type);
    int zero = 0, one = 1;
    zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
    if (spec->type == ZMQ_ROUTER)
        zmq_setsockopt(sock, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
    if (spec->max_message > 0)
        zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &spec->max_message, sizeof spec->max_message);
    zmq_setsockopt(sock, ZMQ_SNDHWM, &spec->queue, sizeof spec->queue);
    zmq_setsockopt(sock, ZMQ_RCVHWM, &spec->queue, sizeof spec->queue);
    zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, spec->domain, strlen(spec->domain));
    if (curve_endpoint(spec->endpoint))
        curve_apply_server(sock, curve);
    *conns = connections_new(ctx, sock, spec->name);
    if (zmq_bind(sock, spec->endpoint) != 0) {
        snprintf(why, why_len, "cannot bind %s: %s", spec->endpoint, zmq_strerror(zmq_errno()));
        connections_destroy(conns);
        zmq_close(sock);
        return NULL;
    }
    return sock;
}

server_t *server_new(void *zmq_ctx, store_t *store, const server_options_t *options, char *why,
                     size_t why_len)
{
    const config_service_t *cfg = options->config;
    curve_pair_t curve = {{0}, {0}};
    if (curve_endpoint(cfg->command) || curve_endpoint(cfg->events)) {
        char path[CONFIG_PATH_MAX + 80], reason[512];
        curve_key_path(options->settings, cfg->name, true, path, sizeof path);
        if (curve_load_pair(path, &curve, reason, sizeof reason) != 0) {
            snprintf(why, why_len, "tcp endpoints need this daemon's CURVE key: %s", reason);
            return NULL;
        }
    }
    access_t *access = access_new(zmq_ctx, options->settings, options->id, why, why_len);
    if (!access)
        return NULL;
    /* Hard cap: a peer sending far more than the soft limit is disconnected
     * before its message is buffered; up to the cap it gets an error reply. */
    int64_t hard_cap = (int64_t)cfg->max_message * 2;
    if (hard_cap < SERVER_HARD_CAP_MIN)
        hard_cap = SERVER_HARD_CAP_MIN;
    char command_name[48], events_name[48];
    snprintf(command_name, sizeof command_name, "%s-command", cfg->name);
    snprintf(events_name, sizeof events_name, "%s-events", cfg->name);
    const socket_spec_t command = {ZMQ_ROUTER, cfg->command, hard_cap, SERVER_CLIENT_QUEUE,
                                   ACCESS_DOMAIN_COMMAND, command_name};
    const socket_spec_t events = {ZMQ_PUB, cfg->events, 0, cfg->subscriber_queue,
                                  ACCESS_DOMAIN_EVENTS, events_name};
    connections_t *clients = NULL, *subscribers = NULL;
    void *router = s_socket(zmq_ctx, &command, &curve, &clients, why, why_len);
    void *pub = router ? s_socket(zmq_ctx, &events, &curve, &subscribers, why, why_len) : NULL;
    secret_wipe(&curve, sizeof curve);
    if (!pub) {
        connections_destroy(&clients);
        if (router)
            zmq_close(router);
        access_destroy(&access);
        return NULL;
    }
    access_limit(access, ACCESS_DOMAIN_COMMAND, clients, (size_t)cfg->max_clients, "clients");
    access_limit(access, ACCESS_DOMAIN_EVENTS, subscribers, (size_t)cfg->max_subscribers,
                 "subscribers");
    server_t *self = xcalloc(1, sizeof *self);
    self->access = access;
    self->clients = clients;
    self->subscribers = subscribers;
    self->options = *options;
    self->store = store;
    self->router = router;
    self->pub = pub;
    self->eventlog = eventlog_new(store, options->events_dbi, options->meta_dbi, cfg->name, pub);
    self->batch = xcalloc((size_t)cfg->batch_max, sizeof *self->batch);
    self->started_ms = clock_now_ms();
    return self;
}

void server_destroy(server_t **self_p)
{
    server_t *self = *self_p;
    if (!self)
        return;
    eventlog_destroy(&self->eventlog);
    connections_destroy(&self->clients);
    connections_destroy(&self->subscribers);
    zmq_close(self->router);
    zmq_close(self->pub);
    access_destroy(&self->access);
    /* libzmq leaves ipc socket files behind; a client seeing none knows at
     * once that no daemon listens. */
    const config_service_t *cfg = self->options.config;
    const char *endpoints[] = {cfg->command, cfg->events};
    for (size_t i = 0; i < 2; i++)
        if (strncmp(endpoints[i], "ipc://", 6) == 0)
            unlink(endpoints[i] + 6);
    free(self->batch);
    free(self);
    *self_p = NULL;
}

void server_add_reader(server_t *self, void *socket, server_reader_fn fn, void *arg)
{
    if (self->reader_count == SERVER_MAX_READERS)
        fatalx("too many readers on the server loop");
    self->readers[self->reader_count++] = (reader_t){socket, fn, arg};
}

void server_add_timer(server_t *self, server_timer_fn fn, void *arg)
{
    if (self->timer_count == SERVER_MAX_TIMERS)
        fatalx("too many timers on the server loop");
    self->timers[self->timer_count++] = (timer_t_){fn, arg, clock_monotonic_ms()};
}

/* Dead readers' slots are also freed before every write (store.c); this
 * frees them while the daemon is idle, so the reader table never fills. */
static int64_t s_reader_check(server_t *self, void *arg)
{
    (void)arg;
    store_reader_check(self->store);
    return SERVER_READER_CHECK_MS;
}

static int64_t s_heartbeat(server_t *self, void *arg)
{
    (void)arg;
    eventlog_heartbeat(self->eventlog, clock_now_ms());
    return SERVER_HEARTBEAT_MS;
}

/* Runs due timers; returns the poll timeout until the next one. */
void server_wake_timers(server_t *self)
{
    for (size_t i = 0; i < self->timer_count; i++)
        self->timers[i].due_ms = 0;
}

static long s_run_timers(server_t *self)
{
    int64_t now = clock_monotonic_ms();
    int64_t next = now + 60000;
    for (size_t i = 0; i < self->timer_count; i++) {
        timer_t_ *t = &self->timers[i];
        if (t->due_ms <= now)
            t->due_ms = now + t->fn(self, t->arg);
        if (t->due_ms < next)
            next = t->due_ms;
    }
    return (long)(next > now ? next - now : 0);
}

static volatile sig_atomic_t s_stop, s_reload;
static int s_wake_pipe[2] = {-1, -1};

static void s_on_signal(int sig)
{
    int saved = errno;
    if (sig == SIGHUP)
        s_reload = 1;
    else
        s_stop = 1;
    if (write(s_wake_pipe[1], "", 1) < 0) {
        /* the pipe is full: a wake-up is pending anyway */
    }
    errno = saved;
}

static void s_install_signals(void)
{
    if (s_wake_pipe[0] < 0 && pipe2(s_wake_pipe, O_NONBLOCK | O_CLOEXEC) != 0)
        fatal("pipe2");
    struct sigaction sa = {.sa_handler = s_on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* SIGHUP: what can change while running changes; a bad file changes
 * nothing and says why. */
static void s_reload_config(server_t *self)
{
    config_t *cfg = self->options.settings;
    sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%lld", (long long)clock_monotonic_us());
    char why[1024];
    if (config_reload(cfg, why, sizeof why) != 0) {
        log_error("reload refused, configuration unchanged: %s", why);
    } else {
        log_set_level(cfg->log_level);
        access_reload(self->access, cfg);
        if (self->options.reloaded)
            self->options.reloaded(self, self->options.service);
        log_info("configuration reloaded from %s", cfg->path[0] ? cfg->path : "(defaults)");
    }
    sd_notify(0, "READY=1");
}

static void s_on_monitor(server_t *self, void *socket, void *arg)
{
    (void)self;
    (void)socket;
    connections_drain(arg);
}

/* systemd's watchdog: pinged from the loop, so a stuck loop is restarted. */
static int64_t s_watchdog(server_t *self, void *arg)
{
    (void)self;
    int64_t every_ms = *(int64_t *)arg;
    sd_notify(0, "WATCHDOG=1");
    return every_ms;
}

void server_run(server_t *self)
{
    s_install_signals();
    server_add_timer(self, s_heartbeat, NULL);
    server_add_timer(self, s_reader_check, NULL);
    uint64_t watchdog_us = 0;
    static int64_t watchdog_every_ms;
    if (sd_watchdog_enabled(0, &watchdog_us) > 0) {
        watchdog_every_ms = (int64_t)(watchdog_us / 2000);
        server_add_timer(self, s_watchdog, &watchdog_every_ms);
    }
    /* the connection monitors' news is read as it comes (connections.h) */
    if (self->clients)
        server_add_reader(self, connections_socket(self->clients), s_on_monitor, self->clients);
    if (self->subscribers)
        server_add_reader(self, connections_socket(self->subscribers), s_on_monitor,
                          self->subscribers);
    zmq_pollitem_t items[3 + SERVER_MAX_READERS];
    size_t n = 0;
    items[n++] = (zmq_pollitem_t){NULL, s_wake_pipe[0], ZMQ_POLLIN, 0};
    items[n++] = (zmq_pollitem_t){self->router, 0, ZMQ_POLLIN, 0};
    items[n++] = (zmq_pollitem_t){access_socket(self->access), 0, ZMQ_POLLIN, 0};
    for (size_t i = 0; i < self->reader_count; i++)
        items[n++] = (zmq_pollitem_t){self->readers[i].socket, 0, ZMQ_POLLIN, 0};

    /* The store is open and every socket bound: systemd may start what
     * depends on this daemon. */
    sd_notify(0, "READY=1");
    while (!s_stop) {
        long timeout = s_run_timers(self);
        int rc = zmq_poll(items, (int)n, timeout);
        if (rc < 0) {
            if (zmq_errno() == EINTR)
                continue;
            if (zmq_errno() == ETERM)
                break;
            fatalx("zmq_poll: %s", zmq_strerror(zmq_errno()));
        }
        if (s_stop)
            break;
        if (items[0].revents & ZMQ_POLLIN) {
            char drain[64];
            while (read(s_wake_pipe[0], drain, sizeof drain) > 0) {
            }
        }
        if (s_reload) {
            s_reload = 0;
            s_reload_config(self);
        }
        if (items[2].revents & ZMQ_POLLIN)
            access_handle(self->access);
        if (items[1].revents & ZMQ_POLLIN)
            s_handle_router(self);
        for (size_t i = 0; i < self->reader_count; i++)
            if (items[3 + i].revents & ZMQ_POLLIN)
                self->readers[i].fn(self, self->readers[i].socket, self->readers[i].arg);
    }
    sd_notify(0, "STOPPING=1");
}
