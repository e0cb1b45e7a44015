/* thuky task add|list|show|update|done */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/log.h"
#include "domain/deadline.h"
#include "runtime/clock.h"
#include "text/table.h"
#include "cli.h"
#include "report_doc.h"

#define SPLIT_MAX 30
#define LIST_DOCUMENT_MAX 1000000 /* tasks in a --format document, at most */

static const char s_usage[] = N_(
    "usage: thuky task add --program YEAR --title TEXT --lead OFFICE [--with OFFICE,...]\n"
    "                      [--member NAME] [--due DATE | --due-rel SITTING:open|close:±N[d|wd]]\n"
    "                      [--group N] [--basis REF]... [--description TEXT] [--unplanned]\n"
    "                      [--before-sitting]\n"
    "       thuky task list [--program Y] [--office O] [--status S] [--due-before DATE]\n"
    "                       [--due-from DATE] [--overdue] [--flagged] [--all] [--limit N]\n"
    "                       [--sitting ID] [--count] [--format FMT] [--out FILE]\n"
    "       thuky task show ID\n"
    "       thuky task update ID [--progress N] [--status S] [--flag quality|dispute]\n"
    "                            [--clear-flag F] [--note TEXT] [--due DATE | --due-rel RULE]\n"
    "                            [--title TEXT] [--lead OFFICE] [--member NAME]\n"
    "                            [--before-sitting]\n"
    "       thuky task done ID [--note TEXT]\n"
    "\n"
    "Task ids look like T12. Statuses: open, in_progress, done, cancelled.\n"
    "Lists come in deadline order; without --status or --all only open and\n"
    "in-progress tasks are listed. Dates: 2024-05-20 or 20/05/2024.\n"
    "A relative deadline counts from a sitting: XV-7:open:-20d is 20 calendar\n"
    "days before the opening of XV-7; XV-7:close:+10wd is 10 working days after\n"
    "its closing; GB-1@2024-03-04:open:-2wd counts from one occurrence of a\n"
    "recurring sitting. The task service resolves it from the session service's\n"
    "sittings and moves it when the sitting moves (task.deadline_changed); a\n"
    "cancelled sitting flags its tasks (flag sitting_cancelled). A sitting not\n"
    "scheduled yet is refused unless --before-sitting is given: the deadline then\n"
    "stays unresolved until the sitting appears. --sitting lists the tasks whose\n"
    "deadline hangs on a sitting. --count prints how many tasks match instead.\n"
    "--format writes the list as a document: text, html, csv, xlsx or pdf (xlsx\n"
    "and pdf need --out FILE); --out FILE writes it to FILE instead of stdout.\n");

/* Splits "a,b,c" in place into at most SPLIT_MAX items. */
static size_t s_split(char *text, char **items)
{
    size_t n = 0;
    for (char *save = NULL, *tok = strtok_r(text, ",", &save); tok && n < SPLIT_MAX;
         tok = strtok_r(NULL, ",", &save))
        items[n++] = tok;
    return n;
}

static bool s_parse_flag(const char *text, Thuky__TaskFlag *flag)
{
    if (strcmp(text, "quality") == 0)
        *flag = THUKY__TASK_FLAG__FLAG_QUALITY;
    else if (strcmp(text, "dispute") == 0)
        *flag = THUKY__TASK_FLAG__FLAG_DISPUTE;
    else
        return false;
    return true;
}

static bool s_parse_deadline(const char *text, deadline_buf_t *buf)
{
    const char *why;
    if (deadline_parse(text, buf, &why))
        return true;
    cli_error(EXIT_USAGE, "invalid deadline '%s': %s", text, _(why));
    return false;
}

static int s_print_task(cli_t *cli, const Thuky__Task *task)
{
    if (cli->json) {
        cli_print_json(render_task_json(task));
    } else {
        Thuky__Task *one[] = {(Thuky__Task *)task};
        render_task_table(cli, one, 1);
    }
    return EXIT_OK;
}

static int s_add(cli_t *cli, int argc, char **argv)
{
    static const struct option options[] = {
        {"program", required_argument, NULL, 'p'}, {"title", required_argument, NULL, 't'},
        {"lead", required_argument, NULL, 'l'},    {"with", required_argument, NULL, 'w'},
        {"member", required_argument, NULL, 'm'},  {"due", required_argument, NULL, 'd'},
        {"due-rel", required_argument, NULL, 'r'}, {"group", required_argument, NULL, 'g'},
        {"basis", required_argument, NULL, 'b'},   {"unplanned", no_argument, NULL, 'u'},
        {"description", required_argument, NULL, 'D'}, {"ref", required_argument, NULL, 'R'},
        {"before-sitting", no_argument, NULL, 'B'}, {NULL, 0, NULL, 0}};
    Thuky__Task task = THUKY__TASK__INIT;
    bool allow_unscheduled = false;
    char *with[SPLIT_MAX], *basis[SPLIT_MAX];
    deadline_buf_t deadline;
    bool has_due = false;
    unsigned long num;
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 'p':
            if (!cli_parse_uint(optarg, 9999, &num))
                return cli_error(EXIT_USAGE, "--program needs a year, not '%s'", optarg);
            task.program_year = (uint32_t)num;
            break;
        case 't': task.title = optarg; break;
        case 'l': task.lead_office = optarg; break;
        case 'w': task.n_with_offices = s_split(optarg, with); task.with_offices = with; break;
        case 'm': task.lead_member = optarg; break;
        case 'D': task.description = optarg; break;
        case 'R': task.ref = optarg; break;
        case 'd':
        case 'r':
            if (has_due)
                return cli_error(EXIT_USAGE, "give one of --due and --due-rel");
            if (!s_parse_deadline(optarg, &deadline))
                return EXIT_USAGE;
            if ((opt == 'r') != (deadline.deadline.rule_case == THUKY__DEADLINE__RULE_RELATIVE))
                return opt == 'r' ? cli_error(EXIT_USAGE, "--due-rel needs SITTING:open|close:±N[d|wd]")
                                  : cli_error(EXIT_USAGE, "--due needs a date");
            has_due = true;
            task.deadline = &deadline.deadline;
            break;
        case 'g':
            if (!cli_parse_uint(optarg, 99, &num))
                return cli_error(EXIT_USAGE, "--group needs a number 1-99");
            task.group = (uint32_t)num;
            break;
        case 'b':
            if (task.n_basis < SPLIT_MAX)
                basis[task.n_basis++] = optarg;
            task.basis = basis;
            break;
        case 'u': task.unplanned = true; break;
        case 'B': allow_unscheduled = true; break;
        default: return cli_error(EXIT_USAGE, "see 'thuky task --help'");
        }
    }
    if (optind != argc)
        return cli_error(EXIT_USAGE, "unexpected argument '%s'", argv[optind]);
    if (!task.program_year || !task.title[0] || !task.lead_office[0])
        return cli_error(EXIT_USAGE, "task add needs --program, --title and --lead");
    Thuky__TaskAddRequest req = THUKY__TASK_ADD_REQUEST__INIT;
    req.task = &task;
    req.allow_unscheduled = allow_unscheduled;
    Thuky__Task *created = NULL;
    int rc = cli_call(cli, SERVICE_TASKD, "task.add", &req.base, &thuky__task__descriptor,
                      (ProtobufCMessage **)&created);
    if (rc != EXIT_OK)
        return rc;
    if (cli->json)
        cli_print_json(render_task_json(created));
    else
        printf("T%u\n", created->id);
    thuky__task__free_unpacked(created, NULL);
    return EXIT_OK;
}

/* Adds up the counts of every page of the query. */
static int s_count(cli_t *cli, Thuky__TaskListRequest *req)
{
    req->count_only = true;
    uint64_t total = 0;
    uint8_t cursor[128]; /* an index key: longer than any the service makes */
    for (;;) {
        Thuky__TaskList *page = NULL;
        int rc = cli_call(cli, SERVICE_TASKD, "task.list", &req->base, &thuky__task_list__descriptor,
                          (ProtobufCMessage **)&page);
        if (rc != EXIT_OK)
            return rc;
        total += page->count;
        bool more = page->next_cursor.len > 0;
        if (more) {
            size_t len = page->next_cursor.len < sizeof cursor ? page->next_cursor.len : sizeof cursor;
            memcpy(cursor, page->next_cursor.data, len);
            req->cursor.data = cursor;
            req->cursor.len = len;
        }
        thuky__task_list__free_unpacked(page, NULL);
        if (!more)
            break;
    }
    if (cli->json)
        cli_print_json(json_pack("{s:I}", "count", (json_int_t)total));
    else
        printf("%" PRIu64 "\n", total);
    return EXIT_OK;
}

/* The listed tasks as one document (--format, --out). */
static int s_write_list(const cli_tasks_t *tasks, report_format_t format, const char *out)
{
    const report_section_t section = {.title = _("Tasks"), .tasks = tasks->tasks,
                                      .count = tasks->count};
    const report_doc_t doc = {.title = _("Task list"),
                              .day = date_local_day(clock_now_ms() / 1000),
                              .sections = &section,
                              .n_sections = 1};
    return report_write(&doc, format, out);
}

static int s_list(cli_t *cli, int argc, char **argv)
{
    static const struct option options[] = {
        {"program", required_argument, NULL, 'p'},    {"office", required_argument, NULL, 'o'},
        {"status", required_argument, NULL, 's'},     {"due-before", required_argument, NULL, 'b'},
        {"due-from", required_argument, NULL, 'f'},   {"overdue", no_argument, NULL, 'O'},
        {"flagged", no_argument, NULL, 'F'},          {"limit", required_argument, NULL, 'n'},
        {"all", no_argument, NULL, 'a'},              {"sitting", required_argument, NULL, 'S'},
        {"count", no_argument, NULL, 'c'},            {"format", required_argument, NULL, 'x'},
        {"out", required_argument, NULL, 'w'},        {NULL, 0, NULL, 0}};
    Thuky__TaskListRequest req = THUKY__TASK_LIST_REQUEST__INIT;
    char before[DATE_ISO_LEN], from[DATE_ISO_LEN];
    unsigned long num, limit = 100;
    bool count_only = false, document = false, limit_given = false;
    report_format_t format = REPORT_TEXT;
    const char *out = NULL;
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 'p':
            if (!cli_parse_uint(optarg, 9999, &num))
                return cli_error(EXIT_USAGE, "--program needs a year");
            req.program_year = (uint32_t)num;
            break;
        case 'o': req.office = optarg; break;
        case 's':
            if (!render_parse_status(optarg, &req.status))
                return cli_error(EXIT_USAGE, "unknown status '%s' (open, in_progress, done, cancelled)", optarg);
            break;
        case 'b':
            if (!cli_parse_date(optarg, before))
                return EXIT_USAGE;
            req.due_before = before;
            break;
        case 'f':
            if (!cli_parse_date(optarg, from))
                return EXIT_USAGE;
            req.due_from = from;
            break;
        case 'O': req.overdue = true; break;
        case 'F': req.flagged = true; break;
        case 'a': req.all_statuses = true; break;
        case 'S': req.sitting = optarg; break;
        case 'c': count_only = true; break;
        case 'x':
            if (!report_format_parse(optarg, &format))
                return cli_error(EXIT_USAGE, "unknown format '%s' (text, html, csv, xlsx, pdf)", optarg);
            document = true;
            break;
        case 'w': out = optarg; document = true; break;
        case 'n':
            if (!cli_parse_uint(optarg, 1000000, &limit) || limit == 0)
                return cli_error(EXIT_USAGE, "--limit needs a positive number");
            limit_given = true;
            break;
        default: return cli_error(EXIT_USAGE, "see 'thuky task --help'");
        }
    }
    if (optind != argc)
        return cli_error(EXIT_USAGE, "unexpected argument '%s'", argv[optind]);
    if (document && cli->json)
        return cli_error(EXIT_USAGE, "--json prints JSON to standard output: leave out "
                                     "--format and --out");
    /* A screen shows the first 100; a document holds every task asked for. */
    if (document && !limit_given)
        limit = LIST_DOCUMENT_MAX;
    if (count_only)
        return s_count(cli, &req);
    req.limit = limit < 10000 ? (uint32_t)limit : 10000;
    cli_tasks_t tasks;
    int rc = cli_list_all(cli, &req, limit, &tasks);
    if (rc == EXIT_OK && document)
        rc = s_write_list(&tasks, format, out);
    else if (rc == EXIT_OK)
        render_task_table(cli, tasks.tasks, tasks.count);
    cli_tasks_free(&tasks);
    return rc;
}

/* The history's field names (as taskd records them) for people. */
static const struct {
    const char *field, *label;
} s_fields[] = {
    {"status", N_("status")},
    {"progress", N_("progress")},
    {"title", N_("title")},
    {"lead_office", N_("lead office")},
    {"lead_member", N_("lead member")},
    {"deadline", N_("deadline rule")},
    {"deadline.date", N_("deadline")},
    {"flag.quality", N_("falls short on quality")},
    {"flag.dispute", N_("members still disagree")},
    {"flag.sitting_cancelled", N_("its sitting was cancelled")},
};

static const char *s_field_label(const char *field)
{
    for (size_t i = 0; i < sizeof s_fields / sizeof s_fields[0]; i++)
        if (strcmp(field, s_fields[i].field) == 0)
            return _(s_fields[i].label);
    return field;
}

/* A recorded value for people: a status in words, a date in the user's
 * form, a flag as set or "-". */
static void s_change_value(const char *field, const char *value, char *out, size_t len)
{
    Thuky__TaskStatus status;
    if (!value[0])
        snprintf(out, len, "-");
    else if (strcmp(field, "status") == 0 && render_parse_status(value, &status))
        snprintf(out, len, "%s", render_status_label(status));
    else if (strncmp(field, "flag.", 5) == 0 && strcmp(value, "set") == 0)
        snprintf(out, len, "%s", _("set"));
    else if (strcmp(field, "deadline.date") == 0)
        render_iso_date(value, out, len);
    else
        snprintf(out, len, "%s", value);
}

static void s_print_detail(const Thuky__TaskDetail *detail)
{
    const Thuky__Task *t = detail->task;
    char due[RENDER_DEADLINE_LEN], rule[DEADLINE_TEXT_MAX], flags[RENDER_FLAGS_LEN], created[DATE_TIME_LEN],
        updated[DATE_TIME_LEN];
    render_deadline(t, due, sizeof due);
    deadline_format_rule(t->deadline, rule, sizeof rule);
    render_flags(t, flags, sizeof flags);
    render_time(t->created_ms, created, sizeof created);
    render_time(t->updated_ms, updated, sizeof updated);
    printf("T%u  %s\n", t->id, t->title);
    if (t->description[0])
        printf(_("  description:  %s\n"), t->description);
    printf(_("  program:      %u"), t->program_year);
    if (t->group)
        printf(_(", group %u"), t->group);
    printf("\n");
    printf(_("  lead:         %s%s%s\n"), t->lead_office, t->lead_member[0] ? " / " : "",
           t->lead_member);
    if (t->n_with_offices) {
        fputs(_("  with:         "), stdout);
        for (size_t i = 0; i < t->n_with_offices; i++)
            printf("%s%s", i ? ", " : "", t->with_offices[i]);
        printf("\n");
    }
    printf(_("  deadline:     %s"), due);
    if (t->deadline && t->deadline->rule_case == THUKY__DEADLINE__RULE_RELATIVE)
        printf(_("  (rule %s)"), rule);
    printf("\n");
    if (detail->provisional_year)
        printf(_("                provisional: the working days of %u are not announced yet "
                 "(no %u.conf); the date may move when they are\n"),
               detail->provisional_year, detail->provisional_year);
    printf(_("  status:       %s, %u%%\n"), render_status_label(t->status), t->progress);
    if (flags[0])
        printf(_("  flags:        %s\n"), flags);
    if (t->unplanned)
        fputs(_("  unplanned:    yes\n"), stdout);
    for (size_t i = 0; i < t->n_basis; i++)
        printf(_("  basis:        %s\n"), t->basis[i]);
    if (t->ref[0])
        printf(_("  ref:          %s\n"), t->ref);
    printf(_("  created:      %s, updated %s, version %u\n"), created, updated, t->version);
    printf("\n%s\n", _("History:"));

    static const char *const headers[] = {N_("TIME"), N_("BY"), N_("CHANGE"), N_("NOTE")};
    table_t *table = render_table_new(4, headers, "llll");
    table_set_max_width(table, 3, 60);
    for (size_t i = 0; i < detail->n_history; i++) {
        const Thuky__HistoryEntry *h = detail->history[i];
        char when[DATE_TIME_LEN], change[1024] = "";
        render_time(h->time_ms, when, sizeof when);
        size_t used = 0;
        if (i == 0 && h->n_changes == 0)
            snprintf(change, sizeof change, "%s", _("created"));
        for (size_t c = 0; c < h->n_changes && used < sizeof change; c++) {
            char old_value[256], new_value[256];
            const Thuky__FieldChange *fc = h->changes[c];
            s_change_value(fc->field, fc->old_value, old_value, sizeof old_value);
            s_change_value(fc->field, fc->new_value, new_value, sizeof new_value);
            int n = snprintf(change + used, sizeof change - used, "%s%s: %s → %s", c ? "; " : "",
                             s_field_label(fc->field), old_value, new_value);
            if (n < 0)
                break;
            used += (size_t)n;
        }
        const char *cells[] = {when, h->caller, change, h->note};
        table_add_row(table, cells);
    }
    table_print(table, stdout);
    table_destroy(&table);
}

static int s_show(cli_t *cli, int argc, char **argv)
{
    uint32_t id;
    if (argc != 2 || !cli_parse_task_id(argv[1], &id))
        return cli_error(EXIT_USAGE, "usage: thuky task show ID (e.g. T12)");
    Thuky__TaskGetRequest req = THUKY__TASK_GET_REQUEST__INIT;
    req.id = id;
    Thuky__TaskDetail *detail = NULL;
    int rc = cli_call(cli, SERVICE_TASKD, "task.get", &req.base, &thuky__task_detail__descriptor,
                      (ProtobufCMessage **)&detail);
    if (rc != EXIT_OK)
        return rc;
    if (cli->json) {
        json_t *obj = render_task_json(detail->task);
        json_t *history = json_array();
        for (size_t i = 0; i < detail->n_history; i++)
            json_array_append_new(history, render_history_json(detail->history[i]));
        json_object_set_new(obj, "history", history);
        json_t *deadline = json_object_get(obj, "deadline");
        if (json_is_object(deadline)) {
            json_object_set_new(deadline, "provisional", json_boolean(detail->provisional_year));
            if (detail->provisional_year)
                json_object_set_new(deadline, "provisional_year",
                                    json_integer(detail->provisional_year));
        }
        cli_print_json(obj);
    } else {
        s_print_detail(detail);
    }
    thuky__task_detail__free_unpacked(detail, NULL);
    return EXIT_OK;
}

static int s_update(cli_t *cli, int argc, char **argv, bool done)
{
    static const struct option options[] = {
        {"progress", required_argument, NULL, 'p'},   {"status", required_argument, NULL, 's'},
        {"flag", required_argument, NULL, 'f'},       {"clear-flag", required_argument, NULL, 'c'},
        {"note", required_argument, NULL, 'n'},       {"due", required_argument, NULL, 'd'},
        {"due-rel", required_argument, NULL, 'r'},    {"title", required_argument, NULL, 't'},
        {"lead", required_argument, NULL, 'l'},       {"member", required_argument, NULL, 'm'},
        {"expect-version", required_argument, NULL, 'v'},
        {"before-sitting", no_argument, NULL, 'B'}, {NULL, 0, NULL, 0}};
    Thuky__TaskUpdateRequest req = THUKY__TASK_UPDATE_REQUEST__INIT;
    Thuky__TaskFlag set_flags[2], clear_flags[2];
    deadline_buf_t deadline;
    unsigned long num;
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        Thuky__TaskFlag flag;
        switch (opt) {
        case 'p':
            if (!cli_parse_uint(optarg, 100, &num))
                return cli_error(EXIT_USAGE, "--progress needs a percentage 0-100, not '%s'", optarg);
            req.progress_set_case = THUKY__TASK_UPDATE_REQUEST__PROGRESS_SET_PROGRESS;
            req.progress = (uint32_t)num;
            break;
        case 's':
            if (!render_parse_status(optarg, &req.status))
                return cli_error(EXIT_USAGE, "unknown status '%s' (open, in_progress, done, cancelled)", optarg);
            req.status_set_case = THUKY__TASK_UPDATE_REQUEST__STATUS_SET_STATUS;
            break;
        case 'f':
        case 'c':
            if (!s_parse_flag(optarg, &flag))
                return cli_error(EXIT_USAGE, "unknown flag '%s' (quality, dispute)", optarg);
            if (opt == 'f' && req.n_set_flags < 2)
                set_flags[req.n_set_flags++] = flag;
            if (opt == 'c' && req.n_clear_flags < 2)
                clear_flags[req.n_clear_flags++] = flag;
            break;
        case 'n': req.note = optarg; break;
        case 'd':
        case 'r':
            if (!s_parse_deadline(optarg, &deadline))
                return EXIT_USAGE;
            req.deadline = &deadline.deadline;
            break;
        case 't': req.title_set_case = THUKY__TASK_UPDATE_REQUEST__TITLE_SET_TITLE; req.title = optarg; break;
        case 'l': req.lead_office_set_case = THUKY__TASK_UPDATE_REQUEST__LEAD_OFFICE_SET_LEAD_OFFICE; req.lead_office = optarg; break;
        case 'm': req.lead_member_set_case = THUKY__TASK_UPDATE_REQUEST__LEAD_MEMBER_SET_LEAD_MEMBER; req.lead_member = optarg; break;
        case 'v':
            if (!cli_parse_uint(optarg, UINT32_MAX, &num))
                return cli_error(EXIT_USAGE, "--expect-version needs a number");
            req.expected_version = (uint32_t)num;
            break;
        case 'B': req.allow_unscheduled = true; break;
        default: return cli_error(EXIT_USAGE, "see 'thuky task --help'");
        }
    }
    if (optind + 1 != argc || !cli_parse_task_id(argv[optind], &req.id))
        return cli_error(EXIT_USAGE, "usage: thuky task %s ID [options] (e.g. T12)", done ? "done" : "update");
    req.set_flags = set_flags;
    req.clear_flags = clear_flags;
    if (done) {
        req.status_set_case = THUKY__TASK_UPDATE_REQUEST__STATUS_SET_STATUS;
        req.status = THUKY__TASK_STATUS__TASK_DONE;
    }
    Thuky__Task *task = NULL;
    int rc = cli_call(cli, SERVICE_TASKD, "task.update", &req.base, &thuky__task__descriptor,
                      (ProtobufCMessage **)&task);
    if (rc != EXIT_OK)
        return rc;
    s_print_task(cli, task);
    thuky__task__free_unpacked(task, NULL);
    return EXIT_OK;
}

int cmd_task(cli_t *cli, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        fputs(_(s_usage), argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (cli_wants_help(argc, argv, _(s_usage)))
        return EXIT_OK;
    const char *sub = argv[1];
    if (strcmp(sub, "add") == 0)
        return s_add(cli, argc - 1, argv + 1);
    if (strcmp(sub, "list") == 0)
        return s_list(cli, argc - 1, argv + 1);
    if (strcmp(sub, "show") == 0)
        return s_show(cli, argc - 1, argv + 1);
    if (strcmp(sub, "update") == 0)
        return s_update(cli, argc - 1, argv + 1, false);
    if (strcmp(sub, "done") == 0)
        return s_update(cli, argc - 1, argv + 1, true);
    return cli_error(EXIT_USAGE, "unknown task command '%s' (add, list, show, update, done)", sub);
}
