/* thuky-taskd: the task service.
 *
 * Starts in a fixed order — configuration, logging, store, sockets — then
 * runs the command loop until SIGTERM or SIGINT, and has one way out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "base/i18n.h"
#include "base/log.h"
#include "runtime/clock.h"
#include "runtime/config.h"
#include "runtime/server.h"
#include "runtime/store.h"
#include "service/daemon.h"
#include "task_store.h"
#include "taskd.h"

/* SIGHUP: the override files are read again; a changed calendar moves
 * the working-day deadlines computed from it. */
static void s_reloaded(server_t *server, void *service)
{
    taskd_t *td = service;
    if (daemon_calendar_reload(td->config, &td->calendar))
        daemon_calendar_sync(server, store_dbi(server_store(server), DB_META), td->calendar,
                             taskd_recompute_calendar, td);
}

int main(int argc, char **argv)
{
    config_t cfg;
    char why[1024];
    bool test_clock = daemon_start(argc, argv, "thuky-taskd",
                                   N_("The thuky task service: work programs, tasks, "
                                      "progress and\n"
                                      "their history; follows the session service's sittings."),
                                   &cfg);
    const config_service_t *svc = config_service(&cfg, SERVICE_TASKD);
    const config_service_t *sessiond = config_service(&cfg, SERVICE_SESSIOND);

    taskd_t service = {.config = &cfg};
    service.calendar = daemon_calendar(&cfg);

    daemon_check_state_dir(svc->store_dir);
    store_options_t store_options = daemon_store_options(svc);
    store_t *store = store_open(svc->store_dir, task_store_dbs, DB_COUNT, &store_options, why,
                                sizeof why);
    if (!store)
        fatalx("%s", why);

    void *zmq_ctx = zmq_ctx_new();
    server_options_t server_options = {
        .id = SERVICE_TASKD,
        .settings = &cfg,
        .config = svc,
        .commands = taskd_commands,
        .command_count = taskd_command_count,
        .service = &service,
        .events_dbi = store_dbi(store, DB_EVENTS),
        .meta_dbi = store_dbi(store, DB_META),
        .replies_dbi = store_dbi(store, DB_REPLIES),
        .replies_time_dbi = store_dbi(store, DB_REPLIES_TIME),
        .reloaded = s_reloaded,
    };
    server_t *server = server_new(zmq_ctx, store, &server_options, why, sizeof why);
    if (!server)
        fatalx("%s", why);

    service.server = server;
    /* Deadlines computed with another calendar (edited while stopped). */
    daemon_calendar_sync(server, store_dbi(store, DB_META), service.calendar,
                         taskd_recompute_calendar, &service);

    /* Relative deadlines follow the session service's sittings. */
    service.sessions = daemon_follow(server, zmq_ctx, &cfg, SERVICE_SESSIOND, "session.",
                                     store_dbi(store, DB_META), taskd_apply_session_event,
                                     taskd_session_batch_done, &service);

    log_info("serving %s, events on %s, store %s (last event %llu), following %s%s",
             svc->command, svc->events, svc->store_dir,
             (unsigned long long)eventlog_last_seq(server_eventlog(server)), sessiond->events,
             test_clock ? _(", test clock") : "");
    server_run(server);
    log_info("stopping");

    subscriber_destroy(&service.sessions);
    server_destroy(&server);
    zmq_ctx_term(zmq_ctx);
    store_close(&store);
    workcal_free(&service.calendar);
    return 0;
}
