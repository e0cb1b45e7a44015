"""The notification service with the task and session services, over the
wire, on the test clock: alerts planned from deadlines, one digest per
office and moment, delivered to the mail spool and to a real webhook
receiver that checks the Standard Webhooks signature."""
import base64
import email
import email.policy
import json
import os
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import Services, add_task, envelope_pb2, wait_for, webhook_signature_ok

SECRET = "whsec_" + base64.b64encode(b"thuky-test-secret-0123456789").decode()


def _secret_file(text, mode=0o600):
    """A webhook secret as notifyd reads it: a file no one else may read."""
    fd, path = tempfile.mkstemp(prefix="thuky-whsec-")
    os.write(fd, text.encode() + b"\n")
    os.close(fd)
    os.chmod(path, mode)
    return path


SECRET_FILE = _secret_file(SECRET)


@pytest.fixture
def three(tmpdir_short):
    s = Services(tmpdir_short, "[notifyd]\nretry_base_ms = 60000\nretry_max = 3\n"
                               "delivery_timeout_ms = 1000\n")
    s.start()
    try:
        s.ok("clock", "set", "2024-05-01T00:00")
        s.ok("program", "add", "2024", "--decision", "3333/QĐ-TTKQH", "--title", "CT 2024")
        s.spool = tmpdir_short / "var" / "mail-spool"
        yield s
    finally:
        try:
            s.stop()
        finally:
            s.close()


def alerts(s, *args):
    return s.json("alert", "list", "--limit", "5000", *args)


def wait_planned(s, task, count):
    return wait_for(lambda: len(alerts(s, "--task", task)) >= count and alerts(s, "--task", task),
                    f"{count} alerts of {task}")


def spool_messages(s):
    if not s.spool.exists():
        return {}
    out = {}
    for path in sorted(s.spool.glob("*.eml")):
        out[path.stem] = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    return out


class Receiver:
    """An HTTP receiver on loopback that verifies every signature and
    answers from a script of status codes (then 200)."""

    def __init__(self, script=()):
        self.script = list(script)
        self.received = []
        self.bad_signatures = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                wid = self.headers["webhook-id"]
                if not webhook_signature_ok(self.headers, body, SECRET):
                    outer.bad_signatures += 1
                code, extra = (outer.script.pop(0) if outer.script else (200, {}))
                if code == "hang":
                    time.sleep(3)           # past the daemon's delivery timeout
                    return
                if code == "close":         # processed, then no answer at all
                    outer.received.append((wid, json.loads(body)))
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if code == 200:
                    outer.received.append((wid, json.loads(body)))
                self.send_response(code)
                for k, v in extra.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_lead_times_and_one_digest_per_office(three):
    s = three
    s.ok("office", "add", "vu-thu-ky", "--name", "Vụ Thư ký", "--kind", "department",
         "--email", "vtk@demo.quochoi.vn", "--focal", "Nguyễn Văn A")
    s.ok("office", "add", "vu-phap-luat", "--name", "Vụ Pháp luật", "--kind", "department",
         "--email", "vpl@demo.quochoi.vn", "--lang", "en")
    t1 = add_task(s, "Báo cáo thẩm tra", due="2024-05-20", with_=["vu-phap-luat"])
    t2 = add_task(s, "Tờ trình dự án luật", due="2024-05-20")
    planned = wait_planned(s, t1, 8)
    mine = sorted((a["kind"], a["days"], a["fire"]) for a in planned if a["office"] == "vu-thu-ky")
    # Mon 20/05: 7 days = Mon 13/05; 3 and 1 day both fall on Fri 17/05 (the
    # Sunday moves back): only the nearer goes; 0 = the day; overdue next day.
    assert mine == [("due", 0, "2024-05-20 08:00"), ("lead", 1, "2024-05-17 08:00"),
                    ("lead", 7, "2024-05-13 08:00"), ("overdue", 1, "2024-05-21 08:00")]
    preview = s.json("alert", "preview", "--date", "2024-05-13")
    assert {p["office"]: len(p["alerts"]) for p in preview} == {"vu-thu-ky": 2, "vu-phap-luat": 1}

    s.ok("clock", "set", "2024-05-13T08:00")
    msgs = wait_for(lambda: len(spool_messages(s)) == 2 and spool_messages(s), "two digests")
    vtk = msgs["D-vu-thu-ky-202405130800"]
    assert vtk["To"].addresses[0].addr_spec == "vtk@demo.quochoi.vn"
    assert vtk["Message-ID"] == "<D-vu-thu-ky-202405130800@thuky>"
    assert "2 nhiệm vụ" in vtk["Subject"]
    body = vtk.get_content()
    assert "Báo cáo thẩm tra" in body and "Tờ trình dự án luật" in body and "20/05/2024" in body
    assert "Deadline reminder" in msgs["D-vu-phap-luat-202405130800"]["Subject"]
    sent = alerts(s, "--sent")
    assert sorted(a["id"] for a in sent) == sorted(
        [f"A{t1[1:]}-20240520-L7-vu-thu-ky", f"A{t2[1:]}-20240520-L7-vu-thu-ky",
         f"A{t1[1:]}-20240520-L7-vu-phap-luat"])
    assert all(not a["late"] for a in sent)


def test_moved_deadline_replans_and_old_alerts_never_go(three):
    s = three
    s.ok("office", "add", "vu-thu-ky", "--name", "Vụ Thư ký", "--kind", "department",
         "--email", "vtk@demo.quochoi.vn")
    s.ok("session", "add", "--kind", "plenary", "--term", "XV", "--number", "7", "--title",
         "Kỳ họp thứ 7", "--start", "2024-05-20", "--end", "2024-06-28")
    t = add_task(s, "Gửi tài liệu", due_rel="XV-7:open:-10d")   # 10/05/2024
    wait_planned(s, t, 3)
    s.ok("session", "move", "XV-7", "--start", "2024-06-03", "--end", "2024-07-10")
    wait_for(lambda: all(a["due_date"] == "2024-05-24" for a in alerts(s, "--task", t))
             and alerts(s, "--task", t), "re-planned alerts")
    s.ok("clock", "set", "2024-05-24T08:00")   # past the old dates and the new ones
    # the new deadline, Fri 24/05: 7 days (17/05), 3 (21/05), 1 (23/05), 0 (24/05)
    msgs = wait_for(lambda: len(spool_messages(s)) == 4 and spool_messages(s),
                    "the digests of the new date")
    assert set(msgs) == {f"D-vu-thu-ky-202405{d}0800" for d in ("17", "21", "23", "24")}
    for m in msgs.values():
        assert "24/05/2024" in m.get_content() and "10/05/2024" not in m.get_content()
    assert all(a["due_date"] == "2024-05-24" for a in alerts(s, "--sent"))


def test_alerts_after_downtime_go_out_late_and_once(three):
    s = three
    s.ok("office", "add", "vu-thu-ky", "--name", "Vụ Thư ký", "--kind", "department",
         "--email", "vtk@demo.quochoi.vn")
    t = add_task(s, "Báo cáo", due="2024-05-20")
    wait_planned(s, t, 4)
    s.notifyd.stop()
    for d in (s.taskd, s.sessiond):
        d.set_clock("2024-05-17T10:00")
    s.notifyd.start(clock="2024-05-17T10:00")
    msgs = wait_for(lambda: len(spool_messages(s)) == 2 and spool_messages(s),
                    "the two missed digests")
    assert set(msgs) == {"D-vu-thu-ky-202405130800", "D-vu-thu-ky-202405170800"}
    sent = alerts(s, "--sent")
    assert len(sent) == 2 and all(a["late"] for a in sent)
    s.notifyd.stop()
    s.notifyd.start(clock="2024-05-17T10:00")
    time.sleep(0.3)
    assert len(spool_messages(s)) == 2 and len(alerts(s, "--sent")) == 2


def test_webhook_signed_retried_and_gone(three):
    s = three
    rx = Receiver(script=[(500, {}), (429, {"Retry-After": "120"})])
    try:
        s.ok("office", "add", "vp-doan-ha-noi", "--name", "Văn phòng Đoàn ĐBQH Hà Nội", "--kind",
             "delegation", "--webhook", rx.url, "--webhook-secret-file", SECRET_FILE)
        t = add_task(s, "Tổng hợp ý kiến cử tri", lead="vp-doan-ha-noi", due="2024-05-20")
        wait_planned(s, t, 4)
        s.ok("clock", "set", "2024-05-13T08:00")
        wait_for(lambda: [a for a in alerts(s) if a["attempts"] == 1], "a first failed attempt")
        pending = alerts(s, "--task", t)[0]
        assert pending["state"] == "sending" and "500" in pending["error"]
        s.ok("clock", "advance", "2m")       # past the first backoff (60 s ± 50%)
        wait_for(lambda: [a for a in alerts(s) if a["attempts"] == 2], "the 429")
        s.ok("clock", "advance", "1m")       # Retry-After 120 s is not over yet
        time.sleep(0.3)
        assert not rx.received
        s.ok("clock", "advance", "2m")
        wait_for(lambda: rx.received, "the delivery")
        wid, event = rx.received[0]
        assert rx.bad_signatures == 0
        assert wid == "D-vp-doan-ha-noi-202405130800" and event["id"] == wid
        assert event["specversion"] == "1.0" and event["subject"] == "vp-doan-ha-noi"
        assert event["data"]["items"][0]["title"] == "Tổng hợp ý kiến cử tri"
        assert wait_for(lambda: alerts(s, "--sent"), "sent")[0]["attempts"] == 3

        rx.script = [(410, {})]
        s.ok("clock", "set", "2024-05-17T08:00")
        wait_for(lambda: alerts(s, "--failed"), "the 410")
        assert s.json("office", "show", "vp-doan-ha-noi")["webhook_gone"] is True
    finally:
        rx.close()


def test_unreachable_webhook_is_dead_lettered_escalated_and_nothing_stalls(three):
    s = three
    s.ok("office", "add", "van-phong", "--name", "Lãnh đạo Văn phòng", "--kind", "secretariat",
         "--email", "lanhdao@demo.quochoi.vn")
    s.ok("office", "add", "vu-thu-ky", "--name", "Vụ Thư ký", "--kind", "department",
         "--webhook", "http://127.0.0.1:9/nothing-listens", "--webhook-secret-file", SECRET_FILE,
         "--escalate", "van-phong")
    t = add_task(s, "Báo cáo", due="2024-05-20")
    wait_planned(s, t, 4)
    s.ok("clock", "set", "2024-05-13T08:00")
    for attempt in (1, 2):
        wait_for(lambda: [a for a in alerts(s) if a["attempts"] == attempt], f"try {attempt}")
        s.ok("clock", "advance", "10m")
    failed = wait_for(lambda: alerts(s, "--failed"), "the dead letter")
    assert failed[0]["attempts"] == 3 and failed[0]["error"]
    # the escalation contact is told at once, by its own channel
    msgs = wait_for(lambda: spool_messages(s), "the escalation to van-phong")
    (msg,) = msgs.values()
    assert msg["To"].addresses[0].addr_spec == "lanhdao@demo.quochoi.vn"
    assert "vu-thu-ky" in msg.get_content() and "Báo cáo" in msg.get_content()
    assert s.ok("status")  # every daemon still answers



def test_dead_letters_redelivered_once_the_receiver_is_back(three):
    """A receiver that answers 500 past the retry limit (down for a
    weekend): the digest is dead-lettered; `alert redeliver` sends it again
    with its first webhook-id, and only the dead-lettered ones."""
    s = three
    rx = Receiver([(500, {})] * 3)                  # retry_max = 3 in `three`
    try:
        s.ok("office", "add", "vp-doan-hue", "--name", "VP Đoàn ĐBQH Huế", "--kind",
             "delegation", "--webhook", rx.url, "--webhook-secret-file", SECRET_FILE)
        t = add_task(s, "Báo cáo kết quả giám sát", lead="vp-doan-hue", due="2024-05-20")
        wait_planned(s, t, 4)
        s.ok("clock", "set", "2024-05-13T08:00")
        for attempt in (1, 2):
            wait_for(lambda: [a for a in alerts(s) if a["attempts"] == attempt], f"try {attempt}")
            s.ok("clock", "advance", "10m")
        (dead,) = wait_for(lambda: alerts(s, "--failed"), "the dead letter")
        assert dead["attempts"] == 3 and rx.received == []
        assert s.json("alert", "redeliver", "vp-doan-hue") == \
            {"office": "vp-doan-hue", "deliveries": 1, "alerts": 1}
        wait_for(lambda: rx.received, "the redelivered digest")
        ((wid, body),) = rx.received
        assert wid == "D-vp-doan-hue-202405130800" and rx.bad_signatures == 0
        (sent,) = wait_for(lambda: alerts(s, "--sent"), "the alert marked sent")
        assert sent["id"] == dead["id"] and not alerts(s, "--failed")
        # nothing dead-lettered is left: a second redeliver queues nothing
        assert "0 dead-lettered delivery(ies) queued again" in s.ok("alert", "redeliver",
                                                                     "vp-doan-hue")
        assert len(rx.received) == 1
        rc, _, err = s.cli("alert", "redeliver", "vp-doan-hue", "--delivery",
                           "D-vp-doan-hue-202405130800")
        assert rc == 3 and "no dead-lettered delivery" in err
        rc, _, err = s.cli("alert", "redeliver", "vu-khong-co")
        assert rc == 3 and "no office vu-khong-co" in err
        events = [json.loads(line) for line in
                  s.ok("--json", "events", "tail", "--service", "notifyd").splitlines()]
        mine = [e["type"] for e in events if e["subject"] == dead["id"]]
        assert mine[-3:] == ["alert.failed", "alert.requeued", "alert.sent"], mine
    finally:
        rx.close()

def test_no_channel_unknown_office_silence_and_ack(three):
    s = three
    s.ok("office", "add", "vu-thu-ky", "--name", "Vụ Thư ký", "--kind", "department",
         "--email", "vtk@demo.quochoi.vn")
    s.ok("office", "add", "vu-hanh-chinh", "--name", "Vụ Hành chính", "--kind", "department")
    assert "1 office(s) have no reachable channel" in s.ok("status")
    quiet = add_task(s, "Việc được tạm hoãn", due="2024-05-20")
    acked = add_task(s, "Việc đã nhận", due="2024-05-20")
    nobody = add_task(s, "Không có kênh", lead="vu-hanh-chinh", due="2024-05-20")
    ghost = add_task(s, "Đơn vị lạ", lead="vu-khong-ton-tai", due="2024-05-20")
    for t in (quiet, acked, nobody, ghost):
        wait_planned(s, t, 4)
    s.ok("alert", "silence", "--task", quiet, "--until", "2024-05-31", "--reason",
         "Chờ ý kiến Tổng Thư ký")
    first = next(a for a in alerts(s, "--task", acked) if a["days"] == 7)
    s.ok("alert", "ack", first["id"])
    assert [a["state"] for a in alerts(s, "--task", acked)] == ["acked"]
    s.ok("clock", "set", "2024-05-13T08:00")
    failed = wait_for(lambda: len(alerts(s, "--failed")) == 2 and alerts(s, "--failed"),
                      "the undeliverable ones")
    errors = {a["office"]: a["error"] for a in failed}
    assert "no reachable channel" in errors["vu-hanh-chinh"]
    assert "unknown office" in errors["vu-khong-ton-tai"]
    assert [a["state"] for a in alerts(s, "--task", quiet) if a["days"] == 7] == ["silenced"]
    assert spool_messages(s) == {}   # nothing for the silenced or acknowledged tasks



def test_import_of_offices_alone(three, tmp_path):
    """A file holding only the office directory is imported, repeatably."""
    s = three
    path = tmp_path / "offices.json"
    path.write_text(json.dumps({"offices": [
        {"id": "vu-thu-ky", "name": "Vụ Thư ký", "kind": "department",
         "email": "vtk@demo.quochoi.vn"},
        {"id": "vp-doan-ha-noi", "name": "VP Đoàn ĐBQH Hà Nội", "kind": "delegation",
         "email": "hn@demo.quochoi.vn", "escalate": "vu-thu-ky"}]}, ensure_ascii=False),
        encoding="utf-8")
    assert s.json("import", path) == {"offices_created": 2, "offices_skipped": 0}
    assert "offices: 0 added, 2 skipped" in s.ok("import", path)
    assert sorted(o["id"] for o in s.json("office", "list")) == ["vp-doan-ha-noi", "vu-thu-ky"]


def test_silences_are_listed_in_force_or_all(three):
    s = three                                   # the clock is at 2024-05-01
    assert s.json("alert", "silences") == []
    made = []
    for i in range(11):                         # S1..S11: S10 must not sort before S2
        until = "2024-05-10" if i % 2 else "2024-06-30"
        made.append(s.json("alert", "silence", "--office", f"vu-so-{i}", "--until", until,
                           "--reason", f"Lý do {i}"))
    s.json("alert", "silence", "--task", "T7", "--until", "31/05/2024", "--reason", "Chờ ý kiến")
    listed = s.json("alert", "silences")
    assert [x["id"] for x in listed] == [m["id"] for m in made] + ["S12"]
    assert listed[-1] == {"id": "S12", "of": "task T7", "until": "2024-05-31",
                          "reason": "Chờ ý kiến", "by": listed[-1]["by"],
                          "since": listed[-1]["since"]}
    assert listed[0]["of"] == "office vu-so-0" and listed[0]["by"]
    s.ok("clock", "set", "2024-05-20T08:00")    # the odd ones ended on the 10th
    in_force = [x["id"] for x in s.json("alert", "silences")]
    assert in_force == [m["id"] for i, m in enumerate(made) if i % 2 == 0] + ["S12"]
    assert len(s.json("alert", "silences", "--all")) == 12
    table = s.ok("alert", "silences").splitlines()
    assert table[0].split()[:3] == ["SILENCE", "OF", "UNTIL"] and "Chờ ý kiến" in table[-1]


def test_a_lifted_silence_lets_the_alerts_go_again(three):
    s = three
    s.ok("office", "add", "vu-thu-ky", "--name", "Vụ Thư ký", "--kind", "department",
         "--email", "vtk@demo.quochoi.vn")
    t = add_task(s, "Báo cáo tạm hoãn", due="2024-05-20")
    wait_planned(s, t, 4)
    made = s.json("alert", "silence", "--task", t, "--until", "2024-05-31", "--reason", "Nhầm")
    assert s.json("alert", "unsilence", made["id"]) == {"id": made["id"], "until": "2024-05-31",
                                                        "lifted": True}
    assert s.json("alert", "silences", "--all") == []
    s.ok("clock", "set", "2024-05-13T08:00")
    wait_for(lambda: [a for a in alerts(s, "--sent") if a["days"] == 7], "the 7-day alert sent")
    assert not [a for a in alerts(s) if a["state"] == "silenced"]
    rc, _, err = s.cli("alert", "unsilence", made["id"])
    assert rc == 3 and f"no silence {made['id']}" in err
    events = [json.loads(line) for line in
              s.ok("--json", "events", "tail", "--service", "notifyd").splitlines()]
    assert [e["type"] for e in events if e["subject"] == made["id"]] == \
        ["silence.created", "silence.lifted"]

def test_office_bad_input(three):
    s = three
    cases = [
        (["office", "add", "Bad Id", "--name", "x", "--kind", "department"], "id"),
        (["office", "add", "vu-x", "--name", "x", "--kind", "ministry"], "kind"),
        (["office", "add", "vu-x", "--name", "x", "--kind", "department", "--email", "no-at"],
         "e-mail"),
        # what SMTP would refuse at delivery is refused here (one check for both)
        (["office", "add", "vu-x", "--name", "x", "--kind", "department", "--email",
          "vtk..a@quochoi.vn"], "e-mail"),
        (["office", "add", "vu-x", "--name", "x", "--kind", "department", "--email",
          "vtk@quoc_hoi.vn"], "e-mail"),
        (["office", "add", "vu-x", "--name", "x", "--kind", "department", "--webhook",
          "ftp://host/x", "--webhook-secret-file", SECRET_FILE], "URL"),
        (["office", "add", "vu-x", "--name", "x", "--kind", "department", "--webhook",
          "http://h/x"], "secret"),
        (["office", "add", "vu-x", "--name", "x", "--kind", "department", "--webhook",
          "http://h/x", "--webhook-secret-file", _secret_file("s", 0o644)], "may be read by others"),
        (["office", "add", "vu-x", "--name", "x", "--kind", "department", "--webhook",
          "http://h/x", "--webhook-secret-file", "/nonexistent/secret"], "cannot read"),
        (["office", "add", "vu-x", "--name", "x", "--kind", "department", "--escalate",
          "vu-khong"], "vu-khong"),
        (["office", "add", "vu-x", "--name", "x", "--kind", "department", "--deliver-at",
          "25:00"], "deliver_at"),
        (["office", "add", "vu-x", "--name", "x", "--kind", "department", "--overdue-every",
          "0"], "overdue-every"),
        (["alert", "ack", "A-none"], "A-none"),
        (["alert", "silence", "--until", "2024-05-01", "--reason", "x"], "exactly one"),
    ]
    for args, text in cases:
        rc, out, err = s.cli(*args)
        assert rc != 0 and text in err, f"{args}: {rc} {err}"
    assert s.json("office", "list") == []
    s.notifyd.assert_serving()


class SmtpServer:
    """A real SMTP server on loopback (aiosmtpd) that keeps what it
    accepts, or refuses every recipient with 550, or (refuse_login) offers
    AUTH and refuses every login."""

    def __init__(self, refuse=False, refuse_login=False):
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult
        self.messages = []
        outer = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if refuse:
                    return "550 5.1.1 mailbox unavailable"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                outer.messages.append((envelope.mail_from, envelope.rcpt_tos,
                                       envelope.original_content))
                return "250 Message accepted"

        import socket
        with socket.socket() as probe:   # a free port (this aiosmtpd cannot take port 0)
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        extra = {}
        if refuse_login:
            extra = {"authenticator": lambda *a: AuthResult(success=False, handled=False),
                     "auth_require_tls": False}
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **extra)
        self.controller.start()

    def close(self):
        self.controller.stop()


@pytest.mark.parametrize("refuse", [False, True, "login"])
def test_smtp_delivery(tmpdir_short, refuse):
    smtp = SmtpServer(refuse=refuse is True, refuse_login=refuse == "login")
    (tmpdir_short / "smtp-password").write_text("wrong-password\n")
    (tmpdir_short / "smtp-password").chmod(0o600)   # notifyd refuses one others may read
    credentials = (f"smtp_user = thuky\nsmtp_password_file = {tmpdir_short}/smtp-password\n"
                   if refuse == "login" else "")
    s = Services(tmpdir_short, f"[notifyd]\nsmtp_url = smtp://127.0.0.1:{smtp.port}\n"
                               "mail_from = thuky@quochoi.vn\n" + credentials)
    s.start()
    try:
        s.ok("clock", "set", "2024-05-01T00:00")
        s.ok("program", "add", "2024", "--decision", "3333/QĐ-TTKQH", "--title", "CT 2024")
        s.ok("office", "add", "vu-thu-ky", "--name", "Vụ Thư ký", "--kind", "department",
             "--email", "vtk@demo.quochoi.vn", "--focal", "Nguyễn Thị Hương")
        t = add_task(s, "Báo cáo kết quả giám sát", due="2024-05-20")
        wait_planned(s, t, 4)
        s.ok("clock", "set", "2024-05-13T08:00")
        if refuse == "login":
            failed = wait_for(lambda: alerts(s, "--failed"), "the refused login")
            assert "authentication failed" in failed[0]["error"]
            assert "wrong-password" not in s.notifyd.stderr_text()   # never logged
            assert smtp.messages == []
        elif refuse:
            failed = wait_for(lambda: alerts(s, "--failed"), "the refused delivery")
            assert "550" in failed[0]["error"] and failed[0]["attempts"] == 1
            assert smtp.messages == []
        else:
            wait_for(lambda: smtp.messages, "the message")
            mail_from, rcpts, raw = smtp.messages[0]
            assert mail_from == "thuky@quochoi.vn" and rcpts == ["vtk@demo.quochoi.vn"]
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            assert msg["Message-ID"] == "<D-vu-thu-ky-202405130800@thuky>"
            assert msg["To"].addresses[0].display_name == "Nguyễn Thị Hương"
            assert "Báo cáo kết quả giám sát" in msg.get_content()
            assert wait_for(lambda: alerts(s, "--sent"), "sent")[0]["channel"] == "smtp"
        assert not (tmpdir_short / "var" / "mail-spool").exists()
    finally:
        try:
            s.stop()
        finally:
            s.close()
            smtp.close()


def test_kill9_across_fire_times_loses_nothing(three):
    """Every digest reaches the receiver at least once, and once when it
    drops repeats by webhook-id, however often the daemon is killed."""
    s = three
    rx = Receiver()
    try:
        s.ok("office", "add", "vu-thu-ky", "--name", "Vụ Thư ký", "--kind", "department",
             "--webhook", rx.url, "--webhook-secret-file", SECRET_FILE)
        for i, due in enumerate(("2024-05-20", "2024-05-21", "2024-05-22", "2024-05-24")):
            wait_planned(s, add_task(s, f"Nhiệm vụ {i}", due=due), 4)
        days = [f"2024-05-{d:02d}" for d in range(13, 25)]
        expected = {f"D-vu-thu-ky-{a['fire'][:10].replace('-', '')}0800"
                    for a in alerts(s, "--pending") if a["fire"][:10] <= days[-1]}
        for n, day in enumerate(days):
            when = f"{day}T08:00"
            for d in (s.taskd, s.sessiond, s.notifyd):
                d.set_clock(when)
            time.sleep(0.002 * (n % 4))  # kill at different points of the delivery
            s.notifyd.kill9()
            s.notifyd.start(clock=when)
        wait_for(lambda: {wid for wid, _ in rx.received} >= expected, "every digest")
        assert {wid for wid, _ in rx.received} == expected
        assert rx.bad_signatures == 0
        wait_for(lambda: not alerts(s, "--pending") or
                 min(a["fire"] for a in alerts(s, "--pending")) > "2024-05-24 08:00",
                 "nothing due left planned")
        assert not [a for a in alerts(s) if a["state"] in ("sending", "failed")]
    finally:
        rx.close()


def test_sitting_reminder_to_offices_with_agenda_items(three):
    s = three
    s.ok("office", "add", "vu-thu-ky", "--name", "Vụ Thư ký", "--kind", "department",
         "--email", "vtk@demo.quochoi.vn")
    s.ok("office", "add", "ub-kinh-te", "--name", "Ủy ban Kinh tế", "--kind", "committee",
         "--email", "ubkt@demo.quochoi.vn")
    s.ok("session", "add", "--kind", "standing", "--term", "XV", "--number", "33", "--title",
         "Phiên họp thứ 33", "--start", "2024-05-13T08:30", "--end", "2024-05-14T17:00")
    t = add_task(s, "Báo cáo thẩm tra dự án Luật Thủ đô", lead="ub-kinh-te", due="2024-06-30")
    wait_planned(s, t, 4)
    s.ok("session", "agenda", "UBTV-XV-33", "add", t)
    reminder = wait_for(lambda: [a for a in alerts(s) if a["kind"] == "sitting"], "the reminder")
    # 3 days before Mon 13/05 is Fri 10/05
    assert [(a["office"], a["fire"]) for a in reminder] == [("ub-kinh-te", "2024-05-10 08:00")]
    s.ok("session", "move", "UBTV-XV-33", "--start", "2024-05-20T08:30", "--end",
         "2024-05-21T17:00")
    wait_for(lambda: [a["fire"] for a in alerts(s) if a["kind"] == "sitting"] ==
             ["2024-05-17 08:00"], "the reminder moved with the sitting")
    s.ok("clock", "set", "2024-05-17T08:00")
    msgs = wait_for(lambda: spool_messages(s).get("D-ub-kinh-te-202405170800"), "the reminder")
    assert "Phiên họp thứ 33" in msgs.get_content()
    s.ok("session", "add", "--kind", "conference", "--id", "HN-9", "--title", "Hội nghị",
         "--start", "2024-06-10")
    s.ok("session", "agenda", "HN-9", "add", t)
    wait_for(lambda: [a for a in alerts(s) if a["kind"] == "sitting" and "HN-9" in a["id"]],
             "the conference reminder")
    s.ok("session", "cancel", "HN-9")
    wait_for(lambda: not [a for a in alerts(s, "--pending") if "HN-9" in a["id"]],
             "the cancelled sitting's reminder dropped")


def test_hanging_closing_and_redirecting_receivers_stall_nothing(three):
    s = three
    rx = Receiver(script=[("hang", {}), ("close", {}), (302, {"Location": "http://x/"})])
    try:
        s.ok("office", "add", "vp-doan-hcm", "--name", "Văn phòng Đoàn ĐBQH TP.HCM", "--kind",
             "delegation", "--webhook", rx.url, "--webhook-secret-file", SECRET_FILE)
        s.ok("office", "add", "vu-thu-ky", "--name", "Vụ Thư ký", "--kind", "department",
             "--email", "vtk@demo.quochoi.vn")
        slow = add_task(s, "Tổng hợp kiến nghị", lead="vp-doan-hcm", due="2024-05-20")
        fast = add_task(s, "Báo cáo", due="2024-05-20")
        wait_planned(s, slow, 4)
        wait_planned(s, fast, 4)
        s.ok("clock", "set", "2024-05-13T08:00")
        started = time.monotonic()
        wait_for(lambda: spool_messages(s), "the spool delivery beside the hanging hook")
        t0 = time.monotonic()
        s.ok("status")                       # commands answer while the hook hangs
        assert time.monotonic() - t0 < 1.0 and time.monotonic() - started < 2.5
        first = wait_for(lambda: [a for a in alerts(s, "--task", slow) if a["attempts"] == 1],
                         "the timeout")[0]
        assert first["state"] == "sending" and "tim" in first["error"].lower()
        s.ok("clock", "advance", "2m")       # the receiver processes, then closes
        second = wait_for(lambda: [a for a in alerts(s, "--task", slow) if a["attempts"] == 2],
                          "the closed connection")[0]
        assert second["state"] == "sending"  # no answer: it may not have arrived, retry
        s.ok("clock", "advance", "5m")       # a redirect is not followed
        failed = wait_for(lambda: alerts(s, "--failed"), "the redirect")[0]
        assert failed["attempts"] == 3 and "redirect" in failed["error"].lower()
        assert len(rx.received) == 1 and rx.bad_signatures == 0
    finally:
        rx.close()


def test_receiver_down_for_a_while_gets_everything_when_back(three):
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    s = three
    url = f"http://127.0.0.1:{port}/hook"
    s.ok("office", "add", "vp-doan-da-nang", "--name", "Văn phòng Đoàn ĐBQH Đà Nẵng", "--kind",
         "delegation", "--webhook", url, "--webhook-secret-file", SECRET_FILE)
    t = add_task(s, "Báo cáo giám sát", lead="vp-doan-da-nang", due="2024-05-20")
    wait_planned(s, t, 4)
    s.ok("clock", "set", "2024-05-17T08:00")     # two digests due, the receiver is down
    wait_for(lambda: len([a for a in alerts(s) if a["attempts"] == 1]) == 2, "the refusals")
    rx = Receiver()
    rx.server.server_close()
    from http.server import ThreadingHTTPServer
    rx.server = ThreadingHTTPServer(("127.0.0.1", port), rx.server.RequestHandlerClass)
    threading.Thread(target=rx.server.serve_forever, daemon=True).start()
    try:
        s.ok("clock", "advance", "2m")
        wait_for(lambda: len(rx.received) == 2, "both digests after the receiver is back")
        assert {w for w, _ in rx.received} == {"D-vp-doan-da-nang-202405130800",
                                               "D-vp-doan-da-nang-202405170800"}
        assert len(alerts(s, "--sent")) == 2 and rx.bad_signatures == 0
    finally:
        rx.close()



def _planned(s, task):
    return sorted((a["office"], a["kind"], a["days"]) for a in alerts(s, "--task", task)
                  if a["state"] == "planned")


def _notifyd_caught_up(s):
    """notifyd has applied every event taskd has logged."""
    target = s.taskd.call("status", reply_type=envelope_pb2.DaemonStatus)[1].last_event_seq
    st = s.notifyd.call("status", reply_type=envelope_pb2.DaemonStatus)[1]
    return any(sub.source == "taskd" and sub.applied_seq >= target for sub in st.subscriptions)


@pytest.mark.parametrize("change", [
    ["--note", "Đã gửi dự thảo"], ["--progress", "40"], ["--flag", "quality", "--note", "Thiếu"],
    ["--flag", "dispute", "--note", "Còn ý kiến"], ["--title", "Báo cáo (sửa tên)"]])
def test_an_unrelated_update_keeps_acks_and_escalations(three, change):
    """After an ack, a change that does not touch the deadline neither brings
    the acknowledged office's reminders back nor drops the escalation that is
    still due (to the lead office's escalation contact)."""
    s = three
    s.ok("office", "add", "van-phong", "--name", "Lãnh đạo Văn phòng", "--kind", "secretariat",
         "--email", "lanhdao@demo.quochoi.vn")
    s.ok("office", "add", "vu-thu-ky", "--name", "Vụ Thư ký", "--kind", "department",
         "--email", "vtk@demo.quochoi.vn", "--escalate", "van-phong")
    s.ok("office", "add", "vu-phap-luat", "--name", "Vụ Pháp luật", "--kind", "department",
         "--email", "vpl@demo.quochoi.vn")
    t = add_task(s, "Báo cáo", due="2024-05-20", with_=["vu-phap-luat"])
    wait_planned(s, t, 9)
    first = next(a for a in alerts(s, "--task", t)
                 if a["days"] == 7 and a["office"] == "vu-thu-ky")
    s.ok("alert", "ack", first["id"])
    before = _planned(s, t)
    assert ("van-phong", "escalation", 5) in before
    assert not [p for p in before if p[0] == "vu-thu-ky"]
    s.ok("task", "update", t, *change)
    wait_for(lambda: _notifyd_caught_up(s), "notifyd applies the update")
    assert _planned(s, t) == before


def test_a_fixed_deadline_has_no_sitting_and_silences_name_real_sittings(three):
    """The deadline's oneof is read by its case: an absolute deadline's date
    is not a sitting id (webhook item, alert list), so a silence naming that
    date is refused as an unknown sitting, while a real sitting's is taken."""
    s = three
    rx = Receiver()
    try:
        s.ok("office", "add", "vu-thu-ky", "--name", "Vụ Thư ký", "--kind", "department",
             "--webhook", rx.url, "--webhook-secret-file", SECRET_FILE)
        s.ok("session", "add", "--kind", "plenary", "--term", "XV", "--number", "7", "--title",
             "Kỳ họp thứ 7", "--start", "2024-05-27", "--end", "2024-06-28")
        fixed = add_task(s, "Hạn cố định", due="2024-05-20")
        relative = add_task(s, "Theo kỳ họp", due_rel="XV-7:open:-7d")     # also 20/05
        wait_planned(s, fixed, 4)
        wait_planned(s, relative, 4)
        assert {a["sitting"] for a in alerts(s, "--task", fixed)} == {""}
        assert {a["sitting"] for a in alerts(s, "--task", relative)} == {"XV-7"}
        s.ok("clock", "set", "2024-05-13T08:00")
        wait_for(lambda: rx.received, "the webhook digest")
        items = {i["task"]: i for i in rx.received[0][1]["data"]["items"]}
        assert items[fixed]["sitting"] is None          # was "2024-05-20"
        assert items[relative]["sitting"] == "XV-7"

        rc, _, err = s.cli("alert", "silence", "--sitting", "2024-05-20", "--until",
                           "2024-06-30", "--reason", "Nhầm ngày")
        assert rc == 3 and "no sitting 2024-05-20" in err, err
        rc, _, err = s.cli("alert", "silence", "--sitting", "XV-8", "--until", "2024-06-30",
                           "--reason", "Chưa có")
        assert rc == 3 and "no sitting XV-8" in err, err
        s.ok("alert", "silence", "--sitting", "XV-7", "--until", "2024-06-30", "--reason", "Hoãn")
        assert [x["of"] for x in s.json("alert", "silences")] == ["sitting XV-7"]
    finally:
        rx.close()
