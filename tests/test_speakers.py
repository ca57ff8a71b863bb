"""Who speaks a located passage: the turn that holds most of its words, found by bisection as by a look at every turn."""

from __future__ import annotations

import re
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from quoteverify.models import Document, Fragment, Location, Paragraph
from quoteverify.speakers import passage_speaker

_WORD = re.compile(r"\w+")


def _every_turn(source: Document, location: Location) -> str | None:
    """The rule as written in full: each voiced paragraph against each span, in that order."""
    voiced = [p for p in source.paragraphs if p.speaker]
    if not voiced:
        return source.speaker
    spans = [f.source_span for f in location.fragments] or [location.span]
    words: Counter[str] = Counter()
    first: dict[str, int] = {}
    for p in voiced:
        assert p.speaker is not None
        for a, b in spans:
            lo, hi = max(a, p.start), min(b, p.end)
            if lo < hi and (n := len(_WORD.findall(source.text, lo, hi))):
                words[p.speaker] += n
                first.setdefault(p.speaker, lo)
    if not words:
        return source.speaker
    return min(words, key=lambda who: (-words[who], first[who]))


def _transcript(turns: list[tuple[str | None, int]]) -> Document:
    """A document of one paragraph per turn, each of ``words`` words, spoken by its speaker (None: no speaker named)."""
    text, paragraphs, at = "", [], 0
    for i, (speaker, words) in enumerate(turns):
        line = " ".join(f"w{i}x{k}" for k in range(words)) or "-"
        paragraphs.append(Paragraph(i, at, at + len(line), speaker))
        text += line + "\n\n"
        at = len(text)
    return Document(id="t", text=text, paragraphs=tuple(paragraphs), speaker="Host")


_TURNS = st.lists(st.tuples(st.sampled_from(["A", "B", "C", None]), st.integers(0, 6)), min_size=1, max_size=30)


@given(_TURNS, st.lists(st.tuples(st.integers(0, 400), st.integers(0, 120)), max_size=4), st.integers(0, 400))
def test_the_speaker_is_the_one_the_rule_names_looking_at_every_turn(
    turns: list[tuple[str | None, int]], spans: list[tuple[int, int]], whole: int
) -> None:
    source = _transcript(turns)
    fragments = tuple(Fragment((0, 1), (a, a + n), k) for k, (a, n) in enumerate(spans))
    location = Location("t", (whole, whole + 150), fragments, 1.0)
    assert passage_speaker(source, location) == _every_turn(source, location)


def test_most_words_win_and_a_tie_goes_to_who_speaks_first() -> None:
    source = _transcript([("A", 3), ("B", 5), ("A", 3), ("C", 3)])
    a0, b, a1, c = source.paragraphs
    spanning = Location("t", (a0.start, a1.end), (), 1.0)
    assert passage_speaker(source, spanning) == "A"  # 6 words against B's 5
    tie = Location("t", (a1.start, c.end), (), 1.0)
    assert passage_speaker(source, tie) == "A"
    moved = Location("t", (0, 0), (Fragment((0, 5), (c.start, c.end), 0), Fragment((6, 9), (a1.start, a1.end), 1)), 1.0)
    assert passage_speaker(source, moved) == "A"  # the tie's first is the first in the text, not in the quotation


def test_a_source_without_turns_is_its_speakers_throughout() -> None:
    source = _transcript([(None, 4), (None, 2)])
    assert passage_speaker(source, Location("t", (0, 10), (), 1.0)) == "Host"
    outside = _transcript([("A", 2), (None, 4)])
    assert passage_speaker(outside, Location("t", (outside.paragraphs[1].start, outside.paragraphs[1].end), (), 1.0)) == "Host"
