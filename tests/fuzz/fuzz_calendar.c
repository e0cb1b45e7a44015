/* fuzz_calendar: a working-day override file (common/calendar/workcal.c) as
 * workcal_load() reads it from a directory: the input is YYYY.conf, its
 * year the first four-digit number 1900-2199 in it (2024 if none). A
 * calendar that loads must list that year in date order, each day as
 * working or not as its listing says, and count working days across it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/date.h"
#include "calendar/workcal.h"
#include "fuzz_util.h"

static char s_dir[128], s_file[192];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_quiet();
    snprintf(s_dir, sizeof s_dir, "%s/calendar", fuzz_tmpdir());
    if (mkdir(s_dir, 0700) != 0)
        abort();
    return 0;
}

static int s_year_of(const uint8_t *data, size_t size)
{
    for (size_t i = 0; i + 4 <= size; i++) {
        int year = 0;
        size_t k = 0;
        while (k < 4 && data[i + k] >= '0' && data[i + k] <= '9')
            year = year * 10 + (data[i + k++] - '0');
        if (k == 4 && year >= DATE_MIN_YEAR && year <= DATE_MAX_YEAR)
            return year;
    }
    return 2024;
}

static void s_check(const workcal_t *cal, int year)
{
    static workcal_day_t days[512];
    size_t n = workcal_year(cal, year, days, 512);
    for (size_t i = 0; i < n && i < 512; i++) {
        if (i > 0 && days[i].day < days[i - 1].day)
            abort(); /* in date order */
        if (workcal_is_working_day(cal, days[i].day) != days[i].working)
            abort(); /* as listed */
        if (!memchr(days[i].reason, '\0', sizeof days[i].reason))
            abort();
    }
    int32_t jan1;
    if (!date_from_ymd(year, 1, 1, &jan1, NULL))
        return;
    static const int steps[] = {1, -1, 5, -5, 250, -250, 100000, -100000};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        int32_t out;
        if (workcal_add_working_days(cal, jan1 + 180, steps[i], &out, NULL) &&
            !workcal_is_working_day(cal, out))
            abort(); /* n working days away is a working day */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int year = s_year_of(data, size);
    if (s_file[0])
        unlink(s_file); /* the directory holds this input only */
    snprintf(s_file, sizeof s_file, "%s/%04d.conf", s_dir, year);
    fuzz_write_file(s_file, data, size);
    char why[1024] = "";
    workcal_t *cal = workcal_load(s_dir, why, sizeof why);
    if (cal) {
        s_check(cal, year);
        workcal_free(&cal);
    } else if (!why[0]) {
        abort(); /* a refusal says why */
    }
    return 0;
}
