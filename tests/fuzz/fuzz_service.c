#include "fuzz_service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "base/log.h"
#include "runtime/clock.h"
#include "service/daemon.h"
#include "thuky/event.pb-c.h"

/* Built into every server after the service's own commands. */
static const char *const s_builtins[] = {"status", "events.read", "clock.set", "clock.advance"};
#define BUILTIN_COUNT (sizeof s_builtins / sizeof s_builtins[0])

/* ---- one service -------------------------------------------------------------- */

void fuzz_service_start(fuzz_service_t *fs, const fuzz_service_spec_t *spec)
{
    fs->spec = spec;
    if (!fs->cfg)
        fs->cfg = xmalloc(sizeof *fs->cfg);
    if (!fs->reset_every) {
        const char *every = getenv("THUKY_FUZZ_RESET_EVERY");
        fs->reset_every = every && atol(every) > 0 ? (unsigned long)atol(every) : FUZZ_RESET_EVERY;
    }
    config_t *cfg = fs->cfg;
    config_defaults(cfg);
    config_service_t *svc = &cfg->services[spec->id];
    snprintf(fs->dir, sizeof fs->dir, "%s/%s-XXXXXX", fuzz_tmpdir(), svc->name);
    if (!mkdtemp(fs->dir)) {
        perror("fuzz: mkdtemp");
        abort();
    }
    snprintf(cfg->runtime_dir, sizeof cfg->runtime_dir, "%s", fs->dir);
    snprintf(cfg->state_dir, sizeof cfg->state_dir, "%s", fs->dir);
    snprintf(cfg->key_dir, sizeof cfg->key_dir, "%s/keys", fs->dir);
    snprintf(cfg->notify.spool_dir, sizeof cfg->notify.spool_dir, "%s/spool", fs->dir);
    snprintf(svc->command, sizeof svc->command, "ipc://%s/cmd", fs->dir);
    snprintf(svc->events, sizeof svc->events, "ipc://%s/pub", fs->dir);
    snprintf(svc->store_dir, sizeof svc->store_dir, "%s/store", fs->dir);
    svc->map_size = FUZZ_MAP_SIZE;
    fs->calendar = fuzz_calendar();

    char why[1024];
    /* the daemons' store, with its log (a small one: the fuzzer's is tiny) */
    svc->log_size = 1u << 20;
    store_options_t store_options = daemon_store_options(svc);
    fs->store = store_open(svc->store_dir, spec->dbs, spec->db_count, &store_options, why,
                           sizeof why);
    if (!fs->store) {
        fprintf(stderr, "fuzz: %s\n", why);
        abort();
    }
    fs->zmq = zmq_ctx_new();
    server_options_t options = {
        .id = spec->id,
        .settings = cfg,
        .config = svc,
        .commands = spec->commands,
        .command_count = *spec->command_count,
        .service = spec->service,
        .events_dbi = store_dbi(fs->store, spec->events_db),
        .meta_dbi = store_dbi(fs->store, spec->meta_db),
        .replies_dbi = store_dbi(fs->store, spec->replies_db),
        .replies_time_dbi = store_dbi(fs->store, spec->replies_time_db),
    };
    fs->server = server_new(fs->zmq, fs->store, &options, why, sizeof why);
    if (!fs->server) {
        fprintf(stderr, "fuzz: %s\n", why);
        abort();
    }
    if (!clock_is_test())
        clock_enable_test(FUZZ_START_MS);
    clock_set_ms(FUZZ_START_MS);
    if (spec->bind)
        spec->bind(fs);
    if (spec->seed)
        spec->seed(fs);
    fs->runs = 0;
}

void fuzz_service_stop(fuzz_service_t *fs)
{
    server_destroy(&fs->server);
    zmq_ctx_term(fs->zmq);
    fs->zmq = NULL;
    store_close(&fs->store);
    fuzz_remove_tree(fs->dir);
}

void fuzz_service_begin_input(fuzz_service_t *fs)
{
    if (++fs->runs > fs->reset_every || store_map_size(fs->store) > FUZZ_MAP_LIMIT) {
        fuzz_service_stop(fs);
        fuzz_service_start(fs, fs->spec);
        fs->runs = 1;
    }
    clock_set_ms(FUZZ_START_MS);
}

/* ---- requests ------------------------------------------------------------------- */

/* server_dispatch, and the reply checked; what names the command in notes. */
static Thuky__StatusCode s_dispatch(fuzz_service_t *fs, const void *data, size_t size,
                                    role_t role, const char *office, const char *what)
{
    uint8_t *packed = NULL;
    size_t len = server_dispatch(fs->server, data, size, role, office, &packed);
    Thuky__Reply *reply = thuky__reply__unpack(NULL, len, packed);
    if (!reply || !reply->status) {
        fprintf(stderr, "fuzz: server_dispatch gave a reply of %zu bytes that %s\n", len,
                reply ? "has no status" : "does not decode");
        abort();
    }
    Thuky__StatusCode code = reply->status->code;
    const char *name = config_service(fs->cfg, fs->spec->id)->name;
    snprintf(fs->message, sizeof fs->message, "%s", reply->status->message);
    if (code == THUKY__STATUS_CODE__INTERNAL || code > THUKY__STATUS_CODE__INTERNAL)
        fuzz_note("%s %s as %s: status %d: %s", name, what, role_name(role), (int)code,
                  reply->status->message);
    if (code == THUKY__STATUS_CODE__OK && strcmp(what, "events.read") == 0) {
        /* The page a subscriber decodes (subscriber.c): it must, or the
         * subscriber asks for the same page forever. */
        Thuky__EventsReadReply *page =
            thuky__events_read_reply__unpack(NULL, reply->body.len, reply->body.data);
        if (!page)
            fuzz_note("%s events.read: the page does not decode as EventsReadReply", name);
        else
            thuky__events_read_reply__free_unpacked(page, NULL);
    }
    thuky__reply__free_unpacked(reply, NULL);
    free(packed);
    return code;
}

Thuky__StatusCode fuzz_dispatch(fuzz_service_t *fs, const void *data, size_t size, role_t role,
                                const char *office)
{
    return s_dispatch(fs, data, size, role, office, "(raw request)");
}

Thuky__StatusCode fuzz_call(fuzz_service_t *fs, const char *command, const uint8_t *body,
                            size_t len, role_t role, const char *office, bool retry)
{
    if (!retry || fs->request_no == 0)
        fs->request_no++;
    char request_id[32];
    snprintf(request_id, sizeof request_id, "fuzz-%llu", (unsigned long long)fs->request_no);
    Thuky__Request req = THUKY__REQUEST__INIT;
    req.protocol = THUKY__PROTOCOL__PROTOCOL_CURRENT;
    req.request_id = request_id;
    req.client_id = (char *)"fuzz";
    req.request_no = fs->request_no;
    req.caller = (char *)"fuzz@localhost";
    req.command = (char *)command;
    req.body.data = (uint8_t *)body;
    req.body.len = len;
    size_t size = thuky__request__get_packed_size(&req);
    uint8_t *packed = xmalloc(size);
    thuky__request__pack(&req, packed);
    Thuky__StatusCode code = s_dispatch(fs, packed, size, role, office, command);
    free(packed);
    static int trace = -1;
    if (trace < 0)
        trace = getenv("THUKY_FUZZ_TRACE") != NULL;
    if (trace)
        fprintf(stderr, "fuzz trace: %s as %s: %d %s\n", command, role_name(role), (int)code,
                fs->message);
    return code;
}

Thuky__StatusCode fuzz_call_msg_quiet(fuzz_service_t *fs, const char *command,
                                      const ProtobufCMessage *msg)
{
    size_t len = msg ? protobuf_c_message_get_packed_size(msg) : 0;
    uint8_t *body = xmalloc(len + 1);
    if (msg)
        protobuf_c_message_pack(msg, body);
    Thuky__StatusCode code = fuzz_call(fs, command, body, len, ROLE_ADMIN, "", false);
    free(body);
    return code;
}

Thuky__StatusCode fuzz_call_msg(fuzz_service_t *fs, const char *command,
                                const ProtobufCMessage *msg)
{
    Thuky__StatusCode code = fuzz_call_msg_quiet(fs, command, msg);
    if (code != THUKY__STATUS_CODE__OK)
        fuzz_note("seed request %s: status %d: %s", command, (int)code, fs->message);
    return code;
}

static const char *s_command_name(const fuzz_service_t *fs, unsigned selector)
{
    size_t n = *fs->spec->command_count;
    size_t i = selector % (n + BUILTIN_COUNT);
    return i < n ? fs->spec->commands[i].name : s_builtins[i - n];
}

void fuzz_service_input(fuzz_service_t *fs, const uint8_t *data, size_t size)
{
    if (size == 0)
        return;
    uint8_t flags = data[0];
    role_t role = ROLE_ADMIN;
    const char *office = "";
    if ((flags & 3) == 2) {
        role = ROLE_OFFICE;
        office = FUZZ_OFFICE;
    } else if ((flags & 3) == 3) {
        role = ROLE_READER;
    }
    data++, size--;
    if (flags & 4) {
        fuzz_dispatch(fs, data, size, role, office);
        return;
    }
    for (int n = 0; n < FUZZ_RECORDS_MAX && size > 0; n++) {
        uint8_t selector = data[0];
        size_t len = size >= 3 ? (size_t)(data[1] | data[2] << 8) : 0;
        size_t head = size >= 3 ? 3 : size;
        data += head, size -= head;
        if (len > size)
            len = size;
        fuzz_call(fs, s_command_name(fs, selector & 0x7f), data, len, role, office,
                  (selector & 0x80) != 0);
        data += len, size -= len;
    }
}

/* ---- events ---------------------------------------------------------------------- */

void fuzz_apply_event(fuzz_service_t *fs, subscriber_apply_fn apply, subscriber_done_fn done,
                      void *arg, const Thuky__Event *event)
{
    for (int attempt = 0; attempt < 8; attempt++) {
        store_txn_t txn;
        if (store_txn_begin(fs->store, &txn, true) != STORE_OK)
            abort();
        apply(arg, &txn, event);
        store_rc_t rc = store_txn_commit(&txn);
        if (done)
            done(arg, rc == STORE_OK);
        if (rc == STORE_OK)
            return;
        if (rc != STORE_MAP_FULL || store_grow(fs->store) != STORE_OK) {
            fuzz_note("%s: event not applied: %s", config_service(fs->cfg, fs->spec->id)->name,
                      store_rc_text(rc));
            return;
        }
    }
}
