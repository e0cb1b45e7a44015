/* Unit tests for common/calendar/workcal.c: the computed holidays, compensation
 * days, working-day arithmetic, the override files and their errors, and
 * the announced 2019-2026 calendars in deploy/calendar. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/date.h"
#include "calendar/lunar.h"
#include "calendar/workcal.h"
#include "tempdir.h"

/* Run from the repository root (as tests/run.py does). */
#define DEPLOY_CALENDAR "deploy/calendar"

typedef struct {
    char root[64];
    char why[512];
    workcal_t *cal;
} fixture_t;

static int setup(void **state)
{
    fixture_t *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    if (!tempdir_make(fx->root, sizeof fx->root, "workcal")) {
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *fx = *state;
    workcal_free(&fx->cal);
    tempdir_remove(fx->root);
    free(fx);
    return 0;
}

static int32_t ymd(int y, int m, int d)
{
    int32_t day = 0;
    assert_true(date_from_ymd(y, m, d, &day, NULL));
    return day;
}

static int32_t iso(const char *text)
{
    int32_t day = 0;
    if (!date_parse(text, &day, NULL))
        fail_msg("bad date in test: %s", text);
    return day;
}

static void write_file(const fixture_t *fx, const char *name, const char *text)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", fx->root, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

static void remove_file(const fixture_t *fx, const char *name)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", fx->root, name);
    assert_int_equal(remove(path), 0);
}

static workcal_t *load_ok(const char *dir)
{
    char why[512] = "";
    workcal_t *cal = workcal_load(dir, why, sizeof why);
    if (!cal)
        fail_msg("workcal_load(%s): %s", dir ? dir : "NULL", why);
    return cal;
}

/* Loads fx->root expecting failure with "ROOT/NAME:LINE: " followed by a
   message containing `fragment`. */
static void load_fails_at(fixture_t *fx, const char *name, int line, const char *fragment)
{
    memset(fx->why, 0, sizeof fx->why);
    workcal_t *cal = workcal_load(fx->root, fx->why, sizeof fx->why);
    if (cal) {
        workcal_free(&cal);
        fail_msg("expected %s:%d to fail (%s)", name, line, fragment);
    }
    char prefix[160];
    if (line > 0)
        snprintf(prefix, sizeof prefix, "%s/%s:%d: ", fx->root, name, line);
    else
        snprintf(prefix, sizeof prefix, "%s/%s", fx->root, name);
    if (strncmp(fx->why, prefix, strlen(prefix)) != 0 || !strstr(fx->why, fragment))
        fail_msg("got \"%s\", want \"%s...%s...\"", fx->why, prefix, fragment);
    assert_null(strchr(fx->why, '\n'));
}

static void assert_add(const workcal_t *cal, const char *from, int n, const char *want)
{
    int32_t out = 0;
    const char *why = NULL;
    if (!workcal_add_working_days(cal, iso(from), n, &out, &why))
        fail_msg("%s %+d working days failed: %s", from, n, why ? why : "(no reason)");
    if (out != iso(want)) {
        char got[DATE_ISO_LEN];
        date_format_iso(out, got);
        fail_msg("%s %+d working days: got %s, want %s", from, n, got, want);
    }
}

/* One expected entry of workcal_year. */
typedef struct {
    const char *date;
    bool working;
    const char *reason_part; /* must appear in the reason */
} expect_t;

static void assert_year(const workcal_t *cal, int year, const expect_t *want, size_t n_want)
{
    workcal_day_t days[64];
    size_t n = workcal_year(cal, year, days, 64);
    for (size_t i = 0; i < n && i < n_want; i++) {
        char got[DATE_ISO_LEN];
        date_format_iso(days[i].day, got);
        if (strcmp(got, want[i].date) != 0 || days[i].working != want[i].working ||
            !strstr(days[i].reason, want[i].reason_part))
            fail_msg("%d entry %zu: got %s %s \"%s\", want %s %s \"...%s...\"", year, i, got,
                     days[i].working ? "work" : "off", days[i].reason, want[i].date,
                     want[i].working ? "work" : "off", want[i].reason_part);
    }
    assert_int_equal(n, n_want);
}

/* ---- The computed calendar ---------------------------------------------- */

static const expect_t s_2024_computed[] = {
    {"2024-01-01", false, "Tết Dương lịch (New Year's Day)"},
    {"2024-02-09", false, "Tết Nguyên đán (Lunar New Year)"},
    {"2024-02-10", false, "Tết Nguyên đán (Lunar New Year), trùng thứ Bảy (on a Saturday)"},
    {"2024-02-11", false, "Tết Nguyên đán (Lunar New Year), trùng Chủ nhật (on a Sunday)"},
    {"2024-02-12", false, "Tết Nguyên đán (Lunar New Year)"},
    {"2024-02-13", false, "Tết Nguyên đán (Lunar New Year)"},
    {"2024-02-14", false, "Nghỉ bù Tết Nguyên đán (compensatory day)"},
    {"2024-02-15", false, "Nghỉ bù Tết Nguyên đán (compensatory day)"},
    {"2024-04-18", false, "Giỗ Tổ Hùng Vương (Hùng Kings' Day)"},
    {"2024-04-30", false, "Ngày Chiến thắng (Reunification Day)"},
    {"2024-05-01", false, "Ngày Quốc tế Lao động (International Labour Day)"},
    {"2024-09-02", false, "Quốc khánh (National Day)"},
    {"2024-09-03", false, "Quốc khánh (National Day)"},
};

static void test_year_2024_computed(void **state)
{
    fixture_t *fx = *state;
    fx->cal = load_ok(NULL);
    assert_year(fx->cal, 2024, s_2024_computed, sizeof s_2024_computed / sizeof s_2024_computed[0]);

    /* A holiday on a weekday says nothing about weekends. */
    workcal_day_t days[16];
    assert_int_equal(workcal_year(fx->cal, 2024, days, 16), 13);
    assert_string_equal(days[0].reason, "Tết Dương lịch (New Year's Day)");
    assert_string_equal(days[6].reason, "Nghỉ bù Tết Nguyên đán (compensatory day)");

    /* "" is the computed calendar too. */
    workcal_t *empty = load_ok("");
    assert_int_equal(workcal_year(empty, 2024, days, 16), 13);
    workcal_free(&empty);
    assert_null(empty);
}

/* The weekday rules for 2/9 and weekend compensation, on years whose
   government calendars mostly followed the same rules (2026 added 1/9,
   not 3/9: deploy/calendar/2026.conf). */
static void test_weekend_rules(void **state)
{
    fixture_t *fx = *state;
    fx->cal = load_ok(NULL);
    const workcal_t *cal = fx->cal;

    /* 2/9 on each weekday: the adjacent day, then a compensation day. */
    static const struct {
        const char *national, *adjacent, *compensation;
    } sep[] = {
        {"2024-09-02", "2024-09-03", NULL},         /* Mon -> 3/9 */
        {"2025-09-02", "2025-09-01", NULL},         /* Tue -> 1/9 */
        {"2026-09-02", "2026-09-03", NULL},         /* Wed -> 3/9 */
        {"2027-09-02", "2027-09-03", NULL},         /* Thu -> 3/9 */
        {"2022-09-02", "2022-09-01", NULL},         /* Fri -> 1/9 */
        {"2023-09-02", "2023-09-01", "2023-09-04"}, /* Sat -> 1/9, Mon off */
        {"2029-09-02", "2029-09-03", "2029-09-04"}, /* Sun -> 3/9, Tue off */
    };
    for (size_t i = 0; i < sizeof sep / sizeof sep[0]; i++) {
        int32_t nat = iso(sep[i].national), adj = iso(sep[i].adjacent);
        assert_int_equal(date_weekday(nat), (int)i + 1);
        assert_false(workcal_is_working_day(cal, nat));
        assert_false(workcal_is_working_day(cal, adj));
        assert_true(date_weekday(adj) <= 5);
        int32_t other = nat + (nat - adj); /* the other side of 2/9 */
        if (date_weekday(other) <= 5 && (!sep[i].compensation || iso(sep[i].compensation) != other))
            assert_true(workcal_is_working_day(cal, other));
        if (sep[i].compensation) {
            int32_t c = iso(sep[i].compensation);
            assert_false(workcal_is_working_day(cal, c));
            assert_true(workcal_is_working_day(cal, c + 1));
        }
    }

    /* New Year on a Sunday (2023): Monday 2/1 off. */
    assert_false(workcal_is_working_day(cal, iso("2023-01-02")));
    assert_true(workcal_is_working_day(cal, iso("2023-01-03")));
    /* 30/4 Saturday and 1/5 Sunday (2022): two compensation days. */
    assert_false(workcal_is_working_day(cal, iso("2022-05-02")));
    assert_false(workcal_is_working_day(cal, iso("2022-05-03")));
    assert_true(workcal_is_working_day(cal, iso("2022-05-04")));
    /* Tết 2025: Tue 28/01 (the eve) to Sat 01/02, Monday 03/02 off. */
    assert_true(workcal_is_working_day(cal, iso("2025-01-27")));
    for (int32_t d = iso("2025-01-28"); d <= iso("2025-02-03"); d++)
        assert_false(workcal_is_working_day(cal, d));
    assert_true(workcal_is_working_day(cal, iso("2025-02-04")));
}

/* The holidays of the Labour Code in force for the year (workcal.h). */
static void test_labour_code_eras(void **state)
{
    fixture_t *fx = *state;
    fx->cal = load_ok(NULL);
    const workcal_t *cal = fx->cal;

    /* Labour Code 2012, 2013-2020: National Day is 2/9 alone. */
    assert_false(workcal_is_working_day(cal, iso("2019-09-02"))); /* Mon */
    assert_true(workcal_is_working_day(cal, iso("2019-09-03")));
    assert_false(workcal_is_working_day(cal, iso("2020-09-02"))); /* Wed */
    assert_true(workcal_is_working_day(cal, iso("2020-09-01")));
    assert_true(workcal_is_working_day(cal, iso("2020-09-03")));
    assert_false(workcal_is_working_day(cal, iso("2013-09-02"))); /* Mon */
    assert_true(workcal_is_working_day(cal, iso("2013-09-03")));
    /* On a weekend, 2/9 alone gives one compensation day. */
    assert_false(workcal_is_working_day(cal, iso("2018-09-03"))); /* Sun 2/9 */
    assert_true(workcal_is_working_day(cal, iso("2018-09-04")));
    assert_true(workcal_is_working_day(cal, iso("2018-08-31")));
    /* Labour Code 2019, from 2021: 2/9 and an adjacent day. */
    assert_false(workcal_is_working_day(cal, iso("2021-09-03")));

    /* Tết: five days from 2013 (the eve through 4/1), four before (the eve
       through 3/1). Tết 2013 is Sun 10/02: Sat 09 to Wed 13, then Thu 14
       and Fri 15 for the weekend. Tết 2012 is Mon 23/01: Sun 22 to Wed 25,
       then Thu 26 for Sunday; Fri 27 works. */
    for (int32_t d = iso("2013-02-09"); d <= iso("2013-02-15"); d++)
        assert_false(workcal_is_working_day(cal, d));
    assert_true(workcal_is_working_day(cal, iso("2013-02-18")));
    for (int32_t d = iso("2012-01-22"); d <= iso("2012-01-26"); d++)
        assert_false(workcal_is_working_day(cal, d));
    assert_true(workcal_is_working_day(cal, iso("2012-01-27")));
    workcal_day_t days[32];
    size_t n = workcal_year(cal, 2012, days, 32);
    size_t tet = 0;
    for (size_t i = 0; i < n; i++)
        if (strstr(days[i].reason, "Tết Nguyên đán (Lunar New Year)"))
            tet++;
    assert_int_equal(tet, 4);

    /* Giỗ Tổ Hùng Vương from 2007: Thu 26/04/2007 off, Fri 07/04/2006 not. */
    assert_false(workcal_is_working_day(cal, iso("2007-04-26")));
    assert_true(workcal_is_working_day(cal, iso("2006-04-07")));
    n = workcal_year(cal, 2006, days, 32);
    for (size_t i = 0; i < n; i++)
        assert_null(strstr(days[i].reason, "Hùng"));
    /* 10/3 lunar fell on 30/4 in 1947, before it was a holiday: 30/4 is
       Reunification Day alone. */
    lunar_date_t hung = {.year = 1947, .month = 3, .day = 10, .leap = false};
    int32_t day;
    assert_true(lunar_to_day(&hung, &day));
    assert_int_equal(day, iso("1947-04-30"));
    n = workcal_year(cal, 1947, days, 32);
    size_t found = 0;
    for (size_t i = 0; i < n; i++)
        if (days[i].day == day) {
            found++;
            assert_string_equal(days[i].reason, "Ngày Chiến thắng (Reunification Day)");
        }
    assert_int_equal(found, 1);
    assert_true(workcal_is_working_day(cal, day - 1));
    assert_true(workcal_is_working_day(cal, day + 2));
}

/* Every year: the holidays are there, in order, and weekend holidays are
   each matched by one compensation day. */
static void test_every_year_shape(void **state)
{
    fixture_t *fx = *state;
    fx->cal = load_ok(NULL);
    for (int year = DATE_MIN_YEAR; year <= DATE_MAX_YEAR; year++) {
        workcal_day_t days[32];
        size_t n = workcal_year(fx->cal, year, days, 32);
        assert_true(n >= 8 && n <= 32); /* 8 holidays before 2007, 11 from 2021 */
        size_t weekend = 0, compensation = 0;
        for (size_t i = 0; i < n; i++) {
            int y;
            date_to_ymd(days[i].day, &y, NULL, NULL);
            assert_int_equal(y, year);
            if (i > 0)
                assert_true(days[i].day > days[i - 1].day);
            assert_false(days[i].working);
            assert_false(workcal_is_working_day(fx->cal, days[i].day));
            assert_true(strlen(days[i].reason) > 0);
            if (strstr(days[i].reason, "Nghỉ bù")) {
                compensation++;
                assert_true(date_weekday(days[i].day) <= 5);
            } else if (date_weekday(days[i].day) >= 6) {
                weekend++;
                assert_non_null(strstr(days[i].reason, "trùng"));
            }
        }
        assert_int_equal(compensation, weekend);
    }
    workcal_day_t none[1];
    assert_int_equal(workcal_year(fx->cal, 1899, none, 1), 0);
    assert_int_equal(workcal_year(fx->cal, 2200, none, 1), 0);
}

static void test_year_cap(void **state)
{
    fixture_t *fx = *state;
    fx->cal = load_ok(NULL);
    workcal_day_t days[4];
    memset(days, 0x5a, sizeof days);
    assert_int_equal(workcal_year(fx->cal, 2024, days, 3), 13);
    assert_int_equal(days[0].day, iso("2024-01-01"));
    assert_int_equal(days[2].day, iso("2024-02-10"));
    assert_int_equal(days[3].day, 0x5a5a5a5a); /* untouched */
    assert_int_equal(workcal_year(fx->cal, 2024, NULL, 0), 13);
}

/* ---- Working-day arithmetic ---------------------------------------------- */

static void test_add_working_days(void **state)
{
    fixture_t *fx = *state;
    fx->cal = load_ok(NULL);
    const workcal_t *cal = fx->cal;

    /* Weekends. */
    assert_add(cal, "2024-05-17", 1, "2024-05-20");  /* Fri -> Mon */
    assert_add(cal, "2024-05-18", 1, "2024-05-20");  /* Sat -> Mon */
    assert_add(cal, "2024-05-18", -1, "2024-05-17"); /* Sat -> Fri */
    assert_add(cal, "2024-05-20", 5, "2024-05-27");
    assert_add(cal, "2024-05-20", -5, "2024-05-13");
    assert_add(cal, "2024-05-20", 0, "2024-05-20");
    assert_add(cal, "2024-05-18", 0, "2024-05-18"); /* 0 is the day itself */
    assert_add(cal, "2024-02-10", 0, "2024-02-10");

    /* Across Tết 2024 (computed: the eve Fri 09/02 to Thu 15/02 off). */
    assert_add(cal, "2024-02-07", 1, "2024-02-08");
    assert_add(cal, "2024-02-08", 1, "2024-02-16");
    assert_add(cal, "2024-02-16", -1, "2024-02-08");
    assert_add(cal, "2024-02-12", 1, "2024-02-16");
    assert_add(cal, "2024-02-12", -1, "2024-02-08");

    /* Across 2/9/2025 (Tue, with Mon 1/9): Fri 29/08 -> Wed 03/09. */
    assert_add(cal, "2025-08-29", 1, "2025-09-03");
    assert_add(cal, "2025-09-03", -1, "2025-08-29");
    assert_add(cal, "2025-08-28", 2, "2025-09-03");
    assert_add(cal, "2025-09-02", 1, "2025-09-03");
    assert_add(cal, "2025-09-02", -1, "2025-08-29");

    /* A year and more, and across year ends. */
    assert_add(cal, "2024-12-31", 1, "2025-01-02");
    assert_add(cal, "2025-01-02", -1, "2024-12-31");
    /* 2024: 262 weekdays less 11 holidays and compensation days on them. */
    assert_add(cal, "2024-01-02", 250, "2024-12-31");
    assert_add(cal, "2024-12-31", -250, "2024-01-02");
}

/* The reference: one day at a time. */
static bool naive_add(const workcal_t *cal, int32_t day, int n, int32_t *out)
{
    int32_t first = -25567, last = first + 109573 - 1;
    int step = n > 0 ? 1 : -1;
    for (int left = abs(n); left > 0;) {
        day += step;
        if (day < first || day > last)
            return false;
        if (workcal_is_working_day(cal, day))
            left--;
    }
    *out = day;
    return true;
}

/* The word-at-a-time walk against the day-at-a-time reference. */
static void test_add_matches_naive(void **state)
{
    fixture_t *fx = *state;
    fx->cal = load_ok(DEPLOY_CALENDAR);
    srand(20240208);
    int32_t first = iso("1900-01-01"), span = iso("2199-12-31") - first + 1;
    for (int i = 0; i < 20000; i++) {
        int32_t day = first + rand() % span;
        int n = rand() % 7301 - 3650;
        if (i % 4 == 0)
            n = rand() % 130 - 65;
        /* Near the ends, so some walks leave the range. */
        if (i % 50 == 0)
            day = i % 100 == 0 ? first + rand() % 5000 : first + span - 1 - rand() % 5000;
        int32_t want = 0, got = 0;
        bool ok_want = naive_add(fx->cal, day, n, &want);
        const char *why = NULL;
        bool ok_got = workcal_add_working_days(fx->cal, day, n, &got, &why);
        if (ok_want != ok_got || (ok_got && want != got))
            fail_msg("day %d %+d: naive %d/%d, fast %d/%d", (int)day, n, ok_want, (int)want,
                     ok_got, (int)got);
        if (ok_got && workcal_is_working_day(fx->cal, day)) {
            int32_t back = 0;
            assert_true(workcal_add_working_days(fx->cal, got, -n, &back, NULL));
            assert_int_equal(back, day);
        }
    }
}

static void test_add_out_of_range(void **state)
{
    fixture_t *fx = *state;
    fx->cal = load_ok(NULL);
    const workcal_t *cal = fx->cal;
    int32_t first = iso("1900-01-01"), last = iso("2199-12-31");
    int32_t out = 1234;
    const char *why = NULL;

    assert_false(workcal_add_working_days(cal, first - 1, 1, &out, &why));
    assert_non_null(why);
    why = NULL;
    assert_false(workcal_add_working_days(cal, last + 1, 0, &out, &why));
    assert_non_null(why);
    assert_false(workcal_add_working_days(cal, INT32_MIN, -1, &out, NULL));
    assert_false(workcal_add_working_days(cal, INT32_MAX, 1, &out, NULL));
    /* 1900-01-01 is a holiday (Monday): nothing before 1900-01-02. */
    why = NULL;
    assert_false(workcal_add_working_days(cal, iso("1900-01-02"), -1, &out, &why));
    assert_non_null(strstr(why, "1900-2199"));
    /* 2199-12-31 is a Tuesday, the last working day. */
    assert_true(workcal_is_working_day(cal, last));
    assert_false(workcal_add_working_days(cal, last, 1, &out, NULL));
    assert_false(workcal_add_working_days(cal, last - 400, 3650, &out, NULL));
    assert_false(workcal_add_working_days(cal, first, INT_MAX, &out, NULL));
    assert_false(workcal_add_working_days(cal, last, INT_MIN, &out, NULL));
    assert_int_equal(out, 1234);

    /* The ends themselves are reachable. */
    int32_t got;
    assert_true(workcal_add_working_days(cal, last - 1, 1, &got, NULL));
    assert_int_equal(got, last);
    assert_true(workcal_add_working_days(cal, iso("1900-01-03"), -1, &got, NULL));
    assert_int_equal(got, iso("1900-01-02"));

    assert_false(workcal_is_working_day(cal, first - 1));
    assert_false(workcal_is_working_day(cal, last + 1));
    assert_false(workcal_is_working_day(cal, INT32_MIN));
}

/* ---- Override files ------------------------------------------------------- */

static const char s_2024_conf[] =
    "# test copy of the announced 2024 corrections\n"
    "[off]\n"
    "2024-02-08 = Nghỉ Tết Nguyên đán (ngày bổ sung theo thông báo)\n"
    "29/04/2024 = Nghỉ hoán đổi\n"
    "[work]\n"
    "2024-02-15 = Làm việc theo thông báo\n"
    "  2024-05-04 = Làm bù cho thứ Hai 29/04 ; an inline comment\n";

static const expect_t s_2024_overridden[] = {
    {"2024-01-01", false, "Tết Dương lịch"},
    {"2024-02-08", false, "Nghỉ Tết Nguyên đán (ngày bổ sung theo thông báo)"},
    {"2024-02-09", false, "Tết Nguyên đán (Lunar New Year)"},
    {"2024-02-10", false, "thứ Bảy"},
    {"2024-02-11", false, "Chủ nhật"},
    {"2024-02-12", false, "Tết Nguyên đán"},
    {"2024-02-13", false, "Tết Nguyên đán"},
    {"2024-02-14", false, "Nghỉ bù Tết Nguyên đán (compensatory day)"},
    {"2024-02-15", true, "Làm việc theo thông báo"},
    {"2024-04-18", false, "Giỗ Tổ Hùng Vương"},
    {"2024-04-29", false, "Nghỉ hoán đổi"},
    {"2024-04-30", false, "Ngày Chiến thắng"},
    {"2024-05-01", false, "Quốc tế Lao động"},
    {"2024-05-04", true, "Làm bù cho thứ Hai 29/04"},
    {"2024-09-02", false, "Quốc khánh"},
    {"2024-09-03", false, "Quốc khánh"},
};

static void test_overrides_2024(void **state)
{
    fixture_t *fx = *state;
    write_file(fx, "2024.conf", s_2024_conf);
    write_file(fx, "README", "not a calendar\n");
    write_file(fx, "2024.conf~", "[bogus]\n");
    write_file(fx, "notes.txt", "x = y\n");
    fx->cal = load_ok(fx->root);
    const workcal_t *cal = fx->cal;
    assert_year(cal, 2024, s_2024_overridden,
                sizeof s_2024_overridden / sizeof s_2024_overridden[0]);
    workcal_day_t days[20];
    assert_int_equal(workcal_year(cal, 2024, days, 20), 16);
    assert_string_equal(days[13].reason, "Làm bù cho thứ Hai 29/04");

    assert_add(cal, "2024-02-07", 1, "2024-02-15");
    assert_add(cal, "2024-02-15", -1, "2024-02-07");
    assert_add(cal, "2024-04-26", 1, "2024-05-02"); /* Fri -> Thu */
    assert_add(cal, "2024-05-03", 1, "2024-05-04"); /* the make-up Saturday */
    assert_add(cal, "2024-05-04", 1, "2024-05-06");
    assert_add(cal, "2024-05-06", -2, "2024-05-03");
    assert_true(workcal_is_working_day(cal, iso("2024-05-04")));
    assert_false(workcal_is_working_day(cal, iso("2024-04-29")));

    /* Other years are untouched. */
    workcal_t *plain = load_ok(NULL);
    for (int year = 2023; year <= 2025; year += 2) {
        workcal_day_t a[32], b[32];
        size_t n = workcal_year(cal, year, a, 32);
        assert_int_equal(n, workcal_year(plain, year, b, 32));
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(a[i].day, b[i].day);
            assert_int_equal(a[i].working, b[i].working);
            assert_string_equal(a[i].reason, b[i].reason);
        }
    }
    for (int32_t d = iso("2023-01-01"); d <= iso("2025-12-31"); d++)
        if (d < iso("2024-01-01") || d > iso("2024-12-31"))
            assert_int_equal(workcal_is_working_day(cal, d), workcal_is_working_day(plain, d));
    workcal_free(&plain);
}

/* ---- The announced calendars ---------------------------------------------- */

/* What the government announced for civil servants, 2019-2026, written from
 * the announcements themselves and not from deploy/calendar: the days off
 * besides weekends (a range may include a weekend) and the Saturdays worked.
 * Sources: the Government Office letters and Ministry notices of each year
 * (2026: 12729/VPCP-KGVX for New Year, 9859 for National Day; 2025:
 * 8726/VPCP-KGVX for Tết). */
typedef struct {
    const char *from, *to;
} span_t;

typedef struct {
    int year;
    span_t off[8];
    const char *worked[4]; /* Saturdays made working days */
} announced_t;

static const announced_t s_announced[] = {
    {2019,
     /* 31/12/2018 was off, made up on Sat 05/01/2019. */
     {{"2019-01-01", "2019-01-01"}, {"2019-02-02", "2019-02-10"}, {"2019-04-14", "2019-04-15"},
      {"2019-04-27", "2019-05-01"}, {"2019-08-31", "2019-09-02"}},
     {"2019-01-05", "2019-05-04"}},
    {2020,
     {{"2020-01-01", "2020-01-01"}, {"2020-01-23", "2020-01-29"}, {"2020-04-02", "2020-04-02"},
      {"2020-04-30", "2020-05-03"}, {"2020-09-02", "2020-09-02"}},
     {NULL}},
    {2021,
     {{"2021-01-01", "2021-01-03"}, {"2021-02-10", "2021-02-16"}, {"2021-04-21", "2021-04-21"},
      {"2021-04-30", "2021-05-03"}, {"2021-09-02", "2021-09-05"}},
     {NULL}},
    {2022,
     {{"2022-01-01", "2022-01-03"}, {"2022-01-29", "2022-02-06"}, {"2022-04-09", "2022-04-11"},
      {"2022-04-30", "2022-05-03"}, {"2022-09-01", "2022-09-04"}},
     {NULL}},
    {2023,
     {{"2022-12-31", "2023-01-02"}, {"2023-01-20", "2023-01-26"}, {"2023-04-29", "2023-05-03"},
      {"2023-09-01", "2023-09-04"}},
     {NULL}},
    {2024,
     {{"2024-01-01", "2024-01-01"}, {"2024-02-08", "2024-02-14"}, {"2024-04-18", "2024-04-18"},
      {"2024-04-27", "2024-05-01"}, {"2024-08-31", "2024-09-03"}},
     {"2024-05-04"}},
    {2025,
     /* Tết: nine days, no make-up day (8726/VPCP-KGVX). */
     {{"2025-01-01", "2025-01-01"}, {"2025-01-25", "2025-02-02"}, {"2025-04-05", "2025-04-07"},
      {"2025-04-30", "2025-05-04"}, {"2025-08-30", "2025-09-02"}},
     {"2025-04-26"}},
    {2026,
     {{"2026-01-01", "2026-01-04"}, {"2026-02-14", "2026-02-22"}, {"2026-04-25", "2026-04-27"},
      {"2026-04-30", "2026-05-03"}, {"2026-08-29", "2026-09-02"}},
     {"2026-01-10", "2026-08-22"}},
};

static bool announced_off(const announced_t *a, int32_t d)
{
    for (size_t i = 0; i < sizeof a->worked / sizeof a->worked[0] && a->worked[i]; i++)
        if (d == iso(a->worked[i]))
            return false;
    for (size_t i = 0; i < sizeof a->off / sizeof a->off[0] && a->off[i].from; i++)
        if (d >= iso(a->off[i].from) && d <= iso(a->off[i].to))
            return true;
    return date_weekday(d) >= 6;
}

/* The days of `year` where cal differs from the announcement, printed;
   returns how many. */
static int announced_mismatches(const workcal_t *cal, const announced_t *a)
{
    int bad = 0;
    for (int32_t d = ymd(a->year, 1, 1); d <= ymd(a->year, 12, 31); d++) {
        bool off = announced_off(a, d);
        if (workcal_is_working_day(cal, d) != off)
            continue;
        char text[DATE_ISO_LEN];
        date_format_iso(d, text);
        print_message("%s (%s): calendar says %s, announced %s\n", text,
                      (const char *[]){"", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}[date_weekday(d)],
                      off ? "working" : "off", off ? "off" : "working");
        bad++;
    }
    return bad;
}

/* deploy/calendar holds the announced corrections: with it, every day of
   2019-2026 is what the government announced for civil servants. */
static void test_deploy_calendar(void **state)
{
    fixture_t *fx = *state;
    struct stat st;
    if (stat(DEPLOY_CALENDAR, &st) != 0)
        fail_msg("%s not found: run from the repository root", DEPLOY_CALENDAR);
    fx->cal = load_ok(DEPLOY_CALENDAR);
    const workcal_t *cal = fx->cal;

    int total = 0;
    for (size_t i = 0; i < sizeof s_announced / sizeof s_announced[0]; i++) {
        int bad = announced_mismatches(cal, &s_announced[i]);
        if (bad)
            print_message("%d: %d days differ from the announcement\n", s_announced[i].year, bad);
        total += bad;
    }
    if (total)
        fail_msg("%d days of 2019-2026 differ from the announcements", total);

    assert_add(cal, "2024-02-07", 1, "2024-02-15");
    assert_add(cal, "2025-01-24", 1, "2025-02-03");
    assert_add(cal, "2025-02-07", 1, "2025-02-10"); /* no make-up Saturday 08/02 */
    assert_add(cal, "2025-04-29", 1, "2025-05-05");
    assert_add(cal, "2025-05-05", -1, "2025-04-29");
    assert_add(cal, "2025-08-29", 1, "2025-09-03");
    assert_add(cal, "2026-08-28", 1, "2026-09-03"); /* Thu 03/09 works */
    assert_add(cal, "2026-08-21", 1, "2026-08-22"); /* make-up Saturday */
}

static void test_override_errors(void **state)
{
    fixture_t *fx = *state;
    static const struct {
        const char *text;
        int line;
        const char *fragment;
    } cases[] = {
        {"[off]\n2024-04-29 = a\n[holiday]\n2024-04-26 = b\n", 3, "unknown section [holiday]"},
        {"# nothing in it\n[Off]\n", 2, "unknown section [Off]"},
        {"# comment\n2024-04-29 = swapped\n[off]\n", 2, "outside a section"},
        {"[off]\n2024-13-01 = x\n", 2, "bad date '2024-13-01'"},
        {"[off]\n\n2024-02-30 = x\n", 3, "bad date '2024-02-30': day does not exist in February"},
        {"[work]\nhôm nay = x\n", 2, "bad date"},
        {"[off]\n2023-12-29 = x\n", 2, "2023-12-29 is not in 2024"},
        {"[off]\n2024-04-29 =\n", 2, "empty reason for 2024-04-29"},
        {"[off]\n2024-04-29 = a\n[work]\n29/04/2024 = b\n", 4, "2024-04-29 is listed twice (first at line 2)"},
        {"[off]\n2024-02-10 = x\n", 2,
         "[off] 2024-02-10 is already a day off: Tết Nguyên đán (Lunar New Year), trùng thứ Bảy"},
        {"[off]\n2024-05-05 = x\n", 2, "[off] 2024-05-05 is already a day off: Sunday"},
        {"[off]\n2024-02-14 = x\n", 2, "already a day off: Nghỉ bù Tết Nguyên đán (compensatory day)"},
        {"[work]\n2024-01-02 = x\n", 2, "[work] 2024-01-02 is already a working day"},
        {"[off]\nthis line has no equals sign\n", 2, "syntax error"},
        {"[work]\n2024-05-04: Làm bù\n", 2,
         "'2024-05-04:' has ':' where '=' belongs (expected DATE = REASON)"},
        {"[off]\n2024-04-29 = a\n  29/04/2024 : b = c\n", 3, "'29/04/2024:' has ':'"},
        {"[off]\n2024-04-29:x\n", 2, "'2024-04-29:' has ':'"},
        {"[off\n2024-04-29 = x\n", 1, "syntax error"},
        {"[off]\n2024-04-29 = "
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
         2, "longer than 127 bytes"},
        {"[off]\n2024-04-29 = bad \xC3\x28 utf-8\n", 2, "not valid UTF-8"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_file(fx, "2024.conf", cases[i].text);
        load_fails_at(fx, "2024.conf", cases[i].line, cases[i].fragment);
    }

    /* A line longer than inih's buffer. */
    char long_line[400];
    memset(long_line, 'x', sizeof long_line);
    memcpy(long_line, "[off]\n2024-04-29 = ", 19);
    strcpy(long_line + sizeof long_line - 2, "\n");
    write_file(fx, "2024.conf", long_line);
    load_fails_at(fx, "2024.conf", 2, "line is longer than");
}

/* A reason may hold ':' after the '='. */
static void test_override_colon_in_reason(void **state)
{
    fixture_t *fx = *state;
    write_file(fx, "2024.conf", "[off]\n2024-04-29 = Nghỉ hoán đổi: làm bù 04/05\n"
                                "[work]\n2024-05-04 = Làm bù: thứ Hai 29/04 ; a: comment\n");
    fx->cal = load_ok(fx->root);
    workcal_day_t days[32];
    size_t n = workcal_year(fx->cal, 2024, days, 32);
    bool seen = false;
    for (size_t i = 0; i < n; i++)
        if (days[i].day == iso("2024-05-04")) {
            assert_string_equal(days[i].reason, "Làm bù: thứ Hai 29/04");
            seen = true;
        }
    assert_true(seen);
}

/* A year is announced when it has a file, even an empty one. */
static void test_announced_years(void **state)
{
    fixture_t *fx = *state;
    fx->cal = load_ok(NULL);
    assert_false(workcal_year_announced(fx->cal, 2024));
    assert_int_equal(workcal_announced_years(fx->cal, NULL, 0), 0);
    workcal_free(&fx->cal);

    write_file(fx, "2024.conf", s_2024_conf);
    write_file(fx, "2031.conf", "");
    write_file(fx, "2030.conf~", "[off]\n");
    fx->cal = load_ok(fx->root);
    assert_true(workcal_year_announced(fx->cal, 2024));
    assert_true(workcal_year_announced(fx->cal, 2031));
    assert_false(workcal_year_announced(fx->cal, 2030));
    assert_false(workcal_year_announced(fx->cal, 2025));
    assert_false(workcal_year_announced(fx->cal, 1899));
    assert_false(workcal_year_announced(fx->cal, 2200));
    assert_false(workcal_year_announced(fx->cal, INT_MIN));
    int years[4] = {0, 0, 0, 0};
    assert_int_equal(workcal_announced_years(fx->cal, years, 1), 2);
    assert_int_equal(years[0], 2024);
    assert_int_equal(years[1], 0); /* past cap: untouched */
    assert_int_equal(workcal_announced_years(fx->cal, years, 4), 2);
    assert_int_equal(years[1], 2031);
    workcal_free(&fx->cal);

    /* A failed load announces nothing: there is no calendar. */
    write_file(fx, "2025.conf", "[work]\n2025-01-02 = x\n");
    assert_null(workcal_load(fx->root, NULL, 0));

    /* deploy/calendar: 2019-2026, every year with a file. */
    fx->cal = load_ok(DEPLOY_CALENDAR);
    int got[16];
    size_t n = workcal_announced_years(fx->cal, got, 16);
    assert_int_equal(n, 8);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(got[i], 2019 + (int)i);
    assert_false(workcal_year_announced(fx->cal, 2018));
    assert_false(workcal_year_announced(fx->cal, 2027));
}

/* What a daemon compares to notice a changed calendar (calendar_watch.h):
 * the days whose status differs, in order, and none for the same files. */
static void test_changed_days(void **state)
{
    fixture_t *fx = *state;
    workcal_t *before = load_ok(NULL);
    fx->cal = load_ok(NULL);
    int32_t days[4] = {0};
    assert_int_equal(workcal_changed_days(fx->cal, workcal_bits(before), WORKCAL_BITS_WORDS,
                                          days, 4),
                     0);
    workcal_free(&fx->cal);
    write_file(fx, "2026.conf", "[off]\n2026-05-20 = Nghỉ\n[work]\n2026-05-23 = Làm bù\n"
                                "2026-05-30 = Làm bù\n");
    fx->cal = load_ok(fx->root);
    assert_int_equal(workcal_changed_days(fx->cal, workcal_bits(before), WORKCAL_BITS_WORDS,
                                          days, 2),
                     3); /* all counted, the first two written */
    assert_int_equal(days[0], iso("2026-05-20"));
    assert_int_equal(days[1], iso("2026-05-23"));
    assert_int_equal(days[2], 0);
    /* a shorter earlier bitmap: the words it lacks count as the same */
    assert_int_equal(workcal_changed_days(fx->cal, workcal_bits(before), 10, days, 4), 0);
    workcal_free(&before);
}

static void test_override_files(void **state)
{
    fixture_t *fx = *state;
    /* A good file and a bad one: the load fails as a whole. */
    write_file(fx, "2024.conf", s_2024_conf);
    write_file(fx, "2025.conf", "[work]\n2025-01-02 = x\n");
    load_fails_at(fx, "2025.conf", 2, "[work]");
    remove_file(fx, "2025.conf");

    /* Names. */
    static const char *const bad_names[] = {"24.conf", "abcd.conf", "1899.conf", "2200.conf",
                                            "2024.old.conf", ".conf", "02024.conf"};
    for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
        write_file(fx, bad_names[i], "");
        load_fails_at(fx, bad_names[i], 0, ": calendar files must be named YYYY.conf");
        remove_file(fx, bad_names[i]);
    }

    /* A directory where a file should be. */
    char sub[128];
    snprintf(sub, sizeof sub, "%s/2026.conf", fx->root);
    assert_int_equal(mkdir(sub, 0700), 0);
    load_fails_at(fx, "2026.conf", 0, " is not a regular file");
    assert_int_equal(rmdir(sub), 0);

    /* An empty file, and one with only comments, are fine. */
    write_file(fx, "2027.conf", "");
    write_file(fx, "2028.conf", "# nothing announced yet\n; nor here\n[off]\n[work]\n");
    fx->cal = load_ok(fx->root);
    workcal_free(&fx->cal);

    /* No such directory. */
    char missing[128];
    snprintf(missing, sizeof missing, "%s/missing", fx->root);
    char why[256] = "";
    assert_null(workcal_load(missing, why, sizeof why));
    assert_non_null(strstr(why, "missing"));
    assert_null(strchr(why, '\n'));
    /* why may be NULL. */
    assert_null(workcal_load(missing, NULL, 0));

    workcal_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_year_2024_computed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_weekend_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_labour_code_eras, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_year_shape, setup, teardown),
        cmocka_unit_test_setup_teardown(test_year_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_working_days, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_matches_naive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_out_of_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overrides_2024, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deploy_calendar, setup, teardown),
        cmocka_unit_test_setup_teardown(test_override_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_override_colon_in_reason, setup, teardown),
        cmocka_unit_test_setup_teardown(test_announced_years, setup, teardown),
        cmocka_unit_test_setup_teardown(test_override_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_changed_days, setup, teardown),
    };
    return cmocka_run_group_tests_name("workcal", tests, NULL, NULL);
}
