"""Scenario 1: kill -9 during a stream of acknowledged writes.

For each daemon in turn (taskd, sessiond, notifyd), several Lazy Pirate
clients write while the daemon is killed with SIGKILL at random points and
started again at once. Afterwards: no acknowledged write is lost, none is
applied twice, in the daemon's state and in its event log (dense sequence
numbers, exactly one event per applied write)."""
import time
from collections import Counter

import pytest
import zmq

from faultlib import (OK, Writer, acked_count, assert_dense, join_writers,
                      make_services, notify_pb2, read_log, seeded, session_pb2, status,
                      stop_all, subscription, task_add_body, task_pb2, wait_for)

CLIENTS = 6
WRITES = 1667          # per client: 6 x 1,667 = 10,002 acknowledged writes per daemon
KILLS = 100            # per daemon: 300 kills in all
PER_SITTING = 40       # agenda items per sitting (each event carries the sitting)
LAG = 60               # writes past the next kill point before the writers wait


def _taskd_setup(s, clients):
    s.ok("program", "add", "2024", "--decision", "3333/QĐ-TTKQH", "--title", "CT 2024")
    tids = []
    for c in range(clients):
        reply, task = s.taskd.call("task.add", task_add_body(f"ghi chú {c}"),
                                   reply_type=task_pb2.Task)
        assert reply.status.code == OK, reply.status.message
        tids.append(task.id)

    def make(c):
        return lambda i: ("task.update",
                          task_pb2.TaskUpdateRequest(id=tids[c], note=f"c{c}-n{i}"))
    return tids, make


def _taskd_check(s, ctx, writers, after):
    tids = ctx
    events = read_log(s.taskd)
    assert_dense(events, "taskd")
    new = [e for e in events if e.seq > after]
    assert {e.type for e in new} == {"task.commented"}, Counter(e.type for e in new)
    notes = Counter(e.task.note for e in new)
    twice = [n for n, k in notes.items() if k > 1]
    assert not twice, f"applied twice (event log): {twice[:10]}"
    for c, w in enumerate(writers):
        want = [f"c{c}-n{i}" for i in range(1, WRITES + 1)]
        lost = [n for n in want if n not in notes]
        assert not lost, f"acknowledged writes lost (event log): {lost[:10]}"
        in_log = [e.task.note for e in new if e.task.task.id == tids[c]]
        assert in_log == want, f"client {c}: event order differs"
        reply, detail = s.taskd.call("task.get", task_pb2.TaskGetRequest(id=tids[c]),
                                     task_pb2.TaskDetail)
        assert reply.status.code == OK
        hist = [h.note for h in detail.history if h.note]
        assert hist == want, (f"client {c}: history has {len(hist)} notes, "
                              f"{len(set(want) - set(hist))} lost, "
                              f"{len(hist) - len(set(hist))} doubled")
        assert detail.task.comment_count == WRITES
    last = events[-1].seq
    wait_for(lambda: subscription(s.notifyd, "taskd") == (last, last),
             "notifyd to follow the task service", timeout=20)
    return len(new)


def _sessiond_setup(s, clients):
    per = -(-WRITES // PER_SITTING)
    for c in range(clients):
        for k in range(per):
            sit = session_pb2.Sitting(id=f"FK-{c}-{k}", kind=session_pb2.KIND_CONFERENCE,
                                      title=f"Hội nghị {c}-{k}",
                                      start=session_pb2.SittingTime(date="2025-03-03"),
                                      end=session_pb2.SittingTime(date="2025-03-03"))
            reply, _ = s.sessiond.call("session.add", session_pb2.SessionAddRequest(sitting=sit))
            assert reply.status.code == OK, reply.status.message

    def make(c):
        return lambda i: ("session.agenda.add",
                          session_pb2.AgendaAddRequest(id=f"FK-{c}-{(i - 1) // PER_SITTING}",
                                                       text=f"c{c}-a{i}"))
    return per, make


def _sessiond_check(s, per, writers, after):
    events = read_log(s.sessiond)
    assert_dense(events, "sessiond")
    new = [e for e in events if e.seq > after]
    assert {e.type for e in new} == {"session.agenda_changed"}, Counter(e.type for e in new)
    texts = Counter(e.session.sitting.agenda[-1].text for e in new)
    twice = [t for t, k in texts.items() if k > 1]
    assert not twice, f"applied twice (event log): {twice[:10]}"
    for c in range(len(writers)):
        want = [f"c{c}-a{i}" for i in range(1, WRITES + 1)]
        lost = [t for t in want if t not in texts]
        assert not lost, f"acknowledged writes lost (event log): {lost[:10]}"
        got = []
        for k in range(per):
            reply, sit = s.sessiond.call("session.get", session_pb2.SessionGetRequest(
                id=f"FK-{c}-{k}"), session_pb2.Sitting)
            assert reply.status.code == OK
            assert [a.number for a in sit.agenda] == list(range(1, len(sit.agenda) + 1))
            got += [a.text for a in sit.agenda]
        assert got == want, (f"client {c}: agendas hold {len(got)} items, "
                             f"{len(set(want) - set(got))} lost, {len(got) - len(set(got))} doubled")
    # the task service followed every one of them, once
    wait_for(lambda: subscription(s.taskd, "sessiond")[0] == events[-1].seq,
             "the task service to follow the session service", timeout=20)
    return len(new)


def _notifyd_setup(s, clients):
    def make(c):
        def one(i):
            if i % 4 == 0:
                return ("alert.silence", notify_pb2.SilenceRequest(silence=notify_pb2.Silence(
                    office=f"fo-{c}-{i}", until="2025-01-31", reason=f"c{c}-s{i}")))
            return ("office.add", notify_pb2.OfficeAddRequest(office=notify_pb2.Office(
                id=f"fo-{c}-{i}", name=f"Đơn vị {c}-{i}", kind=notify_pb2.OFFICE_DEPARTMENT,
                email=f"fo-{c}-{i}@demo.quochoi.vn")))
        return one
    return None, make


def _notifyd_check(s, _, writers, after):
    events = read_log(s.notifyd)
    assert_dense(events, "notifyd")
    new = [e for e in events if e.seq > after]
    assert {e.type for e in new} <= {"office.created", "silence.created"}, \
        Counter(e.type for e in new)
    silences = Counter(e.silence.id for e in new if e.type == "silence.created")
    assert not [i for i, k in silences.items() if k > 1], "a silence applied twice (event log)"
    new = [e for e in new if e.type == "office.created"]
    ids = Counter(e.office.office.id for e in new)
    twice = [t for t, k in ids.items() if k > 1]
    assert not twice, f"applied twice (event log): {twice[:10]}"
    want = {f"fo-{c}-{i}" for c in range(len(writers)) for i in range(1, WRITES + 1) if i % 4}
    assert not (want - set(ids)), f"acknowledged offices lost (event log): {sorted(want - set(ids))[:10]}"
    assert set(ids) == want
    reply, offices = s.notifyd.call("office.list", notify_pb2.OfficeListRequest(),
                                    notify_pb2.OfficeList)
    assert reply.status.code == OK
    stored = Counter(o.id for o in offices.offices)
    assert set(stored) == want and max(stored.values()) == 1, "office list differs"
    # silences: ids S1, S2, ... handed out once each, in one transaction with
    # the record: a silence applied twice leaves a gap, one lost reuses an id
    sil = [notify_pb2.Silence.FromString(w.acked[i].body).id
           for w in writers for i in w.acked if i % 4 == 0]
    n = len(sil)
    assert sorted(sil, key=lambda x: int(x[1:])) == [f"S{k}" for k in range(1, n + 1)], (
        "silence ids are not S1..Sn: a silence was applied twice or lost")
    reply, extra = s.notifyd.call("alert.silence", notify_pb2.SilenceRequest(
        silence=notify_pb2.Silence(office="fo-x", until="2025-01-31", reason="after")),
        notify_pb2.Silence)
    assert reply.status.code == OK and extra.id == f"S{n + 1}", extra
    assert sorted(silences) == sorted(sil), "acknowledged silences missing from the event log"
    return len(new) + n


SETUPS = {"taskd": (_taskd_setup, _taskd_check), "sessiond": (_sessiond_setup, _sessiond_check),
          "notifyd": (_notifyd_setup, _notifyd_check)}


@pytest.mark.parametrize("name", ["taskd", "sessiond", "notifyd"])
def test_kill9_during_write_stream_loses_and_doubles_nothing(tmpdir_short, name):
    """kill -9 the daemon at KILLS random points while CLIENTS Lazy Pirate
    clients make WRITES acknowledged writes each to it; then every acknowledged
    write is in the state and in the log once, and the log is dense."""
    seed, rng = seeded(f"kill9-{name}")
    s = make_services(tmpdir_short)
    s.start()
    ok = False
    try:
        d = getattr(s, name)
        setup, check = SETUPS[name]
        ctx_, make = setup(s, CLIENTS)
        after = status(d).last_event_seq
        total = CLIENTS * WRITES
        points = sorted(rng.sample(range(20, total - 400), KILLS))
        zctx = zmq.Context()
        # the killer runs on the test's thread and may lag behind six busy
        # writers (the GIL): they wait when they get LAG writes past the next
        # kill point, so that every kill lands inside the stream
        nxt = [points[0]]
        writers = []
        writers += [Writer(zctx, d.endpoint, make(c), WRITES, name=f"{name}-{seed}-{c}",
                           hold=lambda: acked_count(writers) >= nxt[0] + LAG)
                    for c in range(CLIENTS)]
        started = time.monotonic()
        for w in writers:
            w.start()
        kills = inflight = 0
        try:
            for k, p in enumerate(points):
                while acked_count(writers) < p and any(w.is_alive() for w in writers):
                    time.sleep(0.001)
                if not any(w.is_alive() for w in writers):
                    break
                # release writers held for this point first: the kill lands
                # among requests in flight
                nxt[0] = points[k + 1] if k + 1 < len(points) else 10 ** 9
                time.sleep(rng.uniform(0.0005, 0.004))
                d.kill9()
                inflight += sum(w.inflight for w in writers)
                kills += 1
                d.start()
        finally:
            errors = join_writers(writers, timeout=120)
            zctx.destroy(linger=0)
        elapsed = time.monotonic() - started
        assert not errors, errors[:10]
        assert kills == KILLS, f"only {kills} kills"
        assert acked_count(writers) == total
        applied = check(s, ctx_, writers, after)
        resends = sum(w.resends for w in writers)
        print(f"[kill9-{name}] {total} acknowledged writes, {kills} kills, {resends} resends, "
              f"{inflight} requests in flight at the kills, {applied} applied, {elapsed:.1f} s")
        ok = True
    except AssertionError as e:
        raise AssertionError(f"seed {seed}: {e}") from None
    finally:
        stop_all(s, judge=ok)
