/* The session service's queries: one sitting, sittings in a date range
 * (recurring ones expanded into their occurrences), the next sitting of a
 * kind, and the iCalendar feed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/i18n.h"
#include "base/log.h"
#include "domain/repeat.h"
#include "runtime/keys.h"
#include "session_ical.h"
#include "session_store.h"
#include "sessiond.h"

#define LIST_DEFAULT 500
#define LIST_MAX 5000
#define SERIES_WINDOW_DAYS 366   /* how far ahead an open-ended list expands a series */

/* Sittings gathered for a reply. Occurrences are shallow copies of their
 * series with their own id, times and status; they own only those. */
typedef struct {
    Thuky__Sitting **items;
    size_t count, cap;
    Thuky__Sitting **series;     /* unpacked series the occurrences point into */
    size_t n_series, cap_series;
} gathered_t;

typedef struct {
    Thuky__Sitting sitting;
    Thuky__SittingTime start, end;
    sitting_span_text_t text;
    char id[SITTING_REF_MAX + 1];
} occurrence_t;

static void s_push(gathered_t *g, Thuky__Sitting *s)
{
    g->items = xgrow(g->items, g->count, &g->cap, sizeof *g->items);
    g->items[g->count++] = s;
}

static void s_keep_series(gathered_t *g, Thuky__Sitting *s)
{
    g->series = xgrow(g->series, g->n_series, &g->cap_series, sizeof *g->series);
    g->series[g->n_series++] = s;
}

static bool s_is_occurrence(const Thuky__Sitting *s) { return s->series_id[0] != '\0'; }

static void s_gathered_free(gathered_t *g)
{
    for (size_t i = 0; i < g->count; i++) {
        if (s_is_occurrence(g->items[i]))
            free(g->items[i]); /* an occurrence_t: the sitting is its first member */
        else
            thuky__sitting__free_unpacked(g->items[i], NULL);
    }
    for (size_t i = 0; i < g->n_series; i++)
        thuky__sitting__free_unpacked(g->series[i], NULL);
    free(g->items);
    free(g->series);
}

static void s_add_occurrence(gathered_t *g, Thuky__Sitting *series, int32_t day,
                             const sitting_span_t *span)
{
    occurrence_t *o = xmalloc(sizeof *o);
    o->sitting = *series;
    sitting_occurrence_ref(series->id, day, o->id);
    sitting_span_text(span, &o->text);
    o->start = o->text.start;
    o->end = o->text.end;
    o->start.date = o->text.start_date;
    o->start.time = o->text.start_time;
    o->end.date = o->text.end_date;
    o->end.time = o->text.end_time;
    o->sitting.id = o->id;
    o->sitting.series_id = series->id;
    o->sitting.repeat = (char *)"";
    o->sitting.start = &o->start;
    o->sitting.end = &o->end;
    o->sitting.exceptions = NULL;
    o->sitting.n_exceptions = 0;
    if (span->cancelled)
        o->sitting.status = THUKY__SITTING_STATUS__SITTING_CANCELLED;
    const Thuky__Occurrence *ex = sitting_exception(series, day);
    if (ex)
        o->sitting.sequence = ex->sequence;
    s_push(g, &o->sitting);
}

static bool s_id_from_key(const MDB_val *key, size_t skip, char id[SITTING_ID_MAX + 1])
{
    size_t n = key->mv_size - skip;
    if (key->mv_size <= skip || n > SITTING_ID_MAX)
        return false;
    memcpy(id, (const uint8_t *)key->mv_data + skip, n);
    id[n] = '\0';
    return true;
}

typedef struct {
    int32_t from, to;            /* inclusive day bounds */
    Thuky__SittingKind kind;     /* 0 = any */
    bool include_cancelled;
} filter_t;

static bool s_wanted(const filter_t *f, const Thuky__Sitting *s, const sitting_span_t *span)
{
    return (!f->kind || s->kind == f->kind) && (f->include_cancelled || !span->cancelled) &&
           span->end_day >= f->from && span->start_day <= f->to;
}

/* Single sittings in the range, walking the closing-day index. */
static void s_gather_singles(store_txn_t *txn, const filter_t *f, gathered_t *g, size_t cap)
{
    uint8_t start[5] = {SINDEX_END};
    key_put_u32(start + 1, session_day_key(f->from));
    store_iter_t it;
    store_iter_init(&it, txn, store_dbi(txn->store, SDB_INDEX), start, 1, start, sizeof start,
                    false);
    while (g->count < cap && store_iter_next(&it)) {
        int32_t end_day = session_key_day(key_get_u32((const uint8_t *)it.key.mv_data + 1));
        if (end_day > f->to + SITTING_MAX_DAYS)
            break;
        char id[SITTING_ID_MAX + 1];
        if (!s_id_from_key(&it.key, 5, id))
            continue;
        Thuky__Sitting *s = sitting_load(txn, id);
        sitting_span_t span;
        const char *why;
        if (s && sitting_span(s, SITTING_NO_OCCURRENCE, &span, &why) && s_wanted(f, s, &span))
            s_push(g, s);
        else if (s)
            thuky__sitting__free_unpacked(s, NULL);
    }
    store_iter_close(&it);
}

/* Occurrences of every recurring sitting within the range. */
static void s_gather_series(store_txn_t *txn, const filter_t *f, gathered_t *g, size_t cap)
{
    uint8_t prefix[1] = {SINDEX_SERIES};
    store_iter_t it;
    store_iter_init(&it, txn, store_dbi(txn->store, SDB_INDEX), prefix, 1, NULL, 0, false);
    while (store_iter_next(&it)) {
        char id[SITTING_ID_MAX + 1];
        if (!s_id_from_key(&it.key, 1, id))
            continue;
        Thuky__Sitting *s = sitting_load(txn, id);
        if (!s)
            continue;
        s_keep_series(g, s);
        repeat_rule_t rule;
        sitting_span_t first;
        const char *why;
        if ((f->kind && s->kind != f->kind) || !repeat_parse(s->repeat, &rule, &why) ||
            !sitting_time_parse(s->start, &first.start_day, &first.start_minute, &why) ||
            !sitting_time_parse(s->end, &first.end_day, &first.end_minute, &why))
            continue;
        /* A moved occurrence may now lie outside its original window: widen it. */
        int32_t slack = SITTING_MAX_DAYS;
        int32_t days[256];
        int32_t from = f->from - slack, to = f->to + slack;
        for (;;) {
            size_t n = repeat_expand(&rule, first.start_day, from, to, days, 256);
            size_t got = n < 256 ? n : 256;
            for (size_t i = 0; i < got && g->count < cap; i++) {
                sitting_span_t span;
                if (sitting_span(s, days[i], &span, &why) && s_wanted(f, s, &span))
                    s_add_occurrence(g, s, days[i], &span);
            }
            if (n <= 256 || g->count >= cap)
                break;
            from = days[255] + 1;
        }
    }
    store_iter_close(&it);
}

static int s_compare_start(const void *a, const void *b)
{
    const Thuky__Sitting *x = *(Thuky__Sitting *const *)a, *y = *(Thuky__Sitting *const *)b;
    int c = strcmp(x->start->date, y->start->date);
    if (c == 0)
        c = strcmp(x->start->time, y->start->time);
    return c ? c : strcmp(x->id, y->id);
}

static bool s_parse_bound(server_call_t *call, const char *field, const char *text, int32_t *out)
{
    const char *why;
    if (text[0] && !date_parse(text, out, &why)) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "%s: %s", field,
                    i18n_text(call->lang, why));
        return false;
    }
    return true;
}

void session_list(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__SessionListRequest *req = (const Thuky__SessionListRequest *)request;
    int32_t today = date_local_day(call->now_ms / 1000);
    int32_t lowest;
    date_from_ymd(DATE_MIN_YEAR, 1, 1, &lowest, NULL);
    filter_t f = {.from = lowest, .to = INT32_MAX - SITTING_MAX_DAYS, .kind = req->kind,
                  .include_cancelled = req->include_cancelled};
    if (req->kind > THUKY__SITTING_KIND__KIND_BRIEFING) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "unknown kind %d", req->kind);
        return;
    }
    if (!s_parse_bound(call, "from", req->from, &f.from) ||
        !s_parse_bound(call, "to", req->to, &f.to))
        return;
    if (req->next_only && !req->from[0])
        f.from = today;
    if (f.to < f.from) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "'to' is before 'from'");
        return;
    }
    size_t limit = req->limit ? (req->limit < LIST_MAX ? req->limit : LIST_MAX) : LIST_DEFAULT;

    gathered_t g = {0};
    s_gather_singles(call->txn, &f, &g, LIST_MAX * 2);
    /* Singles have no upper bound; an open-ended series stops a year ahead. */
    filter_t series_filter = f;
    if (!req->to[0])
        series_filter.to = (req->from[0] || req->next_only ? f.from : today) + SERIES_WINDOW_DAYS;
    if (!req->from[0] && !req->next_only)
        series_filter.from = today - SERIES_WINDOW_DAYS;
    s_gather_series(call->txn, &series_filter, &g, LIST_MAX * 2);
    if (g.count) /* qsort of a NULL array is undefined even when empty */
        qsort(g.items, g.count, sizeof *g.items, s_compare_start);

    Thuky__SessionListReply reply = THUKY__SESSION_LIST_REPLY__INIT;
    reply.sittings = g.items;
    reply.n_sittings = g.count;
    if (req->next_only) {
        /* The first that opens on or after the day (not one already running). */
        char from_iso[DATE_ISO_LEN];
        date_format_iso(f.from, from_iso);
        size_t i = 0;
        while (i < g.count && strcmp(g.items[i]->start->date, from_iso) < 0)
            i++;
        reply.sittings = i < g.count ? g.items + i : NULL;
        reply.n_sittings = i < g.count ? 1 : 0;
    } else if (reply.n_sittings > limit) {
        reply.n_sittings = limit;
        reply.truncated = true;
    }
    server_reply(call, &reply.base);
    s_gathered_free(&g);
}

void session_get(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__SessionGetRequest *req = (const Thuky__SessionGetRequest *)request;
    char base[SITTING_ID_MAX + 1];
    int32_t occurrence;
    const char *why;
    if (!sitting_split_ref(req->id, base, &occurrence, &why)) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "sitting '%.80s': %s", req->id,
                    i18n_text(call->lang, why));
        return;
    }
    Thuky__Sitting *s = sitting_load(call->txn, base);
    if (!s) {
        if (call->txn->rc == STORE_OK)
            server_fail(call, THUKY__STATUS_CODE__NOT_FOUND, "no sitting %s", base);
        return;
    }
    if (occurrence == SITTING_NO_OCCURRENCE) {
        server_reply(call, &s->base);
    } else {
        sitting_span_t span;
        if (!sitting_span(s, occurrence, &span, &why)) {
            server_fail(call, THUKY__STATUS_CODE__NOT_FOUND, "%s: %s", req->id,
                        i18n_text(call->lang, why));
        } else {
            gathered_t g = {0};
            s_add_occurrence(&g, s, occurrence, &span);
            server_reply(call, &g.items[0]->base);
            s_gathered_free(&g);
        }
    }
    thuky__sitting__free_unpacked(s, NULL);
}

/* Whether session.ical's sitting_ids (empty: all) name this stored sitting. */
static bool s_ical_wanted(const Thuky__SessionIcalRequest *req, const Thuky__Sitting *s)
{
    if (req->n_sitting_ids == 0)
        return true;
    for (size_t i = 0; i < req->n_sitting_ids; i++)
        if (strcmp(req->sitting_ids[i], s->id) == 0)
            return true;
    return false;
}

void session_ical(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__SessionIcalRequest *req = (const Thuky__SessionIcalRequest *)request;
    gathered_t g = {0};
    store_iter_t it;
    store_iter_init(&it, call->txn, store_dbi(call->txn->store, SDB_SITTINGS), NULL, 0, NULL, 0,
                    false);
    while (store_iter_next(&it)) {
        Thuky__Sitting *s = thuky__sitting__unpack(NULL, it.val.mv_size, it.val.mv_data);
        if (!s) {
            store_txn_fail(call->txn, STORE_CORRUPT);
            break;
        }
        if ((!req->kind || s->kind == req->kind) && s_ical_wanted(req, s))
            s_push(&g, s);
        else
            thuky__sitting__free_unpacked(s, NULL);
    }
    store_iter_close(&it);
    char why[256];
    char *ics = session_ical_render(g.items, g.count, req, call->now_ms, why, sizeof why);
    if (!ics) {
        server_fail(call, THUKY__STATUS_CODE__INTERNAL, "iCalendar: %s", why);
    } else {
        Thuky__SessionIcalReply reply = THUKY__SESSION_ICAL_REPLY__INIT;
        reply.ics = ics;
        server_reply(call, &reply.base);
        free(ics);
    }
    s_gathered_free(&g);
}
