/* The session service's write commands: add, move, cancel, status and
 * agenda. Each checks its input, changes the sitting within the request's
 * transaction, appends one event and replies with the sitting, the
 * warnings (overlaps are reported, never refused) and the event's seq. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/i18n.h"
#include "base/log.h"
#include "domain/repeat.h"
#include "runtime/check.h"
#include "runtime/keys.h"
#include "session_store.h"
#include "sessiond.h"
#include "text/utf8.h"

#define TITLE_MAX 500
#define VENUE_MAX 300
#define REASON_MAX 1000
#define AGENDA_MAX 300
#define WARNINGS_MAX 10

typedef struct {
    char *items[WARNINGS_MAX];
    size_t count;
    lang_t lang;   /* the caller's: a warning is for the person who asked */
} warnings_t;

/* Adds a warning; fmt (marked with N_) is translated into w->lang. */
static void s_warn(warnings_t *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void s_warn(warnings_t *w, const char *fmt, ...)
{
    if (w->count == WARNINGS_MAX)
        return;
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, i18n_text(w->lang, fmt), ap);
    utf8_cut_partial(text);
    va_end(ap);
    w->items[w->count++] = xstrdup(text);
}

static void s_warnings_free(warnings_t *w)
{
    for (size_t i = 0; i < w->count; i++)
        free(w->items[i]);
}

/* A heap copy of a SittingTime, owned by an unpacked message. */
static Thuky__SittingTime *s_time_dup(const Thuky__SittingTime *t)
{
    Thuky__SittingTime *copy = xmalloc(sizeof *copy);
    thuky__sitting_time__init(copy);
    copy->date = xstrdup(t->date);
    copy->time = xstrdup(t->time);
    return copy;
}

static void s_set_time(Thuky__SittingTime **field, const Thuky__SittingTime *value)
{
    if (*field)
        thuky__sitting_time__free_unpacked(*field, NULL);
    *field = s_time_dup(value);
}

static void s_set_string(char **field, const char *value)
{
    if (*field != protobuf_c_empty_string)
        free(*field);
    *field = xstrdup(value);
}

/* "20/05/2024 08:30" (or ISO in English), without a time when none. */
static void s_when(lang_t lang, const Thuky__SittingTime *t, char *out, size_t len)
{
    char date[DATE_ISO_LEN];
    date_text_lang(lang, t->date, date, sizeof date);
    snprintf(out, len, "%s%s%s", date, t->time[0] ? " " : "", t->time);
}

/* Checks an opening and closing; fills span. */
static bool s_check_span(server_call_t *call, const Thuky__SittingTime *start,
                         const Thuky__SittingTime *end, sitting_span_t *span)
{
    const char *why;
    if (!sitting_time_parse(start, &span->start_day, &span->start_minute, &why)) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "opening: %s",
                    i18n_text(call->lang, why));
        return false;
    }
    if (!sitting_time_parse(end, &span->end_day, &span->end_minute, &why)) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "closing: %s",
                    i18n_text(call->lang, why));
        return false;
    }
    span->cancelled = false;
    if ((span->start_minute < 0) != (span->end_minute < 0)) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                    "give a time for both the opening and the closing, or for neither");
        return false;
    }
    if (span->end_day < span->start_day ||
        (span->end_day == span->start_day && span->end_minute < span->start_minute)) {
        char closing[32], opening[32];
        s_when(call->lang, end, closing, sizeof closing);
        s_when(call->lang, start, opening, sizeof opening);
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                    "the closing (%s) is before the opening (%s)", closing, opening);
        return false;
    }
    if (span->end_day - span->start_day >= SITTING_MAX_DAYS) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                    "a sitting lasts at most %d days", SITTING_MAX_DAYS);
        return false;
    }
    return true;
}

/* Terms are Roman numerals as the Assembly writes them: "XV". */
static bool s_check_term(server_call_t *call, const char *term, bool required)
{
    size_t n = strlen(term);
    bool ok = n <= 8 && (n > 0 || !required);
    for (size_t i = 0; ok && i < n; i++)
        ok = strchr("IVXLC", term[i]) != NULL;
    if (!ok)
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                    "term must be a Roman numeral such as XV%s",
                    required ? i18n_text(call->lang, N_(" (required)")) : "");
    return ok;
}

/* Reports sittings of the same kind or at the same venue that overlap. */
static void s_find_overlaps(server_call_t *call, const Thuky__Sitting *s, const sitting_span_t *span,
                            warnings_t *warnings)
{
    uint8_t start[5] = {SINDEX_END};
    key_put_u32(start + 1, session_day_key(span->start_day));
    store_iter_t it;
    store_iter_init(&it, call->txn, store_dbi(call->txn->store, SDB_INDEX), start, 1, start,
                    sizeof start, false);
    while (store_iter_next(&it)) {
        const uint8_t *k = it.key.mv_data;
        if (it.key.mv_size <= 5 ||
            session_key_day(key_get_u32(k + 1)) > span->end_day + SITTING_MAX_DAYS)
            break;
        char id[SITTING_ID_MAX + 1];
        size_t n = it.key.mv_size - 5;
        if (n > SITTING_ID_MAX)
            continue;
        memcpy(id, k + 5, n);
        id[n] = '\0';
        if (strcmp(id, s->id) == 0)
            continue;
        Thuky__Sitting *other = sitting_load(call->txn, id);
        sitting_span_t os;
        const char *why;
        if (other && other->status != THUKY__SITTING_STATUS__SITTING_CANCELLED &&
            sitting_span(other, SITTING_NO_OCCURRENCE, &os, &why) &&
            os.start_day <= span->end_day) {
            bool same_kind = other->kind == s->kind;
            bool same_venue = s->venue[0] && strcmp(other->venue, s->venue) == 0;
            char from[DATE_ISO_LEN], to[DATE_ISO_LEN];
            date_text_lang(warnings->lang, other->start->date, from, sizeof from);
            date_text_lang(warnings->lang, other->end->date, to, sizeof to);
            if (same_kind || same_venue)
                s_warn(warnings, N_("overlaps %s (%s, %s to %s): %s"), other->id, other->title,
                       from, to,
                       i18n_text(warnings->lang, same_kind ? N_("same kind") : N_("same venue")));
        }
        if (other)
            thuky__sitting__free_unpacked(other, NULL);
    }
    store_iter_close(&it);
}

static uint64_t s_emit(server_call_t *call, const char *type, const Thuky__Sitting *s,
                       int32_t occurrence, const Thuky__SittingTime *old_start,
                       const Thuky__SittingTime *old_end)
{
    char subject[SITTING_REF_MAX + 1];
    char occ_iso[DATE_ISO_LEN] = "";
    if (occurrence != SITTING_NO_OCCURRENCE) {
        sitting_occurrence_ref(s->id, occurrence, subject);
        date_format_iso(occurrence, occ_iso);
    } else {
        snprintf(subject, sizeof subject, "%s", s->id);
    }
    Thuky__SessionEvent payload = THUKY__SESSION_EVENT__INIT;
    payload.sitting = (Thuky__Sitting *)s;
    payload.caller = (char *)call->caller;
    payload.occurrence = occ_iso;
    payload.old_start = (Thuky__SittingTime *)old_start;
    payload.old_end = (Thuky__SittingTime *)old_end;
    Thuky__Event event = THUKY__EVENT__INIT;
    event.type = (char *)type;
    event.subject = subject;
    event.payload_case = THUKY__EVENT__PAYLOAD_SESSION;
    event.session = &payload;
    return server_emit(call, &event);
}

static void s_reply(server_call_t *call, const Thuky__Sitting *s, const warnings_t *warnings,
                    uint64_t seq)
{
    Thuky__SessionChangeReply reply = THUKY__SESSION_CHANGE_REPLY__INIT;
    reply.sitting = (Thuky__Sitting *)s;
    reply.warnings = warnings ? (char **)warnings->items : NULL;
    reply.n_warnings = warnings ? warnings->count : 0;
    reply.event_seq = seq;
    server_reply(call, &reply.base);
}

/* ---- session.add ---------------------------------------------------------- */

static bool s_derive_id(server_call_t *call, const Thuky__Sitting *in, char id[SITTING_ID_MAX + 1])
{
    if (in->id[0]) {
        if (!sitting_id_valid(in->id)) {
            server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                        "id must be 1-64 letters, digits, '-', '_' or '.'");
            return false;
        }
        snprintf(id, SITTING_ID_MAX + 1, "%s", in->id);
        return true;
    }
    switch (in->kind) {
    case THUKY__SITTING_KIND__KIND_PLENARY:
        snprintf(id, SITTING_ID_MAX + 1, "%s-%s%u", in->term, in->extraordinary ? "BT" : "",
                 in->number);
        return true;
    case THUKY__SITTING_KIND__KIND_STANDING:
        snprintf(id, SITTING_ID_MAX + 1, "UBTV-%s-%u", in->term, in->number);
        return true;
    case THUKY__SITTING_KIND__KIND_CONFERENCE:
        snprintf(id, SITTING_ID_MAX + 1, "HN-%u", session_next_number(call->txn, "HN"));
        return true;
    default:
        snprintf(id, SITTING_ID_MAX + 1, "GB-%u", session_next_number(call->txn, "GB"));
        return true;
    }
}

static bool s_check_add(server_call_t *call, const Thuky__Sitting *in)
{
    if (in->kind < THUKY__SITTING_KIND__KIND_PLENARY || in->kind > THUKY__SITTING_KIND__KIND_BRIEFING) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                    "kind must be plenary, standing, conference or briefing");
        return false;
    }
    if (!check_text(call, i18n_text(call->lang, N_("title")), in->title, TITLE_MAX, true) ||
        !check_text(call, i18n_text(call->lang, N_("venue")), in->venue, VENUE_MAX, false))
        return false;
    bool numbered = in->kind == THUKY__SITTING_KIND__KIND_PLENARY ||
                    in->kind == THUKY__SITTING_KIND__KIND_STANDING;
    if (!s_check_term(call, in->term, numbered && !in->id[0]))
        return false;
    if (numbered && !in->id[0] && (in->number == 0 || in->number > 999)) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                    "a %s sitting needs its number (1-999)", sitting_kind_name(in->kind));
        return false;
    }
    if (in->repeat[0] && in->kind == THUKY__SITTING_KIND__KIND_PLENARY) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "plenary sessions do not recur");
        return false;
    }
    if (in->status != THUKY__SITTING_STATUS__SITTING_STATUS_UNSPECIFIED &&
        in->status != THUKY__SITTING_STATUS__SITTING_PLANNED &&
        in->status != THUKY__SITTING_STATUS__SITTING_CONFIRMED) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                    "a new sitting is planned or confirmed");
        return false;
    }
    return true;
}

static void s_session_add(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__SessionAddRequest *req = (const Thuky__SessionAddRequest *)request;
    if (!req->sitting) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "sitting is missing");
        return;
    }
    const Thuky__Sitting *in = req->sitting;
    sitting_span_t span;
    if (!s_check_add(call, in) || !s_check_span(call, in->start, in->end, &span))
        return;

    warnings_t warnings = {.count = 0, .lang = call->lang};
    char repeat_text[REPEAT_TEXT_MAX] = "";
    if (in->repeat[0]) {
        repeat_rule_t rule;
        const char *why;
        int32_t first;
        if (!repeat_parse(in->repeat, &rule, &why)) {
            server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "repeat rule: %s",
                        i18n_text(call->lang, why));
            return;
        }
        if (!repeat_align(&rule, span.start_day, &first)) {
            server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                        "the repeat rule has no date on or after the opening");
            return;
        }
        if (first != span.start_day) {
            char date[DATE_ISO_LEN];
            date_format_lang(warnings.lang, first, date);
            s_warn(&warnings, N_("the first occurrence is %s, the first date the rule gives"),
                   date);
            span.end_day += first - span.start_day;
            span.start_day = first;
        }
        repeat_format(&rule, repeat_text, sizeof repeat_text);
    }

    char id[SITTING_ID_MAX + 1];
    if (!s_derive_id(call, in, id))
        return;
    Thuky__Sitting *existing = sitting_load(call->txn, id);
    if (existing) {
        thuky__sitting__free_unpacked(existing, NULL);
        server_fail(call, THUKY__STATUS_CODE__CONFLICT, "sitting %s exists already", id);
        s_warnings_free(&warnings);
        return;
    }

    /* Only the fields a client may set are taken from the request. */
    sitting_span_text_t times;
    sitting_span_text(&span, &times);
    Thuky__Sitting s = THUKY__SITTING__INIT;
    s.id = id;
    s.kind = in->kind;
    s.title = in->title;
    s.start = &times.start;
    s.end = &times.end;
    s.venue = in->venue;
    s.status = in->status ? in->status : THUKY__SITTING_STATUS__SITTING_PLANNED;
    s.term = in->term;
    s.number = in->number;
    s.extraordinary = in->extraordinary;
    s.repeat = repeat_text;
    s.created_ms = s.updated_ms = call->now_ms;
    s.version = 1;
    if (!sitting_is_series(&s))
        s_find_overlaps(call, &s, &span, &warnings);
    sitting_save(call->txn, NULL, &s);
    uint64_t seq = s_emit(call, "session.created", &s, SITTING_NO_OCCURRENCE, NULL, NULL);
    s_reply(call, &s, &warnings, seq);
    s_warnings_free(&warnings);
}

/* ---- changes to an existing sitting ---------------------------------------- */

/* Loads the sitting a ref names; NOT_FOUND or INVALID_ARGUMENT otherwise.
 * *occurrence is the occurrence's day, checked to exist in the series. */
static Thuky__Sitting *s_load_ref(server_call_t *call, const char *ref, int32_t *occurrence)
{
    char base[SITTING_ID_MAX + 1];
    const char *why;
    if (!sitting_split_ref(ref, base, occurrence, &why)) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "sitting '%.80s': %s", ref,
                    i18n_text(call->lang, why));
        return NULL;
    }
    Thuky__Sitting *s = sitting_load(call->txn, base);
    if (!s) {
        if (call->txn->rc == STORE_OK)
            server_fail(call, THUKY__STATUS_CODE__NOT_FOUND, "no sitting %s", base);
        return NULL;
    }
    sitting_span_t span;
    if (*occurrence != SITTING_NO_OCCURRENCE && !sitting_span(s, *occurrence, &span, &why)) {
        server_fail(call, THUKY__STATUS_CODE__NOT_FOUND, "%s: %s", ref,
                    i18n_text(call->lang, why));
        thuky__sitting__free_unpacked(s, NULL);
        return NULL;
    }
    return s;
}

static bool s_check_changeable(server_call_t *call, const Thuky__Sitting *s)
{
    if (s->status == THUKY__SITTING_STATUS__SITTING_CANCELLED) {
        server_fail(call, THUKY__STATUS_CODE__CONFLICT, "%s is cancelled", s->id);
        return false;
    }
    if (s->status == THUKY__SITTING_STATUS__SITTING_HELD) {
        server_fail(call, THUKY__STATUS_CODE__CONFLICT, "%s has been held", s->id);
        return false;
    }
    return true;
}

/* The exception of an occurrence, added when missing. */
static Thuky__Occurrence *s_exception(Thuky__Sitting *s, int32_t occurrence)
{
    Thuky__Occurrence *ex = sitting_exception(s, occurrence);
    if (ex)
        return ex;
    ex = xmalloc(sizeof *ex);
    thuky__occurrence__init(ex);
    char iso[DATE_ISO_LEN];
    date_format_iso(occurrence, iso);
    ex->original_date = xstrdup(iso);
    s->exceptions = xrealloc(s->exceptions, (s->n_exceptions + 1) * sizeof *s->exceptions);
    s->exceptions[s->n_exceptions++] = ex;
    return ex;
}

static void s_touch(server_call_t *call, Thuky__Sitting *s)
{
    s->version++;
    s->updated_ms = call->now_ms;
}

static void s_session_move(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__SessionMoveRequest *req = (const Thuky__SessionMoveRequest *)request;
    sitting_span_t span, old;
    if (!s_check_span(call, req->start, req->end, &span))
        return;
    int32_t occurrence;
    Thuky__Sitting *s = s_load_ref(call, req->id, &occurrence);
    if (!s)
        return;
    const char *why;
    warnings_t warnings = {.count = 0, .lang = call->lang};
    if (!s_check_changeable(call, s))
        goto done;
    if (sitting_is_series(s) && occurrence == SITTING_NO_OCCURRENCE) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                    "%s recurs: move one occurrence (%s@YYYY-MM-DD)", s->id, s->id);
        goto done;
    }
    if (!sitting_span(s, occurrence, &old, &why)) {
        server_fail(call, THUKY__STATUS_CODE__INTERNAL, "%s: %s", s->id,
                    i18n_text(call->lang, why));
        goto done;
    }
    if (old.cancelled) {
        server_fail(call, THUKY__STATUS_CODE__CONFLICT, "%s is cancelled", req->id);
        goto done;
    }
    sitting_span_text_t old_text, new_text;
    sitting_span_text(&old, &old_text);
    sitting_span_text(&span, &new_text);
    if (old.start_day == span.start_day && old.end_day == span.end_day &&
        old.start_minute == span.start_minute && old.end_minute == span.end_minute) {
        s_reply(call, s, NULL, 0); /* already there: nothing changes */
        goto done;
    }
    if (occurrence != SITTING_NO_OCCURRENCE) {
        Thuky__Occurrence *ex = s_exception(s, occurrence);
        s_set_time(&ex->start, &new_text.start);
        s_set_time(&ex->end, &new_text.end);
        ex->sequence = (ex->sequence > s->sequence ? ex->sequence : s->sequence) + 1;
        s_touch(call, s);
        sitting_save(call->txn, s, s);
    } else {
        /* Index entries move with the dates: save against the stored record. */
        Thuky__Sitting *prior = sitting_load(call->txn, s->id);
        s_set_time(&s->start, &new_text.start);
        s_set_time(&s->end, &new_text.end);
        s->sequence++;
        s_touch(call, s);
        s_find_overlaps(call, s, &span, &warnings);
        sitting_save(call->txn, prior, s);
        if (prior)
            thuky__sitting__free_unpacked(prior, NULL);
    }
    uint64_t seq = s_emit(call, "session.moved", s, occurrence, &old_text.start, &old_text.end);
    s_reply(call, s, &warnings, seq);
done:
    s_warnings_free(&warnings);
    thuky__sitting__free_unpacked(s, NULL);
}

static void s_session_cancel(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__SessionCancelRequest *req = (const Thuky__SessionCancelRequest *)request;
    if (!check_text(call, i18n_text(call->lang, N_("reason")), req->reason, REASON_MAX, false))
        return;
    int32_t occurrence;
    Thuky__Sitting *s = s_load_ref(call, req->id, &occurrence);
    if (!s)
        return;
    if (!s_check_changeable(call, s))
        goto done;
    if (occurrence != SITTING_NO_OCCURRENCE) {
        Thuky__Occurrence *ex = s_exception(s, occurrence);
        if (ex->cancelled) {
            server_fail(call, THUKY__STATUS_CODE__CONFLICT, "%s is cancelled", req->id);
            goto done;
        }
        ex->cancelled = true;
        ex->sequence = (ex->sequence > s->sequence ? ex->sequence : s->sequence) + 1;
    } else {
        s->status = THUKY__SITTING_STATUS__SITTING_CANCELLED;
        s_set_string(&s->cancel_reason, req->reason);
        s->sequence++;
    }
    s_touch(call, s);
    sitting_save(call->txn, s, s);
    uint64_t seq = s_emit(call, "session.cancelled", s, occurrence, NULL, NULL);
    s_reply(call, s, NULL, seq);
done:
    thuky__sitting__free_unpacked(s, NULL);
}

static void s_session_status(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__SessionStatusRequest *req = (const Thuky__SessionStatusRequest *)request;
    if (req->status == THUKY__SITTING_STATUS__SITTING_CANCELLED) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                    "use session.cancel to cancel a sitting");
        return;
    }
    if (req->status < THUKY__SITTING_STATUS__SITTING_PLANNED ||
        req->status > THUKY__SITTING_STATUS__SITTING_HELD) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                    "status must be planned, confirmed, postponed or held");
        return;
    }
    int32_t occurrence;
    Thuky__Sitting *s = s_load_ref(call, req->id, &occurrence);
    if (!s)
        return;
    if (occurrence != SITTING_NO_OCCURRENCE) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                    "the status belongs to the whole series %s", s->id);
    } else if (s->status == THUKY__SITTING_STATUS__SITTING_CANCELLED) {
        server_fail(call, THUKY__STATUS_CODE__CONFLICT, "%s is cancelled", s->id);
    } else if (s->status == req->status) {
        s_reply(call, s, NULL, 0);
    } else {
        s->status = req->status;
        s->sequence++;
        s_touch(call, s);
        sitting_save(call->txn, s, s);
        uint64_t seq = s_emit(call, "session.status_changed", s, SITTING_NO_OCCURRENCE, NULL, NULL);
        s_reply(call, s, NULL, seq);
    }
    thuky__sitting__free_unpacked(s, NULL);
}

static void s_agenda_add(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__AgendaAddRequest *req = (const Thuky__AgendaAddRequest *)request;
    if (!check_text(call, i18n_text(call->lang, N_("text")), req->text, TITLE_MAX,
                    req->task_id == 0))
        return;
    int32_t occurrence;
    Thuky__Sitting *s = s_load_ref(call, req->id, &occurrence);
    if (!s)
        return;
    if (occurrence != SITTING_NO_OCCURRENCE) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                    "the agenda belongs to the whole series %s", s->id);
    } else if (s->n_agenda >= AGENDA_MAX) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                    "%s has %d agenda items already", s->id, AGENDA_MAX);
    } else {
        Thuky__AgendaItem *item = xmalloc(sizeof *item);
        thuky__agenda_item__init(item);
        item->number = (uint32_t)s->n_agenda + 1;
        item->task_id = req->task_id;
        item->text = xstrdup(req->text);
        s->agenda = xrealloc(s->agenda, (s->n_agenda + 1) * sizeof *s->agenda);
        s->agenda[s->n_agenda++] = item;
        s_touch(call, s);
        sitting_save(call->txn, s, s);
        uint64_t seq = s_emit(call, "session.agenda_changed", s, SITTING_NO_OCCURRENCE, NULL, NULL);
        s_reply(call, s, NULL, seq);
    }
    thuky__sitting__free_unpacked(s, NULL);
}

const command_t sessiond_commands[] = {
    /* name, body, handler, flags, roles */
    {"session.add", &thuky__session_add_request__descriptor, s_session_add, COMMAND_WRITE,
     ROLE_ADMIN},
    {"session.move", &thuky__session_move_request__descriptor, s_session_move, COMMAND_WRITE,
     ROLE_ADMIN},
    {"session.cancel", &thuky__session_cancel_request__descriptor, s_session_cancel, COMMAND_WRITE,
     ROLE_ADMIN},
    {"session.status", &thuky__session_status_request__descriptor, s_session_status, COMMAND_WRITE,
     ROLE_ADMIN},
    {"session.agenda.add", &thuky__agenda_add_request__descriptor, s_agenda_add, COMMAND_WRITE,
     ROLE_ADMIN},
    {"session.get", &thuky__session_get_request__descriptor, session_get, 0,
     ROLE_ADMIN | ROLE_OFFICE | ROLE_GATEWAY},
    {"session.list", &thuky__session_list_request__descriptor, session_list, 0,
     ROLE_ADMIN | ROLE_OFFICE | ROLE_GATEWAY},
    {"session.ical", &thuky__session_ical_request__descriptor, session_ical, 0,
     ROLE_ADMIN | ROLE_OFFICE | ROLE_GATEWAY},
    {"calendar.year", &thuky__calendar_year_request__descriptor, calendar_year, 0,
     ROLE_ADMIN | ROLE_OFFICE | ROLE_GATEWAY},
    {"calendar.add_days", &thuky__calendar_add_days_request__descriptor, calendar_add_days, 0,
     ROLE_ADMIN | ROLE_OFFICE | ROLE_GATEWAY},
};
const size_t sessiond_command_count = sizeof sessiond_commands / sizeof sessiond_commands[0];
