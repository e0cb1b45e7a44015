/* A job's result, sent to the main thread, and freeing a job. */
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
#include <zmq.h>

#include "base/log.h"
#include "channels_private.h"

void channels_settings_free(settings_t *st)
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

void channels_settings_copy(settings_t *dst, const settings_t *src)
{
    dst->smtp_url = xstrdup(src->smtp_url);
    dst->smtp_user = xstrdup(src->smtp_user);
    dst->smtp_password = xstrdup(src->smtp_password);
    dst->mail_from = xstrdup(src->mail_from);
    dst->smtp_starttls = src->smtp_starttls;
    dst->timeout_ms = src->timeout_ms;
}

void channels_job_free(job_t *job)
{
    if (!job)
        return;
    channels_settings_free(&job->settings);
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
void channels_report(channels_t *self, const job_t *job, delivery_status_t status, long code,
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
