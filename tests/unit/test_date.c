/* Unit tests for common/base/date.c (civil dates, Asia/Ho_Chi_Minh local time). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "base/date.h"

/* 2024-05-20 as a day number: 2024-05-20T00:00Z is unix 1716163200. */
#define DAY_2024_05_20 19863
/* 2024-05-20 00:00 in Hanoi = 2024-05-19T17:00Z. */
#define MIDNIGHT_2024_05_20 INT64_C(1716138000)

static int32_t ymd(int y, int m, int d)
{
    int32_t day = 0;
    const char *why = NULL;
    assert_true(date_from_ymd(y, m, d, &day, &why));
    return day;
}

static void test_epoch_and_known_days(void **state)
{
    (void)state;
    assert_int_equal(ymd(1970, 1, 1), 0);
    assert_int_equal(ymd(1969, 12, 31), -1);
    assert_int_equal(ymd(2024, 5, 20), DAY_2024_05_20);
    assert_int_equal(ymd(1900, 1, 1), -25567);
    assert_int_equal(ymd(2000, 3, 1) - ymd(2000, 2, 28), 2);
    assert_int_equal(ymd(1900, 3, 1) - ymd(1900, 2, 28), 1);
}

/* Every valid date in range converts to consecutive day numbers and back. */
static void test_round_trip_whole_range(void **state)
{
    (void)state;
    int32_t expected = ymd(1900, 1, 1);
    int weekday = date_weekday(expected);
    long count = 0;
    for (int y = DATE_MIN_YEAR; y <= DATE_MAX_YEAR; y++) {
        for (int m = 1; m <= 12; m++) {
            for (int d = 1; d <= date_days_in_month(y, m); d++) {
                int32_t day;
                assert_true(date_from_ymd(y, m, d, &day, NULL));
                assert_int_equal(day, expected);

                int yy, mm, dd;
                date_to_ymd(day, &yy, &mm, &dd);
                assert_int_equal(yy, y);
                assert_int_equal(mm, m);
                assert_int_equal(dd, d);

                assert_int_equal(date_weekday(day), weekday);
                weekday = weekday % 7 + 1;
                expected++;
                count++;
            }
        }
    }
    /* 300 years with 73 leap days (1900 and 2100 are not leap, 2000 is). */
    assert_int_equal(count, 300L * 365 + 73);
}

static void test_weekdays(void **state)
{
    (void)state;
    assert_int_equal(date_weekday(ymd(2024, 1, 1)), 1);  /* Monday */
    assert_int_equal(date_weekday(ymd(1900, 1, 1)), 1);  /* Monday */
    assert_int_equal(date_weekday(ymd(2000, 2, 29)), 2); /* Tuesday */
    assert_int_equal(date_weekday(ymd(1970, 1, 1)), 4);  /* Thursday */
    assert_int_equal(date_weekday(ymd(1969, 12, 28)), 7); /* Sunday, negative day */
    assert_int_equal(date_weekday(ymd(2024, 5, 19)), 7); /* Sunday */
    assert_int_equal(date_weekday(ymd(2199, 12, 31)), 2); /* Tuesday */
}

static void test_leap_years(void **state)
{
    (void)state;
    assert_false(date_is_leap_year(1900));
    assert_true(date_is_leap_year(2000));
    assert_false(date_is_leap_year(2100));
    assert_true(date_is_leap_year(2024));
    assert_false(date_is_leap_year(2023));
    assert_int_equal(date_days_in_month(1900, 2), 28);
    assert_int_equal(date_days_in_month(2000, 2), 29);
    assert_int_equal(date_days_in_month(2100, 2), 28);
    assert_int_equal(date_days_in_month(2024, 2), 29);
    assert_int_equal(date_days_in_month(2024, 4), 30);
    assert_int_equal(date_days_in_month(2024, 12), 31);
    assert_int_equal(date_days_in_month(2024, 0), 0);
    assert_int_equal(date_days_in_month(2024, 13), 0);
}

static void test_from_ymd_rejects(void **state)
{
    (void)state;
    const char *why = NULL;
    int32_t day = 12345;
    assert_false(date_from_ymd(2023, 2, 29, &day, &why));
    assert_non_null(why);
    assert_false(date_from_ymd(2024, 2, 30, &day, &why));
    assert_false(date_from_ymd(2024, 4, 31, &day, &why));
    assert_false(date_from_ymd(2024, 1, 0, &day, &why));
    assert_false(date_from_ymd(2024, 0, 1, &day, &why));
    assert_string_equal(why, "month must be 1-12");
    assert_false(date_from_ymd(2024, 13, 1, &day, &why));
    assert_false(date_from_ymd(1899, 12, 31, &day, &why));
    assert_string_equal(why, "year outside 1900-2199");
    assert_false(date_from_ymd(2200, 1, 1, &day, &why));
    /* Output is untouched on failure and why may be NULL. */
    assert_int_equal(day, 12345);
    assert_false(date_from_ymd(2023, 2, 29, &day, NULL));
    assert_true(date_from_ymd(2199, 12, 31, &day, NULL));
}

static void test_parse_both_forms_agree(void **state)
{
    (void)state;
    int32_t iso = 0, vn = 0, vn_short = 0;
    assert_true(date_parse("2024-05-20", &iso, NULL));
    assert_true(date_parse("20/05/2024", &vn, NULL));
    assert_int_equal(iso, DAY_2024_05_20);
    assert_int_equal(vn, iso);

    assert_true(date_parse("5/1/2024", &vn_short, NULL));
    assert_true(date_parse("2024-01-05", &iso, NULL));
    assert_int_equal(vn_short, iso);
    assert_true(date_parse("05/1/2024", &vn, NULL));
    assert_int_equal(vn, iso);

    assert_true(date_parse("29/02/2024", &vn, NULL));
    assert_true(date_parse("2024-02-29", &iso, NULL));
    assert_int_equal(vn, iso);

    assert_true(date_parse("1900-01-01", &iso, NULL));
    assert_int_equal(iso, ymd(1900, 1, 1));
    assert_true(date_parse("31/12/2199", &vn, NULL));
    assert_int_equal(vn, ymd(2199, 12, 31));
}

static void assert_parse_fails(const char *text)
{
    int32_t day = 777;
    const char *why = NULL;
    if (date_parse(text, &day, &why))
        fail_msg("date_parse accepted \"%s\"", text ? text : "(null)");
    assert_non_null(why);
    assert_true(strlen(why) > 0);
    assert_int_equal(day, 777);
}

static void test_parse_rejects(void **state)
{
    (void)state;
    assert_parse_fails(NULL);
    assert_parse_fails("");
    /* Surrounding spaces and trailing garbage. */
    assert_parse_fails(" 2024-05-20");
    assert_parse_fails("2024-05-20 ");
    assert_parse_fails("20/05/2024 ");
    assert_parse_fails("\t20/05/2024");
    assert_parse_fails("2024-05-20x");
    assert_parse_fails("2024-05-201");
    assert_parse_fails("20/05/20245");
    assert_parse_fails("2024-05-20T08:30");
    /* Impossible dates. */
    assert_parse_fails("31/02/2024");
    assert_parse_fails("2023-02-29");
    assert_parse_fails("29/02/1900");
    assert_parse_fails("2024-04-31");
    assert_parse_fails("00/05/2024");
    assert_parse_fails("2024-05-00");
    /* Month 0 / 13. */
    assert_parse_fails("2024-00-10");
    assert_parse_fails("2024-13-10");
    assert_parse_fails("10/0/2024");
    assert_parse_fails("10/13/2024");
    /* Years out of range. */
    assert_parse_fails("1899-12-31");
    assert_parse_fails("2200-01-01");
    assert_parse_fails("01/01/1899");
    assert_parse_fails("01/01/2200");
    /* Wrong shapes. */
    assert_parse_fails("2024-5-20");
    assert_parse_fails("20/05/24");
    assert_parse_fails("123/05/2024");
    assert_parse_fails("20/123/2024");
    assert_parse_fails("20-05-2024");
    assert_parse_fails("2024/05/20");
    assert_parse_fails("2024-05/20");
    assert_parse_fails("+2024-05-20");
    assert_parse_fails("-2024-05-20");
    assert_parse_fails("20240520");
    assert_parse_fails("hôm nay");
}

static void test_parse_messages(void **state)
{
    (void)state;
    const char *why = NULL;
    assert_false(date_parse("31/02/2024", NULL, &why));
    assert_non_null(strstr(why, "February"));
    assert_false(date_parse("1899-01-01", NULL, &why));
    assert_string_equal(why, "year outside 1900-2199");
    assert_false(date_parse("20.05.2024", NULL, &why));
    assert_string_equal(why, "expected YYYY-MM-DD or DD/MM/YYYY");
    assert_false(date_parse("", NULL, &why));
    assert_non_null(why);
}

static void test_format(void **state)
{
    (void)state;
    char buf[DATE_ISO_LEN];
    date_format_iso(DAY_2024_05_20, buf);
    assert_string_equal(buf, "2024-05-20");
    date_format_vn(DAY_2024_05_20, buf);
    assert_string_equal(buf, "20/05/2024");

    date_format_iso(ymd(1900, 1, 1), buf);
    assert_string_equal(buf, "1900-01-01");
    date_format_vn(ymd(2024, 1, 5), buf);
    assert_string_equal(buf, "05/01/2024");
    date_format_vn(ymd(2199, 12, 31), buf);
    assert_string_equal(buf, "31/12/2199");

    /* Formatted text parses back to the same day. */
    int32_t back = 0;
    date_format_vn(ymd(2000, 2, 29), buf);
    assert_true(date_parse(buf, &back, NULL));
    assert_int_equal(back, ymd(2000, 2, 29));
}

static void test_local_day_boundaries(void **state)
{
    (void)state;
    assert_int_equal(date_local_day(MIDNIGHT_2024_05_20), DAY_2024_05_20);
    assert_int_equal(date_local_day(MIDNIGHT_2024_05_20 - 1), DAY_2024_05_20 - 1);
    assert_int_equal(date_local_day(MIDNIGHT_2024_05_20 + 86399), DAY_2024_05_20);
    assert_int_equal(date_local_day(MIDNIGHT_2024_05_20 + 86400), DAY_2024_05_20 + 1);
    assert_int_equal(date_local_midnight(DAY_2024_05_20), MIDNIGHT_2024_05_20);

    char buf[DATE_TIME_LEN];
    date_format_local_time(MIDNIGHT_2024_05_20, buf);
    assert_string_equal(buf, "2024-05-20 00:00");
    date_format_local_time(MIDNIGHT_2024_05_20 - 1, buf);
    assert_string_equal(buf, "2024-05-19 23:59");
    date_format_local_time(MIDNIGHT_2024_05_20 + 8 * 3600 + 30 * 60 + 59, buf);
    assert_string_equal(buf, "2024-05-20 08:30");
}

static void test_negative_instants(void **state)
{
    (void)state;
    /* Unix 0 is 07:00 on 1970-01-01 in Hanoi; local midnight is 7 h earlier. */
    assert_int_equal(date_local_day(0), 0);
    assert_int_equal(date_local_day(-1), 0);
    assert_int_equal(date_local_day(-7 * 3600), 0);
    assert_int_equal(date_local_day(-7 * 3600 - 1), -1);
    assert_int_equal(date_local_day(-7 * 3600 - 86400), -1);
    assert_int_equal(date_local_day(-7 * 3600 - 86401), -2);
    assert_int_equal(date_local_midnight(0), -7 * 3600);
    assert_int_equal(date_local_midnight(-1), -7 * 3600 - 86400);

    char buf[DATE_TIME_LEN];
    date_format_local_time(-1, buf);
    assert_string_equal(buf, "1970-01-01 06:59");
    date_format_local_time(-7 * 3600 - 60, buf);
    assert_string_equal(buf, "1969-12-31 23:59");

    /* Far in the past: 1900-01-01 00:00 local. */
    int32_t d1900 = ymd(1900, 1, 1);
    int64_t m1900 = date_local_midnight(d1900);
    assert_int_equal(m1900, INT64_C(-2209014000));
    assert_int_equal(date_local_day(m1900), d1900);
    assert_int_equal(date_local_day(m1900 - 1), d1900 - 1);
    date_format_local_time(m1900 + 12 * 3600 + 5 * 60, buf);
    assert_string_equal(buf, "1900-01-01 12:05");

    /* Midnight round trip over the whole supported range. */
    for (int32_t d = d1900; d <= ymd(2199, 12, 31); d++) {
        int64_t mid = date_local_midnight(d);
        assert_int_equal(date_local_day(mid), d);
        assert_int_equal(date_local_day(mid - 1), d - 1);
    }
}

/* Garbage-in must not crash or overflow (run under UBSan/ASan). */
static void test_extreme_inputs(void **state)
{
    (void)state;
    assert_int_equal(date_local_day(INT64_MAX), INT32_MAX);
    assert_int_equal(date_local_day(INT64_MIN), INT32_MIN);

    char t[DATE_TIME_LEN];
    date_format_local_time(INT64_MAX, t);
    assert_int_equal(strlen(t), DATE_TIME_LEN - 1);
    date_format_local_time(INT64_MIN, t);
    assert_int_equal(strlen(t), DATE_TIME_LEN - 1);

    char d[DATE_ISO_LEN];
    date_format_iso(INT32_MIN, d);
    assert_int_equal(strlen(d), DATE_ISO_LEN - 1);
    date_format_vn(INT32_MAX, d);
    assert_int_equal(strlen(d), DATE_ISO_LEN - 1);

    int y, m, dd;
    date_to_ymd(INT32_MAX, &y, &m, &dd);
    assert_true(m >= 1 && m <= 12 && dd >= 1 && dd <= 31);
    date_to_ymd(INT32_MIN, NULL, NULL, NULL);
}

static void test_parse_datetime(void **state)
{
    (void)state;
    const int64_t at_0830 = MIDNIGHT_2024_05_20 + 8 * 3600 + 30 * 60;
    int64_t t = 0;
    bool has_time = true;

    assert_true(date_parse_datetime("2024-05-20", &t, &has_time, NULL));
    assert_int_equal(t, MIDNIGHT_2024_05_20);
    assert_false(has_time);

    assert_true(date_parse_datetime("2024-05-20T08:30", &t, &has_time, NULL));
    assert_int_equal(t, at_0830);
    assert_true(has_time);

    t = 0;
    has_time = false;
    assert_true(date_parse_datetime("2024-05-20 08:30", &t, &has_time, NULL));
    assert_int_equal(t, at_0830);
    assert_true(has_time);

    t = 0;
    assert_true(date_parse_datetime("20/05/2024 08:30", &t, NULL, NULL));
    assert_int_equal(t, at_0830);

    assert_true(date_parse_datetime("20/05/2024", &t, &has_time, NULL));
    assert_int_equal(t, MIDNIGHT_2024_05_20);
    assert_false(has_time);

    assert_true(date_parse_datetime("2024-05-20 23:59", &t, NULL, NULL));
    assert_int_equal(t, MIDNIGHT_2024_05_20 + 86400 - 60);
    assert_true(date_parse_datetime("2024-05-20 00:00", &t, NULL, NULL));
    assert_int_equal(t, MIDNIGHT_2024_05_20);

    /* Before 1970: 1969-12-31 23:00 local is unix -8 h. */
    assert_true(date_parse_datetime("31/12/1969 23:00", &t, NULL, NULL));
    assert_int_equal(t, -8 * 3600);

    /* Parsing the formatted local time gives the instant back. */
    char buf[DATE_TIME_LEN];
    date_format_local_time(at_0830, buf);
    assert_true(date_parse_datetime(buf, &t, NULL, NULL));
    assert_int_equal(t, at_0830);
}

static void assert_datetime_fails(const char *text)
{
    int64_t t = 4242;
    bool has_time = true;
    const char *why = NULL;
    if (date_parse_datetime(text, &t, &has_time, &why))
        fail_msg("date_parse_datetime accepted \"%s\"", text ? text : "(null)");
    assert_non_null(why);
    assert_int_equal(t, 4242);
    assert_true(has_time);
}

static void test_parse_datetime_rejects(void **state)
{
    (void)state;
    assert_datetime_fails(NULL);
    assert_datetime_fails("");
    assert_datetime_fails("2024-05-20 24:00");
    assert_datetime_fails("2024-05-20 23:60");
    assert_datetime_fails("2024-05-20T");
    assert_datetime_fails("2024-05-20 ");
    assert_datetime_fails("2024-05-20  08:30");
    assert_datetime_fails("2024-05-20 08:30 ");
    assert_datetime_fails("2024-05-20 08:30:00");
    assert_datetime_fails("2024-05-20 8:30");
    assert_datetime_fails("2024-05-20 08:3");
    assert_datetime_fails("2024-05-20 0830");
    assert_datetime_fails("2024-05-20t08:30");
    assert_datetime_fails("2024-05-20X08:30");
    assert_datetime_fails(" 2024-05-20 08:30");
    assert_datetime_fails("31/02/2024 08:30");
    assert_datetime_fails("2200-01-01 00:00");
}

static void assert_add_months(int y, int m, int d, int months, int ey, int em, int ed)
{
    int32_t got = date_add_months(ymd(y, m, d), months);
    int32_t want = ymd(ey, em, ed);
    if (got != want) {
        char g[DATE_ISO_LEN], w[DATE_ISO_LEN];
        date_format_iso(got, g);
        date_format_iso(want, w);
        fail_msg("%04d-%02d-%02d %+d months: got %s, want %s", y, m, d, months, g, w);
    }
}

/* The one HH:MM parser: deadlines, sittings, the iCalendar feed and the
 * alert policy all read times through it. */
static void test_parse_clock(void **state)
{
    (void)state;
    int m = -1;
    assert_true(date_parse_clock("00:00", &m));
    assert_int_equal(m, 0);
    assert_true(date_parse_clock("08:30", &m));
    assert_int_equal(m, 510);
    assert_true(date_parse_clock("23:59", &m));
    assert_int_equal(m, 1439);
    assert_true(date_parse_clock("12:00", NULL));
    static const char *const bad[] = {"24:00", "23:60", "8:30", "08:3", "08-30", "08:30 ",
                                      " 08:30", "0830", "", "ab:cd", "08:3x", "99:99"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        m = -1;
        if (date_parse_clock(bad[i], &m))
            fail_msg("'%s' accepted", bad[i]);
        assert_int_equal(m, -1); /* untouched */
    }
    assert_false(date_parse_clock(NULL, &m));
}

static void test_add_months(void **state)
{
    (void)state;
    assert_add_months(2024, 1, 31, 1, 2024, 2, 29); /* leap year clamp */
    assert_add_months(2023, 1, 31, 1, 2023, 2, 28);
    assert_add_months(2100, 1, 31, 1, 2100, 2, 28); /* 2100 is not leap */
    assert_add_months(2000, 1, 31, 1, 2000, 2, 29);
    assert_add_months(2024, 3, 31, 1, 2024, 4, 30);
    assert_add_months(2024, 5, 20, 0, 2024, 5, 20);
    assert_add_months(2024, 5, 20, 1, 2024, 6, 20);
    assert_add_months(2024, 12, 15, 1, 2025, 1, 15); /* year carry */
    assert_add_months(2024, 11, 30, 3, 2025, 2, 28);
    assert_add_months(2024, 1, 15, -1, 2023, 12, 15); /* negative */
    assert_add_months(2024, 3, 31, -1, 2024, 2, 29);
    assert_add_months(2024, 5, 31, -15, 2023, 2, 28);
    assert_add_months(2024, 2, 29, 12, 2025, 2, 28);
    assert_add_months(2024, 2, 29, 48, 2028, 2, 29);
    assert_add_months(1900, 1, 31, 1, 1900, 2, 28);
    assert_add_months(1969, 12, 31, 2, 1970, 2, 28); /* across the epoch */
    assert_add_months(1970, 3, 31, -1, 1970, 2, 28);

    /* Monthly rule: applying +1 month repeatedly from the 31st stays clamped
       per month but never skips a month. */
    int32_t start = ymd(2024, 1, 31);
    for (int i = 0; i < 24; i++) {
        int y, m, d;
        date_to_ymd(date_add_months(start, i), &y, &m, &d);
        assert_int_equal(m, (i % 12) + 1);
        assert_int_equal(d, date_days_in_month(y, m));
    }
}

/* People read 20/05/2024 in Vietnamese and ISO in English; what is no
 * date passes unchanged. */
static void test_date_in_a_language(void **state)
{
    (void)state;
    char out[32];
    int32_t day;
    assert_true(date_parse("2024-05-20", &day, NULL));
    date_format_lang(LANG_VI, day, out);
    assert_string_equal(out, "20/05/2024");
    date_format_lang(LANG_EN, day, out);
    assert_string_equal(out, "2024-05-20");
    date_text_lang(LANG_VI, "2024-05-20T08:30", out, sizeof out);
    assert_string_equal(out, "20/05/2024 08:30");
    date_text_lang(LANG_VI, "2024-05-20 08:30", out, sizeof out);
    assert_string_equal(out, "20/05/2024 08:30");
    date_text_lang(LANG_EN, "2024-05-20", out, sizeof out);
    assert_string_equal(out, "2024-05-20");
    date_text_lang(LANG_VI, "XV-7:open:-20d", out, sizeof out);
    assert_string_equal(out, "XV-7:open:-20d");
    date_text_lang(LANG_VI, "2024-13-45", out, sizeof out);
    assert_string_equal(out, "2024-13-45");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_epoch_and_known_days),
        cmocka_unit_test(test_round_trip_whole_range),
        cmocka_unit_test(test_weekdays),
        cmocka_unit_test(test_leap_years),
        cmocka_unit_test(test_from_ymd_rejects),
        cmocka_unit_test(test_parse_both_forms_agree),
        cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_parse_messages),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_local_day_boundaries),
        cmocka_unit_test(test_negative_instants),
        cmocka_unit_test(test_extreme_inputs),
        cmocka_unit_test(test_parse_datetime),
        cmocka_unit_test(test_parse_datetime_rejects),
        cmocka_unit_test(test_add_months),
        cmocka_unit_test(test_parse_clock),
        cmocka_unit_test(test_date_in_a_language),
    };
    return cmocka_run_group_tests_name("date", tests, NULL, NULL);
}
