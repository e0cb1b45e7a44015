/* The notification service: its context and the pieces its parts share.
 *
 * It follows the task service's events (each task's copy and its alert
 * plan change in the transaction that applies the event), fires planned
 * alerts when their time comes — grouped into one digest per office and
 * moment — and hands the digests to the delivery worker (channels.c),
 * whose results come back on a socket the command loop polls. */
#ifndef THUKY_NOTIFYD_H
#define THUKY_NOTIFYD_H

#include "calendar/workcal.h"
#include "runtime/config.h"
#include "runtime/server.h"
#include "runtime/subscriber.h"
#include "service/calendar_watch.h"
#include "thuky/event.pb-c.h"
#include "thuky/notify.pb-c.h"
#include "channels.h"
#include "runtime/signed_link.h"

typedef struct {
    const config_t *config;
    workcal_t *calendar;
    server_t *server;
    subscriber_t *tasks;
    subscriber_t *sessions;
    channels_t *channels;
    char smtp_password[256];
    /* The keys that sign the web links in alerts ([web] link_key_dir);
     * none loaded when [web] public_url is not set. */
    link_keys_t link_keys;
    /* deliveries handed to the worker and not answered yet */
    char **in_flight;
    size_t n_in_flight, cap_in_flight;
} notifyd_t;

extern const command_t notifyd_commands[];
extern const size_t notifyd_command_count;

/* notify_plan.c: the alerts of one task, after a task event. */
void notify_apply_task_event(void *arg, store_txn_t *txn, const Thuky__Event *event);
void notify_batch_done(void *arg, bool committed);
/* daemon_recompute_fn: every plan again after a calendar change; each alert
 * planned anew or moved is published (alert.planned, caller "calendar"). */
void notify_replan_calendar(void *arg, store_txn_t *txn, const calendar_change_t *change,
                            int64_t now_ms);
/* Reminders before a sitting to the offices leading tasks on its agenda. */
void notify_apply_session_event(void *arg, store_txn_t *txn, const Thuky__Event *event);
/* Plans a task's alerts again from its stored copy (after alert.unack);
 * publishes each alert new or moved. */
void notify_replan_task(notifyd_t *nd, store_txn_t *txn, uint32_t task_id, int64_t now_ms);
/* Plans the next reminder after an overdue one fired. */
void notify_plan_next_overdue(notifyd_t *nd, store_txn_t *txn, const Thuky__Alert *fired,
                              int64_t now_ms);
/* The policy that applies to an office (its own fields over the global). */
void notify_policy(const notifyd_t *nd, const Thuky__Office *office, Thuky__Policy *out,
                   uint32_t lead_days[8]);

/* notify_fire.c: the timer and the delivery results. */
/* The channel an office is reached on: "webhook", "smtp", "spool" or "". */
const char *notify_channel(const notifyd_t *nd, const Thuky__Office *office);
int64_t notify_tick(server_t *server, void *arg);
void notify_on_results(server_t *server, void *socket, void *arg);

/* notify_silences.c: alert.silence, alert.silences, alert.unsilence. */
void notify_silence_add(server_call_t *call, const ProtobufCMessage *request);
void notify_silence_list(server_call_t *call, const ProtobufCMessage *request);
void notify_silence_lift(server_call_t *call, const ProtobufCMessage *request);

/* notify_redeliver.c: alert.redeliver. */
void notify_redeliver(server_call_t *call, const ProtobufCMessage *request);

/* The status gauge of offices no alert can reach. */
/* The largest webhook secret file read. */
#define WEBHOOK_SECRET_FILE_MAX 1024
#define NOTIFY_UNREACHABLE_COUNTER "offices_without_channel"

/* Appends an alert event (alert.planned, .sent, .failed, .acked, .silenced). */
void notify_emit_alert(notifyd_t *nd, store_txn_t *txn, int64_t now_ms, const char *type,
                       const Thuky__Alert *alert, const char *caller);

#endif
