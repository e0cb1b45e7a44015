/* The words of a deadline-alert digest: everything due for one office at one
 * moment, rendered as one message. Pure functions shared by thuky-notifyd
 * (which sends the message) and `thuky alert preview` (which shows it).
 *
 * Renderings: a plain-text body and a subject (Vietnamese by default,
 * English when lang is "en"), a complete RFC 5322 e-mail, and a CloudEvents
 * 1.0 structured JSON event for webhooks.
 *
 * Every string field may be NULL, which means "". Each renderer first runs
 * alert_digest_check() and returns NULL when the digest fails it; otherwise
 * it returns text the caller frees with free(). Out of memory aborts (as
 * everywhere in thuky, see xmalloc in log.h). */
#ifndef THUKY_ALERT_TEXT_H
#define THUKY_ALERT_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest digest id accepted. Ids up to ALERT_TEXT_ID_FITS characters keep
 * every header line of the e-mail within 78 characters (a Message-ID
 * cannot be folded); longer ones give longer lines, still within RFC 5322's
 * hard limit of 998. The same holds for an address longer than about 70. */
#define ALERT_TEXT_ID_MAX 200
#define ALERT_TEXT_ID_FITS 58
#define ALERT_TEXT_ADDR_MAX 254   /* RFC 5321 path limit */
#define ALERT_TEXT_LOCAL_MAX 64   /* RFC 5321 local part */
#define ALERT_TEXT_LABEL_MAX 63   /* one label of the domain */
#define ALERT_TEXT_LINK_MAX 600
#define ALERT_TEXT_DAYS_MAX 36500 /* a hundred years: anything more is a bug upstream */

typedef enum {
    ALERT_ITEM_LEAD = 1,       /* N days before the deadline */
    ALERT_ITEM_DUE,            /* on the day */
    ALERT_ITEM_OVERDUE,        /* N working days after */
    ALERT_ITEM_ESCALATION,     /* to the escalation contact: lead_office is N working days late */
    ALERT_ITEM_SITTING         /* a sitting opens soon */
} alert_item_kind_t;

typedef struct {
    alert_item_kind_t kind;
    uint32_t task_id;          /* 0 for a sitting reminder */
    const char *title;         /* task title or sitting title (UTF-8 Vietnamese) */
    const char *due_date;      /* ISO YYYY-MM-DD (deadline, or the sitting's opening) */
    int days;                  /* lead: days before the deadline; overdue/escalation: working days
                                  overdue; sitting: days before it opens (0 = not said) */
    const char *lead_office;   /* office id of the lead (for escalations: the office that is late) */
    const char *sitting_id;    /* for a sitting reminder, else "" */
    const char *alert_id;      /* the alert's stable id */
    /* The signed web link where the office sees and acknowledges this alert
     * (signed_link.h), or NULL/"" when the web face is not configured.
     * Printable ASCII without spaces, at most ALERT_TEXT_LINK_MAX bytes. */
    const char *link;
} alert_item_t;

typedef struct {
    const char *digest_id;     /* stable id of the message (idempotency key, Message-ID) */
    const char *office_id;
    const char *office_name;   /* Vietnamese name; "" falls back to office_id */
    const char *lang;          /* "en" for English; anything else is Vietnamese */
    const char *to_addr;       /* recipient e-mail (needed by alert_text_email only) */
    const char *to_name;       /* focal point's name, may be "" */
    const char *from_addr;     /* e.g. "thuky@quochoi.vn" (needed by alert_text_email only) */
    int64_t fire_ms;           /* when it was due to go out (UTC ms) */
    bool late;                 /* sent after its time (after downtime) */
    const alert_item_t *items; /* shown in this order */
    size_t n_items;
} alert_digest_t;

/* Whether the renderers can use d. false with a static English reason when:
 * d is NULL; digest_id is empty, longer than ALERT_TEXT_ID_MAX or not an
 * RFC 5322 dot-atom (A-Z a-z 0-9 and !#$%&'*+-/=?^_`{|}~ with single inner
 * dots); office_id is empty; a string is not well-formed UTF-8; fire_ms is
 * outside the years DATE_MIN_YEAR..DATE_MAX_YEAR; to_addr or from_addr is
 * set but not a plain addr-spec ("local@domain", printable ASCII without
 * spaces or <>()[],;:"\); or an item has an unknown kind, an empty alert_id,
 * a due_date not exactly YYYY-MM-DD, days outside 0..ALERT_TEXT_DAYS_MAX,
 * task_id 0 on a task item (or not 0 on a sitting item), no sitting_id on a
 * sitting item, no lead_office on an escalation, or days 0 on an overdue or
 * escalation item. Control characters in titles and names are not an error:
 * the text renderings show them as spaces. why may be NULL. */
bool alert_digest_check(const alert_digest_t *d, const char **why);

/* The address rule of alert_digest_check, for whoever stores addresses
 * (office.add) to refuse early what the e-mail would refuse later. */
bool alert_text_addr_valid(const char *addr);

/* "lead", "due", "overdue", "escalation", "sitting"; "?" if unknown. */
const char *alert_item_kind_name(alert_item_kind_t kind);

/* The plain-text body, '\n' line ends: a greeting to the office (and its
 * focal point), one line per item ("- T12 <title> — hạn 20/05/2024: còn 3
 * ngày"), a note when late, and a footer with the digest id. */
char *alert_text_body(const alert_digest_t *d);

/* "[thuky] Nhắc hạn: 3 nhiệm vụ — Vụ Thư ký", "[thuky] Deadline reminder:
 * 2 tasks, 1 sitting — Vụ Thư ký"; one line. */
char *alert_text_subject(const alert_digest_t *d);

/* A complete RFC 5322 message with CRLF line ends: Date (now_ms in +0700),
 * From, To (display name from to_name, RFC 2047 encoded when not plain
 * ASCII words), Subject (RFC 2047 encoded-words of at most 75 characters,
 * never splitting a UTF-8 character, broken at spaces where possible,
 * folded), Message-ID <digest_id@thuky>,
 * MIME-Version, Content-Type text/plain; charset=UTF-8, base64 body in lines
 * of 76, Content-Language, Auto-Submitted: auto-generated and X-Thuky-Alert
 * (the digest id). The body is alert_text_body() with CRLF line ends. Its
 * length in *len (may be NULL). NULL when the digest fails the check, when
 * to_addr or from_addr is empty, or when now_ms is out of range. */
char *alert_text_email(const alert_digest_t *d, int64_t now_ms, size_t *len);

/* A CloudEvents 1.0 event, structured JSON mode, compact: specversion "1.0",
 * id digest_id, source "/thuky/notifyd", type
 * "vn.gov.quochoi.thuky.alert.digest", subject office_id, time (RFC 3339 UTC
 * of fire_ms, milliseconds only when not 0), datacontenttype
 * "application/json", data { office, office_name, lang ("vi"/"en"), late,
 * items: [{ alert_id, kind, task ("T12" or null), title, due_date, days,
 * lead_office (null if ""), sitting (null if "") }] }. Strings are kept as
 * given (control characters escaped by JSON). Allocated by jansson's
 * allocator, which is malloc unless json_set_alloc_funcs changed it. */
char *alert_text_cloudevent(const alert_digest_t *d);

#endif
