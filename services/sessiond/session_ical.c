/* The iCalendar feed of sittings. See session_ical.h for what is rendered. */
#include "session_ical.h"

#include <libical/ical.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/i18n.h"
#include "base/log.h"
#include "domain/repeat.h"
#include "text/strbuf.h"
#include "text/utf8.h"

#define ICAL_TZID "Asia/Ho_Chi_Minh"
#define ICAL_UID_DOMAIN "@thuky"
#define MINUTES_PER_DAY (24 * 60)
#define DEFAULT_START_MIN (8 * 60)  /* a missing start time: 08:00 */
#define DEFAULT_END_MIN (17 * 60)   /* a missing end time: 17:00 */
#define DEFAULT_LENGTH_MIN 60       /* when that default would not fit */
#define SECONDS_PER_DAY (24 * 3600)

/* Writes why; fmt (marked with N_) is translated into the process's
 * language, that of the log where these reasons mostly end up. */
static void s_set_why(char *why, size_t why_len, const char *fmt, ...) LOG_PRINTF(3, 4);
static void s_set_why(char *why, size_t why_len, const char *fmt, ...)
{
    if (why == NULL || why_len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, why_len, _(fmt), ap);
    va_end(ap);
}

static bool s_has(const char *s) { return s != NULL && s[0] != '\0'; }

/* ---- text ---------------------------------------------------------------- */

/* A copy of text fit for an iCalendar TEXT value, before escaping (which
 * libical does): CRLF and lone CR become LF, other control characters a
 * space (RFC 5545 forbids them; libical would drop CR and keep the rest raw),
 * ill-formed UTF-8 becomes U+FFFD. With one_line, line breaks and tabs
 * become spaces too (summary, location, one agenda item). NULL gives "". */
static char *s_clean_text(const char *text, bool one_line)
{
    size_t len = text ? strlen(text) : 0;
    char *out = xmalloc(len * 3 + 1); /* a bad byte grows to 3 octets */
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\r' || c == '\n') {
            out[o++] = one_line ? ' ' : '\n';
            i += (c == '\r' && text[i + 1] == '\n') ? 2 : 1;
        } else if (c == '\t') {
            out[o++] = one_line ? ' ' : '\t';
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            out[o++] = ' ';
            i++;
        } else if (c < 0x80) {
            out[o++] = (char)c;
            i++;
        } else {
            size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
            if (n > 0 && i + n <= len && utf8_valid(text + i, n)) {
                memcpy(out + o, text + i, n);
                o += n;
                i += n;
            } else {
                memcpy(out + o, "\xef\xbf\xbd", 3);
                o += 3;
                i++;
            }
        }
    }
    out[o] = '\0';
    return out;
}

/* Appends one cleaned line of user text. */
static void s_buf_clean(strbuf_t *b, const char *text)
{
    char *clean = s_clean_text(text, true);
    strbuf_str(b, clean);
    free(clean);
}

static const char *s_kind_vi(Thuky__SittingKind kind)
{
    switch (kind) {
    case THUKY__SITTING_KIND__KIND_PLENARY: return "Kỳ họp Quốc hội";
    case THUKY__SITTING_KIND__KIND_STANDING: return "Phiên họp UBTVQH";
    case THUKY__SITTING_KIND__KIND_CONFERENCE: return "Hội nghị";
    case THUKY__SITTING_KIND__KIND_BRIEFING: return "Giao ban";
    default: return NULL;
    }
}

static const char *s_kind_en(Thuky__SittingKind kind)
{
    switch (kind) {
    case THUKY__SITTING_KIND__KIND_PLENARY: return "PLENARY";
    case THUKY__SITTING_KIND__KIND_STANDING: return "STANDING";
    case THUKY__SITTING_KIND__KIND_CONFERENCE: return "CONFERENCE";
    case THUKY__SITTING_KIND__KIND_BRIEFING: return "BRIEFING";
    default: return NULL;
    }
}

static icalproperty_status s_status(Thuky__SittingStatus status)
{
    switch (status) {
    case THUKY__SITTING_STATUS__SITTING_CANCELLED: return ICAL_STATUS_CANCELLED;
    case THUKY__SITTING_STATUS__SITTING_CONFIRMED:
    case THUKY__SITTING_STATUS__SITTING_HELD: return ICAL_STATUS_CONFIRMED;
    case THUKY__SITTING_STATUS__SITTING_PLANNED:
    case THUKY__SITTING_STATUS__SITTING_POSTPONED: return ICAL_STATUS_TENTATIVE;
    default: return ICAL_STATUS_NONE;
    }
}

/* The DESCRIPTION, one item a line:
 *   Kỳ họp Quốc hội (bất thường)
 *   Khóa XV, số 7
 *   Chương trình:
 *   1. Khai mạc kỳ họp (T12)
 *   Lý do hủy: ...            (cancelled sittings with a reason) */
static char *s_description(const Thuky__Sitting *s)
{
    strbuf_t b = {0};
    const char *kind = s_kind_vi(s->kind);
    if (kind != NULL)
        strbuf_printf(&b, "%s%s\n", kind, s->extraordinary ? " (bất thường)" : "");
    if (s_has(s->term)) {
        strbuf_str(&b, "Khóa ");
        s_buf_clean(&b, s->term);
        if (s->number != 0)
            strbuf_printf(&b, ", số %u", s->number);
        strbuf_str(&b, "\n");
    } else if (s->number != 0) {
        strbuf_printf(&b, "Số %u\n", s->number);
    }
    if (s->n_agenda > 0) {
        strbuf_str(&b, "Chương trình:\n");
        for (size_t i = 0; i < s->n_agenda; i++) {
            const Thuky__AgendaItem *item = s->agenda[i];
            if (item == NULL)
                continue;
            strbuf_printf(&b, "%u. ", item->number ? item->number : (unsigned)(i + 1));
            s_buf_clean(&b, item->text);
            if (item->task_id != 0)
                strbuf_printf(&b, " (T%u)", item->task_id);
            strbuf_str(&b, "\n");
        }
    }
    if (s->status == THUKY__SITTING_STATUS__SITTING_CANCELLED && s_has(s->cancel_reason)) {
        strbuf_str(&b, "Lý do hủy: ");
        s_buf_clean(&b, s->cancel_reason);
        strbuf_str(&b, "\n");
    }
    if (b.len > 0)
        b.data[--b.len] = '\0'; /* no newline after the last line */
    return strbuf_take(&b);
}

/* ---- times --------------------------------------------------------------- */

/* When a sitting (or one occurrence) takes place, in local dates/times. */
typedef struct {
    bool timed;
    int32_t start_day;
    int32_t end_day; /* the closing date itself (inclusive) */
    int start_min;   /* minutes after local midnight; timed only */
    int end_min;
} span_t;

static int64_t s_span_start(const span_t *sp)
{
    return (int64_t)sp->start_day * MINUTES_PER_DAY + sp->start_min;
}

static int64_t s_span_end(const span_t *sp)
{
    return (int64_t)sp->end_day * MINUTES_PER_DAY + sp->end_min;
}

/* Sets the end of a timed span from minutes since 1970-01-01 00:00 local. */
static void s_span_set_end(span_t *sp, int64_t end)
{
    int64_t rem = end % MINUTES_PER_DAY; /* floored: days before 1970 are negative */
    if (rem < 0)
        rem += MINUTES_PER_DAY;
    sp->end_day = (int32_t)((end - rem) / MINUTES_PER_DAY);
    sp->end_min = (int)rem;
}

static bool s_span_sane(const span_t *sp)
{
    return sp->timed ? s_span_end(sp) > s_span_start(sp) : sp->end_day >= sp->start_day;
}

/* Reads an opening and closing into *out; false with a reason in why.
 * A missing closing date is the opening date; when only one end has a time
 * the other gets the office default (08:00 start, 17:00 end), unless that
 * would not leave the sitting any time (a 19:00 start, a 07:30 end on the
 * same day): then the sitting lasts one hour from the time that was given. */
static bool s_span_parse(const Thuky__SittingTime *start, const Thuky__SittingTime *end,
                         span_t *out, char *why, size_t why_len)
{
    span_t sp = {0};
    const char *reason = NULL;
    bool start_timed = false, end_timed = false;

    if (start == NULL || !s_has(start->date)) {
        s_set_why(why, why_len, N_("no opening date"));
        return false;
    }
    if (!date_parse(start->date, &sp.start_day, &reason)) {
        s_set_why(why, why_len, N_("opening date '%.32s': %s"), start->date, _(reason));
        return false;
    }
    if (s_has(start->time)) {
        if (!date_parse_clock(start->time, &sp.start_min)) {
            s_set_why(why, why_len, N_("opening time '%.32s' is not HH:MM"), start->time);
            return false;
        }
        start_timed = true;
    }
    sp.end_day = sp.start_day;
    if (end != NULL && s_has(end->date) && !date_parse(end->date, &sp.end_day, &reason)) {
        s_set_why(why, why_len, N_("closing date '%.32s': %s"), end->date, _(reason));
        return false;
    }
    if (end != NULL && s_has(end->time)) {
        if (!date_parse_clock(end->time, &sp.end_min)) {
            s_set_why(why, why_len, N_("closing time '%.32s' is not HH:MM"), end->time);
            return false;
        }
        end_timed = true;
    }
    sp.timed = start_timed || end_timed;
    if (sp.timed && !start_timed)
        sp.start_min = DEFAULT_START_MIN;
    if (sp.timed && !end_timed)
        sp.end_min = DEFAULT_END_MIN;
    if (sp.timed && start_timed != end_timed && !s_span_sane(&sp) && sp.end_day == sp.start_day) {
        if (start_timed)
            s_span_set_end(&sp, s_span_start(&sp) + DEFAULT_LENGTH_MIN);
        else if (sp.end_min >= DEFAULT_LENGTH_MIN)
            sp.start_min = sp.end_min - DEFAULT_LENGTH_MIN;
        else
            sp.start_min = 0; /* an end before 01:00: start at midnight */
    }
    if (!s_span_sane(&sp)) {
        s_set_why(why, why_len, N_("closes before it opens"));
        return false;
    }
    *out = sp;
    return true;
}

/* Where a moved occurrence now falls. With a closing given it is read like
 * a sitting; without one it keeps the series' length: a timed series keeps
 * its duration (and its start time when only a date is given), an all-day
 * series its number of days. */
static bool s_span_moved(const span_t *series, const Thuky__Occurrence *occ, span_t *out,
                         char *why, size_t why_len)
{
    if (occ->end != NULL && (s_has(occ->end->date) || s_has(occ->end->time)))
        return s_span_parse(occ->start, occ->end, out, why, why_len);

    span_t sp;
    if (!s_span_parse(occ->start, NULL, &sp, why, why_len))
        return false;
    if (series->timed) {
        if (!sp.timed)
            sp.start_min = series->start_min;
        sp.timed = true;
        s_span_set_end(&sp, s_span_start(&sp) + (s_span_end(series) - s_span_start(series)));
    } else {
        sp.end_day = sp.start_day + (series->end_day - series->start_day);
    }
    if (!s_span_sane(&sp)) {
        s_set_why(why, why_len, N_("closes before it opens"));
        return false;
    }
    *out = sp;
    return true;
}

/* A local date (VALUE=DATE) or a local date-time without zone; the caller
 * adds the TZID parameter to timed values. */
static struct icaltimetype s_ical_local(int32_t day, bool timed, int minute)
{
    struct icaltimetype t = icaltime_null_time();
    date_to_ymd(day, &t.year, &t.month, &t.day);
    t.is_date = timed ? 0 : 1;
    if (timed) {
        t.hour = minute / 60;
        t.minute = minute % 60;
    }
    return t;
}

/* A UTC date-time from unix milliseconds; false when it falls outside
 * date.h's years (1900-2199), where it means nothing for a sitting. Built
 * field by field: no time_t, no gmtime. */
static bool s_ical_utc(int64_t ms, struct icaltimetype *out)
{
    int64_t secs = ms / 1000 - (ms % 1000 < 0 ? 1 : 0);
    int64_t rem = secs % SECONDS_PER_DAY;
    if (rem < 0)
        rem += SECONDS_PER_DAY;
    int64_t day = (secs - rem) / SECONDS_PER_DAY;
    int32_t first, last;
    date_from_ymd(DATE_MIN_YEAR, 1, 1, &first, NULL);
    date_from_ymd(DATE_MAX_YEAR, 12, 31, &last, NULL);
    if (day < first || day > last)
        return false;

    struct icaltimetype t = icaltime_null_time();
    date_to_ymd((int32_t)day, &t.year, &t.month, &t.day);
    t.hour = (int)(rem / 3600);
    t.minute = (int)(rem / 60 % 60);
    t.second = (int)(rem % 60);
    t.zone = icaltimezone_get_utc_timezone();
    *out = t;
    return true;
}

/* Adds a date or date-time property, with TZID when timed. */
static void s_add_time(icalcomponent *ev, icalproperty *p, bool timed)
{
    if (timed)
        icalproperty_add_parameter(p, icalparameter_new_tzid(ICAL_TZID));
    icalcomponent_add_property(ev, p);
}

/* ---- events ---------------------------------------------------------------- */

/* What every VEVENT of one sitting shares. */
typedef struct {
    const Thuky__Sitting *s;
    char *uid;
    char *summary;
    char *location;
    char *description;
    icalproperty_status status;
} sitting_text_t;

typedef struct {
    icalcomponent **events;
    size_t n_events;
    size_t cap_events;
    bool need_tz; /* some property carries TZID=Asia/Ho_Chi_Minh */
    struct icaltimetype stamp;
} render_t;

/* An item's DTSTAMP: its change time, so the same data renders the same
 * bytes; the render's time only for an item that has none. */
static struct icaltimetype s_stamp(const render_t *r, int64_t changed_ms)
{
    struct icaltimetype when;
    if (changed_ms > 0 && s_ical_utc(changed_ms, &when))
        return when;
    return r->stamp;
}

static void s_push_event(render_t *r, icalcomponent *ev)
{
    if (r->n_events == r->cap_events) {
        r->cap_events = r->cap_events ? r->cap_events * 2 : 16;
        r->events = xrealloc(r->events, r->cap_events * sizeof r->events[0]);
    }
    r->events[r->n_events++] = ev;
}

static void s_text_init(sitting_text_t *t, const Thuky__Sitting *s)
{
    strbuf_t uid = {0};
    s_buf_clean(&uid, s->id);
    strbuf_str(&uid, ICAL_UID_DOMAIN);
    t->s = s;
    t->uid = strbuf_take(&uid);
    t->summary = s_clean_text(s_has(s->title) ? s->title : s->id, true);
    t->location = s_clean_text(s->venue, true);
    t->description = s_description(s);
    t->status = s_status(s->status);
}

static void s_text_free(sitting_text_t *t)
{
    free(t->uid);
    free(t->summary);
    free(t->location);
    free(t->description);
}

/* A VEVENT with everything but the recurrence properties. */
static icalcomponent *s_new_event(render_t *r, const sitting_text_t *t, const span_t *sp,
                                  uint32_t sequence)
{
    const Thuky__Sitting *s = t->s;
    icalcomponent *ev = icalcomponent_new_vevent();

    icalcomponent_add_property(ev, icalproperty_new_uid(t->uid));
    icalcomponent_add_property(ev, icalproperty_new_dtstamp(s_stamp(r, s->updated_ms ? s->updated_ms
                                                                            : s->created_ms)));
    s_add_time(ev, icalproperty_new_dtstart(s_ical_local(sp->start_day, sp->timed, sp->start_min)),
               sp->timed);
    /* DTEND is exclusive: an all-day sitting ends the day after it closes. */
    int32_t end_day = sp->timed ? sp->end_day : sp->end_day + 1;
    s_add_time(ev, icalproperty_new_dtend(s_ical_local(end_day, sp->timed, sp->end_min)),
               sp->timed);
    if (sp->timed)
        r->need_tz = true;

    icalcomponent_add_property(ev, icalproperty_new_summary(t->summary));
    if (t->location[0] != '\0')
        icalcomponent_add_property(ev, icalproperty_new_location(t->location));
    if (t->description[0] != '\0')
        icalcomponent_add_property(ev, icalproperty_new_description(t->description));
    const char *category = s_kind_en(s->kind);
    if (category != NULL)
        icalcomponent_add_property(ev, icalproperty_new_categories(category));
    if (t->status != ICAL_STATUS_NONE)
        icalcomponent_add_property(ev, icalproperty_new_status(t->status));
    int seq = sequence > INT_MAX ? INT_MAX : (int)sequence;
    icalcomponent_add_property(ev, icalproperty_new_sequence(seq));
    struct icaltimetype when;
    if (s->created_ms > 0 && s_ical_utc(s->created_ms, &when))
        icalcomponent_add_property(ev, icalproperty_new_created(when));
    if (s->updated_ms > 0 && s_ical_utc(s->updated_ms, &when))
        icalcomponent_add_property(ev, icalproperty_new_lastmodified(when));
    return ev;
}

/* The master VEVENT of a series, then one VEVENT per moved occurrence.
 * false (nothing pushed) when the rule is unusable. */
static bool s_render_series(render_t *r, const sitting_text_t *t, const span_t *sp, char *why,
                            size_t why_len)
{
    const Thuky__Sitting *s = t->s;
    repeat_rule_t rule;
    const char *reason = NULL;

    if (!repeat_parse(s->repeat, &rule, &reason)) {
        s_set_why(why, why_len, N_("repeat rule '%.64s': %s"), s->repeat, _(reason));
        return false;
    }
    if (!repeat_matches(&rule, sp->start_day, sp->start_day)) {
        s_set_why(why, why_len, N_("first date %.16s is not an occurrence of '%.64s'"),
                  s->start->date, s->repeat);
        return false;
    }
    char text[REPEAT_TEXT_MAX];
    repeat_to_rrule(&rule, text, sizeof text);
    struct icalrecurrencetype rrule = icalrecurrencetype_from_string(text);
    if (rrule.freq == ICAL_NO_RECURRENCE) {
        s_set_why(why, why_len, N_("libical refused RRULE '%s'"), text);
        return false;
    }
    /* RFC 5545 3.3.10: with a TZID on DTSTART, UNTIL must be a UTC
       date-time. repeat.h gives a date; the series may run through the end
       of that local day. */
    if (sp->timed && rule.until != REPEAT_NO_UNTIL &&
        !s_ical_utc((date_local_midnight(rule.until) + SECONDS_PER_DAY - 1) * 1000, &rrule.until)) {
        s_set_why(why, why_len, N_("repeat rule '%.64s': until out of range"), s->repeat);
        return false;
    }

    icalcomponent *master = s_new_event(r, t, sp, s->sequence);
    icalcomponent_add_property(master, icalproperty_new_rrule(rrule));
    s_push_event(r, master);

    for (size_t i = 0; i < s->n_exceptions; i++) {
        const Thuky__Occurrence *occ = s->exceptions[i];
        int32_t original;
        char occ_why[160];
        if (occ == NULL)
            continue;
        if (!s_has(occ->original_date) || !date_parse(occ->original_date, &original, &reason)) {
            log_warnx("ical: sitting %.64s: exception '%.32s' ignored: not a date", s->id,
                      occ->original_date ? occ->original_date : "");
            continue;
        }
        if (!repeat_matches(&rule, sp->start_day, original)) {
            log_warnx("ical: sitting %.64s: exception %.32s ignored: not an occurrence",
                      s->id, occ->original_date);
            continue;
        }
        /* Same value type (and TZID) as the master's DTSTART; a timed
           occurrence is identified by the series' start time. */
        struct icaltimetype orig = s_ical_local(original, sp->timed, sp->start_min);
        if (occ->cancelled) {
            s_add_time(master, icalproperty_new_exdate(orig), sp->timed);
            continue;
        }
        if (occ->start == NULL || !s_has(occ->start->date))
            continue; /* not moved: nothing a calendar shows */
        span_t moved;
        if (!s_span_moved(sp, occ, &moved, occ_why, sizeof occ_why)) {
            log_warnx("ical: sitting %.64s: moved occurrence %.32s ignored: %s", s->id,
                      occ->original_date, occ_why);
            continue;
        }
        icalcomponent *ev = s_new_event(r, t, &moved, occ->sequence);
        s_add_time(ev, icalproperty_new_recurrenceid(orig), sp->timed);
        s_push_event(r, ev);
    }
    return true;
}

/* Renders one sitting; false with a reason when it has to be left out. */
static bool s_render_sitting(render_t *r, const Thuky__Sitting *s, char *why, size_t why_len)
{
    span_t sp;
    if (!s_has(s->id)) {
        s_set_why(why, why_len, N_("no id"));
        return false;
    }
    if (!s_span_parse(s->start, s->end, &sp, why, why_len))
        return false;

    sitting_text_t t;
    s_text_init(&t, s);
    bool ok = true;
    if (s_has(s->repeat))
        ok = s_render_series(r, &t, &sp, why, why_len);
    else
        s_push_event(r, s_new_event(r, &t, &sp, s->sequence));
    s_text_free(&t);
    return ok;
}

/* Asia/Ho_Chi_Minh as a fixed +0700 zone: Vietnam has kept UTC+7 without
 * daylight saving since 1975, and calendar clients need no more than this.
 * Built by hand so the feed never depends on the host's zoneinfo. */
static icalcomponent *s_vtimezone(void)
{
    icalcomponent *tz = icalcomponent_new_vtimezone();
    icalcomponent_add_property(tz, icalproperty_new_tzid(ICAL_TZID));

    icalcomponent *standard = icalcomponent_new_xstandard();
    struct icaltimetype epoch = icaltime_null_time();
    epoch.year = 1970;
    epoch.month = 1;
    epoch.day = 1;
    icalcomponent_add_property(standard, icalproperty_new_dtstart(epoch));
    icalcomponent_add_property(standard, icalproperty_new_tzoffsetfrom(DATE_TZ_OFFSET_S));
    icalcomponent_add_property(standard, icalproperty_new_tzoffsetto(DATE_TZ_OFFSET_S));
    icalcomponent_add_property(standard, icalproperty_new_tzname("+07"));
    icalcomponent_add_component(tz, standard);
    return tz;
}

static void s_add_x(icalcomponent *cal, const char *name, const char *value)
{
    /* libical writes X- values without escaping ',' and ';': keep these
       constant and free of both. */
    icalproperty *p = icalproperty_new_x(value);
    icalproperty_set_x_name(p, name);
    icalcomponent_add_property(cal, p);
}

/* ---- folding ------------------------------------------------------------- */

/* Appends one content line folded at SESSION_ICAL_LINE_MAX octets: the first
 * piece up to 75 octets, each further piece a CRLF, a space and up to 74
 * octets, cut only before a byte that starts a UTF-8 character (never
 * before a continuation byte 10xxxxxx). */
static void s_fold_line(strbuf_t *out, const char *line, size_t len)
{
    size_t room = SESSION_ICAL_LINE_MAX;
    while (len > room) {
        size_t cut = room;
        while (cut > 0 && ((unsigned char)line[cut] & 0xc0) == 0x80)
            cut--;
        if (cut == 0)
            cut = room; /* not UTF-8 at all: any cut will do */
        strbuf_add(out, line, cut);
        strbuf_add(out, "\r\n ", 3);
        line += cut;
        len -= cut;
        room = SESSION_ICAL_LINE_MAX - 1;
    }
    strbuf_add(out, line, len);
    strbuf_add(out, "\r\n", 2);
}

/* Unfolds libical's output and folds it again on character boundaries.
 *
 * libical 3.0.16 folds by itself (fold_property_line in icalproperty.c) and
 * keeps UTF-8 sequences whole, but it folds each property *with* its closing
 * CRLF: when the last piece of a line that has no ' ', ';' or ':' to break
 * after is 73 octets, the cut falls between CR and LF and it writes
 * "...\r" CRLF " \n" — a stray CR and a line holding only a space and a
 * bare LF, which parsers misread; at 74 octets it leaves a continuation line
 * holding only a space. (It also cuts right after "DESCRIPTION:", so the
 * first line is bare.) Removing every CRLF that is followed by a space or a
 * tab undoes its folding, the broken case included, since the inserted
 * CRLF+space sits between the CR and LF of the original line end. Then each
 * line is folded by s_fold_line. Returns malloc'ed text. */
static char *s_refold(const char *text)
{
    size_t len = strlen(text);
    char *flat = xmalloc(len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        if (text[i] == '\r' && text[i + 1] == '\n' && (text[i + 2] == ' ' || text[i + 2] == '\t')) {
            i += 3;
            continue;
        }
        flat[n++] = text[i++];
    }

    strbuf_t out = {0};
    for (size_t i = 0; i < n;) {
        size_t eol = i;
        while (eol < n && flat[eol] != '\n')
            eol++;
        size_t end = eol;
        if (end > i && flat[end - 1] == '\r')
            end--;
        if (end > i) /* an empty line has no place in iCalendar */
            s_fold_line(&out, flat + i, end - i);
        i = eol + 1;
    }
    free(flat);
    return strbuf_take(&out);
}

/* ---- entry point ----------------------------------------------------------- */

/* A caller's all-day deadline: DTSTART;VALUE=DATE the day, DTEND the next
 * (exclusive), free time (TRANSP) since nobody sits through a deadline. */
static void s_render_deadline(render_t *r, const Thuky__IcalDeadline *d)
{
    int32_t day;
    const char *bad;
    if (!s_has(d->uid) || !date_parse(d->date, &day, &bad)) {
        log_warnx("ical: deadline %.64s left out of the feed: no uid or a bad date",
                  d->uid ? d->uid : "");
        return;
    }
    icalcomponent *ev = icalcomponent_new_vevent();
    icalcomponent_add_property(ev, icalproperty_new_uid(d->uid));
    icalcomponent_add_property(ev, icalproperty_new_dtstamp(s_stamp(r, d->changed_ms)));
    s_add_time(ev, icalproperty_new_dtstart(s_ical_local(day, false, 0)), false);
    s_add_time(ev, icalproperty_new_dtend(s_ical_local(day + 1, false, 0)), false);
    char *summary = s_clean_text(d->summary, true);
    icalcomponent_add_property(ev, icalproperty_new_summary(summary));
    free(summary);
    if (s_has(d->description)) {
        char *text = s_clean_text(d->description, false);
        icalcomponent_add_property(ev, icalproperty_new_description(text));
        free(text);
    }
    if (s_has(d->url)) {
        char *url = s_clean_text(d->url, true);
        icalcomponent_add_property(ev, icalproperty_new_url(url));
        free(url);
    }
    icalcomponent_add_property(ev, icalproperty_new_categories("DEADLINE"));
    icalcomponent_add_property(ev, icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));
    icalcomponent_add_property(ev, icalproperty_new_sequence(d->sequence > INT_MAX
                                                                 ? INT_MAX
                                                                 : (int)d->sequence));
    struct icaltimetype when;
    if (d->changed_ms > 0 && s_ical_utc(d->changed_ms, &when))
        icalcomponent_add_property(ev, icalproperty_new_lastmodified(when));
    s_push_event(r, ev);
}

char *session_ical_render(Thuky__Sitting *const *sittings, size_t count,
                          const Thuky__SessionIcalRequest *request, int64_t now_ms, char *why,
                          size_t why_len)
{
    if (sittings == NULL && count > 0) {
        s_set_why(why, why_len, N_("no sittings array"));
        return NULL;
    }

    render_t r = {0};
    if (!s_ical_utc(now_ms, &r.stamp)) {
        s_set_why(why, why_len, N_("now_ms %lld is outside years %d-%d"), (long long)now_ms,
                  DATE_MIN_YEAR, DATE_MAX_YEAR);
        return NULL;
    }
    size_t expanded = 0;
    for (size_t i = 0; i < count; i++) {
        const Thuky__Sitting *s = sittings[i];
        char reason[200];
        if (s == NULL)
            continue;
        if (s_has(s->series_id)) {
            expanded++; /* an occurrence listed from a series: the series renders it */
            continue;
        }
        if (!s_render_sitting(&r, s, reason, sizeof reason))
            log_warnx("ical: sitting %.64s left out of the feed: %s", s->id ? s->id : "", reason);
    }
    if (expanded > 0)
        log_warnx("ical: %zu occurrences listed from series ignored (render the series instead)",
                  expanded);
    for (size_t i = 0; request && i < request->n_deadlines; i++)
        s_render_deadline(&r, request->deadlines[i]);

    icalcomponent *cal = icalcomponent_new_vcalendar();
    icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
    icalcomponent_add_property(cal, icalproperty_new_prodid("-//thuky//sittings//VI"));
    icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
    icalcomponent_add_property(cal, icalproperty_new_method(ICAL_METHOD_PUBLISH));
    s_add_x(cal, "X-WR-CALNAME", request && s_has(request->name) ? request->name : "Lịch họp");
    s_add_x(cal, "X-WR-TIMEZONE", ICAL_TZID);
    /* Subscribers (Outlook, Google, Apple) fetch again hourly. */
    icalproperty *refresh = icalproperty_new_from_string("REFRESH-INTERVAL;VALUE=DURATION:PT1H");
    if (refresh)
        icalcomponent_add_property(cal, refresh);
    s_add_x(cal, "X-PUBLISHED-TTL", "PT1H");
    if (r.need_tz)
        icalcomponent_add_component(cal, s_vtimezone());
    for (size_t i = 0; i < r.n_events; i++)
        icalcomponent_add_component(cal, r.events[i]);
    free(r.events);

    char *raw = icalcomponent_as_ical_string_r(cal);
    icalcomponent_free(cal);
    if (raw == NULL) {
        s_set_why(why, why_len, N_("libical could not serialise the calendar: %s"),
                  icalerror_strerror(icalerrno));
        return NULL;
    }
    char *text = s_refold(raw);
    icalmemory_free_buffer(raw);
    return text;
}
