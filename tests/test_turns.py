"""Speakers of sources: case.toml keys, ad hoc --speaker, and the turns of a transcript."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from click.testing import CliRunner

from quoteverify.cli import main
from quoteverify.errors import InputError
from quoteverify.ingest import load_case, read_sources
from quoteverify.ingest.document import document_from_text
from quoteverify.ingest.turns import PRESS, find_turns, with_speakers

TRANSCRIPT = """Briefing, 3 May.

THE PRESIDENT: Good morning. We will not raise taxes.
Q: Will you raise taxes next year?
THE PRESIDENT: No.
MR. SMITH: I disagree with that.
Q Is that final?
SECRETARY ESPER: It is.
"""


def test_labels_open_turns_and_each_paragraph_carries_its_speaker() -> None:
    doc = with_speakers(document_from_text(TRANSCRIPT, id="t", role="source"), None, {"THE PRESIDENT": "Joe Biden"})
    got = [(p.speaker, doc.text[p.start : p.end].split(":")[0].split(" ")[0]) for p in doc.paragraphs]
    assert [s for s, _ in got] == [None, "Joe Biden", PRESS, "Joe Biden", "MR. SMITH", PRESS, "SECRETARY ESPER"]
    assert [t[2] for t in find_turns(TRANSCRIPT)] == ["THE PRESIDENT", "Q", "THE PRESIDENT", "MR. SMITH", "Q", "SECRETARY ESPER"]


def test_one_label_alone_does_not_make_a_transcript() -> None:
    doc = with_speakers(document_from_text("SUBJECT: Repairs\n\nThe quay will close.", id="m", role="source"))
    assert [p.speaker for p in doc.paragraphs] == [None, None] and len(doc.paragraphs) == 2


def write_case(tmp_path: Path, extra: str) -> Path:
    (tmp_path / "t.txt").write_text(TRANSCRIPT, encoding="utf-8")
    (tmp_path / "case.toml").write_text(f'[[sources]]\nid = "t"\npath = "t.txt"\n{extra}', encoding="utf-8")
    return tmp_path


def test_case_toml_gives_a_speaker_and_a_label_map(tmp_path: Path) -> None:
    case = load_case(write_case(tmp_path, '[sources.speakers]\n"THE PRESIDENT" = "Joe Biden"\n'))
    doc = case.sources[0].document
    assert doc.speaker_labels == (("THE PRESIDENT", "Joe Biden"),)
    assert doc.paragraphs[1].speaker == "Joe Biden"
    letter = load_case(write_case(tmp_path, 'speaker = "Ines Duarte"\n')).sources[0]
    assert letter.speaker == "Ines Duarte" and {p.speaker for p in letter.document.paragraphs} == {"Ines Duarte"}


def test_a_bad_label_map_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"case.toml: sources\[0\]: \"speakers\" must be a table of strings"):
        load_case(write_case(tmp_path, 'speakers = ["Joe Biden"]\n'))


def test_ad_hoc_speakers_name_the_sources_in_order(tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("The quay will close.", encoding="utf-8")
    b.write_text("The bridge will open.", encoding="utf-8")
    infos = read_sources([a, b], ["Ines Duarte"])
    assert [i.speaker for i in infos] == ["Ines Duarte", None]
    with pytest.raises(InputError):
        read_sources([a], ["x", "y"])


def test_check_with_speaker_flags(tmp_path: Path) -> None:
    src = tmp_path / "speech.txt"
    src.write_text("We will build forty thousand homes in this parliament, every one of them insulated.", encoding="utf-8")
    art = tmp_path / "article.txt"
    art.write_text(
        'Ms Okafor said: "We will build forty thousand homes in this parliament."\n'
        'Her rival Tom Reed said: "We will build forty thousand homes in this parliament, every one of them insulated."\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["check", "--source", str(src), "--speaker", "Ada Okafor", str(art), "--out", str(out)])
    assert r.exit_code == 0, r.output
    quotes = json.loads((out / "adhoc" / "report.json").read_text())["articles"][0]["quotes"]
    assert [(q["speaker"], q["verdict"], q["reason"]) for q in quotes] == [
        ("Ada Okafor", "verbatim", None),
        ("Tom Reed", "unverified", "other-speaker"),
    ]
    r = CliRunner().invoke(main, ["check", "--source", str(src), "--speaker", "A", "--speaker", "B", str(art)])
    assert r.exit_code == 2 and "more --speaker than --source" in r.output


def _turns_by_lookbehind(text: str, labels: list[str]) -> list[tuple[int, int, str]]:
    """find_turns as first written: one pattern that looks behind for the line's start at every character."""
    given = sorted({" ".join(x.split()) for x in labels if x.strip()}, key=len, reverse=True)
    mapped = "|".join(r"[ \t]+".join(map(re.escape, g.split())) + r"\.?(?=:)" for g in given)
    upper = r"[A-Z][A-Z.'\u2019-]*(?:[ \t]+[A-Z][A-Z.'\u2019-]*){0,5}(?=:)"
    alts = [a for a in (mapped and f"(?i:{mapped})", upper, r"Q\.?(?=[ \t]+\S)") if a]
    pattern = re.compile(rf"(?:(?<=\n)|(?<=\r)|^)[ \t]*(?P<label>{'|'.join(alts)}):?")
    return [(m.start("label"), m.end(), " ".join(m.group("label").upper().split()).rstrip(".")) for m in pattern.finditer(text)]


_TRANSCRIPT_PIECES = st.sampled_from(
    ["THE PRESIDENT:", "Q:", "Q ", "Q.", "MR. SMITH:", "Anchor:", "Ask", " ", "\t", "\n", "\r", "\r\n", "\n\n", "a", "B", ":", "said"]
)


@given(st.lists(_TRANSCRIPT_PIECES, max_size=30).map("".join), st.lists(st.sampled_from(["anchor", "Mr. Smith", "q"]), max_size=2))
def test_turns_are_those_a_scan_of_every_line_start_finds(text: str, labels: list[str]) -> None:
    assert find_turns(text, labels) == _turns_by_lookbehind(text, labels)
