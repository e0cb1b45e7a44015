/* Calendar subscriptions.
 *
 *   /cal/public.ics             every sitting (no token: the schedule is public)
 *   /cal/OFFICE/SECRET.ics      the sittings that concern the office (plenary
 *                               sessions, sittings its tasks hang on or are on
 *                               the agenda of) and the deadlines of the open
 *                               tasks it leads or coordinates
 *
 * sessiond renders both (session.ical: the same UIDs, SEQUENCE, VTIMEZONE and
 * folding as its own feed). A calendar depends only on taskd's and sessiond's
 * logs, so a rendered one is kept with the feed position it was made at: while
 * neither log moved, a request is answered from the copy, and a conditional
 * one (If-None-Match, If-Modified-Since) with a 304 and no rendering at all.
 * The ETag is the body's hash (strong: the body is byte-stable), Last-Modified
 * the time of the newest event of those logs. Unknown, revoked and
 * other-office tokens get one and the same 404. */
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "domain/deadline.h"
#include "runtime/clock.h"
#include "thuky/session.pb-c.h"
#include "thuky/task.pb-c.h"
#include "web_feed.h"
#include "web_html.h"
#include "web_routes.h"
#include "web_tokens.h"

#define CACHE_SLOTS 64
#define TASKS_MAX 10000

typedef struct {
    char key[CONFIG_OFFICE_MAX + 8];   /* office id, or "" for the public one */
    uint64_t task_seq, session_seq;
    char *body;
    size_t len;
    char etag[40];
    int64_t modified_s;
    int64_t used_ms;
} cal_entry_t;

static cal_entry_t s_cache[CACHE_SLOTS];

static void s_http_date(int64_t s, char out[40])
{
    time_t t = (time_t)s;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 40, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static int64_t s_parse_http_date(const char *text)
{
    struct tm tm = {0};
    if (!text || !strptime(text, "%a, %d %b %Y %H:%M:%S GMT", &tm))
        return -1;
    return (int64_t)timegm(&tm);
}

static bool s_etag_matches(const char *header, const char *etag)
{
    if (!header)
        return false;
    if (strcmp(header, "*") == 0)
        return true;
    return strstr(header, etag) != NULL; /* a list of tags: one equal is enough */
}

static cal_entry_t *s_slot(const char *key)
{
    cal_entry_t *pick = &s_cache[0];
    for (int i = 0; i < CACHE_SLOTS; i++) {
        if (s_cache[i].body && strcmp(s_cache[i].key, key) == 0)
            return &s_cache[i];
        if (!s_cache[i].body || s_cache[i].used_ms < pick->used_ms)
            pick = &s_cache[i];
    }
    return pick;
}

static void s_deadline_of(const Thuky__Task *t, const char *public_url, Thuky__IcalDeadline *d,
                          char *uid, char *summary, char *url)
{
    *d = (Thuky__IcalDeadline)THUKY__ICAL_DEADLINE__INIT;
    snprintf(uid, 48, "task-%u-deadline@thuky", t->id);
    snprintf(summary, 640, "Hạn: %s (T%u)", t->title, t->id);
    url[0] = '\0';
    if (public_url[0])
        snprintf(url, 300, "%s/?task=%u", public_url, t->id);
    d->uid = uid;
    d->date = t->deadline->resolved_date;
    d->summary = summary;
    d->description = t->description;
    d->sequence = t->version; /* raised on every change, so on every move */
    d->changed_ms = t->updated_ms;
    d->url = url;
}

static bool s_listed(char **ids, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(ids[i], id) == 0)
            return true;
    return false;
}

/* Renders the office's calendar (office "" = public); NULL with err. */
static char *s_render(webd_t *wd, const char *office, backend_error_t *err)
{
    Thuky__SessionIcalRequest ical = THUKY__SESSION_ICAL_REQUEST__INIT;
    Thuky__TaskList **pages = NULL;
    size_t n_pages = 0;
    Thuky__SessionListReply *sittings = NULL;
    char **ids = NULL, **owned = NULL;
    size_t n_ids = 0, n_owned = 0;
    Thuky__IcalDeadline *deadlines = NULL, **dl = NULL;
    char (*uids)[48] = NULL, (*summaries)[640] = NULL, (*urls)[300] = NULL;
    char *text = NULL;
    bool ok = true;
    if (office[0]) {
        /* the office's open tasks, page by page */
        Thuky__TaskListRequest tr = THUKY__TASK_LIST_REQUEST__INIT;
        tr.office = (char *)office;
        tr.limit = 1000;
        size_t total = 0;
        for (;;) {
            Thuky__TaskList *page = NULL;
            if (!backend_call(&wd->backend, SERVICE_TASKD, "task.list", &tr.base, NULL,
                              &thuky__task_list__descriptor, (ProtobufCMessage **)&page, err)) {
                ok = false;
                break;
            }
            pages = xrealloc(pages, (n_pages + 1) * sizeof *pages);
            pages[n_pages++] = page;
            total += page->n_tasks;
            if (!page->next_cursor.len || total >= TASKS_MAX)
                break;
            tr.cursor = page->next_cursor;
        }
        if (ok)
            ok = backend_call(&wd->backend, SERVICE_SESSIOND, "session.list",
                              &(Thuky__SessionListRequest)THUKY__SESSION_LIST_REQUEST__INIT.base,
                              NULL, &thuky__session_list_reply__descriptor,
                              (ProtobufCMessage **)&sittings, err);
        if (ok) {
            deadlines = xcalloc(total + 1, sizeof *deadlines);
            dl = xcalloc(total + 1, sizeof *dl);
            uids = xcalloc(total + 1, sizeof *uids);
            summaries = xcalloc(total + 1, sizeof *summaries);
            urls = xcalloc(total + 1, sizeof *urls);
            ids = xcalloc(sittings->n_sittings + total + 1, sizeof *ids);
            owned = xcalloc(total + 1, sizeof *owned);
            for (size_t p = 0; p < n_pages; p++)
                for (size_t i = 0; i < pages[p]->n_tasks; i++) {
                    const Thuky__Task *t = pages[p]->tasks[i];
                    if (!t->deadline)
                        continue;
                    if (t->deadline->resolved_date[0]) {
                        s_deadline_of(t, wd->config->web.public_url, &deadlines[ical.n_deadlines],
                                      uids[ical.n_deadlines], summaries[ical.n_deadlines],
                                      urls[ical.n_deadlines]);
                        dl[ical.n_deadlines] = &deadlines[ical.n_deadlines];
                        ical.n_deadlines++;
                    }
                    /* an occurrence ("GB-1@2024-03-04") is rendered by its series */
                    const char *sitting = deadline_sitting(t->deadline);
                    size_t len = sitting ? strcspn(sitting, "@") : 0;
                    char *series = len ? xstrndup(sitting, len) : NULL;
                    if (series && !s_listed(ids, n_ids, series)) {
                        ids[n_ids++] = series;
                        owned[n_owned++] = series;
                    } else {
                        free(series);
                    }
                }
            for (size_t i = 0; i < sittings->n_sittings; i++) {
                const Thuky__Sitting *s = sittings->sittings[i];
                const char *id = s->series_id[0] ? s->series_id : s->id;
                bool concerns = s->kind == THUKY__SITTING_KIND__KIND_PLENARY;
                for (size_t k = 0; !concerns && k < s->n_agenda; k++)
                    for (size_t p = 0; !concerns && p < n_pages; p++)
                        for (size_t j = 0; !concerns && j < pages[p]->n_tasks; j++)
                            concerns = s->agenda[k]->task_id == pages[p]->tasks[j]->id;
                if (concerns && !s_listed(ids, n_ids, id))
                    ids[n_ids++] = (char *)id;
            }
            if (n_ids == 0)
                ids[n_ids++] = "-"; /* no sitting: an id that is none (empty means all) */
            ical.sitting_ids = ids;
            ical.n_sitting_ids = n_ids;
            ical.deadlines = dl;
        }
    }
    char name[160];
    snprintf(name, sizeof name, office[0] ? "thuky · %s" : "Lịch họp Quốc hội", office);
    ical.name = name;
    Thuky__SessionIcalReply *reply = NULL;
    if (ok && backend_call(&wd->backend, SERVICE_SESSIOND, "session.ical", &ical.base, NULL,
                           &thuky__session_ical_reply__descriptor, (ProtobufCMessage **)&reply,
                           err)) {
        text = xstrdup(reply->ics);
        thuky__session_ical_reply__free_unpacked(reply, NULL);
    }
    for (size_t p = 0; p < n_pages; p++)
        thuky__task_list__free_unpacked(pages[p], NULL);
    free(pages);
    if (sittings)
        thuky__session_list_reply__free_unpacked(sittings, NULL);
    free(ids);
    for (size_t i = 0; i < n_owned; i++)
        free(owned[i]);
    free(owned);
    free(deadlines);
    free(dl);
    free(uids);
    free(summaries);
    free(urls);
    return text;
}

static void s_serve(web_request_t *req, const char *key)
{
    webd_t *wd = req->webd;
    feed_position_t now = web_feed_now(wd->feed);
    cal_entry_t *e = s_slot(key);
    /* rendered at this position of both logs: nothing it shows has changed */
    bool fresh = e->body && strcmp(e->key, key) == 0 && e->task_seq == now.seq[0] &&
                 e->session_seq == now.seq[1];
    if (!fresh) {
        backend_error_t err;
        char *body = s_render(wd, key, &err);
        if (!body) {
            web_backend_problem(req, &err);
            return;
        }
        free(e->body);
        snprintf(e->key, sizeof e->key, "%s", key);
        e->body = body;
        e->len = strlen(body);
        e->task_seq = now.seq[0];
        e->session_seq = now.seq[1];
        uint8_t hash[SHA256_DIGEST_LENGTH];
        SHA256((const unsigned char *)body, e->len, hash);
        snprintf(e->etag, sizeof e->etag, "\"");
        for (int i = 0; i < 16; i++)
            snprintf(e->etag + 1 + 2 * i, 3, "%02x", hash[i]);
        strcat(e->etag, "\"");
        int64_t changed = web_feed_changed_ms(wd->feed);
        e->modified_s = changed > 0 ? changed / 1000 : clock_now_ms() / 1000;
    }
    e->used_ms = clock_monotonic_ms();
    char modified[40];
    s_http_date(e->modified_s, modified);
    const char *inm = web_header(req, "If-None-Match");
    int64_t ims = s_parse_http_date(web_header(req, "If-Modified-Since"));
    bool not_modified = inm ? s_etag_matches(inm, e->etag) : (ims >= 0 && ims >= e->modified_s);
    web_response_t r;
    web_response_init(&r, not_modified ? 304 : 200, not_modified ? NULL : "text/calendar; charset=utf-8");
    r.cache = true;
    r.noindex = key[0] != '\0';
    web_response_header(&r, "ETag", "%s", e->etag);
    web_response_header(&r, "Last-Modified", "%s", modified);
    web_response_header(&r, "Cache-Control", "private, max-age=0, must-revalidate");
    if (!not_modified)
        strbuf_add(&r.body, e->body, e->len);
    web_send(req, &r);
}

void web_cal_route(web_request_t *req)
{
    if (!web_is_get(req)) {
        web_method_not_allowed(req, "GET, HEAD");
        return;
    }
    if (strcmp(req->path, "/cal/public.ics") == 0) {
        s_serve(req, "");
        return;
    }
    /* /cal/OFFICE/SECRET.ics */
    const char *office = req->path + 5;
    const char *slash = strchr(office, '/');
    size_t n = slash ? (size_t)(slash - office) : 0;
    char office_id[CONFIG_OFFICE_MAX], secret[64];
    const char *file = slash ? slash + 1 : "";
    size_t flen = strlen(file);
    Thuky__WebToken *t = NULL;
    if (n > 0 && n < sizeof office_id && flen > 4 && flen - 4 < sizeof secret &&
        strcmp(file + flen - 4, ".ics") == 0) {
        memcpy(office_id, office, n);
        office_id[n] = '\0';
        memcpy(secret, file, flen - 4);
        secret[flen - 4] = '\0';
        t = web_token_find(req->webd, secret);
    }
    if (!t || t->kind != THUKY__TOKEN_KIND__TOKEN_CALENDAR || strcmp(t->office, office_id) != 0) {
        if (t)
            thuky__web_token__free_unpacked(t, NULL);
        web_response_t r;
        web_response_init(&r, 404, "text/plain; charset=utf-8");
        r.noindex = true;
        strbuf_str(&r.body, "Không tìm thấy lịch này. / No such calendar.\n");
        web_send(req, &r);
        return;
    }
    thuky__web_token__free_unpacked(t, NULL);
    s_serve(req, office_id);
}
