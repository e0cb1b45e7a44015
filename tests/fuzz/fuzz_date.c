/* fuzz_date: every parser of dates and deadline rules on the input as one
 * NUL-terminated string: date_parse, date_parse_datetime, date_parse_clock
 * (common/base/date.c), deadline_parse and deadline_check (deadline.c), the
 * sitting id and occurrence forms and kind/status names (sitting.c). What
 * parses must format and parse back the same.
 *
 * An input of at least four '|'-separated fields is also a sitting:
 *   REF|START|END|REPEAT[|EXCEPTION DATE[|x or MOVED START]]
 * (times as "2024-05-20 08:30"): sitting_span() of REF's occurrence, and
 * every relative rule anchored on that span (deadline_resolve_relative). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/log.h"
#include "domain/deadline.h"
#include "domain/sitting.h"
#include "fuzz_util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_quiet();
    (void)fuzz_calendar();
    return 0;
}

static void s_dates(const char *text)
{
    int32_t day;
    const char *why = NULL;
    if (date_parse(text, &day, &why)) {
        char iso[DATE_ISO_LEN], vn[DATE_ISO_LEN];
        int32_t again = 0, again_vn = 0;
        date_format_iso(day, iso);
        date_format_vn(day, vn);
        if (!date_parse(iso, &again, NULL) || again != day || !date_parse(vn, &again_vn, NULL) ||
            again_vn != day)
            abort(); /* a date parses back from both of its forms */
        int wd = date_weekday(day);
        if (wd < 1 || wd > 7)
            abort();
        for (int months = -2400; months <= 2400; months += 601)
            (void)date_add_months(day, months);
    } else if (!why) {
        abort(); /* a refusal says why */
    }

    int64_t unix_s;
    bool has_time;
    if (date_parse_datetime(text, &unix_s, &has_time, NULL)) {
        char local[DATE_TIME_LEN];
        date_format_local_time(unix_s, local);
        int64_t again;
        if (!date_parse_datetime(local, &again, NULL, NULL) || again != unix_s)
            abort(); /* local time parses back */
        (void)date_local_day(unix_s);
    }

    int minute;
    if (date_parse_clock(text, &minute) && (minute < 0 || minute >= 24 * 60))
        abort();
}

static void s_deadline(const char *text)
{
    deadline_buf_t dl;
    const char *why = NULL;
    if (!deadline_parse(text, &dl, &why)) {
        if (!why)
            abort();
        return;
    }
    if (!deadline_check(&dl.deadline, &why))
        abort(); /* what deadline_parse gives passes deadline_check */
    char rule[DEADLINE_TEXT_MAX + 32], again[DEADLINE_TEXT_MAX + 32];
    deadline_format_rule(&dl.deadline, rule, sizeof rule);
    deadline_buf_t dl2;
    if (!deadline_parse(rule, &dl2, &why))
        abort(); /* the rule as shown parses back */
    deadline_format_rule(&dl2.deadline, again, sizeof again);
    if (strcmp(rule, again) != 0)
        abort();
}

static void s_sitting_ids(const char *text)
{
    (void)sitting_id_valid(text);
    char base[SITTING_ID_MAX + 1];
    int32_t occurrence;
    const char *why = NULL;
    if (sitting_split_ref(text, base, &occurrence, &why)) {
        if (!sitting_id_valid(base))
            abort();
        if (occurrence != SITTING_NO_OCCURRENCE) {
            char ref[SITTING_REF_MAX + 1], base2[SITTING_ID_MAX + 1];
            int32_t occurrence2;
            sitting_occurrence_ref(base, occurrence, ref);
            if (!sitting_split_ref(ref, base2, &occurrence2, &why) || strcmp(base, base2) != 0 ||
                occurrence2 != occurrence)
                abort(); /* an occurrence's ref parses back */
        }
    }
    Thuky__SittingKind kind;
    if (sitting_kind_parse(text, &kind) && strcmp(sitting_kind_name(kind), text) != 0)
        abort();
    Thuky__SittingStatus status;
    if (sitting_status_parse(text, &status) && strcmp(sitting_status_name(status), text) != 0)
        abort();
}

/* "2024-05-20 08:30" into a SittingTime whose strings point into text. */
static void s_time(char *text, Thuky__SittingTime *t)
{
    thuky__sitting_time__init(t);
    char *space = strchr(text, ' ');
    if (space)
        *space = '\0';
    t->date = text;
    t->time = space ? space + 1 : (char *)"";
}

static void s_span(char *text)
{
    char *field[6] = {0};
    int n = 0;
    for (char *p = text; n < 6; n++) {
        field[n] = p;
        p = strchr(p, '|');
        if (!p) {
            n++;
            break;
        }
        *p++ = '\0';
    }
    if (n < 4)
        return;
    Thuky__SittingTime start, end, ex_start, ex_end;
    s_time(field[1], &start);
    s_time(field[2], &end);
    Thuky__Sitting sitting = THUKY__SITTING__INIT;
    sitting.start = &start;
    sitting.end = &end;
    sitting.repeat = field[3];
    Thuky__Occurrence ex = THUKY__OCCURRENCE__INIT, *exs[1] = {&ex};
    if (n >= 5) {
        ex.original_date = field[4];
        if (n >= 6 && strcmp(field[5], "x") == 0) {
            ex.cancelled = true;
        } else if (n >= 6) {
            s_time(field[5], &ex_start);
            ex_end = ex_start;
            ex.start = &ex_start;
            ex.end = &ex_end;
        }
        sitting.exceptions = exs;
        sitting.n_exceptions = 1;
    }
    char base[SITTING_ID_MAX + 1];
    int32_t occurrence;
    const char *why;
    sitting_span_t span;
    if (!sitting_split_ref(field[0], base, &occurrence, &why) ||
        !sitting_span(&sitting, occurrence, &span, &why))
        return;
    static const int32_t offsets[] = {0, 1, -1, 20, -20, 3650, -3650};
    for (int anchor = 1; anchor <= 2; anchor++)
        for (int unit = 1; unit <= 2; unit++)
            for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
                Thuky__RelativeDeadline rel = THUKY__RELATIVE_DEADLINE__INIT;
                rel.sitting_id = field[0];
                rel.anchor = (Thuky__SittingAnchor)anchor;
                rel.unit = (Thuky__DayUnit)unit;
                rel.offset = offsets[i];
                int32_t day;
                (void)deadline_resolve_relative(&rel, &span, fuzz_calendar(), &day, &why);
            }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = xmalloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    s_dates(text);
    s_deadline(text);
    s_sitting_ids(text);
    s_span(text);
    free(text);
    return 0;
}
