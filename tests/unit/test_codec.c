/* Unit tests for the wire codec: the thuky.Request envelope (round trip,
 * garbage and truncated input) and deadlines as users write them
 * (common/domain/deadline.c: parse, check, format). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "domain/deadline.h"
#include "thuky/envelope.pb-c.h"
#include "thuky/event.pb-c.h"
#include "thuky/task.pb-c.h"

/* A small fixed-seed generator, so failures reproduce. */
static uint64_t s_rng = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
    s_rng ^= s_rng << 13;
    s_rng ^= s_rng >> 7;
    s_rng ^= s_rng << 17;
    return s_rng;
}

/* A request with every field set; body is a serialized TaskGetRequest. */
static uint8_t *pack_sample_request(size_t *len_out)
{
    Thuky__TaskGetRequest get = THUKY__TASK_GET_REQUEST__INIT;
    get.id = 4242;
    size_t body_len = thuky__task_get_request__get_packed_size(&get);
    uint8_t *body = malloc(body_len);
    assert_non_null(body);
    thuky__task_get_request__pack(&get, body);

    Thuky__Request req = THUKY__REQUEST__INIT;
    req.protocol = THUKY__PROTOCOL__PROTOCOL_CURRENT;
    req.request_id = "r-0001";
    req.client_id = "c7f3a1";
    req.request_no = UINT64_C(1) << 40;
    req.caller = "thư.ký@vpqh";
    req.command = "task.get";
    req.body.data = body;
    req.body.len = body_len;
    size_t len = thuky__request__get_packed_size(&req);
    uint8_t *buf = malloc(len);
    assert_non_null(buf);
    assert_int_equal(thuky__request__pack(&req, buf), len);
    free(body);
    *len_out = len;
    return buf;
}

/* ---------------------------------------------------------------- envelope */

static void test_request_round_trip(void **state)
{
    (void)state;
    size_t len;
    uint8_t *buf = pack_sample_request(&len);
    Thuky__Request *got = thuky__request__unpack(NULL, len, buf);
    assert_non_null(got);
    assert_int_equal(got->protocol, THUKY__PROTOCOL__PROTOCOL_CURRENT);
    assert_string_equal(got->request_id, "r-0001");
    assert_string_equal(got->client_id, "c7f3a1");
    assert_int_equal(got->request_no, UINT64_C(1) << 40);
    assert_string_equal(got->caller, "thư.ký@vpqh");
    assert_string_equal(got->command, "task.get");
    Thuky__TaskGetRequest *body =
        thuky__task_get_request__unpack(NULL, got->body.len, got->body.data);
    assert_non_null(body);
    assert_int_equal(body->id, 4242);
    thuky__task_get_request__free_unpacked(body, NULL);

    /* Re-encoding gives the same bytes. */
    size_t len2 = thuky__request__get_packed_size(got);
    assert_int_equal(len2, len);
    uint8_t *buf2 = malloc(len2);
    assert_non_null(buf2);
    thuky__request__pack(got, buf2);
    assert_memory_equal(buf, buf2, len);
    free(buf2);
    thuky__request__free_unpacked(got, NULL);
    free(buf);

    /* The empty request (all defaults) is zero bytes and decodes. */
    Thuky__Request empty = THUKY__REQUEST__INIT;
    assert_int_equal(thuky__request__get_packed_size(&empty), 0);
    got = thuky__request__unpack(NULL, 0, (const uint8_t *)"");
    assert_non_null(got);
    assert_int_equal(got->protocol, 0);
    assert_string_equal(got->command, "");
    assert_int_equal(got->body.len, 0);
    thuky__request__free_unpacked(got, NULL);
}

static void test_reply_round_trip(void **state)
{
    (void)state;
    Thuky__Status status = THUKY__STATUS__INIT;
    status.code = THUKY__STATUS_CODE__NOT_FOUND;
    status.message = "no task T9";
    Thuky__Reply reply = THUKY__REPLY__INIT;
    reply.protocol = THUKY__PROTOCOL__PROTOCOL_CURRENT;
    reply.request_id = "r-0002";
    reply.status = &status;
    uint8_t buf[256];
    size_t len = thuky__reply__pack(&reply, buf);
    Thuky__Reply *got = thuky__reply__unpack(NULL, len, buf);
    assert_non_null(got);
    assert_string_equal(got->request_id, "r-0002");
    assert_non_null(got->status);
    assert_int_equal(got->status->code, THUKY__STATUS_CODE__NOT_FOUND);
    assert_string_equal(got->status->message, "no task T9");
    assert_int_equal(got->body.len, 0);
    thuky__reply__free_unpacked(got, NULL);
}

/* Unpacks buf; if it decodes, the result must be usable and re-encodable. */
static int try_unpack(const uint8_t *buf, size_t len)
{
    Thuky__Request *req = thuky__request__unpack(NULL, len, buf);
    if (!req)
        return 0;
    /* Touch everything a server would. */
    size_t n = strlen(req->request_id) + strlen(req->client_id) + strlen(req->caller) +
               strlen(req->command) + req->body.len;
    if (req->body.len)
        assert_non_null(req->body.data);
    (void)n;
    size_t packed = thuky__request__get_packed_size(req);
    uint8_t *again = malloc(packed ? packed : 1);
    assert_non_null(again);
    assert_int_equal(thuky__request__pack(req, again), packed);
    free(again);
    thuky__request__free_unpacked(req, NULL);
    return 1;
}

static void test_request_garbage(void **state)
{
    (void)state;
    s_rng = 0x9e3779b97f4a7c15ULL;
    uint8_t buf[512];
    int decoded = 0;
    for (int round = 0; round < 50000; round++) {
        size_t len = (size_t)(rnd() % sizeof buf);
        for (size_t i = 0; i < len; i++)
            buf[i] = (uint8_t)rnd();
        /* Exactly len bytes on the heap, so ASan sees any over-read. */
        uint8_t *heap = malloc(len ? len : 1);
        assert_non_null(heap);
        memcpy(heap, buf, len);
        decoded += try_unpack(heap, len);
        free(heap);
    }
    /* Most random buffers do not decode; some short ones may. */
    assert_true(decoded < 50000);
}

/* Plausible-looking garbage: valid tags with hostile lengths and varints. */
static void test_request_hostile_fields(void **state)
{
    (void)state;
    s_rng = 12345;
    const uint8_t tags[] = {0x08, 0x12, 0x1a, 0x20, 0x2a, 0x32, 0x3a, 0x42, 0xff};
    uint8_t buf[64];
    for (int round = 0; round < 50000; round++) {
        size_t len = 0;
        while (len < sizeof buf - 12) {
            buf[len++] = tags[rnd() % sizeof tags];
            switch (rnd() % 4) {
            case 0: /* a small length or varint */
                buf[len++] = (uint8_t)(rnd() % 40);
                break;
            case 1: /* a huge length / overlong varint */
                for (int i = 0; i < 10; i++)
                    buf[len++] = 0xff;
                buf[len++] = 0x01;
                break;
            case 2: /* a truncated varint */
                buf[len++] = 0x80;
                break;
            default:
                buf[len++] = (uint8_t)rnd();
            }
            if (rnd() % 3 == 0)
                break;
        }
        uint8_t *heap = malloc(len);
        assert_non_null(heap);
        memcpy(heap, buf, len);
        try_unpack(heap, len);
        free(heap);
    }
}

static void test_request_truncated_and_flipped(void **state)
{
    (void)state;
    size_t len;
    uint8_t *full = pack_sample_request(&len);
    /* Every prefix: ones that end inside a field must not decode; none
     * may crash or read past the end. */
    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *heap = malloc(cut ? cut : 1);
        assert_non_null(heap);
        memcpy(heap, full, cut);
        try_unpack(heap, cut);
        free(heap);
    }
    /* The last byte cut: ends inside the body field, so it cannot decode. */
    assert_null(thuky__request__unpack(NULL, len - 1, full));

    /* Every single-bit flip of the full message. */
    uint8_t *copy = malloc(len);
    assert_non_null(copy);
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(copy, full, len);
            copy[i] ^= (uint8_t)(1u << bit);
            try_unpack(copy, len);
        }
    }
    free(copy);
    free(full);
}

/* Other messages the daemons decode from outside get the same treatment. */
static void test_other_messages_garbage(void **state)
{
    (void)state;
    s_rng = 777;
    const ProtobufCMessageDescriptor *descs[] = {
        &thuky__task_add_request__descriptor,  &thuky__task_update_request__descriptor,
        &thuky__task_list_request__descriptor, &thuky__task_import_request__descriptor,
        &thuky__events_read_reply__descriptor, &thuky__event__descriptor,
        &thuky__reply__descriptor,
    };
    for (int round = 0; round < 20000; round++) {
        size_t len = (size_t)(rnd() % 200);
        uint8_t *heap = malloc(len ? len : 1);
        assert_non_null(heap);
        for (size_t i = 0; i < len; i++)
            heap[i] = (uint8_t)rnd();
        const ProtobufCMessageDescriptor *d = descs[round % (int)(sizeof descs / sizeof descs[0])];
        ProtobufCMessage *m = protobuf_c_message_unpack(d, NULL, len, heap);
        if (m)
            protobuf_c_message_free_unpacked(m, NULL);
        free(heap);
    }
}

/* --------------------------------------------------------------- deadlines */

static void expect_absolute(const char *text, const char *date, const char *time)
{
    deadline_buf_t b;
    const char *why = NULL;
    if (!deadline_parse(text, &b, &why))
        fail_msg("'%s' refused: %s", text, why);
    assert_int_equal(b.deadline.rule_case, THUKY__DEADLINE__RULE_ABSOLUTE);
    assert_ptr_equal(b.deadline.absolute, &b.absolute);
    assert_string_equal(b.deadline.absolute->date, date);
    assert_string_equal(b.deadline.absolute->time, time);
    assert_string_equal(b.deadline.resolved_date, "");
    assert_true(deadline_check(&b.deadline, &why));
}

static void test_deadline_absolute(void **state)
{
    (void)state;
    expect_absolute("2024-05-20", "2024-05-20", "");
    expect_absolute("20/05/2024", "2024-05-20", "");
    expect_absolute("5/1/2024", "2024-01-05", "");
    expect_absolute("2024-05-20T17:00", "2024-05-20", "17:00");
    expect_absolute("2024-05-20 08:30", "2024-05-20", "08:30");
    expect_absolute("20/05/2024 00:00", "2024-05-20", "00:00");
    expect_absolute("2024-02-29T23:59", "2024-02-29", "23:59");
}

static void expect_relative(const char *text, const char *sitting, int anchor, int offset,
                            int unit)
{
    deadline_buf_t b;
    const char *why = NULL;
    if (!deadline_parse(text, &b, &why))
        fail_msg("'%s' refused: %s", text, why);
    assert_int_equal(b.deadline.rule_case, THUKY__DEADLINE__RULE_RELATIVE);
    const Thuky__RelativeDeadline *r = b.deadline.relative;
    assert_non_null(r);
    assert_string_equal(r->sitting_id, sitting);
    assert_int_equal(r->anchor, anchor);
    assert_int_equal(r->offset, offset);
    assert_int_equal(r->unit, unit);
    assert_true(deadline_check(&b.deadline, &why));
}

static void test_deadline_relative(void **state)
{
    (void)state;
    const int OPEN = THUKY__SITTING_ANCHOR__ANCHOR_OPENING;
    const int CLOSE = THUKY__SITTING_ANCHOR__ANCHOR_CLOSING;
    const int D = THUKY__DAY_UNIT__CALENDAR_DAYS, WD = THUKY__DAY_UNIT__WORKING_DAYS;
    expect_relative("XV-7:open:-20d", "XV-7", OPEN, -20, D);
    expect_relative("XV-8:close:+10wd", "XV-8", CLOSE, 10, WD);
    expect_relative("XV-8:close:+0d", "XV-8", CLOSE, 0, D);
    expect_relative("XV-7:open:-5", "XV-7", OPEN, -5, D); /* unit defaults to days */
    expect_relative("XV-7:open:-3650d", "XV-7", OPEN, -3650, D);
    expect_relative("XV-7:open:+3650wd", "XV-7", OPEN, 3650, WD);
    expect_relative("bat_thuong.2:close:-1d", "bat_thuong.2", CLOSE, -1, D);
    /* The longest sitting id. */
    char text[SITTING_ID_MAX + 16], id[SITTING_ID_MAX + 1];
    memset(id, 'S', SITTING_ID_MAX);
    id[SITTING_ID_MAX] = '\0';
    snprintf(text, sizeof text, "%s:open:-1d", id);
    expect_relative(text, id, OPEN, -1, D);
    /* One occurrence of a recurring sitting. */
    expect_relative("GB-1@2024-03-04:open:-2wd", "GB-1@2024-03-04", OPEN, -2, WD);
}

static void expect_rejected(const char *text)
{
    deadline_buf_t b;
    const char *why = NULL;
    if (deadline_parse(text, &b, &why))
        fail_msg("'%s' accepted", text ? text : "(null)");
    assert_non_null(why);
    assert_true(strlen(why) > 0);
}

static void test_deadline_rejected(void **state)
{
    (void)state;
    const char *bad[] = {
        "",
        "GB-1@2024-02-30:open:-1d", /* not a date */
        "GB-1@:open:-1d",
        "@2024-03-04:open:-1d",
        "XV-7:middle:-2d",
        "XV-7:open:20d",     /* no sign */
        "XV-7:open:-20x",
        ":open:-1d",
        "31/02/2024",
        "XV-7:open:-99999d",
        "XV-7:open:-3651d",
        "XV-7:open:-99999999999999999999999d",
        "XV-7:open:-d",
        "XV-7:open:+",
        "XV-7:open:+-5d",
        "XV-7:open:- 5d",
        "XV-7:open:-5dd",
        "XV-7:open:-5 d",
        "XV-7:open:-5d:x",
        "XV-7:open",
        "XV-7",
        "XV 7:open:-1d",     /* space in the sitting id */
        "XV-7:OPEN:-1d",
        "XV-7::-1d",
        "2024-13-01",
        "2024-05-20T24:00",
        "2024-05-20T17:60",
        "2024-05-20T17:00:00",
        "2024-05-20X",
        " 2024-05-20",
        "2024-05-20 ",
        "1899-12-31",
        "32/01/2024",
        "tomorrow",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_rejected(bad[i]);
    expect_rejected(NULL);

    /* A sitting id one character too long. */
    char text[SITTING_ID_MAX + 16];
    memset(text, 'S', SITTING_ID_MAX + 1);
    snprintf(text + SITTING_ID_MAX + 1, sizeof text - SITTING_ID_MAX - 1,
             ":open:-1d");
    expect_rejected(text);
}

static void test_deadline_format_round_trip(void **state)
{
    (void)state;
    const struct {
        const char *in, *rule;
    } cases[] = {
        {"2024-05-20", "2024-05-20"},
        {"20/05/2024", "2024-05-20"},
        {"2024-05-20T17:00", "2024-05-20 17:00"},
        {"20/05/2024 08:05", "2024-05-20 08:05"},
        {"XV-7:open:-20d", "XV-7:open:-20d"},
        {"XV-8:close:+10wd", "XV-8:close:+10wd"},
        {"XV-8:close:+0d", "XV-8:close:+0d"},
        {"XV-7:open:-5", "XV-7:open:-5d"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        deadline_buf_t a, b;
        const char *why = NULL;
        assert_true(deadline_parse(cases[i].in, &a, &why));
        char rule[DEADLINE_TEXT_MAX], rule2[DEADLINE_TEXT_MAX];
        deadline_format_rule(&a.deadline, rule, sizeof rule);
        assert_string_equal(rule, cases[i].rule);
        /* The formatted rule parses back to the same deadline. */
        if (!deadline_parse(rule, &b, &why))
            fail_msg("'%s' (from '%s') refused: %s", rule, cases[i].in, why);
        assert_int_equal(b.deadline.rule_case, a.deadline.rule_case);
        if (a.deadline.rule_case == THUKY__DEADLINE__RULE_ABSOLUTE) {
            assert_string_equal(b.absolute.date, a.absolute.date);
            assert_string_equal(b.absolute.time, a.absolute.time);
        } else {
            assert_string_equal(b.relative.sitting_id, a.relative.sitting_id);
            assert_int_equal(b.relative.anchor, a.relative.anchor);
            assert_int_equal(b.relative.offset, a.relative.offset);
            assert_int_equal(b.relative.unit, a.relative.unit);
        }
        deadline_format_rule(&b.deadline, rule2, sizeof rule2);
        assert_string_equal(rule2, rule);

        /* And survives the wire: pack, unpack, format. */
        uint8_t buf[256];
        size_t len = thuky__deadline__pack(&a.deadline, buf);
        Thuky__Deadline *wire = thuky__deadline__unpack(NULL, len, buf);
        assert_non_null(wire);
        assert_true(deadline_check(wire, &why));
        deadline_format_rule(wire, rule2, sizeof rule2);
        assert_string_equal(rule2, rule);
        thuky__deadline__free_unpacked(wire, NULL);
    }

    /* No rule formats as "-"; a small buffer truncates safely. */
    char out[DEADLINE_TEXT_MAX];
    deadline_format_rule(NULL, out, sizeof out);
    assert_string_equal(out, "-");
    Thuky__Deadline none = THUKY__DEADLINE__INIT;
    deadline_format_rule(&none, out, sizeof out);
    assert_string_equal(out, "-");
    deadline_buf_t c;
    const char *why = NULL;
    assert_true(deadline_parse("XV-8:close:+10wd", &c, &why));
    char tiny[5];
    deadline_format_rule(&c.deadline, tiny, sizeof tiny);
    assert_string_equal(tiny, "XV-8");
}

/* deadline_check guards Deadlines that arrive from outside (task.add). */
static void test_deadline_check(void **state)
{
    (void)state;
    const char *why = NULL;
    Thuky__Deadline dl = THUKY__DEADLINE__INIT;
    assert_false(deadline_check(&dl, &why)); /* neither rule */

    Thuky__AbsoluteDeadline abs = THUKY__ABSOLUTE_DEADLINE__INIT;
    dl.rule_case = THUKY__DEADLINE__RULE_ABSOLUTE;
    dl.absolute = &abs;
    abs.date = "2024-05-20";
    assert_true(deadline_check(&dl, &why));
    abs.time = "17:30";
    assert_true(deadline_check(&dl, &why));
    abs.time = "7:30";
    assert_false(deadline_check(&dl, &why));
    abs.time = "24:00";
    assert_false(deadline_check(&dl, &why));
    abs.time = "";
    abs.date = "20/05/2024"; /* date_parse accepts the Vietnamese form too */
    assert_true(deadline_check(&dl, &why));
    abs.date = "2024-02-30";
    assert_false(deadline_check(&dl, &why));
    abs.date = "";
    assert_false(deadline_check(&dl, &why));

    Thuky__RelativeDeadline rel = THUKY__RELATIVE_DEADLINE__INIT;
    dl.rule_case = THUKY__DEADLINE__RULE_RELATIVE;
    dl.relative = &rel;
    rel.sitting_id = "XV-7";
    rel.anchor = THUKY__SITTING_ANCHOR__ANCHOR_OPENING;
    rel.unit = THUKY__DAY_UNIT__WORKING_DAYS;
    rel.offset = -3650;
    assert_true(deadline_check(&dl, &why));
    rel.offset = 3651;
    assert_false(deadline_check(&dl, &why));
    rel.offset = INT32_MIN + 1;
    assert_false(deadline_check(&dl, &why));
    rel.offset = 1;
    rel.anchor = THUKY__SITTING_ANCHOR__ANCHOR_UNSPECIFIED;
    assert_false(deadline_check(&dl, &why));
    rel.anchor = 7;
    assert_false(deadline_check(&dl, &why));
    rel.anchor = THUKY__SITTING_ANCHOR__ANCHOR_CLOSING;
    rel.unit = THUKY__DAY_UNIT__DAY_UNIT_UNSPECIFIED;
    assert_false(deadline_check(&dl, &why));
    rel.unit = THUKY__DAY_UNIT__CALENDAR_DAYS;
    rel.sitting_id = "";
    assert_false(deadline_check(&dl, &why));
    rel.sitting_id = "XV/7";
    assert_false(deadline_check(&dl, &why));
    rel.sitting_id = "XV-7";
    assert_true(deadline_check(&dl, &why));
}

/* Was a bug: deadline_check (common/domain/deadline.c, RULE_RELATIVE case) tests
 * "abs(r->offset) > DEADLINE_OFFSET_MAX"; for offset INT32_MIN abs()
 * overflows (undefined; in practice it returns INT32_MIN, which is not
 * > 3650), so a RelativeDeadline with offset -2147483648 received from a
 * client (task.add / task.update) passes the check. Under UBSan (build-san)
 * the process aborts: "negation of -2147483648 cannot be represented".
 * Fix: compare r->offset < -MAX || r->offset > MAX. Disabled so the suite
 * stays green; add it to tests[] once fixed. */
static void test_deadline_check_offset_min(void **state)
{
    (void)state;
    const char *why = NULL;
    Thuky__RelativeDeadline rel = THUKY__RELATIVE_DEADLINE__INIT;
    rel.sitting_id = "XV-7";
    rel.anchor = THUKY__SITTING_ANCHOR__ANCHOR_OPENING;
    rel.unit = THUKY__DAY_UNIT__CALENDAR_DAYS;
    rel.offset = INT32_MIN;
    Thuky__Deadline dl = THUKY__DEADLINE__INIT;
    dl.rule_case = THUKY__DEADLINE__RULE_RELATIVE;
    dl.relative = &rel;
    assert_false(deadline_check(&dl, &why));
}

int main(void)
{
    log_init("test", LOG_LEVEL_ERROR, false);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_round_trip),
        cmocka_unit_test(test_reply_round_trip),
        cmocka_unit_test(test_request_garbage),
        cmocka_unit_test(test_request_hostile_fields),
        cmocka_unit_test(test_request_truncated_and_flipped),
        cmocka_unit_test(test_other_messages_garbage),
        cmocka_unit_test(test_deadline_absolute),
        cmocka_unit_test(test_deadline_relative),
        cmocka_unit_test(test_deadline_rejected),
        cmocka_unit_test(test_deadline_format_round_trip),
        cmocka_unit_test(test_deadline_check),
        cmocka_unit_test(test_deadline_check_offset_min),
    };
    return cmocka_run_group_tests_name("codec", tests, NULL, NULL);
}
