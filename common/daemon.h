/* What every thuky daemon does first: its command line (--config FILE,
 * --test-clock, --help), its configuration and its logging. */
#ifndef THUKY_DAEMON_H
#define THUKY_DAEMON_H

#include <stdbool.h>

#include "config.h"
#include "workcal.h"

/* Parses argv, loads the configuration and starts logging as name
 * ("thuky-taskd"); about is the one-paragraph description for --help.
 * Exits (0 after --help, 2 on bad usage, 1 on a bad configuration with one
 * line naming the cause). Returns whether the test clock is on. */
bool daemon_start(int argc, char **argv, const char *name, const char *about, config_t *cfg);

/* The working-day calendar with the configured override files; exits with
 * "calendar: FILE:LINE: reason" when one is malformed. */
workcal_t *daemon_calendar(const config_t *cfg);

#endif
