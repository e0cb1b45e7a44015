/* The live feed: one stream over the three daemons' event logs.
 *
 * webd follows each daemon's PUB socket (subscriber.h, offsets in memory)
 * and keeps the last FEED_RING events of each, rendered once as
 * structured-mode CloudEvents JSON, for every stream to share. A position
 * in the feed is the vector of the three sequences, written
 * "t=SEQ,s=SEQ,n=SEQ" (taskd, sessiond, notifyd): the SSE id of each event
 * is the position just after it, so Last-Event-ID resumes exactly. A
 * position older than the ring is read back from the daemon's durable log
 * (events.read), so a resume has no gap and no repeat, across restarts of
 * webd and of the daemons alike.
 *
 * A stream with nothing to send is suspended (libmicrohttpd) and resumed
 * when an event comes, or every FEED_PING_MS to send ": ping", which is
 * also how a client that went away is noticed and dropped. */
#ifndef THUKY_WEB_FEED_H
#define THUKY_WEB_FEED_H
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "web_http.h"

#define FEED_RING 1024
#define FEED_PING_MS 15000
#define FEED_SOURCES 3
#define FEED_POSITION_MAX 80

typedef struct {
    uint64_t seq[FEED_SOURCES];   /* taskd, sessiond, notifyd: the last seen */
} feed_position_t;

/* Who reads: an office sees its own tasks' and alerts' events and the
 * sittings; "" sees everything. type_prefix filters ("task.", "alert."). */
typedef struct {
    char office[CONFIG_OFFICE_MAX];
    char type_prefix[64];
} feed_filter_t;

web_feed_t *web_feed_new(webd_t *webd);
/* Stopping: every stream ends at its next turn (libmicrohttpd may not stop
 * with a connection suspended). Destroy the feed after the HTTP side. */
void web_feed_end_streams(web_feed_t *self);
void web_feed_destroy(web_feed_t **self_p);

/* Parses "t=1,s=2,n=3" (any order, any subset; missing = 0). */
bool feed_position_parse(const char *text, feed_position_t *out);
void feed_position_format(const feed_position_t *p, char out[FEED_POSITION_MAX]);
/* Where the feed is now (the newest event of each source seen). */
feed_position_t web_feed_now(const web_feed_t *self);
/* The time of the newest event from taskd and sessiond (for calendars). */
int64_t web_feed_changed_ms(const web_feed_t *self);

/* Serves a Server-Sent Events stream after `from` to req; it ends when
 * token_id ("" for none) is revoked. */
void web_feed_stream(web_feed_t *self, web_request_t *req, const feed_position_t *from,
                     const feed_filter_t *filter, const char *token_id);
/* Appends to the JSON array out at most limit events after *from that
 * pass the filter, advancing *from past every event looked at (at most
 * SCAN_MAX a call: a page may be empty yet move on). Returns how many; -1
 * with err when a daemon could not be read. */
int web_feed_page(web_feed_t *self, feed_position_t *from, const feed_filter_t *filter,
                  int limit, json_t *out, backend_error_t *err);

#endif
