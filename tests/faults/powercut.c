/* A test-only LD_PRELOAD shim for the power-loss simulation
 * (test_power_loss.py): it records every write and every sync a daemon
 * makes on its store's two files (data.mdb, wal.log) into a trace file, so
 * that the test can build the disk images a power cut could have left.
 *
 * $POWERCUT_TRACE is the trace (appended with O_APPEND, one write(2) per
 * event, so the test's own "acknowledged" events interleave in the order
 * they happened); $POWERCUT_DIR is the store directory. An event is
 *   u32 magic | u8 type | u8 file | u16 0 | u32 length | u64 offset | data
 * A sync is two events: SYNC_BEGIN before the call and SYNC_END after it
 * returned 0, so a write that ended before the sync began is durable once
 * it ends, and one that overlaps it is not known to be. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

/* EV_WRITE_DURABLE: a write on a descriptor opened O_DSYNC or O_SYNC (LMDB
 * writes its meta pages so), on disk when it returns. */
enum { EV_WRITE = 1, EV_SYNC_BEGIN = 2, EV_SYNC_END = 3, EV_TRUNCATE = 4, EV_WRITE_DURABLE = 5 };
enum { F_NONE = 0, F_DATA = 1, F_WAL = 2 };
#define MAGIC 0x54554350u /* "PCUT" */
#define MAX_FD 4096

static int s_trace = -1;
static char s_dir[4096];
static size_t s_dir_len;
static unsigned char s_kind[MAX_FD];
static unsigned char s_dsync[MAX_FD];

static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static ssize_t (*real_pwritev)(int, const struct iovec *, int, off_t);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_ftruncate)(int, off_t);
static int (*real_close)(int);
static int (*real_open)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);

__attribute__((constructor)) static void s_init(void)
{
    real_pwrite = dlsym(RTLD_NEXT, "pwrite64");
    real_write = dlsym(RTLD_NEXT, "write");
    real_writev = dlsym(RTLD_NEXT, "writev");
    real_pwritev = dlsym(RTLD_NEXT, "pwritev64");
    real_fsync = dlsym(RTLD_NEXT, "fsync");
    real_fdatasync = dlsym(RTLD_NEXT, "fdatasync");
    real_ftruncate = dlsym(RTLD_NEXT, "ftruncate64");
    real_close = dlsym(RTLD_NEXT, "close");
    real_open = dlsym(RTLD_NEXT, "open64");
    real_openat = dlsym(RTLD_NEXT, "openat64");
    const char *trace = getenv("POWERCUT_TRACE"), *dir = getenv("POWERCUT_DIR");
    if (!trace || !dir)
        return;
    snprintf(s_dir, sizeof s_dir, "%s/", dir);
    s_dir_len = strlen(s_dir);
    s_trace = (int)syscall(SYS_openat, AT_FDCWD, trace, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
                           0600);
}

static int s_kind_of(const char *path)
{
    if (s_trace < 0 || strncmp(path, s_dir, s_dir_len) != 0)
        return F_NONE;
    const char *name = path + s_dir_len;
    if (strcmp(name, "data.mdb") == 0)
        return F_DATA;
    if (strcmp(name, "wal.log") == 0)
        return F_WAL;
    return F_NONE;
}

static void s_track(int fd, const char *path, int flags)
{
    if (fd >= 0 && fd < MAX_FD) {
        s_kind[fd] = (unsigned char)s_kind_of(path);
        s_dsync[fd] = (flags & (O_DSYNC | O_SYNC)) != 0;
    }
}

static int s_write_type(int fd) { return fd >= 0 && fd < MAX_FD && s_dsync[fd] ? EV_WRITE_DURABLE : EV_WRITE; }

static int s_kind_fd(int fd) { return fd >= 0 && fd < MAX_FD ? s_kind[fd] : F_NONE; }

static void s_emit(int type, int kind, uint64_t offset, const struct iovec *iov, int iovcnt,
                   size_t len)
{
    uint8_t h[20];
    uint32_t magic = MAGIC, len32 = (uint32_t)len;
    memcpy(h, &magic, 4);
    h[4] = (uint8_t)type;
    h[5] = (uint8_t)kind;
    h[6] = h[7] = 0;
    memcpy(h + 8, &len32, 4);
    memcpy(h + 12, &offset, 8);
    struct iovec all[1 + 64];
    all[0] = (struct iovec){h, sizeof h};
    int n = 1;
    size_t left = len;
    for (int i = 0; i < iovcnt && left > 0 && n < 65; i++) {
        size_t take = iov[i].iov_len < left ? iov[i].iov_len : left;
        all[n++] = (struct iovec){iov[i].iov_base, take};
        left -= take;
    }
    int saved = errno;
    /* one writev: O_APPEND keeps the event whole and in order */
    if (real_writev(s_trace, all, n) < 0)
        abort();
    errno = saved;
}

int open64(const char *path, int flags, ...)
{
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = va_arg(ap, mode_t);
        va_end(ap);
    }
    int fd = real_open(path, flags, mode);
    s_track(fd, path, flags);
    return fd;
}
int open(const char *path, int flags, ...) __attribute__((alias("open64")));

int openat64(int dirfd, const char *path, int flags, ...)
{
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = va_arg(ap, mode_t);
        va_end(ap);
    }
    int fd = real_openat(dirfd, path, flags, mode);
    s_track(fd, path, flags);
    return fd;
}
int openat(int dirfd, const char *path, int flags, ...) __attribute__((alias("openat64")));

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    ssize_t r = real_pwrite(fd, buf, n, off);
    int kind = s_kind_fd(fd);
    if (kind && r > 0) {
        struct iovec v = {(void *)buf, (size_t)r};
        s_emit(s_write_type(fd), kind, (uint64_t)off, &v, 1, (size_t)r);
    }
    return r;
}
ssize_t pwrite(int fd, const void *buf, size_t n, off_t off) __attribute__((alias("pwrite64")));

ssize_t write(int fd, const void *buf, size_t n)
{
    int kind = s_kind_fd(fd);
    off_t off = kind ? lseek(fd, 0, SEEK_CUR) : 0;
    ssize_t r = real_write(fd, buf, n);
    if (kind && r > 0) {
        struct iovec v = {(void *)buf, (size_t)r};
        s_emit(s_write_type(fd), kind, (uint64_t)off, &v, 1, (size_t)r);
    }
    return r;
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt)
{
    int kind = s_kind_fd(fd);
    off_t off = kind ? lseek(fd, 0, SEEK_CUR) : 0;
    ssize_t r = real_writev(fd, iov, iovcnt);
    if (kind && r > 0)
        s_emit(s_write_type(fd), kind, (uint64_t)off, iov, iovcnt, (size_t)r);
    return r;
}

ssize_t pwritev64(int fd, const struct iovec *iov, int iovcnt, off_t off)
{
    ssize_t r = real_pwritev(fd, iov, iovcnt, off);
    int kind = s_kind_fd(fd);
    if (kind && r > 0)
        s_emit(s_write_type(fd), kind, (uint64_t)off, iov, iovcnt, (size_t)r);
    return r;
}
ssize_t pwritev(int fd, const struct iovec *iov, int iovcnt, off_t off)
    __attribute__((alias("pwritev64")));

/* Two threads may sync one file at once (the log's writer and the
 * checkpoint's syncer): the offset field pairs a sync's two events. */
static int s_sync(int fd, int (*real)(int))
{
    static _Atomic uint64_t next_id;
    int kind = s_kind_fd(fd);
    uint64_t id = kind ? ++next_id : 0;
    if (kind)
        s_emit(EV_SYNC_BEGIN, kind, id, NULL, 0, 0);
    int r = real(fd);
    if (kind && r == 0)
        s_emit(EV_SYNC_END, kind, id, NULL, 0, 0);
    return r;
}

int close(int fd)
{
    if (fd >= 0 && fd < MAX_FD)
        s_kind[fd] = F_NONE;
    return real_close(fd);
}

int fsync(int fd) { return s_sync(fd, real_fsync); }
int fdatasync(int fd) { return s_sync(fd, real_fdatasync); }

int ftruncate64(int fd, off_t len)
{
    int r = real_ftruncate(fd, len);
    int kind = s_kind_fd(fd);
    if (kind && r == 0)
        s_emit(EV_TRUNCATE, kind, (uint64_t)len, NULL, 0, 0);
    return r;
}
int ftruncate(int fd, off_t len) __attribute__((alias("ftruncate64")));
