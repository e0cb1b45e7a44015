/* fuzz_event_apply: an event as a subscriber decodes it (thuky.Event), then
 * applied by every consumer: the task service's session follower
 * (taskd_apply_session_event) and the notification service's task and
 * session followers (notify_apply_task_event, notify_apply_session_event),
 * each in its own committed write transaction as subscriber.c does. Then a
 * few reads of what the event left behind: the task service's tasks of
 * the sitting, the notification service's alerts and preview. */
#include "runtime/proto_clean.h"
#include "fuzz_specs.h"
#include "notifyd.h"
#include "taskd.h"

static fuzz_service_t s_taskd, s_notifyd;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_quiet();
    fuzz_service_start(&s_taskd, &fuzz_taskd_spec);
    fuzz_service_start(&s_notifyd, &fuzz_notifyd_spec);
    return 0;
}

/* Reads through the commands, as a client would after the event. */
static void s_read_back(const Thuky__Event *event)
{
    const Thuky__Sitting *sitting =
        event->payload_case == THUKY__EVENT__PAYLOAD_SESSION ? event->session->sitting : NULL;
    if (sitting) {
        Thuky__TaskListRequest list = THUKY__TASK_LIST_REQUEST__INIT;
        list.sitting = sitting->id;
        list.all_statuses = true;
        fuzz_call_msg_quiet(&s_taskd, "task.list", &list.base);
    }
    const Thuky__Task *task =
        event->payload_case == THUKY__EVENT__PAYLOAD_TASK ? event->task->task : NULL;
    if (task) {
        Thuky__AlertListRequest alerts = THUKY__ALERT_LIST_REQUEST__INIT;
        alerts.task_id = task->id;
        fuzz_call_msg_quiet(&s_notifyd, "alert.list", &alerts.base);
        Thuky__AlertPreviewRequest preview = THUKY__ALERT_PREVIEW_REQUEST__INIT;
        if (task->deadline && task->deadline->resolved_date[0])
            preview.date = task->deadline->resolved_date;
        fuzz_call_msg_quiet(&s_notifyd, "alert.preview", &preview.base);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Thuky__Event *event = thuky__event__unpack(NULL, size, data);
    if (event)
        proto_drop_unknown(&event->base); /* as the subscriber does */
    if (!event)
        return 0;
    fuzz_service_begin_input(&s_taskd);
    fuzz_service_begin_input(&s_notifyd);
    fuzz_apply_event(&s_taskd, taskd_apply_session_event, taskd_session_batch_done,
                     fuzz_taskd_spec.service, event);
    fuzz_apply_event(&s_notifyd, notify_apply_task_event, notify_batch_done,
                     fuzz_notifyd_spec.service, event);
    fuzz_apply_event(&s_notifyd, notify_apply_session_event, notify_batch_done,
                     fuzz_notifyd_spec.service, event);
    s_read_back(event);
    thuky__event__free_unpacked(event, NULL);
    return 0;
}
