"""Golden cases restated from other projects' test suites: extract, locate and diff as their users expect.

Each file in ``golden/peers/`` names its origin (project and test file), the
verb it exercises, how its expectation was adapted to quoteverify's
documented conventions, then its inputs and, after ``# output``, the
expected result:

- ``extract``: the text of an article; one line per quotation, in order
  (a line break inside a quotation written ``\\n``);
- ``locate``: ``# source`` and ``# quotation``; the verdict and the
  located source passage (``verbatim | discover ice``), or ``unverified``;
- ``diff``: ``# base`` and ``# other``; one line per variant,
  ``kind | BASE words | OTHER words``; nothing when the texts are identical.

A case that quoteverify does not meet carries a ``# fails:`` line saying
why; it is expected to fail (strictly: it must be removed once it passes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from quoteverify.collate import collate
from quoteverify.extract import extract_quotations
from quoteverify.ingest import document_from_text
from quoteverify.verify import locate_quotation

PEERS = Path(__file__).parent / "golden" / "peers"
SECTIONS = ("# base", "# other", "# source", "# quotation", "# output")


@dataclass
class Case:
    name: str
    origin: str = ""
    verb: str = ""
    fails: str = ""
    sections: dict[str, list[str]] = field(default_factory=dict)

    def text(self, section: str) -> str:
        return "\n".join(self.sections.get(section, []))


def read_case(path: Path) -> Case:
    """Parse a case file: ``# key: value`` header lines, then its sections."""
    case = Case(path.stem)
    current = "input"
    for line in path.read_text(encoding="utf-8").split("\n"):
        if current == "input" and not case.sections.get("input") and line.startswith("# "):
            key, _, value = line[2:].partition(":")
            if line in SECTIONS:
                current = line[2:]
                case.sections[current] = []
            elif key in ("origin", "verb", "fails"):
                setattr(case, key, value.strip())
            continue
        if line in SECTIONS:
            current = line[2:]
            case.sections[current] = []
            continue
        case.sections.setdefault(current, []).append(line)
    if case.sections.get("output") and case.sections["output"][-1] == "":
        case.sections["output"].pop()  # the file's final line break
    return case


def run_case(case: Case) -> list[str]:
    """What quoteverify gives for the case, in the case file's output form."""
    if case.verb == "extract":
        doc = document_from_text(case.text("input"), id=case.name)
        return [q.text.replace("\n", "\\n") for q in extract_quotations(doc)]
    if case.verb == "locate":
        source = document_from_text(case.text("source"), id="source", role="source")
        result = locate_quotation(case.text("quotation"), [source])
        if result.location is None:
            return [result.verdict.value]
        s, e = result.location.span
        return [f"{result.verdict.value} | {source.text[s:e]}"]
    if case.verb == "diff":
        base = document_from_text(case.text("base"), id="base", role="source")
        other = document_from_text(case.text("other"), id="other", role="source")
        return [f"{v.kind.value} | {v.source_text} | {v.quote_text}" for v in collate(base, other).variants]
    raise ValueError(f"{case.name}: unknown verb {case.verb!r}")


CASES = sorted(PEERS.glob("*.txt"))


def test_every_case_names_its_origin_and_verb():
    assert len(CASES) >= 45
    for path in CASES:
        case = read_case(path)
        assert case.origin and case.verb in ("extract", "locate", "diff"), path.name
        assert "output" in case.sections, path.name


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_peer_case(path):
    case = read_case(path)
    if case.fails:
        pytest.xfail(case.fails) if run_case(case) != case.sections["output"] else pytest.fail(
            f"{path.name} passes now: remove its '# fails:' line"
        )
    assert run_case(case) == case.sections["output"]
