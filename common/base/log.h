/* Logging: levels, to stderr (default, systemd style) or syslog/journal.
 *
 * log_warn() appends strerror(errno); log_warnx() does not. fatal() and
 * fatalx() log and exit(1): only for a broken internal invariant or a
 * startup failure, never for bad input from outside. */
#ifndef THUKY_LOG_H
#define THUKY_LOG_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    LOG_LEVEL_ERROR = 0,
    LOG_LEVEL_WARN,
    LOG_LEVEL_INFO,
    LOG_LEVEL_DEBUG,
} log_level_t;

/* ident names the process in every line ("thuky-taskd"). */
void log_init(const char *ident, log_level_t level, bool use_syslog);
void log_set_level(log_level_t level);
log_level_t log_get_level(void);
/* "error", "warn", "info", "debug" -> level; false if unknown. */
bool log_level_parse(const char *name, log_level_t *level);

#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))
void log_warn(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_warnx(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_info(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_debug(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_error(const char *fmt, ...) LOG_PRINTF(1, 2);
_Noreturn void fatal(const char *fmt, ...) LOG_PRINTF(1, 2);
_Noreturn void fatalx(const char *fmt, ...) LOG_PRINTF(1, 2);

/* Allocation that aborts on failure: out of memory is not recoverable here. */
void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Room for one more element after count: doubles *cap (from 16) when the
 * array is full. The one way a growing array grows. */
void *xgrow(void *array, size_t count, size_t *cap, size_t elem_size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
