/* thuky-sessiond: the session service.
 *
 * Starts in a fixed order — configuration, logging, calendar, store,
 * sockets — then runs the command loop until SIGTERM or SIGINT. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "clock.h"
#include "config.h"
#include "log.h"
#include "server.h"
#include "session_store.h"
#include "sessiond.h"
#include "store.h"

static void s_usage(FILE *out)
{
    fprintf(out,
            "usage: thuky-sessiond [--config FILE] [--test-clock]\n"
            "\n"
            "The thuky session service: sittings, recurring briefings, agendas and the\n"
            "working-day calendar. Runs in the foreground and logs to stderr (or syslog).\n"
            "\n"
            "  -c, --config FILE   configuration (default: $THUKY_CONFIG, then "
            CONFIG_DEFAULT_PATH ")\n"
            "      --test-clock    enable the test clock (clock.set/clock.advance commands)\n"
            "  -h, --help          this help\n");
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'},
        {"test-clock", no_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *config_path = NULL;
    bool test_clock = false;
    int opt;
    while ((opt = getopt_long(argc, argv, "c:h", options, NULL)) != -1) {
        switch (opt) {
        case 'c': config_path = optarg; break;
        case 't': test_clock = true; break;
        case 'h': s_usage(stdout); return 0;
        default: s_usage(stderr); return 2;
        }
    }
    if (optind != argc) {
        s_usage(stderr);
        return 2;
    }

    config_t cfg;
    char why[1024];
    log_init("thuky-sessiond", LOG_LEVEL_INFO, false);
    if (config_load(&cfg, config_path, why, sizeof why) != 0)
        fatalx("%s", why);
    log_init("thuky-sessiond", cfg.log_level, cfg.log_syslog);
    if (test_clock)
        clock_enable_test(0);
    const config_service_t *svc = config_service(&cfg, SERVICE_SESSIOND);

    sessiond_t service = {0};
    service.calendar = workcal_load(config_calendar_dir(&cfg), why, sizeof why);
    if (!service.calendar)
        fatalx("calendar: %s", why);

    store_t *store = store_open(svc->store_dir, session_store_dbs, SDB_COUNT, svc->map_size, why,
                                sizeof why);
    if (!store)
        fatalx("%s", why);

    void *zmq_ctx = zmq_ctx_new();
    server_options_t server_options = {
        .config = svc,
        .commands = sessiond_commands,
        .command_count = sessiond_command_count,
        .service = &service,
        .events_dbi = store_dbi(store, SDB_EVENTS),
        .replies_dbi = store_dbi(store, SDB_REPLIES),
        .replies_time_dbi = store_dbi(store, SDB_REPLIES_TIME),
    };
    server_t *server = server_new(zmq_ctx, store, &server_options, why, sizeof why);
    if (!server)
        fatalx("%s", why);

    const char *calendar_dir = config_calendar_dir(&cfg);
    log_info("serving %s, events on %s, store %s (last event %llu), calendar overrides %s%s",
             svc->command, svc->events, svc->store_dir,
             (unsigned long long)eventlog_last_seq(server_eventlog(server)),
             calendar_dir ? calendar_dir : "none", test_clock ? ", test clock" : "");
    server_run(server);
    log_info("stopping");

    server_destroy(&server);
    zmq_ctx_term(zmq_ctx);
    store_close(&store);
    workcal_free(&service.calendar);
    return 0;
}
