/* Repeat rules for recurring sittings: the Secretariat's periodic briefings
 * ("every Monday", "first Monday of each month", "the 15th of each month").
 *
 * Two spellings are accepted, keywords case-insensitive:
 *
 *   friendly   "weekly MON", "every 2 weeks TUE", "monthly first MON",
 *              "monthly last FRI", "monthly day 15", "every 3 months day 1",
 *              each optionally followed by "until DATE" (2024-12-31 or
 *              31/12/2024) or "count N" (1-1000). Words are separated by one
 *              or more spaces; leading and trailing spaces are refused.
 *              Weekdays are MON..SUN or MONDAY..SUNDAY.
 *   RFC 5545   "FREQ=WEEKLY;BYDAY=MO", "FREQ=MONTHLY;BYDAY=1MO",
 *              "FREQ=MONTHLY;BYDAY=-1FR", "FREQ=MONTHLY;BYMONTHDAY=15",
 *              with INTERVAL=, UNTIL=YYYYMMDD and COUNT= in any order and an
 *              optional "RRULE:" prefix. No spaces.
 *
 * A series is a rule plus its first date, which must itself match the rule
 * (repeat_align finds one). Occurrences then fall every `interval` weeks or
 * months counted from the first date. A monthly-day rule skips months that
 * lack the day (day 31 never lands on 30 April), as RFC 5545 does; such
 * months do not use up the count.
 *
 * A rule is valid when repeat_parse could have produced it: fields in range,
 * and never both until and count (RFC 5545 forbids it). Every function
 * below treats an invalid rule as having no occurrences (false, 0 or "").
 * Only dates in 1900-01-01..2199-12-31 (date.h's range) ever occur.
 * Day numbers are days since 1970-01-01, as in date.h. */
#ifndef COMMON_REPEAT_H
#define COMMON_REPEAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    REPEAT_NONE = 0,
    REPEAT_WEEKLY,
    REPEAT_MONTHLY_WEEKDAY,
    REPEAT_MONTHLY_DAY,
} repeat_kind_t;

typedef struct {
    repeat_kind_t kind;
    int interval;   /* every N weeks/months, 1..12 */
    int weekday;    /* 1=Mon..7=Sun (weekly, monthly-weekday); else 0 */
    int nth;        /* monthly-weekday: 1..4 = first..fourth, -1 = last; else 0 */
    int monthday;   /* monthly-day: 1..31; else 0 */
    int32_t until;  /* last possible date, inclusive; REPEAT_NO_UNTIL if none */
    int count;      /* number of occurrences, 1..1000; 0 = unbounded */
} repeat_rule_t;

#define REPEAT_NO_UNTIL INT32_MAX
#define REPEAT_TEXT_MAX 128  /* enough for repeat_format and repeat_to_rrule */
#define REPEAT_INPUT_MAX 200 /* longest text repeat_parse looks at */
#define REPEAT_COUNT_MAX 1000
#define REPEAT_INTERVAL_MAX 12

/* Parses either spelling into *out (unused fields set to 0). On failure
 * returns false, leaves *out untouched and, if why is not NULL, points *why
 * at a reason such as "unknown weekday 'MOM'". The reason is either an
 * English string literal, marked N_() (translate it where it is shown), or
 * a per-thread static buffer, already in the process's language, that stays
 * valid until the next repeat_parse call on the same thread; never free it. */
bool repeat_parse(const char *text, repeat_rule_t *out, const char **why);

/* The canonical friendly text, which repeat_parse accepts back as the same
 * rule: "weekly MON", "every 2 weeks TUE count 10",
 * "monthly first MON until 2024-12-31", "every 3 months day 1".
 * Truncates like snprintf when cap is too small (REPEAT_TEXT_MAX always
 * suffices); writes "" for an invalid rule; nothing when cap is 0. */
void repeat_format(const repeat_rule_t *rule, char *out, size_t cap);

/* The RFC 5545 RRULE value (without "RRULE:"), parts in the order FREQ,
 * INTERVAL (only when not 1), BYDAY or BYMONTHDAY, UNTIL (as a DATE) or
 * COUNT: "FREQ=MONTHLY;BYDAY=1MO;UNTIL=20241231". Same buffer rules as
 * repeat_format; repeat_parse accepts the result back. */
void repeat_to_rrule(const repeat_rule_t *rule, char *out, size_t cap);

/* True when day is an occurrence of the series that begins at first: it
 * matches the pattern, falls on the interval, is not after until and is
 * within the first count occurrences. False whenever first is not itself an
 * occurrence of the pattern or is after until. */
bool repeat_matches(const repeat_rule_t *rule, int32_t first, int32_t day);

/* The first date >= day that matches the rule's pattern, ignoring interval,
 * count and until: where a series meant to start on `day` really starts.
 * A day before 1900-01-01 is taken as 1900-01-01. false if there is no such
 * date up to 2199-12-31 (*out untouched). */
bool repeat_align(const repeat_rule_t *rule, int32_t day, int32_t *out);

/* The occurrences of the series beginning at first that fall within
 * [from, to], in increasing order. Writes at most cap of them to out (out
 * may be NULL when cap is 0) and returns how many there are in the window,
 * which may exceed cap. Returns 0 when first is not an occurrence of the
 * pattern. Cost does not grow with the distance from first to from, except
 * for a monthly-day rule with a count, which is counted month by month from
 * first (at most 3600 months in date.h's range). */
size_t repeat_expand(const repeat_rule_t *rule, int32_t first, int32_t from, int32_t to,
                     int32_t *out, size_t cap);

#endif /* COMMON_REPEAT_H */
