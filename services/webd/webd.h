/* thuky-webd, the web face: what its parts share.
 *
 * One thread runs everything: the command server (server.h: the admin's
 * `thuky web token` commands, status, its events), libmicrohttpd in
 * external-select mode on the same poll loop (web_http.c), the followers
 * of the three daemons' feeds (web_feed.c) and the calls to them
 * (web_backend.c). Its own LMDB holds only web credentials (web_tokens.c)
 * and its secret; tasks, sittings and alerts are always asked for. */
#ifndef THUKY_WEBD_H
#define THUKY_WEBD_H
#include <stdbool.h>
#include <stdint.h>

#include "runtime/config.h"
#include "runtime/server.h"
#include "runtime/signed_link.h"
#include "web_backend.h"

typedef struct web_http web_http_t;
typedef struct web_feed web_feed_t;

/* The store's databases. */
enum {
    WDB_META,
    WDB_EVENTS,
    WDB_REPLIES,
    WDB_REPLIES_TIME,
    WDB_TOKENS,        /* token id -> WebToken */
    WDB_TOKEN_HASHES,  /* SHA-256 of the secret (32 bytes) -> token id */
    WDB_COUNT
};

#define WEBD_SECRET_KEY "webd.secret"   /* in meta: 32 random bytes, made once */

typedef struct {
    config_t *config;
    server_t *server;
    store_t *store;
    void *zmq;
    backend_t backend;
    link_keys_t link_keys;       /* alert links (none without public_url) */
    uint8_t secret[32];          /* signs form nonces, session cookies, tickets */
    web_http_t *http;
    web_feed_t *feed;
} webd_t;

extern const command_t webd_commands[];
extern const size_t webd_command_count;

#endif
