/* The working-day calendar as commands: a year's days off, and working-day
 * arithmetic. The calendar itself lives in common/ (workcal): every daemon
 * computes it the same way from the same override files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/i18n.h"
#include "base/log.h"
#include "runtime/clock.h"
#include "sessiond.h"

#define YEAR_DAYS_MAX 64

static Thuky__CalendarDay *s_days_new(const workcal_day_t *days, size_t n, char (*dates)[DATE_ISO_LEN])
{
    Thuky__CalendarDay *out = xcalloc(n ? n : 1, sizeof *out);
    for (size_t i = 0; i < n; i++) {
        thuky__calendar_day__init(&out[i]);
        date_format_iso(days[i].day, dates[i]);
        out[i].date = dates[i];
        out[i].working = days[i].working;
        out[i].reason = (char *)days[i].reason;
    }
    return out;
}

void calendar_year(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__CalendarYearRequest *req = (const Thuky__CalendarYearRequest *)request;
    const sessiond_t *sd = call->service;
    if (req->year < DATE_MIN_YEAR || req->year > DATE_MAX_YEAR) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                    "year must be %d-%d", DATE_MIN_YEAR, DATE_MAX_YEAR);
        return;
    }
    workcal_day_t days[YEAR_DAYS_MAX];
    size_t n = workcal_year(sd->calendar, (int)req->year, days, YEAR_DAYS_MAX);
    if (n > YEAR_DAYS_MAX)
        n = YEAR_DAYS_MAX;
    char dates[YEAR_DAYS_MAX][DATE_ISO_LEN];
    Thuky__CalendarDay *items = s_days_new(days, n, dates);
    Thuky__CalendarDay *ptrs[YEAR_DAYS_MAX];
    for (size_t i = 0; i < n; i++)
        ptrs[i] = &items[i];
    Thuky__CalendarYearReply reply = THUKY__CALENDAR_YEAR_REPLY__INIT;
    reply.days = ptrs;
    reply.n_days = n;
    reply.provisional = !workcal_year_announced(sd->calendar, (int)req->year);
    server_reply(call, &reply.base);
    free(items);
}

void calendar_add_days(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__CalendarAddDaysRequest *req = (const Thuky__CalendarAddDaysRequest *)request;
    const sessiond_t *sd = call->service;
    int32_t day, result;
    const char *why;
    if (!date_parse(req->date, &day, &why)) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "date: %s",
                    i18n_text(call->lang, why));
        return;
    }
    if (req->days < -3650 || req->days > 3650) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "days must be within ±3650");
        return;
    }
    bool ok;
    if (req->calendar_days) {
        result = day + req->days;
        int y;
        date_to_ymd(result, &y, NULL, NULL);
        ok = y >= DATE_MIN_YEAR && y <= DATE_MAX_YEAR;
        why = N_("the result falls outside 1900-2199");
    } else {
        ok = workcal_add_working_days(sd->calendar, day, req->days, &result, &why);
    }
    if (!ok) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "%s", i18n_text(call->lang, why));
        return;
    }
    /* The notable days off passed over on the way (holidays, not weekends). */
    int32_t lo = day < result ? day : result, hi = day < result ? result : day;
    workcal_day_t found[YEAR_DAYS_MAX], year_days[YEAR_DAYS_MAX];
    size_t n = 0;
    int y0, y1;
    date_to_ymd(lo, &y0, NULL, NULL);
    date_to_ymd(hi, &y1, NULL, NULL);
    for (int y = y0; y <= y1 && n < YEAR_DAYS_MAX && !req->calendar_days; y++) {
        size_t got = workcal_year(sd->calendar, y, year_days, YEAR_DAYS_MAX);
        for (size_t i = 0; i < got && i < YEAR_DAYS_MAX && n < YEAR_DAYS_MAX; i++)
            if (year_days[i].day > lo && year_days[i].day < hi &&
                !workcal_is_working_day(sd->calendar, year_days[i].day) &&
                date_weekday(year_days[i].day) <= 5)
                found[n++] = year_days[i];
    }
    char dates[YEAR_DAYS_MAX][DATE_ISO_LEN];
    Thuky__CalendarDay *items = s_days_new(found, n, dates);
    Thuky__CalendarDay *ptrs[YEAR_DAYS_MAX];
    for (size_t i = 0; i < n; i++)
        ptrs[i] = &items[i];
    char iso[DATE_ISO_LEN];
    date_format_iso(result, iso);
    Thuky__CalendarAddDaysReply reply = THUKY__CALENDAR_ADD_DAYS_REPLY__INIT;
    reply.date = iso;
    reply.skipped = ptrs;
    reply.n_skipped = n;
    server_reply(call, &reply.base);
    free(items);
}

/* Deadlines in a year without an announcement may move when it comes (a
 * longer Tết, a make-up Saturday): the admin should know to add the file. */
void calendar_warn_unannounced(const workcal_t *calendar, const char *dir)
{
    int year;
    date_to_ymd(date_local_day(clock_now_ms() / 1000), &year, NULL, NULL);
    for (int y = year; y <= year + 1; y++) {
        if (y < WORKCAL_MIN_YEAR || y > WORKCAL_MAX_YEAR || workcal_year_announced(calendar, y))
            continue;
        char where[CONFIG_PATH_MAX + 32];
        if (dir)
            snprintf(where, sizeof where, _("no %s/%d.conf"), dir, y);
        else
            snprintf(where, sizeof where, "%s", _("no calendar_dir"));
        log_warnx("calendar: no official announcement for %d (%s): working days of %d are "
                  "computed from the Labour Code and provisional",
                  y, where, y);
    }
}
