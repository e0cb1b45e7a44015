/* task.list: answers from one secondary index, in deadline order.
 *
 * The most selective index for the filters is walked from the first due
 * date asked for and stops at the due-before bound or the limit, so the
 * cost follows the answer, not the store. Filters the index does not cover
 * are checked on each task; a walk that examines many non-matching entries
 * stops early and hands back a cursor. */
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/i18n.h"
#include "base/log.h"
#include "domain/deadline.h"
#include "domain/sitting.h"
#include "runtime/keys.h"
#include "task_store.h"
#include "taskd.h"

#define LIST_DEFAULT 100
#define LIST_MAX 10000
#define LIST_EXAMINE_MAX 100000
#define COUNT_EXAMINE_MAX 2000000   /* index entries one count walks, no task read */

typedef struct {
    uint8_t prefix[80];
    size_t prefix_len;
    uint32_t due_from;      /* index due key to start at */
    bool bounded;           /* stop at due_before (exclusive) */
    uint32_t due_before;
    bool by_sitting;        /* the sitting index: keys end in the id alone */
} plan_t;

static bool s_parse_due(server_call_t *call, const char *field, const char *text, uint32_t *key)
{
    int32_t day;
    const char *why;
    if (!date_parse(text, &day, &why)) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "%s: %s", field,
                    i18n_text(call->lang, why));
        return false;
    }
    *key = due_key_from_day(day);
    return true;
}

static bool s_plan(server_call_t *call, const Thuky__TaskListRequest *req, plan_t *plan)
{
    memset(plan, 0, sizeof *plan);
    uint8_t *p = plan->prefix;
    /* The flagged index holds active tasks only. */
    bool active_only = !req->all_statuses &&
                       (req->status == THUKY__TASK_STATUS__TASK_STATUS_UNSPECIFIED ||
                        req->status == THUKY__TASK_STATUS__TASK_OPEN ||
                        req->status == THUKY__TASK_STATUS__TASK_IN_PROGRESS);
    if (req->sitting[0]) {
        char base[SITTING_ID_MAX + 1];
        int32_t occurrence;
        const char *why;
        if (!sitting_split_ref(req->sitting, base, &occurrence, &why)) {
            server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "sitting: %s",
                        i18n_text(call->lang, why));
            return false;
        }
        size_t n = strlen(base);
        p[0] = INDEX_SITTING;
        memcpy(p + 1, base, n + 1);
        plan->prefix_len = n + 2;
        plan->by_sitting = true;
    } else if (req->flagged && active_only) {
        p[0] = INDEX_FLAGGED;
        plan->prefix_len = 1;
    } else if (req->office[0]) {
        size_t n = strlen(req->office);
        if (n > 64) {
            server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "office id is too long");
            return false;
        }
        p[0] = INDEX_OFFICE;
        memcpy(p + 1, req->office, n + 1);
        plan->prefix_len = n + 2;
    } else if (req->program_year) {
        p[0] = INDEX_PROGRAM;
        key_put_u16(p + 1, (uint16_t)req->program_year);
        plan->prefix_len = 3;
    } else if (req->status) {
        p[0] = INDEX_STATUS;
        p[1] = (uint8_t)req->status;
        plan->prefix_len = 2;
    } else {
        p[0] = req->all_statuses ? INDEX_ALL : INDEX_ACTIVE;
        plan->prefix_len = 1;
    }
    if (req->due_from[0] && !s_parse_due(call, "due_from", req->due_from, &plan->due_from))
        return false;
    if (req->due_before[0]) {
        if (!s_parse_due(call, "due_before", req->due_before, &plan->due_before))
            return false;
        plan->bounded = true;
    }
    if (req->overdue) {
        uint32_t today = due_key_from_day(taskd_today(call));
        if (!plan->bounded || today < plan->due_before)
            plan->due_before = today;
        plan->bounded = true;
    }
    return true;
}

static bool s_matches(const Thuky__TaskListRequest *req, const Thuky__Task *task)
{
    if (req->status ? task->status != req->status : !req->all_statuses && !task_is_active(task))
        return false;
    if (req->program_year && task->program_year != req->program_year)
        return false;
    if (req->flagged && task->n_flags == 0)
        return false;
    if (strchr(req->sitting, '@') && strcmp(deadline_sitting(task->deadline), req->sitting) != 0)
        return false; /* one occurrence of a series */
    if (req->office[0] && strcmp(task->lead_office, req->office) != 0) {
        bool coordinating = false;
        for (size_t i = 0; i < task->n_with_offices && !coordinating; i++)
            coordinating = strcmp(task->with_offices[i], req->office) == 0;
        if (!coordinating)
            return false;
    }
    return true;
}

/* True when the walked index holds exactly the tasks the filters ask for,
 * so that counting its entries needs no task to be read. */
static bool s_index_answers(const Thuky__TaskListRequest *req, const plan_t *plan)
{
    if (plan->by_sitting || req->office[0] || req->program_year)
        return false;
    switch (plan->prefix[0]) {
    case INDEX_FLAGGED: return req->status == THUKY__TASK_STATUS__TASK_STATUS_UNSPECIFIED;
    case INDEX_ACTIVE:
    case INDEX_ALL:
    case INDEX_STATUS: return !req->flagged;
    default: return false;
    }
}

void taskd_list(server_call_t *call, const ProtobufCMessage *request)
{
    const Thuky__TaskListRequest *asked = (const Thuky__TaskListRequest *)request;
    /* An office lists the tasks it leads or coordinates, and no others. */
    const char *office =
        server_scope_office(call, asked->office, i18n_text(call->lang, N_("tasks")));
    if (!office)
        return;
    Thuky__TaskListRequest scoped = *asked;
    scoped.office = (char *)office;
    const Thuky__TaskListRequest *req = &scoped;
    plan_t plan;
    if (!s_plan(call, req, &plan))
        return;
    if (req->cursor.len && (req->cursor.len < plan.prefix_len + (plan.by_sitting ? 4 : 8) ||
                            memcmp(req->cursor.data, plan.prefix, plan.prefix_len) != 0)) {
        server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT,
                    "cursor does not belong to this query");
        return;
    }
    uint32_t limit = req->limit ? req->limit : LIST_DEFAULT;
    if (limit > LIST_MAX)
        limit = LIST_MAX;

    uint8_t start[sizeof plan.prefix + 8];
    size_t start_len = plan.prefix_len + 4;
    memcpy(start, plan.prefix, plan.prefix_len);
    if (!plan.by_sitting)
        key_put_u32(start + plan.prefix_len, plan.due_from);
    else
        start_len = plan.prefix_len;
    if (req->cursor.len) {
        if (req->cursor.len > sizeof start) {
            server_fail(call, THUKY__STATUS_CODE__INVALID_ARGUMENT, "cursor is too long");
            return;
        }
        memcpy(start, req->cursor.data, req->cursor.len);
        start_len = req->cursor.len;
    }

    bool count_only = req->count_only;
    bool index_only = count_only && s_index_answers(req, &plan);
    size_t examine_max = index_only ? COUNT_EXAMINE_MAX : LIST_EXAMINE_MAX;
    Thuky__TaskList list = THUKY__TASK_LIST__INIT;
    list.tasks = count_only ? NULL : xcalloc(limit, sizeof *list.tasks);
    uint8_t last_key[sizeof start];
    size_t last_len = 0;
    bool more = false;
    size_t examined = 0;
    store_iter_t it;
    store_iter_init(&it, call->txn, store_dbi(call->txn->store, DB_INDEX), plan.prefix,
                    plan.prefix_len, start, start_len, false);
    while (store_iter_next(&it)) {
        const uint8_t *key = it.key.mv_data;
        size_t key_len = it.key.mv_size;
        if (req->cursor.len && key_len == req->cursor.len &&
            memcmp(key, req->cursor.data, key_len) == 0)
            continue; /* the cursor is the last entry already returned */
        uint32_t due = plan.by_sitting ? 0 : key_get_u32(key + key_len - 8);
        if (plan.bounded && due >= plan.due_before)
            break;
        if ((!count_only && list.n_tasks == limit) || examined == examine_max) {
            more = true;
            break;
        }
        examined++;
        memcpy(last_key, key, key_len);
        last_len = key_len;
        if (index_only) {
            list.count++;
            continue;
        }
        Thuky__Task *task = task_load(call->txn, key_get_u32(key + key_len - 4));
        if (!task)
            continue; /* only after a store failure; the txn reports it */
        uint32_t task_due = task_due_key(task);
        bool in_range = !plan.by_sitting || (task_due >= plan.due_from &&
                                            (!plan.bounded || task_due < plan.due_before));
        bool keep = in_range && s_matches(req, task);
        if (keep && count_only)
            list.count++;
        if (keep && !count_only)
            list.tasks[list.n_tasks++] = task;
        else
            thuky__task__free_unpacked(task, NULL);
    }
    store_iter_close(&it);
    if (more) {
        list.next_cursor.data = last_key;
        list.next_cursor.len = last_len;
    }
    server_reply(call, &list.base);
    for (size_t i = 0; i < list.n_tasks; i++)
        thuky__task__free_unpacked(list.tasks[i], NULL);
    free(list.tasks);
}
