/* The status board (/), its login (/login/SECRET, /logout) and /healthz.
 *
 * Read-only, server-rendered: the briefing report per office, an SVG
 * timeline of deadlines against the sittings with today marked, and a
 * task's history (/?task=12). /static/board.js follows the live feed (one
 * EventSource; the session cookie is its credential) and redraws the page
 * when something changes. A login link sets the session cookie: setting a
 * cookie is no change to anything the daemons hold, and the link is
 * reusable until its token is revoked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/log.h"
#include "domain/timeline_svg.h"
#include "runtime/clock.h"
#include "thuky/session.pb-c.h"
#include "web_auth.h"
#include "web_html.h"
#include "web_report.h"
#include "web_routes.h"
#include "web_sign.h"
#include "web_tokens.h"

static void s_task_table(strbuf_t *b, const web_request_t *req, const char *id, const char *title,
                         Thuky__Task *const *tasks, size_t n, Thuky__TaskFlag only)
{
    strbuf_printf(b, "<section id=\"%s\"><h2>", id);
    html_text(b, title);
    size_t shown = 0;
    for (size_t i = 0; i < n; i++)
        shown += !only || web_task_has_flag(tasks[i], only);
    strbuf_printf(b, " <span class=\"count\">%zu</span></h2>\n", shown);
    if (!shown) {
        strbuf_printf(b, "<p class=\"none\">%s</p></section>\n", W_(req, "None."));
        return;
    }
    strbuf_printf(b, "<table><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
                     "</tr></thead><tbody>\n",
                  W_(req, "Task"), W_(req, "Lead"),
                  W_(req, "Deadline"), W_(req, "Progress"),
                  W_(req, "Status"));
    for (size_t i = 0; i < n; i++) {
        const Thuky__Task *t = tasks[i];
        if (only && !web_task_has_flag(t, only))
            continue;
        strbuf_printf(b, "<tr data-task=\"%u\"><td><a href=\"/?task=%u\">T%u</a> ", t->id, t->id,
                      t->id);
        html_text(b, t->title);
        strbuf_str(b, "</td><td>");
        html_text(b, t->lead_office);
        strbuf_str(b, "</td><td>");
        html_date(b, req, t->deadline ? t->deadline->resolved_date : "");
        strbuf_printf(b, "</td><td>%u%%</td><td>", t->progress);
        html_text(b, web_task_status(req, t->status));
        strbuf_str(b, "</td></tr>\n");
    }
    strbuf_str(b, "</tbody></table></section>\n");
}

/* Counts per lead office (by_office) or per key task group: the four
 * columns of the briefing. */
typedef struct {
    char key[CONFIG_OFFICE_MAX];
    unsigned n[4];
} tally_t;

static void s_count(tally_t **rows, size_t *n, const char *key, int column)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*rows)[i].key, key) == 0) {
            (*rows)[i].n[column]++;
            return;
        }
    *rows = xrealloc(*rows, (*n + 1) * sizeof **rows);
    memset(&(*rows)[*n], 0, sizeof **rows);
    snprintf((*rows)[*n].key, sizeof (*rows)[*n].key, "%s", key);
    (*rows)[(*n)++].n[column] = 1;
}

static int s_tally_cmp(const void *a, const void *b)
{
    return strcmp(((const tally_t *)a)->key, ((const tally_t *)b)->key);
}

static void s_tally(strbuf_t *b, const web_request_t *req, const web_report_t *r, bool by_office)
{
    tally_t *rows = NULL;
    size_t n = 0;
    const Thuky__TaskList *lists[] = {r->overdue, r->flagged, r->flagged, r->due_soon};
    for (int c = 0; c < 4; c++)
        for (size_t i = 0; lists[c] && i < lists[c]->n_tasks; i++) {
            const Thuky__Task *t = lists[c]->tasks[i];
            if ((c == 1 && !web_task_has_flag(t, THUKY__TASK_FLAG__FLAG_QUALITY)) ||
                (c == 2 && !web_task_has_flag(t, THUKY__TASK_FLAG__FLAG_DISPUTE)))
                continue;
            char key[CONFIG_OFFICE_MAX];
            if (by_office)
                snprintf(key, sizeof key, "%s", t->lead_office);
            else
                snprintf(key, sizeof key, "%02u", t->group);
            s_count(&rows, &n, key, c);
        }
    if (n > 1)
        qsort(rows, n, sizeof *rows, s_tally_cmp);
    strbuf_printf(b, "<section id=\"%s\"><h2>%s</h2>\n", by_office ? "by-office" : "by-group",
                  by_office ? W_(req, "By lead office")
                            : W_(req, "By key task group"));
    if (!n) {
        strbuf_printf(b, "<p class=\"none\">%s</p></section>\n", W_(req, "None."));
        free(rows);
        return;
    }
    strbuf_printf(b, "<table><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
                     "</tr></thead><tbody>\n",
                  by_office ? W_(req, "Office") : W_(req, "Group"),
                  W_(req, "Behind"), W_(req, "Quality"),
                  W_(req, "Disputed"), W_(req, "Due soon"));
    for (size_t i = 0; i < n; i++) {
        strbuf_str(b, "<tr><td>");
        if (by_office)
            html_text(b, rows[i].key);
        else if (strcmp(rows[i].key, "00") == 0)
            strbuf_str(b, W_(req, "Outside the key groups"));
        else
            strbuf_printf(b, "%s %d", W_(req, "Group"), atoi(rows[i].key));
        strbuf_printf(b, "</td><td>%u</td><td>%u</td><td>%u</td><td>%u</td></tr>\n", rows[i].n[0],
                      rows[i].n[1], rows[i].n[2], rows[i].n[3]);
    }
    strbuf_str(b, "</tbody></table></section>\n");
    free(rows);
}

/* The timeline: sittings as bars, deadlines as marks (each linking to the
 * task's history), today as a line. */
static void s_timeline(strbuf_t *b, const web_request_t *req, const web_report_t *r,
                       const Thuky__SessionListReply *sittings)
{
    int32_t today;
    date_parse(r->today, &today, NULL);
    const Thuky__TaskList *lists[] = {r->overdue, r->due_soon, r->flagged};
    size_t n = 0;
    for (size_t l = 0; l < 3; l++)
        n += lists[l] ? lists[l]->n_tasks : 0;
    Thuky__Task **tasks = xmalloc((n ? n : 1) * sizeof *tasks);
    n = 0;
    for (size_t l = 0; l < 3; l++)
        for (size_t i = 0; lists[l] && i < lists[l]->n_tasks; i++)
            tasks[n++] = lists[l]->tasks[i];
    strbuf_printf(b, "<section id=\"timeline-section\"><h2>%s</h2>\n",
                  W_(req, "Deadlines against the sittings"));
    timeline_svg_opts_t opts = {.label = W_(req, "Timeline"), .today = W_(req, "Today"),
                                .task_href = "/?task="};
    timeline_svg(b, today, sittings ? sittings->sittings : NULL, sittings ? sittings->n_sittings : 0,
                 tasks, n, &opts);
    strbuf_str(b, "</section>\n");
    free(tasks);
}

/* A task's history, as the principal may see it: an office's session asks
 * on behalf of its office, so taskd refuses another office's task. */
static void s_history(strbuf_t *b, web_request_t *req, const web_principal_t *who,
                      unsigned long id)
{
    Thuky__TaskGetRequest gr = THUKY__TASK_GET_REQUEST__INIT;
    gr.id = (uint32_t)id;
    Thuky__TaskDetail *d = NULL;
    backend_error_t err;
    Thuky__OnBehalf ob = THUKY__ON_BEHALF__INIT;
    ob.office = (char *)who->office;
    ob.token_id = (char *)who->token_id;
    ob.address = req->address;
    ob.user_agent = req->user_agent;
    client_call_options_t as = {.on_behalf = who->office_scope ? &ob : NULL};
    if (!backend_call(&req->webd->backend, SERVICE_TASKD, "task.get", &gr.base, &as,
                      &thuky__task_detail__descriptor, (ProtobufCMessage **)&d, &err) ||
        !d->task) {
        strbuf_printf(b, "<section id=\"history\"><p class=\"notice\">%s T%lu</p></section>\n",
                      W_(req, "No task"), id);
        if (d)
            thuky__task_detail__free_unpacked(d, NULL);
        return;
    }
    strbuf_printf(b, "<section id=\"history\"><h2>T%u ", d->task->id);
    html_text(b, d->task->title);
    strbuf_printf(b, "</h2><ol class=\"history\">\n");
    for (size_t i = 0; i < d->n_history; i++) {
        const Thuky__HistoryEntry *h = d->history[i];
        strbuf_str(b, "<li><time>");
        html_time(b, req, h->time_ms);
        strbuf_str(b, "</time> ");
        html_text(b, h->caller);
        for (size_t k = 0; k < h->n_changes; k++) {
            strbuf_str(b, " · ");
            html_textf(b, "%s: %s → %s", h->changes[k]->field, h->changes[k]->old_value,
                       h->changes[k]->new_value);
        }
        if (h->note[0]) {
            strbuf_str(b, " · «");
            html_text(b, h->note);
            strbuf_str(b, "»");
        }
        strbuf_str(b, "</li>\n");
    }
    strbuf_str(b, "</ol></section>\n");
    thuky__task_detail__free_unpacked(d, NULL);
}

static void s_board(web_request_t *req)
{
    web_principal_t who;
    if (!web_auth(req, &who)) {
        web_send_notice(req, 401, W_(req, "Sign-in needed"),
                        W_(req, "Please open the board with the sign-in link the Secretariat sent."),
                        false);
        return;
    }
    web_report_t r;
    backend_error_t err;
    if (!web_report_load(req->webd, who.office_scope ? who.office : "", &r, &err)) {
        web_send_notice(req, web_status_of(err.code),
                        W_(req, "Not available now"), err.message,
                        false);
        return;
    }
    Thuky__SessionListRequest sr = THUKY__SESSION_LIST_REQUEST__INIT;
    Thuky__SessionListReply *sittings = NULL;
    char from[DATE_ISO_LEN], to[DATE_ISO_LEN];
    int32_t today;
    const char *why;
    date_parse(r.today, &today, &why);
    date_format_iso(today - TIMELINE_BEFORE_DAYS, from);
    date_format_iso(today + TIMELINE_AFTER_DAYS, to);
    sr.from = from;
    sr.to = to;
    backend_call(&req->webd->backend, SERVICE_SESSIOND, "session.list", &sr.base, NULL,
                 &thuky__session_list_reply__descriptor, (ProtobufCMessage **)&sittings, &err);
    strbuf_t b = {0};
    html_begin(&b, req, W_(req, "Status board"));
    strbuf_printf(&b, "<h1>%s</h1>\n<p class=\"dateline\">", W_(req, "Work program status"));
    strbuf_str(&b, W_(req, "Hanoi, "));
    html_date(&b, req, r.today);
    if (who.office_scope) {
        strbuf_str(&b, " · ");
        html_text(&b, who.office);
    }
    strbuf_printf(&b, " <span id=\"live\" data-feed=\"/api/v1/events\">%s</span></p>\n",
                  W_(req, "live"));
    s_task_table(&b, req, "behind", W_(req, "Behind schedule"),
                 r.overdue ? r.overdue->tasks : NULL, r.overdue ? r.overdue->n_tasks : 0, 0);
    s_task_table(&b, req, "quality", W_(req, "Short on quality"),
                 r.flagged ? r.flagged->tasks : NULL, r.flagged ? r.flagged->n_tasks : 0,
                 THUKY__TASK_FLAG__FLAG_QUALITY);
    s_task_table(&b, req, "dispute", W_(req, "Members disagree"),
                 r.flagged ? r.flagged->tasks : NULL, r.flagged ? r.flagged->n_tasks : 0,
                 THUKY__TASK_FLAG__FLAG_DISPUTE);
    s_task_table(&b, req, "soon", W_(req, "Due soon"),
                 r.due_soon ? r.due_soon->tasks : NULL, r.due_soon ? r.due_soon->n_tasks : 0, 0);
    if (!who.office_scope)
        s_tally(&b, req, &r, true);
    s_tally(&b, req, &r, false);
    s_timeline(&b, req, &r, sittings);
    const char *task = web_query(req, "task");
    if (task && strtoul(task, NULL, 10) > 0)
        s_history(&b, req, &who, strtoul(task, NULL, 10));
    strbuf_str(&b, "<script src=\"/static/board.js\" defer></script>\n");
    html_end(&b, req);
    if (sittings)
        thuky__session_list_reply__free_unpacked(sittings, NULL);
    web_report_free(&r);
    web_send_page(req, 200, &b, false);
}

static void s_login(web_request_t *req)
{
    Thuky__WebToken *t = web_token_find(req->webd, req->path + 7);
    if (!t || t->kind != THUKY__TOKEN_KIND__TOKEN_LOGIN) {
        if (t)
            thuky__web_token__free_unpacked(t, NULL);
        web_send_notice(req, 404, W_(req, "Not found"),
                        W_(req, "This sign-in link is not valid or was revoked."),
                        true);
        return;
    }
    char cookie[WEB_SIGNED_MAX + 128];
    web_session_cookie(req->webd, t->id, cookie, sizeof cookie);
    thuky__web_token__free_unpacked(t, NULL);
    web_response_t r;
    web_response_init(&r, 303, "text/plain; charset=utf-8");
    r.noindex = true;
    web_response_header(&r, "Set-Cookie", "%s", cookie);
    web_response_header(&r, "Location", "/");
    strbuf_str(&r.body, "See Other\n");
    web_send(req, &r);
}

static void s_health(web_request_t *req)
{
    static const char *const names[] = {"taskd", "sessiond", "notifyd"};
    strbuf_t b = {0};
    bool all = true;
    for (int s = 0; s < SERVICE_WEBD; s++) {
        Thuky__DaemonStatus *st = NULL;
        backend_error_t err;
        bool up = backend_call(&req->webd->backend, (service_id_t)s, "status", NULL, NULL,
                               &thuky__daemon_status__descriptor, (ProtobufCMessage **)&st, &err);
        if (st)
            thuky__daemon_status__free_unpacked(st, NULL);
        strbuf_printf(&b, "%s %s\n", names[s], up ? "up" : "down");
        all &= up;
    }
    web_response_t r;
    web_response_init(&r, all ? 200 : 503, "text/plain; charset=utf-8");
    r.body = b;
    if (!all)
        web_response_header(&r, "Retry-After", "%d", BACKEND_RETRY_AFTER_S);
    web_send(req, &r);
}

void web_board_route(web_request_t *req)
{
    const char *p = req->path;
    bool known = strcmp(p, "/") == 0 || strncmp(p, "/login/", 7) == 0 ||
                 strcmp(p, "/logout") == 0 || strcmp(p, "/healthz") == 0;
    if (!known) {
        web_send_notice(req, 404, W_(req, "Not found"),
                        W_(req, "There is no such page."), false);
        return;
    }
    if (strcmp(p, "/logout") == 0) {
        if (!web_is_post(req)) {
            web_method_not_allowed(req, "POST");
            return;
        }
        if (!web_post_allowed(req))
            return;
        web_response_t r;
        web_response_init(&r, 303, "text/plain; charset=utf-8");
        web_response_header(&r, "Set-Cookie", "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict",
                            WEB_SESSION_COOKIE);
        web_response_header(&r, "Location", "/");
        web_send(req, &r);
        return;
    }
    if (!web_is_get(req)) {
        web_method_not_allowed(req, "GET, HEAD");
        return;
    }
    if (strncmp(p, "/login/", 7) == 0)
        s_login(req);
    else if (strcmp(p, "/healthz") == 0)
        s_health(req);
    else
        s_board(req);
}
