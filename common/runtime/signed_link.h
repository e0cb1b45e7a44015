/* Signed alert links, shared by thuky-notifyd (which puts one in every
 * alert e-mail and webhook) and thuky-webd (which checks it):
 *
 *     /a/ALERT/OFFICE.EXPIRY.KEYID.MAC
 *
 * EXPIRY is the link's end in Unix seconds; MAC is the first 16 bytes of
 * HMAC-SHA256(key KEYID, "thuky-alert-link\nALERT\nOFFICE\nEXPIRY"), in
 * unpadded base64url (22 characters). The link is the office's capability
 * for that alert: whoever holds it may see the alert and act for the office
 * on it until it expires, so it is bound to both and cannot be re-aimed.
 *
 * Keys are files KEY_DIR/KEYID.key holding 64 hex digits (32 random bytes),
 * readable by their owner and group only. The key whose id sorts last signs;
 * every key present verifies, so a new key is rotated in by adding a file
 * named after the old ones (e.g. by date), and the old one removed once the
 * links it signed have expired. KEYID is 1 to 16 of [a-z0-9-]. */
#ifndef THUKY_SIGNED_LINK_H
#define THUKY_SIGNED_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LINK_MAX_KEYS 8
#define LINK_KEY_ID_MAX 16
#define LINK_ID_MAX 200          /* an alert id */
#define LINK_OFFICE_MAX 64
#define LINK_PATH_MAX 320        /* the whole path, with its NUL */

typedef struct {
    char id[LINK_KEY_ID_MAX + 1];
    uint8_t key[32];
} link_key_t;

typedef struct {
    link_key_t keys[LINK_MAX_KEYS];
    size_t count;                /* keys[count - 1] signs */
} link_keys_t;

/* Loads every KEYID.key of dir. 0, or -1 with one line in why (a bad file,
 * none at all, more than LINK_MAX_KEYS). Key bytes are never logged. */
int link_keys_load(const char *dir, link_keys_t *out, char *why, size_t why_len);
/* Overwrites the keys in memory. */
void link_keys_wipe(link_keys_t *keys);

/* Writes the link's path ("/a/..."). False when alert or office is empty,
 * too long or has a character outside [A-Za-z0-9._@-] (all safe in a URL
 * path as they are), or there is no key. */
bool link_sign(const link_keys_t *keys, const char *alert, const char *office,
               int64_t expiry_s, char out[LINK_PATH_MAX]);

typedef enum {
    LINK_VALID = 0,
    LINK_MALFORMED,     /* not the shape above */
    LINK_UNKNOWN_KEY,   /* KEYID is not a loaded key (removed, or forged) */
    LINK_FORGED,        /* the MAC does not match */
    LINK_EXPIRED,       /* genuine, past EXPIRY */
} link_status_t;

typedef struct {
    char alert[LINK_ID_MAX + 1];
    char office[LINK_OFFICE_MAX + 1];
    int64_t expiry_s;
    char key_id[LINK_KEY_ID_MAX + 1];
} link_t;

/* Checks a path ("/a/ALERT/OFFICE.EXPIRY.KEYID.MAC") at now_s; fills out
 * (when not NULL) for LINK_VALID and LINK_EXPIRED. The MAC is compared in
 * constant time. */
link_status_t link_verify(const link_keys_t *keys, const char *path, int64_t now_s, link_t *out);
/* "valid", "expired", ...: English, marked N_() (translate it where it is
 * shown). */
const char *link_status_text(link_status_t status);

#endif
