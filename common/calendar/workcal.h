/* The working-day calendar of Vietnam's public sector, 1900-2199.
 *
 * A working day is Monday to Friday unless it is a public holiday of the
 * Labour Code or a compensatory day. The holidays are those of the code in
 * force for the year; today's code (Bộ luật Lao động 2019, art. 112, in
 * force from 2021) has 11 days:
 *
 *   1/1                       Tết Dương lịch
 *   last day of lunar month 12 (29 or 30) through 4/1 lunar: 5 days of Tết
 *   10/3 lunar                Giỗ Tổ Hùng Vương
 *   30/4 and 1/5
 *   2/9 and the adjacent day that best joins the weekend: 2/9 on a Tuesday,
 *       Friday or Saturday adds 1/9, on any other day 3/9
 *
 * Earlier years differ only in these (the rest is as above):
 *
 *   2013-2020  Labour Code 2012 (art. 115): National Day is 2/9 alone.
 *              (The code took effect on 1 May 2013; the whole of 2013
 *              has its holidays.)
 *   2007-2012  Labour Code 1994 as amended in 2007 (art. 73): Tết is 4 days,
 *              the eve through 3/1 lunar; 2/9 alone.
 *   1900-2006  the same without Giỗ Tổ Hùng Vương (a day off from 2007).
 *
 * That is all the history there is: the 1994 code's holidays stand for
 * every year before it too, and Saturday is a weekend day in every year
 * (civil servants worked Saturdays until October 1999). Those years are
 * for reading old dates, not a record of past holidays.
 *
 * A holiday on a Saturday or Sunday gives a compensatory day off on the next
 * working day that is not itself a holiday or an earlier compensatory day
 * (holidays taken in date order). Two holidays on one day would be one day
 * off, as the law gives no extra day for it (10/3 lunar met 30/4 in 1947,
 * before it was a holiday, and does not again by 2199).
 *
 * The government then moves days each year (a Tết stretched to a whole
 * week, a make-up Saturday). Those announcements are override files in a
 * directory: YYYY.conf, one per year, INI read by inih:
 *
 *   # comments start with '#' or ';' at the start of a line
 *   [off]
 *   2024-02-08 = Nghỉ Tết Nguyên đán (ngày bổ sung theo thông báo)
 *   [work]
 *   2024-05-04 = Làm bù cho thứ Hai 29/04
 *
 * Keys are dates (ISO or dd/mm/yyyy) in the file's year, then '=' (a ':',
 * which inih would also take, is an error); values are the reason,
 * required, at most WORKCAL_REASON_MAX - 1 bytes of UTF-8 (inih ends a
 * value at " ;", which starts an inline comment). [off] must name a
 * day the computed calendar has as working, [work] one it has as off.
 * Files whose names do not end in ".conf" are ignored (editor backups);
 * a ".conf" whose name is not a year 1900-2199 is an error. A year with a
 * file, even an empty one, is "announced": the file records everything
 * the announcement changed. Any other year is provisional, computed from
 * the Labour Code alone. */
#ifndef THUKY_WORKCAL_H
#define THUKY_WORKCAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WORKCAL_REASON_MAX 128

/* The years the calendar covers (date.h's range). */
#define WORKCAL_MIN_YEAR 1900
#define WORKCAL_MAX_YEAR 2199

typedef struct workcal workcal_t;

/* Computes the calendar and applies the override files in dir (NULL or ""
   = the computed calendar only). On failure returns NULL and writes one
   line to why, in the process's language: "FILE:LINE: reason" for a bad
   entry. A bad file makes the whole load fail: nothing is applied
   half-way. The result is read-only and may be shared between threads. */
workcal_t *workcal_load(const char *dir, char *why, size_t why_len);

/* Frees the calendar and sets *self_p to NULL; safe on NULL. */
void workcal_free(workcal_t **self_p);

/* False outside 1900-01-01 .. 2199-12-31. */
bool workcal_is_working_day(const workcal_t *self, int32_t day);

/* n > 0: the n-th working day after day; n < 0: the |n|-th working day
   before it; n == 0: day itself, working or not. false (with a static
   English reason, marked N_(), in *why; why may be NULL) when day is out of range or the
   walk leaves 1900-2199; *out is then untouched. */
bool workcal_add_working_days(const workcal_t *self, int32_t day, int n, int32_t *out,
                              const char **why);

typedef struct {
    int32_t day;
    bool working;
    char reason[WORKCAL_REASON_MAX];
} workcal_day_t;

/* The year's notable days in date order: every holiday (also one on a
   weekend; its reason says so), every compensatory day, every override
   [off] day, and every override [work] day (working = true). An override
   replaces the computed entry for its day. Returns how many there are,
   which may exceed cap; only the first cap are written. 0 for a year
   outside 1900-2199. */
size_t workcal_year(const workcal_t *self, int year, workcal_day_t *out, size_t cap);

/* Whether an override file for year was loaded (false outside 1900-2199).
   A year that is not announced has the computed calendar alone. */
bool workcal_year_announced(const workcal_t *self, int year);

/* The announced years, ascending. Returns how many there are, which may
   exceed cap; only the first cap are written. */
size_t workcal_announced_years(const workcal_t *self, int *out, size_t cap);

/* The whole calendar as a bitmap, one bit per day from 1900-01-01 (set: a
   working day), WORKCAL_BITS_WORDS words. Two calendars are the same when
   their bitmaps are: a daemon keeps the one its stored results were
   computed with (calendar_watch.h). */
#define WORKCAL_BITS_WORDS 1713
const uint64_t *workcal_bits(const workcal_t *self);

/* The days whose working status differs between self and an earlier
   bitmap of n_words words (missing words count as the same), ascending.
   Returns how many there are, which may exceed cap; only the first cap
   are written. */
size_t workcal_changed_days(const workcal_t *self, const uint64_t *earlier, size_t n_words,
                            int32_t *out, size_t cap);

#endif /* THUKY_WORKCAL_H */
