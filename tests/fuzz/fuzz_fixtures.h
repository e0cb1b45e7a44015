/* Messages the seeding of a fresh store is built from: sittings, tasks and
 * the events that carry them. Strings point to the caller's literals or to
 * storage inside the fixture, which must outlive the message. */
#ifndef THUKY_FUZZ_FIXTURES_H
#define THUKY_FUZZ_FIXTURES_H

#include <stdint.h>

#include "domain/deadline.h"
#include "thuky/event.pb-c.h"

typedef struct {
    Thuky__Sitting sitting;
    Thuky__SittingTime start, end;
    char start_date[11], start_time[6], end_date[11], end_time[6];
} fx_sitting_t;

/* start and end are "2024-05-20" or "2024-05-20 08:30"; repeat may be "". */
void fx_sitting(fx_sitting_t *f, const char *id, Thuky__SittingKind kind, const char *start,
                const char *end, const char *repeat);

typedef struct {
    Thuky__Task task;
    deadline_buf_t deadline;
    char *with[2];
} fx_task_t;

/* due is a deadline as deadline_parse() takes it, or NULL; resolved is its
 * date (or "" while its sitting is unknown); with may be NULL. */
void fx_task(fx_task_t *f, uint32_t id, const char *title, const char *lead, const char *with,
             const char *due, const char *resolved);

typedef struct {
    Thuky__Event event;
    Thuky__SessionEvent session;
    Thuky__TaskEvent task;
} fx_event_t;

void fx_session_event(fx_event_t *f, uint64_t seq, const char *type, Thuky__Sitting *sitting);
void fx_task_event(fx_event_t *f, uint64_t seq, const char *type, Thuky__Task *task);

#endif
