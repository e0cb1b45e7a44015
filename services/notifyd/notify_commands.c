/* The notification service's commands: offices, the alert list,
 * acknowledgement, the preview and the policy (silences: notify_silences.c,
 * redelivery: notify_redeliver.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/i18n.h"
#include "base/log.h"
#include "domain/alert_text.h"
#include "runtime/check.h"
#include "runtime/keys.h"
#include "runtime/secret.h"
#include "notify_store.h"
#include "notifyd.h"

#define LIST_DEFAULT 200
#define LIST_MAX 5000

/* ---- offices ----------------------------------------------------------------- */

static bool s_check_office(server_call_t *call, const Thuky__Office *o)
{
    lang_t lang = call->lang;
    if (!check_office_id(call, i18n_text(lang, N_("id")), o->id, true) ||
        !check_text(call, i18n_text(lang, N_("name")), o->name, 300, true) ||
        !check_text(call, i18n_text(lang, N_("focal point")), o->focal_name, 200, false) ||
        !check_text(call, i18n_text(lang, N_("focal role")), o->focal_role, 200, false) ||
        !check_office_id(call, i18n_text(lang, N_("escalation office")), o->escalate_to, false))
        return false;
    if (o->kind < THUKY__OFFICE_KIND__OFFICE_DEPARTMENT ||
        o->kind > THUKY__OFFICE_KIND__OFFICE_SECRETARIAT) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                    "kind must be department, committee, delegation or secretariat");
        return false;
    }
    if (o->email[0] && !alert_text_addr_valid(o->email)) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "invalid e-mail address '%.100s'",
                    o->email);
        return false;
    }
    if (o->webhook_url[0] && !channels_url_valid(o->webhook_url)) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                    "invalid webhook URL (http:// or https:// with a host)");
        return false;
    }
    if (o->webhook_secret[0]) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                    "a webhook secret is never sent in a command: put it in a file on the "
                    "notification server (no access for others) and give webhook_secret_file");
        return false;
    }
    if (o->webhook_url[0] && !o->webhook_secret_file[0]) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                    "a webhook needs its signing secret: give webhook_secret_file");
        return false;
    }
    if (!check_text(call, i18n_text(lang, N_("webhook secret file")), o->webhook_secret_file,
                    400, false))
        return false;
    if (o->webhook_secret_file[0]) {
        char secret[WEBHOOK_SECRET_FILE_MAX], why[600];
        bool ok = o->webhook_secret_file[0] == '/' &&
                  secret_file_read(o->webhook_secret_file, true, secret, sizeof secret, why,
                                   sizeof why) == 0;
        secret_wipe(secret, sizeof secret);
        if (!ok) {
            server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "webhook secret file: %s",
                        o->webhook_secret_file[0] == '/'
                            ? why
                            : i18n_text(lang, N_("must be an absolute path")));
            return false;
        }
    }
    if (o->lang[0] && strcmp(o->lang, "vi") != 0 && strcmp(o->lang, "en") != 0) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "lang must be vi or en");
        return false;
    }
    const Thuky__Policy *p = o->policy;
    if (p && (p->n_lead_days > 8 || p->overdue_every > 365 || p->escalate_after > 365)) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                    "policy: at most 8 lead days; intervals of at most 365 working days");
        return false;
    }
    for (size_t i = 0; p && i < p->n_lead_days; i++)
        if (p->lead_days[i] > 365) {
            server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                        "policy: a lead time is 0-365 days");
            return false;
        }
    if (p && p->deliver_at[0] && !date_parse_clock(p->deliver_at, NULL)) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "policy: deliver_at is HH:MM");
        return false;
    }
    if (o->escalate_to[0] && strcmp(o->escalate_to, o->id) == 0) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                    "an office cannot escalate to itself");
        return false;
    }
    return true;
}

static void s_emit_office(server_call_t *call, const char *type, const Thuky__Office *o)
{
    Thuky__OfficeEvent payload = THUKY__OFFICE_EVENT__INIT;
    payload.office = (Thuky__Office *)o;
    payload.caller = (char *)call->caller;
    Thuky__Event event = THUKY__EVENT__INIT;
    event.type = (char *)type;
    event.subject = o->id;
    event.payload_case = THUKY__EVENT__PAYLOAD_OFFICE;
    event.office = &payload;
    server_emit(call, &event);
}

static void s_office_add(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__OfficeAddRequest *req = (const Thuky__OfficeAddRequest *)request;
    if (!req->office) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "office is missing");
        return;
    }
    if (!s_check_office(call, req->office))
        return;
    Thuky__Office *existing = office_load(call->txn, req->office->id);
    if (existing && !req->replace) {
        server_fail(call, THUKY__STATUS_CODE__CONFLICT, "office %s exists already",
                    req->office->id);
        thuky__office__free_unpacked(existing, NULL);
        return;
    }
    if (req->office->escalate_to[0]) {
        Thuky__Office *to = office_load(call->txn, req->office->escalate_to);
        if (!to) {
            server_fail(call, THUKY__STATUS_CODE__NOT_FOUND,
                        "escalation office %s does not exist (add it first)",
                        req->office->escalate_to);
            if (existing)
                thuky__office__free_unpacked(existing, NULL);
            return;
        }
        thuky__office__free_unpacked(to, NULL);
    }
    Thuky__Office o = *req->office;
    o.created_ms = existing ? existing->created_ms : call->now_ms;
    o.updated_ms = call->now_ms;
    o.webhook_gone = false; /* a new or changed hook gets another chance */
    office_save(call->txn, &o);
    server_set_counter(call->server, NOTIFY_UNREACHABLE_COUNTER, offices_unreachable(call->txn));
    s_emit_office(call, existing ? "office.updated" : "office.created", &o);
    server_reply(call, &o.base);
    if (existing)
        thuky__office__free_unpacked(existing, NULL);
}

static void s_office_get(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__OfficeGetRequest *req = (const Thuky__OfficeGetRequest *)request;
    const char *id = req->id;
    if (!server_office_may(call, i18n_text(call->lang, N_("see another office's record")), &id,
                           1))
        return;
    Thuky__Office *o = office_load(call->txn, req->id);
    if (!o) {
        if (call->txn->rc == STORE_OK)
            server_fail(call, THUKY__STATUS_CODE__NOT_FOUND, "no office %.64s", req->id);
        return;
    }
    server_reply(call, &o->base);
    thuky__office__free_unpacked(o, NULL);
}

static void s_office_list(server_call_t *call, const ProtobufCMessage *request)
{
    (void)request;
    Thuky__OfficeList list = THUKY__OFFICE_LIST__INIT;
    size_t cap = 0;
    store_iter_t it;
    store_iter_init(&it, call->txn, store_dbi(call->txn->store, NDB_OFFICES), NULL, 0, NULL, 0,
                    false);
    while (store_iter_next(&it)) {
        Thuky__Office *o = thuky__office__unpack(NULL, it.val.mv_size, it.val.mv_data);
        if (!o) {
            store_txn_fail(call->txn, STORE_CORRUPT);
            break;
        }
        list.offices = xgrow(list.offices, list.n_offices, &cap, sizeof *list.offices);
        list.offices[list.n_offices++] = o;
    }
    store_iter_close(&it);
    server_reply(call, &list.base);
    for (size_t i = 0; i < list.n_offices; i++)
        thuky__office__free_unpacked(list.offices[i], NULL);
    free(list.offices);
}

/* ---- alerts -------------------------------------------------------------------- */

static void s_alert_list(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__AlertListRequest *req = (const Thuky__AlertListRequest *)request;
    const char *office =
        server_scope_office(call, req->office, i18n_text(call->lang, N_("alerts")));
    if (!office)
        return;
    int64_t from_ms = INT64_MIN;
    if (req->from[0]) {
        int32_t day;
        const char *why;
        if (!date_parse(req->from, &day, &why)) {
            server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "from: %s",
                        i18n_text(call->lang, why));
            return;
        }
        from_ms = date_local_midnight(day) * 1000;
    }
    if (req->id[0]) { /* one alert, by id: no walk */
        Thuky__AlertList one = THUKY__ALERT_LIST__INIT;
        Thuky__Alert *a = alert_load(call->txn, req->id);
        bool match = a && (!office[0] || strcmp(a->office, office) == 0) &&
                     (!req->state || a->state == req->state) &&
                     (!req->task_id || a->task_id == req->task_id);
        one.alerts = &a;
        one.n_alerts = match ? 1 : 0;
        server_reply(call, &one.base);
        if (a)
            thuky__alert__free_unpacked(a, NULL);
        return;
    }
    size_t limit = req->limit ? (req->limit < LIST_MAX ? req->limit : LIST_MAX) : LIST_DEFAULT;
    uint8_t start[9] = {NINDEX_FIRE};
    key_put_i64(start + 1, from_ms);
    Thuky__AlertList list = THUKY__ALERT_LIST__INIT;
    list.alerts = xcalloc(limit, sizeof *list.alerts);
    store_iter_t it;
    store_iter_init(&it, call->txn, store_dbi(call->txn->store, NDB_INDEX), start, 1, start,
                    sizeof start, false);
    while (store_iter_next(&it)) {
        if (it.key.mv_size <= 9)
            continue;
        char id[200];
        size_t n = it.key.mv_size - 9 < sizeof id - 1 ? it.key.mv_size - 9 : sizeof id - 1;
        memcpy(id, (const uint8_t *)it.key.mv_data + 9, n);
        id[n] = '\0';
        Thuky__Alert *a = alert_load(call->txn, id);
        if (!a)
            continue;
        bool match = (!office[0] || strcmp(a->office, office) == 0) &&
                     (!req->state || a->state == req->state) &&
                     (!req->task_id || a->task_id == req->task_id);
        if (match && list.n_alerts == limit) {
            list.truncated = true;
            thuky__alert__free_unpacked(a, NULL);
            break;
        }
        if (match)
            list.alerts[list.n_alerts++] = a;
        else
            thuky__alert__free_unpacked(a, NULL);
    }
    store_iter_close(&it);
    server_reply(call, &list.base);
    for (size_t i = 0; i < list.n_alerts; i++)
        thuky__alert__free_unpacked(list.alerts[i], NULL);
    free(list.alerts);
}

/* The alert id names, if the caller may act on it (an office: its own);
 * else NULL with the call failed (NOT_FOUND, or PERMISSION_DENIED saying
 * what was refused). */
static Thuky__Alert *s_office_alert(server_call_t *call, const char *id, const char *refused)
{
    Thuky__Alert *a = alert_load(call->txn, id);
    if (!a) {
        if (call->txn->rc == STORE_OK)
            server_fail(call, THUKY__STATUS_CODE__NOT_FOUND, "no alert %.160s", id);
        return NULL;
    }
    const char *to = a->office;
    if (!server_office_may(call, refused, &to, 1)) {
        thuky__alert__free_unpacked(a, NULL);
        return NULL;
    }
    return a;
}

/* Acknowledged: the office has seen it; its task's later reminders to that
 * office stop (planned ones are dropped, none are planned again). */
static void s_alert_ack(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__AlertAckRequest *req = (const Thuky__AlertAckRequest *)request;
    notifyd_t *nd = call->service;
    Thuky__Alert *a = s_office_alert(call, req->id,
                                     i18n_text(call->lang,
                                               N_("acknowledge another office's alert")));
    if (!a)
        return;
    ack_put(call->txn, a->task_id, a->office);
    uint8_t prefix[5] = {NINDEX_TASK};
    key_put_u32(prefix + 1, a->task_id);
    char **ids;
    size_t n = index_ids(call->txn, prefix, sizeof prefix, sizeof prefix, 100000, &ids);
    for (size_t i = 0; i < n; i++) {
        Thuky__Alert *other = alert_load(call->txn, ids[i]);
        if (other && other->state == THUKY__ALERT_STATE__ALERT_PLANNED &&
            strcmp(other->office, a->office) == 0)
            alert_delete(call->txn, other);
        if (other)
            thuky__alert__free_unpacked(other, NULL);
        free(ids[i]);
    }
    free(ids);
    Thuky__Alert *now = alert_load(call->txn, req->id);
    if (now) {
        Thuky__Alert acked = *now;
        if (acked.state != THUKY__ALERT_STATE__ALERT_ACKED)
            acked.acked_ms = call->now_ms;
        acked.state = THUKY__ALERT_STATE__ALERT_ACKED;
        alert_save(call->txn, now, &acked);
        notify_emit_alert(nd, call->txn, call->now_ms, "alert.acked", &acked, call->caller);
        server_reply(call, &acked.base);
        thuky__alert__free_unpacked(now, NULL);
    } else {
        /* it was planned, so dropped above: record it acknowledged */
        Thuky__Alert acked = *a;
        acked.state = THUKY__ALERT_STATE__ALERT_ACKED;
        acked.acked_ms = call->now_ms;
        alert_save(call->txn, NULL, &acked);
        notify_emit_alert(nd, call->txn, call->now_ms, "alert.acked", &acked, call->caller);
        server_reply(call, &acked.base);
    }
    thuky__alert__free_unpacked(a, NULL);
}

/* Undoes an acknowledgement made in the last UNACK_WINDOW_MS (a click on
 * the wrong button): the alert is as it was (sent, or planned), and the
 * task's later reminders to that office are planned again. */
#define UNACK_WINDOW_MS (24 * 3600 * 1000LL)
static void s_alert_unack(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__AlertAckRequest *req = (const Thuky__AlertAckRequest *)request;
    notifyd_t *nd = call->service;
    Thuky__Alert *a = s_office_alert(call, req->id,
                                     i18n_text(call->lang,
                                               N_("undo another office's acknowledgement")));
    if (!a)
        return;
    if (a->state != THUKY__ALERT_STATE__ALERT_ACKED) {
        server_fail(call, THUKY__STATUS_CODE__CONFLICT, "alert %.160s is not acknowledged", a->id);
    } else if (call->now_ms - a->acked_ms > UNACK_WINDOW_MS) {
        server_fail(call, THUKY__STATUS_CODE__CONFLICT,
                    "alert %.160s was acknowledged more than 24 hours ago: it stays so", a->id);
    } else {
        Thuky__Alert undone = *a;
        undone.state = a->sent_ms > 0 ? THUKY__ALERT_STATE__ALERT_SENT
                                      : THUKY__ALERT_STATE__ALERT_PLANNED;
        undone.acked_ms = 0;
        alert_save(call->txn, a, &undone);
        ack_del(call->txn, a->task_id, a->office);
        notify_emit_alert(nd, call->txn, call->now_ms, "alert.unacked", &undone, call->caller);
        notify_replan_task(nd, call->txn, a->task_id, call->now_ms);
        server_reply(call, &undone.base);
    }
    thuky__alert__free_unpacked(a, NULL);
}

/* What would go out on a day, per office (planned alerts firing that day). */
static void s_alert_preview(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__AlertPreviewRequest *req = (const Thuky__AlertPreviewRequest *)request;
    int32_t day = date_local_day(call->now_ms / 1000);
    const char *why;
    if (req->date[0] && !date_parse(req->date, &day, &why)) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "date: %s",
                    i18n_text(call->lang, why));
        return;
    }
    uint8_t start[9] = {NINDEX_PLANNED};
    key_put_i64(start + 1, date_local_midnight(day) * 1000);
    int64_t end_ms = date_local_midnight(day + 1) * 1000;
    Thuky__AlertPreview preview = THUKY__ALERT_PREVIEW__INIT;
    size_t cap = 0;
    store_iter_t it;
    store_iter_init(&it, call->txn, store_dbi(call->txn->store, NDB_INDEX), start, 1, start,
                    sizeof start, false);
    while (store_iter_next(&it)) {
        if (it.key.mv_size <= 9 || key_get_i64((const uint8_t *)it.key.mv_data + 1) >= end_ms)
            break;
        char id[200];
        size_t n = it.key.mv_size - 9 < sizeof id - 1 ? it.key.mv_size - 9 : sizeof id - 1;
        memcpy(id, (const uint8_t *)it.key.mv_data + 9, n);
        id[n] = '\0';
        Thuky__Alert *a = alert_load(call->txn, id);
        if (!a)
            continue;
        Thuky__PreviewOffice *po = NULL;
        for (size_t i = 0; i < preview.n_offices && !po; i++)
            if (strcmp(preview.offices[i]->office, a->office) == 0)
                po = preview.offices[i];
        if (!po) {
            preview.offices =
                xgrow(preview.offices, preview.n_offices, &cap, sizeof *preview.offices);
            po = xcalloc(1, sizeof *po);
            thuky__preview_office__init(po);
            po->office = xstrdup(a->office);
            Thuky__Office *o = office_load(call->txn, a->office);
            po->channel = xstrdup(notify_channel(call->service, o));
            if (o)
                thuky__office__free_unpacked(o, NULL);
            preview.offices[preview.n_offices++] = po;
        }
        po->alerts = xrealloc(po->alerts, (po->n_alerts + 1) * sizeof *po->alerts);
        po->alerts[po->n_alerts++] = a;
    }
    store_iter_close(&it);
    server_reply(call, &preview.base);
    for (size_t i = 0; i < preview.n_offices; i++)
        thuky__preview_office__free_unpacked(preview.offices[i], NULL);
    free(preview.offices);
}

static void s_policy_get(server_call_t *call, const ProtobufCMessage *request)
{
    (void)request;
    Thuky__Policy policy;
    uint32_t lead[8];
    notify_policy(call->service, NULL, &policy, lead);
    char at[8];
    int m = ((notifyd_t *)call->service)->config->notify.deliver_minute;
    snprintf(at, sizeof at, "%02d:%02d", (m / 60) % 24, m % 60);
    policy.deliver_at = at;
    server_reply(call, &policy.base);
}

const command_t notifyd_commands[] = {
    /* name, body, handler, flags, roles */
    {"office.add", &thuky__office_add_request__descriptor, s_office_add, COMMAND_WRITE,
     ROLE_ADMIN},
    {"office.get", &thuky__office_get_request__descriptor, s_office_get, 0,
     ROLE_ADMIN | ROLE_OFFICE | ROLE_GATEWAY},
    {"office.list", &thuky__office_list_request__descriptor, s_office_list, 0,
     ROLE_ADMIN | ROLE_GATEWAY},
    {"alert.list", &thuky__alert_list_request__descriptor, s_alert_list, 0,
     ROLE_ADMIN | ROLE_OFFICE | ROLE_GATEWAY},
    {"alert.ack", &thuky__alert_ack_request__descriptor, s_alert_ack,
     COMMAND_WRITE | COMMAND_GATEWAY, ROLE_ADMIN | ROLE_OFFICE},
    {"alert.silence", &thuky__silence_request__descriptor, notify_silence_add, COMMAND_WRITE,
     ROLE_ADMIN},
    {"alert.preview", &thuky__alert_preview_request__descriptor, s_alert_preview, 0,
     ROLE_ADMIN},
    {"policy.get", &thuky__policy_get_request__descriptor, s_policy_get, 0,
     ROLE_ADMIN | ROLE_OFFICE | ROLE_GATEWAY},
    /* New commands go last: the fuzzers' corpus names commands by index. */
    {"alert.redeliver", &thuky__redeliver_request__descriptor, notify_redeliver, COMMAND_WRITE,
     ROLE_ADMIN},
    {"alert.silences", &thuky__silence_list_request__descriptor, notify_silence_list, 0,
     ROLE_ADMIN},
    {"alert.unsilence", &thuky__silence_lift_request__descriptor, notify_silence_lift,
     COMMAND_WRITE, ROLE_ADMIN},
    {"alert.unack", &thuky__alert_ack_request__descriptor, s_alert_unack,
     COMMAND_WRITE | COMMAND_GATEWAY, ROLE_ADMIN | ROLE_OFFICE},
};
const size_t notifyd_command_count = sizeof notifyd_commands / sizeof notifyd_commands[0];
