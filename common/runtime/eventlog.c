#include "runtime/eventlog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "base/log.h"
#include "runtime/client.h"
#include "runtime/keys.h"
#include "runtime/wire_text.h"

typedef struct {
    char *type;
    uint8_t *data;
    size_t len;
} pending_t;

struct eventlog {
    store_t *store;
    MDB_dbi dbi;
    char source[64];
    char source_uri[80];
    void *pub;
    char id[EVENTLOG_ID_LEN + 1];
    uint64_t last_seq;      /* newest appended (committed or in flight) */
    pending_t *pending;     /* appended in the open transaction */
    size_t pending_count, pending_cap;
};

static uint64_t s_load_last_seq(store_t *store, MDB_dbi dbi)
{
    store_txn_t txn;
    uint64_t last = 0;
    if (store_txn_begin(store, &txn, false) != STORE_OK)
        fatalx("cannot read the event log");
    store_iter_t it;
    store_iter_init(&it, &txn, dbi, NULL, 0, NULL, 0, true);
    if (store_iter_next(&it) && it.key.mv_size == 8)
        last = key_get_u64(it.key.mv_data);
    store_iter_close(&it);
    store_txn_abort(&txn);
    return last;
}

/* Reads the log's identity, making it the first time the store is opened. */
static void s_load_id(store_t *store, MDB_dbi dbi, char id[EVENTLOG_ID_LEN + 1])
{
    static const char key[] = "log_id";
    store_txn_t txn;
    if (store_txn_begin(store, &txn, true) != STORE_OK)
        fatalx("cannot read the event log's identity");
    MDB_val v;
    if (store_get(&txn, dbi, key, sizeof key - 1, &v) && v.mv_size == EVENTLOG_ID_LEN) {
        memcpy(id, v.mv_data, EVENTLOG_ID_LEN);
        id[EVENTLOG_ID_LEN] = '\0';
        store_txn_abort(&txn);
        return;
    }
    client_random_id(id);
    client_random_id(id + EVENTLOG_ID_LEN / 2);
    store_put(&txn, dbi, key, sizeof key - 1, id, EVENTLOG_ID_LEN);
    if (store_txn_commit(&txn) != STORE_OK)
        fatalx("cannot store the event log's identity");
}

eventlog_t *eventlog_new(store_t *store, MDB_dbi events_dbi, MDB_dbi meta_dbi, const char *source,
                         void *pub)
{
    eventlog_t *self = xcalloc(1, sizeof *self);
    self->store = store;
    self->dbi = events_dbi;
    self->pub = pub;
    snprintf(self->source, sizeof self->source, "%s", source);
    snprintf(self->source_uri, sizeof self->source_uri, "/thuky/%s", source);
    self->last_seq = s_load_last_seq(store, events_dbi);
    s_load_id(store, meta_dbi, self->id);
    return self;
}

void eventlog_destroy(eventlog_t **self_p)
{
    eventlog_t *self = *self_p;
    if (!self)
        return;
    eventlog_rollback_to(self, 0);
    free(self->pending);
    free(self);
    *self_p = NULL;
}

uint64_t eventlog_append(eventlog_t *self, store_txn_t *txn, Thuky__Event *event, int64_t now_ms)
{
    char id[96];
    uint64_t seq = self->last_seq + 1;
    snprintf(id, sizeof id, "%s-%llu", self->source, (unsigned long long)seq);
    event->seq = seq;
    event->id = id;
    event->source = self->source_uri;
    event->time_ms = now_ms;

    size_t len = protobuf_c_message_get_packed_size(&event->base);
    uint8_t *data = xmalloc(len);
    protobuf_c_message_pack(&event->base, data);
    /* a handler may have cut a quoted name in the middle of a character */
    wire_text_scrub(&thuky__event__descriptor, data, len);
    uint8_t key[8];
    key_put_u64(key, seq);
    store_put(txn, self->dbi, key, sizeof key, data, len);

    self->pending =
        xgrow(self->pending, self->pending_count, &self->pending_cap, sizeof *self->pending);
    self->pending[self->pending_count++] = (pending_t){xstrdup(event->type), data, len};
    self->last_seq = seq;
    /* The strings above live on this stack frame: do not let them escape. */
    event->id = NULL;
    event->source = NULL;
    return seq;
}

size_t eventlog_mark(const eventlog_t *self) { return self->pending_count; }

void eventlog_rollback_to(eventlog_t *self, size_t mark)
{
    while (self->pending_count > mark) {
        pending_t *p = &self->pending[--self->pending_count];
        free(p->type);
        free(p->data);
        self->last_seq--;
    }
}

void eventlog_publish(eventlog_t *self)
{
    for (size_t i = 0; i < self->pending_count; i++) {
        pending_t *p = &self->pending[i];
        if (self->pub) {
            /* PUB never blocks: at the high-water mark it drops, and the
             * subscriber notices the gap and reads the log. */
            zmq_send(self->pub, p->type, strlen(p->type), ZMQ_SNDMORE | ZMQ_DONTWAIT);
            zmq_send(self->pub, p->data, p->len, ZMQ_DONTWAIT);
        }
        free(p->type);
        free(p->data);
    }
    self->pending_count = 0;
}

void eventlog_heartbeat(eventlog_t *self, int64_t now_ms)
{
    if (!self->pub)
        return;
    Thuky__Heartbeat hb = THUKY__HEARTBEAT__INIT;
    hb.source = self->source_uri;
    hb.last_seq = self->last_seq - self->pending_count;
    hb.time_ms = now_ms;
    hb.log_id = self->id;
    uint8_t buf[192];
    size_t len = thuky__heartbeat__pack(&hb, buf);
    zmq_send(self->pub, EVENTLOG_HEARTBEAT_TYPE, strlen(EVENTLOG_HEARTBEAT_TYPE),
             ZMQ_SNDMORE | ZMQ_DONTWAIT);
    zmq_send(self->pub, buf, len, ZMQ_DONTWAIT);
}

uint64_t eventlog_last_seq(const eventlog_t *self) { return self->last_seq - self->pending_count; }
const char *eventlog_source(const eventlog_t *self) { return self->source; }
const char *eventlog_id(const eventlog_t *self) { return self->id; }

void eventlog_read(eventlog_t *self, store_txn_t *txn, uint64_t after, uint32_t limit,
                   Thuky__EventsReadRaw *out)
{
    if (limit == 0 || limit > EVENTLOG_READ_MAX)
        limit = EVENTLOG_READ_MAX;
    out->events = xcalloc(limit, sizeof *out->events);
    out->n_events = 0;
    out->last_seq = self->last_seq;
    out->log_id = self->id;
    if (after >= self->last_seq)
        return; /* nothing newer (and after + 1 must not wrap) */
    uint8_t start[8];
    key_put_u64(start, after + 1);
    store_iter_t it;
    store_iter_init(&it, txn, self->dbi, NULL, 0, start, sizeof start, false);
    while (out->n_events < limit && store_iter_next(&it)) {
        ProtobufCBinaryData *ev = &out->events[out->n_events++];
        ev->len = it.val.mv_size;
        ev->data = xmalloc(ev->len);
        memcpy(ev->data, it.val.mv_data, ev->len);
    }
    store_iter_close(&it);
    /* Includes events of this batch: replies go out only after its commit. */
    out->last_seq = self->last_seq;
}

void eventlog_read_free(Thuky__EventsReadRaw *out)
{
    for (size_t i = 0; i < out->n_events; i++)
        free(out->events[i].data);
    free(out->events);
    out->events = NULL;
    out->n_events = 0;
}
