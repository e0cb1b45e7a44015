#include "service/daemon.h"

#include <getopt.h>
#include <stdio.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/date.h"
#include "base/i18n.h"
#include "base/log.h"
#include "runtime/clock.h"
#include "runtime/secret.h"

static void s_usage(FILE *out, const char *name, const char *about)
{
    fprintf(out,
            _("usage: %s [--config FILE] [--test-clock]\n"
              "\n"
              "%s\n"
              "Runs in the foreground and logs to stderr (or syslog, see thuky.conf).\n"
              "\n"
              "  -c, --config FILE   configuration (default: $THUKY_CONFIG, then %s)\n"
              "      --test-clock[=DATETIME]\n"
              "                      enable the test clock (clock.set/clock.advance commands),\n"
              "                      starting at DATETIME (Hanoi time) when given, else now\n"
              "  -h, --help          this help\n"),
            name, _(about), CONFIG_DEFAULT_PATH);
}

bool daemon_start(int argc, char **argv, const char *name, const char *about, config_t *cfg)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'},
        {"test-clock", optional_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    /* Vietnamese (the embedded default) until the configuration says. */
    i18n_init(LANG_VI);
    const char *config_path = NULL;
    bool test_clock = false;
    int64_t test_start_ms = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, "c:h", options, NULL)) != -1) {
        switch (opt) {
        case 'c': config_path = optarg; break;
        case 't': {
            test_clock = true;
            int64_t unix_s;
            const char *why;
            if (optarg && !date_parse_datetime(optarg, &unix_s, NULL, &why)) {
                fprintf(stderr, "%s: --test-clock=%s: %s\n", name, optarg, _(why));
                exit(2);
            }
            if (optarg)
                test_start_ms = unix_s * 1000;
            break;
        }
        case 'h': s_usage(stdout, name, about); exit(0);
        default: s_usage(stderr, name, about); exit(2);
        }
    }
    if (optind != argc) {
        s_usage(stderr, name, about);
        exit(2);
    }
    char why[1024];
    log_init(name, LOG_LEVEL_INFO, false);
    if (config_load(cfg, config_path, why, sizeof why) != 0) {
        /* Said in the language of the configuration, as far as it was read
         * ([core] language usually comes first): read it again in that one. */
        char again[sizeof why];
        if (cfg->language != i18n_language()) {
            i18n_set_language(cfg->language);
            if (config_load(cfg, config_path, again, sizeof again) != 0)
                memcpy(why, again, sizeof why);
        }
        fatalx("%s", why);
    }
    log_init(name, cfg->log_level, cfg->log_syslog);
    i18n_set_language(cfg->language);
    /* Sockets, stores and spooled mail: owner and group only. */
    umask(0007);
    if (test_clock)
        clock_enable_test(test_start_ms);
    return test_clock;
}

void daemon_check_state_dir(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0)
        return; /* created by the store, owned by us */
    if (st.st_uid == geteuid())
        return;
    char owner[64], me[64];
    struct passwd *pw = getpwuid(st.st_uid);
    snprintf(owner, sizeof owner, "%s", pw ? pw->pw_name : "?");
    pw = getpwuid(geteuid());
    snprintf(me, sizeof me, "%s", pw ? pw->pw_name : "?");
    fatalx("state directory %s is owned by %s (uid %u), not by %s (uid %u) who runs this daemon; "
           "chown it or run the daemon as its owner",
           dir, owner, (unsigned)st.st_uid, me, (unsigned)geteuid());
}

workcal_t *daemon_calendar(const config_t *cfg)
{
    char why[1024];
    workcal_t *calendar = workcal_load(config_calendar_dir(cfg), why, sizeof why);
    if (!calendar)
        fatalx("calendar: %s", why);
    return calendar;
}

bool daemon_calendar_reload(const config_t *cfg, workcal_t **calendar)
{
    char why[1024];
    workcal_t *fresh = workcal_load(config_calendar_dir(cfg), why, sizeof why);
    if (!fresh) {
        log_error("calendar not reloaded, the one in use stays: %s", why);
        return false;
    }
    workcal_free(calendar);
    *calendar = fresh;
    return true;
}

void daemon_calendar_sync(server_t *server, MDB_dbi meta_dbi, const workcal_t *calendar,
                          daemon_recompute_fn recompute, void *arg)
{
    store_txn_t txn;
    if (store_txn_begin(server_store(server), &txn, true) != STORE_OK) {
        log_error("calendar: cannot open the store to compare calendars");
        return;
    }
    calendar_change_t change;
    if (!calendar_watch_check(&txn, meta_dbi, calendar, &change)) {
        store_txn_abort(&txn);
        return;
    }
    eventlog_t *log = server_eventlog(server);
    uint64_t before = eventlog_last_seq(log);
    int64_t now_ms = clock_now_ms();
    recompute(arg, &txn, &change, now_ms);
    calendar_watch_record(&txn, meta_dbi, calendar);
    store_rc_t rc = store_txn_commit(&txn);
    if (rc != STORE_OK) {
        eventlog_rollback_to(log, 0);
        log_error("calendar: the recomputation was not stored (%s); it is tried again at the "
                  "next reload or start", store_rc_text(rc));
        return;
    }
    eventlog_publish(log);
    server_wake_timers(server); /* a replanned alert may be due sooner */
    char days[512];
    calendar_change_describe(&change, calendar, days, sizeof days);
    if (change.recorded)
        log_warnx("calendar changed: %s; what was computed from it is recomputed (%llu event(s))",
                  days, (unsigned long long)(eventlog_last_seq(log) - before));
    else
        log_info("calendar recorded with the store (%llu event(s) from recomputing)",
                 (unsigned long long)(eventlog_last_seq(log) - before));
}

static void s_on_events(server_t *server, void *socket, void *arg)
{
    (void)server, (void)socket;
    subscriber_on_events(arg);
}

static void s_on_reply(server_t *server, void *socket, void *arg)
{
    (void)server, (void)socket;
    subscriber_on_reply(arg);
}

static int64_t s_tick(server_t *server, void *arg)
{
    (void)server;
    return subscriber_tick(arg);
}

subscriber_t *daemon_follow(server_t *server, void *zmq_ctx, const config_t *cfg,
                            service_id_t source, const char *prefix, MDB_dbi meta_dbi,
                            subscriber_apply_fn apply, subscriber_done_fn done, void *arg)
{
    const config_service_t *from = config_service(cfg, source);
    /* Over tcp this daemon shows its own key; the source knows it as a
     * reader from its key_dir. */
    curve_client_t curve;
    bool use_curve = curve_endpoint(from->command) || curve_endpoint(from->events);
    if (use_curve) {
        char own[CONFIG_PATH_MAX + 80], why[1024];
        curve_key_path(cfg, config_service(cfg, server_service_id(server))->name, true, own,
                       sizeof own);
        if (curve_client_load(cfg, source, own, &curve, why, sizeof why) != 0)
            fatalx("cannot follow %s over tcp: %s", from->name, why);
    }
    subscriber_options_t options = {
        .name = from->name,
        .command_endpoint = from->command,
        .events_endpoint = from->events,
        .type_prefix = prefix,
        .store = server_store(server),
        .meta_dbi = meta_dbi,
        .timeout_ms = cfg->client_timeout_ms,
        .curve = use_curve ? &curve : NULL,
        .apply = apply,
        .done = done,
        .arg = arg,
    };
    subscriber_t *sub = subscriber_new(zmq_ctx, &options);
    secret_wipe(&curve, sizeof curve);
    server_add_reader(server, subscriber_events_socket(sub), s_on_events, sub);
    server_add_reader(server, subscriber_command_socket(sub), s_on_reply, sub);
    server_add_timer(server, s_tick, sub);
    server_add_subscription(server, sub);
    return sub;
}

store_options_t daemon_store_options(const config_service_t *svc)
{
    size_t quarter = svc->log_size / 4;
    return (store_options_t){
        .map_bytes = svc->map_size,
        .log_bytes = svc->log_size,
        .checkpoint_bytes = svc->checkpoint_size < quarter ? svc->checkpoint_size : quarter,
        .checkpoint_ms = svc->checkpoint_ms,
    };
}
