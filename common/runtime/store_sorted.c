/* Puts that go in in key order (store.h, store_sorted_t).
 *
 * LMDB copies a page the first time a write transaction touches it. Many
 * entries in random key order (the index entries of a large import, each
 * under its deadline) touch a different page each, so every put pays for a
 * page copy and a longer search of the dirty-page list; the same entries in
 * key order land on a page already copied, mostly at its end. */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "runtime/store.h"
#include "text/strbuf.h"

/* One entry in the arena: lengths, then the key and value bytes (read
 * back with memcpy, so no alignment is needed). */
typedef struct {
    uint32_t key_len, val_len;
} entry_head_t;

void store_sorted_put(store_sorted_t *self, const void *key, size_t key_len, const void *val,
                      size_t val_len)
{
    self->offsets = xgrow(self->offsets, self->count, &self->offsets_cap, sizeof *self->offsets);
    self->offsets[self->count++] = self->arena.len;
    entry_head_t head = {(uint32_t)key_len, (uint32_t)val_len};
    strbuf_add(&self->arena, (const char *)&head, sizeof head);
    strbuf_add(&self->arena, key, key_len);
    strbuf_add(&self->arena, val, val_len);
}

typedef struct {
    MDB_txn *txn;
    MDB_dbi dbi;
    const char *arena;
} sort_ctx_t;

static MDB_val s_key(const char *arena, size_t offset, MDB_val *val)
{
    entry_head_t head;
    memcpy(&head, arena + offset, sizeof head);
    const char *bytes = arena + offset + sizeof head;
    if (val)
        *val = (MDB_val){head.val_len, (void *)(bytes + head.key_len)};
    return (MDB_val){head.key_len, (void *)bytes};
}

/* The database's own order (mdb_cmp), so the puts follow its pages. */
static int s_compare(const void *a, const void *b, void *arg)
{
    const sort_ctx_t *ctx = arg;
    MDB_val ka = s_key(ctx->arena, *(const size_t *)a, NULL);
    MDB_val kb = s_key(ctx->arena, *(const size_t *)b, NULL);
    return mdb_cmp(ctx->txn, ctx->dbi, &ka, &kb);
}

void store_sorted_apply(store_sorted_t *self, store_txn_t *txn, MDB_dbi dbi)
{
    if (txn->rc == STORE_OK && self->count > 0) {
        sort_ctx_t ctx = {txn->txn, dbi, self->arena.data};
        qsort_r(self->offsets, self->count, sizeof *self->offsets, s_compare, &ctx);
        for (size_t i = 0; i < self->count && txn->rc == STORE_OK; i++) {
            MDB_val val, key = s_key(self->arena.data, self->offsets[i], &val);
            store_put(txn, dbi, key.mv_data, key.mv_size, val.mv_data, val.mv_size);
        }
    }
    self->count = 0;
    self->arena.len = 0;
}

void store_sorted_free(store_sorted_t *self)
{
    strbuf_free(&self->arena);
    free(self->offsets);
    memset(self, 0, sizeof *self);
}
