/* alert.redeliver: an office's dead-lettered digests go out again.
 *
 * A receiver down for longer than the retries last (a weekend) leaves its
 * digests FAILED, escalated and kept. Once it is back the admin queues them
 * again: the delivery goes back to SENDING with its attempts reset and is
 * due now, with the same id, so a receiver that did get it drops the
 * repeat; its alerts go back to SENDING with an alert.requeued event. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "notify_store.h"
#include "notifyd.h"

#define REDELIVER_MAX 10000 /* digests per request; ask again for more */

/* The ids of the office's FAILED deliveries (all, or the one asked for). */
static size_t s_failed_ids(store_txn_t *txn, const char *office, const char *only, char ***out)
{
    char prefix[80];
    int n = snprintf(prefix, sizeof prefix, "D-%.64s-", office);
    size_t count = 0, cap = 0;
    char **ids = NULL;
    store_iter_t it;
    store_iter_init(&it, txn, store_dbi(txn->store, NDB_DELIVERIES), prefix, (size_t)n, NULL, 0,
                    false);
    while (count < REDELIVER_MAX && store_iter_next(&it)) {
        Thuky__Delivery *d = thuky__delivery__unpack(NULL, it.val.mv_size, it.val.mv_data);
        if (!d) {
            store_txn_fail(txn, STORE_CORRUPT);
            break;
        }
        /* "D-vu-x-" is also the prefix of office "vu-x-y"'s deliveries */
        if (d->state == THUKY__ALERT_STATE__ALERT_FAILED && strcmp(d->office, office) == 0 &&
            (!only[0] || strcmp(d->id, only) == 0)) {
            ids = xgrow(ids, count, &cap, sizeof *ids);
            ids[count++] = xstrdup(d->id);
        }
        thuky__delivery__free_unpacked(d, NULL);
    }
    store_iter_close(&it);
    *out = ids;
    return count;
}

/* Queues one delivery again; returns how many of its alerts went back. */
static uint32_t s_requeue(server_call_t *call, const char *id)
{
    notifyd_t *nd = call->service;
    Thuky__Delivery *d = delivery_load(call->txn, id);
    if (!d)
        return 0;
    Thuky__Delivery again = *d;
    again.state = THUKY__ALERT_STATE__ALERT_SENDING;
    again.attempts = 0;
    again.next_try_ms = call->now_ms;
    again.last_error = (char *)"";
    delivery_save(call->txn, d, &again);
    uint32_t alerts = 0;
    for (size_t i = 0; i < d->n_alert_ids; i++) {
        Thuky__Alert *a = alert_load(call->txn, d->alert_ids[i]);
        if (a && a->state == THUKY__ALERT_STATE__ALERT_FAILED) {
            Thuky__Alert next = *a;
            next.state = THUKY__ALERT_STATE__ALERT_SENDING;
            next.attempts = 0;
            next.last_error = (char *)"";
            alert_save(call->txn, a, &next);
            notify_emit_alert(nd, call->txn, call->now_ms, "alert.requeued", &next, call->caller);
            alerts++;
        }
        if (a)
            thuky__alert__free_unpacked(a, NULL);
    }
    thuky__delivery__free_unpacked(d, NULL);
    return alerts;
}

void notify_redeliver(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__RedeliverRequest *req = (const Thuky__RedeliverRequest *)request;
    if (!req->office[0]) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "office is required");
        return;
    }
    Thuky__Office *office = office_load(call->txn, req->office);
    if (!office) {
        if (call->txn->rc == STORE_OK)
            server_fail(call, THUKY__STATUS_CODE__NOT_FOUND, "no office %.64s", req->office);
        return;
    }
    thuky__office__free_unpacked(office, NULL);
    char **ids;
    size_t n = s_failed_ids(call->txn, req->office, req->delivery_id, &ids);
    Thuky__RedeliverReply reply = THUKY__REDELIVER_REPLY__INIT;
    for (size_t i = 0; i < n; i++) {
        if (call->txn->rc == STORE_OK) {
            reply.alerts += s_requeue(call, ids[i]);
            reply.deliveries++;
        }
        free(ids[i]);
    }
    free(ids);
    if (req->delivery_id[0] && reply.deliveries == 0 && call->txn->rc == STORE_OK) {
        server_fail(call, THUKY__STATUS_CODE__NOT_FOUND,
                    "no dead-lettered delivery %.160s of office %.64s", req->delivery_id,
                    req->office);
        return;
    }
    if (reply.deliveries)
        log_info("%s: %u dead-lettered delivery(ies) of %s queued again (%u alert(s))",
                 call->caller, reply.deliveries, req->office, reply.alerts);
    server_wake_timers(call->server); /* due now: the tick submits them */
    server_reply(call, &reply.base);
}
