/* An event subscriber that applies each event of one source exactly once.
 *
 * It listens on the source's PUB socket and reads the source's log with
 * "events.read" whenever it is behind: at start, on a gap in the sequence,
 * and when a heartbeat announces a newer sequence than it has applied.
 * With a store, each batch of events is applied in one write transaction
 * that also records the last applied sequence (the offset), so a crash
 * never applies an event twice nor skips one. Catch-up requests are
 * asynchronous: the owner polls both sockets and calls the tick, so a slow
 * or dead publisher never stalls the owner's loop. */
#ifndef THUKY_SUBSCRIBER_H
#define THUKY_SUBSCRIBER_H

#include <stdbool.h>
#include <stdint.h>

#include "base/i18n.h"
#include "runtime/curve.h"
#include "runtime/store.h"
#include "thuky/event.pb-c.h"

typedef struct subscriber subscriber_t;

/* Applies one event; txn is the consumer's write transaction (NULL without
 * a store). Store failures set txn's sticky error and the batch is redone. */
typedef void (*subscriber_apply_fn)(void *arg, store_txn_t *txn, const Thuky__Event *event);

/* Called after each batch: committed, or aborted (to be redone). A consumer
 * that appends its own events while applying publishes them on commit and
 * forgets them on abort. May be NULL. */
typedef void (*subscriber_done_fn)(void *arg, bool committed);

typedef struct {
    const char *name;               /* the source's name, key of the offset */
    const char *command_endpoint;   /* the source's ROUTER (events.read) */
    const char *events_endpoint;    /* the source's PUB */
    const char *type_prefix;        /* "" = every event */
    store_t *store;                 /* NULL: offset kept in memory only */
    MDB_dbi meta_dbi;               /* where the offset lives */
    uint64_t start_after;           /* without a store: first seq - 1 */
    int timeout_ms;                 /* for one catch-up request */
    const curve_client_t *curve;    /* keys for tcp:// endpoints; NULL on ipc */
    subscriber_apply_fn apply;
    subscriber_done_fn done;
    void *arg;
} subscriber_options_t;

subscriber_t *subscriber_new(void *zmq_ctx, const subscriber_options_t *options);
void subscriber_destroy(subscriber_t **self_p);
/* The two sockets the owner polls for input. */
void *subscriber_events_socket(subscriber_t *self);
void *subscriber_command_socket(subscriber_t *self);
void subscriber_on_events(subscriber_t *self);
void subscriber_on_reply(subscriber_t *self);
/* Resends a timed-out catch-up; returns ms until it wants to run again. */
int64_t subscriber_tick(subscriber_t *self);
/* For a program whose only input is this subscriber: waits up to
 * timeout_ms for input, handles it and runs the tick. Returns -1 when
 * interrupted by a signal or on a poll failure (errno from zmq), else 0. */
int subscriber_poll(subscriber_t *self, long timeout_ms);
uint64_t subscriber_offset(const subscriber_t *self);
const char *subscriber_name(const subscriber_t *self);
/* The newest sequence the source announced (heartbeat, reply or event). */
uint64_t subscriber_known_last(const subscriber_t *self);
bool subscriber_caught_up(const subscriber_t *self);
/* Why the applied offset no longer counts in the source's log ("" while in
 * step). A diverged subscription applies nothing until resynced. It
 * diverges when the source gives another log id (its store was replaced),
 * when a page shows the source's log ending before the offset (restored
 * from an older backup), or when the source's event at the offset is not
 * the one applied (restored, then written to). In the language the daemon
 * had when it diverged: it is kept in the store. */
const char *subscriber_problem(const subscriber_t *self);
/* Where a resync starts by default: the source's last sequence when a
 * short log was seen, 0 for another log, UINT64_MAX when not known. */
uint64_t subscriber_resync_from(const subscriber_t *self);
/* The source log the offset counts in (or the one last seen). */
const char *subscriber_log_id(const subscriber_t *self);
/* Writes, in txn, a new offset in the source's present log: after `from`
 * when from_given, else after subscriber_resync_from(). Clears the
 * divergence; the subscriber rereads its state from the store before it
 * applies anything more, so an aborted txn leaves it as it was. false with
 * a reason (nothing written) when from is past the source's end, or when no
 * default applies, in lang. */
bool subscriber_resync(subscriber_t *self, store_txn_t *txn, bool from_given, uint64_t from,
                       uint64_t *from_out, lang_t lang, char *why, size_t why_len);
/* Reads the stored offset of a source (0 when none). */
uint64_t subscriber_stored_offset(store_txn_t *txn, MDB_dbi meta_dbi, const char *name);

#endif
