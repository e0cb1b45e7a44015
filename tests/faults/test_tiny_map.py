"""Scenario 4: stores started with the smallest map (64K) written far past it.

The map doubles whenever a commit finds it full. No acknowledged write may
fail on the way, and every write is readable after a restart (a clean one
and kill -9 ones in the middle of the growth)."""
import time
from collections import Counter

import zmq

from faultlib import (OK, all_alerts, Writer, assert_dense, join_writers, make_services, notify_pb2,
                      read_log, seeded, session_pb2, status, subscription, task_pb2, wait_for)

CLIENTS = 4
PER_CLIENT = 500       # task.add writes each, with a 2 KB description: ~8 MB in all
KILLS = 3
TINY = "[taskd]\nmap_size = 64K\n[sessiond]\nmap_size = 64K\n[notifyd]\nmap_size = 64K\n"
CLOCK = "2024-01-02T10:00"


def _add(c):
    def make(i):
        t = task_pb2.Task(program_year=2024, title=f"Nhiệm vụ {c}-{i}", lead_office="vu-thu-ky",
                          description=f"{c}-{i} " + "mô tả " * 300)
        t.deadline.absolute.date = f"2024-06-{1 + i % 28:02d}"
        return ("task.add", task_pb2.TaskAddRequest(task=t))
    return make


def _sitting(i):
    sit = session_pb2.Sitting(id=f"HN-T{i}", kind=session_pb2.KIND_CONFERENCE,
                              title=f"Hội nghị {i} " + "chủ đề " * 40, venue="Nhà Quốc hội " * 15,
                              start=session_pb2.SittingTime(date="2024-09-09"),
                              end=session_pb2.SittingTime(date="2024-09-10"))
    return ("session.add", session_pb2.SessionAddRequest(sitting=sit))


def test_tiny_map_grows_and_no_acknowledged_write_fails(tmpdir_short):
    """Every store at map_size = 64K; ~2,000 task.add (2 KB each) and 400
    session.add through Lazy Pirate clients, kill -9 of taskd at random
    points: every reply is OK, the maps grew, everything is there after a
    restart, and notifyd (also at 64K) planned alerts for every task."""
    seed, rng = seeded("tinymap")
    s = make_services(tmpdir_short, TINY)
    for d in s.all:
        d.start(clock=CLOCK)
    ok = False
    try:
        s.ok("program", "add", "2024", "--decision", "3333/QĐ-TTKQH", "--title", "CT 2024")
        before = {d.name: status(d).store_bytes for d in s.all}
        zctx = zmq.Context()
        writers = [Writer(zctx, s.taskd.endpoint, _add(c), PER_CLIENT, name=f"tm-{seed}-{c}",
                          timeout=1.0)
                   for c in range(CLIENTS)]
        writers.append(Writer(zctx, s.sessiond.endpoint, _sitting, 400, name=f"ts-{seed}",
                              timeout=1.0))
        for w in writers:
            w.start()
        total = CLIENTS * PER_CLIENT
        kills = 0
        try:
            for p in sorted(rng.sample(range(100, total - 100), KILLS)):
                while sum(len(w.acked) for w in writers[:CLIENTS]) < p and \
                        any(w.is_alive() for w in writers):
                    time.sleep(0.005)
                s.taskd.kill9()
                kills += 1
                s.taskd.start(clock=CLOCK)
        finally:
            errors = join_writers(writers, timeout=180)
            zctx.destroy(linger=0)
        assert not errors, f"writes refused on a growing map: {errors[:10]}"
        grown = {d.name: status(d).store_bytes for d in s.all}
        for d in s.all:
            d.stop()                # SIGTERM: a clean exit, then a start on the grown file
            d.start(clock=CLOCK)
        # everything readable after the restart
        t_events = read_log(s.taskd)
        assert_dense(t_events, "taskd")
        created = Counter(e.task.task.title for e in t_events if e.type == "task.created")
        want = {f"Nhiệm vụ {c}-{i}" for c in range(CLIENTS) for i in range(1, PER_CLIENT + 1)}
        assert set(created) == want and max(created.values()) == 1
        for w in writers[:CLIENTS]:
            for i, reply in w.acked.items():
                if i % 50:
                    continue
                t = task_pb2.Task.FromString(reply.body)
                r, detail = s.taskd.call("task.get", task_pb2.TaskGetRequest(id=t.id),
                                         task_pb2.TaskDetail)
                assert r.status.code == OK and detail.task.description == t.description
        reply, lst = s.taskd.call("task.list", task_pb2.TaskListRequest(limit=100000),
                                  task_pb2.TaskList)
        assert reply.status.code == OK and len(lst.tasks) == total
        s_events = read_log(s.sessiond)
        assert_dense(s_events, "sessiond")
        assert len([e for e in s_events if e.type == "session.created"]) == 400
        # the followers grew their maps too and applied everything
        t_last, s_last = t_events[-1].seq, s_events[-1].seq
        wait_for(lambda: subscription(s.notifyd, "taskd") == (t_last, t_last)
                 and subscription(s.taskd, "sessiond") == (s_last, s_last),
                 "the followers", timeout=60)
        planned = {a.task_id for a in all_alerts(s.notifyd) if a.state == notify_pb2.ALERT_PLANNED}
        assert len(planned) == total, f"alerts planned for {len(planned)} of {total} tasks"
        after = {d.name: status(d).store_bytes for d in s.all}
        grows = {d.name: sum(p.read_text(errors="replace").count("store map grown")
                             for p in tmpdir_short.glob(f"{d.name}.*.err")) for d in s.all}
        print(f"[tinymap] {total} task.add + 400 session.add acknowledged, {kills} kills; "
              f"bytes in use at start {before}, after the writes {grown}, after restart {after}; "
              f"map doublings logged {grows}")
        assert grown["taskd"] >= 64 * before["taskd"] and grows["taskd"] >= 6, (grown, grows)
        ok = True
    except AssertionError as e:
        raise AssertionError(f"seed {seed}: {e}") from None
    finally:
        for d in reversed(s.all):
            d.stop() if ok else d.discard()
        s.close()
