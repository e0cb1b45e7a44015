/* A hot copy of a store: LMDB's newest commit, compacted, and the log's
 * records after it in a new log beside it.
 *
 * The records are read first, from the log's durable mark to the end of
 * its chain (everything acknowledged so far), then LMDB is copied. The
 * copy's commit holds every record up to some number L no older than that
 * mark; the new log gets the records read after L. So the copy holds every
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
#include <sys/random.h>
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

/* The copy's commit: its txnid and the last log record it holds. */
static int s_copy_state(const char *dest, uint64_t *txnid, uint64_t *lsn)
{
    MDB_env *env;
    MDB_txn *txn = NULL;
    MDB_dbi dbi;
    int rc = mdb_env_create(&env);
    if (rc == 0)
        rc = mdb_env_set_maxdbs(env, STORE_MAX_DBS + 1);
    if (rc == 0)
        rc = mdb_env_open(env, dest, MDB_RDONLY | MDB_NOTLS, 0640);
    if (rc == 0)
        rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn);
    *lsn = 0;
    if (rc == 0 && mdb_dbi_open(txn, STORE_LOG_DB, 0, &dbi) == 0) {
        MDB_val k = {3, "lsn"}, v;
        if (mdb_get(txn, dbi, &k, &v) == 0 && v.mv_size == sizeof *lsn)
            memcpy(lsn, v.mv_data, sizeof *lsn);
    }
    if (rc == 0) {
        MDB_envinfo info;
        mdb_env_info(env, &info);
        *txnid = info.me_last_txnid;
    }
    if (txn)
        mdb_txn_abort(txn);
    mdb_env_close(env);
    return rc;
}

/* The records after the copy's commit, in a new log in dest. */
static int s_write_tail(const char *dest, const wal_mark_t *source, uint64_t size,
                        const tail_t *tail, char *why, size_t why_len)
{
    wal_mark_t mark = {0, 0, WAL_START, 0, source->schema};
    int rc = s_copy_state(dest, &mark.txnid, &mark.lsn);
    if (rc != 0) {
        snprintf(why, why_len, _("cannot read the copy in %s: %s"), dest, mdb_strerror(rc));
        return -1;
    }
    if (getrandom(&mark.salt, sizeof mark.salt, 0) != sizeof mark.salt)
        mark.salt = (uint32_t)getpid();
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dest, STORE_LOG_FILE);
    wal_t *wal = wal_create(path, size, &mark, why, why_len);
    if (!wal)
        return -1;
    uint64_t next = mark.lsn + 1;
    int err = 0;
    for (size_t i = 0; err == 0 && i < tail->count; i++) {
        if (tail->records[i].lsn < next)
            continue; /* already in the copy */
        if (tail->records[i].lsn != next)
            break; /* cannot happen: the records read are consecutive */
        err = wal_append(wal, next, tail->records[i].payload, tail->records[i].len);
        next++;
    }
    wal_close(&wal);
    if (err != 0) {
        snprintf(why, why_len, _("cannot write the log of the copy in %s: %s"), dest,
                 strerror(err));
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
    uint64_t log_size = 0;
    wal_t *wal = wal_open(log_path, &mark, why, why_len);
    if (!wal && errno != ENOENT)
        return -1;
    if (wal) {
        uint64_t count;
        wal_replay(wal, &mark, s_keep, &tail, &count);
        log_size = wal_size(wal);
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
    } else if (log_size > 0) {
        result = s_write_tail(dest, &mark, log_size, &tail, why, why_len);
    }
    s_tail_free(&tail);
    return result;
}
