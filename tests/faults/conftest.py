"""pytest glue of the fault suite: the system tests' fixtures and hooks
(tmpdir_short, the check that the binaries are built, ...), loaded from
tests/system/conftest.py under another module name (faultlib) so that the
two conftest.py files never clash; run with --import-mode=importlib."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from faultlib import sysconf  # noqa: E402

pytest_configure = sysconf.pytest_configure
tmpdir_short = sysconf.tmpdir_short


def pytest_terminal_summary(terminalreporter):
    """Per scenario: its outcome, how long it took and the numbers it printed
    ("[name] ..." lines of its captured output), so that `make test-faults`
    ends with them."""
    rows = []
    for key in ("passed", "failed", "xfailed", "xpassed", "skipped", "error"):
        for rep in terminalreporter.stats.get(key, []):
            if getattr(rep, "when", "call") not in ("call", "setup") or \
                    (rep.when == "setup" and key != "skipped"):
                continue
            lines = [line for line in (getattr(rep, "capstdout", "") or "").splitlines()
                     if line.startswith("[") and " seed " not in line]
            rows.append((rep.nodeid, key, rep.duration, lines))
    if not rows:
        return
    terminalreporter.write_sep("-", "fault suite: outcome, seconds, numbers")
    for nodeid, key, duration, lines in sorted(rows):
        terminalreporter.write_line(f"{key:8} {duration:6.1f}s  {nodeid.split('::')[-1]}")
        for line in lines:
            terminalreporter.write_line(f"{'':18}{line}")

import signal  # noqa: E402

import pytest  # noqa: E402

TEST_TIMEOUT = 240   # seconds: a hung scenario fails instead of holding up make


@pytest.fixture(autouse=True)
def _watchdog():
    def expired(signum, frame):
        raise TimeoutError(f"fault scenario still running after {TEST_TIMEOUT} s")
    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(TEST_TIMEOUT)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
