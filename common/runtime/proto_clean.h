/* Unknown fields in messages from outside.
 *
 * libprotobuf-c keeps the fields of a message it does not know and writes
 * them back when the message is packed again. Some it cannot read back: a
 * field numbered 0 sent as the two-byte tag 81 00 is accepted, re-encoded
 * as the one byte 01, and then refused. A handler that stores a copy of a
 * request (task, deadline, program, office) would store a record nobody
 * can read again. So every message from outside is cleaned of unknown
 * fields, at every depth, before anything uses it: a newer client's extra
 * fields are ignored, as proto3 allows. */
#ifndef THUKY_PROTO_CLEAN_H
#define THUKY_PROTO_CLEAN_H

#include <protobuf-c/protobuf-c.h>

/* Frees the unknown fields of msg and of every message inside it. msg
 * must come from an unpack with the default allocator. */
void proto_drop_unknown(ProtobufCMessage *msg);

/* A request from outside: drops its unknown fields and makes every string
 * in it, at every depth, NFC (utf8_nfc), so the same Vietnamese text typed
 * precomposed or decomposed is stored, compared and counted the same.
 * The strings must be valid UTF-8 (the server checks that first). */
void proto_clean_input(ProtobufCMessage *msg);

#endif
