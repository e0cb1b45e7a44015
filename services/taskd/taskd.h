/* The task service: its command table and the pieces its handlers share. */
#ifndef THUKY_TASKD_H
#define THUKY_TASKD_H

#include "server.h"
#include "thuky/event.pb-c.h"
#include "thuky/task.pb-c.h"

extern const command_t taskd_commands[];
extern const size_t taskd_command_count;

/* task.list (task_query.c) */
void taskd_list(server_call_t *call, const ProtobufCMessage *request);

/* The civil day (Asia/Ho_Chi_Minh) of the call's clock. */
int32_t taskd_today(const server_call_t *call);

#endif
