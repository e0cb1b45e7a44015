/* The working-day calendar: computed holidays, override files, and a bitmap
 * of working days 1900-2199 for fast arithmetic. See workcal.h. */
#include "calendar/workcal.h"

#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/date.h"
#include "base/i18n.h"
#include "base/log.h"
#include "calendar/lunar.h"
#include "text/utf8.h"

/* 1900-01-01 .. 2199-12-31: 300 years with 73 leap days. */
#define FIRST_DAY (-25567)
#define DAY_COUNT (300 * 365 + 73)
#define WORDS ((DAY_COUNT + 63) / 64)
#define YEARS (WORKCAL_MAX_YEAR - WORKCAL_MIN_YEAR + 1)

_Static_assert(WORDS == WORKCAL_BITS_WORDS, "workcal.h states the bitmap's size");
_Static_assert(WORKCAL_MIN_YEAR == DATE_MIN_YEAR && WORKCAL_MAX_YEAR == DATE_MAX_YEAR,
               "the calendar covers date.h's years");

/* The first years of each Labour Code's holidays (workcal.h). */
#define HUNG_FROM 2007   /* Labour Code 1994 as amended in 2007 */
#define LC2012_FROM 2013 /* Tết 5 days */
#define LC2019_FROM 2021 /* National Day 2 days */

struct workcal {
    uint64_t working[WORDS];  /* bit (day - FIRST_DAY): a working day */
    workcal_day_t *overrides; /* sorted by day */
    size_t n_overrides;
    bool announced[YEARS];    /* [year - WORKCAL_MIN_YEAR]: it has a file */
};

/* ---- The computed calendar ---------------------------------------------- */

typedef enum {
    H_NEW_YEAR,
    H_TET,
    H_HUNG,
    H_VICTORY,
    H_LABOUR,
    H_NATIONAL,
    H_COUNT
} holiday_id_t;

static const struct {
    const char *vn, *en;
} s_holiday_names[H_COUNT] = {
    [H_NEW_YEAR] = {"Tết Dương lịch", "New Year's Day"},
    [H_TET] = {"Tết Nguyên đán", "Lunar New Year"},
    [H_HUNG] = {"Giỗ Tổ Hùng Vương", "Hùng Kings' Day"},
    [H_VICTORY] = {"Ngày Chiến thắng", "Reunification Day"},
    [H_LABOUR] = {"Ngày Quốc tế Lao động", "International Labour Day"},
    [H_NATIONAL] = {"Quốc khánh", "National Day"},
};

/* One day off of the computed calendar. A day can be two holidays at once
   (10/3 lunar on 30/4); `also` is then the second, else -1. */
typedef struct {
    int32_t day;
    int holiday;
    int also;
    bool compensation; /* a day off for `holiday` (and `also`) on a weekend */
} computed_t;

/* 11 holiday days and at most one compensation day each. */
#define COMPUTED_MAX 24

static bool s_is_weekend(int32_t day)
{
    return date_weekday(day) >= 6;
}

/* Adds a holiday keeping the list sorted by day; a second holiday on a day
   already listed merges into it. */
static void s_add_holiday(computed_t *list, size_t *n, int32_t day, int holiday)
{
    size_t i = 0;
    while (i < *n && list[i].day < day)
        i++;
    if (i < *n && list[i].day == day) {
        if (list[i].holiday != holiday && list[i].also < 0)
            list[i].also = holiday;
        return;
    }
    memmove(&list[i + 1], &list[i], (*n - i) * sizeof list[0]);
    list[i] = (computed_t){.day = day, .holiday = holiday, .also = -1};
    (*n)++;
}

static bool s_listed(const computed_t *list, size_t n, int32_t day)
{
    for (size_t i = 0; i < n; i++)
        if (list[i].day == day)
            return true;
    return false;
}

/* The day added to National Day, indexed by the ISO weekday of 2/9: the
   side that joins the weekend or bridges to it (Mon 3/9, Tue 1/9, Wed 3/9,
   Thu 3/9, Fri 1/9, Sat 1/9, Sun 3/9). It is never a weekend day. */
static const int s_national_adjacent[8] = {0, +1, -1, +1, +1, -1, -1, +1};

/* Which Labour Code's holidays a year has (see workcal.h). A year is one
   code's whole: 2013 has the 2012 code's, which took effect on 1 May. */
static int s_tet_days(int year)
{
    return year >= LC2012_FROM ? 5 : 4;
}

static bool s_has_hung_kings(int year)
{
    return year >= HUNG_FROM;
}

static bool s_national_two_days(int year)
{
    return year >= LC2019_FROM;
}

/* The days off of one year by the Labour Code alone, sorted by day.
   Returns the count, 0 if the lunar calendar has no such year. */
static size_t s_computed_year(int year, computed_t out[COMPUTED_MAX])
{
    computed_t list[COMPUTED_MAX];
    size_t n = 0;
    int32_t tet, hung, d;
    lunar_date_t hung_lunar = {.year = year, .month = 3, .day = 10, .leap = false};
    if (!lunar_new_year(year, &tet) || !lunar_to_day(&hung_lunar, &hung))
        return 0;

    (void)date_from_ymd(year, 1, 1, &d, NULL);
    s_add_holiday(list, &n, d, H_NEW_YEAR);
    /* The eve (29 or 30 of month 12), then 1/1 to 4/1 (to 3/1 with 4 days). */
    for (int i = -1; i < s_tet_days(year) - 1; i++)
        s_add_holiday(list, &n, tet + i, H_TET);
    if (s_has_hung_kings(year))
        s_add_holiday(list, &n, hung, H_HUNG);
    (void)date_from_ymd(year, 4, 30, &d, NULL);
    s_add_holiday(list, &n, d, H_VICTORY);
    (void)date_from_ymd(year, 5, 1, &d, NULL);
    s_add_holiday(list, &n, d, H_LABOUR);
    (void)date_from_ymd(year, 9, 2, &d, NULL);
    s_add_holiday(list, &n, d, H_NATIONAL);
    if (s_national_two_days(year))
        s_add_holiday(list, &n, d + s_national_adjacent[date_weekday(d)], H_NATIONAL);

    /* Compensation, holidays in date order: the next weekday that is
       neither a holiday nor already given as compensation. */
    size_t holidays = n;
    memcpy(out, list, n * sizeof list[0]);
    for (size_t i = 0; i < holidays; i++) {
        if (!s_is_weekend(list[i].day))
            continue;
        int32_t c = list[i].day + 1;
        while (s_is_weekend(c) || s_listed(out, n, c))
            c++;
        computed_t comp = list[i];
        comp.day = c;
        comp.compensation = true;
        size_t j = n;
        while (j > 0 && out[j - 1].day > c) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = comp;
        n++;
    }
    return n;
}

/* Appends printf output at out + *len, never past cap (snprintf truncates
   at a byte; the reasons are short enough that it does not happen). */
static void s_append(char *out, size_t cap, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void s_append(char *out, size_t cap, size_t *len, const char *fmt, ...)
{
    if (*len >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(out + *len, cap - *len, fmt, ap);
    va_end(ap);
    if (w > 0)
        *len += (size_t)w;
}

/* "Quốc khánh (National Day)", "Nghỉ bù Quốc khánh (compensatory day)",
   "Tết Nguyên đán (Lunar New Year), trùng thứ Bảy (on a Saturday)". */
static void s_reason(const computed_t *c, char out[WORKCAL_REASON_MAX])
{
    size_t len = 0;
    out[0] = '\0';
    if (c->compensation) {
        s_append(out, WORKCAL_REASON_MAX, &len, "Nghỉ bù %s", s_holiday_names[c->holiday].vn);
        if (c->also >= 0)
            s_append(out, WORKCAL_REASON_MAX, &len, ", %s", s_holiday_names[c->also].vn);
        s_append(out, WORKCAL_REASON_MAX, &len, " (compensatory day)");
        return;
    }
    s_append(out, WORKCAL_REASON_MAX, &len, "%s (%s)", s_holiday_names[c->holiday].vn,
             s_holiday_names[c->holiday].en);
    if (c->also >= 0)
        s_append(out, WORKCAL_REASON_MAX, &len, "; %s (%s)", s_holiday_names[c->also].vn,
                 s_holiday_names[c->also].en);
    int wd = date_weekday(c->day);
    if (wd == 6)
        s_append(out, WORKCAL_REASON_MAX, &len, ", trùng thứ Bảy (on a Saturday)");
    else if (wd == 7)
        s_append(out, WORKCAL_REASON_MAX, &len, ", trùng Chủ nhật (on a Sunday)");
}

/* Why the computed calendar has `day` off: its holiday or compensation
   reason, else the weekend day. */
static void s_computed_reason(int32_t day, char out[WORKCAL_REASON_MAX])
{
    computed_t days[COMPUTED_MAX];
    int year;
    date_to_ymd(day, &year, NULL, NULL);
    size_t n = s_computed_year(year, days);
    for (size_t i = 0; i < n; i++)
        if (days[i].day == day) {
            s_reason(&days[i], out);
            return;
        }
    snprintf(out, WORKCAL_REASON_MAX, "%s", date_weekday(day) == 6 ? "Saturday" : "Sunday");
}

/* ---- The bitmap --------------------------------------------------------- */

static bool s_in_range(int32_t day)
{
    return day >= FIRST_DAY && day < FIRST_DAY + DAY_COUNT;
}

static bool s_bit(const workcal_t *self, int32_t day)
{
    uint32_t i = (uint32_t)(day - FIRST_DAY);
    return (self->working[i / 64] >> (i % 64)) & 1;
}

static void s_set(workcal_t *self, int32_t day, bool working)
{
    uint32_t i = (uint32_t)(day - FIRST_DAY);
    uint64_t bit = UINT64_C(1) << (i % 64);
    if (working)
        self->working[i / 64] |= bit;
    else
        self->working[i / 64] &= ~bit;
}

static bool s_compute(workcal_t *self)
{
    for (int32_t day = FIRST_DAY; day < FIRST_DAY + DAY_COUNT; day++)
        if (!s_is_weekend(day))
            s_set(self, day, true);
    for (int year = DATE_MIN_YEAR; year <= DATE_MAX_YEAR; year++) {
        computed_t days[COMPUTED_MAX];
        size_t n = s_computed_year(year, days);
        if (n == 0)
            return false;
        for (size_t i = 0; i < n; i++)
            s_set(self, days[i].day, false);
    }
    return true;
}

/* ---- Override files ------------------------------------------------------- */

typedef struct {
    workcal_day_t entry;
    int line;
} parsed_t;

typedef struct {
    const workcal_t *computed;
    const char *path;
    int year;             /* the file's year */
    FILE *file;
    int lineno;           /* line last read */
    bool failed;
    int failed_line;
    char *why;
    size_t why_len;
    parsed_t *items;      /* every file's entries so far */
    size_t n_items, cap_items;
    size_t file_first;    /* items[file_first..] are this file's */
    bool years[YEARS];    /* the files read so far */
} parse_ctx_t;

static void s_fail(parse_ctx_t *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void s_fail(parse_ctx_t *ctx, const char *fmt, ...)
{
    if (ctx->failed)
        return;
    ctx->failed = true;
    ctx->failed_line = ctx->lineno;
    int w = snprintf(ctx->why, ctx->why_len, "%s:%d: ", ctx->path, ctx->lineno);
    if (w >= 0 && (size_t)w < ctx->why_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ctx->why + w, ctx->why_len - (size_t)w, fmt, ap);
        va_end(ap);
    }
}

static bool s_known_section(const char *name, size_t len)
{
    return (len == 3 && memcmp(name, "off", 3) == 0) || (len == 4 && memcmp(name, "work", 4) == 0);
}

/* inih reader: counts lines for the messages, refuses lines longer than
 * inih's buffer (it would split them), and drops leading blanks so that an
 * indented line is an entry of its own and never a multi-line continuation
 * of the one before. Section headers are checked here so that an unknown
 * section is an error even with nothing in it. */
static char *s_read_line(char *line, int size, void *stream)
{
    parse_ctx_t *ctx = stream;
    if (ctx->failed)
        return NULL;
    char *got = fgets(line, size, ctx->file);
    if (!got)
        return NULL;
    ctx->lineno++;
    size_t len = strlen(line);
    int next = len == (size_t)size - 1 && line[len - 1] != '\n' ? getc(ctx->file) : '\n';
    if (next != '\n' && next != EOF) {
        s_fail(ctx, _("line is longer than %d characters"), size - 2);
        return NULL;
    }
    size_t skip = strspn(line, " \t");
    memmove(line, line + skip, len - skip + 1);
    /* inih splits an entry at the first '=' or ':'; a date has neither, so
     * a ':' before any '=' means "DATE: REASON", which inih would take. */
    size_t delim = strcspn(line, "=:");
    if (line[0] != '[' && line[0] != '#' && line[0] != ';' && line[delim] == ':') {
        int key_len = (int)strcspn(line, " \t:");
        s_fail(ctx, _("'%.*s:' has ':' where '=' belongs (expected DATE = REASON)"), key_len,
               line);
        return NULL;
    }
    if (line[0] == '[') {
        const char *end = strchr(line, ']');
        if (end && !s_known_section(line + 1, (size_t)(end - line - 1))) {
            s_fail(ctx, _("unknown section [%.*s] (expected [off] or [work])"),
                   (int)(end - line - 1), line + 1);
            return NULL;
        }
    }
    return got;
}

/* inih callback: one "date = reason" line. Records the first error and
 * returns 0 (inih then reports that line as the first error). */
static int s_handler(void *user, const char *section, const char *key, const char *value)
{
    parse_ctx_t *ctx = user;
    if (ctx->failed)
        return 0;
    if (section[0] == '\0') {
        s_fail(ctx, _("'%s' is outside a section (expected [off] or [work] first)"), key);
        return 0;
    }
    if (!s_known_section(section, strlen(section))) {
        s_fail(ctx, _("unknown section [%s] (expected [off] or [work])"), section);
        return 0;
    }
    bool working = strcmp(section, "work") == 0;

    int32_t day;
    const char *why;
    if (!date_parse(key, &day, &why)) {
        s_fail(ctx, _("bad date '%s': %s"), key, _(why));
        return 0;
    }
    char iso[DATE_ISO_LEN];
    date_format_iso(day, iso);
    int year;
    date_to_ymd(day, &year, NULL, NULL);
    if (year != ctx->year) {
        s_fail(ctx, _("%s is not in %d, the year of this file"), iso, ctx->year);
        return 0;
    }
    size_t len = strlen(value);
    if (len == 0) {
        s_fail(ctx, _("empty reason for %s"), iso);
        return 0;
    }
    if (len >= WORKCAL_REASON_MAX) {
        s_fail(ctx, _("reason for %s is longer than %d bytes"), iso, WORKCAL_REASON_MAX - 1);
        return 0;
    }
    if (!utf8_valid(value, len)) {
        s_fail(ctx, _("reason for %s is not valid UTF-8"), iso);
        return 0;
    }
    for (size_t i = ctx->file_first; i < ctx->n_items; i++)
        if (ctx->items[i].entry.day == day) {
            s_fail(ctx, _("%s is listed twice (first at line %d)"), iso, ctx->items[i].line);
            return 0;
        }
    bool was_working = s_bit(ctx->computed, day);
    if (working && was_working) {
        s_fail(ctx, _("[work] %s is already a working day"), iso);
        return 0;
    }
    if (!working && !was_working) {
        char reason[WORKCAL_REASON_MAX];
        s_computed_reason(day, reason);
        s_fail(ctx, _("[off] %s is already a day off: %s"), iso, reason);
        return 0;
    }

    if (ctx->n_items == ctx->cap_items) {
        ctx->cap_items = ctx->cap_items ? 2 * ctx->cap_items : 32;
        ctx->items = xrealloc(ctx->items, ctx->cap_items * sizeof *ctx->items);
    }
    parsed_t *p = &ctx->items[ctx->n_items++];
    p->entry.day = day;
    p->entry.working = working;
    memcpy(p->entry.reason, value, len + 1);
    p->line = ctx->lineno;
    return 1;
}

/* Parses one YYYY.conf into ctx->items. false with ctx->why set. */
static bool s_parse_file(parse_ctx_t *ctx, const char *path, int year)
{
    ctx->path = path;
    ctx->year = year;
    ctx->lineno = 0;
    ctx->failed = false;
    ctx->file_first = ctx->n_items;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(ctx->why, ctx->why_len, _("cannot read %s: %s"), path, strerror(errno));
        return false;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(ctx->why, ctx->why_len, _("%s is not a regular file"), path);
        fclose(f);
        return false;
    }
    ctx->file = f;
    int rc = ini_parse_stream(s_read_line, ctx, s_handler, ctx);
    bool read_error = ferror(f) != 0;
    int read_errno = errno;
    fclose(f);
    ctx->file = NULL;
    /* inih returns the first bad line: a syntax error may come before the
     * line the handler or the reader refused. */
    if (rc > 0 && (!ctx->failed || rc < ctx->failed_line)) {
        snprintf(ctx->why, ctx->why_len,
                 _("%s:%d: syntax error (expected [off], [work] or DATE = REASON)"), path, rc);
        return false;
    }
    if (ctx->failed)
        return false;
    if (read_error) {
        snprintf(ctx->why, ctx->why_len, _("cannot read %s: %s"), path, strerror(read_errno));
        return false;
    }
    if (rc != 0) {
        snprintf(ctx->why, ctx->why_len, _("cannot parse %s"), path);
        return false;
    }
    ctx->years[year - WORKCAL_MIN_YEAR] = true;
    return true;
}

/* The year of a file name "YYYY.conf", or 0 if it is not one. */
static int s_file_year(const char *name)
{
    if (strlen(name) != 9 || strcmp(name + 4, ".conf") != 0)
        return 0;
    int year = 0;
    for (int i = 0; i < 4; i++) {
        if (name[i] < '0' || name[i] > '9')
            return 0;
        year = year * 10 + (name[i] - '0');
    }
    return year >= DATE_MIN_YEAR && year <= DATE_MAX_YEAR ? year : 0;
}

static bool s_is_conf(const char *name)
{
    size_t len = strlen(name);
    return len >= 5 && strcmp(name + len - 5, ".conf") == 0;
}

static int s_cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int s_cmp_parsed(const void *a, const void *b)
{
    int32_t x = ((const parsed_t *)a)->entry.day, y = ((const parsed_t *)b)->entry.day;
    return (x > y) - (x < y);
}

/* Lists the *.conf names of dir, sorted (so errors do not depend on the
   directory order). NULL with why set on failure; *n may be 0. */
static char **s_list_dir(const char *dir, size_t *n, char *why, size_t why_len)
{
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(why, why_len, _("cannot open calendar directory %s: %s"), dir, strerror(errno));
        return NULL;
    }
    char **names = NULL;
    size_t count = 0, cap = 0;
    int err;
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(d);
        if (!e) {
            err = errno;
            break;
        }
        if (!s_is_conf(e->d_name))
            continue;
        if (count == cap) {
            cap = cap ? 2 * cap : 16;
            names = xrealloc(names, cap * sizeof *names);
        }
        names[count++] = xstrdup(e->d_name);
    }
    closedir(d);
    if (err) {
        for (size_t i = 0; i < count; i++)
            free(names[i]);
        free(names);
        snprintf(why, why_len, _("cannot read calendar directory %s: %s"), dir, strerror(err));
        return NULL;
    }
    if (count)
        qsort(names, count, sizeof *names, s_cmp_names);
    *n = count;
    return names ? names : xcalloc(1, sizeof *names);
}

/* Reads every override file of dir into ctx->items. */
static bool s_read_overrides(parse_ctx_t *ctx, const char *dir)
{
    size_t n = 0;
    char **names = s_list_dir(dir, &n, ctx->why, ctx->why_len);
    if (!names)
        return false;
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        char path[PATH_MAX];
        if (snprintf(path, sizeof path, "%s/%s", dir, names[i]) >= (int)sizeof path) {
            snprintf(ctx->why, ctx->why_len, _("calendar path %s/%s is too long"), dir, names[i]);
            ok = false;
            break;
        }
        int year = s_file_year(names[i]);
        if (year == 0) {
            snprintf(ctx->why, ctx->why_len,
                     _("%s: calendar files must be named YYYY.conf with a year %d-%d"), path,
                     DATE_MIN_YEAR, DATE_MAX_YEAR);
            ok = false;
            break;
        }
        ok = s_parse_file(ctx, path, year);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return ok;
}

/* ---- Public API ----------------------------------------------------------- */

workcal_t *workcal_load(const char *dir, char *why, size_t why_len)
{
    char scratch[8];
    if (!why || why_len == 0) {
        why = scratch;
        why_len = sizeof scratch;
    }
    why[0] = '\0';
    workcal_t *self = xcalloc(1, sizeof *self);
    if (!s_compute(self)) {
        snprintf(why, why_len, "%s", _("the lunar calendar could not be computed"));
        workcal_free(&self);
        return NULL;
    }
    if (!dir || !*dir)
        return self;

    parse_ctx_t ctx = {.computed = self, .why = why, .why_len = why_len};
    if (!s_read_overrides(&ctx, dir)) {
        free(ctx.items);
        workcal_free(&self);
        return NULL;
    }
    /* Every file is good: only now does the calendar change. */
    if (ctx.n_items)
        qsort(ctx.items, ctx.n_items, sizeof *ctx.items, s_cmp_parsed);
    self->overrides = xcalloc(ctx.n_items, sizeof *self->overrides);
    for (size_t i = 0; i < ctx.n_items; i++) {
        self->overrides[i] = ctx.items[i].entry;
        s_set(self, ctx.items[i].entry.day, ctx.items[i].entry.working);
    }
    self->n_overrides = ctx.n_items;
    memcpy(self->announced, ctx.years, sizeof self->announced);
    free(ctx.items);
    return self;
}

void workcal_free(workcal_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free((*self_p)->overrides);
    free(*self_p);
    *self_p = NULL;
}

bool workcal_is_working_day(const workcal_t *self, int32_t day)
{
    return s_in_range(day) && s_bit(self, day);
}

static bool s_fail_why(const char **why, const char *msg)
{
    if (why)
        *why = msg;
    return false;
}

/* Index (0..63) of the k-th lowest (k >= 1) set bit of w, which has >= k. */
static int s_nth_low(uint64_t w, long long k)
{
    while (--k > 0)
        w &= w - 1;
    return __builtin_ctzll(w);
}

/* Index of the k-th highest set bit of w. */
static int s_nth_high(uint64_t w, long long k)
{
    while (--k > 0)
        w &= ~(UINT64_C(1) << (63 - __builtin_clzll(w)));
    return 63 - __builtin_clzll(w);
}

bool workcal_add_working_days(const workcal_t *self, int32_t day, int n, int32_t *out,
                              const char **why)
{
    static const char *const OUTSIDE = N_("the working-day count leaves 1900-2199");
    if (!s_in_range(day))
        return s_fail_why(why, N_("date outside 1900-2199"));
    if (n == 0) {
        *out = day;
        return true;
    }
    /* Whole 64-day words at a time: count a word's working days with
       popcount and only look inside the word where the walk ends. */
    uint32_t i = (uint32_t)(day - FIRST_DAY);
    long long left = n > 0 ? (long long)n : -(long long)n;
    long w = i / 64;
    int b = (int)(i % 64);
    uint64_t word;
    if (n > 0) {
        word = self->working[w] & ~((UINT64_C(2) << b) - 1); /* days after day */
        for (;;) {
            int c = __builtin_popcountll(word);
            if (c >= left) {
                *out = (int32_t)(FIRST_DAY + w * 64 + s_nth_low(word, left));
                return true;
            }
            left -= c;
            if (++w == WORDS)
                return s_fail_why(why, OUTSIDE);
            word = self->working[w];
        }
    }
    word = self->working[w] & ((UINT64_C(1) << b) - 1); /* days before day */
    for (;;) {
        int c = __builtin_popcountll(word);
        if (c >= left) {
            *out = (int32_t)(FIRST_DAY + w * 64 + s_nth_high(word, left));
            return true;
        }
        left -= c;
        if (w-- == 0)
            return s_fail_why(why, OUTSIDE);
        word = self->working[w];
    }
}

size_t workcal_year(const workcal_t *self, int year, workcal_day_t *out, size_t cap)
{
    if (year < DATE_MIN_YEAR || year > DATE_MAX_YEAR)
        return 0;
    computed_t comp[COMPUTED_MAX];
    size_t nc = s_computed_year(year, comp);

    /* This year's overrides: the first with a day >= 1 January. */
    int32_t jan1, next_jan1 = FIRST_DAY + DAY_COUNT;
    (void)date_from_ymd(year, 1, 1, &jan1, NULL);
    if (year < DATE_MAX_YEAR)
        (void)date_from_ymd(year + 1, 1, 1, &next_jan1, NULL);
    size_t lo = 0, hi = self->n_overrides;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (self->overrides[mid].day < jan1)
            lo = mid + 1;
        else
            hi = mid;
    }

    /* Merge the two sorted lists; an override replaces its computed day. */
    size_t count = 0, ci = 0, oi = lo;
    for (;;) {
        bool more_o = oi < self->n_overrides && self->overrides[oi].day < next_jan1;
        bool more_c = ci < nc;
        if (!more_o && !more_c)
            break;
        workcal_day_t item = {0}; /* no stack bytes after the reason's NUL */
        if (more_o && (!more_c || self->overrides[oi].day <= comp[ci].day)) {
            item = self->overrides[oi];
            if (more_c && comp[ci].day == item.day)
                ci++;
            oi++;
        } else {
            item.day = comp[ci].day;
            item.working = false;
            s_reason(&comp[ci], item.reason);
            ci++;
        }
        if (count < cap)
            out[count] = item;
        count++;
    }
    return count;
}

bool workcal_year_announced(const workcal_t *self, int year)
{
    return year >= WORKCAL_MIN_YEAR && year <= WORKCAL_MAX_YEAR &&
           self->announced[year - WORKCAL_MIN_YEAR];
}

size_t workcal_announced_years(const workcal_t *self, int *out, size_t cap)
{
    size_t n = 0;
    for (int i = 0; i < YEARS; i++)
        if (self->announced[i]) {
            if (n < cap)
                out[n] = WORKCAL_MIN_YEAR + i;
            n++;
        }
    return n;
}

const uint64_t *workcal_bits(const workcal_t *self) { return self->working; }

size_t workcal_changed_days(const workcal_t *self, const uint64_t *earlier, size_t n_words,
                            int32_t *out, size_t cap)
{
    size_t n = 0;
    for (size_t w = 0; w < WORDS && w < n_words; w++) {
        uint64_t diff = self->working[w] ^ earlier[w];
        while (diff) {
            int bit = __builtin_ctzll(diff);
            diff &= diff - 1;
            if (n < cap)
                out[n] = FIRST_DAY + (int32_t)(w * 64 + (size_t)bit);
            n++;
        }
    }
    return n;
}
