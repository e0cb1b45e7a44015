/* The XLSX form (libxlsxwriter): one sheet, with the section as its first
 * column (one table a reader can sort and filter; the columns are those of
 * the CSV form). A bold header row that stays in view (frozen) and repeats
 * on every printed page, an autofilter, widths that fit Vietnamese titles
 * (long texts wrap), the deadline as a real date cell (dd/mm/yyyy in
 * Vietnamese, yyyy-mm-dd in English; with its time when it has one), the
 * progress as a number; printed on A4 landscape, one page wide.
 *
 * libxlsxwriter writes to a file name: the workbook is made in a private
 * directory and then copied where it goes. */
#include <stdio.h>
#include <string.h>
#include <xlsxwriter.h>

#include "base/date.h"
#include "report_private.h"

static const double s_widths[REPORT_COLUMNS] = {
    [REPORT_COL_SECTION] = 30, [REPORT_COL_ID] = 7,        [REPORT_COL_TITLE] = 60,
    [REPORT_COL_LEAD] = 20,    [REPORT_COL_WITH] = 28,     [REPORT_COL_DEADLINE] = 17,
    [REPORT_COL_STATUS] = 16,  [REPORT_COL_PROGRESS] = 12, [REPORT_COL_FLAGS] = 32,
};

typedef struct {
    lxw_format *head, *text, *date, *datetime, *number;
} formats_t;

static void s_formats(lxw_workbook *wb, formats_t *f)
{
    bool vi = i18n_language() == LANG_VI;
    f->head = workbook_add_format(wb);
    format_set_bold(f->head);
    format_set_text_wrap(f->head);
    format_set_align(f->head, LXW_ALIGN_VERTICAL_TOP);
    format_set_bg_color(f->head, 0xDDDDDD);
    format_set_border(f->head, LXW_BORDER_THIN);
    f->text = workbook_add_format(wb);
    format_set_text_wrap(f->text);
    format_set_align(f->text, LXW_ALIGN_VERTICAL_TOP);
    f->date = workbook_add_format(wb);
    format_set_num_format(f->date, vi ? "dd/mm/yyyy" : "yyyy-mm-dd");
    format_set_align(f->date, LXW_ALIGN_LEFT);
    format_set_align(f->date, LXW_ALIGN_VERTICAL_TOP);
    f->datetime = workbook_add_format(wb);
    format_set_num_format(f->datetime, vi ? "dd/mm/yyyy hh:mm" : "yyyy-mm-dd hh:mm");
    format_set_align(f->datetime, LXW_ALIGN_LEFT);
    format_set_align(f->datetime, LXW_ALIGN_VERTICAL_TOP);
    f->number = workbook_add_format(wb);
    format_set_num_format(f->number, "0");
    format_set_align(f->number, LXW_ALIGN_VERTICAL_TOP);
}

static void s_deadline(lxw_worksheet *ws, lxw_row_t row, const Thuky__Task *t,
                       const formats_t *f)
{
    int32_t day;
    int minute;
    if (report_deadline_day(t, &day, &minute)) {
        lxw_datetime dt = {0};
        date_to_ymd(day, &dt.year, &dt.month, &dt.day);
        if (minute >= 0) {
            dt.hour = minute / 60;
            dt.min = minute % 60;
        }
        worksheet_write_datetime(ws, row, REPORT_COL_DEADLINE, &dt,
                                 minute >= 0 ? f->datetime : f->date);
        return;
    }
    char text[RENDER_DEADLINE_LEN];
    report_deadline(t, text, sizeof text); /* the rule, not resolved yet; or none */
    if (text[0])
        worksheet_write_string(ws, row, REPORT_COL_DEADLINE, text, f->text);
}

static void s_row(lxw_worksheet *ws, lxw_row_t row, const char *section, const Thuky__Task *t,
                  const formats_t *f)
{
    char id[16], flags[RENDER_FLAGS_LEN];
    strbuf_t with = {0};
    snprintf(id, sizeof id, "T%u", t->id);
    report_with_offices(t, &with);
    render_flags(t, flags, sizeof flags);
    worksheet_write_string(ws, row, REPORT_COL_SECTION, section, f->text);
    worksheet_write_string(ws, row, REPORT_COL_ID, id, f->text);
    worksheet_write_string(ws, row, REPORT_COL_TITLE, t->title, f->text);
    worksheet_write_string(ws, row, REPORT_COL_LEAD, t->lead_office, f->text);
    if (with.len)
        worksheet_write_string(ws, row, REPORT_COL_WITH, with.data, f->text);
    s_deadline(ws, row, t, f);
    worksheet_write_string(ws, row, REPORT_COL_STATUS, render_status_label(t->status), f->text);
    worksheet_write_number(ws, row, REPORT_COL_PROGRESS, t->progress, f->number);
    if (flags[0])
        worksheet_write_string(ws, row, REPORT_COL_FLAGS, flags, f->text);
    strbuf_free(&with);
}

int report_write_xlsx(const report_doc_t *doc, report_out_t *out)
{
    char *dir = report_tmpdir_new();
    if (!dir)
        return EXIT_LOCAL;
    strbuf_t path = {0};
    strbuf_printf(&path, "%s/report.xlsx", dir);
    lxw_workbook_options options = {.tmpdir = dir};
    lxw_workbook *wb = workbook_new_opt(path.data, &options);
    if (!wb) {
        report_tmpdir_remove(&dir);
        strbuf_free(&path);
        return cli_error(EXIT_LOCAL, "cannot make the XLSX workbook");
    }
    lxw_doc_properties props = {.title = (char *)doc->title, .author = (char *)"thuky"};
    workbook_set_properties(wb, &props);
    /* a sheet name is at most 31 characters, without []:*?/\ */
    lxw_worksheet *ws = workbook_add_worksheet(wb, _("Tasks"));
    if (!ws)
        ws = workbook_add_worksheet(wb, NULL);
    formats_t f;
    s_formats(wb, &f);
    for (int c = 0; c < REPORT_COLUMNS; c++) {
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, s_widths[c], NULL);
        worksheet_write_string(ws, 0, (lxw_col_t)c, report_column(c), f.head);
    }
    lxw_row_t row = 1;
    for (size_t s = 0; s < doc->n_sections; s++)
        for (size_t i = 0; i < doc->sections[s].count; i++)
            s_row(ws, row++, doc->sections[s].title, doc->sections[s].tasks[i], &f);
    worksheet_freeze_panes(ws, 1, 0);
    worksheet_autofilter(ws, 0, 0, row - 1, REPORT_COLUMNS - 1);
    worksheet_set_paper(ws, 9); /* A4 */
    worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_repeat_rows(ws, 0, 0);
    lxw_error err = workbook_close(wb);
    int rc = EXIT_OK;
    if (err != LXW_NO_ERROR)
        rc = cli_error(EXIT_LOCAL, "cannot write the XLSX workbook: %s", lxw_strerror(err));
    else if (!report_out_copy(out, path.data))
        rc = EXIT_LOCAL;
    report_tmpdir_remove(&dir);
    strbuf_free(&path);
    return rc;
}
