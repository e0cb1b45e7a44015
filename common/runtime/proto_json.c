#include "runtime/proto_json.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

#include "base/log.h"

static bool s_omitted(const char *name, const char *const *omit)
{
    for (; omit && *omit; omit++)
        if (strcmp(*omit, name) == 0)
            return true;
    return false;
}

static json_t *s_bytes(const ProtobufCBinaryData *b)
{
    size_t cap = 4 * ((b->len + 2) / 3) + 1;
    char *text = xmalloc(cap);
    EVP_EncodeBlock((unsigned char *)text, b->data, (int)b->len);
    json_t *j = json_string(text);
    free(text);
    return j;
}

static json_t *s_enum(const ProtobufCEnumDescriptor *desc, int value)
{
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(desc, value);
    return v ? json_string(v->name) : json_integer(value);
}

/* One value of field f at p (an element of a repeated field, or the field). */
static json_t *s_value(const ProtobufCFieldDescriptor *f, const void *p, const char *const *omit)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32: return json_integer(*(const int32_t *)p);
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32: return json_integer(*(const uint32_t *)p);
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64: return json_integer((json_int_t) * (const int64_t *)p);
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64: return json_integer((json_int_t) * (const uint64_t *)p);
    case PROTOBUF_C_TYPE_FLOAT: return json_real(*(const float *)p);
    case PROTOBUF_C_TYPE_DOUBLE: return json_real(*(const double *)p);
    case PROTOBUF_C_TYPE_BOOL: return json_boolean(*(const protobuf_c_boolean *)p);
    case PROTOBUF_C_TYPE_ENUM: return s_enum(f->descriptor, *(const int *)p);
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *)p;
        return json_string(s ? s : ""); /* every daemon sends valid UTF-8 */
    }
    case PROTOBUF_C_TYPE_BYTES: return s_bytes(p);
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *m = *(ProtobufCMessage *const *)p;
        return m ? proto_json(m, omit) : json_object();
    }
    }
    return json_null();
}

static size_t s_value_size(const ProtobufCFieldDescriptor *f)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64: return 8;
    case PROTOBUF_C_TYPE_DOUBLE: return sizeof(double);
    case PROTOBUF_C_TYPE_BOOL: return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_ENUM: return sizeof(int);
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_MESSAGE: return sizeof(void *);
    case PROTOBUF_C_TYPE_BYTES: return sizeof(ProtobufCBinaryData);
    default: return 4;
    }
}

/* Whether a singular field holds its default (proto3: left out). */
static bool s_is_default(const ProtobufCFieldDescriptor *f, const void *p)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *)p;
        return !s || !*s;
    }
    case PROTOBUF_C_TYPE_MESSAGE: return *(void *const *)p == NULL;
    case PROTOBUF_C_TYPE_BYTES: return ((const ProtobufCBinaryData *)p)->len == 0;
    default: {
        static const uint8_t zero[8];
        return memcmp(p, zero, s_value_size(f)) == 0;
    }
    }
}

json_t *proto_json(const ProtobufCMessage *message, const char *const *omit)
{
    json_t *obj = json_object();
    const ProtobufCMessageDescriptor *desc = message->descriptor;
    const uint8_t *base = (const uint8_t *)message;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        if (s_omitted(f->name, omit))
            continue;
        const void *p = base + f->offset;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)(base + f->quantifier_offset);
            if (n == 0)
                continue;
            const uint8_t *items = *(const uint8_t *const *)p;
            json_t *arr = json_array();
            for (size_t k = 0; k < n; k++)
                json_array_append_new(arr, s_value(f, items + k * s_value_size(f), omit));
            json_object_set_new(obj, f->name, arr);
            continue;
        }
        /* A oneof member counts only when it is the case set: reading the
         * others would read another member of the union. */
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            if (*(const uint32_t *)(base + f->quantifier_offset) != f->id)
                continue;
        } else if (s_is_default(f, p)) {
            continue;
        }
        json_object_set_new(obj, f->name, s_value(f, p, omit));
    }
    return obj;
}
