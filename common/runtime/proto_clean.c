#include "runtime/proto_clean.h"

#include <stdint.h>
#include <stdlib.h>

#include "text/utf8.h"

/* The message held by a non-repeated message field, or NULL (a oneof
 * member only when it is the case set). */
static ProtobufCMessage *s_field_message(ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f)
{
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
        uint32_t which = *(const uint32_t *)((const char *)msg + f->quantifier_offset);
        if (which != f->id)
            return NULL;
    }
    return *(ProtobufCMessage **)((char *)msg + f->offset);
}

typedef void (*visit_fn)(ProtobufCMessage *msg);

/* Calls visit on msg and on every message inside it. */
static void s_walk(ProtobufCMessage *msg, visit_fn visit)
{
    if (!msg)
        return;
    visit(msg);
    const ProtobufCMessageDescriptor *desc = msg->descriptor;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        if (f->type != PROTOBUF_C_TYPE_MESSAGE)
            continue;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t count = *(const size_t *)((const char *)msg + f->quantifier_offset);
            ProtobufCMessage **items = *(ProtobufCMessage ***)((char *)msg + f->offset);
            for (size_t k = 0; k < count; k++)
                s_walk(items[k], visit);
        } else {
            s_walk(s_field_message(msg, f), visit);
        }
    }
}

static void s_drop(ProtobufCMessage *msg)
{
    for (unsigned i = 0; i < msg->n_unknown_fields; i++)
        free(msg->unknown_fields[i].data);
    free(msg->unknown_fields);
    msg->unknown_fields = NULL;
    msg->n_unknown_fields = 0;
}

/* A string that is not NFC was allocated by the unpack (the empty default
 * is NFC), so it is freed and replaced by its NFC copy. */
static void s_nfc_one(char **text)
{
    char *nfc = *text ? utf8_nfc(*text) : NULL;
    if (nfc) {
        free(*text);
        *text = nfc;
    }
}

static void s_nfc(ProtobufCMessage *msg)
{
    const ProtobufCMessageDescriptor *desc = msg->descriptor;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        if (f->type != PROTOBUF_C_TYPE_STRING)
            continue;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t count = *(const size_t *)((const char *)msg + f->quantifier_offset);
            char **items = *(char ***)((char *)msg + f->offset);
            for (size_t k = 0; k < count; k++)
                s_nfc_one(&items[k]);
        } else if (!(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) ||
                   *(const uint32_t *)((const char *)msg + f->quantifier_offset) == f->id) {
            s_nfc_one((char **)((char *)msg + f->offset));
        }
    }
}

void proto_drop_unknown(ProtobufCMessage *msg) { s_walk(msg, s_drop); }

static void s_clean(ProtobufCMessage *msg)
{
    s_drop(msg);
    s_nfc(msg);
}

void proto_clean_input(ProtobufCMessage *msg) { s_walk(msg, s_clean); }
