/* A write-ahead log: one preallocated file of checksummed records, written
 * in order and reused as a ring. The store (store.c) appends one record per
 * committed write transaction and syncs it once, so a write is durable
 * after one sequential write and one fdatasync; a checkpoint makes LMDB
 * durable and moves the log's mark past what LMDB now holds.
 *
 * Layout: two 512-byte header slots (the mark, written alternately, so a
 * torn write of one leaves the other), then records from WAL_START:
 *   magic | crc32 | lsn | length | salt | payload, padded to 8 bytes.
 * A reader stops at the first record whose magic, checksum, salt or
 * sequence number is not the expected one: a torn last record, or an old
 * lap of the ring (lower numbers), or a record of an earlier start (another
 * salt). Every start picks a new salt, so what lies past the end of the
 * records it found can never be taken for a later record.
 *
 * Not thread-safe, except that wal_set_mark may run on another thread
 * while the owner appends (they write different parts of the file). */
#ifndef THUKY_WAL_H
#define THUKY_WAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WAL_START 4096
#define WAL_RECORD_HEADER 24
#define WAL_MIN_SIZE (128u << 10)

typedef struct wal wal_t;

/* What LMDB holds durably: its transaction id, the last record it holds,
 * and where the record after it is (or will be) in the file. */
typedef struct {
    uint64_t txnid;
    uint64_t lsn;
    uint64_t offset;
    uint32_t salt;     /* of the records after the mark */
    uint32_t schema;   /* fingerprint of the store's database names */
} wal_mark_t;

/* Opens the log at path. Returns NULL with errno ENOENT when there is none
 * (see wal_create); other failures give a reason in why. */
wal_t *wal_open(const char *path, wal_mark_t *mark, char *why, size_t why_len);
/* Makes a new log of size bytes holding mark, durably: written in full
 * under a temporary name (so later syncs need no metadata), then renamed,
 * then the directory synced. */
wal_t *wal_create(const char *path, uint64_t size, const wal_mark_t *mark, char *why,
                  size_t why_len);
void wal_close(wal_t **self_p);

/* Calls fn for each record after from, in order, until a record is missing
 * or bad; leaves the write position after the last good one, so the next
 * append overwrites what follows it. fn returning nonzero stops the walk
 * and is returned; else 0. count receives how many records were read. */
typedef int (*wal_record_fn)(void *arg, uint64_t lsn, const uint8_t *payload, size_t len);
int wal_replay(wal_t *self, const wal_mark_t *from, wal_record_fn fn, void *arg,
               uint64_t *count);

/* Appends a record numbered lsn (the previous one + 1) and fdatasyncs.
 * Returns 0; ENOSPC when the ring has no room for it before the mark (a
 * checkpoint frees it), EFBIG when it could never fit, or the errno of the
 * write or the sync. On failure nothing counts as written. */
int wal_append(wal_t *self, uint64_t lsn, const void *payload, size_t len);

/* Writes the mark durably into the older header slot. Returns 0 or errno. */
int wal_set_mark(wal_t *self, const wal_mark_t *mark);
/* The space behind offset is free again (after its mark is durable). */
void wal_release(wal_t *self, uint64_t offset);

uint64_t wal_head(const wal_t *self);   /* where the next record goes */
uint64_t wal_used(const wal_t *self);   /* bytes between the mark and the head */
uint64_t wal_size(const wal_t *self);
uint32_t wal_salt(const wal_t *self);
/* The salt of the records appended from now on (a new one at each start,
 * written in the mark that follows the recovery). */
void wal_set_salt(wal_t *self, uint32_t salt);
/* Largest payload that fits in an empty ring. */
size_t wal_max_payload(const wal_t *self);

/* CRC-32 (zlib's) over a string list: the databases' names. */
uint32_t wal_fingerprint(const char *const *names, size_t count);

#endif
