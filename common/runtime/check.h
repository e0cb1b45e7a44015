/* Checks of text fields received in commands, shared by every service:
 * each failure sets an INVALID_ARGUMENT reply naming the field. */
#ifndef THUKY_CHECK_H
#define THUKY_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/server.h"

/* Non-empty when required, at most max bytes. (That it is UTF-8 without
 * NUL bytes the server checked before decoding: wire_text.h.) */
bool check_text(server_call_t *call, const char *field, const char *value, size_t max,
                bool required);

/* An office id (config_office_id_valid); empty passes unless required. */
bool check_office_id(server_call_t *call, const char *field, const char *id, bool required);

#endif
