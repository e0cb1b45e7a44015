#!/usr/bin/python3
"""thuky benchmarks (make bench): usage: bench.py BUILD_DIR

Every scenario runs a real thuky-taskd on a fresh store in a temporary
directory on a disk-backed file system (never tmpfs, so fsync is real) and
drives it with build/tests/thuky_load, which speaks the ordinary client
protocol; every write is acknowledged only after its durable commit.

  1. durable task.update throughput and latency, 1 and 16 clients
     (store of 1,000 tasks, BENCH_SECONDS seconds each, default 5), and,
     side by side, redis-server with appendonly yes / appendfsync always
     driven by redis-benchmark (SET, 16 connections, 200-byte values);
     then PostgreSQL (a private cluster, pgbench) doing the same work as
     task.update, and thuky, on stores of 100,000 tasks, 16 and 1 clients;
     the headline comparisons run BENCH_RUNS times (default 3: median and
     range); then recovery after kill -9 with 12 MiB of log to replay;
  2. the same 100,000 tasks (BENCH_TW_TASKS) in thuky and in Taskwarrior:
     import, count the tasks due in the next 7 days, add one task, each
     timed as a CLI run;
  3. "next 100 due" (task.list, limit 100: open tasks in deadline order) and
     one task.update, on stores of 10,000 and BENCH_BIG (default 1,000,000)
     tasks, and the ratio big/10k;
  4. daemon start time on the big store (spawn -> the ROUTER answers a raw
     DEALER "status" ping; spawn -> `thuky status` succeeds), resident
     memory (VmRSS) idle after start and after the big run, and event
     catch-up: the big store's whole log replayed to a durable subscriber
     (build/tests/event_sink) that starts from sequence 0;
  5. the session service's durable writes; moving a sitting with 10,000
     dependent deadlines;
  6. alerts: latency, a burst of digests, notifyd's memory;
  7. resident memory of each daemon idle on fresh stores.

Prints one aligned table (metric | thuky | peer / baseline | ratio | target |
ok) and writes it as markdown to BENCHMARKS.md at the repository root. A
missed target is reported, never fatal: the exit status is non-zero only
when a daemon does not start or stop cleanly, or a tool fails.

The peers (redis-server, redis-benchmark, PostgreSQL, task) are installed with apt-get
when missing and the bench runs as root; otherwise their rows say "peer not
installed".

Environment: BENCH_RUNS=R (runs of each headline comparison),
BENCH_BIG=N (size of the big store), BENCH_SECONDS=S (length of
each update run), BENCH_REPEAT=R (queries per store), BENCH_TW_TASKS=N
(tasks in the Taskwarrior comparison, default 100,000), BENCH_KEEP=1 (keep
the temporary stores), BENCH_DIR=DIR (where to put them),
THUKY_BENCH_QUICK=1 (a quick trial of every scenario at small sizes: big
store 20,000, 1 s runs, 200 queries, 5,000 tasks for Taskwarrior; the
numbers are not the benchmark).
"""

import datetime
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peers  # noqa: E402
import web_bench  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
DEFAULT_BIG = 1_000_000
DEFAULT_TW_TASKS = 100_000
QUICK = os.environ.get("THUKY_BENCH_QUICK", "") not in ("", "0")
PROGRAM_YEAR = 2024


class BenchError(Exception):
    """A daemon did not start or stop cleanly, or a tool failed."""


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def fs_type(path):
    try:
        out = subprocess.run(["stat", "-f", "-c", "%T", str(path)], capture_output=True,
                             text=True, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def pick_tmp_base(build):
    """A disk-backed directory with short enough paths for ipc:// sockets."""
    candidates = []
    if os.environ.get("BENCH_DIR"):
        candidates.append(Path(os.environ["BENCH_DIR"]))
    candidates += [build, Path("/var/tmp")]
    for base in candidates:
        if not base.is_dir() or not os.access(base, os.W_OK):
            continue
        kind = fs_type(base)
        if kind in ("tmpfs", "ramfs"):
            log(f"bench: {base} is {kind} (fsync would be free); not using it")
            continue
        # runtime_dir/taskd.cmd must fit in sockaddr_un (108 bytes)
        if len(str(base)) + len("/bench-XXXXXXXX/s00/run/taskd.cmd") > 100:
            continue
        return base, kind
    raise BenchError("no disk-backed, writable directory for the stores "
                     "(set BENCH_DIR to one)")


def read_rss(pid):
    """VmRSS, RssAnon, RssFile in MiB from /proc/PID/status."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
                out[key] = int(rest.split()[0]) / 1024.0
    return out


def fdatasync_probe(directory, rounds=200, pages=32):
    """p50 of fdatasync after rewriting 1 page, `pages` contiguous pages, and
    `pages` pages scattered over 16 MiB of a file on the stores' file system:
    what one commit costs the disk, by how many pages it dirtied and where."""
    import random
    path = Path(directory) / "fdatasync-probe"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        os.write(fd, b"\0" * (16 << 20))
        os.fsync(fd)
        page = b"p" * 4096
        rng = random.Random(6)

        def p50(pick):
            times = []
            for _ in range(rounds):
                for n in pick():
                    os.pwrite(fd, page, n * 4096)
                t = time.perf_counter()
                os.fdatasync(fd)
                times.append((time.perf_counter() - t) * 1000)
            return statistics.median(times)

        return {"one": p50(lambda: [7]), "contiguous": p50(lambda: range(64, 64 + pages)),
                "scattered": p50(lambda: rng.sample(range(4096), pages)), "pages": pages}
    finally:
        os.close(fd)
        path.unlink()


def dir_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.stat(os.path.join(root, name)).st_blocks * 512
            except OSError:
                pass
    return total


def spread(runs, key="ops_per_s"):
    """The run with the median throughput, with the range over all runs:
    {"runs": n, "ops_min", "ops_max", "p99_min", "p99_max"} added."""
    ordered = sorted(runs, key=lambda r: r[key])
    out = dict(ordered[len(ordered) // 2])
    out.update(runs=len(runs), ops_min=ordered[0][key], ops_max=ordered[-1][key],
               p99_min=min(r["p99_ms"] for r in runs), p99_max=max(r["p99_ms"] for r in runs),
               max_ms=max(r.get("max_ms", 0.0) for r in runs))
    return out


class Daemon:
    """One thuky daemon (taskd unless told) with its own configuration,
    store and sockets; daemons given the same name share a directory."""

    def __init__(self, bench, name, service="taskd", test_clock=None, extra=""):
        self.bench = bench
        self.service = service
        self.test_clock = test_clock   # start the test clock at this local time
        self.dir = bench.tmp / name
        self.dir.mkdir(exist_ok=True)
        self.conf = self.dir / "thuky.conf"
        self.conf.write_text(
            "[core]\n"
            f"runtime_dir={self.dir / 'run'}\n"
            f"state_dir={self.dir / 'state'}\n"
            f"calendar_dir={REPO / 'deploy' / 'calendar'}\n"
            # the bench reads the CLI's English output (Vietnamese is the default)
            "language = en\n"
            "[client]\n"
            "timeout_ms = 10000\n" + extra)
        self.endpoint = f"ipc://{self.dir / 'run' / service}.cmd"
        self.proc = None
        self.logfile = None
        self.starts = 0

    @property
    def pid(self):
        return self.proc.pid

    def spawn(self):
        self.starts += 1
        self.logfile = open(self.dir / f"{self.service}-{self.starts}.log", "wb")
        t0 = time.monotonic()
        binary = self.bench.build / f"thuky-{self.service}"
        args = [str(binary), "--config", str(self.conf)]
        if self.test_clock:
            args.append(f"--test-clock={self.test_clock}")
        self.proc = subprocess.Popen(args,
                                     stdin=subprocess.DEVNULL, stdout=self.logfile,
                                     stderr=self.logfile)
        self.bench.live.append(self)
        return t0

    def log_tail(self):
        try:
            text = (self.dir / f"{self.service}-{self.starts}.log").read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-15:])

    def check_alive(self, what):
        rc = self.proc.poll()
        if rc is not None:
            how = f"signal {-rc}" if rc < 0 else f"status {rc}"
            raise BenchError(f"thuky-taskd ({self.dir.name}) exited with {how} {what}\n"
                             f"{self.log_tail()}")

    def status_ok(self):
        """`thuky status` answers for this daemon (its row says "up")."""
        env = dict(os.environ, THUKY_CONFIG=str(self.conf))
        r = subprocess.run([str(self.bench.cli), "--json", "status"], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            rows = json.loads(r.stdout)
        except ValueError:
            return False
        return any(row.get("daemon") == self.service and row.get("up") for row in rows)

    def wait_status(self, t0, timeout=30.0):
        """Polls `thuky status` until it succeeds; seconds since t0."""
        while True:
            self.check_alive("while starting")
            if self.status_ok():
                return time.monotonic() - t0
            if time.monotonic() - t0 > timeout:
                raise BenchError(f"thuky-taskd ({self.dir.name}) did not answer `thuky status` "
                                 f"within {timeout:.0f} s\n{self.log_tail()}")
            time.sleep(0.002)

    def start(self):
        t0 = self.spawn()
        return self.wait_status(t0)

    def start_pinged(self, timeout=30.0):
        """Spawns with a DEALER "status" request already queued; returns the
        seconds from spawn until the ROUTER's reply arrives."""
        import zmq
        from thuky import envelope_pb2
        ctx = zmq.Context.instance()
        sock = ctx.socket(zmq.DEALER)
        sock.setsockopt(zmq.LINGER, 0)
        sock.setsockopt(zmq.RECONNECT_IVL, 1)      # retry the ipc connect every ms
        sock.setsockopt(zmq.RECONNECT_IVL_MAX, 1)
        sock.connect(self.endpoint)
        req = envelope_pb2.Request(protocol=envelope_pb2.PROTOCOL_CURRENT,
                                   request_id="bench-ping", command="status",
                                   caller="bench@bench.py")
        sock.send(req.SerializeToString())         # queued until the connect succeeds
        try:
            t0 = self.spawn()
            while True:
                if sock.poll(20):
                    elapsed = time.monotonic() - t0
                    reply = envelope_pb2.Reply()
                    reply.ParseFromString(sock.recv())
                    if reply.status.code != envelope_pb2.OK:
                        raise BenchError(f"status ping answered {reply.status.code}: "
                                         f"{reply.status.message}")
                    return elapsed
                self.check_alive("while starting")
                if time.monotonic() - t0 > timeout:
                    raise BenchError(f"thuky-taskd ({self.dir.name}) ROUTER did not answer "
                                     f"within {timeout:.0f} s\n{self.log_tail()}")
        finally:
            sock.close(0)

    def daemon_status(self, timeout_ms=10000):
        """The daemon's DaemonStatus, asked over a DEALER socket."""
        import zmq
        from thuky import envelope_pb2
        ctx = zmq.Context.instance()
        sock = ctx.socket(zmq.DEALER)
        sock.setsockopt(zmq.LINGER, 0)
        try:
            sock.connect(self.endpoint)
            req = envelope_pb2.Request(protocol=envelope_pb2.PROTOCOL_CURRENT,
                                       request_id="bench-status", command="status",
                                       caller="bench@bench.py")
            sock.send(req.SerializeToString())
            if not sock.poll(timeout_ms):
                self.check_alive("while asked for its status")
                raise BenchError(f"thuky-{self.service} ({self.dir.name}) did not answer "
                                 "`status`")
            reply = envelope_pb2.Reply.FromString(sock.recv())
            return envelope_pb2.DaemonStatus.FromString(reply.body)
        finally:
            sock.close(0)

    def status(self):
        """The daemon's counters."""
        return {c.name: c.value for c in self.daemon_status().counters}

    def last_seq(self):
        """The newest event sequence of the daemon's log."""
        return self.daemon_status().last_event_seq

    def call(self, command, body):
        """One command over a DEALER socket; the reply body (fails on an error)."""
        import zmq
        from thuky import envelope_pb2
        sock = zmq.Context.instance().socket(zmq.DEALER)
        sock.setsockopt(zmq.LINGER, 0)
        try:
            sock.connect(self.endpoint)
            req = envelope_pb2.Request(protocol=envelope_pb2.PROTOCOL_CURRENT,
                                       request_id=f"bench-{time.monotonic_ns()}",
                                       command=command, caller="bench@bench.py",
                                       body=body.SerializeToString())
            sock.send(req.SerializeToString())
            if not sock.poll(30000):
                raise BenchError(f"thuky-{self.service} did not answer {command}")
            reply = envelope_pb2.Reply.FromString(sock.recv())
            if reply.status.code != envelope_pb2.OK:
                raise BenchError(f"{command}: {reply.status.message}")
            return reply.body
        finally:
            sock.close(0)

    def set_clock(self, when):
        from thuky import envelope_pb2
        local = datetime.datetime.fromisoformat(when).replace(
            tzinfo=datetime.timezone(datetime.timedelta(hours=7)))
        self.call("clock.set", envelope_pb2.ClockRequest(set_ms=int(local.timestamp() * 1000)))

    def followed(self, source):
        """The last event of source this daemon has applied."""
        for sub in self.daemon_status().subscriptions:
            if sub.source == source:
                return sub.applied_seq
        return 0

    def cpu_seconds(self):
        """User + system CPU time of the daemon so far."""
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        if not self.proc:
            return
        self.check_alive("before it was stopped")
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise BenchError(f"thuky-taskd ({self.dir.name}) ignored SIGTERM for 30 s")
        finally:
            self.bench.live.remove(self)
            self.logfile.close()
        self.proc = None
        if rc != 0:
            raise BenchError(f"thuky-taskd ({self.dir.name}) exited with {rc} on SIGTERM\n"
                             f"{self.log_tail()}")

    def kill(self):
        """kill -9; the daemon can be started again."""
        if not self.proc:
            return
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self in self.bench.live:
            self.bench.live.remove(self)
        self.logfile.close()
        self.proc = None


class Bench:
    def __init__(self, build):
        self.build = build
        self.taskd = build / "thuky-taskd"
        self.cli = build / "thuky"
        self.load = build / "tests" / "thuky_load"
        for path in (self.taskd, self.cli, self.load, build / "py" / "thuky" / "envelope_pb2.py"):
            if not path.exists():
                raise BenchError(f"{path} is missing: run `make all` first")
        sys.path.insert(0, str(build / "py"))
        base, self.fs = pick_tmp_base(build)
        self.tmp = Path(tempfile.mkdtemp(prefix="bench-", dir=base))
        self.live = []
        self.results = {}
        self.notes = []
        self.timings = {}      # scenario -> seconds, logged at the end
        self.load_start = os.getloadavg()
        self.peer_versions = {}
        self.tw_tasks = DEFAULT_TW_TASKS
        self.steps = 13
        self.step_no = 0
        self.runs = 1           # BENCH_RUNS: runs of each headline comparison

    def step(self):
        self.step_no += 1
        return f"{self.step_no}/{self.steps}"

    def run_load(self, daemon, *args):
        """Runs thuky_load against daemon; its JSON result line as a dict."""
        cmd = [str(self.load), "--config", str(daemon.conf), *map(str, args)]
        r = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)  # stderr: progress
        if r.returncode != 0:
            how = f"signal {-r.returncode}" if r.returncode < 0 else f"status {r.returncode}"
            daemon.check_alive(f"during `thuky_load {' '.join(map(str, args))}`")
            raise BenchError(f"thuky_load {' '.join(map(str, args))} failed with {how}")
        lines = [ln for ln in r.stdout.splitlines() if ln.startswith("{")]
        if not lines:
            raise BenchError(f"thuky_load {' '.join(map(str, args))} printed no result")
        daemon.check_alive(f"during `thuky_load {' '.join(map(str, args))}`")
        return json.loads(lines[-1])

    def cleanup(self):
        for d in list(self.live):
            d.kill()
        if os.environ.get("BENCH_KEEP"):
            log(f"bench: stores kept in {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    # ---- scenarios ---------------------------------------------------------

    def updates(self, seconds):
        log(f"bench: [{self.step()}] durable updates, store of 1,000 tasks")
        d = Daemon(self, "s1")
        d.start()
        self.run_load(d, "populate", "--tasks", 1000, "--program", PROGRAM_YEAR)
        for clients in (1, 16):
            runs = []
            for _ in range(self.runs):
                before, cpu0 = d.status(), d.cpu_seconds()
                res = self.run_load(d, "update", "--clients", clients, "--seconds", seconds,
                                    "--task-ids", "1-1000")
                after, cpu1 = d.status(), d.cpu_seconds()
                # each status call is one request and one commit of its own
                commits = after.get("commits", 0) - before.get("commits", 0) - 1
                requests = after.get("requests", 0) - before.get("requests", 0) - 1
                res["per_commit"] = requests / commits if commits else 0.0
                res["daemon_cpu"] = (cpu1 - cpu0) / res["seconds"]
                log(f"  {clients:2d} client(s): {res['ops_per_s']:.0f} updates/s, "
                    f"p50 {res['p50_ms']:.3f} ms, p99 {res['p99_ms']:.3f} ms, "
                    f"max {res['max_ms']:.1f} ms, {res['per_commit']:.1f} requests/commit, "
                    f"daemon CPU {res['daemon_cpu'] * 100:.0f}%")
                runs.append(res)
            self.results[f"update_{clients}"] = spread(runs)
        log_stats = d.daemon_status().store_log
        self.results["checkpoints"] = {"count": log_stats.checkpoints,
                                       "max_us": log_stats.checkpoint_max_us,
                                       "records": log_stats.records}
        d.stop()
        self.results["disk"] = fdatasync_probe(self.tmp)

    def versus_redis(self, seconds, reason):
        """The peer of the 16-client durable updates: redis-server, AOF with
        an fsync before every reply, on the same file system as our stores."""
        step = self.step()
        if reason:
            log(f"bench: [{step}] redis: {reason}")
            self.results["redis"] = reason
            return
        target = seconds if QUICK else max(seconds, 7)
        log(f"bench: [{step}] redis-server (appendonly yes, appendfsync always), "
            f"redis-benchmark SET, 16 connections, about {target} s")
        t0 = time.monotonic()
        try:
            runs = [peers.redis_durable_sets(self.tmp / f"redis-{i}", 16, target, log=log)
                    for i in range(self.runs)]
        except peers.PeerError as e:
            raise BenchError(f"redis: {e}")
        res = spread(runs, key="rps")
        self.results["redis"] = res
        self.timings["redis"] = time.monotonic() - t0
        log(f"  redis: {res['requests']:,} SETs, {res['rps']:,.0f}/s, p50 {res['p50_ms']:.3f} ms, "
            f"p99 {res['p99_ms']:.3f} ms ({res['seconds']:.1f} s)")

    def versus_postgres(self, seconds, reason, tasks=100_000):
        """The same work as a task update (the task, its history, an event
        with a dense sequence, a notification) in PostgreSQL with pgbench,
        and thuky's task.update, both on stores of `tasks` tasks, at 16 and
        1 clients, each BENCH_RUNS times."""
        step = self.step()
        if reason:
            log(f"bench: [{step}] PostgreSQL: {reason}")
            self.results["pg"] = reason
            return
        log(f"bench: [{step}] PostgreSQL (pgbench, synchronous_commit on) and thuky, "
            f"{tasks:,} tasks, 16 and 1 clients, {self.runs} run(s) each")
        t0 = time.monotonic()
        d = Daemon(self, "pgcmp")
        d.start()
        self.run_load(d, "populate", "--tasks", tasks, "--program", PROGRAM_YEAR, "--clients", 2)
        os.sync()
        pg_dir = self.tmp / "postgres"
        os.chmod(self.tmp, 0o711)   # the server runs as the postgres user
        pg = peers.Postgres(pg_dir)
        res = {"tasks": tasks}
        try:
            pg.start()
            res["settings"] = pg.durable()
            pg.populate(tasks)
            for clients in (16, 1):
                ours, theirs = [], []
                for _ in range(self.runs):
                    ours.append(self.run_load(d, "update", "--clients", clients, "--seconds",
                                              seconds, "--task-ids", f"1-{tasks}"))
                    theirs.append(pg.updates(clients, seconds, tasks))
                res[f"ours_{clients}"] = spread(ours)
                res[f"pg_{clients}"] = spread(theirs)
                log(f"  {clients:2d} client(s): thuky {res[f'ours_{clients}']['ops_per_s']:,.0f}/s, "
                    f"PostgreSQL {res[f'pg_{clients}']['ops_per_s']:,.0f}/s (medians)")
        except peers.PeerError as e:
            raise BenchError(f"postgres: {e}")
        finally:
            try:
                pg.stop()
            except peers.PeerError as e:
                log(f"bench: postgres did not stop: {e}")
        d.stop()
        self.results["pg"] = res
        self.timings["postgres"] = time.monotonic() - t0

    def recovery(self, seconds):
        """kill -9 with the log as full as it gets, then the start: spawn ->
        the ROUTER answers, with the log's records replayed. The checkpoint
        waits here for 60 s or a quarter of a 64 MiB log (16 MiB, four times
        what the default 16 MiB log lets wait), so the log holds what the
        updates wrote."""
        log(f"bench: [{self.step()}] recovery after kill -9 with a full log")
        d = Daemon(self, "recovery", extra="[taskd]\nlog_size = 64M\n"
                   "checkpoint_size = 16M\ncheckpoint_ms = 60000\n")
        d.start()
        self.run_load(d, "populate", "--tasks", 1000, "--program", PROGRAM_YEAR)
        st = d.daemon_status().store_log
        written = st.bytes
        while written < 12 * 2**20:
            self.run_load(d, "update", "--clients", 16, "--seconds", 1, "--task-ids", "1-1000")
            st = d.daemon_status().store_log
            if st.bytes < written:      # a checkpoint after all: fill it again
                log("  (a checkpoint ran; filling the log again)")
            written = st.bytes
            if st.checkpoints > 3:
                raise BenchError("the recovery store checkpoints although its config says not "
                                 "to (checkpoint_ms = 60000, checkpoint_size = 16M)")
        seq = d.last_seq()
        d.kill()
        os.sync()
        # a cold start: the log and the store come from the disk, not the cache
        subprocess.run(["sh", "-c", "echo 3 > /proc/sys/vm/drop_caches"], capture_output=True)
        starts = d.start_pinged()
        after = d.daemon_status()
        if after.last_event_seq != seq:
            raise BenchError(f"after kill -9 the store holds events up to {after.last_event_seq}, "
                             f"not {seq}")
        self.results["recovery"] = {"seconds": starts, "log_bytes": written,
                                    "replayed": after.store_log.replayed}
        log(f"  {written / 2**20:.1f} MiB of log, {after.store_log.replayed:,} records replayed, "
            f"start -> ROUTER answers in {starts * 1000:.0f} ms")
        d.stop()

    def versus_taskwarrior(self, n, reason, timeout=300):
        """The same N tasks in thuky (taskd alone, driven by the CLI) and in
        Taskwarrior: import, count the tasks due in the next 7 days, add one."""
        step = self.step()
        if reason:
            log(f"bench: [{step}] Taskwarrior: {reason}")
            self.results["tw"] = reason
            return
        log(f"bench: [{step}] Taskwarrior: import, count and add on the same "
            f"{n:,} tasks")
        t_start = time.monotonic()
        ts = peers.TaskSet(n)
        ours_json, tw_json = self.tmp / "cmp-thuky.json", self.tmp / "cmp-taskwarrior.json"
        ts.write_ours(ours_json)
        ts.write_taskwarrior(tw_json)
        d = Daemon(self, "cmp")
        d.start()
        env = dict(os.environ, THUKY_CONFIG=str(d.conf))
        tw = peers.Taskwarrior(self.tmp / "taskwarrior")

        def thuky(*args):
            t0 = time.monotonic()
            r = subprocess.run([str(self.cli), *args], env=env, stdin=subprocess.DEVNULL,
                               capture_output=True, text=True)
            wall = time.monotonic() - t0
            if r.returncode != 0:
                d.check_alive(f"during `thuky {' '.join(args)}`")
                raise BenchError(f"thuky {' '.join(args)}: {r.stderr.strip()}")
            return wall, r.stdout

        def taskwarrior(*args, **kw):
            try:
                return tw.run(*args, **kw)
            except peers.PeerError as e:
                raise BenchError(f"taskwarrior: {e}")

        res = {"n": n}
        # Import: once each, into a fresh store.
        res["import_ours_s"], out = thuky("import", str(ours_json))
        if f"{n} task(s) created" not in out:
            raise BenchError(f"thuky import did not create {n} tasks: {out.strip()}")
        try:
            res["import_tw_s"], out = taskwarrior("import", str(tw_json), timeout=timeout)
        except subprocess.TimeoutExpired:
            res["import_tw_s"] = None
            res["import_tw_timeout"] = timeout
            self.results["tw"] = res
            self.notes.append(f"Taskwarrior did not import {n:,} tasks within {timeout} s; its "
                              "other rows were not measured (set BENCH_TW_TASKS lower to "
                              "measure them on fewer tasks)")
            d.stop()
            return
        added = sum(1 for ln in out.splitlines() if ln.lstrip().startswith("add "))
        if added != n:
            raise BenchError(f"task import reported {added} tasks added, not {n}")
        log(f"  import {n:,}: thuky {res['import_ours_s']:.2f} s, "
            f"Taskwarrior {res['import_tw_s']:.2f} s")

        # Counts. Taskwarrior stores a date-only deadline as local midnight, so
        # due.before:now+7d holds every task due on or before the date of
        # now+7d, and due.after:now every task due from tomorrow: our
        # (exclusive) --due-before is that date + 1, --due-from tomorrow.
        def counts(tw_filter, window, runs=5):
            today = datetime.datetime.now(peers.VN).date()
            before = today + datetime.timedelta(days=8)
            since = today + datetime.timedelta(days=1) if window else None
            args = ["task", "list", "--due-before", before.isoformat(), "--count"]
            if since:
                args += ["--due-from", since.isoformat()]

            def ours():
                wall, out = thuky(*args)
                return wall, int(out.strip())

            def theirs():
                return tw.count(*tw_filter)

            t_ours, c_ours, _ = peers.median_runs(ours, runs)
            try:
                t_tw, c_tw, _ = peers.median_runs(theirs, runs)
            except peers.PeerError as e:
                raise BenchError(f"taskwarrior: {e}")
            expected = ts.expected(since, before)
            if datetime.datetime.now(peers.VN).date() != today:
                self.notes.append("the date changed (midnight in Asia/Ho_Chi_Minh) during a "
                                  "count: its two counts may differ by one day's tasks")
            elif not c_ours == c_tw == expected:
                raise BenchError(f"counts differ: thuky {c_ours}, Taskwarrior {c_tw}, "
                                 f"expected {expected} (task {' '.join(tw_filter)})")
            return {"ours_s": t_ours, "tw_s": t_tw, "ours": c_ours, "tw": c_tw,
                    "filter": " ".join(tw_filter), "args": " ".join(args)}

        res["count_all"] = counts(["due.before:now+7d"], window=False)
        res["count_week"] = counts(["due.after:now", "due.before:now+7d"], window=True)
        for key in ("count_all", "count_week"):
            c = res[key]
            log(f"  count ({c['filter']}): thuky {c['ours_s'] * 1000:.1f} ms ({c['ours']:,}), "
                f"Taskwarrior {c['tw_s'] * 1000:.1f} ms ({c['tw']:,})")

        # Add one task from the CLI, 10 times each.
        due = (ts.today + datetime.timedelta(days=30)).isoformat()
        k = iter(range(1000))

        def ours_add():
            wall, out = thuky("task", "add", "--program", str(ts.program_year), "--title",
                              f"Nhiệm vụ phát sinh số {next(k)}", "--lead", "vu-thu-ky",
                              "--due", due)
            return wall, out.strip()

        def theirs_add():
            return taskwarrior("add", f"Nhiệm vụ phát sinh số {next(k)}", f"due:{due}",
                               "project:vu-thu-ky")

        res["add_ours_s"], _, _ = peers.median_runs(ours_add, 10)
        res["add_tw_s"], _, _ = peers.median_runs(theirs_add, 10)
        log(f"  add one: thuky {res['add_ours_s'] * 1000:.1f} ms, "
            f"Taskwarrior {res['add_tw_s'] * 1000:.1f} ms (medians of 10)")
        res["tw_data_bytes"] = dir_bytes(tw.data)
        res["ours_store_bytes"] = dir_bytes(d.dir / "state")
        d.stop()
        self.results["tw"] = res
        self.timings["taskwarrior"] = time.monotonic() - t_start

    def query(self, name, tasks, repeat, big=False):
        d = Daemon(self, name)
        d.start()
        pop = self.run_load(d, "populate", "--tasks", tasks, "--program", PROGRAM_YEAR,
                            "--clients", 2)
        log(f"  populated {tasks:,} tasks in {pop['seconds']:.1f} s "
            f"({pop['tasks_per_s']:.0f} tasks/s)")
        os.sync()   # the populate's dirty pages go out now, not in the measured fsyncs
        res = self.run_load(d, "query", "--repeat", repeat, "--task-ids", f"1-{tasks}")
        if res.get("returned") != 100:
            self.notes.append(f"the {tasks:,}-task list returned {res.get('returned')} "
                              "tasks, not 100")
        log(f"  next 100 due: p50 {res['p50_ms']:.3f} ms, p99 {res['p99_ms']:.3f} ms; "
            f"update p50 {res['update_p50_ms']:.3f} ms, p99 {res['update_p99_ms']:.3f} ms")
        self.results[f"populate_{name}"] = pop
        self.results[f"query_{name}"] = res
        if big:
            self.results["rss_after_run"] = read_rss(d.pid)
            self.results["store_bytes"] = dir_bytes(d.dir / "state")
        d.stop()
        return d

    def restarts(self, d, rounds=5):
        log(f"bench: [{self.step()}] start time and memory with the big store")
        pings, stale, clean = [], [], []
        for _ in range(rounds):
            pings.append(d.start_pinged())
            d.wait_status(time.monotonic())  # must also answer the CLI
            if "rss_idle" not in self.results:
                time.sleep(0.5)               # idle: a heartbeat or so
                self.results["rss_idle"] = read_rss(d.pid)
            d.stop()
            # As after any restart: the previous daemon's ipc socket file is
            # still there (libzmq does not unlink it on close).
            self.results["stale_socket"] = (d.dir / "run" / "taskd.cmd").exists()
            stale.append(d.start())
            d.stop()
            for sock in (d.dir / "run").glob("taskd.*"):
                sock.unlink()
            clean.append(d.start())
            d.stop()
        self.results["start_router_s"] = pings
        self.results["start_status_stale_s"] = stale
        self.results["start_status_clean_s"] = clean
        log(f"  ROUTER answers after {statuses_fmt(pings)}; `thuky status` after "
            f"{statuses_fmt(stale)} (previous socket file left), "
            f"{statuses_fmt(clean)} (no socket file)")

    def catchup(self, d, timeout=900):
        """A durable subscriber that was down for the big store's whole log:
        build/tests/event_sink with a fresh store of its own starts from
        sequence 0 and reads the log (events.read, pages of 1,000, one
        commit per page) until it has applied the last event."""
        t_start = time.monotonic()
        d.start()
        last = d.last_seq()
        log(f"bench: [{self.step()}] event catch-up: {last:,} events replayed to a durable "
            "subscriber starting from 0")
        sink = subprocess.Popen([str(self.build / "tests" / "event_sink"), "--config",
                                 str(d.conf), "--store", str(self.tmp / "catchup-sink")],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            t0 = time.monotonic()
            self._wait_sink(sink, last, timeout)
            elapsed = time.monotonic() - t0
        finally:
            sink.terminate()
            sink.wait()
        d.check_alive("after the catch-up")
        self.results["catchup"] = {"events": last, "seconds": elapsed,
                                   "per_s": last / elapsed if elapsed else 0.0,
                                   "sink_bytes": dir_bytes(self.tmp / "catchup-sink")}
        self.results["rss_after_catchup"] = read_rss(d.pid)
        d.stop()
        self.timings["catch-up"] = time.monotonic() - t_start
        log(f"  {last:,} events applied in {elapsed:.1f} s ({last / elapsed:,.0f} events/s)")

    def web(self, seconds, repeat):
        log(f"bench: [{self.step()}] the web face: calendar, API page, board, "
            f"SSE fan-out to {100 if QUICK else 500} streams, store of 10,000 tasks")
        try:
            self.results["web"] = web_bench.run(self.build, self.tmp / "web", seconds, repeat,
                                                log, streams=100 if QUICK else 500)
        except (RuntimeError, subprocess.CalledProcessError, OSError) as e:
            raise BenchError(f"web face: {e}")

    def idle_memory(self):
        """Each daemon's resident memory, idle on a fresh store, the three
        running together (notifyd and taskd following their sources)."""
        log(f"bench: [{self.step()}] resident memory of each daemon, idle on fresh stores")
        daemons = [Daemon(self, "idle", svc) for svc in ("sessiond", "taskd", "notifyd")]
        for d in daemons:
            d.start()
        time.sleep(1.5)     # connected, a heartbeat or so
        self.results["rss_fresh"] = {d.service: read_rss(d.pid) for d in daemons}
        for d in reversed(daemons):
            d.stop()
        log("  " + ", ".join(f"{svc} {m['VmRSS']:.1f} MB"
                             for svc, m in self.results["rss_fresh"].items()))

    def idle_subscribers(self, subscribers=50, per_subscriber=1000):
        """What subscribers that connect and never read make taskd hold: each
        connects, then per_subscriber task events of about 3 KB are
        published, so every one of them holds different events. The bound
        (max_subscribers + the reserve, times subscriber_queue) caps it; the
        bench runs as root, an admin, so the reserve counts too."""
        import zmq
        from thuky import envelope_pb2, task_pb2
        log(f"bench: [{self.step()}] {subscribers} subscribers that never read, "
            f"{per_subscriber:,} events of ~3 KB after each connects")
        d = Daemon(self, "idle-subs")
        d.start()
        ctx = zmq.Context.instance()
        sender = ctx.socket(zmq.DEALER)
        sender.setsockopt(zmq.LINGER, 0)
        sender.connect(d.endpoint)
        subs = []

        def call(command, body, n):
            req = envelope_pb2.Request(protocol=envelope_pb2.PROTOCOL_CURRENT,
                                       request_id=f"idle-{n}", command=command,
                                       caller="bench@bench.py", body=body.SerializeToString())
            sender.send(req.SerializeToString())
            if not sender.poll(30000):
                raise BenchError(f"thuky-taskd did not answer {command}")
            reply = envelope_pb2.Reply.FromString(sender.recv())
            if reply.status.code != envelope_pb2.OK:
                raise BenchError(f"{command}: {reply.status.message}")

        try:
            call("program.add", task_pb2.ProgramAddRequest(program=task_pb2.Program(
                year=2024, decision="3333/QĐ-TTKQH", title="bench")), 0)
            before = read_rss(d.pid)
            description = "mô tả tiến độ " * 180      # about 3 KB of Vietnamese text
            n = 0
            for i in range(subscribers):
                s = ctx.socket(zmq.SUB)
                s.setsockopt(zmq.LINGER, 0)
                s.setsockopt(zmq.SUBSCRIBE, b"")
                s.connect(f"ipc://{d.dir / 'run' / 'taskd.pub'}")
                subs.append(s)
                time.sleep(0.02)   # connected before its events
                for _ in range(per_subscriber):
                    n += 1
                    call("task.add", task_pb2.TaskAddRequest(task=task_pb2.Task(
                        program_year=2024, title=f"T {n}", lead_office="vu-thu-ky",
                        description=description)), n)
            after = read_rss(d.pid)
            counters = {c.name: c.value for c in d.daemon_status().counters}
        finally:
            for s in subs:
                s.close(0)
            sender.close(0)
            d.stop()
        self.results["idle_subscribers"] = {
            "subscribers": subscribers, "per_subscriber": per_subscriber, "before": before,
            "after": after, "admitted": counters.get("subscribers", 0),
            "refused": counters.get("connections_refused", 0)}
        log(f"  anonymous RSS {before.get('RssAnon', 0):.1f} -> {after.get('RssAnon', 0):.1f} MB, "
            f"{counters.get('subscribers', 0)} admitted, "
            f"{counters.get('connections_refused', 0)} refused")

    def alerts(self, latency_rounds=100, burst=2000, planned_tasks=22_500):
        """Alert latency from fire time to delivery (spool and webhook), a
        burst of digests to a local webhook receiver, and notifyd's memory
        with 100,000 planned alerts. The test clock moves time; delivery is
        real (fsynced spool files, HTTP POSTs on loopback)."""
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from thuky import notify_pb2
        log(f"bench: [{self.step()}] alerts: latency ({latency_rounds} moments), a burst of {burst:,} "
            f"digests, about {planned_tasks * 5:,} planned alerts")
        arrived = {}

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                arrived.setdefault(self.headers["webhook-id"], time.monotonic())
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        http.daemon_threads = True
        threading.Thread(target=http.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{http.server_address[1]}/hook"
        start = "2030-01-01T00:00"
        daemons = [Daemon(self, "alerts", svc, test_clock=start)
                   for svc in ("sessiond", "taskd", "notifyd")]
        for d in daemons:
            d.start()
        sessiond, taskd, notifyd = daemons
        env = dict(os.environ, THUKY_CONFIG=str(taskd.conf))

        secret_file = self.tmp / "webhook.secret"
        secret_file.write_text("whsec_" + "QUJD" * 8)
        secret_file.chmod(0o600)
        secret_file = str(secret_file)

        def office(oid, **kw):
            o = notify_pb2.Office(id=oid, name=f"Đơn vị {oid}", kind=notify_pb2.OFFICE_DEPARTMENT,
                                  **kw)
            o.policy.lead_days.append(0)
            notifyd.call("office.add", notify_pb2.OfficeAddRequest(office=o))

        def import_tasks(tasks):
            path = self.tmp / f"alerts-{len(tasks)}-{time.monotonic_ns()}.json"
            path.write_text(json.dumps({"program": {"year": 2030, "decision": "bench",
                                                    "title": "bench"}, "tasks": tasks},
                                       ensure_ascii=False), encoding="utf-8")
            r = subprocess.run([str(self.cli), "import", str(path)], env=env,
                               capture_output=True, text=True)
            if r.returncode != 0:
                raise BenchError(f"thuky import: {r.stderr.strip()}")

        def wait_followed():
            target = taskd.last_seq()
            deadline = time.monotonic() + 600
            while notifyd.followed("taskd") < target:
                if time.monotonic() > deadline:
                    raise BenchError("notifyd did not follow the task service")
                time.sleep(0.01)

        # Latency: one digest per channel due at each of `rounds` working days.
        office("bench-web", webhook_url=url, webhook_secret_file=secret_file)
        office("bench-mail", email="bench@demo.quochoi.vn")
        off = set()
        for year in (2030, 2031, 2032):
            r = subprocess.run([str(self.cli), "--json", "calendar", str(year)], env=env,
                               capture_output=True, text=True)
            off |= {d["date"] for d in json.loads(r.stdout)["days"] if not d["working"]}
        days, day = [], datetime.date(2030, 1, 7)
        while len(days) < latency_rounds:
            if day.weekday() < 5 and day.isoformat() not in off:
                days.append(day)   # a working day: the alert fires on it
            day += datetime.timedelta(days=7)   # a week apart: overdue reminders do not meet
        import_tasks([{"ref": f"lat-{o}-{i}", "title": f"Nhiệm vụ {i}", "lead": o,
                       "due": d.isoformat()} for i, d in enumerate(days)
                      for o in ("bench-web", "bench-mail")])
        wait_followed()
        spool = notifyd.dir / "state" / "mail-spool"
        web, mail = [], []
        for d in days:
            when = f"{d.isoformat()}T08:00"
            stamp = d.strftime("%Y%m%d") + "0800"
            wid, path = f"D-bench-web-{stamp}", spool / f"D-bench-mail-{stamp}.eml"
            t0 = time.monotonic()
            notifyd.set_clock(when)
            seen = None   # when the spool file appeared (renamed into place: complete)
            while wid not in arrived or seen is None:
                if seen is None and path.exists():
                    seen = time.monotonic()
                if time.monotonic() - t0 > 30:
                    raise BenchError(f"the digests of {when} did not arrive")
                time.sleep(0.0002)
            web.append(arrived[wid] - t0)
            mail.append(seen - t0)
        # Burst: `burst` offices, one task each, all due at one moment.
        for i in range(burst):
            office(f"b{i}", webhook_url=url, webhook_secret_file=secret_file)
        import_tasks([{"ref": f"burst-{i}", "title": f"Nhiệm vụ {i}", "lead": f"b{i}",
                       "due": "2032-03-01"} for i in range(burst)])
        wait_followed()
        t0 = time.monotonic()
        notifyd.set_clock("2032-03-01T08:00")
        ids = {f"D-b{i}-203203010800" for i in range(burst)}
        while not ids <= arrived.keys():
            if time.monotonic() - t0 > 300:
                raise BenchError("the burst did not arrive in 300 s")
            time.sleep(0.01)
        burst_s = max(arrived[i] for i in ids) - t0
        # Memory with 100,000 planned alerts (7, 3, 1, 0 days before, far ahead).
        office("bench-plan", email="plan@demo.quochoi.vn")
        notifyd.call("office.add", notify_pb2.OfficeAddRequest(
            office=notify_pb2.Office(id="bench-plan", name="plan",
                                     kind=notify_pb2.OFFICE_DEPARTMENT,
                                     email="plan@demo.quochoi.vn"), replace=True))
        events_before = notifyd.last_seq()
        for chunk in range(0, planned_tasks, 5000):
            import_tasks([{"ref": f"plan-{i}", "title": f"Nhiệm vụ {i}", "lead": "bench-plan",
                           "due": (datetime.date(2034, 1, 1) +
                                   datetime.timedelta(days=i % 700)).isoformat()}
                          for i in range(chunk, min(chunk + 5000, planned_tasks))])
        wait_followed()
        self.results["planned_100k"] = notifyd.last_seq() - events_before  # alert.planned
        self.results["alert_web_ms"] = [v * 1000 for v in web]
        self.results["alert_mail_ms"] = [v * 1000 for v in mail]
        self.results["alert_burst"] = (burst, burst_s)
        self.results["rss_notifyd_100k"] = read_rss(notifyd.pid)
        log(f"  latency webhook p50 {statistics.median(web) * 1000:.1f} ms, spool p50 "
            f"{statistics.median(mail) * 1000:.1f} ms; burst {burst:,} in {burst_s:.2f} s; "
            f"RSS with {self.results['planned_100k']:,} planned "
            f"{self.results['rss_notifyd_100k']['VmRSS']:.1f} MB")
        for d in reversed(daemons):
            d.stop()
        http.shutdown()

    @staticmethod
    def _wait_sink(sink, seq, timeout):
        """Reads event_sink's "offset N" lines until N >= seq; returns N."""
        deadline = time.monotonic() + timeout
        offset = -1
        while offset < seq:
            if time.monotonic() > deadline:
                raise BenchError(f"event_sink stuck at offset {offset}, waiting for {seq}")
            line = sink.stdout.readline()
            if not line:
                raise BenchError("event_sink exited")
            if line.startswith("offset "):
                offset = int(line.split()[1])
        return offset

    def sittings(self, seconds, dependents=10_000):
        """The session service's durable writes, and moving a sitting that
        10,000 deadlines hang on: from the move request until the task
        service has published every task.deadline_changed."""
        import zmq
        from thuky import envelope_pb2, session_pb2
        log(f"bench: [{self.step()}] session service: durable writes; moving a sitting with "
            f"{dependents:,} dependent deadlines")
        sessiond = Daemon(self, "sess", "sessiond")
        sessiond.start()
        taskd = Daemon(self, "sess", "taskd")
        taskd.start()
        notifyd = Daemon(self, "sess", "notifyd")
        notifyd.start()
        for clients in (1, 16):
            res = self.run_load(sessiond, "sessions", "--clients", clients, "--seconds", seconds)
            log(f"  {clients:2d} client(s): {res['ops_per_s']:.0f} writes/s, "
                f"p50 {res['p50_ms']:.3f} ms, p99 {res['p99_ms']:.3f} ms")
            self.results[f"sessions_{clients}"] = res
        env = dict(os.environ, THUKY_CONFIG=str(taskd.conf))

        def cli(*args):
            r = subprocess.run([str(self.cli), *args], env=env, capture_output=True, text=True)
            if r.returncode != 0:
                raise BenchError(f"thuky {' '.join(args)}: {r.stderr.strip()}")

        cli("session", "add", "--kind", "plenary", "--term", "XV", "--number", "9", "--title",
            "Kỳ họp thứ 9", "--start", "2025-05-05", "--end", "2025-06-27")
        doc = {"program": {"year": PROGRAM_YEAR, "decision": "bench", "title": "bench"},
               "tasks": [{"ref": f"rel-{i}", "title": f"Nhiệm vụ theo kỳ họp {i}",
                          "lead": "vu-thu-ky", "due_rel": f"XV-9:open:-{1 + i % 40}wd"}
                         for i in range(dependents)]}
        path = self.tmp / "dependents.json"
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        cli("import", str(path))

        # A durable consumer of the task feed (the shared subscriber: live
        # events, and catch-up from the log for what PUB dropped).
        sink_conf = taskd.conf
        sink = subprocess.Popen([str(self.build / "tests" / "event_sink"), "--config",
                                 str(sink_conf), "--store", str(self.tmp / "sink")],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            base = self._wait_sink(sink, taskd.last_seq(), 60)
            target = base + dependents
            ctx = zmq.Context.instance()
            dealer = ctx.socket(zmq.DEALER)
            dealer.setsockopt(zmq.LINGER, 0)
            dealer.connect(sessiond.endpoint)
            move = session_pb2.SessionMoveRequest(id="XV-9")
            move.start.date, move.end.date = "2025-05-19", "2025-07-04"
            req = envelope_pb2.Request(protocol=envelope_pb2.PROTOCOL_CURRENT,
                                       request_id="bench-move", command="session.move",
                                       caller="bench@bench.py", body=move.SerializeToString())
            t0 = time.monotonic()
            dealer.send(req.SerializeToString())
            if not dealer.poll(30000):
                raise BenchError("session.move got no reply")
            dealer.recv()
            replied = time.monotonic() - t0
            dealer.close(0)
            while taskd.last_seq() < target:
                if time.monotonic() - t0 > 120:
                    raise BenchError(f"the task service did not move {dependents:,} deadlines "
                                     "in 120 s")
                time.sleep(0.001)
            committed = time.monotonic() - t0
            self._wait_sink(sink, target, 120)
            consumed = time.monotonic() - t0
            # The notification service re-plans the alerts of every moved deadline.
            while notifyd.followed("taskd") < target:
                if time.monotonic() - t0 > 300:
                    raise BenchError("the notification service did not re-plan in 300 s")
                time.sleep(0.005)
            replanned = time.monotonic() - t0
        finally:
            sink.terminate()
            sink.wait()
        self.results["move_reply_s"] = replied
        self.results["move_all_s"] = committed
        self.results["move_consumed_s"] = consumed
        self.results["move_replanned_s"] = replanned
        self.results["rss_notifyd_planned"] = read_rss(notifyd.pid)
        self.results["planned_alerts"] = notifyd.daemon_status().last_event_seq
        self.results["move_dependents"] = dependents
        log(f"  move: session reply {replied * 1000:.1f} ms; {dependents:,} deadlines "
            f"recomputed, committed and published {committed * 1000:.0f} ms; applied by a "
            f"durable subscriber {consumed * 1000:.0f} ms")
        notifyd.stop()
        taskd.stop()
        sessiond.stop()


def statuses_fmt(values):
    return ", ".join(f"{v * 1000:.1f} ms" for v in values)


# ---- the table -------------------------------------------------------------------

def fmt_s(v):
    """A wall time: ms below 1 s."""
    return f"{v * 1000:,.1f} ms" if v < 1 else f"{v:,.2f} s"


def build_rows(bench, big):
    r = bench.results
    rows = []

    def row(metric, ours, peer="—", ratio="—", target="—", ok=None):
        rows.append((metric, ours, peer, ratio, target,
                     "—" if ok is None else ("yes" if ok else "NO")))

    def ms(v):
        return f"{v:.3f} ms"

    def errs(res):
        return f" ({res['errors']} errors)" if res.get("errors") else ""

    def rate(res, key="ops_per_s"):
        """The median throughput with its range over the runs."""
        text = f"{res[key]:,.0f}/s{errs(res)}"
        if res.get("runs", 1) > 1:
            text += f" ({res['ops_min']:,.0f}–{res['ops_max']:,.0f} over {res['runs']} runs)"
        return text

    def p99(res):
        text = ms(res["p99_ms"])
        if res.get("runs", 1) > 1:
            text += f" ({res['p99_min']:.3f}–{res['p99_max']:.3f})"
        return text

    u1, u16 = r["update_1"], r["update_16"]
    bl = f"{big // 1000:,}k" if big < 1_000_000 else f"{big / 1e6:g}M"

    # ---- side by side with the tools users would pick instead ----
    red = r.get("redis")
    name = "vs Redis: durable writes/s, 16 clients (task.update vs SET, AOF fsync always)"
    if isinstance(red, dict):
        ratio = u16["ops_per_s"] / red["rps"]
        row(name, rate(u16), rate(red, "rps"),
            f"{ratio:.2f}× (ours / Redis; higher is better; stretch 1.5×)", "≥ 1.0×",
            ratio >= 1.0)
        ratio = red["p99_ms"] / u16["p99_ms"] if u16["p99_ms"] else float("inf")
        row("vs Redis: durable write p99, 16 clients (lower is better)", p99(u16), p99(red),
            f"{ratio:.2f}× (Redis / ours; > 1: ours lower)", "ours < 3 ms", u16["p99_ms"] < 3.0)
        row("vs Redis: durable write p50, 16 clients (lower is better)", ms(u16["p50_ms"]),
            ms(red["p50_ms"]), f"{red['p50_ms'] / u16['p50_ms']:.2f}× (Redis / ours; > 1: ours lower)")
    else:
        row(name, f"{u16['ops_per_s']:,.0f}/s{errs(u16)}", red, "—", "≥ 1.0×")
        row("vs Redis: durable write p99, 16 clients (lower is better)", ms(u16["p99_ms"]), red)

    pg = r.get("pg")
    if isinstance(pg, dict):
        n_pg = f"{pg['tasks'] // 1000:,}k tasks"
        for clients, goal in ((16, 10.0), (1, 2.0)):
            ours, theirs = pg[f"ours_{clients}"], pg[f"pg_{clients}"]
            ratio = ours["ops_per_s"] / theirs["ops_per_s"]
            row(f"vs PostgreSQL: durable task updates/s, {clients} client(s), {n_pg} "
                "(update, history, event with a dense sequence, NOTIFY; pgbench)",
                rate(ours), rate(theirs), f"{ratio:.1f}× (ours / PostgreSQL; higher is better)",
                f"≥ {goal:g}×", ratio >= goal)
            row(f"vs PostgreSQL: update p50 / p99, {clients} client(s) (lower is better)",
                f"{ms(ours['p50_ms'])} / {p99(ours)}", f"{ms(theirs['p50_ms'])} / {p99(theirs)}",
                f"{theirs['p50_ms'] / ours['p50_ms']:.1f}× at p50 (PostgreSQL / ours)")
    else:
        for clients, goal in ((16, 10.0), (1, 2.0)):
            row(f"vs PostgreSQL: durable task updates/s, {clients} client(s)", "—", pg, "—",
                f"≥ {goal:g}×")

    tw = r.get("tw")
    n_tw = tw["n"] if isinstance(tw, dict) else bench.tw_tasks

    def tw_row(metric, ours_s, tw_s, goal=50.0):
        ratio = tw_s / ours_s if ours_s else float("inf")
        row(metric, fmt_s(ours_s), fmt_s(tw_s),
            f"{ratio:,.1f}× (TW time / ours; higher is better)", f"≥ {goal:g}×",
            ratio >= goal)

    names = (f"vs Taskwarrior: import {n_tw:,} tasks (CLI, once)",
             "vs Taskwarrior: count tasks due by now+7d, overdue included (median of 5)",
             "vs Taskwarrior: count tasks due in the next 7 days (median of 5)",
             f"vs Taskwarrior: add one task from the CLI, {n_tw:,} there (median of 10)")
    if isinstance(tw, dict) and tw.get("import_tw_s") is not None:
        tw_row(names[0], tw["import_ours_s"], tw["import_tw_s"], goal=10.0)
        for key, metric in (("count_all", names[1]), ("count_week", names[2])):
            c = tw[key]
            metric = metric.replace("(median", f"({c['ours']:,} = {c['tw']:,} tasks; median")
            tw_row(metric, c["ours_s"], c["tw_s"])
        tw_row(names[3], tw["add_ours_s"], tw["add_tw_s"])
    elif isinstance(tw, dict):     # the import did not finish
        row(names[0], fmt_s(tw["import_ours_s"]), f"> {tw['import_tw_timeout']} s (stopped)",
            f"> {tw['import_tw_timeout'] / tw['import_ours_s']:,.0f}×", "≥ 10×",
            tw["import_tw_timeout"] / tw["import_ours_s"] >= 10)
        for metric in names[1:]:
            row(metric, "not measured", "Taskwarrior import did not finish")
    else:
        for metric in names:
            row(metric, "—", tw, "—", "≥ 50×")

    q10, qb = r["query_q10k"], r["query_big"]

    def growth(metric, big_ms, small_ms, goal=None):
        ratio = big_ms / small_ms if small_ms else float("inf")
        row(metric, f"{ms(big_ms)} ({bl})", f"{ms(small_ms)} (thuky, 10k)",
            f"{ratio:.2f}× ({bl} / 10k; lower is better)",
            f"≤ {goal:g}×" if goal else "—", None if goal is None else ratio <= goal)

    growth(f"cost growth: next 100 due p50, {bl} vs 10k store", qb["p50_ms"], q10["p50_ms"],
           1.5)
    growth(f"cost growth: next 100 due p99, {bl} vs 10k store", qb["p99_ms"], q10["p99_ms"])
    growth(f"cost growth: one update p50, {bl} vs 10k store", qb["update_p50_ms"],
           q10["update_p50_ms"], 1.2)
    growth(f"cost growth: one update p99, {bl} vs 10k store", qb["update_p99_ms"],
           q10["update_p99_ms"])

    # ---- thuky alone ----
    row("updates/s, 1 client (1k store)", rate(u1), target="≥ 3,000/s",
        ok=u1["ops_per_s"] >= 3000)
    row("update p50 / p99, 1 client", f"{ms(u1['p50_ms'])} / {p99(u1)}", target="p50 < 0.3 ms",
        ok=u1["p50_ms"] < 0.3)
    row("group commit, 1 client", f"{u1['per_commit']:.1f} req/commit, "
        f"daemon CPU {u1['daemon_cpu'] * 100:.0f}% of a core")
    row("updates/s, 16 clients (1k store)", rate(u16), target="≥ 30,000/s",
        ok=u16["ops_per_s"] >= 30000)
    row("update p50, 16 clients", ms(u16["p50_ms"]))
    row("update p99, 16 clients", p99(u16), target="< 3 ms", ok=u16["p99_ms"] < 3.0)
    row("group commit, 16 clients", f"{u16['per_commit']:.1f} req/commit, "
        f"daemon CPU {u16['daemon_cpu'] * 100:.0f}% of a core")
    cp = r["checkpoints"]
    row(f"checkpoint stall: the longest a checkpoint held the writer ({cp['count']:,} "
        f"checkpoints, {cp['records']:,} log records, 1 and 16 clients)",
        ms(cp["max_us"] / 1000.0))
    row("worst request latency, 16 clients / 1 client (max over the runs)",
        f"{ms(u16['max_ms'])} / {ms(u1['max_ms'])}")
    rec = r["recovery"]
    row(f"recovery after kill -9: {rec['log_bytes'] / 2**20:.1f} MiB of log "
        f"({rec['replayed']:,} records) replayed, cold cache; start → ROUTER answers",
        f"{rec['seconds'] * 1000:,.0f} ms", target="< 1 s", ok=rec["seconds"] < 1.0)

    dk = r["disk"]
    row(f"disk: fdatasync p50 after rewriting 1 page / {dk['pages']} contiguous / "
        f"{dk['pages']} scattered pages", f"{ms(dk['one'])} / {ms(dk['contiguous'])} / "
        f"{ms(dk['scattered'])}")
    p10, pb = r["populate_q10k"], r["populate_big"]
    row("populate 10k (task.import ×1000)", f"{p10['tasks_per_s']:,.0f} tasks/s")
    row("next 100 due p50 / p99, 10k store", f"{ms(q10['p50_ms'])} / {ms(q10['p99_ms'])}")
    row("one update p50 / p99, 10k store",
        f"{ms(q10['update_p50_ms'])} / {ms(q10['update_p99_ms'])}")
    row("`status` round trip p50 / p99, 10k store (floor)",
        f"{ms(q10['status_p50_ms'])} / {ms(q10['status_p99_ms'])}")
    row(f"populate {bl} (task.import ×1000)",
        f"{pb['tasks_per_s']:,.0f} tasks/s, {pb['seconds']:.1f} s")
    row(f"store size on disk, {bl} tasks", f"{r['store_bytes'] / 2**20:,.0f} MiB")
    row(f"next 100 due p50, {bl} store", ms(qb["p50_ms"]), target="< 5 ms",
        ok=qb["p50_ms"] < 5.0)
    row(f"next 100 due p99, {bl} store", ms(qb["p99_ms"]), target="< 5 ms",
        ok=qb["p99_ms"] < 5.0)
    row(f"one update p50 / p99, {bl} store",
        f"{ms(qb['update_p50_ms'])} / {ms(qb['update_p99_ms'])}")
    row(f"`status` round trip p50 / p99, {bl} store (floor)",
        f"{ms(qb['status_p50_ms'])} / {ms(qb['status_p99_ms'])}")

    n = len(r["start_router_s"])

    def start_row(metric, key):
        values = [v * 1000 for v in r[key]]
        med, worst = statistics.median(values), max(values)
        row(metric, f"{med:.1f} ms median, {worst:.1f} ms max", target="< 100 ms",
            ok=worst < 100)

    start_row(f"start → ROUTER answers, {bl} store ({n} starts)", "start_router_s")
    left = "socket file of the last run left" if r.get("stale_socket") else "after a clean stop"
    start_row(f"start → `thuky status` ok, {left}", "start_status_stale_s")
    start_row("start → `thuky status` ok, no socket file", "start_status_clean_s")

    def rss(m):
        return (f"{m['VmRSS']:.1f} MB (anon {m.get('RssAnon', 0):.1f}, "
                f"file {m.get('RssFile', 0):.1f})")

    # The target is on the daemon's own memory (anon); file pages are the
    # page cache of the mapped store, shared and reclaimable.
    row(f"taskd VmRSS idle after start, {bl} store", rss(r["rss_idle"]),
        target="anon < 50 MB", ok=r["rss_idle"].get("RssAnon", 0) < 50)
    row(f"taskd VmRSS after the {bl} run", rss(r["rss_after_run"]), target="anon < 50 MB",
        ok=r["rss_after_run"].get("RssAnon", 0) < 50)
    cu = r["catchup"]
    row(f"event catch-up: {cu['events']:,} events ({bl} store's log) replayed to a durable "
        "subscriber down since seq 0", f"{cu['per_s']:,.0f} events/s ({cu['seconds']:.1f} s)")
    row("taskd VmRSS after serving that catch-up", rss(r["rss_after_catchup"]))
    for svc in ("taskd", "sessiond", "notifyd"):
        row(f"{svc} VmRSS idle, fresh store (the three daemons running)",
            rss(r["rss_fresh"][svc]))
    isub = r["idle_subscribers"]
    grown = isub["after"].get("RssAnon", 0) - isub["before"].get("RssAnon", 0)
    row(f"taskd anon RSS growth, {isub['subscribers']} subscribers that never read, "
        f"{isub['per_subscriber']:,} events of 3 KB after each ({isub['admitted']} admitted, "
        f"{isub['refused']} refused)", f"{grown:.1f} MB", target="< 64 MB", ok=grown < 64)

    s1, s16 = r["sessions_1"], r["sessions_16"]
    row("session writes/s, 1 client", f"{s1['ops_per_s']:,.0f}/s{errs(s1)}")
    row("session write p50 / p99, 1 client", f"{ms(s1['p50_ms'])} / {ms(s1['p99_ms'])}")
    row("session writes/s, 16 clients", f"{s16['ops_per_s']:,.0f}/s{errs(s16)}")
    row("session write p50 / p99, 16 clients", f"{ms(s16['p50_ms'])} / {ms(s16['p99_ms'])}")
    n_dep = r["move_dependents"]
    row(f"move a sitting: {n_dep:,} deadlines recomputed, committed, published",
        f"{r['move_all_s'] * 1000:,.0f} ms (session reply after "
        f"{r['move_reply_s'] * 1000:.1f} ms)", target="< 1 s", ok=r["move_all_s"] < 1.0)
    row(f"move a sitting: {n_dep:,} events applied by a durable subscriber",
        f"{r['move_consumed_s'] * 1000:,.0f} ms")
    row(f"move a sitting: alerts of {n_dep:,} deadlines re-planned by notifyd",
        f"{r['move_replanned_s'] * 1000:,.0f} ms")

    def pct(values, q):
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    for key, name in (("alert_web_ms", "webhook"), ("alert_mail_ms", "mail spool")):
        v = r[key]
        row(f"alert latency, fire time → delivered, {name} ({len(v)} moments)",
            f"p50 {pct(v, 0.5):.1f} ms / p99 {pct(v, 0.99):.1f} ms", target="p99 < 50 ms",
            ok=pct(v, 0.99) < 50)
    n_burst, burst_s = r["alert_burst"]
    row(f"alerts delivered to a local webhook, burst of {n_burst:,} digests",
        f"{n_burst / burst_s:,.0f}/s ({burst_s:.2f} s)")
    w = r.get("web")
    if w:
        def lat(x):
            return f"p50 {x['p50_ms']:.2f} ms / p99 {x['p99_ms']:.2f} ms"
        n = f"{w['tasks'] // 1000}k-task store"
        row(f"web: an office's .ics, 200 ({w['ics_200']['bytes'] // 1024} KiB), {n}",
            f"{lat(w['ics_200'])}, {w['ics_200']['rps']:,.0f}/s")
        row(f"web: an office's .ics, 304 (If-None-Match), {n}",
            f"{lat(w['ics_304'])}, {w['ics_304']['rps']:,.0f}/s", target="no rendering")
        row(f"web: an office's .ics rendered after a change, {n}", lat(w["ics_render"]))
        row("web: JSON page of 100 tasks (/api/v1/tasks)",
            f"{lat(w['api_page'])}, {w['api_page']['rps']:,.0f}/s")
        row("web: status board rendered", f"{lat(w['board'])}, {w['board']['rps']:,.0f}/s")
        s = w["sse"]
        row(f"web: SSE fan-out, {s['streams']} streams × {s['updates']:,} task events",
            f"{s['delivered'] / s['seconds']:,.0f} events/s delivered "
            f"(each stream ≥ {s['min_per_stream']:,})", ok=s["min_per_stream"] >= s["updates"],
            target="every event to every stream")
        row(f"web: webd VmRSS idle / {s['streams']} streams open / peak while fanning out",
            f"{s['rss_idle']:.1f} / {s['rss_open']:.1f} / {s['rss_peak']:.1f} MiB")
    row(f"notifyd VmRSS with {r['planned_100k']:,} planned alerts", rss(r["rss_notifyd_100k"]))
    row(f"notifyd VmRSS with the alerts of {n_dep:,} tasks planned "
        f"({r['planned_alerts']:,} alert events)", rss(r["rss_notifyd_planned"]))
    return rows


HEADERS = ("metric", "thuky", "peer / baseline", "ratio", "target", "ok")


def text_table(rows):
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(HEADERS)]

    def line(cells):
        return " | ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()

    out = [line(HEADERS), "-+-".join("-" * w for w in widths)]
    out += [line(row) for row in rows]
    return "\n".join(out)


def md_table(rows):
    out = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    for row in rows:
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |")
    return "\n".join(out)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def mem_total():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def write_markdown(bench, rows, big, seconds, repeat, elapsed):
    now = datetime.datetime.now().astimezone()
    v = bench.peer_versions
    load0, load1 = bench.load_start, os.getloadavg()
    tw = bench.results.get("tw")
    n_tw = tw["n"] if isinstance(tw, dict) else bench.tw_tasks
    lines = [
        "# thuky benchmarks",
        "",
        "Written by `make bench` (tests/bench/bench.py, tests/bench/peers.py); numbers from",
        "one run, not a promise. Each comparison row has thuky's figure and the peer's (or,",
        "for cost growth, thuky's own 10k-store baseline) from the same run, and their ratio.",
        f"The headline comparisons (updates, Redis, PostgreSQL) ran {bench.runs} time(s) each",
        "(BENCH_RUNS): the median is shown with the range over the runs in brackets.",
        "",
        f"- date: {now.strftime('%Y-%m-%d %H:%M %z')}",
        f"- machine: {platform.node()}, {cpu_model()}, {os.cpu_count()} cores, "
        f"{mem_total()} RAM, kernel {platform.release()}",
        f"- load average (1 min) at start {load0[0]:.2f}, at end {load1[0]:.2f}",
        f"- stores on: {bench.fs} ({bench.tmp.parent}); fsync is real",
        f"- peers: Redis {v.get('redis', 'not installed')}, PostgreSQL "
        f"{v.get('postgres', 'not installed')}, Taskwarrior "
        f"{v.get('taskwarrior', 'not installed')} (Debian packages)",
        f"- run time: {elapsed:.0f} s (" + ", ".join(
            f"{name} {t:.0f} s" for name, t in bench.timings.items()) + ")",
        "",
        md_table(rows),
        "",
        "How it is measured:",
        "",
        "- Each scenario runs a real `thuky-taskd` on a fresh store with the default",
        "  configuration (group commit, batch_max 512, map growing from 64 MiB, a 16 MiB",
        "  write-ahead log checkpointed every 100 ms or 4 MiB), driven by",
        "  `build/tests/thuky_load` through the ordinary client; a write is answered only",
        "  after its batch's redo record is in the log and fdatasync has returned. The",
        "  load generator runs on the same machine and competes with the daemon for the CPU.",
        f"- Updates: task.update (progress) on a random task of 1,000, back to back for "
        f"{seconds} s per run,",
        "  from 1 client and from 16 client threads. Latency is per request, client side.",
        "- Redis (the durable-writes peer): a private `redis-server` started by the bench on a",
        "  free loopback port with `--appendonly yes --appendfsync always --save ''`, its",
        "  directory on the same file system as our stores; `redis-benchmark -h 127.0.0.1 -p",
        "  PORT -c 16 -n N -d 200 -t set --csv`, N sized from a 5,000-SET calibration run so",
        "  the measured run lasts about 7 s; rps and p99 (and p50) from its CSV. Like thuky,",
        "  Redis answers a write only after an fsync of its log, and batches the writes that",
        "  arrive together into one fsync. The work differs: a Redis SET appends 200 bytes to",
        "  its log (the data set lives in memory); a task.update reads the task from an LMDB",
        "  B-tree, writes it back with a history entry and appends an event, all in one",
        "  transaction, and its request and reply are protobuf in ZeroMQ frames. Both clients",
        "  run on the same machine as their server: redis-benchmark is one epoll thread with",
        "  16 connections; thuky_load is 16 threads, each with its own ZeroMQ socket.",
        "- The write path: each batch of requests runs in child transactions of one open",
        "  LMDB write transaction; its puts and deletes become one record appended to a",
        "  preallocated log file (one place of one file, like Redis's AOF), and one",
        "  fdatasync makes the batch durable. A checkpoint commits the open transaction",
        "  without a sync and a second thread syncs the data file, so the writer is held",
        "  only for the commit's writes (the checkpoint stall row).",
        "- PostgreSQL: a private cluster (initdb in the bench's directory, run as the",
        "  postgres user on its own socket, the durable defaults: fsync on,",
        "  synchronous_commit on, wal_sync_method fdatasync) with the same number of tasks",
        "  as thuky's store, and a pgbench script doing in one transaction what a",
        "  task.update does: update the task (progress, version), insert a history row,",
        "  take the next event number from a counter row (dense: a SEQUENCE leaves gaps on",
        "  rollback), insert the event with the task as JSON, and pg_notify. `pgbench -c N",
        "  -j 2 -T S -l`; latency percentiles from its per-transaction log.",
        "- Recovery: a store whose checkpoint is held back (checkpoint_ms 60000, 16 MiB)",
        "  takes 16-client updates until 12 MiB of log wait for replay; kill -9, the page",
        "  cache dropped, and the time from spawn until the ROUTER answers a queued status",
        "  request (so the replay is included), with every acknowledged event present.",
        f"- Taskwarrior: {n_tw:,} tasks generated once (Vietnamese titles, 12 lead offices as",
        "  the lead / the Taskwarrior project, due dates spread evenly over the year centred on",
        "  today's date in Asia/Ho_Chi_Minh, 5% undated) and written as our import JSON and as",
        "  Taskwarrior's (pending tasks with uuid, entry, description, project and a due date",
        "  at local midnight, as `task add due:DATE` stores it). Our side: `thuky-taskd` alone",
        "  on a fresh store (`thuky import` talks only to it; notifyd, which would plan the",
        "  alerts of every task in the background, is not running), driven by the `thuky` CLI.",
        "  Taskwarrior's side: `task rc:FILE rc.data.location=DIR rc.confirmation=off",
        "  rc.verbose=nothing ...` with a fresh TASKRC (only data.location: a new user's",
        "  defaults, gc on) and TASKDATA, TZ=Asia/Ho_Chi_Minh, stdin /dev/null. Each figure",
        "  is the wall time of one CLI process: the import once each into an empty store;",
        "  each count 5 times, median; adding a task 10 times, median (after the counts).",
        "  The counts: `task due.before:now+7d count` takes every task due on or before the",
        "  date of now+7d, overdue ones included (about half the tasks), which is our",
        "  `thuky task list --due-before DATE+1 --count` (the bound is exclusive; the count",
        "  walks the deadline index of open tasks and reads no task);",
        "  `task due.after:now due.before:now+7d count` takes",
        "  the tasks due in the 7 days from tomorrow, ours adds `--due-from TOMORROW`. Both",
        "  counts must equal the number the generator expects, or the bench fails. Both tools",
        "  make their writes durable: thuky commits (fsync) each `import` chunk (half of",
        "  max_message, 2 MiB: about 12,000 of these tasks)",
        "  and each `task add`; Taskwarrior fdatasyncs its files once per command, at the end",
        "  of an import too. Goal: thuky 50× faster.",
        f"- Next 100 due: task.list with limit 100 and no filter (open tasks in deadline "
        f"order), {repeat} times",
        f"  after 10 warm-up calls, then {repeat} single task.updates on random tasks, then",
        f"  {repeat} `status` calls (a command that does nothing: the round-trip floor). Stores are",
        "  filled with task.import in chunks of 1,000 from 2 client threads (deadlines spread",
        "  over the year, about 10% undated, 40 lead offices, some coordinating offices);",
        "  `sync` between the filling and the measuring, and before each scenario, so that",
        "  the kernel's writeback of earlier writes does not land in the measured fsyncs.",
        "- Cost growth: the same p50 (and p99) on the big store divided by the 10k store's;",
        "  the thuky column holds the big store's figure, the baseline column the 10k one's.",
        "- Start: spawn until a raw ZeroMQ DEALER `status` request (queued before the spawn,",
        "  reconnecting every 1 ms) is answered, and spawn until a `thuky status` run succeeds",
        "  (polled; includes starting the CLI process), once with the previous daemon's ipc",
        "  socket file still present, as after any restart, and once without it; warm page",
        "  cache; 5 restarts each, judged on the slowest.",
        "- Event catch-up: the big store's log holds one task.created per populated task",
        "  (task.import emits one event per task), the program.created and the updates of the",
        "  query run. After the restarts, taskd is started once more and",
        "  `build/tests/event_sink` (the shared durable subscriber, with an LMDB store of its",
        "  own on the same file system, one key written per event) starts from sequence 0;",
        "  timed from its spawn until it reports the last sequence applied. It reads the log",
        "  with events.read in pages of 1,000 and commits each page (one fsync each).",
        "- Memory: VmRSS from /proc/PID/status; RssFile counts the LMDB map pages the",
        "  daemon has touched (shared, reclaimable page cache), RssAnon its own heap, which",
        "  is what the < 50 MB target is on (the file part follows the store). Idle on",
        "  fresh stores: sessiond, taskd and notifyd started together on empty stores",
        "  (taskd and notifyd subscribed to their sources), read 1.5 s after they answer",
        "  `thuky status`.",
        "- Sessions: session.status flips on one sitting per client, 1 and 16 clients. Moving",
        "  a sitting: session.move of a plenary session that the given number of imported",
        "  deadlines depend on, timed until taskd has committed every task.deadline_changed,",
        "  an event_sink has applied them, and notifyd has re-planned their alerts.",
        "- Alerts: the test clock is set to each fire time; a webhook POST on loopback and a",
        "  file in the mail spool are timed from the clock change to delivery.",
        "- Peers are installed by the bench (`apt-get install redis-server redis-tools",
        "  taskwarrior`) when missing and it runs as root; otherwise their rows say \"peer not",
        "  installed\". The redis-server system service the package may start is not used.",
    ]
    if QUICK:
        lines += ["", "**QUICK trial (THUKY_BENCH_QUICK): small sizes and short runs; "
                  "these numbers are not the benchmark.**"]
    elif big != DEFAULT_BIG:
        lines += ["", f"**Big store reduced to {big:,} tasks (BENCH_BIG={big}); "
                  f"the 1,000,000-task targets were not measured at full size.**"]
    if n_tw != DEFAULT_TW_TASKS and not QUICK:
        lines += ["", f"**Taskwarrior comparison on {n_tw:,} tasks (BENCH_TW_TASKS), "
                  "not 100,000.**"]
    if bench.notes:
        lines += ["", "Notes:", ""] + [f"- {n}" for n in bench.notes]
    out = bench.build / "BENCHMARKS-quick.md" if QUICK else REPO / "BENCHMARKS.md"
    out.write_text("\n".join(lines) + "\n")
    return out


def env_int(name, default, lo):
    text = os.environ.get(name)
    if not text:
        return default
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise BenchError(f"{name}={text!r} is not a number")
    if value < lo:
        raise BenchError(f"{name} must be at least {lo}")
    return value


def main():
    if len(sys.argv) != 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(sys.argv) == 2 else 2
    started = time.monotonic()
    bench = None
    try:
        big = env_int("BENCH_BIG", 20_000 if QUICK else DEFAULT_BIG, 10_000)
        seconds = env_int("BENCH_SECONDS", 1 if QUICK else 5, 1)
        repeat = env_int("BENCH_REPEAT", 200 if QUICK else 1000, 10)
        tw_tasks = env_int("BENCH_TW_TASKS", 5_000 if QUICK else DEFAULT_TW_TASKS, 100)
        runs = env_int("BENCH_RUNS", 1 if QUICK else 3, 1)
        t0 = time.monotonic()
        missing = peers.ensure_installed(log)
        bench = Bench(Path(sys.argv[1]).resolve())
        bench.timings["peer install check"] = time.monotonic() - t0
        bench.peer_versions = peers.versions()
        bench.tw_tasks = tw_tasks
        bench.runs = runs
        log(f"bench: stores in {bench.tmp} ({bench.fs})"
            f"{' — QUICK trial (THUKY_BENCH_QUICK), not the benchmark' if QUICK else ''}")

        def timed(name, fn, *args, **kw):
            # The last scenario's dirty pages (850 MB after the 1M populate)
            # are written back first, not during this one's fsyncs.
            os.sync()
            t = time.monotonic()
            out = fn(*args, **kw)
            bench.timings.setdefault(name, time.monotonic() - t)
            return out

        timed("durable updates", bench.updates, seconds)
        timed("redis", bench.versus_redis, seconds, missing["redis"])
        timed("postgres", bench.versus_postgres, seconds, missing["postgres"],
              tasks=10_000 if QUICK else 100_000)
        timed("recovery", bench.recovery, seconds)
        timed("taskwarrior", bench.versus_taskwarrior, tw_tasks, missing["taskwarrior"])
        log(f"bench: [{bench.step()}] next 100 due, stores of 10,000 and "
            f"{big:,} tasks{' (BENCH_BIG)' if big != DEFAULT_BIG else ''}")
        timed("next 100 due, 10k", bench.query, "q10k", 10_000, repeat)
        big_daemon = timed("next 100 due, big (with populate)", bench.query, "big", big,
                           repeat, big=True)
        timed("restarts", bench.restarts, big_daemon)
        timed("catch-up", bench.catchup, big_daemon)
        if QUICK:
            timed("sittings", bench.sittings, seconds, dependents=1000)
            timed("alerts", bench.alerts, latency_rounds=20, burst=200, planned_tasks=2000)
        else:
            timed("sittings", bench.sittings, seconds)
            timed("alerts", bench.alerts)
        timed("web face", bench.web, seconds, repeat)
        timed("idle memory", bench.idle_memory)
        timed("idle subscribers", bench.idle_subscribers,
              per_subscriber=100 if QUICK else 1000)
        rows = build_rows(bench, big)
    except BenchError as e:
        log(f"bench: FAILED: {e}")
        return 1
    except KeyboardInterrupt:
        log("bench: interrupted")
        return 130
    finally:
        if bench:
            bench.cleanup()
    elapsed = time.monotonic() - started
    title = f"thuky benchmarks — {platform.release()}, {cpu_model()} × {os.cpu_count()}"
    if QUICK:
        title += " — QUICK trial (THUKY_BENCH_QUICK): small sizes, not the benchmark"
    elif big != DEFAULT_BIG:
        title += f" — big store {big:,} tasks (BENCH_BIG)"
    print(title)
    print(text_table(rows))
    out = write_markdown(bench, rows, big, seconds, repeat, elapsed)
    log("bench: time per scenario: " + ", ".join(f"{name} {t:.0f} s"
                                               for name, t in bench.timings.items()))
    log(f"bench: wrote {out} ({elapsed:.0f} s)")
    return 0

if __name__ == "__main__":
    sys.exit(main())
