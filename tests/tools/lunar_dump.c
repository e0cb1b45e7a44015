/* lunar_dump: the lunar calendar's key dates, for checking against an
 * independent ephemeris (tests/system/test_lunar_ephem.py).
 *
 *   lunar_dump            one line per Gregorian year 1900-2199:
 *                         YEAR TET HUNG LEAPMONTH
 *   lunar_dump --months   one line per lunar month starting 1900-2199:
 *                         START YEAR MONTH LEAP
 *
 * TET is 1/1 and HUNG 10/3 (the Hùng Kings' day) of the lunar year that
 * starts in that Gregorian year, both ISO dates; LEAPMONTH is that lunar
 * year's leap month, 0 if none. START is the civil day (ISO) a month
 * begins on, YEAR and MONTH its lunar year and number, LEAP 1 for a leap
 * month. Exit codes: 0 ok, 1 a date could not be computed, 2 bad usage. */
#include <stdio.h>
#include <string.h>

#include "base/date.h"
#include "calendar/lunar.h"

/* Every day that is the first of a lunar month. */
static int s_dump_months(void)
{
    int32_t first, last;
    if (!date_from_ymd(DATE_MIN_YEAR, 1, 1, &first, NULL) ||
        !date_from_ymd(DATE_MAX_YEAR, 12, 31, &last, NULL))
        return 1;
    for (int32_t day = first; day <= last; day++) {
        lunar_date_t ld;
        if (!lunar_from_day(day, &ld)) {
            fprintf(stderr, "lunar_dump: no lunar date for day %d\n", (int)day);
            return 1;
        }
        if (ld.day != 1)
            continue;
        char iso[DATE_ISO_LEN];
        date_format_iso(day, iso);
        printf("%s %d %d %d\n", iso, ld.year, ld.month, ld.leap ? 1 : 0);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--months") == 0)
        return s_dump_months() == 0 && fflush(stdout) == 0 ? 0 : 1;
    if (argc != 1) {
        fprintf(stderr, "usage: lunar_dump [--months]\n");
        return 2;
    }
    for (int year = DATE_MIN_YEAR; year <= DATE_MAX_YEAR; year++) {
        int32_t tet, hung;
        lunar_date_t hung_date = {.year = year, .month = 3, .day = 10, .leap = false};
        int leap = lunar_leap_month(year);
        if (!lunar_new_year(year, &tet) || !lunar_to_day(&hung_date, &hung) || leap < 0) {
            fprintf(stderr, "lunar_dump: no lunar dates for %d\n", year);
            return 1;
        }
        char tet_iso[DATE_ISO_LEN], hung_iso[DATE_ISO_LEN];
        date_format_iso(tet, tet_iso);
        date_format_iso(hung, hung_iso);
        printf("%d %s %s %d\n", year, tet_iso, hung_iso, leap);
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
