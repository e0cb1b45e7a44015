#include "task_store.h"

#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/log.h"
#include "domain/deadline.h"
#include "domain/sitting.h"
#include "runtime/keys.h"

const store_db_spec_t task_store_dbs[DB_COUNT] = {
    [DB_META] = {"meta", 0},
    [DB_EVENTS] = {"events", 0},
    [DB_REPLIES] = {"replies", 0},
    [DB_REPLIES_TIME] = {"replies_time", 0},
    [DB_PROGRAMS] = {"programs", 0},
    [DB_TASKS] = {"tasks", 0},
    [DB_INDEX] = {"index", 0},
    [DB_HISTORY] = {"history", 0},
    [DB_REFS] = {"refs", 0},
    [DB_SITTINGS] = {"sittings", 0},
};

#define INDEX_KEY_MAX 96
#define INDEX_KEYS_MAX 40

typedef struct {
    uint8_t bytes[INDEX_KEY_MAX];
    size_t len;
} index_key_t;

typedef struct {
    index_key_t keys[INDEX_KEYS_MAX];
    size_t count;
} index_keys_t;

uint32_t due_key_from_day(int32_t day) { return (uint32_t)day ^ 0x80000000u; }

uint32_t task_due_key(const Thuky__Task *task)
{
    int32_t day;
    if (task->deadline && task->deadline->resolved_date[0] &&
        date_parse(task->deadline->resolved_date, &day, NULL))
        return due_key_from_day(day);
    return DUE_NONE;
}

bool task_is_active(const Thuky__Task *task)
{
    return task->status == THUKY__TASK_STATUS__TASK_OPEN ||
           task->status == THUKY__TASK_STATUS__TASK_IN_PROGRESS;
}

bool task_has_flag(const Thuky__Task *task, Thuky__TaskFlag flag)
{
    for (size_t i = 0; i < task->n_flags; i++)
        if (task->flags[i] == flag)
            return true;
    return false;
}

static index_key_t *s_add(index_keys_t *set, uint8_t class)
{
    index_key_t *k = &set->keys[set->count++];
    k->bytes[0] = class;
    k->len = 1;
    return k;
}

static void s_finish(index_key_t *k, uint32_t due, uint32_t id)
{
    key_put_u32(k->bytes + k->len, due);
    key_put_u32(k->bytes + k->len + 4, id);
    k->len += 8;
}

static void s_add_office(index_keys_t *set, const char *office, uint32_t due, uint32_t id)
{
    size_t n = strlen(office);
    if (n == 0 || n + 10 > INDEX_KEY_MAX || set->count == INDEX_KEYS_MAX)
        return; /* office ids are validated to be short; never overflow */
    for (size_t i = 0; i < set->count; i++) /* lead and coordinating once each */
        if (set->keys[i].bytes[0] == INDEX_OFFICE && set->keys[i].len == n + 10 &&
            memcmp(set->keys[i].bytes + 1, office, n) == 0)
            return;
    index_key_t *k = s_add(set, INDEX_OFFICE);
    memcpy(k->bytes + 1, office, n + 1);
    k->len += n + 1;
    s_finish(k, due, id);
}

bool task_sitting(const Thuky__Task *task, char out[SITTING_ID_MAX + 1])
{
    int32_t occurrence;
    const char *why;
    return deadline_relative(task->deadline) &&
           sitting_split_ref(deadline_sitting(task->deadline), out, &occurrence, &why);
}

/* Every index entry a task has. */
static void s_index_keys(const Thuky__Task *task, index_keys_t *set)
{
    set->count = 0;
    uint32_t due = task_due_key(task);
    bool active = task_is_active(task);
    s_finish(s_add(set, INDEX_ALL), due, task->id);
    if (active)
        s_finish(s_add(set, INDEX_ACTIVE), due, task->id);
    if (active && task->n_flags > 0)
        s_finish(s_add(set, INDEX_FLAGGED), due, task->id);
    index_key_t *k = s_add(set, INDEX_STATUS);
    k->bytes[k->len++] = (uint8_t)task->status;
    s_finish(k, due, task->id);
    k = s_add(set, INDEX_PROGRAM);
    key_put_u16(k->bytes + 1, (uint16_t)task->program_year);
    k->len += 2;
    s_finish(k, due, task->id);
    s_add_office(set, task->lead_office, due, task->id);
    for (size_t i = 0; i < task->n_with_offices; i++)
        s_add_office(set, task->with_offices[i], due, task->id);
    char sitting[SITTING_ID_MAX + 1];
    if (task_sitting(task, sitting) && set->count < INDEX_KEYS_MAX) {
        size_t n = strlen(sitting);
        k = s_add(set, INDEX_SITTING);
        memcpy(k->bytes + 1, sitting, n + 1);
        key_put_u32(k->bytes + 2 + n, task->id);
        k->len = 6 + n;
    }
}

static bool s_contains(const index_keys_t *set, const index_key_t *key)
{
    for (size_t i = 0; i < set->count; i++)
        if (set->keys[i].len == key->len && memcmp(set->keys[i].bytes, key->bytes, key->len) == 0)
            return true;
    return false;
}

Thuky__Task *task_load(store_txn_t *txn, uint32_t id)
{
    uint8_t key[4];
    key_put_u32(key, id);
    return (Thuky__Task *)store_get_message(txn, store_dbi(txn->store, DB_TASKS), key, sizeof key,
                                            &thuky__task__descriptor);
}

static void s_put_record(store_txn_t *txn, const Thuky__Task *task)
{
    uint8_t key[4];
    key_put_u32(key, task->id);
    store_put_message(txn, store_dbi(txn->store, DB_TASKS), key, sizeof key, &task->base);
}

void task_save_new(store_txn_t *txn, const Thuky__Task *task, store_sorted_t *index)
{
    if (!index) {
        task_save(txn, NULL, task);
        return;
    }
    s_put_record(txn, task);
    static index_keys_t keys; /* large; the daemon is single-threaded */
    s_index_keys(task, &keys);
    for (size_t i = 0; i < keys.count; i++)
        store_sorted_put(index, keys.keys[i].bytes, keys.keys[i].len, "", 0);
}

void task_save(store_txn_t *txn, const Thuky__Task *old, const Thuky__Task *task)
{
    s_put_record(txn, task);

    /* Only the entries that differ are touched: a progress update moves none. */
    static index_keys_t old_keys, new_keys; /* large; the daemon is single-threaded */
    old_keys.count = 0;
    if (old)
        s_index_keys(old, &old_keys);
    s_index_keys(task, &new_keys);
    MDB_dbi dbi = store_dbi(txn->store, DB_INDEX);
    for (size_t i = 0; i < old_keys.count; i++)
        if (!s_contains(&new_keys, &old_keys.keys[i]))
            store_del(txn, dbi, old_keys.keys[i].bytes, old_keys.keys[i].len);
    for (size_t i = 0; i < new_keys.count; i++)
        if (!s_contains(&old_keys, &new_keys.keys[i]))
            store_put(txn, dbi, new_keys.keys[i].bytes, new_keys.keys[i].len, "", 0);
}

uint32_t task_next_id(store_txn_t *txn)
{
    static const char name[] = "next_task_id";
    MDB_dbi dbi = store_dbi(txn->store, DB_META);
    MDB_val v;
    uint32_t id = 1;
    if (store_get(txn, dbi, name, sizeof name - 1, &v) && v.mv_size == 4)
        id = key_get_u32(v.mv_data);
    uint8_t next[4];
    key_put_u32(next, id + 1);
    store_put(txn, dbi, name, sizeof name - 1, next, sizeof next);
    return id;
}

Thuky__Program *program_load(store_txn_t *txn, uint32_t year)
{
    uint8_t key[2];
    key_put_u16(key, (uint16_t)year);
    return (Thuky__Program *)store_get_message(txn, store_dbi(txn->store, DB_PROGRAMS), key,
                                               sizeof key, &thuky__program__descriptor);
}

void program_save(store_txn_t *txn, const Thuky__Program *program)
{
    uint8_t key[2];
    key_put_u16(key, (uint16_t)program->year);
    store_put_message(txn, store_dbi(txn->store, DB_PROGRAMS), key, sizeof key, &program->base);
}

void history_append(store_txn_t *txn, uint32_t task_id, uint32_t version,
                    const Thuky__HistoryEntry *entry)
{
    uint8_t key[8];
    key_put_u32(key, task_id);
    key_put_u32(key + 4, version);
    store_put_message(txn, store_dbi(txn->store, DB_HISTORY), key, sizeof key, &entry->base);
}

bool ref_lookup(store_txn_t *txn, const char *ref, uint32_t *id)
{
    MDB_val v;
    if (!store_get(txn, store_dbi(txn->store, DB_REFS), ref, strlen(ref), &v) || v.mv_size != 4)
        return false;
    *id = key_get_u32(v.mv_data);
    return true;
}

void ref_put(store_txn_t *txn, const char *ref, uint32_t id)
{
    uint8_t value[4];
    key_put_u32(value, id);
    store_put(txn, store_dbi(txn->store, DB_REFS), ref, strlen(ref), value, sizeof value);
}
