/* event_sink: a test consumer of the task service's event feed.
 *
 *   event_sink --config FILE --store DIR          run until SIGTERM/SIGINT
 *   event_sink --config FILE --store DIR --dump   print what was applied, exit
 *
 * It keeps its own LMDB store (databases "meta" and "seen") and runs the
 * shared subscriber (common/runtime/subscriber.c) against the taskd endpoints named
 * by the configuration. Applying an event puts key = seq (8 bytes,
 * big-endian) into "seen"; when that key is there already it increments the
 * "duplicates" counter in "meta" instead, so an event applied twice is
 * visible. While running it prints "offset N" whenever the committed offset
 * moves, so a test can wait for it. --dump prints every seen seq, one a
 * line, then "duplicates N" and "offset N".
 *
 * Exit codes: 0 ok, 1 failure (store, configuration), 2 bad usage. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "base/log.h"
#include "runtime/config.h"
#include "runtime/keys.h"
#include "runtime/store.h"
#include "runtime/subscriber.h"

enum { DB_META, DB_SEEN, DB_COUNT };

static const store_db_spec_t s_dbs[DB_COUNT] = {
    [DB_META] = {"meta", 0},
    [DB_SEEN] = {"seen", 0},
};

static const char s_duplicates_key[] = "duplicates";

static volatile sig_atomic_t s_stop;

static void s_on_signal(int sig)
{
    (void)sig;
    s_stop = 1;
}

static void s_usage(FILE *out)
{
    fprintf(out, "usage: event_sink --config FILE --store DIR [--dump]\n");
}

/* The subscriber's apply callback: one event, inside its transaction. */
static void s_apply(void *arg, store_txn_t *txn, const Thuky__Event *event)
{
    store_t *store = arg;
    uint8_t key[8];
    key_put_u64(key, event->seq);
    MDB_dbi seen = store_dbi(store, DB_SEEN);
    MDB_val v;
    if (store_get(txn, seen, key, sizeof key, &v)) {
        MDB_dbi meta = store_dbi(store, DB_META);
        uint64_t dups = 0;
        if (store_get(txn, meta, s_duplicates_key, sizeof s_duplicates_key - 1, &v) &&
            v.mv_size == 8)
            dups = key_get_u64(v.mv_data);
        uint8_t value[8];
        key_put_u64(value, dups + 1);
        store_put(txn, meta, s_duplicates_key, sizeof s_duplicates_key - 1, value, sizeof value);
        return;
    }
    const char *type = event->type ? event->type : "";
    store_put(txn, seen, key, sizeof key, type, strlen(type));
}

static int s_dump(store_t *store, const char *source)
{
    store_txn_t txn;
    if (store_txn_begin(store, &txn, false) != STORE_OK) {
        fprintf(stderr, "event_sink: cannot read the store\n");
        return 1;
    }
    store_iter_t it;
    store_iter_init(&it, &txn, store_dbi(store, DB_SEEN), NULL, 0, NULL, 0, false);
    while (store_iter_next(&it))
        if (it.key.mv_size == 8)
            printf("%" PRIu64 "\n", key_get_u64(it.key.mv_data));
    store_iter_close(&it);
    uint64_t dups = 0;
    MDB_val v;
    if (store_get(&txn, store_dbi(store, DB_META), s_duplicates_key,
                  sizeof s_duplicates_key - 1, &v) &&
        v.mv_size == 8)
        dups = key_get_u64(v.mv_data);
    uint64_t offset = subscriber_stored_offset(&txn, store_dbi(store, DB_META), source);
    store_rc_t rc = txn.rc;
    store_txn_abort(&txn);
    printf("duplicates %" PRIu64 "\n", dups);
    printf("offset %" PRIu64 "\n", offset);
    if (rc != STORE_OK) {
        fprintf(stderr, "event_sink: reading the store failed: %s\n", store_rc_text(rc));
        return 1;
    }
    return 0;
}

static int s_run(store_t *store, const config_t *cfg)
{
    const config_service_t *svc = config_service(cfg, SERVICE_TASKD);
    struct sigaction sa = {.sa_handler = s_on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    void *ctx = zmq_ctx_new();
    subscriber_options_t options = {
        .name = svc->name,
        .command_endpoint = svc->command,
        .events_endpoint = svc->events,
        .type_prefix = "",
        .store = store,
        .meta_dbi = store_dbi(store, DB_META),
        .timeout_ms = cfg->client_timeout_ms,
        .apply = s_apply,
        .arg = store,
    };
    subscriber_t *sub = subscriber_new(ctx, &options);
    uint64_t reported = UINT64_MAX;
    while (!s_stop) {
        uint64_t offset = subscriber_offset(sub);
        if (offset != reported) {
            printf("offset %" PRIu64 "\n", offset);
            fflush(stdout);
            reported = offset;
        }
        if (subscriber_poll(sub, 100) < 0 && zmq_errno() != EINTR) {
            fprintf(stderr, "event_sink: zmq_poll: %s\n", zmq_strerror(zmq_errno()));
            break;
        }
    }
    subscriber_destroy(&sub);
    zmq_ctx_term(ctx);
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'},
        {"store", required_argument, NULL, 's'},
        {"dump", no_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *config_path = NULL, *store_dir = NULL;
    bool dump = false;
    int opt;
    while ((opt = getopt_long(argc, argv, "c:s:dh", options, NULL)) != -1) {
        switch (opt) {
        case 'c': config_path = optarg; break;
        case 's': store_dir = optarg; break;
        case 'd': dump = true; break;
        case 'h': s_usage(stdout); return 0;
        default: s_usage(stderr); return 2;
        }
    }
    if (optind != argc || !store_dir) {
        s_usage(stderr);
        return 2;
    }
    log_init("event_sink", LOG_LEVEL_WARN, false);
    config_t cfg;
    char why[1024];
    if (config_load(&cfg, config_path, why, sizeof why) != 0) {
        fprintf(stderr, "event_sink: %s\n", why);
        return 1;
    }
    store_t *store = store_open(store_dir, s_dbs, DB_COUNT, &(store_options_t){.map_bytes = 1u << 20}, why, sizeof why);
    if (!store) {
        fprintf(stderr, "event_sink: %s\n", why);
        return 1;
    }
    int rc = dump ? s_dump(store, config_service(&cfg, SERVICE_TASKD)->name) : s_run(store, &cfg);
    store_close(&store);
    return rc;
}
