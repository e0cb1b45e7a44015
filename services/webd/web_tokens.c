/* web.token.create | list | revoke | rotate, and the lookup the routes use. */
#include "web_tokens.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "base/log.h"
#include "runtime/clock.h"
#include "runtime/eventlog.h"
#include "runtime/store.h"

#define LABEL_MAX 200
#define LAST_USE_EVERY_MS (3600 * 1000)

static void s_hash(const char *secret, uint8_t out[SHA256_DIGEST_LENGTH])
{
    SHA256((const unsigned char *)secret, strlen(secret), out);
}

/* 16 random bytes as 22 characters of unpadded base64url. */
static bool s_new_secret(char out[TOKEN_SECRET_LEN + 1])
{
    uint8_t raw[16];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
        return false;
    char b64[32];
    EVP_EncodeBlock((unsigned char *)b64, raw, sizeof raw);
    for (int i = 0; i < TOKEN_SECRET_LEN; i++)
        out[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
    out[TOKEN_SECRET_LEN] = '\0';
    return true;
}

static bool s_secret_shape(const char *s)
{
    if (strlen(s) != TOKEN_SECRET_LEN)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return false;
    return true;
}

bool web_token_is_office(const Thuky__WebToken *t)
{
    return t->scope == THUKY__TOKEN_SCOPE__SCOPE_OFFICE || t->kind == THUKY__TOKEN_KIND__TOKEN_CALENDAR;
}

static Thuky__WebToken *s_load(store_txn_t *txn, const char *id)
{
    return (Thuky__WebToken *)store_get_message(txn, store_dbi(txn->store, WDB_TOKENS), id,
                                                strlen(id), &thuky__web_token__descriptor);
}

Thuky__WebToken *web_token_get(webd_t *webd, const char *id)
{
    store_txn_t txn;
    if (store_txn_begin(webd->store, &txn, false) != STORE_OK)
        return NULL;
    Thuky__WebToken *t = s_load(&txn, id);
    store_txn_abort(&txn);
    if (t && t->revoked) {
        thuky__web_token__free_unpacked(t, NULL);
        return NULL;
    }
    return t;
}

bool web_token_live(webd_t *webd, const char *id)
{
    Thuky__WebToken *t = web_token_get(webd, id);
    if (t)
        thuky__web_token__free_unpacked(t, NULL);
    return t != NULL;
}

Thuky__WebToken *web_token_find(webd_t *webd, const char *secret)
{
    if (!secret || !s_secret_shape(secret))
        return NULL;
    uint8_t hash[SHA256_DIGEST_LENGTH];
    s_hash(secret, hash);
    store_txn_t txn;
    if (store_txn_begin(webd->store, &txn, false) != STORE_OK)
        return NULL;
    MDB_val v;
    Thuky__WebToken *t = NULL;
    if (store_get(&txn, store_dbi(webd->store, WDB_TOKEN_HASHES), hash, sizeof hash, &v)) {
        char id[32];
        snprintf(id, sizeof id, "%.*s", (int)v.mv_size, (const char *)v.mv_data);
        t = s_load(&txn, id);
    }
    store_txn_abort(&txn);
    if (t && t->revoked) {
        thuky__web_token__free_unpacked(t, NULL);
        return NULL;
    }
    int64_t now = clock_now_ms();
    if (t && now - t->last_used_ms >= LAST_USE_EVERY_MS) {
        /* no transaction is open between turns of the loop: write it now */
        t->last_used_ms = now;
        if (store_txn_begin(webd->store, &txn, true) == STORE_OK) {
            store_put_message(&txn, store_dbi(webd->store, WDB_TOKENS), t->id, strlen(t->id),
                              &t->base);
            if (store_txn_commit(&txn) != STORE_OK)
                log_warnx("token %s: last use not recorded", t->id);
        }
    }
    return t;
}

/* ---- the commands ------------------------------------------------------------ */

static void s_emit(server_call_t *call, const char *type, const Thuky__WebToken *t)
{
    Thuky__WebToken shown = *t;
    shown.secret_hash.len = 0;
    shown.secret_hash.data = NULL;
    Thuky__WebTokenEvent payload = THUKY__WEB_TOKEN_EVENT__INIT;
    payload.token = &shown;
    payload.caller = (char *)call->caller;
    Thuky__Event event = THUKY__EVENT__INIT;
    event.type = (char *)type;
    event.subject = t->id;
    event.payload_case = THUKY__EVENT__PAYLOAD_WEB_TOKEN;
    event.web_token = &payload;
    server_emit(call, &event);
}

/* Makes and stores a token like the request; replies TokenCreated. */
static void s_create(server_call_t *call, const Thuky__TokenCreateRequest *req,
                     const char *rotated_from)
{
    bool calendar = req->kind == THUKY__TOKEN_KIND__TOKEN_CALENDAR;
    if (req->kind == THUKY__TOKEN_KIND__TOKEN_KIND_UNSPECIFIED) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "kind: calendar, api or login");
        return;
    }
    Thuky__TokenScope scope = calendar ? THUKY__TOKEN_SCOPE__SCOPE_OFFICE : req->scope;
    if (scope == THUKY__TOKEN_SCOPE__TOKEN_SCOPE_UNSPECIFIED) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "scope: read or office");
        return;
    }
    bool office = scope == THUKY__TOKEN_SCOPE__SCOPE_OFFICE;
    if (office != (req->office[0] != '\0') || (office && !config_office_id_valid(req->office))) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                    office ? N_("office: an office id is required for a calendar or office token")
                           : N_("office: only an office token names an office"));
        return;
    }
    if (strlen(req->label) > LABEL_MAX) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "label: at most %d bytes",
                    LABEL_MAX);
        return;
    }
    char secret[TOKEN_SECRET_LEN + 1], id[16];
    uint8_t raw[4], hash[SHA256_DIGEST_LENGTH];
    if (!s_new_secret(secret) || getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
        server_fail(call, THUKY__STATUS_CODE__INTERNAL, "no randomness");
        return;
    }
    snprintf(id, sizeof id, "W%02x%02x%02x%02x", raw[0], raw[1], raw[2], raw[3]);
    Thuky__WebToken *clash = s_load(call->txn, id);
    if (clash) {
        thuky__web_token__free_unpacked(clash, NULL);
        server_fail(call, THUKY__STATUS_CODE__CONFLICT, "token id %s drawn twice: try again", id);
        return;
    }
    s_hash(secret, hash);
    Thuky__WebToken t = THUKY__WEB_TOKEN__INIT;
    t.id = id;
    t.kind = req->kind;
    t.scope = scope;
    t.office = req->office;
    t.label = req->label;
    t.created_ms = call->now_ms;
    t.created_by = (char *)call->caller;
    t.rotated_from = (char *)(rotated_from ? rotated_from : "");
    t.secret_hash.data = hash;
    t.secret_hash.len = sizeof hash;
    store_put_message(call->txn, store_dbi(call->txn->store, WDB_TOKENS), id, strlen(id), &t.base);
    store_put(call->txn, store_dbi(call->txn->store, WDB_TOKEN_HASHES), hash, sizeof hash, id,
              strlen(id));
    s_emit(call, "web.token.created", &t);
    char path[160] = "";
    if (calendar)
        snprintf(path, sizeof path, "/cal/%s/%s.ics", t.office, secret);
    else if (t.kind == THUKY__TOKEN_KIND__TOKEN_LOGIN)
        snprintf(path, sizeof path, "/login/%s", secret);
    Thuky__WebToken shown = t;
    shown.secret_hash.len = 0;
    shown.secret_hash.data = NULL;
    Thuky__TokenCreated reply = THUKY__TOKEN_CREATED__INIT;
    reply.token = &shown;
    reply.secret = secret;
    reply.path = path;
    server_reply(call, &reply.base);
}

static void s_token_create(server_call_t *call, const ProtobufCMessage *request)
{
    s_create(call, (const Thuky__TokenCreateRequest *)request, NULL);
}

static void s_token_list(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__TokenListRequest *req = (const Thuky__TokenListRequest *)request;
    Thuky__TokenList list = THUKY__TOKEN_LIST__INIT;
    Thuky__WebToken **items = NULL;
    size_t cap = 0;
    store_iter_t it;
    store_iter_init(&it, call->txn, store_dbi(call->txn->store, WDB_TOKENS), NULL, 0, NULL, 0,
                    false);
    while (store_iter_next(&it)) {
        Thuky__WebToken *t = thuky__web_token__unpack(NULL, it.val.mv_size, it.val.mv_data);
        if (!t) {
            store_txn_fail(call->txn, STORE_CORRUPT);
            break;
        }
        if ((t->revoked && !req->include_revoked) ||
            (req->office[0] && strcmp(req->office, t->office) != 0)) {
            thuky__web_token__free_unpacked(t, NULL);
            continue;
        }
        t->secret_hash.len = 0; /* never sent; freed with t */
        items = xgrow(items, list.n_tokens, &cap, sizeof *items);
        items[list.n_tokens++] = t;
    }
    store_iter_close(&it);
    list.tokens = items;
    server_reply(call, &list.base);
    for (size_t i = 0; i < list.n_tokens; i++)
        thuky__web_token__free_unpacked(items[i], NULL);
    free(items);
}

/* Revokes id in the request's transaction; the token as it is now, or NULL
 * with the call failed. */
static Thuky__WebToken *s_revoke(server_call_t *call, const char *id)
{
    Thuky__WebToken *t = s_load(call->txn, id);
    if (!t) {
        if (call->txn->rc == STORE_OK)
            server_fail(call, THUKY__STATUS_CODE__NOT_FOUND, "no web token %.32s", id);
        return NULL;
    }
    if (!t->revoked) {
        t->revoked = true;
        t->revoked_ms = call->now_ms;
        store_put_message(call->txn, store_dbi(call->txn->store, WDB_TOKENS), t->id,
                          strlen(t->id), &t->base);
        store_del(call->txn, store_dbi(call->txn->store, WDB_TOKEN_HASHES), t->secret_hash.data,
                  t->secret_hash.len);
        s_emit(call, "web.token.revoked", t);
    }
    return t;
}

static void s_token_revoke(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__TokenRevokeRequest *req = (const Thuky__TokenRevokeRequest *)request;
    Thuky__WebToken *t = s_revoke(call, req->id);
    if (!t)
        return;
    t->secret_hash.len = 0;
    server_reply(call, &t->base);
    thuky__web_token__free_unpacked(t, NULL);
}

/* A new secret for the same holder; the old one stops working at once. */
static void s_token_rotate(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__TokenRotateRequest *req = (const Thuky__TokenRotateRequest *)request;
    Thuky__WebToken *old = s_revoke(call, req->id);
    if (!old)
        return;
    Thuky__TokenCreateRequest again = THUKY__TOKEN_CREATE_REQUEST__INIT;
    again.kind = old->kind;
    again.scope = old->scope;
    again.office = old->office;
    again.label = old->label;
    s_create(call, &again, old->id);
    thuky__web_token__free_unpacked(old, NULL);
}

const command_t webd_commands[] = {
    {"web.token.create", &thuky__token_create_request__descriptor, s_token_create,
     COMMAND_WRITE | COMMAND_SECRET, ROLE_ADMIN},
    {"web.token.list", &thuky__token_list_request__descriptor, s_token_list, 0, ROLE_ADMIN},
    {"web.token.revoke", &thuky__token_revoke_request__descriptor, s_token_revoke, COMMAND_WRITE,
     ROLE_ADMIN},
    {"web.token.rotate", &thuky__token_rotate_request__descriptor, s_token_rotate,
     COMMAND_WRITE | COMMAND_SECRET, ROLE_ADMIN},
};
const size_t webd_command_count = sizeof webd_commands / sizeof webd_commands[0];
