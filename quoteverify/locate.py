"""Locate: find the source passage a quotation renders, or decide it renders none.

The sources are indexed once by word trigrams (and single words for the
shortest quotations). A quotation is located fragment by fragment (the
stretches between marked elisions): the fragment's trigrams that occur in a
source vote for passages; the best few candidate passages are aligned word by
word against the fragment; the passage that reproduces the largest share of
the fragment's words wins, if that share is high enough. Quotations of one or
two words are located only when they occur exactly.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from quoteverify.align import diff_sequences
from quoteverify.models import Document, Fragment, Location, Quotation, Token
from quoteverify.normalize import tokenize

#: fragments this short (in words) are located only when found exactly
SHORT = 2
#: share of a fragment's words a passage must reproduce to be its source
MIN_SHARE = 0.5
#: and at least this many words, for fragments longer than SHORT
MIN_WORDS = 3
#: a trigram more frequent than this in the sources casts no vote
MAX_POSTINGS = 2000
#: how many candidate passages are aligned for each fragment
CANDIDATES = 4


@dataclass(frozen=True)
class _Source:
    doc: Document
    tokens: tuple[Token, ...]
    word_tok: tuple[int, ...]  # index in tokens of each word
    offset: int  # global word position of this source's first word


class SourceIndex:
    """Word indexes over every source document of a case, built once."""

    def __init__(self, sources: Sequence[Document]) -> None:
        self.sources: list[_Source] = []
        self._keys: list[str] = []
        self._starts: list[int] = []
        for doc in sources:
            toks = tokenize(doc.text)
            word_tok = tuple(i for i, t in enumerate(toks) if t.is_word)
            self._starts.append(len(self._keys))
            self.sources.append(_Source(doc, toks, word_tok, len(self._keys)))
            self._keys.extend(toks[i].key for i in word_tok)
            # a boundary key that matches nothing keeps n-grams inside one source
            self._keys.append("\x00")
        self._grams: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        self._words: dict[str, list[int]] = defaultdict(list)
        keys = self._keys
        for g, k in enumerate(keys):
            self._words[k].append(g)
        for g in range(len(keys) - 2):
            self._grams[(keys[g], keys[g + 1], keys[g + 2])].append(g)

    @property
    def documents(self) -> tuple[Document, ...]:
        return tuple(s.doc for s in self.sources)

    def number(self, source_id: str) -> int:
        """The position of a source among the indexed ones, by id."""
        for i, s in enumerate(self.sources):
            if s.doc.id == source_id:
                return i
        raise KeyError(source_id)

    def document(self, source_id: str) -> Document:
        return self.sources[self.number(source_id)].doc

    def source_of(self, g: int) -> int:
        return bisect_right(self._starts, g) - 1

    # ----------------------------------------------------------------- search

    def find(self, keys: Sequence[str], near: int | None = None) -> tuple[int, int, int] | None:
        """Best passage for a fragment's word keys: (global start, global end, matched words).

        ``near`` (a global word position) breaks ties in favour of the
        passage closest to it, so that the fragments of one quotation stay
        together.
        """
        m = len(keys)
        if m == 0:
            return None
        if m <= SHORT:
            return self._exact(keys, near)
        cands = self._candidates(keys)
        best: tuple[float, int, int, int] | None = None
        for lo, hi in cands:
            found = self._verify(keys, lo, hi)
            if found is None:
                continue
            start, end, matched = found
            dist = abs(start - near) if near is not None else 0
            rank = (matched, -dist, -start)
            if best is None or rank > best[:3]:
                best = (*rank, start, end)  # type: ignore[assignment]
        if best is None:
            return None
        matched = best[0]
        if matched < MIN_WORDS or matched / m < MIN_SHARE:
            return None
        return best[3], best[4], int(matched)

    def _exact(self, keys: Sequence[str], near: int | None) -> tuple[int, int, int] | None:
        hits = [g for g in self._words.get(keys[0], ()) if self._keys[g : g + len(keys)] == list(keys)]
        if not hits:
            return None
        g = min(hits, key=lambda h: (abs(h - near), h)) if near is not None else hits[0]
        return g, g + len(keys), len(keys)

    def _candidates(self, keys: Sequence[str]) -> list[tuple[int, int]]:
        m = len(keys)
        hits: list[tuple[int, int]] = []  # (global position, fragment position)
        for i in range(m - 2):
            post = self._grams.get((keys[i], keys[i + 1], keys[i + 2]))
            if post and len(post) <= MAX_POSTINGS:
                hits.extend((g, i) for g in post)
        if not hits:
            return []
        hits.sort()
        gap = m + 20
        clusters: list[list[tuple[int, int]]] = [[hits[0]]]
        for h in hits[1:]:
            prev = clusters[-1][-1]
            if h[0] - prev[0] <= gap and self.source_of(h[0]) == self.source_of(prev[0]):
                clusters[-1].append(h)
            else:
                clusters.append([h])
        scored = sorted(clusters, key=lambda c: (-len({i for _, i in c}), c[0][0]))[:CANDIDATES]
        out = []
        slack = min(m + 10, 60)
        for c in scored:
            src = self.sources[self.source_of(c[0][0])]
            first = src.offset
            last = src.offset + len(src.word_tok)
            lo = max(first, min(g - i for g, i in c) - slack)
            hi = min(last, max(g - i for g, i in c) + m + slack)
            out.append((lo, hi))
        return out

    def _verify(self, keys: Sequence[str], lo: int, hi: int) -> tuple[int, int, int] | None:
        window = self._keys[lo:hi]
        ops = diff_sequences(window, list(keys))
        runs = [(op.src, op.quo) for op in ops if op.op == "equal"]
        if not runs:
            return None
        # drop equal runs at the edges that are small beside the gap that
        # separates them from the rest: chance matches of common words
        while len(runs) > 1 and (runs[0][0][1] - runs[0][0][0]) * 6 < runs[1][0][0] - runs[0][0][1]:
            runs.pop(0)
        while len(runs) > 1 and (runs[-1][0][1] - runs[-1][0][0]) * 6 < runs[-1][0][0] - runs[-2][0][1]:
            runs.pop()
        matched = sum(s1 - s0 for (s0, s1), _ in runs)
        return lo + runs[0][0][0], lo + runs[-1][0][1], matched

    # ----------------------------------------------------------------- spans

    def char_span(self, start: int, end: int, fragment: Sequence[Token]) -> tuple[int, tuple[int, int]]:
        """(source number, character span) of global words ``start:end``.

        The span is widened over punctuation that the fragment also has just
        inside its first or last word (a full stop taken inside the closing
        mark, an opening parenthesis).
        """
        s = self.source_of(start)
        src = self.sources[s]
        t0 = src.word_tok[start - src.offset]
        t1 = src.word_tok[end - 1 - src.offset] + 1
        lead = _punct_run(fragment, reverse=False)
        trail = _punct_run(fragment, reverse=True)
        for norm in reversed(lead):
            if t0 > 0 and not src.tokens[t0 - 1].is_word and src.tokens[t0 - 1].norm == norm:
                t0 -= 1
            else:
                break
        for norm in trail:
            if t1 < len(src.tokens) and not src.tokens[t1].is_word and src.tokens[t1].norm == norm:
                t1 += 1
            else:
                break
        return s, (src.tokens[t0].start, src.tokens[t1 - 1].end)

    def tokens_in(self, source: int, span: tuple[int, int]) -> tuple[Token, ...]:
        """The tokens of a source that lie inside a character span."""
        toks = self.sources[source].tokens
        return tuple(t for t in toks if t.start >= span[0] and t.end <= span[1])


def _punct_run(fragment: Sequence[Token], *, reverse: bool) -> list[str]:
    run = []
    seq = reversed(fragment) if reverse else iter(fragment)
    for t in seq:
        if t.is_word or t.editorial:
            break
        run.append(t.norm)
    return run


def _word_keys(fragment: Sequence[Token]) -> list[str]:
    return [t.key for t in fragment if t.is_word]


def locate(
    quotation: Quotation,
    fragments: Sequence[Sequence[Token]],
    index: SourceIndex,
) -> Location | None:
    """Find the source passage that ``quotation`` renders, or None.

    ``fragments`` are the quotation's tokens fragment by fragment (see
    :func:`quoteverify.normalize.quotation_fragments`). Each fragment is
    located on its own; fragments of one or two words only exactly, and
    preferably near the others. The quotation is located when its located
    fragments hold at least half of its words and lie in one source.
    """
    keys = [_word_keys(f) for f in fragments]
    total = sum(len(k) for k in keys)
    if total == 0 or not index.sources:
        return None
    found: dict[int, tuple[int, int, int]] = {}
    # longer fragments first: they anchor the short ones
    order = sorted(range(len(keys)), key=lambda i: (-len(keys[i]), i))
    for i in order:
        if not keys[i]:
            continue
        if total <= SHORT or len(keys[i]) > SHORT:
            near = _anchor(found, i)
            hit = index.find(keys[i], near)
        else:
            near = _anchor(found, i)
            hit = index.find(keys[i], near) if near is not None else None
        if hit is not None:
            found[i] = hit
    if not found:
        return None
    # all fragments must come from one source: keep the source with most words
    by_source: dict[int, int] = defaultdict(int)
    for g0, _, matched in found.values():
        by_source[index.source_of(g0)] += matched
    best_source = min(by_source, key=lambda s: (-by_source[s], s))
    found = {i: h for i, h in found.items() if index.source_of(h[0]) == best_source}
    matched = sum(h[2] for h in found.values())
    if matched / total < MIN_SHARE:
        return None
    frags = []
    for i in sorted(found):
        g0, g1, _ = found[i]
        _, span = index.char_span(g0, g1, fragments[i])
        f = fragments[i]
        frags.append(Fragment((f[0].start, f[-1].end), span, i))
    src = index.sources[best_source]
    start = min(f.source_span[0] for f in frags)
    end = max(f.source_span[1] for f in frags)
    return Location(src.doc.id, (start, end), tuple(frags), round(matched / total, 4))


def _anchor(found: dict[int, tuple[int, int, int]], i: int) -> int | None:
    """A global word position near which fragment ``i`` should lie."""
    before = [h for j, h in found.items() if j < i]
    if before:
        return max(before, key=lambda h: h[1])[1]
    after = [h for j, h in found.items() if j > i]
    if after:
        return min(after, key=lambda h: h[0])[0]
    return None
