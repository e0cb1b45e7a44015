/* Unit tests for common/runtime/store.c: the LMDB wrapper (open, transactions with a
 * sticky error, nested transactions, protobuf records, prefix iterators,
 * map growth, the exclusive daemon lock). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "runtime/keys.h"
#include "runtime/store.h"
#include "thuky/task.pb-c.h"
#include "tempdir.h"

#define MAP_SMALL (64u << 10)
#define MAP_NORMAL (8u << 20)

enum { DB_MAIN, DB_OTHER, DB_COUNT };
static const store_db_spec_t s_dbs[DB_COUNT] = {{"main", 0}, {"other", 0}};

/* ---------------------------------------------------------------- helpers */

typedef struct {
    char root[64];      /* the mkdtemp directory */
    char dir[128];      /* root/store: created by store_open */
} fixture_t;

static int setup(void **state)
{
    fixture_t *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    if (!tempdir_make(fx->root, sizeof fx->root, "store")) {
        free(fx);
        return -1;
    }
    snprintf(fx->dir, sizeof fx->dir, "%s/store", fx->root);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *fx = *state;
    /* A test may have made the directory read-only. */
    chmod(fx->root, 0700);
    chmod(fx->dir, 0700);
    tempdir_remove(fx->root);
    free(fx);
    return 0;
}

static store_t *open_store(const fixture_t *fx, size_t map)
{
    char why[256] = "";
    store_t *s = store_open(fx->dir, s_dbs, DB_COUNT, &(store_options_t){.map_bytes = map}, why, sizeof why);
    if (!s)
        print_error("store_open: %s\n", why);
    assert_non_null(s);
    return s;
}

static void put_str(store_txn_t *txn, MDB_dbi dbi, const char *key, const char *val)
{
    store_put(txn, dbi, key, strlen(key), val, strlen(val));
}

/* Asserts key holds val (or is absent when val is NULL). */
static void expect_str(store_txn_t *txn, MDB_dbi dbi, const char *key, const char *val)
{
    MDB_val v;
    bool found = store_get(txn, dbi, key, strlen(key), &v);
    if (!val) {
        assert_false(found);
        return;
    }
    assert_true(found);
    assert_int_equal(v.mv_size, strlen(val));
    assert_memory_equal(v.mv_data, val, v.mv_size);
}

static void expect_committed(store_t *s, MDB_dbi dbi, const char *key, const char *val)
{
    store_txn_t txn;
    assert_int_equal(store_txn_begin(s, &txn, false), STORE_OK);
    expect_str(&txn, dbi, key, val);
    assert_int_equal(txn.rc, STORE_OK);
    store_txn_abort(&txn);
}

static bool file_exists(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    return stat(path, &st) == 0;
}

/* ------------------------------------------------------------------ tests */

static void test_open_creates_dir_and_dbs(void **state)
{
    fixture_t *fx = *state;
    struct stat st;
    assert_int_not_equal(stat(fx->dir, &st), 0);

    store_t *s = open_store(fx, MAP_NORMAL);
    assert_int_equal(stat(fx->dir, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_true(file_exists(fx->dir, "data.mdb"));
    assert_true(file_exists(fx->dir, "daemon.lock"));
    assert_true(store_map_size(s) >= MAP_NORMAL);
    assert_true(store_used_bytes(s) > 0);
    assert_int_equal(store_reader_check(s), 0);

    /* The named databases exist in the environment. */
    MDB_txn *raw;
    assert_int_equal(mdb_txn_begin(store_env(s), NULL, MDB_RDONLY, &raw), 0);
    MDB_dbi dbi;
    assert_int_equal(mdb_dbi_open(raw, "main", 0, &dbi), 0);
    assert_int_equal(mdb_dbi_open(raw, "other", 0, &dbi), 0);
    assert_int_not_equal(mdb_dbi_open(raw, "absent", 0, &dbi), 0);
    mdb_txn_abort(raw);

    /* And they are distinct. */
    store_txn_t txn;
    assert_int_equal(store_txn_begin(s, &txn, true), STORE_OK);
    put_str(&txn, store_dbi(s, DB_MAIN), "k", "in main");
    put_str(&txn, store_dbi(s, DB_OTHER), "k", "in other");
    assert_int_equal(store_txn_commit(&txn), STORE_OK);
    expect_committed(s, store_dbi(s, DB_MAIN), "k", "in main");
    expect_committed(s, store_dbi(s, DB_OTHER), "k", "in other");

    store_close(&s);
    assert_null(s);
    store_close(&s); /* closing NULL is harmless */
}

static void test_open_uncreatable_dir_fails(void **state)
{
    fixture_t *fx = *state;
    /* Missing parents are created (mkdir -p), but not under a plain file. */
    char file[256], dir[256], why[256] = "";
    snprintf(file, sizeof file, "%s/file", fx->root);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(dir, sizeof dir, "%s/file/store", fx->root);
    store_t *s = store_open(dir, s_dbs, DB_COUNT, &(store_options_t){.map_bytes = MAP_NORMAL}, why, sizeof why);
    assert_null(s);
    assert_non_null(strstr(why, "cannot create state directory"));
    assert_non_null(strstr(why, dir));
}

static void test_open_creates_parents(void **state)
{
    fixture_t *fx = *state;
    char dir[256], why[256] = "";
    snprintf(dir, sizeof dir, "%s/a/b/c", fx->root);
    store_t *s = store_open(dir, s_dbs, DB_COUNT, &(store_options_t){.map_bytes = MAP_NORMAL}, why, sizeof why);
    if (!s)
        print_error("store_open: %s\n", why);
    assert_non_null(s);
    assert_true(file_exists(dir, "data.mdb"));
    store_close(&s);
}

static void test_put_get_del(void **state)
{
    fixture_t *fx = *state;
    store_t *s = open_store(fx, MAP_NORMAL);
    MDB_dbi db = store_dbi(s, DB_MAIN);
    store_txn_t txn;

    assert_int_equal(store_txn_begin(s, &txn, true), STORE_OK);
    assert_true(txn.write);
    put_str(&txn, db, "alpha", "1");
    put_str(&txn, db, "beta", "2");
    expect_str(&txn, db, "alpha", "1"); /* visible inside the transaction */
    put_str(&txn, db, "alpha", "one");  /* overwrite */
    expect_str(&txn, db, "alpha", "one");
    expect_str(&txn, db, "gamma", NULL);
    assert_int_equal(txn.rc, STORE_OK); /* a miss is not an error */
    assert_int_equal(store_txn_commit(&txn), STORE_OK);

    expect_committed(s, db, "alpha", "one");
    expect_committed(s, db, "beta", "2");

    assert_int_equal(store_txn_begin(s, &txn, true), STORE_OK);
    store_del(&txn, db, "alpha", 5);
    store_del(&txn, db, "never-there", 11); /* absent: not an error */
    assert_int_equal(txn.rc, STORE_OK);
    expect_str(&txn, db, "alpha", NULL);
    assert_int_equal(store_txn_commit(&txn), STORE_OK);
    expect_committed(s, db, "alpha", NULL);
    expect_committed(s, db, "beta", "2");

    /* An aborted write transaction leaves nothing behind. */
    assert_int_equal(store_txn_begin(s, &txn, true), STORE_OK);
    put_str(&txn, db, "delta", "4");
    store_del(&txn, db, "beta", 4);
    store_txn_abort(&txn);
    store_txn_abort(&txn); /* twice is harmless */
    expect_committed(s, db, "delta", NULL);
    expect_committed(s, db, "beta", "2");

    /* Committing an already-finished transaction just returns its code. */
    assert_int_equal(store_txn_commit(&txn), STORE_OK);

    /* Empty values are allowed. */
    assert_int_equal(store_txn_begin(s, &txn, true), STORE_OK);
    store_put(&txn, db, "empty", 5, "", 0);
    assert_int_equal(store_txn_commit(&txn), STORE_OK);
    expect_committed(s, db, "empty", "");

    store_close(&s);
}

static void test_sticky_error(void **state)
{
    fixture_t *fx = *state;
    store_t *s = open_store(fx, MAP_NORMAL);
    MDB_dbi db = store_dbi(s, DB_MAIN);
    store_txn_t txn;

    assert_int_equal(store_txn_begin(s, &txn, true), STORE_OK);
    put_str(&txn, db, "seed", "x");
    assert_int_equal(store_txn_commit(&txn), STORE_OK);

    assert_int_equal(store_txn_begin(s, &txn, true), STORE_OK);
    put_str(&txn, db, "before", "b");
    /* LMDB keys are at most 511 bytes: this put fails. */
    uint8_t big[600];
    memset(big, 'k', sizeof big);
    store_put(&txn, db, big, sizeof big, "v", 1);
    assert_int_equal(txn.rc, STORE_ERROR);

    /* Every later operation is a no-op. */
    put_str(&txn, db, "after", "a");
    MDB_val v;
    assert_false(store_get(&txn, db, "seed", 4, &v)); /* exists, but txn failed */
    store_del(&txn, db, "seed", 4);
    store_iter_t it;
    store_iter_init(&it, &txn, db, NULL, 0, NULL, 0, false);
    assert_false(store_iter_next(&it));
    store_iter_close(&it);
    assert_int_equal(txn.rc, STORE_ERROR);

    /* A second failure does not replace the first. */
    store_txn_fail(&txn, STORE_CORRUPT);
    assert_int_equal(txn.rc, STORE_ERROR);

    /* A child of a failed parent fails at once with the parent's code. */
    store_txn_t child;
    assert_int_equal(store_txn_begin_child(&txn, &child), STORE_ERROR);
    store_txn_abort(&child);

    /* Commit aborts and reports the first failure. */
    assert_int_equal(store_txn_commit(&txn), STORE_ERROR);
    expect_committed(s, db, "before", NULL);
    expect_committed(s, db, "after", NULL);
    expect_committed(s, db, "seed", "x");

    /* An empty key is refused the same way. */
    assert_int_equal(store_txn_begin(s, &txn, true), STORE_OK);
    store_put(&txn, db, "", 0, "v", 1);
    assert_int_equal(txn.rc, STORE_ERROR);
    assert_int_equal(store_txn_commit(&txn), STORE_ERROR);

    /* store_txn_fail makes commit abort. */
    assert_int_equal(store_txn_begin(s, &txn, true), STORE_OK);
    put_str(&txn, db, "marked", "m");
    store_txn_fail(&txn, STORE_CORRUPT);
    assert_int_equal(store_txn_commit(&txn), STORE_CORRUPT);
    expect_committed(s, db, "marked", NULL);

    /* Writing in a read-only transaction fails and sticks. */
    assert_int_equal(store_txn_begin(s, &txn, false), STORE_OK);
    assert_false(txn.write);
    put_str(&txn, db, "ro", "r");
    assert_int_not_equal(txn.rc, STORE_OK);
    assert_false(store_get(&txn, db, "seed", 4, &v));
    assert_int_not_equal(store_txn_commit(&txn), STORE_OK);
    expect_committed(s, db, "ro", NULL);

    /* The store is still fine afterwards. */
    assert_int_equal(store_txn_begin(s, &txn, true), STORE_OK);
    put_str(&txn, db, "later", "l");
    assert_int_equal(store_txn_commit(&txn), STORE_OK);
    expect_committed(s, db, "later", "l");

    store_close(&s);
}

static void test_child_txn(void **state)
{
    fixture_t *fx = *state;
    store_t *s = open_store(fx, MAP_NORMAL);
    MDB_dbi db = store_dbi(s, DB_MAIN);
    store_txn_t txn, child;

    assert_int_equal(store_txn_begin(s, &txn, true), STORE_OK);
    put_str(&txn, db, "a", "parent");

    /* A child that is aborted: its writes, overwrites and deletes vanish. */
    assert_int_equal(store_txn_begin_child(&txn, &child), STORE_OK);
    assert_true(child.write);
    expect_str(&child, db, "a", "parent"); /* sees the parent's writes */
    put_str(&child, db, "b", "child1");
    put_str(&child, db, "a", "overwritten");
    expect_str(&child, db, "a", "overwritten");
    store_txn_abort(&child);
    expect_str(&txn, db, "a", "parent");
    expect_str(&txn, db, "b", NULL);

    assert_int_equal(store_txn_begin_child(&txn, &child), STORE_OK);
    store_del(&child, db, "a", 1);
    store_txn_abort(&child);
    expect_str(&txn, db, "a", "parent");

    /* A child that fails: commit aborts it alone, the parent goes on. */
    assert_int_equal(store_txn_begin_child(&txn, &child), STORE_OK);
    put_str(&child, db, "c", "child2");
    store_txn_fail(&child, STORE_CORRUPT);
    assert_int_equal(store_txn_commit(&child), STORE_CORRUPT);
    assert_int_equal(txn.rc, STORE_OK);
    expect_str(&txn, db, "c", NULL);

    /* A child that commits: its writes join the parent's. */
    assert_int_equal(store_txn_begin_child(&txn, &child), STORE_OK);
    put_str(&child, db, "d", "child3");
    assert_int_equal(store_txn_commit(&child), STORE_OK);
    expect_str(&txn, db, "d", "child3");

    put_str(&txn, db, "e", "parent-after");
    assert_int_equal(store_txn_commit(&txn), STORE_OK);

    expect_committed(s, db, "a", "parent");
    expect_committed(s, db, "b", NULL);
    expect_committed(s, db, "c", NULL);
    expect_committed(s, db, "d", "child3");
    expect_committed(s, db, "e", "parent-after");

    /* Aborting the parent discards a committed child too. */
    assert_int_equal(store_txn_begin(s, &txn, true), STORE_OK);
    assert_int_equal(store_txn_begin_child(&txn, &child), STORE_OK);
    put_str(&child, db, "f", "gone");
    assert_int_equal(store_txn_commit(&child), STORE_OK);
    store_txn_abort(&txn);
    expect_committed(s, db, "f", NULL);

    store_close(&s);
}

static void test_message_round_trip(void **state)
{
    fixture_t *fx = *state;
    store_t *s = open_store(fx, MAP_NORMAL);
    MDB_dbi db = store_dbi(s, DB_MAIN);

    char *basis[] = {"Luật Tổ chức Quốc hội 2014", "Nghị quyết 71/2022/QH15"};
    Thuky__Task task = THUKY__TASK__INIT;
    task.id = 42;
    task.program_year = 2024;
    task.title = "Chuẩn bị kỳ họp thứ 7";
    task.n_basis = 2;
    task.basis = basis;
    task.progress = 60;
    task.created_ms = INT64_C(1716163200000);

    uint8_t key[4];
    key_put_u32(key, 42);
    store_txn_t txn;
    assert_int_equal(store_txn_begin(s, &txn, true), STORE_OK);
    store_put_message(&txn, db, key, sizeof key, &task.base);
    /* An all-default message packs to zero bytes: still storable. */
    Thuky__Task empty = THUKY__TASK__INIT;
    store_put_message(&txn, db, "empty", 5, &empty.base);
    assert_int_equal(store_txn_commit(&txn), STORE_OK);

    assert_int_equal(store_txn_begin(s, &txn, false), STORE_OK);
    Thuky__Task *got = (Thuky__Task *)store_get_message(&txn, db, key, sizeof key,
                                                        &thuky__task__descriptor);
    assert_non_null(got);
    assert_int_equal(got->id, 42);
    assert_int_equal(got->program_year, 2024);
    assert_string_equal(got->title, task.title);
    assert_int_equal(got->n_basis, 2);
    assert_string_equal(got->basis[0], basis[0]);
    assert_string_equal(got->basis[1], basis[1]);
    assert_int_equal(got->progress, 60);
    assert_int_equal(got->created_ms, task.created_ms);
    protobuf_c_message_free_unpacked(&got->base, NULL);

    got = (Thuky__Task *)store_get_message(&txn, db, "empty", 5, &thuky__task__descriptor);
    assert_non_null(got);
    assert_int_equal(got->id, 0);
    assert_string_equal(got->title, "");
    protobuf_c_message_free_unpacked(&got->base, NULL);

    /* Absent: NULL and not an error. */
    uint8_t other[4];
    key_put_u32(other, 43);
    assert_null(store_get_message(&txn, db, other, sizeof other, &thuky__task__descriptor));
    assert_int_equal(txn.rc, STORE_OK);
    store_txn_abort(&txn);
    store_close(&s);
}

static void test_message_corrupt(void **state)
{
    fixture_t *fx = *state;
    store_t *s = open_store(fx, MAP_NORMAL);
    MDB_dbi db = store_dbi(s, DB_MAIN);

    /* Field 1 (varint) whose varint never ends: does not decode. */
    const uint8_t garbage[] = {0x08, 0xff, 0xff};
    store_txn_t txn;
    assert_int_equal(store_txn_begin(s, &txn, true), STORE_OK);
    store_put(&txn, db, "bad", 3, garbage, sizeof garbage);
    put_str(&txn, db, "good", "g");
    assert_int_equal(store_txn_commit(&txn), STORE_OK);

    assert_int_equal(store_txn_begin(s, &txn, true), STORE_OK);
    assert_null(store_get_message(&txn, db, "bad", 3, &thuky__task__descriptor));
    assert_int_equal(txn.rc, STORE_CORRUPT);
    /* Sticky: later reads and writes do nothing; commit reports it. */
    MDB_val v;
    assert_false(store_get(&txn, db, "good", 4, &v));
    put_str(&txn, db, "new", "n");
    assert_int_equal(store_txn_commit(&txn), STORE_CORRUPT);
    expect_committed(s, db, "new", NULL);
    assert_string_equal(store_rc_text(STORE_CORRUPT), "store data is corrupt");

    store_close(&s);
}

/* Keys: one prefix byte, then a big-endian u32. Value = the number as text. */
static void put_num(store_txn_t *txn, MDB_dbi db, uint8_t prefix, uint32_t n)
{
    uint8_t key[5];
    key[0] = prefix;
    key_put_u32(key + 1, n);
    char val[16];
    int len = snprintf(val, sizeof val, "%u", n);
    store_put(txn, db, key, sizeof key, val, (size_t)len);
}

/* Runs an iterator and checks the numbers it yields, in order. */
static void expect_scan(store_txn_t *txn, MDB_dbi db, const uint8_t *prefix, size_t prefix_len,
                        const uint8_t *start, size_t start_len, bool reverse,
                        const uint32_t *want, size_t want_count)
{
    store_iter_t it;
    store_iter_init(&it, txn, db, prefix, prefix_len, start, start_len, reverse);
    size_t i = 0;
    while (store_iter_next(&it)) {
        assert_true(i < want_count);
        assert_int_equal(it.key.mv_size, 5);
        assert_memory_equal(it.key.mv_data, prefix, prefix_len);
        uint32_t n = key_get_u32((const uint8_t *)it.key.mv_data + 1);
        assert_int_equal(n, want[i]);
        char val[16];
        int len = snprintf(val, sizeof val, "%u", n);
        assert_int_equal(it.val.mv_size, (size_t)len);
        assert_memory_equal(it.val.mv_data, val, (size_t)len);
        i++;
    }
    assert_false(store_iter_next(&it)); /* stays finished */
    store_iter_close(&it);
    assert_int_equal(i, want_count);
    assert_int_equal(txn->rc, STORE_OK);
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void test_iterators(void **state)
{
    fixture_t *fx = *state;
    store_t *s = open_store(fx, MAP_NORMAL);
    MDB_dbi db = store_dbi(s, DB_MAIN);

    /* Inserted out of order; numbers chosen so that little-endian or
     * text order would differ from numeric order. */
    const uint32_t nums[] = {65536, 2, 0x01000000, 255, 1, 256, 0xffffffffu};
    store_txn_t txn;
    assert_int_equal(store_txn_begin(s, &txn, true), STORE_OK);
    for (size_t i = 0; i < COUNT(nums); i++)
        put_num(&txn, db, 0x10, nums[i]);
    /* Neighbours that must never show up. */
    put_num(&txn, db, 0x0f, 0xffffffffu);
    put_num(&txn, db, 0x11, 0);
    put_num(&txn, db, 0x11, 7);
    assert_int_equal(store_txn_commit(&txn), STORE_OK);

    assert_int_equal(store_txn_begin(s, &txn, false), STORE_OK);
    const uint8_t p10[] = {0x10};
    const uint32_t asc[] = {1, 2, 255, 256, 65536, 0x01000000, 0xffffffffu};
    const uint32_t desc[] = {0xffffffffu, 0x01000000, 65536, 256, 255, 2, 1};
    expect_scan(&txn, db, p10, 1, NULL, 0, false, asc, COUNT(asc));
    expect_scan(&txn, db, p10, 1, NULL, 0, true, desc, COUNT(desc));

    /* Forward from a start key: present, and absent (next key up). */
    uint8_t start[5] = {0x10};
    key_put_u32(start + 1, 256);
    const uint32_t from256[] = {256, 65536, 0x01000000, 0xffffffffu};
    expect_scan(&txn, db, p10, 1, start, sizeof start, false, from256, COUNT(from256));
    key_put_u32(start + 1, 300);
    const uint32_t from300[] = {65536, 0x01000000, 0xffffffffu};
    expect_scan(&txn, db, p10, 1, start, sizeof start, false, from300, COUNT(from300));
    /* A start equal to the last key with the prefix yields just that key. */
    start[0] = 0x10;
    memset(start + 1, 0xff, 4);
    const uint32_t only_max[] = {0xffffffffu};
    expect_scan(&txn, db, p10, 1, start, sizeof start, false, only_max, 1);

    /* Reverse from a start key: an exact start is included; an absent one
     * starts at the next key down. */
    key_put_u32(start + 1, 256);
    const uint32_t down256[] = {256, 255, 2, 1};
    expect_scan(&txn, db, p10, 1, start, sizeof start, true, down256, COUNT(down256));
    key_put_u32(start + 1, 300);
    expect_scan(&txn, db, p10, 1, start, sizeof start, true, down256, COUNT(down256));
    key_put_u32(start + 1, 0);
    expect_scan(&txn, db, p10, 1, start, sizeof start, true, NULL, 0);
    key_put_u32(start + 1, 1);
    const uint32_t just1[] = {1};
    expect_scan(&txn, db, p10, 1, start, sizeof start, true, just1, 1);

    /* The highest prefix in the database: a reverse scan seeks past the end. */
    const uint8_t p11[] = {0x11};
    const uint32_t p11_desc[] = {7, 0};
    expect_scan(&txn, db, p11, 1, NULL, 0, true, p11_desc, 2);
    /* The lowest prefix: a reverse scan steps back off the first key. */
    const uint8_t p0f[] = {0x0f};
    const uint32_t p0f_all[] = {0xffffffffu};
    expect_scan(&txn, db, p0f, 1, NULL, 0, true, p0f_all, 1);
    expect_scan(&txn, db, p0f, 1, NULL, 0, false, p0f_all, 1);
    /* A prefix with no keys, below, between and above the others. */
    const uint8_t p00[] = {0x00}, p12[] = {0x12}, p05[] = {0x05};
    expect_scan(&txn, db, p00, 1, NULL, 0, false, NULL, 0);
    expect_scan(&txn, db, p00, 1, NULL, 0, true, NULL, 0);
    expect_scan(&txn, db, p12, 1, NULL, 0, false, NULL, 0);
    expect_scan(&txn, db, p12, 1, NULL, 0, true, NULL, 0);
    expect_scan(&txn, db, p05, 1, NULL, 0, true, NULL, 0);
    /* A longer prefix (prefix byte + high u16). */
    const uint8_t p10_0000[] = {0x10, 0x00, 0x00};
    const uint32_t low16_desc[] = {256, 255, 2, 1};
    expect_scan(&txn, db, p10_0000, 3, NULL, 0, true, low16_desc, 4);
    store_txn_abort(&txn);
    store_close(&s);
}

/* A prefix that ends in 0xff bytes cannot be incremented in place: the
 * reverse scan must carry (or, for all-0xff, start from the very end). */
static void test_iterators_prefix_ff(void **state)
{
    fixture_t *fx = *state;
    store_t *s = open_store(fx, MAP_NORMAL);
    MDB_dbi db = store_dbi(s, DB_MAIN);

    store_txn_t txn;
    assert_int_equal(store_txn_begin(s, &txn, true), STORE_OK);
    /* key = 2-byte prefix + 3 bytes of a number */
    const struct {
        uint8_t k[5];
        uint32_t n;
    } rows[] = {
        {{0x05, 0xfe, 0xff, 0xff, 0xff}, 1},
        {{0x05, 0xff, 0x00, 0x00, 0x01}, 2},
        {{0x05, 0xff, 0x00, 0x00, 0x02}, 3},
        {{0x05, 0xff, 0xff, 0xff, 0xff}, 4},
        {{0x06, 0x00, 0x00, 0x00, 0x00}, 5},
        {{0xff, 0xfe, 0x00, 0x00, 0x01}, 6},
        {{0xff, 0xff, 0x00, 0x00, 0x01}, 7},
        {{0xff, 0xff, 0x00, 0x00, 0x02}, 8},
    };
    for (size_t i = 0; i < COUNT(rows); i++)
        store_put(&txn, db, rows[i].k, 5, &rows[i].n, sizeof rows[i].n);
    assert_int_equal(store_txn_commit(&txn), STORE_OK);

    struct {
        uint8_t prefix[2];
        size_t prefix_len;
        bool reverse;
        uint32_t want[8];
        size_t want_count;
    } cases[] = {
        {{0x05, 0xff}, 2, false, {2, 3, 4}, 3},
        {{0x05, 0xff}, 2, true, {4, 3, 2}, 3},
        {{0xff, 0xff}, 2, false, {7, 8}, 2},
        {{0xff, 0xff}, 2, true, {8, 7}, 2},
        {{0xff}, 1, true, {8, 7, 6}, 3},
        {{0x05}, 1, true, {4, 3, 2, 1}, 4},
        {{0x05, 0xfe}, 2, true, {1}, 1},
        /* The empty prefix: every key, both ways (reverse is unbounded). */
        {{0}, 0, false, {1, 2, 3, 4, 5, 6, 7, 8}, 8},
        {{0}, 0, true, {8, 7, 6, 5, 4, 3, 2, 1}, 8},
    };
    assert_int_equal(store_txn_begin(s, &txn, false), STORE_OK);
    for (size_t c = 0; c < COUNT(cases); c++) {
        store_iter_t it;
        store_iter_init(&it, &txn, db, cases[c].prefix, cases[c].prefix_len, NULL, 0,
                        cases[c].reverse);
        size_t i = 0;
        while (store_iter_next(&it)) {
            assert_true(i < cases[c].want_count);
            uint32_t n;
            assert_int_equal(it.val.mv_size, sizeof n);
            memcpy(&n, it.val.mv_data, sizeof n);
            if (n != cases[c].want[i])
                print_error("case %zu item %zu\n", c, i);
            assert_int_equal(n, cases[c].want[i]);
            i++;
        }
        store_iter_close(&it);
        if (i != cases[c].want_count)
            print_error("case %zu\n", c);
        assert_int_equal(i, cases[c].want_count);
    }
    assert_int_equal(txn.rc, STORE_OK);
    store_txn_abort(&txn);
    store_close(&s);
}

/* An empty database: every kind of scan yields nothing, without error. */
static void test_iterators_empty_db(void **state)
{
    fixture_t *fx = *state;
    store_t *s = open_store(fx, MAP_NORMAL);
    MDB_dbi db = store_dbi(s, DB_OTHER);
    store_txn_t txn;
    assert_int_equal(store_txn_begin(s, &txn, false), STORE_OK);
    const uint8_t p[] = {0x01}, ff[] = {0xff};
    expect_scan(&txn, db, p, 1, NULL, 0, false, NULL, 0);
    expect_scan(&txn, db, p, 1, NULL, 0, true, NULL, 0);
    expect_scan(&txn, db, ff, 1, NULL, 0, true, NULL, 0);
    store_iter_t it;
    store_iter_init(&it, &txn, db, NULL, 0, NULL, 0, true);
    assert_false(store_iter_next(&it));
    store_iter_close(&it);
    store_iter_init(&it, &txn, db, NULL, 0, NULL, 0, false);
    assert_false(store_iter_next(&it));
    store_iter_close(&it);
    assert_int_equal(txn.rc, STORE_OK);
    store_txn_abort(&txn);
    store_close(&s);
}

/* A reverse scan with no prefix at all (prefix NULL, prefix_len 0), as
 * eventlog_new does to find the last seq. Under UBSan this used to hit
 * memcpy(upper, NULL, 0) in s_seek_reverse (fixed in 2c30fff). */
static void test_iter_reverse_null_prefix(void **state)
{
    fixture_t *fx = *state;
    store_t *s = open_store(fx, MAP_NORMAL);
    MDB_dbi db = store_dbi(s, DB_MAIN);
    store_txn_t txn;
    assert_int_equal(store_txn_begin(s, &txn, true), STORE_OK);
    put_num(&txn, db, 0x01, 1);
    put_num(&txn, db, 0x02, 2);
    assert_int_equal(store_txn_commit(&txn), STORE_OK);

    assert_int_equal(store_txn_begin(s, &txn, false), STORE_OK);
    store_iter_t it;
    store_iter_init(&it, &txn, db, NULL, 0, NULL, 0, true);
    assert_true(store_iter_next(&it));
    assert_int_equal(key_get_u32((const uint8_t *)it.key.mv_data + 1), 2);
    assert_true(store_iter_next(&it));
    assert_int_equal(key_get_u32((const uint8_t *)it.key.mv_data + 1), 1);
    assert_false(store_iter_next(&it));
    store_iter_close(&it);
    /* And on an empty database. */
    store_iter_init(&it, &txn, store_dbi(s, DB_OTHER), NULL, 0, NULL, 0, true);
    assert_false(store_iter_next(&it));
    store_iter_close(&it);
    assert_int_equal(txn.rc, STORE_OK);
    store_txn_abort(&txn);
    store_close(&s);
}

/* Map growth: write into a tiny map until it is full, grow, redo. */
#define GROW_ROWS 600
#define GROW_VAL 900
#define GROW_BATCH 25

static void fill_value(uint8_t *val, uint32_t i)
{
    for (size_t j = 0; j < GROW_VAL; j++)
        val[j] = (uint8_t)(i * 31 + j);
}

static void expect_grow_rows(store_t *s, uint32_t count)
{
    MDB_dbi db = store_dbi(s, DB_MAIN);
    store_txn_t txn;
    assert_int_equal(store_txn_begin(s, &txn, false), STORE_OK);
    uint8_t want[GROW_VAL];
    for (uint32_t i = 0; i < count; i++) {
        uint8_t key[4];
        key_put_u32(key, i);
        MDB_val v;
        assert_true(store_get(&txn, db, key, sizeof key, &v));
        fill_value(want, i);
        assert_int_equal(v.mv_size, GROW_VAL);
        assert_memory_equal(v.mv_data, want, GROW_VAL);
    }
    /* And nothing else. */
    store_iter_t it;
    store_iter_init(&it, &txn, db, NULL, 0, NULL, 0, false);
    uint32_t n = 0;
    while (store_iter_next(&it))
        n++;
    store_iter_close(&it);
    assert_int_equal(n, count);
    store_txn_abort(&txn);
}

/* Writes rows [from, to) in batches, growing on STORE_MAP_FULL; returns
 * how many times the map grew. */
static int write_growing(store_t *s, uint32_t from, uint32_t to)
{
    MDB_dbi db = store_dbi(s, DB_MAIN);
    int grows = 0;
    uint8_t val[GROW_VAL];
    for (uint32_t b = from; b < to; b += GROW_BATCH) {
        for (int attempt = 0;; attempt++) {
            assert_true(attempt < 20);
            store_txn_t txn;
            assert_int_equal(store_txn_begin(s, &txn, true), STORE_OK);
            for (uint32_t i = b; i < b + GROW_BATCH && i < to; i++) {
                uint8_t key[4];
                key_put_u32(key, i);
                fill_value(val, i);
                store_put(&txn, db, key, sizeof key, val, sizeof val);
            }
            store_rc_t rc = store_txn_commit(&txn);
            if (rc == STORE_OK)
                break;
            assert_int_equal(rc, STORE_MAP_FULL);
            size_t before = store_map_size(s);
            assert_int_equal(store_grow(s), STORE_OK);
            assert_int_equal(store_map_size(s), before * 2);
            grows++;
        }
    }
    return grows;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Puts gathered in random order go in whole at apply, none before; the
 * gatherer is empty and reusable afterwards, and a failed transaction
 * takes none of them. */
static void test_sorted_puts(void **state)
{
    fixture_t *fx = *state;
    store_t *s = open_store(fx, MAP_NORMAL);
    MDB_dbi db = store_dbi(s, DB_MAIN);
    store_txn_t txn;
    assert_int_equal(store_txn_begin(s, &txn, true), STORE_OK);
    store_sorted_t sorted = {0};
    enum { N = 5000 };
    uint32_t want[N];
    for (uint32_t i = 0; i < N; i++) {
        uint32_t n = (i * 2654435761u) % 1000003u; /* a scattered order, no repeats */
        want[i] = n;
        uint8_t key[5] = {'k'};
        key_put_u32(key + 1, n);
        char val[16];
        int len = snprintf(val, sizeof val, "%u", n);
        store_sorted_put(&sorted, key, sizeof key, val, (size_t)len);
    }
    MDB_val v;
    uint8_t first[5] = {'k'};
    key_put_u32(first + 1, want[0]);
    assert_false(store_get(&txn, db, first, sizeof first, &v)); /* not before apply */
    store_sorted_apply(&sorted, &txn, db);
    assert_int_equal(sorted.count, 0);
    qsort(want, N, sizeof *want, cmp_u32); /* the scan's order: ascending */
    expect_scan(&txn, db, (const uint8_t *)"k", 1, NULL, 0, false, want, N);

    store_sorted_put(&sorted, "x", 1, "1", 1); /* reused after apply */
    store_txn_fail(&txn, STORE_CORRUPT);
    store_sorted_apply(&sorted, &txn, db);
    assert_int_equal(sorted.count, 0);
    store_txn_abort(&txn);
    assert_int_equal(store_txn_begin(s, &txn, false), STORE_OK);
    expect_str(&txn, db, "x", NULL);
    store_txn_abort(&txn);
    store_sorted_free(&sorted);
    store_close(&s);
}

static void test_map_growth(void **state)
{
    fixture_t *fx = *state;
    store_t *s = open_store(fx, MAP_SMALL);
    size_t initial = store_map_size(s);
    assert_true(initial < 256u << 10);

    /* Fill one row at a time until the map is full, to see the code. */
    MDB_dbi db = store_dbi(s, DB_MAIN);
    uint8_t val[GROW_VAL];
    store_rc_t rc = STORE_OK;
    uint32_t written = 0;
    while (rc == STORE_OK) {
        assert_true(written < 10000);
        store_txn_t txn;
        assert_int_equal(store_txn_begin(s, &txn, true), STORE_OK);
        uint8_t key[4];
        key_put_u32(key, written);
        fill_value(val, written);
        store_put(&txn, db, key, sizeof key, val, sizeof val);
        rc = store_txn_commit(&txn);
        if (rc == STORE_OK)
            written++;
    }
    assert_int_equal(rc, STORE_MAP_FULL);
    assert_string_equal(store_rc_text(rc), "store map full");
    assert_true(written > 0);
    expect_grow_rows(s, written); /* what fitted is intact */

    /* Grow and redo, many times over. */
    int grows = 1;
    assert_int_equal(store_grow(s), STORE_OK);
    grows += write_growing(s, written, GROW_ROWS);
    assert_true(grows >= 3);
    assert_true(store_map_size(s) >= initial * 8);
    assert_true(store_used_bytes(s) <= store_map_size(s));
    expect_grow_rows(s, GROW_ROWS);

    /* After close and reopen with the same tiny initial size, the data is
     * all there, and writing more still grows as needed. */
    store_close(&s);
    s = open_store(fx, MAP_SMALL);
    assert_true(store_map_size(s) >= store_used_bytes(s));
    expect_grow_rows(s, GROW_ROWS);
    int more = write_growing(s, GROW_ROWS, GROW_ROWS + 200);
    assert_true(more >= 1);
    expect_grow_rows(s, GROW_ROWS + 200);
    store_close(&s);

    s = open_store(fx, MAP_NORMAL);
    expect_grow_rows(s, GROW_ROWS + 200);
    store_close(&s);
}

static void test_second_open_refused(void **state)
{
    fixture_t *fx = *state;
    store_t *s = open_store(fx, MAP_NORMAL);
    store_txn_t txn;
    assert_int_equal(store_txn_begin(s, &txn, true), STORE_OK);
    put_str(&txn, store_dbi(s, DB_MAIN), "k", "v");
    assert_int_equal(store_txn_commit(&txn), STORE_OK);

    char why[256] = "";
    store_t *again = store_open(fx->dir, s_dbs, DB_COUNT, &(store_options_t){.map_bytes = MAP_NORMAL}, why, sizeof why);
    assert_null(again);
    assert_non_null(strstr(why, "in use"));
    assert_non_null(strstr(why, fx->dir));

    /* The refused attempt did not disturb the open store. */
    assert_int_equal(store_txn_begin(s, &txn, true), STORE_OK);
    put_str(&txn, store_dbi(s, DB_MAIN), "k2", "v2");
    assert_int_equal(store_txn_commit(&txn), STORE_OK);
    expect_committed(s, store_dbi(s, DB_MAIN), "k", "v");
    store_close(&s);

    /* Once closed, it opens again. */
    s = open_store(fx, MAP_NORMAL);
    expect_committed(s, store_dbi(s, DB_MAIN), "k2", "v2");
    store_close(&s);
}

static void test_not_writable(void **state)
{
    fixture_t *fx = *state;
    assert_int_equal(mkdir(fx->dir, 0500), 0);
    assert_int_equal(chmod(fx->dir, 0500), 0);
    if (geteuid() == 0) {
        /* root passes access(W_OK) whatever the mode bits say, so the
         * store would open fine: nothing to check here as root. */
        skip();
    }
    char why[256] = "";
    store_t *s = store_open(fx->dir, s_dbs, DB_COUNT, &(store_options_t){.map_bytes = MAP_NORMAL}, why, sizeof why);
    assert_null(s);
    assert_non_null(strstr(why, "not writable"));
    assert_non_null(strstr(why, fx->dir));
}

static void test_reopen_keeps_data(void **state)
{
    fixture_t *fx = *state;
    store_t *s = open_store(fx, MAP_NORMAL);
    store_txn_t txn;
    assert_int_equal(store_txn_begin(s, &txn, true), STORE_OK);
    put_str(&txn, store_dbi(s, DB_MAIN), "kept", "yes");
    put_str(&txn, store_dbi(s, DB_OTHER), "also", "kept");
    put_str(&txn, store_dbi(s, DB_MAIN), "deleted", "no");
    assert_int_equal(store_txn_commit(&txn), STORE_OK);
    assert_int_equal(store_txn_begin(s, &txn, true), STORE_OK);
    store_del(&txn, store_dbi(s, DB_MAIN), "deleted", 7);
    assert_int_equal(store_txn_commit(&txn), STORE_OK);
    /* Not committed: must not survive. */
    assert_int_equal(store_txn_begin(s, &txn, true), STORE_OK);
    put_str(&txn, store_dbi(s, DB_MAIN), "aborted", "x");
    store_txn_abort(&txn);
    store_close(&s);

    s = open_store(fx, MAP_NORMAL);
    expect_committed(s, store_dbi(s, DB_MAIN), "kept", "yes");
    expect_committed(s, store_dbi(s, DB_OTHER), "also", "kept");
    expect_committed(s, store_dbi(s, DB_MAIN), "deleted", NULL);
    expect_committed(s, store_dbi(s, DB_MAIN), "aborted", NULL);
    expect_committed(s, store_dbi(s, DB_OTHER), "kept", NULL);
    store_close(&s);
}

static void test_rc_text(void **state)
{
    (void)state;
    const store_rc_t all[] = {STORE_OK,      STORE_NOT_FOUND, STORE_MAP_FULL,
                              STORE_NO_SPACE, STORE_CORRUPT,   STORE_ERROR};
    for (size_t i = 0; i < COUNT(all); i++) {
        assert_non_null(store_rc_text(all[i]));
        assert_true(strlen(store_rc_text(all[i])) > 0);
    }
    assert_string_equal(store_rc_text(STORE_OK), "ok");
}

int main(void)
{
    log_init("test", LOG_LEVEL_ERROR, false);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_creates_dir_and_dbs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_uncreatable_dir_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_creates_parents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_get_del, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sticky_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_child_txn, setup, teardown),
        cmocka_unit_test_setup_teardown(test_message_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_message_corrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_iterators, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sorted_puts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_iterators_prefix_ff, setup, teardown),
        cmocka_unit_test_setup_teardown(test_iterators_empty_db, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_growth, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_open_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_writable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen_keeps_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_iter_reverse_null_prefix, setup, teardown),
        cmocka_unit_test(test_rc_text),
    };
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
