/* Unit tests for common/domain/alert_text.c: digest body, subject, e-mail and
 * CloudEvent. The e-mail is taken apart again here (unfolding, RFC 2047,
 * base64) and compared with what went in. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/alert_text.h"
#include "text/utf8.h"

/* 2024-05-20 08:00 in Hanoi (a Monday) = 2024-05-20T01:00:00Z. */
#define FIRE_MS INT64_C(1716166800000)
#define NOW_MS (FIRE_MS + 12345)

/* Only the first item has a web link: the others show an item without. */
#define LINK_12 "https://thuky.quochoi.vn/a/A12-20240523-L3-vu-thu-ky/vu-thu-ky.1719000000.k1." \
                "AAAAAAAAAAAAAAAAAAAAAA"
static const alert_item_t s_items[] = {
    { ALERT_ITEM_LEAD, 12, "Báo cáo thẩm tra dự án Luật Đất đai (sửa đổi)", "2024-05-23", 3,
      "vu-thu-ky", "", "A12-20240523-L3-vu-thu-ky",
      LINK_12 },
    { ALERT_ITEM_DUE, 13, "Tờ trình về chương trình giám sát năm 2025", "2024-05-20", 0,
      "vu-tong-hop", "", "A13-20240520-D-vu-thu-ky", NULL },
    { ALERT_ITEM_OVERDUE, 14, "Tổng hợp ý kiến, kiến nghị của cử tri", "2024-05-16", 2,
      "vu-thu-ky", "", "A14-20240516-O2-vu-thu-ky", NULL },
    { ALERT_ITEM_ESCALATION, 15, "Phương án phân bổ ngân sách", "2024-05-10", 6,
      "vu-tai-chinh", "", "A15-20240510-E6-vu-thu-ky", NULL },
    { ALERT_ITEM_SITTING, 0, "Kỳ họp thứ bảy, Quốc hội khóa XV", "2024-05-23", 3,
      "", "XV-7", "S-XV-7-20240523-vu-thu-ky", NULL },
};
#define N_ITEMS (sizeof s_items / sizeof s_items[0])

static alert_digest_t s_digest(const char *lang)
{
    return (alert_digest_t){
        .digest_id = "D-vu-thu-ky-202405200800",
        .office_id = "vu-thu-ky",
        .office_name = "Vụ Thư ký",
        .lang = lang,
        .to_addr = "huong.nt@quochoi.vn",
        .to_name = "Nguyễn Thị Hương",
        .from_addr = "thuky@quochoi.vn",
        .fire_ms = FIRE_MS,
        .late = false,
        .items = s_items,
        .n_items = N_ITEMS,
    };
}

/* ---- Taking an e-mail apart ------------------------------------------- */

static int s_b64_value(char c)
{
    static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = c ? strchr(set, c) : NULL;
    return p ? (int)(p - set) : -1;
}

/* Strict base64 (length a multiple of 4, '=' only at the end); NULL if bad.
   Line breaks "\r\n" are skipped. */
static char *s_b64_decode(const char *in, size_t n, size_t *out_len)
{
    char *out = malloc(n / 4 * 3 + 1);
    assert_non_null(out);
    size_t len = 0, quad = 0, pad = 0;
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (in[i] == '\r' && i + 1 < n && in[i + 1] == '\n') {
            i++;
            continue;
        }
        int x = in[i] == '=' ? 0 : s_b64_value(in[i]);
        if (x < 0 || (pad && in[i] != '=')) {
            free(out);
            return NULL;
        }
        pad += in[i] == '=';
        v = v << 6 | (uint32_t)x;
        if (++quad == 4) {
            out[len++] = (char)(v >> 16);
            out[len++] = (char)(v >> 8);
            out[len++] = (char)v;
            len -= pad;
            quad = 0;
            v = 0;
        }
    }
    if (quad != 0 || pad > 2) {
        free(out);
        return NULL;
    }
    out[len] = '\0';
    if (out_len)
        *out_len = len;
    return out;
}

typedef struct {
    char *head;    /* the header section, CRLF line ends, without the blank line */
    char *body;    /* the base64 text after the blank line */
} email_t;

/* Splits raw at the blank line, checking line ends and lengths first: CRLF
   everywhere (no bare CR or LF), header lines at most max_line. */
static email_t s_split(const char *raw, size_t len, size_t max_line)
{
    assert_int_equal(strlen(raw), len);
    for (size_t i = 0; i < len; i++) {
        if (raw[i] == '\r')
            assert_true(i + 1 < len && raw[i + 1] == '\n');
        if (raw[i] == '\n')
            assert_true(i > 0 && raw[i - 1] == '\r');
        assert_true(raw[i] != '\0' && (unsigned char)raw[i] < 0x80); /* 7bit */
    }
    const char *blank = strstr(raw, "\r\n\r\n");
    assert_non_null(blank);
    email_t e = { strndup(raw, (size_t)(blank - raw) + 2), strdup(blank + 4) };
    for (const char *line = e.head; *line;) {
        const char *end = strstr(line, "\r\n");
        assert_non_null(end);
        if ((size_t)(end - line) > max_line)
            fail_msg("header line of %zu characters: %.*s", (size_t)(end - line),
                     (int)(end - line), line);
        line = end + 2;
    }
    /* base64 lines: 76 characters, the last one possibly shorter. */
    for (const char *line = e.body; *line;) {
        const char *end = strstr(line, "\r\n");
        assert_non_null(end);
        size_t n = (size_t)(end - line);
        assert_true(n > 0 && n <= 76 && n % 4 == 0);
        if (end[2] != '\0')
            assert_int_equal(n, 76);
        line = end + 2;
    }
    return e;
}

static void s_email_free(email_t *e)
{
    free(e->head);
    free(e->body);
}

/* The unfolded value of a header field (its first occurrence), without the
   space after the colon; NULL if absent. */
static char *s_header(const email_t *e, const char *name)
{
    size_t nlen = strlen(name);
    for (const char *line = e->head; *line; line = strstr(line, "\r\n") + 2) {
        if (strncmp(line, name, nlen) != 0 || line[nlen] != ':')
            continue;
        const char *v = line + nlen + 1;
        if (*v == ' ')
            v++;
        char *out = malloc(strlen(v) + 1);
        assert_non_null(out);
        size_t n = 0;
        for (;;) {
            const char *end = strstr(v, "\r\n");
            memcpy(out + n, v, (size_t)(end - v));
            n += (size_t)(end - v);
            if (end[2] != ' ' && end[2] != '\t')
                break;
            v = end + 2;   /* unfolding removes the CRLF only */
        }
        out[n] = '\0';
        return out;
    }
    return NULL;
}

static int s_header_count(const email_t *e, const char *name)
{
    int count = 0;
    size_t nlen = strlen(name);
    for (const char *line = e->head; *line; line = strstr(line, "\r\n") + 2)
        count += strncmp(line, name, nlen) == 0 && line[nlen] == ':';
    return count;
}

/* Decodes RFC 2047 "B" encoded-words in a header value: whitespace between
   two encoded-words is dropped, other text is kept. Each encoded-word must
   be at most 75 characters and decode to whole UTF-8 characters. */
static char *s_rfc2047_decode(const char *value)
{
    size_t cap = strlen(value) + 1;
    char *out = malloc(cap);
    assert_non_null(out);
    size_t n = 0;
    bool after_word = false;
    const char *p = value;
    while (*p) {
        size_t ws = strspn(p, " \t");
        const char *tok = p + ws;
        if (strncmp(tok, "=?UTF-8?B?", 10) == 0) {
            const char *end = strstr(tok + 10, "?=");
            assert_non_null(end);
            size_t word_len = (size_t)(end + 2 - tok);
            assert_true(word_len <= 75);
            assert_true(end[2] == '\0' || end[2] == ' ');
            if (!after_word) {
                memcpy(out + n, p, ws);
                n += ws;
            }
            size_t dlen = 0;
            char *dec = s_b64_decode(tok + 10, (size_t)(end - tok - 10), &dlen);
            assert_non_null(dec);
            assert_true(utf8_valid(dec, dlen)); /* no character split across words */
            assert_true(n + dlen < cap);
            memcpy(out + n, dec, dlen);
            n += dlen;
            free(dec);
            p = end + 2;
            after_word = true;
        } else {
            size_t len = ws + strcspn(tok, " \t");
            memcpy(out + n, p, len);
            n += len;
            p += len;
            after_word = false;
        }
    }
    out[n] = '\0';
    return out;
}

/* "\n" -> "\r\n" */
static char *s_crlf(const char *text)
{
    char *out = malloc(strlen(text) * 2 + 1);
    assert_non_null(out);
    size_t n = 0;
    for (; *text; text++) {
        if (*text == '\n')
            out[n++] = '\r';
        out[n++] = *text;
    }
    out[n] = '\0';
    return out;
}

/* Checks one rendered e-mail against the digest's own subject and body. */
static void s_check_email(const alert_digest_t *d, size_t max_line)
{
    size_t len = 0;
    char *raw = alert_text_email(d, NOW_MS, &len);
    assert_non_null(raw);
    email_t e = s_split(raw, len, max_line);

    const char *single[] = { "Date", "From", "To", "Subject", "Message-ID", "MIME-Version",
                             "Content-Type", "Content-Transfer-Encoding", "Auto-Submitted",
                             "X-Thuky-Alert" };
    for (size_t i = 0; i < sizeof single / sizeof single[0]; i++)
        assert_int_equal(s_header_count(&e, single[i]), 1);

    char *subject = alert_text_subject(d);
    char *value = s_header(&e, "Subject");
    char *decoded = s_rfc2047_decode(value);
    assert_string_equal(decoded, subject);
    free(value);
    free(decoded);
    free(subject);

    value = s_header(&e, "To");
    char angle[300];
    if (d->to_name && *d->to_name) {
        snprintf(angle, sizeof angle, " <%s>", d->to_addr);
        size_t vlen = strlen(value), alen = strlen(angle);
        assert_true(vlen > alen);
        assert_string_equal(value + vlen - alen, angle);
        value[vlen - alen] = '\0';
        decoded = s_rfc2047_decode(value);
        assert_string_equal(decoded, d->to_name);
        free(decoded);
    } else {
        assert_string_equal(value, d->to_addr);
    }
    free(value);

    value = s_header(&e, "Message-ID");
    char msgid[300];
    snprintf(msgid, sizeof msgid, "<%s@thuky>", d->digest_id);
    assert_string_equal(value, msgid);
    free(value);
    value = s_header(&e, "X-Thuky-Alert");
    assert_string_equal(value, d->digest_id);
    free(value);
    value = s_header(&e, "Auto-Submitted");
    assert_string_equal(value, "auto-generated");
    free(value);
    value = s_header(&e, "MIME-Version");
    assert_string_equal(value, "1.0");
    free(value);
    value = s_header(&e, "Content-Type");
    assert_string_equal(value, "text/plain; charset=UTF-8");
    free(value);
    value = s_header(&e, "Content-Transfer-Encoding");
    assert_string_equal(value, "base64");
    free(value);
    value = s_header(&e, "From");
    snprintf(angle, sizeof angle, "thuky <%s>", d->from_addr);
    assert_string_equal(value, angle);
    free(value);

    char *body = alert_text_body(d);
    char *expected = s_crlf(body);
    size_t blen = 0;
    char *got = s_b64_decode(e.body, strlen(e.body), &blen);
    assert_non_null(got);
    assert_int_equal(blen, strlen(expected));
    assert_string_equal(got, expected);
    free(got);
    free(expected);
    free(body);

    s_email_free(&e);
    free(raw);
}

/* ---- Body ------------------------------------------------------------- */

static void test_body_vi(void **state)
{
    (void)state;
    alert_digest_t d = s_digest("vi");
    char *body = alert_text_body(&d);
    assert_non_null(body);
    assert_string_equal(body,
        "Kính gửi: Vụ Thư ký\n"
        "(Đầu mối: Nguyễn Thị Hương)\n"
        "\n"
        "Hệ thống thuky xin nhắc các thời hạn sau:\n"
        "\n"
        "- T12 Báo cáo thẩm tra dự án Luật Đất đai (sửa đổi) — hạn 23/05/2024: còn 3 ngày\n"
        "  Xem, xác nhận đã nhận hoặc báo cáo tiến độ: " LINK_12 "\n"
        "- T13 Tờ trình về chương trình giám sát năm 2025 — hạn 20/05/2024: đến hạn hôm nay"
        " (chủ trì: vu-tong-hop)\n"
        "- T14 Tổng hợp ý kiến, kiến nghị của cử tri — hạn 16/05/2024: quá hạn 2 ngày làm việc\n"
        "- T15 Phương án phân bổ ngân sách — hạn 10/05/2024: cần đôn đốc đơn vị chủ trì"
        " vu-tai-chinh (quá hạn 6 ngày làm việc)\n"
        "- Kỳ họp XV-7: Kỳ họp thứ bảy, Quốc hội khóa XV — khai mạc 23/05/2024: còn 3 ngày\n"
        "\n"
        "-- \n"
        "Mã thông báo: D-vu-thu-ky-202405200800\n"
        "Thư được gửi tự động từ hệ thống thuky, vui lòng không trả lời thư này.\n");
    free(body);

    /* Any lang but "en" is Vietnamese: NULL, "", unknown. */
    const char *langs[] = { NULL, "", "fr" };
    char *vi = alert_text_body(&d);
    for (size_t i = 0; i < 3; i++) {
        d.lang = langs[i];
        body = alert_text_body(&d);
        assert_string_equal(body, vi);
        free(body);
    }
    free(vi);
}

static void test_body_en(void **state)
{
    (void)state;
    alert_digest_t d = s_digest("en");
    char *body = alert_text_body(&d);
    assert_non_null(body);
    assert_string_equal(body,
        "For the attention of: Vụ Thư ký\n"
        "(Focal point: Nguyễn Thị Hương)\n"
        "\n"
        "thuky reminds you of the following deadlines:\n"
        "\n"
        "- T12 Báo cáo thẩm tra dự án Luật Đất đai (sửa đổi) — due 23/05/2024: 3 days left\n"
        "  See it, acknowledge it or report progress: " LINK_12 "\n"
        "- T13 Tờ trình về chương trình giám sát năm 2025 — due 20/05/2024: due today"
        " (lead: vu-tong-hop)\n"
        "- T14 Tổng hợp ý kiến, kiến nghị của cử tri — due 16/05/2024: 2 working days overdue\n"
        "- T15 Phương án phân bổ ngân sách — due 10/05/2024: the lead office vu-tai-chinh"
        " is 6 working days overdue (escalation)\n"
        "- Sitting XV-7: Kỳ họp thứ bảy, Quốc hội khóa XV — opens 23/05/2024: 3 days left\n"
        "\n"
        "-- \n"
        "Digest: D-vu-thu-ky-202405200800\n"
        "This message was sent automatically by thuky; please do not reply.\n");
    free(body);
}

/* Singular English, a lead time of 0 days, a sitting without a day count. */
static void test_body_singular_and_edges(void **state)
{
    (void)state;
    alert_item_t items[] = {
        { ALERT_ITEM_LEAD, 1, "A", "2024-05-21", 1, "vu-thu-ky", "", "a1", NULL },
        { ALERT_ITEM_LEAD, 2, "B", "2024-05-20", 0, "vu-thu-ky", "", "a2", NULL },
        { ALERT_ITEM_OVERDUE, 3, "C", "2024-05-17", 1, NULL, NULL, "a3", NULL },
        { ALERT_ITEM_ESCALATION, 4, "D", "2024-05-17", 1, "vu-x", "", "a4", NULL },
        { ALERT_ITEM_SITTING, 0, "E", "2024-06-03", 0, "", "GB-1@2024-06-03", "a5", NULL },
    };
    alert_digest_t d = s_digest("en");
    d.items = items;
    d.n_items = 5;
    char *body = alert_text_body(&d);
    assert_non_null(strstr(body, "- T1 A — due 21/05/2024: 1 day left\n"));
    assert_non_null(strstr(body, "- T2 B — due 20/05/2024: due today\n"));
    assert_non_null(strstr(body, "- T3 C — due 17/05/2024: 1 working day overdue\n"));
    assert_non_null(strstr(body, "- T4 D — due 17/05/2024: the lead office vu-x is 1 working"
                                 " day overdue (escalation)\n"));
    assert_non_null(strstr(body, "- Sitting GB-1@2024-06-03: E — opens 03/06/2024\n"));
    free(body);

    d.lang = "vi";
    body = alert_text_body(&d);
    assert_non_null(strstr(body, "- T1 A — hạn 21/05/2024: còn 1 ngày\n"));
    assert_non_null(strstr(body, "- T2 B — hạn 20/05/2024: đến hạn hôm nay\n"));
    assert_non_null(strstr(body, "- T3 C — hạn 17/05/2024: quá hạn 1 ngày làm việc\n"));
    assert_non_null(strstr(body, "- Kỳ họp GB-1@2024-06-03: E — khai mạc 03/06/2024\n"));
    free(body);
}

static void test_body_late(void **state)
{
    (void)state;
    alert_digest_t d = s_digest("vi");
    d.late = true;
    char *body = alert_text_body(&d);
    assert_non_null(strstr(body, "\n\nLưu ý: Thông báo gửi muộn do hệ thống tạm ngừng"
                                 " (dự kiến gửi lúc 08:00 ngày 20/05/2024).\n\n-- \n"));
    free(body);
    d.lang = "en";
    body = alert_text_body(&d);
    assert_non_null(strstr(body, "\n\nNote: Sent late: the system was down at the planned time"
                                 " (planned for 08:00 on 20/05/2024, Hanoi time).\n\n-- \n"));
    free(body);
    d.late = false;
    body = alert_text_body(&d);
    assert_null(strstr(body, "Sent late"));
    free(body);
}

/* No focal point: no second line; no office name: its id. */
static void test_body_greeting(void **state)
{
    (void)state;
    alert_digest_t d = s_digest("vi");
    d.to_name = "";
    d.office_name = NULL;
    char *body = alert_text_body(&d);
    assert_memory_equal(body, "Kính gửi: vu-thu-ky\n\nHệ thống", strlen("Kính gửi: vu-thu-ky\n\nHệ thống"));
    free(body);
}

/* A newline or tab in a title or name must not break the layout. */
static void test_body_control_chars(void **state)
{
    (void)state;
    alert_item_t item = { ALERT_ITEM_DUE, 7, "Dòng một\r\nDòng\thai\xC2\x85", "2024-05-20", 0,
                          "vu-thu-ky", "", "a7", NULL };
    alert_digest_t d = s_digest("vi");
    d.items = &item;
    d.n_items = 1;
    d.to_name = "Tên\nBcc: x@y.z";
    char *body = alert_text_body(&d);
    assert_non_null(strstr(body, "- T7 Dòng một  Dòng hai  — hạn"));
    assert_non_null(strstr(body, "(Đầu mối: Tên Bcc: x@y.z)\n"));
    free(body);
    char *subject = alert_text_subject(&d);
    assert_null(strchr(subject, '\n'));
    free(subject);
    /* No header injection: the name is encoded, the e-mail still checks out
       (its decoded display name is the cleaned one). */
    size_t len;
    char *raw = alert_text_email(&d, NOW_MS, &len);
    assert_null(strstr(raw, "\r\nBcc:"));
    email_t e = s_split(raw, len, 78);
    char *to = s_header(&e, "To");
    *strstr(to, " <") = '\0';
    char *name = s_rfc2047_decode(to);
    assert_string_equal(name, "Tên Bcc: x@y.z");
    free(name);
    free(to);
    s_email_free(&e);
    free(raw);
    /* JSON keeps the title as given, escaped. */
    char *json = alert_text_cloudevent(&d);
    assert_non_null(strstr(json, "Dòng một\\r\\nDòng\\thai"));
    free(json);
}

static void test_empty_digest(void **state)
{
    (void)state;
    alert_digest_t d = s_digest("vi");
    d.items = NULL;
    d.n_items = 0;
    char *body = alert_text_body(&d);
    assert_non_null(strstr(body, "\n\nHiện không có thời hạn nào cần nhắc.\n\n-- \n"));
    assert_null(strstr(body, "\n- "));
    free(body);
    char *subject = alert_text_subject(&d);
    assert_string_equal(subject, "[thuky] Nhắc hạn: không có nhiệm vụ — Vụ Thư ký");
    free(subject);
    s_check_email(&d, 78);

    char *json = alert_text_cloudevent(&d);
    json_error_t err;
    json_t *ev = json_loads(json, 0, &err);
    assert_non_null(ev);
    json_t *items = json_object_get(json_object_get(ev, "data"), "items");
    assert_true(json_is_array(items));
    assert_int_equal(json_array_size(items), 0);
    json_decref(ev);
    free(json);

    d.lang = "en";
    subject = alert_text_subject(&d);
    assert_string_equal(subject, "[thuky] Deadline reminder: no tasks — Vụ Thư ký");
    free(subject);
    body = alert_text_body(&d);
    assert_non_null(strstr(body, "There are no deadlines to remind you of."));
    free(body);
}

/* ---- Subject ---------------------------------------------------------- */

static void test_subject(void **state)
{
    (void)state;
    alert_digest_t d = s_digest("vi");
    char *s = alert_text_subject(&d);
    assert_string_equal(s, "[thuky] Nhắc hạn: 4 nhiệm vụ, 1 kỳ họp — Vụ Thư ký");
    free(s);
    d.lang = "en";
    s = alert_text_subject(&d);
    assert_string_equal(s, "[thuky] Deadline reminder: 4 tasks, 1 sitting — Vụ Thư ký");
    free(s);

    d.n_items = 3;   /* tasks only */
    s = alert_text_subject(&d);
    assert_string_equal(s, "[thuky] Deadline reminder: 3 tasks — Vụ Thư ký");
    free(s);
    d.lang = "vi";
    s = alert_text_subject(&d);
    assert_string_equal(s, "[thuky] Nhắc hạn: 3 nhiệm vụ — Vụ Thư ký");
    free(s);

    d.n_items = 1;
    d.lang = "en";
    s = alert_text_subject(&d);
    assert_string_equal(s, "[thuky] Deadline reminder: 1 task — Vụ Thư ký");
    free(s);

    d.items = &s_items[4];   /* one sitting only */
    s = alert_text_subject(&d);
    assert_string_equal(s, "[thuky] Deadline reminder: 1 sitting — Vụ Thư ký");
    free(s);
    d.lang = "vi";
    s = alert_text_subject(&d);
    assert_string_equal(s, "[thuky] Nhắc hạn: 1 kỳ họp — Vụ Thư ký");
    free(s);
}

/* ---- E-mail ----------------------------------------------------------- */

static void test_email_round_trip(void **state)
{
    (void)state;
    alert_digest_t d = s_digest("vi");
    s_check_email(&d, 78);
    d.lang = "en";
    d.late = true;
    s_check_email(&d, 78);
}

static void test_email_headers_exact(void **state)
{
    (void)state;
    alert_digest_t d = s_digest("vi");
    size_t len;
    char *raw = alert_text_email(&d, NOW_MS, &len);
    email_t e = s_split(raw, len, 78);
    char *v = s_header(&e, "Date");
    assert_string_equal(v, "Mon, 20 May 2024 08:00:12 +0700");
    free(v);
    v = s_header(&e, "To");
    /* "Nguyễn Thị Hương" in one encoded-word. */
    assert_string_equal(v, "=?UTF-8?B?Tmd1eeG7hW4gVGjhu4sgSMawxqFuZw==?= <huong.nt@quochoi.vn>");
    free(v);
    v = s_header(&e, "Content-Language");
    assert_string_equal(v, "vi");
    free(v);
    /* Date is the header block's first line. */
    assert_memory_equal(raw, "Date: ", 6);
    s_email_free(&e);
    free(raw);

    /* Local midnight crosses the UTC day: 2024-12-31T17:00:00Z. */
    raw = alert_text_email(&d, INT64_C(1735664400000), &len);
    e = s_split(raw, len, 78);
    v = s_header(&e, "Date");
    assert_string_equal(v, "Wed, 1 Jan 2025 00:00:00 +0700");
    free(v);
    s_email_free(&e);
    free(raw);
}

/* A plain ASCII name stays readable; one with specials or an "=?" is encoded. */
static void test_email_names(void **state)
{
    (void)state;
    const char *names[] = { "Nguyen Van An", "Nguyen, Van \"An\" (Vu)", "=?UTF-8?B?eA==?=",
                            "  two  spaces ", "" };
    alert_digest_t d = s_digest("en");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        d.to_name = names[i];
        s_check_email(&d, 78);
    }
    d.to_name = "Nguyen Van An";
    size_t len;
    char *raw = alert_text_email(&d, NOW_MS, &len);
    assert_non_null(strstr(raw, "\r\nTo: Nguyen Van An <huong.nt@quochoi.vn>\r\n"));
    free(raw);
    d.to_name = NULL;
    raw = alert_text_email(&d, NOW_MS, &len);
    assert_non_null(strstr(raw, "\r\nTo: huong.nt@quochoi.vn\r\n"));
    free(raw);
}

/* Long titles, office name and focal name: folded headers within 78,
   encoded-words within 75 holding whole characters (NFC, NFD combining
   marks, 4-byte emoji), the body intact. */
static void test_email_long_text(void **state)
{
    (void)state;
    char title[8192] = "";
    for (int i = 0; i < 40; i++)
        strcat(title, "Nghị quyết điều chỉnh chủ trương đầu tư 👍 Vu\xCC\xA3 Thu\xCC\x9B ky\xCC\x81 ");
    char office[2048] = "";
    for (int i = 0; i < 6; i++)
        strcat(office, "Văn phòng Đoàn đại biểu Quốc hội tỉnh Bà Rịa - Vũng Tàu 🇻🇳");
    char nospace[512] = "";
    for (int i = 0; i < 40; i++)
        strcat(nospace, "ệ👍");
    alert_item_t items[3];
    memcpy(items, s_items, sizeof items);
    items[0].title = title;
    items[2].title = nospace;
    alert_digest_t d = s_digest("vi");
    d.items = items;
    d.n_items = 3;
    d.office_name = office;
    d.to_name = "Tôn Nữ Thị Ngọc Bích Phương Thảo Nguyễn Hoàng Anh Thư";
    s_check_email(&d, 78);

    /* The name needs two encoded-words: they break after a space, not
       inside a word (some decoders put a space at the break), though 45
       bytes would end inside "Nguyễn". */
    d.to_name = "Tôn Nữ Ngọc Bích Phương Thảo Nguyễn Hoàng Anh Thư";
    s_check_email(&d, 78);
    size_t len;
    char *raw = alert_text_email(&d, NOW_MS, &len);
    email_t e = s_split(raw, len, 78);
    char *to = s_header(&e, "To");
    char *second = strstr(to, "?= =?UTF-8?B?");
    assert_non_null(second);
    second[2] = '\0';
    char *first = s_rfc2047_decode(to);
    assert_string_equal(first, "Tôn Nữ Ngọc Bích Phương Thảo ");
    free(first);
    free(to);
    s_email_free(&e);
    free(raw);

    d.office_name = nospace;
    d.to_name = nospace;
    s_check_email(&d, 78);

    char *body = alert_text_body(&d);
    assert_non_null(strstr(body, title));
    free(body);
}

/* Ids and addresses too long to fit still give a well-formed message; only
   then may a header line pass 78 (never 998). */
/* The longest address: a 64-byte local part, domain labels of at most 63. */
static void s_longest_address(char out[ALERT_TEXT_ADDR_MAX + 1])
{
    char *p = out;
    memset(p, 'a', 64), p += 64, *p++ = '@';
    memset(p, 'b', 63), p += 63, *p++ = '.';
    memset(p, 'c', 63), p += 63, *p++ = '.';
    memset(p, 'd', 58), p += 58;
    memcpy(p, ".vn", 4);
}

static void test_email_long_ids(void **state)
{
    (void)state;
    char id[ALERT_TEXT_ID_MAX + 1];
    memset(id, 'x', ALERT_TEXT_ID_MAX);
    id[ALERT_TEXT_ID_MAX] = '\0';
    char addr[ALERT_TEXT_ADDR_MAX + 1];
    s_longest_address(addr);
    assert_int_equal(strlen(addr), ALERT_TEXT_ADDR_MAX);
    alert_digest_t d = s_digest("vi");
    d.digest_id = id;
    d.to_addr = addr;
    s_check_email(&d, 998);

    /* An id of ALERT_TEXT_ID_FITS characters still fits in 78. */
    id[ALERT_TEXT_ID_FITS] = '\0';
    d.to_addr = "huong.nt@quochoi.vn";
    s_check_email(&d, 78);
}

static void test_email_rejects(void **state)
{
    (void)state;
    alert_digest_t d = s_digest("vi");
    size_t len = 99;
    const char *bad[] = { "", "no-at-sign", "a b@c.d", "a@b\r\nBcc: x@y.z", "<a@b.c>", "a@b@c",
                          "@b.c", "a@", "Nguyễn@quochoi.vn" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        d.to_addr = bad[i];
        assert_null(alert_text_email(&d, NOW_MS, &len));
        d.to_addr = "huong.nt@quochoi.vn";
        d.from_addr = bad[i];
        assert_null(alert_text_email(&d, NOW_MS, &len));
        d.from_addr = "thuky@quochoi.vn";
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(alert_text_addr_valid(bad[i]));
    assert_false(alert_text_addr_valid(NULL));
    assert_true(alert_text_addr_valid("huong.nt@quochoi.vn"));
    assert_true(alert_text_addr_valid("a+b@c"));
    d.to_addr = NULL;
    assert_null(alert_text_email(&d, NOW_MS, &len));
    /* Without an address the other renderings still work. */
    char *body = alert_text_body(&d);
    assert_non_null(body);
    free(body);
    d.to_addr = "huong.nt@quochoi.vn";
    assert_null(alert_text_email(&d, INT64_C(9000000000000000), &len));
    assert_null(alert_text_email(NULL, NOW_MS, &len));
}

/* ---- CloudEvent ------------------------------------------------------- */

static void test_cloudevent(void **state)
{
    (void)state;
    alert_digest_t d = s_digest("vi");
    d.late = true;
    char *json = alert_text_cloudevent(&d);
    assert_non_null(json);
    assert_null(strchr(json, '\n'));    /* compact */
    json_error_t err;
    json_t *ev = json_loads(json, JSON_REJECT_DUPLICATES, &err);
    assert_non_null(ev);
    assert_string_equal(json_string_value(json_object_get(ev, "specversion")), "1.0");
    assert_string_equal(json_string_value(json_object_get(ev, "id")), "D-vu-thu-ky-202405200800");
    assert_string_equal(json_string_value(json_object_get(ev, "source")), "/thuky/notifyd");
    assert_string_equal(json_string_value(json_object_get(ev, "type")),
                        "vn.gov.quochoi.thuky.alert.digest");
    assert_string_equal(json_string_value(json_object_get(ev, "subject")), "vu-thu-ky");
    assert_string_equal(json_string_value(json_object_get(ev, "time")), "2024-05-20T01:00:00Z");
    assert_string_equal(json_string_value(json_object_get(ev, "datacontenttype")),
                        "application/json");
    assert_int_equal(json_object_size(ev), 8);

    json_t *data = json_object_get(ev, "data");
    assert_true(json_is_object(data));
    assert_string_equal(json_string_value(json_object_get(data, "office")), "vu-thu-ky");
    assert_string_equal(json_string_value(json_object_get(data, "office_name")), "Vụ Thư ký");
    assert_string_equal(json_string_value(json_object_get(data, "lang")), "vi");
    assert_true(json_is_true(json_object_get(data, "late")));
    json_t *items = json_object_get(data, "items");
    assert_int_equal(json_array_size(items), N_ITEMS);

    static const char *const kinds[] = { "lead", "due", "overdue", "escalation", "sitting" };
    for (size_t i = 0; i < N_ITEMS; i++) {
        const alert_item_t *want = &s_items[i];
        json_t *it = json_array_get(items, i);
        assert_int_equal(json_object_size(it), 9);
        json_t *link = json_object_get(it, "link");
        if (want->link)
            assert_string_equal(json_string_value(link), want->link);
        else
            assert_true(json_is_null(link));
        assert_string_equal(json_string_value(json_object_get(it, "alert_id")), want->alert_id);
        assert_string_equal(json_string_value(json_object_get(it, "kind")), kinds[i]);
        assert_string_equal(json_string_value(json_object_get(it, "title")), want->title);
        assert_string_equal(json_string_value(json_object_get(it, "due_date")), want->due_date);
        assert_int_equal(json_integer_value(json_object_get(it, "days")), want->days);
        json_t *task = json_object_get(it, "task");
        json_t *lead = json_object_get(it, "lead_office");
        json_t *sitting = json_object_get(it, "sitting");
        if (want->kind == ALERT_ITEM_SITTING) {
            assert_true(json_is_null(task));
            assert_true(json_is_null(lead));
            assert_string_equal(json_string_value(sitting), "XV-7");
        } else {
            char t[16];
            snprintf(t, sizeof t, "T%u", (unsigned)want->task_id);
            assert_string_equal(json_string_value(task), t);
            assert_string_equal(json_string_value(lead), want->lead_office);
            assert_true(json_is_null(sitting));
        }
    }
    json_decref(ev);
    free(json);

    /* English, milliseconds, a time before 1970. */
    d.lang = "en";
    d.late = false;
    d.fire_ms = FIRE_MS + 250;
    json = alert_text_cloudevent(&d);
    ev = json_loads(json, 0, &err);
    assert_string_equal(json_string_value(json_object_get(ev, "time")), "2024-05-20T01:00:00.250Z");
    data = json_object_get(ev, "data");
    assert_string_equal(json_string_value(json_object_get(data, "lang")), "en");
    assert_true(json_is_false(json_object_get(data, "late")));
    json_decref(ev);
    free(json);

    d.fire_ms = -1;
    json = alert_text_cloudevent(&d);
    ev = json_loads(json, 0, &err);
    assert_string_equal(json_string_value(json_object_get(ev, "time")), "1969-12-31T23:59:59.999Z");
    json_decref(ev);
    free(json);
}

/* ---- The check -------------------------------------------------------- */

static void s_expect_rejected(const alert_digest_t *d)
{
    const char *why = NULL;
    assert_false(alert_digest_check(d, &why));
    assert_non_null(why);
    assert_null(alert_text_body(d));
    assert_null(alert_text_subject(d));
    assert_null(alert_text_cloudevent(d));
    assert_null(alert_text_email(d, NOW_MS, NULL));
}

static void test_check(void **state)
{
    (void)state;
    alert_digest_t d = s_digest("vi");
    const char *why = "unchanged";
    assert_true(alert_digest_check(&d, &why));
    assert_string_equal(why, "unchanged");
    assert_false(alert_digest_check(NULL, NULL));

    const char *bad_ids[] = { "", "a b", "a..b", ".a", "a.", "a<b>", "a@b", "Đ" };
    for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++) {
        d.digest_id = bad_ids[i];
        s_expect_rejected(&d);
    }
    d.digest_id = NULL;
    s_expect_rejected(&d);

    /* a link goes into the mail as it is: no spaces, no line breaks */
    const char *bad_links[] = { "https://x/a b", "https://x/a\r\nBcc: y", "https://x/\xC3\xA1" };
    for (size_t i = 0; i < sizeof bad_links / sizeof bad_links[0]; i++) {
        alert_item_t items[N_ITEMS];
        memcpy(items, s_items, sizeof items);
        items[1].link = bad_links[i];
        d = s_digest("vi");
        d.items = items;
        s_expect_rejected(&d);
    }
    d = s_digest("vi");
    d.office_id = "";
    s_expect_rejected(&d);
    d = s_digest("vi");
    d.office_name = "V\xE1\xBB";   /* truncated UTF-8 */
    s_expect_rejected(&d);
    d = s_digest("vi");
    d.fire_ms = INT64_C(-5000000000000);  /* 1811 */
    s_expect_rejected(&d);
    d = s_digest("vi");
    d.items = NULL;
    s_expect_rejected(&d);

    /* Items: each broken in one way. */
    alert_item_t bad[12];
    for (size_t i = 0; i < 12; i++)
        bad[i] = s_items[i % 2];
    bad[0].kind = (alert_item_kind_t)0;
    bad[1].kind = (alert_item_kind_t)6;
    bad[2].alert_id = "";
    bad[3].due_date = "20/05/2024";
    bad[4].due_date = "2024-02-30";
    bad[5].days = -1;
    bad[6].task_id = 0;
    bad[7] = s_items[4];
    bad[7].task_id = 9;
    bad[8] = s_items[4];
    bad[8].sitting_id = "";
    bad[9] = s_items[3];
    bad[9].lead_office = NULL;
    bad[10] = s_items[2];
    bad[10].days = 0;
    bad[11].title = "\xFF";
    for (size_t i = 0; i < 12; i++) {
        d = s_digest("vi");
        d.items = &bad[i];
        d.n_items = 1;
        s_expect_rejected(&d);
    }

    assert_string_equal(alert_item_kind_name(ALERT_ITEM_ESCALATION), "escalation");
    assert_string_equal(alert_item_kind_name((alert_item_kind_t)42), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_body_vi),
        cmocka_unit_test(test_body_en),
        cmocka_unit_test(test_body_singular_and_edges),
        cmocka_unit_test(test_body_late),
        cmocka_unit_test(test_body_greeting),
        cmocka_unit_test(test_body_control_chars),
        cmocka_unit_test(test_empty_digest),
        cmocka_unit_test(test_subject),
        cmocka_unit_test(test_email_round_trip),
        cmocka_unit_test(test_email_headers_exact),
        cmocka_unit_test(test_email_names),
        cmocka_unit_test(test_email_long_text),
        cmocka_unit_test(test_email_long_ids),
        cmocka_unit_test(test_email_rejects),
        cmocka_unit_test(test_cloudevent),
        cmocka_unit_test(test_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
