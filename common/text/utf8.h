/*  utf8.h - minimal UTF-8 helpers for terminal output.

    Locale-independent: widths come from a small built-in range table, so
    output is identical whether or not setlocale() was called (the service
    may well run in the "C" locale).
*/
#ifndef UTF8_H_INCLUDED
#define UTF8_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

/* True when the bytes are well-formed UTF-8 (rejects overlongs, surrogates,
   > U+10FFFF, truncated sequences). A NULL s is valid only when len is 0. */
bool utf8_valid(const char *s, size_t len);

/* Replaces, in place, every byte that does not begin a well-formed
   sequence with '?', so the len bytes become valid UTF-8 of the same
   length. Returns how many bytes were replaced. */
size_t utf8_scrub(char *s, size_t len);

/* Terminal display width of a valid UTF-8 string: combining marks
   (U+0300-036F, U+1AB0-1AFF, U+1DC0-1DFF, U+20D0-20FF, U+FE20-FE2F) count 0,
   East Asian wide/fullwidth (CJK, Hangul, fullwidth forms, common emoji
   ranges) count 2, controls 0, everything else 1. An ill-formed byte counts
   as one column. NULL counts as 0. */
size_t utf8_width(const char *s);

/* Copies at most max_width display columns of s into out (size out_size,
   always NUL-terminated when out_size > 0, never splitting a code point or
   separating a base char from its following combining marks); if truncated,
   ends with "…" (counted in the width). If out_size is too small for the
   text the result is truncated the same way. Returns the width written. */
size_t utf8_truncate(const char *s, size_t max_width, char *out, size_t out_size);

/* Ends s before a last UTF-8 sequence that is incomplete: what a fixed
   buffer leaves when vsnprintf cuts at a byte, not at a character (and
   Vietnamese takes more bytes than English for the same words). */
void utf8_cut_partial(char *s);

/* Vietnamese may be typed precomposed (NFC: "ệ" is one code point) or
   decomposed (NFD: "e" + U+0323 + U+0302, as macOS and some keyboards
   write it). The two look the same and must compare the same, so stored
   text is NFC. Returns a malloc'ed NFC copy of the valid UTF-8 string s
   when it is not NFC already, else NULL (ASCII is NFC: no work). */
char *utf8_nfc(const char *s);

#endif
