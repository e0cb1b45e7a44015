/* Signed alert links (signed_link.h): HMAC-SHA256 by OpenSSL's EVP_MAC. */
#include <dirent.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "runtime/secret.h"
#include "runtime/signed_link.h"

#define MAC_BYTES 16
#define MAC_TEXT 22   /* unpadded base64url of 16 bytes */

static const char s_domain[] = "thuky-alert-link";

static bool s_key_id_valid(const char *id, size_t n)
{
    if (n == 0 || n > LINK_KEY_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9') || id[i] == '-'))
            return false;
    return true;
}

static bool s_part_valid(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-' || c == '@'))
            return false;
    }
    return true;
}

static int s_compare_ids(const void *a, const void *b)
{
    return strcmp(((const link_key_t *)a)->id, ((const link_key_t *)b)->id);
}

int link_keys_load(const char *dir, link_keys_t *out, char *why, size_t why_len)
{
    memset(out, 0, sizeof *out);
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(why, why_len, _("link key directory %s cannot be opened"), dir);
        return -1;
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".key") != 0)
            continue;
        if (!s_key_id_valid(e->d_name, n - 4)) {
            snprintf(why, why_len, _("%s/%s: a key id is 1 to %d of a-z 0-9 -"), dir, e->d_name,
                     LINK_KEY_ID_MAX);
            rc = -1;
            break;
        }
        if (out->count == LINK_MAX_KEYS) {
            snprintf(why, why_len, _("%s: more than %d link keys"), dir, LINK_MAX_KEYS);
            rc = -1;
            break;
        }
        char path[4096], text[128];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (secret_file_read(path, true, text, sizeof text, why, why_len) != 0) {
            rc = -1;
            break;
        }
        link_key_t *k = &out->keys[out->count];
        size_t key_len = 0;
        bool ok = strlen(text) == 64 &&
                  OPENSSL_hexstr2buf_ex(k->key, sizeof k->key, &key_len, text, '\0') == 1 &&
                  key_len == sizeof k->key;
        secret_wipe(text, sizeof text);
        if (!ok) {
            snprintf(why, why_len, _("%s: a link key is 64 hex digits (32 random bytes)"), path);
            rc = -1;
            break;
        }
        memcpy(k->id, e->d_name, n - 4);
        k->id[n - 4] = '\0';
        out->count++;
    }
    closedir(d);
    if (rc == 0 && out->count == 0) {
        snprintf(why, why_len, _("%s holds no link key (KEYID.key)"), dir);
        rc = -1;
    }
    if (rc != 0)
        link_keys_wipe(out);
    else
        qsort(out->keys, out->count, sizeof out->keys[0], s_compare_ids);
    return rc;
}

void link_keys_wipe(link_keys_t *keys)
{
    secret_wipe(keys, sizeof *keys);
    keys->count = 0;
}

static bool s_mac(const link_key_t *k, const char *alert, const char *office, int64_t expiry_s,
                  char out[MAC_TEXT + 1])
{
    char message[LINK_PATH_MAX + sizeof s_domain];
    int len = snprintf(message, sizeof message, "%s\n%s\n%s\n%lld", s_domain, alert, office,
                       (long long)expiry_s);
    if (len < 0 || (size_t)len >= sizeof message)
        return false;
    uint8_t mac[EVP_MAX_MD_SIZE];
    size_t mac_len = 0;
    EVP_MAC *hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = hmac ? EVP_MAC_CTX_new(hmac) : NULL;
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
                           OSSL_PARAM_construct_end()};
    bool ok = ctx && EVP_MAC_init(ctx, k->key, sizeof k->key, params) &&
              EVP_MAC_update(ctx, (const unsigned char *)message, (size_t)len) &&
              EVP_MAC_final(ctx, mac, &mac_len, sizeof mac) && mac_len >= MAC_BYTES;
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(hmac);
    if (!ok)
        return false;
    /* base64url without padding: OpenSSL's base64, '+/' as '-_', '==' cut */
    char b64[4 * ((MAC_BYTES + 2) / 3) + 1];
    if (EVP_EncodeBlock((unsigned char *)b64, mac, MAC_BYTES) != (int)sizeof b64 - 1)
        return false;
    for (size_t i = 0; i < MAC_TEXT; i++)
        out[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
    out[MAC_TEXT] = '\0';
    return true;
}

bool link_sign(const link_keys_t *keys, const char *alert, const char *office,
               int64_t expiry_s, char out[LINK_PATH_MAX])
{
    out[0] = '\0';
    if (!keys || keys->count == 0 || !s_part_valid(alert, LINK_ID_MAX) ||
        !s_part_valid(office, LINK_OFFICE_MAX) || expiry_s <= 0)
        return false;
    const link_key_t *k = &keys->keys[keys->count - 1];
    char mac[MAC_TEXT + 1];
    if (!s_mac(k, alert, office, expiry_s, mac))
        return false;
    int n = snprintf(out, LINK_PATH_MAX, "/a/%s/%s.%lld.%s.%s", alert, office,
                     (long long)expiry_s, k->id, mac);
    if (n < 0 || n >= LINK_PATH_MAX) {
        out[0] = '\0';
        return false;
    }
    return true;
}

/* Copies the n bytes at s into out (cap with NUL); false when too long. */
static bool s_take(const char *s, size_t n, char *out, size_t cap)
{
    if (n == 0 || n >= cap)
        return false;
    memcpy(out, s, n);
    out[n] = '\0';
    return true;
}

link_status_t link_verify(const link_keys_t *keys, const char *path, int64_t now_s, link_t *out)
{
    link_t link = {0};
    if (!path || strncmp(path, "/a/", 3) != 0 || strlen(path) >= LINK_PATH_MAX)
        return LINK_MALFORMED;
    const char *alert = path + 3;
    const char *slash = strchr(alert, '/');
    if (!slash || !s_take(alert, (size_t)(slash - alert), link.alert, sizeof link.alert))
        return LINK_MALFORMED;
    /* OFFICE.EXPIRY.KEYID.MAC: office ids may hold dots, so split from the right */
    const char *rest = slash + 1;
    const char *mac_dot = strrchr(rest, '.');
    if (!mac_dot || mac_dot == rest)
        return LINK_MALFORMED;
    const char *key_dot = mac_dot - 1;
    while (key_dot > rest && *key_dot != '.')
        key_dot--;
    const char *expiry_dot = key_dot - 1;
    while (expiry_dot > rest && *expiry_dot != '.')
        expiry_dot--;
    if (*key_dot != '.' || *expiry_dot != '.' || expiry_dot == rest)
        return LINK_MALFORMED;
    if (!s_take(rest, (size_t)(expiry_dot - rest), link.office, sizeof link.office) ||
        !s_take(key_dot + 1, (size_t)(mac_dot - key_dot - 1), link.key_id, sizeof link.key_id))
        return LINK_MALFORMED;
    const char *expiry = expiry_dot + 1, *mac = mac_dot + 1;
    size_t expiry_len = (size_t)(key_dot - expiry);
    if (expiry_len == 0 || expiry_len > 12 || strlen(mac) != MAC_TEXT ||
        !s_part_valid(link.alert, LINK_ID_MAX) || !s_part_valid(link.office, LINK_OFFICE_MAX))
        return LINK_MALFORMED;
    for (size_t i = 0; i < expiry_len; i++) {
        if (expiry[i] < '0' || expiry[i] > '9')
            return LINK_MALFORMED;
        link.expiry_s = link.expiry_s * 10 + (expiry[i] - '0');
    }
    const link_key_t *k = NULL;
    for (size_t i = 0; keys && i < keys->count; i++)
        if (strcmp(keys->keys[i].id, link.key_id) == 0)
            k = &keys->keys[i];
    if (!k)
        return LINK_UNKNOWN_KEY;
    char want[MAC_TEXT + 1];
    if (!s_mac(k, link.alert, link.office, link.expiry_s, want) ||
        CRYPTO_memcmp(want, mac, MAC_TEXT) != 0)
        return LINK_FORGED;
    if (out)
        *out = link;
    return now_s >= link.expiry_s ? LINK_EXPIRED : LINK_VALID;
}

const char *link_status_text(link_status_t status)
{
    switch (status) {
    case LINK_VALID: return N_("valid");
    case LINK_MALFORMED: return N_("not an alert link");
    case LINK_UNKNOWN_KEY: return N_("signed by an unknown key");
    case LINK_FORGED: return N_("signature does not match");
    case LINK_EXPIRED: return N_("expired");
    }
    return "?";
}
