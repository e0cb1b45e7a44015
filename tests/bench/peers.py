"""The tools users would pick instead of thuky, run by bench.py side by side
with it: Redis (durable writes: appendonly yes, appendfsync always),
PostgreSQL (the same work as a task update in SQL, synchronous_commit on)
and Taskwarrior (a task list on the command line).

Nothing here talks to thuky: bench.py runs our side of each comparison with
its own daemons and calls these helpers for the peer's side, in the same run,
on the same file system.
"""

import datetime
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import time
import uuid
from pathlib import Path

APT_PACKAGES = ("redis-server", "redis-tools", "taskwarrior", "postgresql")
TOOLS = {"redis": ("redis-server", "redis-benchmark"), "taskwarrior": ("task",),
         "postgres": ("initdb", "pg_ctl", "pgbench", "psql")}
VN = datetime.timezone(datetime.timedelta(hours=7))   # Asia/Ho_Chi_Minh: no DST
VN_TZ = "Asia/Ho_Chi_Minh"


class PeerError(Exception):
    """A peer tool failed in a way that makes its figure meaningless."""


def pg_bin():
    """The newest PostgreSQL's bin directory (Debian keeps initdb there, off PATH)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    return found[-1].parent if found else None


def _which(tool):
    if tool in TOOLS["postgres"]:
        return pg_bin() is not None and (pg_bin() / tool).exists()
    return shutil.which(tool) is not None


def _missing():
    return {peer: [t for t in tools if not _which(t)] for peer, tools in TOOLS.items()}


def _apt(args, log):
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    # Another apt (a helper, unattended-upgrades) may hold the lock: wait for it.
    cmd = ["apt-get", "-o", "DPkg::Lock::Timeout=300", *args]
    try:
        r = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as e:
        log(f"bench: {' '.join(cmd)}: {e}")
        return False
    if r.returncode != 0:
        tail = "\n".join((r.stderr or r.stdout).strip().splitlines()[-3:])
        log(f"bench: {' '.join(cmd)} failed ({r.returncode}): {tail}")
    return r.returncode == 0


def _quiet_system_service(unit, log):
    """The Debian packages of Redis and PostgreSQL start a system service.
    The bench never uses it (it runs its own server on a free port, in its
    own directory); a service this run installed is stopped and disabled so
    it takes no CPU during the measurements and does not linger."""
    if not shutil.which("systemctl") or not Path("/run/systemd/system").is_dir():
        return   # no systemd running (a container): the service was not started
    subprocess.run(["systemctl", "disable", "--now", unit],
                   stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    log(f"bench: stopped and disabled {unit}, which its package started (the bench "
        "runs its own server)")


def ensure_installed(log):
    """Installs the peers when one is missing and we are root. Returns
    {"redis": reason, "taskwarrior": reason, "postgres": reason}: None when
    the peer can run, else why not (printed in its rows)."""
    missing = _missing()
    if any(missing.values()):
        names = sorted({t for tools in missing.values() for t in tools})
        if os.geteuid() == 0 and shutil.which("apt-get"):
            log(f"bench: installing the peers ({', '.join(names)} missing): "
                f"apt-get install -y -q {' '.join(APT_PACKAGES)}")
            install = ["install", "-y", "-q", *APT_PACKAGES]
            if not _apt(install, log):
                log("bench: retrying after apt-get update")
                if _apt(["update", "-q"], log):
                    _apt(install, log)
            if "redis-server" in names and shutil.which("redis-server"):
                _quiet_system_service("redis-server.service", log)
            if "initdb" in names and pg_bin():
                _quiet_system_service("postgresql.service", log)
            missing = _missing()
        else:
            log(f"bench: {', '.join(names)} not installed (not root: run "
                f"`apt-get install {' '.join(APT_PACKAGES)}` as root); those rows say "
                "\"peer not installed\"")
    return {peer: (f"peer not installed ({', '.join(tools)} missing)" if tools else None)
            for peer, tools in missing.items()}


def versions():
    out = {}
    for name, cmd in (("redis", ["redis-server", "--version"]), ("taskwarrior", ["task", "--version"])):
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=10,
                               stdin=subprocess.DEVNULL, env=dict(os.environ, TASKRC="/dev/null"))
            text = r.stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            continue
        if name == "redis":   # "Redis server v=7.0.15 sha=... malloc=..."
            text = next((w[2:] for w in text.split() if w.startswith("v=")), text)
        out[name] = text.splitlines()[0] if text else "?"
    if pg_bin():
        r = subprocess.run([str(pg_bin() / "postgres"), "--version"], capture_output=True,
                           text=True, timeout=10, stdin=subprocess.DEVNULL)
        # "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
        words = r.stdout.split()
        out["postgres"] = words[2] if r.returncode == 0 and len(words) > 2 else "?"
    return out


# ---- Redis ------------------------------------------------------------------------

def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Redis:
    """A private redis-server: AOF on, fsync before every reply
    (appendfsync always), no RDB snapshots, data in DIR, on a free loopback
    port."""

    def __init__(self, directory):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = None
        self.proc = None
        self.logfile = self.dir / "redis.log"

    def start(self, timeout=20.0):
        for _ in range(5):     # the free port may be taken between the probe and the bind
            self.port = free_port()
            self.proc = subprocess.Popen(
                ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port),
                 "--dir", str(self.dir), "--appendonly", "yes", "--appendfsync", "always",
                 "--save", "", "--daemonize", "no", "--logfile", str(self.logfile),
                 "--protected-mode", "yes"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            t0 = time.monotonic()
            while time.monotonic() - t0 < timeout:
                if self.proc.poll() is not None:
                    break
                if self._ping():
                    return
                time.sleep(0.02)
            self.stop()
        raise PeerError(f"redis-server did not start: {self._log_tail()}")

    def _ping(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def _log_tail(self):
        try:
            return " / ".join(self.logfile.read_text(errors="replace").splitlines()[-3:])
        except OSError:
            return "(no log)"

    def benchmark(self, clients, requests, size, timeout):
        """redis-benchmark SET; {"rps", "p50_ms", "p99_ms", ...} from its CSV."""
        cmd = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(self.port), "-c", str(clients),
               "-n", str(requests), "-d", str(size), "-t", "set", "--csv"]
        t0 = time.monotonic()
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                               stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise PeerError(f"redis-benchmark did not finish in {timeout:.0f} s")
        wall = time.monotonic() - t0
        if r.returncode != 0:
            raise PeerError(f"redis-benchmark failed: {r.stderr.strip()[-300:]}")
        rows = [ln for ln in r.stdout.splitlines() if ln.strip()]
        header = next((ln for ln in rows if ln.startswith('"test"')), None)
        data = next((ln for ln in rows if ln.startswith('"SET"')), None)
        if not header or not data:
            raise PeerError(f"redis-benchmark printed no SET row: {r.stdout.strip()[-300:]}")
        names = [c.strip('"') for c in header.split(",")]
        values = [c.strip('"') for c in data.split(",")]
        row = dict(zip(names, values))
        try:
            return {"rps": float(row["rps"]), "p50_ms": float(row["p50_latency_ms"]),
                    "p99_ms": float(row["p99_latency_ms"]), "max_ms": float(row["max_latency_ms"]),
                    "requests": requests, "clients": clients, "seconds": wall}
        except (KeyError, ValueError):
            raise PeerError(f"redis-benchmark CSV not understood: {header} / {data}")

    def fsync_policy(self):
        """CONFIG GET appendfsync, to check the server runs as asked."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
            s.sendall(b"*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$11\r\nappendfsync\r\n")
            data = b""
            while data.count(b"\r\n") < 5:
                chunk = s.recv(256)
                if not chunk:
                    break
                data += chunk
        return data.split(b"\r\n")[4].decode() if data.count(b"\r\n") >= 5 else "?"

    def rss_mb(self):
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) / 1024.0
        except OSError:
            pass
        return None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def redis_durable_sets(directory, clients, seconds, size=200, log=print):
    """SET throughput and latency with `clients` connections against a
    durable redis-server. A short calibration run sizes the measured run to
    last about `seconds`."""
    server = Redis(directory)
    server.start()
    try:
        policy = server.fsync_policy()
        if policy != "always":
            raise PeerError(f"redis-server runs with appendfsync {policy}, not always")
        calib = server.benchmark(clients, 5000, size, timeout=120)
        n = max(10_000, int(calib["rps"] * seconds))
        log(f"  redis calibration: {calib['rps']:,.0f} SET/s; measuring {n:,} SETs "
            f"(about {seconds} s)")
        res = server.benchmark(clients, n, size, timeout=max(120, seconds * 20))
        res["rss_mb"] = server.rss_mb()
        res["aof_bytes"] = sum(p.stat().st_size for p in (server.dir).rglob("*.aof"))
        return res
    finally:
        server.stop()


# ---- the shared task set -----------------------------------------------------------

LEADS = ("vu-thu-ky", "vu-tong-hop", "vu-phap-luat", "vu-kinh-te", "vu-tai-chinh-ngan-sach",
         "vu-xa-hoi", "vu-dan-nguyen", "vu-cong-tac-dai-bieu", "uy-ban-phap-luat",
         "uy-ban-kinh-te", "vp-doan-ha-noi", "vp-doan-tp-hcm")
_VERBS = ("Chuẩn bị báo cáo thẩm tra", "Tổng hợp ý kiến đại biểu về", "Xây dựng kế hoạch triển khai",
          "Rà soát, hoàn thiện hồ sơ", "Tổ chức hội thảo lấy ý kiến về", "Gửi tài liệu phục vụ thảo luận",
          "Báo cáo tiến độ thực hiện", "Giám sát chuyên đề về")
_OBJECTS = ("dự án Luật Đất đai (sửa đổi)", "dự án Luật Thủ đô (sửa đổi)", "Nghị quyết về kỳ họp thứ bảy",
            "chương trình giám sát năm 2025", "kiến nghị cử tri tỉnh Nghệ An", "dự toán ngân sách nhà nước",
            "dự án Luật Bảo hiểm xã hội (sửa đổi)", "phiên chất vấn và trả lời chất vấn",
            "công tác dân nguyện quý III", "dự án Luật Tổ chức tín dụng (sửa đổi)")


class TaskSet:
    """N tasks generated once, around one "now": Vietnamese titles, a lead
    office each, due dates (civil dates in Asia/Ho_Chi_Minh) spread evenly
    over the year centred on today, 5% undated. Written both as our import
    JSON and as Taskwarrior's import JSON."""

    def __init__(self, n, now=None, seed=2024):
        self.n = n
        self.now = now or datetime.datetime.now(datetime.timezone.utc)
        self.today = self.now.astimezone(VN).date()
        rng = random.Random(seed)
        self.tasks = []
        for i in range(n):
            due = None if rng.random() < 0.05 else self.today + datetime.timedelta(
                days=rng.randint(-182, 182))
            title = f"{rng.choice(_VERBS)} {rng.choice(_OBJECTS)} — số {i + 1}"
            self.tasks.append((title, rng.choice(LEADS), due,
                               str(uuid.UUID(int=rng.getrandbits(128), version=4))))
        self.program_year = self.today.year

    def expected(self, due_from, due_before):
        """Tasks with due_from <= due < due_before (civil dates; None: open)."""
        return sum(1 for _, _, due, _ in self.tasks
                   if due and (due_from is None or due >= due_from) and due < due_before)

    def write_ours(self, path):
        doc = {"program": {"year": self.program_year, "decision": "3333/QĐ-TTKQH",
                           "title": f"Chương trình công tác năm {self.program_year} (so sánh)"},
               "tasks": []}
        for i, (title, lead, due, _) in enumerate(self.tasks):
            t = {"ref": f"cmp-{i + 1}", "title": title, "lead": lead}
            if due:
                t["due"] = due.isoformat()
            doc["tasks"].append(t)
        Path(path).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")

    def write_taskwarrior(self, path):
        """A date-only deadline as Taskwarrior itself stores `due:DATE`: local
        midnight (Asia/Ho_Chi_Minh), in UTC."""
        entry = self.now.strftime("%Y%m%dT%H%M%SZ")
        out = []
        for title, lead, due, uid in self.tasks:
            t = {"description": title, "project": lead, "status": "pending", "uuid": uid,
                 "entry": entry}
            if due:
                midnight = datetime.datetime.combine(due, datetime.time(0, 0), tzinfo=VN)
                t["due"] = midnight.astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
            out.append(t)
        Path(path).write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")


# ---- Taskwarrior ---------------------------------------------------------------------

class Taskwarrior:
    """`task` with its own TASKRC and TASKDATA in a fresh directory. The rc
    file is empty apart from data.location: a new user's defaults (gc on,
    hooks on, no reports changed). Commands run non-interactively
    (rc.confirmation=off, stdin /dev/null) and print little
    (rc.verbose=nothing), in the Asia/Ho_Chi_Minh time zone like the
    users."""

    def __init__(self, directory):
        self.dir = Path(directory)
        self.data = self.dir / "data"
        self.data.mkdir(parents=True, exist_ok=True)
        self.rc = self.dir / "taskrc"
        self.rc.write_text(f"data.location={self.data}\n")
        self.env = dict(os.environ, TASKRC=str(self.rc), TASKDATA=str(self.data),
                        HOME=str(self.dir), TZ=VN_TZ)

    def run(self, *args, timeout=600):
        cmd = ["task", f"rc:{self.rc}", f"rc.data.location={self.data}", "rc.confirmation=off",
               "rc.verbose=nothing", *args]
        t0 = time.monotonic()
        r = subprocess.run(cmd, env=self.env, stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=timeout)   # TimeoutExpired: the caller's
        wall = time.monotonic() - t0
        if r.returncode != 0:
            raise PeerError(f"task {' '.join(args)} failed ({r.returncode}): "
                            f"{(r.stderr or r.stdout).strip()[-300:]}")
        return wall, r.stdout

    def count(self, *filters):
        wall, out = self.run(*filters, "count")
        return wall, int(out.strip().splitlines()[-1])


def median_runs(fn, runs):
    """Calls fn() runs times; (median seconds, last value, all seconds)."""
    times, value = [], None
    for _ in range(runs):
        t, value = fn()
        times.append(t)
    return statistics.median(times), value, times


# ---- PostgreSQL --------------------------------------------------------------------

# One task update as a SQL application does it, in one transaction: the
# task row, a history row, an event with a dense sequence (a counter row,
# not a SEQUENCE, which leaves gaps on rollback: subscribers rely on "no
# gaps") carrying the task as JSON, and a NOTIFY to wake the followers.
PG_SCHEMA = """
CREATE TABLE task (id integer PRIMARY KEY, title text NOT NULL, lead text NOT NULL,
                   due date, status smallint NOT NULL DEFAULT 0,
                   progress smallint NOT NULL DEFAULT 0, version integer NOT NULL DEFAULT 1,
                   updated_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX task_due ON task (due, id);
CREATE INDEX task_lead ON task (lead, due, id);
CREATE TABLE history (task_id integer NOT NULL, version integer NOT NULL,
                      at timestamptz NOT NULL, caller text NOT NULL, change text NOT NULL,
                      PRIMARY KEY (task_id, version));
CREATE TABLE event_seq (seq bigint NOT NULL);
INSERT INTO event_seq VALUES (0);
CREATE TABLE event (seq bigint PRIMARY KEY, type text NOT NULL, subject text NOT NULL,
                    payload text NOT NULL);
INSERT INTO task (id, title, lead, due)
  SELECT i, 'Chuẩn bị báo cáo thẩm tra dự án Luật số ' || i, 'vu-thu-ky',
         date '2024-01-01' + (i % 366)
  FROM generate_series(1, {tasks}) AS i;
VACUUM ANALYZE;
CHECKPOINT;
"""

PG_UPDATE = r"""\set id random(1, {tasks})
BEGIN;
UPDATE task SET progress = (progress + 1) % 100, version = version + 1, updated_at = now()
  WHERE id = :id RETURNING version AS v \gset
INSERT INTO history VALUES (:id, :v, now(), 'bench@pgbench', 'progress');
UPDATE event_seq SET seq = seq + 1 RETURNING seq AS s \gset
INSERT INTO event SELECT :s, 'task.updated', 'T' || :id, row_to_json(t)::text
  FROM task t WHERE t.id = :id;
SELECT pg_notify('task_events', :s::text);
END;
"""


class Postgres:
    """A private cluster in a fresh directory, on its own unix socket and a
    free port, with the durable defaults (fsync on, synchronous_commit on,
    full_page_writes on). As root it runs as the postgres user (the server
    refuses root)."""

    def __init__(self, directory):
        self.bin = pg_bin()
        self.dir = Path(directory)
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.started = False

    def _run(self, tool, *args, timeout=600):
        cmd = [*self.as_user, str(self.bin / tool), *args]
        r = subprocess.run(cmd, cwd=self.dir, stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=timeout)
        if r.returncode != 0:
            raise PeerError(f"{tool} failed ({r.returncode}): "
                            f"{(r.stderr or r.stdout).strip()[-400:]}")
        return r.stdout

    def start(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        if self.as_user:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-E", "UTF8", "--no-locale",
                  "-U", "bench")
        self._run("pg_ctl", "-D", str(self.data), "-w", "-t", "60", "-l",
                  str(self.dir / "server.log"), "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses=''", "start")
        self.started = True

    def sql(self, text, timeout=600):
        script = self.dir / "script.sql"
        script.write_text(text)
        return self._run("psql", "-h", str(self.dir), "-p", str(self.port), "-U", "bench",
                         "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qAt", "-f", str(script),
                         timeout=timeout)

    def durable(self):
        """The settings that make a commit durable, as the server reports them."""
        out = self.sql("SHOW fsync; SHOW synchronous_commit; SHOW wal_sync_method;")
        fsync, sync_commit, method = out.split()
        return {"fsync": fsync, "synchronous_commit": sync_commit, "wal_sync_method": method}

    def populate(self, tasks):
        self.sql(PG_SCHEMA.format(tasks=tasks))

    def updates(self, clients, seconds, tasks):
        """pgbench with the update script: throughput and latency percentiles."""
        script = self.dir / "update.pgbench"
        script.write_text(PG_UPDATE.format(tasks=tasks))
        logs = self.dir / f"log-{clients}-{uuid.uuid4().hex[:6]}"
        out = self._run("pgbench", "-h", str(self.dir), "-p", str(self.port), "-U", "bench",
                        "-n", "-c", str(clients), "-j", str(min(clients, 2)), "-T",
                        str(seconds), "-f", str(script), "-l", f"--log-prefix={logs}",
                        "postgres", timeout=seconds * 10 + 120)
        tps = next((float(ln.split()[2]) for ln in out.splitlines()
                    if ln.startswith("tps = ")), None)
        failed = next((int(ln.split()[-2]) for ln in out.splitlines()
                       if ln.startswith("number of failed transactions")), 0)
        lat = []
        for f in self.dir.glob(logs.name + "*"):
            for ln in f.read_text().splitlines():
                parts = ln.split()
                if len(parts) >= 3:
                    lat.append(int(parts[2]) / 1000.0)
            f.unlink()
        if tps is None or not lat:
            raise PeerError(f"pgbench printed no result: {out.strip()[-300:]}")
        lat.sort()
        return {"clients": clients, "ops_per_s": tps, "ops": len(lat), "errors": failed,
                "p50_ms": lat[len(lat) // 2], "p99_ms": lat[min(len(lat) - 1, int(len(lat) * 0.99))],
                "max_ms": lat[-1]}

    def stop(self):
        if self.started:
            self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "fast", "stop", timeout=120)
            self.started = False
