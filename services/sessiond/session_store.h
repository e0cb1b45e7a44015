/* The session service's store.
 *
 * Databases (keys big-endian so cursor order is date order):
 *   sittings  id                             -> Sitting
 *   index     'E' | end(4) | id              -> ""  single sittings by closing day
 *             'K' | kind(1) | start(4) | id  -> ""  single sittings by kind and opening
 *             'R' | id                       -> ""  recurring sittings (series)
 *   meta      counters ("next:HN", "next:GB"), subscriber offsets
 * plus the server's own: events, replies, replies_time.
 *
 * Range queries walk 'E' from the first day wanted and stop SITTING_MAX_DAYS
 * after the last: a sitting ending later cannot have opened in the range. */
#ifndef THUKY_SESSION_STORE_H
#define THUKY_SESSION_STORE_H

#include <stdint.h>

#include "runtime/store.h"
#include "thuky/session.pb-c.h"

enum {
    SDB_META,
    SDB_EVENTS,
    SDB_REPLIES,
    SDB_REPLIES_TIME,
    SDB_SITTINGS,
    SDB_INDEX,
    SDB_COUNT
};

extern const store_db_spec_t session_store_dbs[SDB_COUNT];

#define SINDEX_END 'E'
#define SINDEX_KIND 'K'
#define SINDEX_SERIES 'R'

/* Day numbers in keys: shifted so they sort unsigned. */
uint32_t session_day_key(int32_t day);
int32_t session_key_day(uint32_t key);

/* NULL when absent (or the txn failed). Free with thuky__sitting__free_unpacked. */
Thuky__Sitting *sitting_load(store_txn_t *txn, const char *id);
/* Writes the sitting and moves its index entries from old (NULL when new). */
void sitting_save(store_txn_t *txn, const Thuky__Sitting *old, const Thuky__Sitting *sitting);
/* The next number of a per-kind counter ("HN" -> 1, 2, ...). */
uint32_t session_next_number(store_txn_t *txn, const char *counter);

#endif
