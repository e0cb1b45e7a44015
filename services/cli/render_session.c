/* How sittings look: tables for people (in the CLI's language, dd/mm/yyyy
 * in Vietnamese), JSON for scripts (tokens, ISO dates). */
#include <stdio.h>
#include <string.h>

#include "base/date.h"
#include "domain/sitting.h"
#include "text/table.h"
#include "cli.h"

#define COUNT(a) (sizeof(a) / sizeof(a)[0])

static const char *const s_kind_labels[] = {
    [THUKY__SITTING_KIND__KIND_PLENARY] = N_("plenary"),
    [THUKY__SITTING_KIND__KIND_STANDING] = N_("standing"),
    [THUKY__SITTING_KIND__KIND_CONFERENCE] = N_("conference"),
    [THUKY__SITTING_KIND__KIND_BRIEFING] = N_("briefing"),
};

static const char *const s_status_labels[] = {
    [THUKY__SITTING_STATUS__SITTING_PLANNED] = N_("planned"),
    [THUKY__SITTING_STATUS__SITTING_CONFIRMED] = N_("confirmed"),
    [THUKY__SITTING_STATUS__SITTING_POSTPONED] = N_("postponed"),
    [THUKY__SITTING_STATUS__SITTING_CANCELLED] = N_("cancelled"),
    [THUKY__SITTING_STATUS__SITTING_HELD] = N_("held"),
};

/* labels[i] translated, "unknown" when i names none. */
static const char *s_label(const char *const *labels, size_t count, unsigned i)
{
    return _(i < count && labels[i] ? labels[i] : N_("unknown"));
}

const char *render_sitting_kind_label(Thuky__SittingKind kind)
{
    return s_label(s_kind_labels, COUNT(s_kind_labels), (unsigned)kind);
}

const char *render_sitting_status_label(Thuky__SittingStatus status)
{
    return s_label(s_status_labels, COUNT(s_status_labels), (unsigned)status);
}

/* "20/05/2024 08:00" in Vietnamese, "2024-05-20 08:00" in English. */
void render_sitting_time(const Thuky__SittingTime *t, char *out, size_t len)
{
    int32_t day;
    if (!t || !date_parse(t->date, &day, NULL)) {
        snprintf(out, len, "-");
        return;
    }
    char text[DATE_ISO_LEN];
    render_day(day, text);
    snprintf(out, len, "%s%s%s", text, t->time[0] ? " " : "", t->time);
}

static json_t *s_time_json(const Thuky__SittingTime *t)
{
    if (!t)
        return json_null();
    return t->time[0] ? json_sprintf("%sT%s", t->date, t->time) : json_string(t->date);
}

json_t *render_sitting_json(const Thuky__Sitting *s)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:o, s:s, s:s}", "id", s->id, "kind",
                          sitting_kind_name(s->kind), "title", s->title, "start",
                          s_time_json(s->start), "end", s_time_json(s->end), "venue", s->venue,
                          "status", sitting_status_name(s->status));
    if (s->term[0])
        json_object_set_new(o, "term", json_string(s->term));
    if (s->number)
        json_object_set_new(o, "number", json_integer(s->number));
    if (s->extraordinary)
        json_object_set_new(o, "extraordinary", json_true());
    if (s->repeat[0])
        json_object_set_new(o, "repeat", json_string(s->repeat));
    if (s->series_id[0])
        json_object_set_new(o, "series", json_string(s->series_id));
    if (s->cancel_reason[0])
        json_object_set_new(o, "cancel_reason", json_string(s->cancel_reason));
    json_object_set_new(o, "sequence", json_integer(s->sequence));
    json_object_set_new(o, "version", json_integer(s->version));
    json_t *agenda = json_array();
    for (size_t i = 0; i < s->n_agenda; i++) {
        json_t *item = json_pack("{s:i, s:s}", "number", (int)s->agenda[i]->number, "text",
                                 s->agenda[i]->text);
        if (s->agenda[i]->task_id)
            json_object_set_new(item, "task", json_sprintf("T%u", s->agenda[i]->task_id));
        json_array_append_new(agenda, item);
    }
    json_object_set_new(o, "agenda", agenda);
    json_t *exceptions = json_array();
    for (size_t i = 0; i < s->n_exceptions; i++) {
        const Thuky__Occurrence *ex = s->exceptions[i];
        json_t *e = json_pack("{s:s, s:b}", "date", ex->original_date, "cancelled", ex->cancelled);
        if (ex->start && ex->start->date[0]) {
            json_object_set_new(e, "start", s_time_json(ex->start));
            json_object_set_new(e, "end", s_time_json(ex->end));
        }
        json_array_append_new(exceptions, e);
    }
    json_object_set_new(o, "exceptions", exceptions);
    return o;
}

void render_sitting_table(const cli_t *cli, Thuky__Sitting *const *sittings, size_t count)
{
    if (cli->json) {
        json_t *array = json_array();
        for (size_t i = 0; i < count; i++)
            json_array_append_new(array, render_sitting_json(sittings[i]));
        cli_print_json(array);
        return;
    }
    static const char *const headers[] = {N_("ID"),     N_("KIND"),  N_("OPENS"), N_("CLOSES"),
                                          N_("STATUS"), N_("VENUE"), N_("TITLE")};
    table_t *table = render_table_new(7, headers, "lllllll");
    for (size_t i = 0; i < count; i++) {
        const Thuky__Sitting *s = sittings[i];
        char opens[32], closes[32];
        render_sitting_time(s->start, opens, sizeof opens);
        render_sitting_time(s->end, closes, sizeof closes);
        const char *cells[] = {s->id, render_sitting_kind_label(s->kind), opens, closes,
                               render_sitting_status_label(s->status),
                               s->venue[0] ? s->venue : "-", s->title};
        table_add_row(table, cells);
    }
    table_print(table, stdout);
    table_destroy(&table);
}
