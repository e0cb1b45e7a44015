/* What every thuky daemon does first: its command line (--config FILE,
 * --test-clock, --help), its configuration and its logging. */
#ifndef THUKY_DAEMON_H
#define THUKY_DAEMON_H

#include <stdbool.h>

#include "calendar/workcal.h"
#include "runtime/config.h"
#include "runtime/server.h"
#include "runtime/subscriber.h"
#include "service/calendar_watch.h"

/* Parses argv, loads the configuration and starts logging as name
 * ("thuky-taskd"); about is the one-paragraph description for --help
 * (English, marked N_()). Exits (0 after --help, 2 on bad usage, 1 on a bad
 * configuration with one line naming the cause). Speaks Vietnamese until
 * the configuration is read (a bad one is described in its own language as
 * far as it was read), then [core] language. Returns whether the test
 * clock is on. */
bool daemon_start(int argc, char **argv, const char *name, const char *about, config_t *cfg);

/* Exits with one line when dir exists but belongs to another user: files
 * this daemon created there would be unreadable to the rightful owner. */
void daemon_check_state_dir(const char *dir);
/* A daemon's store: its map size and its write-ahead log, from its section
 * of the config (the checkpoint size at most a quarter of the log). */
store_options_t daemon_store_options(const config_service_t *svc);

/* The working-day calendar with the configured override files; exits with
 * "calendar: FILE:LINE: reason" when one is malformed. */
workcal_t *daemon_calendar(const config_t *cfg);

/* SIGHUP: loads the override files again into *calendar. A bad file is
 * logged and changes nothing (the old calendar stays); returns whether a
 * new calendar is in place. */
bool daemon_calendar_reload(const config_t *cfg, workcal_t **calendar);

/* What a daemon recomputes from the calendar when it changed: in txn, with
 * its events appended to the server's log; now_ms is the daemon's clock. */
typedef void (*daemon_recompute_fn)(void *arg, store_txn_t *txn,
                                    const calendar_change_t *change, int64_t now_ms);

/* At start and after daemon_calendar_reload: when calendar differs from the
 * one recorded with the store (calendar_watch.h), runs recompute and records
 * calendar in one transaction, then publishes the events. A failed commit
 * records nothing: the next reload or start tries again. */
void daemon_calendar_sync(server_t *server, MDB_dbi meta_dbi, const workcal_t *calendar,
                          daemon_recompute_fn recompute, void *arg);

/* Follows another daemon's events (those whose type starts with prefix):
 * a subscriber on source's endpoints that keeps its offset in meta_dbi of
 * the server's store, polled by the server's loop, its progress shown by
 * `status`. Destroy it after server_run returns. */
subscriber_t *daemon_follow(server_t *server, void *zmq_ctx, const config_t *cfg,
                            service_id_t source, const char *prefix, MDB_dbi meta_dbi,
                            subscriber_apply_fn apply, subscriber_done_fn done, void *arg);

#endif
