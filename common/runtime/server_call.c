/* What handlers and a service's own code use while serving (server.h):
 * replying, failing, the caller's office scope, emitting events, the
 * counters of status, waking the timers. Calls nothing else of the
 * server, so the server's files point one way: server.c (setup, loop) ->
 * server_request.c (a request's path) -> server_builtins.c -> here. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/server_private.h"
#include "runtime/wire_text.h"
#include "text/utf8.h"

/* ---- the handler interface -------------------------------------------- */

void server_reply(server_call_t *call, const ProtobufCMessage *msg)
{
    free(call->reply_body);
    call->reply_len = protobuf_c_message_get_packed_size(msg);
    call->reply_body = xmalloc(call->reply_len);
    protobuf_c_message_pack(msg, call->reply_body);
    wire_text_scrub(msg->descriptor, call->reply_body, call->reply_len);
}

void server_fail(server_call_t *call, Thuky__StatusCode code, const char *fmt, ...)
{
    if (call->code != THUKY__STATUS_CODE__OK)
        return; /* keep the first reason */
    call->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(call->message, sizeof call->message, i18n_text(call->lang, fmt), ap);
    utf8_cut_partial(call->message);
    va_end(ap);
}

const char *server_scope_office(server_call_t *call, const char *requested, const char *what)
{
    if (call->role != ROLE_OFFICE)
        return requested;
    if (requested[0] && strcmp(requested, call->office) != 0) {
        server_fail(call, THUKY__STATUS_CODE__PERMISSION_DENIED,
                    "%s (office %s) may only see its own %s", call->caller, call->office,
                    i18n_text(call->lang, what));
        return NULL;
    }
    return call->office;
}

bool server_office_may(server_call_t *call, const char *what, const char *const *offices,
                       size_t count)
{
    if (call->role != ROLE_OFFICE)
        return true;
    for (size_t i = 0; i < count; i++)
        if (offices[i] && strcmp(offices[i], call->office) == 0)
            return true;
    server_fail(call, THUKY__STATUS_CODE__PERMISSION_DENIED, "%s (office %s) may not %s",
                call->caller, call->office, i18n_text(call->lang, what));
    return false;
}

uint64_t server_emit(server_call_t *call, Thuky__Event *event)
{
    return eventlog_append(call->server->eventlog, call->txn, event, call->now_ms);
}

eventlog_t *server_eventlog(server_t *self) { return self->eventlog; }
store_t *server_store(server_t *self) { return self->store; }
service_id_t server_service_id(const server_t *self) { return self->options.id; }

const char *server_status_name(Thuky__StatusCode code)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&thuky__status_code__descriptor, (int)code);
    return v ? v->name : "UNKNOWN";
}

void server_set_counter(server_t *self, const char *name, uint64_t value)
{
    for (size_t i = 0; i < self->counter_count; i++)
        if (strcmp(self->counters[i].name, name) == 0) {
            self->counters[i].value = value;
            return;
        }
    server_add_counter(self, name, value);
}

void server_add_counter(server_t *self, const char *name, uint64_t delta)
{
    for (size_t i = 0; i < self->counter_count; i++) {
        if (strcmp(self->counters[i].name, name) == 0) {
            self->counters[i].value += delta;
            return;
        }
    }
    if (self->counter_count < SERVER_MAX_COUNTERS)
        self->counters[self->counter_count++] = (counter_t){name, delta};
}

void server_wake_timers(server_t *self)
{
    for (size_t i = 0; i < self->timer_count; i++)
        self->timers[i].due_ms = 0;
}
