/* Civil dates and local times for Asia/Ho_Chi_Minh.
 *
 * All arithmetic is done here, never through the process TZ or localtime():
 * Vietnam has used a fixed UTC+7 with no daylight saving since 1975, which is
 * all this back end needs. Dates are proleptic Gregorian.
 *
 * Error messages returned through `why` are static English strings, marked
 * with N_() so a caller translates them where a person reads them; callers
 * must not free them. Every `why` parameter may be NULL. On failure the
 * output parameters are left untouched. */
#ifndef COMMON_DATE_H
#define COMMON_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/i18n.h"

/* A civil date is a day number: days since 1970-01-01 (proleptic Gregorian). */
#define DATE_MIN_YEAR 1900
#define DATE_MAX_YEAR 2199
#define DATE_TZ_OFFSET_S (7 * 3600) /* Asia/Ho_Chi_Minh, UTC+7, no DST */
#define DATE_ISO_LEN 11          /* "2024-05-20" + NUL */
#define DATE_TIME_LEN 17         /* "2024-05-20 08:30" + NUL */

/* Builds a day number; false (and *why set to a static English message) if not a real date
   or the year is outside DATE_MIN_YEAR..DATE_MAX_YEAR. why may be NULL.
   out may be NULL to merely validate. */
bool date_from_ymd(int year, int month, int day, int32_t *out, const char **why);

/* Splits a day number into its civil date. Any output pointer may be NULL. */
void date_to_ymd(int32_t day, int *year, int *month, int *mday);

/* ISO weekday: 1 = Monday ... 7 = Sunday. */
int date_weekday(int32_t day);

/* Parses "2024-05-20" (ISO, exactly YYYY-MM-DD) or "20/05/2024" / "5/1/2024"
   (Vietnamese dd/mm/yyyy with 1-2 digit day and month, 4 digit year).
   Leading/trailing spaces, trailing garbage, impossible dates, month 0/13,
   years outside DATE_MIN_YEAR..DATE_MAX_YEAR, "" and NULL are rejected. */
bool date_parse(const char *text, int32_t *out, const char **why);

/* Parses a date with an optional local time "HH:MM" (two digits each):
   "2024-05-20", "2024-05-20T08:30", "2024-05-20 08:30", "20/05/2024 08:30".
   Returns the UTC instant in unix seconds of that local (UTC+7) time; a date
   alone means 00:00. *has_time tells whether a time was given (may be NULL).
   Hours 0-23, minutes 0-59; seconds are not accepted. */
bool date_parse_datetime(const char *text, int64_t *unix_s, bool *has_time, const char **why);

/* Parses a local clock time "HH:MM" (two digits each, 00:00-23:59) into
   minutes after midnight. minute may be NULL to merely validate. */
bool date_parse_clock(const char *text, int *minute);

void date_format_iso(int32_t day, char out[DATE_ISO_LEN]);   /* 2024-05-20 */
void date_format_vn(int32_t day, char out[DATE_ISO_LEN]);    /* 20/05/2024 */
/* As a person reads it in lang: 20/05/2024 in Vietnamese, ISO in English. */
void date_format_lang(lang_t lang, int32_t day, char out[DATE_ISO_LEN]);
/* An ISO date text ("2024-05-20", maybe with " 08:30" or "T08:30") in
 * lang's form; text that is no date is copied as it is. */
void date_text_lang(lang_t lang, const char *iso, char *out, size_t len);

/* Civil day in Asia/Ho_Chi_Minh of a UTC instant (floor division: correct for
   negative times). */
int32_t date_local_day(int64_t unix_s);

/* Unix seconds of local midnight starting that civil day. */
int64_t date_local_midnight(int32_t day);

/* Local time "2024-05-20 08:30" (seconds are truncated toward the past). */
void date_format_local_time(int64_t unix_s, char out[DATE_TIME_LEN]);

/* Adds calendar months (may be negative) clamping the day
   (31 Jan + 1 month = 29 Feb in a leap year); used for monthly rules. */
int32_t date_add_months(int32_t day, int months);

/* 28-31, or 0 if month is not 1..12. */
int date_days_in_month(int year, int month);

bool date_is_leap_year(int year);

#endif /* COMMON_DATE_H */
