/* What the files of the channels share: channels.c (the public API and
 * the worker thread) -> channels_spool.c, channels_transfer.c (SMTP and
 * webhooks by libcurl) -> channels_result.c (a job's result, and freeing
 * it). Not for use outside services/notifyd/channels*.c. */
#ifndef THUKY_CHANNELS_PRIVATE_H
#define THUKY_CHANNELS_PRIVATE_H

#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>

#include "channels.h"

/* The worker's longest nap: curl shortens it to its own timers, a submit or
 * channels_destroy ends it at once (curl_multi_wakeup). */
#define CHANNELS_POLL_MS 1000
/* Response bytes read (and dropped) before a transfer is cut. */
#define CHANNELS_RESPONSE_MAX (1024 * 1024)
/* A Retry-After beyond this is taken as this: a hostile or broken header
 * must not park a delivery for years. */
#define CHANNELS_RETRY_AFTER_MAX_S 86400
#define CHANNELS_USER_AGENT "thuky-notifyd"

/* The settings a transfer uses. Each job carries its own copy, made at
 * submit, so that channels_reconfigure (main thread) never races the
 * worker and a transfer in flight keeps the settings it started with. */
typedef struct {
    char *smtp_url, *smtp_user, *smtp_password, *mail_from; /* mail_from as "<addr>" */
    bool smtp_starttls;
    int timeout_ms;
} settings_t;

typedef struct job job_t;
struct job {
    job_t *next;
    channel_kind_t kind;
    settings_t settings;
    char *id, *target, *secret;
    char *body;
    size_t body_len;
    int64_t timestamp_s;
    /* Transfer state, touched by the worker only. */
    CURL *easy;
    struct curl_slist *list;    /* HTTP headers or SMTP recipients */
    size_t sent;                /* SMTP upload offset */
    size_t received;            /* response bytes dropped */
    bool cut;                   /* we stopped reading past CHANNELS_RESPONSE_MAX */
    char errbuf[CURL_ERROR_SIZE];
};

struct channels {
    settings_t settings;        /* main thread only */
    size_t queue_max, max_parallel;

    void *results;              /* the main thread's end of the PAIR */
    void *reporter;             /* the worker's end */
    CURLM *multi;               /* the worker's; curl_multi_wakeup is safe from any thread */
    pthread_t worker;
    bool started;

    pthread_mutex_t lock;       /* guards the queue and stopping */
    job_t *head, *tail;
    bool stopping;

    job_t **active;             /* worker only: max_parallel slots of running transfers */
    size_t active_count;

    size_t in_flight;           /* main thread only */
};

/* channels_result.c */
__attribute__((format(printf, 6, 7))) void channels_report(channels_t *self, const job_t *job,
                                                          delivery_status_t status, long code,
                                                          int64_t retry_after_ms,
                                                          const char *fmt, ...);
void channels_settings_free(settings_t *st);
void channels_settings_copy(settings_t *dst, const settings_t *src);
void channels_job_free(job_t *job);

/* channels_spool.c: writes the job's file; reports the result. */
void channels_spool(channels_t *self, const job_t *job);

/* channels_transfer.c: sets up a job's transfer (false: reported as
 * failed already), and judges it when curl is done with it. */
bool channels_smtp_prepare(channels_t *self, job_t *job);
bool channels_webhook_prepare(channels_t *self, job_t *job);
void channels_transfer_done(channels_t *self, job_t *job, CURLcode rc);

#endif
