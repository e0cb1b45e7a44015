"""Vietnamese first: the CLI and the daemons speak the user's language.

Vietnamese is the default (the embedded default and what `make run` and
the package write); English is complete. The CLI takes its language from
--lang, else the locale, else [core] language; each request carries it, so
a daemon answers in the caller's language; --json never changes with it.
"""
import json
import os
import re
import signal
import subprocess
import time
import unicodedata
from pathlib import Path

import pytest

from conftest import (THUKY, Daemon, add_task, base_config, envelope_pb2, one_line,
                      task_add_body, task_pb2)

ROOT = Path(__file__).resolve().parents[2]
BUILD = THUKY.parent

# Words a Vietnamese page may carry in English: the names of things.
VIETNAMESE_LETTERS = re.compile(
    "[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]",
    re.IGNORECASE)


def run(d, *args, env=None, lang=None):
    """(rc, stdout, stderr) of thuky, optionally with --lang."""
    return d.cli(*(["--lang", lang] if lang else []), *args, env=env)


def commands():
    """The subcommands the main --help lists."""
    out = subprocess.run([str(THUKY), "--lang", "en", "--help"], capture_output=True,
                         text=True, check=True).stdout
    section = out.split("Commands:")[1].split("\n\n")[0]
    return [line.split()[0] for line in section.splitlines() if line.strip()]


# ---- the catalog ----------------------------------------------------------

def test_every_string_has_a_vietnamese_translation():
    """make po-check: the sources' strings are po/thuky.pot's, po/vi.po
    translates every one, and msgfmt --check finds nothing wrong."""
    p = subprocess.run(["make", "--no-print-directory", "-s", f"BUILD={BUILD}", "po-check"],
                       cwd=ROOT, capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    stats = p.stderr.strip().splitlines()[-1]
    assert "untranslated" not in stats and "fuzzy" not in stats, stats


def test_the_catalog_is_nfc_and_keeps_the_glossary_terms():
    text = (ROOT / "po" / "vi.po").read_text(encoding="utf-8")
    assert unicodedata.normalize("NFC", text) == text, "po/vi.po is not NFC"
    for term in ("chủ trì", "phối hợp", "chậm tiến độ", "không bảo đảm chất lượng",
                 "còn nhiều ý kiến khác nhau", "kỳ họp", "phiên họp UBTVQH", "giao ban"):
        assert term in text, f"po/vi.po never says {term!r}"


# ---- which language -------------------------------------------------------

def test_the_language_comes_from_the_flag_then_the_locale_then_the_config(daemon):
    def speaks(env_extra=None, lang=None, config=None):
        env = dict(daemon.env, **(env_extra or {}))
        rc, out, _ = daemon.cli(*(["--lang", lang] if lang else []), "task", "--help",
                                env=env, config=config)
        assert rc == 0
        return "vi" if VIETNAMESE_LETTERS.search(out) else "en"

    vi_conf = daemon.tmp / "vi.conf"
    vi_conf.write_text(base_config(daemon.tmp).replace("language = en", "language = vi"))
    no_lang = daemon.tmp / "default.conf"
    no_lang.write_text(base_config(daemon.tmp).replace("language = en\n", ""))
    assert speaks() == "en"                                   # the test config says en
    assert speaks(config=vi_conf) == "vi"                     # language = vi
    assert speaks(config=no_lang) == "vi"                     # the embedded default
    assert speaks({"LANG": "C"}, config=vi_conf) == "en"      # LANG=C is English
    assert speaks({"LANG": "vi_VN.UTF-8"}) == "vi"            # a Vietnamese locale
    assert speaks({"LC_ALL": "en_US.UTF-8"}, config=vi_conf) == "en"
    assert speaks({"LANG": "C.UTF-8"}, config=vi_conf) == "vi"  # names no language
    assert speaks({"LANG": "vi_VN.UTF-8"}, lang="en") == "en"   # --lang wins
    rc, _, err = daemon.cli("--lang", "fr", "status")
    assert rc == 2 and "fr" in one_line(err)


# ---- --help in both languages ----------------------------------------------

def english_words(text):
    return {w.lower() for w in re.findall(r"(?<![-\w])[A-Za-z]{3,}(?![-\w])", text)}


PROSE = re.compile(r"[A-Za-z]+")


def untranslated_runs(vi_text, en_words, names):
    """Runs of three or more English words of the English help in a row in
    the Vietnamese help: a sentence left in English. Option names,
    UPPERCASE metavariables, quoted examples and command names are not
    prose."""
    runs = []
    for line in vi_text.splitlines():
        line = re.sub(r"'[^']*'|\"[^\"]*\"|`[^`]*`", " ", line)        # quoted examples
        line = re.sub(r"(?<!\w)--?[\w-]+(=\S+)?", " ", line)            # options
        line = re.sub(r"\b[A-Z][A-Z0-9_:.-]+\b", " ", line)             # metavariables, ids
        line = re.sub(r"\S*[/@]\S*", " ", line)                         # paths, addresses
        words = re.findall(r"\S+", line)
        run_ = []
        for word in words + [""]:
            bare = word.strip(".,;:()[]{}|<>…")
            if (bare and PROSE.fullmatch(bare) and bare.lower() in en_words
                    and bare.lower() not in names):
                run_.append(bare)
                continue
            if len(run_) >= 3:
                runs.append(" ".join(run_))
            run_ = []
    return runs


def test_every_help_is_vietnamese_with_no_english_sentence_left(daemon):
    # what stays English in a Vietnamese help: the names a user types
    names = set(commands()) | {"json", "ical", "ics", "csv", "xlsx", "html", "pdf", "text",
                               "open", "in_progress", "done", "cancelled", "quality",
                               "dispute", "plenary", "standing", "conference", "briefing",
                               "taskd", "sessiond", "notifyd", "webd", "thuky", "systemctl",
                               "curve", "tcp", "ipc", "smtp", "https", "http", "utf"}
    pages = [()] + [(cmd,) for cmd in commands()]
    for page in pages:
        rc_vi, vi, _ = run(daemon, *page, "--help", lang="vi")
        rc_en, en, _ = run(daemon, *page, "--help", lang="en")
        assert rc_vi == rc_en == 0, page
        assert vi != en, f"thuky {' '.join(page)} --help is the same in both languages"
        assert VIETNAMESE_LETTERS.search(vi), f"thuky {' '.join(page)} --help: no Vietnamese"
        left = untranslated_runs(vi, english_words(en), names)
        assert not left, f"thuky {' '.join(page)} --help keeps English: {left}"


# ---- what the daemons say -----------------------------------------------------

def test_a_daemon_answers_in_the_callers_language(daemon):
    rc_vi, _, err_vi = run(daemon, "task", "show", "T999", lang="vi")
    rc_en, _, err_en = run(daemon, "task", "show", "T999", lang="en")
    assert rc_vi == rc_en == 3
    assert "T999" in err_vi and "T999" in err_en
    assert VIETNAMESE_LETTERS.search(one_line(err_vi)), err_vi
    assert not VIETNAMESE_LETTERS.search(one_line(err_en)), err_en


def test_a_request_without_a_language_gets_the_installations(daemon):
    def missing(language):
        req = envelope_pb2.Request(
            protocol=1, request_id="r", command="task.get", language=language,
            body=task_pb2.TaskGetRequest(id=999).SerializeToString())
        reply = daemon.raw(req.SerializeToString())
        assert reply.status.code == envelope_pb2.NOT_FOUND
        return reply.status.message
    assert missing("") == missing("en")            # the test config: language = en
    assert missing("fr") == missing("en")          # one it does not speak: the same
    assert VIETNAMESE_LETTERS.search(missing("vi"))


def test_a_daemon_logs_in_the_installations_language(tmpdir_short):
    d = Daemon(tmpdir_short, "[core]\nlanguage = vi\n")
    d.start()
    d.stop()
    log = d.stderr_text()
    info = [line for line in log.splitlines() if ": info: " in line]
    assert info and any(VIETNAMESE_LETTERS.search(line) for line in info), log


# ---- dates and --json ---------------------------------------------------------

def test_dates_are_dd_mm_yyyy_in_vietnamese_and_iso_in_english(daemon, program):
    add_task(daemon, "Báo cáo công tác quý II", due="2024-05-20")
    _, vi, _ = run(daemon, "task", "list", lang="vi")
    _, en, _ = run(daemon, "task", "list", lang="en")
    assert "20/05/2024" in vi and "2024-05-20" not in vi
    assert "2024-05-20" in en and "20/05/2024" not in en


def test_json_never_changes_with_the_language(daemon, program):
    tid = add_task(daemon, "Báo cáo công tác quý II", due="2024-05-20")
    for args in (("task", "list"), ("task", "show", tid), ("report", "briefing",
                                                            "--date", "2024-05-10")):
        _, vi, _ = run(daemon, "--json", *args, lang="vi")
        _, en, _ = run(daemon, "--json", *args, lang="en")
        assert vi == en, args
        assert "2024-05-20" in vi


# ---- text: NFC and widths -----------------------------------------------------

def test_decomposed_input_is_stored_precomposed_and_tables_stay_aligned(daemon, program):
    title = "Thẩm tra dự án Luật Đất đai (sửa đổi)"
    nfd = unicodedata.normalize("NFD", title)
    assert nfd != title
    a = add_task(daemon, nfd, due="2024-06-01")
    b = add_task(daemon, title, due="2024-06-02")
    shown = daemon.json("task", "show", a)["title"]
    assert shown == title, "the decomposed title was not stored as NFC"
    tasks = daemon.json("task", "list")
    assert [t["title"] for t in tasks] == [title, title]
    # the raw request path too: a Request whose body is NFD
    reply, task = daemon.call("task.add", task_add_body(nfd + " 2"), task_pb2.Task)
    assert reply.status.code == envelope_pb2.OK and task.title == title + " 2"
    _, table, _ = run(daemon, "task", "list", lang="vi")
    # the lead office's column starts at the same display column on every row
    lead_columns = {len(line.split("vu-thu-ky")[0]) for line in table.splitlines()
                    if "vu-thu-ky" in line}
    assert len(lead_columns) == 1, table
    assert a != b


# ---- a daemon that does not answer ----------------------------------------------

def test_a_daemon_that_does_not_answer_is_reported_within_two_seconds(daemon):
    slow = daemon.tmp / "slow.conf"
    slow.write_text(base_config(daemon.tmp).replace("timeout_ms = 2000", "timeout_ms = 4000"))
    os.kill(daemon.proc.pid, signal.SIGSTOP)
    try:
        env = dict(daemon.env, THUKY_CONFIG=str(slow))
        p = subprocess.Popen([str(THUKY), "--lang", "vi", "task", "list"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             stdin=subprocess.DEVNULL)
        started = time.monotonic()
        first = p.stderr.readline().decode("utf-8")
        waited = time.monotonic() - started
        p.kill()
        p.wait()
    finally:
        os.kill(daemon.proc.pid, signal.SIGCONT)
    assert waited < 2.0, f"told after {waited:.1f} s"
    assert "taskd" in first and "systemctl status thuky-taskd" in first, first
    assert VIETNAMESE_LETTERS.search(first), first


def test_a_daemon_that_is_down_is_reported_at_once_with_what_to_do(daemon):
    daemon.kill9()          # its socket file stays behind: connect is refused
    started = time.monotonic()
    rc, _, err = run(daemon, "task", "list", lang="vi")
    elapsed = time.monotonic() - started
    assert rc == 6 and elapsed < 2.0, (rc, elapsed, err)
    line = one_line(err)
    assert "systemctl start thuky-taskd" in line and VIETNAMESE_LETTERS.search(line), line
    rc, _, err = run(daemon, "task", "list", lang="en")
    assert rc == 6 and "Start it" in one_line(err)


def test_json_of_status_and_warnings_does_not_change_with_the_language(daemon):
    daemon.kill9()          # status --json carries each daemon's error text
    def errors(lang):
        _, out, _ = run(daemon, "--json", "status", lang=lang)
        return {d["daemon"]: d.get("error") for d in json.loads(out)}
    vi, en = errors("vi"), errors("en")
    assert vi == en and "no daemon listens" in vi["taskd"]


def test_the_main_help_speaks_the_configured_language(daemon):
    vi_conf = daemon.tmp / "vi.conf"
    vi_conf.write_text(base_config(daemon.tmp).replace("language = en", "language = vi"))
    _, en, _ = daemon.cli("--help")
    _, vi, _ = daemon.cli("--help", config=vi_conf)
    assert en.startswith("usage:") and vi.startswith("cách dùng:")
    rc, _, err = daemon.cli("frob")
    assert rc == 2 and "unknown command" in one_line(err)


def test_lang_c_is_english_whatever_language_says(daemon):
    vi_conf = daemon.tmp / "vi.conf"
    vi_conf.write_text(base_config(daemon.tmp).replace("language = en", "language = vi"))
    env = dict(daemon.env, LANG="C", LANGUAGE="vi")
    _, out, _ = daemon.cli("task", "--help", env=env, config=vi_conf)
    assert out.startswith("usage:")
    env = dict(daemon.env, LANG="C.UTF-8", LANGUAGE="vi")
    _, out, _ = daemon.cli("task", "--help", env=env)
    assert out.startswith("cách dùng:")


def test_events_follow_says_at_once_that_the_daemon_is_down(daemon):
    daemon.kill9()
    started = time.monotonic()
    rc, _, err = run(daemon, "events", "tail", "--follow", lang="vi")
    assert rc == 6 and time.monotonic() - started < 2.0
    assert "systemctl start thuky-taskd" in one_line(err)


def test_task_history_is_in_words_and_task_list_writes_documents(daemon, program):
    tid = add_task(daemon, "Báo cáo tổng kết", due="2024-06-26")
    daemon.ok("task", "update", tid, "--progress", "40", "--due", "2024-07-10")
    _, vi, _ = run(daemon, "task", "show", tid, lang="vi")
    assert "tiến độ: 0 → 40" in vi and "10/07/2024" in vi and "in_progress" not in vi
    for i in range(3):
        add_task(daemon, f"Nhiệm vụ {i}", due=f"2024-08-0{i + 1}")
    path = daemon.tmp / "list.csv"
    rc, _, err = run(daemon, "task", "list", "--format", "csv", "--out", path, lang="vi")
    assert rc == 0, err
    rows = path.read_bytes().decode("utf-8-sig").splitlines()
    assert len(rows) == 5 and "Báo cáo tổng kết" in rows[1]
    # a document holds every task, not the screen's first --limit
    rc, _, _ = run(daemon, "task", "list", "--limit", "2", "--format", "csv", "--out", path)
    assert rc == 0 and len(path.read_text(encoding="utf-8-sig").splitlines()) == 3
    rc, _, err = run(daemon, "--json", "task", "list", "--format", "csv")
    assert rc == 2 and "--json" in one_line(err)
