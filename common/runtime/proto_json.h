/* Any protobuf-c message as JSON (jansson), driven by its descriptor, for
 * the web face's API and its CloudEvents.
 *
 * The proto3 JSON mapping, with these choices: field names as in the
 * .proto (snake_case, which proto3 JSON parsers accept); enums by their
 * value name ("TASK_OPEN"); 64-bit integers as JSON numbers (every one
 * thuky sends, times in ms and sequences, is below 2^53); bytes in base64;
 * a field at its default (0, "", false, empty list, unset message or oneof
 * case) is left out, as proto3 JSON does. Fields whose name is in `omit`
 * (NULL-terminated; may be NULL) are left out at every depth: a stored
 * secret hash never reaches a client. */
#ifndef THUKY_PROTO_JSON_H
#define THUKY_PROTO_JSON_H
#include <jansson.h>
#include <protobuf-c/protobuf-c.h>

json_t *proto_json(const ProtobufCMessage *message, const char *const *omit);

#endif
