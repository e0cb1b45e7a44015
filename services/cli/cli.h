/* The thuky command-line client: shared context and helpers.
 *
 * Exit codes (also in thuky(1) and README.md):
 *   0 ok, 1 local failure (a file), 2 bad usage or INVALID_ARGUMENT,
 *   3 NOT_FOUND, 4 CONFLICT, 5 PERMISSION_DENIED, 6 UNAVAILABLE (daemon
 *   down or not answering), 7 INTERNAL. */
#ifndef THUKY_CLI_H
#define THUKY_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "base/i18n.h"
#include "domain/deadline.h"
#include "runtime/client.h"
#include "runtime/config.h"
#include "thuky/session.pb-c.h"
#include "thuky/task.pb-c.h"

enum {
    EXIT_OK = 0,
    EXIT_LOCAL = 1,
    EXIT_USAGE = 2,
    EXIT_NOT_FOUND = 3,
    EXIT_CONFLICT = 4,
    EXIT_DENIED = 5,
    EXIT_UNAVAILABLE = 6,
    EXIT_INTERNAL = 7,
};

typedef struct {
    config_t config;
    bool json;
    void *zmq;
    client_t *clients[SERVICE_COUNT];
    char caller[160];
} cli_t;

typedef int (*cli_command_fn)(cli_t *cli, int argc, char **argv);

/* The client of one daemon, created on first use. */
client_t *cli_client(cli_t *cli, service_id_t service);
/* Whether this installation runs the service: the three daemons always;
 * the web face when [web] public_url is set (the alerts' links point at it).
 * status and clock address only these. */
bool cli_service_expected(const cli_t *cli, service_id_t service);
/* Calls a command; on an error reply or no reply prints one line to stderr
 * and returns its exit code; on success decodes the body into *reply
 * (when desc is given) and returns EXIT_OK. */
int cli_call(cli_t *cli, service_id_t service, const char *command, const ProtobufCMessage *request,
             const ProtobufCMessageDescriptor *desc, ProtobufCMessage **reply);
int cli_exit_code(Thuky__StatusCode code);

/* One line to stderr ("thuky: ..."), returns code. fmt is English and
 * translated here (xgettext extracts it: no _() at the call). */
int cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints a subcommand's help when argv has -h/--help; returns true then. */
bool cli_wants_help(int argc, char **argv, const char *usage);
void cli_print_json(json_t *value); /* takes ownership */
/* The string member key of a JSON object, "" when absent or not a string. */
const char *cli_json_str(json_t *obj, const char *key);

/* "T12" or "12" -> 12. */
bool cli_parse_task_id(const char *text, uint32_t *id);
/* "taskd" -> SERVICE_TASKD; false (with one line on stderr) when unknown. */
bool cli_parse_service(const cli_t *cli, const char *name, service_id_t *service);
bool cli_parse_uint(const char *text, unsigned long max, unsigned long *out);
/* ISO or dd/mm/yyyy -> normalised ISO in out[11]. */
bool cli_parse_date(const char *text, char out[11]);

/* Rendering of tasks (render.c). */
json_t *render_task_json(const Thuky__Task *task);
json_t *render_history_json(const Thuky__HistoryEntry *entry);
const char *render_status(Thuky__TaskStatus status);
bool render_parse_status(const char *text, Thuky__TaskStatus *status);
void render_deadline(const Thuky__Task *task, char *out, size_t len);
void render_flags(const Thuky__Task *task, char *out, size_t len);
const char *render_flag(Thuky__TaskFlag flag);
/* The names people read, in the CLI's language ("in progress", "falls short
 * on quality"); render_status and render_flag are the tokens of JSON and
 * the options. render_flags joins the labels (RENDER_FLAGS_LEN holds all). */
const char *render_status_label(Thuky__TaskStatus status);
const char *render_flag_label(Thuky__TaskFlag flag);
#define RENDER_FLAGS_LEN 192
/* A deadline as people read it: the rule and "(not resolved yet)" in words. */
#define RENDER_DEADLINE_LEN (DEADLINE_TEXT_MAX + 96)
/* table_new with its headers (marked N_()) translated; "" and NULL stay as
 * they are. At most RENDER_TABLE_COLUMNS_MAX columns (NULL beyond). */
#define RENDER_TABLE_COLUMNS_MAX 16
struct table *render_table_new(size_t columns, const char *const *headers, const char *align);
/* Prints tasks as an aligned table (or JSON array with --json). */
void render_task_table(const cli_t *cli, Thuky__Task *const *tasks, size_t count);
/* The table for people, to out (a report's text form too). */
void render_task_table_to(FILE *out, Thuky__Task *const *tasks, size_t count);
/* Dates as people read them: dd/mm/yyyy in Vietnamese, ISO in English.
 * --json never changes with the language: it uses render_time_iso and
 * ISO dates. */
void render_day(int32_t day, char out[11]);
/* An ISO date from a daemon ("2024-05-20") as people read it; anything
 * else is copied as it is. */
void render_iso_date(const char *iso, char *out, size_t len);
void render_time(int64_t ms, char *out, size_t len);     /* "20/05/2024 08:30" */
void render_time_iso(int64_t ms, char *out, size_t len); /* "2024-05-20 08:30" */
/* Rendering of sittings (render_session.c). */
void render_sitting_time(const Thuky__SittingTime *t, char *out, size_t len);
json_t *render_sitting_json(const Thuky__Sitting *s);
void render_sitting_table(const cli_t *cli, Thuky__Sitting *const *sittings, size_t count);
/* A sitting's kind and status as people read them ("plenary" is "kỳ họp");
 * sitting_kind_name and sitting_status_name are the tokens. */
const char *render_sitting_kind_label(Thuky__SittingKind kind);
const char *render_sitting_status_label(Thuky__SittingStatus status);

/* Waits (up to the client timeout) until a daemon has applied a source's
 * event seq; false when it has not or does not answer. */
bool cli_wait_followed(cli_t *cli, service_id_t follower, const char *source, uint64_t seq);

/* Subcommands. */
/* The CURVE keys to reach service when its endpoints are tcp://: false
 * when not needed; exits with one line when they are missing or bad. */
bool cli_curve_keys(cli_t *cli, service_id_t service, curve_client_t *keys);

int cmd_status(cli_t *cli, int argc, char **argv);
int cmd_program(cli_t *cli, int argc, char **argv);
int cmd_task(cli_t *cli, int argc, char **argv);
int cmd_import(cli_t *cli, int argc, char **argv);
int cmd_report(cli_t *cli, int argc, char **argv);
int cmd_events(cli_t *cli, int argc, char **argv);
int cmd_clock(cli_t *cli, int argc, char **argv);
int cmd_session(cli_t *cli, int argc, char **argv);
/* The "sittings" array of an import file (import_sittings.c). */
int import_sittings(cli_t *cli, json_t *array, unsigned *created, unsigned *skipped);
/* The "offices" array of an import file (import_offices.c). */
int import_offices(cli_t *cli, json_t *array, unsigned *created, unsigned *skipped);
int cmd_calendar(cli_t *cli, int argc, char **argv);
int cmd_office(cli_t *cli, int argc, char **argv);
int cmd_alert(cli_t *cli, int argc, char **argv);
int cmd_keygen(cli_t *cli, int argc, char **argv);
int cmd_resync(cli_t *cli, int argc, char **argv);
int cmd_backup(cli_t *cli, int argc, char **argv);
int cmd_web(cli_t *cli, int argc, char **argv);

/* Pages through task.list until done, collecting every task (caller frees
 * with cli_tasks_free). */
typedef struct {
    Thuky__TaskList **pages;
    size_t page_count;
    Thuky__Task **tasks;
    size_t count;
} cli_tasks_t;
int cli_list_all(cli_t *cli, Thuky__TaskListRequest *req, size_t max, cli_tasks_t *out);
void cli_tasks_free(cli_tasks_t *tasks);

#endif
