/* The notification service's store.
 *
 * Databases (keys big-endian so cursor order is time order):
 *   offices     id                                  -> Office
 *   tasks       task id(4)                          -> Task (copied from task events)
 *   alerts      alert id                            -> Alert
 *   deliveries  delivery id                         -> Delivery (the outbox and its history)
 *   silences    silence id                          -> Silence
 *   index       'P' | fire_ms(8) | alert id         -> ""  planned alerts: the next is the first key
 *               'T' | task id(4) | alert id         -> ""  every alert of a task
 *               'F' | fire_ms(8) | alert id         -> ""  every alert by fire time (listing)
 *               'R' | next_try_ms(8) | delivery id  -> ""  deliveries waiting to be (re)sent
 *               'K' | task id(4) | office           -> ""  acknowledged: no more reminders
 *               'S' | sitting id                    -> ""  a sitting the session service has
 *                                                         (a silence may only name one of these)
 *   meta        subscriber offsets, "next_silence", "sittings_indexed" (set once the
 *               'S' entries cover the whole session log)
 * plus the server's own: events, replies, replies_time. */
#ifndef THUKY_NOTIFY_STORE_H
#define THUKY_NOTIFY_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/store.h"
#include "thuky/notify.pb-c.h"
#include "thuky/task.pb-c.h"

enum {
    NDB_META,
    NDB_EVENTS,
    NDB_REPLIES,
    NDB_REPLIES_TIME,
    NDB_OFFICES,
    NDB_TASKS,
    NDB_ALERTS,
    NDB_DELIVERIES,
    NDB_SILENCES,
    NDB_INDEX,
    NDB_COUNT
};

extern const store_db_spec_t notify_store_dbs[NDB_COUNT];

#define NINDEX_PLANNED 'P'
#define NINDEX_TASK 'T'
#define NINDEX_FIRE 'F'
#define NINDEX_RETRY 'R'
#define NINDEX_ACKED 'K'
#define NINDEX_SITTING 'S'

Thuky__Office *office_load(store_txn_t *txn, const char *id);
void office_save(store_txn_t *txn, const Thuky__Office *office);

/* How many offices have neither an e-mail nor a usable webhook. */
uint64_t offices_unreachable(store_txn_t *txn);

Thuky__Task *copy_task_load(store_txn_t *txn, uint32_t id);
void copy_task_save(store_txn_t *txn, const Thuky__Task *task);

Thuky__Alert *alert_load(store_txn_t *txn, const char *id);
/* Writes the alert and keeps its 'P', 'T' and 'F' entries in step with
 * old (NULL for a new alert): planned ones are in 'P', all in 'T' and 'F'. */
void alert_save(store_txn_t *txn, const Thuky__Alert *old, const Thuky__Alert *alert);
void alert_delete(store_txn_t *txn, const Thuky__Alert *alert);

Thuky__Delivery *delivery_load(store_txn_t *txn, const char *id);
/* Writes the delivery; it waits in 'R' at next_try_ms while SENDING. */
void delivery_save(store_txn_t *txn, const Thuky__Delivery *old, const Thuky__Delivery *delivery);

bool ack_exists(store_txn_t *txn, uint32_t task_id, const char *office);
void ack_put(store_txn_t *txn, uint32_t task_id, const char *office);
void ack_del(store_txn_t *txn, uint32_t task_id, const char *office);

/* Sittings seen in the session service's events (base ids, "XV-7"). */
bool sitting_known(store_txn_t *txn, const char *sitting_id);
void sitting_known_put(store_txn_t *txn, const char *sitting_id);
/* A store from before the 'S' entries: the session log is read again from
 * its start (re-applying a sitting event is harmless: its reminders are
 * planned once by id) so that every sitting is known. Once per store. */
void notify_store_upgrade(store_t *store);

/* Collects the ids under an index prefix (each the key's tail after skip
 * bytes), at most max; returns how many. Free each and the array. */
size_t index_ids(store_txn_t *txn, const void *prefix, size_t prefix_len, size_t skip,
                 size_t max, char ***out);

#endif
