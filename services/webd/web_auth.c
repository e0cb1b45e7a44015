#include "web_auth.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "runtime/clock.h"
#include "web_sign.h"
#include "web_tokens.h"

static bool s_from_token(const Thuky__WebToken *t, web_principal_t *who)
{
    who->known = true;
    who->office_scope = web_token_is_office(t);
    snprintf(who->office, sizeof who->office, "%s", who->office_scope ? t->office : "");
    snprintf(who->token_id, sizeof who->token_id, "%s", t->id);
    return true;
}

static bool s_allowed_address(const web_request_t *req)
{
    const config_web_t *w = &req->webd->config->web;
    struct in_addr a;
    if (inet_pton(AF_INET, req->address, &a) != 1)
        return false;
    for (int i = 0; i < w->n_board_allow; i++) {
        char net[64];
        snprintf(net, sizeof net, "%s", w->board_allow[i]);
        char *slash = strchr(net, '/');
        int bits = slash ? atoi(slash + 1) : 32;
        if (slash)
            *slash = '\0';
        struct in_addr n;
        if (inet_pton(AF_INET, net, &n) != 1)
            continue;
        uint32_t mask = bits == 0 ? 0 : htonl(~0u << (32 - bits));
        if ((a.s_addr & mask) == (n.s_addr & mask))
            return true;
    }
    return false;
}

/* Tickets used up and not yet expired: a fixed table, so a flood of
 * tickets cannot grow memory; when it is full of live ones no more are
 * given out until some expire. */
#define TICKETS_KEPT 4096
#define TICKETS_PER_TOKEN 64
typedef struct {
    char nonce[17];
    char token_id[16];
    int64_t expiry_s;
} ticket_seen_t;
static ticket_seen_t s_used[TICKETS_KEPT];

static ticket_seen_t *s_free_slot(int64_t now_s)
{
    for (int i = 0; i < TICKETS_KEPT; i++)
        if (s_used[i].expiry_s < now_s)
            return &s_used[i];
    return NULL;
}

bool web_ticket_make(web_request_t *req, const web_principal_t *who, char *out, size_t cap)
{
    int64_t now_s = clock_now_ms() / 1000;
    /* one holder may not use up the table for everyone */
    int mine = 0;
    for (int i = 0; i < TICKETS_KEPT; i++)
        mine += s_used[i].expiry_s >= now_s && strcmp(s_used[i].token_id, who->token_id) == 0;
    if (mine >= TICKETS_PER_TOKEN || !s_free_slot(now_s))
        return false;
    uint8_t raw[8];
    char nonce[17];
    getrandom(raw, sizeof raw, 0);
    for (int i = 0; i < 8; i++)
        snprintf(nonce + 2 * i, 3, "%02x", raw[i]);
    /* '~' is in no field and safe in a URL */
    char fields[160];
    snprintf(fields, sizeof fields, "%c~%s~%s~%" PRId64 "~%s", who->office_scope ? 'o' : 'r',
             who->office, who->token_id, now_s + WEB_TICKET_S, nonce);
    return web_sign(req->webd, "ticket", fields, out, cap);
}

bool web_ticket_take(web_request_t *req, web_principal_t *who)
{
    char fields[160];
    if (!web_signed_check(req->webd, "ticket", web_query(req, "ticket"), fields, sizeof fields))
        return false;
    /* scope~office~token~expiry~nonce; office and token may be empty */
    int n = 0;
    char *f[5] = {0};
    for (char *q = fields, *start = fields;; q++)
        if (*q == '~' || *q == '\0') {
            bool end = *q == '\0';
            *q = '\0';
            if (n < 5)
                f[n++] = start;
            start = q + 1;
            if (end)
                break;
        }
    if (n != 5 || strlen(f[4]) != 16)
        return false;
    int64_t now_s = clock_now_ms() / 1000, expiry = strtoll(f[3], NULL, 10);
    if (expiry < now_s)
        return false;
    for (int i = 0; i < TICKETS_KEPT; i++)
        if (s_used[i].expiry_s >= now_s && strcmp(s_used[i].nonce, f[4]) == 0)
            return false; /* used */
    ticket_seen_t *slot = s_free_slot(now_s);
    if (!slot)
        return false;
    snprintf(slot->nonce, sizeof slot->nonce, "%s", f[4]);
    snprintf(slot->token_id, sizeof slot->token_id, "%s", f[2]);
    slot->expiry_s = expiry;
    memset(who, 0, sizeof *who);
    who->known = true;
    who->office_scope = f[0][0] == 'o';
    snprintf(who->office, sizeof who->office, "%s", f[1]);
    snprintf(who->token_id, sizeof who->token_id, "%s", f[2]);
    return true;
}

void web_session_cookie(const webd_t *webd, const char *token_id, char *out, size_t cap)
{
    char fields[64], value[WEB_SIGNED_MAX];
    snprintf(fields, sizeof fields, "%s.%" PRId64, token_id,
             clock_now_ms() / 1000 + WEB_SESSION_S);
    web_sign(webd, "session", fields, value, sizeof value);
    snprintf(out, cap, "%s=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict%s",
             WEB_SESSION_COOKIE, value, WEB_SESSION_S,
             strncmp(webd->config->web.public_url, "https:", 6) == 0 ? "; Secure" : "");
}

/* The token behind a session cookie, if it is genuine, current and live. */
static Thuky__WebToken *s_session_token(web_request_t *req)
{
    char fields[64];
    if (!web_signed_check(req->webd, "session", web_cookie(req, WEB_SESSION_COOKIE), fields,
                          sizeof fields))
        return NULL;
    char *dot = strchr(fields, '.');
    if (!dot)
        return NULL;
    *dot = '\0';
    if (strtoll(dot + 1, NULL, 10) < clock_now_ms() / 1000)
        return NULL;
    /* the token is looked up by id: revoked means the session ends */
    return web_token_get(req->webd, fields);
}

bool web_auth(web_request_t *req, web_principal_t *who)
{
    memset(who, 0, sizeof *who);
    const char *auth = web_header(req, "Authorization");
    if (auth && strncasecmp(auth, "Bearer ", 7) == 0) {
        Thuky__WebToken *t = web_token_find(req->webd, auth + 7);
        bool ok = t && t->kind == THUKY__TOKEN_KIND__TOKEN_API && s_from_token(t, who);
        who->bearer = ok;
        if (t)
            thuky__web_token__free_unpacked(t, NULL);
        return ok;
    }
    Thuky__WebToken *t = s_session_token(req);
    if (t) {
        s_from_token(t, who);
        thuky__web_token__free_unpacked(t, NULL);
        return true;
    }
    if (s_allowed_address(req)) {
        who->known = true;
        return true;
    }
    return false;
}

bool web_auth_post_allowed(web_request_t *req, const web_principal_t *who)
{
    return who->bearer || web_post_allowed(req);
}

bool web_auth_api(web_request_t *req, web_principal_t *who)
{
    if (web_query(req, "token") || web_query(req, "access_token")) {
        web_problem(req, 400, "Token in the URL",
                    N_("send the token as 'Authorization: Bearer TOKEN', never in a query string "
                       "(URLs are logged and shared)"));
        return false;
    }
    if (web_auth(req, who))
        return true;
    /* a problem like web_problem's, with the challenge header */
    json_t *problem = json_pack(
        "{s:s, s:s, s:i, s:s}", "type", "about:blank", "title", "Unauthorized", "status", 401,
        "detail", W_(req, "an API token (Authorization: Bearer) or a login session is required"));
    char *text = json_dumps(problem, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(problem);
    web_response_t r;
    web_response_init(&r, 401, "application/problem+json");
    strbuf_str(&r.body, text ? text : "null");
    free(text);
    web_response_header(&r, "WWW-Authenticate", "Bearer realm=\"thuky\"");
    web_send(req, &r);
    return false;
}
