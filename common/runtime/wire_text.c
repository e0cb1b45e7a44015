#include "runtime/wire_text.h"

#include <stdio.h>
#include <string.h>

#include "base/i18n.h"
#include "text/utf8.h"

/* Deeper than any thuky message nests; past it the bytes are not ours. */
#define WIRE_MAX_DEPTH 32

enum { WIRE_VARINT = 0, WIRE_FIXED64 = 1, WIRE_LENGTH = 2, WIRE_FIXED32 = 5 };

typedef enum { WALK_OK, WALK_FAULT, WALK_MALFORMED } walk_rc_t;

typedef struct {
    bool scrub;
    size_t replaced;
    wire_text_fault_t *fault;
} walk_t;

static bool s_varint(const uint8_t **p, const uint8_t *end, uint64_t *value)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64 && *p < end; shift += 7) {
        uint8_t b = *(*p)++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *value = v;
            return true;
        }
    }
    return false;
}

/* One field: its number, its wire type, and for a length-delimited one
 * where its payload lies. Advances *p past it; false on broken bytes. */
typedef struct {
    uint32_t number;
    unsigned type;
    const uint8_t *payload;
    size_t payload_len;
} field_t;

static bool s_next_field(const uint8_t **p, const uint8_t *end, field_t *f)
{
    uint64_t tag, len;
    /* Field 0 is not valid protobuf, but libprotobuf-c decodes it (in its
     * two-byte form) and keeps it as unknown: so it is skipped here too,
     * never taken as the end of what can be read. */
    if (!s_varint(p, end, &tag) || (tag >> 3) > UINT32_MAX)
        return false;
    f->number = (uint32_t)(tag >> 3);
    f->type = (unsigned)(tag & 7);
    f->payload = NULL;
    f->payload_len = 0;
    switch (f->type) {
    case WIRE_VARINT:
        return s_varint(p, end, &len);
    case WIRE_FIXED64:
        if (end - *p < 8)
            return false;
        *p += 8;
        return true;
    case WIRE_FIXED32:
        if (end - *p < 4)
            return false;
        *p += 4;
        return true;
    case WIRE_LENGTH:
        if (!s_varint(p, end, &len) || len > (uint64_t)(end - *p))
            return false;
        f->payload = *p;
        f->payload_len = (size_t)len;
        *p += len;
        return true;
    default: /* groups: not proto3, and libprotobuf-c refuses them */
        return false;
    }
}

/* Which occurrence of field `number` begins at `at` (0 for the first). */
static size_t s_occurrence(const uint8_t *data, const uint8_t *at, uint32_t number)
{
    const uint8_t *p = data;
    size_t index = 0;
    field_t f;
    while (p < at && s_next_field(&p, at, &f))
        if (f.number == number && p <= at)
            index++;
    return index;
}

/* Prefixes the fault's field path with this level's field name. */
static void s_name_fault(walk_t *w, const ProtobufCFieldDescriptor *field, const uint8_t *data,
                         const uint8_t *at)
{
    char *path = w->fault->field;
    char index[24] = "", head[96];
    if (field->label == PROTOBUF_C_LABEL_REPEATED)
        snprintf(index, sizeof index, "[%zu]", s_occurrence(data, at, field->id));
    snprintf(head, sizeof head, "%s%s%s", field->name, index, path[0] ? "." : "");
    size_t head_len = strlen(head), inner_len = strlen(path);
    if (head_len + inner_len >= sizeof w->fault->field)
        inner_len = sizeof w->fault->field - 1 - head_len;
    memmove(path + head_len, path, inner_len);
    memcpy(path, head, head_len);
    path[head_len + inner_len] = '\0';
}

static walk_rc_t s_text(walk_t *w, const uint8_t *text, size_t len)
{
    if (w->scrub) {
        w->replaced += utf8_scrub((char *)text, len);
        return WALK_OK;
    }
    if (memchr(text, '\0', len)) {
        w->fault->problem = N_("contains a NUL byte");
        return WALK_FAULT;
    }
    if (!utf8_valid((const char *)text, len)) {
        w->fault->problem = N_("is not valid UTF-8");
        return WALK_FAULT;
    }
    return WALK_OK;
}

static walk_rc_t s_walk(walk_t *w, const ProtobufCMessageDescriptor *descriptor,
                        const uint8_t *data, size_t len, int depth)
{
    if (depth > WIRE_MAX_DEPTH)
        return WALK_MALFORMED;
    if (len == 0)
        return WALK_OK; /* data may be NULL then: NULL + 0 is undefined */
    const uint8_t *p = data, *end = data + len;
    while (p < end) {
        const uint8_t *start = p;
        field_t f;
        if (!s_next_field(&p, end, &f))
            return WALK_MALFORMED;
        if (f.type != WIRE_LENGTH)
            continue;
        const ProtobufCFieldDescriptor *field =
            protobuf_c_message_descriptor_get_field(descriptor, (unsigned)f.number);
        if (!field)
            continue; /* unknown: dropped after decoding (proto_clean.h) */
        walk_rc_t rc = WALK_OK;
        if (field->type == PROTOBUF_C_TYPE_STRING) {
            w->fault->field[0] = '\0';
            rc = s_text(w, f.payload, f.payload_len);
        } else if (field->type == PROTOBUF_C_TYPE_MESSAGE) {
            rc = s_walk(w, field->descriptor, f.payload, f.payload_len, depth + 1);
        }
        if (rc == WALK_FAULT)
            s_name_fault(w, field, data, start);
        if (rc != WALK_OK)
            return rc;
    }
    return WALK_OK;
}

bool wire_text_check(const ProtobufCMessageDescriptor *descriptor, const uint8_t *data,
                     size_t len, wire_text_fault_t *fault)
{
    walk_t w = {.scrub = false, .fault = fault};
    fault->field[0] = '\0';
    fault->problem = "";
    walk_rc_t rc = s_walk(&w, descriptor, data, len, 0);
    if (rc == WALK_MALFORMED) {
        fault->field[0] = '\0';
        fault->problem = N_("is not a well-formed message");
    }
    return rc == WALK_OK;
}

size_t wire_text_scrub(const ProtobufCMessageDescriptor *descriptor, uint8_t *data, size_t len)
{
    wire_text_fault_t unused;
    walk_t w = {.scrub = true, .fault = &unused};
    s_walk(&w, descriptor, data, len, 0);
    return w.replaced;
}

bool wire_text_find(const uint8_t *data, size_t len, uint32_t number, char *out,
                    size_t out_size)
{
    if (len == 0 || out_size == 0)
        return false;
    const uint8_t *p = data, *end = data + len;
    field_t f;
    while (p < end && s_next_field(&p, end, &f)) {
        if (f.number != number || f.type != WIRE_LENGTH)
            continue;
        size_t n = f.payload_len < out_size - 1 ? f.payload_len : out_size - 1;
        memcpy(out, f.payload, n);
        out[n] = '\0';
        return true;
    }
    return false;
}
