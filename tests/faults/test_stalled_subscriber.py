"""Scenario 3: a subscriber stalled past the publisher's high-water mark.

A raw SUB socket subscribes to the task service's events, then stops
reading while more than 20,000 events are published. When it reads again
it sees a jump in the sequence numbers, fills the gap from the durable log
with events.read, and ends with every event 1..N exactly once, in order.
Meanwhile the publisher drops instead of queueing: its memory is sampled
from /proc/PID/status before, during and after the stall."""
import subprocess
import time

import zmq

from faultlib import (OK, Writer, event_pb2, join_writers, make_services, read_log, seeded,
                      status, stop_all, task_add_body, task_pb2)

CLIENTS = 8
STALLED_EVENTS = 20000
NOTE = 600            # bytes of note per event: 20,000 events = ~14 MB if queued
RSS_BOUND_MB = 64     # VmRSS growth over the baseline (includes the store's mapped pages)
ANON_BOUND_MB = 12    # RssAnon growth (heap: where a queue without a bound would live)


def _sanitized(binary):
    """An ASan build keeps freed memory in quarantine: RssAnon says nothing there."""
    out = subprocess.run(["ldd", str(binary)], capture_output=True, text=True).stdout
    return "libasan" in out


def _mem(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key = line.split(":")[0]
            if key in ("VmRSS", "RssAnon", "RssFile"):
                out[key] = int(line.split()[1]) // 1024
    return out


class Consumer:
    """A subscriber done by hand: live events in order; a sequence jump, or
    a heartbeat naming a newer last seq, is a gap, filled from the log
    (events.read) before going on."""

    def __init__(self, d, sub):
        self.d, self.sub = d, sub
        self.expected = 1
        self.seqs = []
        self.live = {}
        self.gaps = []
        self.heartbeat_gaps = 0

    def fill(self, upto):
        start = self.expected
        while self.expected <= upto:
            reply, page = self.d.call("events.read", event_pb2.EventsReadRequest(
                after_seq=self.expected - 1, limit=min(1000, upto - self.expected + 1)),
                event_pb2.EventsReadReply)
            assert reply.status.code == OK, reply.status.message
            assert page.events, f"the log has nothing after {self.expected - 1}"
            for e in page.events:
                assert e.seq == self.expected, f"log page out of order: {e.seq}"
                self.seqs.append(e.seq)
                self.expected += 1
        return upto - start + 1

    def take(self, quiet_ms):
        """Reads until no event has come for quiet_ms (heartbeats, once a
        second, do not count); returns how many events came."""
        n = 0
        until = time.monotonic() + quiet_ms / 1000
        while True:
            left = int((until - time.monotonic()) * 1000)
            if left <= 0 or not self.sub.poll(left, zmq.POLLIN):
                return n
            etype, data = self.sub.recv_multipart()
            if etype == b"heartbeat":
                # nothing newer may come: the heartbeat names the last seq
                hb = event_pb2.Heartbeat.FromString(data)
                if hb.last_seq >= self.expected:
                    self.gaps.append((self.expected, hb.last_seq))
                    self.heartbeat_gaps += 1
                    self.fill(hb.last_seq)
                continue
            e = event_pb2.Event.FromString(data)
            n += 1
            until = time.monotonic() + quiet_ms / 1000
            if e.seq < self.expected:
                continue      # filled from the log already
            if e.seq > self.expected:
                self.gaps.append((self.expected, e.seq - 1))
                self.fill(e.seq - 1)
            self.live[e.seq] = data
            self.seqs.append(e.seq)
            self.expected += 1


def test_stalled_subscriber_fills_the_gap_from_the_log_and_publisher_memory_is_bounded(
        tmpdir_short):
    """The stalled SUB sees a gap (PUB dropped at its high-water mark), fills
    it from the log, and ends with exactly 1..N; taskd's VmRSS and RssAnon
    stay within a bound during and after >= 20,000 events published to it."""
    seed, rng = seeded("stall")
    s = make_services(tmpdir_short)
    s.start()
    ok = False
    zctx = zmq.Context()
    sub = zctx.socket(zmq.SUB)
    sub.setsockopt(zmq.LINGER, 0)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.connect(s.taskd.events_endpoint)
    try:
        s.ok("program", "add", "2024", "--decision", "3333/QĐ-TTKQH", "--title", "CT 2024")
        tids = []
        for c in range(CLIENTS):
            reply, t = s.taskd.call("task.add", task_add_body(f"ghi chú {c}"), task_pb2.Task)
            tids.append(t.id)
        filler = "x" * NOTE

        def writers(n, tag):
            per = -(-n // CLIENTS)
            ws = [Writer(zctx, s.taskd.endpoint,
                         (lambda c: lambda i: ("task.update", task_pb2.TaskUpdateRequest(
                             id=tids[c], note=f"{tag}-{c}-{i} {filler}")))(c),
                         per, name=f"{tag}-{seed}-{c}", timeout=2.0)
                  for c in range(CLIENTS)]
            for w in ws:
                w.start()
            return ws

        con = Consumer(s.taskd, sub)
        # warm up with a reading subscriber: the baseline is a daemon at work
        ws = writers(2000, "warm")
        while any(w.is_alive() for w in ws):
            con.take(50)
        assert not join_writers(ws)
        con.take(300)
        pid = s.taskd.proc.pid
        before = _mem(pid)

        # the stall: nothing read while >= 20,000 events go out
        first = status(s.taskd).last_event_seq
        samples = []
        ws = writers(STALLED_EVENTS, "stall")
        t0 = time.monotonic()
        while any(w.is_alive() for w in ws):
            samples.append(_mem(pid))
            time.sleep(0.25)
        assert not join_writers(ws)
        stalled = status(s.taskd).last_event_seq - first
        assert stalled >= STALLED_EVENTS
        during = _mem(pid)
        samples.append(during)
        stall_s = time.monotonic() - t0

        # reading again: what was queued, then a jump, filled from the log
        con.take(1500)         # more than a heartbeat period (1 s)
        assert [g for g in con.gaps if g[1] - g[0] >= 1000], (
            f"no gap seen: the stalled subscriber was not past the high-water mark: {con.gaps}")
        # live again after the stall
        ws = writers(800, "after")
        while any(w.is_alive() for w in ws):
            con.take(50)
        assert not join_writers(ws)
        con.take(500)
        last = status(s.taskd).last_event_seq
        if con.expected <= last:            # the tail may not have come yet
            con.fill(last)
        assert con.seqs == list(range(1, last + 1)), "not exactly 1..N in order"
        time.sleep(0.5)
        after = _mem(pid)
        log = {e.seq: e.SerializeToString() for e in read_log(s.taskd)}
        differ = [q for q, data in con.live.items()
                  if event_pb2.Event.FromString(data) != event_pb2.Event.FromString(log[q])]
        assert not differ, f"live events differ from the log: {differ[:5]}"

        peak = {k: max(x[k] for x in samples + [after]) for k in before}
        missed = sum(b - a + 1 for a, b in con.gaps)
        print(f"[stall] {stalled} events in {stall_s:.1f} s while stalled; {len(con.live)} live, "
              f"{missed} filled from the log in {len(con.gaps)} gap(s) {con.gaps[:3]} "
              f"({con.heartbeat_gaps} seen by a heartbeat); "
              f"taskd MB before {before} peak {peak} after {after}")
        san = _sanitized(s.taskd.binary)
        assert peak["VmRSS"] - before["VmRSS"] < RSS_BOUND_MB * (2 if san else 1), (before, peak)
        anon_bound = 4 * RSS_BOUND_MB if san else ANON_BOUND_MB
        assert peak["RssAnon"] - before["RssAnon"] < anon_bound, (before, peak)
        assert after["RssAnon"] - before["RssAnon"] < anon_bound, (before, after)
        ok = True
    except AssertionError as e:
        raise AssertionError(f"seed {seed}: {e}") from None
    finally:
        sub.close(linger=0)
        zctx.destroy(linger=0)
        stop_all(s, judge=ok)
