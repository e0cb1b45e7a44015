/*  utf8.c - minimal UTF-8 helpers for terminal output. */
#include "text/utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <uninorm.h>

/* "…" U+2026 HORIZONTAL ELLIPSIS: 3 bytes, 1 column. */
#define ELLIPSIS     "\xE2\x80\xA6"
#define ELLIPSIS_LEN 3

typedef struct {
    uint32_t first;
    uint32_t last;
} range_t;

/* Combining marks: zero width, they attach to the preceding base char.
   Vietnamese NFD text uses U+0300, 0301, 0302, 0303, 0306, 0309, 031B, 0323. */
static const range_t combining[] = {
    { 0x0300, 0x036F },
    { 0x1AB0, 0x1AFF },
    { 0x1DC0, 0x1DFF },
    { 0x20D0, 0x20FF },
    { 0xFE20, 0xFE2F },
};

/* East Asian Wide / Fullwidth blocks and the common emoji blocks. Deliberately
   coarse: exact per-code-point EAW data is not worth carrying here. */
static const range_t wide[] = {
    { 0x1100, 0x115F },     /* Hangul Jamo initial consonants */
    { 0x2E80, 0x303E },     /* CJK radicals, Kangxi, CJK symbols/punctuation */
    { 0x3041, 0x33FF },     /* Hiragana, Katakana, Bopomofo, CJK compat */
    { 0x3400, 0x4DBF },     /* CJK Extension A */
    { 0x4E00, 0x9FFF },     /* CJK Unified Ideographs */
    { 0xA000, 0xA4CF },     /* Yi */
    { 0xA960, 0xA97F },     /* Hangul Jamo Extended-A */
    { 0xAC00, 0xD7A3 },     /* Hangul syllables */
    { 0xF900, 0xFAFF },     /* CJK compatibility ideographs */
    { 0xFE10, 0xFE19 },     /* Vertical forms */
    { 0xFE30, 0xFE6F },     /* CJK compatibility forms, small form variants */
    { 0xFF00, 0xFF60 },     /* Fullwidth ASCII forms */
    { 0xFFE0, 0xFFE6 },     /* Fullwidth signs */
    { 0x1F300, 0x1F64F },   /* Misc symbols and pictographs, emoticons */
    { 0x1F680, 0x1F6FF },   /* Transport and map symbols */
    { 0x1F900, 0x1F9FF },   /* Supplemental symbols and pictographs */
    { 0x1FA70, 0x1FAFF },   /* Symbols and pictographs extended-A */
    { 0x20000, 0x2FFFD },   /* CJK Extensions B-F, compat supplement */
    { 0x30000, 0x3FFFD },   /* CJK Extension G and later */
};

static bool
in_ranges (uint32_t cp, const range_t *ranges, size_t count)
{
    /* Tables are sorted; binary search. */
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < ranges [mid].first)
            hi = mid;
        else
        if (cp > ranges [mid].last)
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

#define COUNT(a) (sizeof (a) / sizeof ((a) [0]))

static bool
is_combining (uint32_t cp)
{
    return in_ranges (cp, combining, COUNT (combining));
}

static size_t
cp_width (uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
        return 0;               /* C0/C1 controls, DEL */
    if (is_combining (cp))
        return 0;
    if (in_ranges (cp, wide, COUNT (wide)))
        return 2;
    return 1;
}

/* Decodes one code point from s (len bytes available). Returns the sequence
   length, or 0 if the bytes at s are not a well-formed sequence. The allowed
   range of the second byte encodes the overlong/surrogate/max rules
   (Unicode Table 3-7, "Well-Formed UTF-8 Byte Sequences"). */
static size_t
decode (const unsigned char *s, size_t len, uint32_t *cp)
{
    unsigned char b0 = s [0];
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;

    if (b0 < 0x80) {
        *cp = b0;
        return 1;
    }
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 2;
        *cp = b0 & 0x1F;
    }
    else
    if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 3;
        *cp = b0 & 0x0F;
        if (b0 == 0xE0)
            lo = 0xA0;          /* overlong */
        else
        if (b0 == 0xED)
            hi = 0x9F;          /* surrogates U+D800-DFFF */
    }
    else
    if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 4;
        *cp = b0 & 0x07;
        if (b0 == 0xF0)
            lo = 0x90;          /* overlong */
        else
        if (b0 == 0xF4)
            hi = 0x8F;          /* > U+10FFFF */
    }
    else
        return 0;               /* continuation byte, C0/C1, F5..FF */

    if (len < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        unsigned char b = s [i];
        if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF))
            return 0;
        *cp = (*cp << 6) | (b & 0x3F);
    }
    return need;
}

/* Like decode, but never fails: an ill-formed byte is consumed alone and
   reported as one column wide, so callers always make progress. */
static size_t
next_cp (const unsigned char *s, size_t len, uint32_t *cp, size_t *width)
{
    size_t n = decode (s, len, cp);
    if (n == 0) {
        *cp = 0xFFFD;
        *width = 1;
        return 1;
    }
    *width = cp_width (*cp);
    return n;
}

/* Length in bytes of the cluster at s: one code point plus any combining
   marks after it. Sets *width to the cluster's display width. */
static size_t
next_cluster (const unsigned char *s, size_t len, size_t *width)
{
    uint32_t cp;
    size_t n = next_cp (s, len, &cp, width);
    while (n < len) {
        size_t m = decode (s + n, len - n, &cp);
        if (m == 0 || !is_combining (cp))
            break;
        n += m;
    }
    return n;
}

bool
utf8_valid (const char *s, size_t len)
{
    if (!s)
        return len == 0;
    const unsigned char *p = (const unsigned char *) s;
    uint32_t cp;
    while (len > 0) {
        size_t n = decode (p, len, &cp);
        if (n == 0)
            return false;
        p += n;
        len -= n;
    }
    return true;
}

size_t
utf8_scrub (char *s, size_t len)
{
    unsigned char *p = (unsigned char *) s;
    size_t replaced = 0;
    uint32_t cp;
    while (len > 0) {
        size_t n = decode (p, len, &cp);
        if (n == 0) {
            *p = '?';
            n = 1;
            replaced++;
        }
        p += n;
        len -= n;
    }
    return replaced;
}

size_t
utf8_width (const char *s)
{
    if (!s)
        return 0;
    const unsigned char *p = (const unsigned char *) s;
    size_t len = strlen (s);
    size_t total = 0;
    while (len > 0) {
        uint32_t cp;
        size_t w;
        size_t n = next_cp (p, len, &cp, &w);
        total += w;
        p += n;
        len -= n;
    }
    return total;
}

size_t
utf8_truncate (const char *s, size_t max_width, char *out, size_t out_size)
{
    if (!out || out_size == 0)
        return 0;
    out [0] = '\0';
    if (!s)
        return 0;

    size_t len = strlen (s);
    size_t full_width = utf8_width (s);
    if (full_width <= max_width && len < out_size) {
        memcpy (out, s, len + 1);
        return full_width;
    }
    /* Truncating: keep one column and three bytes for the ellipsis, unless
       there is no room for it at all (then we just cut). */
    bool ellipsis = max_width >= 1 && out_size > ELLIPSIS_LEN;
    size_t width_budget = ellipsis ? max_width - 1 : max_width;
    size_t byte_budget = out_size - 1 - (ellipsis ? ELLIPSIS_LEN : 0);

    const unsigned char *p = (const unsigned char *) s;
    size_t used = 0, width = 0;
    while (used < len) {
        size_t w;
        size_t n = next_cluster (p + used, len - used, &w);
        if (width + w > width_budget || used + n > byte_budget)
            break;
        used += n;
        width += w;
    }
    memcpy (out, s, used);
    if (ellipsis) {
        memcpy (out + used, ELLIPSIS, ELLIPSIS_LEN);
        used += ELLIPSIS_LEN;
        width += 1;
    }
    out [used] = '\0';
    return width;
}

/* Unicode's NFC quick check, for the characters Vietnamese text is made of:
 * ASCII and Latin up to U+02FF, Latin Extended Additional (the precomposed
 * ệ, ữ, ...) and the dashes, quotes and ellipsis of General Punctuation.
 * Each is NFC_Quick_Check=Yes with combining class 0, so a string of only
 * these is NFC as it stands (UAX #15, "Detecting Normalization Forms") and
 * needs no u8_normalize, which costs far more than this walk. */
static bool s_plainly_nfc(const unsigned char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        if ((c & 0xE0) == 0xC0 && i + 1 < len && (s[i + 1] & 0xC0) == 0x80) {
            cp = (c & 0x1Fu) << 6 | (s[i + 1] & 0x3Fu);
            i += 2;
        } else if ((c & 0xF0) == 0xE0 && i + 2 < len && (s[i + 1] & 0xC0) == 0x80 &&
                   (s[i + 2] & 0xC0) == 0x80) {
            cp = (c & 0x0Fu) << 12 | (s[i + 1] & 0x3Fu) << 6 | (s[i + 2] & 0x3Fu);
            i += 3;
        } else {
            return false; /* four bytes or malformed: the full path decides */
        }
        if (!(cp < 0x300 || (cp >= 0x1E00 && cp <= 0x1EFF) || (cp >= 0x2010 && cp <= 0x2027)))
            return false;
    }
    return true;
}

char *utf8_nfc(const char *s)
{
    size_t len = strlen(s);
    if (s_plainly_nfc((const unsigned char *)s, len))
        return NULL;
    size_t out_len = 0;
    uint8_t *nfc = u8_normalize(UNINORM_NFC, (const uint8_t *)s, len, NULL, &out_len);
    if (!nfc)
        return NULL; /* out of memory: the text stays as it came */
    if (out_len == len && memcmp(nfc, s, len) == 0) {
        free(nfc);
        return NULL;
    }
    char *copy = realloc(nfc, out_len + 1);
    if (!copy) {
        free(nfc);
        return NULL;
    }
    copy[out_len] = '\0';
    return copy;
}

void utf8_cut_partial(char *s)
{
    size_t len = strlen(s);
    size_t start = len;
    /* back to the lead byte of the last sequence (at most 3 continuation bytes) */
    while (start > 0 && len - start < 4 && ((unsigned char)s[start - 1] & 0xC0) == 0x80)
        start--;
    if (start == 0 || ((unsigned char)s[start - 1] & 0x80) == 0)
        return; /* ends in ASCII (or is all continuation bytes: left to the checks) */
    start--;
    if (!utf8_valid(s + start, len - start))
        s[start] = '\0';
}
