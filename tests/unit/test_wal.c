/* Unit tests for the write-ahead log (common/runtime/wal.c) and the store
 * with a log in front (store_log.c, store_meta.c): records come back in
 * order across laps of the ring, a torn or flipped record ends the replay
 * there, a full ring says so, the mark survives a torn header slot; a
 * store's commits are read back inside the open transaction and after a
 * reopen that replays them; LMDB's meta offsets are the ones store_meta.c
 * reads. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/store_private.h"
#include "runtime/wal.h"
#include "tempdir.h"

typedef struct {
    char root[64];
    char path[128];
} fixture_t;

static int setup(void **state)
{
    fixture_t *fx = calloc(1, sizeof *fx);
    if (!fx || !tempdir_make(fx->root, sizeof fx->root, "wal")) {
        free(fx);
        return -1;
    }
    snprintf(fx->path, sizeof fx->path, "%s/wal.log", fx->root);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *fx = *state;
    tempdir_remove(fx->root);
    free(fx);
    return 0;
}

typedef struct {
    uint64_t lsns[4096];
    size_t count;
    bool bad_payload;
} seen_t;

/* Records carry their own number in every byte's pattern. */
static void fill(uint8_t *buf, size_t len, uint64_t lsn)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(lsn * 31 + i);
}

static int collect(void *arg, uint64_t lsn, const uint8_t *payload, size_t len)
{
    seen_t *seen = arg;
    uint8_t want[8192];
    fill(want, len, lsn);
    if (memcmp(want, payload, len) != 0)
        seen->bad_payload = true;
    seen->lsns[seen->count++] = lsn;
    return 0;
}

static wal_t *make_log(const fixture_t *fx, wal_mark_t *mark)
{
    char why[256];
    *mark = (wal_mark_t){.txnid = 1, .lsn = 0, .offset = WAL_START, .salt = 7, .schema = 3};
    wal_t *wal = wal_create(fx->path, WAL_MIN_SIZE, mark, why, sizeof why);
    assert_non_null(wal);
    return wal;
}

static void append_n(wal_t *wal, uint64_t from, uint64_t n, size_t len)
{
    uint8_t buf[8192];
    for (uint64_t lsn = from; lsn < from + n; lsn++) {
        fill(buf, len, lsn);
        assert_int_equal(wal_append(wal, lsn, buf, len), 0);
    }
}

static void test_records_come_back_in_order(void **state)
{
    fixture_t *fx = *state;
    wal_mark_t mark;
    wal_t *wal = make_log(fx, &mark);
    append_n(wal, 1, 20, 1000);
    wal_close(&wal);
    char why[256];
    wal = wal_open(fx->path, &mark, why, sizeof why);
    assert_non_null(wal);
    seen_t seen = {0};
    uint64_t count;
    assert_int_equal(wal_replay(wal, &mark, collect, &seen, &count), 0);
    assert_int_equal(count, 20);
    for (size_t i = 0; i < 20; i++)
        assert_int_equal(seen.lsns[i], i + 1);
    assert_false(seen.bad_payload);
    wal_close(&wal);
}

/* Marks move on as checkpoints would: the ring is reused several times
 * and the replay from the last mark sees exactly the records after it. */
static void test_the_ring_wraps_and_a_mark_moves_the_start(void **state)
{
    fixture_t *fx = *state;
    wal_mark_t mark;
    wal_t *wal = make_log(fx, &mark);
    uint64_t lsn = 1;
    int wraps = 0;
    for (int lap = 0; lap < 6; lap++) {
        uint64_t before = wal_head(wal);
        append_n(wal, lsn, 30, 3000); /* ~90 KB of a 124 KB ring */
        lsn += 30;
        wraps += wal_head(wal) < before;
        mark.lsn = lsn - 1;            /* a checkpoint holds them all */
        mark.offset = wal_head(wal);
        assert_int_equal(wal_set_mark(wal, &mark), 0);
        wal_release(wal, mark.offset);
        assert_int_equal(wal_used(wal), 0);
    }
    assert_true(wraps >= 3);
    append_n(wal, lsn, 10, 3000);      /* after the last checkpoint */
    wal_close(&wal);
    char why[256];
    wal_mark_t read_mark;
    wal = wal_open(fx->path, &read_mark, why, sizeof why);
    assert_non_null(wal);
    assert_int_equal(read_mark.lsn, lsn - 1);
    seen_t seen = {0};
    uint64_t count;
    wal_replay(wal, &read_mark, collect, &seen, &count);
    assert_int_equal(count, 10);
    assert_int_equal(seen.lsns[0], lsn);
    assert_int_equal(seen.lsns[9], lsn + 9);
    assert_false(seen.bad_payload);
    wal_close(&wal);
}

static void test_a_full_ring_refuses_and_too_large_never_fits(void **state)
{
    fixture_t *fx = *state;
    wal_mark_t mark;
    wal_t *wal = make_log(fx, &mark);
    uint8_t buf[8192] = {0};
    uint64_t lsn = 1;
    int rc = 0;
    while ((rc = wal_append(wal, lsn, buf, sizeof buf)) == 0)
        lsn++;
    assert_int_equal(rc, ENOSPC);
    assert_true(lsn > 10);
    uint8_t *huge = calloc(1, WAL_MIN_SIZE);
    assert_int_equal(wal_append(wal, lsn, huge, WAL_MIN_SIZE / 2), EFBIG);
    free(huge);
    wal_close(&wal);
}

/* A record cut short or with a flipped byte ends the replay just before
 * it (it was never acknowledged); the records before it all come back. */
static void damage(const char *path, off_t offset, bool truncate_there)
{
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    if (truncate_there) {
        /* a torn write: the rest of the record never reached the disk */
        uint8_t zeros[512] = {0};
        assert_int_equal(pwrite(fd, zeros, sizeof zeros, offset), (ssize_t)sizeof zeros);
    } else {
        uint8_t b;
        assert_int_equal(pread(fd, &b, 1, offset), 1);
        b ^= 0x10;
        assert_int_equal(pwrite(fd, &b, 1, offset), 1);
    }
    close(fd);
}

static void replay_after_damage(fixture_t *fx, bool torn)
{
    wal_mark_t mark;
    wal_t *wal = make_log(fx, &mark);
    append_n(wal, 1, 10, 1000); /* records of 1024 bytes from WAL_START */
    wal_close(&wal);
    /* record 7 starts at WAL_START + 6 * 1024; hit its payload */
    damage(fx->path, WAL_START + 6 * 1024 + 600, torn);
    char why[256];
    wal = wal_open(fx->path, &mark, why, sizeof why);
    seen_t seen = {0};
    uint64_t count;
    wal_replay(wal, &mark, collect, &seen, &count);
    assert_int_equal(count, 6);
    assert_false(seen.bad_payload);
    /* the next append goes where the bad record was */
    assert_int_equal(wal_head(wal), WAL_START + 6 * 1024);
    wal_close(&wal);
}

static void test_a_torn_record_ends_the_replay(void **state) { replay_after_damage(*state, true); }
static void test_a_flipped_byte_ends_the_replay(void **state)
{
    replay_after_damage(*state, false);
}

/* A new salt (a new start) hides the records of the last lap after the end. */
static void test_records_of_an_earlier_start_are_not_taken(void **state)
{
    fixture_t *fx = *state;
    wal_mark_t mark;
    wal_t *wal = make_log(fx, &mark);
    append_n(wal, 1, 10, 1000);
    /* a restart recovered up to 4 (say) and chose salt 8 */
    mark = (wal_mark_t){.txnid = 2, .lsn = 4, .offset = WAL_START + 4 * 1024, .salt = 8};
    wal_set_salt(wal, 8);
    assert_int_equal(wal_set_mark(wal, &mark), 0);
    seen_t seen = {0};
    uint64_t count;
    wal_replay(wal, &mark, collect, &seen, &count);
    assert_int_equal(count, 0); /* 5..10 carry salt 7 */
    wal_close(&wal);
}

static void test_a_torn_header_slot_leaves_the_other(void **state)
{
    fixture_t *fx = *state;
    wal_mark_t mark;
    wal_t *wal = make_log(fx, &mark); /* slot 0: seq 1 */
    mark.lsn = 5;
    assert_int_equal(wal_set_mark(wal, &mark), 0); /* slot 1: seq 2 */
    wal_close(&wal);
    damage(fx->path, 512 + 20, false); /* slot 1 damaged */
    char why[256];
    wal_mark_t got;
    wal = wal_open(fx->path, &got, why, sizeof why);
    assert_non_null(wal);
    assert_int_equal(got.lsn, 0); /* the older, intact mark */
    wal_close(&wal);
}

/* ---- the store with a log ------------------------------------------------------- */

enum { DB_A, DB_B, DB_COUNT };
static const store_db_spec_t s_dbs[DB_COUNT] = {{"a", 0}, {"b", 0}};

static store_t *open_logged(const fixture_t *fx)
{
    char dir[160], why[512];
    snprintf(dir, sizeof dir, "%s/store", fx->root);
    store_options_t o = {.map_bytes = 1u << 20, .log_bytes = WAL_MIN_SIZE,
                         .checkpoint_bytes = 1u << 30, .checkpoint_ms = 60000};
    store_t *s = store_open(dir, s_dbs, DB_COUNT, &o, why, sizeof why);
    if (!s)
        fail_msg("%s", why);
    return s;
}

static void put_key(store_t *s, int i, bool del)
{
    store_txn_t txn;
    char key[16];
    int n = snprintf(key, sizeof key, "k%04d", i);
    assert_int_equal(store_txn_begin(s, &txn, true), STORE_OK);
    if (del)
        store_del(&txn, store_dbi(s, DB_B), key, (size_t)n);
    else
        store_put(&txn, store_dbi(s, DB_B), key, (size_t)n, key, (size_t)n);
    assert_int_equal(store_txn_commit(&txn), STORE_OK);
}

static int count_keys(store_t *s)
{
    store_txn_t txn;
    assert_int_equal(store_txn_begin(s, &txn, false), STORE_OK);
    store_iter_t it;
    store_iter_init(&it, &txn, store_dbi(s, DB_B), "k", 1, NULL, 0, false);
    int n = 0;
    while (store_iter_next(&it))
        n++;
    store_iter_close(&it);
    store_txn_abort(&txn);
    return n;
}

static void test_commits_are_read_inside_and_replayed_after_a_crash(void **state)
{
    fixture_t *fx = *state;
    store_t *s = open_logged(fx);
    for (int i = 0; i < 100; i++)
        put_key(s, i, false);
    for (int i = 0; i < 100; i += 2)
        put_key(s, i, true);
    /* a child that fails leaves nothing behind, in LMDB or in the log */
    store_txn_t txn, child;
    assert_int_equal(store_txn_begin(s, &txn, true), STORE_OK);
    store_txn_begin_child(&txn, &child);
    store_put(&child, store_dbi(s, DB_B), "kzzz", 4, "x", 1);
    store_txn_abort(&child);
    assert_int_equal(store_txn_commit(&txn), STORE_OK);
    assert_int_equal(count_keys(s), 50); /* read inside the open transaction */
    store_log_stats_t st;
    store_log_stats(s, &st);
    assert_true(st.logged);
    assert_int_equal(st.records, 150);
    assert_int_equal(st.checkpoints, 0);
    /* A crash: the open transaction is never committed. Copy the files
     * while it is open (what a kill -9 leaves), then drop this store. */
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cp -r %s/store %s/crashed", fx->root, fx->root);
    assert_int_equal(system(cmd), 0);
    store_close(&s);
    snprintf(cmd, sizeof cmd, "rm -rf %s/store && mv %s/crashed %s/store && rm -f %s/store/lock.mdb",
             fx->root, fx->root, fx->root, fx->root);
    assert_int_equal(system(cmd), 0);
    s = open_logged(fx);
    store_log_stats(s, &st);
    assert_int_equal(st.replayed, 150);
    assert_int_equal(count_keys(s), 50);
    store_close(&s);
    s = open_logged(fx); /* the clean close checkpointed: nothing to replay */
    store_log_stats(s, &st);
    assert_int_equal(st.replayed, 0);
    assert_int_equal(count_keys(s), 50);
    store_close(&s);
}

/* store_meta.c reads LMDB's meta pages at fixed offsets: they must give
 * the txnid the library itself reports. */
static void test_meta_offsets_match_the_library(void **state)
{
    fixture_t *fx = *state;
    store_t *s = open_logged(fx);
    for (int i = 0; i < 5; i++) {
        put_key(s, i, false);
        assert_int_equal(store_checkpoint(s), STORE_OK);
    }
    MDB_envinfo info;
    mdb_env_info(store_env(s), &info);
    char data[192];
    snprintf(data, sizeof data, "%s/store/data.mdb", fx->root);
    uint64_t txnids[2];
    uint32_t psize;
    assert_int_equal(store_meta_txnids(data, txnids, &psize), 0);
    assert_int_equal(psize, (uint32_t)sysconf(_SC_PAGESIZE));
    uint64_t top = txnids[0] > txnids[1] ? txnids[0] : txnids[1];
    uint64_t low = txnids[0] > txnids[1] ? txnids[1] : txnids[0];
    assert_int_equal(top, info.me_last_txnid);
    assert_int_equal(low, top - 1);
    store_close(&s);
    /* setting the newest back: LMDB then opens at the one before */
    bool rolled;
    char why[256];
    assert_int_equal(store_meta_settle(data, top - 1, &rolled, why, sizeof why), 0);
    assert_true(rolled);
    assert_int_equal(store_meta_txnids(data, txnids, &psize), 0);
    assert_int_equal(txnids[0], top - 1);
    assert_int_equal(txnids[1], top - 1);
    /* a mark two commits back does not belong to this file */
    assert_int_equal(store_meta_settle(data, top - 5, &rolled, why, sizeof why), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_records_come_back_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_the_ring_wraps_and_a_mark_moves_the_start, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_full_ring_refuses_and_too_large_never_fits, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_torn_record_ends_the_replay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_flipped_byte_ends_the_replay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_records_of_an_earlier_start_are_not_taken, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_torn_header_slot_leaves_the_other, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_commits_are_read_inside_and_replayed_after_a_crash,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_meta_offsets_match_the_library, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
