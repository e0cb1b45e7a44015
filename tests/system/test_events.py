"""The event feed: the durable log, live publication, exactly-once consumers,
idempotent retries and crash safety of acknowledged writes."""
import json
import os
import queue
import random
import signal
import subprocess
import threading
import time
import uuid

import pytest
import zmq

from conftest import (EVENT_SINK, THUKY, add_task, envelope_pb2, event_pb2, task_add_body,
                      task_pb2)

OK = envelope_pb2.OK


def tail(d, *args):
    out = d.ok("--json", "events", "tail", *args)
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def last_seq(d):
    return d.json("status")[0]["last_event_seq"]


class LineReader:
    """Collects a subprocess's stdout lines in a thread."""

    def __init__(self, stream):
        self.lines = queue.Queue()
        self.thread = threading.Thread(target=self._run, args=(stream,), daemon=True)
        self.thread.start()

    def _run(self, stream):
        for raw in iter(stream.readline, b""):
            self.lines.put(raw.decode("utf-8").rstrip("\n"))

    def get(self, timeout):
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            return None


def _stop(proc, sig=signal.SIGTERM, timeout=10):
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        pytest.fail(f"{proc.args[0]} did not stop on {sig!r}")


# ---- the log ---------------------------------------------------------------------


def test_events_tail_lists_every_change_with_dense_seqs(program):
    d = program
    d.set_clock("2024-06-01T08:00")
    tid = add_task(d, "Theo dõi sự kiện", due="2024-06-20")
    d.ok("task", "update", tid, "--progress", "30")
    d.ok("task", "update", tid, "--due", "2024-06-25")
    d.ok("task", "update", tid, "--note", "chỉ ghi chú")
    d.ok("task", "done", tid)
    rc, _, _ = d.cli("task", "update", tid, "--progress", "500")  # refused: no event
    assert rc == 2
    rc, _, _ = d.cli("task", "show", "T77")  # a read: no event
    assert rc == 3

    events = tail(d)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert [e["type"] for e in events] == [
        "program.created", "task.created", "task.updated", "task.deadline_changed",
        "task.commented", "task.completed"]
    assert len(events) == last_seq(d)
    for e in events:
        assert e["id"] == f"taskd-{e['seq']}" and e["source"] == "/thuky/taskd"
    assert events[0]["subject"] == "program/2024"
    assert all(e["subject"] == tid for e in events[1:])
    assert events[1]["time"] == "2024-06-01 08:00"
    upd = events[2]
    assert {"field": "progress", "old": "0", "new": "30"} in upd["changes"]
    assert upd["task"]["status"] == "in_progress"
    moved = events[3]
    assert {"field": "deadline.date", "old": "2024-06-20", "new": "2024-06-25"} \
        in moved["changes"]
    assert events[5]["task"]["status"] == "done" and events[5]["task"]["progress"] == 100

    # --from SEQ prints SEQ and what follows
    assert tail(d, "--from", "4") == events[3:]
    assert tail(d, "--from", "1") == events
    assert tail(d, "--from", str(len(events) + 1)) == []
    human = d.ok("events", "tail", "--from", "6").splitlines()
    assert len(human) == 1 and human[0].split()[0] == "6" and "task.completed" in human[0]
    # another daemon's log, and a service that does not exist
    assert tail(d, "--service", "sessiond") == []
    rc, _, err = d.cli("events", "tail", "--service", "mailer")
    assert rc == 2 and "unknown service 'mailer' (taskd, sessiond, notifyd, webd)" in err


def test_events_read_pages_and_limits(program):
    for i in range(12):
        program.call("task.add", task_add_body(f"t{i}"))
    reply, page = program.call("events.read", event_pb2.EventsReadRequest(after_seq=3, limit=5),
                               event_pb2.EventsReadReply)
    assert reply.status.code == OK
    assert [e.seq for e in page.events] == [4, 5, 6, 7, 8] and page.last_seq == 13
    reply, page = program.call("events.read", event_pb2.EventsReadRequest(after_seq=13),
                               event_pb2.EventsReadReply)
    assert list(page.events) == [] and page.last_seq == 13
    reply, page = program.call("events.read", event_pb2.EventsReadRequest(after_seq=2**64 - 1),
                               event_pb2.EventsReadReply)
    assert reply.status.code == OK and list(page.events) == []


# ---- idempotency -------------------------------------------------------------------


def test_retried_request_is_applied_once(program):
    d = program
    client = uuid.uuid4().hex[:16]
    req = d.request("task.add", task_add_body("một lần thôi"), client_id=client, request_no=1,
                    request_id=f"{client}:1")
    first = d.raw_send(req)
    second = d.raw_send(req)
    assert first is not None and first == second  # the stored reply, byte for byte
    reply = envelope_pb2.Reply.FromString(first)
    assert reply.status.code == OK and reply.request_id == f"{client}:1"
    task = task_pb2.Task.FromString(reply.body)
    assert [t["id"] for t in d.json("task", "list")] == [f"T{task.id}"]
    assert [e["type"] for e in tail(d)] == ["program.created", "task.created"]

    # the next number is a new request; an older one is refused
    nxt = d.raw(d.request("task.add", task_add_body("lần hai"), client_id=client, request_no=2))
    assert nxt.status.code == OK
    old = d.raw(d.request("task.add", task_add_body("cũ"), client_id=client, request_no=1,
                          request_id="again"))
    assert old.status.code == envelope_pb2.CONFLICT, old
    assert len(d.json("task", "list")) == 2

    # two copies in the same batch: still once
    client2 = uuid.uuid4().hex[:16]
    req = d.request("task.update", task_pb2.TaskUpdateRequest(id=task.id, note="đúng một lần"),
                    client_id=client2, request_no=7)
    sock = d.ctx.socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(d.endpoint)
    try:
        sock.send(req)
        sock.send(req)
        replies = []
        for _ in range(2):
            assert sock.poll(3000), "no reply"
            replies.append(sock.recv())
    finally:
        sock.close()
    assert replies[0] == replies[1]
    notes = [h["note"] for h in d.json("task", "show", f"T{task.id}")["history"]]
    assert notes.count("đúng một lần") == 1


# ---- live feed ---------------------------------------------------------------------


def test_events_tail_follow_prints_live_events(program):
    d = program
    add_task(d, "đã có")
    proc = subprocess.Popen([str(THUKY), "--json", "events", "tail", "--follow"], env=d.env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)
    try:
        reader = LineReader(proc.stdout)

        def next_event():
            line = reader.get(timeout=8)
            assert line is not None, "events tail --follow printed nothing"
            return json.loads(line)

        # what was logged before it started comes first
        assert [next_event()["seq"] for _ in range(2)] == [1, 2]
        tid = add_task(d, "mới")
        e = next_event()
        assert (e["seq"], e["type"], e["subject"]) == (3, "task.created", tid)
        d.ok("task", "update", tid, "--flag", "dispute")
        e = next_event()
        assert (e["seq"], e["type"]) == (4, "task.updated")
        assert e["task"]["flags"] == ["dispute"]
        d.ok("task", "done", tid)
        assert next_event()["type"] == "task.completed"
        assert reader.get(timeout=0.3) is None  # nothing doubled
    finally:
        rc = _stop(proc, signal.SIGINT)
    assert rc == 0, proc.stderr.read().decode()


# ---- an exactly-once consumer ---------------------------------------------------------


class Sink:
    def __init__(self, d):
        self.d = d
        self.store = d.tmp / "sink"
        self.proc = None
        self.offset = None
        self.runs = 0

    def start(self):
        self.runs += 1
        err = open(self.d.tmp / f"sink.{self.runs}.err", "wb")
        self.proc = subprocess.Popen(
            [str(EVENT_SINK), "--config", str(self.d.config), "--store", str(self.store)],
            stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL)
        err.close()
        self.reader = LineReader(self.proc.stdout)

    def wait_offset(self, seq, timeout=8):
        deadline = time.monotonic() + timeout
        while self.offset != seq:
            left = deadline - time.monotonic()
            line = self.reader.get(timeout=max(left, 0.01)) if left > 0 else None
            if line is None:
                pytest.fail(f"event_sink offset {self.offset}, expected {seq}: "
                            f"{self.stderr()}")
            if line.startswith("offset "):
                self.offset = int(line.split()[1])
                assert self.offset <= seq, f"event_sink went past {seq}: {self.offset}"

    def stderr(self):
        return (self.d.tmp / f"sink.{self.runs}.err").read_text(errors="replace")

    def kill9(self):
        self.proc.kill()
        self.proc.wait()
        self.offset = None

    def stop(self):
        rc = _stop(self.proc)
        assert rc == 0, f"event_sink exited with {rc}: {self.stderr()}"
        self.offset = None

    def dump(self):
        p = subprocess.run([str(EVENT_SINK), "--config", str(self.d.config), "--store",
                            str(self.store), "--dump"], capture_output=True, timeout=20)
        assert p.returncode == 0, p.stderr.decode()
        seqs, info = [], {}
        for line in p.stdout.decode().splitlines():
            if line.isdigit():
                seqs.append(int(line))
            else:
                key, value = line.split()
                info[key] = int(value)
        return seqs, info


def _writes(d, n, prefix):
    for i in range(n):
        reply, _ = d.call("task.add", task_add_body(f"{prefix}-{i}"))
        assert reply.status.code == OK, reply.status.message


@pytest.mark.skipif(not EVENT_SINK.exists(), reason=f"{EVENT_SINK} is not built")
def test_subscriber_down_catches_up_nothing_lost_or_doubled(program):
    d = program
    sink = Sink(d)
    sink.start()
    try:
        sink.wait_offset(1)
        _writes(d, 5, "a")
        sink.wait_offset(last_seq(d))

        # writes keep coming while the sink is killed
        burst = threading.Thread(target=_writes, args=(d, 30, "b"))
        burst.start()
        time.sleep(random.uniform(0.0, 0.1))
        sink.kill9()
        burst.join()
        _writes(d, 5, "c")  # more while it is down

        sink.start()
        sink.wait_offset(last_seq(d))
        _writes(d, 5, "d")  # and live again
        n = last_seq(d)
        sink.wait_offset(n)
        assert n == 1 + 5 + 30 + 5 + 5
    finally:
        if sink.proc.poll() is None:
            sink.stop()
    seqs, info = sink.dump()
    assert seqs == list(range(1, n + 1))
    assert info == {"duplicates": 0, "offset": n}


# ---- crash safety -----------------------------------------------------------------------


def test_kill9_loses_no_acknowledged_write(program):
    d = program
    tid = int(add_task(d, "ghi chú liên tục")[1:])
    total = 150
    seed = int.from_bytes(os.urandom(4), "little")
    rng = random.Random(seed)
    kill_after = rng.randint(10, 90)
    acked, errors = [], []
    abandon = threading.Event()  # the test failed: stop writing

    def writer():
        client = uuid.uuid4().hex[:16]
        for i in range(1, total + 1):
            note = f"note-{i}"
            req = d.request("task.update", task_pb2.TaskUpdateRequest(id=tid, note=note),
                            client_id=client, request_no=i, request_id=f"w{i}")
            give_up = time.monotonic() + 30
            while True:  # Lazy Pirate: resend the same request until it is answered
                raw = d.raw_send(req, timeout=0.3)
                if raw is not None:
                    reply = envelope_pb2.Reply.FromString(raw)
                    if reply.status.code != OK or reply.request_id != f"w{i}":
                        errors.append(f"{note}: {reply.status.message}")
                        return
                    acked.append(note)
                    break
                if time.monotonic() > give_up or abandon.is_set():
                    errors.append(f"{note}: no reply")
                    return

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(acked) < kill_after and thread.is_alive():
            time.sleep(0.001)
        time.sleep(rng.uniform(0, 0.01))
        d.kill9()
        acked_at_kill = len(acked)
        d.start()
    except BaseException:
        abandon.set()
        raise
    finally:
        thread.join(timeout=60)
    assert not errors, f"seed {seed}: {errors}"
    assert acked_at_kill >= kill_after
    assert len(acked) == total

    shown = d.json("task", "show", f"T{tid}")
    notes = [h["note"] for h in shown["history"] if h["note"]]
    assert len(notes) == len(set(notes)), f"seed {seed}: a write was applied twice"
    missing = [n for n in acked if n not in set(notes)]
    assert not missing, f"seed {seed}: acknowledged writes lost: {missing}"
    assert notes == [f"note-{i}" for i in range(1, total + 1)]
    assert shown["comments"] == total
    events = tail(d)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert len(events) == 2 + total
