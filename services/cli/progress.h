/* The progress of long work, on one line of stderr redrawn in place:
 *
 *   Importing tasks: 42,000/100,000 (42%) · 18,500/s · 3 s left
 *
 * in the CLI's language (digits grouped with '.' in Vietnamese, ',' in
 * English). It is shown when stderr is a terminal; THUKY_PROGRESS=1 shows
 * it anyway (tests have no terminal), THUKY_PROGRESS=0 never. When it is
 * not shown nothing is written, so piped output stays as it was.
 *
 *   progress_t p;
 *   progress_start(&p, _("Importing tasks"), total);
 *   ... progress_update(&p, done); ...
 *   progress_end(&p);    (always, before the command's own output)
 *
 * The line is redrawn at most 10 times a second. A message written to
 * stderr while the line is open calls progress_break() first (cli_error
 * does), so it starts on a line of its own. */
#ifndef THUKY_PROGRESS_H
#define THUKY_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *label;  /* in the CLI's language; not copied */
    uint64_t total;
    uint64_t done;
    int64_t started_ms; /* clock_monotonic_ms() */
    int64_t drawn_ms;   /* when the line was last drawn */
    uint64_t drawn;     /* done, as it was drawn then */
    size_t width;       /* display width of the line on screen */
    bool shown;         /* a terminal, or THUKY_PROGRESS=1 */
    bool open;          /* the line is on screen, not ended yet */
} progress_t;

/* Starts the progress of label over total items and draws it at 0;
 * returns whether it is shown (never for a total of 0). */
bool progress_start(progress_t *p, const char *label, uint64_t total);
/* done of the total items are done; redraws when the last drawing is a
 * tenth of a second old. */
void progress_update(progress_t *p, uint64_t done);
/* Draws the last state (unless it is on screen) and ends the line. */
void progress_end(progress_t *p);
/* Ends the open line, if any, so that a message can follow on its own;
 * the next update draws the line again below it. */
void progress_break(void);

#endif
