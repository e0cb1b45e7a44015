#include "domain/timeline_svg.h"

#include "base/date.h"

static int s_x(int32_t day, int32_t first, int32_t last)
{
    return 20 + (int)((int64_t)(day - first) * (TIMELINE_SVG_W - 40) / (last - first));
}

static void s_months(strbuf_t *b, int32_t first, int32_t last)
{
    for (int32_t d = first; d <= last; d++) {
        char iso[DATE_ISO_LEN];
        date_format_iso(d, iso);
        if (iso[8] == '0' && iso[9] == '1')
            strbuf_printf(b, "<line class=\"month\" x1=\"%d\" y1=\"20\" x2=\"%d\" y2=\"%d\"/>"
                             "<text class=\"month\" x=\"%d\" y=\"14\">%.2s/%.4s</text>\n",
                          s_x(d, first, last), s_x(d, first, last), TIMELINE_SVG_H - 10,
                          s_x(d, first, last) + 2, iso + 5, iso);
    }
}

static void s_sittings(strbuf_t *b, int32_t first, int32_t last, Thuky__Sitting *const *sittings,
                       size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const Thuky__Sitting *s = sittings[i];
        int32_t a, z;
        if (!s->start || !date_parse(s->start->date, &a, NULL))
            continue;
        if (!s->end || !date_parse(s->end->date, &z, NULL))
            z = a;
        if (z < first || a > last)
            continue;
        a = a < first ? first : a;
        z = z > last ? last : z;
        int x = s_x(a, first, last), w = s_x(z + 1, first, last) - x;
        strbuf_printf(b, "<rect class=\"sitting kind-%d\" x=\"%d\" y=\"30\" width=\"%d\" "
                         "height=\"40\"><title>",
                      (int)s->kind, x, w < 2 ? 2 : w);
        strbuf_html(b, s->title);
        strbuf_str(b, "</title></rect>\n");
    }
}

static void s_marks(strbuf_t *b, int32_t today, int32_t first, int32_t last,
                    Thuky__Task *const *tasks, size_t n, const timeline_svg_opts_t *opts)
{
    int row = 0;
    for (size_t i = 0; i < n; i++) {
        const Thuky__Task *t = tasks[i];
        int32_t d;
        if (!t->deadline || !date_parse(t->deadline->resolved_date, &d, NULL) || d < first ||
            d > last)
            continue;
        int x = s_x(d, first, last), y = 90 + (row++ % 10) * 12;
        if (opts->task_href) {
            strbuf_str(b, "<a href=\"");
            strbuf_html(b, opts->task_href);
            strbuf_printf(b, "%u\">", t->id);
        }
        strbuf_printf(b, "<circle class=\"deadline%s\" cx=\"%d\" cy=\"%d\" r=\"5\" "
                         "data-task=\"%u\"><title>",
                      d < today ? " late" : "", x, y, t->id);
        strbuf_html_printf(b, "T%u %s", t->id, t->title);
        strbuf_str(b, "</title></circle>");
        if (opts->mark_ids)
            strbuf_printf(b, "<text class=\"mark\" x=\"%d\" y=\"%d\">T%u</text>", x + 7, y + 4,
                          t->id);
        strbuf_str(b, opts->task_href ? "</a>\n" : "\n");
    }
}

void timeline_svg(strbuf_t *b, int32_t today, Thuky__Sitting *const *sittings, size_t n_sittings,
                  Thuky__Task *const *tasks, size_t n_tasks, const timeline_svg_opts_t *opts)
{
    int32_t first = today - TIMELINE_BEFORE_DAYS, last = today + TIMELINE_AFTER_DAYS;
    strbuf_printf(b, "<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" "
                     "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
                  TIMELINE_SVG_W, TIMELINE_SVG_H);
    strbuf_html(b, opts->label);
    strbuf_str(b, "\">\n");
    s_months(b, first, last);
    s_sittings(b, first, last, sittings, n_sittings);
    s_marks(b, today, first, last, tasks, n_tasks, opts);
    int x = s_x(today, first, last);
    strbuf_printf(b, "<line id=\"today\" class=\"today\" x1=\"%d\" y1=\"20\" x2=\"%d\" "
                     "y2=\"%d\"/><text class=\"today\" x=\"%d\" y=\"%d\">",
                  x, x, TIMELINE_SVG_H - 10, x + 3, TIMELINE_SVG_H - 2);
    strbuf_html(b, opts->today);
    strbuf_str(b, "</text>\n</svg>\n");
}
