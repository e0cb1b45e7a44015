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

#include "config.h"
#include "daemon.h"
#include "log.h"
#include "notify_store.h"
#include "notifyd.h"
#include "server.h"
#include "store.h"

/* The SMTP password lives in its own file, never in thuky.conf or the log. */
static void s_read_password(const config_notify_t *cfg, char *out, size_t cap)
{
    out[0] = '\0';
    if (!cfg->smtp_password_file[0])
        return;
    FILE *f = fopen(cfg->smtp_password_file, "r");
    if (!f)
        fatalx("cannot read smtp_password_file %s: %s", cfg->smtp_password_file,
               strerror(errno));
    if (!fgets(out, (int)cap, f))
        out[0] = '\0';
    fclose(f);
    out[strcspn(out, "\r\n")] = '\0';
}

int main(int argc, char **argv)
{
    config_t cfg;
    char why[1024];
    bool test_clock = daemon_start(argc, argv, "thuky-notifyd",
                                   "The thuky notification service: offices, the alert plan and\n"
                                   "the outbox; deadline alerts by mail spool, SMTP and webhook.",
                                   &cfg);
    const config_service_t *svc = config_service(&cfg, SERVICE_NOTIFYD);
    const config_service_t *taskd = config_service(&cfg, SERVICE_TASKD);

    notifyd_t nd = {.config = &cfg};
    nd.calendar = daemon_calendar(&cfg);
    s_read_password(&cfg.notify, nd.smtp_password, sizeof nd.smtp_password);

    daemon_check_state_dir(svc->store_dir);
    store_t *store = store_open(svc->store_dir, notify_store_dbs, NDB_COUNT, svc->map_size, why,
                                sizeof why);
    if (!store)
        fatalx("%s", why);

    void *zmq_ctx = zmq_ctx_new();
    channels_config_t channels = {
        .smtp_url = cfg.notify.smtp_url,
        .smtp_user = cfg.notify.smtp_user,
        .smtp_password = nd.smtp_password,
        .smtp_starttls = cfg.notify.smtp_starttls,
        .mail_from = cfg.notify.mail_from,
        .timeout_ms = cfg.notify.delivery_timeout_ms,
        .queue_max = 1024,
        .max_parallel = 16,
    };
    nd.channels = channels_new(zmq_ctx, &channels, why, sizeof why);
    if (!nd.channels)
        fatalx("delivery worker: %s", why);

    server_options_t server_options = {
        .id = SERVICE_NOTIFYD,
        .settings = &cfg,
        .config = svc,
        .commands = notifyd_commands,
        .command_count = notifyd_command_count,
        .service = &nd,
        .events_dbi = store_dbi(store, NDB_EVENTS),
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
    server_add_reader(server, channels_results_socket(nd.channels), notify_on_results, &nd);
    server_add_timer(server, notify_tick, &nd);

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
             test_clock ? ", test clock" : "");
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
    return 0;
}
