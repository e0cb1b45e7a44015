/* A hot copy of a store: LMDB's newest commit, compacted, with the log's
 * records after it applied to the copy, so the copy is one file.
 *
 * The records are read first, from the log's durable mark to the end of
 * its chain (everything acknowledged so far), then LMDB is copied. The
 * copy's commit holds every record up to some number L no older than that
 * mark; the records read after L are applied to it. So the copy holds every
 * write acknowledged before the call, whatever the daemon does meanwhile.
 * (A record read could only be lost if the daemon wrote a whole log's
 * worth of records during the few milliseconds of the read, and then its
 * checkpoints put them in the commit that is copied.) */
#include "runtime/store_private.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/i18n.h"
#include "base/log.h"
#include "runtime/paths.h"
#include "runtime/wal.h"

typedef struct {
    uint64_t lsn;
    uint8_t *payload;
    size_t len;
} tail_record_t;

typedef struct {
    tail_record_t *records;
    size_t count, cap;
} tail_t;

static int s_keep(void *arg, uint64_t lsn, const uint8_t *payload, size_t len)
{
    tail_t *t = arg;
    if (t->count == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->records = xrealloc(t->records, t->cap * sizeof *t->records);
    }
    tail_record_t *r = &t->records[t->count++];
    r->lsn = lsn;
    r->len = len;
    r->payload = xmalloc(len ? len : 1);
    memcpy(r->payload, payload, len);
    return 0;
}

static void s_tail_free(tail_t *t)
{
    for (size_t i = 0; i < t->count; i++)
        free(t->records[i].payload);
    free(t->records);
}

/* Applies the records after the copy's commit to the copy itself, so that
 * its data.mdb alone holds everything (a restore puts back one file). */
static int s_apply_tail(const char *dest, const tail_t *tail, char *why, size_t why_len)
{
    MDB_env *env;
    MDB_txn *txn = NULL;
    MDB_dbi log_dbi, dbis[STORE_MAX_DBS];
    size_t db_count = 0;
    int rc = mdb_env_create(&env);
    if (rc == 0)
        rc = mdb_env_set_maxdbs(env, STORE_MAX_DBS + 1);
    if (rc == 0)
        rc = mdb_env_set_mapsize(env, 1ULL << 36); /* the file's size is all it takes */
    if (rc == 0)
        rc = mdb_env_open(env, dest, MDB_NOTLS, 0640);
    if (rc == 0)
        rc = mdb_txn_begin(env, NULL, 0, &txn);
    if (rc == 0)
        rc = mdb_dbi_open(txn, STORE_LOG_DB, 0, &log_dbi);
    MDB_val k = {3, "lsn"}, names = {0, NULL}, v;
    uint64_t lsn = 0;
    if (rc == 0 && mdb_get(txn, log_dbi, &k, &v) == 0 && v.mv_size == sizeof lsn)
        memcpy(&lsn, v.mv_data, sizeof lsn);
    MDB_val nk = {3, "dbs"};
    if (rc == 0)
        rc = mdb_get(txn, log_dbi, &nk, &names);
    /* names are NUL-ended, one after another; copied out of the map first */
    char list[STORE_MAX_DBS * 64];
    if (rc == 0 && (names.mv_size > sizeof list || names.mv_size == 0))
        rc = MDB_INVALID;
    if (rc == 0)
        memcpy(list, names.mv_data, names.mv_size);
    for (size_t off = 0; rc == 0 && off < names.mv_size && db_count < STORE_MAX_DBS;) {
        rc = mdb_dbi_open(txn, list + off, 0, &dbis[db_count++]);
        off += strlen(list + off) + 1;
    }
    uint64_t applied = lsn;
    for (size_t i = 0; rc == 0 && i < tail->count; i++) {
        const tail_record_t *r = &tail->records[i];
        if (r->lsn <= applied)
            continue; /* already in the copy */
        if (r->lsn != applied + 1)
            break; /* cannot happen: the records read are consecutive */
        rc = store_log_apply(txn, dbis, db_count, r->payload, r->len);
        if (rc == STORE_LOG_FAILED)
            rc = MDB_CORRUPTED;
        applied = r->lsn;
    }
    MDB_val nv = {sizeof applied, &applied};
    if (rc == 0)
        rc = mdb_put(txn, log_dbi, &k, &nv, 0);
    if (rc == 0)
        rc = mdb_txn_commit(txn); /* a synced commit: the env has no NOSYNC */
    else if (txn)
        mdb_txn_abort(txn);
    mdb_env_close(env);
    char lock[PATH_MAX];
    snprintf(lock, sizeof lock, "%s/lock.mdb", dest);
    unlink(lock); /* the copy is one file, as before the log */
    if (rc != 0) {
        snprintf(why, why_len, _("cannot apply the log's last writes to the copy in %s: %s"), dest,
                 mdb_strerror(rc));
        return -1;
    }
    return 0;
}

int store_backup(const char *dir, const char *dest, char *why, size_t why_len)
{
    char data[PATH_MAX], log_path[PATH_MAX];
    snprintf(data, sizeof data, "%s/data.mdb", dir);
    snprintf(log_path, sizeof log_path, "%s/%s", dir, STORE_LOG_FILE);
    if (access(data, R_OK) != 0) {
        snprintf(why, why_len, _("no store in %s: %s"), dir, strerror(errno));
        return -1;
    }
    if (paths_mkdir_p(dest, 0750) != 0) {
        snprintf(why, why_len, _("cannot create %s: %s"), dest, strerror(errno));
        return -1;
    }
    tail_t tail = {0};
    wal_mark_t mark;
    bool has_log = false;
    wal_t *wal = wal_open(log_path, &mark, why, why_len);
    if (!wal && errno != ENOENT)
        return -1;
    if (wal) {
        uint64_t count;
        wal_replay(wal, &mark, s_keep, &tail, &count);
        has_log = true;
        wal_close(&wal);
    }
    MDB_env *env;
    int rc = mdb_env_create(&env);
    if (rc == 0)
        rc = mdb_env_set_maxreaders(env, 126); /* as the daemon has it */
    if (rc == 0)
        rc = mdb_env_open(env, dir, MDB_RDONLY | MDB_NOTLS, 0640);
    if (rc == 0)
        rc = mdb_env_copy2(env, dest, MDB_CP_COMPACT);
    mdb_env_close(env);
    int result = 0;
    if (rc != 0) {
        snprintf(why, why_len, _("cannot copy the store in %s to %s: %s"), dir, dest,
                 mdb_strerror(rc));
        result = -1;
    } else if (has_log) {
        result = s_apply_tail(dest, &tail, why, why_len);
    }
    s_tail_free(&tail);
    return result;
}
