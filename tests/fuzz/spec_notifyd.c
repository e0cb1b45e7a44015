/* The notification service: offices reached by mail, by a signed webhook
 * and not at all, and the alerts planned from task events (lead, due,
 * overdue, escalation) and from a sitting with an agenda item. The
 * delivery worker is not started: no command touches it. */
#include <stdio.h>

#include "fuzz_fixtures.h"
#include "fuzz_specs.h"
#include "notify_store.h"
#include "notifyd.h"

static notifyd_t s_notifyd;

static void s_bind(fuzz_service_t *fs)
{
    s_notifyd.config = fs->cfg;
    s_notifyd.calendar = fs->calendar;
    s_notifyd.server = fs->server;
    s_notifyd.channels = NULL;
}

static void s_office(fuzz_service_t *fs, const char *id, Thuky__OfficeKind kind, const char *email,
                     const char *webhook, const char *secret_file, const char *escalate_to)
{
    Thuky__Office o = THUKY__OFFICE__INIT;
    o.id = (char *)id;
    o.name = (char *)id;
    o.kind = kind;
    o.email = (char *)email;
    o.webhook_url = (char *)webhook;
    o.webhook_secret_file = (char *)secret_file;
    o.escalate_to = (char *)escalate_to;
    Thuky__OfficeAddRequest add = THUKY__OFFICE_ADD_REQUEST__INIT;
    add.office = &o;
    fuzz_call_msg(fs, "office.add", &add.base);
}

static void s_seed_events(fuzz_service_t *fs)
{
    fx_task_t t[4];
    fx_task(&t[0], 1, "Báo cáo công tác quý II", FUZZ_OFFICE, "vu-phap-luat", "2024-05-10",
            "2024-05-10");
    fx_task(&t[1], 2, "Báo cáo quá hạn", "vu-phap-luat", NULL, "2024-04-15", "2024-04-15");
    fx_task(&t[2], 3, "Gửi tài liệu kỳ họp", FUZZ_OFFICE, "vu-kinh-te", "XV-7:open:-20d",
            "2024-04-30");
    fx_task(&t[3], 4, "Tài liệu hội nghị", "vu-kinh-te", NULL, "2024-09-01T17:00", "2024-09-01");
    uint64_t seq = 0;
    for (int i = 0; i < 4; i++) {
        fx_event_t ev;
        fx_task_event(&ev, ++seq, "task.created", &t[i].task);
        fuzz_apply_event(fs, notify_apply_task_event, notify_batch_done, &s_notifyd, &ev.event);
    }

    fx_sitting_t s;
    fx_sitting(&s, "XV-7", THUKY__SITTING_KIND__KIND_PLENARY, "2024-05-20", "2024-06-28", "");
    Thuky__AgendaItem item = THUKY__AGENDA_ITEM__INIT;
    Thuky__AgendaItem *items[1] = {&item};
    item.number = 1;
    item.task_id = 3;
    item.text = (char *)"Gửi tài liệu kỳ họp";
    s.sitting.agenda = items;
    s.sitting.n_agenda = 1;
    fx_event_t ev;
    fx_session_event(&ev, 1, "session.created", &s.sitting);
    fuzz_apply_event(fs, notify_apply_session_event, notify_batch_done, &s_notifyd, &ev.event);
}

static void s_seed(fuzz_service_t *fs)
{
    char secret[128];
    snprintf(secret, sizeof secret, "%s/webhook.secret", fs->dir);
    fuzz_write_file(secret, (const uint8_t *)"s3cret-for-fuzzing\n", 19);
    s_office(fs, FUZZ_OFFICE, THUKY__OFFICE_KIND__OFFICE_SECRETARIAT, "vuthuky@quochoi.vn", "", "",
             "");
    s_office(fs, "vu-phap-luat", THUKY__OFFICE_KIND__OFFICE_DEPARTMENT, "",
             "https://hooks.example.vn/thuky", secret, FUZZ_OFFICE);
    s_office(fs, "vu-kinh-te", THUKY__OFFICE_KIND__OFFICE_DEPARTMENT, "", "", "", "");
    s_seed_events(fs);
}

const fuzz_service_spec_t fuzz_notifyd_spec = {
    .id = SERVICE_NOTIFYD,
    .dbs = notify_store_dbs,
    .db_count = NDB_COUNT,
    .events_db = NDB_EVENTS,
    .meta_db = NDB_META,
    .replies_db = NDB_REPLIES,
    .replies_time_db = NDB_REPLIES_TIME,
    .commands = notifyd_commands,
    .command_count = &notifyd_command_count,
    .service = &s_notifyd,
    .bind = s_bind,
    .seed = s_seed,
};
