/* The task service's store: records, secondary indexes and history.
 *
 * Databases (all keys big-endian, so cursor order is the order wanted):
 *   programs  year(2)                      -> Program
 *   tasks     id(4)                        -> Task
 *   index     class(1) | ... | due(4) | id(4) -> ""   (see task_store.c)
 *   history   id(4) | version(4)           -> HistoryEntry
 *   refs      external ref                 -> id(4)
 *   sittings  sitting id                   -> Sitting (copied from session events)
 *   meta      "next_task_id", subscriber offsets
 * plus the server's own: events, replies, replies_time. */
#ifndef THUKY_TASK_STORE_H
#define THUKY_TASK_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/store.h"
#include "thuky/task.pb-c.h"

enum {
    DB_META,
    DB_EVENTS,
    DB_REPLIES,
    DB_REPLIES_TIME,
    DB_PROGRAMS,
    DB_TASKS,
    DB_INDEX,
    DB_HISTORY,
    DB_REFS,
    DB_SITTINGS,
    DB_COUNT
};

extern const store_db_spec_t task_store_dbs[DB_COUNT];

/* Index classes: the first byte of an index key. */
#define INDEX_ACTIVE 'D'   /* open or in progress: due | id */
#define INDEX_STATUS 'S'   /* status(1) | due | id */
#define INDEX_OFFICE 'O'   /* office NUL | due | id (lead and coordinating) */
#define INDEX_PROGRAM 'P'  /* year(2) | due | id */
#define INDEX_FLAGGED 'F'  /* active with any flag: due | id */
#define INDEX_ALL 'A'      /* every task: due | id */
#define INDEX_SITTING 'L'  /* relative deadline: sitting id NUL | id (no due) */

/* The due field of index keys: a day number shifted to sort unsigned;
 * tasks without a resolved date sort last. */
#define DUE_NONE UINT32_MAX
uint32_t task_due_key(const Thuky__Task *task);
uint32_t due_key_from_day(int32_t day);

bool task_is_active(const Thuky__Task *task);
bool task_has_flag(const Thuky__Task *task, Thuky__TaskFlag flag);

/* Loads a task; NULL when absent (or the txn failed). Free with
 * thuky__task__free_unpacked. */
Thuky__Task *task_load(store_txn_t *txn, uint32_t id);
/* Writes the task and moves its index entries from old (NULL for a new task). */
void task_save(store_txn_t *txn, const Thuky__Task *old, const Thuky__Task *task);
/* A new task; with index, its index entries are gathered there, to go in
 * sorted with the others of its request (store_sorted_apply on DB_INDEX). */
void task_save_new(store_txn_t *txn, const Thuky__Task *task, store_sorted_t *index);
uint32_t task_next_id(store_txn_t *txn);

Thuky__Program *program_load(store_txn_t *txn, uint32_t year);
void program_save(store_txn_t *txn, const Thuky__Program *program);

void history_append(store_txn_t *txn, uint32_t task_id, uint32_t version,
                    const Thuky__HistoryEntry *entry);

/* The base sitting id a relative deadline hangs on ("GB-1" for
 * "GB-1@2024-03-04"); false for other deadlines. */
bool task_sitting(const Thuky__Task *task, char out[65]);

bool ref_lookup(store_txn_t *txn, const char *ref, uint32_t *id);
void ref_put(store_txn_t *txn, const char *ref, uint32_t id);

#endif
