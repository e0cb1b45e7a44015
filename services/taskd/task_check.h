/* Checks of input fields: each failure sets an INVALID_ARGUMENT reply that
 * names the field, and returns false. */
#ifndef THUKY_TASK_CHECK_H
#define THUKY_TASK_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/check.h"
#include "runtime/server.h"
#include "thuky/task.pb-c.h"

#define TITLE_MAX 500
#define DESCRIPTION_MAX 10000
#define NOTE_MAX 10000
#define REF_MAX 64
#define NAME_MAX_ 200
#define OFFICES_MAX 30
#define BASIS_MAX 20

bool check_year(server_call_t *call, uint32_t year);
/* Checks what task.add and task.import read from a Task. */
bool check_task_input(server_call_t *call, const Thuky__Task *in);
bool check_program_input(server_call_t *call, const Thuky__Program *in);

#endif
