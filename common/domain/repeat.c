/* Repeat rules for recurring sittings. See repeat.h. */
#include "domain/repeat.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/date.h"
#include "base/i18n.h"
#include "text/utf8.h"

#define QUOTE_MAX 24 /* input bytes quoted back in an error message */

/* Index 1..7 = ISO weekday. */
static const char *const s_day_short[8] = { "", "MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN" };
static const char *const s_day_long[8] = { "",         "MONDAY", "TUESDAY",  "WEDNESDAY",
                                           "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY" };
static const char *const s_day_rfc[8] = { "", "MO", "TU", "WE", "TH", "FR", "SA", "SU" };
/* Index 1..4 = nth. */
static const char *const s_nth_word[5] = { "", "first", "second", "third", "fourth" };

static const char *const BOTH_LIMITS = N_("use either until or count, not both");
static const char *const BAD_INTERVAL = N_("interval must be 1-12");
static const char *const BAD_COUNT = N_("count must be 1-1000");
static const char *const BAD_MONTHDAY = N_("day of month must be 1-31");
static const char *const BAD_POSITION = N_("week position must be 1-4 or -1 (last)");

/* ---- Error messages ----------------------------------------------------- */

/* Messages that quote the input are built here, in the process's language
   (a literal reason is marked N_() and translated where it is shown).
   Thread-local so that two threads parsing at once cannot overwrite each
   other's reason. */
static _Thread_local char s_msg[256];

static bool s_fail(const char **why, const char *msg)
{
    if (why)
        *why = msg;
    return false;
}

/* s_msg from fmt (one %s) and arg, in the process's language. The reason
   may travel in a protobuf string, which must be valid UTF-8: a translation
   cut at the end of s_msg loses the cut character's bytes. */
static bool s_fail_format(const char **why, const char *fmt, const char *arg)
{
    int n = snprintf(s_msg, sizeof s_msg, _(fmt), arg);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof s_msg ? (size_t)n : sizeof s_msg - 1;
    size_t cut = len;
    while (cut > 0 && len - cut < 3 && !utf8_valid(s_msg, cut))
        cut--;
    s_msg[utf8_valid(s_msg, cut) ? cut : len] = '\0';
    return s_fail(why, s_msg);
}

/* fmt with its %s the word, cut to QUOTE_MAX bytes with "...". Bytes
   outside printable ASCII become '?': a cut multi-byte sequence would not
   be valid UTF-8. */
static bool s_fail_quoted(const char **why, const char *fmt, const char *word, size_t n)
{
    char quoted[QUOTE_MAX + 4];
    size_t len = 0;
    for (size_t i = 0; i < n && i < QUOTE_MAX; i++) {
        char c = word[i];
        quoted[len++] = c < 0x20 || c > 0x7e ? '?' : c;
    }
    if (n > QUOTE_MAX) {
        memcpy(quoted + len, "...", 3);
        len += 3;
    }
    quoted[len] = '\0';
    return s_fail_format(why, fmt, quoted);
}

/* "until date: <reason from date.h>". */
static bool s_fail_until(const char **why, const char *date_why)
{
    return s_fail_format(why, N_("until date: %s"), _(date_why));
}

/* ---- Words and numbers -------------------------------------------------- */

static char s_lower(char c)
{
    /* Not tolower(): locale-dependent, and undefined for negative char. */
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive: is the n-byte word w exactly lit? */
static bool s_word_is(const char *w, size_t n, const char *lit)
{
    if (strlen(lit) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s_lower(w[i]) != s_lower(lit[i]))
            return false;
    return true;
}

/* Case-insensitive: does text start with lit? */
static bool s_starts_with(const char *text, const char *lit)
{
    for (size_t i = 0; lit[i] != '\0'; i++)
        if (text[i] == '\0' || s_lower(text[i]) != s_lower(lit[i]))
            return false;
    return true;
}

/* Index 1..7 of the word in table, or 0. */
static int s_lookup_day(const char *w, size_t n, const char *const table[8])
{
    for (int d = 1; d <= 7; d++)
        if (s_word_is(w, n, table[d]))
            return d;
    return 0;
}

/* A word of decimal digits only. Anything longer than four digits is
   reported as 10000, which every caller's range check refuses; this keeps
   the value far from int overflow. */
static bool s_number(const char *w, size_t n, int *value)
{
    if (n == 0)
        return false;
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (w[i] < '0' || w[i] > '9')
            return false;
        if (i < 4)
            v = v * 10 + (w[i] - '0');
    }
    *value = n > 4 ? 10000 : v;
    return true;
}

/* ---- Rule checks -------------------------------------------------------- */

static int32_t s_day_min(void)
{
    int32_t d = 0;
    date_from_ymd(DATE_MIN_YEAR, 1, 1, &d, NULL);
    return d;
}

static int32_t s_day_max(void)
{
    int32_t d = 0;
    date_from_ymd(DATE_MAX_YEAR, 12, 31, &d, NULL);
    return d;
}

static bool s_rule_ok(const repeat_rule_t *r)
{
    if (!r || r->interval < 1 || r->interval > REPEAT_INTERVAL_MAX)
        return false;
    if (r->count < 0 || r->count > REPEAT_COUNT_MAX)
        return false;
    if (r->until != REPEAT_NO_UNTIL &&
        (r->count != 0 || r->until < s_day_min() || r->until > s_day_max()))
        return false;
    switch (r->kind) {
    case REPEAT_WEEKLY:
        return r->weekday >= 1 && r->weekday <= 7;
    case REPEAT_MONTHLY_WEEKDAY:
        return r->weekday >= 1 && r->weekday <= 7 &&
               ((r->nth >= 1 && r->nth <= 4) || r->nth == -1);
    case REPEAT_MONTHLY_DAY:
        return r->monthday >= 1 && r->monthday <= 31;
    default:
        return false;
    }
}

/* ---- Friendly text ------------------------------------------------------ */

/* Next space-separated word at *p; false at the end of the text. */
static bool s_next_word(const char **p, const char **w, size_t *n)
{
    while (**p == ' ')
        (*p)++;
    if (**p == '\0')
        return false;
    *w = *p;
    while (**p != '\0' && **p != ' ')
        (*p)++;
    *n = (size_t)(*p - *w);
    return true;
}

static bool s_expect_weekday(const char **p, int *weekday, const char **why)
{
    const char *w;
    size_t n;
    if (!s_next_word(p, &w, &n))
        return s_fail(why, N_("missing weekday (MON..SUN)"));
    int d = s_lookup_day(w, n, s_day_short);
    if (d == 0)
        d = s_lookup_day(w, n, s_day_long);
    if (d == 0)
        return s_fail_quoted(why, N_("unknown weekday '%s'"), w, n);
    *weekday = d;
    return true;
}

/* What follows "monthly" or "every N months": "<nth> WEEKDAY" or "day D". */
static bool s_parse_monthly_body(const char **p, repeat_rule_t *r, const char **why)
{
    const char *w;
    size_t n;
    if (!s_next_word(p, &w, &n))
        return s_fail(why, N_("missing first, second, third, fourth, last or day"));
    if (s_word_is(w, n, "day")) {
        int v;
        if (!s_next_word(p, &w, &n))
            return s_fail(why, N_("missing day of month after 'day'"));
        if (!s_number(w, n, &v) || v < 1 || v > 31)
            return s_fail(why, BAD_MONTHDAY);
        r->kind = REPEAT_MONTHLY_DAY;
        r->monthday = v;
        return true;
    }
    int nth = 0;
    if (s_word_is(w, n, "last"))
        nth = -1;
    for (int i = 1; i <= 4 && nth == 0; i++)
        if (s_word_is(w, n, s_nth_word[i]))
            nth = i;
    if (nth == 0) {
        if (s_word_is(w, n, "fifth"))
            return s_fail(why, N_("not every month has a fifth weekday; use first-fourth or last"));
        if (s_lookup_day(w, n, s_day_short) || s_lookup_day(w, n, s_day_long))
            return s_fail(why,
                          N_("missing first, second, third, fourth or last before the weekday"));
        return s_fail_quoted(
            why, N_("unknown word '%s' (expected first, second, third, fourth, last or day)"), w,
            n);
    }
    r->kind = REPEAT_MONTHLY_WEEKDAY;
    r->nth = nth;
    return s_expect_weekday(p, &r->weekday, why);
}

/* The optional "until DATE" / "count N" tail. */
static bool s_parse_limits(const char **p, repeat_rule_t *r, const char **why)
{
    bool has_until = false, has_count = false;
    const char *w;
    size_t n;
    while (s_next_word(p, &w, &n)) {
        if (s_word_is(w, n, "until")) {
            if (has_until)
                return s_fail(why, N_("until given twice"));
            if (!s_next_word(p, &w, &n))
                return s_fail(why, N_("missing date after 'until'"));
            /* date_parse wants a NUL-terminated string; the whole input is
               at most REPEAT_INPUT_MAX bytes, so the word fits. */
            char date[REPEAT_INPUT_MAX + 1];
            memcpy(date, w, n);
            date[n] = '\0';
            const char *date_why = N_("bad date");
            if (!date_parse(date, &r->until, &date_why))
                return s_fail_until(why, date_why);
            has_until = true;
        } else if (s_word_is(w, n, "count")) {
            if (has_count)
                return s_fail(why, N_("count given twice"));
            if (!s_next_word(p, &w, &n))
                return s_fail(why, N_("missing number after 'count'"));
            if (!s_number(w, n, &r->count) || r->count < 1 || r->count > REPEAT_COUNT_MAX)
                return s_fail(why, BAD_COUNT);
            has_count = true;
        } else {
            return s_fail_quoted(
                why, N_("unexpected '%s' after the rule (expected until or count)"), w, n);
        }
    }
    if (has_until && has_count)
        return s_fail(why, BOTH_LIMITS);
    return true;
}

static bool s_parse_friendly(const char *p, repeat_rule_t *r, const char **why)
{
    const char *w;
    size_t n;
    s_next_word(&p, &w, &n); /* the caller has checked the text is not empty */
    if (s_word_is(w, n, "weekly")) {
        r->kind = REPEAT_WEEKLY;
        if (!s_expect_weekday(&p, &r->weekday, why))
            return false;
    } else if (s_word_is(w, n, "monthly")) {
        if (!s_parse_monthly_body(&p, r, why))
            return false;
    } else if (s_word_is(w, n, "every")) {
        if (!s_next_word(&p, &w, &n))
            return s_fail(why, N_("missing number after 'every'"));
        if (!s_number(w, n, &r->interval))
            return s_fail_quoted(why, N_("expected a number after 'every', got '%s'"), w, n);
        if (r->interval < 1 || r->interval > REPEAT_INTERVAL_MAX)
            return s_fail(why, BAD_INTERVAL);
        if (!s_next_word(&p, &w, &n))
            return s_fail(why, N_("missing weeks or months after 'every N'"));
        if (s_word_is(w, n, "weeks") || s_word_is(w, n, "week")) {
            r->kind = REPEAT_WEEKLY;
            if (!s_expect_weekday(&p, &r->weekday, why))
                return false;
        } else if (s_word_is(w, n, "months") || s_word_is(w, n, "month")) {
            if (!s_parse_monthly_body(&p, r, why))
                return false;
        } else {
            return s_fail_quoted(why, N_("expected weeks or months after 'every N', got '%s'"), w,
                                 n);
        }
    } else {
        return s_fail_quoted(
            why, N_("unknown word '%s' (a rule starts with weekly, monthly, every or FREQ=)"), w,
            n);
    }
    return s_parse_limits(&p, r, why);
}

/* ---- RFC 5545 RRULE ----------------------------------------------------- */

enum { PART_FREQ, PART_INTERVAL, PART_BYDAY, PART_BYMONTHDAY, PART_UNTIL, PART_COUNT, PART_N };
static const char *const s_part_name[PART_N] = {
    "FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "UNTIL", "COUNT",
};

/* BYDAY value: an optional signed position, then a two-letter weekday.
   *pos is 0 when no position was given. */
static bool s_parse_byday(const char *v, size_t n, int *pos, int *weekday, const char **why)
{
    if (n == 0)
        return s_fail(why, N_("missing weekday (BYDAY)"));
    if (memchr(v, ',', n))
        return s_fail(why, N_("only one weekday is supported in BYDAY"));
    size_t i = 0;
    int sign = 1;
    if (v[0] == '+' || v[0] == '-') {
        sign = v[0] == '-' ? -1 : 1;
        i++;
    }
    size_t digits_at = i;
    while (i < n && v[i] >= '0' && v[i] <= '9')
        i++;
    int value = 0;
    if (i > digits_at) {
        s_number(v + digits_at, i - digits_at, &value);
        value *= sign;
        if (!((value >= 1 && value <= 4) || value == -1))
            return s_fail(why, BAD_POSITION);
    } else if (i > 0) {
        return s_fail(why, N_("a sign in BYDAY must be followed by a position, as in -1FR"));
    }
    int d = s_lookup_day(v + i, n - i, s_day_rfc);
    if (d == 0)
        return s_fail_quoted(why, N_("unknown weekday '%s'"), v + i, n - i);
    *pos = value;
    *weekday = d;
    return true;
}

/* UNTIL as a DATE, YYYYMMDD. */
static bool s_parse_until(const char *v, size_t n, int32_t *until, const char **why)
{
    int y, m, d;
    if (n != 8 || !s_number(v, 4, &y) || !s_number(v + 4, 2, &m) || !s_number(v + 6, 2, &d))
        return s_fail(why, N_("UNTIL must be a date YYYYMMDD"));
    const char *date_why = N_("bad date");
    if (!date_from_ymd(y, m, d, until, &date_why))
        return s_fail_until(why, date_why);
    return true;
}

static bool s_parse_rrule(const char *p, repeat_rule_t *r, const char **why)
{
    if (s_starts_with(p, "RRULE:"))
        p += strlen("RRULE:");
    if (*p == '\0')
        return s_fail(why, N_("empty RRULE"));
    if (strchr(p, ' '))
        return s_fail(why, N_("spaces are not allowed in an RRULE"));

    const char *value[PART_N] = { NULL };
    size_t value_len[PART_N] = { 0 };
    for (;;) {
        const char *end = strchr(p, ';');
        if (!end)
            end = p + strlen(p);
        size_t n = (size_t)(end - p);
        if (n == 0)
            return s_fail(why, N_("empty RRULE part (stray ';')"));
        const char *eq = memchr(p, '=', n);
        if (!eq)
            return s_fail_quoted(why, N_("RRULE part '%s' has no '='"), p, n);
        size_t name_len = (size_t)(eq - p);
        int part = 0;
        while (part < PART_N && !s_word_is(p, name_len, s_part_name[part]))
            part++;
        if (part == PART_N)
            return s_fail_quoted(why, N_("unsupported RRULE part '%s'"), p, name_len);
        if (value[part])
            return s_fail_quoted(why, N_("RRULE part '%s' given twice"), p, name_len);
        value[part] = eq + 1;
        value_len[part] = (size_t)(end - eq - 1);
        if (*end == '\0')
            break;
        p = end + 1;
    }

    const char *v = value[PART_FREQ];
    size_t n = value_len[PART_FREQ];
    if (!v)
        return s_fail(why, N_("RRULE needs FREQ"));
    bool weekly = s_word_is(v, n, "WEEKLY");
    if (!weekly && !s_word_is(v, n, "MONTHLY"))
        return s_fail_quoted(why, N_("unsupported FREQ '%s' (only WEEKLY and MONTHLY)"), v, n);

    if (value[PART_INTERVAL] &&
        (!s_number(value[PART_INTERVAL], value_len[PART_INTERVAL], &r->interval) ||
         r->interval < 1 || r->interval > REPEAT_INTERVAL_MAX))
        return s_fail(why, BAD_INTERVAL);

    if (weekly) {
        if (value[PART_BYMONTHDAY])
            return s_fail(why, N_("BYMONTHDAY needs FREQ=MONTHLY"));
        if (!value[PART_BYDAY])
            return s_fail(why, N_("missing weekday (BYDAY)"));
        int pos;
        if (!s_parse_byday(value[PART_BYDAY], value_len[PART_BYDAY], &pos, &r->weekday, why))
            return false;
        if (pos != 0)
            return s_fail(why, N_("weekly BYDAY takes a plain weekday such as MO"));
        r->kind = REPEAT_WEEKLY;
    } else if (value[PART_BYDAY] && value[PART_BYMONTHDAY]) {
        return s_fail(why, N_("use either BYDAY or BYMONTHDAY, not both"));
    } else if (value[PART_BYDAY]) {
        if (!s_parse_byday(value[PART_BYDAY], value_len[PART_BYDAY], &r->nth, &r->weekday, why))
            return false;
        if (r->nth == 0)
            return s_fail(why, N_("monthly BYDAY needs a position such as 1MO or -1FR"));
        r->kind = REPEAT_MONTHLY_WEEKDAY;
    } else if (value[PART_BYMONTHDAY]) {
        if (!s_number(value[PART_BYMONTHDAY], value_len[PART_BYMONTHDAY], &r->monthday) ||
            r->monthday < 1 || r->monthday > 31)
            return s_fail(why, BAD_MONTHDAY);
        r->kind = REPEAT_MONTHLY_DAY;
    } else {
        return s_fail(why, N_("monthly RRULE needs BYDAY or BYMONTHDAY"));
    }

    if (value[PART_UNTIL] && value[PART_COUNT])
        return s_fail(why, BOTH_LIMITS);
    if (value[PART_UNTIL] && !s_parse_until(value[PART_UNTIL], value_len[PART_UNTIL], &r->until, why))
        return false;
    if (value[PART_COUNT] &&
        (!s_number(value[PART_COUNT], value_len[PART_COUNT], &r->count) || r->count < 1 ||
         r->count > REPEAT_COUNT_MAX))
        return s_fail(why, BAD_COUNT);
    return true;
}

bool repeat_parse(const char *text, repeat_rule_t *out, const char **why)
{
    if (!text || *text == '\0')
        return s_fail(why, N_("empty repeat rule"));
    size_t len = 0;
    while (text[len] != '\0') {
        if (len == REPEAT_INPUT_MAX)
            return s_fail(why, N_("repeat rule longer than 200 characters"));
        if ((unsigned char)text[len] < 0x20 || text[len] == 0x7f)
            return s_fail(why, N_("control characters (tabs, newlines) are not allowed"));
        len++;
    }
    if (text[0] == ' ' || text[len - 1] == ' ')
        return s_fail(why, N_("leading or trailing spaces"));

    repeat_rule_t r = { .kind = REPEAT_NONE, .interval = 1, .until = REPEAT_NO_UNTIL };
    /* RRULE when it says so, or when the first word is a NAME=VALUE pair:
       "BYDAY=MO;FREQ=WEEKLY" is as valid as "FREQ=WEEKLY;BYDAY=MO". */
    size_t first_word = strcspn(text, " ");
    bool rrule = memchr(text, '=', first_word) != NULL || s_starts_with(text, "RRULE:");
    if (!(rrule ? s_parse_rrule(text, &r, why) : s_parse_friendly(text, &r, why)))
        return false;
    if (out)
        *out = r;
    return true;
}

/* ---- Formatting --------------------------------------------------------- */

typedef struct {
    char *out;
    size_t cap; /* > 0 */
    size_t len; /* always < cap */
} s_text_t;

__attribute__((format(printf, 2, 3))) static void s_put(s_text_t *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->out + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    t->len += (size_t)n;
    if (t->len > t->cap - 1)
        t->len = t->cap - 1; /* truncated: later pieces write nothing */
}

void repeat_format(const repeat_rule_t *rule, char *out, size_t cap)
{
    if (!out || cap == 0)
        return;
    out[0] = '\0';
    if (!s_rule_ok(rule))
        return;
    s_text_t t = { out, cap, 0 };
    const char *unit = rule->kind == REPEAT_WEEKLY ? "weeks" : "months";
    if (rule->interval != 1)
        s_put(&t, "every %d %s", rule->interval, unit);
    else
        s_put(&t, "%s", rule->kind == REPEAT_WEEKLY ? "weekly" : "monthly");
    if (rule->kind == REPEAT_WEEKLY)
        s_put(&t, " %s", s_day_short[rule->weekday]);
    else if (rule->kind == REPEAT_MONTHLY_WEEKDAY)
        s_put(&t, " %s %s", rule->nth == -1 ? "last" : s_nth_word[rule->nth],
              s_day_short[rule->weekday]);
    else
        s_put(&t, " day %d", rule->monthday);
    if (rule->until != REPEAT_NO_UNTIL) {
        char iso[DATE_ISO_LEN];
        date_format_iso(rule->until, iso);
        s_put(&t, " until %s", iso);
    }
    if (rule->count != 0)
        s_put(&t, " count %d", rule->count);
}

void repeat_to_rrule(const repeat_rule_t *rule, char *out, size_t cap)
{
    if (!out || cap == 0)
        return;
    out[0] = '\0';
    if (!s_rule_ok(rule))
        return;
    s_text_t t = { out, cap, 0 };
    s_put(&t, "FREQ=%s", rule->kind == REPEAT_WEEKLY ? "WEEKLY" : "MONTHLY");
    if (rule->interval != 1)
        s_put(&t, ";INTERVAL=%d", rule->interval);
    if (rule->kind == REPEAT_WEEKLY)
        s_put(&t, ";BYDAY=%s", s_day_rfc[rule->weekday]);
    else if (rule->kind == REPEAT_MONTHLY_WEEKDAY)
        s_put(&t, ";BYDAY=%d%s", rule->nth, s_day_rfc[rule->weekday]);
    else
        s_put(&t, ";BYMONTHDAY=%d", rule->monthday);
    if (rule->until != REPEAT_NO_UNTIL) {
        int y, m, d;
        date_to_ymd(rule->until, &y, &m, &d);
        s_put(&t, ";UNTIL=%04d%02d%02d", y, m, d);
    }
    if (rule->count != 0)
        s_put(&t, ";COUNT=%d", rule->count);
}

/* ---- Occurrences -------------------------------------------------------- */

/* Months are numbered year * 12 + (month - 1) so a stride is an addition. */
static int s_month_index(int32_t day)
{
    int y, m;
    date_to_ymd(day, &y, &m, NULL);
    return y * 12 + m - 1;
}

/* The monthly rule's date in the given month index, if the month has one.
   Only called for months within date.h's range. */
static bool s_month_occurrence(const repeat_rule_t *r, int month_index, int32_t *out)
{
    int y = month_index / 12, m = month_index % 12 + 1;
    int32_t day1 = 0;
    date_from_ymd(y, m, 1, &day1, NULL);
    int dim = date_days_in_month(y, m);
    if (r->kind == REPEAT_MONTHLY_DAY) {
        if (r->monthday > dim)
            return false; /* skipped, not moved to the month's last day */
        *out = day1 + r->monthday - 1;
    } else if (r->nth > 0) {
        *out = day1 + (r->weekday - date_weekday(day1) + 7) % 7 + 7 * (r->nth - 1);
    } else {
        int32_t last = day1 + dim - 1;
        *out = last - (date_weekday(last) - r->weekday + 7) % 7;
    }
    return true;
}

/* Does day fit the pattern alone (no interval, count or until)? */
static bool s_pattern_matches(const repeat_rule_t *r, int32_t day)
{
    if (day < s_day_min() || day > s_day_max())
        return false;
    if (r->kind == REPEAT_WEEKLY)
        return date_weekday(day) == r->weekday;
    int32_t occ;
    return s_month_occurrence(r, s_month_index(day), &occ) && occ == day;
}

bool repeat_align(const repeat_rule_t *rule, int32_t day, int32_t *out)
{
    if (!s_rule_ok(rule) || day > s_day_max())
        return false;
    if (day < s_day_min())
        day = s_day_min();
    int32_t found;
    if (rule->kind == REPEAT_WEEKLY) {
        found = day + (rule->weekday - date_weekday(day) + 7) % 7;
        if (found > s_day_max())
            return false;
    } else {
        /* Few months are ever tried: every month has each nth weekday, and
           a day of month missing from one month is in the next (29 Feb at
           worst waits for the next leap year). */
        int last_month = s_month_index(s_day_max());
        int mi = s_month_index(day);
        for (;; mi++) {
            if (mi > last_month)
                return false;
            if (s_month_occurrence(rule, mi, &found) && found >= day)
                break;
        }
    }
    if (out)
        *out = found;
    return true;
}

/* Weekly series: occurrence k is first + 7 * interval * k, so the window
   is found by division. */
static size_t s_expand_weekly(const repeat_rule_t *r, int32_t first, int64_t lo, int64_t hi,
                              int32_t *out, size_t cap)
{
    int64_t step = 7 * (int64_t)r->interval;
    if (r->count != 0 && first + step * (r->count - 1) < hi)
        hi = first + step * (r->count - 1);
    if (hi < lo)
        return 0;
    int64_t k_lo = (lo - first + step - 1) / step; /* lo >= first: no negative division */
    int64_t k_hi = (hi - first) / step;
    if (k_hi < k_lo)
        return 0;
    size_t total = (size_t)(k_hi - k_lo + 1);
    for (size_t i = 0; i < total && i < cap; i++)
        out[i] = (int32_t)(first + step * (k_lo + (int64_t)i));
    return total;
}

/* Monthly series: month by month along the stride, starting at the window
   when the number of earlier occurrences is known without walking. */
static size_t s_expand_monthly(const repeat_rule_t *r, int32_t first, int64_t lo, int64_t hi,
                               int32_t *out, size_t cap)
{
    int m0 = s_month_index(first);
    int last_month = s_month_index(s_day_max());
    int64_t k = 0;    /* stride number: month m0 + k * interval */
    int64_t seen = 0; /* occurrences before stride k */
    /* Every stride month has exactly one nth/last weekday, so k strides
       hold k occurrences. A monthly-day rule skips months, so with a count
       it must walk from the start to know how many were used up. */
    if (r->count == 0 || r->kind == REPEAT_MONTHLY_WEEKDAY) {
        int mf = s_month_index((int32_t)lo);
        k = (mf - m0 + r->interval - 1) / r->interval; /* lo >= first, so mf >= m0 */
        seen = k;
    }
    size_t total = 0;
    for (;; k++) {
        int64_t mi = m0 + k * r->interval;
        if (mi > last_month)
            break;
        int32_t day;
        if (!s_month_occurrence(r, (int)mi, &day))
            continue;
        if (r->count != 0 && seen >= r->count)
            break;
        seen++;
        if (day > hi)
            break;
        if (day >= lo) {
            if (total < cap)
                out[total] = day;
            total++;
        }
    }
    return total;
}

size_t repeat_expand(const repeat_rule_t *rule, int32_t first, int32_t from, int32_t to,
                     int32_t *out, size_t cap)
{
    if (!out)
        cap = 0;
    if (!s_rule_ok(rule) || !s_pattern_matches(rule, first))
        return 0;
    /* The window, cut to where the series can have dates at all. */
    int64_t lo = from > first ? from : first;
    int64_t hi = to;
    if (rule->until < hi)
        hi = rule->until;
    if (s_day_max() < hi)
        hi = s_day_max();
    if (hi < lo)
        return 0;
    if (rule->kind == REPEAT_WEEKLY)
        return s_expand_weekly(rule, first, lo, hi, out, cap);
    return s_expand_monthly(rule, first, lo, hi, out, cap);
}

bool repeat_matches(const repeat_rule_t *rule, int32_t first, int32_t day)
{
    /* One code path for "is it in the series" and "list the series", so
       the two can never disagree. */
    int32_t got;
    return repeat_expand(rule, first, day, day, &got, 1) == 1;
}
