#!/usr/bin/python3
"""Runs the whole test suite for one or more build directories and ends
with one summary line: "N passed, N failed".

    tests/run.py build build-san      unit + system tests, for each build
    tests/run.py --unit-only build
    tests/run.py --valgrind build     the same under valgrind memcheck: unit
                                      tests and every daemon the system tests
                                      start (any error or definite leak fails)
    tests/run.py --valgrind build -- tests/system/test_bad_input.py
                                      only the system test files named

Every system test has a time limit (pytest-timeout), so a test that hangs
fails with its stack instead of stalling the run.

Unit tests are the cmocka binaries BUILD/tests/test_*; system tests are
tests/system (pytest), which start the real daemons of BUILD."""
import glob
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


VALGRIND = ["valgrind", "--quiet", "--error-exitcode=97", "--leak-check=full",
            "--errors-for-leak-kinds=definite", "--show-leak-kinds=definite",
            "--track-fds=no", "--num-callers=30"]


def run_unit(build, wrap=()):
    passed = failed = 0
    for binary in sorted(glob.glob(os.path.join(ROOT, build, "tests", "test_*"))):
        if not os.access(binary, os.X_OK) or binary.endswith((".o", ".d")):
            continue
        proc = subprocess.run([*wrap, binary], cwd=ROOT, capture_output=True, text=True,
                              timeout=1800)
        out = proc.stdout + proc.stderr
        ok = re.search(r"^\[  PASSED  \] (\d+) test", out, re.M)
        bad = re.search(r"^\[  FAILED  \] (\d+) test", out, re.M)
        n_ok = int(ok.group(1)) if ok else 0
        n_bad = int(bad.group(1)) if bad else 0
        if proc.returncode != 0 and n_bad == 0:
            n_bad = 1  # crashed or a sanitizer stopped it
        name = os.path.basename(binary)
        print(f"[{build}] {name}: {n_ok} passed, {n_bad} failed")
        if n_bad:
            print(out[-4000:])
        passed += n_ok
        failed += n_bad
    return passed, failed


# Seconds one system test may take; under valgrind the daemons are ~20x slower.
TEST_TIMEOUT = 300
VALGRIND_TEST_TIMEOUT = 1200


def run_system(build, wrap=(), files=()):
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "junit.xml")
        env = dict(os.environ, THUKY_BUILD=os.path.join(ROOT, build))
        if wrap:
            env["THUKY_WRAP"] = " ".join(wrap)
            env.setdefault("THUKY_START_TIMEOUT", "60")
        proc = subprocess.run(
            ["/usr/bin/python3", "-m", "pytest", "-q", "-p", "no:cacheprovider",
             f"--timeout={VALGRIND_TEST_TIMEOUT if wrap else TEST_TIMEOUT}",
             f"--junitxml={report}",
             *(files or [os.path.join(ROOT, "tests", "system")])],
            cwd=ROOT, env=env)
        if not os.path.exists(report):
            return 0, 1
        suite = ET.parse(report).getroot()
        if suite.tag == "testsuites":
            suite = suite[0]
        total = int(suite.get("tests", 0))
        bad = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped = int(suite.get("skipped", 0))
        print(f"[{build}] system: {total - bad - skipped} passed, {bad} failed, {skipped} skipped")
        if proc.returncode not in (0, 5) and bad == 0:
            bad = 1
        return total - bad - skipped, bad


def main(argv):
    unit_only = "--unit-only" in argv
    wrap = VALGRIND if "--valgrind" in argv else ()
    files = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    builds = [a for a in argv if not a.startswith("--")] or ["build"]
    passed = failed = 0
    for build in builds:
        p, f = run_unit(build, wrap)
        passed, failed = passed + p, failed + f
        if not unit_only:
            p, f = run_system(build, wrap, files)
            passed, failed = passed + p, failed + f
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
