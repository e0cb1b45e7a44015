/* What every daemon needs to know about a sitting: its id forms, its kind
 * and status names, and the days it spans (for one occurrence of a
 * recurring sitting too). The session service owns sittings; the task and
 * notification services keep copies from its events and use these helpers
 * to read them the same way. */
#ifndef THUKY_SITTING_H
#define THUKY_SITTING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "thuky/session.pb-c.h"

#define SITTING_ID_MAX 64         /* of a sitting; an occurrence adds "@YYYY-MM-DD" */
#define SITTING_REF_MAX (SITTING_ID_MAX + 11)
#define SITTING_MAX_DAYS 120      /* longest sitting accepted (a plenary session is ~6 weeks) */
#define SITTING_NO_OCCURRENCE INT32_MIN

/* The days a sitting (or one occurrence) spans, local Asia/Ho_Chi_Minh. */
typedef struct {
    int32_t start_day, end_day;
    int start_minute, end_minute;   /* minutes after midnight; -1 = whole day */
    bool cancelled;
} sitting_span_t;

/* A sitting id: 1-64 of A-Z a-z 0-9 - _ . (no '@': it starts an occurrence). */
bool sitting_id_valid(const char *id);
/* Splits "GB-1@2024-03-04" into base "GB-1" and the occurrence's original
 * day; a plain id gives SITTING_NO_OCCURRENCE. false with a reason. */
bool sitting_split_ref(const char *ref, char base[SITTING_ID_MAX + 1], int32_t *occurrence,
                       const char **why);
/* "GB-1@2024-03-04" */
void sitting_occurrence_ref(const char *base, int32_t day, char out[SITTING_REF_MAX + 1]);

/* Parses a SittingTime: a date and an optional "HH:MM" (minute -1 if none). */
bool sitting_time_parse(const Thuky__SittingTime *t, int32_t *day, int *minute, const char **why);

/* The span of a single sitting, or of the occurrence with that original day
 * of a recurring one (moved or cancelled by its exception). false with a
 * reason when the day is not an occurrence or the record is damaged. */
bool sitting_span(const Thuky__Sitting *sitting, int32_t occurrence, sitting_span_t *out,
                  const char **why);
bool sitting_is_series(const Thuky__Sitting *sitting);
/* The exception recorded for an occurrence, or NULL. */
Thuky__Occurrence *sitting_exception(const Thuky__Sitting *sitting, int32_t occurrence);

const char *sitting_kind_name(Thuky__SittingKind kind);      /* "plenary" */
bool sitting_kind_parse(const char *text, Thuky__SittingKind *out);
const char *sitting_status_name(Thuky__SittingStatus status); /* "planned" */
bool sitting_status_parse(const char *text, Thuky__SittingStatus *out);

/* A span written back as SittingTime strings (storage owned by the caller). */
typedef struct {
    Thuky__SittingTime start, end;
    char start_date[11], end_date[11];
    char start_time[16], end_time[16]; /* "HH:MM"; room for any int */
} sitting_span_text_t;
void sitting_span_text(const sitting_span_t *span, sitting_span_text_t *out);

#endif
