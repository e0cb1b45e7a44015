#include "channels.h"

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

#include "log.h"
#include "paths.h"
#include "webhook_sign.h"

/* The worker's longest nap: curl shortens it to its own timers, a submit or
 * channels_destroy ends it at once (curl_multi_wakeup). */
#define CHANNELS_POLL_MS 1000
/* Response bytes read (and dropped) before a transfer is cut. */
#define CHANNELS_RESPONSE_MAX (1024 * 1024)
/* A Retry-After beyond this is taken as this: a hostile or broken header
 * must not park a delivery for years. */
#define CHANNELS_RETRY_AFTER_MAX_S 86400
#define CHANNELS_ADDRESS_MAX 254
#define CHANNELS_LOCAL_MAX 64
#define CHANNELS_LABEL_MAX 63
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

/* RFC 5322 atext: what a dot-atom local part may hold besides dots. */
static bool s_is_atext(char c)
{
    return c != '\0' && (s_is_alnum(c) || strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* The shape of local@domain: a dot-atom local part (no quoted strings) and
 * a host name (no address literals; one label is allowed, as in the
 * default "thuky@localhost"). ASCII only. Anything else is refused before
 * it could reach an SMTP command line. */
static bool s_valid_address(const char *addr)
{
    if (!addr)
        return false;
    size_t len = strlen(addr);
    const char *at = strchr(addr, '@');
    if (len == 0 || len > CHANNELS_ADDRESS_MAX || !at || strchr(at + 1, '@'))
        return false;
    size_t local = (size_t)(at - addr);
    if (local == 0 || local > CHANNELS_LOCAL_MAX || addr[0] == '.' || addr[local - 1] == '.')
        return false;
    for (size_t i = 0; i < local; i++) {
        if (addr[i] == '.' ? addr[i + 1] == '.' : !s_is_atext(addr[i]))
            return false;
    }
    size_t label = 0;
    for (const char *p = at + 1;; p++) {
        if (*p == '.' || *p == '\0') {
            if (label == 0 || p[-1] == '-')
                return false;
            if (*p == '\0')
                return true;
            label = 0;
        } else if (s_is_alnum(*p) || (*p == '-' && label > 0)) {
            if (++label > CHANNELS_LABEL_MAX)
                return false;
        } else {
            return false;
        }
    }
}

static bool s_valid_http_url(const char *url)
{
    if (!url || !url[0])
        return false;
    CURLU *u = curl_url();
    if (!u)
        return false;
    char *scheme = NULL;
    /* curl lower-cases the scheme; spaces and control characters are refused. */
    bool ok = curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
              curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
              (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0);
    curl_free(scheme);
    curl_url_cleanup(u);
    return ok;
}

static char *s_copy(const char *s) { return xstrdup(s ? s : ""); }

static struct curl_slist *s_append(struct curl_slist *list, const char *text)
{
    struct curl_slist *grown = curl_slist_append(list, text);
    if (!grown)
        fatalx("out of memory (curl_slist_append)");
    return grown;
}

static void s_settings_free(settings_t *st)
{
    free(st->smtp_url);
    free(st->smtp_user);
    if (st->smtp_password) {
        memset(st->smtp_password, 0, strlen(st->smtp_password));
        free(st->smtp_password);
    }
    free(st->mail_from);
    memset(st, 0, sizeof *st);
}

static void s_settings_copy(settings_t *dst, const settings_t *src)
{
    dst->smtp_url = xstrdup(src->smtp_url);
    dst->smtp_user = xstrdup(src->smtp_user);
    dst->smtp_password = xstrdup(src->smtp_password);
    dst->mail_from = xstrdup(src->mail_from);
    dst->smtp_starttls = src->smtp_starttls;
    dst->timeout_ms = src->timeout_ms;
}

static void s_job_free(job_t *job)
{
    if (!job)
        return;
    s_settings_free(&job->settings);
    curl_easy_cleanup(job->easy);
    curl_slist_free_all(job->list);
    free(job->id);
    free(job->target);
    if (job->secret) {
        memset(job->secret, 0, strlen(job->secret));
        free(job->secret);
    }
    free(job->body);
    free(job);
}

/* Sends one job's result to the main thread. The reason is kept to one
 * line: text from curl or a server never carries a line break through. */
__attribute__((format(printf, 6, 7))) static void
s_report(channels_t *self, const job_t *job, delivery_status_t status, long code,
         int64_t retry_after_ms, const char *fmt, ...)
{
    delivery_result_t result;
    memset(&result, 0, sizeof result);
    snprintf(result.id, sizeof result.id, "%s", job->id);
    result.status = status;
    result.retry_after_ms = retry_after_ms;
    result.http_code = (int)code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(result.reason, sizeof result.reason, fmt, ap);
    va_end(ap);
    for (char *p = result.reason; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    /* No high-water mark (see channels_new): this never blocks. */
    if (zmq_send(self->reporter, &result, sizeof result, 0) < 0)
        log_warnx("channels: result for %s lost: %s", job->id, zmq_strerror(zmq_errno()));
}

/* ---- Spool -------------------------------------------------------------- */

static bool s_transient_errno(int err)
{
    return err == ENOSPC || err == EDQUOT || err == EIO || err == EINTR || err == EAGAIN ||
           err == EMFILE || err == ENFILE || err == ENOMEM || err == EBUSY;
}

static void s_spool_fail(channels_t *self, const job_t *job, const char *what, const char *path,
                         int err)
{
    char buf[128];
    const char *text = strerror_r(err, buf, sizeof buf); /* the GNU one: thread-safe */
    s_report(self, job, s_transient_errno(err) ? DELIVERY_RETRY : DELIVERY_FAILED, 0, 0,
             "spool: cannot %s %s: %s", what, path, text);
}

/* Makes a rename or a new entry in dir durable. */
static int s_fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int err = errno;
    close(fd);
    errno = err;
    return rc;
}

static int s_write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* <dir>/<id>.eml appears whole or not at all: written under a hidden temp
 * name in the same directory (readers skip dot files), fsynced, renamed,
 * then the directory fsynced. A crash can leave a ".<id>.eml.XXXXXX" temp
 * behind, never a partial .eml. */
static void s_spool(channels_t *self, const job_t *job)
{
    const char *dir = job->target;
    if (!dir[0]) {
        s_report(self, job, DELIVERY_FAILED, 0, 0, "no spool directory");
        return;
    }
    char path[PATH_MAX], tmp[PATH_MAX];
    int n1 = snprintf(path, sizeof path, "%s/%s.eml", dir, job->id);
    int n2 = snprintf(tmp, sizeof tmp, "%s/.%s.eml.XXXXXX", dir, job->id);
    if (n1 < 0 || n2 < 0 || (size_t)n1 >= sizeof path || (size_t)n2 >= sizeof tmp) {
        s_report(self, job, DELIVERY_FAILED, 0, 0, "spool path too long");
        return;
    }
    if (paths_mkdir_p(dir, 0750) != 0) {
        s_spool_fail(self, job, "create", dir, errno);
        return;
    }
    struct stat st;
    if (stat(path, &st) == 0) {
        /* Spooled before; its rename may not have reached the disk yet. */
        if (s_fsync_dir(dir) != 0)
            s_spool_fail(self, job, "fsync", dir, errno);
        else
            s_report(self, job, DELIVERY_OK, 0, 0, "already spooled");
        return;
    }
    if (errno != ENOENT) {
        s_spool_fail(self, job, "stat", path, errno);
        return;
    }
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        s_spool_fail(self, job, "create", tmp, errno);
        return;
    }
    const char *what = NULL;
    if (fchmod(fd, 0640) != 0 || s_write_all(fd, job->body, job->body_len) != 0)
        what = "write";
    else if (fsync(fd) != 0)
        what = "fsync";
    int err = errno;
    if (close(fd) != 0 && !what) {
        what = "close";
        err = errno;
    }
    if (!what && rename(tmp, path) != 0) {
        what = "rename";
        err = errno;
    }
    bool ok = !what;
    if (!ok) {
        unlink(tmp);
        s_spool_fail(self, job, what, tmp, err);
        return;
    }
    if (s_fsync_dir(dir) != 0)
        s_spool_fail(self, job, "fsync", dir, errno);
    else
        s_report(self, job, DELIVERY_OK, 0, 0, "spooled");
}

/* ---- Transfers ---------------------------------------------------------- */

/* Drops response data; past the cap, returning less than given makes curl
 * end the transfer (CURLE_WRITE_ERROR), which s_on_done recognises. */
static size_t s_on_response(char *data, size_t size, size_t nmemb, void *arg)
{
    (void)data;
    job_t *job = arg;
    size_t n = size * nmemb;
    if (job->received + n > CHANNELS_RESPONSE_MAX) {
        job->cut = true;
        return 0;
    }
    job->received += n;
    return n;
}

static size_t s_on_upload(char *buf, size_t size, size_t nitems, void *arg)
{
    job_t *job = arg;
    size_t n = job->body_len - job->sent;
    if (n > size * nitems)
        n = size * nitems;
    memcpy(buf, job->body + job->sent, n);
    job->sent += n;
    return n;
}

static CURL *s_easy_new(job_t *job)
{
    CURL *easy = curl_easy_init();
    if (!easy)
        return NULL;
    /* No SIGALRM for DNS timeouts: signals and threads do not mix. */
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    /* The whole transfer, connecting included. */
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)job->settings.timeout_ms);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, job->errbuf);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, CHANNELS_USER_AGENT);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, s_on_response);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, job);
    return easy;
}

/* Bare LF line ends become CRLF, as SMTP requires; CRLF stays as it is.
 * (CURLOPT_CRLF would turn an existing CRLF into CR CR LF.) */
static void s_normalise_crlf(job_t *job)
{
    size_t bare = 0;
    for (size_t i = 0; i < job->body_len; i++)
        if (job->body[i] == '\n' && (i == 0 || job->body[i - 1] != '\r'))
            bare++;
    if (bare == 0)
        return;
    char *out = xmalloc(job->body_len + bare);
    size_t o = 0;
    for (size_t i = 0; i < job->body_len; i++) {
        if (job->body[i] == '\n' && (i == 0 || job->body[i - 1] != '\r'))
            out[o++] = '\r';
        out[o++] = job->body[i];
    }
    free(job->body);
    job->body = out;
    job->body_len = o;
}

/* Sets up an SMTP transfer; false (result sent) when it cannot start. */
static bool s_smtp_prepare(channels_t *self, job_t *job)
{
    const settings_t *st = &job->settings;
    if (!st->smtp_url[0]) {
        s_report(self, job, DELIVERY_FAILED, 0, 0, "SMTP not configured");
        return false;
    }
    if (!s_valid_address(job->target)) {
        s_report(self, job, DELIVERY_FAILED, 0, 0, "invalid address");
        return false;
    }
    job->easy = s_easy_new(job);
    if (!job->easy) {
        s_report(self, job, DELIVERY_RETRY, 0, 0, "curl_easy_init failed");
        return false;
    }
    s_normalise_crlf(job);
    char rcpt[CHANNELS_ADDRESS_MAX + 3];
    snprintf(rcpt, sizeof rcpt, "<%s>", job->target);
    job->list = s_append(NULL, rcpt);
    CURL *e = job->easy;
    curl_easy_setopt(e, CURLOPT_URL, st->smtp_url);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(e, CURLOPT_MAIL_FROM, st->mail_from);
    curl_easy_setopt(e, CURLOPT_MAIL_RCPT, job->list);
    curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(e, CURLOPT_READFUNCTION, s_on_upload);
    curl_easy_setopt(e, CURLOPT_READDATA, job);
    curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)job->body_len);
    if (st->smtp_starttls)
        curl_easy_setopt(e, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (st->smtp_user[0]) {
        curl_easy_setopt(e, CURLOPT_USERNAME, st->smtp_user);
        curl_easy_setopt(e, CURLOPT_PASSWORD, st->smtp_password);
    }
    return true;
}

/* Sets up a webhook POST; false (result sent) when it cannot start. */
static bool s_webhook_prepare(channels_t *self, job_t *job)
{
    if (!s_valid_http_url(job->target)) {
        s_report(self, job, DELIVERY_FAILED, 0, 0, "invalid URL");
        return false;
    }
    char signature[WEBHOOK_SIGNATURE_SIZE];
    if (!webhook_sign(job->secret, job->id, job->timestamp_s, job->body, job->body_len,
                      signature)) {
        s_report(self, job, DELIVERY_FAILED, 0, 0,
                 job->secret[0] ? "invalid webhook secret" : "no webhook secret");
        return false;
    }
    job->easy = s_easy_new(job);
    if (!job->easy) {
        s_report(self, job, DELIVERY_RETRY, 0, 0, "curl_easy_init failed");
        return false;
    }
    char line[64 + CHANNELS_ID_MAX];
    struct curl_slist *h = s_append(NULL, "Content-Type: application/cloudevents+json; charset=utf-8");
    snprintf(line, sizeof line, "webhook-id: %s", job->id);
    h = s_append(h, line);
    snprintf(line, sizeof line, "webhook-timestamp: %" PRId64, job->timestamp_s);
    h = s_append(h, line);
    snprintf(line, sizeof line, "webhook-signature: %s", signature);
    h = s_append(h, line);
    /* No "Expect: 100-continue" round trip before a large body. */
    h = s_append(h, "Expect:");
    job->list = h;
    CURL *e = job->easy;
    curl_easy_setopt(e, CURLOPT_URL, job->target);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, job->list);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)job->body_len);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, job->body);
    return true;
}

/* Retry-After in milliseconds: delta-seconds or an HTTP-date (any of the
 * three forms, parsed by curl_getdate). 0 when absent, unparsable or past. */
static int64_t s_retry_after_ms(CURL *easy)
{
    struct curl_header *h = NULL;
    if (curl_easy_header(easy, "Retry-After", 0, CURLH_HEADER, -1, &h) != CURLHE_OK || !h)
        return 0;
    const char *v = h->value;
    while (*v == ' ' || *v == '\t')
        v++;
    int64_t seconds = 0;
    if (*v >= '0' && *v <= '9') {
        for (; *v >= '0' && *v <= '9'; v++)
            if (seconds <= CHANNELS_RETRY_AFTER_MAX_S)
                seconds = seconds * 10 + (*v - '0');
        while (*v == ' ' || *v == '\t')
            v++;
        if (*v)
            return 0;
    } else {
        time_t when = curl_getdate(v, NULL);
        if (when == -1)
            return 0;
        /* The date is the server's wall clock: compare with ours, never
         * with the daemon's test clock. */
        seconds = (int64_t)when - (int64_t)time(NULL);
    }
    if (seconds <= 0)
        return 0;
    if (seconds > CHANNELS_RETRY_AFTER_MAX_S)
        seconds = CHANNELS_RETRY_AFTER_MAX_S;
    return seconds * 1000;
}

/* A complete HTTP answer (or one we cut after its status line). */
static void s_judge_http(channels_t *self, job_t *job, long code)
{
    if (code >= 200 && code < 300) {
        s_report(self, job, DELIVERY_OK, code, 0, "HTTP %ld", code);
    } else if (code == 410) {
        s_report(self, job, DELIVERY_GONE, code, 0, "HTTP 410");
    } else if (code == 429 || (code >= 500 && code < 600)) {
        int64_t after = code == 429 || code == 503 ? s_retry_after_ms(job->easy) : 0;
        s_report(self, job, DELIVERY_RETRY, code, after, "HTTP %ld", code);
    } else if (code >= 300 && code < 400) {
        s_report(self, job, DELIVERY_FAILED, code, 0, "redirect (HTTP %ld) not followed", code);
    } else {
        s_report(self, job, DELIVERY_FAILED, code, 0, "HTTP %ld", code);
    }
}

/* A transfer that ended in a curl error, without a reply that decides. */
static void s_judge_error(channels_t *self, job_t *job, CURLcode rc, long code)
{
    const char *detail = job->errbuf[0] ? job->errbuf : curl_easy_strerror(rc);
    long os_errno = 0;
    switch (rc) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
        s_report(self, job, DELIVERY_FAILED, code, 0, "invalid URL");
        break;
    case CURLE_LOGIN_DENIED:
        s_report(self, job, DELIVERY_FAILED, code, 0, "authentication failed");
        break;
    case CURLE_USE_SSL_FAILED:
        s_report(self, job, DELIVERY_FAILED, code, 0, "server does not offer TLS: %s", detail);
        break;
    case CURLE_COULDNT_CONNECT:
        curl_easy_getinfo(job->easy, CURLINFO_OS_ERRNO, &os_errno);
        if (os_errno == ECONNREFUSED)
            s_report(self, job, DELIVERY_RETRY, code, 0, "connection refused");
        else
            s_report(self, job, DELIVERY_RETRY, code, 0, "cannot connect: %s", detail);
        break;
    case CURLE_OPERATION_TIMEDOUT:
        s_report(self, job, DELIVERY_RETRY, code, 0, "timeout after %d ms",
                 job->settings.timeout_ms);
        break;
    case CURLE_GOT_NOTHING:
        s_report(self, job, DELIVERY_RETRY, code, 0, "connection closed without a response");
        break;
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
        s_report(self, job, DELIVERY_RETRY, code, 0, "connection broken: %s", detail);
        break;
    default:
        /* DNS, TLS handshakes, proxies, HTTP/2 resets...: likely to pass. */
        s_report(self, job, DELIVERY_RETRY, code, 0, "%s", detail);
        break;
    }
}

static void s_on_done(channels_t *self, job_t *job, CURLcode rc)
{
    long code = 0;
    curl_easy_getinfo(job->easy, CURLINFO_RESPONSE_CODE, &code);
    if (job->kind == CHANNEL_WEBHOOK) {
        if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && job->cut))
            s_judge_http(self, job, code);
        else
            s_judge_error(self, job, rc, code);
        return;
    }
    /* SMTP: the server's reply code decides when there is one; curl maps
     * every refusal to a few generic errors. A login refused is a 535 too,
     * but deserves its own reason. */
    if (rc == CURLE_LOGIN_DENIED)
        s_judge_error(self, job, rc, code);
    else if (code >= 400 && code < 500)
        s_report(self, job, DELIVERY_RETRY, code, 0, "SMTP %ld: %s", code, job->errbuf);
    else if (code >= 500 && code < 600)
        s_report(self, job, DELIVERY_FAILED, code, 0, "SMTP %ld: %s", code, job->errbuf);
    else if (rc == CURLE_OK)
        s_report(self, job, DELIVERY_OK, code, 0, "SMTP %ld", code);
    else
        s_judge_error(self, job, rc, code);
}

/* ---- The worker --------------------------------------------------------- */

/* Starts one request: a spool write happens here and now; a transfer joins
 * the multi handle. Every path ends in a result or a running transfer. */
static void s_start(channels_t *self, job_t *job)
{
    bool transfer = false;
    if (!s_valid_id(job->id)) {
        s_report(self, job, DELIVERY_FAILED, 0, 0, "invalid id");
    } else if (job->kind == CHANNEL_SPOOL) {
        s_spool(self, job);
    } else if (job->kind == CHANNEL_SMTP) {
        transfer = s_smtp_prepare(self, job);
    } else if (job->kind == CHANNEL_WEBHOOK) {
        transfer = s_webhook_prepare(self, job);
    } else {
        s_report(self, job, DELIVERY_FAILED, 0, 0, "unknown channel kind %d", (int)job->kind);
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
        s_report(self, job, DELIVERY_RETRY, 0, 0, "curl_multi_add_handle: %s",
                 curl_multi_strerror(mc));
    }
    s_job_free(job);
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
                s_on_done(self, job, rc);
                s_job_free(job);
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
            s_job_free(self->active[i]);
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

/* Writes why, frees the half-built self, returns NULL. */
__attribute__((format(printf, 4, 5))) static channels_t *
s_new_failed(channels_t **self_p, char *why, size_t why_len, const char *fmt, ...)
{
    if (why && why_len > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, why_len, fmt, ap);
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

/* Checks and takes the transfer settings of cfg; the problem, or NULL. */
static const char *s_settings_set(settings_t *st, const channels_config_t *cfg)
{
    const char *url = cfg->smtp_url ? cfg->smtp_url : "";
    if (cfg->timeout_ms <= 0)
        return "timeout_ms must be positive";
    if (url[0]) {
        if (strncasecmp(url, "smtp://", 7) != 0 && strncasecmp(url, "smtps://", 8) != 0)
            return "SMTP URL must start with smtp:// or smtps://";
        if (!s_valid_address(cfg->mail_from))
            return "mail_from is not a valid address";
    }
    s_settings_free(st);
    st->smtp_url = s_copy(cfg->smtp_url);
    st->smtp_user = s_copy(cfg->smtp_user);
    st->smtp_password = s_copy(cfg->smtp_password);
    st->smtp_starttls = cfg->smtp_starttls;
    st->timeout_ms = cfg->timeout_ms;
    char from[CHANNELS_ADDRESS_MAX + 3];
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
        snprintf(why, why_len, "%s", problem);
        return false;
    }
    s_settings_free(&self->settings);
    self->settings = fresh;
    return true;
}

channels_t *channels_new(void *zmq_ctx, const channels_config_t *cfg, char *why, size_t why_len)
{
    channels_t *self = xcalloc(1, sizeof *self);
    pthread_mutex_init(&self->lock, NULL);
    if (cfg->queue_max <= 0 || cfg->max_parallel <= 0)
        return s_new_failed(&self, why, why_len, "queue_max and max_parallel must be positive");
    const char *problem = s_settings_set(&self->settings, cfg);
    if (problem)
        return s_new_failed(&self, why, why_len, "%s", problem);
    self->queue_max = (size_t)cfg->queue_max;
    self->max_parallel = (size_t)cfg->max_parallel;
    self->active = xcalloc(self->max_parallel, sizeof *self->active);

    pthread_once(&s_curl_once, s_curl_global_init);
    if (s_curl_rc != CURLE_OK)
        return s_new_failed(&self, why, why_len, "curl_global_init: %s",
                            curl_easy_strerror(s_curl_rc));
    self->multi = curl_multi_init();
    if (!self->multi)
        return s_new_failed(&self, why, why_len, "curl_multi_init failed");

    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "inproc://thuky-channels-%p", (void *)self);
    self->results = s_pair(zmq_ctx);
    self->reporter = s_pair(zmq_ctx);
    if (!self->results || !self->reporter || zmq_bind(self->results, endpoint) != 0 ||
        zmq_connect(self->reporter, endpoint) != 0)
        return s_new_failed(&self, why, why_len, "results socket: %s",
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
        s_job_free(job);
    }
    if (self->multi)
        curl_multi_cleanup(self->multi);
    if (self->reporter)
        zmq_close(self->reporter);
    if (self->results)
        zmq_close(self->results);
    pthread_mutex_destroy(&self->lock);
    free(self->active);
    s_settings_free(&self->settings);
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
    s_settings_copy(&job->settings, &self->settings);
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
