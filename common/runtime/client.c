#include "runtime/client.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <zmq.h>

#include "base/i18n.h"
#include "base/log.h"
#include "runtime/clock.h"
#include "runtime/secret.h"

struct client {
    void *ctx;
    void *socket;
    char *endpoint;
    int timeout_ms;
    int retries;
    char client_id[17];
    uint64_t request_no;
    char caller[128];
    char language[8];
    bool ipc_checked;       /* the stale-socket check runs before the first call */
    int waiting_ms;         /* tell the user after this long without a reply */
    client_waiting_fn waiting;
    void *waiting_arg;
    curve_client_t curve;
    bool use_curve;
};

void client_random_id(char out[17])
{
    uint8_t raw[8];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
        /* getrandom only fails this early in boot; time is unique enough */
        uint64_t t = (uint64_t)clock_monotonic_us() ^ (uint64_t)clock_now_ms() << 20;
        memcpy(raw, &t, sizeof raw);
    }
    for (int i = 0; i < 8; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
}

static void s_connect(client_t *self)
{
    if (self->socket)
        zmq_close(self->socket);
    self->socket = zmq_socket(self->ctx, ZMQ_DEALER);
    int zero = 0, reconnect_ms = 10;
    zmq_setsockopt(self->socket, ZMQ_LINGER, &zero, sizeof zero);
    /* A daemon that is just starting answers within milliseconds; do not
     * sit out libzmq's default 100 ms reconnect interval. */
    zmq_setsockopt(self->socket, ZMQ_RECONNECT_IVL, &reconnect_ms, sizeof reconnect_ms);
    /* A connection the daemon refused (ZAP) leaves the DEALER with no pipe,
     * and libzmq does not reconnect after a refusal: without a send timeout
     * the next send would block for ever. */
    zmq_setsockopt(self->socket, ZMQ_SNDTIMEO, &self->timeout_ms, sizeof self->timeout_ms);
    if (self->use_curve)
        curve_apply_client(self->socket, &self->curve);
    zmq_connect(self->socket, self->endpoint);
}

client_t *client_new(void *zmq_ctx, const char *endpoint, int timeout_ms, int retries)
{
    client_t *self = xcalloc(1, sizeof *self);
    self->ctx = zmq_ctx;
    self->endpoint = xstrdup(endpoint);
    self->timeout_ms = timeout_ms;
    self->retries = retries;
    client_random_id(self->client_id);
    snprintf(self->caller, sizeof self->caller, "%s", "unknown");
    s_connect(self);
    return self;
}

void client_destroy(client_t **self_p)
{
    client_t *self = *self_p;
    if (!self)
        return;
    if (self->socket)
        zmq_close(self->socket);
    free(self->endpoint);
    secret_wipe(&self->curve, sizeof self->curve);
    free(self);
    *self_p = NULL;
}

void client_set_waiting(client_t *self, int after_ms, client_waiting_fn fn, void *arg)
{
    self->waiting_ms = after_ms;
    self->waiting = fn;
    self->waiting_arg = arg;
}

void client_set_language(client_t *self, const char *language)
{
    snprintf(self->language, sizeof self->language, "%s", language);
}

void client_set_caller(client_t *self, const char *caller)
{
    snprintf(self->caller, sizeof self->caller, "%s", caller);
}

void client_set_curve(client_t *self, const curve_client_t *keys)
{
    self->curve = *keys;
    self->use_curve = true;
    s_connect(self);
}

const char *client_endpoint(const client_t *self) { return self->endpoint; }

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

/* An ipc endpoint whose socket file is missing, or left behind by a
 * daemon that has stopped (connect is refused), has no daemon behind it:
 * say so at once instead of waiting for the timeout. */
static bool s_ipc_missing(const char *endpoint)
{
    if (strncmp(endpoint, "ipc://", 6) != 0)
        return false;
    const char *path = endpoint + 6;
    struct stat st;
    if (stat(path, &st) != 0)
        return true;
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (!S_ISSOCK(st.st_mode) || strlen(path) >= sizeof addr.sun_path)
        return false; /* let libzmq say what is wrong */
    memcpy(addr.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    bool refused = connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0 && errno == ECONNREFUSED;
    close(fd);
    return refused;
}

/* The language of the client's own messages: the one it asks in. */
static lang_t s_lang(const client_t *self)
{
    lang_t lang = i18n_language();
    lang_parse(self->language, &lang);
    return lang;
}

/* Waits for the reply to request_id; true when it came. */
static bool s_await(client_t *self, const char *request_id, client_result_t *out,
                    int64_t *tell_at)
{
    int64_t deadline = clock_monotonic_ms() + self->timeout_ms;
    for (;;) {
        int64_t now = clock_monotonic_ms();
        int64_t left = deadline - now;
        if (left <= 0)
            return false;
        if (*tell_at && now >= *tell_at) {
            *tell_at = 0;
            self->waiting(self->waiting_arg, self->endpoint);
        }
        if (*tell_at && *tell_at - now < left)
            left = *tell_at - now;
        zmq_pollitem_t item = {self->socket, 0, ZMQ_POLLIN, 0};
        int rc = zmq_poll(&item, 1, (long)left);
        if (rc < 0 && zmq_errno() == EINTR)
            return false;
        if (rc <= 0)
            continue;
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, self->socket, 0) < 0) {
            zmq_msg_close(&msg);
            continue;
        }
        Thuky__Reply *reply = thuky__reply__unpack(NULL, zmq_msg_size(&msg), zmq_msg_data(&msg));
        zmq_msg_close(&msg);
        if (!reply)
            continue;
        /* A stored reply replayed after a retry still carries this id. */
        if (strcmp(reply->request_id, request_id) != 0 && reply->request_id[0] != '\0') {
            thuky__reply__free_unpacked(reply, NULL);
            continue; /* a late answer to an earlier request */
        }
        out->code = reply->status ? reply->status->code : THUKY__STATUS_CODE__INTERNAL;
        snprintf(out->message, sizeof out->message, "%s",
                 reply->status && reply->status->message ? reply->status->message : "");
        out->body_len = reply->body.len;
        out->body = xmalloc(out->body_len);
        if (out->body_len)
            memcpy(out->body, reply->body.data, out->body_len);
        thuky__reply__free_unpacked(reply, NULL);
        return true;
    }
}

static int s_call(client_t *self, const char *command, const uint8_t *body, size_t body_len,
                  const client_call_options_t *options, client_result_t *out)
{
    memset(out, 0, sizeof *out);
    /* Once: a connect that probes every call would cost the daemon a
     * connection each time. */
    bool first = !self->ipc_checked;
    self->ipc_checked = true;
    if (first && s_ipc_missing(self->endpoint)) {
        out->code = THUKY__STATUS_CODE__UNAVAILABLE;
        snprintf(out->message, sizeof out->message,
                 i18n_text(s_lang(self), "no daemon listens on %s"), self->endpoint);
        return -1;
    }
    char request_id[64];
    self->request_no++;
    snprintf(request_id, sizeof request_id, "%s:%llu", self->client_id,
             (unsigned long long)self->request_no);
    Thuky__Request req = THUKY__REQUEST__INIT;
    req.protocol = THUKY__PROTOCOL__PROTOCOL_CURRENT;
    req.request_id = request_id;
    req.client_id = self->client_id;
    req.request_no = self->request_no;
    if (options && options->client_id) {
        /* the caller's own key: a replayed reply carries the request id
         * of the first attempt, so that id is the key's too */
        req.client_id = (char *)options->client_id;
        req.request_no = options->request_no;
        snprintf(request_id, sizeof request_id, "%.40s:%llu", options->client_id,
                 (unsigned long long)options->request_no);
    }
    req.language = self->language;
    if (options)
        req.on_behalf = (Thuky__OnBehalf *)options->on_behalf;
    if (options && options->language)
        req.language = (char *)options->language;
    req.caller = self->caller;
    req.command = (char *)command;
    req.body.data = (uint8_t *)body;
    req.body.len = body_len;
    size_t len = thuky__request__get_packed_size(&req);
    uint8_t *packed = xmalloc(len);
    thuky__request__pack(&req, packed);

    int rc = -1;
    int64_t tell_at = self->waiting ? clock_monotonic_ms() + self->waiting_ms : 0;
    for (int attempt = 0; attempt <= self->retries; attempt++) {
        if (attempt > 0)
            s_connect(self); /* a fresh socket: the old one may be wedged */
        if (zmq_send(self->socket, packed, len, 0) < 0)
            continue;
        if (s_await(self, request_id, out, &tell_at)) {
            rc = 0;
            break;
        }
    }
    free(packed);
    if (rc != 0) {
        out->code = THUKY__STATUS_CODE__UNAVAILABLE;
        snprintf(out->message, sizeof out->message,
                 i18n_text(s_lang(self), "no reply from %s after %d attempt(s)"), self->endpoint,
                 self->retries + 1);
    }
    return rc;
}

int client_call_raw(client_t *self, const char *command, const uint8_t *body, size_t body_len,
                    client_result_t *out)
{
    return s_call(self, command, body, body_len, NULL, out);
}

int client_call_with(client_t *self, const char *command, const ProtobufCMessage *request,
                     const client_call_options_t *options, client_result_t *out)
{
    uint8_t *body = NULL;
    size_t len = 0;
    if (request) {
        len = protobuf_c_message_get_packed_size(request);
        body = xmalloc(len);
        protobuf_c_message_pack(request, body);
    }
    int rc = s_call(self, command, body, len, options, out);
    free(body);
    return rc;
}

int client_call(client_t *self, const char *command, const ProtobufCMessage *request,
                client_result_t *out)
{
    return client_call_with(self, command, request, NULL, out);
}
