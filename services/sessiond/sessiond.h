/* The session service: its context, command table and shared helpers. */
#ifndef THUKY_SESSIOND_H
#define THUKY_SESSIOND_H

#include "calendar/workcal.h"
#include "domain/sitting.h"
#include "runtime/config.h"
#include "runtime/server.h"
#include "service/calendar_watch.h"
#include "thuky/session.pb-c.h"

typedef struct {
    const config_t *config;
    server_t *server;
    workcal_t *calendar;
} sessiond_t;

extern const command_t sessiond_commands[];
extern const size_t sessiond_command_count;

/* session_query.c */
void session_get(server_call_t *call, const ProtobufCMessage *request);
void session_list(server_call_t *call, const ProtobufCMessage *request);
void session_ical(server_call_t *call, const ProtobufCMessage *request);
/* calendar_commands.c */
void calendar_year(server_call_t *call, const ProtobufCMessage *request);
void calendar_add_days(server_call_t *call, const ProtobufCMessage *request);
/* Logs a warning for this year and the next (by the daemon clock) when
   they have no override file in dir (NULL: none configured). */
void calendar_warn_unannounced(const workcal_t *calendar, const char *dir);

/* calendar_change.c: daemon_recompute_fn publishing "calendar.changed". */
void sessiond_calendar_changed(void *arg, store_txn_t *txn, const calendar_change_t *change,
                               int64_t now_ms);

#endif
