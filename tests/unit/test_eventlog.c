/* Unit tests for common/runtime/eventlog.c without a PUB socket: dense sequences,
 * rollback of an aborted transaction's events, reading a slice of the log,
 * continuing after a restart, and last_seq around publish. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "runtime/eventlog.h"
#include "runtime/keys.h"
#include "runtime/store.h"
#include "tempdir.h"

#define MAP_BYTES (8u << 20)
#define T0 INT64_C(1716163200000)

enum { DB_EVENTS, DB_DATA, DB_META, DB_COUNT };
static const store_db_spec_t s_dbs[DB_COUNT] = {{"events", 0}, {"data", 0}, {"meta", 0}};

typedef struct {
    char root[64];
    char dir[128];
    store_t *store;
    eventlog_t *log;
} fixture_t;

static void fx_open(fixture_t *fx)
{
    char why[256] = "";
    fx->store = store_open(fx->dir, s_dbs, DB_COUNT, &(store_options_t){.map_bytes = MAP_BYTES}, why, sizeof why);
    if (!fx->store)
        print_error("store_open: %s\n", why);
    assert_non_null(fx->store);
    fx->log = eventlog_new(fx->store, store_dbi(fx->store, DB_EVENTS), store_dbi(fx->store, DB_META),
                           "taskd", NULL);
    assert_non_null(fx->log);
}

static void fx_close(fixture_t *fx)
{
    eventlog_destroy(&fx->log);
    assert_null(fx->log);
    store_close(&fx->store);
}

static int setup(void **state)
{
    fixture_t *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    if (!tempdir_make(fx->root, sizeof fx->root, "eventlog")) {
        free(fx);
        return -1;
    }
    snprintf(fx->dir, sizeof fx->dir, "%s/store", fx->root);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *fx = *state;
    eventlog_destroy(&fx->log);
    store_close(&fx->store);
    tempdir_remove(fx->root);
    free(fx);
    return 0;
}

/* Appends one event with the given subject; returns its seq. */
static uint64_t append(fixture_t *fx, store_txn_t *txn, const char *type, const char *subject,
                       int64_t now_ms)
{
    Thuky__Event ev = THUKY__EVENT__INIT;
    ev.type = (char *)type;
    ev.subject = (char *)subject;
    uint64_t seq = eventlog_append(fx->log, txn, &ev, now_ms);
    assert_int_equal(ev.seq, seq);
    assert_int_equal(ev.time_ms, now_ms);
    /* The id and source point into eventlog_append's frame: cleared. */
    assert_null(ev.id);
    assert_null(ev.source);
    return seq;
}

/* Appends count events "T<first>".. in one committed transaction, then publishes. */
static void append_committed(fixture_t *fx, int first, int count)
{
    store_txn_t txn;
    assert_int_equal(store_txn_begin(fx->store, &txn, true), STORE_OK);
    for (int i = first; i < first + count; i++) {
        char subject[16];
        snprintf(subject, sizeof subject, "T%d", i);
        append(fx, &txn, "task.created", subject, T0 + i);
    }
    assert_int_equal(store_txn_commit(&txn), STORE_OK);
    eventlog_publish(fx->log);
}

/* Decodes the stored event seq straight from the events database. */
static Thuky__Event *stored_event(fixture_t *fx, uint64_t seq)
{
    store_txn_t txn;
    assert_int_equal(store_txn_begin(fx->store, &txn, false), STORE_OK);
    uint8_t key[8];
    key_put_u64(key, seq);
    MDB_val v;
    Thuky__Event *ev = NULL;
    if (store_get(&txn, store_dbi(fx->store, DB_EVENTS), key, sizeof key, &v))
        ev = thuky__event__unpack(NULL, v.mv_size, v.mv_data);
    store_txn_abort(&txn);
    return ev;
}

/* Reads after/limit and checks the seqs are want_first, want_first+1, ... */
static void expect_read(fixture_t *fx, uint64_t after, uint32_t limit, uint64_t want_first,
                        size_t want_count, uint64_t want_last_seq)
{
    store_txn_t txn;
    assert_int_equal(store_txn_begin(fx->store, &txn, false), STORE_OK);
    Thuky__EventsReadRaw raw = THUKY__EVENTS_READ_RAW__INIT;
    eventlog_read(fx->log, &txn, after, limit, &raw);
    assert_int_equal(txn.rc, STORE_OK);
    store_txn_abort(&txn);

    assert_int_equal(raw.n_events, want_count);
    assert_int_equal(raw.last_seq, want_last_seq);
    for (size_t i = 0; i < raw.n_events; i++) {
        Thuky__Event *ev = thuky__event__unpack(NULL, raw.events[i].len, raw.events[i].data);
        assert_non_null(ev);
        uint64_t seq = want_first + i;
        assert_int_equal(ev->seq, seq);
        char id[32], subject[16];
        snprintf(id, sizeof id, "taskd-%llu", (unsigned long long)seq);
        snprintf(subject, sizeof subject, "T%llu", (unsigned long long)seq);
        assert_string_equal(ev->id, id);
        assert_string_equal(ev->subject, subject);
        assert_string_equal(ev->source, "/thuky/taskd");
        thuky__event__free_unpacked(ev, NULL);
    }

    /* The raw reply is wire-identical to EventsReadReply. */
    size_t len = thuky__events_read_raw__get_packed_size(&raw);
    uint8_t *buf = malloc(len ? len : 1);
    assert_non_null(buf);
    thuky__events_read_raw__pack(&raw, buf);
    Thuky__EventsReadReply *reply = thuky__events_read_reply__unpack(NULL, len, buf);
    assert_non_null(reply);
    assert_int_equal(reply->n_events, want_count);
    assert_int_equal(reply->last_seq, want_last_seq);
    for (size_t i = 0; i < reply->n_events; i++)
        assert_int_equal(reply->events[i]->seq, want_first + i);
    thuky__events_read_reply__free_unpacked(reply, NULL);
    free(buf);
    eventlog_read_free(&raw);
    assert_null(raw.events);
    assert_int_equal(raw.n_events, 0);
}

/* ------------------------------------------------------------------ tests */

static void test_append_dense_seqs(void **state)
{
    fixture_t *fx = *state;
    fx_open(fx);
    assert_string_equal(eventlog_source(fx->log), "taskd");
    assert_int_equal(eventlog_last_seq(fx->log), 0);

    store_txn_t txn;
    assert_int_equal(store_txn_begin(fx->store, &txn, true), STORE_OK);
    assert_int_equal(append(fx, &txn, "task.created", "T1", T0 + 1), 1);
    assert_int_equal(append(fx, &txn, "task.updated", "T2", T0 + 2), 2);
    assert_int_equal(eventlog_mark(fx->log), 2);
    assert_int_equal(store_txn_commit(&txn), STORE_OK);
    eventlog_publish(fx->log);
    assert_int_equal(eventlog_mark(fx->log), 0);

    assert_int_equal(store_txn_begin(fx->store, &txn, true), STORE_OK);
    assert_int_equal(append(fx, &txn, "task.completed", "T3", T0 + 3), 3);
    assert_int_equal(store_txn_commit(&txn), STORE_OK);
    eventlog_publish(fx->log);
    assert_int_equal(eventlog_last_seq(fx->log), 3);

    const char *types[] = {"task.created", "task.updated", "task.completed"};
    for (uint64_t seq = 1; seq <= 3; seq++) {
        Thuky__Event *ev = stored_event(fx, seq);
        assert_non_null(ev);
        char id[32], subject[8];
        snprintf(id, sizeof id, "taskd-%llu", (unsigned long long)seq);
        snprintf(subject, sizeof subject, "T%llu", (unsigned long long)seq);
        assert_int_equal(ev->seq, seq);
        assert_string_equal(ev->id, id);
        assert_string_equal(ev->source, "/thuky/taskd");
        assert_string_equal(ev->type, types[seq - 1]);
        assert_string_equal(ev->subject, subject);
        assert_int_equal(ev->time_ms, T0 + (int64_t)seq);
        assert_int_equal(ev->payload_case, THUKY__EVENT__PAYLOAD__NOT_SET);
        thuky__event__free_unpacked(ev, NULL);
    }
    assert_null(stored_event(fx, 4));
    assert_null(stored_event(fx, 0));

    /* A heartbeat without a PUB socket is a no-op. */
    eventlog_heartbeat(fx->log, T0);
    fx_close(fx);
}

static void test_append_keeps_payload(void **state)
{
    fixture_t *fx = *state;
    fx_open(fx);
    Thuky__Task task = THUKY__TASK__INIT;
    task.id = 12;
    task.title = "Báo cáo công tác";
    Thuky__TaskEvent te = THUKY__TASK_EVENT__INIT;
    te.task = &task;
    te.caller = "an@vpqh";
    Thuky__Event ev = THUKY__EVENT__INIT;
    ev.type = "task.created";
    ev.subject = "T12";
    ev.payload_case = THUKY__EVENT__PAYLOAD_TASK;
    ev.task = &te;

    store_txn_t txn;
    assert_int_equal(store_txn_begin(fx->store, &txn, true), STORE_OK);
    assert_int_equal(eventlog_append(fx->log, &txn, &ev, T0), 1);
    assert_int_equal(store_txn_commit(&txn), STORE_OK);
    eventlog_publish(fx->log);

    Thuky__Event *got = stored_event(fx, 1);
    assert_non_null(got);
    assert_int_equal(got->payload_case, THUKY__EVENT__PAYLOAD_TASK);
    assert_non_null(got->task);
    assert_non_null(got->task->task);
    assert_int_equal(got->task->task->id, 12);
    assert_string_equal(got->task->task->title, "Báo cáo công tác");
    assert_string_equal(got->task->caller, "an@vpqh");
    assert_string_equal(got->id, "taskd-1");
    thuky__event__free_unpacked(got, NULL);
    fx_close(fx);
}

static void test_rollback_reuses_seq(void **state)
{
    fixture_t *fx = *state;
    fx_open(fx);
    append_committed(fx, 1, 2);

    /* Group commit: one outer transaction, one child per request. */
    store_txn_t txn, child;
    assert_int_equal(store_txn_begin(fx->store, &txn, true), STORE_OK);

    /* Request A succeeds. */
    size_t mark = eventlog_mark(fx->log);
    assert_int_equal(mark, 0);
    assert_int_equal(store_txn_begin_child(&txn, &child), STORE_OK);
    assert_int_equal(append(fx, &child, "task.created", "T3", T0 + 3), 3);
    assert_int_equal(store_txn_commit(&child), STORE_OK);

    /* Request B fails after appending two events: forget them. */
    mark = eventlog_mark(fx->log);
    assert_int_equal(mark, 1);
    assert_int_equal(store_txn_begin_child(&txn, &child), STORE_OK);
    assert_int_equal(append(fx, &child, "task.updated", "X4", T0 + 4), 4);
    assert_int_equal(append(fx, &child, "task.updated", "X5", T0 + 5), 5);
    store_txn_abort(&child);
    eventlog_rollback_to(fx->log, mark);
    assert_int_equal(eventlog_mark(fx->log), 1);

    /* Request C gets seq 4 again. */
    assert_int_equal(store_txn_begin_child(&txn, &child), STORE_OK);
    assert_int_equal(append(fx, &child, "task.updated", "T4", T0 + 4), 4);
    assert_int_equal(store_txn_commit(&child), STORE_OK);
    assert_int_equal(store_txn_commit(&txn), STORE_OK);
    eventlog_publish(fx->log);
    assert_int_equal(eventlog_last_seq(fx->log), 4);

    expect_read(fx, 0, 100, 1, 4, 4);
    assert_null(stored_event(fx, 5));

    /* A whole batch aborted: rollback to 0 forgets everything appended. */
    assert_int_equal(store_txn_begin(fx->store, &txn, true), STORE_OK);
    assert_int_equal(append(fx, &txn, "task.updated", "Y5", T0), 5);
    assert_int_equal(append(fx, &txn, "task.updated", "Y6", T0), 6);
    store_txn_abort(&txn);
    eventlog_rollback_to(fx->log, 0);
    assert_int_equal(eventlog_last_seq(fx->log), 4);
    assert_int_equal(eventlog_mark(fx->log), 0);
    append_committed(fx, 5, 1);
    assert_int_equal(eventlog_last_seq(fx->log), 5);
    expect_read(fx, 0, 100, 1, 5, 5);

    /* Rolling back to the current mark does nothing. */
    eventlog_rollback_to(fx->log, eventlog_mark(fx->log));
    assert_int_equal(eventlog_last_seq(fx->log), 5);
    fx_close(fx);
}

static void test_read_slices(void **state)
{
    fixture_t *fx = *state;
    fx_open(fx);
    expect_read(fx, 0, 10, 1, 0, 0); /* empty log */
    append_committed(fx, 1, 4);
    append_committed(fx, 5, 6);      /* seqs 1..10 */

    expect_read(fx, 0, 100, 1, 10, 10);
    expect_read(fx, 3, 4, 4, 4, 10);   /* 4,5,6,7 */
    expect_read(fx, 0, 1, 1, 1, 10);
    expect_read(fx, 8, 100, 9, 2, 10);
    expect_read(fx, 9, 1, 10, 1, 10);
    expect_read(fx, 10, 100, 11, 0, 10);
    expect_read(fx, 1000, 100, 1001, 0, 10);
    /* 0 and too large both mean the server's cap. */
    expect_read(fx, 2, 0, 3, 8, 10);
    expect_read(fx, 2, EVENTLOG_READ_MAX + 1, 3, 8, 10);

    /* Events in another database never show up. */
    store_txn_t txn;
    assert_int_equal(store_txn_begin(fx->store, &txn, true), STORE_OK);
    uint8_t key[8];
    key_put_u64(key, 11);
    store_put(&txn, store_dbi(fx->store, DB_DATA), key, sizeof key, "x", 1);
    assert_int_equal(store_txn_commit(&txn), STORE_OK);
    expect_read(fx, 0, 100, 1, 10, 10);
    fx_close(fx);
}

/* A read inside the batch that appended sees the batch's events and
 * reports last_seq including them (replies go out after the commit). */
static void test_read_in_batch(void **state)
{
    fixture_t *fx = *state;
    fx_open(fx);
    append_committed(fx, 1, 2);
    store_txn_t txn;
    assert_int_equal(store_txn_begin(fx->store, &txn, true), STORE_OK);
    append(fx, &txn, "task.created", "T3", T0);
    Thuky__EventsReadRaw raw = THUKY__EVENTS_READ_RAW__INIT;
    eventlog_read(fx->log, &txn, 1, 10, &raw);
    assert_int_equal(raw.n_events, 2);
    assert_int_equal(raw.last_seq, 3);
    eventlog_read_free(&raw);
    assert_int_equal(store_txn_commit(&txn), STORE_OK);
    eventlog_publish(fx->log);
    fx_close(fx);
}

static void test_reopen_continues(void **state)
{
    fixture_t *fx = *state;
    fx_open(fx);
    append_committed(fx, 1, 3);
    fx_close(fx);

    fx_open(fx);
    assert_int_equal(eventlog_last_seq(fx->log), 3);
    append_committed(fx, 4, 2);
    assert_int_equal(eventlog_last_seq(fx->log), 5);
    expect_read(fx, 0, 100, 1, 5, 5);

    /* Appended but never committed before the "crash": not there after. */
    store_txn_t txn;
    assert_int_equal(store_txn_begin(fx->store, &txn, true), STORE_OK);
    append(fx, &txn, "task.created", "lost", T0);
    store_txn_abort(&txn);
    fx_close(fx); /* destroy with a pending event frees it */

    fx_open(fx);
    assert_int_equal(eventlog_last_seq(fx->log), 5);
    append_committed(fx, 6, 1);
    expect_read(fx, 0, 100, 1, 6, 6);
    fx_close(fx);

    /* Past 255 and 256: the big-endian key keeps the order. */
    fx_open(fx);
    append_committed(fx, 7, 300);
    fx_close(fx);
    fx_open(fx);
    assert_int_equal(eventlog_last_seq(fx->log), 306);
    expect_read(fx, 250, 10, 251, 10, 306);
    fx_close(fx);
}

static void test_last_seq_excludes_pending(void **state)
{
    fixture_t *fx = *state;
    fx_open(fx);
    append_committed(fx, 1, 1);
    assert_int_equal(eventlog_last_seq(fx->log), 1);

    store_txn_t txn;
    assert_int_equal(store_txn_begin(fx->store, &txn, true), STORE_OK);
    append(fx, &txn, "task.created", "T2", T0);
    append(fx, &txn, "task.created", "T3", T0);
    assert_int_equal(eventlog_last_seq(fx->log), 1); /* not yet published */
    assert_int_equal(store_txn_commit(&txn), STORE_OK);
    assert_int_equal(eventlog_last_seq(fx->log), 1); /* committed, not published */
    eventlog_publish(fx->log);
    assert_int_equal(eventlog_last_seq(fx->log), 3);
    eventlog_publish(fx->log); /* nothing pending: no change */
    assert_int_equal(eventlog_last_seq(fx->log), 3);
    fx_close(fx);
}

/* Many events in one transaction: the pending array grows past its
 * initial capacity. */
static void test_many_pending(void **state)
{
    fixture_t *fx = *state;
    fx_open(fx);
    store_txn_t txn;
    assert_int_equal(store_txn_begin(fx->store, &txn, true), STORE_OK);
    for (int i = 1; i <= 100; i++) {
        char subject[16];
        snprintf(subject, sizeof subject, "T%d", i);
        assert_int_equal(append(fx, &txn, "task.created", subject, T0), (uint64_t)i);
    }
    assert_int_equal(eventlog_mark(fx->log), 100);
    eventlog_rollback_to(fx->log, 40);
    assert_int_equal(eventlog_mark(fx->log), 40);
    store_txn_abort(&txn);
    eventlog_rollback_to(fx->log, 0);
    assert_int_equal(eventlog_last_seq(fx->log), 0);
    append_committed(fx, 1, 50);
    expect_read(fx, 0, 0, 1, 50, 50);
    fx_close(fx);
}

/* Was a bug: eventlog_read() computes the start key as after + 1, which wraps
 * to 0 for after = UINT64_MAX (common/runtime/eventlog.c, eventlog_read:
 * "key_put_u64(start, after + 1)"), so "events after 2^64-1" returns the
 * whole log from seq 1 instead of nothing. after_seq comes straight from
 * the client's EventsReadRequest (common/runtime/server.c passes req->after_seq).
 * Disabled so the suite stays green; add it to tests[] once fixed. */
static void test_read_after_max(void **state)
{
    fixture_t *fx = *state;
    fx_open(fx);
    append_committed(fx, 1, 3);
    expect_read(fx, UINT64_MAX, 10, 0, 0, 3);
    fx_close(fx);
}

int main(void)
{
    log_init("test", LOG_LEVEL_ERROR, false);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_append_dense_seqs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_keeps_payload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rollback_reuses_seq, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_slices, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_in_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen_continues, setup, teardown),
        cmocka_unit_test_setup_teardown(test_last_seq_excludes_pending, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_pending, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_after_max, setup, teardown),
    };
    return cmocka_run_group_tests_name("eventlog", tests, NULL, NULL);
}
