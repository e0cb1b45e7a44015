/* The text inside protobuf messages on the wire, checked and made safe.
 *
 * libprotobuf-c hands a string field to C as a NUL-terminated copy and
 * does not check its encoding: a title "a\0b" arrives as "a", and bytes
 * that are not UTF-8 pass through to every reply and event that repeats
 * them, where strict decoders (Python's protobuf) refuse the whole
 * message. So the text is looked at in the serialized bytes, where its
 * true length is known, guided by the message's descriptor (every string
 * field at every depth, repeated ones and oneof members included):
 *   - wire_text_check() on what arrives: the first string field holding a
 *     NUL byte or ill-formed UTF-8 is named, and the request refused;
 *   - wire_text_scrub() on what leaves: ill-formed bytes become '?' in
 *     place, so a reply or event is always valid UTF-8 whatever a handler
 *     quoted or cut in the middle of a character. */
#ifndef THUKY_WIRE_TEXT_H
#define THUKY_WIRE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

typedef struct {
    char field[160];     /* e.g. "task.title", "offices[2]" */
    const char *problem; /* "contains a NUL byte", "is not valid UTF-8":
                          * English, marked N_() */
} wire_text_fault_t;

/* True when every string field of the serialized message is valid UTF-8
 * without NUL bytes; otherwise false with the first fault. Bytes that are
 * not a well-formed message (or nest deeper than any thuky message) are
 * refused too, with field "": what the walk cannot read it cannot vouch
 * for. The walk reads all that libprotobuf-c decodes, unknown fields and
 * a two-byte field 0 included. */
bool wire_text_check(const ProtobufCMessageDescriptor *descriptor, const uint8_t *data,
                     size_t len, wire_text_fault_t *fault);

/* Makes every string field of the serialized message valid UTF-8, in
 * place and keeping its length. Returns the number of bytes replaced. */
size_t wire_text_scrub(const ProtobufCMessageDescriptor *descriptor, uint8_t *data, size_t len);

/* Copies the top-level string field `number` of a serialized message into
 * out (truncated to out_size - 1 bytes) without decoding the rest: the
 * request id of a request too large to decode. False when absent. */
bool wire_text_find(const uint8_t *data, size_t len, uint32_t number, char *out,
                    size_t out_size);

#endif
