/* webd's calls to the three daemons: one client each, a short timeout, and
 * a breaker so that a daemon that is down costs one timeout, not one per
 * request: for a few seconds after a failure every call to it fails at
 * once (503 with Retry-After), then one call tries again. */
#ifndef THUKY_WEB_BACKEND_H
#define THUKY_WEB_BACKEND_H
#include <stdbool.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "runtime/client.h"
#include "runtime/config.h"

#define BACKEND_TIMEOUT_MS 2000
#define BACKEND_RETRY_AFTER_S 5

typedef struct {
    client_t *clients[SERVICE_WEBD];
    int64_t down_until_ms[SERVICE_WEBD];   /* monotonic; 0 = believed up */
    /* The language of the request being served ("vi", "en"): the daemons'
     * messages come back in it. webd serves one request at a time. */
    const char *language;
} backend_t;

/* The outcome of a call that did not succeed. */
typedef struct {
    Thuky__StatusCode code;       /* UNAVAILABLE when the daemon did not answer */
    char message[512];
    service_id_t service;
} backend_error_t;

void backend_init(backend_t *self, void *zmq_ctx, const config_t *cfg);
void backend_close(backend_t *self);

/* Calls command on service and decodes the reply as reply_desc into *out
 * (free with protobuf_c_message_free_unpacked). options may be NULL (see
 * client_call_with). Returns true on OK; else fills err. */
bool backend_call(backend_t *self, service_id_t service, const char *command,
                  const ProtobufCMessage *request, const client_call_options_t *options,
                  const ProtobufCMessageDescriptor *reply_desc, ProtobufCMessage **out,
                  backend_error_t *err);

/* Whether the breaker holds the service as down right now. */
bool backend_down(const backend_t *self, service_id_t service);

#endif
