/* thuky report briefing: what the Secretary General reviews at the
 * periodic briefing (giao ban định kỳ), on the terminal or as a document
 * (report_doc.h: HTML, CSV, XLSX, PDF). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "base/date.h"
#include "domain/timeline_svg.h"
#include "runtime/clock.h"
#include "cli.h"
#include "report_doc.h"

#define REPORT_MAX 10000
#define UPCOMING_DAYS 14 /* the number is in the section's title */
#define SITTINGS_MAX 1000

static const char s_usage[] = N_(
    "usage: thuky report briefing [--date DATE] [--format FMT] [--out FILE] [--json]\n"
    "\n"
    "Open and in-progress tasks: behind schedule (deadline before DATE), falling\n"
    "short on quality, on which members still disagree, and due in the 14 days\n"
    "from DATE. DATE defaults to today.\n"
    "\n"
    "  --format FMT  text (the default), html (an A4 document with the timeline of\n"
    "                deadlines against the sittings), csv (for Excel), xlsx or pdf\n"
    "                (printed from the html by Chromium)\n"
    "  --out FILE    write to FILE instead of standard output (xlsx and pdf need it)\n"
    "  --json        the report as JSON (ISO dates), for scripts\n");

typedef struct {
    const char *key, *title;
} section_t;

static const section_t s_sections[] = {
    {"behind_schedule", N_("Tasks behind schedule")},
    {"quality", N_("Tasks that fall short on quality")},
    {"dispute", N_("Tasks on which members still disagree")},
    {"due_soon", N_("Tasks due in the next 14 days")},
};

static bool s_has_flag(const Thuky__Task *t, Thuky__TaskFlag flag)
{
    for (size_t i = 0; i < t->n_flags; i++)
        if (t->flags[i] == flag)
            return true;
    return false;
}

/* The sittings the timeline shows (its window around day). */
static int s_sittings(cli_t *cli, int32_t day, Thuky__SessionListReply **reply)
{
    char from[DATE_ISO_LEN], to[DATE_ISO_LEN];
    date_format_iso(day - TIMELINE_BEFORE_DAYS, from);
    date_format_iso(day + TIMELINE_AFTER_DAYS, to);
    Thuky__SessionListRequest req = THUKY__SESSION_LIST_REQUEST__INIT;
    req.from = from;
    req.to = to;
    req.limit = SITTINGS_MAX;
    return cli_call(cli, SERVICE_SESSIOND, "session.list", &req.base,
                    &thuky__session_list_reply__descriptor, (ProtobufCMessage **)reply);
}

static int s_document(cli_t *cli, int32_t day, cli_tasks_t lists[4], report_format_t format,
                      const char *out)
{
    Thuky__SessionListReply *sittings = NULL;
    if (format == REPORT_HTML || format == REPORT_PDF) {
        int rc = s_sittings(cli, day, &sittings);
        if (rc != EXIT_OK)
            return rc;
    }
    report_section_t sections[4];
    for (int s = 0; s < 4; s++)
        sections[s] = (report_section_t){.title = _(s_sections[s].title),
                                         .tasks = lists[s].tasks,
                                         .count = lists[s].count};
    report_doc_t doc = {
        .title = _("Briefing report"),
        .day = day,
        .sections = sections,
        .n_sections = 4,
        .sittings = sittings ? sittings->sittings : NULL,
        .n_sittings = sittings ? sittings->n_sittings : 0,
    };
    int rc = report_write(&doc, format, out);
    if (sittings)
        thuky__session_list_reply__free_unpacked(sittings, NULL);
    return rc;
}

int cmd_report(cli_t *cli, int argc, char **argv)
{
    if (cli_wants_help(argc, argv, _(s_usage)))
        return EXIT_OK;
    if (argc < 2 || strcmp(argv[1], "briefing") != 0)
        return fputs(_(s_usage), stderr), EXIT_USAGE;
    static const struct option options[] = {{"date", required_argument, NULL, 'd'},
                                            {"format", required_argument, NULL, 'f'},
                                            {"out", required_argument, NULL, 'o'},
                                            {NULL, 0, NULL, 0}};
    char date[DATE_ISO_LEN], until[DATE_ISO_LEN];
    int32_t day = date_local_day(clock_now_ms() / 1000);
    report_format_t format = REPORT_TEXT;
    bool format_given = false;
    const char *out = NULL;
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc - 1, argv + 1, "", options, NULL)) != -1) {
        switch (opt) {
        case 'd':
            if (!cli_parse_date(optarg, date))
                return EXIT_USAGE;
            date_parse(date, &day, NULL);
            break;
        case 'f':
            if (!report_format_parse(optarg, &format))
                return cli_error(EXIT_USAGE, "unknown format '%s' (text, html, csv, xlsx, pdf)",
                                 optarg);
            format_given = true;
            break;
        case 'o': out = optarg; break;
        default: return cli_error(EXIT_USAGE, "see 'thuky report --help'");
        }
    }
    if (optind != argc - 1)
        return cli_error(EXIT_USAGE, "see 'thuky report --help'");
    if (cli->json && (format_given || out))
        return cli_error(EXIT_USAGE, "--json prints JSON to standard output: leave out "
                                     "--format and --out");
    date_format_iso(day, date);
    date_format_iso(day + UPCOMING_DAYS, until);

    Thuky__TaskListRequest requests[4];
    for (int i = 0; i < 4; i++) {
        thuky__task_list_request__init(&requests[i]);
        requests[i].limit = REPORT_MAX;
    }
    requests[0].due_before = date;
    requests[1].flagged = true;
    requests[2].flagged = true;
    requests[3].due_from = date;
    requests[3].due_before = until;

    cli_tasks_t lists[4] = {0};
    int rc = EXIT_OK;
    for (int i = 0; i < 4 && rc == EXIT_OK; i++)
        rc = cli_list_all(cli, &requests[i], REPORT_MAX, &lists[i]);
    /* Keep only the flag each flag section is about. */
    for (int s = 1; s <= 2 && rc == EXIT_OK; s++) {
        Thuky__TaskFlag flag = s == 1 ? THUKY__TASK_FLAG__FLAG_QUALITY : THUKY__TASK_FLAG__FLAG_DISPUTE;
        size_t kept = 0;
        for (size_t i = 0; i < lists[s].count; i++)
            if (s_has_flag(lists[s].tasks[i], flag))
                lists[s].tasks[kept++] = lists[s].tasks[i];
        lists[s].count = kept;
    }
    if (rc == EXIT_OK && cli->json) {
        json_t *report = json_pack("{s:s}", "date", date);
        for (int s = 0; s < 4; s++) {
            json_t *array = json_array();
            for (size_t i = 0; i < lists[s].count; i++)
                json_array_append_new(array, render_task_json(lists[s].tasks[i]));
            json_object_set_new(report, s_sections[s].key, array);
        }
        cli_print_json(report);
    } else if (rc == EXIT_OK) {
        rc = s_document(cli, day, lists, format, out);
    }
    for (int i = 0; i < 4; i++)
        cli_tasks_free(&lists[i]);
    return rc;
}
