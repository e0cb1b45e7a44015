#include "base/log.h"

#include "base/i18n.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

static struct {
    const char *ident;
    log_level_t level;
    bool use_syslog;
} s_log = {"thuky", LOG_LEVEL_INFO, false};

static const char *const s_level_names[] = {"error", "warn", "info", "debug"};
static const int s_syslog_priority[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};

void log_init(const char *ident, log_level_t level, bool use_syslog)
{
    s_log.ident = ident;
    s_log.level = level;
    s_log.use_syslog = use_syslog;
    if (use_syslog)
        openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_level(log_level_t level) { s_log.level = level; }
log_level_t log_get_level(void) { return s_log.level; }

bool log_level_parse(const char *name, log_level_t *level)
{
    for (size_t i = 0; i < sizeof s_level_names / sizeof s_level_names[0]; i++) {
        if (strcmp(name, s_level_names[i]) == 0) {
            *level = (log_level_t)i;
            return true;
        }
    }
    return false;
}

static void s_vlog(log_level_t level, int errnum, const char *fmt, va_list ap)
{
    if (level > s_log.level)
        return;
    char line[2048];
    /* A person reads the journal too: in the process's language; debug
     * lines are for developers and stay as written. */
    if (level != LOG_LEVEL_DEBUG)
        fmt = i18n_text(i18n_language(), fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    if (n >= 0 && errnum != 0 && (size_t)n < sizeof line)
        snprintf(line + n, sizeof line - (size_t)n, ": %s", strerror(errnum));
    if (s_log.use_syslog) {
        syslog(s_syslog_priority[level], "%s", line);
    } else {
        /* "<N>" prefixes let journald assign priorities to stderr lines. */
        fprintf(stderr, "<%d>%s: %s: %s\n", s_syslog_priority[level], s_log.ident,
                s_level_names[level], line);
    }
}

#define LOG_BODY(level, errnum)              \
    do {                                     \
        va_list ap;                          \
        va_start(ap, fmt);                   \
        s_vlog((level), (errnum), fmt, ap);  \
        va_end(ap);                          \
    } while (0)

void log_warn(const char *fmt, ...) { int e = errno; LOG_BODY(LOG_LEVEL_WARN, e); }
void log_warnx(const char *fmt, ...) { LOG_BODY(LOG_LEVEL_WARN, 0); }
void log_info(const char *fmt, ...) { LOG_BODY(LOG_LEVEL_INFO, 0); }
void log_debug(const char *fmt, ...) { LOG_BODY(LOG_LEVEL_DEBUG, 0); }
void log_error(const char *fmt, ...) { LOG_BODY(LOG_LEVEL_ERROR, 0); }

void fatal(const char *fmt, ...)
{
    int e = errno;
    LOG_BODY(LOG_LEVEL_ERROR, e);
    exit(1);
}

void fatalx(const char *fmt, ...)
{
    LOG_BODY(LOG_LEVEL_ERROR, 0);
    exit(1);
}

void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        fatalx("out of memory (%zu bytes)", size);
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        fatalx("out of memory (%zu x %zu bytes)", count, size);
    return p;
}

void *xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (!p)
        fatalx("out of memory (%zu bytes)", size);
    return p;
}

void *xgrow(void *array, size_t count, size_t *cap, size_t elem_size)
{
    if (count < *cap)
        return array;
    *cap = *cap ? *cap * 2 : 16;
    return xrealloc(array, *cap * elem_size);
}

char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p)
        fatalx("out of memory");
    return p;
}

char *xstrndup(const char *s, size_t n)
{
    char *p = strndup(s, n);
    if (!p)
        fatalx("out of memory");
    return p;
}
