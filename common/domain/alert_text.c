/* The words of a deadline-alert digest. See alert_text.h.
 *
 * Sections: a growing buffer; the digest check; the Vietnamese and English
 * phrases; body and subject; the e-mail (header folding, RFC 2047, base64);
 * the CloudEvent. */
#include "domain/alert_text.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/log.h"
#include "text/strbuf.h"
#include "text/utf8.h"

#define MS_PER_DAY INT64_C(86400000)
#define LINE_MAX_CHARS 78       /* RFC 5322 2.1.1: lines SHOULD be at most 78 characters */
#define BASE64_LINE 76          /* RFC 2045 6.8 */
/* An encoded-word "=?UTF-8?B?...?=" is at most 75 characters (RFC 2047
   section 2); the prefix and suffix take 12 of them. */
#define EW_MAX_CHARS 75
#define EW_OVERHEAD 12
#define MESSAGE_ID_DOMAIN "thuky"
#define CE_SOURCE "/thuky/notifyd"
#define CE_TYPE "vn.gov.quochoi.thuky.alert.digest"

/* Text from a title or name, on one line: C0 and C1 controls (a newline in
   a title would break the one-line-per-item layout, or a header) become
   spaces. The text is already known to be valid UTF-8. */
static void s_put_clean(strbuf_t *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        if (*p < 0x20 || *p == 0x7F) {
            strbuf_add(b, " ", 1);
            p++;
        } else if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) {
            strbuf_add(b, " ", 1);
            p += 2;
        } else {
            strbuf_add(b, (const char *)p, 1);
            p++;
        }
    }
}

/* Hands the text over to the caller (never NULL: an empty buffer gives ""). */
static char *s_take(strbuf_t *b, size_t *len)
{
    strbuf_reserve(b, 0);
    b->data[b->len] = '\0';
    if (len)
        *len = b->len;
    return b->data;
}

/* ---- The digest check --------------------------------------------------- */

static const char *s_str(const char *s)
{
    return s ? s : "";
}

static bool s_fail(const char **why, const char *msg)
{
    if (why)
        *why = msg;
    return false;
}

static bool s_utf8(const char *s)
{
    return utf8_valid(s_str(s), strlen(s_str(s)));
}

/* RFC 5322 atext: what a dot-atom is made of, besides the dots. */
static bool s_is_atext(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* A dot-atom: atext runs joined by single dots (the left side of our
   Message-ID, so it must parse as one). */
static bool s_is_dot_atom(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || s[0] == '.' || s[n - 1] == '.' || strstr(s, "..") != NULL)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] != '.' && !s_is_atext((unsigned char)s[i]))
            return false;
    return true;
}

static bool s_is_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* The shape of local@domain: a dot-atom local part (no quoted strings) and
   a host name (no address literals; one label is allowed, as in the
   default "thuky@localhost"). ASCII only, so it can go into a header and
   an SMTP command line as it is. */
bool alert_text_addr_valid(const char *addr)
{
    if (!addr)
        return false;
    size_t len = strlen(addr);
    const char *at = strchr(addr, '@');
    if (len == 0 || len > ALERT_TEXT_ADDR_MAX || !at || strchr(at + 1, '@'))
        return false;
    size_t local = (size_t)(at - addr);
    if (local == 0 || local > ALERT_TEXT_LOCAL_MAX || addr[0] == '.' || addr[local - 1] == '.')
        return false;
    for (size_t i = 0; i < local; i++)
        if (addr[i] == '.' ? addr[i + 1] == '.' : !s_is_atext((unsigned char)addr[i]))
            return false;
    size_t label = 0;
    for (const char *p = at + 1;; p++) {
        if (*p == '.' || *p == '\0') {
            if (label == 0 || p[-1] == '-')
                return false;
            if (*p == '\0')
                return true;
            label = 0;
        } else if (s_is_alnum((unsigned char)*p) || (*p == '-' && label > 0)) {
            if (++label > ALERT_TEXT_LABEL_MAX)
                return false;
        } else {
            return false;
        }
    }
}

/* Safe to go into a header as it is: one '@' between non-empty parts,
   printable ASCII, none of the characters that would need quoting or could
   end the field. Looser than alert_text_addr_valid on purpose: an office
   stored under an older, looser rule still gets its webhook and spool
   deliveries (only SMTP refuses its address). */
static bool s_addr_header_safe(const char *s)
{
    size_t n = strlen(s);
    const char *at = strchr(s, '@');
    if (n < 3 || n > ALERT_TEXT_ADDR_MAX || !at || at == s || at[1] == '\0' ||
        strchr(at + 1, '@'))
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p >= 0x7F || strchr("<>()[],;:\"\\", *p))
            return false;
    return true;
}

/* Exactly YYYY-MM-DD and a real date (date_parse also takes dd/mm/yyyy). */
static bool s_iso_date(const char *s, int32_t *day)
{
    return s && strlen(s) == 10 && s[4] == '-' && s[7] == '-' && date_parse(s, day, NULL);
}

/* An instant whose local date lies within the years date.h handles. */
static bool s_ms_in_range(int64_t ms)
{
    int32_t first, last;
    date_from_ymd(DATE_MIN_YEAR, 1, 2, &first, NULL);
    date_from_ymd(DATE_MAX_YEAR, 12, 30, &last, NULL);
    return ms >= (int64_t)first * MS_PER_DAY && ms < (int64_t)last * MS_PER_DAY;
}

static bool s_is_task_kind(alert_item_kind_t kind)
{
    return kind == ALERT_ITEM_LEAD || kind == ALERT_ITEM_DUE || kind == ALERT_ITEM_OVERDUE ||
           kind == ALERT_ITEM_ESCALATION;
}

/* A link goes into the body and the JSON as it is: printable ASCII, no
 * spaces, within a mail line. */
static bool s_link_valid(const char *link)
{
    if (!link)
        return true;
    size_t n = strlen(link);
    if (n > ALERT_TEXT_LINK_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (link[i] <= ' ' || link[i] > '~')
            return false;
    return true;
}

static bool s_check_item(const alert_item_t *it, const char **why)
{
    if (!s_is_task_kind(it->kind) && it->kind != ALERT_ITEM_SITTING)
        return s_fail(why, "unknown alert item kind");
    if (!it->alert_id || !*it->alert_id)
        return s_fail(why, "alert item without an alert id");
    if (!s_utf8(it->title) || !s_utf8(it->alert_id) || !s_utf8(it->lead_office) ||
        !s_utf8(it->sitting_id))
        return s_fail(why, "alert item text is not valid UTF-8");
    if (!s_iso_date(it->due_date, NULL))
        return s_fail(why, "alert item due date is not YYYY-MM-DD");
    if (!s_link_valid(it->link))
        return s_fail(why, "alert item link is not a plain URL");
    if (it->days < 0 || it->days > ALERT_TEXT_DAYS_MAX)
        return s_fail(why, "alert item days out of range");
    if (it->kind == ALERT_ITEM_SITTING) {
        if (it->task_id != 0)
            return s_fail(why, "sitting reminder with a task id");
        if (!*s_str(it->sitting_id))
            return s_fail(why, "sitting reminder without a sitting id");
        return true;
    }
    if (it->task_id == 0)
        return s_fail(why, "task alert without a task id");
    if ((it->kind == ALERT_ITEM_OVERDUE || it->kind == ALERT_ITEM_ESCALATION) && it->days == 0)
        return s_fail(why, "overdue alert with 0 days overdue");
    if (it->kind == ALERT_ITEM_ESCALATION && !*s_str(it->lead_office))
        return s_fail(why, "escalation without the late office");
    return true;
}

bool alert_digest_check(const alert_digest_t *d, const char **why)
{
    if (!d)
        return s_fail(why, "no digest");
    const char *id = s_str(d->digest_id);
    if (!*id || strlen(id) > ALERT_TEXT_ID_MAX || !s_is_dot_atom(id))
        return s_fail(why, "digest id is empty, too long or not a dot-atom");
    if (!*s_str(d->office_id))
        return s_fail(why, "digest without an office");
    if (!s_utf8(d->office_id) || !s_utf8(d->office_name) || !s_utf8(d->to_name) ||
        !s_utf8(d->lang))
        return s_fail(why, "digest text is not valid UTF-8");
    if (!s_ms_in_range(d->fire_ms))
        return s_fail(why, "digest fire time out of range");
    if ((*s_str(d->to_addr) && !s_addr_header_safe(d->to_addr)) ||
        (*s_str(d->from_addr) && !s_addr_header_safe(d->from_addr)))
        return s_fail(why, "digest e-mail address is not a plain addr-spec");
    if (d->n_items > 0 && !d->items)
        return s_fail(why, "digest items missing");
    for (size_t i = 0; i < d->n_items; i++)
        if (!s_check_item(&d->items[i], why))
            return false;
    return true;
}

const char *alert_item_kind_name(alert_item_kind_t kind)
{
    switch (kind) {
    case ALERT_ITEM_LEAD: return "lead";
    case ALERT_ITEM_DUE: return "due";
    case ALERT_ITEM_OVERDUE: return "overdue";
    case ALERT_ITEM_ESCALATION: return "escalation";
    case ALERT_ITEM_SITTING: return "sitting";
    }
    return "?";
}

/* ---- Phrases ------------------------------------------------------------ */

/* A number with its words: pre + N + (N == 1 ? one : many). Vietnamese has
   no plural, English does. */
typedef struct {
    const char *pre, *one, *many;
} count_t;

typedef struct {
    const char *code;           /* Content-Language and the CloudEvent's data.lang */
    const char *dear;           /* greeting, then the office's name */
    const char *focal_pre, *focal_post;
    const char *intro;
    const char *none;
    const char *due_on;         /* before the deadline's date */
    count_t left;
    const char *due_today;
    count_t overdue;            /* also ends an escalation */
    const char *escalation;     /* then the late office's id */
    const char *escalation_is;  /* between that office and the overdue count */
    const char *escalation_post;
    const char *lead_by_pre, *lead_by_post;
    const char *sitting;        /* then the sitting's id */
    const char *opens_on;
    const char *late;
    const char *planned_pre, *planned_on, *planned_post; /* around the time, then the date */
    const char *digest;
    const char *automatic;
    const char *subject;
    count_t tasks, sittings;
    const char *no_tasks;
    const char *link;
} phrases_t;

static const phrases_t s_vi = {
    .code = "vi",
    .dear = "Kính gửi: ",
    .focal_pre = "(Đầu mối: ", .focal_post = ")",
    .intro = "Hệ thống thuky xin nhắc các thời hạn sau:",
    .none = "Hiện không có thời hạn nào cần nhắc.",
    .due_on = " — hạn ",
    .left = { "còn ", " ngày", " ngày" },
    .due_today = "đến hạn hôm nay",
    .overdue = { "quá hạn ", " ngày làm việc", " ngày làm việc" },
    .escalation = "cần đôn đốc đơn vị chủ trì ",
    .escalation_is = " (",
    .escalation_post = ")",
    .lead_by_pre = " (chủ trì: ", .lead_by_post = ")",
    .sitting = "Kỳ họp ",
    .opens_on = " — khai mạc ",
    .late = "Lưu ý: Thông báo gửi muộn do hệ thống tạm ngừng",
    .planned_pre = " (dự kiến gửi lúc ", .planned_on = " ngày ", .planned_post = ").",
    .digest = "Mã thông báo: ",
    .automatic = "Thư được gửi tự động từ hệ thống thuky, vui lòng không trả lời thư này.",
    .subject = "[thuky] Nhắc hạn: ",
    .tasks = { "", " nhiệm vụ", " nhiệm vụ" },
    .sittings = { "", " kỳ họp", " kỳ họp" },
    .no_tasks = "không có nhiệm vụ",
    .link = "  Xem, xác nhận đã nhận hoặc báo cáo tiến độ: ",
};

static const phrases_t s_en = {
    .code = "en",
    .dear = "For the attention of: ",
    .focal_pre = "(Focal point: ", .focal_post = ")",
    .intro = "thuky reminds you of the following deadlines:",
    .none = "There are no deadlines to remind you of.",
    .due_on = " — due ",
    .left = { "", " day left", " days left" },
    .due_today = "due today",
    .overdue = { "", " working day overdue", " working days overdue" },
    .escalation = "the lead office ",
    .escalation_is = " is ",
    .escalation_post = " (escalation)",
    .lead_by_pre = " (lead: ", .lead_by_post = ")",
    .sitting = "Sitting ",
    .opens_on = " — opens ",
    .late = "Note: Sent late: the system was down at the planned time",
    .planned_pre = " (planned for ", .planned_on = " on ", .planned_post = ", Hanoi time).",
    .digest = "Digest: ",
    .automatic = "This message was sent automatically by thuky; please do not reply.",
    .subject = "[thuky] Deadline reminder: ",
    .tasks = { "", " task", " tasks" },
    .sittings = { "", " sitting", " sittings" },
    .no_tasks = "no tasks",
    .link = "  See it, acknowledge it or report progress: ",
};

static const phrases_t *s_phrases(const alert_digest_t *d)
{
    return d->lang && strcmp(d->lang, "en") == 0 ? &s_en : &s_vi;
}

static void s_put_count(strbuf_t *b, const count_t *c, long long n)
{
    strbuf_printf(b, "%s%lld%s", c->pre, n, n == 1 ? c->one : c->many);
}

/* ---- Body and subject --------------------------------------------------- */

static const char *s_office_name(const alert_digest_t *d)
{
    return *s_str(d->office_name) ? d->office_name : d->office_id;
}

/* "20/05/2024" from "2024-05-20" (checked already). */
static void s_put_vn_date(strbuf_t *b, const char *iso)
{
    int32_t day = 0;
    char text[DATE_ISO_LEN];
    date_parse(iso, &day, NULL);
    date_format_vn(day, text);
    strbuf_str(b, text);
}

/* What the item means for the office, after its date. */
static void s_put_meaning(strbuf_t *b, const phrases_t *p, const alert_digest_t *d,
                          const alert_item_t *it)
{
    const char *lead = s_str(it->lead_office);
    switch (it->kind) {
    case ALERT_ITEM_LEAD:
    case ALERT_ITEM_DUE:
        /* A lead time of 0 days is the day itself. */
        if (it->kind == ALERT_ITEM_LEAD && it->days > 0)
            s_put_count(b, &p->left, it->days);
        else
            strbuf_str(b, p->due_today);
        break;
    case ALERT_ITEM_OVERDUE:
        s_put_count(b, &p->overdue, it->days);
        break;
    case ALERT_ITEM_ESCALATION:
        strbuf_str(b, p->escalation);
        s_put_clean(b, lead);
        strbuf_str(b, p->escalation_is);
        s_put_count(b, &p->overdue, it->days);
        strbuf_str(b, p->escalation_post);
        return;
    case ALERT_ITEM_SITTING:
        return;
    }
    /* Name the lead when the office is told about someone else's task (a
       coordinating office). */
    if (*lead && strcmp(lead, d->office_id) != 0) {
        strbuf_str(b, p->lead_by_pre);
        s_put_clean(b, lead);
        strbuf_str(b, p->lead_by_post);
    }
}

static void s_put_item(strbuf_t *b, const phrases_t *p, const alert_digest_t *d,
                       const alert_item_t *it)
{
    if (it->kind == ALERT_ITEM_SITTING) {
        strbuf_str(b, "- ");
        strbuf_str(b, p->sitting);
        s_put_clean(b, it->sitting_id);
        strbuf_str(b, ": ");
        s_put_clean(b, s_str(it->title));
        strbuf_str(b, p->opens_on);
        s_put_vn_date(b, it->due_date);
        if (it->days > 0) {
            strbuf_str(b, ": ");
            s_put_count(b, &p->left, it->days);
        }
    } else {
        strbuf_printf(b, "- T%lu ", (unsigned long)it->task_id);
        s_put_clean(b, s_str(it->title));
        strbuf_str(b, p->due_on);
        s_put_vn_date(b, it->due_date);
        strbuf_str(b, ": ");
        s_put_meaning(b, p, d, it);
    }
    strbuf_str(b, "\n");
    if (it->link && *it->link) {
        strbuf_str(b, p->link);
        strbuf_str(b, it->link);
        strbuf_str(b, "\n");
    }
}

/* Whole seconds toward the past, so a negative instant lands on its own day. */
static int64_t s_floor_seconds(int64_t ms)
{
    return ms / 1000 - (ms % 1000 < 0);
}

char *alert_text_body(const alert_digest_t *d)
{
    if (!alert_digest_check(d, NULL))
        return NULL;
    const phrases_t *p = s_phrases(d);
    strbuf_t b = { 0 };

    strbuf_str(&b, p->dear);
    s_put_clean(&b, s_office_name(d));
    strbuf_str(&b, "\n");
    if (*s_str(d->to_name)) {
        strbuf_str(&b, p->focal_pre);
        s_put_clean(&b, d->to_name);
        strbuf_str(&b, p->focal_post);
        strbuf_str(&b, "\n");
    }
    strbuf_str(&b, "\n");

    if (d->n_items == 0) {
        strbuf_str(&b, p->none);
        strbuf_str(&b, "\n");
    } else {
        strbuf_str(&b, p->intro);
        strbuf_str(&b, "\n\n");
        for (size_t i = 0; i < d->n_items; i++)
            s_put_item(&b, p, d, &d->items[i]);
    }

    if (d->late) {
        int64_t fire_s = s_floor_seconds(d->fire_ms);
        char when[DATE_TIME_LEN], day[DATE_ISO_LEN];
        date_format_local_time(fire_s, when);          /* "2024-05-20 08:00" */
        date_format_vn(date_local_day(fire_s), day);
        strbuf_str(&b, "\n");
        strbuf_str(&b, p->late);
        strbuf_printf(&b, "%s%s%s%s%s\n", p->planned_pre, when + 11, p->planned_on, day,
                 p->planned_post);
    }

    /* "-- " with its space is the usual signature separator. */
    strbuf_str(&b, "\n-- \n");
    strbuf_str(&b, p->digest);
    strbuf_str(&b, d->digest_id);
    strbuf_str(&b, "\n");
    strbuf_str(&b, p->automatic);
    strbuf_str(&b, "\n");
    return s_take(&b, NULL);
}

char *alert_text_subject(const alert_digest_t *d)
{
    if (!alert_digest_check(d, NULL))
        return NULL;
    const phrases_t *p = s_phrases(d);
    size_t sittings = 0;
    for (size_t i = 0; i < d->n_items; i++)
        sittings += d->items[i].kind == ALERT_ITEM_SITTING;
    size_t tasks = d->n_items - sittings;

    strbuf_t b = { 0 };
    strbuf_str(&b, p->subject);
    if (tasks > 0)
        s_put_count(&b, &p->tasks, (long long)tasks);
    if (tasks > 0 && sittings > 0)
        strbuf_str(&b, ", ");
    if (sittings > 0)
        s_put_count(&b, &p->sittings, (long long)sittings);
    if (d->n_items == 0)
        strbuf_str(&b, p->no_tasks);
    strbuf_str(&b, " — ");
    s_put_clean(&b, s_office_name(d));
    return s_take(&b, NULL);
}

/* ---- The e-mail --------------------------------------------------------- */

static const char s_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void s_put_base64(strbuf_t *b, const unsigned char *in, size_t n)
{
    strbuf_reserve(b, (n + 2) / 3 * 4);
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        char q[4] = { s_b64[(v >> 18) & 63], s_b64[(v >> 12) & 63],
                      i + 1 < n ? s_b64[(v >> 6) & 63] : '=', i + 2 < n ? s_b64[v & 63] : '=' };
        strbuf_add(b, q, 4);
    }
}

/* A header field being written: its tokens go on the current line while it
   stays within 78 characters, else on a continuation line (folding puts the
   CRLF before the space that separates tokens, so unfolding restores it). */
typedef struct {
    strbuf_t *b;
    size_t line;    /* characters on the current line */
    bool first;     /* no token yet: the first stays on the name's line */
} field_t;

static void s_field_begin(field_t *f, strbuf_t *b, const char *name)
{
    f->b = b;
    f->first = true;
    strbuf_str(b, name);
    strbuf_str(b, ":");
    f->line = strlen(name) + 1;
}

static void s_field_token(field_t *f, const char *tok, size_t n)
{
    if (!f->first && f->line + 1 + n > LINE_MAX_CHARS) {
        strbuf_str(f->b, "\r\n");
        f->line = 0;
    }
    strbuf_str(f->b, " ");
    strbuf_add(f->b, tok, n);
    f->line += 1 + n;
    f->first = false;
}

static void s_field_end(field_t *f)
{
    strbuf_str(f->b, "\r\n");
}

/* A field whose value is one unbreakable token. */
static void s_field(strbuf_t *b, const char *name, const char *value)
{
    field_t f;
    s_field_begin(&f, b, name);
    s_field_token(&f, value, strlen(value));
    s_field_end(&f);
}

/* Length of the UTF-8 sequence starting at p (text already validated). */
static size_t s_seq_len(unsigned char c)
{
    return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

/* How many bytes of p (n left) the next encoded-word takes, at most max:
   whole characters only (RFC 2047 section 5), and where possible whole
   words, the space kept at the end of the earlier one. Decoders drop the
   folding between two encoded-words, but some (Python's email before
   3.14, in a display name) turn it into a space: a break at a space then
   at worst doubles that space, never splits a name. */
static size_t s_ew_chunk(const unsigned char *p, size_t n, size_t max)
{
    size_t chunk = 0, after_space = 0;
    while (chunk < n) {
        size_t k = s_seq_len(p[chunk]);
        if (chunk + k > max)
            break;
        chunk += k;
        if (p[chunk - 1] == ' ')
            after_space = chunk;
    }
    if (chunk < n && after_space > 0)
        return after_space;
    return chunk;
}

/* The text as RFC 2047 "B" encoded-words, one token each, each as long as
   its line allows. */
static void s_field_encoded(field_t *f, const char *text)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t n = strlen(text);
    strbuf_t word = { 0 };
    for (size_t i = 0; i < n;) {
        /* The first word shares its line with the field name; later ones
           can have a continuation line to themselves. */
        size_t room = f->first ? LINE_MAX_CHARS - f->line - 1 : LINE_MAX_CHARS - 1;
        if (room > EW_MAX_CHARS)
            room = EW_MAX_CHARS;
        size_t max = room > EW_OVERHEAD + 8 ? (room - EW_OVERHEAD) / 4 * 3 : 6;
        size_t chunk = s_ew_chunk(p + i, n - i, max);
        word.len = 0;
        strbuf_str(&word, "=?UTF-8?B?");
        s_put_base64(&word, p + i, chunk);
        strbuf_str(&word, "?=");
        s_field_token(f, word.data, word.len);
        i += chunk;
    }
    free(word.data);
}

/* Whether text can go into a header as it is, split at its spaces: printable
   ASCII words of atom characters (or any printable character outside a
   phrase), single spaces, short enough to fold, and nothing a reader would
   take for an encoded-word. */
static bool s_header_plain(const char *text, bool phrase)
{
    size_t word = 0;
    if (!*text || text[0] == ' ' || strstr(text, "=?") || strstr(text, "  "))
        return false;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == ' ') {
            word = 0;
            continue;
        }
        if (*p < 0x21 || *p > 0x7E || (phrase && !s_is_atext(*p)))
            return false;
        if (++word > LINE_MAX_CHARS - 10)
            return false;
    }
    return text[strlen(text) - 1] != ' ';
}

/* Free text (a subject, a display name): plain words when possible,
   encoded-words otherwise. */
static void s_field_text(field_t *f, const char *text, bool phrase)
{
    if (!s_header_plain(text, phrase)) {
        s_field_encoded(f, text);
        return;
    }
    while (*text) {
        size_t n = strcspn(text, " ");
        s_field_token(f, text, n);
        text += n + (text[n] == ' ');
    }
}

/* "Name <addr>", or just the address when there is no name. */
static void s_field_mailbox(strbuf_t *b, const char *header, const char *name, const char *addr)
{
    field_t f;
    s_field_begin(&f, b, header);
    if (*name) {
        strbuf_t clean = { 0 };
        s_put_clean(&clean, name);
        s_field_text(&f, clean.data, true);
        free(clean.data);
        strbuf_t angle = { 0 };
        strbuf_printf(&angle, "<%s>", addr);
        s_field_token(&f, angle.data, angle.len);
        free(angle.data);
    } else {
        s_field_token(&f, addr, strlen(addr));
    }
    s_field_end(&f);
}

/* RFC 5322 3.3: "Mon, 20 May 2024 08:00:00 +0700". */
static void s_put_date(strbuf_t *b, int64_t ms)
{
    static const char *const wday[7] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
    static const char *const mon[12] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    int64_t s = s_floor_seconds(ms);
    int32_t day = date_local_day(s);
    int64_t sod = s - date_local_midnight(day);
    int y, m, md;
    date_to_ymd(day, &y, &m, &md);
    strbuf_printf(b, "Date: %s, %d %s %04d %02d:%02d:%02d +0700\r\n", wday[date_weekday(day) - 1], md,
             mon[m - 1], y, (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
}

char *alert_text_email(const alert_digest_t *d, int64_t now_ms, size_t *len)
{
    if (!alert_digest_check(d, NULL) || !*s_str(d->to_addr) || !*s_str(d->from_addr) ||
        !s_ms_in_range(now_ms))
        return NULL;
    const phrases_t *p = s_phrases(d);
    char *subject = alert_text_subject(d);
    char *body = alert_text_body(d);
    strbuf_t b = { 0 };
    field_t f;

    s_put_date(&b, now_ms);
    s_field_mailbox(&b, "From", "thuky", d->from_addr);
    s_field_mailbox(&b, "To", s_str(d->to_name), d->to_addr);
    s_field_begin(&f, &b, "Subject");
    s_field_text(&f, subject, false);
    s_field_end(&f);

    strbuf_t msgid = { 0 };
    strbuf_printf(&msgid, "<%s@%s>", d->digest_id, MESSAGE_ID_DOMAIN);
    s_field(&b, "Message-ID", msgid.data);
    free(msgid.data);
    s_field(&b, "MIME-Version", "1.0");
    strbuf_str(&b, "Content-Type: text/plain; charset=UTF-8\r\n");
    s_field(&b, "Content-Transfer-Encoding", "base64");
    s_field(&b, "Content-Language", p->code);
    /* RFC 3834: auto-responders must not answer this message. */
    s_field(&b, "Auto-Submitted", "auto-generated");
    s_field(&b, "X-Thuky-Alert", d->digest_id);
    strbuf_str(&b, "\r\n");

    /* Text is encoded in its canonical form, with CRLF line ends (RFC 2046
       4.1.1), then cut into lines of 76 characters (57 bytes each). */
    strbuf_t crlf = { 0 };
    for (const char *q = body; *q; q++) {
        if (*q == '\n')
            strbuf_add(&crlf, "\r\n", 2);
        else
            strbuf_add(&crlf, q, 1);
    }
    for (size_t i = 0; i < crlf.len; i += BASE64_LINE / 4 * 3) {
        size_t n = crlf.len - i < BASE64_LINE / 4 * 3 ? crlf.len - i : BASE64_LINE / 4 * 3;
        s_put_base64(&b, (const unsigned char *)crlf.data + i, n);
        strbuf_str(&b, "\r\n");
    }
    free(crlf.data);
    free(body);
    free(subject);
    return s_take(&b, len);
}

/* ---- The CloudEvent ----------------------------------------------------- */

/* Adds to obj; the first failure (out of memory in jansson) sticks. */
static void s_set(json_t *obj, const char *key, json_t *value, bool *ok)
{
    if (json_object_set_new(obj, key, value) != 0)
        *ok = false;
}

static json_t *s_string_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

/* RFC 3339 UTC: "2024-05-20T01:00:00Z", or "...T01:00:00.250Z". */
static void s_rfc3339(int64_t ms, char out[32])
{
    int64_t day = ms / MS_PER_DAY - (ms % MS_PER_DAY < 0);
    int64_t msod = ms - day * MS_PER_DAY;
    int y, m, md;
    date_to_ymd((int32_t)day, &y, &m, &md);
    int len = snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d", y, m, md,
                       (int)(msod / 3600000), (int)(msod / 60000 % 60), (int)(msod / 1000 % 60));
    if (msod % 1000)
        snprintf(out + len, (size_t)(32 - len), ".%03dZ", (int)(msod % 1000));
    else
        snprintf(out + len, (size_t)(32 - len), "Z");
}

static json_t *s_item_json(const alert_item_t *it, bool *ok)
{
    json_t *o = json_object();
    if (!o) {
        *ok = false;
        return NULL;
    }
    char task[16];
    snprintf(task, sizeof task, "T%lu", (unsigned long)it->task_id);
    s_set(o, "alert_id", json_string(it->alert_id), ok);
    s_set(o, "kind", json_string(alert_item_kind_name(it->kind)), ok);
    s_set(o, "task", it->task_id ? json_string(task) : json_null(), ok);
    s_set(o, "title", json_string(s_str(it->title)), ok);
    s_set(o, "due_date", json_string(it->due_date), ok);
    s_set(o, "days", json_integer(it->days), ok);
    s_set(o, "lead_office", s_string_or_null(it->lead_office), ok);
    s_set(o, "sitting", s_string_or_null(it->sitting_id), ok);
    s_set(o, "link", s_string_or_null(it->link), ok);
    return o;
}

char *alert_text_cloudevent(const alert_digest_t *d)
{
    if (!alert_digest_check(d, NULL))
        return NULL;
    bool ok = true;
    char when[32];
    s_rfc3339(d->fire_ms, when);

    json_t *items = json_array();
    for (size_t i = 0; items && i < d->n_items; i++)
        if (json_array_append_new(items, s_item_json(&d->items[i], &ok)) != 0)
            ok = false;
    json_t *data = json_object();
    if (data) {
        s_set(data, "office", json_string(d->office_id), &ok);
        s_set(data, "office_name", json_string(s_str(d->office_name)), &ok);
        s_set(data, "lang", json_string(s_phrases(d)->code), &ok);
        s_set(data, "late", json_boolean(d->late), &ok);
        s_set(data, "items", items, &ok);
    } else {
        json_decref(items);
    }
    json_t *ev = json_object();
    if (ev) {
        s_set(ev, "specversion", json_string("1.0"), &ok);
        s_set(ev, "id", json_string(d->digest_id), &ok);
        s_set(ev, "source", json_string(CE_SOURCE), &ok);
        s_set(ev, "type", json_string(CE_TYPE), &ok);
        s_set(ev, "subject", json_string(d->office_id), &ok);
        s_set(ev, "time", json_string(when), &ok);
        s_set(ev, "datacontenttype", json_string("application/json"), &ok);
        s_set(ev, "data", data, &ok);
    } else {
        json_decref(data);
    }
    char *text = ok && ev ? json_dumps(ev, JSON_COMPACT) : NULL;
    json_decref(ev);
    if (!text)
        fatalx("alert_text: out of memory building a CloudEvent");
    return text;
}
