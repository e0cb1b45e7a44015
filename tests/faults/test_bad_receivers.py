"""Scenario 8: webhook receivers that misbehave.

Three offices, each with its own receiver on loopback:
- flaky:  answers 500 to the first FLAKY attempts (2..RETRY_MAX-1, from
          the seed), then 200;
- closer: reads the request, records it as processed, then closes the
          connection without an answer, every time;
- hang:   reads the request and never answers (delivery_timeout_ms is
          300 ms).
The deliveries are retried (the backoff runs on the test clock, advanced
past it between attempts) up to retry_max attempts."""
import time

from faultlib import (Receiver, all_alerts, make_services, notify_pb2, seeded, secret_file,
                      stop_all, wait_for)

RETRY_MAX = 6
CONFIG = (f"[notifyd]\nretry_max = {RETRY_MAX}\nretry_base_ms = 1000\nretry_cap_ms = 8000\n"
          "delivery_timeout_ms = 300\n")
FIRE = "202405130800"


def _state(s, office):
    got = [a for a in all_alerts(s.notifyd) if a.office == office and a.fire_ms and
           a.delivery_id == f"D-{office}-{FIRE}"]
    return got


def test_bad_receivers_retried_with_one_webhook_id_dead_lettered_and_nothing_stalls(
        tmpdir_short):
    """flaky ends up delivered (attempt FLAKY+1, state sent); closer and
    hang receive every attempt but never answer well: dead-lettered
    (failed) after exactly RETRY_MAX attempts. Every attempt of a digest
    carries the same webhook-id and a valid signature. While the hang
    receiver holds a delivery, `status` and `alert list` answer in well
    under a second."""
    seed, rng = seeded("receivers")
    FLAKY = rng.randint(2, RETRY_MAX - 1)     # 500s before the first 200
    flaky = Receiver(lambda n, wid: 500 if n < FLAKY else "ok")
    closer = Receiver(lambda n, wid: "close")
    hang = Receiver(lambda n, wid: "hang")
    rx = {"vp-flaky": flaky, "vp-closer": closer, "vp-hang": hang}
    s = make_services(tmpdir_short, CONFIG)
    for d in s.all:
        d.start(clock="2024-05-01T00:00")
    ok = False
    try:
        sec = secret_file(tmpdir_short)
        s.ok("program", "add", "2024", "--decision", "3333/QĐ-TTKQH", "--title", "CT 2024")
        for office, r in rx.items():
            s.ok("office", "add", office, "--name", office, "--kind", "delegation",
                 "--webhook", r.url, "--webhook-secret-file", sec)
            s.ok("task", "add", "--program", "2024", "--title", f"Báo cáo {office}", "--lead",
                 office, "--due", "2024-05-20")
        wait_for(lambda: len({a.office for a in all_alerts(s.notifyd)}) == 3, "the plan")
        s.ok("clock", "set", "2024-05-13T08:00")

        latencies, raw = [], []

        def probe():
            t0 = time.monotonic()
            s.notifyd.assert_serving()           # the status command, over the socket
            raw.append(time.monotonic() - t0)
            for cmd in (("status",), ("alert", "list", "--limit", "50")):
                t0 = time.monotonic()
                rc, _, err = s.cli(*cmd)
                latencies.append(time.monotonic() - t0)
                assert rc == 0, err

        def done():
            return (len(flaky.requests) == FLAKY + 1 and len(closer.requests) == RETRY_MAX
                    and len(hang.requests) == RETRY_MAX)

        rounds = 0
        deadline = time.monotonic() + 60
        while not done():
            assert time.monotonic() < deadline, (
                f"attempts: flaky {len(flaky.requests)}, closer {len(closer.requests)}, "
                f"hang {len(hang.requests)}")
            n_hang = len(hang.requests)
            # let this round's attempts happen; probe while the hang one is held
            t_end = time.monotonic() + 0.6
            while time.monotonic() < t_end:
                if len(hang.requests) > n_hang or rng.random() < 0.3:
                    probe()
                time.sleep(0.02)
            s.ok("clock", "advance", "10m")      # past any backoff (cap 8 s)
            rounds += 1
        wait_for(lambda: {a.state for a in _state(s, "vp-closer") + _state(s, "vp-hang")}
                 == {notify_pb2.ALERT_FAILED} and
                 {a.state for a in _state(s, "vp-flaky")} == {notify_pb2.ALERT_SENT},
                 "the final states", timeout=10)
        s.ok("clock", "advance", "1h")
        time.sleep(0.8)                          # no attempt after the dead letter

        for office, r in rx.items():
            wids = {q[0] for q in r.requests}
            assert wids == {f"D-{office}-{FIRE}"}, (office, wids)
            assert all(q[1] for q in r.requests), f"{office}: a bad signature"
            assert len({q[3]["id"] for q in r.requests}) == 1
        assert len(flaky.requests) == FLAKY + 1 and flaky.processed == {f"D-vp-flaky-{FIRE}": 1}
        assert len(closer.requests) == RETRY_MAX, len(closer.requests)
        assert closer.processed[f"D-vp-closer-{FIRE}"] >= 1     # at least once
        assert len(hang.requests) == RETRY_MAX, len(hang.requests)
        for a in _state(s, "vp-flaky"):
            assert a.state == notify_pb2.ALERT_SENT and a.attempts == FLAKY + 1, a
        for office in ("vp-closer", "vp-hang"):
            for a in _state(s, office):
                assert a.state == notify_pb2.ALERT_FAILED and a.attempts == RETRY_MAX, a
                assert a.last_error, a
        failed = {a["office"]: a["error"] for a in s.json("alert", "list", "--failed")}
        assert set(failed) == {"vp-closer", "vp-hang"}, failed
        assert max(raw) < 0.25, f"status took {max(raw):.3f} s"
        assert max(latencies) < 0.9, f"a CLI command took {max(latencies):.3f} s"
        print(f"[receivers] {rounds} retry rounds; attempts flaky {len(flaky.requests)} "
              f"(sent), closer {len(closer.requests)}, hang {len(hang.requests)} (dead-lettered:"
              f" {failed}); while delivering: {len(raw)} status calls, max "
              f"{max(raw) * 1000:.0f} ms; {len(latencies)} CLI commands, max "
              f"{max(latencies) * 1000:.0f} ms")
        ok = True
    except AssertionError as e:
        raise AssertionError(f"seed {seed}: {e}") from None
    finally:
        stop_all(s, judge=ok)
        for r in rx.values():
            r.close()
