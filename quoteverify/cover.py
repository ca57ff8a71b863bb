"""Cover: which parts of each source an article's direct quotations reproduce.

Coverage lists every paragraph of every source of a case of up to
:data:`ALL_SOURCES` sources; in a larger archive, only the sources an article
quotes and, of each, only the paragraphs it quotes (a source or a paragraph
it does not list, it quotes nothing of), so that an article's entry grows
with what it quotes: listing every paragraph of each quoted source made
results.jsonl 5-8 KB per 1 KB article.
"""

from __future__ import annotations

import weakref
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from operator import itemgetter
from typing import TYPE_CHECKING

from quoteverify._confusables import SKELETON
from quoteverify.models import Coverage, Document, Kind, Paragraph, ParagraphCoverage, QuoteResult, Token, new_tuple

if TYPE_CHECKING:
    import numpy as np

    from quoteverify.locate import SourceIndex

#: up to this many sources, coverage lists every one of them for every article
ALL_SOURCES = 32

#: variants whose source words still count as reproduced
_REPRODUCED = frozenset({Kind.CASE, Kind.SPELLING, Kind.PUNCTUATION})

#: a token's start offset and whether it is a word, read as :class:`~quoteverify.models.Token`'s fields are laid out
_START = itemgetter(2)
_IS_WORD = itemgetter(4)

#: whether :data:`SKELETON` reads every ASCII character as itself, so that an ASCII word's key is its
#: folded form case-folded (see :func:`_same_key`)
_ASCII_AS_ITSELF = all(c >= 128 for c in SKELETON)


def _same_key(a: Token, b: Token) -> bool:
    """``a.key == b.key``, without the look-up of each character in :data:`SKELETON` for two ASCII words.

    ``str.translate`` by a dictionary looks up every character: the two
    keys of a pair of words some 8,000 instructions, most of a replaced
    stretch's cost in coverage. Coverage of every fourth article of the
    10 MB case, 66.1 M -> 62.5 M instructions (callgrind).
    """
    x, y = a.norm, b.norm
    if _ASCII_AS_ITSELF and x.isascii() and y.isascii():
        return x.casefold() == y.casefold()
    return a.key == b.key

def reproduced_words(quote: QuoteResult) -> frozenset[int]:
    """Start offsets of the source words a located quotation reproduces.

    A source word counts when the alignment keeps it unchanged, or changed
    only in case, spelling or punctuation.
    """
    starts: list[int] = []
    _add_reproduced(quote, starts)
    return frozenset(starts)


def _add_reproduced(quote: QuoteResult, starts: list[int]) -> bool:
    """Add the start offsets of :func:`reproduced_words` to ``starts``; whether those added are in order and apart.

    Into the list of the article's quotations of a source, not each into a
    set of its own then copied twice: with the source slice's bounds read
    once, 17 ms instead of 21 ms for the 2,000 quotations of 800 articles of
    the 10 MB case (best of seven). The words of one alignment's steps come
    in text order, each once; another alignment (of another fragment) or a
    minor variant's words may repeat or precede them: then False, and the
    list is to be sorted and its repeats dropped (see :func:`coverage`).
    """
    variants = quote.variants
    minor = [v.source_span for v in variants if v.kind in _REPRODUCED and v.source_span] if variants else ()
    extend = starts.extend
    alignments = quote.alignment
    for al in alignments:
        source = al.source_tokens
        for op in al.ops:
            name = op.op
            if name == "equal":
                a, b = op.src
                # the words' starts read by C calls, not a comprehension: coverage of every eighth
                # article of the 10 MB case, 42.7 M -> 41.6 M instructions (callgrind)
                extend(map(_START, filter(_IS_WORD, source[a:b])))
            elif name == "replace":
                # a word changed only in case (at the edge of a quotation, say) is still reproduced
                src = [t for t in source[op.src[0] : op.src[1]] if t.is_word]
                quo = [t for t in al.quote_tokens[op.quo[0] : op.quo[1]] if t.is_word]
                if len(src) == len(quo):
                    extend([s.start for s, q in zip(src, quo) if _same_key(s, q)])
        for s, e in minor:
            extend([t.start for t in source if t.is_word and s <= t.start and t.end <= e])
    return len(alignments) <= 1 and not minor


def coverage(quotes: Sequence[QuoteResult], index: SourceIndex) -> tuple[Coverage, ...]:
    """For each indexed source, the fraction of each paragraph's words that ``quotes`` reproduce.

    The words of a paragraph are counted from the index (the start offsets
    of a source's words, in order), so no source is tokenised again.

    The starts of a source's words quoted are gathered in a list, sorted and
    rid of repeats only where they may be out of order (most sources an
    article quotes, it quotes once, with one alignment), not in a set
    sorted after: coverage of the 2,000 articles of the 10 MB case,
    71.4 ms -> 64.0 ms (process time, best of 21, alternated in one process).
    """
    sources = index.documents
    covered: dict[str, list[int]] = {}
    mixed: set[str] = set()  # the sources whose starts may be out of order or repeat
    for q in quotes:
        loc = q.location
        if loc is not None:
            starts = covered.get(loc.source)
            if starts is None:
                starts = covered[loc.source] = []
            elif starts:
                mixed.add(loc.source)
            if not _add_reproduced(q, starts):
                mixed.add(loc.source)
    for source in mixed:
        covered[source] = sorted(set(covered[source]))
    counted = _counted(index)
    if len(sources) <= ALL_SOURCES:
        return tuple(
            [
                new_tuple(Coverage, (doc.id, _every_paragraph(doc, covered.get(doc.id, []), counted.words(no))))
                for no, doc in enumerate(sources)
            ]
        )
    out: list[Coverage] = []
    for no, source in sorted([(index.number(s), s) for s in covered]):
        starts, words = counted.paragraphs(no)
        out.append(new_tuple(Coverage, (source, _quoted_paragraphs(sources[no], covered[source], starts, words))))
    return tuple(out)


class _ParagraphWords:
    """The start offset and the number of words of each paragraph of each indexed source, counted once per source.

    Counting a quoted source's paragraphs from the index for every article
    (``searchsorted`` on the source's word starts, some 5 us a call) made
    coverage take 0.18 s for the 2,000 articles of a 500-source archive;
    counted once, 0.16 s (medians of three runs).
    """

    def __init__(self, index: SourceIndex) -> None:
        self.index = index
        self._both: dict[int, tuple[list[int], list[int]]] = {}

    def paragraphs(self, no: int) -> tuple[list[int], list[int]]:
        """The start offset of each paragraph of source ``no``, and :meth:`words`: in one look-up, once counted."""
        got = self._both.get(no)
        if got is None:
            got = self._both[no] = _starts_and_words(self.index.documents[no].paragraphs, self.index.word_starts(no))
        return got

    def words(self, no: int) -> list[int]:
        return self.paragraphs(no)[1]


def paragraph_words(paragraphs: Sequence[Paragraph], starts: np.ndarray) -> list[int]:
    """The number of words of each of ``paragraphs``, given the start offsets of the text's words (in order)."""
    return _starts_and_words(paragraphs, starts)[1]


def _starts_and_words(paragraphs: Sequence[Paragraph], starts: np.ndarray) -> tuple[list[int], list[int]]:
    """The start offset of each of ``paragraphs``, and :func:`paragraph_words`.

    Their starts and ends listed in one loop and searched for as the two
    rows of one array, their differences taken by numpy, not a list of
    every bound searched for and the differences taken in a comprehension
    (and the starts listed again): the 500 sources of the 10 MB case
    counted in 5.1 ms instead of 7.6 ms (process time, best of 10,
    alternated in one process).
    """
    firsts: list[int] = []
    lasts: list[int] = []
    for p in paragraphs:
        firsts.append(p.start)
        lasts.append(p.end)
    bounds = starts.searchsorted([firsts, lasts])
    words: list[int] = (bounds[1] - bounds[0]).tolist()
    return firsts, words


_COUNTED: weakref.WeakKeyDictionary[SourceIndex, _ParagraphWords] = weakref.WeakKeyDictionary()


def _counted(index: SourceIndex) -> _ParagraphWords:
    counted = _COUNTED.get(index)
    if counted is None:
        counted = _COUNTED[index] = _ParagraphWords(index)
    return counted


#: each share :func:`_share` has worked out, by its words reproduced and in all
_SHARES: dict[tuple[int, int], float] = {}


def _share(got: int, words: int) -> float:
    """``got / words`` to 4 decimals (0.0 of no words).

    Worked out once a pair and then looked up: ``round(x, 4)`` writes the
    number out and reads it back (some 4,000 instructions), and the 6,219
    paragraphs quoted by the 2,000 articles of the 10 MB case are a few
    hundred pairs. With :class:`~quoteverify.models.Coverage` and
    :class:`~quoteverify.models.ParagraphCoverage` named tuples, coverage
    took 10 % fewer instructions (150 articles of the case: 27.6 -> 24.8 M).
    """
    share = _SHARES.get((got, words))
    if share is None:
        share = round(got / words, 4) if words else 0.0
        if len(_SHARES) >= 4096:
            _SHARES.clear()
        _SHARES[got, words] = share
    return share


def _every_paragraph(doc: Document, covered: list[int], words: list[int]) -> tuple[ParagraphCoverage, ...]:
    """The share of each paragraph of ``doc`` (of ``words`` words each) whose words start at the ``covered`` offsets (in order)."""
    return tuple(
        [
            new_tuple(ParagraphCoverage, (p.index, _share(bisect_left(covered, p.end) - bisect_left(covered, p.start), words[k])))
            for k, p in enumerate(doc.paragraphs)
        ]
    )


def _quoted_paragraphs(doc: Document, covered: list[int], starts: list[int], words: list[int]) -> tuple[ParagraphCoverage, ...]:
    """The share of each paragraph of ``doc`` that holds one of the ``covered`` offsets (in order).

    ``starts`` and ``words``: the start offset and the number of words of
    each paragraph. Only the quoted paragraphs are looked at, each found by
    bisection: a source's paragraphs lie in text order, one after another.
    Scoring every paragraph of each quoted source (some 40, of which an
    article quotes one or two) made coverage take 0.57 s, profiled, for the
    2,000 articles of a 500-source archive.
    """
    paragraphs = doc.paragraphs
    k = bisect_right(starts, covered[0]) - 1 if covered else -1
    if k >= 0 and covered[-1] < paragraphs[k].end:
        # every offset in one paragraph, as most articles' of a source are: no second bisection (with each
        # source's paragraphs looked up once, every eighth article of the 10 MB case 41.6 M -> 40.5 M instructions)
        return (new_tuple(ParagraphCoverage, (paragraphs[k].index, _share(len(covered), words[k]))),)
    out: list[ParagraphCoverage] = []
    i = 0
    while i < len(covered):
        k = bisect_right(starts, covered[i]) - 1
        if k >= 0 and covered[i] < paragraphs[k].end:
            j = bisect_left(covered, paragraphs[k].end, i)
            out.append(new_tuple(ParagraphCoverage, (paragraphs[k].index, _share(j - i, words[k]))))
            i = j
        else:  # between two paragraphs, or before the first
            i = bisect_left(covered, starts[k + 1], i) if k + 1 < len(paragraphs) else len(covered)
    return tuple(out)
