/* What webd signs with its own secret (webd.h): form nonces, session
 * cookies and stream tickets. Each is "FIELDS.MAC", MAC the first 16 bytes
 * of HMAC-SHA256(secret, PURPOSE "\n" FIELDS) in base64url, compared in
 * constant time; the purpose keeps one kind from passing for another. */
#ifndef THUKY_WEB_SIGN_H
#define THUKY_WEB_SIGN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "webd.h"

#define WEB_SIGNED_MAX 256

/* Writes "FIELDS.MAC" into out (false when it does not fit). */
bool web_sign(const webd_t *webd, const char *purpose, const char *fields, char *out,
              size_t cap);
/* Checks "FIELDS.MAC"; on success copies FIELDS into fields. */
bool web_signed_check(const webd_t *webd, const char *purpose, const char *signed_text,
                      char *fields, size_t cap);

/* A form nonce for path, issued now; valid WEB_NONCE_S seconds for that
 * path only. */
#define WEB_NONCE_S (24 * 3600)
void web_nonce_make(const webd_t *webd, const char *path, int64_t now_s, char out[WEB_SIGNED_MAX]);
bool web_nonce_check(const webd_t *webd, const char *path, const char *nonce, int64_t now_s);

/* 16 hex digits of HMAC(secret, text): a stable private key for text (an
 * idempotency key made of a form's nonce and content). */
void web_digest16(const webd_t *webd, const char *text, char out[17]);

#endif
