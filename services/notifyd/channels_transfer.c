/* Transfers by libcurl: an SMTP message or a signed webhook POST, set up
 * for the worker's multi handle and judged when done (channels.h says how
 * each outcome is classified). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "domain/alert_text.h"
#include "channels_private.h"
#include "webhook_sign.h"

bool channels_url_valid(const char *url)
{
    if (!url || !url[0] || strlen(url) > CHANNELS_URL_MAX)
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

static struct curl_slist *s_append(struct curl_slist *list, const char *text)
{
    struct curl_slist *grown = curl_slist_append(list, text);
    if (!grown)
        fatalx("out of memory (curl_slist_append)");
    return grown;
}

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
bool channels_smtp_prepare(channels_t *self, job_t *job)
{
    const settings_t *st = &job->settings;
    if (!st->smtp_url[0]) {
        channels_report(self, job, DELIVERY_FAILED, 0, 0, "SMTP not configured");
        return false;
    }
    if (!alert_text_addr_valid(job->target)) {
        channels_report(self, job, DELIVERY_FAILED, 0, 0, "invalid address");
        return false;
    }
    job->easy = s_easy_new(job);
    if (!job->easy) {
        channels_report(self, job, DELIVERY_RETRY, 0, 0, "curl_easy_init failed");
        return false;
    }
    s_normalise_crlf(job);
    char rcpt[ALERT_TEXT_ADDR_MAX + 3];
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
bool channels_webhook_prepare(channels_t *self, job_t *job)
{
    if (!channels_url_valid(job->target)) {
        channels_report(self, job, DELIVERY_FAILED, 0, 0, "invalid URL");
        return false;
    }
    char signature[WEBHOOK_SIGNATURE_SIZE];
    if (!webhook_sign(job->secret, job->id, job->timestamp_s, job->body, job->body_len,
                      signature)) {
        channels_report(self, job, DELIVERY_FAILED, 0, 0,
                 job->secret[0] ? "invalid webhook secret" : "no webhook secret");
        return false;
    }
    job->easy = s_easy_new(job);
    if (!job->easy) {
        channels_report(self, job, DELIVERY_RETRY, 0, 0, "curl_easy_init failed");
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
        channels_report(self, job, DELIVERY_OK, code, 0, "HTTP %ld", code);
    } else if (code == 410) {
        channels_report(self, job, DELIVERY_GONE, code, 0, "HTTP 410");
    } else if (code == 429 || (code >= 500 && code < 600)) {
        int64_t after = code == 429 || code == 503 ? s_retry_after_ms(job->easy) : 0;
        channels_report(self, job, DELIVERY_RETRY, code, after, "HTTP %ld", code);
    } else if (code >= 300 && code < 400) {
        channels_report(self, job, DELIVERY_FAILED, code, 0, "redirect (HTTP %ld) not followed", code);
    } else {
        channels_report(self, job, DELIVERY_FAILED, code, 0, "HTTP %ld", code);
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
        channels_report(self, job, DELIVERY_FAILED, code, 0, "invalid URL");
        break;
    case CURLE_LOGIN_DENIED:
        channels_report(self, job, DELIVERY_FAILED, code, 0, "authentication failed");
        break;
    case CURLE_USE_SSL_FAILED:
        channels_report(self, job, DELIVERY_FAILED, code, 0, "server does not offer TLS: %s", detail);
        break;
    case CURLE_COULDNT_CONNECT:
        curl_easy_getinfo(job->easy, CURLINFO_OS_ERRNO, &os_errno);
        if (os_errno == ECONNREFUSED)
            channels_report(self, job, DELIVERY_RETRY, code, 0, "connection refused");
        else
            channels_report(self, job, DELIVERY_RETRY, code, 0, "cannot connect: %s", detail);
        break;
    case CURLE_OPERATION_TIMEDOUT:
        channels_report(self, job, DELIVERY_RETRY, code, 0, "timeout after %d ms",
                 job->settings.timeout_ms);
        break;
    case CURLE_GOT_NOTHING:
        channels_report(self, job, DELIVERY_RETRY, code, 0, "connection closed without a response");
        break;
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
        channels_report(self, job, DELIVERY_RETRY, code, 0, "connection broken: %s", detail);
        break;
    default:
        /* DNS, TLS handshakes, proxies, HTTP/2 resets...: likely to pass. */
        channels_report(self, job, DELIVERY_RETRY, code, 0, "%s", detail);
        break;
    }
}

void channels_transfer_done(channels_t *self, job_t *job, CURLcode rc)
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
        channels_report(self, job, DELIVERY_RETRY, code, 0, "SMTP %ld: %s", code, job->errbuf);
    else if (code >= 500 && code < 600)
        channels_report(self, job, DELIVERY_FAILED, code, 0, "SMTP %ld: %s", code, job->errbuf);
    else if (rc == CURLE_OK)
        channels_report(self, job, DELIVERY_OK, code, 0, "SMTP %ld", code);
    else
        s_judge_error(self, job, rc, code);
}
