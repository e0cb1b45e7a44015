/* The HTML form: an administrative document as Decree 30/2020/NĐ-CP lays
 * it out, printable on A4 portrait (and the source of the PDF form).
 *
 * Margins: top and bottom 20 mm, left 30 mm, right 15 mm; Times New Roman
 * 13 pt (tables 11 pt). The header block: on the left the agency (QUỐC
 * HỘI, then BAN THƯ KÝ in bold over a short rule), on the right the
 * national name and motto (the motto underlined) and below it, in italics,
 * the place and date ("Hà Nội, ngày 20 tháng 5 năm 2024": a day below 10
 * and the months 1 and 2 take a leading zero). Then the title in bold
 * capitals, what it covers, each section as a numbered heading with its
 * count and a table, and the timeline of deadlines against the sittings
 * (common/domain/timeline_svg) with its legend and the sittings listed.
 *
 * Self-contained: the style is in the page, there is no script and
 * nothing is fetched. Every text from a daemon is escaped. */
#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <uninorm.h>

#include "base/date.h"
#include "domain/timeline_svg.h"
#include "report_private.h"

static const char s_style[] =
    "@page{size:A4 portrait;margin:20mm 15mm 20mm 30mm;"
    "@top-center{content:counter(page);font:13pt \"Times New Roman\",Times,serif}}\n"
    "@page:first{@top-center{content:none}}\n"
    "html{-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
    "body{font-family:\"Times New Roman\",Times,\"Liberation Serif\",serif;font-size:13pt;"
    "line-height:1.3;color:#000;background:#fff;margin:0}\n"
    "@media screen{body{width:165mm;margin:10mm auto}}\n"
    "table.heading{width:100%;border-collapse:collapse;margin:0 0 8mm}\n"
    "table.heading td{border:0;padding:0;text-align:center;vertical-align:top}\n"
    "td.agency{width:38%;font-size:12.5pt}td.nation{width:62%}\n"
    ".issuer,.state,.motto{font-weight:bold}.state{font-size:12.5pt;white-space:nowrap}\n"
    ".motto span{border-bottom:1px solid #000;padding-bottom:1px}\n"
    ".rule{width:30%;margin:2pt auto 0;border-top:1px solid #000}\n"
    "td.dateline{font-style:italic;padding-top:6pt}\n"
    "h1{font-size:14pt;font-weight:bold;text-align:center;margin:0}\n"
    "p.summary{font-size:14pt;font-weight:bold;text-align:center;margin:2pt 0 0}\n"
    "h1+p.summary+.rule{margin-bottom:6mm}\n"
    "h2{font-size:13pt;font-weight:bold;margin:6mm 0 2mm;break-after:avoid}\n"
    "h2 .count{font-weight:normal}\n"
    "p.none{font-style:italic;margin:0 0 0 1em}\n"
    "table.tasks,table.sittings{width:100%;border-collapse:collapse;font-size:11pt}\n"
    "table.tasks th,table.tasks td,table.sittings th,table.sittings td{border:1px solid #000;"
    "padding:2pt 3pt;vertical-align:top;text-align:left}\n"
    "th{font-weight:bold;text-align:center}thead{display:table-header-group}\n"
    "tr{break-inside:avoid}table.tasks td.n{text-align:center}table.tasks td.num{text-align:right}\n"
    "table.sittings td.date{white-space:nowrap}\n"
    ".flags{font-style:italic}\n"
    "table.tasks{table-layout:fixed}col.n{width:6%}col.task{width:30%}col.lead{width:13%}"
    "col.with{width:15%}col.date{width:14%}col.status{width:12%}col.num{width:10%}\n"
    "table.tasks th{font-size:10pt;hyphens:auto}\n"
    "td{overflow-wrap:anywhere}td.date{overflow-wrap:normal}\n"
    "section.timeline{break-inside:avoid}\n"
    "svg#timeline{width:100%;height:auto;border:1px solid #999;margin:1mm 0}\n"
    "svg text{font-family:\"Times New Roman\",Times,serif}\n"
    ".sitting{fill:#90caf9}.sitting.kind-1{fill:#1565c0}.sitting.kind-2{fill:#42a5f5}"
    ".sitting.kind-3{fill:#80cbc4}.sitting.kind-4{fill:#b0bec5}\n"
    ".deadline{fill:#2e7d32}.deadline.late{fill:#c62828}\n"
    /* the image is 960 wide on 165 mm of paper: 16px print as about 8pt */
    "line.today{stroke:#c62828;stroke-width:2}text.today{fill:#c62828;font-size:16px}\n"
    "line.month{stroke:#ccc}text.month{font-size:15px;fill:#444}\n"
    "text.mark{font-size:12px;fill:#000}\n"
    "p.legend{font-size:11pt;margin:1mm 0 3mm}p.legend span{margin-right:1.2em;"
    "white-space:nowrap}\n"
    "svg.key{width:.9em;height:.9em;vertical-align:-.1em;margin-right:.3em}\n";

/* I, II, ... for the numbered headings (a report has a handful). */
static void s_roman(strbuf_t *b, unsigned n)
{
    static const struct {
        unsigned value;
        const char *text;
    } digits[] = {{1000, "M"}, {900, "CM"}, {500, "D"}, {400, "CD"}, {100, "C"}, {90, "XC"},
                  {50, "L"},   {40, "XL"},  {10, "X"},  {9, "IX"},   {5, "V"},   {4, "IV"},
                  {1, "I"}};
    for (size_t i = 0; i < sizeof digits / sizeof digits[0]; i++)
        for (; n >= digits[i].value; n -= digits[i].value)
            strbuf_str(b, digits[i].text);
}

/* Capitals the way Vietnamese writes them ("Báo cáo" -> "BÁO CÁO"). */
static void s_upper(strbuf_t *b, const char *s)
{
    size_t n = 0;
    uint8_t *upper = u8_toupper((const uint8_t *)s, strlen(s), lang_code(i18n_language()),
                                UNINORM_NFC, NULL, &n);
    if (!upper) {
        strbuf_html(b, s);
        return;
    }
    strbuf_t text = {0};
    strbuf_add(&text, (const char *)upper, n);
    strbuf_html(b, text.data);
    strbuf_free(&text);
    free(upper);
}

/* "Hà Nội, ngày 05 tháng 02 năm 2024" (Decree 30: a leading zero for the
 * days 1-9 and the months 1 and 2), "Ha Noi, 5 February 2024". */
static void s_dateline(strbuf_t *b, int32_t day)
{
    static const char *const months[] = {"January", "February", "March",     "April",
                                          "May",     "June",     "July",      "August",
                                          "September", "October", "November", "December"};
    int y, m, d;
    date_to_ymd(day, &y, &m, &d);
    char dd[8], mm[16];
    if (i18n_language() == LANG_VI) {
        snprintf(dd, sizeof dd, "%02d", d);
        snprintf(mm, sizeof mm, m < 3 ? "%02d" : "%d", m);
    } else {
        snprintf(dd, sizeof dd, "%d", d);
        snprintf(mm, sizeof mm, "%s", months[(m - 1) % 12]);
    }
    /* TRANSLATORS: the place and date of a document: day, month, year. */
    strbuf_html_printf(b, _("Ha Noi, %1$s %2$s %3$d"), dd, mm, y);
}

static void s_heading(strbuf_t *b, const report_doc_t *doc)
{
    char day[DATE_ISO_LEN];
    render_day(doc->day, day);
    strbuf_str(b, "<table class=\"heading\" role=\"presentation\">\n<tr><td class=\"agency\">"
                  "<div class=\"parent\">");
    strbuf_html(b, _("NATIONAL ASSEMBLY"));
    strbuf_str(b, "</div><div class=\"issuer\">");
    strbuf_html(b, _("SECRETARIAT"));
    strbuf_str(b, "</div><div class=\"rule\"></div></td>\n<td class=\"nation\">"
                  "<div class=\"state\">");
    strbuf_html(b, _("SOCIALIST REPUBLIC OF VIET NAM"));
    strbuf_str(b, "</div><div class=\"motto\"><span>");
    strbuf_html(b, _("Independence - Freedom - Happiness"));
    strbuf_str(b, "</span></div></td></tr>\n<tr><td></td><td class=\"dateline\">");
    s_dateline(b, doc->day);
    strbuf_str(b, "</td></tr>\n</table>\n<h1>");
    s_upper(b, doc->title);
    strbuf_str(b, "</h1>\n<p class=\"summary\">");
    strbuf_html_printf(b, _("Tasks of the work program as of %s"), day);
    strbuf_str(b, "</p>\n<div class=\"rule\"></div>\n");
}

static void s_task_row(strbuf_t *b, size_t n, const Thuky__Task *t)
{
    char due[RENDER_DEADLINE_LEN], flags[RENDER_FLAGS_LEN];
    strbuf_t with = {0};
    report_deadline(t, due, sizeof due);
    report_with_offices(t, &with);
    render_flags(t, flags, sizeof flags);
    strbuf_printf(b, "<tr><td class=\"n\">%zu</td><td><b>T%u</b> ", n, t->id);
    strbuf_html(b, t->title);
    if (flags[0]) {
        strbuf_str(b, "<div class=\"flags\">");
        strbuf_html(b, flags);
        strbuf_str(b, "</div>");
    }
    strbuf_str(b, "</td><td>");
    strbuf_html(b, t->lead_office);
    strbuf_str(b, "</td><td>");
    strbuf_html(b, with.data);
    strbuf_str(b, "</td><td class=\"date\">");
    strbuf_html(b, due[0] ? due : "—");
    strbuf_str(b, "</td><td>");
    strbuf_html(b, render_status_label(t->status));
    strbuf_printf(b, "</td><td class=\"num\">%u</td></tr>\n", t->progress);
    strbuf_free(&with);
}

static void s_section(strbuf_t *b, unsigned number, const report_section_t *s)
{
    strbuf_str(b, "<section>\n<h2>");
    s_roman(b, number);
    strbuf_str(b, ". ");
    strbuf_html(b, s->title);
    strbuf_str(b, " <span class=\"count\">(");
    strbuf_html_printf(b, P_("%zu task", "%zu tasks", s->count), s->count);
    strbuf_str(b, ")</span></h2>\n");
    if (!s->count) {
        strbuf_str(b, "<p class=\"none\">");
        strbuf_html(b, _("None."));
        strbuf_str(b, "</p>\n</section>\n");
        return;
    }
    const char *heads[] = {_("No."),
                           _("Task"),
                           report_column(REPORT_COL_LEAD),
                           report_column(REPORT_COL_WITH),
                           report_column(REPORT_COL_DEADLINE),
                           report_column(REPORT_COL_STATUS),
                           report_column(REPORT_COL_PROGRESS)};
    strbuf_str(b, "<table class=\"tasks\"><colgroup><col class=\"n\"><col class=\"task\">"
                  "<col class=\"lead\"><col class=\"with\"><col class=\"date\">"
                  "<col class=\"status\"><col class=\"num\"></colgroup><thead><tr>");
    for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
        strbuf_str(b, "<th>");
        strbuf_html(b, heads[i]);
        strbuf_str(b, "</th>");
    }
    strbuf_str(b, "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < s->count; i++)
        s_task_row(b, i + 1, s->tasks[i]);
    strbuf_str(b, "</tbody></table>\n</section>\n");
}

static void s_key(strbuf_t *b, const char *shape, const char *words)
{
    strbuf_printf(b, "<span><svg class=\"key\" viewBox=\"0 0 10 10\" aria-hidden=\"true\">%s"
                     "</svg>",
                  shape);
    strbuf_html(b, words);
    strbuf_str(b, "</span>");
}

static void s_sitting_time(strbuf_t *b, const Thuky__SittingTime *t)
{
    char day[DATE_ISO_LEN + 8];
    if (!t || !t->date[0]) {
        strbuf_str(b, "—");
        return;
    }
    render_iso_date(t->date, day, sizeof day);
    strbuf_html(b, day);
    if (t->time[0]) {
        strbuf_str(b, " ");
        strbuf_html(b, t->time);
    }
}

/* The sittings of the window, listed (the bars carry their names only as
 * tooltips, which paper does not show). None: no list. */
static void s_sittings(strbuf_t *b, const report_doc_t *doc)
{
    if (!doc->n_sittings)
        return;
    strbuf_str(b, "<table class=\"sittings\"><thead><tr><th>");
    strbuf_html(b, _("Sitting"));
    strbuf_str(b, "</th><th>");
    strbuf_html(b, _("Opening"));
    strbuf_str(b, "</th><th>");
    strbuf_html(b, _("Closing"));
    strbuf_str(b, "</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < doc->n_sittings; i++) {
        const Thuky__Sitting *s = doc->sittings[i];
        strbuf_str(b, "<tr><td>");
        strbuf_html(b, s->title[0] ? s->title : s->id);
        strbuf_str(b, "</td><td class=\"date\">");
        s_sitting_time(b, s->start);
        strbuf_str(b, "</td><td class=\"date\">");
        s_sitting_time(b, s->end);
        strbuf_str(b, "</td></tr>\n");
    }
    strbuf_str(b, "</tbody></table>\n");
}

static void s_timeline(strbuf_t *b, unsigned number, const report_doc_t *doc)
{
    /* each task once, in the order of the sections */
    size_t total = 0, n = 0;
    for (size_t s = 0; s < doc->n_sections; s++)
        total += doc->sections[s].count;
    Thuky__Task **tasks = xmalloc((total ? total : 1) * sizeof *tasks);
    for (size_t s = 0; s < doc->n_sections; s++)
        for (size_t i = 0; i < doc->sections[s].count; i++) {
            Thuky__Task *t = doc->sections[s].tasks[i];
            bool seen = false;
            for (size_t k = 0; k < n && !seen; k++)
                seen = tasks[k]->id == t->id;
            if (!seen)
                tasks[n++] = t;
        }
    strbuf_str(b, "<section class=\"timeline\">\n<h2>");
    s_roman(b, number);
    strbuf_str(b, ". ");
    strbuf_html(b, _("Deadlines against the sittings"));
    strbuf_str(b, "</h2>\n");
    timeline_svg_opts_t opts = {.label = _("Timeline"), .today = _("Today"), .mark_ids = true};
    timeline_svg(b, doc->day, doc->sittings, doc->n_sittings, tasks, n, &opts);
    free(tasks);
    strbuf_str(b, "<p class=\"legend\">");
    s_key(b, "<rect class=\"sitting kind-1\" width=\"10\" height=\"10\"/>", _("Plenary session"));
    s_key(b, "<rect class=\"sitting kind-2\" width=\"10\" height=\"10\"/>",
          _("Standing Committee meeting"));
    s_key(b, "<rect class=\"sitting kind-3\" width=\"10\" height=\"10\"/>", _("Conference"));
    s_key(b, "<rect class=\"sitting kind-4\" width=\"10\" height=\"10\"/>",
          _("Periodic briefing"));
    s_key(b, "<circle class=\"deadline\" cx=\"5\" cy=\"5\" r=\"4\"/>", _("Deadline of a task"));
    s_key(b, "<circle class=\"deadline late\" cx=\"5\" cy=\"5\" r=\"4\"/>",
          _("Past its deadline"));
    strbuf_str(b, "</p>\n");
    s_sittings(b, doc);
    strbuf_str(b, "</section>\n");
}

void report_html(const report_doc_t *doc, strbuf_t *b)
{
    char day[DATE_ISO_LEN];
    render_day(doc->day, day);
    strbuf_printf(b, "<!doctype html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<title>",
                  lang_code(i18n_language()));
    strbuf_html_printf(b, "%s %s", doc->title, day);
    strbuf_printf(b, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", s_style);
    s_heading(b, doc);
    unsigned number = 0;
    for (size_t s = 0; s < doc->n_sections; s++)
        s_section(b, ++number, &doc->sections[s]);
    s_timeline(b, ++number, doc);
    strbuf_str(b, "</body>\n</html>\n");
}
