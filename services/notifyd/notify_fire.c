/* Firing and delivering.
 *
 * The timer sleeps until the first planned alert's time (the first key of
 * the 'P' index) or the first delivery due for a retry ('R'), whichever
 * comes first. When it runs, every alert whose time has come is grouped by
 * office and moment into one delivery (a digest) in the outbox, in one
 * transaction; after the commit the deliveries due are handed to the
 * delivery worker. Alerts whose time passed while the daemon was down go
 * out at start, marked late. The worker's results come back here: sent, or
 * retried with exponential backoff and jitter up to the limit, then
 * dead-lettered (the alerts are FAILED and the office's escalation contact
 * gets an escalation at once). Delivery ids are stable, so a receiver can drop a
 * repeat after a crash between sending and recording. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "base/date.h"
#include "base/log.h"
#include "domain/alert_text.h"
#include "runtime/clock.h"
#include "runtime/keys.h"
#include "runtime/secret.h"
#include "notify_store.h"
#include "notifyd.h"

#define FIRE_BATCH 2000
#define SUBMIT_BATCH 256
#define LATE_MS 60000
#define IDLE_MS 60000

static void s_apply_result(notifyd_t *nd, store_txn_t *txn, const delivery_result_t *r,
                           int64_t now_ms);

/* ---- in-flight set ---------------------------------------------------------- */

static bool s_in_flight(const notifyd_t *nd, const char *id)
{
    for (size_t i = 0; i < nd->n_in_flight; i++)
        if (strcmp(nd->in_flight[i], id) == 0)
            return true;
    return false;
}

static void s_flight_add(notifyd_t *nd, const char *id)
{
    nd->in_flight =
        xgrow(nd->in_flight, nd->n_in_flight, &nd->cap_in_flight, sizeof *nd->in_flight);
    nd->in_flight[nd->n_in_flight++] = xstrdup(id);
}

static void s_flight_remove(notifyd_t *nd, const char *id)
{
    for (size_t i = 0; i < nd->n_in_flight; i++)
        if (strcmp(nd->in_flight[i], id) == 0) {
            free(nd->in_flight[i]);
            nd->in_flight[i] = nd->in_flight[--nd->n_in_flight];
            return;
        }
}

/* ---- channels --------------------------------------------------------------- */

/* The channel an office is reached on: its webhook, else its e-mail (SMTP
 * when configured, else the local spool); "" when it has none. */
const char *notify_channel(const notifyd_t *nd, const Thuky__Office *office)
{
    if (!office)
        return "";
    if (office->webhook_url[0] && !office->webhook_gone)
        return "webhook";
    if (office->email[0])
        return nd->config->notify.smtp_url[0] ? "smtp" : "spool";
    return "";
}

/* ---- silences ------------------------------------------------------------------ */

static bool s_silenced(store_txn_t *txn, const Thuky__Alert *a, int32_t day)
{
    bool hit = false;
    store_iter_t it;
    store_iter_init(&it, txn, store_dbi(txn->store, NDB_SILENCES), NULL, 0, NULL, 0, false);
    while (!hit && store_iter_next(&it)) {
        Thuky__Silence *s = thuky__silence__unpack(NULL, it.val.mv_size, it.val.mv_data);
        int32_t until;
        if (s && date_parse(s->until, &until, NULL) && day <= until)
            hit = (s->task_id && s->task_id == a->task_id) ||
                  (s->office[0] && strcmp(s->office, a->office) == 0) ||
                  (s->sitting_id[0] && a->sitting_id[0] &&
                   strncmp(a->sitting_id, s->sitting_id, strlen(s->sitting_id)) == 0 &&
                   (a->sitting_id[strlen(s->sitting_id)] == '\0' ||
                    a->sitting_id[strlen(s->sitting_id)] == '@'));
        if (s)
            thuky__silence__free_unpacked(s, NULL);
    }
    store_iter_close(&it);
    return hit;
}

/* ---- firing ------------------------------------------------------------------- */

static void s_delivery_id(const char *office, int64_t fire_ms, char *out, size_t cap)
{
    char local[DATE_TIME_LEN];
    date_format_local_time(fire_ms / 1000, local); /* "2024-05-20 08:00" */
    snprintf(out, cap, "D-%.64s-%.4s%.2s%.2s%.2s%.2s", office, local, local + 5, local + 8,
             local + 11, local + 14);
}

/* Adds the alert to the delivery of its office and moment (created when
 * missing). */
static void s_into_delivery(notifyd_t *nd, store_txn_t *txn, Thuky__Alert *a, int64_t now_ms)
{
    char id[128];
    s_delivery_id(a->office, a->fire_ms, id, sizeof id);
    Thuky__Delivery *d = delivery_load(txn, id);
    Thuky__Delivery fresh = THUKY__DELIVERY__INIT;
    Thuky__Office *office = office_load(txn, a->office);
    const char *channel = notify_channel(nd, office);
    char **ids = NULL;
    if (!d) {
        fresh.id = id;
        fresh.office = a->office;
        fresh.channel = (char *)channel;
        fresh.fire_ms = a->fire_ms;
        fresh.late = now_ms - a->fire_ms > LATE_MS;
        fresh.next_try_ms = now_ms;
        fresh.state = THUKY__ALERT_STATE__ALERT_SENDING;
        if (!channel[0]) {
            fresh.state = THUKY__ALERT_STATE__ALERT_FAILED;
            fresh.last_error = (char *)(office ? "the office has no reachable channel (no e-mail, "
                                                 "no webhook)"
                                               : "unknown office");
            server_add_counter(nd->server, "undeliverable", 1);
        }
    }
    Thuky__Delivery *target = d ? d : &fresh;
    ids = xmalloc((target->n_alert_ids + 1) * sizeof *ids);
    if (target->n_alert_ids) /* a new delivery has no array (memcpy from NULL is undefined) */
        memcpy(ids, target->alert_ids, target->n_alert_ids * sizeof *ids);
    ids[target->n_alert_ids] = a->id;
    Thuky__Delivery updated = *target;
    updated.alert_ids = ids;
    updated.n_alert_ids = target->n_alert_ids + 1;
    delivery_save(txn, d, &updated);

    /* A copy borrows the delivery's strings; a itself stays as unpacked. */
    Thuky__Alert sent = *a;
    sent.delivery_id = updated.id;
    sent.channel = updated.channel;
    sent.late = updated.late;
    sent.state = updated.state;
    sent.last_error = updated.last_error;
    alert_save(txn, a, &sent);
    if (sent.state == THUKY__ALERT_STATE__ALERT_FAILED)
        notify_emit_alert(nd, txn, now_ms, "alert.failed", &sent, "notifyd");
    free(ids);
    if (d)
        thuky__delivery__free_unpacked(d, NULL);
    if (office)
        thuky__office__free_unpacked(office, NULL);
}

static bool s_task_still_wants(store_txn_t *txn, const Thuky__Alert *a)
{
    if (a->kind == THUKY__ALERT_KIND__ALERT_SITTING)
        return true; /* a cancelled sitting dropped its reminders already */
    if (ack_exists(txn, a->task_id, a->office))
        return false;
    Thuky__Task *t = copy_task_load(txn, a->task_id);
    bool ok = t && (t->status == THUKY__TASK_STATUS__TASK_OPEN ||
                    t->status == THUKY__TASK_STATUS__TASK_IN_PROGRESS);
    if (t)
        thuky__task__free_unpacked(t, NULL);
    return ok;
}

/* Moves every alert whose time has come into the outbox. */
static void s_fire(notifyd_t *nd, store_txn_t *txn, int64_t now_ms)
{
    uint8_t prefix[1] = {NINDEX_PLANNED};
    char **ids = NULL;
    size_t n = 0, cap = 0;
    store_iter_t it;
    store_iter_init(&it, txn, store_dbi(txn->store, NDB_INDEX), prefix, 1, NULL, 0, false);
    while (n < FIRE_BATCH && store_iter_next(&it)) {
        const uint8_t *k = it.key.mv_data;
        if (it.key.mv_size <= 9 || key_get_i64(k + 1) > now_ms)
            break;
        ids = xgrow(ids, n, &cap, sizeof *ids);
        size_t len = it.key.mv_size - 9;
        ids[n] = xmalloc(len + 1);
        memcpy(ids[n], k + 9, len);
        ids[n++][len] = '\0';
    }
    store_iter_close(&it);
    for (size_t i = 0; i < n; i++) {
        Thuky__Alert *a = alert_load(txn, ids[i]);
        if (a && a->state == THUKY__ALERT_STATE__ALERT_PLANNED) {
            Thuky__Alert old = *a;
            if (!s_task_still_wants(txn, a)) {
                alert_delete(txn, a);
            } else if (s_silenced(txn, a, date_local_day(a->fire_ms / 1000))) {
                a->state = THUKY__ALERT_STATE__ALERT_SILENCED;
                alert_save(txn, &old, a);
                notify_emit_alert(nd, txn, now_ms, "alert.silenced", a, "notifyd");
            } else {
                s_into_delivery(nd, txn, a, now_ms);
                if (a->kind == THUKY__ALERT_KIND__ALERT_OVERDUE)
                    notify_plan_next_overdue(nd, txn, a, now_ms);
            }
        }
        if (a)
            thuky__alert__free_unpacked(a, NULL);
        free(ids[i]);
    }
    free(ids);
}

/* ---- handing deliveries to the worker --------------------------------------------- */

/* The office's signed link to the alert, valid [web] link_days from the
 * delivery's planned time (so a retried delivery carries the same link);
 * NULL when the web face is not configured or the ids cannot be linked. */
static const char *s_link(const notifyd_t *nd, const char *alert, const char *office,
                          int64_t fire_ms, char out[ALERT_TEXT_LINK_MAX + 1])
{
    const config_web_t *web = &nd->config->web;
    char path[LINK_PATH_MAX];
    if (!web->public_url[0] ||
        !link_sign(&nd->link_keys, alert, office,
                   fire_ms / 1000 + (int64_t)web->link_days * 86400, path))
        return NULL;
    int n = snprintf(out, ALERT_TEXT_LINK_MAX + 1, "%s%s", web->public_url, path);
    return n > 0 && n <= ALERT_TEXT_LINK_MAX ? out : NULL;
}

/* Builds the digest of a delivery from its alerts and its office and hands
 * it to the worker: 1 when handed over, 0 when the worker's queue is full
 * (tried again at the next tick), -1 when it cannot be built (*why says
 * why; the delivery is dead-lettered), -2 when a local problem an admin can
 * fix stops it (the webhook secret file): it is retried with backoff. */
static int s_submit(notifyd_t *nd, store_txn_t *txn, const Thuky__Delivery *d, int64_t now_ms,
                    const char **why)
{
    Thuky__Office *office = office_load(txn, d->office);
    if (!office) {
        *why = "the office no longer exists";
        return -1;
    }
    alert_item_t *items = xcalloc(d->n_alert_ids + 1, sizeof *items);
    Thuky__Alert **alerts = xcalloc(d->n_alert_ids + 1, sizeof *alerts);
    char (*links)[ALERT_TEXT_LINK_MAX + 1] = xcalloc(d->n_alert_ids + 1, sizeof *links);
    size_t n = 0;
    for (size_t i = 0; i < d->n_alert_ids; i++) {
        Thuky__Alert *a = alert_load(txn, d->alert_ids[i]);
        if (!a)
            continue;
        alerts[n] = a;
        alert_item_t *it = &items[n++];
        it->kind = a->kind == THUKY__ALERT_KIND__ALERT_LEAD         ? ALERT_ITEM_LEAD
                   : a->kind == THUKY__ALERT_KIND__ALERT_DUE        ? ALERT_ITEM_DUE
                   : a->kind == THUKY__ALERT_KIND__ALERT_OVERDUE    ? ALERT_ITEM_OVERDUE
                   : a->kind == THUKY__ALERT_KIND__ALERT_SITTING    ? ALERT_ITEM_SITTING
                                                                    : ALERT_ITEM_ESCALATION;
        it->task_id = a->task_id;
        it->title = a->title;
        it->due_date = a->due_date;
        it->days = a->days;
        it->lead_office = a->lead_office;
        it->sitting_id = a->sitting_id;
        it->alert_id = a->id;
        it->link = s_link(nd, a->id, office->id, d->fire_ms, links[n - 1]);
    }
    alert_digest_t digest = {
        .digest_id = d->id,
        .office_id = office->id,
        .office_name = office->name,
        .lang = office->lang[0] ? office->lang : "vi",
        .to_addr = office->email,
        .to_name = office->focal_name,
        .from_addr = nd->config->notify.mail_from,
        .fire_ms = d->fire_ms,
        .late = d->late,
        .items = items,
        .n_items = n,
    };
    delivery_request_t req = {.id = d->id, .timestamp_s = now_ms / 1000};
    char secret[WEBHOOK_SECRET_FILE_MAX] = "", reason[600];
    char *body = NULL;
    size_t len = 0;
    int rc = -1;
    if (!alert_digest_check(&digest, why))
        goto done;
    if (strcmp(d->channel, "webhook") == 0) {
        body = alert_text_cloudevent(&digest);
        len = strlen(body);
        req.kind = CHANNEL_WEBHOOK;
        req.target = office->webhook_url;
        if (secret_file_read(office->webhook_secret_file, true, secret, sizeof secret, reason,
                             sizeof reason) != 0) {
            log_error("delivery %s: %s", d->id, reason);
            *why = "the webhook secret file cannot be read (see the log)";
            rc = -2;
            goto done;
        }
        req.secret = secret;
    } else {
        body = alert_text_email(&digest, now_ms, &len);
        req.kind = strcmp(d->channel, "smtp") == 0 ? CHANNEL_SMTP : CHANNEL_SPOOL;
        req.target = req.kind == CHANNEL_SMTP ? office->email : nd->config->notify.spool_dir;
    }
    if (!body) {
        *why = "the message could not be composed";
        goto done;
    }
    req.body = body;
    req.body_len = len;
    rc = channels_submit(nd->channels, &req) ? 1 : 0;
done:
    secret_wipe(secret, sizeof secret);
    free(body);
    for (size_t i = 0; i < n; i++)
        thuky__alert__free_unpacked(alerts[i], NULL);
    free(alerts);
    free(items);
    free(links);
    thuky__office__free_unpacked(office, NULL);
    return rc;
}

/* Hands every delivery due (and not in flight) to the worker; those that
 * cannot be built become failed results in broken (at most SUBMIT_BATCH). */
static size_t s_submit_due(notifyd_t *nd, store_txn_t *txn, int64_t now_ms,
                           delivery_result_t *broken)
{
    size_t n_broken = 0;
    uint8_t prefix[1] = {NINDEX_RETRY};
    store_iter_t it;
    char *due[SUBMIT_BATCH];
    size_t n = 0;
    store_iter_init(&it, txn, store_dbi(txn->store, NDB_INDEX), prefix, 1, NULL, 0, false);
    while (n < SUBMIT_BATCH && store_iter_next(&it)) {
        const uint8_t *k = it.key.mv_data;
        if (it.key.mv_size <= 9 || key_get_i64(k + 1) > now_ms)
            break;
        size_t len = it.key.mv_size - 9;
        char *id = xmalloc(len + 1);
        memcpy(id, k + 9, len);
        id[len] = '\0';
        if (s_in_flight(nd, id))
            free(id);
        else
            due[n++] = id;
    }
    store_iter_close(&it);
    for (size_t i = 0; i < n; i++) {
        Thuky__Delivery *d = delivery_load(txn, due[i]);
        const char *why = "";
        int rc = d && d->state == THUKY__ALERT_STATE__ALERT_SENDING ? s_submit(nd, txn, d, now_ms,
                                                                                &why)
                                                                     : 0;
        if (rc > 0) {
            s_flight_add(nd, d->id);
        } else if (rc < 0) {
            delivery_result_t *r = &broken[n_broken++];
            memset(r, 0, sizeof *r);
            snprintf(r->id, sizeof r->id, "%s", d->id);
            r->status = rc == -2 ? DELIVERY_RETRY : DELIVERY_FAILED;
            snprintf(r->reason, sizeof r->reason, "%s", why);
        }
        if (d)
            thuky__delivery__free_unpacked(d, NULL);
        free(due[i]);
    }
    return n_broken;
}

/* ms until the first key of an index class (a time key), or IDLE_MS. */
static int64_t s_next_in(store_txn_t *txn, uint8_t class, int64_t now_ms)
{
    store_iter_t it;
    int64_t wait = IDLE_MS;
    store_iter_init(&it, txn, store_dbi(txn->store, NDB_INDEX), &class, 1, NULL, 0, false);
    if (store_iter_next(&it) && it.key.mv_size > 9) {
        int64_t at = key_get_i64((const uint8_t *)it.key.mv_data + 1);
        wait = at <= now_ms ? 0 : at - now_ms;
    }
    store_iter_close(&it);
    return wait < IDLE_MS ? wait : IDLE_MS;
}

/* Commits txn (growing the map when full is left to the next tick) and
 * publishes its events, or forgets them. */
static bool s_commit(notifyd_t *nd, store_txn_t *txn)
{
    eventlog_t *log = server_eventlog(nd->server);
    store_rc_t rc = store_txn_commit(txn);
    if (rc == STORE_OK) {
        eventlog_publish(log);
        return true;
    }
    eventlog_rollback_to(log, 0);
    if (rc == STORE_MAP_FULL)
        store_grow(server_store(nd->server));
    log_error("notifyd: cannot record deliveries: %s (retried)", store_rc_text(rc));
    return false;
}

int64_t notify_tick(server_t *server, void *arg)
{
    notifyd_t *nd = arg;
    int64_t now_ms = clock_now_ms();
    store_txn_t txn;
    if (store_txn_begin(server_store(server), &txn, true) != STORE_OK)
        return 1000;
    s_fire(nd, &txn, now_ms);
    if (!s_commit(nd, &txn))
        return 1000;
    if (store_txn_begin(server_store(server), &txn, false) != STORE_OK)
        return 1000;
    static delivery_result_t broken[SUBMIT_BATCH]; /* large; the daemon is single-threaded */
    size_t n_broken = s_submit_due(nd, &txn, now_ms, broken);
    int64_t wait = s_next_in(&txn, NINDEX_PLANNED, now_ms);
    int64_t retry = s_next_in(&txn, NINDEX_RETRY, now_ms);
    store_txn_abort(&txn);
    if (n_broken && store_txn_begin(server_store(server), &txn, true) == STORE_OK) {
        for (size_t i = 0; i < n_broken; i++)
            s_apply_result(nd, &txn, &broken[i], now_ms);
        s_commit(nd, &txn);
        return 1;
    }
    if (retry == 0 && nd->n_in_flight > 0)
        retry = IDLE_MS; /* all due are in flight: their results wake us */
    wait = retry < wait ? retry : wait;
    return wait > 0 ? wait : 1;
}

/* ---- results -------------------------------------------------------------------- */

static int64_t s_backoff(const config_notify_t *cfg, uint32_t attempts)
{
    int64_t delay = cfg->retry_base_ms;
    for (uint32_t i = 1; i < attempts && delay < cfg->retry_cap_ms; i++)
        delay *= 2;
    if (delay > cfg->retry_cap_ms)
        delay = cfg->retry_cap_ms;
    uint32_t r = 0;
    if (getrandom(&r, sizeof r, 0) != sizeof r)
        r = (uint32_t)clock_monotonic_us();
    /* jitter: 50-150% so retries of many deliveries spread out */
    return delay / 2 + (int64_t)((double)delay * (r / 4294967296.0));
}

/* A dead-lettered alert is escalated: the office's escalation contact gets
 * an escalation naming the office that could not be reached, at once. */
static void s_escalate_dead(notifyd_t *nd, store_txn_t *txn, const Thuky__Alert *dead,
                            const char *escalate_to, int64_t now_ms)
{
    char id[256];
    snprintf(id, sizeof id, "%.160s-X%.64s", dead->id, escalate_to);
    Thuky__Alert *existing = alert_load(txn, id);
    if (existing || !escalate_to[0] || dead->kind == THUKY__ALERT_KIND__ALERT_ESCALATION) {
        if (existing)
            thuky__alert__free_unpacked(existing, NULL);
        return;
    }
    Thuky__Alert a = *dead;
    a.id = id;
    a.office = (char *)escalate_to;
    a.kind = THUKY__ALERT_KIND__ALERT_ESCALATION;
    a.lead_office = dead->office; /* the office that could not be reached */
    a.days = dead->days > 0 ? dead->days : 1;
    a.fire_ms = now_ms;
    a.state = THUKY__ALERT_STATE__ALERT_PLANNED;
    a.delivery_id = a.channel = a.last_error = (char *)"";
    a.attempts = 0;
    a.late = false;
    alert_save(txn, NULL, &a);
    notify_emit_alert(nd, txn, now_ms, "alert.planned", &a, "notifyd");
}

static void s_update_alerts(notifyd_t *nd, store_txn_t *txn, const Thuky__Delivery *d,
                            Thuky__AlertState state, const char *error, int64_t now_ms)
{
    Thuky__Office *office = state == THUKY__ALERT_STATE__ALERT_FAILED
                                ? office_load(txn, d->office)
                                : NULL;
    for (size_t i = 0; i < d->n_alert_ids; i++) {
        Thuky__Alert *a = alert_load(txn, d->alert_ids[i]);
        if (!a)
            continue;
        /* An acknowledged alert keeps its state; the others follow the delivery. */
        if (a->state == THUKY__ALERT_STATE__ALERT_SENDING) {
            Thuky__Alert next = *a; /* borrows error; a stays as unpacked */
            next.state = state;
            next.attempts = d->attempts;
            next.last_error = (char *)error;
            if (state == THUKY__ALERT_STATE__ALERT_SENT)
                next.sent_ms = now_ms;
            alert_save(txn, a, &next);
            if (state != THUKY__ALERT_STATE__ALERT_SENDING || error[0])
                notify_emit_alert(nd, txn, now_ms,
                                  state == THUKY__ALERT_STATE__ALERT_SENT ? "alert.sent"
                                                                           : "alert.failed",
                                  &next, "notifyd");
            if (office && state == THUKY__ALERT_STATE__ALERT_FAILED)
                s_escalate_dead(nd, txn, &next, office->escalate_to, now_ms);
        }
        thuky__alert__free_unpacked(a, NULL);
    }
    if (office)
        thuky__office__free_unpacked(office, NULL);
}

static void s_apply_result(notifyd_t *nd, store_txn_t *txn, const delivery_result_t *r,
                           int64_t now_ms)
{
    Thuky__Delivery *d = delivery_load(txn, r->id);
    if (!d || d->state != THUKY__ALERT_STATE__ALERT_SENDING) {
        if (d)
            thuky__delivery__free_unpacked(d, NULL);
        return;
    }
    Thuky__Delivery updated = *d;
    updated.attempts = d->attempts + 1;
    updated.last_error = (char *)r->reason;
    const config_notify_t *cfg = &nd->config->notify;
    Thuky__AlertState alerts_state = THUKY__ALERT_STATE__ALERT_SENDING;
    switch (r->status) {
    case DELIVERY_OK:
        updated.state = alerts_state = THUKY__ALERT_STATE__ALERT_SENT;
        updated.sent_ms = now_ms;
        updated.last_error = (char *)"";
        break;
    case DELIVERY_RETRY:
        if ((int)updated.attempts >= cfg->retry_max) {
            updated.state = alerts_state = THUKY__ALERT_STATE__ALERT_FAILED;
        } else {
            int64_t wait = s_backoff(cfg, updated.attempts);
            if (r->retry_after_ms > wait)
                wait = r->retry_after_ms;
            updated.next_try_ms = now_ms + wait;
        }
        break;
    case DELIVERY_GONE: {
        Thuky__Office *office = office_load(txn, d->office);
        if (office) {
            office->webhook_gone = true;
            office_save(txn, office);
            server_set_counter(nd->server, NOTIFY_UNREACHABLE_COUNTER, offices_unreachable(txn));
            thuky__office__free_unpacked(office, NULL);
        }
        updated.state = alerts_state = THUKY__ALERT_STATE__ALERT_FAILED;
        break;
    }
    default:
        updated.state = alerts_state = THUKY__ALERT_STATE__ALERT_FAILED;
        break;
    }
    delivery_save(txn, d, &updated);
    s_update_alerts(nd, txn, &updated, alerts_state, updated.last_error, now_ms);
    if (updated.state == THUKY__ALERT_STATE__ALERT_FAILED)
        log_warnx("delivery %s to %s dead-lettered after %u attempt(s): %s", d->id, d->office,
                  updated.attempts, r->reason);
    thuky__delivery__free_unpacked(d, NULL);
}

void notify_on_results(server_t *server, void *socket, void *arg)
{
    (void)socket;
    notifyd_t *nd = arg;
    delivery_result_t r;
    bool any = false;
    store_txn_t txn;
    if (store_txn_begin(server_store(server), &txn, true) != STORE_OK)
        return;
    int64_t now_ms = clock_now_ms();
    while (channels_next_result(nd->channels, &r)) {
        s_apply_result(nd, &txn, &r, now_ms);
        s_flight_remove(nd, r.id);
        any = true;
    }
    if (!any) {
        store_txn_abort(&txn);
        return;
    }
    s_commit(nd, &txn);
    server_wake_timers(server); /* a retry time may now be the next thing to do */
}
