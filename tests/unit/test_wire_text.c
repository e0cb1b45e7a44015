/* Unit tests for common/runtime/wire_text.c: the text of serialized messages is
 * checked field by field (named by path), scrubbed in place, and a request
 * id found without decoding. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "runtime/wire_text.h"
#include "text/utf8.h"
#include "thuky/envelope.pb-c.h"
#include "thuky/task.pb-c.h"

/* Packs msg, then overwrites the bytes of `placeholder` with `raw`, which
 * has the same length. */
static uint8_t *s_pack_with(const ProtobufCMessage *msg, const char *placeholder,
                            const char *raw, size_t *len)
{
    *len = protobuf_c_message_get_packed_size(msg);
    uint8_t *data = malloc(*len);
    protobuf_c_message_pack(msg, data);
    size_t n = strlen(placeholder);
    for (size_t i = 0; i + n <= *len; i++)
        if (memcmp(data + i, placeholder, n) == 0) {
            memcpy(data + i, raw, n);
            return data;
        }
    fail_msg("placeholder %s not found", placeholder);
    return data;
}

static void s_task_add(Thuky__TaskAddRequest *req, Thuky__Task *task, char **offices)
{
    thuky__task_add_request__init(req);
    thuky__task__init(task);
    task->title = "Việc";
    task->lead_office = "vu-thu-ky";
    task->with_offices = offices;
    task->n_with_offices = 3;
    req->task = task;
}

static void test_nested_repeated_field_is_named_with_its_index(void **state)
{
    (void)state;
    char *offices[] = {"ban-dan-nguyen", "uy-ban-kinh-te", "PLACEHOLDER"};
    Thuky__TaskAddRequest req;
    Thuky__Task task;
    s_task_add(&req, &task, offices);
    size_t len;
    wire_text_fault_t fault;

    uint8_t *data = s_pack_with(&req.base, "PLACEHOLDER", "uy-\0ban-abc", &len);
    assert_false(wire_text_check(&thuky__task_add_request__descriptor, data, len, &fault));
    assert_string_equal(fault.field, "task.with_offices[2]");
    assert_string_equal(fault.problem, "contains a NUL byte");
    free(data);

    data = s_pack_with(&req.base, "PLACEHOLDER", "uy-\xe1\xbb-ban-a", &len);
    assert_false(wire_text_check(&thuky__task_add_request__descriptor, data, len, &fault));
    assert_string_equal(fault.field, "task.with_offices[2]");
    assert_string_equal(fault.problem, "is not valid UTF-8");
    free(data);

    data = s_pack_with(&req.base, "PLACEHOLDER", "uy-ba-ti\xe1\xba\xbf", &len);
    assert_true(wire_text_check(&thuky__task_add_request__descriptor, data, len, &fault));
    free(data);
}

static void test_scrub_keeps_length_and_makes_text_valid(void **state)
{
    (void)state;
    Thuky__Reply reply = THUKY__REPLY__INIT;
    Thuky__Status status = THUKY__STATUS__INIT;
    status.message = "unknown command 'MESSAGE-PLACEHOLDER'";
    reply.request_id = "RID-PLACEHOLDER";
    reply.status = &status;
    size_t len;
    uint8_t *data = s_pack_with(&reply.base, "RID-PLACEHOLDER", "rid-\xff\xfe-abc\xe1\xbbxyz", &len);
    /* and a message cut in the middle of a character */
    uint8_t *m = memmem(data, len, "MESSAGE-PLACEHOLDER", 19);
    assert_non_null(m);
    memcpy(m, "ti\xe1\xba\xbfng vi\xe1\xbb", 12);
    assert_int_equal(wire_text_scrub(&thuky__reply__descriptor, data, len), 6);
    Thuky__Reply *back = thuky__reply__unpack(NULL, len, data);
    assert_non_null(back);
    assert_string_equal(back->request_id, "rid-?" "?-abc?" "?xyz");
    assert_true(utf8_valid(back->status->message, strlen(back->status->message)));
    assert_non_null(strstr(back->status->message, "tiếng vi?" "?"));
    thuky__reply__free_unpacked(back, NULL);
    free(data);
}

static void test_find_reads_one_field_without_decoding(void **state)
{
    (void)state;
    Thuky__Request req = THUKY__REQUEST__INIT;
    req.protocol = 1;
    req.request_id = "cli:42";
    req.command = "task.add";
    size_t len = thuky__request__get_packed_size(&req);
    uint8_t data[64];
    thuky__request__pack(&req, data);
    char id[8];
    assert_true(wire_text_find(data, len, 2, id, sizeof id));
    assert_string_equal(id, "cli:42");
    char small[4];
    assert_true(wire_text_find(data, len, 2, small, sizeof small));
    assert_string_equal(small, "cli");
    assert_false(wire_text_find(data, len, 3, id, sizeof id)); /* no client_id */
    /* broken bytes: nothing found, nothing read past the end */
    assert_false(wire_text_find(data, 3, 6, id, sizeof id));
}

static void test_bytes_the_walk_cannot_read_are_refused(void **state)
{
    (void)state;
    wire_text_fault_t fault;
    const uint8_t broken[] = {0x12, 0x7f, 'a', 'b'};           /* length past the end */
    const uint8_t group[] = {0x0b, 0x0c};                      /* a group */
    const uint8_t varint[] = {0x08, 0xff, 0xff, 0xff, 0xff};    /* unterminated */
    const uint8_t *cases[] = {broken, group, varint};
    const size_t sizes[] = {sizeof broken, sizeof group, sizeof varint};
    for (size_t i = 0; i < 3; i++) {
        assert_false(wire_text_check(&thuky__request__descriptor, cases[i], sizes[i], &fault));
        assert_string_equal(fault.field, "");
        assert_string_equal(fault.problem, "is not a well-formed message");
    }
    assert_true(wire_text_check(&thuky__request__descriptor, NULL, 0, &fault));
    /* field 0 as the two-byte tag 80 00, which libprotobuf-c decodes and
     * keeps: it is read past, so it hides nothing that follows */
    const uint8_t field0[] = {0x80, 0x00, 0x00, 0x32, 0x03, 'a', 0x00, 'b'};
    assert_false(wire_text_check(&thuky__request__descriptor, field0, sizeof field0, &fault));
    assert_string_equal(fault.field, "command");
    assert_string_equal(fault.problem, "contains a NUL byte");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nested_repeated_field_is_named_with_its_index),
        cmocka_unit_test(test_scrub_keeps_length_and_makes_text_valid),
        cmocka_unit_test(test_find_reads_one_field_without_decoding),
        cmocka_unit_test(test_bytes_the_walk_cannot_read_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
