#include "runtime/wal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "base/i18n.h"
#include "base/log.h"
#include "runtime/paths.h"

#define WAL_SLOT 512
#define WAL_HEADER_MAGIC 0x574b4854u /* "THKW" */
#define WAL_RECORD_MAGIC 0x52574854u /* "THWR" */
#define WAL_WRAP_MAGIC 0x50574854u   /* "THWP": the rest of the file is unused */
#define WAL_VERSION 1u
#define WAL_SLOT_BYTES 60             /* the fields below, then the crc */

struct wal {
    int fd;
    char *path;
    uint64_t size;
    uint64_t head, tail, used;
    uint32_t salt;
    uint64_t header_seq;
    int next_slot;
    uint8_t *scratch;
    size_t scratch_cap;
};

/* Fixed-width fields in host order: the log never leaves this machine
 * (a backup copies records into a new log, see store_backup). */
static void s_put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void s_put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static uint32_t s_get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
static uint64_t s_get64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static uint32_t s_crc(const uint8_t *data, size_t len, uint32_t crc)
{
    return (uint32_t)crc32(crc, data, (uInt)len);
}

static uint64_t s_align8(uint64_t n) { return (n + 7) & ~(uint64_t)7; }

uint32_t wal_fingerprint(const char *const *names, size_t count)
{
    uint32_t crc = (uint32_t)crc32(0L, Z_NULL, 0);
    for (size_t i = 0; i < count; i++)
        crc = s_crc((const uint8_t *)names[i], strlen(names[i]) + 1, crc);
    return crc;
}

static int s_pwrite_all(int fd, const void *data, size_t len, uint64_t offset)
{
    const uint8_t *p = data;
    while (len > 0) {
        ssize_t n = pwrite(fd, p, len, (off_t)offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? errno : EIO;
        p += n;
        len -= (size_t)n;
        offset += (uint64_t)n;
    }
    return 0;
}

static bool s_pread_all(int fd, void *data, size_t len, uint64_t offset)
{
    uint8_t *p = data;
    while (len > 0) {
        ssize_t n = pread(fd, p, len, (off_t)offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
        offset += (uint64_t)n;
    }
    return true;
}

static void s_encode_slot(uint8_t slot[WAL_SLOT], uint64_t seq, uint64_t size,
                          const wal_mark_t *m)
{
    memset(slot, 0, WAL_SLOT);
    s_put32(slot, WAL_HEADER_MAGIC);
    s_put32(slot + 4, WAL_VERSION);
    s_put64(slot + 8, seq);
    s_put64(slot + 16, m->txnid);
    s_put64(slot + 24, m->lsn);
    s_put64(slot + 32, m->offset);
    s_put32(slot + 40, m->salt);
    s_put32(slot + 44, m->schema);
    s_put64(slot + 48, size);
    s_put32(slot + 56, s_crc(slot, 56, 0));
}

static bool s_decode_slot(const uint8_t slot[WAL_SLOT], uint64_t *seq, uint64_t *size,
                          wal_mark_t *m)
{
    if (s_get32(slot) != WAL_HEADER_MAGIC || s_get32(slot + 4) != WAL_VERSION ||
        s_get32(slot + 56) != s_crc(slot, 56, 0))
        return false;
    *seq = s_get64(slot + 8);
    m->txnid = s_get64(slot + 16);
    m->lsn = s_get64(slot + 24);
    m->offset = s_get64(slot + 32);
    m->salt = s_get32(slot + 40);
    m->schema = s_get32(slot + 44);
    *size = s_get64(slot + 48);
    return true;
}

wal_t *wal_open(const char *path, wal_mark_t *mark, char *why, size_t why_len)
{
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        snprintf(why, why_len, _("cannot open the log %s: %s"), path, strerror(err));
        errno = err;
        return NULL;
    }
    struct stat st;
    uint8_t slots[2][WAL_SLOT];
    bool read_ok = fstat(fd, &st) == 0 && s_pread_all(fd, slots, sizeof slots, 0);
    wal_mark_t marks[2];
    uint64_t seqs[2] = {0, 0}, sizes[2] = {0, 0};
    bool valid[2] = {false, false};
    for (int i = 0; read_ok && i < 2; i++)
        valid[i] = s_decode_slot(slots[i], &seqs[i], &sizes[i], &marks[i]);
    int best = valid[0] && (!valid[1] || seqs[0] > seqs[1]) ? 0 : 1;
    if (!valid[best] || sizes[best] != (uint64_t)st.st_size ||
        marks[best].offset < WAL_START || marks[best].offset > sizes[best]) {
        snprintf(why, why_len, _("the log %s has no valid header"), path);
        close(fd);
        errno = EINVAL;
        return NULL;
    }
    wal_t *self = xcalloc(1, sizeof *self);
    self->fd = fd;
    self->path = xstrdup(path);
    self->size = sizes[best];
    self->head = self->tail = marks[best].offset;
    self->salt = marks[best].salt;
    self->header_seq = seqs[best];
    self->next_slot = best ^ 1;
    *mark = marks[best];
    return self;
}

wal_t *wal_create(const char *path, uint64_t size, const wal_mark_t *mark, char *why,
                  size_t why_len)
{
    size = s_align8(size < WAL_MIN_SIZE ? WAL_MIN_SIZE : size);
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s.new", path);
    int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    int err = fd < 0 ? errno : 0;
    /* Every block written now, so an append's fdatasync has no allocation
     * or size change to carry. */
    static const uint8_t zeros[1 << 16];
    for (uint64_t off = 0; err == 0 && off < size; off += sizeof zeros) {
        uint64_t n = size - off < sizeof zeros ? size - off : sizeof zeros;
        err = s_pwrite_all(fd, zeros, (size_t)n, off);
    }
    uint8_t slot[WAL_SLOT];
    s_encode_slot(slot, 1, size, mark);
    if (err == 0)
        err = s_pwrite_all(fd, slot, sizeof slot, 0);
    if (err == 0 && fsync(fd) != 0)
        err = errno;
    if (fd >= 0)
        close(fd);
    if (err == 0 && rename(tmp, path) != 0)
        err = errno;
    if (err == 0 && paths_sync_dir(path) != 0)
        err = errno;
    if (err != 0) {
        unlink(tmp);
        snprintf(why, why_len, _("cannot create the log %s: %s"), path, strerror(err));
        errno = err;
        return NULL;
    }
    wal_mark_t check;
    return wal_open(path, &check, why, why_len);
}

void wal_close(wal_t **self_p)
{
    wal_t *self = *self_p;
    if (!self)
        return;
    close(self->fd);
    free(self->path);
    free(self->scratch);
    free(self);
    *self_p = NULL;
}

static uint8_t *s_scratch(wal_t *self, size_t len)
{
    if (len > self->scratch_cap) {
        free(self->scratch);
        self->scratch_cap = len < (64u << 10) ? (64u << 10) : len;
        self->scratch = xmalloc(self->scratch_cap);
    }
    return self->scratch;
}

static void s_encode_record(uint8_t *h, uint32_t magic, uint64_t lsn, uint32_t salt,
                            const void *payload, size_t len)
{
    s_put32(h, magic);
    s_put64(h + 8, lsn);
    s_put32(h + 16, (uint32_t)len);
    s_put32(h + 20, salt);
    uint32_t crc = s_crc(h + 8, WAL_RECORD_HEADER - 8, 0);
    s_put32(h + 4, len ? s_crc(payload, len, crc) : crc);
}

size_t wal_max_payload(const wal_t *self)
{
    return (size_t)(self->size - WAL_START) / 2 - WAL_RECORD_HEADER;
}

int wal_replay(wal_t *self, const wal_mark_t *from, wal_record_fn fn, void *arg,
               uint64_t *count)
{
    uint64_t pos = from->offset, expect = from->lsn + 1, used = 0, region = self->size - WAL_START;
    uint8_t h[WAL_RECORD_HEADER];
    int rc = 0;
    *count = 0;
    while (used < region) {
        if (pos + WAL_RECORD_HEADER > self->size) {
            used += self->size - pos;
            pos = WAL_START;
            continue;
        }
        if (!s_pread_all(self->fd, h, sizeof h, pos))
            break;
        uint32_t magic = s_get32(h);
        uint64_t lsn = s_get64(h + 8);
        uint32_t len = s_get32(h + 16);
        if ((magic != WAL_RECORD_MAGIC && magic != WAL_WRAP_MAGIC) || lsn != expect ||
            s_get32(h + 20) != from->salt || len > wal_max_payload(self))
            break;
        uint32_t crc = s_crc(h + 8, WAL_RECORD_HEADER - 8, 0);
        if (magic == WAL_WRAP_MAGIC) {
            if (len != 0 || s_get32(h + 4) != crc)
                break;
            used += self->size - pos;
            pos = WAL_START;
            continue;
        }
        uint64_t need = s_align8(WAL_RECORD_HEADER + len);
        uint8_t *payload = s_scratch(self, len ? len : 1);
        if (pos + need > self->size || !s_pread_all(self->fd, payload, len, pos + sizeof h) ||
            s_get32(h + 4) != (len ? s_crc(payload, len, crc) : crc))
            break;
        rc = fn(arg, lsn, payload, len);
        if (rc != 0)
            break;
        (*count)++;
        expect++;
        pos += need;
        used += need;
    }
    self->tail = from->offset;
    self->head = pos;
    self->used = used;
    self->salt = from->salt;
    return rc;
}

int wal_append(wal_t *self, uint64_t lsn, const void *payload, size_t len)
{
    if (len > wal_max_payload(self))
        return EFBIG;
    uint64_t need = s_align8(WAL_RECORD_HEADER + len);
    uint64_t pos = self->head, wasted = 0;
    if (pos + need > self->size) {
        wasted = self->size - pos;
        pos = WAL_START;
    }
    if (self->used + wasted + need > self->size - WAL_START)
        return ENOSPC;
    int err = 0;
    if (wasted >= WAL_RECORD_HEADER) {
        uint8_t wrap[WAL_RECORD_HEADER];
        s_encode_record(wrap, WAL_WRAP_MAGIC, lsn, self->salt, NULL, 0);
        err = s_pwrite_all(self->fd, wrap, sizeof wrap, self->head);
    }
    uint8_t *rec = s_scratch(self, (size_t)need);
    s_encode_record(rec, WAL_RECORD_MAGIC, lsn, self->salt, payload, len);
    memcpy(rec + WAL_RECORD_HEADER, payload, len);
    memset(rec + WAL_RECORD_HEADER + len, 0, (size_t)need - WAL_RECORD_HEADER - len);
    if (err == 0)
        err = s_pwrite_all(self->fd, rec, (size_t)need, pos);
    if (err == 0 && fdatasync(self->fd) != 0)
        err = errno;
    if (err != 0)
        return err;
    self->head = pos + need;
    self->used += wasted + need;
    return 0;
}

int wal_set_mark(wal_t *self, const wal_mark_t *mark)
{
    uint8_t slot[WAL_SLOT];
    s_encode_slot(slot, self->header_seq + 1, self->size, mark);
    int err = s_pwrite_all(self->fd, slot, sizeof slot, (uint64_t)self->next_slot * WAL_SLOT);
    if (err == 0 && fdatasync(self->fd) != 0)
        err = errno;
    if (err != 0)
        return err;
    self->header_seq++;
    self->next_slot ^= 1;
    return 0;
}

void wal_release(wal_t *self, uint64_t offset)
{
    uint64_t gone = offset >= self->tail ? offset - self->tail
                                         : (self->size - self->tail) + (offset - WAL_START);
    self->used = gone > self->used ? 0 : self->used - gone;
    self->tail = offset;
}

uint64_t wal_head(const wal_t *self) { return self->head; }
uint64_t wal_used(const wal_t *self) { return self->used; }
uint64_t wal_size(const wal_t *self) { return self->size; }
uint32_t wal_salt(const wal_t *self) { return self->salt; }
void wal_set_salt(wal_t *self, uint32_t salt) { self->salt = salt; }
