/* The task service: its context, command table and the pieces its
 * handlers share. */
#ifndef THUKY_TASKD_H
#define THUKY_TASKD_H

#include "calendar/workcal.h"
#include "runtime/config.h"
#include "runtime/eventlog.h"
#include "runtime/server.h"
#include "runtime/subscriber.h"
#include "service/calendar_watch.h"
#include "thuky/event.pb-c.h"
#include "thuky/task.pb-c.h"

typedef struct {
    const config_t *config;
    workcal_t *calendar;
    server_t *server;
    subscriber_t *sessions;   /* follows the session service's events */
} taskd_t;

extern const command_t taskd_commands[];
extern const size_t taskd_command_count;

/* task.list (task_query.c) */
void taskd_list(server_call_t *call, const ProtobufCMessage *request);

/* The civil day (Asia/Ho_Chi_Minh) of the call's clock (task_resolve.c). */
int32_t taskd_today(const server_call_t *call);

/* Appends a task event and the matching history entry (task_record.c). */
uint64_t taskd_record(eventlog_t *log, store_txn_t *txn, int64_t now_ms, const char *caller,
                      const char *type, const Thuky__Task *task, Thuky__FieldChange **changes,
                      size_t n_changes, const char *note);

/* ---- the date of a deadline (task_resolve.c) ---- */
typedef enum {
    RESOLVE_DONE,         /* out holds the date */
    RESOLVE_NO_SITTING,   /* the sitting is not known (yet): out is "" */
    RESOLVE_FAILED,       /* the rule cannot be resolved: why says so */
} resolve_t;

/* The date a deadline falls on: an absolute date as given, a relative one
 * from the service's copy of its sitting. *cancelled tells whether that
 * sitting (or occurrence) is cancelled. */
resolve_t taskd_resolve(store_txn_t *txn, const workcal_t *calendar, const Thuky__Deadline *dl,
                        char out[11], bool *cancelled, const char **why);

/* ---- following the session service (task_sittings.c) ---- */
/* Applies one session event: keeps the sitting and moves every deadline
 * that hangs on it (subscriber callbacks; arg is the taskd_t). */
void taskd_apply_session_event(void *arg, store_txn_t *txn, const Thuky__Event *event);
void taskd_session_batch_done(void *arg, bool committed);
/* daemon_recompute_fn: every relative deadline, after a calendar change. */
void taskd_recompute_calendar(void *arg, store_txn_t *txn, const calendar_change_t *change,
                              int64_t now_ms);

#endif
