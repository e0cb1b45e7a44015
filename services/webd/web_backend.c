#include "web_backend.h"

#include <stdio.h>
#include <string.h>

#include "runtime/clock.h"

void backend_init(backend_t *self, void *zmq_ctx, const config_t *cfg)
{
    memset(self, 0, sizeof *self);
    for (int s = 0; s < SERVICE_WEBD; s++) {
        /* one attempt: a browser waits, and a retry is the browser's to make */
        self->clients[s] = client_new(zmq_ctx, config_service(cfg, (service_id_t)s)->command,
                                      BACKEND_TIMEOUT_MS, 0);
        client_set_caller(self->clients[s], "thuky-webd");
    }
}

void backend_close(backend_t *self)
{
    for (int s = 0; s < SERVICE_WEBD; s++)
        client_destroy(&self->clients[s]);
}

bool backend_down(const backend_t *self, service_id_t service)
{
    return self->down_until_ms[service] > clock_monotonic_ms();
}

bool backend_call(backend_t *self, service_id_t service, const char *command,
                  const ProtobufCMessage *request, const client_call_options_t *options,
                  const ProtobufCMessageDescriptor *reply_desc, ProtobufCMessage **out,
                  backend_error_t *err)
{
    *out = NULL;
    err->service = service;
    lang_t lang = LANG_VI;
    lang_parse(self->language, &lang);
    if (backend_down(self, service)) {
        err->code = THUKY__STATUS_CODE__UNAVAILABLE;
        snprintf(err->message, sizeof err->message, i18n_text(lang, "%s did not answer a moment ago"),
                 client_endpoint(self->clients[service]));
        return false;
    }
    client_call_options_t with = options ? *options : (client_call_options_t){0};
    if (!with.language)
        with.language = self->language;
    client_result_t result;
    client_call_with(self->clients[service], command, request, &with, &result);
    if (result.code == THUKY__STATUS_CODE__UNAVAILABLE)
        self->down_until_ms[service] = clock_monotonic_ms() + BACKEND_RETRY_AFTER_S * 1000;
    else
        self->down_until_ms[service] = 0;
    bool ok = result.code == THUKY__STATUS_CODE__OK;
    if (ok && reply_desc) {
        *out = client_result_decode(&result, reply_desc);
        if (!*out) {
            ok = false;
            result.code = THUKY__STATUS_CODE__INTERNAL;
            snprintf(result.message, sizeof result.message,
                     i18n_text(lang, "%s sent a reply that does not decode"), command);
        }
    }
    if (!ok) {
        err->code = result.code;
        snprintf(err->message, sizeof err->message, "%s", result.message);
    }
    client_result_free(&result);
    return ok;
}
