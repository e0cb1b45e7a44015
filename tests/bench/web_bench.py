"""The web face's rows of `make bench`: thuky-webd in front of the three
daemons, a store of 10,000 tasks, measured over real HTTP on loopback.

  - an office's calendar (.ics): a full 200, and a 304 for If-None-Match
  - a JSON page of 100 tasks (/api/v1/tasks)
  - the status board rendered (/, with a login session)
  - the live feed fanned out to 500 SSE streams while tasks change:
    events delivered per second over all streams, and webd's RSS

Each request is timed from send to the last byte on one kept-alive
connection; p50/p99 over the repeats."""
import http.client
import json
import os
import selectors
import socket
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DAEMONS = ("sessiond", "taskd", "notifyd", "webd")
OFFICE = "vu-thu-ky"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pct(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


class WebSet:
    """The four daemons on one directory; webd on a loopback port."""

    def __init__(self, build, directory, log):
        self.build, self.dir, self.log = build, directory, log
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = _free_port()
        keys = self.dir / "link-keys"
        keys.mkdir(exist_ok=True)
        (keys / "k1.key").write_text(os.urandom(32).hex() + "\n")
        (keys / "k1.key").chmod(0o600)
        self.conf = self.dir / "thuky.conf"
        self.conf.write_text(
            f"[core]\nruntime_dir = {self.dir / 'run'}\nstate_dir = {self.dir / 'state'}\n"
            f"calendar_dir = {REPO / 'deploy' / 'calendar'}\n[client]\ntimeout_ms = 10000\n"
            f"[web]\npublic_url = http://127.0.0.1:{self.port}\n"
            f"listen = 127.0.0.1:{self.port}\nlink_key_dir = {keys}\n"
            "max_connections = 2048\nconnections_per_address = 2048\n"
            "requests_per_minute = 1000000\n")
        self.env = dict(os.environ, THUKY_CONFIG=str(self.conf))
        self.procs = {}

    def cli(self, *args):
        r = subprocess.run([str(self.build / "thuky"), *map(str, args)], env=self.env,
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"thuky {' '.join(map(str, args))}: {r.stderr.strip()}")
        return r.stdout

    def start(self):
        for name in DAEMONS:
            log = open(self.dir / f"{name}.log", "wb")
            self.procs[name] = subprocess.Popen(
                [str(self.build / f"thuky-{name}"), "--config", str(self.conf)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log)
            deadline = time.monotonic() + 30
            while True:
                r = subprocess.run([str(self.build / "thuky"), "--json", "status"],
                                   env=self.env, capture_output=True, text=True)
                try:
                    up = any(row["daemon"] == name and row["up"] for row in json.loads(r.stdout))
                except ValueError:
                    up = False
                if up:
                    break
                if time.monotonic() > deadline or self.procs[name].poll() is not None:
                    raise RuntimeError(f"thuky-{name} did not start")
                time.sleep(0.02)

    def stop(self):
        for name in reversed(DAEMONS):
            p = self.procs.get(name)
            if p and p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()


def _timed_gets(port, path, repeat, headers=None, expect=200):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times, size = [], 0
    try:
        for _ in range(repeat):
            t0 = time.perf_counter()
            conn.request("GET", path, headers=headers or {})
            r = conn.getresponse()
            body = r.read()
            times.append((time.perf_counter() - t0) * 1000)
            if r.status != expect:
                raise RuntimeError(f"GET {path}: {r.status}, expected {expect}")
            size = len(body)
    finally:
        conn.close()
    total = sum(times) / 1000
    return {"p50_ms": _pct(times, 0.5), "p99_ms": _pct(times, 0.99),
            "rps": repeat / total if total else 0.0, "bytes": size, "n": repeat}


def _token(ws, *args):
    return json.loads(ws.cli("--json", "web", "token", "create", *args))


def _fan_out(ws, load, streams, seconds, log):
    """Opens `streams` SSE connections, changes tasks for `seconds`, and
    counts the events every stream receives."""
    reader = _token(ws, "--kind", "api")["secret"]
    sel = selectors.DefaultSelector()
    socks = []
    rss0 = _rss_mib(ws.procs["webd"].pid)
    for _ in range(streams):
        s = socket.create_connection(("127.0.0.1", ws.port))
        s.sendall(f"GET /api/v1/events?type=task. HTTP/1.1\r\nHost: x\r\n"
                  f"Authorization: Bearer {reader}\r\nAccept: text/event-stream\r\n\r\n"
                  .encode())
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, [0, b""])
        socks.append(s)
    time.sleep(0.5)
    rss_open = _rss_mib(ws.procs["webd"].pid)
    t0 = time.monotonic()
    updater = subprocess.Popen([str(load), "--config", str(ws.conf), "update", "--clients", "4",
                                "--seconds", str(seconds), "--task-ids", "1-10000"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    peak = rss_open
    first_seq = _last(ws)
    last_at = [t0]

    def pump(timeout):
        for key, _ in sel.select(timeout):
            try:
                data = key.fileobj.recv(1 << 20)
            except BlockingIOError:
                continue
            state = key.data
            buf = state[1] + data
            state[0] += buf.count(b"\ndata: ") + buf.startswith(b"data: ")
            state[1] = buf[-8:]
            last_at[0] = time.monotonic()

    while updater.poll() is None:
        pump(0.05)
        peak = max(peak, _rss_mib(ws.procs["webd"].pid))
    updater.stdout.read()
    updates = _last(ws) - first_seq   # the task events the updates made
    # drain what is still on its way
    drain_until = time.monotonic() + 30
    while time.monotonic() < drain_until:
        pump(0.1)
        counts = [k.data[0] for k in sel.get_map().values()]
        if min(counts) >= updates:
            break
    elapsed = last_at[0] - t0
    counts = [k.data[0] for k in sel.get_map().values()]
    for s in socks:
        s.close()
    delivered = sum(counts)
    log(f"  SSE: {streams} streams, {updates} task updates, {delivered:,} events delivered "
        f"in {elapsed:.1f} s (min per stream {min(counts)}), webd RSS {rss0:.1f} → "
        f"{rss_open:.1f} → peak {peak:.1f} MiB")
    return {"streams": streams, "updates": updates, "delivered": delivered,
            "min_per_stream": min(counts), "seconds": elapsed, "rss_idle": rss0,
            "rss_open": rss_open, "rss_peak": peak}


def run(build, directory, seconds, repeat, log, tasks=10_000, streams=500):
    ws = WebSet(build, directory, log)
    ws.start()
    try:
        load = build / "tests" / "thuky_load"
        subprocess.run([str(load), "--config", str(ws.conf), "populate", "--tasks", str(tasks),
                        "--program", "2024"], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        cal = _token(ws, "--kind", "calendar", "--office", OFFICE)["path"]
        reader = _token(ws, "--kind", "api")["secret"]
        auth = {"Authorization": f"Bearer {reader}"}
        res = {"tasks": tasks}
        res["ics_200"] = _timed_gets(ws.port, cal, max(20, repeat // 10),
                                     {"Cache-Control": "no-cache"})
        conn = http.client.HTTPConnection("127.0.0.1", ws.port, timeout=30)
        conn.request("GET", cal)
        r = conn.getresponse()
        r.read()
        etag = r.getheader("ETag")
        conn.close()
        res["ics_304"] = _timed_gets(ws.port, cal, repeat, {"If-None-Match": etag}, expect=304)
        # a 200 that must render: the calendar changes between requests
        res["ics_render"] = _render_after_change(ws, cal, max(10, repeat // 50))
        res["api_page"] = _timed_gets(ws.port, "/api/v1/tasks?limit=100", max(20, repeat // 5),
                                      auth)
        login = _token(ws, "--kind", "login")["path"]
        conn = http.client.HTTPConnection("127.0.0.1", ws.port, timeout=30)
        conn.request("GET", login)
        r = conn.getresponse()
        r.read()
        cookie = r.getheader("Set-Cookie").split(";", 1)[0]
        conn.close()
        res["board"] = _timed_gets(ws.port, "/", max(10, repeat // 20), {"Cookie": cookie})
        res["sse"] = _fan_out(ws, load, streams, seconds, log)
        log(f"  .ics ({res['ics_200']['bytes']:,} bytes): 200 p50 "
            f"{res['ics_200']['p50_ms']:.2f} ms, rendered p50 {res['ics_render']['p50_ms']:.1f} "
            f"ms, 304 p50 {res['ics_304']['p50_ms']:.3f} ms; API page p50 "
            f"{res['api_page']['p50_ms']:.2f} ms; board p50 {res['board']['p50_ms']:.1f} ms")
        return res
    finally:
        ws.stop()


def _render_after_change(ws, cal, rounds):
    """An office calendar whose data changed since the last request: webd
    asks taskd and sessiond again and sessiond renders (the first request
    after any change pays this)."""
    times = []
    conn = http.client.HTTPConnection("127.0.0.1", ws.port, timeout=30)
    try:
        for i in range(rounds):
            ws.cli("task", "update", "1", "--note", f"bench {i}")
            before = _last(ws)
            while _feed_position(ws) < before:
                time.sleep(0.001)
            t0 = time.perf_counter()
            conn.request("GET", cal)
            r = conn.getresponse()
            r.read()
            times.append((time.perf_counter() - t0) * 1000)
    finally:
        conn.close()
    return {"p50_ms": _pct(times, 0.5), "p99_ms": _pct(times, 0.99), "n": rounds}


def _last(ws):
    rows = json.loads(ws.cli("--json", "status"))
    return next(r["last_event_seq"] for r in rows if r["daemon"] == "taskd")


def _feed_position(ws):
    rows = json.loads(ws.cli("--json", "status"))
    webd = next(r for r in rows if r["daemon"] == "webd")
    return next(f["applied_seq"] for f in webd["follows"] if f["source"] == "taskd")
