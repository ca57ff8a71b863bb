"""Cover: which parts of each source an article's direct quotations reproduce.

Coverage lists every source of a case of up to :data:`ALL_SOURCES` sources;
in a larger archive, only the sources an article quotes (a source it does
not list, it quotes nothing of), so that an article's entry stays small.
"""

from __future__ import annotations

from collections.abc import Sequence

from quoteverify.models import Coverage, Document, Kind, ParagraphCoverage, QuoteResult
from quoteverify.normalize import words

#: up to this many sources, coverage lists every one of them for every article
ALL_SOURCES = 32

#: variants whose source words still count as reproduced
_REPRODUCED = frozenset({Kind.CASE, Kind.SPELLING, Kind.PUNCTUATION})


_WORDS: dict[tuple[str, int, str], tuple[tuple[int, ...], ...]] = {}


def _paragraph_words(doc: Document) -> tuple[tuple[int, ...], ...]:
    """The start offsets of the words of each paragraph of a source (computed once per source)."""
    key = (doc.id, len(doc.text), doc.sha256)
    found = _WORDS.get(key)
    if found is None:
        found = _WORDS[key] = tuple(tuple(t.start for t in words(doc.text, p.start, p.end)) for p in doc.paragraphs)
    return found


def reproduced_words(quote: QuoteResult) -> frozenset[int]:
    """Start offsets of the source words a located quotation reproduces.

    A source word counts when the alignment keeps it unchanged, or changed
    only in case, spelling or punctuation.
    """
    starts: set[int] = set()
    for al in quote.alignment:
        for op in al.ops:
            src = [t for t in al.source_tokens[op.src[0] : op.src[1]] if t.is_word]
            if op.op == "equal":
                starts.update(t.start for t in src)
            elif op.op == "replace":
                # a word changed only in case (at the edge of a quotation, say) is still reproduced
                quo = [t for t in al.quote_tokens[op.quo[0] : op.quo[1]] if t.is_word]
                if len(src) == len(quo):
                    starts.update(s.start for s, q in zip(src, quo) if s.key == q.key)
        minor = [v.source_span for v in quote.variants if v.kind in _REPRODUCED and v.source_span]
        for t in al.source_tokens:
            if t.is_word and any(s <= t.start and t.end <= e for s, e in minor):
                starts.add(t.start)
    return frozenset(starts)


def coverage(quotes: Sequence[QuoteResult], sources: Sequence[Document]) -> tuple[Coverage, ...]:
    """For each source, the fraction of each paragraph's words that ``quotes`` reproduce."""
    out = []
    quoted = {q.location.source for q in quotes if q.location is not None}
    for doc in sources:
        if len(sources) > ALL_SOURCES and doc.id not in quoted:
            continue
        covered: set[int] = set()
        for q in quotes:
            if q.location is not None and q.location.source == doc.id:
                covered |= reproduced_words(q)
        paras = []
        for p, starts in zip(doc.paragraphs, _paragraph_words(doc)):
            n = len(starts)
            got = sum(1 for s in starts if s in covered)
            paras.append(ParagraphCoverage(p.index, round(got / n, 4) if n else 0.0))
        out.append(Coverage(doc.id, tuple(paras)))
    return tuple(out)
