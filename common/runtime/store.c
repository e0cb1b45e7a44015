#include "runtime/store_private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "base/i18n.h"
#include "base/log.h"
#include "runtime/paths.h"

/* The one place LMDB codes become store codes. */
store_rc_t store_map_error(int mdb_rc)
{
    switch (mdb_rc) {
    case MDB_SUCCESS: return STORE_OK;
    case MDB_NOTFOUND: return STORE_NOT_FOUND;
    case MDB_MAP_FULL: return STORE_MAP_FULL;
    case ENOSPC: return STORE_NO_SPACE;
    case EDQUOT: return STORE_NO_SPACE;
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH: return STORE_CORRUPT;
    default: return STORE_ERROR;
    }
}

const char *store_rc_text(store_rc_t rc)
{
    switch (rc) {
    case STORE_OK: return N_("ok");
    case STORE_NOT_FOUND: return N_("no entry");
    case STORE_MAP_FULL: return N_("store map full");
    case STORE_NO_SPACE: return N_("no space left on the store's disk");
    case STORE_CORRUPT: return N_("store data is corrupt");
    case STORE_ERROR: return N_("store error");
    }
    return N_("store error");
}

/* Whether the file system of dir is (nearly) full: LMDB reports a short
 * write of its pages as EIO, not ENOSPC. */
static bool s_disk_full(const char *dir)
{
    struct statvfs vfs;
    if (statvfs(dir, &vfs) != 0)
        return false;
    unsigned long long avail = (unsigned long long)vfs.f_bavail * vfs.f_frsize;
    unsigned long long total = (unsigned long long)vfs.f_blocks * vfs.f_frsize;
    return avail < (8ULL << 20) || avail < total / 100;
}

void store_fail(store_txn_t *txn, int mdb_rc, const char *what)
{
    if (txn->rc != STORE_OK)
        return;
    txn->rc = store_map_error(mdb_rc);
    if (mdb_rc == EIO && s_disk_full(txn->store->dir))
        txn->rc = STORE_NO_SPACE;
    if (txn->rc != STORE_MAP_FULL)
        log_warnx("lmdb %s: %s", what, mdb_strerror(mdb_rc));
}

static int s_take_lock(const char *dir, char *why, size_t why_len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/daemon.lock", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) {
        snprintf(why, why_len, _("cannot open %s: %s"), path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        snprintf(why, why_len, _("store %s is in use by another process"), dir);
        close(fd);
        return -1;
    }
    return fd;
}

/* The transaction that opens the databases (and replays the log). */
static int s_open_databases(store_t *self, const store_db_spec_t *dbs, char *why, size_t why_len)
{
    for (int attempt = 0;; attempt++) {
        MDB_txn *txn;
        int rc = mdb_txn_begin(self->env, NULL, 0, &txn);
        for (size_t i = 0; rc == 0 && i < self->db_count; i++)
            rc = mdb_dbi_open(txn, dbs[i].name, MDB_CREATE | dbs[i].flags, &self->dbis[i]);
        if (rc == 0 && self->log)
            rc = store_log_recover(self, txn, why, why_len);
        if (rc == 0)
            rc = mdb_txn_commit(txn);
        else
            mdb_txn_abort(txn);
        if (rc == MDB_MAP_FULL && attempt < 16) {
            /* the log held more than the map the config asks for */
            size_t next = self->map_size * 2;
            if (mdb_env_set_mapsize(self->env, next) == 0) {
                self->map_size = next;
                continue;
            }
        }
        if (rc != 0 && rc != STORE_LOG_FAILED) /* else why is written */
            snprintf(why, why_len, _("cannot open databases in %s: %s"), self->dir,
                     mdb_strerror(rc));
        return rc == 0 ? 0 : -1;
    }
}

store_t *store_open(const char *dir, const store_db_spec_t *dbs, size_t db_count,
                    const store_options_t *options, char *why, size_t why_len)
{
    if (db_count > STORE_MAX_DBS) {
        snprintf(why, why_len, _("too many databases (%zu)"), db_count);
        return NULL;
    }
    if (paths_mkdir_p(dir, 0750) != 0) {
        snprintf(why, why_len, _("cannot create state directory %s: %s"), dir, strerror(errno));
        return NULL;
    }
    if (access(dir, W_OK) != 0) {
        snprintf(why, why_len, _("state directory %s is not writable: %s"), dir, strerror(errno));
        return NULL;
    }
    int lock_fd = s_take_lock(dir, why, why_len);
    if (lock_fd < 0)
        return NULL;

    store_t *self = xcalloc(1, sizeof *self);
    self->lock_fd = lock_fd;
    self->dir = xstrdup(dir);
    self->db_count = db_count;
    bool logged = options->log_bytes > 0;
    if (logged && store_log_prepare(self, options, dbs, why, why_len) != 0) {
        store_close(&self);
        return NULL;
    }
    int rc = mdb_env_create(&self->env);
    if (rc == 0) /* the log's own database besides the store's */
        rc = mdb_env_set_maxdbs(self->env, (MDB_dbi)db_count + (logged ? 1 : 0));
    if (rc == 0)
        rc = mdb_env_set_maxreaders(self->env, 126);
    if (rc == 0)
        rc = mdb_env_set_mapsize(self->env, options->map_bytes);
    if (rc == 0)
        rc = mdb_env_open(self->env, dir, MDB_NOTLS, 0640);
    if (rc != 0) {
        snprintf(why, why_len, _("cannot open store in %s: %s"), dir, mdb_strerror(rc));
        store_close(&self);
        return NULL;
    }
    /* The file may already be larger than asked (it grew before a restart). */
    MDB_envinfo info;
    mdb_env_info(self->env, &info);
    self->map_size = info.me_mapsize;

    store_reader_check(self);
    if (s_open_databases(self, dbs, why, why_len) != 0 ||
        (logged && store_log_start(self, why, why_len) != 0)) {
        store_close(&self);
        return NULL;
    }
    return self;
}

void store_close(store_t **self_p)
{
    store_t *self = *self_p;
    if (!self)
        return;
    if (self->log)
        store_log_close(self);
    if (self->env)
        mdb_env_close(self->env);
    if (self->lock_fd >= 0)
        close(self->lock_fd);
    free(self->dir);
    free(self);
    *self_p = NULL;
}

MDB_dbi store_dbi(const store_t *self, size_t index) { return self->dbis[index]; }
MDB_env *store_env(store_t *self) { return self->env; }
size_t store_map_size(const store_t *self) { return self->map_size; }

size_t store_used_bytes(const store_t *self)
{
    MDB_envinfo info;
    MDB_stat st;
    mdb_env_info(self->env, &info);
    mdb_env_stat(self->env, &st);
    return (info.me_last_pgno + 1) * (size_t)st.ms_psize;
}

store_rc_t store_grow(store_t *self)
{
    /* Pages pinned by a dead reader look like a full map: free them first. */
    store_reader_check(self);
    if (self->log)
        return store_log_grow(self);
    size_t next = self->map_size * 2;
    int rc = mdb_env_set_mapsize(self->env, next);
    if (rc != 0) {
        log_warnx("cannot grow the store map to %zu bytes: %s", next, mdb_strerror(rc));
        return store_map_error(rc);
    }
    log_info("store map grown to %zu MiB", next >> 20);
    self->map_size = next;
    return STORE_OK;
}

int store_reader_check(store_t *self)
{
    int dead = 0;
    mdb_reader_check(self->env, &dead);
    if (dead > 0)
        log_info("cleared %d stale reader slot(s) in %s", dead, self->dir);
    return dead;
}

store_rc_t store_txn_begin(store_t *self, store_txn_t *txn, bool write)
{
    memset(txn, 0, sizeof *txn);
    txn->store = self;
    txn->write = write;
    if (self->log && store_log_begin(self, txn, write))
        return txn->rc;
    /* A reader killed while it held a transaction (a backup, mdb_stat, a
     * crashed tool) pins the pages it saw: every write would take new ones
     * and the file would grow. Its slot is freed before each write, which
     * costs a scan of the reader table (a few slots, a lock test each). */
    if (write)
        store_reader_check(self);
    int rc = mdb_txn_begin(self->env, NULL, write ? 0 : MDB_RDONLY, &txn->txn);
    if (rc == MDB_READERS_FULL && store_reader_check(self) > 0)
        rc = mdb_txn_begin(self->env, NULL, write ? 0 : MDB_RDONLY, &txn->txn);
    if (rc == MDB_MAP_RESIZED) {
        /* Another process grew the map: adopt its size and try again. */
        mdb_env_set_mapsize(self->env, 0);
        rc = mdb_txn_begin(self->env, NULL, write ? 0 : MDB_RDONLY, &txn->txn);
    }
    if (rc != 0) {
        txn->txn = NULL;
        store_fail(txn, rc, "txn_begin");
    }
    return txn->rc;
}

store_rc_t store_txn_begin_child(store_txn_t *parent, store_txn_t *child)
{
    memset(child, 0, sizeof *child);
    child->store = parent->store;
    child->write = true;
    if (parent->rc != STORE_OK) {
        child->rc = parent->rc;
        return child->rc;
    }
    int rc = mdb_txn_begin(parent->store->env, parent->txn, 0, &child->txn);
    if (rc != 0) {
        child->txn = NULL;
        store_fail(child, rc, "txn_begin(child)");
    }
    if (parent->store->log)
        store_log_begin_child(parent, child);
    return child->rc;
}

/* A write under the log: its hooks do what LMDB's commit did. */
static bool s_logged(const store_txn_t *txn) { return txn->store->log && txn->write; }

store_rc_t store_txn_commit(store_txn_t *txn)
{
    if (txn->borrowed) {
        txn->txn = NULL;
        return txn->rc;
    }
    if (!txn->txn)
        return txn->rc;
    if (txn->rc != STORE_OK) {
        mdb_txn_abort(txn->txn);
        if (s_logged(txn))
            store_log_abort(txn);
    } else if (s_logged(txn)) {
        return store_log_commit(txn);
    } else {
        int rc = mdb_txn_commit(txn->txn);
        if (rc != 0)
            store_fail(txn, rc, "commit");
    }
    txn->txn = NULL;
    return txn->rc;
}

void store_txn_abort(store_txn_t *txn)
{
    if (txn->txn && !txn->borrowed) {
        mdb_txn_abort(txn->txn);
        if (s_logged(txn))
            store_log_abort(txn);
    }
    txn->txn = NULL;
}

void store_txn_fail(store_txn_t *txn, store_rc_t rc)
{
    if (txn->rc == STORE_OK)
        txn->rc = rc;
}

bool store_get(store_txn_t *txn, MDB_dbi dbi, const void *key, size_t key_len, MDB_val *val)
{
    if (txn->rc != STORE_OK)
        return false;
    /* No key is empty or longer than LMDB's limit: such a lookup finds
     * nothing (LMDB would call it an error and fail the transaction). */
    if (key_len == 0 || key_len > STORE_MAX_KEY)
        return false;
    MDB_val k = {key_len, (void *)key};
    int rc = mdb_get(txn->txn, dbi, &k, val);
    if (rc == MDB_NOTFOUND)
        return false;
    if (rc != 0) {
        store_fail(txn, rc, "get");
        return false;
    }
    return true;
}

void store_put(store_txn_t *txn, MDB_dbi dbi, const void *key, size_t key_len,
               const void *val, size_t val_len)
{
    if (txn->rc != STORE_OK)
        return;
    MDB_val k = {key_len, (void *)key}, v = {val_len, (void *)val};
    int rc = mdb_put(txn->txn, dbi, &k, &v, 0);
    if (rc != 0)
        store_fail(txn, rc, "put");
    else if (txn->store->log)
        store_log_put(txn, dbi, key, key_len, val, val_len);
}

void store_put_message(store_txn_t *txn, MDB_dbi dbi, const void *key, size_t key_len,
                       const ProtobufCMessage *msg)
{
    if (txn->rc != STORE_OK)
        return;
    size_t len = protobuf_c_message_get_packed_size(msg);
    MDB_val k = {key_len, (void *)key}, v = {len, NULL};
    int rc = mdb_put(txn->txn, dbi, &k, &v, MDB_RESERVE);
    if (rc != 0) {
        store_fail(txn, rc, "put");
        return;
    }
    protobuf_c_message_pack(msg, v.mv_data);
    if (txn->store->log)
        store_log_put(txn, dbi, key, key_len, v.mv_data, len);
}

ProtobufCMessage *store_get_message(store_txn_t *txn, MDB_dbi dbi, const void *key,
                                    size_t key_len, const ProtobufCMessageDescriptor *desc)
{
    MDB_val v;
    if (!store_get(txn, dbi, key, key_len, &v))
        return NULL;
    ProtobufCMessage *msg = protobuf_c_message_unpack(desc, NULL, v.mv_size, v.mv_data);
    if (!msg) {
        log_error("stored %s record does not decode", desc->name);
        store_txn_fail(txn, STORE_CORRUPT);
    }
    return msg;
}

void store_del(store_txn_t *txn, MDB_dbi dbi, const void *key, size_t key_len)
{
    if (txn->rc != STORE_OK)
        return;
    MDB_val k = {key_len, (void *)key};
    int rc = mdb_del(txn->txn, dbi, &k, NULL);
    if (rc != 0 && rc != MDB_NOTFOUND)
        store_fail(txn, rc, "del");
    else if (rc == 0 && txn->store->log)
        store_log_del(txn, dbi, key, key_len);
}

void store_iter_init(store_iter_t *it, store_txn_t *txn, MDB_dbi dbi, const void *prefix,
                     size_t prefix_len, const void *start, size_t start_len, bool reverse)
{
    memset(it, 0, sizeof *it);
    it->txn = txn;
    it->dbi = dbi;
    it->prefix = prefix;
    it->prefix_len = prefix_len;
    it->reverse = reverse;
    if (txn->rc != STORE_OK)
        return;
    int rc = mdb_cursor_open(txn->txn, dbi, &it->cursor);
    if (rc != 0) {
        store_fail(txn, rc, "cursor_open");
        it->cursor = NULL;
        return;
    }
    if (start) {
        it->key.mv_data = (void *)start;
        it->key.mv_size = start_len;
    } else {
        it->key.mv_data = (void *)prefix;
        it->key.mv_size = prefix_len;
    }
}

static bool s_has_prefix(const store_iter_t *it)
{
    return it->key.mv_size >= it->prefix_len &&
           (it->prefix_len == 0 || memcmp(it->key.mv_data, it->prefix, it->prefix_len) == 0);
}

/* Positions a reverse iterator on the last key <= the start key. When no
 * start is given, that is the last key beginning with the prefix: seek past
 * the prefix by incrementing it as a big-endian number. */
static int s_seek_reverse(store_iter_t *it, bool explicit_start)
{
    uint8_t upper[STORE_MAX_KEY + 1];
    MDB_val seek = it->key;
    bool unbounded = false;
    if (!explicit_start) {
        size_t n = it->prefix_len;
        if (n > 0)
            memcpy(upper, it->prefix, n);
        while (n > 0 && upper[n - 1] == 0xff)
            n--;
        if (n == 0) {
            unbounded = true;
        } else {
            upper[n - 1]++;
            seek.mv_data = upper;
            seek.mv_size = n;
        }
    }
    int rc;
    if (unbounded) {
        rc = mdb_cursor_get(it->cursor, &it->key, &it->val, MDB_LAST);
    } else {
        it->key = seek;
        rc = mdb_cursor_get(it->cursor, &it->key, &it->val, MDB_SET_RANGE);
        if (rc == MDB_NOTFOUND)
            return mdb_cursor_get(it->cursor, &it->key, &it->val, MDB_LAST);
        if (rc != 0)
            return rc;
        /* Landed on the first key >= seek: step back unless it equals an
         * explicit start exactly (which is included). */
        bool exact = explicit_start && it->key.mv_size == seek.mv_size &&
                     memcmp(it->key.mv_data, seek.mv_data, seek.mv_size) == 0;
        if (!exact)
            rc = mdb_cursor_get(it->cursor, &it->key, &it->val, MDB_PREV);
    }
    return rc;
}

bool store_iter_next(store_iter_t *it)
{
    if (!it->cursor || it->txn->rc != STORE_OK)
        return false;
    int rc;
    if (!it->started) {
        it->started = true;
        bool explicit_start = it->key.mv_data != it->prefix || it->key.mv_size != it->prefix_len;
        if (it->reverse)
            rc = s_seek_reverse(it, explicit_start);
        else if (it->key.mv_size == 0)
            rc = mdb_cursor_get(it->cursor, &it->key, &it->val, MDB_FIRST);
        else
            rc = mdb_cursor_get(it->cursor, &it->key, &it->val, MDB_SET_RANGE);
    } else {
        rc = mdb_cursor_get(it->cursor, &it->key, &it->val, it->reverse ? MDB_PREV : MDB_NEXT);
    }
    if (rc == MDB_NOTFOUND)
        return false;
    if (rc != 0) {
        store_fail(it->txn, rc, "cursor_get");
        return false;
    }
    return s_has_prefix(it);
}

void store_iter_close(store_iter_t *it)
{
    if (it->cursor)
        mdb_cursor_close(it->cursor);
    it->cursor = NULL;
}

void store_iter_del(store_iter_t *it)
{
    if (!it->cursor || it->txn->rc != STORE_OK)
        return;
    uint8_t key[STORE_MAX_KEY];
    size_t key_len = it->key.mv_size;
    memcpy(key, it->key.mv_data, key_len); /* the cursor's key goes with the entry */
    int rc = mdb_cursor_del(it->cursor, 0);
    if (rc != 0)
        store_fail(it->txn, rc, "cursor_del");
    else if (it->txn->store->log)
        store_log_del(it->txn, it->dbi, key, key_len);
}
