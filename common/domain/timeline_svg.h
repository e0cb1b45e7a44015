/* The timeline of deadlines against the sittings, as an SVG image: the
 * board's (webd, /) and the printed briefing's (thuky report briefing
 * --format html|pdf).
 *
 * From TIMELINE_BEFORE_DAYS before today to TIMELINE_AFTER_DAYS after it:
 * the first of each month as a thin line with "MM/YYYY", each sitting as a
 * bar (class "sitting kind-N", N its SittingKind; its title the tooltip),
 * each task's deadline as a mark (class "deadline", with "late" when it is
 * before today; "T12 title" the tooltip) and today as a line (id "today").
 * The look comes from the page's stylesheet (those classes). Every text
 * from a daemon is escaped (text/strbuf.h). */
#ifndef THUKY_TIMELINE_SVG_H
#define THUKY_TIMELINE_SVG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "text/strbuf.h"
#include "thuky/session.pb-c.h"
#include "thuky/task.pb-c.h"

/* The window drawn: ask for the sittings of this range. */
#define TIMELINE_BEFORE_DAYS 30
#define TIMELINE_AFTER_DAYS 120
#define TIMELINE_SVG_W 960
#define TIMELINE_SVG_H 220

/* The words and the links, chosen by the caller (its own language). */
typedef struct {
    const char *label;     /* the image's accessible name ("Timeline") */
    const char *today;     /* the word beside today's line ("Today") */
    const char *task_href; /* each mark links to task_href + its id ("/?task=");
                            * NULL: no links (a printed page) */
    bool mark_ids;         /* "T12" written beside each mark (for print) */
} timeline_svg_opts_t;

/* Appends <svg id="timeline" ...>...</svg> and a newline to b. today is a
 * day number (base/date.h). A task without a resolved deadline, or one
 * outside the window, has no mark; a sitting outside it no bar. A task
 * listed twice gets two marks: the caller passes each once. */
void timeline_svg(strbuf_t *b, int32_t today, Thuky__Sitting *const *sittings, size_t n_sittings,
                  Thuky__Task *const *tasks, size_t n_tasks, const timeline_svg_opts_t *opts);

#endif
