#include "fuzz_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"

void fuzz_quiet(void)
{
    log_level_t level = LOG_LEVEL_ERROR;
    const char *name = getenv("THUKY_FUZZ_LOG");
    if (name && !log_level_parse(name, &level))
        level = LOG_LEVEL_DEBUG;
    log_init("thuky-fuzz", level, false);
    if (!freopen("/dev/null", "w", stdout))
        abort();
}

void fuzz_note(const char *fmt, ...)
{
    static uint64_t seen[256];
    static size_t n_seen;
    char text[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (const char *p = text; *p; p++)
        h = (h ^ (uint8_t)*p) * 1099511628211ULL;
    for (size_t i = 0; i < n_seen; i++)
        if (seen[i] == h)
            return;
    if (n_seen == sizeof seen / sizeof seen[0])
        return;
    seen[n_seen++] = h;
    const char *path = getenv("THUKY_FUZZ_NOTES");
    FILE *f = path && *path ? fopen(path, "a") : NULL;
    fprintf(f ? f : stderr, "fuzz note: %s\n", text);
    if (f)
        fclose(f);
    const char *strict = getenv("THUKY_FUZZ_STRICT");
    if (strict && (!*strict || strcmp(strict, "1") == 0 || strstr(text, strict))) {
        fprintf(stderr, "fuzz: THUKY_FUZZ_STRICT: %s\n", text);
        abort(); /* so that libFuzzer keeps the input */
    }
}

workcal_t *fuzz_calendar(void)
{
    static workcal_t *calendar;
    if (!calendar) {
        char why[512];
        calendar = workcal_load("deploy/calendar", why, sizeof why);
        if (!calendar)
            calendar = workcal_load(NULL, why, sizeof why);
        if (!calendar) {
            fprintf(stderr, "fuzz: calendar: %s\n", why);
            abort();
        }
    }
    return calendar;
}

static int s_remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

void fuzz_remove_tree(const char *dir)
{
    nftw(dir, s_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static char s_tmpdir[64];

static void s_remove_tmpdir(void) { fuzz_remove_tree(s_tmpdir); }

/* A run that crashed never removed its directory: those of processes that
 * are gone ("/tmp/thuky-fuzz-PID-XXXXXX") go now. */
static void s_remove_stale(void)
{
    DIR *d = opendir("/tmp");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        int pid = 0, end = 0;
        if (sscanf(e->d_name, "thuky-fuzz-%d-%n", &pid, &end) == 1 && end > 0 && pid > 0 &&
            kill(pid, 0) != 0 && errno == ESRCH) {
            char path[300];
            snprintf(path, sizeof path, "/tmp/%s", e->d_name);
            fuzz_remove_tree(path);
        }
    }
    if (d)
        closedir(d);
}

const char *fuzz_tmpdir(void)
{
    if (!s_tmpdir[0]) {
        s_remove_stale();
        snprintf(s_tmpdir, sizeof s_tmpdir, "/tmp/thuky-fuzz-%d-XXXXXX", (int)getpid());
        if (!mkdtemp(s_tmpdir)) {
            perror("fuzz: mkdtemp");
            abort();
        }
        atexit(s_remove_tmpdir);
    }
    return s_tmpdir;
}

void fuzz_write_file(const char *path, const uint8_t *data, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        perror(path);
        abort();
    }
    while (size > 0) {
        ssize_t n = write(fd, data, size);
        if (n <= 0) {
            perror(path);
            abort();
        }
        data += n;
        size -= (size_t)n;
    }
    close(fd);
}
