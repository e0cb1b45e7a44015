/* The "sittings" part of an import file (thuky import): each sitting is
 * added to the session service; one whose id exists already is skipped,
 * so an import can be repeated. Sittings go before the program's tasks, and
 * the import waits until the task service has them, so the tasks' relative
 * deadlines resolve at once. */
#include <stdio.h>
#include <string.h>

#include "domain/sitting.h"
#include "cli.h"

/* "2024-05-20" or "2024-05-20T08:30" into a SittingTime (pointing into text). */
static void s_time(const char *text, Thuky__SittingTime *t, char date[11], char clock[6])
{
    thuky__sitting_time__init(t);
    snprintf(date, 11, "%.10s", text);
    clock[0] = '\0';
    if (strlen(text) == 16 && text[10] == 'T')
        snprintf(clock, 6, "%s", text + 11);
    t->date = date;
    t->time = clock;
}

int import_sittings(cli_t *cli, json_t *array, unsigned *created, unsigned *skipped)
{
    if (!json_is_array(array))
        return cli_error(EXIT_USAGE, "\"sittings\" must be an array");
    uint64_t last_seq = 0;
    size_t i;
    json_t *js;
    json_array_foreach(array, i, js)
    {
        Thuky__Sitting s = THUKY__SITTING__INIT;
        if (!json_is_object(js) || !sitting_kind_parse(cli_json_str(js, "kind"), &s.kind))
            return cli_error(EXIT_USAGE, "sitting %zu: kind must be plenary, standing, "
                                         "conference or briefing", i + 1);
        Thuky__SittingTime start, end;
        char start_date[11], start_clock[6], end_date[11], end_clock[6];
        s_time(cli_json_str(js, "start"), &start, start_date, start_clock);
        s_time(json_object_get(js, "end") ? cli_json_str(js, "end") : cli_json_str(js, "start"), &end, end_date,
               end_clock);
        s.id = (char *)cli_json_str(js, "id");
        s.title = (char *)cli_json_str(js, "title");
        s.venue = (char *)cli_json_str(js, "venue");
        s.term = (char *)cli_json_str(js, "term");
        s.repeat = (char *)cli_json_str(js, "repeat");
        s.start = &start;
        s.end = &end;
        json_t *number = json_object_get(js, "number");
        s.number = json_is_integer(number) ? (uint32_t)json_integer_value(number) : 0;
        s.extraordinary = json_is_true(json_object_get(js, "extraordinary"));
        if (strcmp(cli_json_str(js, "status"), "confirmed") == 0)
            s.status = THUKY__SITTING_STATUS__SITTING_CONFIRMED;
        Thuky__SessionAddRequest req = THUKY__SESSION_ADD_REQUEST__INIT;
        req.sitting = &s;
        client_result_t result;
        client_call(cli_client(cli, SERVICE_SESSIOND), "session.add", &req.base, &result);
        if (result.code == THUKY__STATUS_CODE__CONFLICT) {
            (*skipped)++;
        } else if (result.code != THUKY__STATUS_CODE__OK) {
            int code = cli_exit_code(result.code);
            cli_error(code, "sitting %zu (%s): %s", i + 1, s.id[0] ? s.id : s.title, result.message);
            client_result_free(&result);
            return code;
        } else {
            Thuky__SessionChangeReply *reply = (Thuky__SessionChangeReply *)client_result_decode(
                &result, &thuky__session_change_reply__descriptor);
            if (reply) {
                last_seq = reply->event_seq;
                thuky__session_change_reply__free_unpacked(reply, NULL);
            }
            (*created)++;
        }
        client_result_free(&result);
    }
    if (last_seq)
        cli_wait_followed(cli, SERVICE_TASKD, "sessiond", last_seq);
    return EXIT_OK;
}
