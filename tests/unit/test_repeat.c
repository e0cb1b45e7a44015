/* Unit tests for common/domain/repeat.c (repeat rules for recurring sittings). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/date.h"
#include "domain/repeat.h"

#define NO_UNTIL REPEAT_NO_UNTIL

static int32_t ymd(int y, int m, int d)
{
    int32_t day = 0;
    assert_true(date_from_ymd(y, m, d, &day, NULL));
    return day;
}

static repeat_rule_t weekly(int interval, int weekday)
{
    return (repeat_rule_t){ REPEAT_WEEKLY, interval, weekday, 0, 0, NO_UNTIL, 0 };
}

static repeat_rule_t monthly_nth(int interval, int nth, int weekday)
{
    return (repeat_rule_t){ REPEAT_MONTHLY_WEEKDAY, interval, weekday, nth, 0, NO_UNTIL, 0 };
}

static repeat_rule_t monthly_day(int interval, int monthday)
{
    return (repeat_rule_t){ REPEAT_MONTHLY_DAY, interval, 0, 0, monthday, NO_UNTIL, 0 };
}

static void assert_rule_equal(const repeat_rule_t *got, const repeat_rule_t *want, const char *text)
{
    if (got->kind != want->kind || got->interval != want->interval ||
        got->weekday != want->weekday || got->nth != want->nth ||
        got->monthday != want->monthday || got->until != want->until ||
        got->count != want->count)
        fail_msg("'%s': got {%d,%d,%d,%d,%d,%d,%d} want {%d,%d,%d,%d,%d,%d,%d}", text,
                 got->kind, got->interval, got->weekday, got->nth, got->monthday,
                 (int)got->until, got->count, want->kind, want->interval, want->weekday,
                 want->nth, want->monthday, (int)want->until, want->count);
}

static repeat_rule_t parse_ok(const char *text)
{
    repeat_rule_t r;
    const char *why = NULL;
    if (!repeat_parse(text, &r, &why))
        fail_msg("'%s' refused: %s", text, why);
    return r;
}

/* ---- Parsing ------------------------------------------------------------ */

static void test_parse_friendly_forms(void **state)
{
    (void)state;
    const struct {
        const char *text;
        repeat_rule_t want;
        int uy, um, ud; /* until, if uy != 0 */
    } cases[] = {
        { "weekly MON", weekly(1, 1), 0, 0, 0 },
        { "every 2 weeks TUE", weekly(2, 2), 0, 0, 0 },
        { "every 1 week SAT", weekly(1, 6), 0, 0, 0 },
        { "monthly first MON", monthly_nth(1, 1, 1), 0, 0, 0 },
        { "monthly second WED", monthly_nth(1, 2, 3), 0, 0, 0 },
        { "monthly third FRI", monthly_nth(1, 3, 5), 0, 0, 0 },
        { "monthly fourth THU", monthly_nth(1, 4, 4), 0, 0, 0 },
        { "monthly last FRI", monthly_nth(1, -1, 5), 0, 0, 0 },
        { "monthly day 15", monthly_day(1, 15), 0, 0, 0 },
        { "every 3 months day 1", monthly_day(3, 1), 0, 0, 0 },
        { "every 2 months last SUN", monthly_nth(2, -1, 7), 0, 0, 0 },
        { "every 12 month day 31", monthly_day(12, 31), 0, 0, 0 },
        { "weekly MON until 2024-12-31", weekly(1, 1), 2024, 12, 31 },
        { "weekly MON until 31/12/2024", weekly(1, 1), 2024, 12, 31 },
        { "every 2 weeks TUE until 5/1/2025", weekly(2, 2), 2025, 1, 5 },
        { "monthly day 15 until 1900-01-01", monthly_day(1, 15), 1900, 1, 1 },
        { "monthly first MON until 2199-12-31", monthly_nth(1, 1, 1), 2199, 12, 31 },
        /* Case-insensitive keywords, full weekday names, runs of spaces. */
        { "weekly MONDAY", weekly(1, 1), 0, 0, 0 },
        { "weekly sunday", weekly(1, 7), 0, 0, 0 },
        { "WEEKLY mon", weekly(1, 1), 0, 0, 0 },
        { "Monthly  Last   Friday", monthly_nth(1, -1, 5), 0, 0, 0 },
        { "EVERY 04 WEEKS Wednesday", weekly(4, 3), 0, 0, 0 },
        { "every 3 MONTHS DAY 1 UNTIL 2025-03-31", monthly_day(3, 1), 2025, 3, 31 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        repeat_rule_t want = cases[i].want;
        if (cases[i].uy)
            want.until = ymd(cases[i].uy, cases[i].um, cases[i].ud);
        repeat_rule_t got = parse_ok(cases[i].text);
        assert_rule_equal(&got, &want, cases[i].text);
    }

    /* count */
    repeat_rule_t want = monthly_nth(1, -1, 5);
    want.count = 12;
    repeat_rule_t got = parse_ok("monthly last FRI count 12");
    assert_rule_equal(&got, &want, "count 12");
    want = weekly(1, 3);
    want.count = 1000;
    got = parse_ok("weekly WED  COUNT  1000");
    assert_rule_equal(&got, &want, "count 1000");
    want = monthly_day(1, 15);
    want.count = 1;
    got = parse_ok("monthly day 15 count 1");
    assert_rule_equal(&got, &want, "count 1");

    /* out may be NULL to merely validate. */
    assert_true(repeat_parse("weekly MON", NULL, NULL));
}

static void test_parse_rrule_forms(void **state)
{
    (void)state;
    const struct {
        const char *text;
        repeat_rule_t want;
        int count;
        int uy, um, ud;
    } cases[] = {
        { "FREQ=WEEKLY;BYDAY=MO", weekly(1, 1), 0, 0, 0, 0 },
        { "FREQ=MONTHLY;BYDAY=1MO", monthly_nth(1, 1, 1), 0, 0, 0, 0 },
        { "FREQ=MONTHLY;BYDAY=-1FR", monthly_nth(1, -1, 5), 0, 0, 0, 0 },
        { "FREQ=MONTHLY;BYMONTHDAY=15", monthly_day(1, 15), 0, 0, 0, 0 },
        { "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", weekly(2, 2), 0, 0, 0, 0 },
        { "BYDAY=TU;INTERVAL=2;FREQ=WEEKLY", weekly(2, 2), 0, 0, 0, 0 },
        { "FREQ=MONTHLY;BYDAY=+2WE;COUNT=10", monthly_nth(1, 2, 3), 10, 0, 0, 0 },
        { "COUNT=5;FREQ=MONTHLY;BYMONTHDAY=31", monthly_day(1, 31), 5, 0, 0, 0 },
        { "freq=monthly;byday=4th", monthly_nth(1, 4, 4), 0, 0, 0, 0 },
        { "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1;UNTIL=20241231", monthly_day(3, 1), 0, 2024, 12, 31 },
        { "rrule:freq=weekly;byday=su;until=19000107", weekly(1, 7), 0, 1900, 1, 7 },
        { "UNTIL=21991231;BYDAY=3SA;FREQ=MONTHLY;INTERVAL=12", monthly_nth(12, 3, 6), 0, 2199, 12, 31 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        repeat_rule_t want = cases[i].want;
        want.count = cases[i].count;
        if (cases[i].uy)
            want.until = ymd(cases[i].uy, cases[i].um, cases[i].ud);
        repeat_rule_t got = parse_ok(cases[i].text);
        assert_rule_equal(&got, &want, cases[i].text);
    }
}

static void assert_refused(const char *text, const char *reason)
{
    repeat_rule_t r = weekly(7, 7); /* a sentinel that must survive */
    r.count = 77;
    const char *why = NULL;
    if (repeat_parse(text, &r, &why))
        fail_msg("'%s' accepted", text ? text : "(null)");
    if (!why || strcmp(why, reason) != 0)
        fail_msg("'%s': reason '%s', want '%s'", text ? text : "(null)", why ? why : "(null)",
                 reason);
    assert_int_equal(r.interval, 7);
    assert_int_equal(r.count, 77);
    /* why may be NULL. */
    assert_false(repeat_parse(text, &r, NULL));
}

static void test_parse_refusals_friendly(void **state)
{
    (void)state;
    const struct {
        const char *text;
        const char *reason;
    } cases[] = {
        { "", "empty repeat rule" },
        { " weekly MON", "leading or trailing spaces" },
        { "weekly MON ", "leading or trailing spaces" },
        { " ", "leading or trailing spaces" },
        { "weekly\tMON", "control characters (tabs, newlines) are not allowed" },
        { "weekly MON\n", "control characters (tabs, newlines) are not allowed" },
        { "daily", "unknown word 'daily' (a rule starts with weekly, monthly, every or FREQ=)" },
        { "weekly", "missing weekday (MON..SUN)" },
        { "weekly MOM", "unknown weekday 'MOM'" },
        { "weekly MO", "unknown weekday 'MO'" },
        { "weekly THỨ2", "unknown weekday 'TH???2'" },
        { "monthly", "missing first, second, third, fourth, last or day" },
        { "monthly first", "missing weekday (MON..SUN)" },
        { "monthly first MOM", "unknown weekday 'MOM'" },
        { "monthly MON", "missing first, second, third, fourth or last before the weekday" },
        { "monthly fifth MON", "not every month has a fifth weekday; use first-fourth or last" },
        { "monthly 0 MON",
          "unknown word '0' (expected first, second, third, fourth, last or day)" },
        { "monthly 5 MON",
          "unknown word '5' (expected first, second, third, fourth, last or day)" },
        { "monthly day", "missing day of month after 'day'" },
        { "monthly day 0", "day of month must be 1-31" },
        { "monthly day 32", "day of month must be 1-31" },
        { "monthly day -1", "day of month must be 1-31" },
        { "monthly day fifteen", "day of month must be 1-31" },
        { "every", "missing number after 'every'" },
        { "every two weeks MON", "expected a number after 'every', got 'two'" },
        { "every 0 weeks MON", "interval must be 1-12" },
        { "every 13 months day 1", "interval must be 1-12" },
        { "every 99999999999999 weeks MON", "interval must be 1-12" },
        { "every 2", "missing weeks or months after 'every N'" },
        { "every 2 days MON", "expected weeks or months after 'every N', got 'days'" },
        { "every 2 weeks", "missing weekday (MON..SUN)" },
        { "weekly MON count 0", "count must be 1-1000" },
        { "weekly MON count 1001", "count must be 1-1000" },
        { "weekly MON count -1", "count must be 1-1000" },
        { "weekly MON count", "missing number after 'count'" },
        { "weekly MON count 2 count 3", "count given twice" },
        { "weekly MON until", "missing date after 'until'" },
        { "weekly MON until 2200-01-01", "until date: year outside 1900-2199" },
        { "weekly MON until 1899-12-31", "until date: year outside 1900-2199" },
        { "weekly MON until 31/12/2200", "until date: year outside 1900-2199" },
        { "weekly MON until 2023-02-29",
          "until date: day does not exist in February of that year" },
        { "weekly MON until tomorrow", "until date: expected YYYY-MM-DD or DD/MM/YYYY" },
        { "weekly MON until 2024-12-31 until 2025-01-01", "until given twice" },
        { "weekly MON until 2024-12-31 count 5", "use either until or count, not both" },
        { "weekly MON count 5 until 2024-12-31", "use either until or count, not both" },
        { "weekly MON TUE", "unexpected 'TUE' after the rule (expected until or count)" },
        { "monthly day 15 please",
          "unexpected 'please' after the rule (expected until or count)" },
        { "weekly MON xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
          "unexpected 'xxxxxxxxxxxxxxxxxxxxxxxx...' after the rule (expected until or count)" },
    };
    assert_refused(NULL, "empty repeat rule");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_refused(cases[i].text, cases[i].reason);
}

static void test_parse_refusals_rrule(void **state)
{
    (void)state;
    const struct {
        const char *text;
        const char *reason;
    } cases[] = {
        { "RRULE:", "empty RRULE" },
        { "FREQ=DAILY", "unsupported FREQ 'DAILY' (only WEEKLY and MONTHLY)" },
        { "FREQ=YEARLY;BYMONTHDAY=1", "unsupported FREQ 'YEARLY' (only WEEKLY and MONTHLY)" },
        { "BYDAY=MO", "RRULE needs FREQ" },
        { "FREQ=WEEKLY", "missing weekday (BYDAY)" },
        { "FREQ=WEEKLY;BYDAY=", "missing weekday (BYDAY)" },
        { "FREQ=WEEKLY;BYDAY=MOM", "unknown weekday 'MOM'" },
        { "FREQ=WEEKLY;BYDAY=MON", "unknown weekday 'MON'" },
        { "FREQ=WEEKLY;BYDAY=MO,WE", "only one weekday is supported in BYDAY" },
        { "FREQ=WEEKLY;BYDAY=1MO", "weekly BYDAY takes a plain weekday such as MO" },
        { "FREQ=WEEKLY;BYDAY=MO;BYMONTHDAY=1", "BYMONTHDAY needs FREQ=MONTHLY" },
        { "FREQ=MONTHLY", "monthly RRULE needs BYDAY or BYMONTHDAY" },
        { "FREQ=MONTHLY;BYDAY=MO", "monthly BYDAY needs a position such as 1MO or -1FR" },
        { "FREQ=MONTHLY;BYDAY=5MO", "week position must be 1-4 or -1 (last)" },
        { "FREQ=MONTHLY;BYDAY=0MO", "week position must be 1-4 or -1 (last)" },
        { "FREQ=MONTHLY;BYDAY=-2FR", "week position must be 1-4 or -1 (last)" },
        { "FREQ=MONTHLY;BYDAY=-FR", "a sign in BYDAY must be followed by a position, as in -1FR" },
        { "FREQ=MONTHLY;BYDAY=1MO;BYMONTHDAY=1", "use either BYDAY or BYMONTHDAY, not both" },
        { "FREQ=MONTHLY;BYMONTHDAY=0", "day of month must be 1-31" },
        { "FREQ=MONTHLY;BYMONTHDAY=32", "day of month must be 1-31" },
        { "FREQ=MONTHLY;BYMONTHDAY=-1", "day of month must be 1-31" },
        { "FREQ=WEEKLY;BYDAY=MO;INTERVAL=0", "interval must be 1-12" },
        { "FREQ=WEEKLY;BYDAY=MO;INTERVAL=13", "interval must be 1-12" },
        { "FREQ=WEEKLY;BYDAY=MO;INTERVAL=", "interval must be 1-12" },
        { "FREQ=WEEKLY;BYDAY=MO;COUNT=0", "count must be 1-1000" },
        { "FREQ=WEEKLY;BYDAY=MO;COUNT=1001", "count must be 1-1000" },
        { "FREQ=WEEKLY;BYDAY=MO;UNTIL=22000101", "until date: year outside 1900-2199" },
        { "FREQ=WEEKLY;BYDAY=MO;UNTIL=18991231", "until date: year outside 1900-2199" },
        { "FREQ=WEEKLY;BYDAY=MO;UNTIL=20241301", "until date: month must be 1-12" },
        { "FREQ=WEEKLY;BYDAY=MO;UNTIL=20241231T235959Z", "UNTIL must be a date YYYYMMDD" },
        { "FREQ=WEEKLY;BYDAY=MO;UNTIL=2024-12-31", "UNTIL must be a date YYYYMMDD" },
        { "FREQ=WEEKLY;BYDAY=MO;UNTIL=20241231;COUNT=3", "use either until or count, not both" },
        { "FREQ=WEEKLY;BYDAY=MO;", "empty RRULE part (stray ';')" },
        { "FREQ=WEEKLY;;BYDAY=MO", "empty RRULE part (stray ';')" },
        { "FREQ=WEEKLY;BYDAY=MO;WKST=MO", "unsupported RRULE part 'WKST'" },
        { "FREQ=WEEKLY;FREQ=WEEKLY;BYDAY=MO", "RRULE part 'FREQ' given twice" },
        { "FREQ=WEEKLY;BYDAY", "RRULE part 'BYDAY' has no '='" },
        { "FREQ=WEEKLY; BYDAY=MO", "spaces are not allowed in an RRULE" },
        { "FREQ=WEEKLY;BYDAY=MO until 2024-12-31", "spaces are not allowed in an RRULE" },
        { "RRULE:weekly MON", "spaces are not allowed in an RRULE" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_refused(cases[i].text, cases[i].reason);
}

/* 200 characters are read; 201 are refused before any parsing. */
static void test_parse_length_limit(void **state)
{
    (void)state;
    char text[REPEAT_INPUT_MAX + 2];
    memset(text, ' ', sizeof text);
    memcpy(text, "weekly", 6);
    memcpy(text + REPEAT_INPUT_MAX - 3, "MON", 3);
    text[REPEAT_INPUT_MAX] = '\0';
    repeat_rule_t got = parse_ok(text);
    repeat_rule_t want = weekly(1, 1);
    assert_rule_equal(&got, &want, "200 characters");

    memcpy(text + REPEAT_INPUT_MAX - 2, "MON", 3);
    text[REPEAT_INPUT_MAX + 1] = '\0';
    assert_int_equal(strlen(text), REPEAT_INPUT_MAX + 1);
    assert_refused(text, "repeat rule longer than 200 characters");
}

/* ---- Formatting --------------------------------------------------------- */

static void assert_format(const char *text, const char *canonical, const char *rrule)
{
    repeat_rule_t r = parse_ok(text);
    char out[REPEAT_TEXT_MAX];
    repeat_format(&r, out, sizeof out);
    assert_string_equal(out, canonical);
    repeat_to_rrule(&r, out, sizeof out);
    assert_string_equal(out, rrule);
}

static void test_format_and_rrule(void **state)
{
    (void)state;
    assert_format("weekly MON", "weekly MON", "FREQ=WEEKLY;BYDAY=MO");
    assert_format("weekly monday", "weekly MON", "FREQ=WEEKLY;BYDAY=MO");
    assert_format("every 1 weeks SUN", "weekly SUN", "FREQ=WEEKLY;BYDAY=SU");
    assert_format("every 2 weeks TUE count 10", "every 2 weeks TUE count 10",
                  "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=10");
    assert_format("monthly first MON until 2024-12-31", "monthly first MON until 2024-12-31",
                  "FREQ=MONTHLY;BYDAY=1MO;UNTIL=20241231");
    assert_format("Monthly  last  friday  until 31/12/2024", "monthly last FRI until 2024-12-31",
                  "FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20241231");
    assert_format("monthly second WED", "monthly second WED", "FREQ=MONTHLY;BYDAY=2WE");
    assert_format("monthly day 15", "monthly day 15", "FREQ=MONTHLY;BYMONTHDAY=15");
    assert_format("every 3 months day 1 until 31/3/2025", "every 3 months day 1 until 2025-03-31",
                  "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1;UNTIL=20250331");
    assert_format("FREQ=MONTHLY;BYDAY=+4TH;INTERVAL=12;COUNT=1000",
                  "every 12 months fourth THU count 1000",
                  "FREQ=MONTHLY;INTERVAL=12;BYDAY=4TH;COUNT=1000");
    assert_format("rrule:until=19000101;freq=weekly;byday=sa", "weekly SAT until 1900-01-01",
                  "FREQ=WEEKLY;BYDAY=SA;UNTIL=19000101");
}

static void test_format_buffers_and_invalid_rules(void **state)
{
    (void)state;
    repeat_rule_t r = monthly_nth(1, 1, 1);
    char out[REPEAT_TEXT_MAX];

    /* Truncated like snprintf. */
    repeat_format(&r, out, 8);
    assert_string_equal(out, "monthly");
    repeat_to_rrule(&r, out, 5);
    assert_string_equal(out, "FREQ");
    repeat_format(&r, out, 1);
    assert_string_equal(out, "");
    /* cap 0 writes nothing at all. */
    memcpy(out, "keep", 5);
    repeat_format(&r, out, 0);
    repeat_to_rrule(&r, out, 0);
    assert_string_equal(out, "keep");

    /* Invalid rules give "". */
    repeat_rule_t bad[] = {
        { REPEAT_NONE, 1, 1, 0, 0, NO_UNTIL, 0 },
        { (repeat_kind_t)9, 1, 1, 0, 0, NO_UNTIL, 0 },
        { REPEAT_WEEKLY, 0, 1, 0, 0, NO_UNTIL, 0 },
        { REPEAT_WEEKLY, 13, 1, 0, 0, NO_UNTIL, 0 },
        { REPEAT_WEEKLY, 1, 0, 0, 0, NO_UNTIL, 0 },
        { REPEAT_WEEKLY, 1, 8, 0, 0, NO_UNTIL, 0 },
        { REPEAT_MONTHLY_WEEKDAY, 1, 1, 0, 0, NO_UNTIL, 0 },
        { REPEAT_MONTHLY_WEEKDAY, 1, 1, 5, 0, NO_UNTIL, 0 },
        { REPEAT_MONTHLY_WEEKDAY, 1, 1, -2, 0, NO_UNTIL, 0 },
        { REPEAT_MONTHLY_DAY, 1, 0, 0, 0, NO_UNTIL, 0 },
        { REPEAT_MONTHLY_DAY, 1, 0, 0, 32, NO_UNTIL, 0 },
        { REPEAT_WEEKLY, 1, 1, 0, 0, NO_UNTIL, -1 },
        { REPEAT_WEEKLY, 1, 1, 0, 0, NO_UNTIL, 1001 },
        { REPEAT_WEEKLY, 1, 1, 0, 0, 19000, 5 },        /* both until and count */
        { REPEAT_WEEKLY, 1, 1, 0, 0, -25568, 0 },       /* until 1899-12-31 */
        { REPEAT_WEEKLY, 1, 1, 0, 0, 90000, 0 },        /* until after 2199 */
    };
    int32_t first = ymd(2024, 1, 1); /* a Monday, first Monday, 1st */
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memcpy(out, "x", 2);
        repeat_format(&bad[i], out, sizeof out);
        assert_string_equal(out, "");
        memcpy(out, "x", 2);
        repeat_to_rrule(&bad[i], out, sizeof out);
        assert_string_equal(out, "");
        int32_t got[4];
        assert_int_equal(repeat_expand(&bad[i], first, first, first + 400, got, 4), 0);
        assert_false(repeat_matches(&bad[i], first, first));
        assert_false(repeat_align(&bad[i], first, &got[0]));
    }
    repeat_format(NULL, out, sizeof out);
    assert_string_equal(out, "");
    assert_int_equal(repeat_expand(NULL, first, first, first, NULL, 0), 0);
}

/* Round trips over every field value: format -> parse gives the same rule
   and the same text again; to_rrule -> parse gives the same rule. */
static void check_round_trip(repeat_rule_t r)
{
    char text[REPEAT_TEXT_MAX], again[REPEAT_TEXT_MAX], rrule[REPEAT_TEXT_MAX];
    repeat_format(&r, text, sizeof text);
    assert_true(strlen(text) < sizeof text - 1); /* never near truncation */
    repeat_rule_t back = parse_ok(text);
    assert_rule_equal(&back, &r, text);
    repeat_format(&back, again, sizeof again);
    assert_string_equal(again, text);

    repeat_to_rrule(&r, rrule, sizeof rrule);
    assert_true(strlen(rrule) < sizeof rrule - 1);
    back = parse_ok(rrule);
    assert_rule_equal(&back, &r, rrule);
}

static void check_round_trip_limits(repeat_rule_t r)
{
    static const int counts[] = { 1, 7, 1000 };
    check_round_trip(r);
    for (size_t i = 0; i < 3; i++) {
        repeat_rule_t c = r;
        c.count = counts[i];
        check_round_trip(c);
    }
    const int32_t untils[] = { ymd(1900, 1, 1), ymd(2024, 2, 29), ymd(2199, 12, 31) };
    for (size_t i = 0; i < 3; i++) {
        repeat_rule_t u = r;
        u.until = untils[i];
        check_round_trip(u);
    }
}

static void test_round_trip(void **state)
{
    (void)state;
    static const int nths[] = { 1, 2, 3, 4, -1 };
    for (int interval = 1; interval <= REPEAT_INTERVAL_MAX; interval++) {
        for (int wd = 1; wd <= 7; wd++) {
            check_round_trip_limits(weekly(interval, wd));
            for (size_t i = 0; i < 5; i++)
                check_round_trip_limits(monthly_nth(interval, nths[i], wd));
        }
        for (int md = 1; md <= 31; md++)
            check_round_trip_limits(monthly_day(interval, md));
    }
}

/* ---- Expansion ---------------------------------------------------------- */

/* Expands and compares with the expected (y, m, d) triples. */
static void assert_expand(const repeat_rule_t *r, int32_t first, int32_t from, int32_t to,
                          const int (*want)[3], size_t n_want)
{
    int32_t got[64];
    size_t n = repeat_expand(r, first, from, to, got, 64);
    assert_int_equal(n, n_want);
    for (size_t i = 0; i < n_want; i++) {
        int y, m, d;
        date_to_ymd(got[i], &y, &m, &d);
        if (y != want[i][0] || m != want[i][1] || d != want[i][2])
            fail_msg("occurrence %zu: got %04d-%02d-%02d want %04d-%02d-%02d", i, y, m, d,
                     want[i][0], want[i][1], want[i][2]);
    }
}

static void test_expand_first_mondays_2024(void **state)
{
    (void)state;
    static const int want[][3] = {
        { 2024, 1, 1 }, { 2024, 2, 5 },  { 2024, 3, 4 },   { 2024, 4, 1 },
        { 2024, 5, 6 }, { 2024, 6, 3 },  { 2024, 7, 1 },   { 2024, 8, 5 },
        { 2024, 9, 2 }, { 2024, 10, 7 }, { 2024, 11, 4 },  { 2024, 12, 2 },
    };
    repeat_rule_t r = parse_ok("monthly first MON");
    assert_expand(&r, ymd(2024, 1, 1), ymd(2024, 1, 1), ymd(2024, 12, 31), want, 12);
    /* Same from a series that began long before, and from the RRULE form. */
    r = parse_ok("FREQ=MONTHLY;BYDAY=1MO");
    assert_expand(&r, ymd(1900, 1, 1), ymd(2024, 1, 1), ymd(2024, 12, 31), want, 12);
}

static void test_expand_last_fridays(void **state)
{
    (void)state;
    static const int want[][3] = {
        { 2024, 1, 26 }, { 2024, 2, 23 },  { 2024, 3, 29 },  { 2024, 4, 26 },
        { 2024, 5, 31 }, { 2024, 6, 28 },  { 2024, 7, 26 },  { 2024, 8, 30 },
        { 2024, 9, 27 }, { 2024, 10, 25 }, { 2024, 11, 29 }, { 2024, 12, 27 },
    };
    repeat_rule_t r = parse_ok("monthly last FRI");
    assert_expand(&r, ymd(2024, 1, 26), ymd(2024, 1, 1), ymd(2024, 12, 31), want, 12);
    /* Every other month from February. */
    static const int every2[][3] = {
        { 2024, 2, 23 }, { 2024, 4, 26 }, { 2024, 6, 28 },
        { 2024, 8, 30 }, { 2024, 10, 25 }, { 2024, 12, 27 },
    };
    r = parse_ok("every 2 months last FRI");
    assert_expand(&r, ymd(2024, 2, 23), ymd(2024, 1, 1), ymd(2024, 12, 31), every2, 6);
}

static void test_expand_day_31_skips_short_months(void **state)
{
    (void)state;
    static const int want[][3] = {
        { 2024, 1, 31 }, { 2024, 3, 31 },  { 2024, 5, 31 },  { 2024, 7, 31 },
        { 2024, 8, 31 }, { 2024, 10, 31 }, { 2024, 12, 31 }, { 2025, 1, 31 },
    };
    repeat_rule_t r = parse_ok("monthly day 31");
    assert_expand(&r, ymd(2024, 1, 31), ymd(2024, 1, 1), ymd(2025, 2, 28), want, 8);

    /* Every 2 months from January: September and November are skipped, the
       series does not move to other months. */
    static const int every2[][3] = {
        { 2024, 1, 31 }, { 2024, 3, 31 }, { 2024, 5, 31 }, { 2024, 7, 31 }, { 2025, 1, 31 },
    };
    r = parse_ok("every 2 months day 31");
    assert_expand(&r, ymd(2024, 1, 31), ymd(2024, 1, 1), ymd(2025, 2, 28), every2, 5);

    /* Skipped months do not use up the count. */
    static const int counted[][3] = {
        { 2024, 1, 31 }, { 2024, 3, 31 }, { 2024, 5, 31 }, { 2024, 7, 31 },
    };
    r = parse_ok("monthly day 31 count 4");
    assert_expand(&r, ymd(2024, 1, 31), ymd(2023, 1, 1), ymd(2030, 1, 1), counted, 4);
    assert_expand(&r, ymd(2024, 1, 31), ymd(2024, 6, 1), ymd(2030, 1, 1), counted + 3, 1);

    /* 29 February yearly: only leap years, and 2100 is not one. */
    static const int leap[][3] = { { 2096, 2, 29 }, { 2104, 2, 29 } };
    r = parse_ok("every 12 months day 29");
    assert_expand(&r, ymd(2024, 2, 29), ymd(2095, 1, 1), ymd(2107, 12, 31), leap, 2);
}

static void test_expand_every_two_weeks(void **state)
{
    (void)state;
    static const int want[][3] = {
        { 2024, 1, 2 }, { 2024, 1, 16 }, { 2024, 1, 30 }, { 2024, 2, 13 }, { 2024, 2, 27 },
    };
    repeat_rule_t r = parse_ok("every 2 weeks TUE");
    assert_expand(&r, ymd(2024, 1, 2), ymd(2024, 1, 1), ymd(2024, 2, 29), want, 5);
    /* A window starting on an off week. */
    assert_expand(&r, ymd(2024, 1, 2), ymd(2024, 1, 3), ymd(2024, 2, 29), want + 1, 4);
    assert_expand(&r, ymd(2024, 1, 2), ymd(2024, 1, 17), ymd(2024, 1, 29), want, 0);
}

static void test_expand_count_and_until(void **state)
{
    (void)state;
    static const int mondays[][3] = {
        { 2024, 1, 1 }, { 2024, 1, 8 }, { 2024, 1, 15 }, { 2024, 1, 22 },
    };
    int32_t first = ymd(2024, 1, 1);
    repeat_rule_t r = parse_ok("weekly MON count 3");
    assert_expand(&r, first, ymd(2023, 1, 1), ymd(2024, 12, 31), mondays, 3);
    assert_expand(&r, first, ymd(2024, 1, 9), ymd(2024, 12, 31), mondays + 2, 1);
    assert_expand(&r, first, ymd(2024, 1, 16), ymd(2024, 12, 31), mondays, 0);

    r = parse_ok("weekly MON until 2024-01-22"); /* until is inclusive */
    assert_expand(&r, first, first, ymd(2024, 12, 31), mondays, 4);
    r = parse_ok("weekly MON until 2024-01-21");
    assert_expand(&r, first, first, ymd(2024, 12, 31), mondays, 3);
    r = parse_ok("weekly MON until 2023-12-31"); /* until before first: nothing */
    assert_expand(&r, first, first, ymd(2024, 12, 31), mondays, 0);
    assert_false(repeat_matches(&r, first, first));

    static const int first_mondays[][3] = { { 2024, 11, 4 }, { 2024, 12, 2 } };
    r = parse_ok("monthly first MON count 12");
    int32_t got[16];
    assert_int_equal(repeat_expand(&r, first, ymd(2020, 1, 1), ymd(2030, 1, 1), got, 16), 12);
    assert_int_equal(got[11], ymd(2024, 12, 2));
    assert_expand(&r, first, ymd(2024, 11, 1), ymd(2030, 1, 1), first_mondays, 2);

    r = parse_ok("monthly first MON until 02/12/2024");
    assert_expand(&r, first, ymd(2024, 11, 1), ymd(2030, 1, 1), first_mondays, 2);
    r = parse_ok("monthly first MON until 01/12/2024");
    assert_expand(&r, first, ymd(2024, 11, 1), ymd(2030, 1, 1), first_mondays, 1);

    /* Every 3 weeks, count 4: the fourth is 9 weeks on. */
    r = parse_ok("every 3 weeks MON count 4");
    assert_int_equal(repeat_expand(&r, first, first, ymd(2030, 1, 1), got, 16), 4);
    assert_int_equal(got[3], first + 63);
}

static void test_expand_late_windows(void **state)
{
    (void)state;
    int32_t first = ymd(1900, 1, 1); /* a Monday, and the first Monday of January */
    static const int dec_mondays[][3] = {
        { 2199, 12, 2 }, { 2199, 12, 9 }, { 2199, 12, 16 }, { 2199, 12, 23 }, { 2199, 12, 30 },
    };
    repeat_rule_t r = parse_ok("weekly MON");
    assert_expand(&r, first, ymd(2199, 12, 1), ymd(2199, 12, 31), dec_mondays, 5);
    /* The window may reach past the end of the calendar. */
    assert_expand(&r, first, ymd(2199, 12, 1), INT32_MAX, dec_mondays, 5);

    r = parse_ok("monthly first MON");
    assert_expand(&r, first, ymd(2199, 12, 1), INT32_MAX, dec_mondays, 1);

    /* Every 5 weeks from 1900, one quarter of 2150. */
    r = parse_ok("every 5 weeks MON");
    int32_t got[32];
    int32_t from = ymd(2150, 1, 1), to = ymd(2150, 3, 31);
    size_t n = repeat_expand(&r, first, from, to, got, 32);
    int32_t expect = first + (from - first + 34) / 35 * 35;
    assert_int_equal(n, (size_t)((to - expect) / 35 + 1));
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(got[i], expect + 35 * (int32_t)i);
        assert_int_equal(date_weekday(got[i]), 1);
    }

    /* A counted series ends long before a late window. */
    r = parse_ok("monthly day 31 count 1000");
    assert_int_equal(repeat_expand(&r, ymd(1900, 1, 31), ymd(2190, 1, 1), INT32_MAX, got, 32), 0);
    /* 1000 31sts from 1900-01-31: seven months a year have one, so the
       142 years hold 994 and the 1000th is the sixth of 2042, 31 October. */
    size_t total = repeat_expand(&r, ymd(1900, 1, 31), ymd(2042, 1, 1), ymd(2042, 12, 31), got, 32);
    assert_int_equal(total, 6);
    int32_t last = got[total - 1];
    assert_int_equal(last, ymd(2042, 10, 31));
    assert_true(repeat_matches(&r, ymd(1900, 1, 31), last));
    int32_t next;
    repeat_align(&r, last + 1, &next);
    assert_false(repeat_matches(&r, ymd(1900, 1, 31), next));
    /* Exactly 1000 in all. */
    assert_int_equal(repeat_expand(&r, ymd(1900, 1, 31), 0 - 30000, INT32_MAX, NULL, 0), 1000);
}

static void test_expand_cap_and_window_edges(void **state)
{
    (void)state;
    repeat_rule_t r = parse_ok("monthly first MON");
    int32_t first = ymd(2024, 1, 1);
    int32_t got[5] = { -1, -1, -1, -1, -1 };
    assert_int_equal(repeat_expand(&r, first, first, ymd(2024, 12, 31), got, 3), 12);
    assert_int_equal(got[0], ymd(2024, 1, 1));
    assert_int_equal(got[2], ymd(2024, 3, 4));
    assert_int_equal(got[3], -1); /* nothing past cap */
    assert_int_equal(repeat_expand(&r, first, first, ymd(2024, 12, 31), NULL, 0), 12);
    /* out NULL is treated as cap 0 */
    assert_int_equal(repeat_expand(&r, first, first, ymd(2024, 12, 31), NULL, 5), 12);

    /* from > to, a window before first, a single-day window. */
    assert_int_equal(repeat_expand(&r, first, ymd(2024, 5, 1), ymd(2024, 4, 1), got, 5), 0);
    assert_int_equal(repeat_expand(&r, first, ymd(2020, 1, 1), ymd(2023, 12, 31), got, 5), 0);
    assert_int_equal(repeat_expand(&r, first, ymd(2024, 5, 6), ymd(2024, 5, 6), got, 5), 1);
    assert_int_equal(got[0], ymd(2024, 5, 6));

    /* first not an occurrence: nothing. */
    assert_int_equal(repeat_expand(&r, ymd(2024, 1, 8), first, ymd(2024, 12, 31), got, 5), 0);
    /* first outside the calendar. */
    repeat_rule_t w = weekly(1, 1);
    assert_int_equal(repeat_expand(&w, ymd(1900, 1, 1) - 7, ymd(1900, 1, 1), ymd(1900, 2, 1),
                                   got, 5), 0);
    assert_int_equal(repeat_expand(&w, INT32_MAX - 6, INT32_MIN, INT32_MAX, got, 5), 0);
}

/* ---- Align and matches -------------------------------------------------- */

static void assert_align(const char *text, int32_t day, int y, int m, int d)
{
    repeat_rule_t r = parse_ok(text);
    int32_t got = 0;
    if (!repeat_align(&r, day, &got))
        fail_msg("'%s': no alignment", text);
    assert_int_equal(got, ymd(y, m, d));
}

static void test_align(void **state)
{
    (void)state;
    assert_align("weekly MON", ymd(2024, 1, 3), 2024, 1, 8);
    assert_align("weekly MON", ymd(2024, 1, 8), 2024, 1, 8);
    assert_align("weekly SUN", ymd(2024, 1, 8), 2024, 1, 14);
    assert_align("monthly first MON", ymd(2024, 1, 1), 2024, 1, 1);
    assert_align("monthly first MON", ymd(2024, 1, 2), 2024, 2, 5);
    assert_align("monthly second WED", ymd(2024, 5, 1), 2024, 5, 8);
    assert_align("monthly fourth THU", ymd(2024, 11, 29), 2024, 12, 26);
    assert_align("monthly last FRI", ymd(2024, 5, 31), 2024, 5, 31);
    assert_align("monthly last FRI", ymd(2024, 6, 1), 2024, 6, 28);
    assert_align("monthly day 15", ymd(2024, 1, 16), 2024, 2, 15);
    assert_align("monthly day 31", ymd(2024, 4, 1), 2024, 5, 31);
    assert_align("monthly day 30", ymd(2024, 1, 31), 2024, 3, 30);
    assert_align("monthly day 29", ymd(2023, 2, 1), 2023, 3, 29);
    assert_align("monthly day 29", ymd(2100, 2, 1), 2100, 3, 29);
    /* Interval, count and until do not matter. */
    assert_align("every 5 months day 15 until 2020-01-01", ymd(2024, 3, 20), 2024, 4, 15);
    assert_align("every 3 weeks TUE count 1", ymd(2024, 1, 1), 2024, 1, 2);
    /* The ends of the calendar. */
    assert_align("weekly MON", ymd(1900, 1, 1) - 100, 1900, 1, 1);
    assert_align("monthly day 31", ymd(2199, 12, 31), 2199, 12, 31);
    assert_align("monthly last TUE", ymd(2199, 12, 31), 2199, 12, 31);

    repeat_rule_t r = parse_ok("weekly WED");
    int32_t got = 12345;
    assert_false(repeat_align(&r, ymd(2199, 12, 31), &got)); /* a Tuesday */
    assert_false(repeat_align(&r, INT32_MAX, &got));
    r = parse_ok("monthly first MON");
    assert_false(repeat_align(&r, ymd(2199, 12, 3), &got));
    assert_int_equal(got, 12345);
    assert_true(repeat_align(&r, ymd(2199, 12, 2), NULL));

    /* Align always gives a valid first date. */
    r = parse_ok("every 2 months last SUN count 3");
    assert_true(repeat_align(&r, ymd(2024, 7, 1), &got));
    assert_true(repeat_matches(&r, got, got));
}

static void test_matches(void **state)
{
    (void)state;
    int32_t first = ymd(2024, 1, 1);
    repeat_rule_t r = parse_ok("every 2 weeks MON");
    assert_true(repeat_matches(&r, first, first));
    assert_true(repeat_matches(&r, first, ymd(2024, 1, 15)));
    assert_true(repeat_matches(&r, first, first + 14 * 4000));      /* in 2177 */
    assert_false(repeat_matches(&r, first, first + 14 * 4000 + 7));
    assert_false(repeat_matches(&r, first, ymd(2024, 1, 8)));   /* off week */
    assert_false(repeat_matches(&r, first, ymd(2024, 1, 16)));  /* not a Monday */
    assert_false(repeat_matches(&r, first, ymd(2023, 12, 18))); /* before first */
    /* first itself must be an occurrence */
    assert_false(repeat_matches(&r, ymd(2024, 1, 2), ymd(2024, 1, 15)));

    r = parse_ok("weekly MON count 3");
    assert_true(repeat_matches(&r, first, ymd(2024, 1, 15)));
    assert_false(repeat_matches(&r, first, ymd(2024, 1, 22)));

    r = parse_ok("weekly MON until 2024-01-22");
    assert_true(repeat_matches(&r, first, ymd(2024, 1, 22)));
    assert_false(repeat_matches(&r, first, ymd(2024, 1, 29)));

    r = parse_ok("monthly day 31 count 4");
    assert_true(repeat_matches(&r, ymd(2024, 1, 31), ymd(2024, 7, 31)));
    assert_false(repeat_matches(&r, ymd(2024, 1, 31), ymd(2024, 8, 31)));
    assert_false(repeat_matches(&r, ymd(2024, 1, 31), ymd(2024, 4, 30)));

    r = parse_ok("every 3 months first MON");
    assert_true(repeat_matches(&r, first, ymd(2024, 4, 1)));
    assert_true(repeat_matches(&r, first, ymd(2024, 10, 7)));
    assert_false(repeat_matches(&r, first, ymd(2024, 2, 5)));  /* off month */
    assert_false(repeat_matches(&r, first, ymd(2024, 4, 8)));  /* second Monday */

    r = parse_ok("monthly last FRI");
    assert_true(repeat_matches(&r, ymd(2024, 1, 26), ymd(2024, 5, 31)));
    assert_false(repeat_matches(&r, ymd(2024, 1, 26), ymd(2024, 5, 24)));
    assert_false(repeat_matches(&r, ymd(2024, 1, 19), ymd(2024, 5, 31))); /* bad first */
}

/* ---- Against a day-by-day reference ------------------------------------- */

/* The obvious, slow definition: walk every day from first and test it. */
static bool ref_pattern(const repeat_rule_t *r, int32_t day)
{
    int y, m, d;
    date_to_ymd(day, &y, &m, &d);
    switch (r->kind) {
    case REPEAT_WEEKLY:
        return date_weekday(day) == r->weekday;
    case REPEAT_MONTHLY_WEEKDAY:
        if (date_weekday(day) != r->weekday)
            return false;
        if (r->nth == -1)
            return d + 7 > date_days_in_month(y, m);
        return (d - 1) / 7 + 1 == r->nth;
    default:
        return d == r->monthday;
    }
}

static size_t ref_expand(const repeat_rule_t *r, int32_t first, int32_t from, int32_t to,
                         int32_t *out, size_t cap)
{
    if (!ref_pattern(r, first))
        return 0;
    int fy, fm;
    date_to_ymd(first, &fy, &fm, NULL);
    int32_t end = ymd(2199, 12, 31);
    if (to < end)
        end = to;
    if (r->until < end)
        end = r->until;
    size_t n = 0;
    int seen = 0;
    for (int32_t day = first; day <= end; day++) {
        if (!ref_pattern(r, day))
            continue;
        int y, m;
        date_to_ymd(day, &y, &m, NULL);
        int stride = r->kind == REPEAT_WEEKLY ? (day - first) / 7 : (y * 12 + m) - (fy * 12 + fm);
        if (stride % r->interval != 0)
            continue;
        if (r->count != 0 && seen == r->count)
            break;
        seen++;
        if (day >= from) {
            if (n < cap)
                out[n] = day;
            n++;
        }
    }
    return n;
}

static uint32_t s_seed = 20240520u;

static int rnd(int lo, int hi)
{
    s_seed = s_seed * 1103515245u + 12345u;
    return lo + (int)((s_seed >> 8) % (uint32_t)(hi - lo + 1));
}

static void test_expand_matches_reference(void **state)
{
    (void)state;
    static const int nths[] = { 1, 2, 3, 4, -1 };
    int32_t base = ymd(2000, 1, 1);
    for (int iter = 0; iter < 600; iter++) {
        repeat_rule_t r;
        int kind = rnd(1, 3);
        int interval = rnd(0, 2) == 0 ? rnd(1, 12) : rnd(1, 3);
        if (kind == 1)
            r = weekly(interval, rnd(1, 7));
        else if (kind == 2)
            r = monthly_nth(interval, nths[rnd(0, 4)], rnd(1, 7));
        else
            r = monthly_day(interval, rnd(0, 1) ? rnd(28, 31) : rnd(1, 31));
        int32_t first;
        assert_true(repeat_align(&r, base + rnd(0, 11000), &first));
        switch (rnd(0, 2)) {
        case 1:
            r.count = rnd(1, 40);
            break;
        case 2:
            r.until = first + rnd(-30, 3000);
            break;
        default:
            break;
        }
        int32_t from = first + rnd(-400, 3000);
        int32_t to = from + rnd(0, 2000);

        int32_t got[400], want[400];
        size_t n = repeat_expand(&r, first, from, to, got, 400);
        size_t n_ref = ref_expand(&r, first, from, to, want, 400);
        char text[REPEAT_TEXT_MAX];
        repeat_format(&r, text, sizeof text);
        if (n != n_ref)
            fail_msg("'%s' first %d [%d, %d]: %zu occurrences, reference %zu", text, (int)first,
                     (int)from, (int)to, n, n_ref);
        for (size_t i = 0; i < n && i < 400; i++)
            assert_int_equal(got[i], want[i]);
        /* matches agrees with the listing on every day of a short stretch. */
        for (int32_t day = from; day < from + 40; day++) {
            int32_t one;
            bool listed = ref_expand(&r, first, day, day, &one, 1) == 1;
            assert_int_equal(repeat_matches(&r, first, day), listed);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_friendly_forms),
        cmocka_unit_test(test_parse_rrule_forms),
        cmocka_unit_test(test_parse_refusals_friendly),
        cmocka_unit_test(test_parse_refusals_rrule),
        cmocka_unit_test(test_parse_length_limit),
        cmocka_unit_test(test_format_and_rrule),
        cmocka_unit_test(test_format_buffers_and_invalid_rules),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_expand_first_mondays_2024),
        cmocka_unit_test(test_expand_last_fridays),
        cmocka_unit_test(test_expand_day_31_skips_short_months),
        cmocka_unit_test(test_expand_every_two_weeks),
        cmocka_unit_test(test_expand_count_and_until),
        cmocka_unit_test(test_expand_late_windows),
        cmocka_unit_test(test_expand_cap_and_window_edges),
        cmocka_unit_test(test_align),
        cmocka_unit_test(test_matches),
        cmocka_unit_test(test_expand_matches_reference),
    };
    return cmocka_run_group_tests_name("repeat", tests, NULL, NULL);
}
