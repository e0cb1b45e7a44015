"""The session service with the task service following it, over the wire:
sittings, recurring briefings, deadlines that move with their sitting."""
import json
import re

from conftest import (DEMO_SITTINGS, Services, add_task, envelope_pb2, event_pb2, one_line,
                      session_pb2)

OK = envelope_pb2.OK


def add_plenary(s, number=7, start="2024-05-20", end="2024-06-28", extra=()):
    out = s.ok("session", "add", "--kind", "plenary", "--term", "XV", "--number", str(number),
               "--title", f"Kỳ họp thứ {number}, Quốc hội khóa XV", "--start", start, "--end",
               end, "--venue", "Nhà Quốc hội, Hà Nội", *extra)
    return out.split()[0]


def deadline(s, tid):
    return s.json("task", "show", tid)["deadline"]["date"]


def task_events(s, after=0):
    reply, page = s.taskd.call("events.read", event_pb2.EventsReadRequest(after_seq=after,
                                                                          limit=10000),
                               event_pb2.EventsReadReply)
    assert reply.status.code == OK
    return list(page.events)


def test_add_list_show_and_next(services):
    s = services
    assert add_plenary(s) == "XV-7"
    assert add_plenary(s, 8, "2024-10-21", "2024-11-30") == "XV-8"
    sid = s.ok("session", "add", "--kind", "standing", "--term", "XV", "--number", "33",
               "--title", "Phiên họp thứ 33", "--start", "2024-05-09", "--end",
               "2024-05-10").split()[0]
    assert sid == "UBTV-XV-33"
    rows = s.json("session", "list", "--from", "2024-01-01", "--to", "2024-12-31")
    assert [r["id"] for r in rows] == ["UBTV-XV-33", "XV-7", "XV-8"]
    assert rows[1]["start"] == "2024-05-20" and rows[1]["end"] == "2024-06-28"
    assert rows[1]["venue"] == "Nhà Quốc hội, Hà Nội" and rows[1]["status"] == "planned"
    plenary = s.json("session", "list", "--from", "2024-01-01", "--kind", "plenary")
    assert [r["id"] for r in plenary] == ["XV-7", "XV-8"]
    # A range that only touches the middle of a long session still finds it.
    assert [r["id"] for r in s.json("session", "list", "--from", "2024-06-10", "--to",
                                    "2024-06-11")] == ["XV-7"]
    nxt = s.json("session", "list", "--next", "--kind", "plenary", "--from", "2024-06-01")
    assert [r["id"] for r in nxt] == ["XV-8"]
    shown = s.ok("session", "show", "XV-7")
    assert "Kỳ họp thứ 7" in shown and "2024-05-20" in shown and "2024-06-28" in shown
    table = s.ok("session", "list", "--from", "2024-01-01")
    assert "Nhà Quốc hội, Hà Nội" in table and "2024-05-20" in table


def test_overlap_is_a_warning_not_a_refusal(services):
    s = services
    add_plenary(s)
    rc, out, err = s.cli("session", "add", "--kind", "conference", "--title", "Hội nghị",
                         "--start", "2024-06-01", "--end", "2024-06-01", "--venue",
                         "Nhà Quốc hội, Hà Nội")
    assert rc == 0 and "warning" in err and "XV-7" in err and "same venue" in err
    rc, _, err = s.cli("session", "add", "--kind", "conference", "--title", "Hội nghị 2",
                       "--start", "2024-08-01", "--end", "2024-08-01")
    assert rc == 0 and "warning" not in err
    assert len(s.json("session", "list", "--from", "2024-01-01")) == 3


def test_moving_a_session_moves_every_dependent_deadline_with_events(services):
    s = services
    add_plenary(s)
    s.wait_followed()
    docs = add_task(s, "Gửi tài liệu đến đại biểu", due_rel="XV-7:open:-20d",
                    before_sitting=False)
    reports = add_task(s, "Báo cáo của các Ủy ban", due_rel="XV-7:open:-45d",
                       before_sitting=False)
    after = add_task(s, "Báo cáo sau kỳ họp", due_rel="XV-7:close:+10wd", before_sitting=False)
    other = add_task(s, "Việc khác", due="2024-05-01")
    assert deadline(s, docs) == "2024-04-30"
    assert deadline(s, reports) == "2024-04-05"
    assert deadline(s, after) == "2024-07-12"   # 10 working days after Fri 28/06
    shown = s.ok("task", "show", docs)
    assert "2024-04-30" in shown and "rule XV-7:open:-20d" in shown

    seq = len(task_events(s))
    out = s.ok("session", "move", "XV-7", "--start", "2024-05-27", "--end", "2024-07-05")
    assert "XV-7 moved" in out and docs in out and reports in out
    assert deadline(s, docs) == "2024-05-07"
    assert deadline(s, reports) == "2024-04-12"
    assert deadline(s, after) == "2024-07-19"
    assert deadline(s, other) == "2024-05-01"
    moved = [e for e in task_events(s, seq) if e.type == "task.deadline_changed"]
    assert sorted(e.subject for e in moved) == sorted([docs, reports, after])
    by_subject = {e.subject: e for e in moved}
    change = {c.field: (c.old_value, c.new_value) for c in by_subject[docs].task.changes}
    assert change["deadline.date"] == ("2024-04-30", "2024-05-07")
    assert by_subject[docs].task.caller == "sessiond"
    history = s.json("task", "show", docs)["history"]
    assert history[-1]["caller"] == "sessiond"


def test_deadlines_catch_up_after_the_task_service_was_down(services):
    s = services
    add_plenary(s)
    s.wait_followed()
    docs = add_task(s, "Gửi tài liệu", due_rel="XV-7:open:-20d", before_sitting=False)
    s.taskd.stop()
    s.ok("session", "move", "XV-7", "--start", "2024-06-03", "--end", "2024-07-10")
    add_plenary(s, 8, "2024-10-21", "2024-11-30")
    s.taskd.start()
    s.wait_followed()
    assert deadline(s, docs) == "2024-05-14"
    # exactly once: one deadline_changed event for the one move
    moved = [e for e in task_events(s) if e.type == "task.deadline_changed"]
    assert len(moved) == 1
    s.taskd.restart()
    s.wait_followed()
    assert len([e for e in task_events(s) if e.type == "task.deadline_changed"]) == 1


def test_task_before_its_sitting_resolves_when_the_sitting_appears(services):
    s = services
    early = add_task(s, "Chuẩn bị kỳ họp 8", due_rel="XV-8:open:-45d")
    assert deadline(s, early) is None
    assert "unresolved" in s.ok("task", "list")
    add_plenary(s, 8, "2024-10-21", "2024-11-30")
    s.wait_followed()
    assert deadline(s, early) == "2024-09-06"
    assert "unresolved" not in s.ok("task", "list")


def test_cancelled_sitting_flags_and_lists_its_tasks(services):
    s = services
    s.ok("session", "add", "--kind", "conference", "--title", "Hội nghị đại biểu chuyên trách",
         "--start", "2024-08-05", "--end", "2024-08-06", "--id", "HN-CT")
    s.wait_followed()
    t1 = add_task(s, "Chuẩn bị tài liệu hội nghị", due_rel="HN-CT:open:-5wd",
                  before_sitting=False)
    t2 = add_task(s, "Tổng hợp ý kiến", due_rel="HN-CT:close:+3d", before_sitting=False)
    out = s.ok("session", "cancel", "HN-CT", "--reason", "Lùi sang quý IV")
    assert "HN-CT cancelled" in out and t1 in out and t2 in out
    for tid in (t1, t2):
        t = s.json("task", "show", tid)
        assert "sitting_cancelled" in t["flags"] and t["deadline"]["date"] is not None
    assert {t["id"] for t in s.json("task", "list", "--flagged")} == {t1, t2}
    assert {t["id"] for t in s.json("task", "list", "--sitting", "HN-CT")} == {t1, t2}
    rows = s.json("session", "list", "--from", "2024-08-01", "--all")
    assert rows[0]["status"] == "cancelled" and rows[0]["cancel_reason"] == "Lùi sang quý IV"
    assert s.json("session", "list", "--from", "2024-08-01") == []  # hidden without --all
    rc, _, err = s.cli("session", "move", "HN-CT", "--start", "2024-09-01")
    assert rc == 4 and "cancelled" in one_line(err)


def test_recurring_briefing_occurrences_move_and_cancel_alone(services):
    s = services
    sid = s.ok("session", "add", "--kind", "briefing", "--title", "Giao ban Ban Thư ký",
               "--start", "2024-01-01T08:00", "--end", "2024-01-01T10:00",
               "--repeat", "monthly first MON").split()[0]
    rows = s.json("session", "list", "--from", "2024-01-01", "--to", "2024-06-30")
    assert [r["id"] for r in rows] == [f"{sid}@2024-0{m}-0{d}" for m, d in
                                       ((1, 1), (2, 5), (3, 4), (4, 1), (5, 6), (6, 3))]
    assert rows[2]["start"] == "2024-03-04T08:00" and rows[2]["series"] == sid
    s.wait_followed()
    prep = add_task(s, "Chuẩn bị báo cáo giao ban tháng 3", due_rel=f"{sid}@2024-03-04:open:-2wd",
                    before_sitting=False)
    assert deadline(s, prep) == "2024-02-29"
    s.ok("session", "move", f"{sid}@2024-03-04", "--start", "2024-03-11T14:00", "--end",
         "2024-03-11T16:00")
    assert deadline(s, prep) == "2024-03-07"
    s.ok("session", "cancel", f"{sid}@2024-04-01")
    rows = s.json("session", "list", "--from", "2024-03-01", "--to", "2024-04-30", "--all")
    assert [(r["id"], r["start"], r["status"]) for r in rows] == [
        (f"{sid}@2024-03-04", "2024-03-11T14:00", "planned"),
        (f"{sid}@2024-04-01", "2024-04-01T08:00", "cancelled")]
    series = s.json("session", "show", sid)
    assert series["repeat"] == "monthly first MON" and len(series["exceptions"]) == 2
    # a date that is not an occurrence
    rc, _, err = s.cli("session", "move", f"{sid}@2024-03-05", "--start", "2024-03-06")
    assert rc == 3 and "no occurrence" in one_line(err)


def test_working_days_skip_tet_and_national_day(services):
    s = services
    s.ok("session", "add", "--kind", "conference", "--title", "Sau Tết", "--start",
         "2024-02-07", "--id", "HN-TET")
    s.ok("session", "add", "--kind", "conference", "--title", "Quốc khánh", "--start",
         "2025-08-29", "--id", "HN-QK")
    s.wait_followed()
    t = add_task(s, "Một ngày làm việc sau", due_rel="HN-TET:open:+1wd", before_sitting=False)
    assert deadline(s, t) == "2024-02-15"   # 2024 override: Tết off 08/02-14/02
    q = add_task(s, "Hai ngày làm việc sau", due_rel="HN-QK:close:+2wd", before_sitting=False)
    assert deadline(s, q) == "2025-09-04"   # Fri 29/08 -> (1/9, 2/9 off) Wed 3/9, Thu 4/9
    assert s.ok("calendar", "add-days", "2024-02-07", "+1").startswith("2024-02-15")
    assert s.ok("calendar", "add-days", "15/02/2024", "-1").startswith("2024-02-07")
    days = s.json("calendar", "2024")["days"]
    off = {d["date"] for d in days if not d["working"]}
    assert {"2024-01-01", "2024-02-08", "2024-02-14", "2024-04-18", "2024-04-29", "2024-04-30",
            "2024-05-01", "2024-09-02", "2024-09-03"} <= off
    assert "2024-02-15" not in off
    assert {d["date"] for d in days if d["working"]} >= {"2024-05-04"}


def test_bad_input_gets_a_clear_error_and_changes_nothing(services):
    s = services
    add_plenary(s)
    cases = [
        (["session", "add", "--kind", "plenary", "--term", "XV", "--number", "9", "--title", "x",
          "--start", "2024-06-10", "--end", "2024-06-01"], 2, "before the opening"),
        (["session", "add", "--kind", "briefing", "--title", "x", "--start", "2024-01-01",
          "--repeat", "fortnightly MOM"], 2, "repeat rule"),
        (["session", "add", "--kind", "conference", "--title", "x", "--start", "2250-01-01"],
         2, "2250"),
        (["session", "add", "--kind", "conference", "--title", "x", "--start", "31/02/2024"],
         2, "31/02/2024"),
        (["session", "add", "--kind", "conference", "--title", "x", "--start", "2024-01-01",
          "--end", "2024-09-01"], 2, "at most"),
        (["session", "add", "--kind", "plenary", "--term", "XV", "--number", "7", "--title",
          "again", "--start", "2024-05-20"], 4, "exists"),
        (["session", "move", "XV-99", "--start", "2024-01-01"], 3, "XV-99"),
        (["session", "cancel", "XV 7"], 2, "sitting"),
        (["session", "status", "XV-7", "cancelled"], 2, "cancel"),
        (["task", "add", "--program", "2024", "--title", "x", "--lead", "vu-thu-ky",
          "--due-rel", "XV-99:open:-20d"], 3, "XV-99"),
        (["task", "add", "--program", "2024", "--title", "x", "--lead", "vu-thu-ky",
          "--due-rel", "XV-7:open:-3651d"], 2, "3650"),
        (["calendar", "add-days", "2199-12-30", "+5"], 2, "1900-2199"),
        (["calendar", "1899"], 2, "1900"),
    ]
    before = s.json("session", "list", "--from", "1900-01-01", "--all")
    for args, code, text in cases:
        rc, out, err = s.cli(*args)
        assert rc == code, f"{args}: {rc} {out}{err}"
        assert text in one_line(err), f"{args}: {err}"
    assert s.json("session", "list", "--from", "1900-01-01", "--all") == before
    assert s.json("task", "list", "--all") == []
    s.sessiond.assert_serving()
    s.taskd.assert_serving()


def test_malformed_requests_on_the_session_socket(services):
    s = services
    assert s.sessiond.raw(b"\xff\x00garbage").status.code == envelope_pb2.INVALID_ARGUMENT
    reply, _ = s.sessiond.call("session.add", b"\x0a\x05\xff\xff")
    assert reply.status.code == envelope_pb2.INVALID_ARGUMENT
    bad_time = session_pb2.SessionAddRequest()
    bad_time.sitting.kind = session_pb2.KIND_CONFERENCE
    bad_time.sitting.title = "x"
    bad_time.sitting.start.date, bad_time.sitting.start.time = "2024-01-01", "25:00"
    bad_time.sitting.end.date = "2024-01-01"
    reply, _ = s.sessiond.call("session.add", bad_time)
    assert reply.status.code == envelope_pb2.INVALID_ARGUMENT and "HH:MM" in reply.status.message
    bad_kind = session_pb2.SessionListRequest(kind=99)
    reply, _ = s.sessiond.call("session.list", bad_kind)
    assert reply.status.code == envelope_pb2.INVALID_ARGUMENT
    s.sessiond.assert_serving()


def start_with_one_override(tmpdir_short, name, text):
    """Starts sessiond, then taskd, on a calendar_dir holding one file;
    yields each one's (exit code, stderr) and the directory."""
    cal = tmpdir_short / "calendar"
    cal.mkdir()
    (cal / name).write_text(text, encoding="utf-8")
    s = Services(tmpdir_short)
    conf = s.taskd.config
    conf.write_text(conf.read_text().replace("calendar_dir = ", f"calendar_dir = {cal}\n#"))
    from conftest import run_daemon_once, SESSIOND
    try:
        return cal, [run_daemon_once(conf, binary=SESSIOND), run_daemon_once(conf)]
    finally:
        s.close()


def test_malformed_override_file_stops_the_daemons_at_start(tmpdir_short):
    cal, runs = start_with_one_override(tmpdir_short, "2024.conf",
                                        "[off]\n2024-02-08 = Tết\n[work]\n2024-13-01 = x\n")
    for rc, err in runs:
        assert rc != 0 and f"{cal}/2024.conf:4" in one_line(err), err


def test_override_line_with_a_colon_stops_the_daemons_at_start(tmpdir_short):
    # inih takes "DATE: REASON" as an entry too: it must not pass silently.
    cal, runs = start_with_one_override(tmpdir_short, "2025.conf",
                                        "[work]\n# make-up Saturday\n2025-04-26: Làm bù\n")
    for rc, err in runs:
        assert rc == 1, err
        assert (f"calendar: {cal}/2025.conf:3: '2025-04-26:' has ':' where '=' belongs "
                "(expected DATE = REASON)") in one_line(err), err


def test_calendar_year_out_of_range_says_so(services):
    s = services
    for year in ("-1", "99999", "1899", "2200", "0", "99999999999999999999"):
        rc, out, err = s.cli("calendar", year)
        assert (rc, out) == (2, ""), f"{year}: {rc} {out}{err}"
        assert one_line(err) == f"thuky: year {year} is out of range 1900-2199", err
    for text in ("MMXXVI", "2026x", "-", ""):
        rc, out, err = s.cli("calendar", text)
        assert rc == 2 and "usage: thuky calendar YEAR" in one_line(err), f"{text}: {err}"
    assert s.json("calendar", "1900")["days"][0]["date"] == "1900-01-01"
    assert s.json("calendar", "2199")["year"] == 2199


def test_calendar_year_without_an_announcement_is_provisional(services):
    s = services
    for year in ("2019", "2022", "2026"):   # deploy/calendar has a file (2022's is empty)
        rc, out, err = s.cli("calendar", year)
        assert rc == 0 and out and err == "", f"{year}: {err}"
        assert s.json("calendar", year)["provisional"] is False
    warning = ("thuky: warning: 2027 has no official announcement (no override file): its "
               "days off are computed from the Labour Code and provisional")
    rc, out, err = s.cli("calendar", "2027")
    assert rc == 0 and "2027-01-01" in out and one_line(err) == warning
    rc, out, err = s.cli("--json", "calendar", "2027")
    doc = json.loads(out)
    assert rc == 0 and doc["provisional"] is True and doc["year"] == 2027
    assert one_line(err) == warning
    assert s.json("calendar", "2018")["provisional"] is True


def test_sessiond_warns_at_start_of_years_without_an_announcement(tmpdir_short):
    from conftest import CALENDAR_DIR, Daemon
    d = Daemon(tmpdir_short, name="sessiond")
    try:
        # The daemon clock's year and the next, when they have no file.
        for clock, warned in (("2026-12-31T23:30", [2027]), ("2025-03-01T08:00", []),
                              ("2031-01-01T00:10", [2031, 2032])):
            d.start(clock=clock)
            d.stop()
            log = d.stderr_text()
            assert re.findall(r"calendar: no official announcement for (\d+) ", log) == \
                [str(y) for y in warned], log
            for y in warned:
                assert (f"warn: calendar: no official announcement for {y} (no {CALENDAR_DIR}/"
                        f"{y}.conf): working days of {y} are computed from the Labour Code and "
                        "provisional") in log, log
    finally:
        d.close()


def test_demo_sittings_import_is_repeatable(services):
    s = services
    assert "11 added" in s.ok("import", DEMO_SITTINGS)
    assert "0 added, 11 skipped" in s.ok("import", DEMO_SITTINGS)
    ids = {r["id"] for r in s.json("session", "list", "--from", "2024-01-01", "--to",
                                    "2024-12-31")}
    assert {"XV-7", "XV-8", "XV-BT5", "UBTV-XV-35", "GB-BTK-2024@2024-03-04"} <= ids
    doc = json.loads(DEMO_SITTINGS.read_text(encoding="utf-8"))
    assert len(doc["sittings"]) == 11


def test_sittings_survive_a_restart(services):
    s = services
    add_plenary(s)
    s.ok("session", "agenda", "XV-7", "add", "Khai mạc kỳ họp")
    s.sessiond.restart()
    shown = s.json("session", "show", "XV-7")
    assert shown["agenda"] == [{"number": 1, "text": "Khai mạc kỳ họp"}]
    assert shown["version"] == 2


def status_calendar(s):
    rc, out, _ = s.cli("status")
    assert rc == 0, out
    entry = {d["daemon"]: d for d in s.json("status")}["sessiond"]
    return out, entry["calendar_unannounced"]


def test_status_warns_of_a_year_without_an_announcement(services):
    s = services
    s.ok("clock", "set", "2026-03-02T09:00")
    out, missing = status_calendar(s)
    assert missing == [] and "not announced" not in out
    s.ok("clock", "set", "2026-10-05T09:00")     # from October: the coming year too
    out, missing = status_calendar(s)
    assert missing == [2027] and "warning: the working days of 2027 are not announced" in out
    s.ok("clock", "set", "2027-03-02T09:00")
    out, missing = status_calendar(s)
    assert missing == [2027] and "no 2027.conf" in out


def test_task_show_marks_working_day_deadlines_of_unannounced_years(services):
    s = services
    s.ok("clock", "set", "2026-03-02T09:00")
    for year in ("2026", "2027"):
        s.ok("program", "add", year, "--decision", f"1/{year}", "--title", f"CT {year}")
    s.ok("session", "add", "--kind", "conference", "--id", "HN-2705", "--title", "Hội nghị",
         "--start", "2027-05-24")
    s.ok("session", "add", "--kind", "conference", "--id", "HN-2605", "--title", "Hội nghị",
         "--start", "2026-05-25")
    s.wait_followed()
    working = add_task(s, "Theo ngày làm việc", program=2027, due_rel="HN-2705:open:-5wd",
                       before_sitting=False)
    calendar_days = add_task(s, "Theo ngày lịch", program=2027, due_rel="HN-2705:open:-5d",
                             before_sitting=False)
    fixed = add_task(s, "Ngày cố định", program=2027, due="2027-05-20")
    announced = add_task(s, "Năm đã công bố", program=2026, due_rel="HN-2605:open:-5wd",
                         before_sitting=False)
    # and one that counts from an announced year into an unannounced one
    s.ok("session", "add", "--kind", "conference", "--id", "HN-2612", "--title", "Cuối năm",
         "--start", "2026-12-28")
    s.wait_followed()
    across = add_task(s, "Qua năm", program=2026, due_rel="HN-2612:close:+5wd",
                      before_sitting=False)
    for task, year in ((working, 2027), (calendar_days, None), (fixed, None), (announced, None),
                       (across, 2027)):
        shown = s.json("task", "show", task)["deadline"]
        assert shown["provisional"] is (year is not None), (task, shown)
        assert shown.get("provisional_year") == year, (task, shown)
        out = s.ok("task", "show", task)
        assert ("provisional: the working days of 2027 are not announced" in out) is \
            (year is not None), out
