/* Inside report_doc: the words every format shares, the output file, and
 * one writer per format (report_csv.c, report_xlsx.c, report_html.c,
 * report_pdf.c; the text form is in report_doc.c). */
#ifndef THUKY_REPORT_PRIVATE_H
#define THUKY_REPORT_PRIVATE_H

#include <stdio.h>

#include "text/strbuf.h"
#include "report_doc.h"

/* The columns of the CSV and XLSX forms, in this order. */
enum {
    REPORT_COL_SECTION,
    REPORT_COL_ID,
    REPORT_COL_TITLE,
    REPORT_COL_LEAD,
    REPORT_COL_WITH,
    REPORT_COL_DEADLINE,
    REPORT_COL_STATUS,
    REPORT_COL_PROGRESS,
    REPORT_COL_FLAGS,
    REPORT_COLUMNS
};
/* The header of column c, in the CLI's language. */
const char *report_column(int c);

/* Words for people, in the CLI's language. */
/* The task's flags as words, joined by "; " ("" when none). */
/* The coordinating offices, joined by ", " ("" when none). */
void report_with_offices(const Thuky__Task *t, strbuf_t *out);
/* The deadline as people read it: "20/05/2024" ("2024-05-20" in English),
 * with its time when it has one, the rule and "(unresolved)" before the
 * task service has resolved it, "" when the task has none. */
void report_deadline(const Thuky__Task *t, char *out, size_t len);
/* The resolved deadline: its day and its time in minutes after midnight
 * (-1 when it has none); false when not resolved. */
bool report_deadline_day(const Thuky__Task *t, int32_t *day, int *minute);

/* Where a report goes: stdout, or a file written beside its final name and
 * renamed over it once complete (nothing is left behind on failure). */
typedef struct {
    FILE *f;
    char *path;   /* NULL: stdout */
    char *temp;   /* the file being written; NULL when writing path itself */
} report_out_t;

/* Opens out for path (NULL or "-": stdout). EXIT_OK, or EXIT_LOCAL with one
 * line on stderr. */
int report_out_open(report_out_t *out, const char *path);
/* Closes out: on ok puts the file in place (EXIT_OK, or EXIT_LOCAL with one
 * line when writing or renaming failed); on !ok removes what was written
 * and returns EXIT_LOCAL (the caller has said why). */
int report_out_close(report_out_t *out, bool ok);
/* Appends a whole file's bytes (an XLSX or PDF made in a private
 * directory) to out; false with one line on stderr. */
bool report_out_copy(report_out_t *out, const char *from);

/* A private directory for the files a writer makes on the way ($TMPDIR or
 * /tmp, mode 0700); NULL with one line on stderr. report_tmpdir_remove
 * deletes it with everything in it and frees the name. */
char *report_tmpdir_new(void);
void report_tmpdir_remove(char **dir_p);

/* The writers: each returns an EXIT_* code, with one line on stderr when
 * it fails. */
int report_write_csv(const report_doc_t *doc, FILE *f);
int report_write_xlsx(const report_doc_t *doc, report_out_t *out);
int report_write_pdf(const report_doc_t *doc, report_out_t *out);
/* The HTML page (self-contained: its style inline, no script, nothing
 * fetched). */
void report_html(const report_doc_t *doc, strbuf_t *b);

#endif
