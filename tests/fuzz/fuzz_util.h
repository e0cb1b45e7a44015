/* What every fuzz target may need: quiet logging, notes about findings
 * that are not crashes, the working-day calendar, temporary files. */
#ifndef THUKY_FUZZ_UTIL_H
#define THUKY_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "calendar/workcal.h"

/* Logging at error level ($THUKY_FUZZ_LOG=warn, info or debug for more);
 * stdout to /dev/null. */
void fuzz_quiet(void);
/* A finding worth a look that is not a crash (e.g. an INTERNAL reply):
 * once per distinct text, to $THUKY_FUZZ_NOTES (appended) or stderr.
 * With $THUKY_FUZZ_STRICT set (to 1, or to a part of the note's text) it
 * aborts, so libFuzzer keeps the input. */
void fuzz_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The computed calendar with deploy/calendar's overrides when found. */
workcal_t *fuzz_calendar(void);

/* A writable temporary directory, made once per process and removed at exit
 * (or by the next target started after a crash). */
const char *fuzz_tmpdir(void);
/* Writes data to path (created or truncated); aborts on failure. */
void fuzz_write_file(const char *path, const uint8_t *data, size_t size);
/* Removes a directory tree. */
void fuzz_remove_tree(const char *dir);

#endif
