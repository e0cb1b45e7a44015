#!/usr/bin/python3
"""Writes the seed corpus of every fuzz target into tests/fuzz/corpus/.

    /usr/bin/python3 tests/fuzz/make_corpus.py [--py build/py]

Requests and events are built with the python protobuf modules generated
from proto/thuky (build/py after `make`; generated into a temporary
directory with protoc when missing). The request targets take the
structured input of tests/fuzz/fuzz_service.h: a flags byte, then records
[command index][length, 2 bytes LE][body]; command indexes are read from
each service's command table, the server's built-ins follow. Existing
seeds are replaced; run from the repository root.
"""
import argparse
import json
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "fuzz" / "corpus"
BUILTINS = ["status", "events.read", "clock.set", "clock.advance"]
ADMIN, OFFICE, READER, RAW = 0, 2, 3, 4
OFFICE_ID = "vu-thu-ky"
DAY_MS = 86400000


def load_modules(py):
    py = Path(py)
    if not (py / "thuky" / "envelope_pb2.py").exists():
        py = Path(tempfile.mkdtemp(prefix="thuky-pb2-"))
        protos = sorted(str(p.relative_to(REPO / "proto"))
                        for p in (REPO / "proto").rglob("*.proto"))
        subprocess.run(["protoc", f"--python_out={py}", "-Iproto", *protos], cwd=REPO,
                       check=True)
    sys.path.insert(0, str(py))
    global envelope_pb2, event_pb2, notify_pb2, session_pb2, task_pb2
    from thuky import envelope_pb2, event_pb2, notify_pb2, session_pb2, task_pb2  # noqa: F401


def command_table(service, table):
    """Command names in table order, then the built-ins."""
    names = []
    for source in sorted((REPO / "services" / service).glob("*.c")):
        text = source.read_text()
        start = text.find(f"const command_t {table}[]")
        if start >= 0:
            body = text[start:text.index("};", start)]
            names = re.findall(r'\{"([a-z_.]+)",', body)
    assert names, f"no command table {table} in services/{service}"
    return names + BUILTINS


class Seeds:
    def __init__(self, target):
        self.dir = CORPUS / target
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)

    def write(self, name, data):
        if not isinstance(data, (str, bytes)):
            data = data.SerializeToString()
        if isinstance(data, str):
            data = data.encode()
        (self.dir / name).write_bytes(data)


class Requests(Seeds):
    """Seeds for a request target: sequences of commands."""

    def __init__(self, target, service, table):
        super().__init__(target)
        self.commands = command_table(service, table)

    def record(self, command, body=b"", retry=False):
        if not isinstance(body, bytes):
            body = body.SerializeToString()
        selector = self.commands.index(command) | (0x80 if retry else 0)
        return bytes([selector]) + struct.pack("<H", len(body)) + body

    def seq(self, name, *records, role=ADMIN):
        self.write(name, bytes([role]) + b"".join(records))

    def raw(self, name, request, role=ADMIN):
        data = request if isinstance(request, bytes) else request.SerializeToString()
        self.write(name, bytes([role | RAW]) + data)


def envelope(command, body=b"", protocol=None, **fields):
    if not isinstance(body, bytes):
        body = body.SerializeToString()
    return envelope_pb2.Request(
        protocol=envelope_pb2.PROTOCOL_CURRENT if protocol is None else protocol,
        request_id="seed-1", client_id="seed", request_no=1, caller="seed@localhost",
        command=command, body=body, **fields)


def common_requests(s):
    """What every daemon answers: built-ins and bad envelopes."""
    r, C = s.record, envelope_pb2
    s.seq("status", r("status"))
    s.seq("status-reader", r("status"), role=READER)
    s.seq("events-read", r("events.read", event_pb2.EventsReadRequest(after_seq=0, limit=5)))
    s.seq("events-read-tail", r("events.read", event_pb2.EventsReadRequest(after_seq=3)),
          role=READER)
    s.seq("clock", r("clock.advance", C.ClockRequest(advance_ms=DAY_MS * 10)),
          r("clock.set", C.ClockRequest(set_ms=1735660800000)),
          r("status"))
    s.raw("raw-status", envelope("status"))
    s.raw("raw-old-protocol", envelope("status", protocol=7))
    s.raw("raw-unknown-command", envelope("task.delete"))
    s.raw("raw-bad-body", envelope(s.commands[0], b"\xff\xff\xff\x0f"))
    s.raw("raw-garbage", b"\x0a\x80\x80")
    s.raw("raw-empty", b"")


def task(title, lead=OFFICE_ID, due=None, rel=None, year=2024, group=1, **fields):
    """A Task; due is "2024-05-20" or "2024-05-20T17:00", rel "XV-7:open:-20d"."""
    T = task_pb2
    t = T.Task(program_year=year, group=group, title=title, lead_office=lead, **fields)
    if due:
        t.deadline.absolute.date = due[:10]
        if len(due) > 10:
            t.deadline.absolute.time = due[11:]
    if rel:
        sitting_id, anchor, offset = rel.split(":")
        r = t.deadline.relative
        r.sitting_id = sitting_id
        r.anchor = T.ANCHOR_OPENING if anchor == "open" else T.ANCHOR_CLOSING
        r.unit = T.WORKING_DAYS if offset.endswith("wd") else T.CALENDAR_DAYS
        r.offset = int(offset.rstrip("wd"))
    return t


def taskd_seeds():
    s = Requests("fuzz_taskd_request", "taskd", "taskd_commands")
    common_requests(s)
    r, T = s.record, task_pb2

    def add(t, **fields):
        return r("task.add", T.TaskAddRequest(task=t, **fields))

    def update(**fields):
        return r("task.update", T.TaskUpdateRequest(**fields))

    def task_list(**fields):
        return r("task.list", T.TaskListRequest(**fields))

    program = T.Program(year=2025, decision="12/QĐ-TTKQH", title="Chương trình công tác năm 2025",
                        groups=[T.TaskGroup(number=1, title="Tham mưu chương trình")])
    s.seq("program-add", r("program.add", T.ProgramAddRequest(program=program)),
          r("program.list", T.ProgramListRequest()))
    s.seq("task-add-absolute",
          add(task("Báo cáo công tác quý III", due="2024-09-30",
                   with_offices=["vu-phap-luat", "vu-kinh-te"], lead_member="Phan Thị Thùy Linh",
                   basis=["3333/QĐ-TTKQH"], description="Chi tiết")),
          r("task.get", T.TaskGetRequest(id=7)))
    s.seq("task-add-timed", add(task("Họp", due="2024-05-20T17:00")))
    s.seq("task-add-relative", add(task("Gửi tài liệu", rel="XV-7:open:-20")))
    s.seq("task-add-occurrence", add(task("Chuẩn bị giao ban", rel="GB-1@2024-06-03:open:-2wd")))
    s.seq("task-add-unscheduled",
          add(task("Kỳ họp thứ chín", rel="XV-9:close:+10wd"), allow_unscheduled=True),
          add(task("Kỳ họp thứ chín", rel="XV-9:close:+10wd")))
    s.seq("task-add-bad", add(task("Sai", due="2024-02-30")), add(task("", lead="VU THU KY")),
          add(task("Nhóm", group=9)))
    s.seq("task-update",
          update(id=1, progress=100, status=T.TASK_DONE, set_flags=[T.FLAG_DISPUTE],
                 clear_flags=[T.FLAG_QUALITY], note="Đã hoàn thành",
                 title="Báo cáo quý II (sửa)", lead_member="Nguyễn Văn A", expected_version=2),
          r("task.get", T.TaskGetRequest(id=1)))
    s.seq("task-update-deadline",
          update(id=2, deadline=task("x", rel="HN-1:close:+3wd").deadline,
                 lead_office="vu-phap-luat"),
          update(id=3, deadline=task("x", due="2024-12-31").deadline, status=T.TASK_CANCELLED))
    s.seq("task-update-office", update(id=1, progress=60, note="Tiến độ"),
          update(id=5, progress=10), role=OFFICE)
    s.seq("task-list", task_list(program_year=2024, limit=2),
          task_list(office="vu-phap-luat", all_statuses=True),
          task_list(overdue=True),
          task_list(flagged=True, due_before="2024-07-01", due_from="01/01/2024"),
          task_list(sitting="XV-7", status=T.TASK_OPEN))
    s.seq("task-list-office", task_list(), task_list(office="vu-kinh-te"),
          r("task.get", T.TaskGetRequest(id=5)), role=OFFICE)
    s.seq("task-list-reader", task_list(), r("events.read"), role=READER)
    tasks = [task(f"Nhiệm vụ {i}", due=f"2024-0{i}-1{i}", ref=f"2024-{i:02d}")
             for i in range(1, 6)]
    tasks.append(task("Theo kỳ họp", rel="XV-7:close:+5", ref="2024-06"))
    s.seq("task-import", r("task.import", T.TaskImportRequest(program=program, tasks=tasks)),
          r("task.import", T.TaskImportRequest(tasks=tasks[:2])))
    again = add(task("Lặp lại", due="2024-08-01"))
    s.seq("task-add-retry", again, bytes([again[0] | 0x80]) + again[1:])
    s.seq("overdue-after-clock",
          r("clock.advance", envelope_pb2.ClockRequest(advance_ms=DAY_MS * 90)),
          task_list(overdue=True))
    s.raw("raw-task-add",
          envelope("task.add", T.TaskAddRequest(task=task("Thô", due="2024-10-10"))))


def sitting(kind, start, end, title="Phiên họp", **fields):
    """A Sitting; start and end are "2024-05-20" or "2024-05-20T08:30"."""
    def at(text):
        return session_pb2.SittingTime(date=text[:10], time=text[11:] if len(text) > 10 else "")
    return session_pb2.Sitting(kind=kind, title=title, start=at(start), end=at(end), **fields)


def sessiond_seeds():
    s = Requests("fuzz_sessiond_request", "sessiond", "sessiond_commands")
    common_requests(s)
    r, S = s.record, session_pb2

    def add(*args, **fields):
        return r("session.add", S.SessionAddRequest(sitting=sitting(*args, **fields)))

    def get(id_):
        return r("session.get", S.SessionGetRequest(id=id_))

    def session_list(**fields):  # "from" is a Python keyword: pass from_
        if "from_" in fields:
            fields["from"] = fields.pop("from_")
        return r("session.list", S.SessionListRequest(**fields))

    def at(date, time=""):
        return S.SittingTime(date=date, time=time)

    hall = "Nhà Quốc hội, Hà Nội"
    s.seq("add-plenary", add(S.KIND_PLENARY, "2024-10-21", "2024-11-30", "Kỳ họp thứ tám",
                             term="XV", number=8, venue=hall, status=S.SITTING_CONFIRMED),
          get("XV-8"))
    s.seq("add-extraordinary", add(S.KIND_PLENARY, "2024-01-15", "2024-01-18", "Kỳ họp bất thường",
                                   term="XV", number=5, extraordinary=True))
    s.seq("add-standing-overlap", add(S.KIND_STANDING, "2024-05-13T09:00", "2024-05-13T11:00",
                                      "Phiên họp thứ 34", term="XV", number=34, venue=hall))
    rules = ["weekly MON", "every 2 weeks TUE count 10", "monthly last FRI until 2024-12-31",
             "monthly day 15", "FREQ=MONTHLY;BYDAY=1MO", "every 3 months day 1"]
    for i, rule in enumerate(rules):
        s.seq(f"add-briefing-{i}", add(S.KIND_BRIEFING, "2024-01-01T08:00", "2024-01-01T10:00",
                                       "Giao ban", repeat=rule),
              session_list(from_="2024-01-01", to="2024-03-31"))
    s.seq("add-conference-id", add(S.KIND_CONFERENCE, "2024-08-05", "2024-08-06", "Hội nghị",
                                   id="HN-chuyen-trach"))
    s.seq("move", r("session.move", S.SessionMoveRequest(id="XV-7", start=at("2024-05-27"),
                                                          end=at("2024-07-05"))),
          get("XV-7"))
    s.seq("move-occurrence",
          r("session.move", S.SessionMoveRequest(id="GB-1@2024-05-06",
                                                 start=at("2024-05-07", "14:00"),
                                                 end=at("2024-05-07", "16:00"))),
          get("GB-1@2024-05-06"))
    s.seq("cancel",
          r("session.cancel", S.SessionCancelRequest(id="HN-1", reason="Lùi sang quý IV")),
          r("session.cancel", S.SessionCancelRequest(id="GB-1@2024-06-03", reason="Trùng lịch")),
          session_list(include_cancelled=True))
    s.seq("status",
          r("session.status", S.SessionStatusRequest(id="XV-7", status=S.SITTING_POSTPONED)),
          r("session.status", S.SessionStatusRequest(id="XV-7", status=S.SITTING_CANCELLED)))
    s.seq("agenda", r("session.agenda.add", S.AgendaAddRequest(id="XV-7", task_id=12)),
          r("session.agenda.add",
            S.AgendaAddRequest(id="UBTV-XV-33", text="Cho ý kiến dự án Luật")),
          get("XV-7"))
    s.seq("list", session_list(from_="2024-05-01", next_only=True),
          session_list(kind=S.KIND_BRIEFING, limit=3),
          session_list(from_="01/06/2024", to="31/12/2024"))
    s.seq("list-office", session_list(), r("session.ical", S.SessionIcalRequest()), role=OFFICE)
    s.seq("ical", r("session.ical", S.SessionIcalRequest()),
          r("session.ical", S.SessionIcalRequest(kind=S.KIND_BRIEFING)))

    def add_days(date, days, **fields):
        return r("calendar.add_days", S.CalendarAddDaysRequest(date=date, days=days, **fields))

    s.seq("calendar", r("calendar.year", S.CalendarYearRequest(year=2024)),
          add_days("07/02/2024", 1), add_days("2024-05-02", -3),
          add_days("2024-05-02", 30, calendar_days=True))
    s.raw("raw-session-get", envelope("session.get", S.SessionGetRequest(id="GB-1@2024-03-04")))


def notifyd_seeds():
    s = Requests("fuzz_notifyd_request", "notifyd", "notifyd_commands")
    common_requests(s)
    r, N = s.record, notify_pb2

    def office_add(replace=False, **fields):
        return r("office.add", N.OfficeAddRequest(office=N.Office(**fields), replace=replace))

    def office_get(id_):
        return r("office.get", N.OfficeGetRequest(id=id_))

    def alert_list(**fields):  # "from" is a Python keyword: pass from_
        if "from_" in fields:
            fields["from"] = fields.pop("from_")
        return r("alert.list", N.AlertListRequest(**fields))

    def ack(id_):
        return r("alert.ack", N.AlertAckRequest(id=id_))

    def silence(**fields):
        return r("alert.silence", N.SilenceRequest(silence=N.Silence(**fields)))

    def preview(**fields):
        return r("alert.preview", N.AlertPreviewRequest(**fields))

    policy = N.Policy(lead_days=[5, 2, 0], deliver_at="07:30", overdue_every=3, escalate_after=4,
                      sitting_reminder_days=2)
    s.seq("office-add",
          office_add(id="vu-dan-nguyen", name="Vụ Dân nguyện", kind=N.OFFICE_DEPARTMENT,
                     email="vudn@quochoi.vn", focal_name="Trần Văn B", focal_role="Vụ trưởng",
                     lang="en", escalate_to=OFFICE_ID, policy=policy),
          office_get("vu-dan-nguyen"), r("office.list", N.OfficeListRequest()))
    s.seq("office-replace", office_add(replace=True, id="vu-kinh-te", name="Vụ Kinh tế",
                                       kind=N.OFFICE_COMMITTEE, email="vukt@quochoi.vn"))
    s.seq("office-bad",
          office_add(id="x", name="Webhook", kind=N.OFFICE_DELEGATION,
                     webhook_url="https://example.vn/h", webhook_secret_file="/etc/passwd"),
          office_add(id="y", name="Y", kind=N.OFFICE_DEPARTMENT, webhook_secret="lộ"))
    s.seq("office-own", office_get(OFFICE_ID), office_get("vu-phap-luat"),
          r("policy.get", N.PolicyGetRequest()), role=OFFICE)
    s.seq("alert-list", alert_list(),
          alert_list(office="vu-phap-luat", state=N.ALERT_PLANNED, from_="2024-05-01", limit=3),
          alert_list(task_id=1))
    s.seq("alert-ack", ack("A1-20240510-L3-vu-thu-ky"), alert_list(task_id=1))
    s.seq("alert-ack-office", ack("A1-20240510-L7-vu-thu-ky"), ack("A2-20240415-O2-vu-phap-luat"),
          role=OFFICE)
    s.seq("alert-silence", silence(task_id=1, until="2024-06-30", reason="Đã báo cáo"),
          silence(office="vu-kinh-te", until="31/12/2024", reason="Nghỉ"),
          silence(sitting_id="XV-7", until="2024-06-28", reason="Kỳ họp"))
    s.seq("alert-preview", preview(date="2024-05-03"), preview(),
          r("policy.get", N.PolicyGetRequest()))
    s.seq("alert-redeliver", r("alert.redeliver", N.RedeliverRequest(office=OFFICE_ID)),
          r("alert.redeliver", N.RedeliverRequest(office=OFFICE_ID,
                                                  delivery_id="D-vu-thu-ky-202405130800")),
          r("alert.redeliver", N.RedeliverRequest(office="vu-khong-co")))
    s.seq("alert-silences", silence(task_id=1, until="2024-06-30", reason="Đã báo cáo"),
          r("alert.silences", N.SilenceListRequest()),
          r("alert.silences", N.SilenceListRequest(all=True)),
          r("alert.unsilence", N.SilenceLiftRequest(id="S1")),
          r("alert.unsilence", N.SilenceLiftRequest(id="S99")))
    s.seq("preview-after-clock",
          r("clock.advance", envelope_pb2.ClockRequest(advance_ms=DAY_MS * 20)), preview())
    s.raw("raw-office-list", envelope("office.list", N.OfficeListRequest()))


def event_seeds():
    s = Seeds("fuzz_event_apply")
    E, S, T = event_pb2, session_pb2, task_pb2
    seq = [0]

    def ev(type_, subject, **payload):
        seq[0] += 1
        return E.Event(seq=seq[0], id=f"src-{seq[0]}", source="/thuky/sessiond", type=type_,
                       subject=subject, time_ms=1714525200000, **payload)

    def session(type_, subject, sitting_, **fields):
        return ev(type_, subject, session=S.SessionEvent(sitting=sitting_, **fields))

    def task_event(type_, t, **fields):
        return ev(type_, f"T{t.id}", task=T.TaskEvent(task=t, caller="seed", **fields))

    xv7 = sitting(S.KIND_PLENARY, "2024-05-27", "2024-07-05", "Kỳ họp thứ bảy", id="XV-7",
                  term="XV", number=7, status=S.SITTING_CONFIRMED,
                  agenda=[S.AgendaItem(number=1, task_id=2, text="Tài liệu"),
                          S.AgendaItem(number=2, task_id=1)])
    s.write("session-moved", session("session.moved", "XV-7", xv7, caller="seed",
                                     old_start=S.SittingTime(date="2024-05-20"),
                                     old_end=S.SittingTime(date="2024-06-28")))
    hn1 = sitting(S.KIND_CONFERENCE, "2024-09-10", "2024-09-11", "Hội nghị", id="HN-1",
                  status=S.SITTING_CANCELLED, cancel_reason="Lùi sang quý IV")
    s.write("session-cancelled", session("session.cancelled", "HN-1", hn1))
    moved = S.Occurrence(original_date="2024-03-04", sequence=1,
                         start=S.SittingTime(date="2024-03-11", time="14:00"),
                         end=S.SittingTime(date="2024-03-11", time="16:00"))
    gb1 = sitting(S.KIND_BRIEFING, "2024-01-01T08:00", "2024-01-01T10:00", "Giao ban", id="GB-1",
                  repeat="monthly first MON", sequence=2,
                  exceptions=[moved, S.Occurrence(original_date="2024-04-01", cancelled=True)])
    s.write("session-occurrence-moved",
            session("session.moved", "GB-1@2024-03-04", gb1, occurrence="2024-03-04"))
    s.write("session-series", session("session.updated", "GB-1", gb1))
    xv9 = sitting(S.KIND_PLENARY, "2025-02-12", "2025-02-19", "Kỳ họp bất thường", id="XV-9",
                  term="XV", number=9)
    s.write("session-created-new", session("session.created", "XV-9", xv9))

    t1 = task("Báo cáo công tác quý II", due="2024-05-15", id=1, version=2,
              with_offices=["vu-phap-luat"])
    t1.deadline.resolved_date = "2024-05-15"
    s.write("task-deadline-changed", task_event("task.deadline_changed", t1, changes=[
        T.FieldChange(field="deadline.date", old_value="2024-05-10", new_value="2024-05-15")]))
    t2 = task("Gửi tài liệu kỳ họp", rel="XV-7:open:-20", id=3, version=2, lead="vu-kinh-te")
    t2.deadline.resolved_date = "2024-05-07"
    t2.flags.append(T.FLAG_SITTING_CANCELLED)
    s.write("task-relative", task_event("task.updated", t2))
    t3 = task("Báo cáo quá hạn", due="2024-04-15", id=2, version=3, status=T.TASK_DONE,
              progress=100)
    t3.deadline.resolved_date = "2024-04-15"
    s.write("task-done", task_event("task.updated", t3))
    t4 = task("Nhiệm vụ mới", due="2024-05-06T17:00", id=9, lead="vu-moi",
              with_offices=[OFFICE_ID, "vu-kinh-te"])
    t4.deadline.resolved_date = "2024-05-06"
    s.write("task-created", task_event("task.created", t4))
    s.write("program-created", ev("program.created", "program/2024", program=T.ProgramEvent(
        program=T.Program(year=2024, title="Chương trình"))))


def config_seeds():
    s = Seeds("fuzz_config")
    s.write("thuky.conf", (REPO / "deploy" / "thuky.conf").read_bytes())
    s.write("minimal", "[core]\nruntime_dir = /tmp/thuky/run\nstate_dir = /tmp/thuky/var\n")
    s.write("access", "[core]\nlocal_role = office\nlocal_office = vu-thu-ky\n"
                      "[user:linh]\nrole = office\noffice = vu-phap-luat\n"
                      "[user:backup]\nrole = reader\n"
                      "[client:portal]\nrole = reader\n"
                      "public_key = rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\n")
    s.write("endpoints", "[taskd]\ncommand = tcp://10.0.0.5:7101\nevents = tcp://10.0.0.5:7102\n"
                         "store = /srv/thuky/taskd\nmap_size = 1G\nmax_message = 512K\n"
                         "[sessiond]\ncommand = ipc:///run/thuky/s.cmd\nbatch_max = 1\n"
                         "gather_us = 0\n"
                         "[core]\nkey_dir = /etc/thuky/keys\n"
                         "client_key_file = /root/.config/thuky/client.key\n")
    s.write("notifyd", "[notifyd]\nsmtp_url = smtps://mail.quochoi.vn:465\nsmtp_user = thuky\n"
                       "smtp_password_file = /etc/thuky/smtp.pass\nsmtp_starttls = yes\n"
                       "mail_from = thuky@quochoi.vn\nlead_days = 10, 5,1\ndeliver_at = 07:45\n"
                       "spool_dir = /var/spool/thuky\nretry_max = 3\n"
                       "[client]\ntimeout_ms = 100\nretries = 0\n")
    s.write("bad-key", "[core]\nlog_level = loud\n")
    s.write("bad-section", "; comment\n[teskd]\nmap_size = 64M\n")
    s.write("long-line", "[core]\nstate_dir = /" + "x" * 250 + "\n")
    s.write("size", "64M")
    s.write("size-k", "512k")
    s.write("role", "reader")


def import_seeds():
    s = Seeds("fuzz_import")
    demo = REPO / "deploy" / "demo"
    s.write("sittings-2024.json", (demo / "sittings-2024.json").read_bytes())
    program = json.loads((demo / "program-2024.json").read_text())
    small = dict(program, tasks=program.get("tasks", [])[:4])
    small["program"] = dict(program["program"], groups=program["program"]["groups"][:3])
    s.write("program-small.json", json.dumps(small, ensure_ascii=False, indent=1))
    offices = [
        {"id": "vu-thu-ky", "name": "Vụ Thư ký", "kind": "secretariat", "email": "vtk@quochoi.vn",
         "focal": "Phan Thị Thùy Linh", "lang": "vi"},
        {"id": "vu-phap-luat", "name": "Vụ Pháp luật", "kind": "department",
         "escalate": "vu-thu-ky", "webhook": "https://hooks.example.vn/vpl",
         "webhook_secret_file": "/etc/thuky/vpl.secret"}]
    tasks = [{"ref": "2025-01", "group": 1, "title": "Báo cáo", "lead": "vu-thu-ky",
              "with": ["vu-phap-luat"], "due_rel": "XV-9:open:-20d", "unplanned": True,
              "basis": ["3333/QĐ-TTKQH", "734/KH-UBTVQH15"], "member": "Nguyễn Văn A",
              "description": "…"}]
    s.write("offices.json", json.dumps({
        "offices": offices,
        "program": {"year": 2025, "groups": [{"number": 1, "title": "Nhóm 1"}]},
        "tasks": tasks}, ensure_ascii=False))
    sittings = [
        {"kind": "briefing", "title": "Giao ban", "start": "2024-01-01T08:00",
         "end": "2024-01-01T10:00", "repeat": "monthly first MON", "id": "GB-1"},
        {"kind": "standing", "term": "XV", "number": 33, "title": "Phiên họp",
         "start": "2024-05-13T08:30"},
        {"kind": "meeting", "title": "?"}]
    s.write("sittings-mixed.json", json.dumps({"sittings": sittings}, ensure_ascii=False))
    s.write("bad.json", '{"program": {"year": "2024"}, '
                        '"tasks": [{"due": "2024-05-20", "due_rel": "XV-7:open:-1d"}]}')


def date_seeds():
    s = Seeds("fuzz_date")
    gb1 = "|2024-01-01 08:00|2024-01-01 10:00|monthly first MON"
    items = ["2024-05-20", "20/05/2024", "5/1/2024", "2024-02-29", "2023-02-29", "1900-01-01",
             "2199-12-31", "2200-01-01", "2024-05-20T08:30", "2024-05-20 23:59",
             "20/05/2024 08:30", "08:30", "24:00", "XV-7:open:-20d", "XV-7:close:+10wd",
             "GB-1@2024-03-04:open:-2wd", "XV-7:open:+3650", "UBTV-XV-33", "GB-1@20/05/2024",
             "plenary", "cancelled", "XV-7|2024-05-20|2024-06-28|",
             "GB-1@2024-03-04" + gb1,
             "GB-1@2024-03-04" + gb1 + "|2024-03-04|2024-03-11 14:00",
             "GB-1@2024-04-01|2024-01-01|2024-01-02|FREQ=MONTHLY;BYDAY=1MO|2024-04-01|x"]
    for i, text in enumerate(items):
        s.write(f"d{i:02d}", text)


def repeat_seeds():
    s = Seeds("fuzz_repeat")
    rules = ["weekly MON", "every 2 weeks TUE", "monthly first MON", "monthly last FRI",
             "monthly day 15", "every 3 months day 1 until 2025-03-31",
             "weekly MON until 2024-12-31", "every 2 weeks TUE count 10",
             "Monthly  last  friday  until 31/12/2024", "every 12 months fourth THU count 1000",
             "FREQ=WEEKLY;BYDAY=MO", "FREQ=MONTHLY;BYDAY=1MO",
             "FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20241231", "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
             "COUNT=5;FREQ=MONTHLY;BYMONTHDAY=31",
             "UNTIL=21991231;BYDAY=3SA;FREQ=MONTHLY;INTERVAL=12", "monthly day 29", "daily"]
    for i, rule in enumerate(rules):
        s.write(f"r{i:02d}", rule)
    # After a newline: the series' start and the window (fuzz_repeat.c).
    s.write("r-window", b"monthly day 31\n\x10\x00\x20\x00\xff")
    s.write("r-early", b"weekly SUN count 3\n\x00\xf0\x00\x00\x40")


def calendar_seeds():
    s = Seeds("fuzz_calendar")
    for conf in sorted((REPO / "deploy" / "calendar").glob("*.conf")):
        s.write(conf.name, conf.read_bytes())
    s.write("vn-dates.conf", "[off]\n02/09/2025 = Quốc khánh\n[work]\n06/09/2025 = Làm bù\n")
    s.write("swap-2199.conf", "# 2199\n[off]\n2199-12-30 = a\n[work]\n2199-12-28 = b\n")
    s.write("errors.conf", "[off]\n2024-04-29 = a\n[work]\n29/04/2024 = b\n[holiday]\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--py", default=str(REPO / "build" / "py"))
    args = parser.parse_args()
    load_modules(args.py)
    for make in (taskd_seeds, sessiond_seeds, notifyd_seeds, event_seeds, config_seeds,
                 import_seeds, date_seeds, repeat_seeds, calendar_seeds):
        make()
    for target in sorted(CORPUS.iterdir()):
        print(f"{target.name}: {len(list(target.iterdir()))} seeds")


if __name__ == "__main__":
    main()
