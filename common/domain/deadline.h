/* Deadlines as users write and read them.
 *
 *   absolute:  "2024-05-20", "20/05/2024", "2024-05-20T17:00"
 *   relative:  "XV-7:open:-20d"   20 calendar days before the opening of XV-7
 *              "XV-7:close:+10wd" 10 working days after its closing
 * The Deadline message keeps the rule; resolved_date is filled by the task
 * service (at once for an absolute date, from the sitting for a relative). */
#ifndef THUKY_DEADLINE_H
#define THUKY_DEADLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "calendar/workcal.h"
#include "domain/sitting.h"
#include "thuky/task.pb-c.h"

#define DEADLINE_TEXT_MAX 96
#define DEADLINE_OFFSET_MAX 3650

/* Parses either form into dl, whose strings point into storage (which must
 * outlive dl). false with a static reason in *why. */
typedef struct {
    Thuky__Deadline deadline;
    Thuky__AbsoluteDeadline absolute;
    Thuky__RelativeDeadline relative;
    char date[11];
    char time[6];
    char sitting[SITTING_REF_MAX + 1];
} deadline_buf_t;

bool deadline_parse(const char *text, deadline_buf_t *out, const char **why);

/* The rule oneof's members are a union in protobuf-c: reading `relative`
 * of an absolute deadline reads its date as a sitting id. Read them only
 * through these, which return NULL (or "") unless the rule is of that kind;
 * dl may be NULL. */
const Thuky__AbsoluteDeadline *deadline_absolute(const Thuky__Deadline *dl);
const Thuky__RelativeDeadline *deadline_relative(const Thuky__Deadline *dl);
/* The sitting a relative deadline counts from ("XV-7", "GB-1@2024-03-04");
 * "" for an absolute deadline or none. */
const char *deadline_sitting(const Thuky__Deadline *dl);
/* Checks a Deadline received from outside; false with a reason. */
bool deadline_check(const Thuky__Deadline *dl, const char **why);
/* The rule as text: "2024-05-20", "2024-05-20 17:00", "XV-7:open:-20d". */
void deadline_format_rule(const Thuky__Deadline *dl, char *out, size_t out_len);

/* The first year (>0) whose calendar is not announced (workcal_year_announced)
 * among those a working-day deadline's count crosses, from the sitting's
 * day to the resolved date. 0 for a fixed date, a calendar-day rule, or an
 * unresolved one. */
int deadline_provisional_year(const Thuky__Deadline *dl, const workcal_t *calendar);

/* The date a relative rule gives for its sitting's span: the opening or
 * closing day plus or minus N calendar or working days. */
bool deadline_resolve_relative(const Thuky__RelativeDeadline *rel, const sitting_span_t *span,
                               const workcal_t *calendar, int32_t *out, const char **why);

#endif
