#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/date.h"
#include "base/log.h"
#include "runtime/clock.h"
#include "runtime/secret.h"
#include "progress.h"

int cli_error(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    progress_break();
    fputs("thuky: ", stderr);
    vfprintf(stderr, _(fmt), ap); /* every format is extracted for translation */
    fputc('\n', stderr);
    va_end(ap);
    return code;
}

int cli_exit_code(Thuky__StatusCode code)
{
    switch (code) {
    case THUKY__STATUS_CODE__OK: return EXIT_OK;
    case THUKY__STATUS_CODE__INVALID_ARGUMENT: return EXIT_USAGE;
    case THUKY__STATUS_CODE__NOT_FOUND: return EXIT_NOT_FOUND;
    case THUKY__STATUS_CODE__CONFLICT: return EXIT_CONFLICT;
    case THUKY__STATUS_CODE__PERMISSION_DENIED: return EXIT_DENIED;
    case THUKY__STATUS_CODE__UNAVAILABLE: return EXIT_UNAVAILABLE;
    default: return EXIT_INTERNAL;
    }
}

bool cli_curve_keys(cli_t *cli, service_id_t service, curve_client_t *keys)
{
    const config_service_t *svc = config_service(&cli->config, service);
    const char *endpoint = curve_endpoint(svc->command) ? svc->command : svc->events;
    if (!curve_endpoint(endpoint))
        return false;
    if (!cli->config.client_key_file[0]) {
        cli_error(EXIT_USAGE, "%s is a tcp endpoint: set client_key_file in [core] to a key "
                  "pair from 'thuky keygen'", endpoint);
        exit(EXIT_USAGE);
    }
    char why[1024];
    if (curve_client_load(&cli->config, service, cli->config.client_key_file, keys, why,
                          sizeof why) != 0) {
        cli_error(EXIT_USAGE, "%s", why);
        exit(EXIT_USAGE);
    }
    return true;
}

/* How long a person waits before being told that a daemon is not
 * answering (the attempts go on until the client timeout). */
#define WAITING_NOTICE_MS 1000

static void s_waiting(void *arg, const char *endpoint)
{
    const char *name = arg;
    progress_break();
    fprintf(stderr, _("thuky: %s (%s) has not answered for a second; still trying. Is it "
                      "running? See 'systemctl status thuky-%s' or 'thuky status'.\n"),
            name, endpoint, name);
}

client_t *cli_client(cli_t *cli, service_id_t service)
{
    if (!cli->clients[service]) {
        const config_service_t *svc = config_service(&cli->config, service);
        cli->clients[service] = client_new(cli->zmq, svc->command, cli->config.client_timeout_ms,
                                           cli->config.client_retries);
        client_set_caller(cli->clients[service], cli->caller);
        /* --json is for machines and never changes with the language: the
         * daemons' texts in it (errors, warnings) are English. */
        client_set_language(cli->clients[service],
                            cli->json ? "en" : lang_code(i18n_language()));
        client_set_waiting(cli->clients[service], WAITING_NOTICE_MS, s_waiting,
                           (void *)svc->name);
        curve_client_t keys;
        if (cli_curve_keys(cli, service, &keys)) {
            client_set_curve(cli->clients[service], &keys);
            secret_wipe(&keys, sizeof keys);
        }
    }
    return cli->clients[service];
}

int cli_call(cli_t *cli, service_id_t service, const char *command, const ProtobufCMessage *request,
             const ProtobufCMessageDescriptor *desc, ProtobufCMessage **reply)
{
    client_result_t result;
    client_call(cli_client(cli, service), command, request, &result);
    if (result.code != THUKY__STATUS_CODE__OK) {
        int code = cli_exit_code(result.code);
        if (code == EXIT_UNAVAILABLE)
            cli_error(code, "%s: %s is down or not answering. Start it ('systemctl start "
                            "thuky-%s', or 'make run' in a source tree), then try again.",
                      result.message, config_service(&cli->config, service)->name,
                      config_service(&cli->config, service)->name);
        else
            cli_error(code, "%s", result.message);
        client_result_free(&result);
        return code;
    }
    int code = EXIT_OK;
    if (desc) {
        *reply = client_result_decode(&result, desc);
        if (!*reply)
            code = cli_error(EXIT_INTERNAL, "reply to %s does not decode", command);
    }
    client_result_free(&result);
    return code;
}

bool cli_wants_help(int argc, char **argv, const char *usage)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(usage, stdout);
            return true;
        }
    }
    return false;
}

void cli_print_json(json_t *value)
{
    json_dumpf(value, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(value);
}

const char *cli_json_str(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : "";
}

bool cli_parse_uint(const char *text, unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    if (!text || !*text || *text == '-' || *text == '+')
        return false;
    unsigned long v = strtoul(text, &end, 10);
    if (errno || *end || v > max)
        return false;
    *out = v;
    return true;
}

bool cli_service_expected(const cli_t *cli, service_id_t service)
{
    return service != SERVICE_WEBD || cli->config.web.public_url[0];
}

bool cli_parse_service(const cli_t *cli, const char *name, service_id_t *service)
{
    for (int s = 0; s < SERVICE_COUNT; s++)
        if (strcmp(name, config_service(&cli->config, (service_id_t)s)->name) == 0) {
            *service = (service_id_t)s;
            return true;
        }
    cli_error(EXIT_USAGE, "unknown service '%s' (taskd, sessiond, notifyd, webd)", name);
    return false;
}

bool cli_parse_task_id(const char *text, uint32_t *id)
{
    unsigned long v;
    if (text && (text[0] == 'T' || text[0] == 't'))
        text++;
    if (!cli_parse_uint(text, UINT32_MAX, &v) || v == 0)
        return false;
    *id = (uint32_t)v;
    return true;
}

bool cli_parse_date(const char *text, char out[11])
{
    int32_t day;
    const char *why;
    if (!date_parse(text, &day, &why)) {
        cli_error(EXIT_USAGE, "invalid date '%s': %s", text, _(why));
        return false;
    }
    date_format_iso(day, out);
    return true;
}

int cli_list_all(cli_t *cli, Thuky__TaskListRequest *req, size_t max, cli_tasks_t *out)
{
    memset(out, 0, sizeof *out);
    for (;;) {
        Thuky__TaskList *page = NULL;
        int rc = cli_call(cli, SERVICE_TASKD, "task.list", &req->base, &thuky__task_list__descriptor,
                          (ProtobufCMessage **)&page);
        if (rc != EXIT_OK)
            return rc;
        out->pages = xrealloc(out->pages, (out->page_count + 1) * sizeof *out->pages);
        out->pages[out->page_count++] = page;
        out->tasks = xrealloc(out->tasks, (out->count + page->n_tasks + 1) * sizeof *out->tasks);
        for (size_t i = 0; i < page->n_tasks && out->count < max; i++)
            out->tasks[out->count++] = page->tasks[i];
        if (page->next_cursor.len == 0 || out->count >= max)
            return EXIT_OK;
        req->cursor = page->next_cursor;
    }
}

void cli_tasks_free(cli_tasks_t *tasks)
{
    for (size_t i = 0; i < tasks->page_count; i++)
        thuky__task_list__free_unpacked(tasks->pages[i], NULL);
    free(tasks->pages);
    free(tasks->tasks);
    memset(tasks, 0, sizeof *tasks);
}

bool cli_wait_followed(cli_t *cli, service_id_t follower, const char *source, uint64_t seq)
{
    int64_t deadline = clock_monotonic_ms() + cli->config.client_timeout_ms;
    client_t *client = cli_client(cli, follower);
    for (int delay_ms = 2;; delay_ms = delay_ms < 100 ? delay_ms * 2 : 100) {
        client_result_t result;
        client_call(client, "status", NULL, &result);
        Thuky__DaemonStatus *st = result.code == THUKY__STATUS_CODE__OK
                                      ? (Thuky__DaemonStatus *)client_result_decode(
                                            &result, &thuky__daemon_status__descriptor)
                                      : NULL;
        client_result_free(&result);
        if (!st)
            return false; /* down: it catches up when it starts */
        bool done = false;
        for (size_t i = 0; i < st->n_subscriptions; i++)
            if (strcmp(st->subscriptions[i]->source, source) == 0)
                done = st->subscriptions[i]->applied_seq >= seq;
        thuky__daemon_status__free_unpacked(st, NULL);
        if (done)
            return true;
        if (clock_monotonic_ms() + delay_ms > deadline)
            return false;
        struct timespec ts = {0, delay_ms * 1000000L};
        nanosleep(&ts, NULL);
    }
}
