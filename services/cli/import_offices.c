/* The "offices" part of an import file (thuky import): each office is added
 * to the notification service; one whose id exists already is skipped, so
 * an import can be repeated. An office's escalation contact must come
 * earlier in the list. */
#include <stdio.h>
#include <string.h>

#include "thuky/notify.pb-c.h"
#include "cli.h"

int import_offices(cli_t *cli, json_t *array, unsigned *created, unsigned *skipped)
{
    static const char *const kinds[] = {"", "department", "committee", "delegation",
                                        "secretariat"};
    if (!json_is_array(array))
        return cli_error(EXIT_USAGE, "\"offices\" must be an array");
    size_t i;
    json_t *jo;
    json_array_foreach(array, i, jo)
    {
        Thuky__Office o = THUKY__OFFICE__INIT;
        for (unsigned k = 1; k < 5; k++)
            if (strcmp(cli_json_str(jo, "kind"), kinds[k]) == 0)
                o.kind = (Thuky__OfficeKind)k;
        o.id = (char *)cli_json_str(jo, "id");
        o.name = (char *)cli_json_str(jo, "name");
        o.email = (char *)cli_json_str(jo, "email");
        o.focal_name = (char *)cli_json_str(jo, "focal");
        o.webhook_url = (char *)cli_json_str(jo, "webhook");
        o.webhook_secret_file = (char *)cli_json_str(jo, "webhook_secret_file");
        o.lang = (char *)cli_json_str(jo, "lang");
        o.escalate_to = (char *)cli_json_str(jo, "escalate");
        Thuky__OfficeAddRequest req = THUKY__OFFICE_ADD_REQUEST__INIT;
        req.office = &o;
        client_result_t result;
        client_call(cli_client(cli, SERVICE_NOTIFYD), "office.add", &req.base, &result);
        if (result.code == THUKY__STATUS_CODE__CONFLICT) {
            (*skipped)++;
        } else if (result.code != THUKY__STATUS_CODE__OK) {
            int code = cli_exit_code(result.code);
            cli_error(code, "office %zu (%s): %s", i + 1, o.id, result.message);
            client_result_free(&result);
            return code;
        } else {
            (*created)++;
        }
        client_result_free(&result);
    }
    return EXIT_OK;
}
