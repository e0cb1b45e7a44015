"""Scenario 5: the store's disk fills up.

The state directory (all three stores) is a 4 MB tmpfs holding a 1 MB filler
file made at the start. The task service is written to until its replies
are errors; then the filler is deleted and writes must succeed again, with
no restart. Then a follower alone on a full disk: it pauses between
attempts instead of spinning, and catches up once there is room."""
import email
import email.policy
import os
import subprocess
import time
import uuid

import pytest

from faultlib import (OK, CODE_NAMES, Daemon, assert_dense, envelope_pb2, make_services, read_log,
                      seeded, subscription, task_pb2, wait_for)

SIZE = "4m"
FILLER_MB = 1
# Each store's write-ahead log is made whole at start: small ones, so that
# three stores and the filler fit the 4 MB and the stores' growth fills it.
LOG = "log_size = 256K\ncheckpoint_size = 32K\n"
LOGS = "".join(f"[{n}]\n{LOG}" for n in ("taskd", "sessiond"))


def _mount(path, size=SIZE):
    """Mounts a tmpfs; returns None or why it cannot be done."""
    if os.geteuid() != 0:
        return "not root: cannot mount a tmpfs for the full-disk test"
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return f"mount -t tmpfs failed: {p.stderr.strip() or p.returncode}"
    return None


def _finish(s, ok):
    """Stops the daemons: cleanly (exit 0 required) after a pass, at once
    after a failure, whose message must not be hidden by another."""
    if s is not None:
        for d in reversed(s.all):
            d.stop() if ok else d.discard()
        s.close()


def _body(i, pad):
    t = task_pb2.Task(program_year=2024, title=f"Đầy đĩa {i}", lead_office="vu-thu-ky",
                      description=pad)
    return task_pb2.TaskAddRequest(task=t)


def _full_disk(tmpdir_short, name):
    """Fills the disk and frees it again (see the tests); returns the
    refusals that were not UNAVAILABLE "no space"."""
    seed, rng = seeded(name)
    var = tmpdir_short / "var"
    var.mkdir()
    why = _mount(var)
    if why:
        pytest.skip(why)
    s = None
    ok = False
    try:
        filler = var / "filler"
        filler.write_bytes(os.urandom(FILLER_MB << 20))
        s = make_services(tmpdir_short, LOGS + f"[notifyd]\n{LOG}")
        for d in s.all:
            d.start(clock="2024-05-01T00:00")
        s.ok("program", "add", "2024", "--decision", "3333/QĐ-TTKQH", "--title", "CT 2024")
        # an alert that falls due while the disk is full (mail spool on it too)
        s.ok("office", "add", "vu-thu-ky", "--name", "Vụ Thư ký", "--kind", "department",
             "--email", "vtk@demo.quochoi.vn")
        s.ok("task", "add", "--program", "2024", "--title", "Báo cáo khi đầy đĩa", "--lead",
             "vu-thu-ky", "--due", "2024-05-20")
        wait_for(lambda: len(s.json("alert", "list")) >= 4, "the plan")
        spool = var / "mail-spool"
        client = uuid.uuid4().hex[:16]
        pad = "đầy " * rng.randint(200, 800)
        acked, refused = {}, {}
        no = 0
        streak = 0
        while streak < 20:
            no += 1
            assert no < 20000, "the disk never filled up"
            reply = s.taskd.raw(Daemon.request("task.add", _body(no, pad), client_id=client,
                                               request_no=no, request_id=f"r{no}"))
            if reply.status.code == OK:
                acked[no] = task_pb2.Task.FromString(reply.body).id
                streak = 0
            else:
                refused[no] = reply.status
                streak += 1
        df = subprocess.run(["df", "-k", "--output=size,used,avail", str(var)],
                            capture_output=True, text=True).stdout.split()[-3:]
        bad = {n: (CODE_NAMES.get(st.code), st.message) for n, st in refused.items()
               if st.code != envelope_pb2.UNAVAILABLE or "no space" not in st.message}
        for d in s.all:
            d.assert_serving()          # no crash: every daemon still answers
        t_events = read_log(s.taskd)
        assert_dense(t_events, "taskd")
        created = {e.task.task.id for e in t_events if e.type == "task.created"
                   and e.task.task.title.startswith("Đầy đĩa")}
        assert set(acked.values()) <= created, "acknowledged writes lost on a full disk"
        assert len(created) == len(acked)
        # the alert's time comes while the disk is full: nothing half written
        s.ok("clock", "set", "2024-05-13T08:00")
        time.sleep(1.0)
        for d in s.all:
            d.assert_serving()
        # An attempt in flight has its hidden temp file for a moment; a
        # failed one removes it. One that stays is a leftover.
        def temps():
            return [p.name for p in spool.glob("*") if not p.name.endswith(".eml")] \
                if spool.exists() else []
        try:
            wait_for(lambda: not temps(), "no temp file", timeout=5)
        except AssertionError:
            raise AssertionError(f"spool leftovers: {temps()}") from None

        # free space, no restart
        filler.unlink()
        starts = {d.name: d.starts for d in s.all}
        again = {}
        for n in sorted(refused):   # the refused requests themselves, retried
            reply = s.taskd.raw(Daemon.request("task.add", _body(n, pad), client_id=client,
                                               request_no=n, request_id=f"r{n}"))
            if n < max(acked, default=0):   # older than an applied one: refused as such
                assert reply.status.code == envelope_pb2.CONFLICT, (n, reply.status)
                continue
            assert reply.status.code == OK, (n, reply.status)
            again[n] = task_pb2.Task.FromString(reply.body).id
        more = 0
        for i in range(50):
            no = max(no, max(again, default=0)) + 1
            reply = s.taskd.raw(Daemon.request("task.add", _body(no, "sau"), client_id=client,
                                               request_no=no, request_id=f"r{no}"))
            assert reply.status.code == OK, reply.status
            more += 1
        assert {d.name: d.starts for d in s.all} == starts
        # the alert goes out once there is room (past any backoff)
        s.ok("clock", "advance", "2h")
        mail = "D-vu-thu-ky-202405130800.eml"
        wait_for(lambda: (spool / mail).exists(), "the digest after the disk has room",
                 timeout=15)
        wait_for(lambda: [a for a in s.json("alert", "list", "--sent")], "state sent")
        msg = email.message_from_bytes((spool / mail).read_bytes(), policy=email.policy.default)
        assert "Báo cáo khi đầy đĩa" in msg.get_content()
        assert sorted(p.name for p in spool.iterdir()) == [mail], list(spool.iterdir())
        sent = s.json("alert", "list", "--sent")
        t_events = read_log(s.taskd)
        assert_dense(t_events, "taskd")
        titles = [e.task.task.title for e in t_events if e.type == "task.created"
                  and e.task.task.title.startswith("Đầy đĩa")]
        assert len(titles) == len(set(titles)), "a write applied twice"
        assert len(titles) == len(acked) + len(again) + more
        last = t_events[-1].seq
        wait_for(lambda: subscription(s.notifyd, "taskd") == (last, last),
                 "notifyd to catch up after the disk has room again", timeout=30)
        print(f"[{name}] {len(acked)} writes acknowledged before the disk was full, "
              f"{len(refused)} refused, {len(again)} of them OK when "
              f"retried after freeing {FILLER_MB} MB, {more} new ones; the due digest spooled once after "
              f"{sent[0]['attempts']} attempt(s); refusals not UNAVAILABLE/no space: {len(bad)} "
              f"{list(bad.items())[:2]}; df -k at full (size used avail): {' '.join(df)}")
        ok = True
        return seed, bad
    except AssertionError as e:
        raise AssertionError(f"seed {seed}: {e}") from None
    finally:
        try:
            _finish(s, ok)
        finally:
            subprocess.run(["umount", "-l", str(var)], check=False)


def test_full_disk_no_crash_no_loss_and_recovery_without_restart(tmpdir_short):
    """Writes until the disk is full: the daemons keep answering (status),
    every acknowledged write is there; after the filler is deleted the
    refused requests (same client_id/request_no) and new ones succeed,
    each applied once, with no restart, and the followers catch up."""
    _full_disk(tmpdir_short, "fulldisk")


def test_full_disk_refusals_are_unavailable_no_space(tmpdir_short):
    """Every write refused on the full disk is UNAVAILABLE with "no space
    left on the store's disk", a reply the caller can act on."""
    seed, bad = _full_disk(tmpdir_short, "fulldisk-reply")
    assert not bad, f"seed {seed}: unclear refusals on a full disk: {list(bad.items())[:5]}"


def test_follower_on_a_full_disk_pauses_then_catches_up(tmpdir_short):
    """Only notifyd's store is on the full disk while tasks keep being
    added to taskd: notifyd cannot apply their events. It must not spin
    (it waits a second between attempts: at most about one failure a
    second in its log), it keeps answering, and once there is room it
    catches up with no restart."""
    seed, rng = seeded("fulldisk-follower")
    store = tmpdir_short / "notifyd-store"
    store.mkdir()
    why = _mount(store, "32m")    # room for the catch-up once the filler goes
    if why:
        pytest.skip(why)
    s = None
    ok = False
    try:
        s = make_services(tmpdir_short, LOGS + f"[notifyd]\nstore = {store}\n{LOG}")
        for d in s.all:
            d.start(clock="2024-05-01T00:00")
        s.ok("program", "add", "2024", "--decision", "3333/QĐ-TTKQH", "--title", "CT 2024")
        filler = store / "filler"
        with open(filler, "wb") as f:          # fill the tmpfs to the last block
            try:
                while True:
                    f.write(os.urandom(64 << 10))
                    f.flush()
            except OSError:
                pass
        pad = "đầy " * rng.randint(200, 400)
        added = 0
        t0 = time.monotonic()
        while time.monotonic() - t0 < 4.0:     # events notifyd cannot store
            reply = s.taskd.raw(Daemon.request("task.add", _body(added, pad)))
            assert reply.status.code == OK, reply.status
            added += 1
            time.sleep(0.01)
        full_s = time.monotonic() - t0
        s.notifyd.assert_serving()
        failures = s.notifyd.stderr_text().count("cannot apply events")
        last = read_log(s.taskd)[-1].seq
        applied, known = subscription(s.notifyd, "taskd")
        assert applied < last, "the disk was not full for notifyd"
        assert 1 <= failures <= full_s + 3, \
            f"{failures} failed applies in {full_s:.1f} s: the follower spins on a full disk"
        filler.unlink()
        try:
            wait_for(lambda: subscription(s.notifyd, "taskd") == (last, last),
                     "notifyd to catch up once there is room", timeout=30)
        except AssertionError:
            raise AssertionError(f"notifyd at {subscription(s.notifyd, 'taskd')} of {last} "
                                 f"30 s after the disk has room:\n"
                                 f"{s.notifyd.stderr_text()[-2500:]}") from None
        assert s.notifyd.starts == 1
        print(f"[fulldisk-follower] {added} tasks added while notifyd's disk was full for "
              f"{full_s:.1f} s: {failures} failed applies logged; applied {applied} of {last} "
              f"then; caught up after the filler was removed")
        ok = True
    except AssertionError as e:
        raise AssertionError(f"seed {seed}: {e}") from None
    finally:
        try:
            _finish(s, ok)
        finally:
            subprocess.run(["umount", "-l", str(store)], check=False)
