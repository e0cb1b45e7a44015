#include "session_store.h"

#include <stdio.h>
#include <string.h>

#include "domain/sitting.h"
#include "runtime/keys.h"

const store_db_spec_t session_store_dbs[SDB_COUNT] = {
    [SDB_META] = {"meta", 0},
    [SDB_EVENTS] = {"events", 0},
    [SDB_REPLIES] = {"replies", 0},
    [SDB_REPLIES_TIME] = {"replies_time", 0},
    [SDB_SITTINGS] = {"sittings", 0},
    [SDB_INDEX] = {"index", 0},
};

uint32_t session_day_key(int32_t day) { return (uint32_t)day ^ 0x80000000u; }
int32_t session_key_day(uint32_t key) { return (int32_t)(key ^ 0x80000000u); }

Thuky__Sitting *sitting_load(store_txn_t *txn, const char *id)
{
    return (Thuky__Sitting *)store_get_message(txn, store_dbi(txn->store, SDB_SITTINGS), id,
                                               strlen(id), &thuky__sitting__descriptor);
}

typedef struct {
    uint8_t bytes[2][SITTING_ID_MAX + 8];
    size_t len[2];
    int count;
} sitting_keys_t;

/* The index entries of a sitting: a series has one, a single sitting two. */
static void s_keys(const Thuky__Sitting *s, sitting_keys_t *keys)
{
    size_t n = strlen(s->id);
    keys->count = 0;
    if (sitting_is_series(s)) {
        keys->bytes[0][0] = SINDEX_SERIES;
        memcpy(keys->bytes[0] + 1, s->id, n);
        keys->len[0] = 1 + n;
        keys->count = 1;
        return;
    }
    sitting_span_t span;
    const char *why;
    if (!sitting_span(s, SITTING_NO_OCCURRENCE, &span, &why))
        return; /* stored sittings are checked; never indexed wrong */
    uint8_t *e = keys->bytes[0];
    e[0] = SINDEX_END;
    key_put_u32(e + 1, session_day_key(span.end_day));
    memcpy(e + 5, s->id, n);
    keys->len[0] = 5 + n;
    uint8_t *k = keys->bytes[1];
    k[0] = SINDEX_KIND;
    k[1] = (uint8_t)s->kind;
    key_put_u32(k + 2, session_day_key(span.start_day));
    memcpy(k + 6, s->id, n);
    keys->len[1] = 6 + n;
    keys->count = 2;
}

static bool s_has(const sitting_keys_t *keys, const uint8_t *key, size_t len)
{
    for (int i = 0; i < keys->count; i++)
        if (keys->len[i] == len && memcmp(keys->bytes[i], key, len) == 0)
            return true;
    return false;
}

void sitting_save(store_txn_t *txn, const Thuky__Sitting *old, const Thuky__Sitting *sitting)
{
    store_put_message(txn, store_dbi(txn->store, SDB_SITTINGS), sitting->id, strlen(sitting->id),
                      &sitting->base);
    sitting_keys_t before = {.count = 0}, after;
    if (old)
        s_keys(old, &before);
    s_keys(sitting, &after);
    MDB_dbi dbi = store_dbi(txn->store, SDB_INDEX);
    for (int i = 0; i < before.count; i++)
        if (!s_has(&after, before.bytes[i], before.len[i]))
            store_del(txn, dbi, before.bytes[i], before.len[i]);
    for (int i = 0; i < after.count; i++)
        if (!s_has(&before, after.bytes[i], after.len[i]))
            store_put(txn, dbi, after.bytes[i], after.len[i], "", 0);
}

uint32_t session_next_number(store_txn_t *txn, const char *counter)
{
    char name[32];
    snprintf(name, sizeof name, "next:%s", counter);
    MDB_dbi dbi = store_dbi(txn->store, SDB_META);
    MDB_val v;
    uint32_t n = 1;
    if (store_get(txn, dbi, name, strlen(name), &v) && v.mv_size == 4)
        n = key_get_u32(v.mv_data);
    uint8_t next[4];
    key_put_u32(next, n + 1);
    store_put(txn, dbi, name, strlen(name), next, sizeof next);
    return n;
}
