/* The working-day calendar of Vietnam's public sector, 1900-2199.
 *
 * A working day is Monday to Friday unless it is a public holiday of the
 * Labour Code 2019 (Bộ luật Lao động 2019, art. 112) or a compensatory day.
 * Today's rules are applied uniformly to every year 1900-2199: this is a
 * calendar for computing deadlines, not a history of past holidays.
 *
 *   1/1                       Tết Dương lịch
 *   last day of lunar month 12 (29 or 30) through 4/1 lunar: 5 days of Tết
 *   10/3 lunar                Giỗ Tổ Hùng Vương
 *   30/4 and 1/5
 *   2/9 and the adjacent day that best joins the weekend: 2/9 on a Tuesday,
 *       Friday or Saturday adds 1/9, on any other day 3/9
 *
 * A holiday on a Saturday or Sunday gives a compensatory day off on the next
 * working day that is not itself a holiday or an earlier compensatory day
 * (holidays taken in date order). Two holidays on one day (10/3 lunar can
 * meet 30/4) are one day off, as the law gives no extra day for it.
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
 * Keys are dates (ISO or dd/mm/yyyy) in the file's year; values are the
 * reason, required, at most WORKCAL_REASON_MAX - 1 bytes of UTF-8 (inih
 * ends a value at " ;", which starts an inline comment). [off] must name a
 * day the computed calendar has as working, [work] one it has as off.
 * Files whose names do not end in ".conf" are ignored (editor backups);
 * a ".conf" whose name is not a year 1900-2199 is an error. */
#ifndef THUKY_WORKCAL_H
#define THUKY_WORKCAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WORKCAL_REASON_MAX 128

typedef struct workcal workcal_t;

/* Computes the calendar and applies the override files in dir (NULL or ""
   = the computed calendar only). On failure returns NULL and writes one
   line to why: "FILE:LINE: reason" for a bad entry. A bad file makes the
   whole load fail: nothing is applied half-way. The result is read-only
   and may be shared between threads. */
workcal_t *workcal_load(const char *dir, char *why, size_t why_len);

/* Frees the calendar and sets *self_p to NULL; safe on NULL. */
void workcal_free(workcal_t **self_p);

/* False outside 1900-01-01 .. 2199-12-31. */
bool workcal_is_working_day(const workcal_t *self, int32_t day);

/* n > 0: the n-th working day after day; n < 0: the |n|-th working day
   before it; n == 0: day itself, working or not. false (with a static
   English reason in *why; why may be NULL) when day is out of range or the
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

#endif /* THUKY_WORKCAL_H */
