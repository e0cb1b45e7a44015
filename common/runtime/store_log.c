/* The write-ahead log in front of LMDB (see wal.h for the file).
 *
 * The writer thread keeps one LMDB write transaction open (`open`); each
 * store write transaction is a child of it. What a transaction puts and
 * deletes is kept as a redo record (database, key, value or delete: the
 * results, not the request), so replay is deterministic. Committing a
 * top-level transaction appends that record to the log and fdatasyncs it:
 * that is when the write is durable, and so when the caller may answer.
 *
 * A checkpoint commits `open` to LMDB without a sync (the env runs with
 * MDB_NOSYNC) and starts the next one at once; the syncer thread then
 * fdatasyncs data.mdb and writes the log's new mark, off the request path.
 * Only one checkpoint is in flight, so LMDB's newest meta page is either
 * the mark's commit or the one after it (store_meta.c sets that one back
 * after a power cut). A reader pins the durable snapshot until the next
 * mark is on disk, so its pages stay as the mark says.
 *
 * Start: settle the meta pages, open LMDB, replay the records after the
 * mark (stopping at the first torn or bad one: never acknowledged), commit
 * with a sync, write a new mark with a new salt. */
#include "runtime/store_private.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "base/i18n.h"
#include "base/log.h"
#include "runtime/clock.h"
#include "runtime/wal.h"
#include "text/strbuf.h"

enum { OP_PUT = 1, OP_DEL = 2 };
#define OP_HEADER 8 /* op (1) | database (1) | key length (2) | value length (4) */
#define NO_INDEX 0xff

struct store_log {
    wal_t *wal;
    store_options_t options;
    uint32_t schema;
    char names[STORE_MAX_DBS * 64];  /* the databases' names, each NUL-ended */
    size_t names_len;
    MDB_dbi log_dbi;
    uint8_t dbi_index[256];     /* MDB_dbi -> index in store->dbis */
    pthread_t owner;            /* the writer thread: the one that opened */
    int data_fd;

    MDB_txn *open;              /* the open write transaction, or NULL */
    store_txn_t *active;        /* the innermost store transaction on it */
    strbuf_t redo;              /* the record of the top-level transaction */

    uint64_t lsn;               /* the last record appended */
    wal_mark_t durable;         /* the mark on disk */
    wal_mark_t committed;       /* what LMDB's newest commit holds */
    MDB_txn *pin_durable, *pin_flight;
    bool in_flight;
    /* A checkpoint that failed (a full disk): writes are refused until one
     * succeeds, so that no more is acknowledged than LMDB can then hold. */
    store_rc_t failing;
    int64_t last_commit_us, last_durable_us;
    uint64_t since_commit;      /* log bytes since the last checkpoint commit */

    pthread_t syncer;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool job, done, quit;
    wal_mark_t job_mark;
    int job_err;

    uint64_t checkpoints, records, replayed;
    int64_t checkpoint_max_us;
    bool started;
};

static void s_path(const store_t *self, char *out, size_t len)
{
    snprintf(out, len, "%s/%s", self->dir, STORE_LOG_FILE);
}

/* ---- the syncer thread ---------------------------------------------------- */

static void *s_syncer_main(void *arg)
{
    store_log_t *log = arg;
    pthread_mutex_lock(&log->mu);
    for (;;) {
        while (!log->job && !log->quit)
            pthread_cond_wait(&log->cv, &log->mu);
        if (!log->job)
            break;
        wal_mark_t mark = log->job_mark;
        pthread_mutex_unlock(&log->mu);
        int err = fdatasync(log->data_fd) != 0 ? errno : 0;
        if (err == 0)
            err = wal_set_mark(log->wal, &mark);
        pthread_mutex_lock(&log->mu);
        log->job = false;
        log->done = true;
        log->job_err = err;
        pthread_cond_broadcast(&log->cv);
    }
    pthread_mutex_unlock(&log->mu);
    return NULL;
}

/* Takes the result of the checkpoint in flight, waiting for it or not. */
static void s_poll(store_t *self, bool wait)
{
    store_log_t *log = self->log;
    if (!log->in_flight)
        return;
    pthread_mutex_lock(&log->mu);
    while (wait && !log->done)
        pthread_cond_wait(&log->cv, &log->mu);
    bool done = log->done;
    int err = log->job_err;
    log->done = false;
    pthread_mutex_unlock(&log->mu);
    if (!done)
        return;
    if (err != 0)
        /* After a failed fsync the page cache cannot be trusted (it may
         * call pages clean that never reached the disk): stop, and let the
         * next start recover from the durable mark and the log. */
        fatalx("cannot sync the store in %s: %s; stopping, the next start recovers every "
               "acknowledged write from the log",
               self->dir, strerror(err));
    log->in_flight = false;
    if (log->pin_durable)
        mdb_txn_abort(log->pin_durable);
    log->pin_durable = log->pin_flight;
    log->pin_flight = NULL;
    log->durable = log->job_mark;
    wal_release(log->wal, log->durable.offset);
    log->last_durable_us = clock_monotonic_us();
}

/* ---- replay ------------------------------------------------------------------ */

typedef struct {
    store_t *store;
    MDB_txn *txn;
    uint64_t limit;     /* records after it are not replayed */
    uint64_t last;
    int rc;
    char *why;
    size_t why_len;
} replay_t;

int store_log_apply(MDB_txn *txn, const MDB_dbi *dbis, size_t db_count, const uint8_t *p,
                    size_t len)
{
    const uint8_t *end = p + len;
    while (p < end) {
        if ((size_t)(end - p) < OP_HEADER)
            return STORE_LOG_FAILED;
        uint8_t op = p[0], db = p[1];
        uint16_t klen;
        uint32_t vlen;
        memcpy(&klen, p + 2, 2);
        memcpy(&vlen, p + 4, 4);
        p += OP_HEADER;
        if (db >= db_count || (size_t)(end - p) < (size_t)klen + vlen ||
            (op != OP_PUT && op != OP_DEL) || klen == 0)
            return STORE_LOG_FAILED;
        MDB_val k = {klen, (void *)p}, v = {vlen, (void *)(p + klen)};
        int rc = op == OP_PUT ? mdb_put(txn, dbis[db], &k, &v, 0) : mdb_del(txn, dbis[db], &k, NULL);
        if (rc != 0 && !(rc == MDB_NOTFOUND && op == OP_DEL))
            return rc;
        p += klen + vlen;
    }
    return 0;
}

static int s_apply(void *arg, uint64_t lsn, const uint8_t *p, size_t len)
{
    replay_t *r = arg;
    if (lsn > r->limit)
        return 1;
    int rc = store_log_apply(r->txn, r->store->dbis, r->store->db_count, p, len);
    if (rc == STORE_LOG_FAILED) {
        /* The checksum matched, so this is not a torn write: a record this
         * build cannot read. Nothing after it can be trusted in order. */
        r->rc = STORE_LOG_FAILED;
        snprintf(r->why, r->why_len, _("log record %llu does not decode"),
                 (unsigned long long)lsn);
        return -1;
    }
    if (rc != 0) {
        r->rc = rc;
        snprintf(r->why, r->why_len, _("cannot replay log record %llu: %s"),
                 (unsigned long long)lsn, mdb_strerror(rc));
        return -1;
    }
    r->last = lsn;
    return 0;
}

static int s_replay(store_t *self, MDB_txn *txn, const wal_mark_t *from, uint64_t limit,
                    uint64_t *last, uint64_t *count, char *why, size_t why_len)
{
    replay_t r = {self, txn, limit, from->lsn, 0, why, why_len};
    int rc = wal_replay(self->log->wal, from, s_apply, &r, count);
    *last = r.last;
    return rc != 0 ? r.rc : 0; /* fn's -1 stops the walk: r.rc says why */
}

/* Doubles the map. LMDB allows it only with no transaction open in this
 * process: the caller has none open, and the pin is dropped and taken
 * again (no commit happens meanwhile, so the snapshot is the same). */
static int s_grow_map(store_t *self)
{
    store_log_t *log = self->log;
    if (log->pin_durable)
        mdb_txn_abort(log->pin_durable);
    log->pin_durable = NULL;
    size_t next = self->map_size * 2;
    int rc = mdb_env_set_mapsize(self->env, next);
    if (rc == 0) {
        self->map_size = next;
        log_info("store map grown to %zu MiB", next >> 20);
    } else {
        log_warnx("cannot grow the store map to %zu bytes: %s", next, mdb_strerror(rc));
    }
    int prc = mdb_txn_begin(self->env, NULL, MDB_RDONLY, &log->pin_durable);
    if (prc != 0)
        fatalx("cannot pin the store's checkpoint in %s: %s", self->dir, mdb_strerror(prc));
    return rc;
}

/* Builds the open transaction again from the durable state and the log,
 * after LMDB dropped it (a failed commit). Growing the map as needed. */
static store_rc_t s_rebuild(store_t *self)
{
    store_log_t *log = self->log;
    s_poll(self, true);
    char why[256];
    for (int attempt = 0; attempt < 8; attempt++) {
        if (log->open)
            mdb_txn_abort(log->open);
        log->open = NULL;
        int rc = mdb_txn_begin(self->env, NULL, 0, &log->open);
        uint64_t last = 0, count = 0;
        if (rc == 0)
            rc = s_replay(self, log->open, &log->durable, log->lsn, &last, &count, why,
                          sizeof why);
        if (rc == 0 && last == log->lsn)
            return STORE_OK;
        if (rc == 0)
            fatalx("the log in %s lost records %llu..%llu while running", self->dir,
                   (unsigned long long)last + 1, (unsigned long long)log->lsn);
        if (rc != MDB_MAP_FULL)
            fatalx("cannot rebuild the store's open transaction in %s: %s", self->dir,
                   rc == STORE_LOG_FAILED ? why : mdb_strerror(rc));
        mdb_txn_abort(log->open);
        log->open = NULL;
        if (s_grow_map(self) != 0)
            break;
    }
    fatalx("cannot rebuild the store's open transaction in %s: the map cannot grow", self->dir);
}

/* ---- checkpoints ---------------------------------------------------------------- */

/* Commits the open transaction (no sync) and hands the sync to the syncer.
 * On failure LMDB has dropped the open transaction: it is rebuilt. */
static store_rc_t s_checkpoint_begin(store_t *self)
{
    store_log_t *log = self->log;
    int64_t t0 = clock_monotonic_us();
    uint64_t lsn = log->lsn;
    MDB_val k = {3, "lsn"}, v = {sizeof lsn, &lsn};
    int rc = mdb_put(log->open, log->log_dbi, &k, &v, 0);
    if (rc == 0)
        rc = mdb_txn_commit(log->open);
    else
        mdb_txn_abort(log->open);
    log->open = NULL;
    if (rc != 0) {
        store_rc_t src = store_map_error(rc);
        if (rc == MDB_MAP_FULL) {
            s_grow_map(self); /* nothing is open now: the one moment it can */
        } else {
            if (log->failing == STORE_OK)
                log_error("checkpoint of %s failed: %s (the log keeps every write; new writes "
                          "are refused until a checkpoint succeeds)",
                          self->dir, mdb_strerror(rc));
            /* LMDB reports a short write of its pages as EIO: a full disk */
            log->failing = rc == EIO || src == STORE_NO_SPACE ? STORE_NO_SPACE : src;
        }
        s_rebuild(self);
        return src;
    }
    if (log->failing != STORE_OK)
        log_info("checkpoint of %s succeeded again: writes are accepted", self->dir);
    log->failing = STORE_OK;
    MDB_envinfo info;
    mdb_env_info(self->env, &info);
    rc = mdb_txn_begin(self->env, NULL, MDB_RDONLY, &log->pin_flight);
    if (rc != 0)
        fatalx("cannot pin the store's checkpoint in %s: %s", self->dir, mdb_strerror(rc));
    wal_mark_t mark = {info.me_last_txnid, lsn, wal_head(log->wal), wal_salt(log->wal),
                       log->schema};
    log->committed = mark;
    log->in_flight = true;
    log->since_commit = 0;
    log->last_commit_us = clock_monotonic_us();
    log->checkpoints++;
    int64_t held = log->last_commit_us - t0;
    if (held > log->checkpoint_max_us)
        log->checkpoint_max_us = held;
    pthread_mutex_lock(&log->mu);
    log->job_mark = mark;
    log->job = true;
    log->done = false;
    pthread_cond_broadcast(&log->cv);
    pthread_mutex_unlock(&log->mu);
    return STORE_OK;
}

static bool s_dirty(const store_log_t *log) { return log->open && log->lsn > log->committed.lsn; }

/* A checkpoint that is durable when this returns. The open transaction
 * may hold a write that is in no log record (a record too large for the
 * ring): `force` commits it even so. */
static store_rc_t s_checkpoint_sync(store_t *self, bool force)
{
    store_log_t *log = self->log;
    s_poll(self, true);
    if (!force && !s_dirty(log))
        return STORE_OK;
    if (!log->open)
        return STORE_OK;
    store_rc_t rc = s_checkpoint_begin(self);
    if (rc == STORE_OK)
        s_poll(self, true);
    return rc;
}

int64_t store_maintain(store_t *self)
{
    store_log_t *log = self->log;
    if (!log)
        return 60000;
    if (log->active)
        return 1;
    s_poll(self, false);
    if (log->in_flight)
        return 1;
    if (!s_dirty(log))
        return log->options.checkpoint_ms;
    int64_t due = log->last_commit_us + (int64_t)log->options.checkpoint_ms * 1000;
    int64_t now = clock_monotonic_us();
    if (now < due && log->since_commit < log->options.checkpoint_bytes)
        return (due - now) / 1000 + 1;
    if (s_checkpoint_begin(self) != STORE_OK)
        return log->options.checkpoint_ms; /* logged; tried again later */
    return 1;
}

store_rc_t store_checkpoint(store_t *self)
{
    if (!self->log)
        return STORE_OK;
    return s_checkpoint_sync(self, false);
}

/* Map growth (after MDB_MAP_FULL in a write): a durable checkpoint
 * first, since no transaction may be open while the map changes. */
store_rc_t store_log_grow(store_t *self)
{
    store_log_t *log = self->log;
    s_poll(self, true);
    if (log->open) {
        store_rc_t rc = s_checkpoint_sync(self, true);
        if (rc == STORE_MAP_FULL)
            return STORE_OK; /* the failed checkpoint grew the map itself */
        if (rc != STORE_OK)
            return rc;
    }
    return store_map_error(s_grow_map(self));
}

/* ---- opening and closing -------------------------------------------------------- */

int store_log_prepare(store_t *self, const store_options_t *options, const store_db_spec_t *dbs,
                      char *why, size_t why_len)
{
    store_log_t *log = xcalloc(1, sizeof *log);
    self->log = log;
    log->options = *options;
    log->data_fd = -1;
    const char *names[STORE_MAX_DBS];
    for (size_t i = 0; i < self->db_count; i++) {
        names[i] = dbs[i].name;
        size_t n = strlen(dbs[i].name) + 1;
        if (log->names_len + n > sizeof log->names) {
            snprintf(why, why_len, "database names too long");
            return -1;
        }
        memcpy(log->names + log->names_len, dbs[i].name, n);
        log->names_len += n;
    }
    log->schema = wal_fingerprint(names, self->db_count);
    pthread_mutex_init(&log->mu, NULL);
    pthread_cond_init(&log->cv, NULL);

    char path[4096], data[4096];
    s_path(self, path, sizeof path);
    snprintf(data, sizeof data, "%s/data.mdb", self->dir);
    log->wal = wal_open(path, &log->durable, why, why_len);
    if (!log->wal)
        return errno == ENOENT ? 0 : -1; /* no log yet: made after the start */
    if (access(data, F_OK) != 0) {
        snprintf(why, why_len, _("%s has a log but no store (data.mdb)"), self->dir);
        return -1;
    }
    bool rolled_back;
    if (store_meta_settle(data, log->durable.txnid, &rolled_back, why, why_len) != 0)
        return -1;
    if (rolled_back)
        log_info("store %s: the checkpoint whose sync a stop cut short was set aside; the log "
                 "has its writes",
                 self->dir);
    return 0;
}

/* What the log's database holds: the last record number, and the names
 * of the databases in the order records number them (so that a backup can
 * apply records to a copy without the daemon's list). */
static int s_put_state(store_t *self, MDB_txn *txn)
{
    store_log_t *log = self->log;
    uint64_t lsn = log->lsn;
    MDB_val k = {3, "lsn"}, v = {sizeof lsn, &lsn};
    int rc = mdb_put(txn, log->log_dbi, &k, &v, 0);
    MDB_val nk = {3, "dbs"}, nv = {log->names_len, log->names};
    if (rc == 0)
        rc = mdb_put(txn, log->log_dbi, &nk, &nv, 0);
    return rc;
}

int store_log_recover(store_t *self, MDB_txn *txn, char *why, size_t why_len)
{
    store_log_t *log = self->log;
    memset(log->dbi_index, NO_INDEX, sizeof log->dbi_index);
    for (size_t i = 0; i < self->db_count; i++) {
        if (self->dbis[i] >= sizeof log->dbi_index)
            fatalx("LMDB database handle %u out of range", self->dbis[i]);
        log->dbi_index[self->dbis[i]] = (uint8_t)i;
    }
    int rc = mdb_dbi_open(txn, STORE_LOG_DB, MDB_CREATE, &log->log_dbi);
    if (rc != 0)
        return rc;
    MDB_val k = {3, "lsn"}, v;
    uint64_t stored = 0;
    rc = mdb_get(txn, log->log_dbi, &k, &v);
    if (rc == 0 && v.mv_size == sizeof stored)
        memcpy(&stored, v.mv_data, sizeof stored);
    else if (rc != 0 && rc != MDB_NOTFOUND)
        return rc;
    log->lsn = stored;
    log->replayed = 0;
    if (!log->wal)
        return s_put_state(self, txn);
    if (stored != log->durable.lsn) {
        snprintf(why, why_len,
                 _("the log's checkpoint holds record %llu but the store holds %llu: the log "
                   "belongs to another copy of the store"),
                 (unsigned long long)log->durable.lsn, (unsigned long long)stored);
        return STORE_LOG_FAILED;
    }
    uint64_t last, count;
    rc = s_replay(self, txn, &log->durable, UINT64_MAX, &last, &count, why, why_len);
    if (rc != 0)
        return rc;
    if (count > 0 && log->durable.schema != log->schema) {
        snprintf(why, why_len,
                 _("the log holds %llu record(s) written for other databases: start the "
                   "version that wrote them once, stop it, then upgrade"),
                 (unsigned long long)count);
        return STORE_LOG_FAILED;
    }
    log->lsn = last;
    log->replayed = count;
    return s_put_state(self, txn);
}

int store_log_start(store_t *self, char *why, size_t why_len)
{
    store_log_t *log = self->log;
    MDB_envinfo info;
    mdb_env_info(self->env, &info);
    uint32_t salt;
    if (getrandom(&salt, sizeof salt, 0) != sizeof salt)
        salt = (uint32_t)clock_monotonic_us() ^ (uint32_t)getpid();
    char path[4096];
    s_path(self, path, sizeof path);
    uint64_t head = log->wal ? wal_head(log->wal) : WAL_START;
    wal_mark_t mark = {info.me_last_txnid, log->lsn, head, salt, log->schema};
    if (log->wal && wal_size(log->wal) != log->options.log_bytes) {
        /* resized in the config: the log is empty now, so make it anew */
        wal_close(&log->wal);
        mark.offset = WAL_START;
    }
    if (log->wal) {
        wal_set_salt(log->wal, salt);
        int err = wal_set_mark(log->wal, &mark);
        if (err != 0) {
            snprintf(why, why_len, _("cannot write the log's mark in %s: %s"), path,
                     strerror(err));
            return -1;
        }
        wal_release(log->wal, head);
    } else {
        log->wal = wal_create(path, log->options.log_bytes, &mark, why, why_len);
        if (!log->wal)
            return -1;
    }
    log->durable = log->committed = mark;
    if (log->replayed)
        log_info("store %s: %llu acknowledged write(s) replayed from the log", self->dir,
                 (unsigned long long)log->replayed);
    mdb_env_get_fd(self->env, &log->data_fd);
    int rc = mdb_env_set_flags(self->env, MDB_NOSYNC, 1);
    if (rc == 0)
        rc = mdb_txn_begin(self->env, NULL, MDB_RDONLY, &log->pin_durable);
    if (rc != 0) {
        snprintf(why, why_len, _("cannot start the log of %s: %s"), self->dir, mdb_strerror(rc));
        return -1;
    }
    log->owner = pthread_self();
    log->last_commit_us = log->last_durable_us = clock_monotonic_us();
    rc = pthread_create(&log->syncer, NULL, s_syncer_main, log);
    if (rc != 0) {
        snprintf(why, why_len, "pthread_create: %s", strerror(rc));
        return -1;
    }
    log->started = true;
    return 0;
}

void store_log_close(store_t *self)
{
    store_log_t *log = self->log;
    if (!log)
        return;
    if (log->started) {
        if (s_checkpoint_sync(self, false) != STORE_OK)
            log_error("store %s: the last checkpoint failed; the next start replays the log",
                      self->dir);
        pthread_mutex_lock(&log->mu);
        log->quit = true;
        pthread_cond_broadcast(&log->cv);
        pthread_mutex_unlock(&log->mu);
        pthread_join(log->syncer, NULL);
    }
    if (log->open)
        mdb_txn_abort(log->open);
    if (log->pin_flight)
        mdb_txn_abort(log->pin_flight);
    if (log->pin_durable)
        mdb_txn_abort(log->pin_durable);
    wal_close(&log->wal);
    pthread_mutex_destroy(&log->mu);
    pthread_cond_destroy(&log->cv);
    strbuf_free(&log->redo);
    free(log);
    self->log = NULL;
}

bool store_accepts_writes(const store_t *self)
{
    return !self->log || self->log->failing == STORE_OK;
}

void store_log_stats(const store_t *self, store_log_stats_t *out)
{
    memset(out, 0, sizeof *out);
    const store_log_t *log = self->log;
    if (!log || !log->started)
        return;
    out->logged = true;
    out->log_bytes = wal_used(log->wal);
    out->checkpoint_age_ms = (clock_monotonic_us() - log->last_durable_us) / 1000;
    out->checkpoints = log->checkpoints;
    out->checkpoint_max_us = log->checkpoint_max_us;
    out->records = log->records;
    out->replayed = log->replayed;
}

/* ---- transactions ------------------------------------------------------------------ */

bool store_log_begin(store_t *self, store_txn_t *txn, bool write)
{
    store_log_t *log = self->log;
    if (!pthread_equal(pthread_self(), log->owner)) {
        if (write)
            fatalx("store %s written from a thread that is not its writer", self->dir);
        return false;
    }
    if (!write) {
        /* nothing uncommitted: a plain read sees everything */
        if (!log->open)
            return false;
        txn->txn = log->active ? log->active->txn : log->open;
        txn->borrowed = true;
        return true;
    }
    if (log->active)
        fatalx("store %s: a write transaction begun inside another", self->dir);
    s_poll(self, false);
    if (log->failing != STORE_OK)
        s_checkpoint_sync(self, false); /* room again? then this write goes in */
    int rc = log->open ? 0 : mdb_txn_begin(self->env, NULL, 0, &log->open);
    if (rc == 0)
        rc = mdb_txn_begin(self->env, log->open, 0, &txn->txn);
    if (rc != 0) {
        txn->txn = NULL;
        store_fail(txn, rc, "txn_begin");
        return true;
    }
    log->redo.len = 0;
    txn->redo_mark = 0;
    log->active = txn;
    return true;
}

void store_log_begin_child(store_txn_t *parent, store_txn_t *child)
{
    store_log_t *log = parent->store->log;
    child->parent = parent;
    child->redo_mark = log->redo.len;
    if (child->txn)
        log->active = child;
}

void store_log_abort(store_txn_t *txn)
{
    store_log_t *log = txn->store->log;
    if (txn->borrowed)
        return;
    log->redo.len = txn->redo_mark;
    if (log->active == txn)
        log->active = txn->parent;
}

static store_rc_t s_commit_child(store_txn_t *txn)
{
    store_log_t *log = txn->store->log;
    int rc = mdb_txn_commit(txn->txn);
    txn->txn = NULL;
    log->active = txn->parent;
    if (rc != 0) {
        log->redo.len = txn->redo_mark;
        store_fail(txn, rc, "commit");
    }
    return txn->rc;
}

store_rc_t store_log_commit(store_txn_t *txn)
{
    store_t *self = txn->store;
    store_log_t *log = self->log;
    if (txn->parent)
        return s_commit_child(txn);
    if (log->redo.len == 0) { /* wrote nothing */
        mdb_txn_abort(txn->txn);
        txn->txn = NULL;
        log->active = NULL;
        return STORE_OK;
    }
    if (log->failing != STORE_OK) {
        mdb_txn_abort(txn->txn);
        txn->txn = NULL;
        log->active = NULL;
        log->redo.len = 0;
        store_txn_fail(txn, log->failing);
        return txn->rc;
    }
    int err = wal_append(log->wal, log->lsn + 1, log->redo.data, log->redo.len);
    if (err == ENOSPC && log->in_flight) {
        s_poll(self, true); /* the checkpoint in flight frees the ring */
        err = wal_append(log->wal, log->lsn + 1, log->redo.data, log->redo.len);
    }
    if (err == ENOSPC || err == EFBIG) {
        /* No room in the ring: this write becomes durable by a checkpoint
         * of its own, the way every write was before the log. */
        int rc = mdb_txn_commit(txn->txn);
        txn->txn = NULL;
        log->active = NULL;
        log->redo.len = 0;
        if (rc != 0) {
            store_fail(txn, rc, "commit");
            s_rebuild(self);
            return txn->rc;
        }
        store_rc_t src = s_checkpoint_sync(self, true);
        if (src != STORE_OK)
            store_txn_fail(txn, src);
        return txn->rc;
    }
    if (err != 0) {
        mdb_txn_abort(txn->txn);
        txn->txn = NULL;
        log->active = NULL;
        log->redo.len = 0;
        log_error("cannot append to the log of %s: %s", self->dir, strerror(err));
        store_txn_fail(txn, err == ENOSPC || err == EDQUOT ? STORE_NO_SPACE : STORE_ERROR);
        return txn->rc;
    }
    log->lsn++;
    log->records++;
    log->since_commit += log->redo.len;
    log->redo.len = 0;
    int rc = mdb_txn_commit(txn->txn);
    txn->txn = NULL;
    log->active = NULL;
    if (rc != 0) {
        /* durable in the log, gone from the open transaction: replay it */
        log_error("store %s: commit into the open transaction failed (%s); rebuilding it from "
                  "the log",
                  self->dir, mdb_strerror(rc));
        if (log->open)
            mdb_txn_abort(log->open);
        log->open = NULL;
        s_rebuild(self);
    }
    if (log->since_commit >= log->options.checkpoint_bytes && !log->in_flight)
        s_checkpoint_begin(self);
    return STORE_OK;
}

static uint8_t *s_redo_reserve(store_log_t *log, size_t n)
{
    strbuf_reserve(&log->redo, n);
    uint8_t *p = (uint8_t *)log->redo.data + log->redo.len;
    log->redo.len += n;
    return p;
}

static void s_record(store_txn_t *txn, uint8_t op, MDB_dbi dbi, const void *key, size_t key_len,
                     const void *val, size_t val_len)
{
    store_log_t *log = txn->store->log;
    uint8_t index = dbi < sizeof log->dbi_index ? log->dbi_index[dbi] : NO_INDEX;
    if (index == NO_INDEX)
        fatalx("store %s: a write to a database the log does not know", txn->store->dir);
    uint8_t *p = s_redo_reserve(log, OP_HEADER + key_len + val_len);
    uint16_t klen = (uint16_t)key_len;
    uint32_t vlen = (uint32_t)val_len;
    p[0] = op;
    p[1] = index;
    memcpy(p + 2, &klen, 2);
    memcpy(p + 4, &vlen, 4);
    memcpy(p + OP_HEADER, key, key_len);
    if (val_len)
        memcpy(p + OP_HEADER + key_len, val, val_len);
}

void store_log_put(store_txn_t *txn, MDB_dbi dbi, const void *key, size_t key_len,
                   const void *val, size_t val_len)
{
    s_record(txn, OP_PUT, dbi, key, key_len, val, val_len);
}

void store_log_del(store_txn_t *txn, MDB_dbi dbi, const void *key, size_t key_len)
{
    s_record(txn, OP_DEL, dbi, key, key_len, NULL, 0);
}
