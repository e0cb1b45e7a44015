/* Who is asking, for the API, the feed and the board:
 *
 *   Authorization: Bearer SECRET   an API token (never in a query string)
 *   Cookie: thuky_session=...      set by a login link (/login/SECRET): the
 *                                  token id and an expiry, signed by webd; the
 *                                  token is checked again on every request, so
 *                                  revoking it ends the session
 *   the address                    in [web] board_allow: reads as a reader
 *
 * A principal reads everything (scope read) or one office's (scope office),
 * and only an office principal may acknowledge or report. */
#ifndef THUKY_WEB_AUTH_H
#define THUKY_WEB_AUTH_H
#include <stdbool.h>

#include "web_http.h"

#define WEB_SESSION_COOKIE "thuky_session"
#define WEB_SESSION_S (12 * 3600)

typedef struct {
    bool known;
    bool office_scope;
    char office[CONFIG_OFFICE_MAX];
    char token_id[16];               /* "" for an allowed address */
    bool bearer;                     /* by Authorization: Bearer: no ambient
                                      * credential, so no CSRF check */
} web_principal_t;

/* A cookie-borne (or address-borne) principal's POST must come from this
 * site (web_post_allowed); a bearer token's need not. False with the 403 sent. */
bool web_auth_post_allowed(web_request_t *req, const web_principal_t *who);

/* Fills who; false when nobody (with no answer sent). */
bool web_auth(web_request_t *req, web_principal_t *who);
/* The same, answering 401 (problem+json) when nobody. */
bool web_auth_api(web_request_t *req, web_principal_t *who);
/* Stream tickets, for a browser's EventSource (which cannot send an
 * Authorization header): POST /api/v1/events/ticket gives one for the
 * caller's scope; it opens /api/v1/events?ticket=T once, within
 * WEB_TICKET_S seconds. NULL-terminated text; false when too many are
 * outstanding. */
#define WEB_TICKET_S 60
bool web_ticket_make(web_request_t *req, const web_principal_t *who, char *out, size_t cap);
/* Uses up the request's ?ticket=; false when absent, forged, expired or used. */
bool web_ticket_take(web_request_t *req, web_principal_t *who);
/* The Set-Cookie value of a new session for token_id. */
void web_session_cookie(const webd_t *webd, const char *token_id, char *out, size_t cap);

#endif
