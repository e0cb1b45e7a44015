/* The durable event log of one daemon, and its PUB socket.
 *
 * Each state change appends one event in the same transaction as the
 * change (eventlog_append); after the transaction commits the server
 * publishes what was appended (eventlog_publish), after an abort it forgets
 * it (eventlog_rollback_to). Sequence numbers are dense per source: 1, 2,
 * 3, ... and the key of the events database is the big-endian sequence, so
 * "events after N" is one cursor walk. A heartbeat carrying the newest
 * sequence lets subscribers notice silent loss.
 *
 * Each log has an identity, 32 random hex digits made when its store is
 * first opened and kept under "log_id" in the service's meta database (so
 * it travels with the store in a backup). Heartbeats and pages carry it with the last sequence, so a
 * follower can tell when its applied sequence no longer counts in this log:
 * another id (the store was replaced), or a last sequence below its own (the
 * store was restored from an older backup). */
#ifndef THUKY_EVENTLOG_H
#define THUKY_EVENTLOG_H

#include <stdint.h>

#include "runtime/store.h"
#include "thuky/event.pb-c.h"

#define EVENTLOG_HEARTBEAT_TYPE "heartbeat"
#define EVENTLOG_READ_MAX 10000
#define EVENTLOG_ID_LEN 32

typedef struct eventlog eventlog_t;

/* source is the daemon's short name ("taskd"); pub may be NULL (no PUB). */
eventlog_t *eventlog_new(store_t *store, MDB_dbi events_dbi, MDB_dbi meta_dbi, const char *source,
                         void *pub);
void eventlog_destroy(eventlog_t **self_p);

/* Fills seq, id, source and time_ms of event and stores it in txn; the
 * caller sets type, subject and payload. Returns the sequence assigned. */
uint64_t eventlog_append(eventlog_t *self, store_txn_t *txn, Thuky__Event *event, int64_t now_ms);
/* The number of appended-but-unpublished events: a savepoint. */
size_t eventlog_mark(const eventlog_t *self);
/* Forgets events appended after mark (their transaction was aborted). */
void eventlog_rollback_to(eventlog_t *self, size_t mark);
/* Publishes everything appended since the last publish (call after commit). */
void eventlog_publish(eventlog_t *self);
void eventlog_heartbeat(eventlog_t *self, int64_t now_ms);
uint64_t eventlog_last_seq(const eventlog_t *self);
const char *eventlog_source(const eventlog_t *self);
const char *eventlog_id(const eventlog_t *self);

/* Copies events with seq > after (at most limit) into out, whose events
 * are malloc'ed buffers: free them with eventlog_read_free. */
void eventlog_read(eventlog_t *self, store_txn_t *txn, uint64_t after, uint32_t limit,
                   Thuky__EventsReadRaw *out);
void eventlog_read_free(Thuky__EventsReadRaw *out);

#endif
