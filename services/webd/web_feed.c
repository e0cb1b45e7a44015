#include "web_feed.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/log.h"
#include "runtime/clock.h"
#include "runtime/proto_json.h"
#include "runtime/subscriber.h"
#include "thuky/event.pb-c.h"
#include "web_routes.h"
#include "web_tokens.h"

#define PENDING_MAX (64 * 1024)   /* what one stream is handed at a time */
#define PAGE_EVENTS 200
/* Events looked at for one page or one fill, passed by the filter or not:
 * an old position with a filter that matches nothing moves on by this
 * much per turn instead of reading whole logs while everyone waits. */
#define SCAN_MAX 2000

static const service_id_t s_sources[FEED_SOURCES] = {SERVICE_TASKD, SERVICE_SESSIOND,
                                                     SERVICE_NOTIFYD};
static const char s_letters[FEED_SOURCES] = {'t', 's', 'n'};
static const char *const s_names[FEED_SOURCES] = {"taskd", "sessiond", "notifyd"};

/* One rendered event. offices: ",a,b," the offices it concerns, "*" every
 * office, "" none (readers only). */
typedef struct {
    uint64_t seq;
    char type[64];
    char *offices;
    char *json;
} item_t;

typedef struct {
    item_t items[FEED_RING];   /* seq s lives at s % FEED_RING */
    uint64_t first, last;      /* held: first..last (empty when first > last) */
} ring_t;

typedef struct stream stream_t;
struct stream {
    web_feed_t *feed;
    struct MHD_Connection *conn;
    feed_position_t at;
    feed_filter_t filter;
    char token_id[16];         /* the token it was opened with ("" = an allowed address) */
    strbuf_t pending;
    size_t handed;             /* bytes of pending given to MHD */
    bool suspended;
    int64_t next_ping_ms;
    stream_t *prev, *next;
};

typedef struct {
    web_feed_t *feed;
    int index;
} source_t;

struct web_feed {
    webd_t *webd;
    bool closing;                  /* stopping: every stream ends */
    subscriber_t *subs[FEED_SOURCES];
    source_t sources[FEED_SOURCES];
    ring_t rings[FEED_SOURCES];
    int64_t changed_ms[FEED_SOURCES];
    stream_t *streams;
};

/* ---- positions ----------------------------------------------------------- */

bool feed_position_parse(const char *text, feed_position_t *out)
{
    memset(out, 0, sizeof *out);
    if (!text || strlen(text) >= FEED_POSITION_MAX)
        return false;
    char copy[FEED_POSITION_MAX];
    snprintf(copy, sizeof copy, "%s", text);
    for (char *save = NULL, *part = strtok_r(copy, ",", &save); part;
         part = strtok_r(NULL, ",", &save)) {
        int index = -1;
        for (int i = 0; i < FEED_SOURCES; i++)
            if (part[0] == s_letters[i] && part[1] == '=')
                index = i;
        char *end;
        if (index < 0 || part[2] < '0' || part[2] > '9')
            return false;
        unsigned long long v = strtoull(part + 2, &end, 10);
        if (*end)
            return false;
        out->seq[index] = v;
    }
    return true;
}

void feed_position_format(const feed_position_t *p, char out[FEED_POSITION_MAX])
{
    snprintf(out, FEED_POSITION_MAX, "t=%" PRIu64 ",s=%" PRIu64 ",n=%" PRIu64, p->seq[0],
             p->seq[1], p->seq[2]);
}

feed_position_t web_feed_now(const web_feed_t *self)
{
    feed_position_t p;
    for (int i = 0; i < FEED_SOURCES; i++)
        p.seq[i] = self->rings[i].last;
    return p;
}

int64_t web_feed_changed_ms(const web_feed_t *self)
{
    return self->changed_ms[0] > self->changed_ms[1] ? self->changed_ms[0] : self->changed_ms[1];
}

/* ---- rendering -------------------------------------------------------------- */

static void s_offices(const Thuky__Event *ev, strbuf_t *out)
{
    switch (ev->payload_case) {
    case THUKY__EVENT__PAYLOAD_TASK:
        if (ev->task->task) {
            strbuf_printf(out, ",%s,", ev->task->task->lead_office);
            for (size_t i = 0; i < ev->task->task->n_with_offices; i++)
                strbuf_printf(out, "%s,", ev->task->task->with_offices[i]);
        }
        break;
    case THUKY__EVENT__PAYLOAD_ALERT:
        if (ev->alert->alert)
            strbuf_printf(out, ",%s,", ev->alert->alert->office);
        break;
    case THUKY__EVENT__PAYLOAD_OFFICE:
        if (ev->office->office)
            strbuf_printf(out, ",%s,", ev->office->office->id);
        break;
    case THUKY__EVENT__PAYLOAD_PROGRAM:
    case THUKY__EVENT__PAYLOAD_SESSION:
    case THUKY__EVENT__PAYLOAD_CALENDAR: strbuf_str(out, "*"); break;
    default: break; /* silences, web tokens: for readers only */
    }
    if (!out->data)
        strbuf_str(out, "");
}

/* The payload: the one member of the oneof that is set. */
static json_t *s_data(const Thuky__Event *ev)
{
    static const char *const hidden[] = {"secret_hash", "webhook_secret", "webhook_secret_file",
                                         NULL};
    const ProtobufCMessage *m = NULL;
    switch (ev->payload_case) {
    case THUKY__EVENT__PAYLOAD_TASK: m = &ev->task->base; break;
    case THUKY__EVENT__PAYLOAD_PROGRAM: m = &ev->program->base; break;
    case THUKY__EVENT__PAYLOAD_SESSION: m = &ev->session->base; break;
    case THUKY__EVENT__PAYLOAD_ALERT: m = &ev->alert->base; break;
    case THUKY__EVENT__PAYLOAD_OFFICE: m = &ev->office->base; break;
    case THUKY__EVENT__PAYLOAD_SILENCE: m = &ev->silence->base; break;
    case THUKY__EVENT__PAYLOAD_CALENDAR: m = &ev->calendar->base; break;
    case THUKY__EVENT__PAYLOAD_WEB_TOKEN: m = &ev->web_token->base; break;
    default: break;
    }
    return m ? proto_json(m, hidden) : json_object();
}

/* A structured-mode CloudEvent (JSON format, spec 1.0). */
static char *s_cloudevent(const Thuky__Event *ev, int index)
{
    char time[40];
    int64_t s = ev->time_ms / 1000;
    int32_t day = (int32_t)(s >= 0 ? s / 86400 : (s - 86399) / 86400);
    int64_t in_day = s - (int64_t)day * 86400;
    char iso[DATE_ISO_LEN];
    date_format_iso(day, iso);
    snprintf(time, sizeof time, "%sT%02d:%02d:%02d.%03dZ", iso, (int)(in_day / 3600),
             (int)(in_day / 60 % 60), (int)(in_day % 60), (int)(ev->time_ms % 1000));
    char type[96];
    snprintf(type, sizeof type, "vn.gov.quochoi.thuky.%s", ev->type);
    /* "sequence" is the CloudEvents sequence extension: a string */
    char seq[24];
    snprintf(seq, sizeof seq, "%" PRIu64, ev->seq);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "specversion", "1.0", "id",
                          ev->id, "source", ev->source, "type", type, "subject", ev->subject,
                          "time", time, "datacontenttype", "application/json", "sequence", seq);
    json_object_set_new(j, "thukysource", json_string(s_names[index]));
    json_object_set_new(j, "data", s_data(ev));
    char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    return text;
}

static void s_item_fill(item_t *it, const Thuky__Event *ev, int index)
{
    it->seq = ev->seq;
    snprintf(it->type, sizeof it->type, "%s", ev->type);
    strbuf_t offices = {0};
    s_offices(ev, &offices);
    it->offices = strbuf_take(&offices);
    it->json = s_cloudevent(ev, index);
}

static void s_item_clear(item_t *it)
{
    free(it->offices);
    free(it->json);
    memset(it, 0, sizeof *it);
}

static bool s_passes(const item_t *it, const feed_filter_t *f)
{
    if (f->type_prefix[0] && strncmp(it->type, f->type_prefix, strlen(f->type_prefix)) != 0 &&
        !(strncmp(f->type_prefix, "vn.gov.quochoi.thuky.", 21) == 0 &&
          strncmp(it->type, f->type_prefix + 21, strlen(f->type_prefix + 21)) == 0))
        return false;
    if (!f->office[0])
        return true;
    if (strcmp(it->offices, "*") == 0)
        return true;
    char needle[CONFIG_OFFICE_MAX + 2];
    snprintf(needle, sizeof needle, ",%s,", f->office);
    return strstr(it->offices, needle) != NULL;
}

/* ---- the followers ---------------------------------------------------------- */

static void s_resume_all(web_feed_t *self)
{
    bool any = false;
    for (stream_t *st = self->streams; st; st = st->next)
        if (st->suspended) {
            st->suspended = false;
            MHD_resume_connection(st->conn);
            any = true;
        }
    if (any && self->webd->http)
        web_http_kick(self->webd->http);
}

static void s_apply(void *arg, store_txn_t *txn, const Thuky__Event *ev)
{
    (void)txn;
    source_t *src = arg;
    ring_t *r = &src->feed->rings[src->index];
    if (ev->seq <= r->last)
        return;
    item_t *it = &r->items[ev->seq % FEED_RING];
    s_item_clear(it);
    s_item_fill(it, ev, src->index);
    if (r->first > r->last || ev->seq != r->last + 1)
        r->first = ev->seq;  /* the first held, or a fresh start after a jump */
    r->last = ev->seq;
    if (r->last - r->first >= FEED_RING)
        r->first = r->last - FEED_RING + 1;
    src->feed->changed_ms[src->index] = ev->time_ms;
}

static void s_done(void *arg, bool committed)
{
    source_t *src = arg;
    if (committed)
        s_resume_all(src->feed);
}

static void s_on_events(server_t *server, void *socket, void *arg)
{
    (void)server;
    (void)socket;
    subscriber_on_events(arg);
}

static void s_on_reply(server_t *server, void *socket, void *arg)
{
    (void)server;
    (void)socket;
    subscriber_on_reply(arg);
}

/* Resumes the streams whose ping is due; runs the followers' ticks. */
static int64_t s_tick(server_t *server, void *arg)
{
    (void)server;
    web_feed_t *self = arg;
    int64_t wait = FEED_PING_MS;
    for (int i = 0; i < FEED_SOURCES; i++) {
        int64_t w = subscriber_tick(self->subs[i]);
        if (w < wait)
            wait = w;
    }
    int64_t now = clock_monotonic_ms();
    bool any = false;
    for (stream_t *st = self->streams; st; st = st->next) {
        if (st->suspended && st->next_ping_ms <= now) {
            st->suspended = false;
            MHD_resume_connection(st->conn);
            any = true;
        } else if (st->next_ping_ms - now < wait) {
            wait = st->next_ping_ms - now;
        }
    }
    if (any && self->webd->http)
        web_http_kick(self->webd->http);
    return wait < 10 ? 10 : wait;
}

/* The last sequence of a source now, to follow it from there (0 when it is
 * down: it is then read from its start once it answers). */
static uint64_t s_last_seq(webd_t *wd, service_id_t service, int64_t *time_ms)
{
    Thuky__DaemonStatus *st = NULL;
    backend_error_t err;
    if (!backend_call(&wd->backend, service, "status", NULL, NULL,
                      &thuky__daemon_status__descriptor, (ProtobufCMessage **)&st, &err))
        return 0;
    uint64_t last = st->last_event_seq;
    thuky__daemon_status__free_unpacked(st, NULL);
    /* the time of that last event: a calendar's Last-Modified */
    Thuky__EventsReadRequest req = THUKY__EVENTS_READ_REQUEST__INIT;
    req.after_seq = last > 0 ? last - 1 : 0;
    req.limit = 1;
    Thuky__EventsReadReply *page = NULL;
    if (last > 0 && backend_call(&wd->backend, service, "events.read", &req.base, NULL,
                                 &thuky__events_read_reply__descriptor, (ProtobufCMessage **)&page,
                                 &err)) {
        if (page->n_events == 1)
            *time_ms = page->events[0]->time_ms;
        thuky__events_read_reply__free_unpacked(page, NULL);
    }
    return last;
}

web_feed_t *web_feed_new(webd_t *webd)
{
    web_feed_t *self = xcalloc(1, sizeof *self);
    self->webd = webd;
    for (int i = 0; i < FEED_SOURCES; i++) {
        const config_service_t *svc = config_service(webd->config, s_sources[i]);
        uint64_t last = s_last_seq(webd, s_sources[i], &self->changed_ms[i]);
        self->rings[i].first = last + 1;
        self->rings[i].last = last;
        self->sources[i] = (source_t){self, i};
        subscriber_options_t o = {
            .name = svc->name,
            .command_endpoint = svc->command,
            .events_endpoint = svc->events,
            .type_prefix = "",
            .start_after = last,
            .timeout_ms = BACKEND_TIMEOUT_MS,
            .apply = s_apply,
            .done = s_done,
            .arg = &self->sources[i],
        };
        self->subs[i] = subscriber_new(webd->zmq, &o);
        server_add_reader(webd->server, subscriber_events_socket(self->subs[i]), s_on_events,
                          self->subs[i]);
        server_add_reader(webd->server, subscriber_command_socket(self->subs[i]), s_on_reply,
                          self->subs[i]);
        server_add_subscription(webd->server, self->subs[i]);
    }
    server_add_timer(webd->server, s_tick, self);
    return self;
}

void web_feed_end_streams(web_feed_t *self)
{
    self->closing = true;
    s_resume_all(self);
}

void web_feed_destroy(web_feed_t **self_p)
{
    web_feed_t *self = *self_p;
    if (!self)
        return;
    for (int i = 0; i < FEED_SOURCES; i++) {
        subscriber_destroy(&self->subs[i]);
        for (int k = 0; k < FEED_RING; k++)
            s_item_clear(&self->rings[i].items[k]);
    }
    free(self);
    *self_p = NULL;
}

/* ---- reading a position forward ------------------------------------------- */

/* Takes one event; false when the receiver is full. */
typedef bool (*emit_fn)(void *arg, const item_t *it, const feed_position_t *after);

typedef struct {
    int emit;    /* events that may still be handed over */
    int scan;    /* events that may still be looked at */
} budget_t;

static bool s_take(budget_t *b, const item_t *it, const feed_filter_t *filter, emit_fn emit,
                   void *arg, const feed_position_t *at)
{
    b->scan--;
    if (!s_passes(it, filter))
        return true;
    b->emit--;
    return emit(arg, it, at);
}

/* Hands each event after at->seq[i] (ring, else the daemon's log) to emit
 * while the budget lasts; false when the daemon could not be read. */
static bool s_advance(web_feed_t *self, int i, feed_position_t *at, const feed_filter_t *filter,
                      budget_t *budget, emit_fn emit, void *arg, backend_error_t *err)
{
    ring_t *r = &self->rings[i];
    while (budget->emit > 0 && budget->scan > 0 && at->seq[i] < r->last) {
        uint64_t next = at->seq[i] + 1;
        if (next >= r->first) {
            const item_t *it = &r->items[next % FEED_RING];
            at->seq[i] = next;
            if (!s_take(budget, it, filter, emit, arg, at))
                budget->emit = 0;
            continue;
        }
        /* older than the ring: from the durable log */
        Thuky__EventsReadRequest req = THUKY__EVENTS_READ_REQUEST__INIT;
        req.after_seq = at->seq[i];
        req.limit = PAGE_EVENTS;
        Thuky__EventsReadReply *page = NULL;
        if (!backend_call(&self->webd->backend, s_sources[i], "events.read", &req.base, NULL,
                          &thuky__events_read_reply__descriptor, (ProtobufCMessage **)&page, err))
            return false;
        bool moved = false;
        for (size_t k = 0; k < page->n_events && at->seq[i] + 1 < r->first && budget->emit > 0;
             k++) {
            const Thuky__Event *ev = page->events[k];
            if (ev->seq <= at->seq[i])
                continue;
            item_t it = {0};
            s_item_fill(&it, ev, i);
            at->seq[i] = ev->seq;
            moved = true;
            if (!s_take(budget, &it, filter, emit, arg, at))
                budget->emit = 0;
            s_item_clear(&it);
        }
        thuky__events_read_reply__free_unpacked(page, NULL);
        if (!moved)
            break; /* the log ends before the ring begins: a gap the daemon cannot fill */
    }
    return true;
}

static bool s_emit_sse(void *arg, const item_t *it, const feed_position_t *after)
{
    stream_t *st = arg;
    char id[FEED_POSITION_MAX];
    feed_position_format(after, id);
    strbuf_printf(&st->pending, "id: %s\ndata: %s\n\n", id, it->json);
    return st->pending.len < PENDING_MAX;
}

static bool s_emit_json(void *arg, const item_t *it, const feed_position_t *after)
{
    (void)after;
    json_t *event = json_loads(it->json, 0, NULL);
    if (event)
        json_array_append_new(arg, event);
    return true;
}

int web_feed_page(web_feed_t *self, feed_position_t *from, const feed_filter_t *filter,
                  int limit, json_t *out, backend_error_t *err)
{
    budget_t budget = {limit, SCAN_MAX};
    for (int i = 0; i < FEED_SOURCES; i++)
        if (!s_advance(self, i, from, filter, &budget, s_emit_json, out, err))
            return -1;
    return limit - budget.emit;
}

/* ---- SSE streams ----------------------------------------------------------------- */

static void s_fill(stream_t *st)
{
    budget_t budget = {PENDING_MAX / 512, SCAN_MAX};
    for (int i = 0; i < FEED_SOURCES && st->pending.len < PENDING_MAX; i++) {
        backend_error_t err;
        if (!s_advance(st->feed, i, &st->at, &st->filter, &budget, s_emit_sse, st, &err))
            log_warnx("feed: %s", err.message); /* tried again at the next event or ping */
    }
    /* still behind after a whole scan: say so, and come back at once */
    if (st->pending.len == 0 && budget.scan <= 0)
        strbuf_str(&st->pending, ": catching up\n\n");
}

static ssize_t s_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    stream_t *st = cls;
    if (st->feed->closing)
        return MHD_CONTENT_READER_END_OF_STREAM;
    /* the credential it was opened with is checked again: revoked ends it */
    if (st->handed == st->pending.len && st->token_id[0] &&
        !web_token_live(st->feed->webd, st->token_id))
        return MHD_CONTENT_READER_END_OF_STREAM;
    if (st->handed == st->pending.len) {
        /* a stream that caught up on a long backlog gives its room back */
        if (st->pending.cap > 16 * 1024)
            strbuf_free(&st->pending);
        st->pending.len = 0;
        st->handed = 0;
        if (st->pending.data)
            st->pending.data[0] = '\0';
        s_fill(st);
        int64_t now = clock_monotonic_ms();
        if (st->pending.len == 0 && now >= st->next_ping_ms)
            strbuf_str(&st->pending, ": ping\n\n");
        if (st->pending.len > 0)
            st->next_ping_ms = now + FEED_PING_MS;
    }
    if (st->pending.len == st->handed) {
        st->suspended = true;
        MHD_suspend_connection(st->conn);
        return 0;
    }
    size_t n = st->pending.len - st->handed;
    if (n > max)
        n = max;
    memcpy(buf, st->pending.data + st->handed, n);
    st->handed += n;
    return (ssize_t)n;
}

static void s_stream_free(void *cls)
{
    stream_t *st = cls;
    if (st->prev)
        st->prev->next = st->next;
    else
        st->feed->streams = st->next;
    if (st->next)
        st->next->prev = st->prev;
    strbuf_free(&st->pending);
    free(st);
}

void web_feed_stream(web_feed_t *self, web_request_t *req, const feed_position_t *from,
                     const feed_filter_t *filter, const char *token_id)
{
    stream_t *st = xcalloc(1, sizeof *st);
    st->feed = self;
    snprintf(st->token_id, sizeof st->token_id, "%s", token_id);
    st->conn = req->conn;
    st->at = *from;
    st->filter = *filter;
    st->next_ping_ms = clock_monotonic_ms() + FEED_PING_MS;
    /* a reconnecting EventSource waits this long (ms) */
    strbuf_str(&st->pending, "retry: 3000\n\n");
    st->next = self->streams;
    if (self->streams)
        self->streams->prev = st;
    self->streams = st;
    struct MHD_Response *resp =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, s_read, st, s_stream_free);
    MHD_add_response_header(resp, "Content-Type", "text/event-stream; charset=utf-8");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Accel-Buffering", "no");
    web_send_mhd(req, resp, 200);
}
