/* A growing text buffer, always NUL-terminated once anything was added:
 * the one every renderer uses (mail text, iCalendar, web pages, JSON). */
#ifndef THUKY_STRBUF_H
#define THUKY_STRBUF_H
#include <stdarg.h>
#include <stddef.h>

#include "base/log.h"

typedef struct {
    char *data;    /* NULL until something is added */
    size_t len;
    size_t cap;
} strbuf_t;

/* Room for more bytes and the NUL (data is then never NULL). */
void strbuf_reserve(strbuf_t *b, size_t more);
void strbuf_add(strbuf_t *b, const char *s, size_t n);
void strbuf_str(strbuf_t *b, const char *s);
void strbuf_printf(strbuf_t *b, const char *fmt, ...) LOG_PRINTF(2, 3);
void strbuf_vprintf(strbuf_t *b, const char *fmt, va_list ap);
/* Text into HTML (or SVG, XML), escaped for an element's text and a quoted
 * attribute value alike: & < > " ' become entities, everything else is
 * copied as it is (UTF-8 included). NULL adds nothing. The web face and
 * the printed reports escape every text from a daemon through these. */
void strbuf_html(strbuf_t *b, const char *s);
void strbuf_html_printf(strbuf_t *b, const char *fmt, ...) LOG_PRINTF(2, 3);
void strbuf_html_vprintf(strbuf_t *b, const char *fmt, va_list ap);
/* The text (an empty string when nothing was added), handed over: the
 * caller frees it; the buffer is empty again. */
char *strbuf_take(strbuf_t *b);
void strbuf_free(strbuf_t *b);

#endif
