/* thuky-sessiond: the session service.
 *
 * Starts in a fixed order — configuration, logging, calendar, store,
 * sockets — then runs the command loop until SIGTERM or SIGINT. */
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
#include "session_store.h"
#include "sessiond.h"

/* SIGHUP: the override files are read again (calendar.changed when the
 * calendar is not the one recorded). */
static void s_reloaded(server_t *server, void *service)
{
    sessiond_t *sd = service;
    if (!daemon_calendar_reload(sd->config, &sd->calendar))
        return;
    daemon_calendar_sync(server, store_dbi(server_store(server), SDB_META), sd->calendar,
                         sessiond_calendar_changed, sd);
    calendar_warn_unannounced(sd->calendar, config_calendar_dir(sd->config));
}

int main(int argc, char **argv)
{
    config_t cfg;
    char why[1024];
    bool test_clock = daemon_start(argc, argv, "thuky-sessiond",
                                   N_("The thuky session service: sittings, recurring "
                                      "briefings,\n"
                                      "agendas and the working-day calendar."),
                                   &cfg);
    const config_service_t *svc = config_service(&cfg, SERVICE_SESSIOND);

    sessiond_t service = {.config = &cfg};
    service.calendar = daemon_calendar(&cfg);

    daemon_check_state_dir(svc->store_dir);
    store_options_t store_options = daemon_store_options(svc);
    store_t *store = store_open(svc->store_dir, session_store_dbs, SDB_COUNT, &store_options, why,
                                sizeof why);
    if (!store)
        fatalx("%s", why);

    void *zmq_ctx = zmq_ctx_new();
    server_options_t server_options = {
        .id = SERVICE_SESSIOND,
        .settings = &cfg,
        .config = svc,
        .commands = sessiond_commands,
        .command_count = sessiond_command_count,
        .service = &service,
        .events_dbi = store_dbi(store, SDB_EVENTS),
        .meta_dbi = store_dbi(store, SDB_META),
        .replies_dbi = store_dbi(store, SDB_REPLIES),
        .replies_time_dbi = store_dbi(store, SDB_REPLIES_TIME),
        .reloaded = s_reloaded,
    };
    server_t *server = server_new(zmq_ctx, store, &server_options, why, sizeof why);
    if (!server)
        fatalx("%s", why);

    const char *calendar_dir = config_calendar_dir(&cfg);
    log_info("serving %s, events on %s, store %s (last event %llu), calendar overrides %s%s",
             svc->command, svc->events, svc->store_dir,
             (unsigned long long)eventlog_last_seq(server_eventlog(server)),
             calendar_dir ? calendar_dir : _("none"), test_clock ? _(", test clock") : "");
    service.server = server;
    daemon_calendar_sync(server, store_dbi(store, SDB_META), service.calendar,
                         sessiond_calendar_changed, &service);
    calendar_warn_unannounced(service.calendar, calendar_dir);
    server_run(server);
    log_info("stopping");

    server_destroy(&server);
    zmq_ctx_term(zmq_ctx);
    store_close(&store);
    workcal_free(&service.calendar);
    return 0;
}
