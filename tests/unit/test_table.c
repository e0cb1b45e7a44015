/*  test_table.c - unit tests for common/utf8 and common/table. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/table.h"
#include "text/utf8.h"

/* "Vụ Thư ký" in NFC and in NFD (u + U+0323, u + U+031B horn, y + U+0301). */
#define VU_NFC "V\xE1\xBB\xA5 Th\xC6\xB0 k\xC3\xBD"
#define VU_NFD "Vu\xCC\xA3 Thu\xCC\x9B ky\xCC\x81"
/* "Hội đồng Dân tộc" in NFD: ộ = o + U+0323 + U+0302, ồ = o + U+0302 + U+0300. */
#define HDDT_NFD "Ho\xCC\xA3\xCC\x82i \xC4\x91o\xCC\x82\xCC\x80ng Da\xCC\x82n to\xCC\xA3\xCC\x82\x63"
/* The same in NFC. "\x63" is 'c', spelled as an escape so it isn't read as a hex digit. */
#define HDDT_NFC "H\xE1\xBB\x99i \xC4\x91\xE1\xBB\x93ng D\xC3\xA2n t\xE1\xBB\x99\x63"
#define ELLIPSIS "\xE2\x80\xA6"

static bool
valid (const char *s)
{
    return utf8_valid (s, strlen (s));
}

/* Prints the table into a string; caller frees. */
static char *
print_to_string (const table_t *table)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&buf, &size);
    assert_non_null (out);
    table_print (table, out);
    assert_int_equal (fclose (out), 0);
    return buf;
}

static void
assert_no_trailing_spaces (const char *text)
{
    for (const char *p = text; *p; p++)
        if (*p == '\n')
            assert_true (p == text || p [-1] != ' ');
}

static void
test_utf8_valid_accepts (void **state)
{
    (void) state;
    assert_true (valid (""));
    assert_true (valid ("ASCII only"));
    assert_true (valid (VU_NFC));
    assert_true (valid (VU_NFD));
    assert_true (valid (HDDT_NFC));
    assert_true (valid (HDDT_NFD));
    assert_true (valid ("\xE4\xB8\xAD\xE6\x96\x87"));         /* 中文 */
    assert_true (valid ("\xF0\x9F\x98\x80"));                 /* U+1F600 */
    assert_true (valid ("\xF4\x8F\xBF\xBF"));                 /* U+10FFFF */
    assert_true (valid ("\xEE\x80\x80"));                     /* U+E000 */
    assert_true (utf8_valid (NULL, 0));
}

static void
test_utf8_valid_rejects (void **state)
{
    (void) state;
    assert_false (valid ("\xC0\x80"));             /* overlong NUL */
    assert_false (valid ("\xC1\xBF"));             /* overlong */
    assert_false (valid ("\xE0\x80\x80"));         /* overlong 3-byte */
    assert_false (valid ("\xF0\x80\x80\x80"));     /* overlong 4-byte */
    assert_false (valid ("\x80"));                 /* lone continuation */
    assert_false (valid ("a\xBF" "b"));
    assert_false (valid ("V\xE1\xBB"));            /* truncated ụ */
    assert_false (valid ("\xC3"));                 /* truncated 2-byte */
    assert_false (valid ("\xE1\xBB" "a"));         /* bad continuation */
    assert_false (valid ("\xED\xA0\x80"));         /* surrogate U+D800 */
    assert_false (valid ("\xED\xBF\xBF"));         /* surrogate U+DFFF */
    assert_false (valid ("\xF4\x90\x80\x80"));     /* U+110000 */
    assert_false (valid ("\xF5\x80\x80\x80"));
    assert_false (valid ("\xF8\x88\x80\x80\x80"));
    assert_false (valid ("\xFE"));
    assert_false (valid ("\xFF"));
    /* Length is honoured: a valid sequence cut by len is truncated */
    assert_false (utf8_valid ("\xE1\xBB\xA5", 2));
    assert_true (utf8_valid ("\xE1\xBB\xA5", 3));
}

static void
test_utf8_width (void **state)
{
    (void) state;
    assert_int_equal (utf8_width (""), 0);
    assert_int_equal (utf8_width (NULL), 0);
    assert_int_equal (utf8_width (VU_NFC), 9);
    assert_int_equal (utf8_width (VU_NFD), 9);
    assert_int_equal (utf8_width (HDDT_NFD), 16);
    assert_int_equal (utf8_width (HDDT_NFC), 16);
    assert_int_equal (utf8_width ("\xE4\xB8\xAD\xE6\x96\x87"), 4);         /* 中文 */
    assert_int_equal (utf8_width ("\xED\x95\x9C\xEA\xB5\xAD"), 4);         /* 한국 */
    assert_int_equal (utf8_width ("\xEF\xBC\xA1"), 2);                     /* Ａ */
    assert_int_equal (utf8_width ("\xEF\xBD\xB1"), 1);                     /* halfwidth ｱ */
    assert_int_equal (utf8_width ("\xF0\x9F\x98\x80"), 2);                 /* emoji */
    assert_int_equal (utf8_width ("H\xC3\xA0 N\xE1\xBB\x99i \xE4\xB8\xAD"), 9);
    assert_int_equal (utf8_width ("a\x01" "b\x7F"), 2);                    /* controls */
    assert_int_equal (utf8_width ("e\xE2\x83\x97"), 1);                    /* U+20D7 */
    assert_int_equal (utf8_width (ELLIPSIS), 1);
}

static void
test_utf8_truncate_basic (void **state)
{
    (void) state;
    char out [64];

    /* Fits: copied unchanged */
    assert_int_equal (utf8_truncate (VU_NFC, 9, out, sizeof out), 9);
    assert_string_equal (out, VU_NFC);
    assert_int_equal (utf8_truncate ("", 0, out, sizeof out), 0);
    assert_string_equal (out, "");

    assert_int_equal (utf8_truncate (VU_NFC, 5, out, sizeof out), 5);
    assert_string_equal (out, "V\xE1\xBB\xA5 T" ELLIPSIS);
    assert_int_equal (utf8_truncate (VU_NFC, 8, out, sizeof out), 8);
    assert_string_equal (out, "V\xE1\xBB\xA5 Th\xC6\xB0 " ELLIPSIS);

    /* NFD: the combining mark stays with its base */
    assert_int_equal (utf8_truncate (VU_NFD, 3, out, sizeof out), 3);
    assert_string_equal (out, "Vu\xCC\xA3" ELLIPSIS);
    assert_int_equal (utf8_truncate (HDDT_NFD, 3, out, sizeof out), 3);
    assert_string_equal (out, "Ho\xCC\xA3\xCC\x82" ELLIPSIS);

    /* Wide chars are never cut in half */
    const char *cjk = "\xE4\xB8\xAD\xE6\x96\x87\xE5\xAD\x97";          /* 中文字 */
    assert_int_equal (utf8_truncate (cjk, 4, out, sizeof out), 3);
    assert_string_equal (out, "\xE4\xB8\xAD" ELLIPSIS);
    assert_int_equal (utf8_truncate (cjk, 5, out, sizeof out), 5);
    assert_string_equal (out, "\xE4\xB8\xAD\xE6\x96\x87" ELLIPSIS);
    assert_int_equal (utf8_truncate (cjk, 6, out, sizeof out), 6);
    assert_string_equal (out, cjk);

    /* Degenerate widths */
    assert_int_equal (utf8_truncate (VU_NFC, 0, out, sizeof out), 0);
    assert_string_equal (out, "");
    assert_int_equal (utf8_truncate (VU_NFC, 1, out, sizeof out), 1);
    assert_string_equal (out, ELLIPSIS);
}

static void
test_utf8_truncate_small_buffer (void **state)
{
    (void) state;
    char out [8];

    /* Room for "V" + "…" only: ụ (3 bytes) must not be split */
    assert_int_equal (utf8_truncate (VU_NFC, 100, out, 5), 2);
    assert_string_equal (out, "V" ELLIPSIS);
    /* No room even for the ellipsis: plain cut at a code point boundary */
    assert_int_equal (utf8_truncate (VU_NFC, 100, out, 3), 1);
    assert_string_equal (out, "V");
    assert_int_equal (utf8_truncate (VU_NFC, 100, out, 1), 0);
    assert_string_equal (out, "");
    /* out_size 0 writes nothing */
    out [0] = 'x';
    assert_int_equal (utf8_truncate (VU_NFC, 100, out, 0), 0);
    assert_int_equal (out [0], 'x');
}

/* Property check: for every width and buffer size the result is valid UTF-8,
   no wider than asked, reports its own width, and is a prefix of the input
   ending on a cluster boundary, plus "…" when anything was dropped. */
static void
test_utf8_truncate_never_splits (void **state)
{
    (void) state;
    const char *samples [] = {
        VU_NFC, VU_NFD, HDDT_NFD, "\xE4\xB8\xAD\xE6\x96\x87 ab \xF0\x9F\x98\x80",
        "a\xCC\x80\xCC\x81\xCC\x82\x62",
    };
    char out [64];
    for (size_t i = 0; i < sizeof samples / sizeof samples [0]; i++) {
        const char *s = samples [i];
        size_t full = utf8_width (s);
        for (size_t max = 0; max <= full + 1; max++)
            for (size_t size = 1; size <= strlen (s) + 2; size++) {
                size_t w = utf8_truncate (s, max, out, size);
                size_t len = strlen (out);
                assert_true (len < size);
                assert_true (valid (out));
                assert_int_equal (utf8_width (out), w);
                assert_true (w <= max);
                if (strcmp (out, s) == 0)
                    continue;
                size_t kept = len;
                if (len >= 3 && strcmp (out + len - 3, ELLIPSIS) == 0)
                    kept -= 3;
                assert_memory_equal (out, s, kept);
                /* Next input byte must not start a combining mark U+0300-036F
                   (lead byte CC, or CD followed by 80-AF) */
                unsigned char next = (unsigned char) s [kept];
                assert_true (next != 0xCC);
                assert_false (next == 0xCD && (unsigned char) s [kept + 1] <= 0xAF);
                /* With room for it, a truncated result ends in "…" */
                if (max >= 1 && size > 3)
                    assert_int_equal (kept, len - 3);
            }
    }
}

static void
test_table_basic (void **state)
{
    (void) state;
    const char *headers [] = { "M\xC3\xA3", "\xC4\x90\xC6\xA1n v\xE1\xBB\x8B", "S\xE1\xBB\x91 ng\xC6\xB0\xE1\xBB\x9Di" };
    table_t *table = table_new (3, headers, "llr");
    assert_non_null (table);
    assert_int_equal (table_rows (table), 0);

    const char *row1 [] = { "1", VU_NFC, "12" };
    const char *row2 [] = { "2", HDDT_NFC, "7" };
    const char *row3 [] = { "3", VU_NFD, "105" };
    assert_int_equal (table_add_row (table, row1), 0);
    assert_int_equal (table_add_row (table, row2), 0);
    assert_int_equal (table_add_row (table, row3), 0);
    assert_int_equal (table_rows (table), 3);

    char *text = print_to_string (table);
    const char *expected =
        "M\xC3\xA3  \xC4\x90\xC6\xA1n v\xE1\xBB\x8B            S\xE1\xBB\x91 ng\xC6\xB0\xE1\xBB\x9Di\n"
        "--  ----------------  --------\n"
        "1   " VU_NFC "               12\n"
        "2   " HDDT_NFC "         7\n"
        "3   " VU_NFD "              105\n";
    assert_string_equal (text, expected);
    assert_no_trailing_spaces (text);
    free (text);

    table_destroy (&table);
    assert_null (table);
    table_destroy (&table);             /* harmless on NULL */
}

static void
test_table_right_align_and_trailing (void **state)
{
    (void) state;
    const char *headers [] = { "S\xE1\xBB\x91", "T\xC3\xAAn", "Ghi ch\xC3\xBA" };
    table_t *table = table_new (3, headers, "rl");   /* 3rd column defaults to left */
    assert_non_null (table);

    const char *row1 [] = { "1", "B\xC3\xACnh", "d\xC3\xA0i h\xC6\xA1n" };
    const char *row2 [] = { "1234", "An", "" };
    const char *row3 [] = { NULL, "C", NULL };
    assert_int_equal (table_add_row (table, row1), 0);
    assert_int_equal (table_add_row (table, row2), 0);
    assert_int_equal (table_add_row (table, row3), 0);
    assert_int_equal (table_add_row (table, NULL), 0);

    char *text = print_to_string (table);
    const char *expected =
        "  S\xE1\xBB\x91  T\xC3\xAAn   Ghi ch\xC3\xBA\n"
        "----  ----  -------\n"
        "   1  B\xC3\xACnh  d\xC3\xA0i h\xC6\xA1n\n"
        "1234  An\n"
        "      C\n"
        "\n";
    assert_string_equal (text, expected);
    assert_no_trailing_spaces (text);
    free (text);
    table_destroy (&table);
}

static void
test_table_control_chars (void **state)
{
    (void) state;
    const char *headers [] = { "A", "B" };
    table_t *table = table_new (2, headers, "ll");
    assert_non_null (table);

    const char *row1 [] = { "d\xC3\xB2ng 1\nd\xC3\xB2ng 2", "x" };
    const char *row2 [] = { "a\tb\r\nc", "y\n" };
    const char *row3 [] = { "bad\xFF\xC3", "z" };          /* ill-formed -> U+FFFD */
    assert_int_equal (table_add_row (table, row1), 0);
    assert_int_equal (table_add_row (table, row2), 0);
    assert_int_equal (table_add_row (table, row3), 0);

    char *text = print_to_string (table);
    const char *expected =
        "A              B\n"
        "-------------  --\n"     /* "y\n" -> "y ": width 2, trailing space dropped */
        "d\xC3\xB2ng 1 d\xC3\xB2ng 2  x\n"
        "a b c          y\n"
        "bad\xEF\xBF\xBD\xEF\xBF\xBD          z\n";
    assert_string_equal (text, expected);
    assert_no_trailing_spaces (text);
    assert_true (valid (text));
    free (text);
    table_destroy (&table);
}

static void
test_table_max_width (void **state)
{
    (void) state;
    const char *headers [] = { "\xC4\x90\xC6\xA1n v\xE1\xBB\x8B", "N" };
    table_t *table = table_new (2, headers, "lr");
    assert_non_null (table);
    const char *row1 [] = { HDDT_NFC, "7" };
    const char *row2 [] = { HDDT_NFD, "8" };
    const char *row3 [] = { "\xE4\xB8\xAD\xE6\x96\x87\xE5\xAD\x97\xE5\xAD\x97\xE5\xAD\x97", "9" };  /* 中文字字字 */
    assert_int_equal (table_add_row (table, row1), 0);
    assert_int_equal (table_add_row (table, row2), 0);
    assert_int_equal (table_add_row (table, row3), 0);
    table_set_max_width (table, 0, 8);
    table_set_max_width (table, 7, 3);                     /* ignored */

    char *text = print_to_string (table);
    const char *expected =
        "\xC4\x90\xC6\xA1n v\xE1\xBB\x8B    N\n"
        "--------  -\n"
        "H\xE1\xBB\x99i \xC4\x91\xE1\xBB\x93n" ELLIPSIS "  7\n"
        "Ho\xCC\xA3\xCC\x82i \xC4\x91o\xCC\x82\xCC\x80n" ELLIPSIS "  8\n"
        "\xE4\xB8\xAD\xE6\x96\x87\xE5\xAD\x97" ELLIPSIS "   9\n";
    assert_string_equal (text, expected);
    assert_no_trailing_spaces (text);
    free (text);

    /* Back to unlimited */
    table_set_max_width (table, 0, 0);
    text = print_to_string (table);
    assert_non_null (strstr (text, "D\xC3\xA2n t\xE1\xBB\x99\x63  7\n"));
    free (text);
    table_destroy (&table);
}

static void
test_table_new_invalid (void **state)
{
    (void) state;
    const char *headers [] = { "A" };
    assert_null (table_new (0, headers, "l"));
    assert_null (table_new (1, NULL, "l"));
    table_t *table = table_new (1, headers, NULL);
    assert_non_null (table);
    assert_int_equal (table_rows (NULL), 0);
    assert_int_equal (table_add_row (NULL, headers), -1);
    table_print (NULL, stdout);                          /* no crash */
    table_destroy (&table);
    table_destroy (NULL);
}

static void
test_table_many_rows (void **state)
{
    (void) state;
    const char *headers [] = { "#", "T\xC3\xAAn" };
    table_t *table = table_new (2, headers, "rl");
    assert_non_null (table);
    char num [16];
    for (int i = 0; i < 1000; i++) {
        snprintf (num, sizeof num, "%d", i);
        const char *row [] = { num, VU_NFD };
        assert_int_equal (table_add_row (table, row), 0);
    }
    assert_int_equal (table_rows (table), 1000);
    char *text = print_to_string (table);
    assert_non_null (strstr (text, "\n999  " VU_NFD "\n"));
    assert_non_null (strstr (text, "\n  0  " VU_NFD "\n"));
    free (text);
    table_destroy (&table);
}

/* A buffer cut mid-character loses the partial character only. */
static void
test_utf8_cut_partial (void **state)
{
    (void) state;
    char whole [] = "Hội nghị";                   /* ends in a complete "ị" */
    utf8_cut_partial (whole);
    assert_string_equal (whole, "Hội nghị");
    char cut [] = "Hội ngh\xe1\xbb";               /* "ị" cut after 2 of 3 bytes */
    utf8_cut_partial (cut);
    assert_string_equal (cut, "Hội ngh");
    char lead [] = "ab\xe1";
    utf8_cut_partial (lead);
    assert_string_equal (lead, "ab");
    char ascii [] = "plain";
    utf8_cut_partial (ascii);
    assert_string_equal (ascii, "plain");
}

/* NFD Vietnamese becomes NFC; NFC and ASCII need no copy. */
static void
test_utf8_nfc (void **state)
{
    (void) state;
    char *nfc = utf8_nfc ("Vu\xcc\xa3 Thu\xcc\x9b ky\xcc\x81");   /* "Vụ Thư ký", NFD */
    assert_non_null (nfc);
    assert_string_equal (nfc, "Vụ Thư ký");
    free (nfc);
    assert_null (utf8_nfc ("Vụ Thư ký"));
    assert_null (utf8_nfc ("vu-thu-ky"));
    /* the quick check's characters (Latin, Latin Extended Additional,
     * dashes and quotes) are NFC as they stand */
    assert_null (utf8_nfc ("Nghị quyết – “Kỳ họp thứ 7” … đơn"));
    /* outside them the full normalisation decides: a singleton (U+212B
     * ANGSTROM SIGN is U+00C5) and a combining mark after a base letter */
    nfc = utf8_nfc ("\xe2\x84\xab");
    assert_non_null (nfc);
    assert_string_equal (nfc, "\xc3\x85");
    free (nfc);
    nfc = utf8_nfc ("e\xcc\x82\xcc\xa3");      /* e + circumflex + dot below */
    assert_non_null (nfc);
    assert_string_equal (nfc, "ệ");
    free (nfc);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_utf8_valid_accepts),
        cmocka_unit_test (test_utf8_valid_rejects),
        cmocka_unit_test (test_utf8_width),
        cmocka_unit_test (test_utf8_truncate_basic),
        cmocka_unit_test (test_utf8_truncate_small_buffer),
        cmocka_unit_test (test_utf8_truncate_never_splits),
        cmocka_unit_test (test_table_basic),
        cmocka_unit_test (test_table_right_align_and_trailing),
        cmocka_unit_test (test_table_control_chars),
        cmocka_unit_test (test_table_max_width),
        cmocka_unit_test (test_table_new_invalid),
        cmocka_unit_test (test_table_many_rows),
        cmocka_unit_test (test_utf8_cut_partial),
        cmocka_unit_test (test_utf8_nfc),
    };
    return cmocka_run_group_tests_name ("table", tests, NULL, NULL);
}
