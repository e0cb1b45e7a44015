/* Web credentials: calendar, API and login tokens.
 *
 * A token's secret is 128 random bits in base64url (22 characters), shown
 * once when it is made (web.token.create / rotate) and stored only as its
 * SHA-256: WDB_TOKENS holds id -> WebToken, WDB_TOKEN_HASHES hash -> id.
 * A revoked token stays listed (with when), and finds nothing. Last use is
 * written at most once an hour per token, so a calendar polled every
 * minute does not write every minute. */
#ifndef THUKY_WEB_TOKENS_H
#define THUKY_WEB_TOKENS_H
#include <stdbool.h>

#include "thuky/web.pb-c.h"
#include "webd.h"

#define TOKEN_SECRET_LEN 22

/* The live token with this secret, or NULL (unknown, revoked, malformed).
 * Free with thuky__web_token__free_unpacked. */
Thuky__WebToken *web_token_find(webd_t *webd, const char *secret);

/* The live token with this id (a session cookie names its token by id),
 * or NULL. Free with thuky__web_token__free_unpacked. */
Thuky__WebToken *web_token_get(webd_t *webd, const char *id);
/* Whether the token with this id exists and is not revoked. */
bool web_token_live(webd_t *webd, const char *id);

/* Whether the token may act for (and see only) that office. */
bool web_token_is_office(const Thuky__WebToken *t);

#endif
