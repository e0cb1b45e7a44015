"""Fixtures for the system tests: the real daemons and the thuky CLI.

The build directory comes from $THUKY_BUILD (absolute, or relative to the
repository root; default "build"), so the same suite runs against build/ and
against the sanitizer build (build-san/). Every test gets a fresh temporary
directory with its own configuration, runtime directory and store.
"""
import base64
import hashlib
import hmac
import json
import os
import pwd
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import zmq

REPO = Path(__file__).resolve().parents[2]
_build = Path(os.environ.get("THUKY_BUILD", "build"))
BUILD = _build if _build.is_absolute() else REPO / _build
TASKD = BUILD / "thuky-taskd"
SESSIOND = BUILD / "thuky-sessiond"
NOTIFYD = BUILD / "thuky-notifyd"
WEBD = BUILD / "thuky-webd"
BINARIES = {"taskd": TASKD, "sessiond": SESSIOND, "notifyd": NOTIFYD, "webd": WEBD}
CALENDAR_DIR = REPO / "deploy" / "calendar"
DEMO_SITTINGS = REPO / "deploy" / "demo" / "sittings-2024.json"
THUKY = BUILD / "thuky"
EVENT_SINK = BUILD / "tests" / "event_sink"
DEMO_PROGRAM = REPO / "deploy" / "demo" / "program-2024.json"

sys.path.insert(0, str(BUILD / "py"))
from thuky import envelope_pb2, event_pb2, notify_pb2, session_pb2, task_pb2  # noqa: E402

PROTOCOL = envelope_pb2.PROTOCOL_CURRENT
# How long to wait for a daemon to answer after start: it takes milliseconds,
# but a loaded machine (CI, a benchmark next door) can stall the store's
# first fsync; $THUKY_START_TIMEOUT overrides.
START_TIMEOUT = float(os.environ.get("THUKY_START_TIMEOUT", "10"))
# A command the daemons run under, e.g. valgrind (tests/run.py --valgrind
# sets it): "valgrind --error-exitcode=97 ...". A daemon that ends with an
# error of the wrapper fails stop()'s clean-exit check.
WRAP = os.environ.get("THUKY_WRAP", "").split()
STOP_TIMEOUT = 10.0


def pytest_configure(config):
    for binary in (TASKD, SESSIOND, NOTIFYD, WEBD, THUKY):
        if not binary.exists():
            raise pytest.UsageError(
                f"{binary} is missing: run 'make all' (or set THUKY_BUILD)")


def wait_for(predicate, what, timeout=10.0, interval=0.02):
    """Polls predicate until it returns something true; returns that."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(interval)


def free_ports(count):
    """COUNT distinct loopback tcp ports that were free a moment ago.

    They come from below the kernel's ephemeral range (ip_local_port_range), so
    an outgoing connection elsewhere cannot take one between this call and the
    daemon's bind; every one is held open until all are chosen, so two cannot
    be the same port."""
    held, ports = [], []
    rng = random.SystemRandom()
    try:
        while len(ports) < count:
            port = rng.randrange(20000, 32000)
            if port in ports:
                continue
            s = socket.socket()
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                s.close()
                continue
            held.append(s)
            ports.append(port)
    finally:
        for s in held:
            s.close()
    return ports


def webhook_signature_ok(headers, body, secret):
    """Whether a webhook POST carries a valid Standard Webhooks signature
    (HMAC-SHA256 of id.timestamp.body under the whsec_ secret)."""
    key = base64.b64decode(secret[len("whsec_"):])
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    want = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return want in [p.split(",", 1)[1] for p in headers["webhook-signature"].split()]


def caller_name():
    """What the daemons record as the caller of a local user: the login
    name the kernel reports for the ipc peer, whatever the client claims."""
    return pwd.getpwuid(os.getuid()).pw_name


def test_env():
    """The environment the binaries run in: the caller's, without a locale
    that would choose a language (the config's language applies)."""
    env = dict(os.environ)
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        env.pop(var, None)
    env["LANG"] = "C.UTF-8"
    return env


def base_config(tmp):
    # English: the tests match the English messages; the Vietnamese ones
    # are tested with --lang vi or language = vi (test_i18n.py).
    return (f"[core]\nruntime_dir = {tmp}/run\nstate_dir = {tmp}/var\n"
            f"calendar_dir = {CALENDAR_DIR}\nlanguage = en\n"
            f"[client]\ntimeout_ms = 2000\nretries = 1\n")


def one_line(stderr):
    """The non-empty lines of stderr; asserts there is exactly one."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got:\n{stderr}"
    return lines[0]


class Daemon:
    """A thuky daemon process (taskd by default) on a temporary directory;
    daemons of one test share the directory and its configuration."""

    def __init__(self, tmp, extra_config="", name="taskd"):
        self.tmp = Path(tmp)
        self.name = name
        self.binary = BINARIES[name]
        self.config = self.tmp / "thuky.conf"
        if extra_config or not self.config.exists():
            self.config.write_text(base_config(self.tmp) + extra_config, encoding="utf-8")
        self.endpoint = f"ipc://{self.tmp}/run/{name}.cmd"
        self.events_endpoint = f"ipc://{self.tmp}/run/{name}.pub"
        self.proc = None
        self.starts = 0
        self.stderr_path = None
        self.ctx = zmq.Context()
        self.env = test_env()
        self.env["THUKY_CONFIG"] = str(self.config)
        self.env.pop("THUKY_BUILD", None)

    # ---- process control -------------------------------------------------

    def start(self, wait=True, clock=None):
        """clock: start the test clock at this local time ("2024-05-17T10:00")."""
        assert self.proc is None, "daemon already running"
        self.starts += 1
        self.stderr_path = self.tmp / f"{self.name}.{self.starts}.err"
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(
                [*WRAP, str(self.binary), "--config", str(self.config),
                 f"--test-clock={clock}" if clock else "--test-clock"],
                stdin=subprocess.DEVNULL, stdout=err, stderr=err, env=self.env)
        if wait:
            self.wait_ready()

    def stderr_text(self):
        if self.stderr_path and self.stderr_path.exists():
            return self.stderr_path.read_text(encoding="utf-8", errors="replace")
        return ""

    def wait_ready(self, timeout=START_TIMEOUT):
        """Polls 'thuky status' until the daemon answers."""
        sock = Path(self.endpoint[len("ipc://"):])
        deadline = time.monotonic() + timeout
        while True:
            rc = self.proc.poll()
            if rc is not None:
                pytest.fail(f"thuky-{self.name} exited with {rc} at start:\n{self.stderr_text()}")
            # A daemon killed with -9 leaves its socket file, so the file
            # alone does not say the new one listens; a start that replays
            # its log (slow under valgrind) may take longer than one try.
            if sock.exists():
                raw = self.raw_send(self.request("status"), timeout=1.0)
                if raw is not None and \
                        envelope_pb2.Reply.FromString(raw).status.code == envelope_pb2.OK:
                    return
            if time.monotonic() > deadline:
                pytest.fail(f"thuky-{self.name} did not answer within {timeout} s:\n"
                            f"{self.stderr_text()}")
            time.sleep(0.02)

    def stop(self):
        """SIGTERM, wait, and require a clean exit (0: no leak, no error)."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            pytest.fail(f"thuky-{self.name} did not stop on SIGTERM:\n{self.stderr_text()}")
        assert rc == 0, f"thuky-{self.name} exited with {rc}:\n{self.stderr_text()}"

    def restart(self):
        self.stop()
        self.start()

    def kill9(self):
        proc, self.proc = self.proc, None
        if proc is not None:
            proc.kill()
            proc.wait()

    def discard(self):
        """Ends the daemon without judging its exit (for tests expected to
        fail because the daemon misbehaves)."""
        self.kill9()

    def close(self):
        self.ctx.destroy(linger=0)

    # ---- the command line ---------------------------------------------------

    def cli(self, *args, timeout=30, config=None, env=None):
        """Runs thuky; returns (rc, stdout, stderr)."""
        run_env = dict(env if env is not None else self.env)
        if config is not None:
            run_env["THUKY_CONFIG"] = str(config)
        p = subprocess.run([str(THUKY), *map(str, args)], env=run_env, capture_output=True,
                           timeout=timeout, stdin=subprocess.DEVNULL)
        return (p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8"))

    def ok(self, *args):
        """Runs thuky and requires exit 0; returns stdout."""
        rc, out, err = self.cli(*args)
        assert rc == 0, f"thuky {' '.join(map(str, args))} -> {rc}\n{out}{err}"
        return out

    def json(self, *args):
        return json.loads(self.ok("--json", *args))

    def assert_serving(self):
        reply, _ = self.call("status")
        assert reply.status.code == envelope_pb2.OK, f"{reply}\n{self.stderr_text()}"
        assert self.proc is not None and self.proc.poll() is None

    def set_clock(self, when):
        """Sets this daemon's test clock to a local (UTC+7) time, e.g.
        "2024-05-01" or "2024-05-01T08:00"."""
        import datetime
        text = when if "T" in when else when + "T00:00"
        local = datetime.datetime.fromisoformat(text).replace(
            tzinfo=datetime.timezone(datetime.timedelta(hours=7)))
        reply, _ = self.call("clock.set",
                             envelope_pb2.ClockRequest(set_ms=int(local.timestamp() * 1000)))
        assert reply.status.code == envelope_pb2.OK, reply.status.message

    # ---- the raw command socket ---------------------------------------------

    def raw_send(self, data, timeout=3.0, frames=None):
        """Sends one message (bytes, or several frames) on a fresh DEALER and
        returns the raw reply bytes, or None when nothing came in time."""
        sock = self.ctx.socket(zmq.DEALER)
        sock.setsockopt(zmq.LINGER, 0)
        # a refused connection leaves no pipe: the send must not block for ever
        sock.setsockopt(zmq.SNDTIMEO, int(timeout * 1000))
        try:
            sock.connect(self.endpoint)
            try:
                if frames is not None:
                    sock.send_multipart(frames)
                else:
                    sock.send(data)
            except zmq.Again:
                return None
            if sock.poll(int(timeout * 1000), zmq.POLLIN):
                return sock.recv()
            return None
        finally:
            sock.close()

    def raw(self, data, timeout=3.0):
        """Sends bytes; returns the decoded thuky.Reply (fails when none)."""
        reply = self.raw_send(data, timeout)
        assert reply is not None, f"no reply from thuky-{self.name}"
        return envelope_pb2.Reply.FromString(reply)

    @staticmethod
    def request(command, body=None, protocol=PROTOCOL, request_id=None, client_id="",
                request_no=0, caller="pytest@system"):
        """A serialized thuky.Request."""
        if body is not None and not isinstance(body, (bytes, bytearray)):
            body = body.SerializeToString()
        req = envelope_pb2.Request(
            protocol=protocol, request_id=request_id or uuid.uuid4().hex, client_id=client_id,
            request_no=request_no, caller=caller, command=command, body=body or b"")
        return req.SerializeToString()

    def call(self, command, body=None, reply_type=None, **fields):
        """Sends a command; returns (Reply, decoded body or None)."""
        reply = self.raw(self.request(command, body, **fields))
        decoded = None
        if reply_type is not None and reply.status.code == envelope_pb2.OK:
            decoded = reply_type.FromString(reply.body)
        return reply, decoded


def run_daemon_once(config, timeout=15, binary=TASKD):
    """Runs a daemon expecting it to refuse to start; returns (rc, stderr)."""
    p = subprocess.run([str(binary), "--config", str(config), "--test-clock"],
                       capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    return p.returncode, p.stderr.decode("utf-8", errors="replace")


@pytest.fixture
def tmpdir_short():
    """A short temporary directory (ipc:// paths are limited to ~107 bytes)."""
    path = tempfile.mkdtemp(prefix="thuky-")
    yield Path(path)
    subprocess.run(["rm", "-rf", path], check=False)


def _daemon(tmp, extra_config=""):
    """The task daemon, with the session and notification services beside
    it (the CLI's status, clock and import commands speak to all three)."""
    companions = [Daemon(tmp, extra_config, name="sessiond")]
    d = Daemon(tmp, extra_config)
    d.companions = companions
    try:
        companions[0].start()
        d.start()
        companions.append(Daemon(tmp, name="notifyd"))
        companions[1].start()
    except BaseException:
        for x in [d] + companions:   # none is left running when one fails to start
            x.discard()
            x.close()
        raise
    return d


def _finish(d):
    """Stops every daemon of the test, even when one of them fails to stop
    cleanly (then that failure is raised, after the others are stopped)."""
    failure = None
    try:
        for x in [d] + d.companions:
            try:
                x.stop()
            except BaseException as e:  # pytest.fail raises outside Exception
                failure = failure or e
    finally:
        for x in [d] + d.companions:
            x.close()
    if failure:
        raise failure


@pytest.fixture
def daemon(tmpdir_short):
    d = _daemon(tmpdir_short)
    try:
        yield d
    finally:
        _finish(d)


@pytest.fixture
def daemon_factory(tmpdir_short):
    """For tests that need their own configuration: factory(extra_config)."""
    made = []

    def make(extra_config=""):
        d = _daemon(tmpdir_short, extra_config)
        made.append(d)
        return d

    try:
        yield make
    finally:
        for d in made:
            _finish(d)


@pytest.fixture
def program(daemon):
    """The daemon with the 2024 work program (two groups)."""
    daemon.ok("program", "add", "2024", "--decision", "3333/QĐ-TTKQH", "--title",
              "Chương trình công tác năm 2024", "--group", "1:Nhóm 1", "--group", "2:Nhóm 2")
    return daemon


def read_log(d, after=0):
    """Every event of the daemon's durable log after `after` (events.read)."""
    out = []
    while True:
        reply, page = d.call("events.read", event_pb2.EventsReadRequest(after_seq=after,
                                                                       limit=1000),
                             event_pb2.EventsReadReply)
        assert reply.status.code == envelope_pb2.OK, reply.status.message
        if not page.events:
            return out
        out.extend(page.events)
        after = page.events[-1].seq


def add_task(d, title, lead="vu-thu-ky", program=2024, due=None, due_rel=None, with_=None,
             extra=(), before_sitting=None):
    """thuky task add; returns the id ("T12"). A relative deadline is added
    with --before-sitting unless before_sitting=False (the sitting exists)."""
    args = ["task", "add", "--program", str(program), "--title", title, "--lead", lead]
    if due:
        args += ["--due", due]
    if due_rel:
        args += ["--due-rel", due_rel]
        if before_sitting is None or before_sitting:
            args += ["--before-sitting"]
    if with_:
        args += ["--with", ",".join(with_)]
    args += list(extra)
    out = d.ok(*args).strip()
    assert out.startswith("T") and out[1:].isdigit(), out
    return out


def task_add_body(title, lead="vu-thu-ky", year=2024, due=None):
    t = task_pb2.Task(program_year=year, title=title, lead_office=lead)
    if due:
        t.deadline.absolute.date = due
    return task_pb2.TaskAddRequest(task=t)


class Services:
    """The three services on one directory. The CLI helpers (ok, json, cli)
    are the task daemon's: the CLI talks to all of them."""

    def __init__(self, tmp, extra_config=""):
        self.sessiond = Daemon(tmp, extra_config, name="sessiond")
        self.taskd = Daemon(tmp, name="taskd")
        self.notifyd = Daemon(tmp, name="notifyd")
        self.all = (self.sessiond, self.taskd, self.notifyd)
        self.ok, self.json, self.cli = self.taskd.ok, self.taskd.json, self.taskd.cli

    def start(self):
        for d in self.all:
            d.start()

    def stop(self):
        """Stops all three, even when one fails to stop cleanly."""
        failure = None
        for d in reversed(self.all):
            try:
                d.stop()
            except BaseException as e:
                failure = failure or e
        if failure:
            raise failure

    def close(self):
        for d in self.all:
            d.close()

    def followed(self):
        """(applied, known) session sequence numbers of the task service."""
        reply, st = self.taskd.call("status", reply_type=envelope_pb2.DaemonStatus)
        assert reply.status.code == envelope_pb2.OK
        for sub in st.subscriptions:
            if sub.source == "sessiond":
                return sub.applied_seq, sub.known_seq
        return 0, 0

    def wait_followed(self, timeout=10.0):
        """Waits until the task service has applied every session event."""
        reply, st = self.sessiond.call("status", reply_type=envelope_pb2.DaemonStatus)
        target = st.last_event_seq
        deadline = time.monotonic() + timeout
        while self.followed()[0] < target:
            assert time.monotonic() < deadline, (
                f"task service stuck at {self.followed()} of {target}:\n"
                f"{self.taskd.stderr_text()}")
            time.sleep(0.02)


@pytest.fixture
def services(tmpdir_short):
    """Both daemons running, with the 2024 work program."""
    s = Services(tmpdir_short)
    s.start()
    try:
        s.ok("program", "add", "2024", "--decision", "3333/QĐ-TTKQH", "--title",
             "Chương trình công tác năm 2024")
        yield s
    finally:
        try:
            s.stop()
        finally:
            s.close()
