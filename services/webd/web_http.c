#include "web_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <strings.h>

#include <jansson.h>

#include "base/log.h"
#include "runtime/clock.h"
#include "runtime/secret.h"
#include "text/utf8.h"
#include "web_routes.h"

/* Token buckets per address: a fixed table, so that many addresses cannot
 * grow it; a new address takes the slot of the one idle longest. */
#define RATE_SLOTS 4096

typedef struct {
    char address[WEB_ADDRESS_MAX];
    double tokens;
    int64_t last_ms;
} bucket_t;

struct web_http {
    webd_t *webd;
    struct MHD_Daemon *mhd;
    bucket_t *buckets;
    char *tls_cert, *tls_key;
};

static const char s_csp[] = "default-src 'none'; script-src 'self'; style-src 'self'; "
                            "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
                            "frame-ancestors 'none'; base-uri 'none'";

/* ---- responses ------------------------------------------------------------ */

void web_response_init(web_response_t *r, unsigned status, const char *content_type)
{
    memset(r, 0, sizeof *r);
    r->status = status;
    r->content_type = content_type;
}

void web_response_header(web_response_t *r, const char *name, const char *fmt, ...)
{
    if (r->n_headers == (int)(sizeof r->headers / sizeof r->headers[0]))
        fatalx("web: too many headers on one response");
    snprintf(r->headers[r->n_headers][0], sizeof r->headers[0][0], "%s", name);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->headers[r->n_headers][1], sizeof r->headers[0][1], fmt, ap);
    va_end(ap);
    r->n_headers++;
}

static void s_common_headers(struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "Content-Security-Policy", s_csp);
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
}

void web_send_mhd(web_request_t *req, struct MHD_Response *response, unsigned status)
{
    s_common_headers(response);
    req->status = status;
    req->answered = true;
    MHD_queue_response(req->conn, status, response);
    MHD_destroy_response(response);
}

void web_send(web_request_t *req, web_response_t *r)
{
    size_t len = r->body.len;
    char *body = strbuf_take(&r->body);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (r->content_type)
        MHD_add_response_header(resp, "Content-Type", r->content_type);
    if (!r->cache)
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    if (r->noindex)
        MHD_add_response_header(resp, "X-Robots-Tag", "noindex, nofollow");
    for (int i = 0; i < r->n_headers; i++)
        MHD_add_response_header(resp, r->headers[i][0], r->headers[i][1]);
    web_send_mhd(req, resp, r->status);
}

void web_send_text(web_request_t *req, unsigned status, const char *content_type,
                   const char *text)
{
    web_response_t r;
    web_response_init(&r, status, content_type);
    strbuf_str(&r.body, text);
    web_send(req, &r);
}

/* Sends j (taken) as the body of r. */
static void s_send_json(web_request_t *req, web_response_t *r, json_t *j)
{
    char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    strbuf_str(&r->body, text ? text : "null");
    free(text);
    web_send(req, r);
}

void web_send_json(web_request_t *req, unsigned status, json_t *j)
{
    web_response_t r;
    web_response_init(&r, status, "application/json");
    s_send_json(req, &r, j);
}

/* header/value: one more header (Allow, Retry-After), or NULL. The title
 * stays English (RFC 9457's short summary, which clients match); the detail
 * is in the request's language. */
static void s_problem(web_request_t *req, unsigned status, const char *title, const char *said,
                      const char *header, const char *value)
{
    /* a detail cut to its buffer may end inside a character */
    char detail[1024];
    snprintf(detail, sizeof detail, "%s", said);
    utf8_scrub(detail, strlen(detail));
    web_response_t r;
    web_response_init(&r, status, "application/problem+json");
    if (header)
        web_response_header(&r, header, "%s", value);
    s_send_json(req, &r, json_pack("{s:s, s:s, s:i, s:s}", "type", "about:blank", "title", title,
                                   "status", (int)status, "detail", detail));
}

/* The detail's fmt is English, marked with N_() where it is written, and
 * translated here into the request's language. */
void web_problem_retry(web_request_t *req, unsigned status, int retry_after_s, const char *title,
                       const char *fmt, ...)
{
    char detail[768], after[16];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, W_(req, fmt), ap);
    va_end(ap);
    snprintf(after, sizeof after, "%d", retry_after_s);
    s_problem(req, status, title, detail, "Retry-After", after);
}

void web_problem(web_request_t *req, unsigned status, const char *title, const char *fmt, ...)
{
    char detail[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, W_(req, fmt), ap);
    va_end(ap);
    if (status == 503)
        web_problem_retry(req, status, BACKEND_RETRY_AFTER_S, title, "%s", detail);
    else
        s_problem(req, status, title, detail, NULL, NULL);
}

unsigned web_status_of(Thuky__StatusCode code)
{
    switch (code) {
    case THUKY__STATUS_CODE__OK: return 200;
    case THUKY__STATUS_CODE__INVALID_ARGUMENT: return 400;
    case THUKY__STATUS_CODE__NOT_FOUND: return 404;
    case THUKY__STATUS_CODE__CONFLICT: return 409;
    case THUKY__STATUS_CODE__PERMISSION_DENIED: return 403;
    case THUKY__STATUS_CODE__UNAVAILABLE: return 503;
    default: return 500;
    }
}

void web_backend_problem(web_request_t *req, const backend_error_t *err)
{
    unsigned status = web_status_of(err->code);
    static const char *const titles[] = {"OK", "Invalid argument", "Not found", "Conflict",
                                         "Forbidden", "Service unavailable", "Internal error"};
    const char *title = (unsigned)err->code < sizeof titles / sizeof titles[0]
                            ? titles[err->code]
                            : "Internal error";
    web_problem(req, status, title, "%s", err->message);
}

void web_method_not_allowed(web_request_t *req, const char *allow)
{
    char detail[160];
    snprintf(detail, sizeof detail, W_(req, "use %s"), allow);
    s_problem(req, 405, "Method not allowed", detail, "Allow", allow);
}

void web_see_other(web_request_t *req, const char *location)
{
    web_response_t r;
    web_response_init(&r, 303, "text/plain; charset=utf-8");
    web_response_header(&r, "Location", "%s", location);
    strbuf_str(&r.body, "See Other\n");
    web_send(req, &r);
}

/* ---- what a request carries ------------------------------------------------ */

const char *web_header(const web_request_t *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *web_query(const web_request_t *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *web_cookie(const web_request_t *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

bool web_is_get(const web_request_t *req)
{
    return strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
}

bool web_is_post(const web_request_t *req) { return strcmp(req->method, "POST") == 0; }

static int s_hex(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool web_form_value(const char *body, const char *name, char *out, size_t cap)
{
    size_t name_len = strlen(name);
    for (const char *p = body; p && *p;) {
        const char *end = strchr(p, '&');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > name_len && strncmp(p, name, name_len) == 0 && p[name_len] == '=') {
            size_t n = 0;
            for (size_t i = name_len + 1; i < len; i++) {
                int c = (unsigned char)p[i];
                if (c == '+') {
                    c = ' ';
                } else if (c == '%' && i + 2 < len + 1 && s_hex(p[i + 1]) >= 0 &&
                           s_hex(p[i + 2]) >= 0) {
                    c = s_hex(p[i + 1]) * 16 + s_hex(p[i + 2]);
                    i += 2;
                }
                if (n + 1 >= cap || c == 0)
                    return false; /* too long, or a NUL that would cut it */
                out[n++] = (char)c;
            }
            out[n] = '\0';
            return utf8_valid(out, n);
        }
        if (len == name_len && strncmp(p, name, name_len) == 0) {
            if (cap == 0)
                return false;
            out[0] = '\0';
            return true;
        }
        p = end ? end + 1 : NULL;
    }
    return false;
}

bool web_post_allowed(web_request_t *req)
{
    const char *site = web_header(req, "Sec-Fetch-Site");
    if (site) {
        if (strcmp(site, "same-origin") == 0)
            return true;
        web_problem(req, 403, "Cross-site request refused",
                    N_("a form of this site may be sent only from this site "
                       "(Sec-Fetch-Site: %.40s)"),
                    site);
        return false;
    }
    const char *origin = web_header(req, "Origin");
    const char *mine = req->webd->config->web.public_url;
    /* the public origin: scheme://host[:port] of public_url */
    size_t n = 0;
    const char *host = strstr(mine, "://");
    if (host) {
        const char *slash = strchr(host + 3, '/');
        n = slash ? (size_t)(slash - mine) : strlen(mine);
    }
    if (origin && n > 0 && strlen(origin) == n && strncmp(origin, mine, n) == 0)
        return true;
    web_problem(req, 403, "Cross-site request refused",
                N_("this form is accepted only from this site's own pages (Origin %.100s)"),
                origin ? origin : W_(req, "missing"));
    return false;
}

/* ---- limits ------------------------------------------------------------------ */

/* Takes a token from the address's bucket; false when it is empty (and
 * *retry_s says when the next one comes). */
static bool s_rate_take(web_http_t *self, const char *address, int *retry_s)
{
    const config_web_t *w = &self->webd->config->web;
    double per_ms = w->requests_per_minute / 60000.0;
    double burst = w->requests_per_minute;
    int64_t now = clock_monotonic_ms();
    uint32_t h = 2166136261u;
    for (const char *p = address; *p; p++)
        h = (h ^ (uint8_t)*p) * 16777619u;
    /* four candidate slots: the address's own, else the idlest */
    bucket_t *pick = NULL;
    for (int i = 0; i < 4; i++) {
        bucket_t *b = &self->buckets[(h + (uint32_t)i) % RATE_SLOTS];
        if (strcmp(b->address, address) == 0) {
            pick = b;
            break;
        }
        if (!pick || b->last_ms < pick->last_ms)
            pick = b;
    }
    if (strcmp(pick->address, address) != 0) {
        snprintf(pick->address, sizeof pick->address, "%s", address);
        pick->tokens = burst;
        pick->last_ms = now;
    }
    pick->tokens += (double)(now - pick->last_ms) * per_ms;
    if (pick->tokens > burst)
        pick->tokens = burst;
    pick->last_ms = now;
    if (pick->tokens < 1.0) {
        *retry_s = (int)((1.0 - pick->tokens) / per_ms / 1000.0) + 1;
        return false;
    }
    pick->tokens -= 1.0;
    return true;
}

/* The browser's address: the peer's, or the last X-Forwarded-For entry when
 * the peer is the trusted proxy (the entry that proxy added itself). */
static void s_address(web_http_t *self, web_request_t *req)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(req->address, sizeof req->address, "-");
    if (info && info->client_addr && info->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)info->client_addr)->sin_addr,
                  req->address, sizeof req->address);
    else if (info && info->client_addr && info->client_addr->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)info->client_addr)->sin6_addr,
                  req->address, sizeof req->address);
    const char *proxy = self->webd->config->web.trusted_proxy;
    const char *xff = web_header(req, "X-Forwarded-For");
    if (proxy[0] && xff && strcmp(req->address, proxy) == 0) {
        const char *last = strrchr(xff, ',');
        last = last ? last + 1 : xff;
        while (*last == ' ')
            last++;
        char candidate[WEB_ADDRESS_MAX];
        snprintf(candidate, sizeof candidate, "%s", last);
        unsigned char buf[16];
        if (inet_pton(AF_INET, candidate, buf) == 1 || inet_pton(AF_INET6, candidate, buf) == 1)
            snprintf(req->address, sizeof req->address, "%s", candidate);
    }
}

/* Vietnamese unless the browser's first language with q > 0 is English
 * (browsers list them by preference). */
static bool s_wants_english(const char *accept)
{
    if (!accept)
        return false;
    char copy[256];
    snprintf(copy, sizeof copy, "%s", accept);
    for (char *save = NULL, *item = strtok_r(copy, ",", &save); item;
         item = strtok_r(NULL, ",", &save)) {
        while (*item == ' ')
            item++;
        char *params = strchr(item, ';');
        double q = 1.0;
        if (params) {
            *params++ = '\0';
            const char *qs = strstr(params, "q=");
            if (qs)
                q = strtod(qs + 2, NULL);
        }
        if (q > 0 && *item)
            return strncasecmp(item, "en", 2) == 0;
    }
    return false;
}

/* The path as the log may show it: everything from the credential on is
 * cut (/a/ALERT/OFFICE…, /cal/OFFICE/…, /login/…), and bytes that are not
 * printable ASCII are shown as \xNN, so a path cannot forge a log line. */
static void s_redact(const char *path, char *out, size_t cap)
{
    size_t keep = strlen(path);
    bool cut = false;
    if (strncmp(path, "/a/", 3) == 0) {
        const char *slash = strchr(path + 3, '/');
        const char *dot = slash ? strchr(slash, '.') : NULL;
        keep = dot ? (size_t)(dot - path) : slash ? (size_t)(slash + 1 - path) : keep;
        cut = slash != NULL;
    } else if (strncmp(path, "/cal/", 5) == 0 && strcmp(path, "/cal/public.ics") != 0) {
        const char *slash = strchr(path + 5, '/');
        keep = slash ? (size_t)(slash + 1 - path) : keep;
        cut = slash != NULL;
    } else if (strncmp(path, "/login/", 7) == 0) {
        keep = 7;
        cut = true;
    }
    size_t n = 0;
    for (size_t i = 0; i < keep && i < 200 && n + 5 < cap; i++) {
        unsigned char c = (unsigned char)path[i];
        if (c >= 0x20 && c < 0x7f && c != '\\')
            out[n++] = (char)c;
        else
            n += (size_t)snprintf(out + n, cap - n, "\\x%02x", c);
    }
    out[n] = '\0';
    if (cut && n + 4 < cap)
        snprintf(out + n, cap - n, "…");
}

static void s_route(web_request_t *req)
{
    const char *p = req->path;
    if (strncmp(p, "/a/", 3) == 0)
        web_alert_route(req);
    else if (strncmp(p, "/cal/", 5) == 0)
        web_cal_route(req);
    else if (strncmp(p, "/api/v1/", 8) == 0 || strcmp(p, "/api/v1") == 0)
        web_api_route(req);
    else if (strncmp(p, "/static/", 8) == 0)
        web_static_route(req);
    else
        web_board_route(req);
}

/* ---- the MHD callbacks ------------------------------------------------------- */

static enum MHD_Result s_access(void *cls, struct MHD_Connection *conn, const char *url,
                                const char *method, const char *version,
                                const char *upload_data, size_t *upload_data_size,
                                void **con_cls)
{
    (void)version;
    web_http_t *self = cls;
    web_request_t *req = *con_cls;
    if (!req) {
        req = xcalloc(1, sizeof *req);
        *con_cls = req;
        req->webd = self->webd;
        req->conn = conn;
        req->method = method;
        req->path = url;
        req->started_us = clock_monotonic_us();
        s_address(self, req);
        const char *ua = web_header(req, "User-Agent");
        snprintf(req->user_agent, sizeof req->user_agent, "%s", ua ? ua : "");
        /* it goes into the audit history: valid UTF-8, one line */
        utf8_scrub(req->user_agent, strlen(req->user_agent));
        for (char *c = req->user_agent; *c; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7f)
                *c = ' ';
        req->english = s_wants_english(web_header(req, "Accept-Language"));
        self->webd->backend.language = lang_code(WEB_LANG(req));
        const char *type = web_header(req, "Content-Type");
        req->body_limit = type && strncmp(type, "application/json", 16) == 0 ? WEB_JSON_MAX
                                                                            : WEB_FORM_MAX;
        int retry_s = 0;
        if (strlen(url) > WEB_URL_MAX) {
            web_problem(req, 414, "URI too long", N_("at most %d bytes"), WEB_URL_MAX);
        } else if (!s_rate_take(self, req->address, &retry_s)) {
            web_problem_retry(req, 429, retry_s, "Too many requests",
                              N_("at most %d requests a minute from one address"),
                              self->webd->config->web.requests_per_minute);
        } else {
            const char *length = web_header(req, "Content-Length");
            if (length && strtoull(length, NULL, 10) > req->body_limit)
                req->body_too_large = true;
        }
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        if (!req->answered && !req->body_too_large) {
            if (req->body_len + *upload_data_size > req->body_limit) {
                req->body_too_large = true;
            } else {
                req->body = xrealloc(req->body, req->body_len + *upload_data_size + 1);
                memcpy(req->body + req->body_len, upload_data, *upload_data_size);
                req->body_len += *upload_data_size;
                req->body[req->body_len] = '\0';
            }
        }
        *upload_data_size = 0; /* read and dropped past the limit: the client hears 413 */
        return MHD_YES;
    }
    if (req->answered)
        return MHD_YES;
    if (req->body_too_large) {
        web_problem(req, 413, "Content too large", N_("a body of at most %zu bytes here"),
                    req->body_limit);
        return MHD_YES;
    }
    if (!req->body)
        req->body = xstrdup("");
    s_route(req);
    if (!req->answered)
        web_problem(req, 500, "Internal error", N_("no answer was made for %.100s"),
                    req->path);
    return MHD_YES;
}

static void s_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                        enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    web_request_t *req = *con_cls;
    if (!req)
        return;
    char shown[256];
    s_redact(req->path, shown, sizeof shown);
    long long us = (long long)(clock_monotonic_us() - req->started_us);
    log_info("http %s %s %s %u %lldus%s", req->address, req->method, shown, req->status, us,
             toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (cut short)");
    free(req->body);
    free(req);
    *con_cls = NULL;
}

static void s_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n > 0 && line[n - 1] == '\n')
        line[--n] = '\0';
    log_warnx("http: %s", line);
}

/* ---- the loop ------------------------------------------------------------------ */

static void s_on_ready(server_t *server, void *socket, void *arg)
{
    (void)server;
    (void)socket;
    web_http_t *self = arg;
    MHD_run(self->mhd);
}

static int64_t s_timer(server_t *server, void *arg)
{
    (void)server;
    web_http_t *self = arg;
    MHD_run(self->mhd);
    MHD_UNSIGNED_LONG_LONG ms;
    if (MHD_get_timeout(self->mhd, &ms) != MHD_YES)
        return 1000;
    return ms > 1000 ? 1000 : (int64_t)ms;
}

void web_http_kick(web_http_t *self)
{
    (void)self;
    server_wake_timers(self->webd->server);
}

static char *s_read_file(const char *path, char *why, size_t why_len)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(why, why_len, _("cannot read %s: %s"), path, strerror(errno));
        return NULL;
    }
    strbuf_t b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len < (1u << 20))
        strbuf_add(&b, chunk, n);
    fclose(f);
    return strbuf_take(&b);
}

web_http_t *web_http_new(webd_t *webd, char *why, size_t why_len)
{
    const config_web_t *w = &webd->config->web;
    web_http_t *self = xcalloc(1, sizeof *self);
    self->webd = webd;
    self->buckets = xcalloc(RATE_SLOTS, sizeof *self->buckets);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)w->listen_port)};
    inet_pton(AF_INET, w->listen_address, &addr.sin_addr);
    unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    if ((w->tls_cert_file[0] != '\0') != (w->tls_key_file[0] != '\0')) {
        snprintf(why, why_len, "%s", _("[web] tls_cert_file and tls_key_file go together"));
        web_http_destroy(&self);
        return NULL;
    }
    if (w->tls_cert_file[0]) {
        self->tls_cert = s_read_file(w->tls_cert_file, why, why_len);
        self->tls_key = self->tls_cert ? s_read_file(w->tls_key_file, why, why_len) : NULL;
        if (!self->tls_key) {
            web_http_destroy(&self);
            return NULL;
        }
        flags |= MHD_USE_TLS;
    }
    /* Behind a proxy every browser has the proxy's address: the per-address
     * connection bound would then bind them all together. */
    unsigned per_address = w->trusted_proxy[0] ? 0 : (unsigned)w->connections_per_address;
    self->mhd = MHD_start_daemon(
        flags, (uint16_t)w->listen_port, NULL, NULL, s_access, self, MHD_OPTION_EXTERNAL_LOGGER,
        s_mhd_log, self, MHD_OPTION_SOCK_ADDR, &addr,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)w->max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_address, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)60, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
        MHD_OPTION_NOTIFY_COMPLETED, s_completed, self, self->tls_cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, self->tls_cert,
        MHD_OPTION_HTTPS_MEM_KEY, self->tls_key, MHD_OPTION_END);
    if (!self->mhd) {
        snprintf(why, why_len, _("cannot listen on %s:%d: %s"), w->listen_address,
                 w->listen_port, strerror(errno));
        web_http_destroy(&self);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(self->mhd, MHD_DAEMON_INFO_EPOLL_FD);
    if (!info) {
        snprintf(why, why_len, "%s", _("libmicrohttpd has no epoll descriptor"));
        web_http_destroy(&self);
        return NULL;
    }
    server_add_fd_reader(webd->server, info->epoll_fd, s_on_ready, self);
    server_add_timer(webd->server, s_timer, self);
    return self;
}

void web_http_destroy(web_http_t **self_p)
{
    web_http_t *self = *self_p;
    if (!self)
        return;
    if (self->mhd) {
        /* streams were told to end (web_feed_end_streams): let MHD run
         * until they have, since it may not stop with one suspended */
        MHD_quiesce_daemon(self->mhd);
        for (int i = 0; i < 50; i++) {
            MHD_run(self->mhd);
            const union MHD_DaemonInfo *info =
                MHD_get_daemon_info(self->mhd, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
            if (!info || info->num_connections == 0)
                break;
            struct timespec pause = {0, 10 * 1000 * 1000};
            nanosleep(&pause, NULL);
        }
        MHD_stop_daemon(self->mhd);
    }
    free(self->buckets);
    if (self->tls_key)
        secret_wipe(self->tls_key, strlen(self->tls_key));
    free(self->tls_key);
    free(self->tls_cert);
    free(self);
    *self_p = NULL;
}
