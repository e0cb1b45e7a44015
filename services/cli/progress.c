/* The progress line of long work (see progress.h). */
#include "progress.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/i18n.h"
#include "runtime/clock.h"
#include "text/strbuf.h"
#include "text/utf8.h"

#define PROGRESS_REDRAW_MS 100 /* at most 10 drawings a second */

/* The progress whose line is on screen now, for progress_break(). */
static progress_t *s_open;

/* THUKY_PROGRESS=1 or 0 decides; otherwise whether stderr is a terminal. */
static bool s_wanted(void)
{
    const char *forced = getenv("THUKY_PROGRESS");
    if (forced && strcmp(forced, "1") == 0)
        return true;
    if (forced && strcmp(forced, "0") == 0)
        return false;
    return isatty(STDERR_FILENO);
}

/* "100,000" in English, "100.000" in Vietnamese. */
static void s_group(uint64_t n, char out[32])
{
    char digits[24];
    int len = snprintf(digits, sizeof digits, "%" PRIu64, n);
    char separator = i18n_language() == LANG_VI ? '.' : ',';
    size_t o = 0;
    for (int i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            out[o++] = separator;
        out[o++] = digits[i];
    }
    out[o] = '\0';
}

/* "3 s", "2 min 5 s", "1 h 20 min": a time left, rounded up. */
static void s_duration(int64_t ms, char *out, size_t len)
{
    unsigned s = (unsigned)((ms + 999) / 1000);
    if (s < 60)
        snprintf(out, len, _("%u s"), s);
    else if (s < 3600)
        snprintf(out, len, _("%u min %u s"), s / 60, s % 60);
    else
        snprintf(out, len, _("%u h %u min"), s / 3600, s % 3600 / 60);
}

/* The rate and time left, once some work is done and some time has gone. */
static void s_add_rate(strbuf_t *line, const progress_t *p, int64_t elapsed_ms)
{
    if (p->done == 0 || elapsed_ms <= 0)
        return;
    char rate[32], left[48];
    s_group(p->done * 1000 / (uint64_t)elapsed_ms, rate);
    strbuf_printf(line, _(" · %s/s"), rate);
    if (p->done >= p->total)
        return;
    s_duration((int64_t)((p->total - p->done) * (uint64_t)elapsed_ms / p->done), left,
               sizeof left);
    strbuf_printf(line, _(" · %s left"), left);
}

static void s_draw(progress_t *p, int64_t now_ms)
{
    char done[32], total[32];
    s_group(p->done, done);
    s_group(p->total, total);
    strbuf_t line = {0};
    strbuf_printf(&line, "%s: %s/%s (%u%%)", p->label, done, total,
                  (unsigned)(p->done * 100 / p->total));
    s_add_rate(&line, p, now_ms - p->started_ms);
    size_t width = utf8_width(line.data);
    /* spaces over what is left of a longer line drawn before */
    fprintf(stderr, "\r%s%*s", line.data, (int)(p->width > width ? p->width - width : 0), "");
    fflush(stderr);
    strbuf_free(&line);
    p->width = width;
    p->drawn_ms = now_ms;
    p->drawn = p->done;
    p->open = true;
    s_open = p;
}

bool progress_start(progress_t *p, const char *label, uint64_t total)
{
    memset(p, 0, sizeof *p);
    p->label = label;
    p->total = total;
    p->shown = total > 0 && s_wanted();
    p->started_ms = clock_monotonic_ms();
    if (p->shown)
        s_draw(p, p->started_ms);
    return p->shown;
}

void progress_update(progress_t *p, uint64_t done)
{
    p->done = done < p->total ? done : p->total;
    if (!p->shown)
        return;
    int64_t now = clock_monotonic_ms();
    if (!p->open || now - p->drawn_ms >= PROGRESS_REDRAW_MS)
        s_draw(p, now);
}

void progress_end(progress_t *p)
{
    if (p->open && p->drawn != p->done)
        s_draw(p, clock_monotonic_ms());
    if (p->open)
        progress_break();
    p->shown = false;
}

void progress_break(void)
{
    if (!s_open)
        return;
    fputc('\n', stderr);
    s_open->open = false;
    s_open->width = 0;
    s_open = NULL;
}
