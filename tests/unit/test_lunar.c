/* Unit tests for common/calendar/lunar.c: published Vietnamese dates (Tết, the Hùng
 * Kings' day, leap months), and the calendar's structure over 1900-2199.
 * tests/system/test_lunar_ephem.py checks every month against PyEphem. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>

#include "base/date.h"
#include "calendar/lunar.h"

static int32_t ymd(int y, int m, int d)
{
    int32_t day = 0;
    assert_true(date_from_ymd(y, m, d, &day, NULL));
    return day;
}

static void assert_day(int32_t got, int y, int m, int d, const char *what)
{
    int32_t want = ymd(y, m, d);
    if (got != want) {
        char g[DATE_ISO_LEN], w[DATE_ISO_LEN];
        date_format_iso(got, g);
        date_format_iso(want, w);
        fail_msg("%s: got %s, want %s", what, g, w);
    }
}

/* Tết as published for Vietnam (UTC+7), year, day, month. */
static const int s_tet[][3] = {
    {1900, 31, 1}, {1950, 17, 2}, {1968, 29, 1}, {1975, 11, 2}, {1980, 16, 2}, {1984, 2, 2},
    {1985, 21, 1}, {1986, 9, 2},  {1990, 27, 1}, {1991, 15, 2}, {1992, 4, 2},  {1993, 23, 1},
    {1994, 10, 2}, {1995, 31, 1}, {1996, 19, 2}, {1997, 7, 2},  {1998, 28, 1}, {1999, 16, 2},
    {2000, 5, 2},  {2001, 24, 1}, {2002, 12, 2}, {2003, 1, 2},  {2004, 22, 1}, {2005, 9, 2},
    {2006, 29, 1}, {2007, 17, 2}, {2008, 7, 2},  {2009, 26, 1}, {2010, 14, 2}, {2011, 3, 2},
    {2012, 23, 1}, {2013, 10, 2}, {2014, 31, 1}, {2015, 19, 2}, {2016, 8, 2},  {2017, 28, 1},
    {2018, 16, 2}, {2019, 5, 2},  {2020, 25, 1}, {2021, 12, 2}, {2022, 1, 2},  {2023, 22, 1},
    {2024, 10, 2}, {2025, 29, 1}, {2026, 17, 2}, {2027, 6, 2},  {2028, 26, 1}, {2029, 13, 2},
    /* 2030: the brief listed 03/02, the date in China. The new moon is at
       16:07 UT on 2 February 2030: 23:07 in Hanoi, 00:07 on the 3rd in
       Beijing (PyEphem and the Swiss Ephemeris agree to a minute), so Tết
       is 02/02/2030 at UTC+7, like 1985 and 2007 below. */
    {2030, 2, 2},
};

static void test_tet_published(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof s_tet / sizeof s_tet[0]; i++) {
        int32_t day = 0;
        char what[32];
        snprintf(what, sizeof what, "Tết %d", s_tet[i][0]);
        if (!lunar_new_year(s_tet[i][0], &day))
            fail_msg("%s: no date", what);
        assert_day(day, s_tet[i][0], s_tet[i][2], s_tet[i][1], what);

        lunar_date_t ld;
        assert_true(lunar_from_day(day, &ld));
        assert_int_equal(ld.year, s_tet[i][0]);
        assert_int_equal(ld.month, 1);
        assert_int_equal(ld.day, 1);
        assert_false(ld.leap);
    }
}

/* Where UTC+7 and UTC+8 (China) differ: the new moon falls between
   midnight in Hanoi and midnight in Beijing. */
static void test_tet_differs_from_china(void **state)
{
    (void)state;
    int32_t day;
    assert_true(lunar_new_year(2030, &day));
    assert_int_not_equal(day, ymd(2030, 2, 3));
    assert_true(lunar_new_year(1985, &day));
    assert_int_not_equal(day, ymd(1985, 2, 20));
    assert_true(lunar_new_year(2007, &day));
    assert_int_not_equal(day, ymd(2007, 2, 18));
    assert_true(lunar_new_year(1968, &day));
    assert_int_not_equal(day, ymd(1968, 1, 30));
}

static void test_hung_kings_day(void **state)
{
    (void)state;
    static const int hung[][3] = {
        {2019, 14, 4}, {2020, 2, 4}, {2021, 21, 4}, {2022, 10, 4},
        {2023, 29, 4}, {2024, 18, 4}, {2025, 7, 4},
    };
    for (size_t i = 0; i < sizeof hung / sizeof hung[0]; i++) {
        lunar_date_t ld = {.year = hung[i][0], .month = 3, .day = 10, .leap = false};
        int32_t day = 0;
        char what[32];
        snprintf(what, sizeof what, "10/3 lunar %d", hung[i][0]);
        assert_true(lunar_to_day(&ld, &day));
        assert_day(day, hung[i][0], hung[i][2], hung[i][1], what);
    }
}

static void test_leap_months(void **state)
{
    (void)state;
    assert_int_equal(lunar_leap_month(2020), 4);
    assert_int_equal(lunar_leap_month(2023), 2);
    assert_int_equal(lunar_leap_month(2025), 6);
    assert_int_equal(lunar_leap_month(2024), 0);
    assert_int_equal(lunar_leap_month(2026), 0);
    assert_int_equal(lunar_leap_month(1899), -1);
    assert_int_equal(lunar_leap_month(2200), -1);

    /* The leap month follows its namesake: 1/4 nhuận 2020 is 23/05/2020. */
    lunar_date_t ld = {.year = 2020, .month = 4, .day = 1, .leap = true};
    int32_t leap_start = 0, regular_start = 0;
    assert_true(lunar_to_day(&ld, &leap_start));
    assert_day(leap_start, 2020, 5, 23, "1/4 nhuận 2020");
    ld.leap = false;
    assert_true(lunar_to_day(&ld, &regular_start));
    assert_day(regular_start, 2020, 4, 23, "1/4 2020");

    /* 2033: the leap month is the 11th, right after the solstice month. */
    assert_int_equal(lunar_leap_month(2033), 11);

    /* A leap month the year does not have. */
    int32_t day = 42;
    lunar_date_t none = {.year = 2024, .month = 4, .day = 1, .leap = true};
    assert_false(lunar_to_day(&none, &day));
    none.year = 2023;
    none.month = 3;
    assert_false(lunar_to_day(&none, &day));
    assert_int_equal(day, 42);
}

/* Tết's eve is the 30th of month 12 in 2023 and 2024, the 29th (no
   "30 Tết") in 2025 and 2026: month 12 of Giáp Thìn runs from the new moon
   of 30/12/2024 22:27 UT (31/12 in Hanoi) to that of 29/01/2025. */
static void assert_lunar(int y, int m, int d, int ly, int lm, int ld_day)
{
    lunar_date_t ld;
    assert_true(lunar_from_day(ymd(y, m, d), &ld));
    if (ld.year != ly || ld.month != lm || ld.day != ld_day || ld.leap)
        fail_msg("%02d/%02d/%d: got %d/%d%s/%d lunar, want %d/%d/%d", d, m, y, ld.day, ld.month,
                 ld.leap ? " nhuận" : "", ld.year, ld_day, lm, ly);
}

static void test_new_years_eve(void **state)
{
    (void)state;
    assert_lunar(2023, 1, 21, 2022, 12, 30);
    assert_lunar(2024, 2, 9, 2023, 12, 30);
    assert_lunar(2025, 1, 28, 2024, 12, 29);
    assert_lunar(2026, 2, 16, 2025, 12, 29);

    int32_t day = 7;
    lunar_date_t thirtieth = {.year = 2024, .month = 12, .day = 30, .leap = false};
    assert_false(lunar_to_day(&thirtieth, &day)); /* 29-day month */
    assert_int_equal(day, 7);
    thirtieth.year = 2023;
    assert_true(lunar_to_day(&thirtieth, &day));
    assert_day(day, 2024, 2, 9, "30/12/2023 lunar");
}

/* Every day 1900-2199 maps to a lunar date and back, and consecutive days
   are consecutive lunar days or the first day of the next month. */
static void test_round_trip_whole_range(void **state)
{
    (void)state;
    int32_t first = ymd(DATE_MIN_YEAR, 1, 1), last = ymd(DATE_MAX_YEAR, 12, 31);
    lunar_date_t prev = {0};
    for (int32_t day = first; day <= last; day++) {
        lunar_date_t ld;
        if (!lunar_from_day(day, &ld))
            fail_msg("no lunar date for day %d", (int)day);
        int32_t back = -1;
        if (!lunar_to_day(&ld, &back) || back != day)
            fail_msg("day %d -> %d/%d%s/%d -> %d", (int)day, ld.day, ld.month,
                     ld.leap ? "L" : "", ld.year, (int)back);
        assert_true(ld.day >= 1 && ld.day <= 30);
        assert_true(ld.month >= 1 && ld.month <= 12);
        if (day > first) {
            if (ld.day == 1) {
                assert_true(prev.day == 29 || prev.day == 30);
                if (ld.leap) {
                    assert_int_equal(ld.month, prev.month);
                    assert_false(prev.leap);
                } else {
                    assert_int_equal(ld.month, prev.month % 12 + 1);
                }
                assert_int_equal(ld.year, prev.year + (ld.month == 1 && !ld.leap));
            } else {
                assert_int_equal(ld.day, prev.day + 1);
                assert_int_equal(ld.month, prev.month);
                assert_int_equal(ld.leap, prev.leap);
                assert_int_equal(ld.year, prev.year);
            }
        }
        prev = ld;
    }
}

/* Each lunar year 1900-2199 has 12 or 13 months of 29 or 30 days (13 only
   with a leap month), and Tết falls between 21/01 and 20/02. */
static void test_year_structure(void **state)
{
    (void)state;
    int leap_years = 0;
    for (int year = DATE_MIN_YEAR; year <= DATE_MAX_YEAR; year++) {
        int32_t tet, next = 0;
        assert_true(lunar_new_year(year, &tet));
        assert_true(tet >= ymd(year, 1, 21) && tet <= ymd(year, 2, 20));

        int months = 0, leap = lunar_leap_month(year);
        for (int m = 1; m <= 12; m++) {
            for (int l = 0; l <= 1; l++) {
                lunar_date_t d1 = {.year = year, .month = m, .day = 1, .leap = l};
                int32_t start;
                if (!lunar_to_day(&d1, &start)) {
                    if (l == 1)
                        continue;
                    /* Only the last months of 2199 run past 2199-12-31. */
                    assert_int_equal(year, DATE_MAX_YEAR);
                    assert_true(m >= 11);
                    break;
                }
                assert_int_equal(l, l && m == leap);
                if (next)
                    assert_int_equal(start, next);
                lunar_date_t d29 = d1, d30 = d1;
                d29.day = 29;
                d30.day = 30;
                int32_t last;
                if (!lunar_to_day(&d29, &last)) {
                    /* Month 11 of 2199 ends in 2200. */
                    assert_int_equal(year, DATE_MAX_YEAR);
                    break;
                }
                if (lunar_to_day(&d30, &last))
                    assert_int_equal(last, start + 29);
                else
                    assert_int_equal(last, start + 28);
                d30.day = 31;
                assert_false(lunar_to_day(&d30, &last));
                next = last + 1;
                months++;
            }
        }
        if (year < DATE_MAX_YEAR) {
            assert_int_equal(months, leap ? 13 : 12);
            int32_t following;
            assert_true(lunar_new_year(year + 1, &following));
            assert_int_equal(following, next);
            int days = (int)(following - tet);
            assert_true(leap ? days >= 383 && days <= 385 : days >= 353 && days <= 355);
        }
        leap_years += leap > 0;
    }
    /* 7 leap years in every 19 (the Metonic cycle): about 110 in 300. */
    assert_true(leap_years >= 108 && leap_years <= 112);
}

static void test_range_and_rejects(void **state)
{
    (void)state;
    lunar_date_t ld = {.year = 1, .month = 2, .day = 3, .leap = true};
    assert_false(lunar_from_day(ymd(1900, 1, 1) - 1, &ld));
    assert_false(lunar_from_day(ymd(2199, 12, 31) + 1, &ld));
    assert_false(lunar_from_day(INT32_MIN, &ld));
    assert_false(lunar_from_day(INT32_MAX, &ld));
    assert_int_equal(ld.year, 1); /* untouched */

    /* 1900-01-01 is the first day of month 12 of lunar year 1899. */
    assert_true(lunar_from_day(ymd(1900, 1, 1), &ld));
    assert_int_equal(ld.year, 1899);
    assert_int_equal(ld.month, 12);
    assert_int_equal(ld.day, 1);
    int32_t day = 0;
    assert_true(lunar_to_day(&ld, &day));
    assert_int_equal(day, ymd(1900, 1, 1));
    /* Month 11 of 1899 lies wholly in 1899. */
    lunar_date_t before = {.year = 1899, .month = 11, .day = 15, .leap = false};
    assert_false(lunar_to_day(&before, &day));

    int32_t t = 99;
    assert_false(lunar_new_year(1899, &t));
    assert_false(lunar_new_year(2200, &t));
    assert_false(lunar_new_year(INT_MIN, &t));
    assert_int_equal(t, 99);
    assert_true(lunar_new_year(2199, &t));

    static const lunar_date_t bad[] = {
        {2024, 0, 1, false},  {2024, 13, 1, false}, {2024, 1, 0, false},
        {2024, 1, 31, false}, {2024, 1, -1, false}, {1800, 1, 1, false},
        {2200, 1, 1, false},  {INT_MAX, 1, 1, false}, {INT_MIN, 12, 30, true},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        day = 5;
        assert_false(lunar_to_day(&bad[i], &day));
        assert_int_equal(day, 5);
    }
    assert_false(lunar_to_day(NULL, &day));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tet_published),
        cmocka_unit_test(test_tet_differs_from_china),
        cmocka_unit_test(test_hung_kings_day),
        cmocka_unit_test(test_leap_months),
        cmocka_unit_test(test_new_years_eve),
        cmocka_unit_test(test_round_trip_whole_range),
        cmocka_unit_test(test_year_structure),
        cmocka_unit_test(test_range_and_rejects),
    };
    return cmocka_run_group_tests_name("lunar", tests, NULL, NULL);
}
