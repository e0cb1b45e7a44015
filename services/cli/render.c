/* How tasks look: tables for people (in the CLI's language, dates as
 * dd/mm/yyyy in Vietnamese), JSON for scripts (English tokens, ISO dates). */
#include <stdio.h>
#include <string.h>

#include "base/date.h"
#include "domain/deadline.h"
#include "text/table.h"
#include "cli.h"

static const char *const s_status_names[] = {"?", "open", "in_progress", "done", "cancelled"};
static const char *const s_status_labels[] = {"?", N_("open"), N_("in progress"), N_("done"),
                                              N_("cancelled")};

const char *render_status(Thuky__TaskStatus status)
{
    return (unsigned)status < 5 ? s_status_names[status] : "?";
}

const char *render_status_label(Thuky__TaskStatus status)
{
    return (unsigned)status >= 1 && (unsigned)status < 5 ? _(s_status_labels[status]) : "?";
}

bool render_parse_status(const char *text, Thuky__TaskStatus *status)
{
    for (int i = 1; i < 5; i++)
        if (strcmp(text, s_status_names[i]) == 0) {
            *status = (Thuky__TaskStatus)i;
            return true;
        }
    if (strcmp(text, "in-progress") == 0) {
        *status = THUKY__TASK_STATUS__TASK_IN_PROGRESS;
        return true;
    }
    return false;
}

table_t *render_table_new(size_t columns, const char *const *headers, const char *align)
{
    const char *translated[RENDER_TABLE_COLUMNS_MAX];
    if (columns > RENDER_TABLE_COLUMNS_MAX)
        return NULL;
    for (size_t i = 0; i < columns; i++) /* _("") would be the catalog's header */
        translated[i] = headers[i] && headers[i][0] ? _(headers[i]) : headers[i];
    return table_new(columns, translated, align);
}

void render_day(int32_t day, char out[DATE_ISO_LEN]) { date_format_lang(i18n_language(), day, out); }

void render_iso_date(const char *iso, char *out, size_t len)
{
    date_text_lang(i18n_language(), iso, out, len);
}

void render_time_iso(int64_t ms, char *out, size_t len)
{
    char local[DATE_TIME_LEN];
    date_format_local_time(ms / 1000, local);
    snprintf(out, len, "%s", local);
}

void render_time(int64_t ms, char *out, size_t len)
{
    char local[DATE_TIME_LEN];
    date_format_local_time(ms / 1000, local);
    char day[DATE_ISO_LEN];
    render_day(date_local_day(ms / 1000), day);
    /* "2024-05-20 08:30": the time of day follows the date */
    snprintf(out, len, "%s%s", day, local + DATE_ISO_LEN - 1);
}

/* "20/05/2024", or the rule when it is not resolved yet. */
void render_deadline(const Thuky__Task *task, char *out, size_t len)
{
    const Thuky__Deadline *dl = task->deadline;
    int32_t day;
    if (!dl) {
        snprintf(out, len, "-");
    } else if (dl->resolved_date[0] && date_parse(dl->resolved_date, &day, NULL)) {
        char vn[DATE_ISO_LEN];
        render_day(day, vn);
        const Thuky__AbsoluteDeadline *absolute = deadline_absolute(dl);
        bool timed = absolute && absolute->time[0];
        snprintf(out, len, "%s%s%s", vn, timed ? " " : "", timed ? absolute->time : "");
    } else {
        char rule[DEADLINE_TEXT_MAX];
        deadline_format_rule(dl, rule, sizeof rule);
        snprintf(out, len, _("%s (unresolved)"), rule);
    }
}

const char *render_flag(Thuky__TaskFlag flag)
{
    switch (flag) {
    case THUKY__TASK_FLAG__FLAG_QUALITY: return "quality";
    case THUKY__TASK_FLAG__FLAG_DISPUTE: return "dispute";
    case THUKY__TASK_FLAG__FLAG_SITTING_CANCELLED: return "sitting_cancelled";
    default: return "?";
    }
}

const char *render_flag_label(Thuky__TaskFlag flag)
{
    switch (flag) {
    case THUKY__TASK_FLAG__FLAG_QUALITY: return _("falls short on quality");
    case THUKY__TASK_FLAG__FLAG_DISPUTE: return _("members still disagree");
    case THUKY__TASK_FLAG__FLAG_SITTING_CANCELLED: return _("sitting cancelled");
    default: return "?";
    }
}

void render_flags(const Thuky__Task *task, char *out, size_t len)
{
    out[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; i < task->n_flags; i++) {
        const char *name = render_flag_label(task->flags[i]);
        int n = snprintf(out + used, len - used, "%s%s", used ? ", " : "", name);
        if (n < 0 || (size_t)n >= len - used)
            break;
        used += (size_t)n;
    }
}

static json_t *s_strings(char **items, size_t count)
{
    json_t *array = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(array, json_string(items[i]));
    return array;
}

json_t *render_task_json(const Thuky__Task *task)
{
    char id[16], created[DATE_TIME_LEN], updated[DATE_TIME_LEN];
    snprintf(id, sizeof id, "T%u", task->id);
    render_time_iso(task->created_ms, created, sizeof created);
    render_time_iso(task->updated_ms, updated, sizeof updated);
    json_t *flags = json_array();
    for (size_t i = 0; i < task->n_flags; i++)
        json_array_append_new(flags, json_string(render_flag(task->flags[i])));
    json_t *deadline = json_null();
    if (task->deadline) {
        char rule[DEADLINE_TEXT_MAX];
        deadline_format_rule(task->deadline, rule, sizeof rule);
        const char *date = task->deadline->resolved_date;
        deadline = json_pack("{s:s, s:s, s:o, s:b}", "rule", rule, "kind",
                             task->deadline->rule_case == THUKY__DEADLINE__RULE_RELATIVE
                                 ? "relative"
                                 : "absolute",
                             "date", date[0] ? json_string(date) : json_null(), "resolved",
                             date[0] != '\0');
    }
    return json_pack("{s:s, s:i, s:i, s:s, s:s, s:o, s:s, s:s, s:o, s:o, s:s, s:i, s:o, s:b, "
                     "s:s, s:s, s:s, s:i, s:i}",
                     "id", id, "program", (int)task->program_year, "group", (int)task->group,
                     "title", task->title, "description", task->description, "basis",
                     s_strings(task->basis, task->n_basis), "lead", task->lead_office, "member",
                     task->lead_member, "with", s_strings(task->with_offices, task->n_with_offices),
                     "deadline", deadline, "status", render_status(task->status), "progress",
                     (int)task->progress, "flags", flags, "unplanned", task->unplanned, "ref",
                     task->ref, "created", created, "updated", updated, "version",
                     (int)task->version, "comments", (int)task->comment_count);
}

json_t *render_history_json(const Thuky__HistoryEntry *entry)
{
    char when[DATE_TIME_LEN];
    render_time_iso(entry->time_ms, when, sizeof when);
    json_t *changes = json_array();
    for (size_t i = 0; i < entry->n_changes; i++)
        json_array_append_new(changes, json_pack("{s:s, s:s, s:s}", "field",
                                                 entry->changes[i]->field, "old",
                                                 entry->changes[i]->old_value, "new",
                                                 entry->changes[i]->new_value));
    return json_pack("{s:s, s:s, s:o, s:s, s:I}", "time", when, "caller", entry->caller,
                     "changes", changes, "note", entry->note, "event_seq",
                     (json_int_t)entry->event_seq);
}

void render_task_table(const cli_t *cli, Thuky__Task *const *tasks, size_t count)
{
    if (cli->json) {
        json_t *array = json_array();
        for (size_t i = 0; i < count; i++)
            json_array_append_new(array, render_task_json(tasks[i]));
        cli_print_json(array);
    } else {
        render_task_table_to(stdout, tasks, count);
    }
}

void render_task_table_to(FILE *out, Thuky__Task *const *tasks, size_t count)
{
    static const char *const headers[] = {N_("ID"),   N_("DEADLINE"), N_("STATUS"), "%",
                                          N_("LEAD"), N_("FLAGS"),    N_("TITLE")};
    table_t *table = render_table_new(7, headers, "lllrlll");
    table_set_max_width(table, 6, 70);
    for (size_t i = 0; i < count; i++) {
        const Thuky__Task *t = tasks[i];
        char id[16], due[RENDER_DEADLINE_LEN], progress[8], flags[RENDER_FLAGS_LEN];
        snprintf(id, sizeof id, "T%u", t->id);
        render_deadline(t, due, sizeof due);
        snprintf(progress, sizeof progress, "%u", t->progress);
        render_flags(t, flags, sizeof flags);
        const char *cells[] = {id, due, render_status_label(t->status), progress, t->lead_office,
                               flags, t->title};
        table_add_row(table, cells);
    }
    table_print(table, out);
    table_destroy(&table);
}
