"""The progress line of long work (thuky import FILE).

On a terminal, or with THUKY_PROGRESS=1, stderr shows one line redrawn with
\\r: done/total tasks, the percentage, the rate and the time left, in the
CLI's language (digits grouped with '.' in Vietnamese, ',' in English), ended
with a newline before the summary. Without a terminal (or with
THUKY_PROGRESS=0) nothing extra is written.
"""
import json
import os
import pty
import re
import select
import subprocess

from conftest import THUKY

TASKS = 3000

# What the line looks like in each language: the label, the digit group
# separator, the rate's unit and the time left.
LANGS = {
    "en": {"label": "Importing tasks", "sep": ",", "rate": "/s",
           "left": r" · \d+ (?:s|min \d+ s|h \d+ min) left",
           "summary": f"program 2024: {TASKS} task(s) created, 0 skipped (already present)\n"},
    "vi": {"label": "Nhập nhiệm vụ", "sep": ".", "rate": "/giây",
           "left": r" · còn \d+ (?:giây|phút \d+ giây|giờ \d+ phút)",
           "summary": f"chương trình 2024: đã tạo {TASKS} nhiệm vụ, bỏ qua 0 (đã có)\n"},
}


def _program(tmp_path, count=TASKS):
    tasks = [{"ref": f"p-{i}", "title": f"Nhiệm vụ số {i}", "lead": "vu-thu-ky",
              "due": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}"} for i in range(count)]
    path = tmp_path / "program.json"
    path.write_text(json.dumps({"program": {"year": 2024, "decision": "1/QĐ", "title": "t"},
                                "tasks": tasks}, ensure_ascii=False), encoding="utf-8")
    return path


def _env(daemon, progress=None):
    env = dict(daemon.env)
    env.pop("THUKY_PROGRESS", None)
    if progress is not None:
        env["THUKY_PROGRESS"] = progress
    return env


def _grouped(n, sep):
    return f"{n:,}".replace(",", sep)


def _drawings(stderr, lang):
    """Every drawing of the progress line, as (done, percent, with rate);
    asserts each one has the language's form and the total."""
    form = LANGS[lang]
    number = r"\d{1,3}(?:" + re.escape(form["sep"]) + r"\d{3})*"
    line = re.compile(
        re.escape(form["label"]) + f": ({number})/" + re.escape(_grouped(TASKS, form["sep"])) +
        r" \((\d+)%\)((?: · " + number + re.escape(form["rate"]) + "(?:" + form["left"] +
        ")?)?)")
    drawings = []
    for piece in re.split(r"[\r\n]+", stderr):
        if not piece.strip():
            continue
        m = line.fullmatch(piece.rstrip(" "))
        assert m, f"not a progress line: {piece!r}\nin {stderr!r}"
        drawings.append((int(m.group(1).replace(form["sep"], "")), int(m.group(2)),
                         bool(m.group(3))))
    return drawings


def _check_progress(stderr, lang):
    assert stderr.endswith("\n"), repr(stderr)
    drawings = _drawings(stderr, lang)
    assert drawings[0] == (0, 0, False)
    assert drawings[-1][:2] == (TASKS, 100) and drawings[-1][2], "the last shows the rate"
    assert [d for d, _, _ in drawings] == sorted(d for d, _, _ in drawings)
    assert len(stderr.split("\n")) == 2, "one line, ended once"


def test_progress_in_vietnamese(daemon, tmp_path):
    path = _program(tmp_path)
    rc, out, err = daemon.cli("--lang", "vi", "import", path, env=_env(daemon, "1"))
    assert rc == 0, err
    _check_progress(err, "vi")
    assert "Nhập nhiệm vụ: 3.000/3.000 (100%) · " in err and "/giây" in err
    assert out == LANGS["vi"]["summary"]


def test_progress_in_english(daemon, tmp_path):
    path = _program(tmp_path)
    rc, out, err = daemon.cli("--lang", "en", "import", path, env=_env(daemon, "1"))
    assert rc == 0, err
    _check_progress(err, "en")
    assert "Importing tasks: 3,000/3,000 (100%) · " in err and "/s" in err
    assert out == LANGS["en"]["summary"]


def test_no_progress_without_a_terminal(daemon, tmp_path):
    """Piped, or with THUKY_PROGRESS=0: the output is what it always was."""
    path = _program(tmp_path)
    rc, out, err = daemon.cli("--lang", "en", "import", path, env=_env(daemon))
    assert (rc, out, err) == (0, LANGS["en"]["summary"], "")
    rc, out, err = daemon.cli("--lang", "en", "import", path, env=_env(daemon, "0"))
    assert (rc, err) == (0, "")
    assert out == f"program 2024: 0 task(s) created, {TASKS} skipped (already present)\n"


def test_progress_leaves_json_alone(daemon, tmp_path):
    """The line is on stderr: --json output stays machine-readable."""
    path = _program(tmp_path)
    rc, out, err = daemon.cli("--json", "--lang", "vi", "import", path, env=_env(daemon, "1"))
    assert rc == 0, err
    assert json.loads(out) == {"program": 2024, "created": TASKS, "skipped": 0}
    _check_progress(err, "vi")


def test_progress_ends_before_an_error(daemon, tmp_path):
    """A failure starts on a line of its own, not after the progress."""
    path = _program(tmp_path)
    daemon.stop()
    rc, out, err = daemon.cli("--lang", "en", "import", path, env=_env(daemon, "1"))
    daemon.start()
    assert rc == 6 and out == ""
    progress, *rest = err.split("\n")
    assert _drawings(progress, "en") == [(0, 0, False)]
    assert all(line.startswith("thuky: ") for line in rest if line), err


def test_progress_on_a_real_terminal(daemon, tmp_path):
    """stderr on a pseudo-terminal, no THUKY_PROGRESS: the line appears."""
    path = _program(tmp_path)
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen([str(THUKY), "--lang", "en", "import", str(path)],
                                env=_env(daemon), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=slave)
    finally:
        os.close(slave)
    seen = b""
    try:
        while select.select([master], [], [], 30)[0]:
            try:
                chunk = os.read(master, 4096)
            except OSError:   # EIO: the last holder of the terminal is gone
                break
            if not chunk:
                break
            seen += chunk
        out, _ = proc.communicate(timeout=30)
    finally:
        os.close(master)
    assert proc.returncode == 0, seen
    # the terminal turns "\n" into "\r\n"
    _check_progress(seen.decode("utf-8").replace("\r\n", "\n"), "en")
    assert out.decode("utf-8") == LANGS["en"]["summary"]
