#include "web_html.h"

#include <stdio.h>
#include <string.h>

#include "base/date.h"

void html_begin(strbuf_t *b, const web_request_t *req, const char *title)
{
    strbuf_printf(b, "<!doctype html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                     "<title>",
                  W_(req, "en"));
    html_text(b, title);
    strbuf_str(b, " · thuky</title>\n<link rel=\"stylesheet\" href=\"/static/thuky.css\">\n"
                  "</head>\n<body>\n<header class=\"agency\"><span>");
    strbuf_str(b, W_(req, "OFFICE OF THE NATIONAL ASSEMBLY · SECRETARIAT"));
    strbuf_str(b, "</span></header>\n<main>\n");
}

void html_end(strbuf_t *b, const web_request_t *req)
{
    strbuf_printf(b, "</main>\n<footer>%s</footer>\n</body>\n</html>\n",
                  W_(req, "thuky · work program tracking"));
}

void web_send_page(web_request_t *req, unsigned status, strbuf_t *b, bool noindex)
{
    web_response_t r;
    web_response_init(&r, status, "text/html; charset=utf-8");
    r.body = *b;
    *b = (strbuf_t){0};
    r.noindex = noindex;
    web_response_header(&r, "Content-Language", "%s", W_(req, "en"));
    web_send(req, &r);
}

void web_send_notice(web_request_t *req, unsigned status, const char *title, const char *text,
                     bool noindex)
{
    strbuf_t b = {0};
    html_begin(&b, req, title);
    strbuf_str(&b, "<h1>");
    html_text(&b, title);
    strbuf_str(&b, "</h1>\n<p class=\"notice\">");
    html_text(&b, text);
    strbuf_str(&b, "</p>\n");
    html_end(&b, req);
    web_send_page(req, status, &b, noindex);
}

void html_date(strbuf_t *b, const web_request_t *req, const char *iso)
{
    if (!iso || strlen(iso) != 10) {
        html_text(b, iso && *iso ? iso : "—");
        return;
    }
    if (req->english)
        html_text(b, iso);
    else
        strbuf_printf(b, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
}

void html_time(strbuf_t *b, const web_request_t *req, int64_t ms)
{
    if (ms <= 0) {
        strbuf_str(b, "—");
        return;
    }
    char text[DATE_TIME_LEN];
    date_format_local_time(ms / 1000, text); /* "2024-05-20 08:30" */
    text[10] = '\0';
    html_date(b, req, text);
    strbuf_printf(b, " %s", text + 11);
}

const char *web_task_status(const web_request_t *req, Thuky__TaskStatus status)
{
    switch (status) {
    case THUKY__TASK_STATUS__TASK_OPEN: return W_(req, "Open");
    case THUKY__TASK_STATUS__TASK_IN_PROGRESS: return W_(req, "In progress");
    case THUKY__TASK_STATUS__TASK_DONE: return W_(req, "Done");
    case THUKY__TASK_STATUS__TASK_CANCELLED: return W_(req, "Cancelled");
    default: return "—";
    }
}

const char *web_task_flag(const web_request_t *req, Thuky__TaskFlag flag)
{
    switch (flag) {
    case THUKY__TASK_FLAG__FLAG_QUALITY:
        return W_(req, "Falls short on quality");
    case THUKY__TASK_FLAG__FLAG_DISPUTE:
        return W_(req, "Members still disagree");
    case THUKY__TASK_FLAG__FLAG_SITTING_CANCELLED:
        return W_(req, "Its sitting was cancelled");
    default: return "—";
    }
}

const char *web_alert_kind(const web_request_t *req, Thuky__AlertKind kind)
{
    switch (kind) {
    case THUKY__ALERT_KIND__ALERT_LEAD: return W_(req, "Reminder before the deadline");
    case THUKY__ALERT_KIND__ALERT_DUE: return W_(req, "Due today");
    case THUKY__ALERT_KIND__ALERT_OVERDUE: return W_(req, "Behind schedule");
    case THUKY__ALERT_KIND__ALERT_ESCALATION: return W_(req, "Escalation");
    case THUKY__ALERT_KIND__ALERT_SITTING: return W_(req, "Before a sitting");
    default: return "—";
    }
}

const char *web_alert_state(const web_request_t *req, Thuky__AlertState state)
{
    switch (state) {
    case THUKY__ALERT_STATE__ALERT_PLANNED: return W_(req, "Planned");
    case THUKY__ALERT_STATE__ALERT_SENDING: return W_(req, "Sending");
    case THUKY__ALERT_STATE__ALERT_SENT: return W_(req, "Sent");
    case THUKY__ALERT_STATE__ALERT_FAILED: return W_(req, "Failed");
    case THUKY__ALERT_STATE__ALERT_SILENCED: return W_(req, "Silenced");
    case THUKY__ALERT_STATE__ALERT_ACKED: return W_(req, "Acknowledged");
    case THUKY__ALERT_STATE__ALERT_CANCELLED: return W_(req, "Cancelled");
    default: return "—";
    }
}
