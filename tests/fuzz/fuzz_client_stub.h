/* The daemon side of fuzz_client_stub.c: answers one command whose request
 * body is packed; fills out (code, message, body) and returns 0 as
 * client_call() does when a reply came. Defined by fuzz_import.c. */
#ifndef THUKY_FUZZ_CLIENT_STUB_H
#define THUKY_FUZZ_CLIENT_STUB_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/client.h"

int fuzz_import_answer(const char *command, const uint8_t *body, size_t len, client_result_t *out);

#endif
