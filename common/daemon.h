/* What every thuky daemon does first: its command line (--config FILE,
 * --test-clock, --help), its configuration and its logging. */
#ifndef THUKY_DAEMON_H
#define THUKY_DAEMON_H

#include <stdbool.h>

#include "config.h"
#include "server.h"
#include "subscriber.h"
#include "workcal.h"

/* Parses argv, loads the configuration and starts logging as name
 * ("thuky-taskd"); about is the one-paragraph description for --help.
 * Exits (0 after --help, 2 on bad usage, 1 on a bad configuration with one
 * line naming the cause). Returns whether the test clock is on. */
bool daemon_start(int argc, char **argv, const char *name, const char *about, config_t *cfg);

/* Exits with one line when dir exists but belongs to another user: files
 * this daemon created there would be unreadable to the rightful owner. */
void daemon_check_state_dir(const char *dir);

/* The working-day calendar with the configured override files; exits with
 * "calendar: FILE:LINE: reason" when one is malformed. */
workcal_t *daemon_calendar(const config_t *cfg);

/* Follows another daemon's events (those whose type starts with prefix):
 * a subscriber on source's endpoints that keeps its offset in meta_dbi of
 * the server's store, polled by the server's loop, its progress shown by
 * `status`. Destroy it after server_run returns. */
subscriber_t *daemon_follow(server_t *server, void *zmq_ctx, const config_t *cfg,
                            service_id_t source, const char *prefix, MDB_dbi meta_dbi,
                            subscriber_apply_fn apply, subscriber_done_fn done, void *arg);

#endif
