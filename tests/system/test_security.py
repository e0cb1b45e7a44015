"""Security: CURVE on tcp endpoints, roles on every command, local users on
ipc, secrets, SIGHUP reload, systemd notifications, and the daemons'
refusal to half-start.

The three daemons run as separate processes serving tcp://127.0.0.1 with
CURVE keys made by `thuky keygen`; taskd and notifyd follow sessiond (and
notifyd taskd) over tcp with their own keys, so the daemon-to-daemon path
is CURVE too."""
import json
import os
import pwd
import select
import signal
import socket
import stat
import subprocess
import tempfile
import time
from functools import partial
from pathlib import Path

import pytest
import zmq

from conftest import (CALENDAR_DIR, DEMO_PROGRAM, DEMO_SITTINGS, NOTIFYD, SESSIOND, TASKD,
                      THUKY, Daemon, envelope_pb2, free_ports, notify_pb2, one_line, run_daemon_once,
                      session_pb2, task_pb2)

NAMES = ("sessiond", "taskd", "notifyd")
OFFICE = "vu-thong-tin"          # leads one demo task, coordinates none
OTHER = "vu-thu-ky"              # leads most demo tasks


def keygen(keys, name):
    """thuky keygen NAME; returns the public key."""
    p = subprocess.run([str(THUKY), "keygen", name, "--dir", str(keys)], capture_output=True,
                       text=True, env={"PATH": os.environ["PATH"]})
    assert p.returncode == 0, p.stderr
    text = (keys / f"{name}.key").read_text()
    return next(line.split("=", 1)[1].strip() for line in text.splitlines()
                if line.startswith("public_key"))


def secret_of(keys, name):
    text = (keys / f"{name}.secret").read_text()
    return next(line.split("=", 1)[1].strip() for line in text.splitlines()
                if line.startswith("secret_key"))


class Site:
    """Three daemons on tcp with CURVE, and client keys for each role."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.keys = tmp / "keys"
        self.keys.mkdir()
        for name in NAMES:
            keygen(self.keys, name)
        self.pub = {n: keygen(self.keys, n) for n in ("secretariat", "office", "reader",
                                                      "stranger")}
        ports = iter(free_ports(2 * len(NAMES)))
        self.ports = {n: (next(ports), next(ports)) for n in NAMES}
        self.config = tmp / "thuky.conf"
        self.write_config()
        self.daemons = {n: Daemon(tmp, name=n) for n in NAMES}
        for n, d in self.daemons.items():
            d.endpoint = f"tcp://127.0.0.1:{self.ports[n][0]}"
            d.events_endpoint = f"tcp://127.0.0.1:{self.ports[n][1]}"
        self.ctx = zmq.Context()

    def write_config(self, office_role="office", extra=""):
        text = (f"[core]\nlanguage = en\nruntime_dir = {self.tmp}/run\nstate_dir = {self.tmp}/var\n"
                f"calendar_dir = {CALENDAR_DIR}\nkey_dir = {self.keys}\n"
                f"client_key_file = {self.keys}/secretariat.secret\n"
                f"[client]\ntimeout_ms = 1500\nretries = 1\n")
        for n in NAMES:
            cmd, ev = self.ports[n]
            text += f"[{n}]\ncommand = tcp://127.0.0.1:{cmd}\nevents = tcp://127.0.0.1:{ev}\n"
        text += (f"[client:secretariat]\npublic_key = {self.pub['secretariat']}\nrole = admin\n"
                 f"[client:ubtt-gateway]\npublic_key = {self.pub['office']}\n"
                 f"role = {office_role}\n" + (f"office = {OFFICE}\n" if office_role == "office"
                                              else "") +
                 f"[client:archive]\npublic_key = {self.pub['reader']}\nrole = reader\n" + extra)
        self.config.write_text(text, encoding="utf-8")

    def start(self):
        for n in NAMES:
            d = self.daemons[n]
            d.start(wait=False)
            self.wait_ready(d)

    def wait_ready(self, d, timeout=15):
        deadline = time.monotonic() + timeout
        while True:
            assert d.proc.poll() is None, d.stderr_text()
            reply = self.call(d.name, "status", key="secretariat", timeout=0.5)
            if reply is not None and reply.status.code == envelope_pb2.OK:
                return
            assert time.monotonic() < deadline, d.stderr_text()

    def stop(self):
        for n in reversed(NAMES):
            self.daemons[n].stop()

    def close(self):
        for d in self.daemons.values():
            d.close()
        self.ctx.destroy(linger=0)

    def socket(self, name, key, kind=zmq.DEALER, events=False):
        s = self.ctx.socket(kind)
        s.setsockopt(zmq.LINGER, 0)
        if key is not None:
            s.curve_serverkey = self.server_key(name).encode()
            s.curve_publickey = self.pub[key].encode()
            s.curve_secretkey = secret_of(self.keys, key).encode()
        port = self.ports[name][1 if events else 0]
        s.connect(f"tcp://127.0.0.1:{port}")
        return s

    def server_key(self, name):
        text = (self.keys / f"{name}.key").read_text()
        return next(line.split("=", 1)[1].strip() for line in text.splitlines()
                    if line.startswith("public_key"))

    def call(self, name, command, body=None, key="secretariat", timeout=3.0):
        """One request as the holder of key; the Reply, or None when the
        connection is refused (no answer)."""
        s = self.socket(name, key)
        # a refused connection leaves no pipe, and libzmq does not
        # reconnect: without a send timeout the send would block for ever
        s.setsockopt(zmq.SNDTIMEO, int(timeout * 1000))
        try:
            try:
                s.send(Daemon.request(command, body))
            except zmq.Again:
                return None
            if s.poll(int(timeout * 1000), zmq.POLLIN):
                return envelope_pb2.Reply.FromString(s.recv())
            return None
        finally:
            s.close()

    def cli(self, *args, key_file=None):
        env = {"PATH": os.environ["PATH"], "THUKY_CONFIG": str(self.config)}
        cfg = self.config
        if key_file:
            cfg = self.tmp / "cli-other.conf"
            cfg.write_text(self.config.read_text().replace(
                f"client_key_file = {self.keys}/secretariat.secret",
                f"client_key_file = {key_file}"))
            env["THUKY_CONFIG"] = str(cfg)
        p = subprocess.run([str(THUKY), *map(str, args)], env=env, capture_output=True,
                           text=True, timeout=60)
        return p.returncode, p.stdout, p.stderr

    def ok(self, *args):
        rc, out, err = self.cli(*args)
        assert rc == 0, f"thuky {args} -> {rc}: {out}{err}"
        return out

    def json(self, *args):
        return json.loads(self.ok("--json", *args))

    def wait_followed(self, timeout=15):
        """Until taskd and notifyd have applied every event of their sources."""
        deadline = time.monotonic() + timeout
        while True:
            status = {n: envelope_pb2.DaemonStatus.FromString(self.call(n, "status").body)
                      for n in NAMES}
            behind = [(n, sub.source, sub.applied_seq) for n in NAMES
                      for sub in status[n].subscriptions
                      if sub.applied_seq < status[sub.source].last_event_seq]
            if not behind:
                return
            assert time.monotonic() < deadline, f"behind: {behind}"
            time.sleep(0.05)


@pytest.fixture
def site(tmpdir_short):
    s = Site(tmpdir_short)
    s.start()
    try:
        s.ok("import", DEMO_SITTINGS)
        s.ok("import", DEMO_PROGRAM)
        s.wait_followed()
        yield s
    finally:
        try:
            s.stop()
        finally:
            s.close()


def code(reply):
    return None if reply is None else envelope_pb2.StatusCode.Name(reply.status.code)


# ---- CURVE --------------------------------------------------------------------------


def test_curve_known_keys_served_unknown_refused_and_logged(site):
    # The admin's CLI works over tcp (it imported the demo); its audit name
    # is the [client:NAME] section, whatever the request claims.
    tasks = json.loads(site.ok("--json", "task", "list", "--all"))
    assert len(tasks) >= 19
    detail = json.loads(site.ok("--json", "task", "show", str(tasks[0]["id"])))
    assert detail["history"][0]["caller"] == "secretariat"

    # A key no section names: the handshake is refused, nothing is answered.
    assert site.call("taskd", "status", key="stranger", timeout=1.0) is None
    # No CURVE at all on a tcp endpoint: refused too.
    assert site.call("taskd", "status", key=None, timeout=1.0) is None
    log = site.daemons["taskd"].stderr_text()
    assert f"unknown CURVE key {site.pub['stranger']}" in log
    # The daemon keeps serving everyone else.
    assert code(site.call("taskd", "status", timeout=10)) == "OK"

    # The CLI with an unknown key: a clear failure, not a hang.
    rc, _, err = site.cli("status", key_file=site.keys / "stranger.secret")
    assert rc != 0


def test_cli_without_client_key_refuses_tcp_clearly(site):
    cfg = site.tmp / "nokey.conf"
    cfg.write_text("\n".join(line for line in site.config.read_text().splitlines()
                             if not line.startswith("client_key_file")) + "\n")
    p = subprocess.run([str(THUKY), "--config", str(cfg), "task", "list"], capture_output=True,
                       text=True)
    assert p.returncode == 2
    assert "client_key_file" in one_line(p.stderr)


def test_event_feed_over_curve_for_readers_not_offices(site):
    subs = {}
    for key in ("reader", "office", "stranger"):
        s = site.socket("sessiond", key, kind=zmq.SUB, events=True)
        s.setsockopt(zmq.SUBSCRIBE, b"")
        subs[key] = s
    time.sleep(0.5)   # let the handshakes finish before publishing
    site.ok("session", "move", "XV-8", "--start", "2024-10-22", "--end", "2024-12-01")
    got = {}
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and "reader" not in got:
        for key, s in subs.items():
            if s.poll(50, zmq.POLLIN):
                frames = s.recv_multipart()
                if frames[0].startswith(b"session."):
                    got[key] = frames[0]
    time.sleep(0.5)
    for key, s in subs.items():
        while s.poll(0, zmq.POLLIN):
            frames = s.recv_multipart()
            if frames[0].startswith(b"session."):
                got[key] = frames[0]
        s.close()
    assert got.get("reader") == b"session.moved"
    assert "office" not in got and "stranger" not in got
    assert "role office, which does not get the event feed" in \
        site.daemons["sessiond"].stderr_text()



def test_events_tail_follow_over_curve_with_a_reader_key(site):
    """`thuky events tail --follow` on a workstation: the log first, then the
    live feed, both over tcp with the reader's own key."""
    cfg = site.tmp / "cli-reader.conf"
    cfg.write_text(site.config.read_text().replace(
        f"client_key_file = {site.keys}/secretariat.secret",
        f"client_key_file = {site.keys}/reader.secret"))
    last = envelope_pb2.DaemonStatus.FromString(site.call("taskd", "status").body).last_event_seq
    tail = subprocess.Popen([str(THUKY), "--json", "events", "tail", "--follow", "--from",
                             str(last)], env={"PATH": os.environ["PATH"], "THUKY_CONFIG": str(cfg)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def next_event(timeout=10):
        ready, _, _ = select.select([tail.stdout], [], [], timeout)
        assert ready, "events tail --follow printed nothing"
        return json.loads(tail.stdout.readline())

    try:
        first = next_event()
        assert first["seq"] == last            # --from SEQ prints SEQ itself: from the log
        tid = site.json("task", "list", "--limit", "1")[0]["id"]
        site.ok("task", "update", tid, "--progress", "35")
        live = next_event()
        assert (live["seq"], live["type"], live["subject"]) == (last + 1, "task.updated", tid)
        assert live["caller"] == "secretariat" and live["task"]["progress"] == 35
    finally:
        tail.terminate()
        assert tail.wait(timeout=10) == 0, tail.stderr.read()


def test_an_office_role_naming_an_unknown_office_is_warned_about(site):
    """A typo in `office =` would leave its holder seeing nothing: notifyd
    names the section at start and on reload until the office exists."""
    notifyd = site.daemons["notifyd"]
    warning = f"[client:ubtt-gateway] office = {OFFICE} is not an office this service knows"
    assert notifyd.stderr_text().count(warning) == 1   # at start, on an empty store
    assert OFFICE in {o["id"] for o in site.json("office", "list")}   # the demo import added it

    def reload():
        before = notifyd.stderr_text().count("configuration reloaded")
        notifyd.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while notifyd.stderr_text().count("configuration reloaded") == before:
            assert time.monotonic() < deadline, notifyd.stderr_text()
            time.sleep(0.05)

    reload()
    assert notifyd.stderr_text().count(warning) == 1     # known now: no new warning
    site.write_config(extra="[client:typo]\npublic_key = " + site.pub["stranger"] +
                      "\nrole = office\noffice = vu-thong-tn\n")
    reload()
    assert "[client:typo] office = vu-thong-tn is not an office" in notifyd.stderr_text()

# ---- roles --------------------------------------------------------------------------

A, O, R = "admin", "office", "reader"
# Who may run what: the policy of the issue, command by command.
POLICY = {
    "taskd": {"program.add": {A}, "program.list": {A, O}, "task.add": {A},
              "task.update": {A, O}, "task.get": {A, O}, "task.list": {A, O},
              "task.import": {A}},
    "sessiond": {"session.add": {A}, "session.move": {A}, "session.cancel": {A},
                 "session.status": {A}, "session.agenda.add": {A}, "session.get": {A, O},
                 "session.list": {A, O}, "session.ical": {A, O}, "calendar.year": {A, O},
                 "calendar.add_days": {A, O}},
    "notifyd": {"office.add": {A}, "office.get": {A, O}, "office.list": {A},
                "alert.list": {A, O}, "alert.ack": {A, O}, "alert.silence": {A},
                "alert.redeliver": {A}, "alert.silences": {A}, "alert.unsilence": {A},
                "alert.preview": {A}, "policy.get": {A, O}},
}
BUILTINS = {"status": {A, O, R}, "events.read": {A, R}, "clock.set": {A}, "clock.advance": {A}}
KEY_OF = {A: "secretariat", O: "office", R: "reader"}


def test_every_command_enforces_its_roles(site):
    for daemon, commands in POLICY.items():
        for command, allowed in {**commands, **BUILTINS}.items():
            for role in (A, O, R):
                if role == A and command in ("clock.set", "task.import", "session.add"):
                    continue   # would change state; admin's access is shown elsewhere
                reply = site.call(daemon, command, key=KEY_OF[role])
                assert reply is not None, (daemon, command, role)
                # Refused by role, before the handler (which may still refuse
                # an office another office's record: shown in the next test).
                denied = (reply.status.code == envelope_pb2.PERMISSION_DENIED
                          and f"(role {role}) may not run {command}" in reply.status.message)
                assert denied == (role not in allowed), \
                    f"{daemon} {command} as {role}: {code(reply)} {reply.status.message}"


def test_office_sees_and_reports_only_its_own(site):
    office_key = str(site.keys / "office.secret")
    rc, out, err = site.cli("--json", "task", "list", "--all", key_file=office_key)
    assert rc == 0, err
    mine = json.loads(out)
    assert mine and all(t["lead"] == OFFICE or OFFICE in t.get("with", [])
                        for t in mine)
    everything = json.loads(site.ok("--json", "task", "list", "--all"))
    assert len(everything) > len(mine)
    # Asking for another office's list, or another office's task: refused (exit 5).
    rc, _, err = site.cli("task", "list", "--office", OTHER, key_file=office_key)
    assert rc == 5 and "own tasks" in err
    theirs = next(t for t in everything if t["lead"] == OTHER
                  and OFFICE not in t.get("with", []))
    rc, _, err = site.cli("task", "show", str(theirs["id"]), key_file=office_key)
    assert rc == 5 and "neither leads nor coordinates" in err

    # Progress on its own task is recorded under the gateway's name.
    own = next(t for t in mine if t["lead"] == OFFICE)
    rc, _, err = site.cli("task", "update", str(own["id"]), "--progress", "40", "--note",
                          "Đã hoàn thành dự thảo", key_file=office_key)
    assert rc == 0, err
    detail = json.loads(site.ok("--json", "task", "show", str(own["id"])))
    assert detail["progress"] == 40 and detail["history"][-1]["caller"] == "ubtt-gateway"
    # Anything beyond progress, status, its own flags and a note is the Secretariat's.
    rc, _, err = site.cli("task", "update", str(own["id"]), "--title", "Khác",
                          key_file=office_key)
    assert rc == 5 and "the quality and dispute flags and a note only" in err
    rc, _, err = site.cli("task", "update", str(theirs["id"]), "--progress", "10",
                          key_file=office_key)
    assert rc == 5
    assert json.loads(site.ok("--json", "task", "show", str(theirs["id"])))["progress"] == \
        theirs["progress"]

    # Alerts: its own only, and it may acknowledge only those.
    reply = site.call("notifyd", "alert.list", notify_pb2.AlertListRequest(), key="office")
    alerts = notify_pb2.AlertList.FromString(reply.body).alerts
    assert alerts and {a.office for a in alerts} == {OFFICE}
    reply = site.call("notifyd", "alert.list", notify_pb2.AlertListRequest(office=OTHER),
                      key="office")
    assert code(reply) == "PERMISSION_DENIED"
    others = notify_pb2.AlertList.FromString(site.call(
        "notifyd", "alert.list", notify_pb2.AlertListRequest(office=OTHER)).body).alerts
    reply = site.call("notifyd", "alert.ack", notify_pb2.AlertAckRequest(id=others[0].id),
                      key="office")
    assert code(reply) == "PERMISSION_DENIED"
    reply = site.call("notifyd", "alert.ack", notify_pb2.AlertAckRequest(id=alerts[0].id),
                      key="office")
    assert code(reply) == "OK"
    reply = site.call("notifyd", "office.get", notify_pb2.OfficeGetRequest(id=OTHER),
                      key="office")
    assert code(reply) == "PERMISSION_DENIED"
    reply = site.call("notifyd", "office.get", notify_pb2.OfficeGetRequest(id=OFFICE),
                      key="office")
    assert code(reply) == "OK"


def test_sighup_reloads_roles_and_a_bad_file_changes_nothing(site):
    assert code(site.call("taskd", "task.add", key="reader")) == "PERMISSION_DENIED"
    # The gateway becomes a reader: its next connection is judged anew.
    site.write_config(office_role="reader")
    site.daemons["taskd"].proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 10
    while code(site.call("taskd", "task.list", key="office")) != "PERMISSION_DENIED":
        assert time.monotonic() < deadline, site.daemons["taskd"].stderr_text()
        time.sleep(0.1)
    assert "configuration reloaded" in site.daemons["taskd"].stderr_text()

    # A typo: the reload is refused with file:line, the old settings stay.
    good = site.config.read_text()
    site.config.write_text(good + "[client:typo]\nrol = admin\n")
    site.daemons["taskd"].proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 10
    while "reload refused" not in site.daemons["taskd"].stderr_text():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert f"{site.config}:" in site.daemons["taskd"].stderr_text()
    assert code(site.call("taskd", "status", key="office")) == "OK"
    assert code(site.call("taskd", "task.list")) == "OK"


# ---- local users on ipc ------------------------------------------------------------------


@pytest.fixture
def local(tmp_path_factory):
    """One sessiond on ipc in a directory others may traverse (its runtime
    directory is the daemon's own: 0750)."""
    tmp = Path(tempfile.mkdtemp(prefix="thuky-local-"))
    tmp.chmod(0o711)
    config = tmp / "thuky.conf"
    config.write_text(f"[core]\nlanguage = en\nruntime_dir = {tmp}/run\nstate_dir = {tmp}/var\n"
                      f"calendar_dir = {CALENDAR_DIR}\nlocal_role = none\n"
                      f"[client]\ntimeout_ms = 1000\nretries = 0\n"
                      f"[user:nobody]\nrole = reader\n")
    config.chmod(0o644)
    d = Daemon(tmp, name="sessiond")
    d.start()
    try:
        yield d
    finally:
        d.stop()
        d.close()
        subprocess.run(["rm", "-rf", str(tmp)], check=False)


def as_user(d, user, groups, *args):
    cmd = ["setpriv", f"--reuid={user}", "--regid=nogroup", f"--groups={groups}",
           str(THUKY), "--config", str(d.config), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=30)


def test_ipc_sockets_are_owner_and_group_only(local):
    run = local.tmp / "run"
    assert stat.S_IMODE(run.stat().st_mode) & 0o007 == 0
    for sock in run.iterdir():
        assert stat.S_IMODE(sock.stat().st_mode) & 0o007 == 0, sock


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run the CLI as another user")
def test_local_users_get_their_roles(local):
    # Not in the daemon's group: the socket cannot even be opened.
    p = as_user(local, "nobody", "65534", "session", "list")
    assert p.returncode != 0
    # In the group (root's, here), with [user:nobody] role = reader.
    p = as_user(local, "nobody", "0", "--json", "status")
    sessiond = next(d for d in json.loads(p.stdout) if d["daemon"] == "sessiond")
    assert sessiond["up"] is True, p.stdout
    p = as_user(local, "nobody", "0", "session", "list")
    assert p.returncode == 5 and "nobody (role reader) may not run session.list" in p.stderr
    # Another account in the group, with local_role = none: refused and logged.
    other = next(u.pw_name for u in pwd.getpwall()
                 if u.pw_uid not in (0, 65534) and u.pw_uid < 1000 and u.pw_name != "nobody")
    p = as_user(local, other, "0", "status")
    assert p.returncode != 0
    assert f"local user {other} has no role" in local.stderr_text()


# ---- refusing to start ------------------------------------------------------------------


def refused(tmp, text, binary=SESSIOND):
    config = tmp / "bad.conf"
    config.write_text(f"[core]\nlanguage = en\nruntime_dir = {tmp}/run\nstate_dir = {tmp}/var\n"
                      f"calendar_dir = {CALENDAR_DIR}\n" + text)
    rc, err = run_daemon_once(config, binary=binary)
    assert rc == 1, err
    return one_line(err)


def test_bad_keys_and_ports_refuse_start_with_one_line(tmpdir_short):
    tmp = tmpdir_short
    keys = tmp / "keys"
    keys.mkdir()
    port, = free_ports(1)
    tcp = f"key_dir = {keys}\n[sessiond]\ncommand = tcp://127.0.0.1:{port}\n"
    # No key file.
    line = refused(tmp, tcp)
    assert f"{keys}/sessiond.secret" in line and "No such file" in line
    # A secret key others may read.
    keygen(keys, "sessiond")
    (keys / "sessiond.secret").chmod(0o644)
    line = refused(tmp, tcp)
    assert "may be read by others" in line and "sessiond.secret" in line
    # Not a key file at all, and a public key that does not match.
    (keys / "sessiond.secret").write_text("[curve]\nsecret_key = hello\n")
    (keys / "sessiond.secret").chmod(0o600)
    assert "not a thuky secret key file" in refused(tmp, tcp)
    keygen(keys, "other")
    mixed = (keys / "other.key").read_text() + "secret_key = " + secret_of(keys, "sessiond")
    (keys / "sessiond.secret").write_text(mixed.replace("[curve]\n", "[curve]\n", 1))
    (keys / "sessiond.secret").chmod(0o600)
    # (the file now holds other's public key with a different secret key)
    line = refused(tmp, tcp)
    assert "not a thuky secret key file" in line or "does not belong" in line
    (keys / "sessiond.secret").unlink()
    (keys / "sessiond.key").unlink()
    keygen(keys, "sessiond")
    # The port is taken by someone else.
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        line = refused(tmp, tcp)
    assert f"cannot bind tcp://127.0.0.1:{port}" in line and "in use" in line
    # A typo in the configuration.
    line = refused(tmp, "[sessiond]\nmap_sise = 64M\n")
    assert "bad.conf:7: unknown key 'map_sise'" in line
    # A bad role.
    line = refused(tmp, "[user:alice]\nrole = boss\n")
    assert "bad.conf:7: bad value 'boss'" in line
    line = refused(tmp, "[client:x]\nrole = admin\n")
    assert "[client:x] needs public_key" in line



@pytest.mark.skipif(os.geteuid() != 0, reason="giving files to another user needs root")
def test_keygen_owner_gives_the_pair_to_the_daemon_user(tmpdir_short):
    keys = tmpdir_short / "keys"
    keys.mkdir()
    run = partial(subprocess.run, capture_output=True, text=True,
                  env={"PATH": os.environ["PATH"], "LANG": "C"})
    p = run([str(THUKY), "keygen", "taskd", "--dir", str(keys), "--owner", "nobody"])
    assert p.returncode == 0, p.stderr
    for name, mode in (("taskd.key", 0o644), ("taskd.secret", 0o600)):
        st = (keys / name).stat()
        assert (st.st_uid, st.st_gid, st.st_mode & 0o777) == (65534, 65534, mode), name
    # an unknown user is refused before anything is written
    p = run([str(THUKY), "keygen", "other", "--dir", str(keys), "--owner", "no-such-user"])
    assert p.returncode == 2 and "no user 'no-such-user'" in p.stderr
    assert sorted(f.name for f in keys.iterdir()) == ["taskd.key", "taskd.secret"]

@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to chown the state directory")
def test_state_directory_owned_by_someone_else_refuses_start(tmpdir_short):
    store = tmpdir_short / "var" / "sessiond"
    store.mkdir(parents=True)
    os.chown(store, 65534, 65534)
    line = refused(tmpdir_short, "")
    assert f"state directory {store} is owned by nobody (uid 65534)" in line
    assert not (store / "data.mdb").exists()


def test_smtp_password_file_others_may_read_refuses_start(tmpdir_short):
    pw = tmpdir_short / "smtp-password"
    pw.write_text("hunter2\n")
    pw.chmod(0o644)
    line = refused(tmpdir_short, f"[notifyd]\nsmtp_url = smtp://127.0.0.1:25\nsmtp_user = t\n"
                                 f"smtp_password_file = {pw}\n", binary=NOTIFYD)
    assert "may be read by others" in line and "hunter2" not in line


# ---- systemd ----------------------------------------------------------------------------


def test_systemd_ready_watchdog_reload_and_stopping(tmpdir_short):
    """The daemon speaks sd_notify to $NOTIFY_SOCKET as systemd would see it."""
    path = str(tmpdir_short / "notify.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(path)
    listener.settimeout(10)
    d = Daemon(tmpdir_short, name="sessiond")
    d.env.update(NOTIFY_SOCKET=path, WATCHDOG_USEC="200000")
    try:
        d.start(wait=False)
        seen = []

        def wait_for(text):
            while True:
                msg = listener.recv(4096).decode()
                seen.append(msg)
                if text in msg:
                    return msg

        wait_for("READY=1")
        # Ready means ready: the socket answers right away.
        assert d.call("status")[0].status.code == envelope_pb2.OK
        wait_for("WATCHDOG=1")
        wait_for("WATCHDOG=1")   # pinged again from the loop
        d.proc.send_signal(signal.SIGHUP)
        wait_for("RELOADING=1")
        wait_for("READY=1")
        d.proc.send_signal(signal.SIGTERM)
        wait_for("STOPPING=1")
        assert d.proc.wait(timeout=10) == 0
        d.proc = None
    finally:
        listener.close()
        if d.proc:
            d.stop()
        d.close()


def test_logs_carry_journal_priorities(tmpdir_short):
    d = Daemon(tmpdir_short, name="sessiond")
    d.start()
    try:
        d.ok("session", "add", "--kind", "plenary", "--term", "XV", "--number", "7",
             "--title", "Kỳ họp", "--start", "2024-05-20", "--end", "2024-06-28")
    finally:
        d.stop()
        d.close()
    lines = d.stderr_text().splitlines()
    assert lines and all(line[:3] in ("<3>", "<4>", "<6>", "<7>") for line in lines)
    assert any(line.startswith("<6>thuky-sessiond: info: serving") for line in lines)
