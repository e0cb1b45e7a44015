/* The task service's command handlers (except task.list: task_query.c).
 * Each handler checks its input, acts within the request's transaction,
 * appends one event and replies; any failure rolls the request back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/i18n.h"
#include "base/log.h"
#include "domain/deadline.h"
#include "runtime/keys.h"
#include "task_check.h"
#include "task_store.h"
#include "taskd.h"

#define CHANGES_MAX 16

/* The field changes of one command, for the event and the history. */
typedef struct {
    Thuky__FieldChange items[CHANGES_MAX];
    Thuky__FieldChange *ptrs[CHANGES_MAX];
    char *owned[CHANGES_MAX * 2];
    size_t count, owned_count;
} changes_t;

static void s_change(changes_t *c, const char *field, const char *old_value, const char *new_value)
{
    if (c->count == CHANGES_MAX || strcmp(old_value, new_value) == 0)
        return;
    Thuky__FieldChange *fc = &c->items[c->count];
    thuky__field_change__init(fc);
    fc->field = (char *)field;
    fc->old_value = c->owned[c->owned_count++] = xstrdup(old_value);
    fc->new_value = c->owned[c->owned_count++] = xstrdup(new_value);
    c->ptrs[c->count++] = fc;
}

static void s_changes_free(changes_t *c)
{
    for (size_t i = 0; i < c->owned_count; i++)
        free(c->owned[i]);
}


/* Replaces a string of an unpacked message (default allocator). */
static void s_set_string(char **field, const char *value)
{
    if (*field != protobuf_c_empty_string)
        free(*field);
    *field = xstrdup(value);
}

static const char *s_status_name(Thuky__TaskStatus status)
{
    switch (status) {
    case THUKY__TASK_STATUS__TASK_OPEN: return "open";
    case THUKY__TASK_STATUS__TASK_IN_PROGRESS: return "in_progress";
    case THUKY__TASK_STATUS__TASK_DONE: return "done";
    case THUKY__TASK_STATUS__TASK_CANCELLED: return "cancelled";
    default: return "unknown";
    }
}

static const char *s_flag_name(Thuky__TaskFlag flag)
{
    switch (flag) {
    case THUKY__TASK_FLAG__FLAG_QUALITY: return "flag.quality";
    case THUKY__TASK_FLAG__FLAG_DISPUTE: return "flag.dispute";
    default: return "flag.sitting_cancelled";
    }
}

/* Resolves a deadline for a command: fills resolved (YYYY-MM-DD, or "" while
 * its sitting is not known and the caller allowed that) and *cancelled.
 * false with the call failed otherwise. */
static bool s_resolve(server_call_t *call, const Thuky__Deadline *dl, bool allow_unscheduled,
                      char resolved[DATE_ISO_LEN], bool *cancelled)
{
    const taskd_t *td = call->service;
    const char *why;
    switch (taskd_resolve(call->txn, td->calendar, dl, resolved, cancelled, &why)) {
    case RESOLVE_DONE:
        return true;
    case RESOLVE_NO_SITTING:
        if (allow_unscheduled || call->txn->rc != STORE_OK)
            return call->txn->rc == STORE_OK;
        server_fail(call, THUKY__STATUS_CODE__NOT_FOUND,
                    "sitting %s is not known to the task service; schedule it first "
                    "(thuky session add), or allow an unscheduled sitting to keep the "
                    "deadline unresolved until it is",
                    deadline_sitting(dl));
        return false;
    default:
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "deadline %s: %s",
                    deadline_absolute(dl) ? deadline_absolute(dl)->date : deadline_sitting(dl),
                    i18n_text(call->lang, why));
        return false;
    }
}

static void s_emit_task(server_call_t *call, const char *type, const Thuky__Task *task,
                        changes_t *changes, const char *note)
{
    taskd_record(server_eventlog(call->server), call->txn, call->now_ms, call->caller, type, task,
                 changes ? changes->ptrs : NULL, changes ? changes->count : 0, note);
}

static void s_emit_program(server_call_t *call, const char *type, const Thuky__Program *program)
{
    char subject[32];
    snprintf(subject, sizeof subject, "program/%u", program->year);
    Thuky__ProgramEvent payload = THUKY__PROGRAM_EVENT__INIT;
    payload.program = (Thuky__Program *)program;
    Thuky__Event event = THUKY__EVENT__INIT;
    event.type = (char *)type;
    event.subject = subject;
    event.payload_case = THUKY__EVENT__PAYLOAD_PROGRAM;
    event.program = &payload;
    server_emit(call, &event);
}

static bool s_group_exists(const Thuky__Program *program, uint32_t number)
{
    for (size_t i = 0; i < program->n_groups; i++)
        if (program->groups[i]->number == number)
            return true;
    return false;
}

/* ---- programs ---------------------------------------------------------- */

static void s_program_add(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__ProgramAddRequest *req = (const Thuky__ProgramAddRequest *)request;
    if (!req->program) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "program is missing");
        return;
    }
    Thuky__Program program = *req->program;
    if (!check_program_input(call, &program))
        return;
    Thuky__Program *existing = program_load(call->txn, program.year);
    if (existing) {
        server_fail(call, THUKY__STATUS_CODE__CONFLICT, "the %u work program exists already",
                    program.year);
        thuky__program__free_unpacked(existing, NULL);
        return;
    }
    program.created_ms = call->now_ms;
    program_save(call->txn, &program);
    s_emit_program(call, "program.created", &program);
    server_reply(call, &program.base);
}

static void s_program_list(server_call_t *call, const ProtobufCMessage *request)
{
    (void)request;
    Thuky__ProgramList list = THUKY__PROGRAM_LIST__INIT;
    size_t cap = 0;
    store_iter_t it;
    store_iter_init(&it, call->txn, store_dbi(call->txn->store, DB_PROGRAMS), NULL, 0, NULL, 0,
                    false);
    while (store_iter_next(&it)) {
        Thuky__Program *p = thuky__program__unpack(NULL, it.val.mv_size, it.val.mv_data);
        if (!p) {
            store_txn_fail(call->txn, STORE_CORRUPT);
            break;
        }
        list.programs = xgrow(list.programs, list.n_programs, &cap, sizeof *list.programs);
        list.programs[list.n_programs++] = p;
    }
    store_iter_close(&it);
    server_reply(call, &list.base);
    for (size_t i = 0; i < list.n_programs; i++)
        thuky__program__free_unpacked(list.programs[i], NULL);
    free(list.programs);
}

/* ---- creating tasks --------------------------------------------------------- */

/* What an import keeps across its many tasks: the program last loaded
 * (tasks share one), and the index entries, put sorted at the end. */
typedef struct {
    Thuky__Program *program;
    store_sorted_t index;
} import_ctx_t;

static void s_import_ctx_free(import_ctx_t *ctx)
{
    if (ctx->program)
        thuky__program__free_unpacked(ctx->program, NULL);
    store_sorted_free(&ctx->index);
}

/* The program of a new task, loaded once per import (NULL: the call
 * failed). Without an import context the caller frees it. */
static Thuky__Program *s_task_program(server_call_t *call, uint32_t year, import_ctx_t *ctx)
{
    if (ctx && ctx->program && ctx->program->year == year)
        return ctx->program;
    Thuky__Program *program = program_load(call->txn, year);
    if (!program) {
        if (call->txn->rc == STORE_OK)
            server_fail(call, THUKY__STATUS_CODE__NOT_FOUND,
                        "there is no %u work program (add it first)", year);
        return NULL;
    }
    if (ctx) {
        if (ctx->program)
            thuky__program__free_unpacked(ctx->program, NULL);
        ctx->program = program;
    }
    return program;
}

/* Creates a task from the fields task.add reads; returns its id, 0 on
 * failure. With reply, the new task is the call's reply. An import passes
 * its context and has looked the ref up already. */
static uint32_t s_create_task(server_call_t *call, const Thuky__Task *in, bool reply,
                              bool allow_unscheduled, import_ctx_t *import)
{
    if (!check_task_input(call, in))
        return 0;
    Thuky__Program *program = s_task_program(call, in->program_year, import);
    if (!program)
        return 0;
    bool group_ok = in->group == 0 || s_group_exists(program, in->group);
    if (!import)
        thuky__program__free_unpacked(program, NULL);
    if (!group_ok) {
        server_fail(call, THUKY__STATUS_CODE__NOT_FOUND, "the %u program has no group %u",
                    in->program_year, in->group);
        return 0;
    }
    if (in->ref[0] && !import) {
        uint32_t existing;
        if (ref_lookup(call->txn, in->ref, &existing)) {
            server_fail(call, THUKY__STATUS_CODE__CONFLICT, "ref '%s' is task T%u already",
                        in->ref, existing);
            return 0;
        }
    }

    /* Only the fields a client may set are taken from the request. */
    Thuky__Task task = THUKY__TASK__INIT;
    task.program_year = in->program_year;
    task.group = in->group;
    task.title = in->title;
    task.description = in->description;
    task.basis = in->basis;
    task.n_basis = in->n_basis;
    task.lead_office = in->lead_office;
    task.lead_member = in->lead_member;
    task.with_offices = in->with_offices;
    task.n_with_offices = in->n_with_offices;
    task.unplanned = in->unplanned;
    task.ref = in->ref;
    Thuky__Deadline deadline = THUKY__DEADLINE__INIT;
    char resolved[DATE_ISO_LEN];
    bool cancelled = false;
    Thuky__TaskFlag cancelled_flag = THUKY__TASK_FLAG__FLAG_SITTING_CANCELLED;
    if (in->deadline) {
        deadline = *in->deadline;
        if (!s_resolve(call, &deadline, allow_unscheduled, resolved, &cancelled))
            return 0;
        deadline.resolved_date = resolved;
        task.deadline = &deadline;
    }
    if (cancelled) {
        task.flags = &cancelled_flag;
        task.n_flags = 1;
    }
    task.status = THUKY__TASK_STATUS__TASK_OPEN;
    task.created_ms = task.updated_ms = call->now_ms;
    task.version = 1;
    task.id = task_next_id(call->txn);

    task_save_new(call->txn, &task, import ? &import->index : NULL);
    if (task.ref[0])
        ref_put(call->txn, task.ref, task.id);
    s_emit_task(call, "task.created", &task, NULL, NULL);
    if (reply)
        server_reply(call, &task.base);
    return task.id;
}

static void s_task_add(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__TaskAddRequest *req = (const Thuky__TaskAddRequest *)request;
    if (!req->task) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "task is missing");
        return;
    }
    s_create_task(call, req->task, true, req->allow_unscheduled, NULL);
}

/* Creates the program or adds the groups it lacks. */
static bool s_import_program(server_call_t *call, const Thuky__Program *in)
{
    if (!check_program_input(call, in))
        return false;
    Thuky__Program *existing = program_load(call->txn, in->year);
    if (!existing) {
        if (call->txn->rc != STORE_OK)
            return false;
        Thuky__Program program = *in;
        program.created_ms = call->now_ms;
        program_save(call->txn, &program);
        s_emit_program(call, "program.created", &program);
        return true;
    }
    size_t added = 0;
    for (size_t i = 0; i < in->n_groups; i++) {
        if (s_group_exists(existing, in->groups[i]->number))
            continue;
        existing->groups = xrealloc(existing->groups,
                                    (existing->n_groups + 1) * sizeof *existing->groups);
        Thuky__TaskGroup *g = xmalloc(sizeof *g);
        thuky__task_group__init(g);
        g->number = in->groups[i]->number;
        g->title = xstrdup(in->groups[i]->title);
        existing->groups[existing->n_groups++] = g;
        added++;
    }
    if (added) {
        program_save(call->txn, existing);
        s_emit_program(call, "program.updated", existing);
    }
    thuky__program__free_unpacked(existing, NULL);
    return true;
}

static void s_task_import(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__TaskImportRequest *req = (const Thuky__TaskImportRequest *)request;
    if (req->program && !s_import_program(call, req->program))
        return;
    Thuky__TaskImportReply reply = THUKY__TASK_IMPORT_REPLY__INIT;
    reply.ids = xcalloc(req->n_tasks, sizeof *reply.ids);
    import_ctx_t ctx = {0};
    for (size_t i = 0; i < req->n_tasks && call->code == THUKY__STATUS_CODE__OK; i++) {
        const Thuky__Task *in = req->tasks[i];
        uint32_t id = 0;
        if (!in->ref[0]) {
            server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                        "task %zu: every imported task needs a ref", i + 1);
        } else if (ref_lookup(call->txn, in->ref, &id)) {
            reply.skipped++;
        } else if ((id = s_create_task(call, in, false, true, &ctx)) != 0) {
            reply.created++;
        } else if (call->code != THUKY__STATUS_CODE__OK) {
            /* name the task in the reason: "task 3 (ref 2024-03): title must ..." */
            char reason[sizeof call->message + 96];
            int n = snprintf(reason, sizeof reason,
                             i18n_text(call->lang, N_("task %zu (ref %.64s): %s")), i + 1,
                             in->ref, call->message);
            size_t len = n < 0 ? 0 : strnlen(reason, sizeof call->message - 1);
            memcpy(call->message, reason, len);
            call->message[len] = '\0';
        }
        reply.ids[reply.n_ids++] = id;
    }
    if (call->code == THUKY__STATUS_CODE__OK)
        store_sorted_apply(&ctx.index, call->txn, store_dbi(call->txn->store, DB_INDEX));
    s_import_ctx_free(&ctx);
    if (call->code == THUKY__STATUS_CODE__OK) /* a failed store write: the server answers */
        server_reply(call, &reply.base);
    free(reply.ids);
}

/* ---- updating tasks ----------------------------------------------------------- */

static void s_set_flag(Thuky__Task *task, Thuky__TaskFlag flag, bool on, changes_t *changes)
{
    bool has = task_has_flag(task, flag);
    if (has == on)
        return;
    if (on) {
        task->flags = xrealloc(task->flags, (task->n_flags + 1) * sizeof *task->flags);
        task->flags[task->n_flags++] = flag;
    } else {
        size_t j = 0;
        for (size_t i = 0; i < task->n_flags; i++)
            if (task->flags[i] != flag)
                task->flags[j++] = task->flags[i];
        task->n_flags = j;
    }
    s_change(changes, s_flag_name(flag), on ? "" : "set", on ? "set" : "");
}

static bool s_valid_flag(Thuky__TaskFlag flag)
{
    return flag == THUKY__TASK_FLAG__FLAG_QUALITY || flag == THUKY__TASK_FLAG__FLAG_DISPUTE;
}

static bool s_valid_status(Thuky__TaskStatus status)
{
    return status >= THUKY__TASK_STATUS__TASK_OPEN && status <= THUKY__TASK_STATUS__TASK_CANCELLED;
}

static bool s_check_update(server_call_t *call, const Thuky__TaskUpdateRequest *req)
{
    if (req->progress_set_case && req->progress > 100) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                    "progress %u is outside 0-100", req->progress);
        return false;
    }
    if (req->status_set_case && !s_valid_status(req->status)) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "unknown status %d", req->status);
        return false;
    }
    for (size_t i = 0; i < req->n_set_flags; i++)
        if (!s_valid_flag(req->set_flags[i])) {
            server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "unknown flag %d",
                        req->set_flags[i]);
            return false;
        }
    for (size_t i = 0; i < req->n_clear_flags; i++)
        if (!s_valid_flag(req->clear_flags[i])) {
            server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "unknown flag %d",
                        req->clear_flags[i]);
            return false;
        }
    const char *why;
    if (req->deadline && !deadline_check(req->deadline, &why)) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "deadline: %s",
                    i18n_text(call->lang, why));
        return false;
    }
    lang_t lang = call->lang;
    return check_text(call, i18n_text(lang, N_("note")), req->note, NOTE_MAX, false) &&
           (!req->title_set_case ||
            check_text(call, i18n_text(lang, N_("title")), req->title, TITLE_MAX, true)) &&
           (!req->description_set_case ||
            check_text(call, i18n_text(lang, N_("description")), req->description,
                       DESCRIPTION_MAX, false)) &&
           (!req->lead_office_set_case ||
            check_office_id(call, i18n_text(lang, N_("lead office")), req->lead_office, true)) &&
           (!req->lead_member_set_case ||
            check_text(call, i18n_text(lang, N_("lead member")), req->lead_member, NAME_MAX_,
                       false));
}

static void s_update_text(char **field, const char *name, const char *value, changes_t *changes)
{
    s_change(changes, name, *field, value);
    s_set_string(field, value);
}

/* Replaces the deadline rule with a deep copy of the requested one (its
 * resolved date is the service's to compute, never the client's).
 * Returns 1 when the date moved, 0 when not, -1 when the call failed. */
static int s_update_deadline(server_call_t *call, Thuky__Task *task,
                             const Thuky__Deadline *requested, bool allow_unscheduled,
                             changes_t *changes)
{
    char resolved[DATE_ISO_LEN];
    bool cancelled;
    if (!s_resolve(call, requested, allow_unscheduled, resolved, &cancelled))
        return -1;
    char old_rule[DEADLINE_TEXT_MAX], new_rule[DEADLINE_TEXT_MAX];
    deadline_format_rule(task->deadline, old_rule, sizeof old_rule);
    deadline_format_rule(requested, new_rule, sizeof new_rule);
    const char *old_date = task->deadline ? task->deadline->resolved_date : "";
    Thuky__Deadline rule_only = *requested;
    rule_only.resolved_date = (char *)"";
    /* deadline_check bounds every field of the rule (and the server drops
     * unknown fields), so this fits; a reply, not an exit, if it ever does not. */
    uint8_t buf[512];
    size_t len = thuky__deadline__get_packed_size(&rule_only);
    Thuky__Deadline *copy = NULL;
    if (len <= sizeof buf) {
        thuky__deadline__pack(&rule_only, buf);
        copy = thuky__deadline__unpack(NULL, len, buf);
    }
    if (!copy) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "deadline cannot be stored");
        return -1;
    }
    s_set_string(&copy->resolved_date, resolved);
    bool date_moved = strcmp(old_date, resolved) != 0;
    s_change(changes, "deadline", old_rule, new_rule);
    s_change(changes, "deadline.date", old_date, resolved);
    if (task->deadline)
        thuky__deadline__free_unpacked(task->deadline, NULL);
    task->deadline = copy;
    s_set_flag(task, THUKY__TASK_FLAG__FLAG_SITTING_CANCELLED, cancelled, changes);
    return date_moved;
}

/* The event type names the most significant part of the change. */
static const char *s_update_type(Thuky__TaskStatus before, Thuky__TaskStatus after,
                                 bool date_moved, size_t change_count)
{
    if (after != before && after == THUKY__TASK_STATUS__TASK_DONE)
        return "task.completed";
    if (after != before && after == THUKY__TASK_STATUS__TASK_CANCELLED)
        return "task.cancelled";
    if (after != before && (before == THUKY__TASK_STATUS__TASK_DONE ||
                            before == THUKY__TASK_STATUS__TASK_CANCELLED))
        return "task.reopened";
    if (date_moved)
        return "task.deadline_changed";
    return change_count ? "task.updated" : "task.commented";
}

/* The flags an office reports on its own work (the progress form's "none,
 * quality, dispute"); a cancelled sitting is the service's to say. */
static bool s_office_flags(const Thuky__TaskFlag *flags, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (flags[i] != THUKY__TASK_FLAG__FLAG_QUALITY && flags[i] != THUKY__TASK_FLAG__FLAG_DISPUTE)
            return false;
    return true;
}

/* An office reports on the tasks it leads: progress, status, the quality
 * and dispute flags, and a note. */
static bool s_office_may_update(server_call_t *call, const Thuky__TaskUpdateRequest *req,
                                const Thuky__Task *task)
{
    if (!s_office_flags(req->set_flags, req->n_set_flags) ||
        !s_office_flags(req->clear_flags, req->n_clear_flags) || req->deadline ||
        req->title_set_case || req->description_set_case || req->lead_office_set_case ||
        req->lead_member_set_case) {
        server_fail(call, THUKY__STATUS_CODE__PERMISSION_DENIED,
                    "%s (office %s) may report progress, status, the quality and dispute flags "
                    "and a note only", call->caller, call->office);
        return false;
    }
    const char *lead = task->lead_office;
    char what[192];
    snprintf(what, sizeof what,
             i18n_text(call->lang, N_("update task T%u, which it does not lead")), task->id);
    return server_office_may(call, what, &lead, 1);
}

static void s_task_update(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__TaskUpdateRequest *req = (const Thuky__TaskUpdateRequest *)request;
    if (!s_check_update(call, req))
        return;
    Thuky__Task *old = task_load(call->txn, req->id);
    Thuky__Task *task = old ? task_load(call->txn, req->id) : NULL;
    if (!task) {
        if (call->txn->rc == STORE_OK)
            server_fail(call, THUKY__STATUS_CODE__NOT_FOUND, "task T%u does not exist", req->id);
        goto done;
    }
    if (call->role == ROLE_OFFICE && !s_office_may_update(call, req, task))
        goto done;
    if (req->expected_version && req->expected_version != task->version) {
        server_fail(call, THUKY__STATUS_CODE__CONFLICT,
                    "task T%u is at version %u, not %u (changed meanwhile)", task->id,
                    task->version, req->expected_version);
        goto done;
    }

    changes_t changes = {0};
    char num_old[16], num_new[16];
    if (req->status_set_case) {
        s_change(&changes, "status", s_status_name(task->status), s_status_name(req->status));
        task->status = req->status;
    }
    uint32_t progress = task->progress;
    if (req->progress_set_case)
        progress = req->progress;
    else if (req->status_set_case && req->status == THUKY__TASK_STATUS__TASK_DONE)
        progress = 100;
    if (progress != task->progress) {
        snprintf(num_old, sizeof num_old, "%u", task->progress);
        snprintf(num_new, sizeof num_new, "%u", progress);
        s_change(&changes, "progress", num_old, num_new);
        task->progress = progress;
    }
    /* Work has started once progress is reported. */
    if (!req->status_set_case && progress > 0 && task->status == THUKY__TASK_STATUS__TASK_OPEN) {
        s_change(&changes, "status", "open", "in_progress");
        task->status = THUKY__TASK_STATUS__TASK_IN_PROGRESS;
    }
    for (size_t i = 0; i < req->n_set_flags; i++)
        s_set_flag(task, req->set_flags[i], true, &changes);
    for (size_t i = 0; i < req->n_clear_flags; i++)
        s_set_flag(task, req->clear_flags[i], false, &changes);
    int date_moved = 0;
    if (req->deadline &&
        (date_moved = s_update_deadline(call, task, req->deadline, req->allow_unscheduled,
                                        &changes)) < 0) {
        s_changes_free(&changes);
        goto done;
    }
    if (req->title_set_case)
        s_update_text(&task->title, "title", req->title, &changes);
    if (req->description_set_case)
        s_update_text(&task->description, "description", req->description, &changes);
    if (req->lead_office_set_case)
        s_update_text(&task->lead_office, "lead_office", req->lead_office, &changes);
    if (req->lead_member_set_case)
        s_update_text(&task->lead_member, "lead_member", req->lead_member, &changes);

    if (changes.count > 0 || req->note[0]) {
        task->version++;
        task->updated_ms = call->now_ms;
        if (req->note[0])
            task->comment_count++;
        s_emit_task(call, s_update_type(old->status, task->status, date_moved > 0, changes.count),
                    task, &changes, req->note);
        task_save(call->txn, old, task);
    }
    server_reply(call, &task->base);
    s_changes_free(&changes);
done:
    if (old)
        thuky__task__free_unpacked(old, NULL);
    if (task)
        thuky__task__free_unpacked(task, NULL);
}

/* ---- reading one task ------------------------------------------------------------ */

/* An office sees the tasks it leads or coordinates. */
static bool s_office_may_see(server_call_t *call, const Thuky__Task *task)
{
    if (call->role != ROLE_OFFICE || strcmp(task->lead_office, call->office) == 0)
        return true;
    char what[192];
    snprintf(what, sizeof what,
             i18n_text(call->lang, N_("see task T%u, which it neither leads nor coordinates")),
             task->id);
    return server_office_may(call, what, (const char *const *)task->with_offices,
                             task->n_with_offices);
}

static void s_task_get(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__TaskGetRequest *req = (const Thuky__TaskGetRequest *)request;
    Thuky__Task *task = task_load(call->txn, req->id);
    if (!task) {
        if (call->txn->rc == STORE_OK)
            server_fail(call, THUKY__STATUS_CODE__NOT_FOUND, "task T%u does not exist", req->id);
        return;
    }
    if (!s_office_may_see(call, task)) {
        thuky__task__free_unpacked(task, NULL);
        return;
    }
    Thuky__TaskDetail detail = THUKY__TASK_DETAIL__INIT;
    detail.task = task;
    const taskd_t *td = call->service;
    detail.provisional_year = (uint32_t)deadline_provisional_year(task->deadline, td->calendar);
    uint8_t prefix[4];
    key_put_u32(prefix, req->id);
    size_t cap = 0;
    store_iter_t it;
    store_iter_init(&it, call->txn, store_dbi(call->txn->store, DB_HISTORY), prefix,
                    sizeof prefix, NULL, 0, false);
    while (store_iter_next(&it)) {
        Thuky__HistoryEntry *h = thuky__history_entry__unpack(NULL, it.val.mv_size, it.val.mv_data);
        if (!h) {
            store_txn_fail(call->txn, STORE_CORRUPT);
            break;
        }
        detail.history = xgrow(detail.history, detail.n_history, &cap, sizeof *detail.history);
        detail.history[detail.n_history++] = h;
    }
    store_iter_close(&it);
    server_reply(call, &detail.base);
    for (size_t i = 0; i < detail.n_history; i++)
        thuky__history_entry__free_unpacked(detail.history[i], NULL);
    free(detail.history);
    thuky__task__free_unpacked(task, NULL);
}

const command_t taskd_commands[] = {
    /* name, body, handler, flags, roles */
    {"program.add", &thuky__program_add_request__descriptor, s_program_add, COMMAND_WRITE,
     ROLE_ADMIN},
    {"program.list", &thuky__program_list_request__descriptor, s_program_list, 0,
     ROLE_ADMIN | ROLE_OFFICE | ROLE_GATEWAY},
    {"task.add", &thuky__task_add_request__descriptor, s_task_add, COMMAND_WRITE,
     ROLE_ADMIN},
    {"task.update", &thuky__task_update_request__descriptor, s_task_update,
     COMMAND_WRITE | COMMAND_GATEWAY, ROLE_ADMIN | ROLE_OFFICE},
    {"task.get", &thuky__task_get_request__descriptor, s_task_get, 0,
     ROLE_ADMIN | ROLE_OFFICE | ROLE_GATEWAY},
    {"task.list", &thuky__task_list_request__descriptor, taskd_list, 0,
     ROLE_ADMIN | ROLE_OFFICE | ROLE_GATEWAY},
    {"task.import", &thuky__task_import_request__descriptor, s_task_import, COMMAND_WRITE,
     ROLE_ADMIN},
};
const size_t taskd_command_count = sizeof taskd_commands / sizeof taskd_commands[0];
