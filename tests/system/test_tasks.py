"""Work programs and tasks through the thuky command line."""
import datetime
import json
import time

import pytest

from conftest import DEMO_PROGRAM, Daemon, add_task, caller_name, one_line


def ids(tasks):
    return [t["id"] for t in tasks]


def listed(d, *args):
    return d.json("task", "list", *args)


# ---- programs ----------------------------------------------------------------


def test_program_add_then_repeat_is_conflict(daemon):
    out = daemon.ok("program", "add", "2024", "--decision", "3333/QĐ-TTKQH", "--title",
                    "Chương trình công tác năm 2024", "--group", "1:Tham mưu chương trình")
    assert "2024" in out
    rc, out, err = daemon.cli("program", "add", "2024", "--decision", "1/QĐ", "--title", "khác")
    assert rc == 4, (rc, out, err)
    assert "2024" in one_line(err) and "exists" in err
    programs = daemon.json("program", "list")
    assert len(programs) == 1
    p = programs[0]
    assert p["year"] == 2024 and p["decision"] == "3333/QĐ-TTKQH"
    assert p["title"] == "Chương trình công tác năm 2024"  # the first one was kept
    assert p["groups"] == [{"number": 1, "title": "Tham mưu chương trình"}]


# ---- adding tasks ---------------------------------------------------------------


def test_task_add_due_in_both_forms(program):
    iso = add_task(program, "Hạn ISO", due="2024-05-20")
    vn = add_task(program, "Hạn kiểu Việt", due="20/05/2024")
    assert iso != vn
    for tid in (iso, vn):
        t = program.json("task", "show", tid)
        assert t["deadline"]["date"] == "2024-05-20"
        assert t["deadline"]["kind"] == "absolute" and t["deadline"]["resolved"] is True
    # people read dates as dd/mm/yyyy
    table = program.ok("task", "list")
    assert table.count("2024-05-20") == 2


def test_task_before_its_sitting_is_refused_unless_asked(program):
    rc, out, err = program.cli("task", "add", "--program", "2024", "--title", "sớm", "--lead",
                               "vu-thu-ky", "--due-rel", "XV-7:open:-20d")
    assert rc == 3 and "XV-7 is not known" in err and out == ""
    assert program.json("task", "list", "--all") == []


def test_task_add_relative_deadline_is_unresolved(program):
    tid = add_task(program, "Gửi tài liệu kỳ họp", due_rel="XV-7:open:-20d")
    table = program.ok("task", "list")
    row = next(line for line in table.splitlines() if line.startswith(tid + " "))
    assert "XV-7:open:-20d" in row and "unresolved" in row
    shown = program.ok("task", "show", tid)
    assert "rule XV-7:open:-20d" in shown
    t = program.json("task", "show", tid)
    assert t["deadline"] == {"rule": "XV-7:open:-20d", "kind": "relative", "date": None,
                             "resolved": False, "provisional": False}
    wd = add_task(program, "Báo cáo sau bế mạc", due_rel="XV-7:close:+10wd")
    assert program.json("task", "show", wd)["deadline"]["rule"] == "XV-7:close:+10wd"


def test_task_add_records_every_field(program):
    tid = add_task(program, "Nhiệm vụ đột xuất", lead="vu-tu-phap", due="2024-09-30",
                   with_=["vu-phap-luat", "vien-nclp"],
                   extra=["--member", "Nguyễn Trường Giang", "--group", "2", "--basis",
                          "734/KH-UBTVQH15", "--basis", "27-NQ/TW", "--unplanned",
                          "--description", "Phối hợp rà soát"])
    t = program.json("task", "show", tid)
    assert t["id"] == tid and t["program"] == 2024 and t["group"] == 2
    assert t["title"] == "Nhiệm vụ đột xuất" and t["description"] == "Phối hợp rà soát"
    assert t["lead"] == "vu-tu-phap" and t["member"] == "Nguyễn Trường Giang"
    assert t["with"] == ["vu-phap-luat", "vien-nclp"]
    assert t["basis"] == ["734/KH-UBTVQH15", "27-NQ/TW"]
    assert t["unplanned"] is True
    assert t["status"] == "open" and t["progress"] == 0 and t["flags"] == []
    assert t["version"] == 1 and t["comments"] == 0
    assert len(t["history"]) == 1 and t["history"][0]["caller"] == caller_name()


# ---- listing ----------------------------------------------------------------------


def test_list_in_deadline_order(program):
    made = {}
    for title, due in [("c", "2024-09-01"), ("a", "2024-03-01"), ("rel", None),
                       ("b", "15/06/2024"), ("a2", "2024-03-01")]:
        if due:
            made[title] = add_task(program, title, due=due)
        else:
            made[title] = add_task(program, title, due_rel="XV-8:open:-45d")
    got = ids(listed(program))
    # by date, same date by id, no resolved date last
    assert got == [made["a"], made["a2"], made["b"], made["c"], made["rel"]]
    table = program.ok("task", "list").splitlines()
    order = [line.split()[0] for line in table[2:]]
    assert order == got


def _dataset(d):
    """Tasks over two programs, offices and statuses; returns {name: id}."""
    d.ok("program", "add", "2025", "--decision", "1/QĐ-TTKQH", "--title", "Năm 2025")
    spec = [
        # name, lead, with, due, program
        ("early", "vu-thu-ky", ["vu-kinh-te"], "2024-03-29", 2024),
        ("april", "vu-kinh-te", [], "2024-04-12", 2024),
        ("june1", "vu-tu-phap", ["vu-thu-ky"], "2024-06-01", 2024),
        ("july", "vu-thu-ky", [], "2024-07-05", 2024),
        ("y2025", "vu-kinh-te", ["vu-tu-phap"], "2025-02-01", 2025),
        ("rel", "vu-thong-tin", ["vu-kinh-te"], None, 2024),
    ]
    made = {}
    for name, lead, with_, due, year in spec:
        made[name] = add_task(d, name, lead=lead, with_=with_, program=year, due=due,
                              due_rel=None if due else "XV-8:open:-20d")
    return made


def test_list_filters(program):
    d = program
    t = _dataset(d)
    d.set_clock("2024-06-01T08:00")
    d.ok("task", "done", t["april"])
    d.ok("task", "update", t["july"], "--progress", "20")
    d.ok("task", "update", t["early"], "--flag", "dispute")

    # default: open and in progress only, in deadline order
    assert ids(listed(d)) == [t["early"], t["june1"], t["july"], t["y2025"], t["rel"]]
    # --office: lead or coordinating (--with)
    assert ids(listed(d, "--office", "vu-kinh-te")) == [t["early"], t["y2025"], t["rel"]]
    assert ids(listed(d, "--office", "vu-thu-ky")) == [t["early"], t["june1"], t["july"]]
    assert ids(listed(d, "--office", "vu-doi-ngoai")) == []
    # --program
    assert ids(listed(d, "--program", "2025")) == [t["y2025"]]
    assert ids(listed(d, "--program", "2024")) == [t["early"], t["june1"], t["july"], t["rel"]]
    # --status
    assert ids(listed(d, "--status", "in_progress")) == [t["july"]]
    assert ids(listed(d, "--status", "done")) == [t["april"]]
    assert ids(listed(d, "--status", "open")) == [t["early"], t["june1"], t["y2025"], t["rel"]]
    # --due-before is exclusive, and takes both date forms
    assert ids(listed(d, "--due-before", "2024-06-01")) == [t["early"]]
    assert ids(listed(d, "--due-before", "02/06/2024")) == [t["early"], t["june1"]]
    # --overdue: before today (2024-06-01 on the test clock), not done
    assert ids(listed(d, "--overdue")) == [t["early"]]
    d.set_clock("2024-07-06T08:00")
    assert ids(listed(d, "--overdue")) == [t["early"], t["june1"], t["july"]]
    # --flagged
    assert ids(listed(d, "--flagged")) == [t["early"]]
    # --limit keeps the first in deadline order
    assert ids(listed(d, "--limit", "2")) == [t["early"], t["june1"]]
    # filters combine
    assert ids(listed(d, "--office", "vu-thu-ky", "--due-before", "2024-07-01")) == \
        [t["early"], t["june1"]]
    assert ids(listed(d, "--all", "--office", "vu-kinh-te")) == \
        [t["early"], t["april"], t["y2025"], t["rel"]]



def test_count_equals_the_list_for_every_filter(program):
    """--count answers some filters from the index alone and reads the tasks
    for the rest; either way it is the number of rows the list shows."""
    d = program
    t = _dataset(d)
    d.set_clock("2024-06-01T08:00")
    d.ok("task", "done", t["april"])
    d.ok("task", "update", t["july"], "--progress", "20")
    d.ok("task", "update", t["early"], "--flag", "dispute")
    d.ok("task", "update", t["april"], "--flag", "quality")
    filters = [
        [], ["--all"], ["--status", "done"], ["--status", "open"], ["--flagged"],
        ["--flagged", "--all"], ["--flagged", "--status", "open"], ["--office", "vu-kinh-te"],
        ["--program", "2024"], ["--overdue"], ["--due-before", "2024-06-02"],
        ["--due-from", "2024-04-01", "--due-before", "2024-07-01"],
        ["--all", "--due-from", "2024-04-01"], ["--sitting", "XV-8"],
        ["--office", "vu-thu-ky", "--due-before", "2024-07-01"], ["--office", "vu-doi-ngoai"],
    ]
    for f in filters:
        expected = len(listed(d, *f))
        assert d.ok("task", "list", "--count", *f).strip() == str(expected), f
        assert d.json("task", "list", "--count", *f) == {"count": expected}, f
    assert d.ok("task", "list", "--count", "--all").strip() == "6"
    rc, _, err = d.cli("task", "list", "--count", "--due-before", "31/02/2024")
    assert rc == 2 and "31/02/2024" in err

def test_flagged_filter_with_other_statuses(program):
    d = program
    active = add_task(d, "đang làm", due="2024-05-20")
    finished = add_task(d, "đã xong", due="2024-05-21")
    for tid in (active, finished):
        d.ok("task", "update", tid, "--flag", "quality")
    d.ok("task", "done", finished)
    assert ids(listed(d, "--flagged")) == [active]
    assert ids(listed(d, "--status", "done")) == [finished]
    assert ids(listed(d, "--flagged", "--status", "done")) == [finished]
    assert ids(listed(d, "--flagged", "--all")) == [active, finished]


# ---- updating ----------------------------------------------------------------------


def test_update_progress_flags_note_due_and_done(program):
    d = program
    tid = add_task(d, "Dự thảo Nghị quyết kỳ họp", due="2024-06-26")
    d.set_clock("2024-06-01T08:00")

    t = d.json("task", "update", tid, "--progress", "40")
    assert t["progress"] == 40 and t["status"] == "in_progress"  # work has started

    t = d.json("task", "update", tid, "--flag", "quality", "--flag", "dispute")
    assert sorted(t["flags"]) == ["dispute", "quality"]
    assert ids(listed(d, "--flagged")) == [tid]
    t = d.json("task", "update", tid, "--clear-flag", "quality")
    assert t["flags"] == ["dispute"]
    t = d.json("task", "update", tid, "--clear-flag", "dispute")
    assert t["flags"] == [] and ids(listed(d, "--flagged")) == []

    t = d.json("task", "update", tid, "--note", "Đã gửi xin ý kiến các vụ")
    assert t["comments"] == 1

    t = d.json("task", "update", tid, "--due", "10/07/2024")
    assert t["deadline"]["date"] == "2024-07-10"
    assert ids(listed(d, "--due-before", "2024-07-01")) == []

    d.set_clock("2024-07-09T16:30")
    t = d.json("task", "done", tid, "--note", "Hoàn thành")
    assert t["status"] == "done" and t["progress"] == 100
    assert tid not in ids(listed(d))
    assert ids(listed(d, "--status", "done")) == [tid]
    assert tid in ids(listed(d, "--all"))

    shown = d.json("task", "show", tid)
    history = shown["history"]
    assert len(history) == 8  # created + 7 changes
    who = caller_name()
    assert all(h["caller"] == who for h in history)

    def change(entry, field):
        return next((c["old"], c["new"]) for c in entry["changes"] if c["field"] == field)

    assert change(history[1], "progress") == ("0", "40")
    assert change(history[1], "status") == ("open", "in_progress")
    assert history[1]["time"] == "2024-06-01 08:00"
    assert change(history[2], "flag.quality") == ("", "set")
    assert history[4]["note"] == "" and history[5]["note"] == "Đã gửi xin ý kiến các vụ"
    assert change(history[6], "deadline.date") == ("2024-06-26", "2024-07-10")
    done = history[7]
    assert change(done, "status") == ("in_progress", "done")
    assert change(done, "progress") == ("40", "100")
    assert done["note"] == "Hoàn thành" and done["time"] == "2024-07-09 16:30"
    seqs = [h["event_seq"] for h in history]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)

    # and for people: who, when, old → new
    text = d.ok("task", "show", tid)
    assert "progress: 0 → 40" in text and "status: open → in progress" in text
    assert "deadline: 2024-06-26 → 2024-07-10" in text
    assert "2024-07-09 16:30" in text and who in text and "Hoàn thành" in text


def test_json_output_has_the_fields(program):
    tid = add_task(program, "Báo cáo sơ kết", due="2024-07-05", with_=["vu-phap-luat"])
    task_fields = {"id", "program", "group", "title", "description", "basis", "lead", "member",
                   "with", "deadline", "status", "progress", "flags", "unplanned", "ref",
                   "created", "updated", "version", "comments"}
    [t] = listed(program)
    assert task_fields <= set(t) and t["id"] == tid
    shown = program.json("task", "show", tid)
    assert task_fields | {"history"} <= set(shown)
    assert {"time", "caller", "changes", "note", "event_seq"} <= set(shown["history"][0])
    added = program.json("task", "add", "--program", "2024", "--title", "JSON", "--lead",
                         "vu-thu-ky")
    assert task_fields <= set(added) and added["deadline"] is None
    status = program.json("status")
    assert status[0]["daemon"] == "taskd" and status[0]["up"] is True
    assert status[0]["last_event_seq"] == 3 and status[0]["test_clock"] is True


# ---- import ----------------------------------------------------------------------


def _demo():
    return json.loads(DEMO_PROGRAM.read_text(encoding="utf-8"))


def test_import_demo_program_twice(daemon):
    demo = _demo()
    n = len(demo["tasks"])
    assert n == 19
    first = daemon.json("import", DEMO_PROGRAM)
    assert first == {"program": 2024, "created": n, "skipped": 0}
    second = daemon.json("import", DEMO_PROGRAM)
    assert second == {"program": 2024, "created": 0, "skipped": n}
    out = daemon.ok("import", DEMO_PROGRAM)
    assert f"0 task(s) created, {n} skipped" in out

    tasks = listed(daemon, "--all")
    assert len(tasks) == n
    by_ref = {t["ref"]: t for t in tasks}
    assert set(by_ref) == {t["ref"] for t in demo["tasks"]}
    for src in demo["tasks"]:
        t = by_ref[src["ref"]]
        assert t["title"] == src["title"] and t["lead"] == src["lead"]
        assert t["group"] == src["group"] and t["with"] == src["with"]
        assert t["unplanned"] == src["unplanned"]
        if "due" in src:
            assert t["deadline"]["date"] == src["due"]
        else:
            assert t["deadline"]["rule"] == src["due_rel"] and not t["deadline"]["resolved"]
    [p] = daemon.json("program", "list")
    assert p["decision"] == demo["program"]["decision"]
    assert [g["number"] for g in p["groups"]] == [g["number"] for g in demo["program"]["groups"]]



def test_import_larger_than_one_message_goes_in_chunks(daemon_factory, tmp_path):
    """The CLI splits an import to fit the task service's max_message; every
    task arrives once, and the import stays repeatable."""
    d = daemon_factory("[taskd]\nmax_message = 16K\n")
    tasks = [{"ref": f"big-{i}", "title": f"Nhiệm vụ số {i} " + "x" * (i % 200),
              "lead": "vu-thu-ky", "due": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}"}
             for i in range(400)]
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"program": {"year": 2024, "decision": "1/QĐ", "title": "t"},
                                "tasks": tasks}, ensure_ascii=False), encoding="utf-8")
    assert path.stat().st_size > 4 * 16 * 1024
    assert d.json("import", path) == {"program": 2024, "created": 400, "skipped": 0}
    assert d.json("import", path) == {"program": 2024, "created": 0, "skipped": 400}
    got = listed(d, "--all", "--limit", "1000")
    assert sorted(t["ref"] for t in got) == sorted(t["ref"] for t in tasks)
    assert {t["ref"]: t["title"] for t in got} == {t["ref"]: t["title"] for t in tasks}

def test_briefing_report(daemon):
    demo = _demo()
    daemon.ok("import", DEMO_PROGRAM)
    by_ref = {t["ref"]: t["id"] for t in listed(daemon, "--all")}
    day = datetime.date(2024, 6, 1)
    until = day + datetime.timedelta(days=14)

    def due(src):
        return datetime.date.fromisoformat(src["due"]) if "due" in src else None

    dated = [s for s in demo["tasks"] if due(s)]
    behind = sorted((s for s in dated if due(s) < day), key=lambda s: (due(s), by_ref[s["ref"]]))
    soon = sorted((s for s in dated if day <= due(s) < until),
                  key=lambda s: (due(s), by_ref[s["ref"]]))
    later = [s for s in dated if due(s) >= until]
    assert behind and soon and len(later) >= 3  # the file gives every section something

    # flags; one behind-schedule task gets done and leaves the report
    quality, dispute, finished = later[0]["ref"], later[1]["ref"], behind[0]["ref"]
    daemon.ok("task", "update", by_ref[quality], "--flag", "quality")
    daemon.ok("task", "update", by_ref[dispute], "--flag", "dispute")
    daemon.ok("task", "update", by_ref[later[2]["ref"]], "--flag", "quality", "--flag", "dispute")
    daemon.ok("task", "done", by_ref[finished])

    report = daemon.json("report", "briefing", "--date", "2024-06-01")
    assert report["date"] == "2024-06-01"

    def refs(section):
        return [t["ref"] for t in report[section]]

    assert refs("behind_schedule") == [s["ref"] for s in behind if s["ref"] != finished]
    assert refs("due_soon") == [s["ref"] for s in soon]
    assert sorted(refs("quality")) == sorted([quality, later[2]["ref"]])
    assert sorted(refs("dispute")) == sorted([dispute, later[2]["ref"]])
    # the Vietnamese date form gives the same report
    assert daemon.json("report", "briefing", "--date", "01/06/2024") == report
    text = daemon.ok("report", "briefing", "--date", "2024-06-01")
    assert "2024-06-01" in text


# ---- durability ------------------------------------------------------------------------


def test_restart_keeps_everything(daemon):
    daemon.ok("import", DEMO_PROGRAM)
    daemon.set_clock("2024-06-01T08:00")
    tasks = listed(daemon, "--all")
    daemon.ok("task", "update", tasks[0]["id"], "--progress", "50", "--note", "giữa kỳ")
    daemon.ok("task", "update", tasks[1]["id"], "--flag", "quality")
    daemon.ok("task", "done", tasks[2]["id"])
    added = add_task(daemon, "Sau khi nhập", due="2024-08-01")

    before = {
        "all": daemon.ok("--json", "task", "list", "--all"),
        "default": daemon.ok("task", "list"),
        "show": daemon.ok("--json", "task", "show", tasks[0]["id"]),
        "programs": daemon.ok("--json", "program", "list"),
        "events": daemon.ok("--json", "events", "tail"),
    }
    seq_before = daemon.json("status")[0]["last_event_seq"]
    daemon.restart()
    after = {
        "all": daemon.ok("--json", "task", "list", "--all"),
        "default": daemon.ok("task", "list"),
        "show": daemon.ok("--json", "task", "show", tasks[0]["id"]),
        "programs": daemon.ok("--json", "program", "list"),
        "events": daemon.ok("--json", "events", "tail"),
    }
    assert after == before
    assert daemon.json("status")[0]["last_event_seq"] == seq_before
    # and it goes on from there: next id, next seq
    nxt = add_task(daemon, "Sau khởi động lại")
    assert int(nxt[1:]) == int(added[1:]) + 1
    assert daemon.json("status")[0]["last_event_seq"] == seq_before + 1


def test_sigterm_stops_the_daemon_promptly(tmpdir_short):
    # A lost wakeup shows up in roughly a quarter of the stops: try up to 30 daemons.
    for i in range(30):
        tmp = tmpdir_short / f"d{i}"
        tmp.mkdir()
        d = Daemon(tmp)
        try:
            d.start()
            d.ok("program", "list")
            d.call("status")
            started = time.monotonic()
            d.stop()
            took = time.monotonic() - started
        finally:
            d.kill9()
            d.close()
        assert took < 0.5, f"daemon {i} took {took:.2f} s to stop after SIGTERM"
