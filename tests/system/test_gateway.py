"""The gateway role (thuky-webd's identity towards the daemons): it reads,
and writes only on behalf of one office, through the two commands marked
for it (task.update for progress, alert.ack), with that office's rights;
the history names it "via web" with the token, address and browser. It can
do nothing an admin does; an admin naming an office narrows itself to it
(webd under the daemons' own account), and nobody else may name one.

The gateway runs as another local user (nobody, given role gateway by a
[user:nobody] section): root and the daemon's own user are admins."""
import os
import subprocess
import textwrap

import pytest

from conftest import Daemon, envelope_pb2, task_pb2, add_task

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
                                reason="needs root to connect as another local user")

# Sends one request (hex on argv) as this user and prints the reply in hex.
AS_USER = textwrap.dedent("""
    import sys, zmq
    s = zmq.Context().socket(zmq.DEALER)
    s.setsockopt(zmq.LINGER, 0)
    s.setsockopt(zmq.SNDTIMEO, 5000)  # a refused connection must not block the send
    s.connect(sys.argv[1])
    try:
        s.send(bytes.fromhex(sys.argv[2]))
    except zmq.Again:
        pass
    print(s.recv().hex() if s.poll(5000, zmq.POLLIN) else "", flush=True)
""")

GATEWAY_CONFIG = "[user:nobody]\nrole = gateway\n"


def as_gateway(d, command, body=None, on_behalf=None, **fields):
    """Runs one command as the gateway user; returns (Reply, raw body)."""
    req = envelope_pb2.Request.FromString(Daemon.request(command, body, **fields))
    if on_behalf is not None:
        req.on_behalf.CopyFrom(envelope_pb2.OnBehalf(**on_behalf))
    out = subprocess.run(
        ["setpriv", "--reuid=nobody", "--regid=nogroup", "--groups=0",
         "/usr/bin/python3", "-c", AS_USER, d.endpoint, req.SerializeToString().hex()],
        capture_output=True, text=True, timeout=30)
    assert out.stdout.strip(), f"no reply to the gateway: {out.stderr}\n{d.stderr_text()}"
    reply = envelope_pb2.Reply.FromString(bytes.fromhex(out.stdout.strip()))
    return reply, reply.body


@pytest.fixture
def taskd(tmpdir_short):
    tmpdir_short.chmod(0o711)
    d = Daemon(tmpdir_short, GATEWAY_CONFIG)
    d.start()
    d.ok("program", "add", "2024", "--decision", "x", "--title", "y")
    yield d
    d.stop()
    d.close()


OFFICE = {"office": "vu-thu-ky", "token_id": "tok-7f3a", "address": "203.0.113.9",
          "user_agent": "Mozilla/5.0 (Windows NT 10.0)"}


def progress(task_id, percent=40, note="Đã gửi dự thảo"):
    return task_pb2.TaskUpdateRequest(id=task_id, progress=percent, note=note)


def test_the_gateway_reads_without_an_office(taskd):
    add_task(taskd, "Báo cáo công tác", lead="vu-thu-ky", due="2024-09-30")
    reply, body = as_gateway(taskd, "task.list", task_pb2.TaskListRequest())
    assert reply.status.code == envelope_pb2.OK, reply.status.message
    tasks = task_pb2.TaskList.FromString(body).tasks
    assert [t.title for t in tasks] == ["Báo cáo công tác"]


def test_the_gateway_reports_progress_as_the_office_and_the_history_says_via_web(taskd):
    tid = int(add_task(taskd, "Báo cáo công tác", lead="vu-thu-ky", due="2024-09-30")[1:])
    reply, _ = as_gateway(taskd, "task.update", progress(tid), on_behalf=OFFICE,
                          client_id="web-1", request_no=1)
    assert reply.status.code == envelope_pb2.OK, reply.status.message
    reply, detail = taskd.call("task.get", task_pb2.TaskGetRequest(id=tid),
                               reply_type=task_pb2.TaskDetail)
    assert detail.task.progress == 40
    caller = detail.history[-1].caller
    assert caller.startswith("web:tok-7f3a for vu-thu-ky via nobody"), caller
    assert "203.0.113.9" in caller and "Mozilla/5.0 (Windows NT 10.0)" in caller


def test_the_gateway_writes_nothing_as_itself(taskd):
    tid = int(add_task(taskd, "Báo cáo công tác", lead="vu-thu-ky", due="2024-09-30")[1:])
    reply, _ = as_gateway(taskd, "task.update", progress(tid))
    assert reply.status.code == envelope_pb2.PERMISSION_DENIED, reply.status.message
    assert "gateway" in reply.status.message
    reply, detail = taskd.call("task.get", task_pb2.TaskGetRequest(id=tid),
                               reply_type=task_pb2.TaskDetail)
    assert detail.task.progress == 0


def test_on_behalf_of_an_office_it_has_that_office_s_rights_only(taskd):
    tid = int(add_task(taskd, "Báo cáo công tác", lead="vu-thu-ky", due="2024-09-30")[1:])
    other = dict(OFFICE, office="uy-ban-phap-luat")
    reply, _ = as_gateway(taskd, "task.update", progress(tid), on_behalf=other)
    assert reply.status.code == envelope_pb2.PERMISSION_DENIED, reply.status.message
    # an office reports progress, status and a note; it does not retitle
    retitle = task_pb2.TaskUpdateRequest(id=tid, title="Khác")
    reply, _ = as_gateway(taskd, "task.update", retitle, on_behalf=OFFICE)
    assert reply.status.code == envelope_pb2.PERMISSION_DENIED, reply.status.message
    reply, detail = taskd.call("task.get", task_pb2.TaskGetRequest(id=tid),
                               reply_type=task_pb2.TaskDetail)
    assert detail.task.title == "Báo cáo công tác" and detail.task.progress == 0


@pytest.mark.parametrize("command,body", [
    ("task.add", None),
    ("program.add", None),
    ("clock.set", envelope_pb2.ClockRequest(set_ms=1)),
    ("subscription.resync", None),
])
def test_the_gateway_can_do_nothing_an_admin_does(taskd, command, body):
    for on_behalf in (None, OFFICE):
        reply, _ = as_gateway(taskd, command, body, on_behalf=on_behalf)
        assert reply.status.code == envelope_pb2.PERMISSION_DENIED, (command, reply.status)


def test_an_admin_naming_an_office_has_that_office_s_rights_only(taskd):
    # webd run under the daemons' own account (make run) is an admin: naming
    # an office narrows it to that office, as it does the gateway
    tid = int(add_task(taskd, "Báo cáo công tác", lead="vu-thu-ky", due="2024-09-30")[1:])
    other = int(add_task(taskd, "Việc của vụ khác", lead="vu-thong-tin", due="2024-09-30")[1:])
    for task_id, want in ((tid, envelope_pb2.OK), (other, envelope_pb2.PERMISSION_DENIED)):
        req = envelope_pb2.Request.FromString(Daemon.request("task.update", progress(task_id)))
        req.on_behalf.CopyFrom(envelope_pb2.OnBehalf(**OFFICE))
        assert taskd.raw(req.SerializeToString()).status.code == want
    caller = taskd.json("task", "show", f"T{tid}")["history"][-1]["caller"]
    assert caller.startswith("web:tok-7f3a for vu-thu-ky via ")
    req = envelope_pb2.Request.FromString(Daemon.request(
        "task.update", task_pb2.TaskUpdateRequest(id=tid, title="Khác")))
    req.on_behalf.CopyFrom(envelope_pb2.OnBehalf(**OFFICE))
    assert taskd.raw(req.SerializeToString()).status.code == envelope_pb2.PERMISSION_DENIED


def test_nobody_else_may_name_an_office(tmpdir_short):
    tmpdir_short.chmod(0o711)
    d = Daemon(tmpdir_short, "[user:nobody]\nrole = reader\n")
    d.start()
    try:
        reply, _ = as_gateway(d, "task.list", task_pb2.TaskListRequest(), on_behalf=OFFICE)
        assert reply.status.code == envelope_pb2.INVALID_ARGUMENT
        assert "on_behalf is for the gateway role only" in reply.status.message
    finally:
        d.stop()
        d.close()


@pytest.mark.parametrize("field,value", [
    ("office", "Vụ Thư ký"),
    ("office", ""),
    ("user_agent", "x" * 257),
    ("token_id", "t" * 65),
    ("address", "a" * 65),
])
def test_a_bad_on_behalf_gets_invalid_argument(taskd, field, value):
    tid = int(add_task(taskd, "Báo cáo công tác", lead="vu-thu-ky", due="2024-09-30")[1:])
    reply, _ = as_gateway(taskd, "task.update", progress(tid),
                          on_behalf=dict(OFFICE, **{field: value}))
    assert reply.status.code == envelope_pb2.INVALID_ARGUMENT, reply.status.message
    assert "on_behalf" in reply.status.message
    taskd.assert_serving()


def test_local_role_may_not_be_gateway(tmpdir_short):
    from conftest import base_config, run_daemon_once
    config = tmpdir_short / "thuky.conf"
    config.write_text(base_config(tmpdir_short).replace("[core]\n", "[core]\nlocal_role = gateway\n"))
    rc, stderr = run_daemon_once(config)
    assert rc != 0
    assert "local_role may not be gateway" in stderr


def test_the_gateway_acknowledges_an_office_s_alert_and_no_other(tmpdir_short):
    from conftest import Services, notify_pb2, read_log, wait_for
    tmpdir_short.chmod(0o711)
    s = Services(tmpdir_short, GATEWAY_CONFIG)
    s.start()
    try:
        s.ok("clock", "set", "2024-05-01T00:00")
        s.ok("program", "add", "2024", "--decision", "x", "--title", "y")
        for office in ("vu-thu-ky", "vu-phap-luat"):
            s.ok("office", "add", office, "--name", office, "--kind", "department",
                 "--email", f"{office}@demo.quochoi.vn")
        task = add_task(s, "Báo cáo thẩm tra", due="2024-05-20", with_=["vu-phap-luat"])
        planned = wait_for(lambda: len(s.json("alert", "list", "--task", task)) >= 8
                           and s.json("alert", "list", "--task", task), "the alerts")
        mine = next(a for a in planned if a["office"] == "vu-thu-ky" and a["days"] == 7)
        theirs = next(a for a in planned if a["office"] == "vu-phap-luat" and a["days"] == 7)

        # another office's alert: refused, and nothing changes
        reply, _ = as_gateway(s.notifyd, "alert.ack", notify_pb2.AlertAckRequest(id=theirs["id"]),
                              on_behalf=OFFICE)
        assert reply.status.code == envelope_pb2.PERMISSION_DENIED, reply.status.message
        # as itself: refused
        reply, _ = as_gateway(s.notifyd, "alert.ack", notify_pb2.AlertAckRequest(id=mine["id"]))
        assert reply.status.code == envelope_pb2.PERMISSION_DENIED, reply.status.message
        # its own, twice (idempotent): acknowledged once, audited via web
        for _ in range(2):
            reply, _ = as_gateway(s.notifyd, "alert.ack",
                                  notify_pb2.AlertAckRequest(id=mine["id"]), on_behalf=OFFICE,
                                  client_id="web-ack", request_no=1)
            assert reply.status.code == envelope_pb2.OK, reply.status.message
        states = {(a["office"], a["state"]) for a in s.json("alert", "list", "--task", task)}
        assert ("vu-thu-ky", "acked") in states
        assert ("vu-phap-luat", "planned") in states
        acked = [e for e in read_log(s.notifyd) if e.type == "alert.acked"]
        assert len(acked) == 1
        caller = acked[0].alert.caller
        assert caller.startswith("web:tok-7f3a for vu-thu-ky via nobody"), caller
    finally:
        s.stop()
        s.close()
