/* What the store's files share (store.c, store_log.c, store_meta.c,
 * store_backup.c). Not for use outside common/runtime/store*.c. */
#ifndef THUKY_STORE_PRIVATE_H
#define THUKY_STORE_PRIVATE_H

#include "runtime/store.h"

#define STORE_MAX_DBS 32
/* The log's own database: the number of the last log record LMDB holds. */
#define STORE_LOG_DB "thuky.log"
#define STORE_LOG_FILE "wal.log"

typedef struct store_log store_log_t;

struct store {
    MDB_env *env;
    MDB_dbi dbis[STORE_MAX_DBS];
    size_t db_count;
    size_t map_size;
    int lock_fd;
    char *dir;
    store_log_t *log;   /* NULL: no log, every commit syncs LMDB */
};

/* store.c: sets txn->rc from an LMDB code (the first failure only). */
void store_fail(store_txn_t *txn, int mdb_rc, const char *what);
store_rc_t store_map_error(int mdb_rc);

/* store_meta.c: the txnids of LMDB's two meta pages; -1 (errno) when the
 * file is not an LMDB file this build reads. */
int store_meta_txnids(const char *data_path, uint64_t txnids[2], uint32_t *page_size);
/* Makes durable the newest meta page of the file: if it is the commit
 * after durable (one whose sync a power cut may have cut short), puts the
 * durable one in its place. 0, or -1 with why. */
int store_meta_settle(const char *data_path, uint64_t durable, bool *rolled_back, char *why,
                      size_t why_len);

/* store_log.c, in the order store_open calls them. */
/* Before LMDB opens: reads the log's mark and settles the meta pages. */
int store_log_prepare(store_t *self, const store_options_t *options, const store_db_spec_t *dbs,
                      char *why, size_t why_len);
/* Inside the transaction that opens the databases: replays the log.
 * Returns an LMDB code (MDB_MAP_FULL: grow and call again) or
 * STORE_LOG_FAILED with why. */
int store_log_recover(store_t *self, MDB_txn *txn, char *why, size_t why_len);
/* After that transaction committed (synced): a new mark, then the writer
 * works on the log. */
int store_log_start(store_t *self, char *why, size_t why_len);
void store_log_close(store_t *self);

/* The transaction hooks of store.c. begin returns false when the log does
 * not take the transaction (a read on another thread: a plain one). */
bool store_log_begin(store_t *self, store_txn_t *txn, bool write);
void store_log_begin_child(store_txn_t *parent, store_txn_t *child);
store_rc_t store_log_commit(store_txn_t *txn);
void store_log_abort(store_txn_t *txn);
void store_log_put(store_txn_t *txn, MDB_dbi dbi, const void *key, size_t key_len,
                   const void *val, size_t val_len);
void store_log_del(store_txn_t *txn, MDB_dbi dbi, const void *key, size_t key_len);
store_rc_t store_log_grow(store_t *self);
/* What store_log_apply and store_log_recover return for a record that does
 * not decode, or (recover) a failure explained in why: not an LMDB code
 * (those are positive errno values or -30799..-30780). */
#define STORE_LOG_FAILED (-1)
/* Applies one record's puts and deletes (dbis in the record's numbering).
 * 0, an LMDB code, or STORE_LOG_FAILED when the record does not decode. */
int store_log_apply(MDB_txn *txn, const MDB_dbi *dbis, size_t db_count, const uint8_t *payload,
                    size_t len);

#endif
