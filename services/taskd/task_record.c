/* How a change to a task is recorded: one task event in the log and the
 * matching entry in the task's history, in the same transaction. Used by
 * the commands and by the sitting-event handler alike. */
#include <stdio.h>

#include "task_store.h"
#include "taskd.h"

uint64_t taskd_record(eventlog_t *log, store_txn_t *txn, int64_t now_ms, const char *caller,
                      const char *type, const Thuky__Task *task, Thuky__FieldChange **changes,
                      size_t n_changes, const char *note)
{
    char subject[16];
    snprintf(subject, sizeof subject, "T%u", task->id);
    Thuky__TaskEvent payload = THUKY__TASK_EVENT__INIT;
    payload.task = (Thuky__Task *)task;
    payload.changes = changes;
    payload.n_changes = n_changes;
    payload.caller = (char *)caller;
    payload.note = (char *)(note ? note : "");
    Thuky__Event event = THUKY__EVENT__INIT;
    event.type = (char *)type;
    event.subject = subject;
    event.payload_case = THUKY__EVENT__PAYLOAD_TASK;
    event.task = &payload;
    uint64_t seq = eventlog_append(log, txn, &event, now_ms);

    Thuky__HistoryEntry entry = THUKY__HISTORY_ENTRY__INIT;
    entry.time_ms = now_ms;
    entry.caller = (char *)caller;
    entry.changes = changes;
    entry.n_changes = n_changes;
    entry.note = payload.note;
    entry.event_seq = seq;
    history_append(txn, task->id, task->version, &entry);
    return seq;
}
