"""Speakers and attribution: golden cases (tests/golden/attribution/*.toml) and properties.

Each golden case holds its sources (text, speaker, speaker labels), one
article, and for every quotation of the article, in order, the start of
its text and what a fact-checker reads: the person the article credits,
the speaker of the source passage, the verdict and the reason. A key left
out is null.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from quoteverify.ingest.document import document_from_text
from quoteverify.ingest.turns import with_speakers
from quoteverify.locate import SourceIndex
from quoteverify.models import Document, Verdict
from quoteverify.verify import check_article

GOLDEN = Path(__file__).parent / "golden" / "attribution"
CASES = sorted(GOLDEN.glob("*.toml"))


def load(path: Path) -> tuple[list[Document], Document, list[dict]]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    sources = []
    for s in data["sources"]:
        doc = document_from_text(s["text"].strip("\n"), id=s["id"], role="source", title=s.get("title", ""), date=s.get("date", ""))
        sources.append(with_speakers(doc, s.get("speaker"), s.get("speakers")))
    art = data["article"]
    article = document_from_text(art["text"].strip("\n"), id=path.stem, date=art.get("date", ""))
    return sources, article, data["expected"]


def read(quote) -> dict:
    return {
        "speaker": quote.speaker,
        "source_speaker": quote.source_speaker,
        "verdict": quote.verdict.value,
        "reason": quote.reason,
    }


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_golden_attribution(path: Path) -> None:
    sources, article, expected = load(path)
    result = check_article(article, SourceIndex(sources))
    got = [(q.quotation.text, read(q)) for q in result.quotes]
    assert [t for t, _ in got] and len(got) == len(expected), [t for t, _ in got]
    for (text, reading), want in zip(got, expected):
        assert text.startswith(want["quote"]), (text, want["quote"])
        wanted = {k: want.get(k) for k in ("speaker", "source_speaker", "verdict", "reason")}
        assert reading == wanted, text


def test_there_are_golden_cases_for_every_pattern() -> None:
    assert len(CASES) >= 10


# --------------------------------------------------------------------------- properties

WORDS = (
    "river stone garden market window silver morning harbour castle engine forest bridge candle "
    "doctor planet orange pencil rocket saddle tunnel valley wagon yellow zebra anchor basket cotton "
    "dinner falcon the of and to in a"
).split()
PEOPLE = (("ANNA BERG", "Anna Berg"), ("OMAR HALE", "Omar Hale"), ("THE CHAIR", "Ruth Okoro"))


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_words_moved_to_another_speakers_turn_come_back_misattributed(data) -> None:
    turns = data.draw(st.lists(st.lists(st.sampled_from(WORDS), min_size=14, max_size=24, unique=True), min_size=2, max_size=5))
    who = [data.draw(st.integers(0, len(PEOPLE) - 1)) for _ in turns]
    if len(set(who)) < 2:
        who[1] = (who[0] + 1) % len(PEOPLE)
    text = "\n".join(f"{PEOPLE[w][0]}: {' '.join(t)}." for w, t in zip(who, turns))
    source = with_speakers(document_from_text(text, id="transcript", role="source"), None, dict(PEOPLE))
    index = SourceIndex([source])
    turn = data.draw(st.integers(0, len(turns) - 1))
    start = data.draw(st.integers(0, len(turns[turn]) - 12))
    words = " ".join(turns[turn][start : start + 12])
    assume(sum(" ".join(t).count(words) for t in turns) == 1)  # the words are in one turn only
    speaker = PEOPLE[who[turn]][1]
    other = next(p[1] for p in PEOPLE if p[1] != speaker and any(PEOPLE[w][1] == p[1] for w in who))
    for credited, verdict in ((other, Verdict.MISATTRIBUTED), (speaker, Verdict.VERBATIM)):
        article = document_from_text(f'{credited} said: "{words}"', id="article")
        (q,) = check_article(article, index).quotes
        assert (q.speaker, q.source_speaker, q.verdict) == (credited, speaker, verdict)


def test_a_passage_across_turns_is_the_speaker_of_most_of_its_words() -> None:
    text = "Q Is the bridge safe today?\nTHE ENGINEER: It is safe, and the inspection last week found no cracks at all."
    source = with_speakers(document_from_text(text, id="t", role="source"), None, {"THE ENGINEER": "Lena Ruiz"})
    assert [p.speaker for p in source.paragraphs] == ["the press", "Lena Ruiz"]
    article = document_from_text('Lena Ruiz said: "Is the bridge safe today? It is safe, and the inspection last week found no cracks at all."', id="a")
    (q,) = check_article(article, SourceIndex([source])).quotes
    assert q.source_speaker == "Lena Ruiz" and q.verdict is not Verdict.MISATTRIBUTED


def test_a_source_with_a_speaker_and_a_subject_line_is_not_a_transcript() -> None:
    doc = with_speakers(document_from_text("SUBJECT: Repairs\n\nThe quay will close.", id="m", role="source"), "Ines Duarte")
    assert [p.speaker for p in doc.paragraphs] == ["Ines Duarte", "Ines Duarte"]


def test_without_speakers_every_quotation_is_looked_for() -> None:
    source = document_from_text("The quay will close on Monday for repairs to the wall.", id="s", role="source")
    article = document_from_text('Mr Jones said: "The quay will close on Monday for repairs to the wall."', id="a")
    (q,) = check_article(article, SourceIndex([source])).quotes
    assert q.verdict is Verdict.VERBATIM and q.speaker == "Mr Jones" and q.source_speaker is None


def test_the_seed_case_credits_the_letter_to_its_writer_and_others_to_no_source() -> None:
    import quoteverify

    result = quoteverify.check(Path(__file__).resolve().parents[1] / "corpus" / "seely-letter")
    quotes = [q for a in result.articles for q in a.quotes]
    others = [q for q in quotes if q.speaker and any(n in q.speaker for n in ("Milley", "Esper", "Farah"))]
    assert len(others) >= 15
    assert all(q.verdict is Verdict.UNVERIFIED and q.reason == "other-speaker" for q in others)
    located = [q for q in quotes if q.location is not None]
    assert located and all(q.source_speaker == "Brig. Gen. William H. Seely III" for q in located)
    assert not any(q.verdict is Verdict.MISATTRIBUTED for q in quotes)
    (lbc,) = [a for a in result.articles if a.article.id == "lbc"]
    cut = [q for q in lbc.quotes if q.quotation.text.startswith("repositioning forces to prepare")]
    assert [q.verdict for q in cut] == [Verdict.ALTERED]
