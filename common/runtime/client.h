/* A command client: DEALER socket, timeout and retry (Lazy Pirate).
 *
 * Each client picks a random client id and numbers its requests; a retry
 * after a timeout resends the same request number, so a write that did
 * reach the daemon is not applied twice (the daemon resends its stored
 * reply). Replies to earlier attempts are recognised and dropped. */
#ifndef THUKY_CLIENT_H
#define THUKY_CLIENT_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/curve.h"
#include "thuky/envelope.pb-c.h"

typedef struct client client_t;

typedef struct {
    Thuky__StatusCode code;
    char message[512];
    uint8_t *body;            /* the reply body (malloc'ed), when code is OK */
    size_t body_len;
} client_result_t;

client_t *client_new(void *zmq_ctx, const char *endpoint, int timeout_ms, int retries);
void client_destroy(client_t **self_p);
void client_set_caller(client_t *self, const char *caller);
/* The language the daemon answers in ("vi", "en"); default: the
 * daemon's. A call's options may name another. */
void client_set_language(client_t *self, const char *language);
/* Called once per call when no reply has come after after_ms (the retries
 * go on): a person waiting is told at once that the daemon is slow or
 * down, not only when every attempt has timed out. */
typedef void (*client_waiting_fn)(void *arg, const char *endpoint);
void client_set_waiting(client_t *self, int after_ms, client_waiting_fn fn, void *arg);
/* Speaks CURVE with these keys from now on (for a tcp:// endpoint). */
void client_set_curve(client_t *self, const curve_client_t *keys);
/* Sends one command (request may be NULL for commands without a body) and
 * waits for its reply, retrying on timeout. Returns 0 when a reply came
 * (whatever its status), -1 when the daemon did not answer (out->message
 * says why). Free out with client_result_free. */
int client_call(client_t *self, const char *command, const ProtobufCMessage *request,
                client_result_t *out);
/* What a gateway adds to one call: the office it acts for, and an
 * idempotency key of its own (an HTTP Idempotency-Key) instead of the
 * client's: a retried POST then gets the daemon's stored reply. */
typedef struct {
    const Thuky__OnBehalf *on_behalf;   /* NULL = as the client itself */
    const char *client_id;              /* NULL = the client's own numbering */
    uint64_t request_no;
    const char *language;               /* NULL = the client's */
} client_call_options_t;

int client_call_with(client_t *self, const char *command, const ProtobufCMessage *request,
                     const client_call_options_t *options, client_result_t *out);
/* Same, with an already serialized body. */
int client_call_raw(client_t *self, const char *command, const uint8_t *body, size_t body_len,
                    client_result_t *out);
void client_result_free(client_result_t *out);
/* Decodes the reply body as desc; NULL if it does not decode. */
ProtobufCMessage *client_result_decode(const client_result_t *result,
                                       const ProtobufCMessageDescriptor *desc);
const char *client_endpoint(const client_t *self);

/* A random token of 16 hex digits, for client ids. */
void client_random_id(char out[17]);

#endif
