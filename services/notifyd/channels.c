#include "channels_private.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "base/i18n.h"
#include "base/log.h"
#include "domain/alert_text.h"

/* ---- Small helpers ------------------------------------------------------ */

static bool s_is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool s_valid_id(const char *id)
{
    size_t len = strlen(id);
    if (len == 0 || len > CHANNELS_ID_MAX || !s_is_alnum(id[0]))
        return false;
    for (size_t i = 0; i < len; i++)
        if (!s_is_alnum(id[i]) && !strchr("-_.:+=@", id[i]))
            return false;
    return true;
}

static char *s_copy(const char *s) { return xstrdup(s ? s : ""); }

/* ---- The worker --------------------------------------------------------- */

/* Starts one request: a spool write happens here and now; a transfer joins
 * the multi handle. Every path ends in a result or a running transfer. */
static void s_start(channels_t *self, job_t *job)
{
    bool transfer = false;
    if (!s_valid_id(job->id)) {
        channels_report(self, job, DELIVERY_FAILED, 0, 0, "invalid id");
    } else if (job->kind == CHANNEL_SPOOL) {
        channels_spool(self, job);
    } else if (job->kind == CHANNEL_SMTP) {
        transfer = channels_smtp_prepare(self, job);
    } else if (job->kind == CHANNEL_WEBHOOK) {
        transfer = channels_webhook_prepare(self, job);
    } else {
        channels_report(self, job, DELIVERY_FAILED, 0, 0, "unknown channel kind %d", (int)job->kind);
    }
    if (transfer) {
        CURLMcode mc = curl_multi_add_handle(self->multi, job->easy);
        if (mc == CURLM_OK) {
            for (size_t i = 0; i < self->max_parallel; i++) {
                if (!self->active[i]) {
                    self->active[i] = job;
                    self->active_count++;
                    return;
                }
            }
            fatalx("channels: no free transfer slot"); /* s_take_jobs checked */
        }
        channels_report(self, job, DELIVERY_RETRY, 0, 0, "curl_multi_add_handle: %s",
                 curl_multi_strerror(mc));
    }
    channels_job_free(job);
}

/* Starts queued requests while transfer slots are free, at most
 * max_parallel in one turn so that a run of spool writes cannot starve the
 * transfers. *more tells whether startable requests are left. False once
 * channels_destroy asked the worker to stop. */
static bool s_take_jobs(channels_t *self, bool *more)
{
    *more = false;
    for (size_t started = 0;; started++) {
        pthread_mutex_lock(&self->lock);
        bool stopping = self->stopping;
        bool can_start = !stopping && self->head && self->active_count < self->max_parallel;
        job_t *job = NULL;
        if (can_start && started < self->max_parallel) {
            job = self->head;
            self->head = job->next;
            if (!self->head)
                self->tail = NULL;
            job->next = NULL;
        }
        pthread_mutex_unlock(&self->lock);
        if (stopping)
            return false;
        if (!job) {
            *more = can_start;
            return true;
        }
        s_start(self, job);
    }
}

/* Reports finished transfers; returns how many finished (slots freed). */
static size_t s_collect(channels_t *self)
{
    size_t done = 0;
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(self->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        /* msg is invalid once its handle leaves the multi: copy first. */
        CURL *easy = msg->easy_handle;
        CURLcode rc = msg->data.result;
        curl_multi_remove_handle(self->multi, easy);
        for (size_t i = 0; i < self->max_parallel; i++) {
            job_t *job = self->active[i];
            if (job && job->easy == easy) {
                self->active[i] = NULL;
                self->active_count--;
                channels_transfer_done(self, job, rc);
                channels_job_free(job);
                done++;
                break;
            }
        }
    }
    return done;
}

static void *s_worker_main(void *arg)
{
    channels_t *self = arg;
    pthread_setname_np(pthread_self(), "notify-out");
    bool more;
    while (s_take_jobs(self, &more)) {
        int running = 0;
        CURLMcode mc = curl_multi_perform(self->multi, &running);
        if (mc != CURLM_OK)
            log_warnx("channels: curl_multi_perform: %s", curl_multi_strerror(mc));
        /* Freed slots may let queued requests start: no nap then. */
        size_t done = s_collect(self);
        curl_multi_poll(self->multi, NULL, 0, more || done > 0 ? 0 : CHANNELS_POLL_MS, NULL);
    }
    /* Stopping: abandon what is running; no results. */
    for (size_t i = 0; i < self->max_parallel; i++) {
        if (self->active[i]) {
            curl_multi_remove_handle(self->multi, self->active[i]->easy);
            channels_job_free(self->active[i]);
            self->active[i] = NULL;
        }
    }
    self->active_count = 0;
    return NULL;
}

/* ---- Public API --------------------------------------------------------- */

static pthread_once_t s_curl_once = PTHREAD_ONCE_INIT;
static CURLcode s_curl_rc;

static void s_curl_global_init(void) { s_curl_rc = curl_global_init(CURL_GLOBAL_DEFAULT); }

/* Writes why (fmt, marked with N_, in the log's language), frees the
 * half-built self, returns NULL. */
__attribute__((format(printf, 4, 5))) static channels_t *
s_new_failed(channels_t **self_p, char *why, size_t why_len, const char *fmt, ...)
{
    if (why && why_len > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, why_len, _(fmt), ap);
        va_end(ap);
    }
    channels_destroy(self_p);
    return NULL;
}

static void *s_pair(void *zmq_ctx)
{
    void *socket = zmq_socket(zmq_ctx, ZMQ_PAIR);
    if (!socket)
        return NULL;
    /* No high-water mark: results are few (at most queue_max outstanding)
     * and the worker must never block on a send. No linger at close. */
    int zero = 0;
    zmq_setsockopt(socket, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(socket, ZMQ_SNDHWM, &zero, sizeof zero);
    zmq_setsockopt(socket, ZMQ_RCVHWM, &zero, sizeof zero);
    return socket;
}

/* Checks and takes the transfer settings of cfg; the problem (in English,
 * marked with N_), or NULL. */
static const char *s_settings_set(settings_t *st, const channels_config_t *cfg)
{
    const char *url = cfg->smtp_url ? cfg->smtp_url : "";
    if (cfg->timeout_ms <= 0)
        return N_("timeout_ms must be positive");
    if (url[0]) {
        if (strncasecmp(url, "smtp://", 7) != 0 && strncasecmp(url, "smtps://", 8) != 0)
            return N_("SMTP URL must start with smtp:// or smtps://");
        if (!alert_text_addr_valid(cfg->mail_from))
            return N_("mail_from is not a valid address");
    }
    channels_settings_free(st);
    st->smtp_url = s_copy(cfg->smtp_url);
    st->smtp_user = s_copy(cfg->smtp_user);
    st->smtp_password = s_copy(cfg->smtp_password);
    st->smtp_starttls = cfg->smtp_starttls;
    st->timeout_ms = cfg->timeout_ms;
    char from[ALERT_TEXT_ADDR_MAX + 3];
    snprintf(from, sizeof from, "<%s>", cfg->mail_from ? cfg->mail_from : "");
    st->mail_from = xstrdup(from);
    return NULL;
}

bool channels_reconfigure(channels_t *self, const channels_config_t *cfg, char *why,
                          size_t why_len)
{
    settings_t fresh = {0};
    const char *problem = s_settings_set(&fresh, cfg);
    if (problem) {
        snprintf(why, why_len, "%s", _(problem));
        return false;
    }
    channels_settings_free(&self->settings);
    self->settings = fresh;
    return true;
}

channels_t *channels_new(void *zmq_ctx, const channels_config_t *cfg, char *why, size_t why_len)
{
    channels_t *self = xcalloc(1, sizeof *self);
    pthread_mutex_init(&self->lock, NULL);
    if (cfg->queue_max <= 0 || cfg->max_parallel <= 0)
        return s_new_failed(&self, why, why_len,
                            N_("queue_max and max_parallel must be positive"));
    const char *problem = s_settings_set(&self->settings, cfg);
    if (problem)
        return s_new_failed(&self, why, why_len, "%s", _(problem));
    self->queue_max = (size_t)cfg->queue_max;
    self->max_parallel = (size_t)cfg->max_parallel;
    self->active = xcalloc(self->max_parallel, sizeof *self->active);

    pthread_once(&s_curl_once, s_curl_global_init);
    if (s_curl_rc != CURLE_OK)
        return s_new_failed(&self, why, why_len, "curl_global_init: %s",
                            curl_easy_strerror(s_curl_rc));
    self->multi = curl_multi_init();
    if (!self->multi)
        return s_new_failed(&self, why, why_len, N_("curl_multi_init failed"));

    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "inproc://thuky-channels-%p", (void *)self);
    self->results = s_pair(zmq_ctx);
    self->reporter = s_pair(zmq_ctx);
    if (!self->results || !self->reporter || zmq_bind(self->results, endpoint) != 0 ||
        zmq_connect(self->reporter, endpoint) != 0)
        return s_new_failed(&self, why, why_len, N_("results socket: %s"),
                            zmq_strerror(zmq_errno()));

    /* The worker starts with every signal blocked: SIGTERM and SIGINT stay
     * with the main loop, and a stray SIGPIPE cannot land on the worker. The
     * reporter socket moves to the worker here; pthread_create is the
     * memory barrier ZeroMQ asks for when a socket changes threads. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&self->worker, NULL, s_worker_main, self);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0)
        return s_new_failed(&self, why, why_len, "pthread_create: %s", strerror(rc));
    self->started = true;
    return self;
}

void channels_destroy(channels_t **self_p)
{
    channels_t *self = *self_p;
    if (!self)
        return;
    if (self->started) {
        pthread_mutex_lock(&self->lock);
        self->stopping = true;
        pthread_mutex_unlock(&self->lock);
        curl_multi_wakeup(self->multi);
        pthread_join(self->worker, NULL);
    }
    while (self->head) {
        job_t *job = self->head;
        self->head = job->next;
        channels_job_free(job);
    }
    if (self->multi)
        curl_multi_cleanup(self->multi);
    if (self->reporter)
        zmq_close(self->reporter);
    if (self->results)
        zmq_close(self->results);
    pthread_mutex_destroy(&self->lock);
    free(self->active);
    channels_settings_free(&self->settings);
    free(self);
    *self_p = NULL;
}

void *channels_results_socket(channels_t *self) { return self->results; }

size_t channels_in_flight(const channels_t *self) { return self->in_flight; }

bool channels_submit(channels_t *self, const delivery_request_t *req)
{
    if (self->in_flight >= self->queue_max)
        return false;
    job_t *job = xcalloc(1, sizeof *job);
    job->kind = req->kind;
    channels_settings_copy(&job->settings, &self->settings);
    job->id = s_copy(req->id);
    job->target = s_copy(req->target);
    job->secret = s_copy(req->secret);
    job->body_len = req->body ? req->body_len : 0;
    job->body = xmalloc(job->body_len);
    if (job->body_len > 0)
        memcpy(job->body, req->body, job->body_len);
    job->timestamp_s = req->timestamp_s;

    pthread_mutex_lock(&self->lock);
    if (self->tail)
        self->tail->next = job;
    else
        self->head = job;
    self->tail = job;
    pthread_mutex_unlock(&self->lock);
    curl_multi_wakeup(self->multi);
    self->in_flight++;
    return true;
}

bool channels_next_result(channels_t *self, delivery_result_t *out)
{
    for (;;) {
        int n = zmq_recv(self->results, out, sizeof *out, ZMQ_DONTWAIT);
        if (n < 0)
            return false;
        if ((size_t)n != sizeof *out)
            continue; /* only the worker writes here: cannot happen */
        if (self->in_flight > 0)
            self->in_flight--;
        return true;
    }
}
