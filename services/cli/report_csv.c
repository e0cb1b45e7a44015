/* The CSV form (RFC 4180): UTF-8 with a byte order mark first, which is
 * how Excel knows the file is UTF-8 (without it Vietnamese comes out as
 * mojibake); CRLF line ends; a field with a comma, a quote, CR or LF is
 * quoted, its quotes doubled. One header row, then one row per task of
 * each section (the section's title in the first column). */
#include <stdio.h>
#include <string.h>

#include "report_private.h"

static void s_field(FILE *f, const char *s, bool last)
{
    if (s && strpbrk(s, ",\"\r\n")) {
        fputc('"', f);
        for (const char *p = s; *p; p++) {
            if (*p == '"')
                fputc('"', f);
            fputc(*p, f);
        }
        fputc('"', f);
    } else if (s) {
        fputs(s, f);
    }
    fputs(last ? "\r\n" : ",", f);
}

int report_write_csv(const report_doc_t *doc, FILE *f)
{
    fputs("\xEF\xBB\xBF", f);
    for (int c = 0; c < REPORT_COLUMNS; c++)
        s_field(f, report_column(c), c == REPORT_COLUMNS - 1);
    for (size_t s = 0; s < doc->n_sections; s++)
        for (size_t i = 0; i < doc->sections[s].count; i++) {
            const Thuky__Task *t = doc->sections[s].tasks[i];
            char id[16], due[RENDER_DEADLINE_LEN], progress[8], flags[RENDER_FLAGS_LEN];
            strbuf_t with = {0};
            snprintf(id, sizeof id, "T%u", t->id);
            report_deadline(t, due, sizeof due);
            snprintf(progress, sizeof progress, "%u", t->progress);
            report_with_offices(t, &with);
            render_flags(t, flags, sizeof flags);
            const char *cells[REPORT_COLUMNS] = {
                [REPORT_COL_SECTION] = doc->sections[s].title,
                [REPORT_COL_ID] = id,
                [REPORT_COL_TITLE] = t->title,
                [REPORT_COL_LEAD] = t->lead_office,
                [REPORT_COL_WITH] = with.data,
                [REPORT_COL_DEADLINE] = due,
                [REPORT_COL_STATUS] = render_status_label(t->status),
                [REPORT_COL_PROGRESS] = progress,
                [REPORT_COL_FLAGS] = flags,
            };
            for (int c = 0; c < REPORT_COLUMNS; c++)
                s_field(f, cells[c], c == REPORT_COLUMNS - 1);
            strbuf_free(&with);
        }
    return EXIT_OK;
}
