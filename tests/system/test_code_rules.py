"""Rules of the code base that a reader could break without noticing, checked
on the sources themselves."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def sources():
    for folder in ("common", "services"):
        yield from sorted((ROOT / folder).rglob("*.[ch]"))


def test_the_deadline_oneof_is_read_only_through_its_accessors():
    """protobuf-c keeps a oneof's members in a union: `dl->relative` of an
    absolute deadline reads its date as a sitting id. Only common/domain/deadline.c
    touches the members; everything else calls deadline_absolute(),
    deadline_relative() or deadline_sitting(), which check rule_case."""
    member = re.compile(r"->\s*(relative|absolute)\b")
    offenders = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
                 for path in sources() if path.name not in ("deadline.c",)
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if member.search(line)]
    assert offenders == []


# What each layer of common/ may include (ARCHITECTURE.md): itself and the
# layers below it. Generated protobuf headers (thuky/...) are open to all.
LAYER_MAY_INCLUDE = {
    "base": {"base"},
    "text": {"base", "text"},
    "calendar": {"base", "text", "calendar"},
    "domain": {"base", "text", "calendar", "domain"},
    "runtime": {"base", "text", "runtime"},
    "service": {"base", "text", "calendar", "domain", "runtime", "service"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)


def test_common_is_split_into_layers_that_point_one_way():
    folders = {p.name for p in (ROOT / "common").iterdir() if p.is_dir()}
    assert folders == set(LAYER_MAY_INCLUDE), "a folder of common/ has no place in the layers"
    assert list((ROOT / "common").glob("*.[ch]")) == [], "every file of common/ is in a layer"
    offenders = []
    for layer, allowed in LAYER_MAY_INCLUDE.items():
        for path in sorted((ROOT / "common" / layer).glob("*.[ch]")):
            for name in INCLUDE.findall(path.read_text(encoding="utf-8")):
                top = name.split("/")[0] if "/" in name else None
                if top == "thuky":
                    continue
                if top not in allowed:
                    offenders.append(f"{path.relative_to(ROOT)} includes {name}")
    assert offenders == []


def test_the_runtime_knows_no_task_and_no_sitting():
    """The runtime carries requests and events without looking inside."""
    domain = re.compile(r"thuky/(task|session|notify)\.pb-c\.h|Thuky__(Task|Sitting|Alert|Office)\b")
    offenders = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
                 for path in sorted((ROOT / "common" / "runtime").glob("*.[ch]"))
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if domain.search(line)]
    assert offenders == []


def test_every_file_architecture_md_names_exists():
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    named = set(re.findall(r"\b((?:common|services|proto|tests|deploy)/[\w./-]*[\w/])", text))
    assert len(named) > 20, named
    missing = sorted(n for n in named if not (ROOT / n).exists())
    assert missing == []
