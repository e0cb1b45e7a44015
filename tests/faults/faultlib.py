"""Shared helpers of the fault suite (tests/faults).

The system tests' fixtures and classes (Daemon, Services, the protobuf
modules, tmpdir_short, ...) come from tests/system/conftest.py, loaded here
under its own module name so that it never clashes with this directory's
conftest.py: the suite runs with --import-mode=importlib (see faults.mk).

What is added here: Lazy Pirate writers (several clients, each resending
the same request with the same client_id/request_no until it is answered),
readers of the event log and of the followers' offsets, the external event_sink consumer, and a webhook receiver with scripted
behaviour.
"""
import base64
import importlib.util
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import zmq

FAULTS = Path(__file__).resolve().parent
SYSTEM = FAULTS.parent / "system"


def _load_system_conftest():
    name = "thuky_system_conftest"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, SYSTEM / "conftest.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


sysconf = _load_system_conftest()
Daemon = sysconf.Daemon
Services = sysconf.Services
envelope_pb2 = sysconf.envelope_pb2
event_pb2 = sysconf.event_pb2
task_pb2 = sysconf.task_pb2
session_pb2 = sysconf.session_pb2
notify_pb2 = sysconf.notify_pb2
base_config = sysconf.base_config
task_add_body = sysconf.task_add_body
add_task = sysconf.add_task
THUKY = sysconf.THUKY
EVENT_SINK = sysconf.EVENT_SINK
BUILD = sysconf.BUILD
REPO = sysconf.REPO

OK = envelope_pb2.OK
CODE_NAMES = {v.number: v.name for v in envelope_pb2.StatusCode.DESCRIPTOR.values}


def seeded(name):
    """A random generator whose seed comes from $THUKY_FAULT_SEED or the OS,
    printed so that a failure can be replayed."""
    env = os.environ.get("THUKY_FAULT_SEED")
    seed = int(env) if env else int.from_bytes(os.urandom(4), "little")
    print(f"[{name}] seed {seed} (replay with THUKY_FAULT_SEED={seed})")
    return seed, random.Random(seed)


wait_for = sysconf.wait_for


def fast_config(extra=""):
    """Short [client] timeouts (the followers' catch-up requests time out
    quickly after a restart of their source)."""
    return "[client]\ntimeout_ms = 500\nretries = 1\n" + extra


def write_config(tmp, extra=""):
    """Writes the configuration every daemon of tmp reads. base_config()
    already has a [client] section: ours replaces it (an ini section may
    not appear twice)."""
    text = base_config(tmp)
    text = text[:text.index("[client]")]
    (Path(tmp) / "thuky.conf").write_text(text + fast_config(extra), encoding="utf-8")


def make_services(tmp, extra=""):
    write_config(tmp, extra)
    s = Services(tmp)   # no extra: keeps the file written above
    return s


# ---- the event log --------------------------------------------------------------


def read_log(d, after=0, page=5000):
    """Every event of d's durable log after `after` (events.read, paged)."""
    out = []
    while True:
        reply, got = d.call("events.read",
                            event_pb2.EventsReadRequest(after_seq=after, limit=page),
                            event_pb2.EventsReadReply)
        assert reply.status.code == OK, reply.status.message
        out.extend(got.events)
        if not got.events or got.events[-1].seq >= got.last_seq:
            return out
        after = got.events[-1].seq


def status(d):
    reply, st = d.call("status", reply_type=envelope_pb2.DaemonStatus)
    assert reply.status.code == OK, reply.status.message
    return st


def subscription(d, source):
    """(applied, known) of d's subscription to source."""
    for sub in status(d).subscriptions:
        if sub.source == source:
            return sub.applied_seq, sub.known_seq
    return None


def assert_dense(events, what):
    seqs = [e.seq for e in events]
    assert seqs == list(range(1, len(seqs) + 1)), (
        f"{what}: event seqs are not dense 1..{len(seqs)}: first bad at "
        f"{next((i + 1, s) for i, s in enumerate(seqs) if s != i + 1)}")


# ---- Lazy Pirate writers --------------------------------------------------------


class Writer(threading.Thread):
    """One client: requests 1..n built by make(i) -> (command, body); each is
    sent with the same client_id/request_no/request_id until an answer
    comes (a fresh socket after every timeout). acked[i] = Reply."""

    def __init__(self, ctx, endpoint, make, n, timeout=0.25, give_up=60.0, name=None,
                 pace=0.0, hold=None):
        super().__init__(daemon=True)
        self.pace = pace
        self.hold = hold      # () -> True while the writer must wait (a lagging killer)
        self.ctx, self.endpoint, self.make, self.n = ctx, endpoint, make, n
        self.timeout_ms = int(timeout * 1000)
        self.give_up = give_up
        self.client_id = name or uuid.uuid4().hex[:16]
        self.acked = {}
        self.errors = []
        self.resends = 0
        self.stop = threading.Event()
        self.sock = None
        self.inflight = False   # a request sent and not answered yet

    def _socket(self):
        if self.sock is not None:
            self.sock.close(linger=0)
        self.sock = self.ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.setsockopt(zmq.RECONNECT_IVL, 10)
        self.sock.connect(self.endpoint)

    def run(self):
        try:
            self._socket()
            for i in range(1, self.n + 1):
                if not self._one(i):
                    return
                if self.pace:
                    time.sleep(self.pace)
        except Exception as e:  # noqa: BLE001 - reported by the test
            self.errors.append(f"{self.client_id}: {e!r}")
        finally:
            if self.sock is not None:
                self.sock.close(linger=0)

    def _one(self, i):
        while self.hold is not None and self.hold() and not self.stop.is_set():
            time.sleep(0.001)
        command, body = self.make(i)
        rid = f"{self.client_id}:{i}"
        data = Daemon.request(command, body, client_id=self.client_id, request_no=i,
                              request_id=rid)
        give_up = time.monotonic() + self.give_up
        self.inflight = True
        while True:
            self.sock.send(data)
            while self.sock.poll(self.timeout_ms, zmq.POLLIN):
                reply = envelope_pb2.Reply.FromString(self.sock.recv())
                if reply.request_id != rid:
                    continue   # a late answer to an earlier request
                self.inflight = False
                if reply.status.code != OK:
                    self.errors.append(f"{rid} ({command}): {CODE_NAMES.get(reply.status.code)}"
                                       f" {reply.status.message}")
                    self.acked[i] = reply
                    return False
                self.acked[i] = reply
                return True
            if self.stop.is_set():
                self.errors.append(f"{rid}: stopped before an answer")
                return False
            if time.monotonic() > give_up:
                self.errors.append(f"{rid}: no answer in {self.give_up} s")
                return False
            self.resends += 1
            self._socket()


def acked_count(writers):
    return sum(len(w.acked) for w in writers)


def join_writers(writers, timeout=120):
    deadline = time.monotonic() + timeout
    for w in writers:
        w.join(timeout=max(0.1, deadline - time.monotonic()))
    for w in writers:
        if w.is_alive():
            w.stop.set()
    for w in writers:
        w.join(timeout=5)
    return [e for w in writers for e in w.errors]


# ---- webhooks -------------------------------------------------------------------

SECRET = "whsec_" + base64.b64encode(b"thuky-fault-secret-0123456789").decode()


def secret_file(dirpath):
    path = Path(dirpath) / "hook.whsec"
    path.write_text(SECRET + "\n")
    path.chmod(0o600)
    return path


class Receiver:
    """A webhook receiver on loopback. behaviour(n, wid) -> "ok" | int status |
    "close" (read and record the request, then drop the connection without an
    answer) | "hang" (never answer). Every request is recorded in `requests`
    as (webhook-id, signature ok, outcome, CloudEvent, monotonic time);
    `processed` counts the webhook-ids the receiver accepted (200 or close)."""

    def __init__(self, behaviour=lambda n, wid: "ok"):
        self.behaviour = behaviour
        self.requests = []
        self.processed = {}
        self.lock = threading.Lock()
        self.release = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                wid = self.headers["webhook-id"]
                signed = sysconf.webhook_signature_ok(self.headers, body, SECRET)
                with outer.lock:
                    n = len(outer.requests)
                    what = outer.behaviour(n, wid)
                    outer.requests.append((wid, signed, what, json.loads(body),
                                           time.monotonic()))
                    if what in ("ok", "close"):
                        outer.processed[wid] = outer.processed.get(wid, 0) + 1
                if what == "hang":
                    outer.release.wait(60)
                    self.close_connection = True
                    return
                if what == "close":
                    self.close_connection = True
                    try:
                        self.connection.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    return
                code = 200 if what == "ok" else int(what)
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def stop_all(s, judge=True):
    """Stops every daemon of s; judge=False ends them without judging the
    exit (a test expected to fail)."""
    try:
        for d in reversed(s.all):
            if judge:
                d.stop()
            else:
                d.discard()
    finally:
        s.close()


# ---- the external durable consumer (build/tests/event_sink) -------------------------


class Sink:
    """build/tests/event_sink following the task service with its own store;
    prints "offset N" whenever its committed offset moves."""

    def __init__(self, tmp, config):
        self.tmp, self.config = Path(tmp), config
        self.store = self.tmp / "sink"
        self.proc = None
        self.runs = 0
        self.offset = None
        self._lock = threading.Lock()

    def start(self):
        self.runs += 1
        err = open(self.tmp / f"sink.{self.runs}.err", "wb")
        self.proc = subprocess.Popen(
            [str(EVENT_SINK), "--config", str(self.config), "--store", str(self.store)],
            stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL)
        err.close()
        proc = self.proc
        threading.Thread(target=self._read, args=(proc,), daemon=True).start()

    def _read(self, proc):
        for raw in iter(proc.stdout.readline, b""):
            line = raw.decode().strip()
            if line.startswith("offset ") and proc is self.proc:
                with self._lock:
                    self.offset = int(line.split()[1])

    def stderr(self):
        return (self.tmp / f"sink.{self.runs}.err").read_text(errors="replace")

    def kill9(self):
        proc, self.proc = self.proc, None
        proc.kill()
        proc.wait()
        self.offset = None

    def stop(self):
        proc, self.proc = self.proc, None
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            rc = "timeout"
        self.offset = None
        assert rc == 0, f"event_sink exited with {rc}: {self.stderr()}"

    def dump(self):
        p = subprocess.run([str(EVENT_SINK), "--config", str(self.config), "--store",
                            str(self.store), "--dump"], capture_output=True, timeout=60)
        assert p.returncode == 0, p.stderr.decode()
        seqs, info = [], {}
        for line in p.stdout.decode().splitlines():
            if line.isdigit():
                seqs.append(int(line))
            else:
                key, value = line.split()
                info[key] = int(value)
        return seqs, info


def all_alerts(notifyd):
    """Every alert of notifyd's plan (alert.list answers at most 5000: page
    by fire date, 'from' being inclusive)."""
    import datetime
    out, frm = {}, ""
    while True:
        reply, lst = notifyd.call("alert.list", notify_pb2.AlertListRequest(
            limit=5000, **{"from": frm}), notify_pb2.AlertList)
        assert reply.status.code == OK, reply.status.message
        for a in lst.alerts:
            out[a.id] = a
        if not lst.truncated:
            return list(out.values())
        day = (datetime.datetime.utcfromtimestamp(lst.alerts[-1].fire_ms / 1000)
               + datetime.timedelta(hours=7)).date().isoformat()
        assert day != frm, f"more than 5000 alerts fire on {day}: cannot page"
        frm = day
