/* /a/ALERT/OFFICE.EXPIRY.KEYID.MAC: the page an alert e-mail links to.
 *
 * GET shows the alert, its tasks and their state, and changes nothing
 * (mail scanners fetch every link, and some run its scripts and forms).
 * Changes are POSTs from visible buttons, each with a form nonce bound to
 * the link: acknowledge (idempotent), undo it within 24 hours, and report
 * progress on each task the office leads (percent, flag, a required
 * note), each answered by a redirect to the page (Post/Redirect/Get). The
 * link works until it expires, however often it is used; a closed alert
 * (cancelled, or all its tasks ended) says so and takes no POST. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "runtime/clock.h"
#include "thuky/notify.pb-c.h"
#include "thuky/task.pb-c.h"
#include "web_html.h"
#include "web_routes.h"
#include "web_sign.h"

#define NOTE_MAX 2000

typedef struct {
    link_t link;
    char token_id[LINK_KEY_ID_MAX + 8];   /* "link-KEYID": what the history records */
    Thuky__OnBehalf who;
    Thuky__Alert *alert;      /* from alert.list */
    Thuky__AlertList *list;
    Thuky__Task **tasks;      /* the alert's tasks the office may see */
    size_t n_tasks;
    ProtobufCMessage **owned; /* what to free */
    size_t n_owned;
    bool closed;
    char office_name[256];    /* "Vụ Thư ký"; the id when unknown */
} alert_view_t;

static void s_view_free(alert_view_t *v)
{
    for (size_t i = 0; i < v->n_owned; i++)
        protobuf_c_message_free_unpacked(v->owned[i], NULL);
    free(v->owned);
    free(v->tasks);
    if (v->list)
        thuky__alert_list__free_unpacked(v->list, NULL);
}

static void s_own(alert_view_t *v, ProtobufCMessage *m)
{
    v->owned = xrealloc(v->owned, (v->n_owned + 1) * sizeof *v->owned);
    v->owned[v->n_owned++] = m;
}

static void s_add_task(alert_view_t *v, Thuky__Task *t)
{
    v->tasks = xrealloc(v->tasks, (v->n_tasks + 1) * sizeof *v->tasks);
    v->tasks[v->n_tasks++] = t;
}

static bool s_task_open(const Thuky__Task *t)
{
    return t->status == THUKY__TASK_STATUS__TASK_OPEN ||
           t->status == THUKY__TASK_STATUS__TASK_IN_PROGRESS;
}

/* Checks the link; false when the answer was sent (404 for anything not
 * genuine, 410 for a genuine link past its time). */
static bool s_check_link(web_request_t *req, link_t *link)
{
    int64_t now_s = clock_now_ms() / 1000;
    link_status_t st = link_verify(&req->webd->link_keys, req->path, now_s, link);
    if (st == LINK_VALID)
        return true;
    if (st == LINK_EXPIRED)
        web_send_notice(req, 410, W_(req, "This link has expired"),
                        W_(req, "The link in an alert e-mail works until it expires. Please use the link in the latest alert."),
                        true);
    else
        web_send_notice(req, 404, W_(req, "Not found"),
                        W_(req, "This link is not valid."),
                        true);
    return false;
}

/* Loads the alert and its tasks as the office sees them; false when the
 * answer was sent. */
static bool s_load(web_request_t *req, alert_view_t *v)
{
    webd_t *wd = req->webd;
    v->who = (Thuky__OnBehalf)THUKY__ON_BEHALF__INIT;
    v->who.office = v->link.office;
    snprintf(v->token_id, sizeof v->token_id, "link-%s", v->link.key_id);
    v->who.token_id = v->token_id;
    v->who.address = req->address;
    v->who.user_agent = req->user_agent;
    client_call_options_t as = {.on_behalf = &v->who};
    Thuky__AlertListRequest lr = THUKY__ALERT_LIST_REQUEST__INIT;
    lr.id = v->link.alert;
    lr.office = v->link.office;
    backend_error_t err;
    if (!backend_call(&wd->backend, SERVICE_NOTIFYD, "alert.list", &lr.base, &as,
                      &thuky__alert_list__descriptor, (ProtobufCMessage **)&v->list, &err)) {
        if (err.code == THUKY__STATUS_CODE__UNAVAILABLE)
            web_send_notice(req, 503, W_(req, "Not available now"),
                            W_(req, "The alert service is busy or restarting. Please try again in a few minutes."),
                            true);
        else
            web_send_notice(req, web_status_of(err.code), W_(req, "Cannot show"),
                            err.message, true);
        return false;
    }
    if (v->list->n_alerts == 0) {
        web_send_notice(req, 404, W_(req, "Alert not found"),
                        W_(req, "This alert is no longer on record."),
                        true);
        return false;
    }
    v->alert = v->list->alerts[0];
    snprintf(v->office_name, sizeof v->office_name, "%s", v->link.office);
    Thuky__OfficeGetRequest og = THUKY__OFFICE_GET_REQUEST__INIT;
    og.id = v->link.office;
    Thuky__Office *office = NULL;
    if (backend_call(&wd->backend, SERVICE_NOTIFYD, "office.get", &og.base, NULL,
                     &thuky__office__descriptor, (ProtobufCMessage **)&office, &err)) {
        if (office->name[0])
            snprintf(v->office_name, sizeof v->office_name, "%s", office->name);
        thuky__office__free_unpacked(office, NULL);
    }
    if (v->alert->task_id) {
        Thuky__TaskGetRequest gr = THUKY__TASK_GET_REQUEST__INIT;
        gr.id = v->alert->task_id;
        Thuky__TaskDetail *d = NULL;
        if (backend_call(&wd->backend, SERVICE_TASKD, "task.get", &gr.base, &as,
                         &thuky__task_detail__descriptor, (ProtobufCMessage **)&d, &err)) {
            s_own(v, &d->base);
            if (d->task)
                s_add_task(v, d->task);
        }
    } else if (v->alert->sitting_id[0]) {
        Thuky__TaskListRequest tr = THUKY__TASK_LIST_REQUEST__INIT;
        tr.sitting = v->alert->sitting_id;
        tr.office = v->link.office;
        Thuky__TaskList *tl = NULL;
        if (backend_call(&wd->backend, SERVICE_TASKD, "task.list", &tr.base, &as,
                         &thuky__task_list__descriptor, (ProtobufCMessage **)&tl, &err)) {
            s_own(v, &tl->base);
            for (size_t i = 0; i < tl->n_tasks; i++)
                s_add_task(v, tl->tasks[i]);
        }
    }
    bool any_open = false;
    for (size_t i = 0; i < v->n_tasks; i++)
        any_open |= s_task_open(v->tasks[i]);
    v->closed = v->alert->state == THUKY__ALERT_STATE__ALERT_CANCELLED ||
                (v->n_tasks > 0 && !any_open);
    return true;
}

static void s_hidden(strbuf_t *b, const char *name, const char *value)
{
    strbuf_printf(b, "<input type=\"hidden\" name=\"%s\" value=\"", name);
    html_text(b, value);
    strbuf_str(b, "\">");
}

static void s_form_begin(strbuf_t *b, const web_request_t *req, const char *action,
                         const char *nonce, const char *css)
{
    strbuf_printf(b, "<form method=\"post\" class=\"%s\" action=\"", css);
    html_text(b, req->path);
    strbuf_str(b, "\">");
    s_hidden(b, "action", action);
    s_hidden(b, "nonce", nonce);
}

static void s_task_row(strbuf_t *b, const web_request_t *req, const Thuky__Task *t)
{
    strbuf_printf(b, "<tr data-task=\"%u\"><td>T%u</td><td>", t->id, t->id);
    html_text(b, t->title);
    strbuf_str(b, "</td><td>");
    html_text(b, t->lead_office);
    strbuf_str(b, "</td><td>");
    html_date(b, req, t->deadline ? t->deadline->resolved_date : "");
    strbuf_str(b, "</td><td class=\"status\">");
    html_text(b, web_task_status(req, t->status));
    strbuf_printf(b, "</td><td class=\"progress\">%u%%</td><td class=\"flags\">", t->progress);
    for (size_t i = 0; i < t->n_flags; i++) {
        if (i)
            strbuf_str(b, "; ");
        html_text(b, web_task_flag(req, t->flags[i]));
    }
    strbuf_str(b, "</td></tr>\n");
}

static void s_progress_form(strbuf_t *b, const web_request_t *req, const Thuky__Task *t,
                            const char *nonce)
{
    s_form_begin(b, req, "progress", nonce, "progress");
    char id[16];
    snprintf(id, sizeof id, "%u", t->id);
    s_hidden(b, "task", id);
    strbuf_str(b, "<fieldset><legend>");
    html_textf(b, "%s T%u", W_(req, "Report progress on"), t->id);
    strbuf_printf(b, "</legend><label>%s <input type=\"number\" name=\"progress\" min=\"0\" "
                     "max=\"100\" required value=\"%u\"> %%</label>",
                  W_(req, "Progress"), t->progress);
    bool quality = false, dispute = false;
    for (size_t i = 0; i < t->n_flags; i++) {
        quality |= t->flags[i] == THUKY__TASK_FLAG__FLAG_QUALITY;
        dispute |= t->flags[i] == THUKY__TASK_FLAG__FLAG_DISPUTE;
    }
    strbuf_printf(b, "<label>%s <select name=\"flag\"><option value=\"none\"%s>%s</option>"
                     "<option value=\"quality\"%s>",
                  W_(req, "Flag"), !quality && !dispute ? " selected" : "",
                  W_(req, "None"), quality ? " selected" : "");
    html_text(b, web_task_flag(req, THUKY__TASK_FLAG__FLAG_QUALITY));
    strbuf_printf(b, "</option><option value=\"dispute\"%s>", dispute && !quality ? " selected" : "");
    html_text(b, web_task_flag(req, THUKY__TASK_FLAG__FLAG_DISPUTE));
    strbuf_printf(b, "</option></select></label><label>%s <textarea name=\"note\" required "
                     "maxlength=\"%d\" rows=\"3\"></textarea></label><button type=\"submit\">%s"
                     "</button></fieldset></form>\n",
                  W_(req, "Note (required)"), NOTE_MAX,
                  W_(req, "Send report"));
}

static void s_render(web_request_t *req, alert_view_t *v, unsigned status, const char *flash)
{
    const Thuky__Alert *a = v->alert;
    strbuf_t b = {0};
    html_begin(&b, req, web_alert_kind(req, a->kind));
    strbuf_str(&b, "<h1>");
    html_text(&b, web_alert_kind(req, a->kind));
    strbuf_str(&b, ": ");
    html_text(&b, a->title);
    strbuf_str(&b, "</h1>\n");
    if (flash && *flash) {
        strbuf_str(&b, "<p class=\"flash\" role=\"status\">");
        html_text(&b, flash);
        strbuf_str(&b, "</p>\n");
    }
    strbuf_printf(&b, "<dl class=\"alert\"><dt>%s</dt><dd>", W_(req, "To"));
    html_text(&b, v->office_name);
    strbuf_printf(&b, "</dd><dt>%s</dt><dd>", W_(req, "Deadline"));
    html_date(&b, req, a->due_date);
    strbuf_printf(&b, "</dd><dt>%s</dt><dd id=\"alert-state\" data-state=\"%d\">",
                  W_(req, "State"), (int)a->state);
    html_text(&b, web_alert_state(req, a->state));
    if (a->state == THUKY__ALERT_STATE__ALERT_ACKED) {
        strbuf_str(&b, " (");
        html_time(&b, req, a->acked_ms);
        strbuf_str(&b, ")");
    }
    strbuf_str(&b, "</dd></dl>\n");
    if (v->n_tasks) {
        strbuf_printf(&b, "<table class=\"tasks\"><thead><tr><th>%s</th><th>%s</th><th>%s</th>"
                          "<th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>\n",
                      W_(req, "Id"), W_(req, "Task"),
                      W_(req, "Lead"), W_(req, "Deadline"),
                      W_(req, "Status"), W_(req, "Progress"),
                      W_(req, "Flags"));
        for (size_t i = 0; i < v->n_tasks; i++)
            s_task_row(&b, req, v->tasks[i]);
        strbuf_str(&b, "</tbody></table>\n");
    }
    if (v->closed) {
        strbuf_printf(&b, "<p class=\"closed\" id=\"closed\">%s</p>\n",
                      W_(req, "This alert is closed: nothing more to acknowledge or report."));
    } else {
        char nonce[WEB_SIGNED_MAX];
        web_nonce_make(req->webd, req->path, clock_now_ms() / 1000, nonce);
        if (a->state == THUKY__ALERT_STATE__ALERT_ACKED) {
            if (clock_now_ms() - a->acked_ms <= 24 * 3600 * 1000LL) {
                s_form_begin(&b, req, "undo", nonce, "undo");
                strbuf_printf(&b, "<button type=\"submit\" id=\"undo\">%s</button></form>\n",
                              W_(req, "Undo the acknowledgement"));
            }
        } else {
            s_form_begin(&b, req, "ack", nonce, "ack");
            strbuf_printf(&b, "<button type=\"submit\" id=\"ack\">%s</button></form>\n",
                          W_(req, "Acknowledge"));
        }
        for (size_t i = 0; i < v->n_tasks; i++)
            if (s_task_open(v->tasks[i]) && strcmp(v->tasks[i]->lead_office, v->link.office) == 0)
                s_progress_form(&b, req, v->tasks[i], nonce);
    }
    html_end(&b, req);
    web_send_page(req, status, &b, true);
}

static const char *s_flash(const web_request_t *req)
{
    const char *done = web_query(req, "done");
    if (!done)
        return NULL;
    if (strcmp(done, "ack") == 0)
        return W_(req, "Acknowledged. The task's later reminders stop.");
    if (strcmp(done, "undo") == 0)
        return W_(req, "The acknowledgement was undone. Reminders go on.");
    if (strcmp(done, "progress") == 0)
        return W_(req, "The progress report was recorded.");
    return NULL;
}

/* The redirect target after a POST: the page itself, with what was done. */
static void s_done(web_request_t *req, const char *what)
{
    char location[LINK_PATH_MAX + 64];
    snprintf(location, sizeof location, "%s?done=%s", req->path, what);
    web_see_other(req, location);
}

static void s_refused(web_request_t *req, const backend_error_t *err)
{
    web_send_notice(req, web_status_of(err->code), W_(req, "Not done"),
                    err->message, true);
}

static void s_progress(web_request_t *req, alert_view_t *v, const client_call_options_t *as)
{
    char task[16], progress[8], flag[16], note[NOTE_MAX * 4 + 1];
    char *end;
    if (!web_form_value(req->body, "task", task, sizeof task) ||
        !web_form_value(req->body, "progress", progress, sizeof progress) ||
        !web_form_value(req->body, "flag", flag, sizeof flag) ||
        !web_form_value(req->body, "note", note, sizeof note)) {
        web_send_notice(req, 400, W_(req, "Missing or bad fields"),
                        W_(req, "Progress, flag and a note (text, at most 2000 characters) are required."),
                        true);
        return;
    }
    unsigned long id = strtoul(task, &end, 10), pct = 0;
    bool ok = *end == '\0' && id > 0;
    pct = strtoul(progress, &end, 10);
    ok &= *end == '\0' && progress[0] && pct <= 100;
    bool known = false;
    for (size_t i = 0; i < v->n_tasks; i++)
        known |= v->tasks[i]->id == id;
    size_t note_len = strlen(note);
    while (note_len > 0 && (note[note_len - 1] == ' ' || note[note_len - 1] == '\n' ||
                            note[note_len - 1] == '\r'))
        note[--note_len] = '\0';
    if (!ok || !known || note_len == 0 ||
        (strcmp(flag, "none") != 0 && strcmp(flag, "quality") != 0 &&
         strcmp(flag, "dispute") != 0)) {
        web_send_notice(req, 400, W_(req, "Invalid report"),
                        W_(req, "Progress from 0 to 100, a flag from the list, and a note that is not empty."),
                        true);
        return;
    }
    Thuky__TaskUpdateRequest up = THUKY__TASK_UPDATE_REQUEST__INIT;
    up.id = (uint32_t)id;
    up.progress_set_case = THUKY__TASK_UPDATE_REQUEST__PROGRESS_SET_PROGRESS;
    up.progress = (uint32_t)pct;
    Thuky__TaskFlag set[1], clear[2];
    if (strcmp(flag, "quality") == 0) {
        set[0] = THUKY__TASK_FLAG__FLAG_QUALITY;
        clear[0] = THUKY__TASK_FLAG__FLAG_DISPUTE;
    } else if (strcmp(flag, "dispute") == 0) {
        set[0] = THUKY__TASK_FLAG__FLAG_DISPUTE;
        clear[0] = THUKY__TASK_FLAG__FLAG_QUALITY;
    }
    if (strcmp(flag, "none") == 0) {
        clear[0] = THUKY__TASK_FLAG__FLAG_QUALITY;
        clear[1] = THUKY__TASK_FLAG__FLAG_DISPUTE;
        up.n_clear_flags = 2;
    } else {
        up.set_flags = set;
        up.n_set_flags = 1;
        up.n_clear_flags = 1;
    }
    up.clear_flags = clear;
    up.note = note;
    Thuky__Task *t = NULL;
    backend_error_t err;
    if (!backend_call(&req->webd->backend, SERVICE_TASKD, "task.update", &up.base, as,
                      &thuky__task__descriptor, (ProtobufCMessage **)&t, &err)) {
        s_refused(req, &err);
        return;
    }
    thuky__task__free_unpacked(t, NULL);
    s_done(req, "progress");
}

static void s_post(web_request_t *req, alert_view_t *v)
{
    char action[16], nonce[WEB_SIGNED_MAX];
    if (!web_form_value(req->body, "action", action, sizeof action) ||
        !web_form_value(req->body, "nonce", nonce, sizeof nonce) ||
        !web_nonce_check(req->webd, req->path, nonce, clock_now_ms() / 1000)) {
        web_send_notice(req, 403, W_(req, "This form has expired"),
                        W_(req, "Please open the page again and retry."),
                        true);
        return;
    }
    if (v->closed) {
        web_send_notice(req, 409, W_(req, "This alert is closed"),
                        W_(req, "This alert is closed: nothing more to acknowledge or report."),
                        true);
        return;
    }
    /* The same form sent twice (a double click, a retry) is applied once:
     * its idempotency key is the nonce and the body. */
    char key[17], client_id[40];
    strbuf_t key_text = {0};
    strbuf_printf(&key_text, "%s\n%s", req->path, req->body);
    web_digest16(req->webd, key_text.data, key);
    strbuf_free(&key_text);
    snprintf(client_id, sizeof client_id, "web-%s", key);
    client_call_options_t as = {.on_behalf = &v->who, .client_id = client_id, .request_no = 1};
    backend_error_t err;
    Thuky__Alert *a = NULL;
    Thuky__AlertAckRequest ack = THUKY__ALERT_ACK_REQUEST__INIT;
    ack.id = v->alert->id;
    if (strcmp(action, "ack") == 0 || strcmp(action, "undo") == 0) {
        bool undo = action[0] == 'u';
        if (!backend_call(&req->webd->backend, SERVICE_NOTIFYD, undo ? "alert.unack" : "alert.ack",
                          &ack.base, &as, &thuky__alert__descriptor, (ProtobufCMessage **)&a,
                          &err)) {
            s_refused(req, &err);
            return;
        }
        thuky__alert__free_unpacked(a, NULL);
        s_done(req, undo ? "undo" : "ack");
    } else if (strcmp(action, "progress") == 0) {
        s_progress(req, v, &as);
    } else {
        web_send_notice(req, 400, W_(req, "Bad request"), action, true);
    }
}

void web_alert_route(web_request_t *req)
{
    if (!web_is_get(req) && !web_is_post(req)) {
        web_method_not_allowed(req, "GET, HEAD, POST");
        return;
    }
    if (!req->webd->link_keys.count) {
        web_send_notice(req, 404, W_(req, "Not found"),
                        W_(req, "This server issues no alert links."),
                        true);
        return;
    }
    alert_view_t v = {0};
    if (!s_check_link(req, &v.link))
        return;
    if (web_is_post(req) && !web_post_allowed(req))
        return;
    if (s_load(req, &v)) {
        if (web_is_post(req))
            s_post(req, &v);
        else
            s_render(req, &v, 200, s_flash(req));
    }
    s_view_free(&v);
}
