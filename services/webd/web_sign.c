#include "web_sign.h"

#include <inttypes.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

#define MAC_BYTES 16
#define MAC_TEXT 22   /* base64url of 16 bytes, unpadded */

static void s_mac(const webd_t *webd, const char *purpose, const char *fields, size_t fields_len,
                  char out[MAC_TEXT + 1])
{
    size_t plen = strlen(purpose);
    unsigned char *msg = xmalloc(plen + 1 + fields_len);
    memcpy(msg, purpose, plen);
    msg[plen] = '\n';
    memcpy(msg + plen + 1, fields, fields_len);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned mac_len = 0;
    HMAC(EVP_sha256(), webd->secret, sizeof webd->secret, msg, plen + 1 + fields_len, mac,
         &mac_len);
    free(msg);
    char b64[32];
    EVP_EncodeBlock((unsigned char *)b64, mac, MAC_BYTES);
    for (int i = 0; i < MAC_TEXT; i++)
        out[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
    out[MAC_TEXT] = '\0';
}

bool web_sign(const webd_t *webd, const char *purpose, const char *fields, char *out, size_t cap)
{
    char mac[MAC_TEXT + 1];
    s_mac(webd, purpose, fields, strlen(fields), mac);
    return (size_t)snprintf(out, cap, "%s.%s", fields, mac) < cap;
}

bool web_signed_check(const webd_t *webd, const char *purpose, const char *signed_text,
                      char *fields, size_t cap)
{
    if (!signed_text)
        return false;
    const char *dot = strrchr(signed_text, '.');
    if (!dot || strlen(dot + 1) != MAC_TEXT || (size_t)(dot - signed_text) >= cap)
        return false;
    char mac[MAC_TEXT + 1];
    s_mac(webd, purpose, signed_text, (size_t)(dot - signed_text), mac);
    if (CRYPTO_memcmp(mac, dot + 1, MAC_TEXT) != 0)
        return false;
    memcpy(fields, signed_text, (size_t)(dot - signed_text));
    fields[dot - signed_text] = '\0';
    return true;
}

void web_nonce_make(const webd_t *webd, const char *path, int64_t now_s, char out[WEB_SIGNED_MAX])
{
    char fields[WEB_SIGNED_MAX];
    snprintf(fields, sizeof fields, "%" PRId64, now_s);
    char purpose[400];
    snprintf(purpose, sizeof purpose, "form %.300s", path);
    if (!web_sign(webd, purpose, fields, out, WEB_SIGNED_MAX))
        out[0] = '\0';
}

bool web_nonce_check(const webd_t *webd, const char *path, const char *nonce, int64_t now_s)
{
    char purpose[400], fields[64];
    snprintf(purpose, sizeof purpose, "form %.300s", path);
    if (!web_signed_check(webd, purpose, nonce, fields, sizeof fields))
        return false;
    char *end;
    long long issued = strtoll(fields, &end, 10);
    return *end == '\0' && issued <= now_s + 60 && now_s - issued <= WEB_NONCE_S;
}

void web_digest16(const webd_t *webd, const char *text, char out[17])
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned mac_len = 0;
    HMAC(EVP_sha256(), webd->secret, sizeof webd->secret, (const unsigned char *)text,
         strlen(text), mac, &mac_len);
    for (int i = 0; i < 8; i++)
        snprintf(out + 2 * i, 3, "%02x", mac[i]);
}
