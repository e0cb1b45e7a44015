/* One request's path through the server: received from the ROUTER socket,
 * checked (size, envelope, text, protocol, command, role, body), run with
 * the others of its batch in nested transactions of one write transaction,
 * committed once, answered; a retried write is answered from the stored
 * reply (idempotency). */
#include <poll.h>
#include <time.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "base/log.h"
#include "runtime/clock.h"
#include "runtime/keys.h"
#include "runtime/proto_clean.h"
#include "runtime/server_private.h"
#include "runtime/wire_text.h"
#include "text/utf8.h"

/* Who a caller without a name is, in a message. */
static const char *const s_unidentified = N_("an unidentified caller");

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
    vsnprintf(message, sizeof message, i18n_text(p->lang, fmt), ap);
    utf8_cut_partial(message);
    va_end(ap);
    s_pack_reply(p, p->request ? p->request->request_id : p->early_id, code, message, NULL, 0);
    server_add_counter(self, "rejected", 1);
}

static void s_send_rejected(server_t *self, pending_t *p)
{
    s_send_reply(self, p);
    s_pending_clear(p);
}

/* The envelope's own fields: text that is text, ids of bounded length.
 * A refused request is answered (under its id) and dropped: p->request is
 * NULL after a refusal, so no path can run it. */
static void s_check_envelope(server_t *self, pending_t *p, const void *data, size_t size)
{
    wire_text_fault_t fault;
    size_t client_len = strlen(p->request->client_id);
    size_t id_len = strlen(p->request->request_id);
    bool text_ok = wire_text_check(&thuky__request__descriptor, data, size, &fault);
    if (!text_ok && !fault.field[0])
        s_reject(self, p, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                 "request is not a thuky.Request protobuf message");
    else if (!text_ok)
        s_reject(self, p, THUKY__STATUS_CODE__INVALID_ARGUMENT, "request field '%s' %s",
                 fault.field, i18n_text(p->lang, fault.problem));
    else if (client_len > SERVER_MAX_CLIENT_ID)
        s_reject(self, p, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                 "client_id is %zu bytes; at most %d are allowed", client_len,
                 SERVER_MAX_CLIENT_ID);
    else if (id_len > SERVER_MAX_REQUEST_ID)
        s_reject(self, p, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                 "request_id is %zu bytes; at most %d are allowed", id_len,
                 SERVER_MAX_REQUEST_ID);
    if (p->reply) {
        thuky__request__free_unpacked(p->request, NULL);
        p->request = NULL;
    }
}

/* The checks before decoding, then the envelope decode (rejects into p). */
static void s_decode(server_t *self, pending_t *p, const void *data, size_t size)
{
    size_t limit = self->options.config->max_message;
    server_add_counter(self, "requests", 1);
    p->lang = self->options.settings->language;
    if (size > limit) {
        /* answered under the id it carries, so its client sees the reason */
        wire_text_find(data, size, 2, p->early_id, sizeof p->early_id);
        s_reject(self, p, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                 "request of %zu bytes exceeds the limit of %zu bytes", size, limit);
    } else if (size == 0) {
        s_reject(self, p, THUKY__STATUS_CODE__INVALID_ARGUMENT, "empty request");
    } else {
        p->request = thuky__request__unpack(NULL, size, data);
        if (p->request)
            lang_parse(p->request->language, &p->lang); /* else the default stays */
        if (!p->request)
            s_reject(self, p, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                     "request is not a thuky.Request protobuf message");
        else
            s_check_envelope(self, p, data, size);
    }
}

/* ---- decoding ----------------------------------------------------------- */

static const command_t *s_find_command(const server_t *self, const char *name)
{
    for (size_t i = 0; i < self->options.command_count; i++)
        if (strcmp(self->options.commands[i].name, name) == 0)
            return &self->options.commands[i];
    return server_builtin(name);
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

/* Settles who the handler sees (p->who, p->caller). The gateway reads as
 * itself (no office scope) and writes only as the office it names, through
 * commands marked COMMAND_GATEWAY; webd has checked the link or token that
 * names the office, and the history records them ("via web"). An admin may
 * name an office too, which only narrows its rights to that office's: it
 * is how webd runs under the daemons' own account (`make run`). Nobody
 * else may name an office. False when p was answered. */
static bool s_admit_caller(server_t *self, pending_t *p)
{
    const Thuky__OnBehalf *ob = p->request->on_behalf;
    const char *name = p->who.name[0] ? p->who.name : i18n_text(p->lang, s_unidentified);
    snprintf(p->caller, sizeof p->caller, "%s", p->who.name);
    if (p->who.role != ROLE_GATEWAY && p->who.role != ROLE_ADMIN) {
        if (!ob)
            return true;
        s_reject(self, p, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                 "on_behalf is for the gateway role only; %s has role %s", name,
                 role_name(p->who.role));
        return false;
    }
    bool write = p->command->flags & COMMAND_WRITE;
    if (!ob)
        return true; /* the command's roles decide, as for anyone */
    const char *bad = NULL;
    if (!config_office_id_valid(ob->office))
        bad = N_("office is not an office id");
    else if (strlen(ob->token_id) > SERVER_MAX_ON_BEHALF_TOKEN)
        bad = N_("token_id is longer than 64 bytes");
    else if (strlen(ob->address) > SERVER_MAX_ON_BEHALF_ADDRESS)
        bad = N_("address is longer than 64 bytes");
    else if (strlen(ob->user_agent) > SERVER_MAX_ON_BEHALF_AGENT)
        bad = N_("user_agent is longer than 256 bytes");
    if (bad) {
        s_reject(self, p, THUKY__STATUS_CODE__INVALID_ARGUMENT, "on_behalf: %s",
                 i18n_text(p->lang, bad));
        return false;
    }
    if (!(p->command->roles & ROLE_OFFICE) || (write && !(p->command->flags & COMMAND_GATEWAY))) {
        server_add_counter(self, "denied", 1);
        s_reject(self, p, THUKY__STATUS_CODE__PERMISSION_DENIED,
                 "%s (role %s) may not run %s on behalf of an office", name,
                 role_name(p->who.role), p->command->name);
        return false;
    }
    p->who.role = ROLE_OFFICE;
    snprintf(p->who.office, sizeof p->who.office, "%s", ob->office);
    snprintf(p->caller, sizeof p->caller, "web:%s for %s via %s from %s (%s)",
             ob->token_id[0] ? ob->token_id : "-", ob->office, p->who.name,
             ob->address[0] ? ob->address : "-", ob->user_agent[0] ? ob->user_agent : "-");
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
    if (!s_admit_caller(self, p))
        return false;
    if (!(p->command->roles & p->who.role)) {
        server_add_counter(self, "denied", 1);
        s_reject(self, p, THUKY__STATUS_CODE__PERMISSION_DENIED, "%s (role %s) may not run %s",
                 p->who.name[0] ? p->who.name : i18n_text(p->lang, s_unidentified),
                 role_name(p->who.role), p->command->name);
        return false;
    }
    wire_text_fault_t fault;
    if (p->command->request &&
        !wire_text_check(p->command->request, req->body.data, req->body.len, &fault)) {
        if (fault.field[0])
            s_reject(self, p, THUKY__STATUS_CODE__INVALID_ARGUMENT, "field '%s' of %s %s",
                     fault.field, p->command->name, i18n_text(p->lang, fault.problem));
        else
            s_reject(self, p, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                     "body of '%s' is not a %s message", req->command,
                     p->command->request->name);
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
        proto_clean_input(p->body);
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
                     i18n_text(p->lang, N_("request number is older than one already applied "
                                           "for this client")),
                     NULL, 0);
        return true;
    }
    return false;
}

static void s_store_reply(server_t *self, store_txn_t *txn, const pending_t *p, int64_t now_ms)
{
    const char *client = p->request->client_id;
    size_t client_len = strlen(client);
    MDB_val old;
    uint8_t tkey[8 + SERVER_MAX_CLIENT_ID];
    if (client_len > SERVER_MAX_CLIENT_ID)
        return; /* s_check_envelope refused it; never reached */
    memcpy(tkey + 8, client, client_len);
    if (store_get(txn, self->options.replies_dbi, client, client_len, &old) &&
        old.mv_size >= REPLY_HEADER) {
        memcpy(tkey, (uint8_t *)old.mv_data + 8, 8);
        store_del(txn, self->options.replies_time_dbi, tkey, 8 + client_len);
    }
    /* A reply that shows a secret once is not kept: a retry hears that it
     * was applied, and the secret stays only with whoever got the reply. */
    pending_t kept = {.reply = p->reply, .reply_len = p->reply_len};
    if (p->command->flags & COMMAND_SECRET) {
        kept.reply = NULL;
        s_pack_reply(&kept, p->request->request_id, THUKY__STATUS_CODE__CONFLICT,
                     i18n_text(p->lang, N_("already applied; its secret was shown once and is "
                                           "not kept: list and rotate instead")),
                     NULL, 0);
    }
    size_t len = REPLY_HEADER + kept.reply_len;
    uint8_t *value = xmalloc(len);
    key_put_u64(value, p->request->request_no);
    key_put_i64(value + 8, now_ms);
    memcpy(value + REPLY_HEADER, kept.reply, kept.reply_len);
    if (kept.reply != p->reply)
        free(kept.reply);
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
        store_iter_del(&it);
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
        .caller = p->caller,
        .role = p->who.role,
        .office = p->who.office,
        .now_ms = now_ms,
        .lang = p->lang,
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
        server_fail(&call, s_store_status(rc), "%s", i18n_text(call.lang, store_rc_text(rc)));
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
            s_pack_reply(p, p->request->request_id, s_store_status(rc),
                         i18n_text(p->lang, store_rc_text(rc)), NULL, 0);
        }
    }
    free(call.reply_body);
    return STORE_OK;
}

static void s_fail_batch(server_t *self, pending_t *batch, size_t count, store_rc_t rc)
{
    server_add_counter(self, "failed_commits", 1);
    log_error("batch of %zu request(s) not committed: %s", count, _(store_rc_text(rc)));
    for (size_t i = 0; i < count; i++)
        if (batch[i].request)
            s_pack_reply(&batch[i], batch[i].request->request_id, s_store_status(rc),
                         i18n_text(batch[i].lang, store_rc_text(rc)), NULL, 0);
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
        if (rc == STORE_OK && store_accepts_writes(self->store))
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

void server_handle_requests(server_t *self)
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
    snprintf(p.caller, sizeof p.caller, "%s", "in-process");
    s_decode(self, &p, data, size);
    if (p.request && s_admit(self, &p))
        s_run_batch(self, &p, 1);
    *reply = p.reply;
    size_t len = p.reply_len;
    p.reply = NULL;
    s_pending_clear(&p);
    return len;
}

