/* The Standard Webhooks signature (https://www.standardwebhooks.com/).
 *
 * A receiver checks the header
 *     webhook-signature: v1,<base64(HMAC-SHA256(key, "<id>.<timestamp>.<body>"))>
 * against the webhook-id and webhook-timestamp headers and the raw body.
 * The key is the base64-decoded text after "whsec_" when the secret starts
 * with that prefix (the form the convention hands out), else the secret's
 * own bytes. Standard base64 (RFC 4648 section 4); missing '=' padding is
 * tolerated. Thread-safe: no state is kept between calls. */
#ifndef THUKY_WEBHOOK_SIGN_H
#define THUKY_WEBHOOK_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "v1," + 44 base64 characters of a 32-byte MAC + NUL. */
#define WEBHOOK_SIGNATURE_SIZE 48

/* Writes the webhook-signature header value ("v1,...") into out. False
 * (out set to "") when the secret is NULL or empty, a "whsec_" secret is not
 * base64 or decodes to no bytes, or OpenSSL fails. body may be NULL when
 * body_len is 0. */
bool webhook_sign(const char *secret, const char *id, int64_t timestamp_s, const void *body,
                  size_t body_len, char out[WEBHOOK_SIGNATURE_SIZE]);

#endif
