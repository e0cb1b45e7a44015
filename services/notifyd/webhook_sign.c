#include "webhook_sign.h"

#include <inttypes.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

#define WEBHOOK_SECRET_PREFIX "whsec_"
/* Far beyond any real secret (the convention uses 24 to 64 bytes); keeps
 * the lengths handed to OpenSSL well inside an int. */
#define WEBHOOK_SECRET_MAX 4096
#define WEBHOOK_MAC_SIZE 32

static bool s_is_base64(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '+' || c == '/';
}

/* Decodes standard base64 into a malloc'ed key. EVP_DecodeBlock wants whole
 * 4-character groups and counts padding as zero bytes, so the padding is
 * rebuilt here and its bytes are taken off the result. */
static bool s_decode_key(const char *text, unsigned char **key, size_t *key_len)
{
    size_t len = strlen(text);
    size_t data = len;
    while (data > 0 && text[data - 1] == '=')
        data--;
    if (data == 0 || len - data > 2 || data % 4 == 1 || len > WEBHOOK_SECRET_MAX)
        return false;
    for (size_t i = 0; i < data; i++)
        if (!s_is_base64(text[i]))
            return false;
    size_t padded = (data + 3) / 4 * 4;
    unsigned char *in = xmalloc(padded);
    memcpy(in, text, data);
    memset(in + data, '=', padded - data);
    unsigned char *out = xmalloc(padded / 4 * 3);
    int n = EVP_DecodeBlock(out, in, (int)padded);
    free(in);
    if (n < 0 || (size_t)n <= padded - data) {
        free(out);
        return false;
    }
    *key = out;
    *key_len = (size_t)n - (padded - data);
    return true;
}

static bool s_hmac_sha256(const unsigned char *key, size_t key_len, const char *id,
                          const char *timestamp, const void *body, size_t body_len,
                          unsigned char mac[WEBHOOK_MAC_SIZE])
{
    EVP_MAC *hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = hmac ? EVP_MAC_CTX_new(hmac) : NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
        OSSL_PARAM_construct_end(),
    };
    size_t mac_len = 0;
    /* Fed in pieces: the signed content is never assembled in memory. */
    bool ok = ctx && EVP_MAC_init(ctx, key, key_len, params) &&
              EVP_MAC_update(ctx, (const unsigned char *)id, strlen(id)) &&
              EVP_MAC_update(ctx, (const unsigned char *)".", 1) &&
              EVP_MAC_update(ctx, (const unsigned char *)timestamp, strlen(timestamp)) &&
              EVP_MAC_update(ctx, (const unsigned char *)".", 1) &&
              (body_len == 0 || EVP_MAC_update(ctx, body, body_len)) &&
              EVP_MAC_final(ctx, mac, &mac_len, WEBHOOK_MAC_SIZE) && mac_len == WEBHOOK_MAC_SIZE;
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(hmac);
    return ok;
}

bool webhook_sign(const char *secret, const char *id, int64_t timestamp_s, const void *body,
                  size_t body_len, char out[WEBHOOK_SIGNATURE_SIZE])
{
    out[0] = '\0';
    if (!secret || !secret[0] || !id)
        return false;
    unsigned char *key = NULL;
    size_t key_len = 0;
    size_t prefix_len = strlen(WEBHOOK_SECRET_PREFIX);
    if (strncmp(secret, WEBHOOK_SECRET_PREFIX, prefix_len) == 0) {
        if (!s_decode_key(secret + prefix_len, &key, &key_len))
            return false;
    } else {
        key_len = strlen(secret);
        key = xmalloc(key_len);
        memcpy(key, secret, key_len);
    }
    char timestamp[24];
    snprintf(timestamp, sizeof timestamp, "%" PRId64, timestamp_s);
    unsigned char mac[WEBHOOK_MAC_SIZE];
    bool ok = s_hmac_sha256(key, key_len, id, timestamp, body, body_len, mac);
    OPENSSL_cleanse(key, key_len);
    free(key);
    if (!ok)
        return false;
    memcpy(out, "v1,", 3);
    /* 32 bytes encode to 44 characters plus the NUL EVP_EncodeBlock adds. */
    EVP_EncodeBlock((unsigned char *)out + 3, mac, WEBHOOK_MAC_SIZE);
    return true;
}
