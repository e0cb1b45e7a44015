/* LMDB store wrapper: one environment per daemon, named databases, a
 * transaction with a sticky error, map growth on MDB_MAP_FULL, and (for the
 * daemons) a write-ahead log in front of LMDB (store_log.c).
 *
 * Usage: begin a transaction, do any number of operations, then commit
 * once and check its result; after the first failure later operations do
 * nothing and commit aborts (the Knot DNS knot_lmdb pattern). LMDB error
 * codes become store codes in exactly one place (s_map_error). Data
 * returned by store_get and iterators points into the map and is valid
 * only until the transaction ends.
 *
 * With a log, a write transaction is a child of one LMDB transaction that
 * stays open across many commits; committing it appends what it wrote to
 * the log and syncs that, and a checkpoint commits LMDB now and then.
 * Reads on the thread that opened the store are served inside that open
 * transaction, so they see every commit; other threads and processes see
 * the last checkpoint. */
#ifndef THUKY_STORE_H
#define THUKY_STORE_H

/* LMDB's default largest key (mdb_env_get_maxkeysize). */
#define STORE_MAX_KEY 511

#include <lmdb.h>
#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "text/strbuf.h"

typedef enum {
    STORE_OK = 0,
    STORE_NOT_FOUND,  /* only from store_txn_error-free lookups; not sticky */
    STORE_MAP_FULL,   /* the map is full: abort, store_grow(), redo */
    STORE_NO_SPACE,   /* the disk is full */
    STORE_CORRUPT,    /* a record failed to decode or the file is damaged */
    STORE_ERROR,      /* anything else; see errno text in the log */
} store_rc_t;

typedef struct store store_t;

typedef struct {
    const char *name;
    unsigned flags;   /* extra mdb_dbi_open flags, e.g. MDB_DUPSORT; usually 0 */
} store_db_spec_t;

typedef struct store_txn {
    store_t *store;
    MDB_txn *txn;
    store_rc_t rc;    /* sticky: the first failure */
    bool write;
    bool borrowed;    /* a read inside the writer's open transaction (log) */
    struct store_txn *parent;
    size_t redo_mark; /* the log record's length when this began (log) */
} store_txn_t;

/* How a store is opened. */
typedef struct {
    size_t map_bytes;        /* the initial LMDB map size */
    size_t log_bytes;        /* the log file's size; 0: no log, every commit
                              * syncs LMDB (webd's store, tools, tests) */
    size_t checkpoint_bytes; /* a checkpoint after this much log... */
    int checkpoint_ms;       /* ...or this long, whichever comes first */
} store_options_t;

typedef struct {
    bool logged;
    uint64_t log_bytes;          /* log written since the last durable checkpoint */
    int64_t checkpoint_age_ms;   /* since that checkpoint */
    uint64_t checkpoints;
    int64_t checkpoint_max_us;   /* the longest a checkpoint held the writer */
    uint64_t records;            /* appended since the store opened */
    uint64_t replayed;           /* records the last start replayed */
} store_log_stats_t;

typedef struct {
    store_txn_t *txn;
    MDB_dbi dbi;
    MDB_cursor *cursor;
    const uint8_t *prefix;
    size_t prefix_len;
    MDB_val key, val;
    bool started;
    bool reverse;
} store_iter_t;

/* Opens (creating if needed) the environment in dir with the given named
 * databases, clears stale reader slots, and takes an exclusive lock so a
 * second daemon on the same store refuses to start. On failure returns
 * NULL and writes a one-line reason into why. */
store_t *store_open(const char *dir, const store_db_spec_t *dbs, size_t db_count,
                    const store_options_t *options, char *why, size_t why_len);
/* With a log: a last checkpoint, so the next start has nothing to replay. */
void store_close(store_t **self_p);
/* The log's part of the loop (a server timer): finishes a checkpoint whose
 * sync has ended, starts one that is due. Returns ms until it wants to run
 * again. Call it with no transaction open. */
int64_t store_maintain(store_t *self);
/* A durable checkpoint now, waiting for it (e.g. before a backup). */
store_rc_t store_checkpoint(store_t *self);
void store_log_stats(const store_t *self, store_log_stats_t *out);
/* False while a failed checkpoint (a full disk) makes the log refuse new
 * writes: housekeeping waits, so that reads still answer. */
bool store_accepts_writes(const store_t *self);
/* A consistent hot copy of the store in dir, compacted, into dest (a new
 * or empty directory): a read transaction sees one committed state while
 * the owning daemon goes on writing (mdb_env_copy2 with MDB_CP_COMPACT);
 * the log's records after that state are copied into a new log beside it,
 * so the copy holds every write acknowledged before the call.
 * Returns 0, or -1 with one line in why. */
int store_backup(const char *dir, const char *dest, char *why, size_t why_len);
MDB_dbi store_dbi(const store_t *self, size_t index);
/* Doubles the map (no transaction may be open). */
store_rc_t store_grow(store_t *self);
size_t store_map_size(const store_t *self);
size_t store_used_bytes(const store_t *self);
/* Clears slots of dead reader processes; returns how many. */
int store_reader_check(store_t *self);
const char *store_rc_text(store_rc_t rc);
MDB_env *store_env(store_t *self);

store_rc_t store_txn_begin(store_t *self, store_txn_t *txn, bool write);
/* A nested write transaction: its changes vanish alone if it is aborted. */
store_rc_t store_txn_begin_child(store_txn_t *parent, store_txn_t *child);
/* Commits, or aborts when an operation failed; returns the first failure. */
store_rc_t store_txn_commit(store_txn_t *txn);
void store_txn_abort(store_txn_t *txn);

/* Returns true and fills val when found; false when absent or after an error. */
bool store_get(store_txn_t *txn, MDB_dbi dbi, const void *key, size_t key_len, MDB_val *val);
void store_put(store_txn_t *txn, MDB_dbi dbi, const void *key, size_t key_len,
               const void *val, size_t val_len);
/* Serializes a protobuf message straight into the map (MDB_RESERVE). */
void store_put_message(store_txn_t *txn, MDB_dbi dbi, const void *key, size_t key_len,
                       const ProtobufCMessage *msg);
/* Decodes a stored message; NULL when absent; a record that does not decode
 * sets STORE_CORRUPT. Free with protobuf_c_message_free_unpacked. */
ProtobufCMessage *store_get_message(store_txn_t *txn, MDB_dbi dbi, const void *key,
                                    size_t key_len, const ProtobufCMessageDescriptor *desc);
/* Deleting an absent key is not an error. */
void store_del(store_txn_t *txn, MDB_dbi dbi, const void *key, size_t key_len);
/* Puts gathered to go in in the database's key order (store_sorted.c): for
 * many entries whose keys come in random order, e.g. an import's index
 * entries. The entries are not visible until applied. Zero-initialise. */
typedef struct {
    strbuf_t arena;   /* the entries, one after another */
    size_t *offsets;  /* where each starts in arena */
    size_t count, offsets_cap;
} store_sorted_t;
void store_sorted_put(store_sorted_t *self, const void *key, size_t key_len, const void *val,
                      size_t val_len);
/* Puts every gathered entry into dbi, in its order, and empties self. */
void store_sorted_apply(store_sorted_t *self, store_txn_t *txn, MDB_dbi dbi);
void store_sorted_free(store_sorted_t *self);
/* Marks the transaction failed (e.g. a record that does not decode). */
void store_txn_fail(store_txn_t *txn, store_rc_t rc);

/* Iterates keys that start with prefix, from the first key >= start (start
 * may be NULL = the prefix itself); reverse walks down from the last key
 * <= start with that prefix (start NULL = the last key with the prefix). */
void store_iter_init(store_iter_t *it, store_txn_t *txn, MDB_dbi dbi, const void *prefix,
                     size_t prefix_len, const void *start, size_t start_len, bool reverse);
bool store_iter_next(store_iter_t *it);
/* Deletes the entry the iterator is on; the next step goes on after it. */
void store_iter_del(store_iter_t *it);
void store_iter_close(store_iter_t *it);

#endif
