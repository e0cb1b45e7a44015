/* /api/v1/: the JSON API for portals (openapi.json describes it).
 *
 * Reads take a read or office principal (web_auth.h); an office principal
 * sees its own office only, whatever it asks. Writes (ack, progress) take
 * an office principal, run on behalf of that office, and honour an
 * Idempotency-Key: the same key from the same token is applied once (the
 * daemon keeps the reply). Errors are problem+json (web_http.h). */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/log.h"
#include "runtime/clock.h"
#include "runtime/proto_json.h"
#include "thuky/notify.pb-c.h"
#include "thuky/session.pb-c.h"
#include "thuky/task.pb-c.h"
#include "web_auth.h"
#include "web_feed.h"
#include "web_report.h"
#include "web_routes.h"
#include "web_sign.h"

#define PAGE_DEFAULT 100
#define PAGE_MAX 1000
#define CURSOR_MAX 512

extern const char web_openapi_json[];

static const char *const s_hidden[] = {"webhook_secret", "webhook_secret_file", "secret_hash",
                                       NULL};

static void s_message(web_request_t *req, const ProtobufCMessage *m)
{
    web_send_json(req, 200, proto_json(m, s_hidden));
}

/* The office a read is limited to: the principal's, or the one asked. */
static const char *s_office(const web_request_t *req, const web_principal_t *who)
{
    if (who->office_scope)
        return who->office;
    const char *asked = web_query(req, "office");
    return asked ? asked : "";
}

static client_call_options_t s_as(const web_request_t *req, const web_principal_t *who,
                                  Thuky__OnBehalf *ob)
{
    *ob = (Thuky__OnBehalf)THUKY__ON_BEHALF__INIT;
    client_call_options_t o = {0};
    if (who->office_scope) {
        ob->office = (char *)who->office;
        ob->token_id = (char *)who->token_id;
        ob->address = (char *)req->address;
        ob->user_agent = (char *)req->user_agent;
        o.on_behalf = ob;
    }
    return o;
}

static bool s_call(web_request_t *req, service_id_t service, const char *command,
                   const ProtobufCMessage *body, const client_call_options_t *as,
                   const ProtobufCMessageDescriptor *desc, ProtobufCMessage **out)
{
    backend_error_t err;
    if (backend_call(&req->webd->backend, service, command, body, as, desc, out, &err))
        return true;
    web_backend_problem(req, &err);
    return false;
}

static bool s_parse_status(const char *text, Thuky__TaskStatus *out)
{
    static const struct {
        const char *name;
        Thuky__TaskStatus status;
    } names[] = {{"open", THUKY__TASK_STATUS__TASK_OPEN},
                 {"in_progress", THUKY__TASK_STATUS__TASK_IN_PROGRESS},
                 {"done", THUKY__TASK_STATUS__TASK_DONE},
                 {"cancelled", THUKY__TASK_STATUS__TASK_CANCELLED}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(text, names[i].name) == 0) {
            *out = names[i].status;
            return true;
        }
    return false;
}

static bool s_parse_flag(const char *text, Thuky__TaskFlag *out)
{
    if (strcmp(text, "quality") == 0)
        *out = THUKY__TASK_FLAG__FLAG_QUALITY;
    else if (strcmp(text, "dispute") == 0)
        *out = THUKY__TASK_FLAG__FLAG_DISPUTE;
    else if (strcmp(text, "sitting_cancelled") == 0)
        *out = THUKY__TASK_FLAG__FLAG_SITTING_CANCELLED;
    else
        return false;
    return true;
}

static bool s_date_arg(web_request_t *req, const char *name, const char **out)
{
    *out = web_query(req, name);
    int32_t day;
    const char *why;
    if (*out && !date_parse(*out, &day, &why)) {
        web_problem(req, 400, "Invalid argument", N_("%s: %s (YYYY-MM-DD)"), name,
                    W_(req, why));
        return false;
    }
    return true;
}

/* GET /api/v1/tasks?office&status&flag&due_before&limit&cursor */
static void s_tasks(web_request_t *req, const web_principal_t *who)
{
    Thuky__TaskListRequest tr = THUKY__TASK_LIST_REQUEST__INIT;
    tr.office = (char *)s_office(req, who);
    const char *status = web_query(req, "status"), *flag = web_query(req, "flag");
    const char *limit = web_query(req, "limit"), *cursor = web_query(req, "cursor");
    const char *due_before;
    Thuky__TaskFlag want_flag = 0;
    if (!s_date_arg(req, "due_before", &due_before))
        return;
    if (status && !s_parse_status(status, &tr.status)) {
        web_problem(req, 400, "Invalid argument",
                    N_("status: open, in_progress, done or cancelled"));
        return;
    }
    if (flag && !s_parse_flag(flag, &want_flag)) {
        web_problem(req, 400, "Invalid argument",
                    N_("flag: quality, dispute or sitting_cancelled"));
        return;
    }
    tr.flagged = flag != NULL;
    tr.due_before = (char *)(due_before ? due_before : "");
    char *end;
    unsigned long n = limit ? strtoul(limit, &end, 10) : PAGE_DEFAULT;
    if (limit && (*end || n == 0 || n > PAGE_MAX)) {
        web_problem(req, 400, "Invalid argument", N_("limit: 1 to %d"), PAGE_MAX);
        return;
    }
    tr.limit = (uint32_t)n;
    /* opaque to clients: the daemon's cursor in unpadded base64url, at
     * most CURSOR_MAX bytes; anything else is not one this API gave */
    uint8_t raw[CURSOR_MAX + 3];
    if (cursor) {
        char b64[CURSOR_MAX / 3 * 4 + 8];
        size_t len = strlen(cursor);
        bool ok = len > 0 && len <= CURSOR_MAX / 3 * 4 && len % 4 != 1;
        for (size_t i = 0; ok && i < len; i++) {
            char c = cursor[i];
            ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_';
            b64[i] = c == '-' ? '+' : c == '_' ? '/' : c;
        }
        size_t pad = 0;
        while (ok && (len + pad) % 4)
            b64[len + pad++] = '=';
        int got = ok ? EVP_DecodeBlock(raw, (unsigned char *)b64, (int)(len + pad)) : -1;
        if (got < (int)pad) {
            web_problem(req, 400, "Invalid argument", N_("cursor: not one this API gave"));
            return;
        }
        tr.cursor.data = raw;
        tr.cursor.len = (size_t)got - pad;
    }
    Thuky__OnBehalf ob;
    client_call_options_t as = s_as(req, who, &ob);
    Thuky__TaskList *list = NULL;
    if (!s_call(req, SERVICE_TASKD, "task.list", &tr.base, &as, &thuky__task_list__descriptor,
                (ProtobufCMessage **)&list))
        return;
    json_t *items = json_array();
    for (size_t i = 0; i < list->n_tasks; i++)
        if (!flag || web_task_has_flag(list->tasks[i], want_flag))
            json_array_append_new(items, proto_json(&list->tasks[i]->base, s_hidden));
    json_t *page = json_pack("{s:o}", "tasks", items);
    if (list->next_cursor.len) {
        char b64[CURSOR_MAX * 2];
        int len = EVP_EncodeBlock((unsigned char *)b64, list->next_cursor.data,
                                  (int)list->next_cursor.len);
        while (len > 0 && b64[len - 1] == '=')
            len--;
        b64[len] = '\0';
        for (int i = 0; i < len; i++)
            b64[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
        json_object_set_new(page, "next_cursor", json_string(b64));
    }
    thuky__task_list__free_unpacked(list, NULL);
    web_send_json(req, 200, page);
}

static bool s_id_after(const char *path, const char *prefix, unsigned long *id, const char **rest)
{
    size_t n = strlen(prefix);
    if (strncmp(path, prefix, n) != 0)
        return false;
    const char *p = path + n;
    if (*p == 'T')
        p++;
    char *end;
    *id = strtoul(p, &end, 10);
    if (end == p || *id == 0 || *id > UINT32_MAX)
        return false;
    *rest = end;
    return true;
}

/* A JSON body's object, or NULL with the 400 sent. */
static json_t *s_body(web_request_t *req)
{
    const char *type = web_header(req, "Content-Type");
    if (!type || strncmp(type, "application/json", 16) != 0) {
        web_problem(req, 415, "Unsupported media type", N_("send application/json"));
        return NULL;
    }
    json_error_t e;
    json_t *j = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &e);
    if (!json_is_object(j)) {
        json_decref(j);
        web_problem(req, 400, "Invalid JSON", N_("%s (line %d)"), e.text, e.line);
        return NULL;
    }
    return j;
}

/* The write's options: on behalf of the principal's office, with the
 * Idempotency-Key as the daemon's idempotency key. */
static bool s_write_as(web_request_t *req, const web_principal_t *who, Thuky__OnBehalf *ob,
                       char client_id[40], client_call_options_t *as)
{
    if (!who->office_scope) {
        web_problem(req, 403, "Forbidden",
                    N_("only an office's token may acknowledge or report (this one reads)"));
        return false;
    }
    if (!web_auth_post_allowed(req, who))
        return false;
    *as = s_as(req, who, ob);
    const char *key = web_header(req, "Idempotency-Key");
    if (key) {
        if (strlen(key) > 255) {
            web_problem(req, 400, "Invalid argument", N_("Idempotency-Key: at most 255 bytes"));
            return false;
        }
        char text[320], digest[17];
        snprintf(text, sizeof text, "%s\n%s", who->token_id, key);
        web_digest16(req->webd, text, digest);
        snprintf(client_id, 40, "api-%s", digest);
        as->client_id = client_id;
        as->request_no = 1;
    }
    return true;
}

static void s_progress(web_request_t *req, const web_principal_t *who, unsigned long id)
{
    Thuky__OnBehalf ob;
    char client_id[40];
    client_call_options_t as;
    if (!s_write_as(req, who, &ob, client_id, &as))
        return;
    json_t *j = s_body(req);
    if (!j)
        return;
    json_t *progress = json_object_get(j, "progress"), *note = json_object_get(j, "note"),
           *flag = json_object_get(j, "flag");
    Thuky__TaskUpdateRequest up = THUKY__TASK_UPDATE_REQUEST__INIT;
    Thuky__TaskFlag set[1], clear[2];
    up.id = (uint32_t)id;
    if (!json_is_integer(progress) || json_integer_value(progress) < 0 ||
        json_integer_value(progress) > 100 || !json_is_string(note) ||
        !json_string_length(note) || (flag && !json_is_string(flag))) {
        json_decref(j);
        web_problem(req, 400, "Invalid argument",
                    N_("progress (0-100) and note (not empty) are required; flag is none, "
                       "quality or dispute"));
        return;
    }
    const char *f = flag ? json_string_value(flag) : "none";
    if (strcmp(f, "quality") == 0 || strcmp(f, "dispute") == 0) {
        set[0] = f[0] == 'q' ? THUKY__TASK_FLAG__FLAG_QUALITY : THUKY__TASK_FLAG__FLAG_DISPUTE;
        clear[0] = f[0] == 'q' ? THUKY__TASK_FLAG__FLAG_DISPUTE : THUKY__TASK_FLAG__FLAG_QUALITY;
        up.set_flags = set;
        up.n_set_flags = 1;
        up.n_clear_flags = 1;
    } else if (strcmp(f, "none") == 0) {
        clear[0] = THUKY__TASK_FLAG__FLAG_QUALITY;
        clear[1] = THUKY__TASK_FLAG__FLAG_DISPUTE;
        up.n_clear_flags = 2;
    } else {
        json_decref(j);
        web_problem(req, 400, "Invalid argument", N_("flag: none, quality or dispute"));
        return;
    }
    up.clear_flags = clear;
    up.progress_set_case = THUKY__TASK_UPDATE_REQUEST__PROGRESS_SET_PROGRESS;
    up.progress = (uint32_t)json_integer_value(progress);
    up.note = (char *)json_string_value(note);
    Thuky__Task *t = NULL;
    if (s_call(req, SERVICE_TASKD, "task.update", &up.base, &as, &thuky__task__descriptor,
               (ProtobufCMessage **)&t)) {
        s_message(req, &t->base);
        thuky__task__free_unpacked(t, NULL);
    }
    json_decref(j);
}

static void s_ack(web_request_t *req, const web_principal_t *who, const char *alert_id)
{
    Thuky__OnBehalf ob;
    char client_id[40];
    client_call_options_t as;
    if (!s_write_as(req, who, &ob, client_id, &as))
        return;
    Thuky__AlertAckRequest ack = THUKY__ALERT_ACK_REQUEST__INIT;
    ack.id = (char *)alert_id;
    Thuky__Alert *a = NULL;
    if (s_call(req, SERVICE_NOTIFYD, "alert.ack", &ack.base, &as, &thuky__alert__descriptor,
               (ProtobufCMessage **)&a)) {
        s_message(req, &a->base);
        thuky__alert__free_unpacked(a, NULL);
    }
}

static void s_events(web_request_t *req, const web_principal_t *who)
{
    feed_filter_t filter = {0};
    snprintf(filter.office, sizeof filter.office, "%s", who->office_scope ? who->office : "");
    const char *type = web_query(req, "type");
    if (type)
        snprintf(filter.type_prefix, sizeof filter.type_prefix, "%s", type);
    const char *after = web_header(req, "Last-Event-ID");
    if (!after)
        after = web_query(req, "after");
    feed_position_t from = web_feed_now(req->webd->feed);
    if (after && !feed_position_parse(after, &from)) {
        web_problem(req, 400, "Invalid argument",
                    N_("after / Last-Event-ID: a feed position such as t=12,s=3,n=40"));
        return;
    }
    const char *accept = web_header(req, "Accept");
    if (accept && strstr(accept, "text/event-stream")) {
        web_feed_stream(req->webd->feed, req, &from, &filter, who->token_id);
        return;
    }
    json_t *events = json_array();
    backend_error_t err;
    if (web_feed_page(req->webd->feed, &from, &filter, PAGE_DEFAULT, events, &err) < 0) {
        json_decref(events);
        web_backend_problem(req, &err);
        return;
    }
    char next[FEED_POSITION_MAX];
    feed_position_format(&from, next);
    web_send_json(req, 200, json_pack("{s:o, s:s}", "events", events, "next", next));
}

/* POST /api/v1/events/ticket: a single-use ticket for an EventSource. */
static void s_ticket(web_request_t *req, const web_principal_t *who)
{
    if (!web_auth_post_allowed(req, who))
        return;
    char ticket[WEB_SIGNED_MAX];
    if (!web_ticket_make(req, who, ticket, sizeof ticket)) {
        web_problem_retry(req, 429, WEB_TICKET_S, "Too many requests",
                          N_("too many stream tickets outstanding"));
        return;
    }
    char url[WEB_SIGNED_MAX + 32];
    snprintf(url, sizeof url, "/api/v1/events?ticket=%s", ticket);
    web_send_json(req, 200, json_pack("{s:s, s:i, s:s}", "ticket", ticket, "expires_in", WEB_TICKET_S,
                               "url", url));
}

void web_api_route(web_request_t *req)
{
    const char *p = req->path;
    if (strcmp(p, "/api/v1/openapi.json") == 0) {
        if (!web_is_get(req)) {
            web_method_not_allowed(req, "GET, HEAD");
            return;
        }
        web_response_t r;
        web_response_init(&r, 200, "application/json");
        strbuf_str(&r.body, web_openapi_json);
        web_send(req, &r);
        return;
    }
    web_principal_t who;
    if (strcmp(p, "/api/v1/events") == 0 && web_query(req, "ticket")) {
        if (!web_is_get(req) || !web_ticket_take(req, &who)) {
            web_problem(req, 401, "Unauthorized",
                        N_("this stream ticket is not valid, has expired or was used"));
            return;
        }
        s_events(req, &who);
        return;
    }
    if (!web_auth_api(req, &who))
        return;
    Thuky__OnBehalf ob;
    client_call_options_t as = s_as(req, &who, &ob);
    unsigned long id;
    const char *rest;
    ProtobufCMessage *m = NULL;
    if (web_is_post(req)) {
        if (strcmp(p, "/api/v1/events/ticket") == 0)
            s_ticket(req, &who);
        else if (s_id_after(p, "/api/v1/tasks/", &id, &rest) && strcmp(rest, "/progress") == 0)
            s_progress(req, &who, id);
        else if (strncmp(p, "/api/v1/alerts/", 15) == 0 && strlen(p) > 19 &&
                 strcmp(p + strlen(p) - 4, "/ack") == 0) {
            char alert[LINK_ID_MAX + 1];
            size_t n = strlen(p) - 19;
            if (n > LINK_ID_MAX) {
                web_problem(req, 404, "Not found", N_("no such alert"));
                return;
            }
            memcpy(alert, p + 15, n);
            alert[n] = '\0';
            s_ack(req, &who, alert);
        } else {
            web_problem(req, 404, "Not found", N_("no such resource: %.200s"), p);
        }
        return;
    }
    if (!web_is_get(req)) {
        web_method_not_allowed(req, "GET, HEAD, POST");
        return;
    }
    if (strcmp(p, "/api/v1/offices") == 0) {
        Thuky__OfficeListRequest r = THUKY__OFFICE_LIST_REQUEST__INIT;
        if (s_call(req, SERVICE_NOTIFYD, "office.list", &r.base, &as,
                   &thuky__office_list__descriptor, &m))
            s_message(req, m);
    } else if (strcmp(p, "/api/v1/tasks") == 0) {
        s_tasks(req, &who);
    } else if (s_id_after(p, "/api/v1/tasks/", &id, &rest) && !*rest) {
        Thuky__TaskGetRequest r = THUKY__TASK_GET_REQUEST__INIT;
        r.id = (uint32_t)id;
        if (s_call(req, SERVICE_TASKD, "task.get", &r.base, &as, &thuky__task_detail__descriptor,
                   &m))
            s_message(req, m);
    } else if (strcmp(p, "/api/v1/sittings") == 0) {
        Thuky__SessionListRequest r = THUKY__SESSION_LIST_REQUEST__INIT;
        const char *from, *to;
        if (!s_date_arg(req, "from", &from) || !s_date_arg(req, "to", &to))
            return;
        r.from = (char *)(from ? from : "");
        r.to = (char *)(to ? to : "");
        if (s_call(req, SERVICE_SESSIOND, "session.list", &r.base, &as,
                   &thuky__session_list_reply__descriptor, &m))
            s_message(req, m);
    } else if (strcmp(p, "/api/v1/alerts") == 0) {
        Thuky__AlertListRequest r = THUKY__ALERT_LIST_REQUEST__INIT;
        r.office = (char *)s_office(req, &who);
        if (s_call(req, SERVICE_NOTIFYD, "alert.list", &r.base, &as, &thuky__alert_list__descriptor,
                   &m))
            s_message(req, m);
    } else if (strcmp(p, "/api/v1/report/briefing") == 0) {
        web_report_t report;
        backend_error_t err;
        if (web_report_load(req->webd, s_office(req, &who), &report, &err)) {
            web_send_json(req, 200, web_report_json(&report));
            web_report_free(&report);
        } else {
            web_backend_problem(req, &err);
        }
    } else if (strcmp(p, "/api/v1/events") == 0) {
        s_events(req, &who);
    } else {
        web_problem(req, 404, "Not found", N_("no such resource: %.200s"), p);
    }
    if (m)
        protobuf_c_message_free_unpacked(m, NULL);
}
