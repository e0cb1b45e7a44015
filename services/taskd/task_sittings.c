/* Sittings as the task service knows them, and the deadlines that hang on
 * them.
 *
 * The task service follows the session service's events (subscriber.c:
 * catch-up, exactly once) and keeps a copy of each sitting. A relative
 * deadline resolves against that copy. When a sitting changes, every task
 * whose deadline hangs on it (index class 'L') is recomputed in the same
 * transaction as the subscriber's offset: each moved date is one
 * task.deadline_changed event with the old and new date; a cancelled
 * sitting flags its tasks (FLAG_SITTING_CANCELLED) instead of dropping
 * their deadlines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/i18n.h"
#include "base/log.h"
#include "domain/deadline.h"
#include "domain/sitting.h"
#include "runtime/clock.h"
#include "runtime/keys.h"
#include "task_store.h"
#include "taskd.h"

#define SESSION_CALLER "sessiond"
#define CALENDAR_CALLER "calendar"

/* ---- following the session service ------------------------------------------- */

static void s_set_string(char **field, const char *value)
{
    if (*field != protobuf_c_empty_string)
        free(*field);
    *field = xstrdup(value);
}

static bool s_has_flag(const Thuky__Task *task) 
{
    return task_has_flag(task, THUKY__TASK_FLAG__FLAG_SITTING_CANCELLED);
}

static void s_set_cancelled_flag(Thuky__Task *task, bool on)
{
    if (on) {
        task->flags = xrealloc(task->flags, (task->n_flags + 1) * sizeof *task->flags);
        task->flags[task->n_flags++] = THUKY__TASK_FLAG__FLAG_SITTING_CANCELLED;
        return;
    }
    size_t j = 0;
    for (size_t i = 0; i < task->n_flags; i++)
        if (task->flags[i] != THUKY__TASK_FLAG__FLAG_SITTING_CANCELLED)
            task->flags[j++] = task->flags[i];
    task->n_flags = j;
}

/* Recomputes one dependent task; records an event (by caller, with note
 * in the history when the date moved) when anything changed. */
static void s_follow(taskd_t *td, store_txn_t *txn, uint32_t id, int64_t now_ms,
                     const char *caller, const char *note)
{
    Thuky__Task *old = task_load(txn, id);
    Thuky__Task *task = task_load(txn, id);
    if (!old || !task || !task->deadline)
        goto done;
    char date[DATE_ISO_LEN];
    bool cancelled;
    const char *why;
    resolve_t rc = taskd_resolve(txn, td->calendar, task->deadline, date, &cancelled, &why);
    if (rc == RESOLVE_FAILED) {
        /* e.g. a moved occurrence the rule no longer names: keep the last
         * date and say why in the log; the task is still listed. */
        log_warnx("T%u: deadline %s cannot be resolved: %s", id,
                  deadline_sitting(task->deadline), _(why));
        goto done;
    }
    Thuky__FieldChange date_change = THUKY__FIELD_CHANGE__INIT, flag_change = THUKY__FIELD_CHANGE__INIT;
    Thuky__FieldChange *changes[2];
    size_t n = 0;
    bool moved = strcmp(task->deadline->resolved_date, date) != 0;
    if (moved) {
        date_change.field = (char *)"deadline.date";
        date_change.old_value = old->deadline->resolved_date;
        date_change.new_value = date;
        changes[n++] = &date_change;
        s_set_string(&task->deadline->resolved_date, date);
    }
    if (cancelled != s_has_flag(task)) {
        flag_change.field = (char *)"flag.sitting_cancelled";
        flag_change.old_value = (char *)(cancelled ? "" : "set");
        flag_change.new_value = (char *)(cancelled ? "set" : "");
        changes[n++] = &flag_change;
        s_set_cancelled_flag(task, cancelled);
    }
    if (n == 0)
        goto done;
    task->version++;
    task->updated_ms = now_ms;
    taskd_record(server_eventlog(td->server), txn, now_ms, caller,
                 moved ? "task.deadline_changed" : "task.updated", task, changes, n,
                 cancelled && !s_has_flag(old) ? "the sitting was cancelled" : moved ? note : "");
    task_save(txn, old, task);
done:
    if (old)
        thuky__task__free_unpacked(old, NULL);
    if (task)
        thuky__task__free_unpacked(task, NULL);
}

/* Recomputes the tasks of the 'L' index entries under prefix (a sitting's,
 * or all); returns how many were looked at. */
static size_t s_recompute_dependents(taskd_t *td, store_txn_t *txn, const uint8_t *prefix,
                                     size_t prefix_len, int64_t now_ms, const char *caller,
                                     const char *note)
{
    /* Ids first, then the changes: saving a task rewrites the index the
     * walk would be reading. Keys: 'L', sitting id, NUL, task id (4). */
    size_t count = 0, cap = 0;
    uint32_t *ids = NULL;
    store_iter_t it;
    store_iter_init(&it, txn, store_dbi(txn->store, DB_INDEX), prefix, prefix_len, NULL, 0,
                    false);
    while (store_iter_next(&it)) {
        const uint8_t *key = it.key.mv_data;
        if (it.key.mv_size < prefix_len + 4 || key[it.key.mv_size - 5] != '\0')
            continue;
        ids = xgrow(ids, count, &cap, sizeof *ids);
        ids[count++] = key_get_u32(key + it.key.mv_size - 4);
    }
    store_iter_close(&it);
    for (size_t i = 0; i < count && txn->rc == STORE_OK; i++)
        s_follow(td, txn, ids[i], now_ms, caller, note);
    free(ids);
    return count;
}

void taskd_apply_session_event(void *arg, store_txn_t *txn, const Thuky__Event *event)
{
    taskd_t *td = arg;
    if (event->payload_case != THUKY__EVENT__PAYLOAD_SESSION || !event->session->sitting)
        return;
    const Thuky__Sitting *sitting = event->session->sitting;
    if (!sitting_id_valid(sitting->id)) {
        log_warnx("session event %llu: bad sitting id; ignored", (unsigned long long)event->seq);
        return;
    }
    store_put_message(txn, store_dbi(txn->store, DB_SITTINGS), sitting->id, strlen(sitting->id),
                      &sitting->base);

    size_t n = strlen(sitting->id);
    uint8_t prefix[SITTING_ID_MAX + 2];
    prefix[0] = INDEX_SITTING;
    memcpy(prefix + 1, sitting->id, n + 1);
    size_t count = s_recompute_dependents(td, txn, prefix, n + 2, clock_now_ms(),
                                          SESSION_CALLER, "");
    if (count)
        log_debug("%s %s: %zu dependent task(s) recomputed", event->type, event->subject, count);
}

/* Every relative deadline counts its days in the calendar (a working-day
 * offset, a working-day rule of an occurrence): recompute them all. Only
 * those whose date moves make an event, as for a moved sitting. */
void taskd_recompute_calendar(void *arg, store_txn_t *txn, const calendar_change_t *change,
                              int64_t now_ms)
{
    (void)change;
    const uint8_t prefix[1] = {INDEX_SITTING};
    size_t count = s_recompute_dependents(arg, txn, prefix, sizeof prefix, now_ms,
                                          CALENDAR_CALLER,
                                          "the working-day calendar changed");
    log_debug("calendar: %zu relative deadline(s) recomputed", count);
}

void taskd_session_batch_done(void *arg, bool committed)
{
    taskd_t *td = arg;
    eventlog_t *log = server_eventlog(td->server);
    if (committed)
        eventlog_publish(log);
    else
        eventlog_rollback_to(log, 0);
}
