/* Civil date arithmetic for Asia/Ho_Chi_Minh (fixed UTC+7). See date.h. */
#include "base/date.h"

#include "base/i18n.h"

#include <stdio.h>
#include <string.h>

#define SECONDS_PER_DAY 86400

/* Days from 0000-03-01 to 1970-01-01 in the shifted calendar used below. */
#define EPOCH_SHIFT 719468
/* Days in one 400-year Gregorian cycle ("era"). */
#define DAYS_PER_ERA 146097

/* Division rounding toward negative infinity (C's '/' truncates toward 0,
   which would put pre-1970 instants on the wrong day). b must be > 0. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if (a % b < 0)
        q--;
    return q;
}

/* Remainder in 0..b-1. Computed from '%' rather than a - floor_div(a, b) * b,
   whose product overflows for a near INT64_MIN. */
static int64_t floor_mod(int64_t a, int64_t b)
{
    int64_t r = a % b;
    return r < 0 ? r + b : r;
}

/* Day number of a civil date (after Howard Hinnant's days_from_civil).
 *
 * The trick is to start the year on 1 March so the leap day falls at the
 * very end of the year; then the day of the year does not depend on whether
 * the year is leap, and month lengths from March on follow the pattern
 * 31,30,31,30,31 which (153 * m + 2) / 5 reproduces exactly. Years are
 * grouped into 400-year eras, which all have the same number of days. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    if (m <= 2)
        y--;                                   /* Jan/Feb belong to the previous March-year */
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;               /* year of era, 0..399 */
    int mp = (m + 9) % 12;                     /* March = 0 ... February = 11 */
    int64_t doy = (153 * mp + 2) / 5 + d - 1;  /* day of March-year, 0..365 */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* day of era, 0..146096 */
    return era * DAYS_PER_ERA + doe - EPOCH_SHIFT;
}

/* Inverse of days_from_civil. */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += EPOCH_SHIFT;
    int64_t era = floor_div(z, DAYS_PER_ERA);
    int64_t doe = z - era * DAYS_PER_ERA;
    /* Remove the leap days accumulated so far (one every 4 years, except
       every 100, except the 400th) so that dividing by 365 gives the year. */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (int)((5 * doy + 2) / 153);
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

bool date_is_leap_year(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int date_days_in_month(int year, int month)
{
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (month < 1 || month > 12)
        return 0;
    if (month == 2 && date_is_leap_year(year))
        return 29;
    return days[month - 1];
}

static bool fail(const char **why, const char *msg)
{
    if (why)
        *why = msg;
    return false;
}

bool date_from_ymd(int year, int month, int day, int32_t *out, const char **why)
{
    /* Static per-month messages so callers get something specific without
       any buffer to manage. */
    static const char *const too_big[12] = {
        N_("day does not exist in January (max 31)"),
        N_("day does not exist in February of that year"),
        N_("day does not exist in March (max 31)"),
        N_("day does not exist in April (max 30)"),
        N_("day does not exist in May (max 31)"),
        N_("day does not exist in June (max 30)"),
        N_("day does not exist in July (max 31)"),
        N_("day does not exist in August (max 31)"),
        N_("day does not exist in September (max 30)"),
        N_("day does not exist in October (max 31)"),
        N_("day does not exist in November (max 30)"),
        N_("day does not exist in December (max 31)"),
    };

    if (year < DATE_MIN_YEAR || year > DATE_MAX_YEAR)
        return fail(why, N_("year outside 1900-2199"));
    if (month < 1 || month > 12)
        return fail(why, N_("month must be 1-12"));
    if (day < 1)
        return fail(why, N_("day must be at least 1"));
    if (day > date_days_in_month(year, month))
        return fail(why, too_big[month - 1]);
    if (out)
        *out = (int32_t)days_from_civil(year, month, day);
    return true;
}

void date_to_ymd(int32_t day, int *year, int *month, int *mday)
{
    int64_t y;
    int m, d;
    civil_from_days(day, &y, &m, &d);
    /* Any int32 day number is within ~5.9 million years, so y fits an int. */
    if (year)
        *year = (int)y;
    if (month)
        *month = m;
    if (mday)
        *mday = d;
}

int date_weekday(int32_t day)
{
    /* 1970-01-01 (day 0) was a Thursday, ISO weekday 4. */
    return (int)floor_mod((int64_t)day + 3, 7) + 1;
}

/* ---- Parsing ---------------------------------------------------------- */

static bool is_digit(char c)
{
    /* Not isdigit(): that depends on the locale and needs an unsigned char. */
    return c >= '0' && c <= '9';
}

/* Reads between min_n and max_n decimal digits at *p and advances *p.
   Stops after max_n digits even if more follow; the caller's check of the
   next character then rejects the overlong field. */
static bool read_digits(const char **p, int min_n, int max_n, int *value)
{
    int n = 0, v = 0;
    while (n < max_n && is_digit((*p)[n])) {
        v = v * 10 + ((*p)[n] - '0');
        n++;
    }
    if (n < min_n)
        return false;
    *p += n;
    *value = v;
    return true;
}

static const char *const BAD_FORMAT = N_("expected YYYY-MM-DD or DD/MM/YYYY");

/* Parses the date at the start of text; on success *end points just past it.
   Which form is meant is decided by the first separator after the leading
   digits: '-' means ISO, '/' means Vietnamese. */
static bool parse_date_prefix(const char *text, int32_t *out, const char **end,
                              const char **why)
{
    if (!text || !*text)
        return fail(why, N_("empty date"));

    const char *p = text;
    int y, m, d;
    if (read_digits(&p, 4, 4, &y) && *p == '-') {
        p++;
        if (!read_digits(&p, 2, 2, &m) || *p != '-')
            return fail(why, BAD_FORMAT);
        p++;
        if (!read_digits(&p, 2, 2, &d))
            return fail(why, BAD_FORMAT);
    } else {
        p = text;
        if (!read_digits(&p, 1, 2, &d) || *p != '/')
            return fail(why, BAD_FORMAT);
        p++;
        if (!read_digits(&p, 1, 2, &m) || *p != '/')
            return fail(why, BAD_FORMAT);
        p++;
        if (!read_digits(&p, 4, 4, &y))
            return fail(why, BAD_FORMAT);
    }
    /* A digit right after a complete field means the field was too long
       (e.g. a 5-digit year); report a format error, not a range error. */
    if (is_digit(*p))
        return fail(why, BAD_FORMAT);
    if (!date_from_ymd(y, m, d, out, why))
        return false;
    *end = p;
    return true;
}

bool date_parse(const char *text, int32_t *out, const char **why)
{
    int32_t day;
    const char *end;
    if (!parse_date_prefix(text, &day, &end, why))
        return false;
    if (*end != '\0')
        return fail(why, N_("unexpected characters after the date"));
    if (out)
        *out = day;
    return true;
}

bool date_parse_datetime(const char *text, int64_t *unix_s, bool *has_time, const char **why)
{
    int32_t day;
    const char *p;
    if (!parse_date_prefix(text, &day, &p, why))
        return false;

    int64_t seconds = date_local_midnight(day);
    bool timed = false;
    if (*p == 'T' || *p == ' ') {
        p++;
        int h, min;
        if (!read_digits(&p, 2, 2, &h) || *p != ':')
            return fail(why, N_("expected time as HH:MM"));
        p++;
        if (!read_digits(&p, 2, 2, &min))
            return fail(why, N_("expected time as HH:MM"));
        if (h > 23)
            return fail(why, N_("hour must be 00-23"));
        if (min > 59)
            return fail(why, N_("minute must be 00-59"));
        seconds += (int64_t)h * 3600 + (int64_t)min * 60;
        timed = true;
    }
    if (*p != '\0')
        return fail(why, timed ? N_("unexpected characters after the time")
                               : N_("unexpected characters after the date"));
    if (unix_s)
        *unix_s = seconds;
    if (has_time)
        *has_time = timed;
    return true;
}

/* ---- Formatting and time zone ------------------------------------------ */

/* Writes v as exactly `width` zero-padded decimal digits and returns the
   position after them. Digits are written by hand rather than with snprintf
   so the fixed-size buffers can never overflow or truncate: a value needing
   more digits (a year far outside DATE_MIN_YEAR..DATE_MAX_YEAR) keeps only
   its low-order digits. */
static char *put_digits(char *p, int v, int width)
{
    unsigned u = v < 0 ? 0u - (unsigned)v : (unsigned)v;
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + u % 10);
        u /= 10;
    }
    return p + width;
}

void date_format_iso(int32_t day, char out[DATE_ISO_LEN])
{
    int y, m, d;
    date_to_ymd(day, &y, &m, &d);
    char *p = put_digits(out, y, 4);
    *p++ = '-';
    p = put_digits(p, m, 2);
    *p++ = '-';
    p = put_digits(p, d, 2);
    *p = '\0';
}

void date_format_vn(int32_t day, char out[DATE_ISO_LEN])
{
    int y, m, d;
    date_to_ymd(day, &y, &m, &d);
    char *p = put_digits(out, d, 2);
    *p++ = '/';
    p = put_digits(p, m, 2);
    *p++ = '/';
    p = put_digits(p, y, 4);
    *p = '\0';
}

void date_format_lang(lang_t lang, int32_t day, char out[DATE_ISO_LEN])
{
    if (lang == LANG_VI)
        date_format_vn(day, out);
    else
        date_format_iso(day, out);
}

void date_text_lang(lang_t lang, const char *iso, char *out, size_t len)
{
    int32_t day;
    char date[DATE_ISO_LEN];
    size_t date_len = iso ? strcspn(iso, " T") : 0;
    if (date_len == DATE_ISO_LEN - 1) {
        memcpy(date, iso, date_len);
        date[date_len] = '\0';
        if (date_parse(date, &day, NULL)) {
            date_format_lang(lang, day, date);
            const char *rest = iso + date_len;
            snprintf(out, len, "%s%s%s", date, rest[0] == 'T' ? " " : "", rest + (rest[0] == 'T'));
            return;
        }
    }
    snprintf(out, len, "%s", iso ? iso : "");
}

/* Splits an instant into local civil day and seconds since local midnight.
   The offset is added to the remainder rather than to unix_s so that no
   int64 input can overflow. */
static void local_split(int64_t unix_s, int64_t *day, int64_t *sec_of_day)
{
    int64_t d = floor_div(unix_s, SECONDS_PER_DAY);
    int64_t s = floor_mod(unix_s, SECONDS_PER_DAY) + DATE_TZ_OFFSET_S;
    if (s >= SECONDS_PER_DAY) {
        d++;
        s -= SECONDS_PER_DAY;
    }
    *day = d;
    *sec_of_day = s;
}

/* Instants beyond ~5.8 million years have no int32 day; clamp rather than
   wrap. */
static int32_t clamp_day(int64_t day)
{
    if (day > INT32_MAX)
        return INT32_MAX;
    if (day < INT32_MIN)
        return INT32_MIN;
    return (int32_t)day;
}

int32_t date_local_day(int64_t unix_s)
{
    int64_t day, sec;
    local_split(unix_s, &day, &sec);
    return clamp_day(day);
}

int64_t date_local_midnight(int32_t day)
{
    return (int64_t)day * SECONDS_PER_DAY - DATE_TZ_OFFSET_S;
}

void date_format_local_time(int64_t unix_s, char out[DATE_TIME_LEN])
{
    int64_t day, sec;
    local_split(unix_s, &day, &sec);
    date_format_iso(clamp_day(day), out);
    char *p = out + DATE_ISO_LEN - 1;
    *p++ = ' ';
    p = put_digits(p, (int)(sec / 3600), 2);
    *p++ = ':';
    p = put_digits(p, (int)(sec % 3600 / 60), 2);
    *p = '\0';
}

int32_t date_add_months(int32_t day, int months)
{
    int y, m, d;
    date_to_ymd(day, &y, &m, &d);
    /* Count months from year 0 so the year/month carry is one floor division. */
    int64_t total = (int64_t)y * 12 + (m - 1) + months;
    int64_t ny = floor_div(total, 12);
    int nm = (int)floor_mod(total, 12) + 1;
    int dim = date_days_in_month((int)ny, nm);
    if (d > dim)
        d = dim;
    return (int32_t)days_from_civil(ny, nm, d);
}

bool date_parse_clock(const char *text, int *minute)
{
    if (!text || strlen(text) != 5 || text[2] != ':')
        return false;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (text[i] < '0' || text[i] > '9'))
            return false;
    int h = (text[0] - '0') * 10 + (text[1] - '0'), m = (text[3] - '0') * 10 + (text[4] - '0');
    if (h > 23 || m > 59)
        return false;
    if (minute)
        *minute = h * 60 + m;
    return true;
}
