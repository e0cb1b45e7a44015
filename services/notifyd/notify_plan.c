/* The alert plan: what each task's deadline means for each office.
 *
 * A task event replaces the task's planned alerts in the transaction that
 * applies it: the planned ones go, and the alerts the new deadline calls
 * for are planned — for the lead office and every coordinating office, at
 * each lead time (default 7, 3, 1 and 0 days before), the first overdue
 * reminder, and the escalation to the lead office's escalation contact.
 * Alerts fire at the start of a working day (default 08:00); a lead time
 * that falls on a day off moves to the working day before. Alert ids are
 * derived from task, deadline and lead time, so an alert already sent is
 * never planned again. Done or cancelled tasks, and tasks whose sitting was
 * cancelled, get no more alerts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/log.h"
#include "domain/deadline.h"
#include "runtime/clock.h"
#include "runtime/keys.h"
#include "notify_store.h"
#include "notifyd.h"

#define ALERT_ID_MAX 160
#define CALENDAR_CALLER "calendar" /* who moved an alert that a calendar change moved */

void notify_emit_alert(notifyd_t *nd, store_txn_t *txn, int64_t now_ms, const char *type,
                       const Thuky__Alert *alert, const char *caller)
{
    Thuky__AlertEvent payload = THUKY__ALERT_EVENT__INIT;
    payload.alert = (Thuky__Alert *)alert;
    payload.caller = (char *)caller;
    Thuky__Event event = THUKY__EVENT__INIT;
    event.type = (char *)type;
    event.subject = alert->id;
    event.payload_case = THUKY__EVENT__PAYLOAD_ALERT;
    event.alert = &payload;
    eventlog_append(server_eventlog(nd->server), txn, &event, now_ms);
}

void notify_policy(const notifyd_t *nd, const Thuky__Office *office, Thuky__Policy *out,
                   uint32_t lead_days[8])
{
    const config_notify_t *g = &nd->config->notify;
    thuky__policy__init(out);
    const Thuky__Policy *own = office ? office->policy : NULL;
    size_t n = own && own->n_lead_days ? own->n_lead_days : (size_t)g->n_lead_days;
    if (n > 8)
        n = 8;
    for (size_t i = 0; i < n; i++)
        lead_days[i] = own && own->n_lead_days ? own->lead_days[i] : g->lead_days[i];
    out->lead_days = lead_days;
    out->n_lead_days = n;
    out->overdue_every = own && own->overdue_every ? own->overdue_every : (uint32_t)g->overdue_every;
    out->escalate_after =
        own && own->escalate_after ? own->escalate_after : (uint32_t)g->escalate_after;
}

/* The delivery minute of an office (its policy's deliver_at, else global). */
static int s_deliver_minute(const notifyd_t *nd, const Thuky__Office *office)
{
    int minute;
    if (office && office->policy && date_parse_clock(office->policy->deliver_at, &minute))
        return minute;
    return nd->config->notify.deliver_minute;
}

static int64_t s_fire_ms(int32_t day, int minute)
{
    return (date_local_midnight(day) + (int64_t)minute * 60) * 1000;
}

/* The working day on or before day (the calendar's range permitting). */
static int32_t s_working_on_or_before(const workcal_t *cal, int32_t day)
{
    for (int i = 0; i < 31 && !workcal_is_working_day(cal, day); i++)
        day--;
    return day;
}

typedef struct {
    notifyd_t *nd;
    store_txn_t *txn;
    const Thuky__Task *task;
    const char *due;       /* ISO */
    int64_t now_ms;
    bool quiet;            /* plan without events: the caller publishes what moved */
} plan_ctx_t;

/* Plans one alert unless an alert with its id exists (sent, acked...). */
static void s_plan(plan_ctx_t *p, const char *office, Thuky__AlertKind kind, int days,
                   int64_t fire_ms)
{
    char id[ALERT_ID_MAX], compact[9];
    snprintf(compact, sizeof compact, "%.4s%.2s%.2s", p->due, p->due + 5, p->due + 8);
    char letter = kind == THUKY__ALERT_KIND__ALERT_OVERDUE      ? 'O'
                  : kind == THUKY__ALERT_KIND__ALERT_ESCALATION ? 'E'
                                                                 : 'L';
    snprintf(id, sizeof id, "A%u-%s-%c%d-%.64s", p->task->id, compact, letter, days, office);
    Thuky__Alert *existing = alert_load(p->txn, id);
    if (existing) {
        thuky__alert__free_unpacked(existing, NULL);
        return;
    }
    Thuky__Alert a = THUKY__ALERT__INIT;
    a.id = id;
    a.office = (char *)office;
    a.kind = kind;
    a.task_id = p->task->id;
    a.title = p->task->title;
    a.due_date = (char *)p->due;
    a.days = days;
    a.fire_ms = fire_ms;
    a.state = THUKY__ALERT_STATE__ALERT_PLANNED;
    a.lead_office = p->task->lead_office;
    a.sitting_id = (char *)deadline_sitting(p->task->deadline);
    alert_save(p->txn, NULL, &a);
    if (!p->quiet)
        notify_emit_alert(p->nd, p->txn, p->now_ms, "alert.planned", &a, "notifyd");
}

/* The first overdue reminder at or after now: the 1st working day after the
 * deadline, then every `every` working days. */
static void s_plan_overdue(plan_ctx_t *p, const char *office, int32_t due_day, int every,
                           int minute, int days_from)
{
    const workcal_t *cal = p->nd->calendar;
    int days = days_from;
    int32_t day;
    const char *why;
    if (!workcal_add_working_days(cal, due_day, days, &day, &why))
        return;
    while (s_fire_ms(day, minute) < p->now_ms - 60000) {
        if (!workcal_add_working_days(cal, day, every, &day, &why))
            return;
        days += every;
    }
    s_plan(p, office, THUKY__ALERT_KIND__ALERT_OVERDUE, days, s_fire_ms(day, minute));
}

/* The office's own reminders: each lead time and the first overdue one. */
static void s_plan_reminders(plan_ctx_t *p, const char *office_id, int32_t due_day,
                             const Thuky__Policy *policy, int minute)
{
    const uint32_t *lead = policy->lead_days;
    for (size_t i = 0; i < policy->n_lead_days; i++) {
        int32_t day = s_working_on_or_before(p->nd->calendar, due_day - (int32_t)lead[i]);
        int64_t fire = s_fire_ms(day, minute);
        if (fire < p->now_ms - 60000)
            continue; /* that moment has passed: the task came late */
        /* Two lead times on one moment (3 and 1 days before a Monday both
         * fall on Friday): only the nearer one goes out. */
        bool nearer = false;
        for (size_t j = 0; j < policy->n_lead_days && !nearer; j++)
            nearer = lead[j] < lead[i] &&
                     s_working_on_or_before(p->nd->calendar, due_day - (int32_t)lead[j]) == day;
        if (nearer)
            continue;
        s_plan(p, office_id,
               lead[i] ? THUKY__ALERT_KIND__ALERT_LEAD : THUKY__ALERT_KIND__ALERT_DUE,
               (int)lead[i], fire);
    }
    s_plan_overdue(p, office_id, due_day, (int)policy->overdue_every, minute, 1);
}

/* An acknowledgement stops the office's reminders, not the escalation: the
 * escalation contact is told that the task is overdue, which an office
 * having seen a reminder does not change. */
static void s_plan_office(plan_ctx_t *p, const char *office_id, int32_t due_day)
{
    Thuky__Office *office = office_load(p->txn, office_id);
    Thuky__Policy policy;
    uint32_t lead[8];
    notify_policy(p->nd, office, &policy, lead);
    int minute = s_deliver_minute(p->nd, office);
    if (!ack_exists(p->txn, p->task->id, office_id))
        s_plan_reminders(p, office_id, due_day, &policy, minute);
    /* Escalation: the lead office's contact, once. */
    if (office && strcmp(office_id, p->task->lead_office) == 0 && office->escalate_to[0]) {
        int32_t day;
        const char *why;
        if (workcal_add_working_days(p->nd->calendar, due_day, (int)policy.escalate_after, &day,
                                     &why)) {
            int64_t fire = s_fire_ms(day, minute);
            if (fire < p->now_ms)
                fire = p->now_ms; /* overdue that long already: escalate now */
            s_plan(p, office->escalate_to, THUKY__ALERT_KIND__ALERT_ESCALATION,
                   (int)policy.escalate_after, fire);
        }
    }
    if (office)
        thuky__office__free_unpacked(office, NULL);
}

static bool s_wants_alerts(const Thuky__Task *task, int32_t *due_day)
{
    if (task->status != THUKY__TASK_STATUS__TASK_OPEN &&
        task->status != THUKY__TASK_STATUS__TASK_IN_PROGRESS)
        return false;
    for (size_t i = 0; i < task->n_flags; i++)
        if (task->flags[i] == THUKY__TASK_FLAG__FLAG_SITTING_CANCELLED)
            return false; /* inhibited: its sitting was cancelled */
    return task->deadline && task->deadline->resolved_date[0] &&
           date_parse(task->deadline->resolved_date, due_day, NULL);
}

/* Drops the task's planned alerts (those already fired stay as history). */
static void s_unplan(store_txn_t *txn, uint32_t task_id)
{
    uint8_t prefix[5] = {NINDEX_TASK};
    key_put_u32(prefix + 1, task_id);
    char **ids;
    size_t n = index_ids(txn, prefix, sizeof prefix, sizeof prefix, 100000, &ids);
    for (size_t i = 0; i < n; i++) {
        Thuky__Alert *a = alert_load(txn, ids[i]);
        if (a && a->state == THUKY__ALERT_STATE__ALERT_PLANNED)
            alert_delete(txn, a);
        if (a)
            thuky__alert__free_unpacked(a, NULL);
        free(ids[i]);
    }
    free(ids);
}

static void s_plan_task(notifyd_t *nd, store_txn_t *txn, const Thuky__Task *task, int64_t now_ms,
                        bool quiet)
{
    s_unplan(txn, task->id);
    int32_t due_day;
    if (!s_wants_alerts(task, &due_day))
        return;
    plan_ctx_t p = {nd, txn, task, task->deadline->resolved_date, now_ms, quiet};
    s_plan_office(&p, task->lead_office, due_day);
    for (size_t i = 0; i < task->n_with_offices; i++)
        if (strcmp(task->with_offices[i], task->lead_office) != 0)
            s_plan_office(&p, task->with_offices[i], due_day);
}

void notify_plan_next_overdue(notifyd_t *nd, store_txn_t *txn, const Thuky__Alert *fired,
                              int64_t now_ms)
{
    Thuky__Task *task = copy_task_load(txn, fired->task_id);
    int32_t due_day;
    if (task && s_wants_alerts(task, &due_day) &&
        strcmp(task->deadline->resolved_date, fired->due_date) == 0 &&
        !ack_exists(txn, task->id, fired->office)) {
        Thuky__Office *office = office_load(txn, fired->office);
        Thuky__Policy policy;
        uint32_t lead[8];
        notify_policy(nd, office, &policy, lead);
        plan_ctx_t p = {nd, txn, task, task->deadline->resolved_date, now_ms, false};
        s_plan_overdue(&p, fired->office, due_day, (int)policy.overdue_every,
                       s_deliver_minute(nd, office), fired->days + (int)policy.overdue_every);
        if (office)
            thuky__office__free_unpacked(office, NULL);
    }
    if (task)
        thuky__task__free_unpacked(task, NULL);
}

void notify_apply_task_event(void *arg, store_txn_t *txn, const Thuky__Event *event)
{
    notifyd_t *nd = arg;
    if (event->payload_case != THUKY__EVENT__PAYLOAD_TASK || !event->task->task)
        return;
    const Thuky__Task *task = event->task->task;
    copy_task_save(txn, task);
    s_plan_task(nd, txn, task, clock_now_ms(), false);
}

void notify_batch_done(void *arg, bool committed)
{
    notifyd_t *nd = arg;
    eventlog_t *log = server_eventlog(nd->server);
    if (committed) {
        eventlog_publish(log);
        server_wake_timers(nd->server); /* a new plan may fire sooner */
    } else {
        eventlog_rollback_to(log, 0);
    }
}

/* ---- sittings ------------------------------------------------------------------ */

/* Drops the planned reminders of a sitting (task id 0 in the 'T' index). */
static void s_unplan_sitting(store_txn_t *txn, const char *sitting_id)
{
    uint8_t prefix[5] = {NINDEX_TASK, 0, 0, 0, 0};
    char **ids;
    size_t n = index_ids(txn, prefix, sizeof prefix, sizeof prefix, 100000, &ids);
    for (size_t i = 0; i < n; i++) {
        Thuky__Alert *a = alert_load(txn, ids[i]);
        if (a && a->state == THUKY__ALERT_STATE__ALERT_PLANNED &&
            strcmp(a->sitting_id, sitting_id) == 0)
            alert_delete(txn, a);
        if (a)
            thuky__alert__free_unpacked(a, NULL);
        free(ids[i]);
    }
    free(ids);
}

static int32_t s_sitting_reminder_day(const notifyd_t *nd, int32_t open_day, int days)
{
    return s_working_on_or_before(nd->calendar, open_day - days);
}

/* Reminds the lead offices of the tasks on a sitting's agenda, N days
 * before it opens. A moved sitting is reminded at its new date; a
 * cancelled or held one not at all. Recurring sittings are left out: their
 * agenda belongs to the series, not to one occurrence. */
static void s_plan_sitting(notifyd_t *nd, store_txn_t *txn, const Thuky__Sitting *s,
                           int64_t now_ms)
{
    s_unplan_sitting(txn, s->id);
    int32_t open_day;
    if (s->status == THUKY__SITTING_STATUS__SITTING_CANCELLED ||
        s->status == THUKY__SITTING_STATUS__SITTING_HELD || s->repeat[0] || !s->start ||
        !date_parse(s->start->date, &open_day, NULL))
        return;
    int32_t day = s_sitting_reminder_day(nd, open_day, nd->config->notify.sitting_reminder_days);
    char compact[9];
    snprintf(compact, sizeof compact, "%.4s%.2s%.2s", s->start->date, s->start->date + 5,
             s->start->date + 8);
    for (size_t i = 0; i < s->n_agenda; i++) {
        if (!s->agenda[i]->task_id)
            continue;
        Thuky__Task *task = copy_task_load(txn, s->agenda[i]->task_id);
        if (!task)
            continue; /* not known here (yet): its lead office is unknown */
        Thuky__Office *office = office_load(txn, task->lead_office);
        int64_t fire = s_fire_ms(day, s_deliver_minute(nd, office));
        char id[ALERT_ID_MAX];
        snprintf(id, sizeof id, "S%.64s-%s-%.64s", s->id, compact, task->lead_office);
        Thuky__Alert *existing = alert_load(txn, id);
        if (!existing && fire >= now_ms - 60000) {
            Thuky__Alert a = THUKY__ALERT__INIT;
            a.id = id;
            a.office = task->lead_office;
            a.kind = THUKY__ALERT_KIND__ALERT_SITTING;
            a.title = s->title;
            a.due_date = s->start->date;
            a.days = nd->config->notify.sitting_reminder_days;
            a.fire_ms = fire;
            a.state = THUKY__ALERT_STATE__ALERT_PLANNED;
            a.lead_office = task->lead_office;
            a.sitting_id = s->id;
            alert_save(txn, NULL, &a);
            notify_emit_alert(nd, txn, now_ms, "alert.planned", &a, "notifyd");
        }
        if (existing)
            thuky__alert__free_unpacked(existing, NULL);
        if (office)
            thuky__office__free_unpacked(office, NULL);
        thuky__task__free_unpacked(task, NULL);
    }
}

void notify_apply_session_event(void *arg, store_txn_t *txn, const Thuky__Event *event)
{
    notifyd_t *nd = arg;
    if (event->payload_case != THUKY__EVENT__PAYLOAD_SESSION || !event->session->sitting)
        return;
    sitting_known_put(txn, event->session->sitting->id); /* what a silence may name */
    if (event->session->occurrence[0])
        return;
    s_plan_sitting(nd, txn, event->session->sitting, clock_now_ms());
}

/* ---- a changed calendar ------------------------------------------------------- */

typedef struct {
    char **ids;
    int64_t *fire_ms;
    size_t n;
} planned_t;

/* The planned alerts of a task (task id 0: the sitting reminders). */
static void s_planned(store_txn_t *txn, uint32_t task_id, planned_t *out)
{
    uint8_t prefix[5] = {NINDEX_TASK};
    key_put_u32(prefix + 1, task_id);
    char **ids;
    size_t n = index_ids(txn, prefix, sizeof prefix, sizeof prefix, 100000, &ids);
    out->ids = xcalloc(n + 1, sizeof *out->ids);
    out->fire_ms = xcalloc(n + 1, sizeof *out->fire_ms);
    out->n = 0;
    for (size_t i = 0; i < n; i++) {
        Thuky__Alert *a = alert_load(txn, ids[i]);
        if (a && a->state == THUKY__ALERT_STATE__ALERT_PLANNED) {
            out->ids[out->n] = ids[i];
            out->fire_ms[out->n++] = a->fire_ms;
            ids[i] = NULL;
        }
        if (a)
            thuky__alert__free_unpacked(a, NULL);
        free(ids[i]);
    }
    free(ids);
}

static void s_planned_free(planned_t *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->ids[i]);
    free(p->ids);
    free(p->fire_ms);
}

static bool s_planned_has(const planned_t *p, const char *id, int64_t fire_ms)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->fire_ms[i] == fire_ms && strcmp(p->ids[i], id) == 0)
            return true;
    return false;
}

/* Plans the task again with the present calendar; publishes each alert
 * that is new or moved. Returns how many. */
static size_t s_replan_task(notifyd_t *nd, store_txn_t *txn, const Thuky__Task *task,
                            int64_t now_ms)
{
    planned_t before, after;
    s_planned(txn, task->id, &before);
    s_plan_task(nd, txn, task, now_ms, true);
    s_planned(txn, task->id, &after);
    size_t moved = 0;
    for (size_t i = 0; i < after.n; i++) {
        if (s_planned_has(&before, after.ids[i], after.fire_ms[i]))
            continue;
        Thuky__Alert *a = alert_load(txn, after.ids[i]);
        if (a) {
            notify_emit_alert(nd, txn, now_ms, "alert.planned", a, CALENDAR_CALLER);
            thuky__alert__free_unpacked(a, NULL);
            moved++;
        }
    }
    s_planned_free(&before);
    s_planned_free(&after);
    return moved;
}

void notify_replan_task(notifyd_t *nd, store_txn_t *txn, uint32_t task_id, int64_t now_ms)
{
    Thuky__Task *task = copy_task_load(txn, task_id);
    if (!task)
        return;
    s_replan_task(nd, txn, task, now_ms);
    thuky__task__free_unpacked(task, NULL);
}

/* A planned sitting reminder goes to the working day before, counted in the
 * present calendar. Returns whether it moved. */
static bool s_replan_sitting_reminder(notifyd_t *nd, store_txn_t *txn, const char *id,
                                      int64_t now_ms)
{
    Thuky__Alert *a = alert_load(txn, id);
    int32_t open_day;
    bool moved = false;
    if (a && a->state == THUKY__ALERT_STATE__ALERT_PLANNED &&
        date_parse(a->due_date, &open_day, NULL)) {
        Thuky__Office *office = office_load(txn, a->lead_office);
        int64_t fire = s_fire_ms(s_sitting_reminder_day(nd, open_day, (int)a->days),
                                 s_deliver_minute(nd, office));
        if (office)
            thuky__office__free_unpacked(office, NULL);
        if (fire != a->fire_ms) {
            Thuky__Alert *old = alert_load(txn, id);
            a->fire_ms = fire;
            alert_save(txn, old, a);
            notify_emit_alert(nd, txn, now_ms, "alert.planned", a, CALENDAR_CALLER);
            thuky__alert__free_unpacked(old, NULL);
            moved = true;
        }
    }
    if (a)
        thuky__alert__free_unpacked(a, NULL);
    return moved;
}

void notify_replan_calendar(void *arg, store_txn_t *txn, const calendar_change_t *change,
                            int64_t now_ms)
{
    (void)change;
    notifyd_t *nd = arg;
    /* Ids first: planning rewrites the indexes a walk would be reading. */
    size_t count = 0, cap = 0, moved = 0;
    uint32_t *ids = NULL;
    store_iter_t it;
    store_iter_init(&it, txn, store_dbi(txn->store, NDB_TASKS), NULL, 0, NULL, 0, false);
    while (store_iter_next(&it)) {
        if (it.key.mv_size != 4)
            continue;
        ids = xgrow(ids, count, &cap, sizeof *ids);
        ids[count++] = key_get_u32(it.key.mv_data);
    }
    store_iter_close(&it);
    for (size_t i = 0; i < count && txn->rc == STORE_OK; i++) {
        Thuky__Task *task = copy_task_load(txn, ids[i]);
        if (task) {
            moved += s_replan_task(nd, txn, task, now_ms);
            thuky__task__free_unpacked(task, NULL);
        }
    }
    free(ids);
    planned_t sittings;
    s_planned(txn, 0, &sittings);
    for (size_t i = 0; i < sittings.n && txn->rc == STORE_OK; i++)
        moved += s_replan_sitting_reminder(nd, txn, sittings.ids[i], now_ms);
    s_planned_free(&sittings);
    log_debug("calendar: %zu task(s) replanned, %zu alert(s) planned anew or moved", count,
              moved);
}
