/* Reports as the documents people use: the briefing (and any task list) as
 * text, HTML (A4, the administrative document layout of Decree
 * 30/2020/NĐ-CP, with the SVG timeline of tasks against sittings), CSV
 * (RFC 4180, UTF-8 with BOM so Excel reads Vietnamese), XLSX
 * (libxlsxwriter: one sheet, the section in its first column, so the whole
 * report sorts and filters as one table) and PDF (the HTML printed by
 * headless Chromium). The words are in the CLI's language; dates follow
 * it (dd/mm/yyyy in Vietnamese, ISO in English). */
#ifndef THUKY_REPORT_DOC_H
#define THUKY_REPORT_DOC_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"

typedef enum {
    REPORT_TEXT = 0,
    REPORT_HTML,
    REPORT_CSV,
    REPORT_XLSX,
    REPORT_PDF,
} report_format_t;

/* One titled list of tasks (a section of the briefing, or a whole list). */
typedef struct {
    const char *title;              /* in the CLI's language */
    Thuky__Task *const *tasks;
    size_t count;
} report_section_t;

typedef struct {
    const char *title;              /* "Báo cáo giao ban" / "Briefing report" */
    int32_t day;                    /* the date the report is for */
    const report_section_t *sections;
    size_t n_sections;
    /* The sittings around day, for the timeline (HTML and PDF): those of
     * TIMELINE_BEFORE_DAYS before it to TIMELINE_AFTER_DAYS after it
     * (domain/timeline_svg.h). None: the timeline shows the deadlines
     * alone. */
    Thuky__Sitting *const *sittings;
    size_t n_sittings;
} report_doc_t;

/* "text", "html", "csv", "xlsx", "pdf". */
bool report_format_parse(const char *text, report_format_t *out);

/* Writes doc to out_path (NULL or "-" = stdout; XLSX and PDF need a
 * file: EXIT_USAGE without one). A file is written beside its name and
 * renamed over it when complete, so a failure leaves nothing behind.
 * Returns an EXIT_* code, with one line on stderr when it fails (e.g. PDF
 * without Chromium installed: EXIT_LOCAL and what to install). Chromium is
 * $THUKY_CHROMIUM, else chromium or chromium-browser on PATH, and is given
 * 60 s. */
int report_write(const report_doc_t *doc, report_format_t format, const char *out_path);

#endif
