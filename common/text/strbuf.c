#include "text/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strbuf_reserve(strbuf_t *b, size_t more)
{
    if (b->len + more + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + more + 1)
        cap *= 2;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
}

void strbuf_add(strbuf_t *b, const char *s, size_t n)
{
    strbuf_reserve(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void strbuf_str(strbuf_t *b, const char *s) { strbuf_add(b, s, strlen(s)); }

void strbuf_vprintf(strbuf_t *b, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        fatalx("strbuf: bad format %s", fmt);
    strbuf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void strbuf_printf(strbuf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(b, fmt, ap);
    va_end(ap);
}

void strbuf_html(strbuf_t *b, const char *s)
{
    while (s && *s) {
        size_t plain = strcspn(s, "&<>\"'");
        strbuf_add(b, s, plain);
        s += plain;
        switch (*s) {
        case '&': strbuf_str(b, "&amp;"); break;
        case '<': strbuf_str(b, "&lt;"); break;
        case '>': strbuf_str(b, "&gt;"); break;
        case '"': strbuf_str(b, "&quot;"); break;
        case '\'': strbuf_str(b, "&#39;"); break;
        default: return; /* the end */
        }
        s++;
    }
}

void strbuf_html_vprintf(strbuf_t *b, const char *fmt, va_list ap)
{
    strbuf_t text = {0};
    strbuf_vprintf(&text, fmt, ap);
    strbuf_html(b, text.data);
    strbuf_free(&text);
}

void strbuf_html_printf(strbuf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    strbuf_html_vprintf(b, fmt, ap);
    va_end(ap);
}

char *strbuf_take(strbuf_t *b)
{
    char *text = b->data ? b->data : xstrdup("");
    *b = (strbuf_t){0};
    return text;
}

void strbuf_free(strbuf_t *b)
{
    free(b->data);
    *b = (strbuf_t){0};
}
