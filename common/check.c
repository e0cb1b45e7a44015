#include "check.h"

#include <string.h>

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
