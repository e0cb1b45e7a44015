/* thuky alert list|ack|silence|preview */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "base/date.h"
#include "text/table.h"
#include "thuky/notify.pb-c.h"
#include "cli.h"

static const char s_usage[] = N_(
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
    "its receiver is back, with their first delivery ids.\n");

/* The tokens of JSON, and the names people read (N_: translated where shown). */
static const char *const s_states[] = {"?",      "planned",  "sending", "sent",
                                       "failed", "silenced", "acked",   "cancelled"};
static const char *const s_state_labels[] = {
    "?",            N_("planned"),  N_("sending"),      N_("sent"),
    N_("failed"),   N_("silenced"), N_("acknowledged"), N_("cancelled")};
static const char *const s_kinds[] = {"?", "lead", "due", "overdue", "escalation", "sitting"};
static const char *const s_kind_labels[] = {
    "?",           N_("before deadline"), N_("deadline day"),
    N_("overdue"), N_("escalation"),      N_("before sitting")};

#define COUNT(a) (sizeof(a) / sizeof(a)[0])

static unsigned s_state_index(const Thuky__Alert *a)
{
    return (unsigned)a->state < COUNT(s_states) ? (unsigned)a->state : 0;
}

static unsigned s_kind_index(const Thuky__Alert *a)
{
    return (unsigned)a->kind < COUNT(s_kinds) ? (unsigned)a->kind : 0;
}

static json_t *s_alert_json(const Thuky__Alert *a)
{
    char fire[DATE_TIME_LEN];
    render_time_iso(a->fire_ms, fire, sizeof fire);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:i, s:b}", "id",
                          a->id, "office", a->office, "kind", s_kinds[s_kind_index(a)], "task", "",
                          "title", a->title, "due_date", a->due_date, "days", a->days, "fire",
                          fire, "state", s_states[s_state_index(a)], "channel", a->channel,
                          "attempts", (int)a->attempts, "late", a->late);
    json_object_set_new(j, "task", json_sprintf("T%u", a->task_id));
    json_object_set_new(j, "sitting", json_string(a->sitting_id));
    json_object_set_new(j, "delivery", json_string(a->delivery_id));
    json_object_set_new(j, "error", json_string(a->last_error));
    return j;
}

static void s_alert_table(Thuky__Alert *const *alerts, size_t n)
{
    static const char *const headers[] = {N_("ALERT"), N_("FIRES"), N_("OFFICE"),
                                          N_("KIND"),  N_("TASK"),  N_("DUE"),
                                          N_("STATE"), N_("CHANNEL"), N_("NOTE")};
    table_t *table = render_table_new(9, headers, "lllllllll");
    for (size_t i = 0; i < n; i++) {
        const Thuky__Alert *a = alerts[i];
        char fire[DATE_TIME_LEN], task[16], due[DATE_ISO_LEN];
        render_time(a->fire_ms, fire, sizeof fire);
        snprintf(task, sizeof task, "T%u", a->task_id);
        render_iso_date(a->due_date[0] ? a->due_date : "-", due, sizeof due);
        const char *note = a->last_error[0] ? a->last_error : a->late ? _("late") : "";
        const char *cells[] = {a->id, fire, a->office, _(s_kind_labels[s_kind_index(a)]), task,
                               due, _(s_state_labels[s_state_index(a)]),
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
            printf("%s\n", _("(more: narrow with --from, --office or raise --limit)"));
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
        printf(_("%s no longer acknowledged: reminders of T%u to %s go on\n"), a->id, a->task_id,
               a->office);
    else
        printf(_("%s acknowledged: no more reminders of T%u to %s\n"), a->id, a->task_id,
               a->office);
    thuky__alert__free_unpacked(a, NULL);
    return EXIT_OK;
}

/* Prints fmt ("%s ... %s") with the silence's id and its last day. */
static void s_print_silence(const char *fmt, const Thuky__Silence *s)
{
    char until[DATE_ISO_LEN];
    render_iso_date(s->until, until, sizeof until);
    printf(fmt, s->id, until);
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
        s_print_silence(_("silence %s until %s\n"), saved);
    thuky__silence__free_unpacked(saved, NULL);
    return EXIT_OK;
}

/* "task T12", "office vu-thu-ky", "sitting XV-7": in English for JSON, in
 * the CLI's language for people. */
static void s_silence_target(const Thuky__Silence *s, lang_t lang, char *out, size_t len)
{
    if (s->task_id)
        snprintf(out, len, i18n_text(lang, N_("task T%u")), s->task_id);
    else if (s->office[0])
        snprintf(out, len, i18n_text(lang, N_("office %s")), s->office);
    else
        snprintf(out, len, i18n_text(lang, N_("sitting %s")), s->sitting_id);
}

static json_t *s_silence_json(const Thuky__Silence *s)
{
    char of[128], since[DATE_TIME_LEN];
    s_silence_target(s, LANG_EN, of, sizeof of);
    render_time_iso(s->created_ms, since, sizeof since);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", s->id, "of", of, "until", s->until,
                     "reason", s->reason, "by", s->caller, "since", since);
}

static void s_silence_row(table_t *table, const Thuky__Silence *s)
{
    char of[128], until[DATE_ISO_LEN], since[DATE_TIME_LEN];
    s_silence_target(s, i18n_language(), of, sizeof of);
    render_iso_date(s->until, until, sizeof until);
    render_time(s->created_ms, since, sizeof since);
    const char *cells[] = {s->id, of, until, s->caller, since, s->reason};
    table_add_row(table, cells);
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
    if (cli->json) {
        json_t *array = json_array();
        for (size_t i = 0; i < list->n_silences; i++)
            json_array_append_new(array, s_silence_json(list->silences[i]));
        cli_print_json(array);
    } else {
        static const char *const headers[] = {N_("SILENCE"), N_("OF"),    N_("UNTIL"),
                                              N_("BY"),      N_("SINCE"), N_("REASON")};
        table_t *table = render_table_new(6, headers, "llllll");
        for (size_t i = 0; i < list->n_silences; i++)
            s_silence_row(table, list->silences[i]);
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
        s_print_silence(_("silence %s lifted (it ran until %s)\n"), lifted);
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
        printf(_("%s: %u dead-lettered delivery(ies) queued again, %u alert(s)\n"), req.office,
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
            const Thuky__PreviewOffice *o = p->offices[i];
            if (i)
                printf("\n");
            printf(P_("%s (%s): %zu alert\n", "%s (%s): %zu alerts\n", o->n_alerts), o->office,
                   o->channel[0] ? o->channel : _("NO CHANNEL"), o->n_alerts);
            s_alert_table(o->alerts, o->n_alerts);
        }
        if (!p->n_offices)
            printf("%s\n", _("nothing planned"));
    }
    thuky__alert_preview__free_unpacked(p, NULL);
    return EXIT_OK;
}

int cmd_alert(cli_t *cli, int argc, char **argv)
{
    if (argc < 2)
        return fputs(_(s_usage), stderr), EXIT_USAGE;
    if (cli_wants_help(argc, argv, _(s_usage)))
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
