/* thuky report briefing: what the Secretary General reviews at the
 * periodic briefing (giao ban định kỳ). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "base/date.h"
#include "runtime/clock.h"
#include "cli.h"

#define REPORT_MAX 10000
#define UPCOMING_DAYS 14

static const char s_usage[] =
    "usage: thuky report briefing [--date DATE] [--json]\n"
    "\n"
    "Open and in-progress tasks: behind schedule (chậm tiến độ: deadline before\n"
    "DATE), falling short on quality (không bảo đảm chất lượng), disputed (còn\n"
    "nhiều ý kiến khác nhau), and due in the 14 days from DATE. DATE defaults\n"
    "to today.\n";

typedef struct {
    const char *key, *title;
} section_t;

static const section_t s_sections[] = {
    {"behind_schedule", "Behind schedule (chậm tiến độ)"},
    {"quality", "Falls short on quality (không bảo đảm chất lượng)"},
    {"dispute", "Members still disagree (còn nhiều ý kiến khác nhau)"},
    {"due_soon", "Due in the next 14 days (đến hạn trong 14 ngày tới)"},
};

static bool s_has_flag(const Thuky__Task *t, Thuky__TaskFlag flag)
{
    for (size_t i = 0; i < t->n_flags; i++)
        if (t->flags[i] == flag)
            return true;
    return false;
}

int cmd_report(cli_t *cli, int argc, char **argv)
{
    if (cli_wants_help(argc, argv, s_usage))
        return EXIT_OK;
    if (argc < 2 || strcmp(argv[1], "briefing") != 0)
        return fputs(s_usage, stderr), EXIT_USAGE;
    static const struct option options[] = {{"date", required_argument, NULL, 'd'},
                                            {NULL, 0, NULL, 0}};
    char date[DATE_ISO_LEN], until[DATE_ISO_LEN];
    int32_t day = date_local_day(clock_now_ms() / 1000);
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc - 1, argv + 1, "", options, NULL)) != -1) {
        if (opt != 'd')
            return cli_error(EXIT_USAGE, "see 'thuky report --help'");
        if (!cli_parse_date(optarg, date))
            return EXIT_USAGE;
        date_parse(date, &day, NULL);
    }
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
        char vn[DATE_ISO_LEN];
        date_format_vn(day, vn);
        printf("Briefing report for %s\n", vn);
        for (int s = 0; s < 4; s++) {
            printf("\n%s: %zu\n", s_sections[s].title, lists[s].count);
            if (lists[s].count)
                render_task_table(cli, lists[s].tasks, lists[s].count);
        }
    }
    for (int i = 0; i < 4; i++)
        cli_tasks_free(&lists[i]);
    return rc;
}
