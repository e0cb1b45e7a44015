#include "subscriber.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "client.h"
#include "clock.h"
#include "eventlog.h"
#include "keys.h"
#include "log.h"
#include "proto_clean.h"
#include "thuky/envelope.pb-c.h"

#define SUBSCRIBER_PAGE 1000
#define SUBSCRIBER_TICK_MS 500
#define SUBSCRIBER_LIVE_BATCH 256
/* The source sends a heartbeat every second. This long without a word and
 * the connection is presumed dead (a host that lost power leaves a
 * half-open TCP connection that nothing else would ever notice): both
 * sockets reconnect and the log is read. */
#define SUBSCRIBER_SILENCE_MS 5000
/* After a page fails to apply (a full disk), the catch-up waits this long
 * before it asks again: no hot loop, one log line a second. */
#define SUBSCRIBER_RETRY_MS 1000

struct subscriber {
    subscriber_options_t options;
    void *ctx;
    void *sub;
    void *dealer;
    char client_id[17];
    uint64_t offset;            /* last applied */
    uint64_t known_last;        /* newest the source announced */
    bool catching_up;
    char request_id[64];
    uint64_t request_no;
    int64_t sent_ms;            /* monotonic, of the outstanding request */
    int64_t heard_ms;           /* monotonic, of the last message from the source */
    int64_t retry_at_ms;        /* monotonic; no catch-up request before it */
    bool silent;                /* reconnected for silence, not heard from since */
    curve_client_t curve;
};

/* ZMTP heartbeats: libzmq pings the peer and drops a connection that stops
 * answering, then reconnects by itself. */
static void s_keepalive(void *socket)
{
    int ivl = 1000, timeout = 5000, ttl = 10000;
    zmq_setsockopt(socket, ZMQ_HEARTBEAT_IVL, &ivl, sizeof ivl);
    zmq_setsockopt(socket, ZMQ_HEARTBEAT_TIMEOUT, &timeout, sizeof timeout);
    zmq_setsockopt(socket, ZMQ_HEARTBEAT_TTL, &ttl, sizeof ttl);
}

static void s_offset_key(const char *name, char *key, size_t cap)
{
    snprintf(key, cap, "offset:%s", name);
}

uint64_t subscriber_stored_offset(store_txn_t *txn, MDB_dbi meta_dbi, const char *name)
{
    char key[128];
    s_offset_key(name, key, sizeof key);
    MDB_val v;
    if (store_get(txn, meta_dbi, key, strlen(key), &v) && v.mv_size == 8)
        return key_get_u64(v.mv_data);
    return 0;
}

static void s_open_dealer(subscriber_t *self)
{
    self->dealer = zmq_socket(self->ctx, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt(self->dealer, ZMQ_LINGER, &zero, sizeof zero);
    s_keepalive(self->dealer);
    if (self->options.curve && curve_endpoint(self->options.command_endpoint))
        curve_apply_client(self->dealer, &self->curve);
    zmq_connect(self->dealer, self->options.command_endpoint);
}

/* Asks the source's log for the page after sequence `after`. */
static void s_request_page_after(subscriber_t *self, uint64_t after)
{
    Thuky__EventsReadRequest body = THUKY__EVENTS_READ_REQUEST__INIT;
    body.after_seq = after;
    body.limit = SUBSCRIBER_PAGE;
    uint8_t body_buf[32];
    size_t body_len = thuky__events_read_request__pack(&body, body_buf);

    self->request_no++;
    snprintf(self->request_id, sizeof self->request_id, "%s:%llu", self->client_id,
             (unsigned long long)self->request_no);
    Thuky__Request req = THUKY__REQUEST__INIT;
    req.protocol = THUKY__PROTOCOL__PROTOCOL_CURRENT;
    req.request_id = self->request_id;
    req.client_id = self->client_id;
    req.request_no = self->request_no;
    req.caller = (char *)"subscriber";
    req.command = (char *)"events.read";
    req.body.data = body_buf;
    req.body.len = body_len;
    uint8_t buf[256];
    size_t len = thuky__request__pack(&req, buf);
    zmq_send(self->dealer, buf, len, ZMQ_DONTWAIT);
    self->catching_up = true;
    self->sent_ms = clock_monotonic_ms();
}

/* Asks the source's log for the next page after the offset. */
static void s_request_page(subscriber_t *self)
{
    s_request_page_after(self, self->offset);
}

static void s_start_catch_up(subscriber_t *self)
{
    if (!self->catching_up && clock_monotonic_ms() >= self->retry_at_ms)
        s_request_page(self);
}

subscriber_t *subscriber_new(void *zmq_ctx, const subscriber_options_t *options)
{
    subscriber_t *self = xcalloc(1, sizeof *self);
    self->options = *options;
    self->ctx = zmq_ctx;
    client_random_id(self->client_id);
    self->offset = options->start_after;
    if (options->store) {
        store_txn_t txn;
        if (store_txn_begin(options->store, &txn, false) != STORE_OK)
            fatalx("cannot read the offset of %s", options->name);
        self->offset = subscriber_stored_offset(&txn, options->meta_dbi, options->name);
        store_txn_abort(&txn);
    }
    self->known_last = self->offset;
    self->heard_ms = clock_monotonic_ms();

    self->sub = zmq_socket(zmq_ctx, ZMQ_SUB);
    int zero = 0;
    zmq_setsockopt(self->sub, ZMQ_LINGER, &zero, sizeof zero);
    s_keepalive(self->sub);
    const char *prefix = options->type_prefix ? options->type_prefix : "";
    zmq_setsockopt(self->sub, ZMQ_SUBSCRIBE, prefix, strlen(prefix));
    if (prefix[0])
        zmq_setsockopt(self->sub, ZMQ_SUBSCRIBE, EVENTLOG_HEARTBEAT_TYPE,
                       strlen(EVENTLOG_HEARTBEAT_TYPE));
    if (options->curve) {
        self->curve = *options->curve; /* the caller's copy may go */
        self->options.curve = &self->curve;
        if (curve_endpoint(options->events_endpoint))
            curve_apply_client(self->sub, &self->curve);
    }
    zmq_connect(self->sub, options->events_endpoint);
    s_open_dealer(self);
    /* Subscribed first, then catch up: nothing published in between is lost. */
    s_request_page(self);
    return self;
}

void subscriber_destroy(subscriber_t **self_p)
{
    subscriber_t *self = *self_p;
    if (!self)
        return;
    zmq_close(self->sub);
    zmq_close(self->dealer);
    free(self);
    *self_p = NULL;
}

void *subscriber_events_socket(subscriber_t *self) { return self->sub; }
void *subscriber_command_socket(subscriber_t *self) { return self->dealer; }
uint64_t subscriber_offset(const subscriber_t *self) { return self->offset; }
const char *subscriber_name(const subscriber_t *self) { return self->options.name; }
uint64_t subscriber_known_last(const subscriber_t *self) { return self->known_last; }

bool subscriber_caught_up(const subscriber_t *self)
{
    return !self->catching_up && self->offset >= self->known_last;
}

/* Applies events (in order, each exactly once) and records the offset in
 * the same transaction. Events at or below the offset are skipped. */
static void s_apply(subscriber_t *self, Thuky__Event **events, size_t count)
{
    store_t *store = self->options.store;
    for (int attempt = 0; attempt < 8; attempt++) {
        store_txn_t txn;
        store_txn_t *tp = NULL;
        if (store) {
            if (store_txn_begin(store, &txn, true) != STORE_OK)
                fatalx("subscriber %s: cannot begin a transaction", self->options.name);
            tp = &txn;
        }
        uint64_t offset = self->offset;
        for (size_t i = 0; i < count; i++) {
            if (events[i]->seq != offset + 1)
                continue;
            self->options.apply(self->options.arg, tp, events[i]);
            offset = events[i]->seq;
        }
        if (!store) {
            self->offset = offset;
            return;
        }
        char key[128];
        uint8_t value[8];
        s_offset_key(self->options.name, key, sizeof key);
        key_put_u64(value, offset);
        store_put(&txn, self->options.meta_dbi, key, strlen(key), value, sizeof value);
        store_rc_t rc = store_txn_commit(&txn);
        if (self->options.done)
            self->options.done(self->options.arg, rc == STORE_OK);
        if (rc == STORE_OK) {
            self->offset = offset;
            return;
        }
        if (rc != STORE_MAP_FULL || store_grow(store) != STORE_OK) {
            /* Nothing applied; the same events come again with the next
             * catch-up, after a pause. */
            log_error("subscriber %s: cannot apply events: %s", self->options.name,
                      store_rc_text(rc));
            self->retry_at_ms = clock_monotonic_ms() + SUBSCRIBER_RETRY_MS;
            return;
        }
    }
}

static void s_heard(subscriber_t *self)
{
    self->heard_ms = clock_monotonic_ms();
    if (self->silent)
        log_info("subscriber %s: the source answers again", self->options.name);
    self->silent = false;
}

/* Applies the live events gathered so far, in one transaction. */
static void s_flush(subscriber_t *self, Thuky__Event **batch, size_t *count)
{
    if (*count == 0)
        return;
    s_apply(self, batch, *count);
    for (size_t i = 0; i < *count; i++)
        thuky__event__free_unpacked(batch[i], NULL);
    *count = 0;
}

void subscriber_on_events(subscriber_t *self)
{
    /* At most one batch per call: a burst from the source is applied in
     * one transaction (one fsync) and never holds the owner's loop for
     * longer than that; what is left is still readable at the next poll. */
    Thuky__Event *batch[SUBSCRIBER_LIVE_BATCH];
    size_t count = 0;
    for (int taken = 0; taken < SUBSCRIBER_LIVE_BATCH; taken++) {
        zmq_msg_t type, data;
        zmq_msg_init(&type);
        if (zmq_msg_recv(&type, self->sub, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&type);
            break;
        }
        zmq_msg_init(&data);
        bool two = zmq_msg_more(&type) && zmq_msg_recv(&data, self->sub, 0) >= 0;
        bool heartbeat = zmq_msg_size(&type) == strlen(EVENTLOG_HEARTBEAT_TYPE) &&
                         memcmp(zmq_msg_data(&type), EVENTLOG_HEARTBEAT_TYPE,
                                strlen(EVENTLOG_HEARTBEAT_TYPE)) == 0;
        s_heard(self);
        if (two && heartbeat) {
            Thuky__Heartbeat *hb =
                thuky__heartbeat__unpack(NULL, zmq_msg_size(&data), zmq_msg_data(&data));
            if (hb) {
                if (hb->last_seq > self->known_last)
                    self->known_last = hb->last_seq;
                thuky__heartbeat__free_unpacked(hb, NULL);
            }
            if (self->known_last > self->offset + count) {
                s_flush(self, batch, &count);
                s_start_catch_up(self);
            }
        } else if (two) {
            Thuky__Event *ev = thuky__event__unpack(NULL, zmq_msg_size(&data), zmq_msg_data(&data));
            if (ev)
                proto_drop_unknown(&ev->base); /* consumers store copies of payloads */
            uint64_t next = self->offset + count + 1;
            if (!ev) {
                log_warnx("subscriber %s: undecodable event dropped; the log will fill it",
                          self->options.name);
            } else {
                if (ev->seq > self->known_last)
                    self->known_last = ev->seq;
                if (!self->catching_up && ev->seq == next) {
                    batch[count++] = ev;
                    ev = NULL;
                } else if (ev->seq > next) {
                    s_flush(self, batch, &count); /* a gap: PUB dropped something */
                    s_start_catch_up(self);
                }
                if (ev)
                    thuky__event__free_unpacked(ev, NULL);
            }
        }
        zmq_msg_close(&type);
        zmq_msg_close(&data);
    }
    s_flush(self, batch, &count);
}

void subscriber_on_reply(subscriber_t *self)
{
    for (;;) {
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, self->dealer, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&msg);
            return;
        }
        s_heard(self);
        Thuky__Reply *reply = thuky__reply__unpack(NULL, zmq_msg_size(&msg), zmq_msg_data(&msg));
        zmq_msg_close(&msg);
        if (!reply)
            continue;
        bool current = self->catching_up && strcmp(reply->request_id, self->request_id) == 0;
        Thuky__EventsReadReply *page = NULL;
        if (current && reply->status && reply->status->code == THUKY__STATUS_CODE__OK)
            page = thuky__events_read_reply__unpack(NULL, reply->body.len, reply->body.data);
        if (current && !page)
            log_warnx("subscriber %s: events.read failed: %s", self->options.name,
                      reply->status ? reply->status->message : "no status");
        thuky__reply__free_unpacked(reply, NULL);
        if (!page)
            continue; /* a stale or failed answer: the tick retries */
        proto_drop_unknown(&page->base);
        if (page->last_seq > self->known_last)
            self->known_last = page->last_seq;
        /* A page that continues where we are is followed at once: the
         * source reads the next page while this one is applied. If this
         * one fails to apply, the next is skipped (its events are past the
         * offset) and the tick asks again from the offset after a pause. */
        size_t n = page->n_events;
        bool continues = n > 0 && page->events[0]->seq <= self->offset + 1;
        uint64_t page_end = n > 0 ? page->events[n - 1]->seq : self->offset;
        bool pausing = clock_monotonic_ms() < self->retry_at_ms;
        bool prefetched = continues && !pausing && page_end < self->known_last;
        if (prefetched)
            s_request_page_after(self, page_end);
        else
            self->catching_up = false;
        if (continues)
            s_apply(self, page->events, n);
        thuky__events_read_reply__free_unpacked(page, NULL);
        pausing = clock_monotonic_ms() < self->retry_at_ms; /* s_apply failed just now */
        if (!prefetched && !pausing && n > 0 && self->offset < self->known_last)
            s_request_page(self);
    }
}

int64_t subscriber_tick(subscriber_t *self)
{
    int64_t now = clock_monotonic_ms();
    if (now - self->heard_ms >= SUBSCRIBER_SILENCE_MS) {
        if (!self->silent)
            log_warnx("subscriber %s: nothing heard for %d s; reconnecting until it answers",
                      self->options.name, SUBSCRIBER_SILENCE_MS / 1000);
        self->silent = true;
        zmq_disconnect(self->sub, self->options.events_endpoint);
        zmq_connect(self->sub, self->options.events_endpoint);
        zmq_disconnect(self->dealer, self->options.command_endpoint);
        zmq_connect(self->dealer, self->options.command_endpoint);
        self->heard_ms = now;
        self->catching_up = false;
        s_request_page(self);
        return SUBSCRIBER_TICK_MS;
    }
    if (self->catching_up &&
        clock_monotonic_ms() - self->sent_ms >= self->options.timeout_ms) {
        /* No answer: the source may be down or restarted; ask again. The
         * socket stays (the owner polls it); DEALER reconnects by itself and
         * a late answer to the old request is recognised by its id. */
        self->catching_up = false;
        s_request_page(self);
    } else if (!self->catching_up && self->known_last > self->offset &&
               now >= self->retry_at_ms) {
        s_request_page(self);
    }
    return SUBSCRIBER_TICK_MS;
}

int subscriber_poll(subscriber_t *self, long timeout_ms)
{
    zmq_pollitem_t items[] = {{self->sub, 0, ZMQ_POLLIN, 0}, {self->dealer, 0, ZMQ_POLLIN, 0}};
    if (zmq_poll(items, 2, timeout_ms) < 0)
        return -1;
    if (items[0].revents & ZMQ_POLLIN)
        subscriber_on_events(self);
    if (items[1].revents & ZMQ_POLLIN)
        subscriber_on_reply(self);
    subscriber_tick(self);
    return 0;
}
