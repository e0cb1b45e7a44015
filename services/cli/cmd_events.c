/* thuky events tail: the event feed of a daemon. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "runtime/secret.h"
#include "runtime/subscriber.h"
#include "thuky/event.pb-c.h"
#include "cli.h"

static const char s_usage[] = N_(
    "usage: thuky events tail [--from SEQ] [--follow] [--json]\n"
    "                         [--service taskd|sessiond|notifyd]\n"
    "\n"
    "Prints the events from sequence SEQ (default: all) of one daemon's\n"
    "durable log and exits; with --follow keeps printing new events as they\n"
    "happen (Ctrl-C to stop), catching up from the log on any gap. The\n"
    "service is the task service unless given.\n");

static volatile sig_atomic_t s_stop;
static void s_on_signal(int sig) { (void)sig; s_stop = 1; }

static void s_print_event(void *arg, store_txn_t *txn, const Thuky__Event *ev)
{
    (void)txn;
    const cli_t *cli = arg;
    char when[32];
    if (cli->json) {
        render_time_iso(ev->time_ms, when, sizeof when);
        json_t *obj = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "seq", (json_int_t)ev->seq,
                                "id", ev->id, "source", ev->source, "type", ev->type, "subject",
                                ev->subject, "time", when);
        if (ev->payload_case == THUKY__EVENT__PAYLOAD_TASK && ev->task->task) {
            json_t *changes = json_array();
            for (size_t i = 0; i < ev->task->n_changes; i++)
                json_array_append_new(changes, json_pack("{s:s, s:s, s:s}", "field",
                                                         ev->task->changes[i]->field, "old",
                                                         ev->task->changes[i]->old_value, "new",
                                                         ev->task->changes[i]->new_value));
            json_object_set_new(obj, "task", render_task_json(ev->task->task));
            json_object_set_new(obj, "changes", changes);
            json_object_set_new(obj, "caller", json_string(ev->task->caller));
        }
        json_dumpf(obj, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
        json_decref(obj);
    } else {
        render_time(ev->time_ms, when, sizeof when);
        const char *title = "";
        if (ev->payload_case == THUKY__EVENT__PAYLOAD_TASK && ev->task->task)
            title = ev->task->task->title;
        else if (ev->payload_case == THUKY__EVENT__PAYLOAD_PROGRAM && ev->program->program)
            title = ev->program->program->title;
        printf("%6llu  %s  %-22s %-12s %s\n", (unsigned long long)ev->seq, when, ev->type,
               ev->subject, title);
    }
    fflush(stdout);
}

/* Without --follow: read the log page by page and exit. */
static int s_dump(cli_t *cli, service_id_t service, uint64_t after)
{
    for (;;) {
        Thuky__EventsReadRequest req = THUKY__EVENTS_READ_REQUEST__INIT;
        req.after_seq = after;
        req.limit = 1000;
        Thuky__EventsReadReply *page = NULL;
        int rc = cli_call(cli, service, "events.read", &req.base,
                          &thuky__events_read_reply__descriptor, (ProtobufCMessage **)&page);
        if (rc != EXIT_OK)
            return rc;
        for (size_t i = 0; i < page->n_events; i++) {
            s_print_event(cli, NULL, page->events[i]);
            after = page->events[i]->seq;
        }
        bool done = page->n_events == 0 || after >= page->last_seq;
        thuky__events_read_reply__free_unpacked(page, NULL);
        if (done)
            return EXIT_OK;
    }
}

static int s_follow(cli_t *cli, service_id_t service, uint64_t after)
{
    /* A daemon that is down is said at once (and one that is slow within
     * a second), in the user's language, before following starts. */
    int rc = cli_call(cli, service, "status", NULL, NULL, NULL);
    if (rc != EXIT_OK)
        return rc;
    const config_service_t *svc = config_service(&cli->config, service);
    subscriber_options_t options = {
        .name = svc->name,
        .command_endpoint = svc->command,
        .events_endpoint = svc->events,
        .type_prefix = "",
        .start_after = after,
        .timeout_ms = cli->config.client_timeout_ms,
        .apply = s_print_event,
        .arg = cli,
    };
    curve_client_t keys;
    if (cli_curve_keys(cli, service, &keys))
        options.curve = &keys;
    struct sigaction sa = {.sa_handler = s_on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    subscriber_t *sub = subscriber_new(cli->zmq, &options);
    secret_wipe(&keys, sizeof keys);
    while (!s_stop)
        subscriber_poll(sub, 500); /* a signal ends the wait; s_stop is checked */
    subscriber_destroy(&sub);
    return EXIT_OK;
}

int cmd_events(cli_t *cli, int argc, char **argv)
{
    if (cli_wants_help(argc, argv, _(s_usage)))
        return EXIT_OK;
    if (argc < 2 || strcmp(argv[1], "tail") != 0)
        return fputs(_(s_usage), stderr), EXIT_USAGE;
    static const struct option options[] = {{"from", required_argument, NULL, 'f'},
                                            {"follow", no_argument, NULL, 'F'},
                                            {"service", required_argument, NULL, 's'},
                                            {NULL, 0, NULL, 0}};
    unsigned long from = 0;
    bool follow = false;
    service_id_t service = SERVICE_TASKD;
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc - 1, argv + 1, "", options, NULL)) != -1) {
        switch (opt) {
        case 'f':
            if (!cli_parse_uint(optarg, UINT64_MAX >> 1, &from))
                return cli_error(EXIT_USAGE, "--from needs a sequence number");
            break;
        case 'F': follow = true; break;
        case 's':
            if (!cli_parse_service(cli, optarg, &service))
                return EXIT_USAGE;
            break;
        default: return cli_error(EXIT_USAGE, "see 'thuky events --help'");
        }
    }
    /* --from SEQ prints SEQ itself and what follows. */
    uint64_t after = from > 0 ? from - 1 : 0;
    return follow ? s_follow(cli, service, after) : s_dump(cli, service, after);
}
