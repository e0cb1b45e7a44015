#include "fuzz_fixtures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void s_time(Thuky__SittingTime *t, const char *text, char date[11], char clock[6])
{
    thuky__sitting_time__init(t);
    snprintf(date, 11, "%.10s", text);
    snprintf(clock, 6, "%s", strlen(text) > 11 ? text + 11 : "");
    t->date = date;
    t->time = clock;
}

void fx_sitting(fx_sitting_t *f, const char *id, Thuky__SittingKind kind, const char *start,
                const char *end, const char *repeat)
{
    Thuky__Sitting *s = &f->sitting;
    thuky__sitting__init(s);
    s_time(&f->start, start, f->start_date, f->start_time);
    s_time(&f->end, end, f->end_date, f->end_time);
    s->id = (char *)id;
    s->kind = kind;
    s->title = (char *)id;
    s->start = &f->start;
    s->end = &f->end;
    s->status = THUKY__SITTING_STATUS__SITTING_CONFIRMED;
    s->repeat = (char *)repeat;
    s->version = 1;
}

void fx_task(fx_task_t *f, uint32_t id, const char *title, const char *lead, const char *with,
             const char *due, const char *resolved)
{
    Thuky__Task *t = &f->task;
    thuky__task__init(t);
    t->id = id;
    t->program_year = 2024;
    t->group = 1;
    t->title = (char *)title;
    t->lead_office = (char *)lead;
    if (with) {
        f->with[0] = (char *)with;
        t->with_offices = f->with;
        t->n_with_offices = 1;
    }
    t->status = THUKY__TASK_STATUS__TASK_OPEN;
    t->version = 1;
    const char *why;
    if (due) {
        if (!deadline_parse(due, &f->deadline, &why)) {
            fprintf(stderr, "fuzz: fixture deadline %s: %s\n", due, why);
            abort();
        }
        f->deadline.deadline.resolved_date = (char *)resolved;
        t->deadline = &f->deadline.deadline;
    }
}

static void s_event(fx_event_t *f, uint64_t seq, const char *type, const char *subject)
{
    thuky__event__init(&f->event);
    f->event.seq = seq;
    f->event.type = (char *)type;
    f->event.subject = (char *)subject;
    f->event.time_ms = 1714525200000LL;
}

void fx_session_event(fx_event_t *f, uint64_t seq, const char *type, Thuky__Sitting *sitting)
{
    s_event(f, seq, type, sitting->id);
    thuky__session_event__init(&f->session);
    f->session.sitting = sitting;
    f->session.caller = (char *)"fuzz";
    f->event.payload_case = THUKY__EVENT__PAYLOAD_SESSION;
    f->event.session = &f->session;
}

void fx_task_event(fx_event_t *f, uint64_t seq, const char *type, Thuky__Task *task)
{
    s_event(f, seq, type, "T");
    thuky__task_event__init(&f->task);
    f->task.task = task;
    f->task.caller = (char *)"fuzz";
    f->event.payload_case = THUKY__EVENT__PAYLOAD_TASK;
    f->event.task = &f->task;
}
