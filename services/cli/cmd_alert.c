/* thuky alert list|ack|silence|preview */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "base/date.h"
#include "text/table.h"
#include "thuky/notify.pb-c.h"
#include "cli.h"

static const char s_usage[] =
    "usage: thuky alert list [--office O] [--pending|--sent|--failed] [--task ID]\n"
    "                        [--from DATE] [--limit N]\n"
    "       thuky alert ack ID\n"
    "       thuky alert unack ID\n"
    "       thuky alert silence (--task ID|--office O|--sitting ID) --until DATE --reason TEXT\n"
    "       thuky alert silences [--all]\n"
    "       thuky alert unsilence ID\n"
    "       thuky alert redeliver OFFICE [--delivery ID]\n"
    "       thuky alert preview [--date DATE]\n"
    "\n"
    "Alerts are planned from each task's deadline for its lead and coordinating\n"
    "offices: 7, 3, 1 and 0 days before (on working days, at 08:00), then overdue\n"
    "reminders, then an escalation. Everything due for one office at one moment\n"
    "goes out as one message. ack stops an alert's later reminders to that office\n"
    "(unack, within 24 hours, brings them back);\n"
    "silence suppresses alerts until a date (silences lists those in force,\n"
    "--all the expired too; unsilence lifts one early); preview shows what\n"
    "would go out.\n"
    "redeliver sends an office's dead-lettered digests again (all, or one) once\n"
    "its receiver is back, with their first delivery ids.\n";

static const char *const s_states[] = {"?",      "planned",  "sending", "sent",
                                       "failed", "silenced", "acked",   "cancelled"};
static const char *const s_kinds[] = {"?", "lead", "due", "overdue", "escalation", "sitting"};

static json_t *s_alert_json(const Thuky__Alert *a)
{
    char fire[DATE_TIME_LEN];
    date_format_local_time(a->fire_ms / 1000, fire);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:i, s:b}", "id",
                          a->id, "office", a->office, "kind",
                          s_kinds[(unsigned)a->kind < 6 ? a->kind : 0], "task", "", "title",
                          a->title, "due_date", a->due_date, "days", a->days, "fire", fire,
                          "state", s_states[(unsigned)a->state < 8 ? a->state : 0], "channel",
                          a->channel, "attempts", (int)a->attempts, "late", a->late);
    json_object_set_new(j, "task", json_sprintf("T%u", a->task_id));
    json_object_set_new(j, "sitting", json_string(a->sitting_id));
    json_object_set_new(j, "delivery", json_string(a->delivery_id));
    json_object_set_new(j, "error", json_string(a->last_error));
    return j;
}

static void s_alert_table(Thuky__Alert *const *alerts, size_t n)
{
    static const char *const headers[] = {"ALERT", "FIRES", "OFFICE", "KIND", "TASK", "DUE",
                                          "STATE", "CHANNEL", "NOTE"};
    table_t *table = table_new(9, headers, "lllllllll");
    for (size_t i = 0; i < n; i++) {
        const Thuky__Alert *a = alerts[i];
        char fire[DATE_TIME_LEN], task[16], due[DATE_ISO_LEN] = "-";
        date_format_local_time(a->fire_ms / 1000, fire);
        snprintf(task, sizeof task, "T%u", a->task_id);
        int32_t day;
        if (date_parse(a->due_date, &day, NULL))
            date_format_vn(day, due);
        const char *note = a->last_error[0] ? a->last_error : a->late ? "late" : "";
        const char *cells[] = {a->id, fire, a->office, s_kinds[(unsigned)a->kind < 6 ? a->kind : 0],
                               task, due, s_states[(unsigned)a->state < 8 ? a->state : 0],
                               a->channel[0] ? a->channel : "-", note};
        table_add_row(table, cells);
    }
    table_print(table, stdout);
    table_destroy(&table);
}

static int s_list(cli_t *cli, int argc, char **argv)
{
    static const struct option options[] = {
        {"office", required_argument, NULL, 'o'}, {"pending", no_argument, NULL, 'p'},
        {"sent", no_argument, NULL, 's'},         {"failed", no_argument, NULL, 'f'},
        {"from", required_argument, NULL, 'F'},   {"task", required_argument, NULL, 't'},
        {"limit", required_argument, NULL, 'l'},  {NULL, 0, NULL, 0}};
    Thuky__AlertListRequest req = THUKY__ALERT_LIST_REQUEST__INIT;
    char from[DATE_ISO_LEN];
    unsigned long num;
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 'o': req.office = optarg; break;
        case 'p': req.state = THUKY__ALERT_STATE__ALERT_PLANNED; break;
        case 's': req.state = THUKY__ALERT_STATE__ALERT_SENT; break;
        case 'f': req.state = THUKY__ALERT_STATE__ALERT_FAILED; break;
        case 'F': if (!cli_parse_date(optarg, from)) return EXIT_USAGE; req.from = from; break;
        case 't':
            if (!cli_parse_task_id(optarg, &req.task_id))
                return cli_error(EXIT_USAGE, "--task needs a task id (T12)");
            break;
        case 'l':
            if (!cli_parse_uint(optarg, 5000, &num) || num == 0)
                return cli_error(EXIT_USAGE, "--limit must be 1-5000");
            req.limit = (uint32_t)num;
            break;
        default: return cli_error(EXIT_USAGE, "see 'thuky alert --help'");
        }
    }
    if (optind != argc)
        return cli_error(EXIT_USAGE, "see 'thuky alert --help'");
    Thuky__AlertList *list = NULL;
    int rc = cli_call(cli, SERVICE_NOTIFYD, "alert.list", &req.base,
                      &thuky__alert_list__descriptor, (ProtobufCMessage **)&list);
    if (rc != EXIT_OK)
        return rc;
    if (cli->json) {
        json_t *array = json_array();
        for (size_t i = 0; i < list->n_alerts; i++)
            json_array_append_new(array, s_alert_json(list->alerts[i]));
        cli_print_json(array);
    } else {
        s_alert_table(list->alerts, list->n_alerts);
        if (list->truncated)
            printf("(more: narrow with --from, --office or raise --limit)\n");
    }
    thuky__alert_list__free_unpacked(list, NULL);
    return EXIT_OK;
}

/* alert ack ID, alert unack ID (within 24 hours of the ack) */
static int s_ack(cli_t *cli, int argc, char **argv)
{
    bool undo = strcmp(argv[0], "unack") == 0;
    if (argc != 2)
        return cli_error(EXIT_USAGE, "usage: thuky alert %s ID", argv[0]);
    Thuky__AlertAckRequest req = THUKY__ALERT_ACK_REQUEST__INIT;
    req.id = argv[1];
    Thuky__Alert *a = NULL;
    int rc = cli_call(cli, SERVICE_NOTIFYD, undo ? "alert.unack" : "alert.ack", &req.base,
                      &thuky__alert__descriptor, (ProtobufCMessage **)&a);
    if (rc != EXIT_OK)
        return rc;
    if (cli->json)
        cli_print_json(s_alert_json(a));
    else if (undo)
        printf("%s no longer acknowledged: reminders of T%u to %s go on\n", a->id, a->task_id,
               a->office);
    else
        printf("%s acknowledged: no more reminders of T%u to %s\n", a->id, a->task_id, a->office);
    thuky__alert__free_unpacked(a, NULL);
    return EXIT_OK;
}

static int s_silence(cli_t *cli, int argc, char **argv)
{
    static const struct option options[] = {
        {"task", required_argument, NULL, 't'},  {"office", required_argument, NULL, 'o'},
        {"sitting", required_argument, NULL, 's'}, {"until", required_argument, NULL, 'u'},
        {"reason", required_argument, NULL, 'r'}, {NULL, 0, NULL, 0}};
    Thuky__Silence s = THUKY__SILENCE__INIT;
    char until[DATE_ISO_LEN] = "";
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 't':
            if (!cli_parse_task_id(optarg, &s.task_id))
                return cli_error(EXIT_USAGE, "--task needs a task id (T12)");
            break;
        case 'o': s.office = optarg; break;
        case 's': s.sitting_id = optarg; break;
        case 'u': if (!cli_parse_date(optarg, until)) return EXIT_USAGE; break;
        case 'r': s.reason = optarg; break;
        default: return cli_error(EXIT_USAGE, "see 'thuky alert --help'");
        }
    }
    if (optind != argc || !until[0])
        return cli_error(EXIT_USAGE, "usage: thuky alert silence (--task ID|--office O|--sitting "
                                     "ID) --until DATE --reason TEXT");
    s.until = until;
    Thuky__SilenceRequest req = THUKY__SILENCE_REQUEST__INIT;
    req.silence = &s;
    Thuky__Silence *saved = NULL;
    int rc = cli_call(cli, SERVICE_NOTIFYD, "alert.silence", &req.base,
                      &thuky__silence__descriptor, (ProtobufCMessage **)&saved);
    if (rc != EXIT_OK)
        return rc;
    if (cli->json)
        cli_print_json(json_pack("{s:s, s:s}", "id", saved->id, "until", saved->until));
    else
        printf("silence %s until %s\n", saved->id, saved->until);
    thuky__silence__free_unpacked(saved, NULL);
    return EXIT_OK;
}

static int s_silences(cli_t *cli, int argc, char **argv)
{
    Thuky__SilenceListRequest req = THUKY__SILENCE_LIST_REQUEST__INIT;
    if (argc == 2 && strcmp(argv[1], "--all") == 0)
        req.all = true;
    else if (argc != 1)
        return cli_error(EXIT_USAGE, "usage: thuky alert silences [--all]");
    Thuky__SilenceList *list = NULL;
    int rc = cli_call(cli, SERVICE_NOTIFYD, "alert.silences", &req.base,
                      &thuky__silence_list__descriptor, (ProtobufCMessage **)&list);
    if (rc != EXIT_OK)
        return rc;
    static const char *const headers[] = {"SILENCE", "OF", "UNTIL", "BY", "SINCE", "REASON"};
    table_t *table = cli->json ? NULL : table_new(6, headers, "llllll");
    json_t *array = cli->json ? json_array() : NULL;
    for (size_t i = 0; i < list->n_silences; i++) {
        const Thuky__Silence *s = list->silences[i];
        char of[128], since[DATE_TIME_LEN];
        if (s->task_id)
            snprintf(of, sizeof of, "task T%u", s->task_id);
        else if (s->office[0])
            snprintf(of, sizeof of, "office %s", s->office);
        else
            snprintf(of, sizeof of, "sitting %s", s->sitting_id);
        date_format_local_time(s->created_ms / 1000, since);
        if (array) {
            json_array_append_new(array, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", s->id,
                                                   "of", of, "until", s->until, "reason",
                                                   s->reason, "by", s->caller, "since", since));
            continue;
        }
        const char *cells[] = {s->id, of, s->until, s->caller, since, s->reason};
        table_add_row(table, cells);
    }
    if (array) {
        cli_print_json(array);
    } else {
        table_print(table, stdout);
        table_destroy(&table);
    }
    thuky__silence_list__free_unpacked(list, NULL);
    return EXIT_OK;
}

static int s_unsilence(cli_t *cli, int argc, char **argv)
{
    if (argc != 2)
        return cli_error(EXIT_USAGE, "usage: thuky alert unsilence ID");
    Thuky__SilenceLiftRequest req = THUKY__SILENCE_LIFT_REQUEST__INIT;
    req.id = argv[1];
    Thuky__Silence *lifted = NULL;
    int rc = cli_call(cli, SERVICE_NOTIFYD, "alert.unsilence", &req.base,
                      &thuky__silence__descriptor, (ProtobufCMessage **)&lifted);
    if (rc != EXIT_OK)
        return rc;
    if (cli->json)
        cli_print_json(json_pack("{s:s, s:s, s:b}", "id", lifted->id, "until", lifted->until,
                                 "lifted", 1));
    else
        printf("silence %s lifted (it ran until %s)\n", lifted->id, lifted->until);
    thuky__silence__free_unpacked(lifted, NULL);
    return EXIT_OK;
}

static int s_redeliver(cli_t *cli, int argc, char **argv)
{
    Thuky__RedeliverRequest req = THUKY__REDELIVER_REQUEST__INIT;
    if (argc == 4 && strcmp(argv[2], "--delivery") == 0)
        req.delivery_id = argv[3];
    else if (argc != 2)
        return cli_error(EXIT_USAGE, "usage: thuky alert redeliver OFFICE [--delivery ID]");
    req.office = argv[1];
    Thuky__RedeliverReply *r = NULL;
    int rc = cli_call(cli, SERVICE_NOTIFYD, "alert.redeliver", &req.base,
                      &thuky__redeliver_reply__descriptor, (ProtobufCMessage **)&r);
    if (rc != EXIT_OK)
        return rc;
    if (cli->json)
        cli_print_json(json_pack("{s:s, s:i, s:i}", "office", req.office, "deliveries",
                                 (int)r->deliveries, "alerts", (int)r->alerts));
    else
        printf("%s: %u dead-lettered delivery(ies) queued again, %u alert(s)\n", req.office,
               r->deliveries, r->alerts);
    thuky__redeliver_reply__free_unpacked(r, NULL);
    return EXIT_OK;
}

static int s_preview(cli_t *cli, int argc, char **argv)
{
    Thuky__AlertPreviewRequest req = THUKY__ALERT_PREVIEW_REQUEST__INIT;
    char date[DATE_ISO_LEN];
    if (argc == 3 && strcmp(argv[1], "--date") == 0) {
        if (!cli_parse_date(argv[2], date))
            return EXIT_USAGE;
        req.date = date;
    } else if (argc != 1) {
        return cli_error(EXIT_USAGE, "usage: thuky alert preview [--date DATE]");
    }
    Thuky__AlertPreview *p = NULL;
    int rc = cli_call(cli, SERVICE_NOTIFYD, "alert.preview", &req.base,
                      &thuky__alert_preview__descriptor, (ProtobufCMessage **)&p);
    if (rc != EXIT_OK)
        return rc;
    if (cli->json) {
        json_t *array = json_array();
        for (size_t i = 0; i < p->n_offices; i++) {
            json_t *alerts = json_array();
            for (size_t j = 0; j < p->offices[i]->n_alerts; j++)
                json_array_append_new(alerts, s_alert_json(p->offices[i]->alerts[j]));
            json_array_append_new(array, json_pack("{s:s, s:s, s:o}", "office",
                                                   p->offices[i]->office, "channel",
                                                   p->offices[i]->channel, "alerts", alerts));
        }
        cli_print_json(array);
    } else {
        for (size_t i = 0; i < p->n_offices; i++) {
            printf("%s%s (%s): %zu alert(s)\n", i ? "\n" : "", p->offices[i]->office,
                   p->offices[i]->channel[0] ? p->offices[i]->channel : "NO CHANNEL",
                   p->offices[i]->n_alerts);
            s_alert_table(p->offices[i]->alerts, p->offices[i]->n_alerts);
        }
        if (!p->n_offices)
            printf("nothing planned\n");
    }
    thuky__alert_preview__free_unpacked(p, NULL);
    return EXIT_OK;
}

int cmd_alert(cli_t *cli, int argc, char **argv)
{
    if (argc < 2)
        return fputs(s_usage, stderr), EXIT_USAGE;
    if (cli_wants_help(argc, argv, s_usage))
        return EXIT_OK;
    if (strcmp(argv[1], "list") == 0)
        return s_list(cli, argc - 1, argv + 1);
    if (strcmp(argv[1], "ack") == 0 || strcmp(argv[1], "unack") == 0)
        return s_ack(cli, argc - 1, argv + 1);
    if (strcmp(argv[1], "silence") == 0)
        return s_silence(cli, argc - 1, argv + 1);
    if (strcmp(argv[1], "preview") == 0)
        return s_preview(cli, argc - 1, argv + 1);
    if (strcmp(argv[1], "redeliver") == 0)
        return s_redeliver(cli, argc - 1, argv + 1);
    if (strcmp(argv[1], "silences") == 0)
        return s_silences(cli, argc - 1, argv + 1);
    if (strcmp(argv[1], "unsilence") == 0)
        return s_unsilence(cli, argc - 1, argv + 1);
    return cli_error(EXIT_USAGE, "unknown alert command (list, ack, unack, silence, silences, unsilence, "
                                 "redeliver, preview)");
}
