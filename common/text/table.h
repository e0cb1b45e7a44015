/*  table.h - plain-text tables aligned by terminal display width.

    Cells are UTF-8 (Vietnamese, possibly NFD with combining marks) and are
    padded by display width, not bytes. On copy, newlines/tabs in a cell
    become a single space and ill-formed UTF-8 bytes become U+FFFD, so the
    printed table always stays aligned.
*/
#ifndef TABLE_H_INCLUDED
#define TABLE_H_INCLUDED

#include <stddef.h>
#include <stdio.h>

typedef struct table table_t;

/* Columns are given at creation; align 'l' or 'r' per column (string like
   "llr"; missing or other characters mean left, NULL means all left).
   headers must hold `columns` entries (a NULL entry prints as empty).
   Returns NULL when columns is 0, headers is NULL, or allocation fails. */
table_t *table_new(size_t columns, const char *const *headers, const char *align);

/* Destroys the table and sets *self_p to NULL; safe on NULL. */
void table_destroy(table_t **self_p);

/* Adds a row; cells are copied; a NULL cell (or NULL cells) prints as empty.
   Returns 0 or -1 on allocation failure (the table is then unchanged). */
int table_add_row(table_t *self, const char *const *cells);

/* Limits a column's width (longer cells are truncated with "…");
   0 = unlimited (default). Out-of-range columns are ignored. */
void table_set_max_width(table_t *self, size_t column, size_t max_width);

/* Prints header, a separator line of '-' (display width of each column), and
   rows; columns separated by two spaces; no trailing spaces at line ends;
   pads by display width (utf8_width), not bytes. Uses scratch space inside
   the table, so don't print the same table from two threads at once. */
void table_print(const table_t *self, FILE *out);

/* Number of rows added (the header is not counted). */
size_t table_rows(const table_t *self);

#endif
