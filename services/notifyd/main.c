/* thuky-notifyd: the notification service.
 *
 * Starts in a fixed order — configuration, logging, calendar, store,
 * delivery worker, sockets, the task feed — then runs the command loop
 * until SIGTERM or SIGINT. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "base/i18n.h"
#include "base/log.h"
#include "runtime/config.h"
#include "runtime/secret.h"
#include "runtime/server.h"
#include "runtime/store.h"
#include "service/daemon.h"
#include "notify_store.h"
#include "notifyd.h"

/* The delivery settings of cfg. The SMTP password lives in its own file
 * (no access for others), never in thuky.conf or the log. */
static bool s_channels_config(const config_t *cfg, char *password, size_t cap,
                              channels_config_t *out, char *why, size_t why_len)
{
    password[0] = '\0';
    const char *file = cfg->notify.smtp_password_file;
    if (file[0] && secret_file_read(file, true, password, cap, why, why_len) != 0)
        return false;
    *out = (channels_config_t){
        .smtp_url = cfg->notify.smtp_url,
        .smtp_user = cfg->notify.smtp_user,
        .smtp_password = password,
        .smtp_starttls = cfg->notify.smtp_starttls,
        .mail_from = cfg->notify.mail_from,
        .timeout_ms = cfg->notify.delivery_timeout_ms,
        .queue_max = 1024,
        .max_parallel = 16,
    };
    return true;
}

/* An office-role section naming an office this service does not know is
 * almost always a typo: that user or client would see nothing. Warned at
 * start and on every reload (the office may be added later). */
static void s_check_access_offices(const config_t *cfg, store_t *store)
{
    store_txn_t txn;
    if (store_txn_begin(store, &txn, false) != STORE_OK)
        return;
    MDB_dbi offices = store_dbi(store, NDB_OFFICES);
    MDB_val v;
    for (int i = 0; i < cfg->n_principals; i++) {
        const config_principal_t *p = &cfg->principals[i];
        if (p->role == ROLE_OFFICE &&
            !store_get(&txn, offices, p->office, strlen(p->office), &v))
            log_warnx("[%s:%s] office = %s is not an office this service knows (thuky office "
                      "list): its holder sees no task or alert until it is added",
                      p->is_client ? "client" : "user", p->name, p->office);
    }
    if (cfg->local_role == ROLE_OFFICE &&
        !store_get(&txn, offices, cfg->local_office, strlen(cfg->local_office), &v))
        log_warnx("local_office = %s is not an office this service knows (thuky office list)",
                  cfg->local_office);
    store_txn_abort(&txn);
}

/* SIGHUP: the [notifyd] keys were reread in place (policy applies to what
 * is planned from now on); the delivery worker takes the SMTP settings. */
static void s_reloaded(server_t *server, void *service)
{
    notifyd_t *nd = service;
    s_check_access_offices(nd->config, server_store(server));
    char password[sizeof nd->smtp_password], why[1024];
    channels_config_t channels;
    if (!s_channels_config(nd->config, password, sizeof password, &channels, why, sizeof why) ||
        !channels_reconfigure(nd->channels, &channels, why, sizeof why))
        log_error("delivery settings not reloaded: %s", why);
    secret_wipe(password, sizeof password);
    if (daemon_calendar_reload(nd->config, &nd->calendar))
        daemon_calendar_sync(server, store_dbi(server_store(server), NDB_META), nd->calendar,
                             notify_replan_calendar, nd);
}

int main(int argc, char **argv)
{
    config_t cfg;
    char why[1024];
    bool test_clock = daemon_start(argc, argv, "thuky-notifyd",
                                   N_("The thuky notification service: offices, the alert "
                                      "plan and\n"
                                      "the outbox; deadline alerts by mail spool, SMTP and "
                                      "webhook."),
                                   &cfg);
    const config_service_t *svc = config_service(&cfg, SERVICE_NOTIFYD);
    const config_service_t *taskd = config_service(&cfg, SERVICE_TASKD);

    notifyd_t nd = {.config = &cfg};
    if (cfg.web.public_url[0] &&
        link_keys_load(cfg.web.link_key_dir, &nd.link_keys, why, sizeof why) != 0)
        fatalx("[web] public_url is set, but its link keys cannot be used: %s", why);
    nd.calendar = daemon_calendar(&cfg);
    store_options_t store_options = daemon_store_options(svc);
    store_t *store = store_open(svc->store_dir, notify_store_dbs, NDB_COUNT, &store_options, why,
                                sizeof why);
    if (!store)
        fatalx("%s", why);

    void *zmq_ctx = zmq_ctx_new();
    channels_config_t channels;
    if (!s_channels_config(&cfg, nd.smtp_password, sizeof nd.smtp_password, &channels, why,
                           sizeof why))
        fatalx("smtp_password_file: %s", why);
    nd.channels = channels_new(zmq_ctx, &channels, why, sizeof why);
    if (!nd.channels)
        fatalx("delivery worker: %s", why);

    server_options_t server_options = {
        .id = SERVICE_NOTIFYD,
        .settings = &cfg,
        .reloaded = s_reloaded,
        .config = svc,
        .commands = notifyd_commands,
        .command_count = notifyd_command_count,
        .service = &nd,
        .events_dbi = store_dbi(store, NDB_EVENTS),
        .meta_dbi = store_dbi(store, NDB_META),
        .replies_dbi = store_dbi(store, NDB_REPLIES),
        .replies_time_dbi = store_dbi(store, NDB_REPLIES_TIME),
    };
    server_t *server = server_new(zmq_ctx, store, &server_options, why, sizeof why);
    if (!server)
        fatalx("%s", why);
    nd.server = server;
    store_txn_t txn;
    if (store_txn_begin(store, &txn, false) == STORE_OK) {
        server_set_counter(server, NOTIFY_UNREACHABLE_COUNTER, offices_unreachable(&txn));
        store_txn_abort(&txn);
    }
    s_check_access_offices(&cfg, store);
    server_add_reader(server, channels_results_socket(nd.channels), notify_on_results, &nd);
    server_add_timer(server, notify_tick, &nd);

    notify_store_upgrade(store);
    /* Alerts planned with another calendar (edited while stopped). */
    daemon_calendar_sync(server, store_dbi(store, NDB_META), nd.calendar, notify_replan_calendar,
                         &nd);
    /* The plan follows the task service's events. */
    nd.tasks = daemon_follow(server, zmq_ctx, &cfg, SERVICE_TASKD, "task.",
                             store_dbi(store, NDB_META), notify_apply_task_event,
                             notify_batch_done, &nd);
    /* Sitting reminders follow the session service's events. */
    nd.sessions = daemon_follow(server, zmq_ctx, &cfg, SERVICE_SESSIOND, "session.",
                                store_dbi(store, NDB_META), notify_apply_session_event,
                                notify_batch_done, &nd);

    log_info("serving %s, events on %s, store %s (last event %llu), following %s, mail %s%s",
             svc->command, svc->events, svc->store_dir,
             (unsigned long long)eventlog_last_seq(server_eventlog(server)), taskd->events,
             cfg.notify.smtp_url[0] ? cfg.notify.smtp_url : cfg.notify.spool_dir,
             test_clock ? _(", test clock") : "");
    server_run(server);
    log_info("stopping");

    subscriber_destroy(&nd.tasks);
    subscriber_destroy(&nd.sessions);
    channels_destroy(&nd.channels);
    server_destroy(&server);
    zmq_ctx_term(zmq_ctx);
    store_close(&store);
    workcal_free(&nd.calendar);
    for (size_t i = 0; i < nd.n_in_flight; i++)
        free(nd.in_flight[i]);
    free(nd.in_flight);
    link_keys_wipe(&nd.link_keys);
    return 0;
}
