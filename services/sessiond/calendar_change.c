/* The calendar changed: the session service says so to everyone.
 *
 * Each daemon notices a change of the working-day calendar on its own (it
 * keeps the calendar it computed with, calendar_watch.h) and recomputes
 * its own results; the session service, which answers for the calendar,
 * publishes the change as one "calendar.changed" event for the record and
 * for outside consumers: the days that changed, as they are now. */
#include <stdio.h>
#include <string.h>

#include "base/date.h"
#include "runtime/eventlog.h"
#include "sessiond.h"

#define NOTABLE_MAX 64

/* The reason the calendar gives for a day (a holiday's, an override's), or
 * what the day simply is. */
static void s_reason(const workcal_t *cal, int32_t day, bool working, char *out, size_t len)
{
    int year;
    date_to_ymd(day, &year, NULL, NULL);
    workcal_day_t notable[NOTABLE_MAX];
    size_t n = workcal_year(cal, year, notable, NOTABLE_MAX);
    for (size_t i = 0; i < n && i < NOTABLE_MAX; i++)
        if (notable[i].day == day) {
            snprintf(out, len, "%s", notable[i].reason);
            return;
        }
    snprintf(out, len, "%s", working ? "ngày làm việc (working day)" : "ngày nghỉ (day off)");
}

void sessiond_calendar_changed(void *arg, store_txn_t *txn, const calendar_change_t *change,
                               int64_t now_ms)
{
    sessiond_t *sd = arg;
    if (!change->recorded)
        return; /* a store older than the record: what changed is not known */
    size_t n = change->n_days < CALENDAR_CHANGE_DAYS_MAX ? change->n_days
                                                         : CALENDAR_CHANGE_DAYS_MAX;
    Thuky__CalendarDay days[CALENDAR_CHANGE_DAYS_MAX], *ptrs[CALENDAR_CHANGE_DAYS_MAX];
    char dates[CALENDAR_CHANGE_DAYS_MAX][DATE_ISO_LEN];
    char reasons[CALENDAR_CHANGE_DAYS_MAX][WORKCAL_REASON_MAX];
    for (size_t i = 0; i < n; i++) {
        thuky__calendar_day__init(&days[i]);
        date_format_iso(change->days[i], dates[i]);
        days[i].date = dates[i];
        days[i].working = workcal_is_working_day(sd->calendar, change->days[i]);
        s_reason(sd->calendar, change->days[i], days[i].working, reasons[i], sizeof reasons[i]);
        days[i].reason = reasons[i];
        ptrs[i] = &days[i];
    }
    Thuky__CalendarChange payload = THUKY__CALENDAR_CHANGE__INIT;
    payload.days = ptrs;
    payload.n_days = n;
    payload.changed = (uint32_t)change->n_days;
    payload.recorded = change->recorded;
    Thuky__Event event = THUKY__EVENT__INIT;
    event.type = "calendar.changed";
    event.subject = "calendar";
    event.payload_case = THUKY__EVENT__PAYLOAD_CALENDAR;
    event.calendar = &payload;
    eventlog_append(server_eventlog(sd->server), txn, &event, now_ms);
}
