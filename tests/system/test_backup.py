"""thuky backup: a hot, consistent copy of every store on this host, and
the documented restore (stop; put DIR/NAME/data.mdb in place of
STATE_DIR/NAME/data.mdb; delete STATE_DIR/NAME/wal.log and lock.mdb; start), after
which everything is as it was at the backup and the followers resume from
the sequence stored with their own data."""
import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

import conftest
from conftest import (BUILD, DEMO_PROGRAM, DEMO_SITTINGS, Services, envelope_pb2,
                      event_pb2, one_line, read_log)

CLOCK = "2024-01-02T00:00"        # before every demo deadline: no alert fires
NAMES = ("sessiond", "taskd", "notifyd")
SOURCES = {"taskd": {"sessiond"}, "notifyd": {"taskd", "sessiond"}}
THUKY_LOAD = BUILD / "tests" / "thuky_load"
WAIT = float(os.environ.get("THUKY_BACKUP_TIMEOUT", "30"))   # generous for the SAN build


# ---- helpers -------------------------------------------------------------------

def wait_for(predicate, what):
    return conftest.wait_for(predicate, what, timeout=WAIT, interval=0.05)


def start(s):
    """Starts the three services (sources first) on the frozen test clock."""
    for d in s.all:
        d.start(clock=CLOCK)


def status(s):
    """{daemon: its --json status entry}; exit 4 is a diverged follower."""
    rc, out, err = s.cli("--json", "status")
    assert rc in (0, 4), f"thuky status -> {rc}\n{out}{err}"
    return {d["daemon"]: d for d in json.loads(out)}


def in_step(st):
    """Every follower has applied everything its source has announced and
    holds: applied == known == the source's last event."""
    for name, sources in SOURCES.items():
        subs = {f["source"]: f for f in st[name]["follows"]}
        if set(subs) != sources:
            return False
        for source, f in subs.items():
            if not f["applied_seq"] == f["known_seq"] == st[source]["last_event_seq"]:
                return False
    return True


def quiesce(s):
    return wait_for(lambda: (lambda st: in_step(st) and st)(status(s)),
                    "every follower to apply every event")


def snapshot(s):
    """What a user (and a consumer of the events) can observe."""
    tasks = s.json("task", "list", "--all", "--limit", "10000")
    sessions = s.json("session", "list", "--from", "1900-01-01", "--to", "2199-12-31", "--all")
    offices = s.json("office", "list")
    st = status(s)
    return {
        "programs": s.json("program", "list"),
        "tasks": tasks,
        "task_show": {t["id"]: s.json("task", "show", t["id"]) for t in tasks},
        "sessions": sessions,
        "session_show": {r["series"] if r.get("series") else r["id"]:
                         s.json("session", "show", r.get("series") or r["id"])
                         for r in sessions},
        "offices": offices,
        "office_show": {o["id"]: s.json("office", "show", o["id"]) for o in offices},
        "alerts": all_alerts(s),
        "last_event_seq": {n: st[n]["last_event_seq"] for n in NAMES},
        "follows": {n: st[n]["follows"] for n in NAMES},
        "logs": {d.name: [e.SerializeToString() for e in read_log(d)] for d in s.all},
    }


def all_alerts(s):
    alerts = s.json("alert", "list", "--limit", "5000")
    assert len(alerts) < 5000, "more alerts than one list shows"
    return alerts


def backup(s, dest):
    rc, out, err = s.cli("--json", "backup", dest)
    assert rc == 0, f"thuky backup {dest} -> {rc}\n{out}{err}"
    copies = json.loads(out)
    # followers first, so no copy has applied an event its source's copy lacks
    assert [c["daemon"] for c in copies] == ["notifyd", "taskd", "sessiond"], copies
    for c in copies:
        assert Path(c["path"]) == Path(dest) / c["daemon"] / "data.mdb"
        assert c["bytes"] == Path(c["path"]).stat().st_size > 0
    return copies


def restore(dest, state_dir):
    """The documented restore, with the daemons stopped."""
    for name in NAMES:
        store = Path(state_dir) / name
        store.mkdir(parents=True, exist_ok=True)
        restore_one(dest, state_dir, name)


def mdb(tool, *args):
    exe = shutil.which(tool)
    assert exe, f"{tool} is missing: install lmdb-utils (make deps)"
    p = subprocess.run([exe, *map(str, args)], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, f"{tool} {' '.join(map(str, args))} -> {p.returncode}\n{p.stderr}"
    return p.stdout


def dump_db(store_dir, db):
    """{key bytes: value bytes} of one named database (mdb_dump)."""
    text = mdb("mdb_dump", "-s", db, store_dir)
    lines = text.split("HEADER=END\n", 1)[1].split("DATA=END", 1)[0].split()
    return {bytes.fromhex(k): bytes.fromhex(v) for k, v in zip(lines[0::2], lines[1::2])}


def check_copy(dest):
    """Each DIR/NAME/data.mdb opens and walks cleanly (mdb_stat, mdb_dump);
    each event log is dense from 1; each follower's stored offset is within
    what its source's copy holds. Returns {name: last seq} and the offsets."""
    scratch = Path(dest).parent / (Path(dest).name + ".check")
    last, offsets = {}, {}
    for name in NAMES:
        # the tools leave a lock.mdb: look at a copy, keep the backup as made
        work = scratch / name
        work.mkdir(parents=True)
        shutil.copyfile(Path(dest) / name / "data.mdb", work / "data.mdb")
        assert "Entries" in mdb("mdb_stat", "-e", work)
        mdb("mdb_stat", "-a", work)
        mdb("mdb_dump", "-a", work)
        seqs = [int.from_bytes(k, "big") for k in dump_db(work, "events")]
        assert seqs == list(range(1, len(seqs) + 1)), f"{name}: log not dense"
        last[name] = len(seqs)
        meta = dump_db(work, "meta")
        offsets[name] = {src: int.from_bytes(meta.get(f"offset:{src}".encode(), bytes(8)),
                                             "big")
                         for src in SOURCES.get(name, ())}
    shutil.rmtree(scratch)
    for name, offs in offsets.items():
        for src, off in offs.items():
            assert off <= last[src], (f"the {name} copy applied {src} event {off}, but the "
                                      f"{src} copy ends at {last[src]}")
    return last, offsets


def dependents(s, sitting):
    return {t["id"]: t["deadline"]["date"]
            for t in s.json("task", "list", "--sitting", sitting, "--all")}


@pytest.fixture
def demo(tmpdir_short):
    s = Services(tmpdir_short)
    try:
        start(s)
        s.ok("import", DEMO_SITTINGS)
        s.ok("import", DEMO_PROGRAM)
        quiesce(s)
        s.tmp = Path(tmpdir_short)
        s.state_dir = s.tmp / "var"
        yield s
    finally:
        try:
            s.stop()
        finally:
            s.close()


# ---- (a) hot backup under a stream of writes ------------------------------------

def test_hot_backup_under_load_is_consistent(demo, tmpdir_short):
    s = demo
    assert THUKY_LOAD.exists(), f"{THUKY_LOAD} is missing: run 'make all'"
    s.ok("session", "add", "--kind", "conference", "--id", "HN-TAI", "--title",
         "Hội nghị thử tải", "--start", "2024-09-03")
    tasks = s.json("task", "list", "--all", "--limit", "10000")
    before = len(tasks)
    numbers = [int(t["id"][1:]) for t in tasks]

    # taskd: progress updates as fast as two clients go (thuky_load), and new
    # tasks (the CLI); sessiond: status changes of a sitting (the CLI, not
    # thuky_load sessions: a flood of session events starves taskd's own
    # commands, see the report); notifyd follows both.
    seconds = 3
    load = subprocess.Popen([str(THUKY_LOAD), "--config", str(s.taskd.config), "update",
                             "--clients", "2", "--seconds", str(seconds), "--task-ids",
                             f"{min(numbers)}-{max(numbers)}"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=s.taskd.env)
    added, flips, errors, stop = [], [], [], threading.Event()

    def add_tasks():
        i = 0
        while not stop.is_set():
            rc, out, err = s.cli("task", "add", "--program", "2024", "--title",
                                 f"Nhiệm vụ phát sinh {i}", "--lead", "vu-thu-ky", "--with",
                                 "vu-phap-luat", "--due", f"2024-{3 + i % 9:02d}-14",
                                 "--unplanned")
            (added if rc == 0 else errors).append(out.strip() or err)
            i += 1

    def flip_sitting():
        i = 0
        while not stop.is_set():
            rc, out, err = s.cli("session", "status", "HN-TAI",
                                 ("confirmed", "postponed")[i % 2])
            (flips if rc == 0 else errors).append(out.strip() or err)
            i += 1

    writers = [threading.Thread(target=add_tasks), threading.Thread(target=flip_sitting)]
    for w in writers:
        w.start()
    backups = []
    try:
        # back up again and again while the writes go on
        while load.poll() is None or len(backups) < 2:
            dest = tmpdir_short / f"backup-{len(backups)}"
            backup(s, dest)
            backups.append(dest)
            time.sleep(0.4)
    finally:
        stop.set()
        for w in writers:
            w.join()
        out, err = load.communicate(timeout=60)
    assert load.returncode == 0, err.decode()
    result = json.loads(out.decode().strip().splitlines()[-1])
    assert result["ops"] > 0 and result["errors"] == 0, (result, err.decode())
    assert not errors, errors[:3]
    assert added and flips, "the CLI writers did nothing during the backups"
    final = quiesce(s)
    after = before + len(added)
    assert len(s.json("task", "list", "--all", "--limit", "10000")) == after

    for dest in backups:
        last, offsets = check_copy(dest)
        # the copy is one committed state: its daemons start on it and agree
        (tmpdir_short / f"{dest.name}-r").mkdir()
        r = Services(tmpdir_short / f"{dest.name}-r")
        try:
            restore(dest, r.taskd.tmp / "var")
            # followers alone first: they hold the offsets stored with their data
            r.notifyd.start(clock=CLOCK)
            follows = {f["source"]: f["applied_seq"] for f in status_of(r.notifyd)}
            assert follows == offsets["notifyd"]
            r.taskd.start(clock=CLOCK)
            follows = {f["source"]: f["applied_seq"] for f in status_of(r.taskd)}
            assert follows == offsets["taskd"]
            r.sessiond.start(clock=CLOCK)
            st = quiesce(r)
            # nothing the load did touches a deadline: catching up adds no
            # task event; notifyd plans what it had not yet seen
            assert st["sessiond"]["last_event_seq"] == last["sessiond"]
            assert st["taskd"]["last_event_seq"] == last["taskd"]
            assert st["notifyd"]["last_event_seq"] >= last["notifyd"]
            for name in NAMES:
                assert last[name] <= final[name]["last_event_seq"]
            tasks = r.json("task", "list", "--all", "--limit", "10000")
            assert before <= len(tasks) <= after
            planned = {a["task"] for a in all_alerts(r)}
            assert {t["id"] for t in tasks} == planned   # every task has its alerts
            for d in r.all:
                seqs = [e.seq for e in read_log(d)]
                assert seqs == list(range(1, len(seqs) + 1))
        finally:
            try:
                r.stop()
            finally:
                r.close()


def status_of(d):
    reply, st = d.call("status", reply_type=envelope_pb2.DaemonStatus)
    assert reply.status.code == envelope_pb2.OK
    return [{"source": sub.source, "applied_seq": sub.applied_seq} for sub in st.subscriptions]


# ---- (b) the round trip -----------------------------------------------------------

def test_restore_round_trip_and_followers_resume_by_sequence(demo, tmpdir_short):
    s = demo
    # a little history beyond the import: an update, a comment, a moved sitting
    s.ok("task", "update", "T1", "--progress", "40", "--flag", "quality", "--note",
         "Cần bổ sung số liệu")
    s.ok("session", "move", "XV-8", "--start", "2024-10-28", "--end", "2024-12-06")
    s.ok("office", "add", "vu-tong-hop", "--name", "Vụ Tổng hợp", "--kind", "department",
         "--email", "vth@demo.quochoi.vn")
    quiesce(s)
    deps = dependents(s, "XV-7")
    assert sorted(deps.values()) == ["2024-04-30", "2024-07-12"]
    recorded = snapshot(s)
    assert len(recorded["tasks"]) == 19 and recorded["alerts"]

    dest = tmpdir_short / "backup"
    backup(s, dest)
    assert snapshot(s) == recorded        # a backup changes nothing

    # changes after the backup: the restore must forget them
    t_new = s.ok("task", "add", "--program", "2024", "--title", "Việc sau sao lưu", "--lead",
                 "vu-thu-ky", "--due", "2024-08-30").strip()
    s.ok("task", "add", "--program", "2024", "--title", "Việc sau sao lưu 2", "--lead",
         "vu-tong-hop", "--due-rel", "XV-7:open:-10d")
    s.ok("task", "done", "T2")
    s.ok("session", "move", "XV-7", "--start", "2024-06-03", "--end", "2024-07-10")
    s.ok("office", "add", "vu-bao-chi", "--name", "Vụ Báo chí", "--kind", "department",
         "--email", "vbc@demo.quochoi.vn")
    quiesce(s)
    assert all(dependents(s, "XV-7")[t] != deps[t] for t in deps)
    assert t_new in {t["id"] for t in s.json("task", "list", "--all", "--limit", "10000")}
    changed = snapshot(s)
    assert changed != recorded
    assert all(changed["last_event_seq"][n] > recorded["last_event_seq"][n] for n in NAMES)

    s.stop()
    restore(dest, s.state_dir)
    start(s)
    quiesce(s)
    restored = snapshot(s)
    for key in recorded:
        assert restored[key] == recorded[key], f"{key} differs after the restore"

    # the followers resume by sequence: a new move reaches taskd, then notifyd
    last = recorded["last_event_seq"]
    out = s.ok("session", "move", "XV-7", "--start", "2024-06-10", "--end", "2024-07-17")
    assert "XV-7 moved" in out
    st = quiesce(s)
    assert st["sessiond"]["last_event_seq"] == last["sessiond"] + 1
    assert st["taskd"]["last_event_seq"] == last["taskd"] + len(deps)
    new_deps = dependents(s, "XV-7")
    assert sorted(new_deps.values()) == ["2024-05-21", "2024-07-31"]
    moved = [e for e in read_log(s.taskd, last["taskd"])]
    assert sorted(e.subject for e in moved) == sorted(deps)          # once per task
    for e in moved:
        assert e.type == "task.deadline_changed" and e.task.caller == "sessiond"
        change = {c.field: (c.old_value, c.new_value) for c in e.task.changes}
        # from the restored date, not from the move that the restore forgot
        assert change["deadline.date"] == (deps[e.subject], new_deps[e.subject])
    for name, sources in SOURCES.items():
        subs = {f["source"]: f for f in st[name]["follows"]}
        assert set(subs) == sources
        for src in sources:
            assert subs[src]["applied_seq"] == subs[src]["known_seq"] == \
                st[src]["last_event_seq"]
    # each log continues from the restored last seq, dense, the old part intact
    for d in s.all:
        log = read_log(d)
        assert [e.seq for e in log] == list(range(1, len(log) + 1)), d.name
        assert [e.SerializeToString() for e in log[:last[d.name]]] == \
            recorded["logs"][d.name], d.name
        assert len(log) > last[d.name] and log[last[d.name]].seq == last[d.name] + 1
    session_new = read_log(s.sessiond, last["sessiond"])
    assert [(e.type, e.subject) for e in session_new] == [("session.moved", "XV-7")]
    # notifyd re-planned the alerts of the moved deadlines, once each
    alerts = all_alerts(s)
    ids = [a["id"] for a in alerts]
    assert len(ids) == len(set(ids))
    for tid, due in new_deps.items():
        mine = [a for a in alerts if a["task"] == tid]
        assert mine and all(a["due_date"] == due for a in mine), (tid, mine)
    untouched = [a for a in alerts if a["task"] not in deps]
    assert untouched == [a for a in recorded["alerts"] if a["task"] not in deps]


# ---- (c) refusals -------------------------------------------------------------------

def test_backup_refuses_a_non_empty_directory(demo, tmpdir_short):
    s = demo
    dest = tmpdir_short / "not-empty"
    dest.mkdir()
    (dest / "notes.txt").write_text("giữ nguyên\n", encoding="utf-8")
    rc, out, err = s.cli("backup", dest)
    assert rc != 0
    line = one_line(err)
    assert str(dest) in line and "not empty" in line, line
    assert [p.name for p in dest.iterdir()] == ["notes.txt"]
    # an empty one is fine
    empty = tmpdir_short / "empty"
    empty.mkdir()
    backup(s, empty)


def test_backup_with_no_store_on_this_host_fails_clearly(tmpdir_short):
    s = Services(tmpdir_short)          # configured, never started: no store
    try:
        dest = tmpdir_short / "backup"
        rc, out, err = s.cli("backup", dest)
        assert rc != 0
        line = one_line(err)
        assert "no store" in line, line
        assert not dest.exists() or not any(dest.iterdir())
        rc, out, err = s.cli("backup")
        assert rc == 2 and "usage" in err
    finally:
        s.close()


# ---- (d) a partial restore: a source older than its follower -------------------------

def restore_one(dest, state_dir, name):
    """The documented restore of one store: its data.mdb in place, the
    old wal.log and lock.mdb deleted."""
    store = Path(state_dir) / name
    store.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(Path(dest) / name / "data.mdb", store / "data.mdb")
    for f in ("wal.log", "lock.mdb"):
        (store / f).unlink(missing_ok=True)


def follow_entry(st, follower, source):
    return {f["source"]: f for f in st[follower]["follows"]}[source]


def add_later_task(s, title, due="2024-08-30"):
    return s.ok("task", "add", "--program", "2024", "--title", title, "--lead", "vu-thu-ky",
                "--due", due).strip()


def planned_tasks(s):
    """(task, due date) of the alerts notifyd plans: task ids are reused after
    a restore, the due date tells which task an alert was planned for."""
    return {(a["task"], a["due_date"]) for a in all_alerts(s)}


def assert_diverged_loudly(s, problem_words):
    """notifyd says so in status (table, warning, json, exit code) and its log."""
    st = wait_for(lambda: (lambda st: follow_entry(st, "notifyd", "taskd")["state"] ==
                           "diverged" and st)(status(s)), "notifyd to see the divergence")
    sub = follow_entry(st, "notifyd", "taskd")
    for w in problem_words:
        assert w in sub["problem"], sub
    assert follow_entry(st, "notifyd", "sessiond")["state"] == "following"
    rc, out, _ = s.cli("status")
    assert rc == 4, out                       # a monitoring script sees it too
    assert "DIVERGED" in out and "thuky resync notifyd taskd" in out, out
    assert "DIVERGED" in s.notifyd.stderr_text()
    return sub


def test_partial_restore_of_a_source_is_detected_and_resynchronised(demo, tmpdir_short):
    """Only taskd's store goes back to an older backup: notifyd's offset is
    past taskd's log end. It must not skip taskd's new events silently."""
    s = demo
    dest = tmpdir_short / "backup"
    backup(s, dest)
    at_backup = status(s)["taskd"]["last_event_seq"]
    for i in range(3):
        add_later_task(s, f"Việc bị quên {i}")
    offset = quiesce(s)["notifyd"]["follows"]
    assert {f["source"]: f["applied_seq"] for f in offset}["taskd"] == at_backup + 3

    s.stop()
    restore_one(dest, s.state_dir, "taskd")
    start(s)
    sub = assert_diverged_loudly(s, [f"ends at {at_backup}", f"{at_backup + 3}"])
    assert sub["applied_seq"] == at_backup + 3

    # a write acknowledged now reuses sequence at_backup+1, which notifyd
    # counts as applied: while diverged nothing is applied (not skipped)
    t_new = (add_later_task(s, "Việc sau khôi phục", "2024-09-20"), "2024-09-20")
    assert status(s)["taskd"]["last_event_seq"] == at_backup + 1
    time.sleep(0.3)                           # would-be catch-up time; nothing may happen
    assert follow_entry(status(s), "notifyd", "taskd")["applied_seq"] == at_backup + 3
    assert t_new not in planned_tasks(s)

    rc, out, err = s.cli("resync", "notifyd", "taskd")
    assert rc == 0, out + err
    assert f"offset {at_backup + 3} -> {at_backup}" in out, out
    st = quiesce(s)                           # in step again, applied == taskd's end
    assert follow_entry(st, "notifyd", "taskd")["state"] == "following"
    assert t_new in planned_tasks(s)
    rc, out, _ = s.cli("status")
    assert rc == 0 and "DIVERGED" not in out, out
    audit = [e for e in read_log(s.notifyd) if e.type == "subscription.resynced"]
    assert [e.subject for e in audit] == ["subscription/taskd"]
    # a second resync has nothing to end
    rc, _, err = s.cli("resync", "notifyd", "taskd")
    assert rc == 2 and "in step" in one_line(err)
    # the divergence survives a restart of notifyd only while it lasts
    s.notifyd.restart()
    assert follow_entry(quiesce(s), "notifyd", "taskd")["state"] == "following"


def test_rewritten_source_log_needs_an_explicit_resync_point(demo, tmpdir_short):
    """taskd goes back to an older backup and writes past notifyd's offset
    before notifyd is back: the sequence numbers fit, the events do not."""
    s = demo
    dest = tmpdir_short / "backup"
    backup(s, dest)
    at_backup = status(s)["taskd"]["last_event_seq"]
    add_later_task(s, "Việc bị quên")
    quiesce(s)
    s.notifyd.stop()
    s.taskd.stop()
    restore_one(dest, s.state_dir, "taskd")
    s.taskd.start(clock=CLOCK)
    rewritten = [(add_later_task(s, f"Việc viết lại {i}", "2024-09-2%d" % i), "2024-09-2%d" % i)
                 for i in range(2)]
    s.notifyd.start(clock=CLOCK)
    sub = assert_diverged_loudly(s, ["rewritten", f"event {at_backup + 1}"])
    assert sub["applied_seq"] == at_backup + 1

    rc, _, err = s.cli("resync", "notifyd", "taskd")   # where the logs part is not known
    assert rc == 2 and "give the last sequence both logs share" in one_line(err), err
    rc, _, err = s.cli("resync", "notifyd", "taskd", "--from", "999999")
    assert rc == 2 and "ends at" in one_line(err)
    rc, out, err = s.cli("resync", "notifyd", "taskd", "--from", str(at_backup))
    assert rc == 0, out + err
    quiesce(s)
    assert set(rewritten) <= planned_tasks(s)


def test_a_replaced_source_store_is_another_log(demo, tmpdir_short):
    s = demo
    s.notifyd.stop()
    s.taskd.stop()
    store = Path(s.state_dir) / "taskd"
    for f in ("data.mdb", "wal.log", "lock.mdb"):
        (store / f).unlink(missing_ok=True)
    s.taskd.start(clock=CLOCK)
    s.notifyd.start(clock=CLOCK)
    sub = assert_diverged_loudly(s, ["another one"])
    rc, out, err = s.cli("resync", "notifyd", "taskd")  # from the new log's start
    assert rc == 0 and "-> 0 in log" in out, out + err
    assert follow_entry(quiesce(s), "notifyd", "taskd")["log_id"] != sub["log_id"]
