#include "check.h"

#include <string.h>

#include "utf8.h"

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
    if (!utf8_valid(value, len)) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "%s is not valid UTF-8", field);
        return false;
    }
    return true;
}
