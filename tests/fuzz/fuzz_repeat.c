/* fuzz_repeat: repeat rules (common/domain/repeat.c), the friendly forms and RFC
 * 5545 RRULEs. The input up to its first newline is the rule; bytes after
 * the newline place the series and the window (defaults otherwise). A rule
 * that parses must format (both ways) into text that parses back to the
 * same rule, and its expansion must hold what repeat.h promises. */
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/log.h"
#include "domain/repeat.h"
#include "fuzz_util.h"

#define OUT_CAP 64

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_quiet();
    return 0;
}

static bool s_same(const repeat_rule_t *a, const repeat_rule_t *b)
{
    return a->kind == b->kind && a->interval == b->interval && a->weekday == b->weekday &&
           a->nth == b->nth && a->monthday == b->monthday && a->until == b->until &&
           a->count == b->count;
}

static void s_formats(const repeat_rule_t *rule)
{
    char text[REPEAT_TEXT_MAX], rrule[REPEAT_TEXT_MAX];
    repeat_format(rule, text, sizeof text);
    repeat_to_rrule(rule, rrule, sizeof rrule);
    repeat_rule_t again;
    const char *why;
    if (!repeat_parse(text, &again, &why) || !s_same(rule, &again))
        abort(); /* the canonical text is the same rule */
    if (!repeat_parse(rrule, &again, &why) || !s_same(rule, &again))
        abort(); /* so is the RRULE */
    for (size_t cap = 1; cap <= 8; cap++) { /* truncation stays in the buffer */
        char *small = xmalloc(cap);
        repeat_format(rule, small, cap);
        repeat_to_rrule(rule, small, cap);
        free(small);
    }
}

static int32_t s_i16(const uint8_t *p) { return (int16_t)(p[0] | p[1] << 8); }

static void s_expand(const repeat_rule_t *rule, const uint8_t *p, size_t n)
{
    int32_t jan1 = 0;
    date_from_ymd(2024, 1, 1, &jan1, NULL);
    int32_t start = jan1 + (n >= 2 ? s_i16(p) * 8 : 0);
    int32_t first;
    if (!repeat_align(rule, start, &first))
        return;
    if (repeat_matches(rule, first, first) != (first <= rule->until))
        abort(); /* an aligned first day is the first occurrence unless after until */
    int32_t from = first + (n >= 4 ? s_i16(p + 2) : 0);
    int32_t to = from + (n >= 5 ? p[4] * 16 : 400);
    int32_t out[OUT_CAP];
    size_t total = repeat_expand(rule, first, from, to, out, OUT_CAP);
    if (repeat_expand(rule, first, from, to, NULL, 0) != total)
        abort(); /* counting needs no buffer */
    if (rule->count && total > (size_t)rule->count)
        abort();
    for (size_t i = 0; i < total && i < OUT_CAP; i++) {
        if (out[i] < from || out[i] > to || out[i] < first || out[i] > rule->until ||
            (i > 0 && out[i] <= out[i - 1]) || !repeat_matches(rule, first, out[i]))
            abort(); /* in the window, in the series, increasing */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t len = nl ? (size_t)(nl - data) : size;
    char *text = xmalloc(len + 1);
    memcpy(text, data, len);
    text[len] = '\0';
    repeat_rule_t rule;
    const char *why = NULL;
    if (repeat_parse(text, &rule, &why)) {
        s_formats(&rule);
        s_expand(&rule, nl ? nl + 1 : data + size, nl ? size - len - 1 : 0);
    } else if (!why || !*why) {
        abort(); /* a refusal says why */
    }
    free(text);
    return 0;
}
