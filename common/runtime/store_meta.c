/* LMDB's two meta pages, read and (after a power cut) set back.
 *
 * Between checkpoints the store commits LMDB without syncing (the log holds
 * what is acknowledged) and syncs the file afterwards, off the request
 * path. Until that sync ends, a power cut may leave the new meta page on
 * disk without all the pages it points to. The log's mark names the last
 * commit that is known durable; if the file's newest meta is the one after
 * it, that meta is replaced by the durable one before LMDB opens the file:
 * what LMDB 1.0 calls MDB_PREVSNAPSHOT, which Debian 12's 0.9.24 lacks.
 * The older snapshot is intact: LMDB never reuses the pages of the commit
 * before the newest, and the store also pins it with a reader until the
 * next one is durable.
 *
 * The layout is LMDB 0.9's on-disk format (fixed for the 0.9 series): page
 * 0 and page 1 are meta pages; after a 16-byte page header, MDB_meta holds
 * magic (u32), version (u32), address, map size, two MDB_db of 48 bytes
 * (the first one's leading u32 is the page size), last page, txnid. A unit
 * test checks these offsets against the library in use. */
#include "runtime/store_private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/i18n.h"
#include "base/log.h"

#define META_HEADER 16              /* the page header before MDB_meta */
#define META_BYTES 136              /* sizeof(MDB_meta) on a 64-bit host */
#define META_PSIZE (META_HEADER + 24)
#define META_TXNID (META_HEADER + 128)
#define LMDB_MAGIC 0xBEEFC0DEu
#define LMDB_DATA_VERSION 1u

typedef struct {
    uint8_t bytes[META_HEADER + META_BYTES];
    bool valid;
    uint64_t txnid;
} meta_page_t;

static bool s_read_meta(int fd, uint64_t offset, meta_page_t *m)
{
    memset(m, 0, sizeof *m);
    if (pread(fd, m->bytes, sizeof m->bytes, (off_t)offset) != (ssize_t)sizeof m->bytes)
        return false;
    uint32_t magic, version;
    memcpy(&magic, m->bytes + META_HEADER, 4);
    memcpy(&version, m->bytes + META_HEADER + 4, 4);
    m->valid = magic == LMDB_MAGIC && version == LMDB_DATA_VERSION;
    memcpy(&m->txnid, m->bytes + META_TXNID, 8);
    return true;
}

int store_meta_txnids(const char *data_path, uint64_t txnids[2], uint32_t *page_size)
{
    int fd = open(data_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    meta_page_t m0, m1;
    uint32_t psize = 0;
    bool ok = s_read_meta(fd, 0, &m0) && m0.valid;
    if (ok) {
        memcpy(&psize, m0.bytes + META_PSIZE, 4);
        ok = psize >= 512 && (psize & (psize - 1)) == 0 && s_read_meta(fd, psize, &m1) &&
             m1.valid;
    }
    close(fd);
    if (!ok) {
        errno = EINVAL;
        return -1;
    }
    txnids[0] = m0.txnid;
    txnids[1] = m1.txnid;
    *page_size = psize;
    return 0;
}

int store_meta_settle(const char *data_path, uint64_t durable, bool *rolled_back, char *why,
                      size_t why_len)
{
    *rolled_back = false;
    uint64_t txnids[2];
    uint32_t psize;
    if (store_meta_txnids(data_path, txnids, &psize) != 0) {
        snprintf(why, why_len, _("%s is not an LMDB file this store can read: %s"), data_path,
                 strerror(errno));
        return -1;
    }
    int top = txnids[1] > txnids[0] ? 1 : 0;
    if (txnids[top] == durable)
        return 0;
    if (txnids[top] != durable + 1 || txnids[top ^ 1] != durable) {
        snprintf(why, why_len,
                 _("the log's checkpoint (transaction %llu) does not belong to the store in %s "
                   "(transactions %llu and %llu)"),
                 (unsigned long long)durable, data_path, (unsigned long long)txnids[0],
                 (unsigned long long)txnids[1]);
        return -1;
    }
    int fd = open(data_path, O_RDWR | O_CLOEXEC);
    meta_page_t good;
    bool ok = fd >= 0 && s_read_meta(fd, (uint64_t)(top ^ 1) * psize, &good) && good.valid;
    /* Only MDB_meta is copied: the page header keeps its own page number. */
    ok = ok && pwrite(fd, good.bytes + META_HEADER, META_BYTES,
                      (off_t)((uint64_t)top * psize + META_HEADER)) == META_BYTES;
    ok = ok && fdatasync(fd) == 0;
    int err = errno;
    if (fd >= 0)
        close(fd);
    if (!ok) {
        snprintf(why, why_len, _("cannot set %s back to its last checkpoint: %s"), data_path,
                 strerror(err));
        return -1;
    }
    *rolled_back = true;
    return 0;
}
