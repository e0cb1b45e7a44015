/* alert.silence, alert.silences, alert.unsilence: silences suppress the
 * alerts of a task, to an office, or about a sitting, through a date.
 * The fire path checks them (notify_fire.c, s_silenced). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/i18n.h"
#include "domain/sitting.h"
#include "runtime/check.h"
#include "runtime/keys.h"
#include "notify_store.h"
#include "notifyd.h"

#define SILENCES_MAX 5000

static int s_silence_older(const void *a, const void *b)
{
    const Thuky__Silence *x = *(Thuky__Silence *const *)a, *y = *(Thuky__Silence *const *)b;
    unsigned long nx = strtoul(x->id + (x->id[0] == 'S'), NULL, 10);
    unsigned long ny = strtoul(y->id + (y->id[0] == 'S'), NULL, 10);
    return (nx > ny) - (nx < ny);
}

/* A silence names a sitting the session service has (XV-7, or one
 * occurrence GB-1@2024-03-04 of a series): a typo, or a date given where a
 * sitting id belongs, would otherwise silence nothing, or the wrong thing. */
static bool s_sitting_exists(server_call_t *call, const char *ref)
{
    char base[SITTING_ID_MAX + 1];
    int32_t occurrence;
    const char *why;
    if (!sitting_split_ref(ref, base, &occurrence, &why)) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "sitting '%s': %s", ref,
                    i18n_text(call->lang, why));
        return false;
    }
    if (!sitting_known(call->txn, base)) {
        if (call->txn->rc == STORE_OK)
            server_fail(call, THUKY__STATUS_CODE__NOT_FOUND,
                        "no sitting %s (thuky session list shows the sittings)", base);
        return false;
    }
    return true;
}

void notify_silence_add(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__SilenceRequest *req = (const Thuky__SilenceRequest *)request;
    const Thuky__Silence *in = req->silence;
    if (!in) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "silence is missing");
        return;
    }
    int targets = (in->task_id != 0) + (in->office[0] != '\0') + (in->sitting_id[0] != '\0');
    if (targets != 1) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                    "a silence names exactly one of a task, an office or a sitting");
        return;
    }
    int32_t until;
    const char *why;
    if (!date_parse(in->until, &until, &why)) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "until: %s",
                    i18n_text(call->lang, why));
        return;
    }
    if (!check_text(call, i18n_text(call->lang, N_("reason")), in->reason, 1000, true) ||
        !check_office_id(call, i18n_text(call->lang, N_("office")), in->office, false) ||
        !check_text(call, i18n_text(call->lang, N_("sitting")), in->sitting_id, 80, false))
        return;
    if (in->sitting_id[0] && !s_sitting_exists(call, in->sitting_id))
        return;
    char id[32], iso[DATE_ISO_LEN];
    MDB_dbi meta = store_dbi(call->txn->store, NDB_META);
    MDB_val v;
    uint32_t next = 1;
    if (store_get(call->txn, meta, "next_silence", 12, &v) && v.mv_size == 4)
        next = key_get_u32(v.mv_data);
    uint8_t buf[4];
    key_put_u32(buf, next + 1);
    store_put(call->txn, meta, "next_silence", 12, buf, 4);
    snprintf(id, sizeof id, "S%u", next);
    date_format_iso(until, iso);
    Thuky__Silence s = *in;
    s.id = id;
    s.until = iso;
    s.caller = (char *)call->caller;
    s.created_ms = call->now_ms;
    store_put_message(call->txn, store_dbi(call->txn->store, NDB_SILENCES), id, strlen(id),
                      &s.base);
    Thuky__Event event = THUKY__EVENT__INIT;
    event.type = (char *)"silence.created";
    event.subject = id;
    event.payload_case = THUKY__EVENT__PAYLOAD_SILENCE;
    event.silence = &s;
    server_emit(call, &event);
    server_reply(call, &s.base);
}

/* The silences in force today (or all), oldest first. Silences are made
 * by hand, so there are few: all are read. */
void notify_silence_list(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__SilenceListRequest *req = (const Thuky__SilenceListRequest *)request;
    int32_t today = date_local_day(call->now_ms / 1000);
    Thuky__SilenceList list = THUKY__SILENCE_LIST__INIT;
    size_t cap = 0;
    store_iter_t it;
    store_iter_init(&it, call->txn, store_dbi(call->txn->store, NDB_SILENCES), NULL, 0, NULL, 0,
                    false);
    while (list.n_silences < SILENCES_MAX && store_iter_next(&it)) {
        Thuky__Silence *s = thuky__silence__unpack(NULL, it.val.mv_size, it.val.mv_data);
        if (!s) {
            store_txn_fail(call->txn, STORE_CORRUPT);
            break;
        }
        int32_t until;
        if (!req->all && date_parse(s->until, &until, NULL) && until < today) {
            thuky__silence__free_unpacked(s, NULL);
            continue;
        }
        list.silences = xgrow(list.silences, list.n_silences, &cap, sizeof *list.silences);
        list.silences[list.n_silences++] = s;
    }
    store_iter_close(&it);
    /* ids are "S<n>": key order puts S10 before S2 (and qsort wants an array) */
    if (list.n_silences > 1)
        qsort(list.silences, list.n_silences, sizeof *list.silences, s_silence_older);
    if (call->txn->rc == STORE_OK)
        server_reply(call, &list.base);
    for (size_t i = 0; i < list.n_silences; i++)
        thuky__silence__free_unpacked(list.silences[i], NULL);
    free(list.silences);
}

/* Lifts a silence before its date: the alerts it covers fire again from
 * now on (those it already silenced stay silenced). */
void notify_silence_lift(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__SilenceLiftRequest *req = (const Thuky__SilenceLiftRequest *)request;
    MDB_dbi dbi = store_dbi(call->txn->store, NDB_SILENCES);
    Thuky__Silence *s = (Thuky__Silence *)store_get_message(call->txn, dbi, req->id,
                                                            strlen(req->id),
                                                            &thuky__silence__descriptor);
    if (!s) {
        if (call->txn->rc == STORE_OK)
            server_fail(call, THUKY__STATUS_CODE__NOT_FOUND, "no silence %.64s", req->id);
        return;
    }
    store_del(call->txn, dbi, req->id, strlen(req->id));
    Thuky__Event event = THUKY__EVENT__INIT;
    event.type = (char *)"silence.lifted";
    event.subject = s->id;
    event.payload_case = THUKY__EVENT__PAYLOAD_SILENCE;
    event.silence = s;
    server_emit(call, &event);
    server_reply(call, &s->base);
    thuky__silence__free_unpacked(s, NULL);
}
