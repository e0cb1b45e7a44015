/* fuzz_import: the import file of the CLI (`thuky import FILE`:
 * services/cli/cmd_import.c, import_sittings.c, import_offices.c). The
 * input is the JSON file; cmd_import() parses it and turns it into the
 * session.add, office.add and task.import requests it would send. The
 * daemons are played by fuzz_import_answer() through the stub client
 * (fuzz_client_stub.c): each request must decode as its command's message
 * (what the CLI builds is well-formed protobuf), and is answered OK,
 * CONFLICT (already present) or INVALID_ARGUMENT as a hash of the input
 * decides, so the import's skip and error paths run too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "thuky/notify.pb-c.h"
#include "cli.h"
#include "fuzz_client_stub.h"
#include "fuzz_util.h"

static cli_t s_cli;
static char s_path[128];
static uint64_t s_choice; /* the answers of this input, two bits per call */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_quiet();
    config_defaults(&s_cli.config);
    s_cli.config.client_timeout_ms = 0; /* cli_wait_followed asks once */
    snprintf(s_cli.caller, sizeof s_cli.caller, "fuzz@localhost");
    snprintf(s_path, sizeof s_path, "%s/import.json", fuzz_tmpdir());
    return 0;
}

static const ProtobufCMessageDescriptor *s_request_type(const char *command)
{
    if (strcmp(command, "session.add") == 0)
        return &thuky__session_add_request__descriptor;
    if (strcmp(command, "office.add") == 0)
        return &thuky__office_add_request__descriptor;
    if (strcmp(command, "task.import") == 0)
        return &thuky__task_import_request__descriptor;
    return NULL; /* status: no body */
}

static void s_reply(client_result_t *out, const ProtobufCMessage *msg)
{
    out->body_len = protobuf_c_message_get_packed_size(msg);
    out->body = xmalloc(out->body_len + 1);
    protobuf_c_message_pack(msg, out->body);
}

int fuzz_import_answer(const char *command, const uint8_t *body, size_t len, client_result_t *out)
{
    const ProtobufCMessageDescriptor *type = s_request_type(command);
    if (!type && len) {
        fprintf(stderr, "fuzz: the import sent %s with a body\n", command);
        abort();
    }
    ProtobufCMessage *request = type ? protobuf_c_message_unpack(type, NULL, len, body) : NULL;
    if (type && !request) {
        fprintf(stderr, "fuzz: the import's %s request does not decode\n", command);
        abort();
    }
    unsigned pick = s_choice & 3;
    s_choice = s_choice >> 2 | s_choice << 62;
    out->code = pick == 3   ? THUKY__STATUS_CODE__INVALID_ARGUMENT
                : pick == 2 ? THUKY__STATUS_CODE__CONFLICT
                            : THUKY__STATUS_CODE__OK;
    if (!type)
        out->code = THUKY__STATUS_CODE__OK;
    snprintf(out->message, sizeof out->message, "%s answered %d by the fuzzer", command,
             (int)out->code);
    if (out->code == THUKY__STATUS_CODE__OK && type == &thuky__session_add_request__descriptor) {
        Thuky__SessionChangeReply reply = THUKY__SESSION_CHANGE_REPLY__INIT;
        reply.sitting = ((Thuky__SessionAddRequest *)request)->sitting;
        reply.event_seq = 1;
        s_reply(out, &reply.base);
    } else if (out->code == THUKY__STATUS_CODE__OK &&
               type == &thuky__task_import_request__descriptor) {
        Thuky__TaskImportReply reply = THUKY__TASK_IMPORT_REPLY__INIT;
        reply.created = (uint32_t)((Thuky__TaskImportRequest *)request)->n_tasks;
        s_reply(out, &reply.base);
    }
    if (request)
        protobuf_c_message_free_unpacked(request, NULL);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a: the same input, the same answers */
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 1099511628211ULL;
    s_choice = h & 0x5555555555555555ULL; /* mostly OK; with the top bit set, some */
    if ((h >> 63) != 0)
        s_choice |= h & (h >> 1) & 0xAAAAAAAAAAAAAAAAULL; /* CONFLICT or INVALID */
    s_cli.json = (h >> 62 & 1) != 0;
    fuzz_write_file(s_path, data, size);
    char *argv[] = {(char *)"import", s_path, NULL};
    (void)cmd_import(&s_cli, 2, argv);
    return 0;
}
