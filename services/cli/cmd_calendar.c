/* thuky calendar YEAR | add-days DATE ±N */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "calendar/workcal.h"
#include "text/table.h"
#include "cli.h"

static const char s_usage[] = N_(
    "usage: thuky calendar YEAR\n"
    "       thuky calendar add-days DATE ±N [--calendar-days]\n"
    "\n"
    "The working-day calendar (Asia/Ho_Chi_Minh): Monday to Friday minus the\n"
    "public holidays of the Labour Code — New Year, the Lunar New Year (its eve\n"
    "through the 4th day), Hùng Kings' day (10/3 lunar), 30/4, 1/5, 2/9 and one\n"
    "adjacent day (2/9 alone before 2021) — with a compensatory day when a\n"
    "holiday falls on a weekend, corrected by the per-year override files the\n"
    "government's announcements give (calendar_dir in thuky.conf).\n"
    "\n"
    "YEAR (1900-2199) lists the year's days off besides weekends, and make-up\n"
    "working days; a year with no override file is provisional (a warning).\n"
    "add-days counts N working days after DATE (before it when N is negative).\n");

static const char *const s_weekdays[] = {"",         N_("Mon"), N_("Tue"), N_("Wed"),
                                         N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun")};

/* The weekday of an ISO date, as people read it ("" when it is not one). */
static const char *s_weekday(const char *iso)
{
    int32_t day;
    return date_parse(iso, &day, NULL) ? _(s_weekdays[date_weekday(day)]) : "";
}

static void s_print_days(const cli_t *cli, Thuky__CalendarDay *const *days, size_t n, json_t *into)
{
    if (cli->json) {
        json_t *array = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(array, json_pack("{s:s, s:b, s:s}", "date", days[i]->date,
                                                   "working", days[i]->working, "reason",
                                                   days[i]->reason));
        json_object_set_new(into, "days", array);
        return;
    }
    static const char *const headers[] = {N_("DATE"), N_("DAY"), "", N_("REASON")};
    table_t *table = render_table_new(4, headers, "llll");
    for (size_t i = 0; i < n; i++) {
        char date[DATE_ISO_LEN];
        render_iso_date(days[i]->date, date, sizeof date);
        const char *cells[] = {date, s_weekday(days[i]->date),
                               days[i]->working ? _("work") : _("off"), days[i]->reason};
        table_add_row(table, cells);
    }
    table_print(table, stdout);
    table_destroy(&table);
}

/* YEAR: a whole number (a sign allowed) in the calendar's range. Returns
   EXIT_OK, or EXIT_USAGE after one line on stderr. */
static int s_parse_year(const char *text, long *year)
{
    const char *digits = text + (text[0] == '-' || text[0] == '+');
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (!isdigit((unsigned char)digits[0]) || *end)
        return cli_error(EXIT_USAGE, "usage: thuky calendar YEAR");
    if (errno == ERANGE || v < WORKCAL_MIN_YEAR || v > WORKCAL_MAX_YEAR)
        return cli_error(EXIT_USAGE, "year %s is out of range %d-%d", text, WORKCAL_MIN_YEAR,
                         WORKCAL_MAX_YEAR);
    *year = v;
    return EXIT_OK;
}

static int s_year(cli_t *cli, const char *text)
{
    long year = 0;
    int rc = s_parse_year(text, &year);
    if (rc != EXIT_OK)
        return rc;
    Thuky__CalendarYearRequest req = THUKY__CALENDAR_YEAR_REQUEST__INIT;
    req.year = (uint32_t)year;
    Thuky__CalendarYearReply *reply = NULL;
    rc = cli_call(cli, SERVICE_SESSIOND, "calendar.year", &req.base,
                  &thuky__calendar_year_reply__descriptor, (ProtobufCMessage **)&reply);
    if (rc != EXIT_OK)
        return rc;
    /* A year without an announcement is the Labour Code's alone: the
     * government may still move days (a longer Tết, a make-up Saturday). */
    if (reply->provisional)
        fprintf(stderr,
                _("thuky: warning: %ld has no official announcement (no override file): its days "
                  "off are computed from the Labour Code and provisional\n"),
                year);
    json_t *o = json_pack("{s:i, s:b}", "year", (int)year, "provisional", reply->provisional);
    s_print_days(cli, reply->days, reply->n_days, o);
    if (cli->json)
        cli_print_json(o);
    else
        json_decref(o);
    thuky__calendar_year_reply__free_unpacked(reply, NULL);
    return EXIT_OK;
}

static int s_add_days(cli_t *cli, int argc, char **argv)
{
    bool calendar_days = argc == 4 && strcmp(argv[3], "--calendar-days") == 0;
    if (argc != 3 && !calendar_days)
        return cli_error(EXIT_USAGE, "usage: thuky calendar add-days DATE ±N [--calendar-days]");
    char date[DATE_ISO_LEN];
    if (!cli_parse_date(argv[1], date))
        return EXIT_USAGE;
    char *end;
    long n = strtol(argv[2], &end, 10);
    if (*argv[2] == '\0' || *end || n < -3650 || n > 3650)
        return cli_error(EXIT_USAGE, "N must be a whole number of days within ±3650");
    Thuky__CalendarAddDaysRequest req = THUKY__CALENDAR_ADD_DAYS_REQUEST__INIT;
    req.date = date;
    req.days = (int32_t)n;
    req.calendar_days = calendar_days;
    Thuky__CalendarAddDaysReply *reply = NULL;
    int rc = cli_call(cli, SERVICE_SESSIOND, "calendar.add_days", &req.base,
                      &thuky__calendar_add_days_reply__descriptor, (ProtobufCMessage **)&reply);
    if (rc != EXIT_OK)
        return rc;
    json_t *o = json_pack("{s:s, s:i, s:s}", "from", date, "days", (int)n, "date", reply->date);
    if (cli->json) {
        s_print_days(cli, reply->skipped, reply->n_skipped, o);
        cli_print_json(o);
    } else {
        char day[DATE_ISO_LEN];
        render_iso_date(reply->date, day, sizeof day);
        printf("%s (%s)\n", day, s_weekday(reply->date));
        if (reply->n_skipped) {
            printf("\n%s\n", _("days off passed over:"));
            s_print_days(cli, reply->skipped, reply->n_skipped, o);
        }
        json_decref(o);
    }
    thuky__calendar_add_days_reply__free_unpacked(reply, NULL);
    return EXIT_OK;
}

int cmd_calendar(cli_t *cli, int argc, char **argv)
{
    if (argc < 2)
        return fputs(_(s_usage), stderr), EXIT_USAGE;
    if (cli_wants_help(argc, argv, _(s_usage)))
        return EXIT_OK;
    if (strcmp(argv[1], "add-days") == 0)
        return s_add_days(cli, argc - 1, argv + 1);
    if (argc == 2)
        return s_year(cli, argv[1]);
    return fputs(_(s_usage), stderr), EXIT_USAGE;
}
