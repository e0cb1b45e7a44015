"""Power-loss simulation, in the manner of SQLite's crash tests.

Each daemon runs once under a shim (tests/faults/powercut.c, LD_PRELOAD)
that records every write and every sync it makes on its store's files,
while this test makes acknowledged writes to it and appends an "ack" event
to the same trace after each reply. Then, at random cut points of the
trace, it builds the disk a power cut there could have left:

- every write that ended before a completed sync of its file began is on
  disk, in order, and so is every write on a descriptor opened O_DSYNC;
- every later write of that file is dropped, written whole, or torn (a
  random subset of its 512-byte sectors), and they land in a random order.

and starts the real daemon on each image. Every image must open and
recover, hold every write acknowledged before the cut, and none twice
(the event log dense, each write's event once, the state agreeing).

The log is made tiny (128 KiB, a checkpoint every 16 KiB or 5 ms) so that the
writes wrap the ring several times and the cuts fall in every phase of a
checkpoint. At least 1,000 cut points in all (CUTS per daemon)."""
import os
import shutil
import struct
from collections import Counter
from pathlib import Path

import pytest

from faultlib import (BUILD, OK, Daemon, assert_dense, base_config, notify_pb2, read_log,
                      seeded, session_pb2, task_add_body, task_pb2)

SHIM = BUILD / "tests" / "libpowercut.so"
CUTS = int(os.environ.get("THUKY_POWER_CUTS", "340"))  # per daemon: 1,020 in all
WRITES = 240           # acknowledged writes per daemon run
MAGIC = 0x54554350
EV_WRITE, EV_SYNC_BEGIN, EV_SYNC_END, EV_TRUNCATE, EV_WRITE_DURABLE, EV_ACK = 1, 2, 3, 4, 5, 9
FILES = {1: "data.mdb", 2: "wal.log"}
LOG = "log_size = 128K\ncheckpoint_size = 16K\ncheckpoint_ms = 5\n"
PAD = "đ" * 200        # 400 bytes of UTF-8 per write: the records wrap the log


def _parse(data):
    events, pos = [], 0
    while pos < len(data):
        magic, typ, kind, _pad, length, off = struct.unpack_from("<IBBHIQ", data, pos)
        assert magic == MAGIC, f"trace damaged at byte {pos}"
        pos += 20
        events.append((typ, kind, off, data[pos:pos + length]))
        pos += length
    return events


def _ack(i):
    text = str(i).encode()
    return struct.pack("<IBBHIQ", MAGIC, EV_ACK, 0, 0, len(text), 0) + text


def _put(buf, off, data):
    end = off + len(data)
    if end > len(buf):
        buf.extend(bytes(end - len(buf)))
    buf[off:end] = data


def _image(events, cut, base, rng):
    """The files a power cut after events[:cut] could leave."""
    files = {k: bytearray(base[name]) for k, name in FILES.items()}
    begun, durable = {}, {1: 0, 2: 0}
    for j in range(cut):
        typ, kind, off, _ = events[j]
        if typ == EV_SYNC_BEGIN:
            begun[off] = j
        elif typ == EV_SYNC_END:
            durable[kind] = max(durable[kind], begun[off])
    pending = []
    for j in range(cut):
        typ, kind, off, data = events[j]
        if typ not in (EV_WRITE, EV_WRITE_DURABLE):
            continue
        if j < durable[kind] or typ == EV_WRITE_DURABLE:
            _put(files[kind], off, data)
        else:
            pending.append((kind, off, data))
    rng.shuffle(pending)                          # reordered
    for kind, off, data in pending:
        fate = rng.random()
        if fate < 1 / 3:
            continue                              # dropped
        if fate < 2 / 3:
            _put(files[kind], off, data)          # written whole
            continue
        start = off                               # torn at 512-byte boundaries
        while start < off + len(data):
            end = min((start // 512 + 1) * 512, off + len(data))
            if rng.random() < 0.5:
                _put(files[kind], start, data[start - off:end - off])
            start = end
    return {name: bytes(files[k]) for k, name in FILES.items()}


# ---- what each daemon is asked, and how an image is checked ---------------------


def _taskd_prepare(d):
    reply, _ = d.call("program.add", task_pb2.ProgramAddRequest(program=task_pb2.Program(
        year=2024, decision="3333/QĐ-TTKQH", title="CT 2024")))
    assert reply.status.code == OK, reply.status.message


def _taskd_write(d, i):
    return d.call("task.add", task_add_body(f"pc-{i} {PAD}"))[0]


def _taskd_check(d, acked):
    events = read_log(d)
    assert_dense(events, "taskd")
    made = Counter(e.task.task.title.split(" ")[0] for e in events if e.type == "task.created")
    reply, tasks = d.call("task.list", task_pb2.TaskListRequest(limit=10000, all_statuses=True),
                          task_pb2.TaskList)
    assert reply.status.code == OK, reply.status.message
    stored = Counter(t.title.split(" ")[0] for t in tasks.tasks)
    return made, stored


def _sessiond_write(d, i):
    sit = session_pb2.Sitting(id=f"PC-{i}", kind=session_pb2.KIND_CONFERENCE,
                              title=f"pc-{i} {PAD}",
                              start=session_pb2.SittingTime(date="2025-03-03"),
                              end=session_pb2.SittingTime(date="2025-03-03"))
    return d.call("session.add", session_pb2.SessionAddRequest(sitting=sit))[0]


def _sessiond_check(d, acked):
    events = read_log(d)
    assert_dense(events, "sessiond")
    made = Counter(e.session.sitting.title.split(" ")[0] for e in events
                   if e.type == "session.created")
    stored = Counter()
    for i in set(acked) | {int(t[3:]) for t in made}:
        reply, sit = d.call("session.get", session_pb2.SessionGetRequest(id=f"PC-{i}"),
                            session_pb2.Sitting)
        if reply.status.code == OK:
            stored[sit.title.split(" ")[0]] += 1
    return made, stored


def _notifyd_write(d, i):
    return d.call("office.add", notify_pb2.OfficeAddRequest(office=notify_pb2.Office(
        id=f"pc-{i}", name=f"pc-{i} {PAD[:140]}", kind=notify_pb2.OFFICE_DEPARTMENT,
        email=f"pc-{i}@demo.quochoi.vn")))[0]


def _notifyd_check(d, acked):
    events = read_log(d)
    assert_dense(events, "notifyd")
    made = Counter(e.office.office.id for e in events if e.type == "office.created")
    reply, offices = d.call("office.list", notify_pb2.OfficeListRequest(), notify_pb2.OfficeList)
    assert reply.status.code == OK, reply.status.message
    stored = Counter(o.id for o in offices.offices if o.id.startswith("pc-"))
    return made, stored


DAEMONS = {"taskd": (_taskd_prepare, _taskd_write, _taskd_check),
           "sessiond": (None, _sessiond_write, _sessiond_check),
           "notifyd": (None, _notifyd_write, _notifyd_check)}


def _record(tmp, name):
    """Runs the daemon under the shim; returns the base files and the trace."""
    prepare, write, _ = DAEMONS[name]
    Path(tmp).mkdir(parents=True, exist_ok=True)
    d = Daemon(tmp, extra_config=f"[{name}]\n{LOG}", name=name)
    d.start()
    if prepare:
        prepare(d)
    d.stop()                                      # a clean stop: the last checkpoint
    store = Path(tmp) / "var" / name
    base = {f: (store / f).read_bytes() for f in FILES.values()}
    trace = Path(tmp) / "trace"
    d.env.update(LD_PRELOAD=str(SHIM), POWERCUT_TRACE=str(trace), POWERCUT_DIR=str(store))
    d.start()
    fd = os.open(trace, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        for i in range(1, WRITES + 1):
            reply = write(d, i)
            assert reply.status.code == OK, reply.status.message
            os.write(fd, _ack(i))
    finally:
        os.close(fd)
        d.kill9()
    return base, _parse(trace.read_bytes())


@pytest.mark.parametrize("name", ["taskd", "sessiond", "notifyd"])
def test_power_cut_images_recover_every_acknowledged_write(tmpdir_short, name):
    assert SHIM.exists(), f"{SHIM} is missing: make test-faults builds it"
    seed, rng = seeded(f"power-{name}")
    base, events = _record(tmpdir_short / "run", name)
    # the images model writes and syncs; a truncation would need its own rule
    assert not any(e[0] == EV_TRUNCATE for e in events), "a store file was truncated"
    writes = sum(1 for e in events if e[0] in (EV_WRITE, EV_WRITE_DURABLE))
    syncs = sum(1 for e in events if e[0] == EV_SYNC_END)
    assert writes > WRITES and syncs > WRITES, "the shim saw no writes: is it loaded?"
    records = [e[2] for e in events if e[0] == EV_WRITE and e[1] == 2 and e[2] >= 4096]
    laps = 1 + sum(1 for a, b in zip(records, records[1:]) if b < a)
    assert laps >= 2, f"the writes never wrapped the log ({laps} lap): make them larger"
    _, _, check = DAEMONS[name]
    img = tmpdir_short / "img"
    img.mkdir()
    d = Daemon(img, extra_config=f"[{name}]\n{LOG}", name=name)
    store = img / "var" / name
    cuts = sorted(rng.randrange(1, len(events) + 1) for _ in range(CUTS))
    rolled_back = replayed = 0
    for cut in cuts:
        acked = {int(e[3]) for e in events[:cut] if e[0] == EV_ACK}
        shutil.rmtree(store, ignore_errors=True)
        store.mkdir(parents=True)
        for f, data in _image(events, cut, base, rng).items():
            (store / f).write_bytes(data)
        d.start()
        try:
            made, stored = check(d, acked)
        finally:
            d.kill9()
        err = d.stderr_text()
        rolled_back += "set aside" in err
        replayed += "replayed from the log" in err
        want = {f"pc-{i}" for i in acked}
        where = f"cut {cut}/{len(events)} ({len(acked)} acknowledged; seed {seed})"
        assert want <= set(made), f"{where}: acknowledged writes lost: {sorted(want - set(made))[:5]}"
        assert max(made.values(), default=1) == 1, f"{where}: an event applied twice"
        assert set(stored) == set(made) and max(stored.values(), default=1) == 1, (
            f"{where}: the state and the event log disagree")
    print(f"[power-{name}] {CUTS} images from {len(events)} events ({writes} writes, {laps} laps "
          f"of the log, "
          f"{syncs} syncs): all recovered; {replayed} replayed the log, "
          f"{rolled_back} set an unsynced checkpoint aside")
    assert replayed > 0, "no image needed the log: the cuts missed the interesting part"
