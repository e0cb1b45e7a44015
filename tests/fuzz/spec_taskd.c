/* The task service: the session events it follows, the 2024 program and
 * tasks with absolute, relative, occurrence and unscheduled deadlines. */
#include "fuzz_fixtures.h"
#include "fuzz_specs.h"
#include "task_store.h"
#include "taskd.h"

static taskd_t s_taskd;

static void s_bind(fuzz_service_t *fs)
{
    s_taskd.calendar = fs->calendar;
    s_taskd.server = fs->server;
    s_taskd.sessions = NULL;
}

static void s_seed_sittings(fuzz_service_t *fs)
{
    fx_sitting_t s[3];
    fx_sitting(&s[0], "XV-7", THUKY__SITTING_KIND__KIND_PLENARY, "2024-05-20", "2024-06-28", "");
    fx_sitting(&s[1], "GB-1", THUKY__SITTING_KIND__KIND_BRIEFING, "2024-01-01 08:00",
               "2024-01-01 10:00", "monthly first MON");
    fx_sitting(&s[2], "HN-1", THUKY__SITTING_KIND__KIND_CONFERENCE, "2024-09-10", "2024-09-11",
               "");
    for (int i = 0; i < 3; i++) {
        fx_event_t ev;
        fx_session_event(&ev, (uint64_t)i + 1, "session.created", &s[i].sitting);
        fuzz_apply_event(fs, taskd_apply_session_event, taskd_session_batch_done, &s_taskd,
                         &ev.event);
    }
}

static void s_seed(fuzz_service_t *fs)
{
    s_seed_sittings(fs);

    Thuky__TaskGroup groups[2] = {THUKY__TASK_GROUP__INIT, THUKY__TASK_GROUP__INIT};
    Thuky__TaskGroup *group_ptrs[2] = {&groups[0], &groups[1]};
    groups[0].number = 1;
    groups[0].title = (char *)"Tham mưu chương trình";
    groups[1].number = 2;
    groups[1].title = (char *)"Phục vụ kỳ họp";
    Thuky__Program program = THUKY__PROGRAM__INIT;
    program.year = 2024;
    program.decision = (char *)"3333/QĐ-TTKQH";
    program.title = (char *)"Chương trình công tác năm 2024";
    program.groups = group_ptrs;
    program.n_groups = 2;
    Thuky__ProgramAddRequest add_program = THUKY__PROGRAM_ADD_REQUEST__INIT;
    add_program.program = &program;
    fuzz_call_msg(fs, "program.add", &add_program.base);

    static const struct {
        const char *title, *lead, *with, *due;
    } tasks[] = {
        {"Báo cáo công tác quý II", FUZZ_OFFICE, "vu-phap-luat", "2024-06-30"},
        {"Gửi tài liệu kỳ họp", FUZZ_OFFICE, NULL, "XV-7:open:-20d"},
        {"Chuẩn bị giao ban", "vu-phap-luat", FUZZ_OFFICE, "GB-1@2024-03-04:open:-2wd"},
        {"Tài liệu kỳ họp thứ chín", FUZZ_OFFICE, NULL, "XV-9:close:+10wd"},
        {"Báo cáo hội nghị", "vu-kinh-te", NULL, "HN-1:open:-5d"},
        {"Báo cáo quá hạn", "vu-kinh-te", FUZZ_OFFICE, "2024-04-15T17:00"},
    };
    for (size_t i = 0; i < sizeof tasks / sizeof tasks[0]; i++) {
        fx_task_t t;
        fx_task(&t, 0, tasks[i].title, tasks[i].lead, tasks[i].with, tasks[i].due, "");
        Thuky__TaskAddRequest add = THUKY__TASK_ADD_REQUEST__INIT;
        add.task = &t.task;
        add.allow_unscheduled = true;
        fuzz_call_msg(fs, "task.add", &add.base);
    }

    Thuky__TaskFlag flag = THUKY__TASK_FLAG__FLAG_QUALITY;
    Thuky__TaskUpdateRequest update = THUKY__TASK_UPDATE_REQUEST__INIT;
    update.id = 1;
    update.progress_set_case = THUKY__TASK_UPDATE_REQUEST__PROGRESS_SET_PROGRESS;
    update.progress = 40;
    update.set_flags = &flag;
    update.n_set_flags = 1;
    update.note = (char *)"Cần bổ sung số liệu";
    fuzz_call_msg(fs, "task.update", &update.base);
}

const fuzz_service_spec_t fuzz_taskd_spec = {
    .id = SERVICE_TASKD,
    .dbs = task_store_dbs,
    .db_count = DB_COUNT,
    .events_db = DB_EVENTS,
    .meta_db = DB_META,
    .replies_db = DB_REPLIES,
    .replies_time_db = DB_REPLIES_TIME,
    .commands = taskd_commands,
    .command_count = &taskd_command_count,
    .service = &s_taskd,
    .bind = s_bind,
    .seed = s_seed,
};
