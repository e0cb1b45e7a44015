#include "web_report.h"

#include <string.h>

#include "base/date.h"
#include "runtime/clock.h"
#include "runtime/proto_json.h"

bool web_task_has_flag(const Thuky__Task *t, Thuky__TaskFlag flag)
{
    for (size_t i = 0; i < t->n_flags; i++)
        if (t->flags[i] == flag)
            return true;
    return false;
}

static bool s_list(webd_t *wd, Thuky__TaskListRequest *req, Thuky__TaskList **out,
                   backend_error_t *err)
{
    req->limit = 500;
    return backend_call(&wd->backend, SERVICE_TASKD, "task.list", &req->base, NULL,
                        &thuky__task_list__descriptor, (ProtobufCMessage **)out, err);
}

bool web_report_load(webd_t *webd, const char *office, web_report_t *out, backend_error_t *err)
{
    memset(out, 0, sizeof *out);
    int32_t today = date_local_day(clock_now_ms() / 1000);
    date_format_iso(today, out->today);
    date_format_iso(today + REPORT_SOON_DAYS, out->soon);
    Thuky__TaskListRequest overdue = THUKY__TASK_LIST_REQUEST__INIT;
    overdue.office = (char *)office;
    overdue.overdue = true;
    Thuky__TaskListRequest flagged = THUKY__TASK_LIST_REQUEST__INIT;
    flagged.office = (char *)office;
    flagged.flagged = true;
    Thuky__TaskListRequest soon = THUKY__TASK_LIST_REQUEST__INIT;
    soon.office = (char *)office;
    soon.due_from = out->today;
    soon.due_before = out->soon;
    if (s_list(webd, &overdue, &out->overdue, err) && s_list(webd, &flagged, &out->flagged, err) &&
        s_list(webd, &soon, &out->due_soon, err))
        return true;
    web_report_free(out);
    return false;
}

static json_t *s_tasks(const Thuky__TaskList *l)
{
    json_t *a = json_array();
    for (size_t i = 0; l && i < l->n_tasks; i++)
        json_array_append_new(a, proto_json(&l->tasks[i]->base, NULL));
    return a;
}

json_t *web_report_json(const web_report_t *r)
{
    json_t *quality = json_array(), *dispute = json_array();
    for (size_t i = 0; r->flagged && i < r->flagged->n_tasks; i++) {
        const Thuky__Task *t = r->flagged->tasks[i];
        if (web_task_has_flag(t, THUKY__TASK_FLAG__FLAG_QUALITY))
            json_array_append_new(quality, proto_json(&t->base, NULL));
        if (web_task_has_flag(t, THUKY__TASK_FLAG__FLAG_DISPUTE))
            json_array_append_new(dispute, proto_json(&t->base, NULL));
    }
    return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}", "today", r->today, "due_soon_until",
                     r->soon, "behind_schedule", s_tasks(r->overdue), "short_on_quality",
                     quality, "disputed", dispute, "due_soon", s_tasks(r->due_soon));
}

void web_report_free(web_report_t *r)
{
    if (r->overdue)
        thuky__task_list__free_unpacked(r->overdue, NULL);
    if (r->flagged)
        thuky__task_list__free_unpacked(r->flagged, NULL);
    if (r->due_soon)
        thuky__task_list__free_unpacked(r->due_soon, NULL);
    memset(r, 0, sizeof *r);
}
