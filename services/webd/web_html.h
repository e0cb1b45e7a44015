/* Server-rendered pages: escaping, the page frame, dates and the
 * Secretariat's words (Vietnamese first; English for Accept-Language: en).
 * Pages carry no inline script or style (the CSP forbids both): the look
 * is /static/thuky.css and the live update /static/board.js. */
#ifndef THUKY_WEB_HTML_H
#define THUKY_WEB_HTML_H
#include <stdbool.h>
#include <stdint.h>

#include "text/strbuf.h"
#include "thuky/notify.pb-c.h"
#include "thuky/task.pb-c.h"
#include "web_http.h"


/* Text into HTML, escaped (& < > " '): the shared escaping of
 * text/strbuf.h, which the CLI's printed reports use too. */
#define html_text(b, s) strbuf_html((b), (s))
#define html_textf(b, ...) strbuf_html_printf((b), __VA_ARGS__)

/* <!doctype html>…<main>; html_end closes it. */
void html_begin(strbuf_t *b, const web_request_t *req, const char *title);
void html_end(strbuf_t *b, const web_request_t *req);
/* Sends the page (text/html; charset=utf-8), taking b's text. */
void web_send_page(web_request_t *req, unsigned status, strbuf_t *b, bool noindex);
/* A whole page with a heading and one paragraph (errors, notices). */
void web_send_notice(web_request_t *req, unsigned status, const char *title,
                     const char *text, bool noindex);

/* "2024-04-30" as 30/04/2024 in Vietnamese, as it is in English. */
void html_date(strbuf_t *b, const web_request_t *req, const char *iso);
/* A UTC time in ms, in Hanoi time: "30/04/2024 08:00". */
void html_time(strbuf_t *b, const web_request_t *req, int64_t ms);

const char *web_task_status(const web_request_t *req, Thuky__TaskStatus status);
const char *web_task_flag(const web_request_t *req, Thuky__TaskFlag flag);
const char *web_alert_kind(const web_request_t *req, Thuky__AlertKind kind);
const char *web_alert_state(const web_request_t *req, Thuky__AlertState state);

#endif
