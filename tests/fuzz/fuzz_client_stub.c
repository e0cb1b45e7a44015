/* The daemon client (common/runtime/client.h) for fuzz_import: no socket. Each call
 * packs its request as client.c does and hands it to fuzz_import_answer(),
 * which plays the daemon. Linked before libthuky.a, so the library's
 * client.o (whose every symbol is defined here) is never pulled in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "runtime/client.h"
#include "fuzz_client_stub.h"

struct client {
    char endpoint[256];
};

client_t *client_new(void *zmq_ctx, const char *endpoint, int timeout_ms, int retries)
{
    (void)zmq_ctx, (void)timeout_ms, (void)retries;
    client_t *self = xcalloc(1, sizeof *self);
    snprintf(self->endpoint, sizeof self->endpoint, "%s", endpoint);
    return self;
}

void client_destroy(client_t **self_p)
{
    free(*self_p);
    *self_p = NULL;
}

void client_set_caller(client_t *self, const char *caller) { (void)self, (void)caller; }

void client_set_curve(client_t *self, const curve_client_t *keys) { (void)self, (void)keys; }

void client_set_language(client_t *self, const char *language) { (void)self, (void)language; }

void client_set_waiting(client_t *self, int after_ms, client_waiting_fn fn, void *arg)
{
    (void)self, (void)after_ms, (void)fn, (void)arg;
}

const char *client_endpoint(const client_t *self) { return self->endpoint; }

void client_random_id(char out[17]) { memcpy(out, "00000000f0a2f0a2", 17); }

void client_result_free(client_result_t *out)
{
    free(out->body);
    out->body = NULL;
    out->body_len = 0;
}

ProtobufCMessage *client_result_decode(const client_result_t *result,
                                       const ProtobufCMessageDescriptor *desc)
{
    return protobuf_c_message_unpack(desc, NULL, result->body_len, result->body);
}

int client_call_raw(client_t *self, const char *command, const uint8_t *body, size_t body_len,
                    client_result_t *out)
{
    (void)self;
    memset(out, 0, sizeof *out);
    return fuzz_import_answer(command, body, body_len, out);
}

int client_call(client_t *self, const char *command, const ProtobufCMessage *request,
                client_result_t *out)
{
    uint8_t *body = NULL;
    size_t len = 0;
    if (request) {
        len = protobuf_c_message_get_packed_size(request);
        body = xmalloc(len);
        protobuf_c_message_pack(request, body);
    }
    int rc = client_call_raw(self, command, body, len, out);
    free(body);
    return rc;
}
