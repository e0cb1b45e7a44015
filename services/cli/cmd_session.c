/* thuky session add|list|show|move|cancel|status|agenda|ical */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "domain/sitting.h"
#include "text/utf8.h"
#include "cli.h"

static const char s_usage[] = N_(
    "usage: thuky session add --kind plenary|standing|conference|briefing --title TEXT\n"
    "                         --start DATE[THH:MM] --end DATE[THH:MM] [--venue TEXT]\n"
    "                         [--term XV] [--number N] [--extraordinary] [--repeat RULE]\n"
    "                         [--id ID] [--confirmed]\n"
    "       thuky session list [--from DATE] [--to DATE] [--kind K] [--next] [--all]\n"
    "       thuky session show ID\n"
    "       thuky session move ID --start DATE[THH:MM] --end DATE[THH:MM]\n"
    "       thuky session cancel ID [--reason TEXT]\n"
    "       thuky session status ID planned|confirmed|postponed|held\n"
    "       thuky session agenda ID add TASK-ID|TEXT\n"
    "       thuky session ical [--kind K] > sittings.ics\n"
    "\n"
    "Sittings: plenary sessions of the Assembly (id XV-7; extraordinary XV-BT5),\n"
    "Standing Committee meetings (id UBTV-XV-33), conferences (HN-1) and the\n"
    "Secretariat's briefings (GB-1).\n"
    "One occurrence of a recurring sitting is ID@DATE (GB-1@2024-03-04): move or\n"
    "cancel it alone. Repeat rules: 'weekly MON', 'monthly first MON',\n"
    "'monthly last FRI', 'monthly day 15', optionally 'until DATE' or 'count N'\n"
    "(or an RFC 5545 RRULE such as FREQ=MONTHLY;BYDAY=1MO).\n"
    "Overlapping sittings of the same kind or at the same venue are warnings.\n"
    "After a change the command waits (briefly) until the task service has moved\n"
    "the deadlines that hang on the sitting, and reports them.\n");

/* --start/--end "2024-05-20", "20/05/2024", "2024-05-20T08:30". */
typedef struct {
    Thuky__SittingTime time;
    char date[DATE_ISO_LEN];
    char clock[6];
} time_arg_t;

static bool s_parse_time(const char *option, const char *text, time_arg_t *out)
{
    int64_t instant;
    bool has_time;
    const char *why;
    if (!date_parse_datetime(text, &instant, &has_time, &why)) {
        cli_error(EXIT_USAGE, "%s '%s': %s", option, text, _(why));
        return false;
    }
    char local[DATE_TIME_LEN];
    date_format_local_time(instant, local);
    memcpy(out->date, local, 10);
    out->date[10] = '\0';
    out->clock[0] = '\0';
    if (has_time) {
        memcpy(out->clock, local + 11, 5);
        out->clock[5] = '\0';
    }
    thuky__sitting_time__init(&out->time);
    out->time.date = out->date;
    out->time.time = out->clock;
    return true;
}

static void s_print_warnings(const Thuky__SessionChangeReply *reply)
{
    for (size_t i = 0; i < reply->n_warnings; i++)
        fprintf(stderr, _("thuky: warning: %s\n"), reply->warnings[i]);
}

/* Prints a change's result (verb in the CLI's language); for a change that
 * moves or cancels, waits for the task service and reports the deadlines
 * that hang on the sitting. */
static int s_report_change(cli_t *cli, Thuky__SessionChangeReply *reply, const char *verb,
                           const char *ref, bool dependents)
{
    s_print_warnings(reply);
    bool followed = reply->event_seq == 0 ||
                    cli_wait_followed(cli, SERVICE_TASKD, "sessiond", reply->event_seq);
    cli_tasks_t tasks = {0};
    bool have_tasks = false;
    if (dependents && followed) {
        Thuky__TaskListRequest req = THUKY__TASK_LIST_REQUEST__INIT;
        req.sitting = (char *)ref;
        req.limit = 1000;
        have_tasks = cli_list_all(cli, &req, 100000, &tasks) == EXIT_OK;
    }
    if (cli->json) {
        json_t *o = json_pack("{s:o, s:b}", "sitting", render_sitting_json(reply->sitting),
                              "tasks_followed", followed);
        json_t *warnings = json_array();
        for (size_t i = 0; i < reply->n_warnings; i++)
            json_array_append_new(warnings, json_string(reply->warnings[i]));
        json_object_set_new(o, "warnings", warnings);
        if (have_tasks) {
            json_t *list = json_array();
            for (size_t i = 0; i < tasks.count; i++)
                json_array_append_new(list, render_task_json(tasks.tasks[i]));
            json_object_set_new(o, "dependent_tasks", list);
        }
        cli_print_json(o);
    } else {
        printf("%s %s\n", ref, verb);
        if (!followed)
            printf("%s\n", _("the task service has not caught up yet: dependent deadlines follow "
                             "when it does"));
        else if (have_tasks && tasks.count) {
            printf(P_("\n%zu open task with a deadline on %s:\n",
                      "\n%zu open tasks with deadlines on %s:\n", tasks.count),
                   tasks.count, ref);
            render_task_table(cli, tasks.tasks, tasks.count);
        }
    }
    cli_tasks_free(&tasks);
    return EXIT_OK;
}

static int s_change(cli_t *cli, const char *command, const ProtobufCMessage *req, const char *verb,
                    const char *ref, bool dependents)
{
    Thuky__SessionChangeReply *reply = NULL;
    int rc = cli_call(cli, SERVICE_SESSIOND, command, req, &thuky__session_change_reply__descriptor,
                      (ProtobufCMessage **)&reply);
    if (rc != EXIT_OK)
        return rc;
    rc = s_report_change(cli, reply, verb, ref[0] ? ref : reply->sitting->id, dependents);
    thuky__session_change_reply__free_unpacked(reply, NULL);
    return rc;
}

static bool s_parse_kind(const char *text, Thuky__SittingKind *kind)
{
    if (sitting_kind_parse(text, kind))
        return true;
    cli_error(EXIT_USAGE, "unknown kind '%s' (plenary, standing, conference, briefing)", text);
    return false;
}

static int s_add(cli_t *cli, int argc, char **argv)
{
    static const struct option options[] = {
        {"kind", required_argument, NULL, 'k'},   {"title", required_argument, NULL, 't'},
        {"start", required_argument, NULL, 's'},  {"end", required_argument, NULL, 'e'},
        {"venue", required_argument, NULL, 'v'},  {"term", required_argument, NULL, 'T'},
        {"number", required_argument, NULL, 'n'}, {"repeat", required_argument, NULL, 'r'},
        {"id", required_argument, NULL, 'i'},     {"extraordinary", no_argument, NULL, 'x'},
        {"confirmed", no_argument, NULL, 'C'},    {NULL, 0, NULL, 0}};
    Thuky__Sitting s = THUKY__SITTING__INIT;
    time_arg_t start, end;
    bool have_start = false, have_end = false;
    unsigned long num;
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 'k': if (!s_parse_kind(optarg, &s.kind)) return EXIT_USAGE; break;
        case 't': s.title = optarg; break;
        case 's': if (!(have_start = s_parse_time("--start", optarg, &start))) return EXIT_USAGE; break;
        case 'e': if (!(have_end = s_parse_time("--end", optarg, &end))) return EXIT_USAGE; break;
        case 'v': s.venue = optarg; break;
        case 'T': s.term = optarg; break;
        case 'n':
            if (!cli_parse_uint(optarg, 999, &num) || num == 0)
                return cli_error(EXIT_USAGE, "--number must be 1-999");
            s.number = (uint32_t)num;
            break;
        case 'r': s.repeat = optarg; break;
        case 'i': s.id = optarg; break;
        case 'x': s.extraordinary = true; break;
        case 'C': s.status = THUKY__SITTING_STATUS__SITTING_CONFIRMED; break;
        default: return cli_error(EXIT_USAGE, "see 'thuky session --help'");
        }
    }
    if (optind != argc || !s.kind || !s.title[0] || !have_start)
        return cli_error(EXIT_USAGE, "session add needs --kind, --title and --start "
                                     "(see 'thuky session --help')");
    s.start = &start.time;
    s.end = have_end ? &end.time : &start.time; /* one day by default */
    Thuky__SessionAddRequest req = THUKY__SESSION_ADD_REQUEST__INIT;
    req.sitting = &s;
    return s_change(cli, "session.add", &req.base, _("added"), "", false);
}

static int s_move(cli_t *cli, int argc, char **argv)
{
    static const struct option options[] = {{"start", required_argument, NULL, 's'},
                                            {"end", required_argument, NULL, 'e'},
                                            {NULL, 0, NULL, 0}};
    time_arg_t start, end;
    bool have_start = false, have_end = false;
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 's': if (!(have_start = s_parse_time("--start", optarg, &start))) return EXIT_USAGE; break;
        case 'e': if (!(have_end = s_parse_time("--end", optarg, &end))) return EXIT_USAGE; break;
        default: return cli_error(EXIT_USAGE, "see 'thuky session --help'");
        }
    }
    if (optind + 1 != argc || !have_start)
        return cli_error(EXIT_USAGE, "usage: thuky session move ID --start DATE --end DATE");
    Thuky__SessionMoveRequest req = THUKY__SESSION_MOVE_REQUEST__INIT;
    req.id = argv[optind];
    req.start = &start.time;
    req.end = have_end ? &end.time : &start.time;
    return s_change(cli, "session.move", &req.base, _("moved"), req.id, true);
}

static int s_cancel(cli_t *cli, int argc, char **argv)
{
    static const struct option options[] = {{"reason", required_argument, NULL, 'r'},
                                            {NULL, 0, NULL, 0}};
    Thuky__SessionCancelRequest req = THUKY__SESSION_CANCEL_REQUEST__INIT;
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (opt != 'r')
            return cli_error(EXIT_USAGE, "see 'thuky session --help'");
        req.reason = optarg;
    }
    if (optind + 1 != argc)
        return cli_error(EXIT_USAGE, "usage: thuky session cancel ID [--reason TEXT]");
    req.id = argv[optind];
    return s_change(cli, "session.cancel", &req.base, _("cancelled"), req.id, true);
}

static int s_status(cli_t *cli, int argc, char **argv)
{
    Thuky__SessionStatusRequest req = THUKY__SESSION_STATUS_REQUEST__INIT;
    if (argc != 3 || !sitting_status_parse(argv[2], &req.status))
        return cli_error(EXIT_USAGE,
                         "usage: thuky session status ID planned|confirmed|postponed|held");
    req.id = argv[1];
    return s_change(cli, "session.status", &req.base, render_sitting_status_label(req.status),
                    req.id, false);
}

static int s_agenda(cli_t *cli, int argc, char **argv)
{
    if (argc != 4 || strcmp(argv[2], "add") != 0)
        return cli_error(EXIT_USAGE, "usage: thuky session agenda ID add TASK-ID|TEXT");
    Thuky__AgendaAddRequest req = THUKY__AGENDA_ADD_REQUEST__INIT;
    req.id = argv[1];
    Thuky__TaskDetail *detail = NULL;
    if (cli_parse_task_id(argv[3], &req.task_id)) {
        /* The task must exist; its title is the item's text. */
        Thuky__TaskGetRequest get = THUKY__TASK_GET_REQUEST__INIT;
        get.id = req.task_id;
        int rc = cli_call(cli, SERVICE_TASKD, "task.get", &get.base,
                          &thuky__task_detail__descriptor, (ProtobufCMessage **)&detail);
        if (rc != EXIT_OK)
            return rc;
        req.text = detail->task->title;
    } else {
        req.text = argv[3];
    }
    int rc = s_change(cli, "session.agenda.add", &req.base, _("agenda item added"), req.id,
                      false);
    if (detail)
        thuky__task_detail__free_unpacked(detail, NULL);
    return rc;
}

static int s_list(cli_t *cli, int argc, char **argv)
{
    static const struct option options[] = {
        {"from", required_argument, NULL, 'f'}, {"to", required_argument, NULL, 't'},
        {"kind", required_argument, NULL, 'k'}, {"next", no_argument, NULL, 'n'},
        {"all", no_argument, NULL, 'a'},        {"limit", required_argument, NULL, 'l'},
        {NULL, 0, NULL, 0}};
    Thuky__SessionListRequest req = THUKY__SESSION_LIST_REQUEST__INIT;
    char from[DATE_ISO_LEN], to[DATE_ISO_LEN];
    unsigned long num;
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 'f': if (!cli_parse_date(optarg, from)) return EXIT_USAGE; req.from = from; break;
        case 't': if (!cli_parse_date(optarg, to)) return EXIT_USAGE; req.to = to; break;
        case 'k': if (!s_parse_kind(optarg, &req.kind)) return EXIT_USAGE; break;
        case 'n': req.next_only = true; break;
        case 'a': req.include_cancelled = true; break;
        case 'l':
            if (!cli_parse_uint(optarg, 5000, &num) || num == 0)
                return cli_error(EXIT_USAGE, "--limit must be 1-5000");
            req.limit = (uint32_t)num;
            break;
        default: return cli_error(EXIT_USAGE, "see 'thuky session --help'");
        }
    }
    if (optind != argc)
        return cli_error(EXIT_USAGE, "see 'thuky session --help'");
    Thuky__SessionListReply *reply = NULL;
    int rc = cli_call(cli, SERVICE_SESSIOND, "session.list", &req.base,
                      &thuky__session_list_reply__descriptor, (ProtobufCMessage **)&reply);
    if (rc != EXIT_OK)
        return rc;
    render_sitting_table(cli, reply->sittings, reply->n_sittings);
    if (reply->truncated && !cli->json)
        printf("%s\n", _("(more: narrow with --from/--to or raise --limit)"));
    thuky__session_list_reply__free_unpacked(reply, NULL);
    return EXIT_OK;
}

/* The moved and cancelled occurrences of a recurring sitting, one a line
 * under one label. */
static void s_print_exceptions(const Thuky__Sitting *s)
{
    const char *label = _("  changes   ");
    int indent = (int)utf8_width(label);
    for (size_t i = 0; i < s->n_exceptions; i++) {
        const Thuky__Occurrence *ex = s->exceptions[i];
        char day[DATE_ISO_LEN], moved[40];
        render_iso_date(ex->original_date, day, sizeof day);
        if (i)
            printf("%*s", indent, "");
        else
            fputs(label, stdout);
        if (ex->cancelled) {
            printf(_("%s cancelled\n"), day);
        } else {
            render_sitting_time(ex->start, moved, sizeof moved);
            printf(_("%s moved to %s\n"), day, moved);
        }
    }
}

static void s_print_sitting(const Thuky__Sitting *s)
{
    char opens[32], closes[32], updated[32];
    render_sitting_time(s->start, opens, sizeof opens);
    render_sitting_time(s->end, closes, sizeof closes);
    render_time(s->updated_ms, updated, sizeof updated);
    printf("%s  %s\n", s->id, s->title);
    printf(_("  kind      %s"), render_sitting_kind_label(s->kind));
    if (s->term[0])
        printf(_(", term %s"), s->term);
    if (s->extraordinary)
        fputs(_(", extraordinary"), stdout);
    printf("\n");
    printf(_("  opens     %s\n  closes    %s\n"), opens, closes);
    printf(_("  venue     %s\n"), s->venue[0] ? s->venue : "-");
    printf(_("  status    %s%s%s\n"), render_sitting_status_label(s->status),
           s->cancel_reason[0] ? ": " : "", s->cancel_reason);
    if (s->repeat[0])
        printf(_("  repeats   %s\n"), s->repeat);
    s_print_exceptions(s);
    printf(_("  updated   %s (version %u, sequence %u)\n"), updated, s->version, s->sequence);
    if (s->n_agenda)
        printf("\n%s\n", _("Agenda:"));
    for (size_t i = 0; i < s->n_agenda; i++) {
        if (s->agenda[i]->task_id)
            printf("  %u. %s (T%u)\n", s->agenda[i]->number, s->agenda[i]->text,
                   s->agenda[i]->task_id);
        else
            printf("  %u. %s\n", s->agenda[i]->number, s->agenda[i]->text);
    }
}

static int s_show(cli_t *cli, int argc, char **argv)
{
    if (argc != 2)
        return cli_error(EXIT_USAGE, "usage: thuky session show ID");
    Thuky__SessionGetRequest req = THUKY__SESSION_GET_REQUEST__INIT;
    req.id = argv[1];
    Thuky__Sitting *s = NULL;
    int rc = cli_call(cli, SERVICE_SESSIOND, "session.get", &req.base, &thuky__sitting__descriptor,
                      (ProtobufCMessage **)&s);
    if (rc != EXIT_OK)
        return rc;
    /* The deadlines that hang on it, when the task service answers. */
    Thuky__TaskListRequest list = THUKY__TASK_LIST_REQUEST__INIT;
    list.sitting = argv[1];
    list.all_statuses = true;
    cli_tasks_t tasks = {0};
    bool have_tasks = cli_list_all(cli, &list, 100000, &tasks) == EXIT_OK;
    if (cli->json) {
        json_t *o = render_sitting_json(s);
        if (have_tasks) {
            json_t *array = json_array();
            for (size_t i = 0; i < tasks.count; i++)
                json_array_append_new(array, render_task_json(tasks.tasks[i]));
            json_object_set_new(o, "dependent_tasks", array);
        }
        cli_print_json(o);
    } else {
        s_print_sitting(s);
        if (have_tasks && tasks.count) {
            printf("\n%s\n", _("Deadlines on this sitting:"));
            render_task_table(cli, tasks.tasks, tasks.count);
        }
    }
    cli_tasks_free(&tasks);
    thuky__sitting__free_unpacked(s, NULL);
    return EXIT_OK;
}

static int s_ical(cli_t *cli, int argc, char **argv)
{
    static const struct option options[] = {{"kind", required_argument, NULL, 'k'},
                                            {NULL, 0, NULL, 0}};
    Thuky__SessionIcalRequest req = THUKY__SESSION_ICAL_REQUEST__INIT;
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (opt != 'k' || !s_parse_kind(optarg, &req.kind))
            return EXIT_USAGE;
    }
    if (optind != argc)
        return cli_error(EXIT_USAGE, "usage: thuky session ical [--kind K]");
    Thuky__SessionIcalReply *reply = NULL;
    int rc = cli_call(cli, SERVICE_SESSIOND, "session.ical", &req.base,
                      &thuky__session_ical_reply__descriptor, (ProtobufCMessage **)&reply);
    if (rc != EXIT_OK)
        return rc;
    fputs(reply->ics, stdout);
    thuky__session_ical_reply__free_unpacked(reply, NULL);
    return fflush(stdout) == 0 ? EXIT_OK : cli_error(EXIT_LOCAL, "cannot write the feed");
}

int cmd_session(cli_t *cli, int argc, char **argv)
{
    if (argc < 2)
        return fputs(_(s_usage), stderr), EXIT_USAGE;
    if (cli_wants_help(argc, argv, _(s_usage)))
        return EXIT_OK;
    static const struct {
        const char *name;
        int (*fn)(cli_t *, int, char **);
    } subs[] = {{"add", s_add},       {"list", s_list},     {"show", s_show},
                {"move", s_move},     {"cancel", s_cancel}, {"status", s_status},
                {"agenda", s_agenda}, {"ical", s_ical}};
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (strcmp(argv[1], subs[i].name) == 0)
            return subs[i].fn(cli, argc - 1, argv + 1);
    return cli_error(EXIT_USAGE, "unknown session command '%s' (see 'thuky session --help')",
                     argv[1]);
}
