#include "runtime/check.h"

#include <string.h>

#include "runtime/config.h"

bool check_text(server_call_t *call, const char *field, const char *value, size_t max,
                bool required)
{
    size_t len = strlen(value);
    if (required && len == 0) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "%s must not be empty", field);
        return false;
    }
    if (len > max) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                    "%s is %zu bytes; at most %zu are allowed", field, len, max);
        return false;
    }
    return true;
}

bool check_office_id(server_call_t *call, const char *field, const char *id, bool required)
{
    if (!id[0]) {
        if (required)
            server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "%s must not be empty", field);
        return !required;
    }
    if (config_office_id_valid(id))
        return true;
    server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                "%s '%.64s' must be 1-64 lowercase letters, digits, '-', '_' or '.'", field, id);
    return false;
}
