"""A change of the working-day calendar (an override file edited, then
SIGHUP or a restart) reaches everything computed from it: the working-day
deadlines of tasks, the planned alerts, and a calendar.changed event; each
moved thing is audited and published like a moved sitting."""
import shutil
import signal

import pytest

from conftest import CALENDAR_DIR, Services, add_task, base_config, read_log, wait_for

HOLIDAY = "2026-05-20"   # a Wednesday the test makes a day off
LINE = f"{HOLIDAY} = Nghỉ thử nghiệm (test holiday)\n"


def last_seq(d):
    return d.json("status")[[x["daemon"] for x in d.json("status")].index(d.name)][
        "last_event_seq"]


def set_holiday(caldir, on):
    """Adds (or takes out) the test holiday in the [off] section of 2026.conf."""
    path = caldir / "2026.conf"
    text = path.read_text(encoding="utf-8").replace(LINE, "")
    if on:
        text = text.replace("[off]\n", "[off]\n" + LINE, 1)
    assert (LINE in text) == on
    path.write_text(text, encoding="utf-8")


def hup(s):
    for d in s.all:
        d.proc.send_signal(signal.SIGHUP)


@pytest.fixture
def plan(tmpdir_short):
    caldir = tmpdir_short / "calendar"
    shutil.copytree(CALENDAR_DIR, caldir)
    s = Services(tmpdir_short)
    (tmpdir_short / "thuky.conf").write_text(
        base_config(tmpdir_short).replace(str(CALENDAR_DIR), str(caldir)), encoding="utf-8")
    s.caldir = caldir
    for d in s.all:
        d.start(clock="2026-03-02T09:00")
    try:
        s.ok("program", "add", "2026", "--decision", "1/QĐ-TTKQH", "--title", "CT 2026")
        s.ok("office", "add", "vu-tong-hop", "--name", "Vụ Tổng hợp", "--kind", "department",
             "--email", "vth@demo.quochoi.vn")
        s.ok("session", "add", "--kind", "conference", "--id", "HN-2605", "--title",
             "Hội nghị tháng 5", "--start", "2026-05-25")
        s.wait_followed()
        # 5 working days before Monday 25/05: Monday 18/05 (20/05 counts)
        s.rel = add_task(s, "Chuẩn bị hội nghị", lead="vu-tong-hop", program=2026,
                         due_rel="HN-2605:open:-5wd", before_sitting=False)
        # a fixed date: Thursday 21/05; its 1-day reminder is on Wednesday 20/05
        s.fixed = add_task(s, "Báo cáo", lead="vu-tong-hop", program=2026, due="2026-05-21")
        wait_for(lambda: len(alerts(s, s.fixed)) >= 4, "the alerts of the fixed task")
        wait_for(lambda: alerts(s, s.rel), "the alerts of the relative task")
        yield s
    finally:
        try:
            s.stop()
        finally:
            s.close()


def alerts(s, task):
    return s.json("alert", "list", "--limit", "5000", "--task", task)


def deadline(s, task):
    return s.json("task", "show", task)["deadline"]["date"]


def fire_days(s, task):
    """{lead days: the day its reminder goes out} of the planned reminders."""
    return {a["days"]: a["fire"][:10] for a in alerts(s, task)
            if a["state"] == "planned" and a["kind"] not in ("overdue", "escalation")}


def test_sighup_recomputes_deadlines_and_alerts(plan):
    s = plan
    assert deadline(s, s.rel) == "2026-05-18"
    assert fire_days(s, s.fixed)[1] == HOLIDAY
    assert s.ok("calendar", "add-days", "2026-05-19", "+1").startswith("2026-05-20")
    seq = {d.name: last_seq(d) for d in s.all}

    set_holiday(s.caldir, True)
    hup(s)
    wait_for(lambda: deadline(s, s.rel) == "2026-05-15", "the relative deadline to move")
    wait_for(lambda: fire_days(s, s.fixed).get(1) == "2026-05-19", "the reminder to move")
    assert HOLIDAY not in fire_days(s, s.fixed).values()
    assert s.ok("calendar", "add-days", "2026-05-19", "+1").startswith("2026-05-21")

    # taskd: one task.deadline_changed, by "calendar", in the history too
    moved = read_log(s.taskd, seq["taskd"])
    assert [(e.type, e.subject) for e in moved] == [("task.deadline_changed", s.rel)]
    change = {c.field: (c.old_value, c.new_value) for c in moved[0].task.changes}
    assert change["deadline.date"] == ("2026-05-18", "2026-05-15")
    assert moved[0].task.caller == "calendar"
    last = s.json("task", "show", s.rel)["history"][-1]
    assert last["caller"] == "calendar" and "calendar" in last["note"]
    # the fixed task keeps its date: a fixed date does not hang on the calendar
    assert deadline(s, s.fixed) == "2026-05-21"
    # notifyd: the moved reminder and the relative task's new plan are published
    wait_for(lambda: all(a["due_date"] == "2026-05-15" for a in alerts(s, s.rel)
                         if a["state"] == "planned"), "the relative task's alerts to follow")
    planned = [e for e in read_log(s.notifyd, seq["notifyd"]) if e.type == "alert.planned"]
    by_calendar = [e.alert.alert for e in planned if e.alert.caller == "calendar"]
    assert [(a.task_id, a.days) for a in by_calendar] == [(int(s.fixed[1:]), 1)]
    assert all(e.alert.alert.due_date == "2026-05-15" for e in planned
               if e.alert.caller != "calendar")
    # sessiond: calendar.changed names the day as it is now
    changed = read_log(s.sessiond, seq["sessiond"])
    assert [e.type for e in changed] == ["calendar.changed"]
    cal = changed[0].calendar
    assert cal.changed == 1 and cal.recorded
    assert [(d.date, d.working) for d in cal.days] == [(HOLIDAY, False)]
    assert "Nghỉ thử nghiệm" in cal.days[0].reason
    assert "calendar changed: 2026-05-20 now off" in s.taskd.stderr_text()

    # the same calendar again: nothing more happens
    seq = {d.name: last_seq(d) for d in s.all}
    hup(s)
    wait_for(lambda: all(d.stderr_text().count("configuration reloaded") == 2 for d in s.all),
             "the second reload")
    for d in s.all:
        d.assert_serving()
        assert last_seq(d) == seq[d.name], d.name


def test_a_restart_with_another_calendar_recomputes_at_start(plan):
    s = plan
    set_holiday(s.caldir, True)
    hup(s)
    wait_for(lambda: deadline(s, s.rel) == "2026-05-15", "the relative deadline to move")
    seq = {d.name: last_seq(d) for d in s.all}
    s.stop()
    set_holiday(s.caldir, False)           # the holiday is taken back while stopped
    for d in s.all:
        d.start(clock="2026-03-02T09:00")
    wait_for(lambda: deadline(s, s.rel) == "2026-05-18", "the deadline to move back")
    wait_for(lambda: fire_days(s, s.fixed).get(1) == HOLIDAY, "the reminder to move back")
    changed = [e for e in read_log(s.sessiond, seq["sessiond"]) if e.type == "calendar.changed"]
    assert [(d.date, d.working) for d in changed[0].calendar.days] == [(HOLIDAY, True)]
    moved = read_log(s.taskd, seq["taskd"])
    assert [(e.type, e.task.caller) for e in moved] == [("task.deadline_changed", "calendar")]


def test_a_bad_override_file_at_reload_keeps_the_calendar(plan):
    s = plan
    seq = {d.name: last_seq(d) for d in s.all}
    path = s.caldir / "2026.conf"
    path.write_text(path.read_text(encoding="utf-8") + "\n[off]\n2026-05-20: thiếu dấu bằng\n",
                    encoding="utf-8")
    hup(s)
    for d in s.all:
        wait_for(lambda: "calendar not reloaded" in d.stderr_text(), f"{d.name} to refuse")
        assert "2026.conf" in d.stderr_text().split("calendar not reloaded")[-1]
        d.assert_serving()
        assert last_seq(d) == seq[d.name], d.name
    assert deadline(s, s.rel) == "2026-05-18"
    assert s.ok("calendar", "add-days", "2026-05-19", "+1").startswith("2026-05-20")
