/* The working-day calendar a daemon's stored results were computed with.
 *
 * A deadline "5 working days before the opening" and an alert "on the
 * working day before" depend on the calendar; the calendar depends on
 * override files an operator edits (deploy/calendar/YYYY.conf). Each
 * daemon keeps the bitmap of the calendar it computed with in its meta
 * database ("calendar"), so a change seen at a reload (SIGHUP) or at
 * start is noticed, whatever happened while it was stopped, and what was
 * computed from the old calendar is recomputed (daemon_calendar_sync). */
#ifndef THUKY_CALENDAR_WATCH_H
#define THUKY_CALENDAR_WATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "calendar/workcal.h"
#include "runtime/store.h"

/* Days listed in a change; the count goes on beyond. */
#define CALENDAR_CHANGE_DAYS_MAX 64

typedef struct {
    bool recorded;   /* a calendar was recorded (false: a store older than the record) */
    size_t n_days;   /* days whose working status changed */
    int32_t days[CALENDAR_CHANGE_DAYS_MAX]; /* the first of them, ascending */
} calendar_change_t;

/* Compares cal with the recorded calendar. True when they differ or
 * nothing was recorded (what was computed then is not known to match). */
bool calendar_watch_check(store_txn_t *txn, MDB_dbi meta, const workcal_t *cal,
                          calendar_change_t *change);

/* Records cal as the calendar the store's results are computed with. */
void calendar_watch_record(store_txn_t *txn, MDB_dbi meta, const workcal_t *cal);

/* "2024-10-15 now off, 2024-10-19 now working (+3 more)" for the log. */
void calendar_change_describe(const calendar_change_t *change, const workcal_t *cal, char *out,
                              size_t len);

#endif
