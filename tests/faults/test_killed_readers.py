"""Scenario 6: processes reading a daemon's store are killed with SIGKILL
while they hold a read transaction.

A reader is `mdb_dump -a STORE` (lmdb-utils) whose stdout is a pipe of one
page that nobody reads: it opens its read transaction, fills the pipe and
blocks inside the transaction until it is killed. A killed reader leaves
its slot in LMDB's reader table (lock.mdb) with a dead pid, and the
snapshot it pinned: LMDB cannot reuse any page freed after it until the
slot is cleared (mdb_reader_check). `mdb_stat -r` lists the table."""
import fcntl
import os
import shutil
import subprocess
import time

import pytest
import zmq

from faultlib import (OK, THUKY, Writer, join_writers, make_services, seeded, stop_all,
                      task_add_body, task_pb2, wait_for)

MDB_DUMP, MDB_STAT = shutil.which("mdb_dump"), shutil.which("mdb_stat")
pytestmark = pytest.mark.skipif(not (MDB_DUMP and MDB_STAT),
                                reason="mdb_dump/mdb_stat missing: apt-get install lmdb-utils")
F_SETPIPE_SZ = 1031


def reader_table(store):
    """[(pid, txnid)] of LMDB's reader table (mdb_stat -r; a single -r
    only lists, it does not clear)."""
    out = subprocess.run([MDB_STAT, "-r", str(store)], capture_output=True, text=True,
                         timeout=10).stdout
    rows = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0].isdigit():
            rows.append((int(parts[0]), parts[2]))
    return rows


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def stale(store):
    return [pid for pid, _ in reader_table(store) if not alive(pid)]


class BlockedReader:
    """mdb_dump holding a read transaction on store, blocked on a full pipe."""

    def __init__(self, store):
        r, w = os.pipe()
        try:
            fcntl.fcntl(w, F_SETPIPE_SZ, 4096)
        except OSError:
            pass
        self.rfd = r
        self.proc = subprocess.Popen([MDB_DUMP, "-a", str(store)], stdout=w,
                                     stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        os.close(w)

    def blocked(self):
        """True once it sits in write(2) on the pipe (its transaction open)."""
        try:
            with open(f"/proc/{self.proc.pid}/wchan") as f:
                return "pipe" in f.read()      # pipe_write, anon_pipe_write, pipe_wait
        except OSError:
            return False

    def kill9(self):
        self.proc.kill()
        self.proc.wait()
        os.close(self.rfd)


def _block(readers, timeout=5.0):
    def check():
        done = [r.proc.pid for r in readers if r.proc.poll() is not None]
        assert not done, f"readers {done} ended before blocking: the store is too small"
        return all(r.blocked() for r in readers)
    wait_for(check, "the readers to block inside their transactions", timeout=timeout,
             interval=0.005)


def _writers(zctx, d, tid, n, tag, clients=3):
    ws = [Writer(zctx, d.endpoint, (lambda c: lambda i: ("task.update", task_pb2.TaskUpdateRequest(
        id=tid, note=f"{tag}-{c}-{i} " + "ghi chú " * 30)))(c), n, name=f"{tag}-{c}", timeout=1.0)
        for c in range(clients)]
    for w in ws:
        w.start()
    return ws


def _setup(tmp):
    s = make_services(tmp)
    s.start()
    s.ok("program", "add", "2024", "--decision", "3333/QĐ-TTKQH", "--title", "CT 2024")
    reply, task = s.taskd.call("task.add", task_add_body("đọc và bị giết"), task_pb2.Task)
    assert reply.status.code == OK
    for i in range(100):    # enough to dump that the readers fill their pipe and block
        reply, _ = s.taskd.call("task.update", task_pb2.TaskUpdateRequest(
            id=task.id, note=f"đầu {i} " + "ghi chú " * 30))
        assert reply.status.code == OK
    return s, task.id, tmp / "var" / "taskd"


def test_stale_reader_slots_are_cleared_when_the_daemon_starts(tmpdir_short):
    """Readers killed inside their transactions (and `thuky backup` killed
    at random moments) while taskd is down leave dead pids in the reader
    table (a running taskd frees them itself: see the next tests); when
    taskd starts again (while another live reader keeps the environment
    open, so LMDB itself does not reset the table) it clears every dead
    slot, says so, and serves."""
    seed, rng = seeded("readers-start")
    s, tid, store = _setup(tmpdir_short)
    ok = False
    zctx = zmq.Context()
    live = None
    try:
        ws = _writers(zctx, s.taskd, tid, 300, f"rs{seed}")
        assert not join_writers(ws)
        live = BlockedReader(store)
        _block([live])
        s.taskd.kill9()
        killed = 0
        for _ in range(12):
            r = BlockedReader(store)
            _block([r])
            time.sleep(rng.uniform(0, 0.05))
            r.kill9()
            killed += 1
        # `thuky backup` killed -9 at random moments, some in the middle of its copy
        backups = 0
        for k in range(6):
            p = subprocess.Popen([str(THUKY), "backup", str(tmpdir_short / f"bk{k}")],
                                 env=s.taskd.env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.001, 0.03))
            backups += p.poll() is None
            p.kill()
            p.wait()
        dead = stale(store)
        assert len(dead) >= 10, f"expected dead readers in the table: {reader_table(store)}"
        s.taskd.start()
        assert "stale reader slot" in s.taskd.stderr_text(), s.taskd.stderr_text()
        left = stale(store)
        assert not left, f"dead readers left in the table after the start: {left}"
        assert live.proc.pid in [p for p, _ in reader_table(store)]
        ws = _writers(zctx, s.taskd, tid, 50, f"rs2{seed}", clients=1)
        assert not join_writers(ws)
        print(f"[readers-start] {killed} readers killed in their transactions, {backups} of 6 "
              f"thuky backup killed while running; "
              f"{len(dead)} dead slots before the start, {len(left)} after")
        ok = True
    except AssertionError as e:
        raise AssertionError(f"seed {seed}: {e}") from None
    finally:
        if live is not None and live.proc.poll() is None:
            live.kill9()
        zctx.destroy(linger=0)
        stop_all(s, judge=ok)


CYCLES = 40
WRITES = 900          # per client, 3 clients


def test_killed_readers_do_not_make_the_store_grow_without_bound(tmpdir_short):
    """CYCLES readers killed -9 inside their transactions while 2,700
    updates flow: while the daemon runs the reader table holds no dead pid
    for long, and data.mdb stays within 4 x its compacted size + 8 MB."""
    seed, rng = seeded("readers-growth")
    s, tid, store = _setup(tmpdir_short)
    ok = False
    zctx = zmq.Context()
    try:
        ws = _writers(zctx, s.taskd, tid, WRITES, f"rg{seed}")
        cycles, sizes = 0, []
        while any(w.is_alive() for w in ws) or cycles < CYCLES:
            r = BlockedReader(store)
            _block([r])
            time.sleep(rng.uniform(0.02, 0.12))
            r.kill9()
            cycles += 1
            sizes.append(os.path.getsize(store / "data.mdb"))
        assert not join_writers(ws)
        time.sleep(1.5)     # give a periodic check, if any, its chance
        dead = stale(store)
        size = os.path.getsize(store / "data.mdb")
        compact = tmpdir_short / "compact"
        compact.mkdir()
        subprocess.run(["mdb_copy", "-c", str(store), str(compact)], check=True, timeout=60)
        needed = os.path.getsize(compact / "data.mdb")
        bound = 4 * needed + (8 << 20)
        print(f"[readers-growth] {cycles} readers killed, {3 * WRITES} writes; data.mdb "
              f"{size / 1e6:.1f} MB (compacted {needed / 1e6:.1f} MB, bound {bound / 1e6:.1f} MB), "
              f"{len(dead)} dead reader slots while running; sizes MB "
              f"{[round(x / 1e6, 1) for x in sizes[::8]]}")
        ok = True     # the daemon itself behaved: judge its exit
        assert len(dead) == 0, f"{len(dead)} dead readers stay in the table while taskd runs"
        assert size <= bound, f"data.mdb {size} bytes > bound {bound}"
    except AssertionError as e:
        raise AssertionError(f"seed {seed}: {e}") from None
    finally:
        zctx.destroy(linger=0)
        stop_all(s, judge=ok)


def test_killed_readers_filling_the_reader_table_stop_nothing(tmpdir_short):
    """Readers of notifyd's store killed -9 inside their transactions until
    the reader table (126 slots) is full of dead pids; then an alert
    falls due: it must still go out (the spool), `thuky backup` must still
    copy the stores, and the table must not stay full of dead pids."""
    seed, rng = seeded("readers-full")
    s = make_services(tmpdir_short)
    for d in s.all:
        d.start(clock="2024-05-01T00:00")
    ok = False
    store = tmpdir_short / "var" / "notifyd"
    spool = tmpdir_short / "var" / "mail-spool"
    try:
        s.ok("program", "add", "2024", "--decision", "3333/QĐ-TTKQH", "--title", "CT 2024")
        s.ok("office", "add", "vu-thu-ky", "--name", "Vụ Thư ký", "--kind", "department",
             "--email", "vtk@demo.quochoi.vn")
        for i in range(60):     # enough to dump that a reader blocks on its pipe
            s.ok("office", "add", f"dv-{i}", "--name", f"Đơn vị số {i} " + "dài " * 40,
                 "--kind", "department", "--email", f"dv-{i}@demo.quochoi.vn")
        tid = s.ok("task", "add", "--program", "2024", "--title", "Báo cáo", "--lead",
                   "vu-thu-ky", "--due", "2024-05-20").strip()
        wait_for(lambda: len(s.json("alert", "list", "--task", tid)) >= 4, "the plan")
        # readers killed in their transactions until the table is full
        killed, full = 0, False
        while not full and killed < 200:
            batch = [BlockedReader(store) for _ in range(min(40, 130 - killed) or 1)]
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and not all(
                    r.blocked() or r.proc.poll() is not None for r in batch):
                time.sleep(0.01)
            for r in batch:
                if r.proc.poll() is not None:
                    full = True       # MDB_READERS_FULL: it could not begin
                    os.close(r.rfd)
                else:
                    r.kill9()
                    killed += 1
        dead = stale(store)
        assert full, f"the reader table never filled ({killed} killed)"
        s.notifyd.assert_serving()
        s.ok("clock", "set", "2024-05-13T08:00")
        sent = False
        deadline = time.monotonic() + 6
        while time.monotonic() < deadline and not sent:
            sent = spool.exists() and any(spool.glob("*.eml"))
            time.sleep(0.05)
        rc, out, err = s.cli("backup", tmpdir_short / "backup")
        left = stale(store)
        print(f"[readers-full] {killed} readers killed, table full; dead slots "
              f"{len(dead)} -> {len(left)} after the alert's fire time; alert delivered: {sent}; "
              f"backup rc {rc} {err.strip()[:200]}")
        ok = True
        assert sent, "the due alert did not go out with the reader table full of dead readers"
        assert rc == 0, f"thuky backup failed: {err}"
        assert len(left) < 126
    except AssertionError as e:
        raise AssertionError(f"seed {seed}: {e}") from None
    finally:
        stop_all(s, judge=ok)
