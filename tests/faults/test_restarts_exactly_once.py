"""Scenario 2: every event reaches every consumer exactly once, in order,
while each daemon is restarted again and again (SIGTERM or SIGKILL, at
random) and writes keep flowing to all three."""
import datetime
import time
from collections import Counter, defaultdict

import zmq

from faultlib import (OK, all_alerts, Sink, Writer, assert_dense, join_writers, make_services, notify_pb2,
                      read_log, seeded, session_pb2, status, subscription, task_pb2, wait_for)

CLOCK = "2024-01-02T10:00"   # every fire time is months away: nothing goes out
SITTINGS = 4                 # plenary sittings XV-1..XV-4
DEPENDENTS = 5               # tasks hanging on each, "XV-k:open:-(10+5j)d"
MOVES = 45                   # per sitting, +1 day each
ADDS = 350                   # task.add writes to the task service
OFFICES = 120                # office.add writes to the notification service
DURATION = 14.0              # seconds the writes are spread over


def _day(iso, delta):
    return (datetime.date.fromisoformat(iso) + datetime.timedelta(days=delta)).isoformat()


BASE = {k: _day("2024-05-06", 28 * (k - 1)) for k in range(1, SITTINGS + 1)}


def _move(i):
    k, m = (i - 1) % SITTINGS + 1, (i - 1) // SITTINGS + 1
    start = _day(BASE[k], m)
    return ("session.move", session_pb2.SessionMoveRequest(
        id=f"XV-{k}", start=session_pb2.SittingTime(date=start),
        end=session_pb2.SittingTime(date=_day(start, 20))))


def _add(i):
    t = task_pb2.Task(program_year=2024, title=f"Việc {i}", lead_office="vu-thu-ky")
    t.deadline.absolute.date = _day("2024-06-03", i % 20)
    return ("task.add", task_pb2.TaskAddRequest(task=t))


def _office(i):
    return ("office.add", notify_pb2.OfficeAddRequest(office=notify_pb2.Office(
        id=f"dv-{i}", name=f"Đơn vị {i}", kind=notify_pb2.OFFICE_DEPARTMENT,
        email=f"dv-{i}@demo.quochoi.vn")))


def test_restarts_every_event_reaches_every_consumer_once_in_order(tmpdir_short):
    """sessiond, taskd, notifyd and an external event_sink are restarted at
    random (SIGTERM must exit 0; SIGKILL any time) while Lazy Pirate clients
    move sittings, add tasks and add offices. Then:
    - taskd applied every session.moved once, in order: for every dependent
      task exactly one task.deadline_changed per move, old -> new chained;
    - notifyd applied every task and session event (applied == known ==
      the source's last seq) and its plan matches every final deadline;
    - event_sink's store holds exactly 1..N of taskd's log, no duplicates;
    - every log is dense."""
    seed, rng = seeded("restarts")
    s = make_services(tmpdir_short)
    for d in s.all:
        d.start(clock=CLOCK)
    sink = Sink(tmpdir_short, s.taskd.config)
    ok = False
    restarts = Counter()
    try:
        s.ok("program", "add", "2024", "--decision", "3333/QĐ-TTKQH", "--title", "CT 2024")
        s.ok("office", "add", "vu-thu-ky", "--name", "Vụ Thư ký", "--kind", "department",
             "--email", "vtk@demo.quochoi.vn")
        for k in range(1, SITTINGS + 1):
            s.ok("session", "add", "--kind", "plenary", "--term", "XV", "--number", str(k),
                 "--title", f"Kỳ họp thứ {k}", "--start", BASE[k], "--end", _day(BASE[k], 20))
        s.wait_followed()
        offsets = {}
        for k in range(1, SITTINGS + 1):
            for j in range(DEPENDENTS):
                off = 10 + 5 * j
                reply, task = s.taskd.call("task.add", task_pb2.TaskAddRequest(task=task_pb2.Task(
                    program_year=2024, title=f"Tài liệu kỳ họp {k}/{j}", lead_office="vu-thu-ky",
                    deadline=task_pb2.Deadline(relative=task_pb2.RelativeDeadline(
                        sitting_id=f"XV-{k}", anchor=task_pb2.ANCHOR_OPENING, offset=-off,
                        unit=task_pb2.CALENDAR_DAYS)))), task_pb2.Task)
                assert reply.status.code == OK, reply.status.message
                assert task.deadline.resolved_date == _day(BASE[k], -off)
                offsets[task.id] = (k, off)
        session_base = status(s.sessiond).last_event_seq
        sink.start()

        zctx = zmq.Context()
        n_moves = SITTINGS * MOVES
        writers = [
            Writer(zctx, s.sessiond.endpoint, _move, n_moves, name=f"mv-{seed}",
                   pace=DURATION / n_moves),
            Writer(zctx, s.taskd.endpoint, _add, ADDS, name=f"add-{seed}", pace=DURATION / ADDS),
            Writer(zctx, s.notifyd.endpoint, _office, OFFICES, name=f"of-{seed}",
                   pace=DURATION / OFFICES),
        ]
        for w in writers:
            w.start()
        targets = ["sessiond", "taskd", "notifyd", "sink"]
        try:
            while any(w.is_alive() for w in writers):
                time.sleep(rng.uniform(0.05, 0.25))
                who, how = rng.choice(targets), rng.choice(("kill", "term"))
                restarts[f"{who}/{how}"] += 1
                if who == "sink":
                    sink.kill9() if how == "kill" else sink.stop()
                    sink.start()
                else:
                    d = getattr(s, who)
                    d.kill9() if how == "kill" else d.stop()
                    d.start(clock=CLOCK)
        finally:
            errors = join_writers(writers, timeout=120)
            zctx.destroy(linger=0)
        assert not errors, errors[:10]
        print(f"[restarts] restarts {dict(sorted(restarts.items()))}")
        assert all(restarts[f"{t}/kill"] + restarts[f"{t}/term"] >= 3 for t in targets), restarts

        # ---- quiesce ----------------------------------------------------------
        s_last = status(s.sessiond).last_event_seq
        wait_for(lambda: subscription(s.taskd, "sessiond") == (s_last, s_last),
                 "taskd to apply every session event", timeout=30)
        t_last = status(s.taskd).last_event_seq
        wait_for(lambda: subscription(s.notifyd, "taskd") == (t_last, t_last)
                 and subscription(s.notifyd, "sessiond") == (s_last, s_last),
                 "notifyd to apply every task and session event", timeout=30)
        wait_for(lambda: sink.offset == t_last, f"event_sink to reach {t_last}", timeout=30)
        sink.stop()

        # ---- the external consumer: exactly 1..N ------------------------------
        seqs, info = sink.dump()
        assert info == {"duplicates": 0, "offset": t_last}, info
        assert seqs == list(range(1, t_last + 1)), "event_sink: not exactly 1..N"

        # ---- sessiond's log ----------------------------------------------------
        s_events = read_log(s.sessiond)
        assert_dense(s_events, "sessiond")
        moves = [e for e in s_events if e.seq > session_base]
        assert [e.type for e in moves] == ["session.moved"] * n_moves
        assert len(s_events) == s_last

        # ---- taskd applied each move once, in order ----------------------------
        t_events = read_log(s.taskd)
        assert_dense(t_events, "taskd")
        changed = defaultdict(list)
        for e in t_events:
            if e.type == "task.deadline_changed" and e.task.task.id in offsets:
                ch = {c.field: (c.old_value, c.new_value) for c in e.task.changes}
                changed[e.task.task.id].append(ch["deadline.date"])
        per_sitting = defaultdict(list)
        for e in moves:
            per_sitting[e.subject].append((e.session.old_start.date, e.session.sitting.start.date))
        for tid, (k, off) in offsets.items():
            want = [(_day(a, -off), _day(b, -off)) for a, b in per_sitting[f"XV-{k}"]]
            assert len(want) == MOVES
            got = changed[tid]
            assert got == want, (f"T{tid} on XV-{k}: {len(got)} deadline_changed events for "
                                 f"{len(want)} moves; first difference at "
                                 f"{next((i for i, (g, w) in enumerate(zip(got, want)) if g != w), min(len(got), len(want)))}")
            reply, detail = s.taskd.call("task.get", task_pb2.TaskGetRequest(id=tid),
                                         task_pb2.TaskDetail)
            assert detail.task.deadline.resolved_date == want[-1][1]
        added = {task_pb2.Task.FromString(r.body).id: task_pb2.Task.FromString(r.body)
                 for r in writers[1].acked.values()}
        assert len(added) == ADDS
        created = Counter(e.task.task.id for e in t_events if e.type == "task.created")
        assert all(created[t] == 1 for t in added), "a task.add applied twice or lost"

        # ---- notifyd's plan follows every final deadline ----------------------
        n_events = read_log(s.notifyd)
        assert_dense(n_events, "notifyd")
        plan = all_alerts(s.notifyd)
        live = defaultdict(set)
        for a in plan:
            if a.state == notify_pb2.ALERT_PLANNED:
                live[a.task_id].add(a.due_date)
        finals = {tid: _day(BASE[k], MOVES - off) for tid, (k, off) in offsets.items()}
        finals.update({tid: t.deadline.resolved_date for tid, t in added.items()})
        wrong = {t: (sorted(live.get(t, ())), d) for t, d in finals.items() if live.get(t) != {d}}
        assert not wrong, f"planned alerts that do not match the final deadline: {list(wrong.items())[:5]}"
        # every deadline here only ever moves forward, so an alert id (task,
        # date, lead time, office) is planned once: twice = an event applied twice
        planned = Counter(e.alert.alert.id for e in n_events if e.type == "alert.planned")
        again = {k: v for k, v in planned.items() if v > 1}
        assert not again, f"alerts planned more than once: {list(again.items())[:5]}"
        offices = Counter(e.office.office.id for e in n_events if e.type == "office.created")
        assert all(offices[f"dv-{i}"] == 1 for i in range(1, OFFICES + 1))
        print(f"[restarts] sessiond {s_last} events ({n_moves} moves), taskd {t_last} events "
              f"({sum(len(v) for v in changed.values())} deadline_changed), notifyd "
              f"{len(n_events)} events, {len(plan)} alerts, sink runs {sink.runs}")
        ok = True
    except AssertionError as e:
        raise AssertionError(f"seed {seed}: {e}") from None
    finally:
        if sink.proc is not None:
            sink.kill9()
        for d in reversed(s.all):
            d.stop() if ok else d.discard()
        s.close()
