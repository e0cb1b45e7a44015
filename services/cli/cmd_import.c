/* thuky import FILE: a work program with its groups and tasks, in JSON.
 *
 * The format is the one of deploy/demo/program-2024.json (see README.md).
 * Every task needs a "ref"; a task whose ref exists is skipped, so an
 * import can be repeated safely. Tasks go in chunks, each applied
 * atomically by the task service. A chunk is as large as the task service
 * accepts (half its max_message): every commit rewrites the index pages it
 * touches, so a few big chunks cost far less than many small ones. On a
 * terminal the progress is shown (progress.h), and chunks are smaller
 * (a twentieth of the tasks, at least 2000) so that it moves. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "domain/deadline.h"
#include "cli.h"
#include "progress.h"

#define IMPORT_CHUNK_MAX 50000      /* tasks in one request, at most */
#define IMPORT_CHUNK_SHOWN 2000     /* at least, when the progress is shown */

static const char s_usage[] =
    N_("usage: thuky import FILE\n"
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
       "exists already is skipped.\n"
       "On a terminal the progress of the tasks is shown on stderr; THUKY_PROGRESS=1\n"
       "shows it anyway, THUKY_PROGRESS=0 never.\n");

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
                             due[0] ? due : rel, _(why));
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

/* How many tasks from ptrs[at] go in one request: at most max, and within
 * budget bytes of which used are taken (by the program, in the first). */
static size_t s_chunk(Thuky__Task *const *ptrs, size_t at, size_t total, size_t max,
                      size_t budget, size_t used)
{
    size_t n = 0;
    while (at + n < total && n < max) {
        /* field tag and length prefix: at most 6 bytes more than the task */
        size_t size = protobuf_c_message_get_packed_size(&ptrs[at + n]->base) + 6;
        if (n > 0 && used + size > budget)
            break;
        used += size;
        n++;
    }
    return n;
}

/* The most tasks in one request: when the progress is shown, few enough
 * that it moves (a twentieth, at least IMPORT_CHUNK_SHOWN). */
static size_t s_chunk_max(bool shown, size_t total)
{
    size_t max = IMPORT_CHUNK_MAX;
    if (shown && total / 20 < max)
        max = total / 20 > IMPORT_CHUNK_SHOWN ? total / 20 : IMPORT_CHUNK_SHOWN;
    return max;
}

/* Sends the program and its tasks in chunks; the program travels with the
 * first (also when there are no tasks). */
static int s_send_tasks(cli_t *cli, Thuky__Program *program, Thuky__Task **ptrs, size_t total,
                        unsigned *created, unsigned *skipped)
{
    size_t budget = config_service(&cli->config, SERVICE_TASKD)->max_message / 2;
    progress_t progress;
    size_t max = s_chunk_max(progress_start(&progress, _("Importing tasks"), total), total);
    size_t at = 0;
    int rc;
    do {
        Thuky__TaskImportRequest req = THUKY__TASK_IMPORT_REQUEST__INIT;
        req.program = at == 0 ? program : NULL;
        req.tasks = ptrs + at;
        size_t used = at == 0 ? protobuf_c_message_get_packed_size(&program->base) : 0;
        req.n_tasks = s_chunk(ptrs, at, total, max, budget, used);
        rc = s_send(cli, &req, created, skipped);
        if (rc != EXIT_OK)
            break;
        at += req.n_tasks;
        progress_update(&progress, at);
    } while (at < total);
    progress_end(&progress);
    return rc;
}

/* The parts of an import file that go before the program, in order:
 * tasks may hang on those sittings. */
static const struct {
    const char *name;
    int (*import)(cli_t *cli, json_t *array, unsigned *created, unsigned *skipped);
    const char *done; /* N_(): what a person reads when it is imported */
} s_parts[] = {
    {"sittings", import_sittings, N_("sittings: %u added, %u skipped (already present)\n")},
    {"offices", import_offices, N_("offices: %u added, %u skipped (already present)\n")},
};

/* One part of the file. In JSON mode its counts are added to *summary
 * (created when needed). */
static int s_import_part(cli_t *cli, json_t *root, size_t part, json_t **summary)
{
    json_t *items = json_object_get(root, s_parts[part].name);
    if (!items)
        return EXIT_OK;
    unsigned created = 0, skipped = 0;
    int rc = s_parts[part].import(cli, items, &created, &skipped);
    if (rc != EXIT_OK)
        return rc;
    if (!cli->json) {
        printf(_(s_parts[part].done), created, skipped);
        return EXIT_OK;
    }
    if (!*summary)
        *summary = json_object();
    char key[32];
    snprintf(key, sizeof key, "%s_created", s_parts[part].name);
    json_object_set_new(*summary, key, json_integer(created));
    snprintf(key, sizeof key, "%s_skipped", s_parts[part].name);
    json_object_set_new(*summary, key, json_integer(skipped));
    return EXIT_OK;
}

/* The sittings and offices of the file; *only is set when it holds nothing
 * else (then its JSON answer is theirs, printed here). */
static int s_import_parts(cli_t *cli, json_t *root, bool *only)
{
    json_t *summary = NULL;
    int rc = EXIT_OK;
    bool any = false;
    for (size_t i = 0; i < sizeof s_parts / sizeof s_parts[0]; i++) {
        any |= json_object_get(root, s_parts[i].name) != NULL;
        if (rc == EXIT_OK)
            rc = s_import_part(cli, root, i, &summary);
    }
    *only = any && !json_object_get(root, "program");
    if (rc == EXIT_OK && *only && summary)
        cli_print_json(summary);
    else
        json_decref(summary); /* with a program, the JSON answer is the program's */
    return rc;
}

/* The program of the file with its groups, pointing into the document
 * (free with s_program_free). */
typedef struct {
    Thuky__Program program;
    Thuky__TaskGroup *groups;
    Thuky__TaskGroup **group_ptrs;
} program_in_t;

static int s_program(json_t *jp, program_in_t *in)
{
    memset(in, 0, sizeof *in);
    thuky__program__init(&in->program);
    json_t *jyear = json_object_get(jp, "year");
    if (!json_is_integer(jyear))
        return cli_error(EXIT_USAGE, "program.year must be a number");
    in->program.year = (uint32_t)json_integer_value(jyear);
    in->program.decision = (char *)cli_json_str(jp, "decision");
    in->program.title = (char *)cli_json_str(jp, "title");
    json_t *jgroups = json_object_get(jp, "groups");
    size_t n_groups = json_is_array(jgroups) ? json_array_size(jgroups) : 0;
    in->groups = xcalloc(n_groups + 1, sizeof *in->groups);
    in->group_ptrs = xcalloc(n_groups + 1, sizeof *in->group_ptrs);
    for (size_t i = 0; i < n_groups; i++) {
        json_t *g = json_array_get(jgroups, i);
        thuky__task_group__init(&in->groups[i]);
        json_t *num = json_object_get(g, "number");
        in->groups[i].number = json_is_integer(num) ? (uint32_t)json_integer_value(num) : 0;
        in->groups[i].title = (char *)cli_json_str(g, "title");
        in->group_ptrs[i] = &in->groups[i];
    }
    in->program.groups = in->group_ptrs;
    in->program.n_groups = n_groups;
    return EXIT_OK;
}

static void s_program_free(program_in_t *in)
{
    free(in->groups);
    free(in->group_ptrs);
}

/* The tasks of the program: read them all, then send them. */
static int s_import_tasks(cli_t *cli, Thuky__Program *program, json_t *jtasks)
{
    size_t total = jtasks ? json_array_size(jtasks) : 0;
    task_in_t *inputs = xcalloc(total + 1, sizeof *inputs);
    Thuky__Task **ptrs = xcalloc(total + 1, sizeof *ptrs);
    int rc = EXIT_OK;
    for (size_t i = 0; i < total && rc == EXIT_OK; i++) {
        rc = s_task(json_array_get(jtasks, i), program->year, i, &inputs[i]);
        ptrs[i] = &inputs[i].task;
    }
    unsigned created = 0, skipped = 0;
    if (rc == EXIT_OK)
        rc = s_send_tasks(cli, program, ptrs, total, &created, &skipped);
    if (rc == EXIT_OK && cli->json)
        cli_print_json(json_pack("{s:i, s:i, s:i}", "program", (int)program->year, "created",
                                 (int)created, "skipped", (int)skipped));
    else if (rc == EXIT_OK)
        printf(_("program %u: %u task(s) created, %u skipped (already present)\n"),
               program->year, created, skipped);
    for (size_t i = 0; i < total; i++) {
        free(inputs[i].with);
        free(inputs[i].basis);
    }
    free(inputs);
    free(ptrs);
    return rc;
}

static int s_import(cli_t *cli, json_t *root)
{
    bool parts_only;
    int rc = s_import_parts(cli, root, &parts_only);
    if (rc != EXIT_OK || parts_only)
        return rc;
    json_t *jp = json_object_get(root, "program");
    json_t *jtasks = json_object_get(root, "tasks");
    if (!json_is_object(jp) || (jtasks && !json_is_array(jtasks)))
        return cli_error(EXIT_USAGE, "expected {\"program\": {...}, \"tasks\": [...]}");
    program_in_t program;
    rc = s_program(jp, &program);
    if (rc == EXIT_OK)
        rc = s_import_tasks(cli, &program.program, jtasks);
    s_program_free(&program);
    return rc;
}

int cmd_import(cli_t *cli, int argc, char **argv)
{
    if (cli_wants_help(argc, argv, _(s_usage)))
        return EXIT_OK;
    if (argc != 2)
        return fputs(_(s_usage), stderr), EXIT_USAGE;
    json_error_t error;
    json_t *root = json_load_file(argv[1], 0, &error);
    if (!root)
        return cli_error(EXIT_LOCAL, "%s:%d: %s", argv[1], error.line, error.text);
    int rc = s_import(cli, root);
    json_decref(root);
    return rc;
}
