/* thuky-webd: the web face.
 *
 * Starts in a fixed order — configuration, logging, the link keys, its own
 * store and secret, the command server, the clients of the three daemons,
 * their event feeds, the HTTP listener — then runs the one loop until
 * SIGTERM or SIGINT. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <zmq.h>

#include "base/log.h"
#include "runtime/secret.h"
#include "runtime/server.h"
#include "runtime/store.h"
#include "service/daemon.h"
#include "web_feed.h"
#include "web_http.h"
#include "webd.h"

static const store_db_spec_t s_dbs[WDB_COUNT] = {
    [WDB_META] = {"meta", 0},
    [WDB_EVENTS] = {"events", 0},
    [WDB_REPLIES] = {"replies", 0},
    [WDB_REPLIES_TIME] = {"replies_time", 0},
    [WDB_TOKENS] = {"tokens", 0},
    [WDB_TOKEN_HASHES] = {"token_hashes", 0},
};

/* The secret that signs form nonces, session cookies and stream tickets:
 * made once with the store, so a restart keeps forms and sessions valid. */
static void s_load_secret(webd_t *wd)
{
    store_txn_t txn;
    if (store_txn_begin(wd->store, &txn, true) != STORE_OK)
        fatalx("cannot open the store to read its secret");
    MDB_dbi meta = store_dbi(wd->store, WDB_META);
    MDB_val v;
    if (store_get(&txn, meta, WEBD_SECRET_KEY, strlen(WEBD_SECRET_KEY), &v) &&
        v.mv_size == sizeof wd->secret) {
        memcpy(wd->secret, v.mv_data, sizeof wd->secret);
        store_txn_abort(&txn);
        return;
    }
    if (getrandom(wd->secret, sizeof wd->secret, 0) != (ssize_t)sizeof wd->secret)
        fatalx("no randomness for the web secret");
    store_put(&txn, meta, WEBD_SECRET_KEY, strlen(WEBD_SECRET_KEY), wd->secret,
              sizeof wd->secret);
    if (store_txn_commit(&txn) != STORE_OK)
        fatalx("cannot store the web secret");
}

int main(int argc, char **argv)
{
    config_t cfg;
    char why[1024];
    bool test_clock = daemon_start(argc, argv, "thuky-webd",
                                   N_("The thuky web face: alert links, calendar "
                                      "subscriptions, the\n"
                                      "JSON API and live feed, and the status board, over "
                                      "HTTP."),
                                   &cfg);
    const config_service_t *svc = config_service(&cfg, SERVICE_WEBD);
    webd_t wd = {.config = &cfg};
    if (cfg.web.public_url[0] &&
        link_keys_load(cfg.web.link_key_dir, &wd.link_keys, why, sizeof why) != 0)
        fatalx("[web] public_url is set, but its link keys cannot be used: %s", why);
    daemon_check_state_dir(svc->store_dir);
    /* webd's store (tokens, sessions) is small and written rarely: no log */
    store_options_t store_options = {.map_bytes = svc->map_size};
    wd.store = store_open(svc->store_dir, s_dbs, WDB_COUNT, &store_options, why, sizeof why);
    if (!wd.store)
        fatalx("%s", why);
    s_load_secret(&wd);

    wd.zmq = zmq_ctx_new();
    server_options_t options = {
        .id = SERVICE_WEBD,
        .settings = &cfg,
        .config = svc,
        .commands = webd_commands,
        .command_count = webd_command_count,
        .service = &wd,
        .events_dbi = store_dbi(wd.store, WDB_EVENTS),
        .meta_dbi = store_dbi(wd.store, WDB_META),
        .replies_dbi = store_dbi(wd.store, WDB_REPLIES),
        .replies_time_dbi = store_dbi(wd.store, WDB_REPLIES_TIME),
    };
    wd.server = server_new(wd.zmq, wd.store, &options, why, sizeof why);
    if (!wd.server)
        fatalx("%s", why);
    backend_init(&wd.backend, wd.zmq, &cfg);
    wd.feed = web_feed_new(&wd);
    wd.http = web_http_new(&wd, why, sizeof why);
    if (!wd.http)
        fatalx("%s", why);

    log_info("serving http%s://%s:%d/ (public %s), commands %s, store %s%s",
             cfg.web.tls_cert_file[0] ? "s" : "", cfg.web.listen_address, cfg.web.listen_port,
             cfg.web.public_url[0] ? cfg.web.public_url : _("not set: no alert links"),
             svc->command, svc->store_dir, test_clock ? _(", test clock") : "");
    server_run(wd.server);
    log_info("stopping");

    web_feed_end_streams(wd.feed);
    web_http_destroy(&wd.http);
    web_feed_destroy(&wd.feed);
    backend_close(&wd.backend);
    server_destroy(&wd.server);
    zmq_ctx_term(wd.zmq);
    store_close(&wd.store);
    link_keys_wipe(&wd.link_keys);
    secret_wipe(wd.secret, sizeof wd.secret);
    return 0;
}
