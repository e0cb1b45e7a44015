/* webd's HTTP side: libmicrohttpd on the server's poll loop, one request's
 * context, the responses every route builds, and the rules every response
 * keeps (security headers, limits, the access log).
 *
 * Every response carries a CSP without inline script, Referrer-Policy
 * same-origin, nosniff and frame-ancestors none. Requests past the limits
 * get 413 (body: forms 16 KiB, JSON 64 KiB), 414 (URL over 2 KiB) or 429
 * with Retry-After (a token bucket per address). The access log never
 * holds a secret: the credential segment of /a/, /cal/ and /login/ paths
 * is cut. */
#ifndef THUKY_WEB_HTTP_H
#define THUKY_WEB_HTTP_H
#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>

#include "base/i18n.h"
#include <stddef.h>
#include <stdint.h>

#include "text/strbuf.h"
#include "webd.h"

#define WEB_FORM_MAX (16 * 1024)
#define WEB_JSON_MAX (64 * 1024)
#define WEB_URL_MAX 2048
#define WEB_ADDRESS_MAX 64
#define WEB_AGENT_MAX 256

typedef struct web_request web_request_t;

struct web_request {
    webd_t *webd;
    struct MHD_Connection *conn;
    const char *method;           /* "GET", "HEAD", "POST", ... */
    const char *path;             /* decoded, without the query */
    char address[WEB_ADDRESS_MAX];  /* the browser's (after a trusted proxy) */
    char user_agent[WEB_AGENT_MAX + 1];
    bool english;                 /* Accept-Language prefers en */
    char *body;                   /* the request body, NUL-terminated */
    size_t body_len, body_limit;
    bool body_too_large;
    bool answered;
    unsigned status;              /* for the access log */
    int64_t started_us;
};

/* A response being built: the body is owned until web_send. */
typedef struct {
    unsigned status;
    const char *content_type;
    strbuf_t body;
    char headers[8][2][256];
    int n_headers;
    bool noindex;                 /* X-Robots-Tag: noindex, nofollow */
    bool cache;                   /* leave Cache-Control to the route */
} web_response_t;

/* Binds the listening socket and joins the server's loop. NULL with why. */
web_http_t *web_http_new(webd_t *webd, char *why, size_t why_len);
void web_http_destroy(web_http_t **self_p);
/* Something outside MHD (a resumed stream) wants the loop to run MHD. */
void web_http_kick(web_http_t *self);

void web_response_init(web_response_t *r, unsigned status, const char *content_type);
void web_response_header(web_response_t *r, const char *name, const char *fmt, ...)
    LOG_PRINTF(3, 4);
/* Queues the response (freeing its body). */
void web_send(web_request_t *req, web_response_t *r);
void web_send_text(web_request_t *req, unsigned status, const char *content_type,
                   const char *text);
/* An RFC 9457 problem (application/problem+json). */
void web_problem(web_request_t *req, unsigned status, const char *title, const char *fmt, ...)
    LOG_PRINTF(4, 5);
/* The same with Retry-After (429, 503). */
void web_problem_retry(web_request_t *req, unsigned status, int retry_after_s, const char *title,
                       const char *fmt, ...) LOG_PRINTF(5, 6);
/* Sends a JSON body (taken) as application/json. */
void web_send_json(web_request_t *req, unsigned status, json_t *j);
/* The problem for a daemon's refusal or silence: INVALID_ARGUMENT 400,
 * NOT_FOUND 404, CONFLICT 409, PERMISSION_DENIED 403, UNAVAILABLE 503 with
 * Retry-After, anything else 500. */
void web_backend_problem(web_request_t *req, const backend_error_t *err);
unsigned web_status_of(Thuky__StatusCode code);
/* 405 with Allow. */
void web_method_not_allowed(web_request_t *req, const char *allow);
/* Redirect (303 See Other: a POST's answer is a GET, Post/Redirect/Get). */
void web_see_other(web_request_t *req, const char *location);

const char *web_header(const web_request_t *req, const char *name);
const char *web_query(const web_request_t *req, const char *name);
const char *web_cookie(const web_request_t *req, const char *name);
bool web_is_get(const web_request_t *req);   /* GET or HEAD */
bool web_is_post(const web_request_t *req);

/* CSRF: a POST counts only with Sec-Fetch-Site: same-origin or, when the
 * browser sent none (plain HTTP on a LAN address), an Origin equal to the
 * configured public origin. False with the 403 sent. */
bool web_post_allowed(web_request_t *req);

/* The value of NAME in an application/x-www-form-urlencoded body, decoded
 * into out; false when absent, too long, or not text (a NUL byte, invalid
 * UTF-8). */
bool web_form_value(const char *body, const char *name, char *out, size_t cap);

/* The request's language (Accept-Language): W_(req, "English text") is
 * the text in it, from po/vi.po like every other translation. */
#define WEB_LANG(req) ((req)->english ? LANG_EN : LANG_VI)
#define W_(req, msgid) i18n_text(WEB_LANG(req), (msgid))

#endif
