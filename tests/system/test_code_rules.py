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
    absolute deadline reads its date as a sitting id. Only common/deadline.c
    touches the members; everything else calls deadline_absolute(),
    deadline_relative() or deadline_sitting(), which check rule_case."""
    member = re.compile(r"->\s*(relative|absolute)\b")
    offenders = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
                 for path in sources() if path.name not in ("deadline.c",)
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if member.search(line)]
    assert offenders == []
