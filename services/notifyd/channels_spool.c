/* The spool: a delivery as the file <dir>/<id>.eml, written, fsynced,
 * renamed into place and the directory fsynced. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "runtime/paths.h"
#include "channels_private.h"

static bool s_transient_errno(int err)
{
    return err == ENOSPC || err == EDQUOT || err == EIO || err == EINTR || err == EAGAIN ||
           err == EMFILE || err == ENFILE || err == ENOMEM || err == EBUSY;
}

static void s_spool_fail(channels_t *self, const job_t *job, const char *what, const char *path,
                         int err)
{
    char buf[128];
    const char *text = strerror_r(err, buf, sizeof buf); /* the GNU one: thread-safe */
    channels_report(self, job, s_transient_errno(err) ? DELIVERY_RETRY : DELIVERY_FAILED, 0, 0,
             "spool: cannot %s %s: %s", what, path, text);
}

static int s_write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* <dir>/<id>.eml appears whole or not at all: written under a hidden temp
 * name in the same directory (readers skip dot files), fsynced, renamed,
 * then the directory fsynced. A crash can leave a ".<id>.eml.XXXXXX" temp
 * behind, never a partial .eml. */
void channels_spool(channels_t *self, const job_t *job)
{
    const char *dir = job->target;
    if (!dir[0]) {
        channels_report(self, job, DELIVERY_FAILED, 0, 0, "no spool directory");
        return;
    }
    char path[PATH_MAX], tmp[PATH_MAX];
    int n1 = snprintf(path, sizeof path, "%s/%s.eml", dir, job->id);
    int n2 = snprintf(tmp, sizeof tmp, "%s/.%s.eml.XXXXXX", dir, job->id);
    if (n1 < 0 || n2 < 0 || (size_t)n1 >= sizeof path || (size_t)n2 >= sizeof tmp) {
        channels_report(self, job, DELIVERY_FAILED, 0, 0, "spool path too long");
        return;
    }
    if (paths_mkdir_p(dir, 0750) != 0) {
        s_spool_fail(self, job, "create", dir, errno);
        return;
    }
    struct stat st;
    if (stat(path, &st) == 0) {
        /* Spooled before; its rename may not have reached the disk yet. */
        if (paths_fsync_dir(dir) != 0)
            s_spool_fail(self, job, "fsync", dir, errno);
        else
            channels_report(self, job, DELIVERY_OK, 0, 0, "already spooled");
        return;
    }
    if (errno != ENOENT) {
        s_spool_fail(self, job, "stat", path, errno);
        return;
    }
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        s_spool_fail(self, job, "create", tmp, errno);
        return;
    }
    const char *what = NULL;
    if (fchmod(fd, 0640) != 0 || s_write_all(fd, job->body, job->body_len) != 0)
        what = "write";
    else if (fsync(fd) != 0)
        what = "fsync";
    int err = errno;
    if (close(fd) != 0 && !what) {
        what = "close";
        err = errno;
    }
    if (!what && rename(tmp, path) != 0) {
        what = "rename";
        err = errno;
    }
    bool ok = !what;
    if (!ok) {
        unlink(tmp);
        s_spool_fail(self, job, what, tmp, err);
        return;
    }
    if (paths_fsync_dir(dir) != 0)
        s_spool_fail(self, job, "fsync", dir, errno);
    else
        channels_report(self, job, DELIVERY_OK, 0, 0, "spooled");
}
