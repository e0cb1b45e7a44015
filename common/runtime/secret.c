#include "runtime/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/i18n.h"

int secret_file_read(const char *path, bool restricted, char *out, size_t cap, char *why,
                     size_t why_len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        snprintf(why, why_len, _("cannot read %s: %s"), path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(why, why_len, _("%s is not a regular file"), path);
        close(fd);
        return -1;
    }
    if (restricted && (st.st_mode & 0007)) {
        snprintf(why, why_len, _("%s may be read by others (mode %04o); chmod o= it"), path,
                 (unsigned)(st.st_mode & 07777));
        close(fd);
        return -1;
    }
    if ((size_t)st.st_size >= cap) {
        snprintf(why, why_len, _("%s is larger than %zu bytes"), path, cap - 1);
        close(fd);
        return -1;
    }
    size_t len = 0;
    while (len < cap - 1) {
        ssize_t n = read(fd, out + len, cap - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(why, why_len, _("cannot read %s: %s"), path, strerror(errno));
            close(fd);
            secret_wipe(out, cap);
            return -1;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == '\r'))
        len--;
    out[len] = '\0';
    if (len == 0) {
        snprintf(why, why_len, _("%s is empty"), path);
        return -1;
    }
    return 0;
}

void secret_wipe(void *buf, size_t len)
{
    /* explicit_bzero is not optimised away like a memset before free. */
    explicit_bzero(buf, len);
}
