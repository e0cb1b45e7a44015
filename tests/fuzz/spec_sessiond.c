/* The session service: a plenary session, a timed Standing Committee
 * meeting, a conference and a monthly briefing with a moved and a cancelled
 * occurrence, an agenda item and a status change. */
#include "fuzz_fixtures.h"
#include "fuzz_specs.h"
#include "session_store.h"
#include "sessiond.h"

static sessiond_t s_sessiond;

static void s_bind(fuzz_service_t *fs) { s_sessiond.calendar = fs->calendar; }

static void s_add(fuzz_service_t *fs, fx_sitting_t *f, const char *title, const char *term,
                  uint32_t number, const char *venue)
{
    f->sitting.title = (char *)title;
    f->sitting.term = (char *)term;
    f->sitting.number = number;
    f->sitting.venue = (char *)venue;
    Thuky__SessionAddRequest add = THUKY__SESSION_ADD_REQUEST__INIT;
    add.sitting = &f->sitting;
    fuzz_call_msg(fs, "session.add", &add.base);
}

static void s_seed(fuzz_service_t *fs)
{
    fx_sitting_t s;
    fx_sitting(&s, "", THUKY__SITTING_KIND__KIND_PLENARY, "2024-05-20", "2024-06-28", "");
    s_add(fs, &s, "Kỳ họp thứ bảy", "XV", 7, "Nhà Quốc hội, Hà Nội");
    fx_sitting(&s, "", THUKY__SITTING_KIND__KIND_STANDING, "2024-05-13 08:30", "2024-05-14 17:00",
               "");
    s_add(fs, &s, "Phiên họp thứ 33", "XV", 33, "Nhà Quốc hội, Hà Nội");
    fx_sitting(&s, "", THUKY__SITTING_KIND__KIND_CONFERENCE, "2024-09-10", "2024-09-11", "");
    s_add(fs, &s, "Hội nghị đại biểu Quốc hội chuyên trách", "", 0, "");
    fx_sitting(&s, "", THUKY__SITTING_KIND__KIND_BRIEFING, "2024-01-01 08:00", "2024-01-01 10:00",
               "monthly first MON");
    s_add(fs, &s, "Giao ban Ban Thư ký", "", 0, "Phòng họp Ban Thư ký");

    Thuky__SittingTime start = THUKY__SITTING_TIME__INIT, end = THUKY__SITTING_TIME__INIT;
    start.date = (char *)"2024-03-11";
    start.time = (char *)"14:00";
    end.date = (char *)"2024-03-11";
    end.time = (char *)"16:00";
    Thuky__SessionMoveRequest move = THUKY__SESSION_MOVE_REQUEST__INIT;
    move.id = (char *)"GB-1@2024-03-04";
    move.start = &start;
    move.end = &end;
    fuzz_call_msg(fs, "session.move", &move.base);

    Thuky__SessionCancelRequest cancel = THUKY__SESSION_CANCEL_REQUEST__INIT;
    cancel.id = (char *)"GB-1@2024-04-01";
    cancel.reason = (char *)"Trùng lịch";
    fuzz_call_msg(fs, "session.cancel", &cancel.base);

    Thuky__AgendaAddRequest agenda = THUKY__AGENDA_ADD_REQUEST__INIT;
    agenda.id = (char *)"XV-7";
    agenda.task_id = 2;
    agenda.text = (char *)"Gửi tài liệu kỳ họp";
    fuzz_call_msg(fs, "session.agenda.add", &agenda.base);

    Thuky__SessionStatusRequest status = THUKY__SESSION_STATUS_REQUEST__INIT;
    status.id = (char *)"UBTV-XV-33";
    status.status = THUKY__SITTING_STATUS__SITTING_HELD;
    fuzz_call_msg(fs, "session.status", &status.base);
}

const fuzz_service_spec_t fuzz_sessiond_spec = {
    .id = SERVICE_SESSIOND,
    .dbs = session_store_dbs,
    .db_count = SDB_COUNT,
    .events_db = SDB_EVENTS,
    .meta_db = SDB_META,
    .replies_db = SDB_REPLIES,
    .replies_time_db = SDB_REPLIES_TIME,
    .commands = sessiond_commands,
    .command_count = &sessiond_command_count,
    .service = &s_sessiond,
    .bind = s_bind,
    .seed = s_seed,
};
