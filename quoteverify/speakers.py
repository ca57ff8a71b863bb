"""Who speaks a located passage: the speaker of the source turn that holds most of its words.

A located quotation's fragments may fall in several paragraphs of a
transcript, each the turn of one speaker (see
:mod:`quoteverify.ingest.turns`). The passage is credited to the speaker
whose turns hold most of the fragments' words; on a tie, the one who speaks
first. A source without turns is its speaker's throughout.
"""

from __future__ import annotations

import re
from collections import Counter

from quoteverify.models import Document, Location

_WORD = re.compile(r"\w+")


def passage_speaker(source: Document, location: Location) -> str | None:
    """The speaker of the passage of ``source`` that ``location`` points at, or ``None`` when unknown."""
    voiced = [p for p in source.paragraphs if p.speaker]
    if not voiced:
        return source.speaker
    spans = [f.source_span for f in location.fragments] or [location.span]
    words: Counter[str] = Counter()
    first: dict[str, int] = {}
    for p in voiced:
        for a, b in spans:
            lo, hi = max(a, p.start), min(b, p.end)
            if lo < hi:
                n = len(_WORD.findall(source.text, lo, hi))
                if n:
                    assert p.speaker is not None
                    words[p.speaker] += n
                    first.setdefault(p.speaker, lo)
    if not words:
        return source.speaker
    return min(words, key=lambda who: (-words[who], first[who]))
