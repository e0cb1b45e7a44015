#include "domain/sitting.h"

#include <stdio.h>
#include <string.h>

#include "base/date.h"
#include "base/i18n.h"
#include "domain/repeat.h"

bool sitting_id_valid(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > SITTING_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return false;
    }
    return true;
}

bool sitting_split_ref(const char *ref, char base[SITTING_ID_MAX + 1], int32_t *occurrence,
                       const char **why)
{
    const char *at = strchr(ref, '@');
    size_t n = at ? (size_t)(at - ref) : strlen(ref);
    if (n == 0 || n > SITTING_ID_MAX) {
        *why = N_("a sitting id is 1-64 characters");
        return false;
    }
    memcpy(base, ref, n);
    base[n] = '\0';
    if (!sitting_id_valid(base)) {
        *why = N_("a sitting id is letters, digits, '-', '_' or '.'");
        return false;
    }
    *occurrence = SITTING_NO_OCCURRENCE;
    if (at && !date_parse(at + 1, occurrence, why))
        return false;
    return true;
}

void sitting_occurrence_ref(const char *base, int32_t day, char out[SITTING_REF_MAX + 1])
{
    char iso[DATE_ISO_LEN];
    date_format_iso(day, iso);
    snprintf(out, SITTING_REF_MAX + 1, "%.64s@%s", base, iso);
}

bool sitting_time_parse(const Thuky__SittingTime *t, int32_t *day, int *minute, const char **why)
{
    if (!t || !t->date[0]) {
        *why = N_("a date is required");
        return false;
    }
    if (!date_parse(t->date, day, why))
        return false;
    *minute = -1;
    if (t->time[0] && !date_parse_clock(t->time, minute)) {
        *why = N_("a time is HH:MM, 00:00 to 23:59");
        return false;
    }
    return true;
}

bool sitting_is_series(const Thuky__Sitting *sitting) { return sitting->repeat[0] != '\0'; }

Thuky__Occurrence *sitting_exception(const Thuky__Sitting *sitting, int32_t occurrence)
{
    char iso[DATE_ISO_LEN];
    date_format_iso(occurrence, iso);
    for (size_t i = 0; i < sitting->n_exceptions; i++)
        if (strcmp(sitting->exceptions[i]->original_date, iso) == 0)
            return sitting->exceptions[i];
    return NULL;
}

bool sitting_span(const Thuky__Sitting *sitting, int32_t occurrence, sitting_span_t *out,
                  const char **why)
{
    sitting_span_t span;
    if (!sitting_time_parse(sitting->start, &span.start_day, &span.start_minute, why) ||
        !sitting_time_parse(sitting->end, &span.end_day, &span.end_minute, why))
        return false;
    span.cancelled = sitting->status == THUKY__SITTING_STATUS__SITTING_CANCELLED;
    if (occurrence == SITTING_NO_OCCURRENCE) {
        if (sitting_is_series(sitting)) {
            *why = N_("a recurring sitting needs an occurrence date (ID@YYYY-MM-DD)");
            return false;
        }
        *out = span;
        return true;
    }
    repeat_rule_t rule;
    if (!sitting_is_series(sitting)) {
        *why = N_("the sitting does not recur");
        return false;
    }
    if (!repeat_parse(sitting->repeat, &rule, why))
        return false;
    if (!repeat_matches(&rule, span.start_day, occurrence)) {
        *why = N_("no occurrence of the sitting on that date");
        return false;
    }
    /* Every occurrence lasts as long as the first, unless moved. */
    int32_t length = span.end_day - span.start_day;
    span.start_day = occurrence;
    span.end_day = occurrence + length;
    const Thuky__Occurrence *ex = sitting_exception(sitting, occurrence);
    if (ex && ex->cancelled)
        span.cancelled = true;
    if (ex && ex->start && ex->start->date[0] &&
        (!sitting_time_parse(ex->start, &span.start_day, &span.start_minute, why) ||
         !sitting_time_parse(ex->end, &span.end_day, &span.end_minute, why)))
        return false;
    *out = span;
    return true;
}

static const char *const s_kinds[] = {
    [THUKY__SITTING_KIND__KIND_PLENARY] = "plenary",
    [THUKY__SITTING_KIND__KIND_STANDING] = "standing",
    [THUKY__SITTING_KIND__KIND_CONFERENCE] = "conference",
    [THUKY__SITTING_KIND__KIND_BRIEFING] = "briefing",
};

static const char *const s_statuses[] = {
    [THUKY__SITTING_STATUS__SITTING_PLANNED] = "planned",
    [THUKY__SITTING_STATUS__SITTING_CONFIRMED] = "confirmed",
    [THUKY__SITTING_STATUS__SITTING_POSTPONED] = "postponed",
    [THUKY__SITTING_STATUS__SITTING_CANCELLED] = "cancelled",
    [THUKY__SITTING_STATUS__SITTING_HELD] = "held",
};

#define COUNT(a) (sizeof(a) / sizeof(a)[0])

const char *sitting_kind_name(Thuky__SittingKind kind)
{
    return (unsigned)kind < COUNT(s_kinds) && s_kinds[kind] ? s_kinds[kind] : "unknown";
}

bool sitting_kind_parse(const char *text, Thuky__SittingKind *out)
{
    for (unsigned i = 1; i < COUNT(s_kinds); i++)
        if (strcmp(text, s_kinds[i]) == 0) {
            *out = (Thuky__SittingKind)i;
            return true;
        }
    return false;
}

const char *sitting_status_name(Thuky__SittingStatus status)
{
    return (unsigned)status < COUNT(s_statuses) && s_statuses[status] ? s_statuses[status]
                                                                      : "unknown";
}

bool sitting_status_parse(const char *text, Thuky__SittingStatus *out)
{
    for (unsigned i = 1; i < COUNT(s_statuses); i++)
        if (strcmp(text, s_statuses[i]) == 0) {
            *out = (Thuky__SittingStatus)i;
            return true;
        }
    return false;
}

void sitting_span_text(const sitting_span_t *span, sitting_span_text_t *out)
{
    thuky__sitting_time__init(&out->start);
    thuky__sitting_time__init(&out->end);
    date_format_iso(span->start_day, out->start_date);
    date_format_iso(span->end_day, out->end_date);
    out->start_time[0] = out->end_time[0] = '\0';
    if (span->start_minute >= 0)
        snprintf(out->start_time, sizeof out->start_time, "%02d:%02d", span->start_minute / 60,
                 span->start_minute % 60);
    if (span->end_minute >= 0)
        snprintf(out->end_time, sizeof out->end_time, "%02d:%02d", span->end_minute / 60,
                 span->end_minute % 60);
    out->start.date = out->start_date;
    out->start.time = out->start_time;
    out->end.date = out->end_date;
    out->end.time = out->end_time;
}
