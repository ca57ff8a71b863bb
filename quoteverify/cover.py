"""Cover: which parts of each source an article's direct quotations reproduce.

Coverage lists every paragraph of every source of a case of up to
:data:`ALL_SOURCES` sources; in a larger archive, only the sources an article
quotes and, of each, only the paragraphs it quotes (a source or a paragraph
it does not list, it quotes nothing of), so that an article's entry grows
with what it quotes: listing every paragraph of each quoted source made
results.jsonl 5-8 KB per 1 KB article.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from typing import TYPE_CHECKING

from quoteverify.models import Coverage, Kind, ParagraphCoverage, QuoteResult

if TYPE_CHECKING:
    from quoteverify.locate import SourceIndex

#: up to this many sources, coverage lists every one of them for every article
ALL_SOURCES = 32

#: variants whose source words still count as reproduced
_REPRODUCED = frozenset({Kind.CASE, Kind.SPELLING, Kind.PUNCTUATION})


def reproduced_words(quote: QuoteResult) -> frozenset[int]:
    """Start offsets of the source words a located quotation reproduces.

    A source word counts when the alignment keeps it unchanged, or changed
    only in case, spelling or punctuation.
    """
    starts: set[int] = set()
    minor = [v.source_span for v in quote.variants if v.kind in _REPRODUCED and v.source_span]
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
        if minor:
            for t in al.source_tokens:
                if t.is_word and any(s <= t.start and t.end <= e for s, e in minor):
                    starts.add(t.start)
    return frozenset(starts)


def coverage(quotes: Sequence[QuoteResult], index: SourceIndex) -> tuple[Coverage, ...]:
    """For each indexed source, the fraction of each paragraph's words that ``quotes`` reproduce.

    The words of a paragraph are counted from the index (the start offsets
    of a source's words, in order), so no source is tokenised again.
    """
    out = []
    sources = index.documents
    quoted = {q.location.source for q in quotes if q.location is not None}
    every = len(sources) <= ALL_SOURCES
    listed = range(len(sources)) if every else sorted(index.number(s) for s in quoted)
    for no in listed:
        doc = sources[no]
        covered: set[int] = set()
        for q in quotes:
            if q.location is not None and q.location.source == doc.id:
                covered |= reproduced_words(q)
        ordered = sorted(covered)
        starts = index.word_starts(no)
        bounds = starts.searchsorted([x for p in doc.paragraphs for x in (p.start, p.end)]).tolist()
        paras = []
        for k, p in enumerate(doc.paragraphs):
            n = bounds[2 * k + 1] - bounds[2 * k]
            got = bisect_left(ordered, p.end) - bisect_left(ordered, p.start) if ordered else 0
            if got or every:
                paras.append(ParagraphCoverage(p.index, round(got / n, 4) if n else 0.0))
        out.append(Coverage(doc.id, tuple(paras)))
    return tuple(out)
