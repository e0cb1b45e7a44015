/* The notification daemon's outbound deliveries: a spool directory, SMTP
 * and signed webhooks, done off the daemon's command loop.
 *
 * One worker thread owns everything that can wait on the outside world: it
 * takes requests from a bounded queue, runs up to max_parallel SMTP and
 * webhook transfers at once with libcurl's multi interface, writes spool
 * files, and sends one result per request on a ZeroMQ inproc PAIR socket.
 * The daemon's loop polls that socket (ZMQ_POLLIN) and drains it with
 * channels_next_result. A receiver that hangs costs one transfer slot until
 * timeout_ms; other deliveries go on meanwhile.
 *
 * Results come in completion order, not submission order; match them by id.
 * Every accepted request gets exactly one result, unless channels_destroy
 * runs first. Delivery is at least once: a timeout after the receiver took
 * the message is RETRY, so receivers deduplicate by id (webhook-id header,
 * spool file name).
 *
 * Classification:
 *   spool    OK once <dir>/<id>.eml is written, fsynced, renamed into place
 *            and the directory fsynced (a file already there is OK: the id
 *            was spooled before). RETRY when the disk is full or failing
 *            (ENOSPC, EDQUOT, EIO, EMFILE...), FAILED otherwise (EACCES,
 *            EROFS, ENOTDIR...).
 *   smtp     OK when the server accepts the message (250). A 4xx reply is
 *            RETRY, a 5xx reply FAILED ("SMTP 550: ..."); a refused login is
 *            FAILED "authentication failed"; a malformed recipient is FAILED
 *            "invalid address" before anything is sent.
 *   webhook  2xx OK; 410 GONE (stop sending to that hook); 429 and 5xx
 *            RETRY, with retry_after_ms from a Retry-After header (on 429
 *            and 503; delta-seconds or an HTTP-date; capped at one day);
 *            3xx FAILED "redirect (HTTP 302) not followed"; other 4xx
 *            FAILED. Only http:// and https:// URLs: anything else is FAILED
 *            "invalid URL". A missing or undecodable secret is FAILED: a
 *            webhook is never sent unsigned.
 *   both     a refused connection, a timeout ("timeout after 10000 ms"), a
 *            connection closed before the whole response, DNS and TLS
 *            handshake errors are RETRY; so is any curl error not known to
 *            be permanent (better a retry than a lost notification).
 *   any      an id that cannot be a file name or header (see CHANNELS_ID_MAX
 *            and channels_submit) is FAILED "invalid id".
 * A webhook response body is read and dropped; past 1 MiB the transfer is
 * cut and judged on its status code alone.
 *
 * Threads: channels_new calls curl_global_init, which is not thread-safe,
 * so call it before any other thread of the process uses libcurl. All
 * functions here are for the one thread that owns the channels_t (the
 * daemon loop); the worker is internal. */
#ifndef THUKY_CHANNELS_H
#define THUKY_CHANNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { CHANNEL_SPOOL = 1, CHANNEL_SMTP, CHANNEL_WEBHOOK } channel_kind_t;

typedef enum {
    DELIVERY_OK = 1,    /* spool file written+fsynced, SMTP accepted (250), webhook 2xx */
    DELIVERY_RETRY,     /* transient; retry_after_ms may be set */
    DELIVERY_GONE,      /* webhook answered 410: stop sending to that hook */
    DELIVERY_FAILED,    /* permanent: retrying cannot help */
} delivery_status_t;

/* Longest id, in bytes: ids are 1 to CHANNELS_ID_MAX bytes of ASCII letters,
 * digits and "-_.:+=@", starting with a letter or digit. */
#define CHANNELS_ID_MAX 127

typedef struct {
    const char *id;             /* delivery id (idempotency key): webhook-id header, spool file name */
    channel_kind_t kind;
    const char *target;         /* spool: directory; smtp: recipient address; webhook: URL */
    const char *secret;         /* webhook: Standard Webhooks secret ("whsec_" + base64, or raw text) */
    const char *body;           /* spool/smtp: full RFC 5322 message; webhook: JSON body */
    size_t body_len;
    int64_t timestamp_s;        /* webhook-timestamp (unix seconds) */
} delivery_request_t;

typedef struct {
    char id[CHANNELS_ID_MAX + 1];
    delivery_status_t status;
    int64_t retry_after_ms;     /* 0 when none given */
    int http_code;              /* HTTP status or last SMTP reply code as received, 0 if none;
                                   a 200 whose body was cut short is still RETRY */
    char reason[256];           /* one line: "HTTP 500", "connection refused", ... */
} delivery_result_t;

typedef struct {
    const char *smtp_url;       /* "smtp://host:port" or "smtps://..."; "" or NULL = no SMTP */
    const char *smtp_user;      /* "" or NULL = no login */
    const char *smtp_password;
    bool smtp_starttls;         /* require TLS (STARTTLS on smtp://) */
    const char *mail_from;      /* envelope sender; required with SMTP */
    int timeout_ms;             /* per transfer, connecting included, e.g. 10000 */
    int queue_max;              /* requests submitted and not yet read back, e.g. 1024 */
    int max_parallel;           /* simultaneous transfers, e.g. 16 */
} channels_config_t;

typedef struct channels channels_t;

/* Starts the worker. Strings in cfg are copied. NULL on failure, with a
 * one-line reason in why (why_len bytes; why may be NULL): a bad setting
 * (timeout_ms, queue_max or max_parallel not positive, an SMTP URL that is
 * not smtp:// or smtps://, a malformed mail_from) or libcurl, ZeroMQ or
 * pthread failing. */
channels_t *channels_new(void *zmq_ctx, const channels_config_t *cfg, char *why, size_t why_len);

/* Takes new SMTP settings and timeout (SIGHUP); transfers already submitted
 * keep the ones they were submitted with. False, nothing changed, with a
 * reason in why when cfg is bad. queue_max and max_parallel are ignored. */
bool channels_reconfigure(channels_t *self, const channels_config_t *cfg, char *why,
                          size_t why_len);

/* Stops the worker and frees everything; transfers in flight are aborted
 * and requests still queued dropped, without results. Call it before the
 * ZeroMQ context is terminated. Sets *self_p to NULL; NULL is a no-op. */
void channels_destroy(channels_t **self_p);

/* The PAIR socket results arrive on; poll it for ZMQ_POLLIN. Owned by
 * self: do not close it, and read it only through channels_next_result. */
void *channels_results_socket(channels_t *self);

/* Copies the request (every string and the body) into the queue and wakes
 * the worker; never waits on the worker. False only when queue_max
 * requests are already outstanding (submitted and their results not yet
 * read with channels_next_result): the caller tries again later. A request
 * that cannot be delivered (an invalid id, kind, target or secret, SMTP not
 * configured) is still accepted and gets a FAILED result, with its id cut
 * to CHANNELS_ID_MAX bytes if longer. */
bool channels_submit(channels_t *self, const delivery_request_t *req);

/* Takes one result without waiting; false when none is waiting. */
bool channels_next_result(channels_t *self, delivery_result_t *out);

/* Requests submitted whose results have not been read yet: queued,
 * transferring, or waiting on the results socket. */
size_t channels_in_flight(const channels_t *self);

/* An http:// or https:// URL that curl can parse, at most
 * CHANNELS_URL_MAX bytes, without spaces or control characters. */
#define CHANNELS_URL_MAX 2000
bool channels_url_valid(const char *url);

#endif
