#include "runtime/subscriber.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "base/i18n.h"
#include "base/log.h"
#include "runtime/client.h"
#include "runtime/clock.h"
#include "runtime/eventlog.h"
#include "runtime/keys.h"
#include "runtime/proto_clean.h"
#include "text/utf8.h"
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
/* A diverged subscription says so in the log this often until resynced. */
#define SUBSCRIBER_WARN_MS 60000

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
    /* Where the offset counts (all stored with it): the source's log id,
     * and a hash of the raw event at the offset, checked against the
     * source's event at that sequence on every catch-up. */
    char log_id[EVENTLOG_ID_LEN + 1];
    uint64_t anchor;                      /* 0 = not known (before the first event) */
    uint64_t request_offset;              /* the offset when the page was asked for */
    char seen_log_id[EVENTLOG_ID_LEN + 1]; /* the id the source last gave */
    /* Diverged: the offset no longer counts in the source's log. Nothing
     * is applied until a resync; kept in the store so a restart says it too. */
    char problem[512];
    uint64_t resync_from;                 /* the default start of a resync */
    bool reload;                          /* a resync was written: reread the state */
    int64_t warned_ms;
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

/* Meta keys of one source: "offset:taskd" (8), "log:taskd" (the log id),
 * "anchor:taskd" (8), "diverged:taskd" (resync_from(8) | why). */
static size_t s_key(const char *kind, const char *name, char key[128])
{
    int n = snprintf(key, 128, "%s:%s", kind, name);
    return n < 0 ? 0 : n >= 128 ? 127 : (size_t)n;
}

static bool s_get(store_txn_t *txn, MDB_dbi dbi, const char *kind, const char *name, MDB_val *v)
{
    char key[128];
    return store_get(txn, dbi, key, s_key(kind, name, key), v);
}

/* len 0 deletes the key. */
static void s_put(store_txn_t *txn, MDB_dbi dbi, const char *kind, const char *name,
                  const void *value, size_t len)
{
    char key[128];
    if (len)
        store_put(txn, dbi, key, s_key(kind, name, key), value, len);
    else
        store_del(txn, dbi, key, s_key(kind, name, key));
}

static void s_put_u64(store_txn_t *txn, MDB_dbi dbi, const char *kind, const char *name,
                      uint64_t value)
{
    uint8_t buf[8];
    key_put_u64(buf, value);
    s_put(txn, dbi, kind, name, buf, sizeof buf);
}

uint64_t subscriber_stored_offset(store_txn_t *txn, MDB_dbi meta_dbi, const char *name)
{
    MDB_val v;
    if (s_get(txn, meta_dbi, "offset", name, &v) && v.mv_size == 8)
        return key_get_u64(v.mv_data);
    return 0;
}

/* Reads what the store says of this source (at start and after a resync). */
static void s_load_state(subscriber_t *self)
{
    store_txn_t txn;
    if (store_txn_begin(self->options.store, &txn, false) != STORE_OK)
        fatalx("cannot read the offset of %s", self->options.name);
    MDB_dbi dbi = self->options.meta_dbi;
    const char *name = self->options.name;
    MDB_val v;
    self->offset = subscriber_stored_offset(&txn, dbi, name);
    self->log_id[0] = '\0';
    if (s_get(&txn, dbi, "log", name, &v) && v.mv_size == EVENTLOG_ID_LEN) {
        memcpy(self->log_id, v.mv_data, EVENTLOG_ID_LEN);
        self->log_id[EVENTLOG_ID_LEN] = '\0';
    }
    self->anchor =
        s_get(&txn, dbi, "anchor", name, &v) && v.mv_size == 8 ? key_get_u64(v.mv_data) : 0;
    self->problem[0] = '\0';
    self->resync_from = 0;
    if (s_get(&txn, dbi, "diverged", name, &v) && v.mv_size > 8) {
        self->resync_from = key_get_u64(v.mv_data);
        size_t n = v.mv_size - 8;
        if (n >= sizeof self->problem)
            n = sizeof self->problem - 1;
        memcpy(self->problem, (uint8_t *)v.mv_data + 8, n);
        self->problem[n] = '\0';
    }
    store_txn_abort(&txn);
    self->reload = false;
}

/* FNV-1a of an event as the source stored it: the same bytes in its log,
 * its pages and its PUB messages, whatever this side can decode. */
static uint64_t s_hash(const uint8_t *data, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ data[i]) * 1099511628211ULL;
    return h ? h : 1;
}

/* Stops applying: the offset no longer counts in the source's log. Said
 * once now (and every minute after), kept in the store until a resync. */
static void s_diverge(subscriber_t *self, uint64_t resync_from, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void s_diverge(subscriber_t *self, uint64_t resync_from, const char *fmt, ...)
{
    if (self->problem[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(self->problem, sizeof self->problem, fmt, ap);
    va_end(ap);
    /* a translation cut at the end loses the cut character's (at most 3) bytes */
    size_t full = strlen(self->problem), cut = full;
    while (cut > 0 && full - cut < 3 && !utf8_valid(self->problem, cut))
        cut--;
    if (utf8_valid(self->problem, cut))
        self->problem[cut] = '\0';
    self->resync_from = resync_from;
    self->catching_up = false;
    self->warned_ms = clock_monotonic_ms();
    log_error("subscriber %s: DIVERGED at %llu: %s; nothing more is applied until "
              "'thuky resync' (see thuky(1))",
              self->options.name, (unsigned long long)self->offset, self->problem);
    if (!self->options.store)
        return;
    store_txn_t txn;
    if (store_txn_begin(self->options.store, &txn, true) != STORE_OK)
        return;
    size_t len = strlen(self->problem);
    uint8_t *value = xmalloc(8 + len);
    key_put_u64(value, resync_from);
    memcpy(value + 8, self->problem, len);
    s_put(&txn, self->options.meta_dbi, "diverged", self->options.name, value, 8 + len);
    free(value);
    if (store_txn_commit(&txn) != STORE_OK)
        log_error("subscriber %s: the divergence could not be stored", self->options.name);
}

/* What the source says of its log (a heartbeat or a page). Only a page
 * answers for the log as it is now: a heartbeat may be older than the
 * events read since, so a heartbeat's short log only asks for a page. */
static void s_check_log(subscriber_t *self, const char *log_id, uint64_t last_seq, bool page)
{
    if (log_id && strlen(log_id) == EVENTLOG_ID_LEN)
        memcpy(self->seen_log_id, log_id, sizeof self->seen_log_id);
    if (self->problem[0]) {
        /* Our offset no longer counts in this log: what the source has is
         * what it says now, not the most it ever said (status, resync). */
        self->known_last = last_seq;
        return;
    }
    if (log_id && log_id[0] && self->log_id[0] && strcmp(log_id, self->log_id) != 0) {
        s_diverge(self, 0,
                  _("the source's event log is another one (id %.32s, was %.32s): its store "
                    "was replaced; the events applied here are not in it"),
                  log_id, self->log_id);
    } else if (page && last_seq < self->request_offset) {
        s_diverge(self, last_seq,
                  _("the source's event log ends at %llu, but %llu of its events were applied "
                    "here: it was restored from an older backup, or lost the end of its store"),
                  (unsigned long long)last_seq, (unsigned long long)self->request_offset);
    }
    if (self->problem[0])
        self->known_last = last_seq;
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
    self->request_offset = self->offset;
}

/* Asks the source's log for the next page after the offset, starting
 * with the event at the offset itself when its hash is known: the reply
 * then shows whether the source's log still holds what was applied. */
static void s_request_page(subscriber_t *self)
{
    if (self->problem[0])
        return; /* nothing to apply until a resync */
    s_request_page_after(self, self->anchor && self->offset ? self->offset - 1 : self->offset);
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
    if (options->store)
        s_load_state(self);
    if (self->problem[0])
        log_error("subscriber %s: DIVERGED at %llu: %s; nothing is applied until "
                  "'thuky resync' (see thuky(1))",
                  options->name, (unsigned long long)self->offset, self->problem);
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
 * the same transaction, with the log it counts in and the hash of its
 * event. Events at or below the offset are skipped. */
static void s_apply(subscriber_t *self, Thuky__Event **events, const uint64_t *hashes,
                    size_t count)
{
    store_t *store = self->options.store;
    if (self->reload)
        s_load_state(self);
    if (self->problem[0])
        return;
    for (int attempt = 0; attempt < 8; attempt++) {
        store_txn_t txn;
        store_txn_t *tp = NULL;
        if (store) {
            if (store_txn_begin(store, &txn, true) != STORE_OK)
                fatalx("subscriber %s: cannot begin a transaction", self->options.name);
            tp = &txn;
        }
        uint64_t offset = self->offset, anchor = self->anchor;
        for (size_t i = 0; i < count; i++) {
            if (events[i]->seq != offset + 1)
                continue;
            self->options.apply(self->options.arg, tp, events[i]);
            offset = events[i]->seq;
            anchor = hashes[i];
        }
        if (!store) {
            self->offset = offset;
            if (self->options.done) /* nothing to commit: the batch is in */
                self->options.done(self->options.arg, true);
            return;
        }
        MDB_dbi meta = self->options.meta_dbi;
        const char *name = self->options.name;
        bool adopt = !self->log_id[0] && self->seen_log_id[0];
        s_put_u64(&txn, meta, "offset", name, offset);
        if (anchor)
            s_put_u64(&txn, meta, "anchor", name, anchor);
        if (adopt)
            s_put(&txn, meta, "log", name, self->seen_log_id, EVENTLOG_ID_LEN);
        store_rc_t rc = store_txn_commit(&txn);
        if (self->options.done)
            self->options.done(self->options.arg, rc == STORE_OK);
        if (rc == STORE_OK) {
            self->offset = offset;
            self->anchor = anchor;
            if (adopt)
                memcpy(self->log_id, self->seen_log_id, sizeof self->log_id);
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
static void s_flush(subscriber_t *self, Thuky__Event **batch, const uint64_t *hashes,
                    size_t *count)
{
    if (*count == 0)
        return;
    s_apply(self, batch, hashes, *count);
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
    uint64_t hashes[SUBSCRIBER_LIVE_BATCH];
    size_t count = 0;
    if (self->reload)
        s_load_state(self);
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
            bool short_log = false;
            if (hb) {
                if (hb->last_seq > self->known_last)
                    self->known_last = hb->last_seq;
                s_check_log(self, hb->log_id, hb->last_seq, false);
                short_log = hb->last_seq < self->offset + count;
                thuky__heartbeat__free_unpacked(hb, NULL);
            }
            if (self->known_last > self->offset + count || short_log) {
                s_flush(self, batch, hashes, &count);
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
                    hashes[count] = s_hash(zmq_msg_data(&data), zmq_msg_size(&data));
                    batch[count++] = ev;
                    ev = NULL;
                } else if (ev->seq > next) {
                    s_flush(self, batch, hashes, &count); /* a gap: PUB dropped something */
                    s_start_catch_up(self);
                }
                if (ev)
                    thuky__event__free_unpacked(ev, NULL);
            }
        }
        zmq_msg_close(&type);
        zmq_msg_close(&data);
    }
    s_flush(self, batch, hashes, &count);
}

/* One page of the source's log, decoded, with each event's hash. */
typedef struct {
    Thuky__EventsReadRaw *raw;
    Thuky__Event **events;
    uint64_t *hashes;
    size_t n;
} page_t;

static void s_page_free(page_t *page)
{
    for (size_t i = 0; i < page->n; i++)
        thuky__event__free_unpacked(page->events[i], NULL);
    free(page->events);
    free(page->hashes);
    if (page->raw)
        thuky__events_read_raw__free_unpacked(page->raw, NULL);
    memset(page, 0, sizeof *page);
}

/* Decodes a page (EventsReadRaw: the events as the source stored them);
 * false when it or one of its events is not what it should be. */
static bool s_page_decode(const ProtobufCBinaryData *body, page_t *page)
{
    memset(page, 0, sizeof *page);
    page->raw = thuky__events_read_raw__unpack(NULL, body->len, body->data);
    if (!page->raw)
        return false;
    proto_drop_unknown(&page->raw->base);
    size_t count = page->raw->n_events;
    page->events = xcalloc(count ? count : 1, sizeof *page->events);
    page->hashes = xcalloc(count ? count : 1, sizeof *page->hashes);
    for (size_t i = 0; i < count; i++) {
        const ProtobufCBinaryData *e = &page->raw->events[i];
        Thuky__Event *ev = thuky__event__unpack(NULL, e->len, e->data);
        if (!ev) {
            s_page_free(page);
            return false;
        }
        proto_drop_unknown(&ev->base); /* consumers store copies of payloads */
        page->hashes[i] = s_hash(e->data, e->len);
        page->events[page->n++] = ev;
    }
    return true;
}

/* A page that starts at the offset brings the event applied there: if it
 * is not the one applied, the source's log was rewritten after it. */
static void s_check_anchor(subscriber_t *self, const page_t *page)
{
    if (page->n == 0 || !self->anchor || page->events[0]->seq != self->offset ||
        page->hashes[0] == self->anchor)
        return;
    s_diverge(self, UINT64_MAX,
              _("event %llu of the source's log is not the one applied here: its log was "
                "rewritten from there on (restored from an older backup, then written to)"),
              (unsigned long long)self->offset);
}

void subscriber_on_reply(subscriber_t *self)
{
    if (self->reload)
        s_load_state(self);
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
        page_t page;
        bool ok = current && reply->status && reply->status->code == THUKY__STATUS_CODE__OK &&
                  s_page_decode(&reply->body, &page);
        if (current && !ok)
            log_warnx("subscriber %s: events.read failed: %s", self->options.name,
                      reply->status && reply->status->code != THUKY__STATUS_CODE__OK
                          ? reply->status->message
                          : _("the page cannot be decoded"));
        thuky__reply__free_unpacked(reply, NULL);
        if (!ok)
            continue; /* a stale or failed answer: the tick retries */
        if (page.raw->last_seq > self->known_last)
            self->known_last = page.raw->last_seq;
        s_check_log(self, page.raw->log_id, page.raw->last_seq, true);
        s_check_anchor(self, &page);
        if (self->problem[0]) {
            self->catching_up = false;
            s_page_free(&page);
            continue;
        }
        /* A page that continues where we are is followed at once: the
         * source reads the next page while this one is applied. If this
         * one fails to apply, the next is skipped (its events are past the
         * offset) and the tick asks again from the offset after a pause. */
        size_t n = page.n;
        bool continues = n > 0 && page.events[0]->seq <= self->offset + 1;
        uint64_t page_end = n > 0 ? page.events[n - 1]->seq : self->offset;
        bool pausing = clock_monotonic_ms() < self->retry_at_ms;
        bool prefetched = continues && !pausing && page_end < self->known_last;
        if (prefetched)
            s_request_page_after(self, page_end);
        else
            self->catching_up = false;
        if (continues)
            s_apply(self, page.events, page.hashes, n);
        s_page_free(&page);
        pausing = clock_monotonic_ms() < self->retry_at_ms; /* s_apply failed just now */
        if (!prefetched && !pausing && n > 0 && self->offset < self->known_last)
            s_request_page(self);
    }
}

int64_t subscriber_tick(subscriber_t *self)
{
    int64_t now = clock_monotonic_ms();
    if (self->reload) {
        s_load_state(self); /* a resync was committed (or its batch failed) */
        self->catching_up = false;
        s_request_page(self);
    }
    if (self->problem[0] && now - self->warned_ms >= SUBSCRIBER_WARN_MS) {
        self->warned_ms = now;
        log_error("subscriber %s: still DIVERGED at %llu: %s; see 'thuky resync'",
                  self->options.name, (unsigned long long)self->offset, self->problem);
    }
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

const char *subscriber_problem(const subscriber_t *self) { return self->problem; }
uint64_t subscriber_resync_from(const subscriber_t *self) { return self->resync_from; }
const char *subscriber_log_id(const subscriber_t *self)
{
    return self->log_id[0] ? self->log_id : self->seen_log_id;
}

bool subscriber_resync(subscriber_t *self, store_txn_t *txn, bool from_given, uint64_t from,
                       uint64_t *from_out, lang_t lang, char *why, size_t why_len)
{
    if (!self->options.store) {
        snprintf(why, why_len, "%s", i18n_text(lang, N_("this subscription keeps no offset")));
        return false;
    }
    if (!from_given) {
        if (!self->problem[0]) {
            snprintf(why, why_len,
                     i18n_text(lang, N_("%s is in step (applied %llu); give the sequence to "
                                        "start after")),
                     self->options.name, (unsigned long long)self->offset);
            return false;
        }
        if (self->resync_from == UINT64_MAX) {
            snprintf(why, why_len,
                     i18n_text(lang, N_("where %s's rewritten log starts is not known here: "
                                        "give the last sequence both logs share (thuky events "
                                        "tail --service %s shows the times of its events)")),
                     self->options.name, self->options.name);
            return false;
        }
        from = self->resync_from;
    }
    if (from > self->known_last) {
        snprintf(why, why_len,
                 i18n_text(lang, N_("%s's log ends at %llu: cannot start after %llu")),
                 self->options.name, (unsigned long long)self->known_last,
                 (unsigned long long)from);
        return false;
    }
    MDB_dbi meta = self->options.meta_dbi;
    const char *name = self->options.name;
    s_put_u64(txn, meta, "offset", name, from);
    s_put(txn, meta, "anchor", name, NULL, 0);
    s_put(txn, meta, "diverged", name, NULL, 0);
    s_put(txn, meta, "log", name, self->seen_log_id, strlen(self->seen_log_id));
    /* Read back once the transaction is over: committed, or not. */
    self->reload = true;
    *from_out = from;
    return true;
}
