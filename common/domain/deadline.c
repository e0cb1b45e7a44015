#include "domain/deadline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/i18n.h"
#include "calendar/workcal.h"

/* A sitting or one occurrence of a recurring sitting: "XV-7", "GB-1@2024-03-04". */
static bool s_valid_sitting(const char *ref)
{
    char base[SITTING_ID_MAX + 1];
    int32_t occurrence;
    const char *why;
    return strlen(ref) <= SITTING_REF_MAX && sitting_split_ref(ref, base, &occurrence, &why);
}

static bool s_parse_relative(const char *text, deadline_buf_t *out, const char **why)
{
    const char *c1 = strchr(text, ':');
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c1 || !c2) {
        *why = N_("expected SITTING:open|close:±N[d|wd]");
        return false;
    }
    size_t id_len = (size_t)(c1 - text);
    if (id_len == 0 || id_len > SITTING_REF_MAX) {
        *why = N_("sitting id must be 1-64 characters (plus @YYYY-MM-DD for one occurrence)");
        return false;
    }
    memcpy(out->sitting, text, id_len);
    out->sitting[id_len] = '\0';
    Thuky__RelativeDeadline *rel = &out->relative;
    thuky__relative_deadline__init(rel);
    rel->sitting_id = out->sitting;
    size_t anchor_len = (size_t)(c2 - c1 - 1);
    if (anchor_len == 4 && strncmp(c1 + 1, "open", 4) == 0)
        rel->anchor = THUKY__SITTING_ANCHOR__ANCHOR_OPENING;
    else if (anchor_len == 5 && strncmp(c1 + 1, "close", 5) == 0)
        rel->anchor = THUKY__SITTING_ANCHOR__ANCHOR_CLOSING;
    else {
        *why = N_("anchor must be 'open' or 'close'");
        return false;
    }
    const char *num = c2 + 1;
    if (*num != '+' && *num != '-') {
        *why = N_("offset must start with + or -");
        return false;
    }
    char *end;
    errno = 0;
    long n = strtol(num, &end, 10);
    if (errno || end == num + 1 || labs(n) > DEADLINE_OFFSET_MAX) {
        *why = N_("offset must be a number of days up to 3650");
        return false;
    }
    if (strcmp(end, "d") == 0 || *end == '\0')
        rel->unit = THUKY__DAY_UNIT__CALENDAR_DAYS;
    else if (strcmp(end, "wd") == 0)
        rel->unit = THUKY__DAY_UNIT__WORKING_DAYS;
    else {
        *why = N_("unit must be 'd' (calendar days) or 'wd' (working days)");
        return false;
    }
    rel->offset = (int32_t)n;
    thuky__deadline__init(&out->deadline);
    out->deadline.rule_case = THUKY__DEADLINE__RULE_RELATIVE;
    out->deadline.relative = rel;
    return deadline_check(&out->deadline, why);
}

bool deadline_parse(const char *text, deadline_buf_t *out, const char **why)
{
    memset(out, 0, sizeof *out);
    if (!text || !*text) {
        *why = N_("empty deadline");
        return false;
    }
    if (strchr(text, ':') && !strchr(text, '/') && !(strlen(text) > 10 && text[10] == 'T') &&
        !(strlen(text) > 10 && text[10] == ' '))
        return s_parse_relative(text, out, why);
    int64_t instant;
    bool has_time;
    if (!date_parse_datetime(text, &instant, &has_time, why))
        return false;
    date_format_iso(date_local_day(instant), out->date);
    thuky__absolute_deadline__init(&out->absolute);
    out->absolute.date = out->date;
    if (has_time) {
        char local[DATE_TIME_LEN];
        date_format_local_time(instant, local);
        memcpy(out->time, local + 11, 5);
        out->time[5] = '\0';
        out->absolute.time = out->time;
    }
    thuky__deadline__init(&out->deadline);
    out->deadline.rule_case = THUKY__DEADLINE__RULE_ABSOLUTE;
    out->deadline.absolute = &out->absolute;
    return true;
}

const Thuky__AbsoluteDeadline *deadline_absolute(const Thuky__Deadline *dl)
{
    return dl && dl->rule_case == THUKY__DEADLINE__RULE_ABSOLUTE ? dl->absolute : NULL;
}

const Thuky__RelativeDeadline *deadline_relative(const Thuky__Deadline *dl)
{
    return dl && dl->rule_case == THUKY__DEADLINE__RULE_RELATIVE ? dl->relative : NULL;
}

const char *deadline_sitting(const Thuky__Deadline *dl)
{
    const Thuky__RelativeDeadline *r = deadline_relative(dl);
    return r && r->sitting_id ? r->sitting_id : "";
}

bool deadline_check(const Thuky__Deadline *dl, const char **why)
{
    switch (dl->rule_case) {
    case THUKY__DEADLINE__RULE_ABSOLUTE: {
        const Thuky__AbsoluteDeadline *a = dl->absolute;
        int32_t day;
        if (!date_parse(a->date, &day, why))
            return false;
        if (a->time[0] && !date_parse_clock(a->time, NULL)) {
            *why = N_("deadline time must be HH:MM");
            return false;
        }
        return true;
    }
    case THUKY__DEADLINE__RULE_RELATIVE: {
        const Thuky__RelativeDeadline *r = dl->relative;
        if (!s_valid_sitting(r->sitting_id)) {
            *why = N_("sitting id must be 1-64 letters, digits, '-', '_' or '.' "
                      "(plus @YYYY-MM-DD for one occurrence)");
            return false;
        }
        if (r->anchor != THUKY__SITTING_ANCHOR__ANCHOR_OPENING &&
            r->anchor != THUKY__SITTING_ANCHOR__ANCHOR_CLOSING) {
            *why = N_("relative deadline needs an anchor (opening or closing)");
            return false;
        }
        if (r->unit != THUKY__DAY_UNIT__CALENDAR_DAYS && r->unit != THUKY__DAY_UNIT__WORKING_DAYS) {
            *why = N_("relative deadline needs a unit (calendar or working days)");
            return false;
        }
        if (r->offset < -DEADLINE_OFFSET_MAX || r->offset > DEADLINE_OFFSET_MAX) {
            *why = N_("offset must be at most 3650 days");
            return false;
        }
        return true;
    }
    default:
        *why = N_("deadline has neither an absolute date nor a relative rule");
        return false;
    }
}

void deadline_format_rule(const Thuky__Deadline *dl, char *out, size_t out_len)
{
    if (!dl || dl->rule_case == THUKY__DEADLINE__RULE__NOT_SET) {
        snprintf(out, out_len, "-");
    } else if (dl->rule_case == THUKY__DEADLINE__RULE_ABSOLUTE) {
        const Thuky__AbsoluteDeadline *a = dl->absolute;
        snprintf(out, out_len, "%s%s%s", a->date, a->time[0] ? " " : "", a->time);
    } else {
        const Thuky__RelativeDeadline *r = dl->relative;
        snprintf(out, out_len, "%s:%s:%+d%s", r->sitting_id,
                 r->anchor == THUKY__SITTING_ANCHOR__ANCHOR_CLOSING ? "close" : "open", r->offset,
                 r->unit == THUKY__DAY_UNIT__WORKING_DAYS ? "wd" : "d");
    }
}

bool deadline_resolve_relative(const Thuky__RelativeDeadline *rel, const sitting_span_t *span,
                               const workcal_t *calendar, int32_t *out, const char **why)
{
    int32_t anchor =
        rel->anchor == THUKY__SITTING_ANCHOR__ANCHOR_CLOSING ? span->end_day : span->start_day;
    if (rel->unit == THUKY__DAY_UNIT__WORKING_DAYS)
        return workcal_add_working_days(calendar, anchor, rel->offset, out, why);
    int32_t day = anchor + rel->offset;
    int year;
    date_to_ymd(day, &year, NULL, NULL);
    if (year < DATE_MIN_YEAR || year > DATE_MAX_YEAR) {
        *why = N_("the deadline falls outside 1900-2199");
        return false;
    }
    *out = day;
    return true;
}

/* The calendar covers 300 years: a longer walk leaves it anyway. */
#define OFFSET_WALK_MAX (300 * 366)

int deadline_provisional_year(const Thuky__Deadline *dl, const workcal_t *calendar)
{
    const Thuky__RelativeDeadline *rel = deadline_relative(dl);
    int32_t due;
    if (!rel || rel->unit != THUKY__DAY_UNIT__WORKING_DAYS || !dl->resolved_date[0] ||
        !date_parse(dl->resolved_date, &due, NULL))
        return 0;
    /* Counting back from the due date finds the sitting's day (to within
     * the days off next to it, when it is one): the count crosses the
     * years between. */
    int32_t anchor = due;
    if (rel->offset < -OFFSET_WALK_MAX || rel->offset > OFFSET_WALK_MAX ||
        !workcal_add_working_days(calendar, due, -rel->offset, &anchor, NULL))
        anchor = due;
    int32_t from = anchor < due ? anchor : due, to = anchor < due ? due : anchor;
    int first, last;
    date_to_ymd(from, &first, NULL, NULL);
    date_to_ymd(to, &last, NULL, NULL);
    for (int year = first; year <= last; year++)
        if (year >= WORKCAL_MIN_YEAR && year <= WORKCAL_MAX_YEAR &&
            !workcal_year_announced(calendar, year))
            return year;
    return 0;
}
