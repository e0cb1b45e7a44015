/* The session service's iCalendar feed (RFC 5545) of sittings, via libical.
 *
 * One VCALENDAR (METHOD:PUBLISH, X-WR-CALNAME "Lịch họp") holding:
 *   - one VEVENT per single sitting, UID "<id>@thuky" (stable across moves,
 *     SEQUENCE = Sitting.sequence);
 *   - for a recurring sitting (Sitting.repeat, parsed by repeat.h) one master
 *     VEVENT whose DTSTART/DTEND is the first occurrence, with an RRULE, an
 *     EXDATE per cancelled occurrence and, per moved occurrence, another
 *     VEVENT with the same UID, a RECURRENCE-ID of the original date and
 *     SEQUENCE = Occurrence.sequence;
 *   - a VTIMEZONE for Asia/Ho_Chi_Minh (fixed +0700, built here, never read
 *     from the system zoneinfo) when any time carries a TZID.
 *
 * Times are local Asia/Ho_Chi_Minh. A sitting without times is all-day:
 * DTSTART;VALUE=DATE the opening date, DTEND;VALUE=DATE the day after the
 * closing date (DTEND is exclusive). When either end has a time the event is
 * timed (DTSTART/DTEND;TZID=Asia/Ho_Chi_Minh), and a missing start time is
 * taken as 08:00 and a missing end time as 17:00 (office hours) — unless
 * that leaves no time on a one-day sitting (a 19:00 start, a 07:30 end):
 * then it lasts one hour from the time given. A missing closing date means
 * the opening date. A moved occurrence without an end keeps the series'
 * length (a timed series its duration, and its start time when the move
 * gives only a date).
 *
 * Bad data never fails the whole feed: a sitting whose dates or repeat rule
 * do not parse, that ends before it starts, or whose first date is not an
 * occurrence of its rule is left out with a log_warnx; an exception whose
 * original date is not an occurrence of the series is ignored the same way.
 * Text is cleaned before it is written (CR/LF normalised, other control
 * characters become spaces, ill-formed UTF-8 becomes U+FFFD), escaped by
 * libical, and the output is refolded at 75 octets on UTF-8 character
 * boundaries with CRLF line ends (see s_refold in session_ical.c for why
 * libical's own folding is not kept). */
#ifndef THUKY_SESSION_ICAL_H
#define THUKY_SESSION_ICAL_H

#include <stddef.h>
#include <stdint.h>

#include "thuky/session.pb-c.h"

/* Longest line of the output in octets, CRLF excluded (RFC 5545 3.1). */
#define SESSION_ICAL_LINE_MAX 75

/* Renders count sittings (NULL entries are skipped) as one VCALENDAR,
 * with the request's deadlines (all-day VEVENTs) and name (X-WR-CALNAME;
 * request may be NULL). The output is byte-stable: each DTSTAMP is its
 * item's change time (updated_ms, else created_ms; now_ms, unix
 * milliseconds, only for an item without either), so an unchanged calendar
 * renders the same bytes and its ETag holds. REFRESH-INTERVAL and
 * X-PUBLISHED-TTL ask subscribers to fetch it hourly. Returns the text,
 * NUL-terminated, malloc'ed: the caller frees it with free(). On failure
 * returns NULL and writes a one-line English reason into why (why_len bytes,
 * always NUL-terminated when why_len > 0; why may be NULL). Failing is rare:
 * sittings NULL with count > 0, now_ms outside the years 1900-2199, or libical
 * unable to serialise. Pass stored sittings: entries with series_id set
 * (occurrences expanded from a series by session.list) are skipped, since
 * their series renders them. CREATED/LAST-MODIFIED are left out when
 * created_ms/updated_ms are 0 or out of range. Not thread-safe beyond what
 * libical is (it keeps per-thread error state). */
char *session_ical_render(Thuky__Sitting *const *sittings, size_t count,
                          const Thuky__SessionIcalRequest *request, int64_t now_ms, char *why,
                          size_t why_len);

#endif /* THUKY_SESSION_ICAL_H */
