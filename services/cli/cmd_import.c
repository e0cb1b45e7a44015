/* thuky import FILE: a work program with its groups and tasks, in JSON.
 *
 * The format is the one of deploy/demo/program-2024.json (see README.md).
 * Every task needs a "ref"; a task whose ref exists is skipped, so an
 * import can be repeated safely. Tasks go in chunks, each applied
 * atomically by the task service. A chunk is as large as the task service
 * accepts (half its max_message): every commit rewrites the index pages it
 * touches, so a few big chunks cost far less than many small ones. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "domain/deadline.h"
#include "cli.h"

#define IMPORT_CHUNK_MAX 50000      /* tasks in one request, at most */

static const char s_usage[] =
    "usage: thuky import FILE\n"
    "\n"
    "Imports a work program with its key task groups and tasks from JSON:\n"
    "  {\"program\": {\"year\": 2024, \"decision\": \"3333/QĐ-TTKQH\", \"title\": \"...\",\n"
    "               \"groups\": [{\"number\": 1, \"title\": \"...\"}]},\n"
    "   \"tasks\": [{\"ref\": \"2024-01\", \"group\": 1, \"title\": \"...\", \"lead\": \"vu-thu-ky\",\n"
    "              \"with\": [\"vu-phap-luat\"], \"member\": \"...\", \"due\": \"2024-06-30\",\n"
    "              \"basis\": [\"3333/QĐ-TTKQH\"], \"unplanned\": false, \"description\": \"...\"}]}\n"
    "A task has \"due\" (a date) or \"due_rel\" (e.g. \"XV-7:open:-20d\"). Tasks whose ref\n"
    "exists already are skipped.\n"
    "The file may also (or only) hold sittings, added first:\n"
    "  {\"sittings\": [{\"kind\": \"plenary\", \"term\": \"XV\", \"number\": 7, \"title\": \"...\",\n"
    "                 \"start\": \"2024-05-20\", \"end\": \"2024-06-28\", \"venue\": \"...\",\n"
    "                 \"id\": \"...\", \"repeat\": \"monthly first MON\", \"status\": \"confirmed\"}]}\n"
    "(times as 2024-05-20T08:30); a sitting whose id exists already is skipped.\n"
    "And (or only) offices, added after the sittings:\n"
    "  {\"offices\": [{\"id\": \"vu-thu-ky\", \"name\": \"...\", \"kind\": \"department\",\n"
    "                \"email\": \"...\", \"focal\": \"...\", \"webhook\": \"https://...\",\n"
    "                \"webhook_secret_file\": \"/etc/thuky/...\", \"escalate\": \"...\"}]}\n"
    "(an escalation contact must come earlier in the list); an office whose id\n"
    "exists already is skipped.\n";

/* The strings of one task, pointing into the JSON document. */
typedef struct {
    Thuky__Task task;
    deadline_buf_t deadline;
    char **with, **basis;
} task_in_t;

static char **s_strings(json_t *obj, const char *key, size_t *count, const char **error)
{
    json_t *array = json_object_get(obj, key);
    *count = 0;
    if (!array)
        return NULL;
    if (!json_is_array(array)) {
        *error = key;
        return NULL;
    }
    char **items = xcalloc(json_array_size(array) + 1, sizeof *items);
    size_t i;
    json_t *v;
    json_array_foreach(array, i, v)
    {
        if (!json_is_string(v)) {
            *error = key;
            break;
        }
        items[(*count)++] = (char *)json_string_value(v);
    }
    return items;
}

static int s_task(json_t *obj, uint32_t year, size_t index, task_in_t *in)
{
    thuky__task__init(&in->task);
    Thuky__Task *t = &in->task;
    if (!json_is_object(obj))
        return cli_error(EXIT_USAGE, "task %zu is not an object", index + 1);
    t->program_year = year;
    t->ref = (char *)cli_json_str(obj, "ref");
    t->title = (char *)cli_json_str(obj, "title");
    t->description = (char *)cli_json_str(obj, "description");
    t->lead_office = (char *)cli_json_str(obj, "lead");
    t->lead_member = (char *)cli_json_str(obj, "member");
    t->unplanned = json_is_true(json_object_get(obj, "unplanned"));
    json_t *group = json_object_get(obj, "group");
    if (group && (!json_is_integer(group) || json_integer_value(group) < 0 ||
                  json_integer_value(group) > 99))
        return cli_error(EXIT_USAGE, "task %zu (ref %s): group must be a number 1-99", index + 1,
                         t->ref);
    t->group = group ? (uint32_t)json_integer_value(group) : 0;
    const char *bad = NULL;
    in->with = s_strings(obj, "with", &t->n_with_offices, &bad);
    in->basis = s_strings(obj, "basis", &t->n_basis, &bad);
    t->with_offices = in->with;
    t->basis = in->basis;
    if (bad)
        return cli_error(EXIT_USAGE, "task %zu (ref %s): \"%s\" must be a list of strings",
                         index + 1, t->ref, bad);
    const char *due = cli_json_str(obj, "due"), *rel = cli_json_str(obj, "due_rel");
    if (due[0] && rel[0])
        return cli_error(EXIT_USAGE, "task %zu (ref %s): give \"due\" or \"due_rel\", not both",
                         index + 1, t->ref);
    if (due[0] || rel[0]) {
        const char *why;
        if (!deadline_parse(due[0] ? due : rel, &in->deadline, &why))
            return cli_error(EXIT_USAGE, "task %zu (ref %s): deadline '%s': %s", index + 1, t->ref,
                             due[0] ? due : rel, why);
        t->deadline = &in->deadline.deadline;
    }
    return EXIT_OK;
}

static int s_send(cli_t *cli, Thuky__TaskImportRequest *req, unsigned *created, unsigned *skipped)
{
    Thuky__TaskImportReply *reply = NULL;
    int rc = cli_call(cli, SERVICE_TASKD, "task.import", &req->base,
                      &thuky__task_import_reply__descriptor, (ProtobufCMessage **)&reply);
    if (rc != EXIT_OK)
        return rc;
    *created += reply->created;
    *skipped += reply->skipped;
    thuky__task_import_reply__free_unpacked(reply, NULL);
    return EXIT_OK;
}

/* Sittings and offices go first: tasks may hang on those sittings. In JSON
 * mode their counts are added to *summary (created when needed). */
static int s_import_part(cli_t *cli, json_t *root, const char *name, json_t **summary)
{
    json_t *items = json_object_get(root, name);
    if (!items)
        return EXIT_OK;
    unsigned created = 0, skipped = 0;
    bool sittings = strcmp(name, "sittings") == 0;
    int rc = sittings ? import_sittings(cli, items, &created, &skipped)
                      : import_offices(cli, items, &created, &skipped);
    if (rc != EXIT_OK)
        return rc;
    if (!cli->json) {
        printf("%s: %u added, %u skipped (already present)\n", name, created, skipped);
        return EXIT_OK;
    }
    if (!*summary)
        *summary = json_object();
    char key[32];
    snprintf(key, sizeof key, "%s_created", name);
    json_object_set_new(*summary, key, json_integer(created));
    snprintf(key, sizeof key, "%s_skipped", name);
    json_object_set_new(*summary, key, json_integer(skipped));
    return EXIT_OK;
}

static int s_import(cli_t *cli, json_t *root)
{
    json_t *summary = NULL;
    int part_rc = s_import_part(cli, root, "sittings", &summary);
    if (part_rc == EXIT_OK)
        part_rc = s_import_part(cli, root, "offices", &summary);
    bool parts_only = !json_object_get(root, "program") &&
                      (json_object_get(root, "sittings") || json_object_get(root, "offices"));
    if (part_rc != EXIT_OK || parts_only) {
        if (part_rc == EXIT_OK && summary)
            cli_print_json(summary);
        else
            json_decref(summary);
        return part_rc;
    }
    json_decref(summary); /* with a program, the JSON answer is the program's */
    json_t *jp = json_object_get(root, "program");
    json_t *jtasks = json_object_get(root, "tasks");
    if (!json_is_object(jp) || (jtasks && !json_is_array(jtasks)))
        return cli_error(EXIT_USAGE, "expected {\"program\": {...}, \"tasks\": [...]}");
    json_t *jyear = json_object_get(jp, "year");
    if (!json_is_integer(jyear))
        return cli_error(EXIT_USAGE, "program.year must be a number");
    Thuky__Program program = THUKY__PROGRAM__INIT;
    program.year = (uint32_t)json_integer_value(jyear);
    program.decision = (char *)cli_json_str(jp, "decision");
    program.title = (char *)cli_json_str(jp, "title");
    json_t *jgroups = json_object_get(jp, "groups");
    size_t n_groups = json_is_array(jgroups) ? json_array_size(jgroups) : 0;
    Thuky__TaskGroup *groups = xcalloc(n_groups + 1, sizeof *groups);
    Thuky__TaskGroup **group_ptrs = xcalloc(n_groups + 1, sizeof *group_ptrs);
    for (size_t i = 0; i < n_groups; i++) {
        json_t *g = json_array_get(jgroups, i);
        thuky__task_group__init(&groups[i]);
        json_t *num = json_object_get(g, "number");
        groups[i].number = json_is_integer(num) ? (uint32_t)json_integer_value(num) : 0;
        groups[i].title = (char *)cli_json_str(g, "title");
        group_ptrs[i] = &groups[i];
    }
    program.groups = group_ptrs;
    program.n_groups = n_groups;

    size_t total = jtasks ? json_array_size(jtasks) : 0;
    task_in_t *inputs = xcalloc(total + 1, sizeof *inputs);
    Thuky__Task **ptrs = xcalloc(total + 1, sizeof *ptrs);
    int rc = EXIT_OK;
    for (size_t i = 0; i < total && rc == EXIT_OK; i++) {
        rc = s_task(json_array_get(jtasks, i), program.year, i, &inputs[i]);
        ptrs[i] = &inputs[i].task;
    }
    unsigned created = 0, skipped = 0;
    size_t budget = config_service(&cli->config, SERVICE_TASKD)->max_message / 2;
    /* The program travels with the first chunk (also when there are no tasks). */
    for (size_t at = 0; rc == EXIT_OK && (at < total || at == 0);) {
        Thuky__TaskImportRequest req = THUKY__TASK_IMPORT_REQUEST__INIT;
        req.program = at == 0 ? &program : NULL;
        req.tasks = ptrs + at;
        size_t bytes = at == 0 ? protobuf_c_message_get_packed_size(&program.base) : 0;
        while (at + req.n_tasks < total && req.n_tasks < IMPORT_CHUNK_MAX) {
            /* field tag and length prefix: at most 6 bytes more than the task */
            size_t size = protobuf_c_message_get_packed_size(&ptrs[at + req.n_tasks]->base) + 6;
            if (req.n_tasks > 0 && bytes + size > budget)
                break;
            bytes += size;
            req.n_tasks++;
        }
        rc = s_send(cli, &req, &created, &skipped);
        at += req.n_tasks;
        if (total == 0)
            break;
    }
    if (rc == EXIT_OK) {
        if (cli->json)
            cli_print_json(json_pack("{s:i, s:i, s:i}", "program", (int)program.year, "created",
                                     (int)created, "skipped", (int)skipped));
        else
            printf("program %u: %u task(s) created, %u skipped (already present)\n",
                   program.year, created, skipped);
    }
    for (size_t i = 0; i < total; i++) {
        free(inputs[i].with);
        free(inputs[i].basis);
    }
    free(inputs);
    free(ptrs);
    free(groups);
    free(group_ptrs);
    return rc;
}

int cmd_import(cli_t *cli, int argc, char **argv)
{
    if (cli_wants_help(argc, argv, s_usage))
        return EXIT_OK;
    if (argc != 2)
        return fputs(s_usage, stderr), EXIT_USAGE;
    json_error_t error;
    json_t *root = json_load_file(argv[1], 0, &error);
    if (!root)
        return cli_error(EXIT_LOCAL, "%s:%d: %s", argv[1], error.line, error.text);
    int rc = s_import(cli, root);
    json_decref(root);
    return rc;
}
