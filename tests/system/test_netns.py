"""The three services on three hosts: each daemon in its own network
namespace, serving on tcp:// with CURVE, the namespaces joined by veth
pairs to a bridge in a fourth namespace (the "switch", where the CLI runs
with the Secretariat's admin key). The host's own network is untouched.

A host's link is cut (its veth in the switch set down) for longer than
the heartbeat interval while the others change things, then restored: the
cut-off follower must catch up from its source's log, apply every event
once, and the notification service must re-plan its alerts.

Needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN for `ip netns`); without it
the whole module is skipped with the reason."""
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from conftest import (BINARIES, CALENDAR_DIR, DEMO_PROGRAM, DEMO_SITTINGS, START_TIMEOUT,
                      THUKY, Daemon)

IP = shutil.which("ip") or "/usr/sbin/ip"
SUBNET = "10.77.0"
ADDRESSES = {"sessiond": f"{SUBNET}.1", "taskd": f"{SUBNET}.2", "notifyd": f"{SUBNET}.3"}
SWITCH_ADDRESS = f"{SUBNET}.254"
CMD_PORT, PUB_PORT = 7001, 7002
CLOCK = "2024-01-02T00:00"        # before every demo deadline: no alert fires
# Bounded waits (polling, never fixed sleeps): the sanitizer build is slower
# and a restored link waits for TCP's retransmission timer.
CATCH_UP_TIMEOUT = float(os.environ.get("THUKY_NETNS_TIMEOUT", "40"))
# Longer than the 1 s heartbeat, so a follower misses several.
CUT_SECONDS = 3.0
PREFIX = "thuky"


def _ip(*args, check=True):
    p = subprocess.run([IP, *map(str, args)], capture_output=True, text=True, timeout=30,
                       stdin=subprocess.DEVNULL)
    if check and p.returncode != 0:
        raise RuntimeError(f"ip {' '.join(map(str, args))}: {p.stderr.strip()}")
    return p


def _remove_stale_namespaces():
    """Namespaces left by an earlier run of this module that was killed
    (their names carry the pid of the pytest that made them)."""
    p = _ip("netns", "list", check=False)
    for line in p.stdout.splitlines():
        name = line.split()[0] if line.split() else ""
        m = re.fullmatch(rf"{PREFIX}(\d+)-\d+-\w+", name)
        if m and not Path(f"/proc/{m.group(1)}").exists():
            _ip("netns", "del", name, check=False)


@pytest.fixture(scope="module", autouse=True)
def netns_permitted():
    """Skips the module, saying why, where network namespaces cannot be made."""
    if not os.path.exists(IP):
        pytest.skip("the 'ip' command (iproute2) is not installed")
    _remove_stale_namespaces()
    probe = f"{PREFIX}{os.getpid()}-0-probe"
    p = _ip("netns", "add", probe, check=False)
    if p.returncode != 0:
        pytest.skip(f"'ip netns add' is not permitted here (needs root or CAP_NET_ADMIN and "
                    f"CAP_SYS_ADMIN; running as uid {os.getuid()}): {p.stderr.strip()}")
    try:
        p = _ip("-n", probe, "link", "add", "probe0", "type", "veth", "peer", "name", "probe1",
                check=False)
        if p.returncode != 0:
            pytest.skip(f"veth pairs cannot be made in a network namespace: {p.stderr.strip()}")
        p = _ip("-n", probe, "link", "add", "probebr", "type", "bridge", check=False)
        if p.returncode != 0:
            pytest.skip(f"bridges cannot be made in a network namespace: {p.stderr.strip()}")
    finally:
        _ip("netns", "del", probe, check=False)


class Network:
    """A switch namespace with a bridge, and one namespace per daemon
    linked to it by a veth pair (the switch end is named v<daemon>)."""

    counter = 0

    def __init__(self):
        Network.counter += 1
        base = f"{PREFIX}{os.getpid()}-{Network.counter}"
        self.switch = f"{base}-sw"
        self.hosts = {name: f"{base}-{name}" for name in ADDRESSES}
        self.made = []

    def _add_ns(self, name):
        _ip("netns", "add", name)
        self.made.append(name)
        _ip("-n", name, "link", "set", "lo", "up")

    def create(self):
        self._add_ns(self.switch)
        _ip("-n", self.switch, "link", "add", "br0", "type", "bridge")
        _ip("-n", self.switch, "addr", "add", f"{SWITCH_ADDRESS}/24", "dev", "br0")
        _ip("-n", self.switch, "link", "set", "br0", "up")
        for name, ns in self.hosts.items():
            self._add_ns(ns)
            _ip("-n", self.switch, "link", "add", f"v{name}", "type", "veth", "peer", "name",
                "eth0", "netns", ns)
            _ip("-n", self.switch, "link", "set", f"v{name}", "master", "br0")
            _ip("-n", self.switch, "link", "set", f"v{name}", "up")
            _ip("-n", ns, "addr", "add", f"{ADDRESSES[name]}/24", "dev", "eth0")
            _ip("-n", ns, "link", "set", "eth0", "up")

    def replace_host(self, name):
        """The host comes back after losing all its state (a power cut): a
        new namespace with the same address and MAC, no TCP connection of
        the old one left. Its daemon must be dead and its link down."""
        ns = self.hosts[name]
        mac = json.loads(_ip("-j", "-n", ns, "link", "show", "eth0").stdout)[0]["address"]
        _ip("netns", "del", ns)
        self.made.remove(ns)
        # the old namespace may outlive its name for a while: cut it off now
        _ip("-n", self.switch, "link", "del", f"v{name}", check=False)
        self._add_ns(ns)
        _ip("-n", self.switch, "link", "add", f"v{name}", "type", "veth", "peer", "name",
            "eth0", "netns", ns)
        _ip("-n", self.switch, "link", "set", f"v{name}", "master", "br0")
        _ip("-n", self.switch, "link", "set", f"v{name}", "up")
        _ip("-n", ns, "link", "set", "eth0", "address", mac)
        _ip("-n", ns, "addr", "add", f"{ADDRESSES[name]}/24", "dev", "eth0")
        _ip("-n", ns, "link", "set", "eth0", "up")

    def link(self, name, up):
        _ip("-n", self.switch, "link", "set", f"v{name}", "up" if up else "down")

    def destroy(self):
        errors = []
        for ns in reversed(self.made):
            p = _ip("netns", "del", ns, check=False)
            if p.returncode != 0:
                errors.append(f"{ns}: {p.stderr.strip()}")
        self.made = []
        return errors


class HostDaemon(Daemon):
    """A daemon started inside its host's namespace; it is only reachable
    over tcp, so readiness is judged by the CLI in the switch namespace."""

    def __init__(self, tmp, name, net, cluster):
        super().__init__(tmp, name=name)
        self.net = net
        self.cluster = cluster
        self.endpoint = f"tcp://{ADDRESSES[name]}:{CMD_PORT}"
        self.events_endpoint = f"tcp://{ADDRESSES[name]}:{PUB_PORT}"

    def start(self, wait=True, clock=CLOCK):
        assert self.proc is None, "daemon already running"
        self.starts += 1
        self.stderr_path = self.tmp / f"{self.name}.{self.starts}.err"
        with open(self.stderr_path, "wb") as err:
            # ip netns exec execs the daemon: the pid is the daemon's.
            self.proc = subprocess.Popen(
                [IP, "netns", "exec", self.net.hosts[self.name], str(self.binary), "--config",
                 str(self.config), f"--test-clock={clock}"],
                stdin=subprocess.DEVNULL, stdout=err, stderr=err, env=self.env)
        if wait:
            self.wait_ready()

    def wait_ready(self, timeout=START_TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            rc = self.proc.poll()
            if rc is not None:
                pytest.fail(f"thuky-{self.name} exited with {rc} at start:\n{self.stderr_text()}")
            st = self.cluster.status(probe=self.name).get(self.name)
            if st and st["up"]:
                return
            if time.monotonic() > deadline:
                pytest.fail(f"thuky-{self.name} did not answer on {self.endpoint} within "
                            f"{timeout} s:\n{self.stderr_text()}")
            time.sleep(0.05)


class Cluster:
    """Three hosts and the CLI in the switch namespace."""

    def __init__(self, tmp, net):
        self.tmp = Path(tmp)
        self.net = net
        self.keys = self.tmp / "keys"
        self.config = self.tmp / "thuky.conf"

    def write_config(self):
        core = (f"[core]\nlanguage = en\nruntime_dir = {self.tmp}/run\nstate_dir = {self.tmp}/var\n"
                f"calendar_dir = {CALENDAR_DIR}\nkey_dir = {self.keys}\n")
        self.config.write_text(core, encoding="utf-8")
        self.keys.mkdir()
        for name in ("sessiond", "taskd", "notifyd", "secretariat"):
            p = subprocess.run([str(THUKY), "--config", str(self.config), "keygen", name,
                                "--dir", str(self.keys)], capture_output=True, text=True,
                               timeout=30)
            assert p.returncode == 0, f"keygen {name}: {p.stdout}{p.stderr}"
        text = (self.keys / "secretariat.key").read_text(encoding="utf-8")
        public = re.search(r"^public_key = (\S{40})$", text, re.M).group(1)
        services = "".join(
            f"[{name}]\ncommand = tcp://{addr}:{CMD_PORT}\nevents = tcp://{addr}:{PUB_PORT}\n"
            for name, addr in ADDRESSES.items())
        rest = (f"client_key_file = {self.keys}/secretariat.secret\n"
                "[client]\ntimeout_ms = 1500\nretries = 1\n")
        clients = f"[client:secretariat]\npublic_key = {public}\nrole = admin\n"
        self.config.write_text(core + rest + services + clients, encoding="utf-8")
        # For the CLI only: one daemon over tcp, the others on ipc sockets
        # that do not exist (an immediate "unavailable", not a timeout).
        for name, addr in ADDRESSES.items():
            probe = "".join(
                f"[{other}]\ncommand = ipc://{self.tmp}/run/absent-{other}.cmd\n"
                for other in ADDRESSES if other != name)
            probe += f"[{name}]\ncommand = tcp://{addr}:{CMD_PORT}\n"
            (self.tmp / f"probe-{name}.conf").write_text(core + rest + probe + clients,
                                                         encoding="utf-8")
        self.daemons = {name: HostDaemon(self.tmp, name, self.net, self)
                        for name in ("sessiond", "taskd", "notifyd")}

    # ---- the CLI in the switch namespace -------------------------------------

    def cli(self, *args, timeout=60, config=None):
        env = dict(os.environ, THUKY_CONFIG=str(config or self.config))
        env.pop("THUKY_BUILD", None)
        p = subprocess.run([IP, "netns", "exec", self.net.switch, str(THUKY), *map(str, args)],
                           env=env, capture_output=True, timeout=timeout,
                           stdin=subprocess.DEVNULL)
        return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")

    def ok(self, *args):
        rc, out, err = self.cli(*args)
        assert rc == 0, f"thuky {' '.join(map(str, args))} -> {rc}\n{out}{err}"
        return out

    def json(self, *args):
        return json.loads(self.ok("--json", *args))

    def status(self, probe=None):
        """{daemon: its --json status entry}; a daemon not answering has up
        false. probe=NAME asks that daemon only (the others show down)."""
        config = self.tmp / f"probe-{probe}.conf" if probe else None
        rc, out, err = self.cli("--json", "status", config=config)
        if not out.strip():
            return {}
        return {d["daemon"]: d for d in json.loads(out)}

    def alerts(self, *args):
        return self.json("alert", "list", "--limit", "5000", *args)

    def task_events(self, after=0):
        out = self.ok("--json", "events", "tail", "--from", after + 1)
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    # ---- following -------------------------------------------------------------

    @staticmethod
    def in_step(st):
        """Every follower has applied everything its source has: applied ==
        known (FOLLOWS x/x) == the source's last event. A follower cut off
        still shows applied == known (it has heard of nothing newer), so
        the source's own sequence is the yardstick."""
        if not all(name in st and st[name]["up"] for name in ("sessiond", "taskd", "notifyd")):
            return False
        for name in ("taskd", "notifyd"):
            subs = {f["source"]: f for f in st[name]["follows"]}
            wanted = {"taskd": {"sessiond"}, "notifyd": {"sessiond", "taskd"}}[name]
            if set(subs) != wanted:
                return False
            for source, f in subs.items():
                if not f["applied_seq"] == f["known_seq"] == st[source]["last_event_seq"]:
                    return False
        return True

    def wait_in_step(self, what, timeout=CATCH_UP_TIMEOUT, extra=lambda st: True):
        started = time.monotonic()
        deadline = started + timeout
        last = None
        while True:
            last = self.status()
            if self.in_step(last) and extra(last):
                return time.monotonic() - started
            if time.monotonic() > deadline:
                logs = "\n".join(f"--- {n}\n{d.stderr_text()[-3000:]}"
                                 for n, d in self.daemons.items())
                pytest.fail(f"timed out after {timeout} s waiting for {what}; last status:\n"
                            f"{json.dumps(last, indent=1)}\n{logs}")
            time.sleep(0.1)


@pytest.fixture
def cluster(tmpdir_short):
    net = Network()
    c = Cluster(tmpdir_short, net)
    started = []
    try:
        net.create()
        c.write_config()
        for name in ("sessiond", "taskd", "notifyd"):
            c.daemons[name].start()
            started.append(c.daemons[name])
            proc_comm = Path(f"/proc/{c.daemons[name].proc.pid}/comm").read_text().strip()
            assert proc_comm == BINARIES[name].name[:15], proc_comm
        c.ok("import", DEMO_SITTINGS)
        c.ok("import", DEMO_PROGRAM)
        c.wait_in_step("the followers after the import")
        yield c
    finally:
        errors = []
        for link in ADDRESSES:          # so that the daemons can say goodbye
            try:
                net.link(link, True)
            except Exception:
                pass
        for d in reversed(started):
            try:
                d.stop()
            except BaseException as e:  # a bad exit is reported, teardown goes on
                errors.append(f"{d.name}: {e}")
                d.kill9()
            finally:
                d.close()
        errors += net.destroy()
        if errors:
            pytest.fail("teardown: " + "; ".join(errors))


def _follows(st, follower, source):
    """The follower's progress in source's log (applied, known), in step."""
    f = next(f for f in st[follower]["follows"] if f["source"] == source)
    assert f["state"] == "following", f
    return {k: f[k] for k in ("source", "applied_seq", "known_seq")}


def _dependents(c, sitting):
    return {t["id"]: t for t in c.json("task", "list", "--sitting", sitting, "--all")}


def _offices(task):
    return {task["lead"], *task["with"]}


# The plan of the two XV-7 tasks once the sitting opens 27/05 and closes
# 05/07/2024 (lead days 7,3,1,0 at 08:00 on working days; Sat 04/05/2024 is
# a make-up working day; the first overdue reminder): for each office.
MOVED_PLAN = {
    "XV-7:open:-20d": ("2024-05-07", {("lead", 7, "2024-04-26 08:00"),
                                      ("lead", 3, "2024-05-04 08:00"),
                                      ("lead", 1, "2024-05-06 08:00"),
                                      ("due", 0, "2024-05-07 08:00"),
                                      ("overdue", 1, "2024-05-08 08:00")}),
    "XV-7:close:+10wd": ("2024-07-19", {("lead", 7, "2024-07-12 08:00"),
                                        ("lead", 3, "2024-07-16 08:00"),
                                        ("lead", 1, "2024-07-18 08:00"),
                                        ("due", 0, "2024-07-19 08:00"),
                                        ("overdue", 1, "2024-07-22 08:00")}),
}


def _check_alerts_follow(c, deps, other_before):
    """The alerts of the moved tasks are the full plan of their new
    deadline for every office of the task, all still planned; every other
    alert is as it was; no alert id appears twice."""
    now = c.alerts()
    ids = [a["id"] for a in now]
    assert len(ids) == len(set(ids)), "duplicate alert ids"
    for tid, task in deps.items():
        due, plan = MOVED_PLAN[task["deadline"]["rule"]]
        mine = [a for a in now if a["task"] == tid]
        assert all(a["due_date"] == due and a["state"] == "planned" for a in mine), mine
        assert all(f"A{tid[1:]}-{due.replace('-', '')}-" in a["id"] for a in mine), mine
        by_office = {}
        for a in mine:
            by_office.setdefault(a["office"], set()).add((a["kind"], a["days"], a["fire"]))
        assert by_office == {office: plan for office in _offices(task)}, (tid, by_office)
    others = sorted((a for a in now if a["task"] not in deps), key=lambda a: a["id"])
    assert others == other_before, "alerts of tasks that did not move changed"


def test_task_host_cut_off_catches_up_and_alerts_are_replanned(cluster):
    c = cluster
    deps = _dependents(c, "XV-7")
    assert {t["deadline"]["rule"] for t in deps.values()} == {"XV-7:open:-20d",
                                                              "XV-7:close:+10wd"}
    before = {tid: t["deadline"]["date"] for tid, t in deps.items()}
    assert sorted(before.values()) == ["2024-04-30", "2024-07-12"]
    st = c.status()
    task_seq = st["taskd"]["last_event_seq"]
    session_seq = st["sessiond"]["last_event_seq"]
    others = sorted((a for a in c.alerts() if a["task"] not in deps), key=lambda a: a["id"])
    for tid, due in before.items():
        assert {a["due_date"] for a in c.alerts("--task", tid)} == {due}

    c.net.link("taskd", False)
    cut_at = time.monotonic()
    rc, out, err = c.cli("session", "move", "XV-7", "--start", "2024-05-27", "--end",
                         "2024-07-05")
    assert rc == 0 and "XV-7 moved" in out, f"{rc} {out}{err}"
    rc, out, err = c.cli("task", "list")
    assert rc == 6 and "no reply from tcp://" + ADDRESSES["taskd"] in err, f"{rc} {out}{err}"
    st = c.status()
    assert st["taskd"]["up"] is False
    assert st["sessiond"]["last_event_seq"] == session_seq + 1
    # notifyd hears of the move from sessiond, but not of the deadlines yet
    assert _follows(st, "notifyd", "taskd") == {"source": "taskd", "applied_seq": task_seq,
                                               "known_seq": task_seq}
    while time.monotonic() - cut_at < CUT_SECONDS:   # the outage, not a correctness wait
        time.sleep(0.1)
    for tid, due in before.items():
        assert {a["due_date"] for a in c.alerts("--task", tid)} == {due}

    c.net.link("taskd", True)
    took = c.wait_in_step(
        "the task host to catch up after its link came back",
        extra=lambda st: st["taskd"]["last_event_seq"] >= task_seq + len(deps))
    print(f"caught up {took:.1f} s after the link came back")
    after = {tid: c.json("task", "show", tid)["deadline"]["date"] for tid in deps}
    assert after == {tid: MOVED_PLAN[t["deadline"]["rule"]][0] for tid, t in deps.items()}
    moved = [e for e in c.task_events(task_seq) if e["type"] == "task.deadline_changed"]
    assert sorted(e["subject"] for e in moved) == sorted(deps), moved   # once each
    for e in moved:
        change = {ch["field"]: (ch["old"], ch["new"]) for ch in e["changes"]}
        assert change["deadline.date"] == (before[e["subject"]], after[e["subject"]])
        assert e["caller"] == "sessiond"
    assert c.status()["taskd"]["last_event_seq"] == task_seq + len(deps)
    _check_alerts_follow(c, deps, others)


def test_notification_host_cut_off_catches_up(cluster):
    c = cluster
    st = c.status()
    task_seq = st["taskd"]["last_event_seq"]
    notify_seq = st["notifyd"]["last_event_seq"]
    rows = {t["id"]: t for t in c.json("task", "list", "--all")}
    absolute = sorted(tid for tid, t in rows.items() if t["deadline"]["kind"] == "absolute")
    done, redated = absolute[0], absolute[1]
    assert c.alerts("--task", done, "--pending")

    c.net.link("notifyd", False)
    cut_at = time.monotonic()
    new = [c.ok("task", "add", "--program", "2024", "--title", f"Nhiệm vụ phát sinh {i}",
                "--lead", "vu-thu-ky", "--with", "vu-phap-luat", "--due", f"2024-0{i + 3}-14",
                "--unplanned").strip() for i in range(3)]
    c.ok("task", "update", redated, "--due", "2024-09-13", "--note", "Lùi hạn")
    c.ok("task", "done", done, "--note", "Đã hoàn thành")
    c.ok("task", "update", new[0], "--progress", "30")
    rc, out, err = c.cli("alert", "list")
    assert rc == 6 and "no reply from tcp://" + ADDRESSES["notifyd"] in err, f"{rc} {out}{err}"
    assert c.status()["notifyd"]["up"] is False
    while time.monotonic() - cut_at < CUT_SECONDS:
        time.sleep(0.1)

    c.net.link("notifyd", True)
    took = c.wait_in_step("the notification host to catch up",
                          extra=lambda st: _follows(st, "notifyd", "taskd")["applied_seq"] >=
                          task_seq + 6)
    print(f"caught up {took:.1f} s after the link came back")
    st = c.status()
    assert st["taskd"]["last_event_seq"] == task_seq + 6
    assert st["notifyd"]["last_event_seq"] > notify_seq
    now = c.alerts()
    ids = [a["id"] for a in now]
    assert len(ids) == len(set(ids)), "duplicate alert ids"
    for i, tid in enumerate(new):
        mine = [a for a in now if a["task"] == tid]
        due = f"2024-0{i + 3}-14"
        assert {a["office"] for a in mine if a["kind"] == "due"} == {"vu-thu-ky",
                                                                    "vu-phap-luat"}, mine
        assert all(a["due_date"] == due and a["state"] == "planned" for a in mine), mine
    mine = [a for a in now if a["task"] == redated]
    assert mine and all(a["due_date"] == "2024-09-13" for a in mine), mine
    assert {a["office"] for a in mine if a["kind"] == "due"} == _offices(rows[redated])
    assert not c.alerts("--task", done, "--pending")


def test_followers_recover_when_the_session_host_restarts_after_a_power_cut(cluster):
    """A source host that vanishes without closing its connections leaves
    half-open TCP connections: the followers notice the silence (no
    heartbeat for 5 s, and ZMTP pings unanswered), reconnect and catch up."""
    c = cluster
    session_seq = c.status()["sessiond"]["last_event_seq"]
    s = c.daemons["sessiond"]
    c.net.link("sessiond", False)       # the power goes: nothing reaches the others
    s.kill9()
    c.net.replace_host("sessiond")
    s.start()                           # the host is back, with its store
    out = c.ok("session", "move", "XV-7", "--start", "2024-05-27", "--end", "2024-07-05")
    assert "XV-7 moved" in out
    # 15 s: fifteen heartbeats the followers never get
    c.wait_in_step("the followers of the restarted session host", timeout=15,
                   extra=lambda st: st["sessiond"]["last_event_seq"] == session_seq + 1)
