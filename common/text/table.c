/*  table.c - plain-text tables aligned by terminal display width. */
#include "text/table.h"
#include "text/utf8.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define REPLACEMENT     "\xEF\xBF\xBD"  /* U+FFFD */
#define REPLACEMENT_LEN 3

/* Scratch space for one truncated cell (cells that fit are printed in
   place). Only a max width in the thousands of columns, or absurd runs of
   combining marks, could overflow it; utf8_truncate then just cuts earlier,
   still ending in "…", and the table stays aligned. */
#define CELL_BUF_SIZE 4096

struct table {
    size_t columns;
    char **headers;         /* columns entries */
    bool *right;            /* per column: right-aligned? */
    size_t *max_width;      /* per column: 0 = unlimited */
    size_t *widths;         /* per column: scratch for table_print, allocated
                               up front so printing can't fail */
    char **cells;           /* rows * columns entries, row-major */
    size_t rows;
    size_t capacity;        /* rows that fit in cells */
};

/* Expected length of a UTF-8 sequence from its lead byte (1 for ASCII and
   anything that can't start a sequence). */
static size_t
seq_len (unsigned char b)
{
    if (b >= 0xF0)
        return 4;
    if (b >= 0xE0)
        return 3;
    if (b >= 0xC0)
        return 2;
    return 1;
}

/* Returns a clean copy of text for display: "\r\n", '\n', '\r', '\t', '\v'
   and '\f' each become one space (so the table stays on one line per row),
   and every ill-formed UTF-8 byte becomes U+FFFD (so widths are exact).
   NULL becomes "". Returns NULL on allocation failure. */
static char *
clean_copy (const char *text)
{
    if (!text)
        text = "";
    size_t len = strlen (text);
    if (len > (SIZE_MAX - 1) / REPLACEMENT_LEN)
        return NULL;
    /* Worst case every byte is ill-formed and grows to 3 bytes */
    char *copy = malloc (len * REPLACEMENT_LEN + 1);
    if (!copy)
        return NULL;

    size_t in = 0, out = 0;
    while (in < len) {
        unsigned char b = (unsigned char) text [in];
        size_t n = seq_len (b);
        if (b == '\r' && text [in + 1] == '\n') {
            copy [out++] = ' ';
            in += 2;
        }
        else
        if (b == '\n' || b == '\r' || b == '\t' || b == '\v' || b == '\f') {
            copy [out++] = ' ';
            in++;
        }
        else
        if (n <= len - in && utf8_valid (text + in, n)) {
            memcpy (copy + out, text + in, n);
            out += n;
            in += n;
        }
        else {
            memcpy (copy + out, REPLACEMENT, REPLACEMENT_LEN);
            out += REPLACEMENT_LEN;
            in++;
        }
    }
    copy [out] = '\0';
    return copy;
}

table_t *
table_new (size_t columns, const char *const *headers, const char *align)
{
    if (columns == 0 || !headers)
        return NULL;
    table_t *self = calloc (1, sizeof (table_t));
    if (!self)
        return NULL;
    self->columns = columns;
    self->headers = calloc (columns, sizeof (char *));
    self->right = calloc (columns, sizeof (bool));
    self->max_width = calloc (columns, sizeof (size_t));
    self->widths = calloc (columns, sizeof (size_t));
    if (!self->headers || !self->right || !self->max_width || !self->widths) {
        table_destroy (&self);
        return NULL;
    }
    bool align_done = !align;
    for (size_t col = 0; col < columns; col++) {
        /* Stop reading align at its terminator; the rest default to left */
        if (!align_done && align [col] == '\0')
            align_done = true;
        self->right [col] = !align_done && align [col] == 'r';
        self->headers [col] = clean_copy (headers [col]);
        if (!self->headers [col]) {
            table_destroy (&self);
            return NULL;
        }
    }
    return self;
}

void
table_destroy (table_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    table_t *self = *self_p;
    if (self->headers)
        for (size_t col = 0; col < self->columns; col++)
            free (self->headers [col]);
    for (size_t i = 0; i < self->rows * self->columns; i++)
        free (self->cells [i]);
    free (self->headers);
    free (self->right);
    free (self->max_width);
    free (self->widths);
    free (self->cells);
    free (self);
    *self_p = NULL;
}

int
table_add_row (table_t *self, const char *const *cells)
{
    if (!self)
        return -1;
    if (self->rows == self->capacity) {
        size_t capacity = self->capacity ? self->capacity * 2 : 8;
        if (capacity > SIZE_MAX / sizeof (char *) / self->columns)
            return -1;
        char **grown = realloc (self->cells,
                                capacity * self->columns * sizeof (char *));
        if (!grown)
            return -1;
        self->cells = grown;
        self->capacity = capacity;
    }
    char **row = self->cells + self->rows * self->columns;
    for (size_t col = 0; col < self->columns; col++) {
        row [col] = clean_copy (cells ? cells [col] : NULL);
        if (!row [col]) {
            while (col > 0)
                free (row [--col]);
            return -1;
        }
    }
    self->rows++;
    return 0;
}

void
table_set_max_width (table_t *self, size_t column, size_t max_width)
{
    if (self && column < self->columns)
        self->max_width [column] = max_width;
}

size_t
table_rows (const table_t *self)
{
    return self ? self->rows : 0;
}

/* Returns the text to print for a cell in column col, truncated to the
   column's max width if needed (using buf), and its display width. */
static const char *
cell_view (const table_t *self, size_t col, const char *text,
           char *buf, size_t *width)
{
    *width = utf8_width (text);
    if (self->max_width [col] == 0 || *width <= self->max_width [col])
        return text;
    *width = utf8_truncate (text, self->max_width [col], buf, CELL_BUF_SIZE);
    return buf;
}

/* Writes text, holding back spaces until something visible follows them.
   Spaces still pending at the end of a line are simply dropped, which is
   what guarantees no trailing spaces (empty last cells, left padding,
   cells ending in a space or a replaced newline). */
static void
put_text (FILE *out, const char *text, size_t *pending)
{
    for (; *text; text++) {
        if (*text == ' ')
            (*pending)++;
        else {
            for (; *pending > 0; (*pending)--)
                fputc (' ', out);
            fputc (*text, out);
        }
    }
}

static void
put_line (const table_t *self, FILE *out, char *const *line,
          const size_t *widths)
{
    char buf [CELL_BUF_SIZE];
    size_t pending = 0;
    for (size_t col = 0; col < self->columns; col++) {
        if (col > 0)
            pending += 2;
        size_t width;
        const char *text = cell_view (self, col, line [col], buf, &width);
        size_t pad = widths [col] - width;
        if (self->right [col])
            pending += pad;
        put_text (out, text, &pending);
        if (!self->right [col])
            pending += pad;
    }
    fputc ('\n', out);
}

void
table_print (const table_t *self, FILE *out)
{
    if (!self || !out)
        return;
    size_t *widths = self->widths;
    char buf [CELL_BUF_SIZE];
    size_t width;

    for (size_t col = 0; col < self->columns; col++) {
        cell_view (self, col, self->headers [col], buf, &width);
        widths [col] = width;
        for (size_t row = 0; row < self->rows; row++) {
            cell_view (self, col, self->cells [row * self->columns + col],
                       buf, &width);
            if (width > widths [col])
                widths [col] = width;
        }
    }
    put_line (self, out, self->headers, widths);

    /* Separator; a zero-width last column must not leave the gap behind */
    size_t pending = 0;
    for (size_t col = 0; col < self->columns; col++) {
        if (col > 0)
            pending += 2;
        if (widths [col] > 0) {
            for (; pending > 0; pending--)
                fputc (' ', out);
            for (size_t i = 0; i < widths [col]; i++)
                fputc ('-', out);
        }
    }
    fputc ('\n', out);

    for (size_t row = 0; row < self->rows; row++)
        put_line (self, out, self->cells + row * self->columns, widths);
}
