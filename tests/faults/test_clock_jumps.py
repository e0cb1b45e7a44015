"""Scenario 7: the test clock jumps back and forward by hours around the
alert fire times; every planned alert fires exactly once."""
import datetime
import time
from collections import Counter

from faultlib import (Receiver, all_alerts, envelope_pb2, make_services, notify_pb2, seeded,
                      secret_file, stop_all, wait_for)

HANOI = datetime.timezone(datetime.timedelta(hours=7))
START = "2024-05-01T00:00"
WALK_FROM = datetime.datetime(2024, 5, 10, 0, 0, tzinfo=HANOI)
WALK_TO = datetime.datetime(2024, 5, 31, 12, 0, tzinfo=HANOI)
DUES = ["2024-05-20", "2024-05-21", "2024-05-22", "2024-05-23", "2024-05-24", "2024-05-27"]
HOUR = 3600 * 1000


def _ms(dt):
    return int(dt.timestamp() * 1000)


def _fmt(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, HANOI).strftime("%Y-%m-%d %H:%M")


def test_clock_jumps_every_alert_fires_exactly_once(tmpdir_short):
    """The three daemons' test clocks walk from 10/05 to 31/05 in random
    jumps of -8 h .. +20 h (clock.set on taskd and sessiond; clock.set or a
    positive or negative clock.advance on notifyd), landing now and then
    exactly on, just before or just after a fire time. Every alert whose
    fire time the clock reached is delivered to the webhook receiver once
    (counted per alert id and per delivery id), none twice, none lost, and
    the others are still planned."""
    seed, rng = seeded("clock")
    rx = Receiver()
    s = make_services(tmpdir_short, "[notifyd]\nretry_base_ms = 60000\nretry_max = 3\n"
                                    "delivery_timeout_ms = 1000\n")
    for d in s.all:
        d.start(clock=START)
    ok = False
    try:
        sec = secret_file(tmpdir_short)
        for office in ("van-phong", "vu-phap-luat", "vu-thu-ky"):
            s.ok("office", "add", office, "--name", office, "--kind", "department",
                 "--webhook", rx.url, "--webhook-secret-file", sec,
                 *(["--escalate", "van-phong"] if office == "vu-thu-ky" else []))
        tids = []
        for i, due in enumerate(DUES):
            args = ["task", "add", "--program", "2024", "--title", f"Nhiệm vụ {i}", "--lead",
                    "vu-thu-ky", "--due", due]
            if i % 2:
                args += ["--with", "vu-phap-luat"]
            if not tids:
                s.ok("program", "add", "2024", "--decision", "3333/QĐ-TTKQH", "--title", "CT")
            tids.append(s.ok(*args).strip())
        wait_for(lambda: len({a.task_id for a in all_alerts(s.notifyd)}) == len(DUES),
                 "the plan of every task")
        before = {a.id: a.fire_ms for a in all_alerts(s.notifyd)
                  if a.state == notify_pb2.ALERT_PLANNED}
        fires = sorted(set(before.values()))

        now = _ms(WALK_FROM)
        reached = now
        steps = back = 0
        on_fire = False
        while now < _ms(WALK_TO):
            r = rng.random()
            if on_fire and r < 0.6:          # straight back from a fire time, hours before it
                target = now - int(rng.uniform(0.5, 6) * HOUR)
                on_fire = False
            elif r < 0.2:                    # exactly on, or 1 ms either side of, a fire time
                nxt = min((f for f in fires if f > now - 8 * HOUR), default=now)
                target = nxt + rng.choice((-1, 0, 1))
                on_fire = True
            else:
                target = now + int(rng.uniform(-8, 20) * HOUR)
            target = max(target, _ms(WALK_FROM) - 12 * HOUR)
            back += target < now
            if rng.random() < 0.5:
                reply, _ = s.notifyd.call("clock.advance",
                                          envelope_pb2.ClockRequest(advance_ms=target - now))
            else:
                reply, _ = s.notifyd.call("clock.set", envelope_pb2.ClockRequest(set_ms=target))
            assert reply.status.code == envelope_pb2.OK, reply.status.message
            for d in (s.taskd, s.sessiond):
                reply, _ = d.call("clock.set", envelope_pb2.ClockRequest(set_ms=target))
                assert reply.status.code == envelope_pb2.OK
            now = target
            reached = max(reached, now)
            steps += 1
            if not on_fire or rng.random() < 0.5:
                time.sleep(rng.uniform(0, 0.04))

        def settled():
            plan = all_alerts(s.notifyd)
            due = {a.id for a in plan if a.fire_ms <= reached}
            got = {it["alert_id"] for r in rx.requests for it in r[3]["data"]["items"]}
            return got >= due and not [a for a in plan if a.state == notify_pb2.ALERT_SENDING]
        wait_for(settled, "every alert the clock reached to be delivered", timeout=20)
        time.sleep(0.5)                      # anything doubled would come now

        plan = all_alerts(s.notifyd)
        due = {a.id: a for a in plan if a.fire_ms <= reached}
        later = {a.id: a for a in plan if a.fire_ms > reached}
        per_alert = Counter(it["alert_id"] for r in rx.requests for it in r[3]["data"]["items"])
        per_delivery = Counter(r[0] for r in rx.requests)
        twice = {k: v for k, v in per_alert.items() if v > 1}
        assert not twice, f"alerts delivered more than once: {twice}"
        dup_d = {k: v for k, v in per_delivery.items() if v > 1}
        assert not dup_d, f"deliveries made more than once: {dup_d}"
        lost = sorted(set(due) - set(per_alert))
        assert not lost, f"alerts whose time came never went out: {lost}"
        early = sorted(set(per_alert) & set(later))
        assert not early, f"alerts went out before their time: {early}"
        assert all(r[1] for r in rx.requests), "a bad signature"
        not_sent = {a.id: a.state for a in due.values() if a.state != notify_pb2.ALERT_SENT}
        assert not not_sent, f"due alerts not in state sent: {not_sent}"
        lost_plan = sorted(i for i, f in before.items() if f <= reached and i not in per_alert)
        assert not lost_plan, f"planned before the walk, due, never sent: {lost_plan}"
        assert all(a.state == notify_pb2.ALERT_PLANNED for a in later.values())
        print(f"[clock] {steps} clock jumps ({back} backwards) from {_fmt(_ms(WALK_FROM))} to "
              f"{_fmt(now)} (reached {_fmt(reached)}); {len(fires)} distinct fire times; "
              f"{len(due)} alerts due, each delivered once in {len(per_delivery)} deliveries; "
              f"{len(later)} still planned")
        ok = True
    except AssertionError as e:
        raise AssertionError(f"seed {seed}: {e}") from None
    finally:
        stop_all(s, judge=ok)
        rx.close()
