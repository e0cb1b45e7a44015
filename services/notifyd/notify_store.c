#include "notify_store.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "runtime/keys.h"

const store_db_spec_t notify_store_dbs[NDB_COUNT] = {
    [NDB_META] = {"meta", 0},         [NDB_EVENTS] = {"events", 0},
    [NDB_REPLIES] = {"replies", 0},   [NDB_REPLIES_TIME] = {"replies_time", 0},
    [NDB_OFFICES] = {"offices", 0},   [NDB_TASKS] = {"tasks", 0},
    [NDB_ALERTS] = {"alerts", 0},     [NDB_DELIVERIES] = {"deliveries", 0},
    [NDB_SILENCES] = {"silences", 0}, [NDB_INDEX] = {"index", 0},
};

#define KEY_MAX 200

Thuky__Office *office_load(store_txn_t *txn, const char *id)
{
    return (Thuky__Office *)store_get_message(txn, store_dbi(txn->store, NDB_OFFICES), id,
                                              strlen(id), &thuky__office__descriptor);
}

void office_save(store_txn_t *txn, const Thuky__Office *office)
{
    store_put_message(txn, store_dbi(txn->store, NDB_OFFICES), office->id, strlen(office->id),
                      &office->base);
}

uint64_t offices_unreachable(store_txn_t *txn)
{
    uint64_t n = 0;
    store_iter_t it;
    store_iter_init(&it, txn, store_dbi(txn->store, NDB_OFFICES), NULL, 0, NULL, 0, false);
    while (store_iter_next(&it)) {
        Thuky__Office *o = thuky__office__unpack(NULL, it.val.mv_size, it.val.mv_data);
        if (o && !o->email[0] && (!o->webhook_url[0] || o->webhook_gone))
            n++;
        if (o)
            thuky__office__free_unpacked(o, NULL);
    }
    store_iter_close(&it);
    return n;
}

Thuky__Task *copy_task_load(store_txn_t *txn, uint32_t id)
{
    uint8_t key[4];
    key_put_u32(key, id);
    return (Thuky__Task *)store_get_message(txn, store_dbi(txn->store, NDB_TASKS), key, sizeof key,
                                            &thuky__task__descriptor);
}

void copy_task_save(store_txn_t *txn, const Thuky__Task *task)
{
    uint8_t key[4];
    key_put_u32(key, task->id);
    store_put_message(txn, store_dbi(txn->store, NDB_TASKS), key, sizeof key, &task->base);
}

Thuky__Alert *alert_load(store_txn_t *txn, const char *id)
{
    return (Thuky__Alert *)store_get_message(txn, store_dbi(txn->store, NDB_ALERTS), id,
                                             strlen(id), &thuky__alert__descriptor);
}

/* class | time(8) | id, or class | task(4) | id */
static size_t s_time_key(uint8_t *k, uint8_t class, int64_t ms, const char *id)
{
    size_t n = strlen(id);
    if (n > KEY_MAX - 9)
        n = KEY_MAX - 9; /* ids are bounded far below this */
    k[0] = class;
    key_put_i64(k + 1, ms);
    memcpy(k + 9, id, n);
    return 9 + n;
}

static size_t s_task_key(uint8_t *k, uint32_t task, const char *id)
{
    size_t n = strlen(id);
    if (n > KEY_MAX - 5)
        n = KEY_MAX - 5;
    k[0] = NINDEX_TASK;
    key_put_u32(k + 1, task);
    memcpy(k + 5, id, n);
    return 5 + n;
}

static void s_index(store_txn_t *txn, const Thuky__Alert *a, bool put)
{
    MDB_dbi dbi = store_dbi(txn->store, NDB_INDEX);
    uint8_t k[KEY_MAX];
    size_t n;
    if (a->state == THUKY__ALERT_STATE__ALERT_PLANNED) {
        n = s_time_key(k, NINDEX_PLANNED, a->fire_ms, a->id);
        put ? store_put(txn, dbi, k, n, "", 0) : store_del(txn, dbi, k, n);
    }
    n = s_time_key(k, NINDEX_FIRE, a->fire_ms, a->id);
    put ? store_put(txn, dbi, k, n, "", 0) : store_del(txn, dbi, k, n);
    n = s_task_key(k, a->task_id, a->id);
    put ? store_put(txn, dbi, k, n, "", 0) : store_del(txn, dbi, k, n);
}

void alert_save(store_txn_t *txn, const Thuky__Alert *old, const Thuky__Alert *alert)
{
    if (old)
        s_index(txn, old, false);
    s_index(txn, alert, true);
    store_put_message(txn, store_dbi(txn->store, NDB_ALERTS), alert->id, strlen(alert->id),
                      &alert->base);
}

void alert_delete(store_txn_t *txn, const Thuky__Alert *alert)
{
    s_index(txn, alert, false);
    store_del(txn, store_dbi(txn->store, NDB_ALERTS), alert->id, strlen(alert->id));
}

Thuky__Delivery *delivery_load(store_txn_t *txn, const char *id)
{
    return (Thuky__Delivery *)store_get_message(txn, store_dbi(txn->store, NDB_DELIVERIES), id,
                                                strlen(id), &thuky__delivery__descriptor);
}

void delivery_save(store_txn_t *txn, const Thuky__Delivery *old, const Thuky__Delivery *d)
{
    MDB_dbi dbi = store_dbi(txn->store, NDB_INDEX);
    uint8_t k[KEY_MAX];
    if (old && old->state == THUKY__ALERT_STATE__ALERT_SENDING)
        store_del(txn, dbi, k, s_time_key(k, NINDEX_RETRY, old->next_try_ms, old->id));
    if (d->state == THUKY__ALERT_STATE__ALERT_SENDING)
        store_put(txn, dbi, k, s_time_key(k, NINDEX_RETRY, d->next_try_ms, d->id), "", 0);
    store_put_message(txn, store_dbi(txn->store, NDB_DELIVERIES), d->id, strlen(d->id), &d->base);
}

static size_t s_ack_key(uint8_t *k, uint32_t task, const char *office)
{
    size_t n = strlen(office);
    if (n > KEY_MAX - 5)
        n = KEY_MAX - 5;
    k[0] = NINDEX_ACKED;
    key_put_u32(k + 1, task);
    memcpy(k + 5, office, n);
    return 5 + n;
}

bool ack_exists(store_txn_t *txn, uint32_t task_id, const char *office)
{
    uint8_t k[KEY_MAX];
    MDB_val v;
    return store_get(txn, store_dbi(txn->store, NDB_INDEX), k, s_ack_key(k, task_id, office), &v);
}

void ack_put(store_txn_t *txn, uint32_t task_id, const char *office)
{
    uint8_t k[KEY_MAX];
    store_put(txn, store_dbi(txn->store, NDB_INDEX), k, s_ack_key(k, task_id, office), "", 0);
}

void ack_del(store_txn_t *txn, uint32_t task_id, const char *office)
{
    uint8_t k[KEY_MAX];
    store_del(txn, store_dbi(txn->store, NDB_INDEX), k, s_ack_key(k, task_id, office));
}

static size_t s_sitting_key(uint8_t *k, const char *sitting_id)
{
    size_t n = strlen(sitting_id);
    if (n > KEY_MAX - 1)
        n = KEY_MAX - 1;
    k[0] = NINDEX_SITTING;
    memcpy(k + 1, sitting_id, n);
    return 1 + n;
}

bool sitting_known(store_txn_t *txn, const char *sitting_id)
{
    uint8_t k[KEY_MAX];
    MDB_val v;
    return sitting_id[0] &&
           store_get(txn, store_dbi(txn->store, NDB_INDEX), k, s_sitting_key(k, sitting_id), &v);
}

void sitting_known_put(store_txn_t *txn, const char *sitting_id)
{
    uint8_t k[KEY_MAX];
    store_put(txn, store_dbi(txn->store, NDB_INDEX), k, s_sitting_key(k, sitting_id), "", 0);
}

void notify_store_upgrade(store_t *store)
{
    static const char marker[] = "sittings_indexed", offset[] = "offset:sessiond";
    store_txn_t txn;
    if (store_txn_begin(store, &txn, true) != STORE_OK)
        fatalx("cannot upgrade the store");
    MDB_dbi meta = store_dbi(store, NDB_META);
    MDB_val v;
    if (!store_get(&txn, meta, marker, strlen(marker), &v)) {
        if (store_get(&txn, meta, offset, strlen(offset), &v)) {
            log_info("reading the session log again from its start to learn every sitting");
            store_del(&txn, meta, offset, strlen(offset));
        }
        store_put(&txn, meta, marker, strlen(marker), "1", 1);
    }
    if (store_txn_commit(&txn) != STORE_OK)
        fatalx("cannot upgrade the store");
}

size_t index_ids(store_txn_t *txn, const void *prefix, size_t prefix_len, size_t skip,
                 size_t max, char ***out)
{
    size_t count = 0, cap = 0;
    char **ids = NULL;
    store_iter_t it;
    store_iter_init(&it, txn, store_dbi(txn->store, NDB_INDEX), prefix, prefix_len, NULL, 0,
                    false);
    while (count < max && store_iter_next(&it)) {
        if (it.key.mv_size <= skip)
            continue;
        ids = xgrow(ids, count, &cap, sizeof *ids);
        size_t n = it.key.mv_size - skip;
        ids[count] = xmalloc(n + 1);
        memcpy(ids[count], (const uint8_t *)it.key.mv_data + skip, n);
        ids[count][n] = '\0';
        count++;
    }
    store_iter_close(&it);
    *out = ids;
    return count;
}
