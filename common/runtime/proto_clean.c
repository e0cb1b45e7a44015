#include "runtime/proto_clean.h"

#include <stdint.h>
#include <stdlib.h>

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

void proto_drop_unknown(ProtobufCMessage *msg)
{
    if (!msg)
        return;
    for (unsigned i = 0; i < msg->n_unknown_fields; i++)
        free(msg->unknown_fields[i].data);
    free(msg->unknown_fields);
    msg->unknown_fields = NULL;
    msg->n_unknown_fields = 0;

    const ProtobufCMessageDescriptor *desc = msg->descriptor;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        if (f->type != PROTOBUF_C_TYPE_MESSAGE)
            continue;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t count = *(const size_t *)((const char *)msg + f->quantifier_offset);
            ProtobufCMessage **items = *(ProtobufCMessage ***)((char *)msg + f->offset);
            for (size_t k = 0; k < count; k++)
                proto_drop_unknown(items[k]);
        } else {
            proto_drop_unknown(s_field_message(msg, f));
        }
    }
}
