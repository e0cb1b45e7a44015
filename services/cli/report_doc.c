/* Reports as documents: the format chosen, the words every format shares,
 * where the report goes, and the text form (the other forms are in
 * report_csv.c, report_xlsx.c, report_html.c and report_pdf.c). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/date.h"
#include "base/log.h"
#include "domain/deadline.h"
#include "text/table.h"
#include "report_private.h"

static const struct {
    const char *name;
    report_format_t format;
} s_formats[] = {
    {"text", REPORT_TEXT}, {"html", REPORT_HTML}, {"csv", REPORT_CSV},
    {"xlsx", REPORT_XLSX}, {"pdf", REPORT_PDF},
};

bool report_format_parse(const char *text, report_format_t *out)
{
    for (size_t i = 0; i < sizeof s_formats / sizeof s_formats[0]; i++)
        if (strcmp(text, s_formats[i].name) == 0) {
            *out = s_formats[i].format;
            return true;
        }
    return false;
}

/* ---- the words ---------------------------------------------------------- */

static const char *const s_columns[REPORT_COLUMNS] = {
    [REPORT_COL_SECTION] = N_("Section"),
    [REPORT_COL_ID] = N_("Task ID"),
    [REPORT_COL_TITLE] = N_("Title"),
    [REPORT_COL_LEAD] = N_("Lead office"),
    [REPORT_COL_WITH] = N_("Coordinating offices"),
    [REPORT_COL_DEADLINE] = N_("Deadline"),
    [REPORT_COL_STATUS] = N_("Status"),
    [REPORT_COL_PROGRESS] = N_("Progress (%)"),
    [REPORT_COL_FLAGS] = N_("Flags"),
};

const char *report_column(int c)
{
    return c >= 0 && c < REPORT_COLUMNS ? _(s_columns[c]) : "";
}

void report_with_offices(const Thuky__Task *t, strbuf_t *out)
{
    strbuf_str(out, "");
    for (size_t i = 0; i < t->n_with_offices; i++) {
        if (i)
            strbuf_str(out, ", ");
        strbuf_str(out, t->with_offices[i]);
    }
}

bool report_deadline_day(const Thuky__Task *t, int32_t *day, int *minute)
{
    const Thuky__Deadline *dl = t->deadline;
    if (!dl || !dl->resolved_date[0] || !date_parse(dl->resolved_date, day, NULL))
        return false;
    const Thuky__AbsoluteDeadline *absolute = deadline_absolute(dl);
    *minute = -1;
    if (absolute && absolute->time[0] && !date_parse_clock(absolute->time, minute))
        *minute = -1;
    return true;
}

void report_deadline(const Thuky__Task *t, char *out, size_t len)
{
    if (t->deadline)
        render_deadline(t, out, len);
    else
        snprintf(out, len, "%s", ""); /* an empty cell, not "-" */
}

/* ---- where it goes --------------------------------------------------------- */

int report_out_open(report_out_t *out, const char *path)
{
    memset(out, 0, sizeof *out);
    if (!path || strcmp(path, "-") == 0) {
        out->f = stdout;
        return EXIT_OK;
    }
    out->path = xstrdup(path);
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        /* a device or a pipe (/dev/stdout): written as it is */
        out->f = fopen(path, "wb");
        if (!out->f) {
            int e = errno;
            free(out->path);
            out->path = NULL;
            return cli_error(EXIT_LOCAL, "cannot write %s: %s", path, strerror(e));
        }
        return EXIT_OK;
    }
    char *copy = xstrdup(path);
    char *base = xstrdup(basename(copy));
    strcpy(copy, path);
    const char *dir = dirname(copy);
    size_t n = strlen(dir) + strlen(base) + 16;
    out->temp = xmalloc(n);
    snprintf(out->temp, n, "%s/.%s.XXXXXX", dir, base);
    free(copy);
    free(base);
    int fd = mkstemp(out->temp);
    if (fd >= 0) {
        mode_t mask = umask(0);
        umask(mask);
        if (fchmod(fd, 0666 & ~mask) != 0 || !(out->f = fdopen(fd, "wb"))) {
            int e = errno;
            close(fd);
            unlink(out->temp);
            errno = e;
        }
    }
    if (!out->f) {
        int e = errno;
        free(out->temp);
        free(out->path);
        memset(out, 0, sizeof *out);
        return cli_error(EXIT_LOCAL, "cannot write %s: %s", path, strerror(e));
    }
    return EXIT_OK;
}

int report_out_close(report_out_t *out, bool ok)
{
    int rc = ok ? EXIT_OK : EXIT_LOCAL;
    if (!out->path) {
        if ((fflush(stdout) != 0 || ferror(stdout)) && ok)
            rc = cli_error(EXIT_LOCAL, "cannot write to standard output: %s", strerror(errno));
    } else {
        bool written = ferror(out->f) == 0;
        int e = errno;
        if (fclose(out->f) != 0 && written) {
            written = false;
            e = errno;
        }
        if (ok && !written)
            rc = cli_error(EXIT_LOCAL, "cannot write %s: %s", out->path, strerror(e));
        if (out->temp && rc == EXIT_OK && rename(out->temp, out->path) != 0)
            rc = cli_error(EXIT_LOCAL, "cannot write %s: %s", out->path, strerror(errno));
        if (out->temp && rc != EXIT_OK)
            unlink(out->temp);
    }
    free(out->temp);
    free(out->path);
    memset(out, 0, sizeof *out);
    return rc;
}

bool report_out_copy(report_out_t *out, const char *from)
{
    FILE *in = fopen(from, "rb");
    if (!in) {
        cli_error(EXIT_LOCAL, "cannot read %s: %s", from, strerror(errno));
        return false;
    }
    char buf[65536];
    size_t n;
    bool ok = true;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
        ok = fwrite(buf, 1, n, out->f) == n;
    if (ferror(in)) {
        cli_error(EXIT_LOCAL, "cannot read %s: %s", from, strerror(errno));
        ok = false;
    } else if (!ok) {
        cli_error(EXIT_LOCAL, "cannot write %s: %s", out->path ? out->path : "-",
                  strerror(errno));
    }
    fclose(in);
    return ok;
}

char *report_tmpdir_new(void)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    size_t n = strlen(tmp) + 32;
    char *dir = xmalloc(n);
    snprintf(dir, n, "%s/thuky-report-XXXXXX", tmp);
    if (!mkdtemp(dir)) {
        cli_error(EXIT_LOCAL, "cannot make a temporary directory in %s: %s", tmp,
                  strerror(errno));
        free(dir);
        return NULL;
    }
    return dir;
}

static int s_remove(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st, (void)type, (void)ftw;
    remove(path);
    return 0;
}

void report_tmpdir_remove(char **dir_p)
{
    if (!*dir_p)
        return;
    nftw(*dir_p, s_remove, 16, FTW_DEPTH | FTW_PHYS);
    free(*dir_p);
    *dir_p = NULL;
}

/* ---- the text form ----------------------------------------------------------- */

static int s_text(const report_doc_t *doc, FILE *f)
{
    char day[DATE_ISO_LEN];
    render_day(doc->day, day);
    fprintf(f, _("%s, as of %s\n"), doc->title, day);
    for (size_t i = 0; i < doc->n_sections; i++) {
        const report_section_t *s = &doc->sections[i];
        fprintf(f, "\n%s: %zu\n", s->title, s->count);
        if (s->count)
            render_task_table_to(f, s->tasks, s->count);
    }
    return EXIT_OK;
}

/* ---- the entry point ----------------------------------------------------------- */

int report_write(const report_doc_t *doc, report_format_t format, const char *out_path)
{
    bool to_stdout = !out_path || strcmp(out_path, "-") == 0;
    if (format == REPORT_XLSX && to_stdout)
        return cli_error(EXIT_USAGE, "an XLSX workbook is a file: add --out FILE.xlsx");
    if (format == REPORT_PDF && to_stdout)
        return cli_error(EXIT_USAGE, "a PDF is a file: add --out FILE.pdf");
    report_out_t out;
    int rc = report_out_open(&out, out_path);
    if (rc != EXIT_OK)
        return rc;
    switch (format) {
    case REPORT_TEXT: rc = s_text(doc, out.f); break;
    case REPORT_CSV: rc = report_write_csv(doc, out.f); break;
    case REPORT_XLSX: rc = report_write_xlsx(doc, &out); break;
    case REPORT_PDF: rc = report_write_pdf(doc, &out); break;
    case REPORT_HTML: {
        strbuf_t b = {0};
        report_html(doc, &b);
        fwrite(b.data, 1, b.len, out.f);
        strbuf_free(&b);
        break;
    }
    }
    int closed = report_out_close(&out, rc == EXIT_OK);
    return rc != EXIT_OK ? rc : closed;
}
