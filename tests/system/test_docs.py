"""The documentation keeps up with the code.

  - every man page in deploy/man renders with groff (and man, when it is
    installed) without a single warning;
  - every configuration section and key that common/runtime/config.c accepts is
    documented in thuky.conf(5) and listed in deploy/thuky.conf;
  - every command of the CLI's command table (services/cli/main.c) has a
    subsection in thuky(1), and every long option of the CLI's option tables
    appears there.

These read the sources, not the build, so they run once: the suite's second
run (THUKY_BUILD=.../build-san) skips them.
"""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MAN_DIR = REPO / "deploy" / "man"
MAN_PAGES = ["thuky.1", "thuky.conf.5", "thuky-taskd.8", "thuky-sessiond.8", "thuky-notifyd.8",
             "thuky-webd.8"]
# Every page has its Vietnamese version (man -L vi thuky).
MAN_VI_PAGES = ["vi/" + page for page in MAN_PAGES]
CONFIG_C = REPO / "common" / "runtime" / "config.c"
DEFAULT_CONF = REPO / "deploy" / "thuky.conf"
CLI_DIR = REPO / "services" / "cli"

pytestmark = pytest.mark.skipif(
    os.environ.get("THUKY_BUILD", "build").rstrip("/").endswith("build-san"),
    reason="documentation checks read the sources: they run with the normal build only")


# ---- rendering ---------------------------------------------------------------

def _render_env():
    env = dict(os.environ, LC_ALL="C.UTF-8", MANWIDTH="80", MANPAGER="cat", PAGER="cat")
    env.pop("MANOPT", None)
    return env


@pytest.mark.parametrize("page", MAN_PAGES + MAN_VI_PAGES)
def test_man_page_renders_without_warnings(page):
    path = MAN_DIR / page
    assert path.is_file(), f"{path} is missing"
    groff = shutil.which("groff")
    if not groff:
        pytest.skip("groff is not installed (Debian package groff-base)")
    # -k: preconv, for the UTF-8 (Vietnamese) text, as man(1) does; -ww: every
    # warning; -z: no output, only the diagnostics.
    proc = subprocess.run([groff, "-k", "-Tutf8", "-man", "-ww", "-z", str(path)],
                          capture_output=True, text=True, env=_render_env(), timeout=60)
    assert proc.returncode == 0 and not proc.stderr.strip(), \
        f"groff -man -ww on {page}:\n{proc.stderr}"
    man = shutil.which("man")
    if man:
        proc = subprocess.run([man, "--warnings", "-l", str(path)], capture_output=True,
                              text=True, env=_render_env(), timeout=60)
        assert proc.returncode == 0 and not proc.stderr.strip(), \
            f"man --warnings -l {page}:\n{proc.stderr}"
        assert page.split("/")[-1].split(".")[0].upper() in proc.stdout


@pytest.mark.parametrize("page", MAN_PAGES)
def test_the_vietnamese_page_is_vietnamese_and_names_what_the_english_one_does(page):
    """Translated, not copied: in Vietnamese, with every option, config key
    and command of the English page unchanged."""
    english = (MAN_DIR / page).read_text(encoding="utf-8")
    vietnamese = (MAN_DIR / "vi" / page).read_text(encoding="utf-8")
    assert re.search("[ạảấầẩẫậắằẳẵặẹẻẽếềểễệịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ]", vietnamese), page
    assert len(re.findall(r"\b(the|and|of|is|to)\b", vietnamese)) < \
        len(re.findall(r"\b(the|and|of|is|to)\b", english)) / 10, f"{page}: English prose left"
    names = set(re.findall(r"\\-\\-[a-z][\w-]*", english))
    missing = sorted(n.replace("\\-", "-") for n in names if n not in vietnamese)
    assert not missing, f"vi/{page} lacks: {missing}"


# ---- configuration keys --------------------------------------------------------

def _function_bodies(source):
    """{name: body} of the top-level C functions whose body ends at a '}'
    alone on its line."""
    bodies = {}
    for m in re.finditer(r"^(?:static\s+)?[\w\s\*]+?\b(\w+)\s*\([^;{]*\)\s*\n\{\n(.*?)^\}\n",
                         source, re.M | re.S):
        bodies[m.group(1)] = m.group(2)
    return bodies


def _config_sections():
    """What common/runtime/config.c accepts: {function: (sections, keys)}, where a
    section is its name ("core", "taskd") or a prefix for named sections
    ("user:", "client:"), and the keys are the strcmp(key, "...") literals of
    the function the handler calls for those sections."""
    source = CONFIG_C.read_text()
    bodies = _function_bodies(source)
    handlers = [name for name, body in bodies.items() if re.search(r"\bstrn?cmp\(section\b", body)]
    assert len(handlers) == 1, \
        f"expected one function comparing section names in {CONFIG_C}, found {handlers}: " \
        "update tests/system/test_docs.py to the new structure"
    handler = bodies[handlers[0]]
    sections_of = {}
    current = set()
    token = re.compile(r'\bstrn?cmp\(section,\s*(?:"(?P<lit>[^"]*)"|(?P<arr>\w+)\[)'
                       r'|\b(?P<fn>s_\w+_key)\s*\(')
    for m in token.finditer(handler):
        if m.group("lit") is not None:
            current = {m.group("lit")}
        elif m.group("arr"):
            arr = re.search(m.group("arr") + r"\s*\[[^\]]*\]\s*=\s*\{([^}]*)\}", source)
            assert arr, f"cannot find the initializer of {m.group('arr')} in {CONFIG_C}"
            current = set(re.findall(r'"([^"]+)"', arr.group(1)))
        else:
            assert current, f"{m.group('fn')} is called before any section test in {CONFIG_C}"
            sections_of.setdefault(m.group("fn"), set()).update(current)
    result = {}
    for fn, sections in sections_of.items():
        assert fn in bodies, f"cannot find the body of {fn} in {CONFIG_C}"
        keys = set(re.findall(r'\bstrcmp\(key,\s*"([^"]+)"\)', bodies[fn]))
        assert keys, f"{fn} in {CONFIG_C} compares no key names"
        result[fn] = (sections, keys)
    n_keys = sum(len(keys) for _, keys in result.values())
    assert "core" in set().union(*(s for s, _ in result.values())) and n_keys >= 30, \
        f"only {n_keys} keys found in {CONFIG_C}: update tests/system/test_docs.py"
    return result


def _section_name(header):
    """'user:alice' -> 'user:', 'core' -> 'core'."""
    return header.split(":", 1)[0] + ":" if ":" in header else header


def _conf_file_keys():
    """{section: keys} listed in deploy/thuky.conf, set or commented out
    ('#key = value', '#[user:NAME]' count)."""
    keys = {}
    current = None
    for line in DEFAULT_CONF.read_text().splitlines():
        header = re.match(r"^\s*[#;]?\s*\[([^\]\s]+)\]\s*$", line)
        if header:
            current = _section_name(header.group(1))
            keys.setdefault(current, set())
            continue
        key = re.match(r"^\s*[#;]?\s*([A-Za-z_]\w*)\s*=", line)
        if key and current:
            keys[current].add(key.group(1))
    return keys


def _strip_roff(text):
    text = re.sub(r"\\f(?:\[[^\]]*\]|\(..|.)", "", text)
    return text.replace("\\-", "-").replace('"', "").strip()


def _man_blocks(page):
    """[(heading, body)] of each .SS (and .SH) of a man page."""
    blocks = []
    heading, body = None, []
    for line in (MAN_DIR / page).read_text().splitlines():
        m = re.match(r"^\.S[SH]\s+(.*)$", line)
        if m:
            if heading is not None:
                blocks.append((heading, "\n".join(body)))
            heading, body = _strip_roff(m.group(1)), []
        elif heading is not None:
            body.append(line)
    if heading is not None:
        blocks.append((heading, "\n".join(body)))
    return blocks


def _heading_names(section):
    return f"[{section}" if section.endswith(":") else f"[{section}]"


def test_every_config_key_is_in_thuky_conf_5():
    blocks = _man_blocks("thuky.conf.5")
    missing = []
    for fn, (sections, keys) in sorted(_config_sections().items()):
        mine = [body for heading, body in blocks
                if any(_heading_names(s) in heading for s in sections)]
        for s in sorted(sections):
            if not any(_heading_names(s) in heading for heading, _ in blocks):
                missing.append(f"section [{s}{'NAME]' if s.endswith(':') else ']'} has no .SS")
        for key in sorted(keys):
            tag = re.compile(r'^\.(?:B|BI|BR|IB)\s+"?' + re.escape(key) + r"\b", re.M)
            if not any(tag.search(body) for body in mine):
                missing.append(f"{key} (in {', '.join(sorted(sections))}; {fn})")
    assert not missing, "not documented in deploy/man/thuky.conf.5 (as a .TP tag " \
        "such as '.BI \"key = \" VALUE' under the section's .SS):\n  " + "\n  ".join(missing)


def test_every_config_key_is_in_deploy_thuky_conf():
    listed = _conf_file_keys()
    missing = []
    for fn, (sections, keys) in sorted(_config_sections().items()):
        for s in sorted(sections):
            if s not in listed:
                missing.append(f"section [{s}{'NAME]' if s.endswith(':') else ']'}")
        for key in sorted(keys):
            if not any(key in listed.get(s, ()) for s in sections):
                missing.append(f"{key} (in {', '.join(sorted(sections))}; {fn})")
    assert not missing, "not listed in deploy/thuky.conf (set, or commented out as " \
        "'#key = value' under its [section] or '#[section]'):\n  " + "\n  ".join(missing)


# ---- the CLI -------------------------------------------------------------------

def _cli_commands():
    source = (CLI_DIR / "main.c").read_text()
    table = re.search(r"\bs_commands\[\]\s*=\s*\{(.*?)\n\};", source, re.S)
    assert table, "cannot find the s_commands table in services/cli/main.c"
    commands = re.findall(r'\{\s*"([\w-]+)"\s*,\s*cmd_\w+', table.group(1))
    assert len(commands) >= 5, f"only {commands} found in services/cli/main.c"
    return commands


def test_every_cli_command_has_a_subsection_in_thuky_1():
    headings = [heading.split() for heading, _ in _man_blocks("thuky.1")]
    missing = [c for c in _cli_commands()
               if not any(words[:1] == [c] or words[:2] == ["thuky", c] for words in headings)]
    assert not missing, "commands of services/cli/main.c without a .SS in " \
        "deploy/man/thuky.1: " + ", ".join(missing)


def test_every_cli_long_option_is_in_thuky_1():
    page = (MAN_DIR / "thuky.1").read_text().replace("\\-", "-")
    options = set()
    for source in sorted(CLI_DIR.glob("*.c")):
        options.update(re.findall(r'\{\s*"([\w-]+)"\s*,\s*(?:required|no|optional)_argument',
                                  source.read_text()))
    assert options, "no getopt_long option tables found in services/cli"
    missing = sorted(o for o in options if not re.search(r"--" + re.escape(o) + r"\b", page))
    assert not missing, "long options of services/cli not in deploy/man/thuky.1: " + \
        ", ".join("--" + o for o in missing)
