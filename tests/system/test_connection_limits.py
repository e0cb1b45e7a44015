"""What idle peers can make a daemon hold is bounded: connections past
max_subscribers (event socket) or max_clients (command socket) are refused,
the daemons' own connections keep a reserve past the bound, and a refused
peer that keeps reconnecting does not flood the log.

The strangers run as another local user (nobody, with role reader): root
and the daemon's own user are admins, who have the reserve."""
import os
import subprocess
import sys
import textwrap

import pytest

from conftest import Daemon, Services, base_config, envelope_pb2, run_daemon_once, wait_for

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
                                reason="needs root to connect as another local user")

# Told "open K [REQUEST-HEX]", opens K sockets (SUB or DEALER) on one
# endpoint one after the other and says how many the daemon admitted: a SUB
# that hears a heartbeat (one a second), a DEALER whose request is answered.
# The sockets stay open and are never read again: idle peers.
STRANGER = textwrap.dedent("""
    import sys, zmq
    kind, endpoint = sys.argv[1], sys.argv[2]
    ctx = zmq.Context()
    socks = []
    print("ready", flush=True)
    for line in sys.stdin:
        words = line.split()
        admitted = 0
        for _ in range(int(words[1])):
            s = ctx.socket(zmq.SUB if kind == "sub" else zmq.DEALER)
            s.setsockopt(zmq.LINGER, 0)
            if kind == "sub":
                s.setsockopt(zmq.SUBSCRIBE, b"")
            s.connect(endpoint)
            if kind == "dealer":
                # refused: no pipe, no reconnect; the send must not block
                s.setsockopt(zmq.SNDTIMEO, 2500)
                try:
                    s.send(bytes.fromhex(words[2]))
                except zmq.Again:
                    socks.append(s)
                    continue
            if s.poll(2500, zmq.POLLIN):
                admitted += 1
            socks.append(s)
        print(admitted, flush=True)
""")


class Stranger:
    """Another local user's process holding idle connections."""

    def __init__(self, kind, endpoint):
        self.proc = subprocess.Popen(
            ["setpriv", "--reuid=nobody", "--regid=nogroup", "--groups=0",
             "/usr/bin/python3", "-c", STRANGER, kind, endpoint],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "ready"

    def open(self, count, request=b""):
        """Opens count more connections; returns how many were admitted."""
        self.proc.stdin.write(f"open {count} {request.hex()}\n")
        self.proc.stdin.flush()
        return int(self.proc.stdout.readline())

    def close(self):
        self.proc.kill()
        self.proc.wait()


def readable_by_others(tmp):
    """The daemons' directory, traversable by the stranger (their runtime
    directory stays the daemon's: 0750, group root)."""
    tmp.chmod(0o711)


def limits(section, **keys):
    return f"[{section}]\n" + "".join(f"{k} = {v}\n" for k, v in keys.items())


def refusals(d, what):
    return [line for line in d.stderr_text().splitlines() if f"too many {what}" in line]


def test_subscribers_past_the_bound_are_refused_and_followers_keep_following(tmpdir_short):
    readable_by_others(tmpdir_short)
    s = Services(tmpdir_short, "[core]\nlocal_role = reader\n"
                 + limits("taskd", max_subscribers=3, subscriber_queue=16))
    s.start()
    stranger = None
    try:
        s.ok("program", "add", "2024", "--decision", "x", "--title", "y")
        # notifyd (an admin) holds one of the three slots
        stranger = Stranger("sub", s.taskd.events_endpoint)
        assert stranger.open(4) == 2, s.taskd.stderr_text()
        wait_for(lambda: refusals(s.taskd, "subscribers"), "a refusal in the log")
        line = refusals(s.taskd, "subscribers")[0]
        assert "refused a events connection" in line and "at most 3" in line
        counters = taskd_status(s)["counters"]
        # at least the two refused: a refused socket may try again before it is
        # closed (libzmq's reconnect interval), and each try is refused anew
        assert counters["subscribers"] == 3 and counters["connections_refused"] >= 2, counters
        # two refusals of one caller for one reason: one line in the log
        assert len(refusals(s.taskd, "subscribers")) == 1, refusals(s.taskd, "subscribers")
        # the follower still follows
        s.ok("task", "add", "--program", "2024", "--title", "Theo dõi", "--lead", "vu-thu-ky",
             "--due", "2024-06-30")
        wait_for(lambda: notifyd_applied(s) == taskd_last(s), "notifyd to follow taskd")

        # restarted while strangers retry: its place is taken, the reserve lets it in
        s.notifyd.stop()
        wait_for(lambda: stranger.open(1) == 1, "a stranger to take the free slot")
        s.notifyd.start()
        s.ok("task", "add", "--program", "2024", "--title", "Sau khởi động lại",
             "--lead", "vu-thu-ky", "--due", "2024-07-30")
        wait_for(lambda: notifyd_applied(s) == taskd_last(s), "notifyd to follow again")
        assert stranger.open(2) == 0

    finally:
        if stranger:
            stranger.close()
        s.stop()
        s.close()


def notifyd_applied(s):
    for sub in s.notifyd.json("status"):
        if sub["daemon"] == "notifyd":
            return next(x["applied_seq"] for x in sub["follows"] if x["source"] == "taskd")
    raise AssertionError("no notifyd in status")


def taskd_status(s):
    return next(x for x in s.taskd.json("status") if x["daemon"] == "taskd")


def taskd_last(s):
    return taskd_status(s)["last_event_seq"]


def test_clients_past_the_bound_are_refused_and_admins_still_served(tmpdir_short):
    readable_by_others(tmpdir_short)
    d = Daemon(tmpdir_short, "[core]\nlocal_role = reader\n" + limits("taskd", max_clients=2))
    d.start()
    stranger = None
    try:
        stranger = Stranger("dealer", d.endpoint)
        assert stranger.open(4, d.request("status")) == 2
        wait_for(lambda: refusals(d, "clients"), "a refusal in the log")
        assert "at most 2" in refusals(d, "clients")[0]
        # root, an admin, is still served: the reserve
        reply, _ = d.call("status")
        assert reply.status.code == envelope_pb2.OK
        d.ok("program", "add", "2024", "--decision", "x", "--title", "y")
        stranger.close()
        stranger = None
        # the slots come back when the strangers go
        again = Stranger("dealer", d.endpoint)
        try:
            assert again.open(2, d.request("status")) == 2
        finally:
            again.close()
    finally:
        if stranger:
            stranger.close()
        d.stop()
        d.close()


@pytest.mark.parametrize("key, value", [("max_subscribers", "0"), ("subscriber_queue", "8"),
                                        ("max_clients", "many")])
def test_bad_limits_are_refused_at_start(tmpdir_short, key, value):
    config = tmpdir_short / "bad.conf"
    config.write_text(base_config(tmpdir_short) + limits("taskd", **{key: value}))
    rc, err = run_daemon_once(config)
    assert rc == 1 and key in err, err


if __name__ == "__main__":
    sys.exit(pytest.main([__file__]))
