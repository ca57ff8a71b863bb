"""Scoring: how a candidate passage matches a fragment, and how far beyond chance.

A passage found in a candidate window is aligned word by word with the
fragment (:func:`_verify`: rapidfuzz's ``Indel.opcodes`` over word ids
encoded one character per word), with its transposed words matched where
asked (:func:`_transposed`).

A quotation is located when its passages, in one source, reproduce enough
of its words (``MIN_SHARE``) and are significant: chance, in sources of
this size, would give passages as good at most exp(-``MIN_SIGNIFICANCE``)
times (:func:`chance`). The test weighs the information of the matched
words under the word-pair model (common phrases are cheap: see
:func:`quoteverify.locate.index._pair_information`) against the number of
places and shapes such a likeness could take, and the edits (gaps, moved
words) a rendering would have made (:func:`significance`); the threshold
thus grows with the log of the sources' size.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import NamedTuple, Protocol, cast

from rapidfuzz.distance import Indel, LCSseq, Levenshtein

from quoteverify.locate.index import Aligned, SourceIndex

#: share of a fragment's words a passage must reproduce to be its source
MIN_SHARE = 0.6
#: and at least this many words, for fragments longer than SHORT
MIN_WORDS = 3
#: a quotation is located only when chance would give so good a passage
#: anywhere in the sources at most exp(-MIN_SIGNIFICANCE) times (see
#: :func:`quoteverify.locate.place.locate`)
MIN_SIGNIFICANCE = 2.5

#: a word of a fragment that the alignment leaves out is still matched where
#: the passage has it this many words or fewer from its place (transposed)
TRANSPOSE_REACH = 2
_NEAREST_FIRST = sorted(range(-TRANSPOSE_REACH, TRANSPOSE_REACH + 1), key=abs)
#: the log of the places a transposed word could come from
_MOVE_COST = math.log(2 * TRANSPOSE_REACH + 1)
#: the cost, in nats, of a gap between two runs of matched words (words of
#: the passage or of the fragment that the other lacks): a rendering drops
#: or adds a word here and there (about one place in five: log 5), a chance
#: likeness matches words scattered over the passage
GAP_OPEN = math.log(5)
#: and of each word in the gaps (a cut goes on with chance 0.8)
GAP_EXTEND = -math.log(0.8)


class Hit(NamedTuple):
    """The passage found for one fragment."""

    global_start: int  # global word position of its first matched word
    global_end: int  # and one past its last
    matched: int  # how many of the fragment's words it matches
    significance: float  # how far beyond chance, in nats (see significance)


class _Match(NamedTuple):
    """How a passage matches a fragment (see :func:`_verify`)."""

    # (start, end) of the runs of matched words, ascending and apart: positions
    # in the window plus the offset given (global word positions when that is
    # the window's own global start)
    source: list[tuple[int, int]]
    matched: int  # how many words match
    moved: int  # how many of them are matched out of order (transposed)


class _Opcodes(Protocol):
    def as_list(self) -> list[tuple[str, int, int, int, int]]: ...


#: ``Indel.opcodes``, typed as what it gives: rapidfuzz's stubs type the
#: items of ``as_list()`` as ``Opcode`` objects (whose fields read as
#: ``int | str``); they are tuples (tag, window start, window end, fragment
#: start, fragment end)
_opcodes = cast(Callable[[Aligned, Aligned], _Opcodes], Indel.opcodes)


def _verify(q: Aligned, window: Aligned, lcs: int, transposed: bool = True, offset: int = 0) -> _Match | None:
    """Where in ``window`` the fragment ``q`` lies: the runs of matched words, as offsets into ``window`` plus ``offset``.

    ``lcs`` is the length of the longest common subsequence of the two. Of
    the stretches of ``window`` that hold such a subsequence, the shortest
    one that starts last is aligned against the fragment (so that a common
    word just before or after the passage is not taken for part of it),
    its end moved on a word or so when that takes fewer edits
    (:func:`_fewest_edits_end`);
    equal runs at its edges that are small beside the gap that separates them
    from the rest (chance matches of common words) are dropped, and the
    words of the remaining runs are the matched ones. With ``transposed``,
    a word of the fragment left out of them that the passage has, unmatched, at most
    ``TRANSPOSE_REACH`` words from where the alignment puts it, is matched
    too (a transposition: the subsequence keeps only one of two swapped
    words).
    """
    if lcs <= 0:
        return None
    # one alignment of the whole window brackets both searches of _tightest:
    # the subsequence it matches lies between its first and last matched words
    first = end = -1  # window positions of the first matched word, and one past the last
    for tag, w0, w1, _, _ in _opcodes(window, q).as_list():
        if tag == "equal":
            if first < 0:
                first = w0
            end = w1
    if first < 0:
        return None
    a, lo = _tightest(q, window, lcs, first, end)
    lo = _fewest_edits_end(q, window, lcs, a, lo)
    # The aligned runs: (window start, window end, fragment start, fragment
    # end) each. Plain tuples, unpacked by name where read: they are made in
    # the hot path, and a NamedTuple takes three times as long to make
    # (10 runs: 1.2 µs as tuples, 3.2 µs as NamedTuples, measured).
    runs = [(a + w0, a + w1, f0, f1) for tag, w0, w1, f0, f1 in _opcodes(window[a : a + lo], q).as_list() if tag == "equal"]
    if not runs:
        return None
    while len(runs) > 1:  # a small first run far before the rest
        (w0, w1, _, _), (next_w0, _, _, _) = runs[0], runs[1]
        if (w1 - w0) * 6 >= next_w0 - w1:
            break
        runs.pop(0)
    while len(runs) > 1:  # a small last run far after the rest
        (_, prev_w1, _, _), (w0, w1, _, _) = runs[-2], runs[-1]
        if (w1 - w0) * 6 >= w0 - prev_w1:
            break
        runs.pop()
    source: list[tuple[int, int]] = []
    matched = 0
    start = stop = -1  # the span being joined (window positions plus offset)
    for w0, w1, f0, f1 in runs:
        matched += f1 - f0
        if w0 + offset != stop:
            if stop >= 0:
                source.append((start, stop))
            start = w0 + offset
        stop = w1 + offset
    source.append((start, stop))
    if transposed and matched < len(q):
        moved = _transposed(q, window, runs)
        if moved:
            spans = _merge_spans(sorted(source + [(g + offset, g + offset + 1) for g in moved]))
            return _Match(spans, matched + len(moved), len(moved))
    return _Match(source, matched, 0)


#: how many words past the shortest stretch its end may move (see :func:`_fewest_edits_end`)
END_REACH = 3


def _fewest_edits_end(q: Aligned, window: Aligned, lcs: int, a: int, lo: int) -> int:
    """The length of the stretch from ``a``: ``lo``, or up to :data:`END_REACH` words more when that takes fewer edits.

    The shortest stretch can stop one repeated word early: "candle yellow
    to yellow yellow" quoted as "candle X X yellow yellow" holds its common
    subsequence already in "candle yellow to yellow", with three edits (two
    words inserted, one left out), where the whole passage takes two (two
    words replaced). Only fragments with words left unmatched can gain.
    """
    reach = min(END_REACH, len(q) - lcs, len(window) - a - lo)
    if reach <= 0:
        return lo
    distance = Levenshtein.distance
    best, length = distance(window[a : a + lo], q), lo
    for n in range(lo + 1, lo + reach + 1):
        d = distance(window[a : a + n], q)
        if d < best:
            best, length = d, n
    return length


def _tightest(q: Aligned, window: Aligned, lcs: int, first: int, end: int) -> tuple[int, int]:
    """(start, length) of the shortest stretch of ``window`` that starts last and holds ``lcs`` words of ``q`` in order.

    ``first`` and ``end`` are where an alignment of the whole window
    matches its first word and ends its last (window positions): the
    stretch starts at ``first`` or after it.
    """
    sim = LCSseq.similarity
    a, b = first, len(window) - lcs  # the latest start that keeps the whole subsequence
    if a < b:
        if sim(window[a + 1 :], q, score_cutoff=lcs) < lcs:
            b = a  # (the usual case) the alignment's own start
        else:
            a += 1
    while a < b:
        mid = (a + b + 1) // 2
        if sim(window[mid:], q, score_cutoff=lcs) >= lcs:
            a = mid
        else:
            b = mid - 1
    tail = window[a:]
    lo, hi = lcs, len(tail)  # the earliest end after that start
    if a == first:
        hi = end - a  # the alignment ends there
        if lo < hi and sim(tail[: hi - 1], q, score_cutoff=lcs) < lcs:
            lo = hi
    while lo < hi:
        mid = (lo + hi) // 2
        if sim(tail[:mid], q, score_cutoff=lcs) >= lcs:
            hi = mid
        else:
            lo = mid + 1
    return a, lo


def _transposed(q: Aligned, window: Aligned, runs: list[tuple[int, int, int, int]]) -> list[int]:
    """Positions in ``window`` of words of ``q`` that the aligned ``runs`` leave out but that stand nearby.

    ``runs`` are (window start, window end, fragment start, fragment end)
    of the aligned equal runs. Each word of the fragment outside them (in
    gaps between them of at most twice ``TRANSPOSE_REACH`` words, or that
    many words before or after them) is looked for among the window's
    unmatched words at most ``TRANSPOSE_REACH`` places from the one the
    alignment projects it onto.
    """
    out: list[int] = []
    taken: set[int] | None = None
    n = len(window)
    reach = TRANSPOSE_REACH
    after_run = False  # whether a run came before
    prev_w1 = prev_f1 = 0  # the window end and fragment end of that run
    # the fragment's words before, between and after the runs
    for w0, w1, f0, f1 in runs + [(-1, -1, len(q) + reach, -1)]:
        first = prev_f1 if after_run else max(0, f0 - reach)
        if after_run and w0 >= 0 and f0 - first > 2 * reach:
            prev_w1, prev_f1 = w1, f1
            continue  # a wide gap is an edit of its own, not a word moved nearby
        for j in range(first, min(f0, len(q))):
            word = q[j]
            projected = prev_w1 + j - prev_f1 if after_run else w0 - (f0 - j)
            lo, hi = max(projected - reach, 0), min(projected + reach + 1, n)
            if isinstance(window, str) and isinstance(word, str):
                if word == "\x01" or window.find(word, lo, hi) < 0:
                    continue  # not nearby (an unknown word matches nothing)
            elif isinstance(word, int) and isinstance(window, list) and (word < 0 or word not in window[lo:hi]):
                continue
            if taken is None:
                taken = {x for r0, r1, _, _ in runs for x in range(r0, r1)}
            for d in _NEAREST_FIRST:
                g = projected + d
                if lo <= g < hi and window[g] == word and g not in taken:
                    taken.add(g)
                    out.append(g)
                    break
        after_run = True
        prev_w1, prev_f1 = w1, f1
    return out


def _merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of word positions (ascending, apart, not negative) with adjoining ones joined."""
    out: list[tuple[int, int]] = []
    start = stop = -1  # the span being joined
    for a, b in spans:
        if a != stop:
            if stop >= 0:
                out.append((start, stop))
            start = a
        stop = b
    if stop >= 0:
        out.append((start, stop))
    return out


# --------------------------------------------------------------------------- significance

_LOG_FACTORIAL = [math.lgamma(n + 1) for n in range(1024)]


def _log_choose(n: int, k: int) -> float:
    """The natural log of the binomial coefficient (n choose k); 0 outside 0 <= k <= n."""
    if k <= 0 or k >= n:
        return 0.0
    if n < 1024:
        f = _LOG_FACTORIAL
        return f[n] - f[k] - f[n - k]
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def _distance_cost(g: int, near: int | None) -> float:
    """The log of the number of places ``g`` could be at this distance from ``near`` (0 without it)."""
    return 0.0 if near is None else math.log(2 + abs(g - near))


def significance(index: SourceIndex, spans: Sequence[tuple[int, int]], m: int, moved: int = 0) -> float:
    """How far beyond chance a passage reproduces a fragment of ``m`` words, in nats.

    ``spans`` are the global (start, end) of the runs of source words
    that the passage matches, ascending and apart; ``moved`` of the
    words are matched out of order (transposed).

    The information of the matched words under the sources' word-pair
    model (each word given the one before it, within a run; the first
    of a run given its frequency alone: see
    :func:`~quoteverify.locate.index._pair_information`) is the log of how
    unlikely such words are at one place of the sources. From it are taken
    the log of the number of matches of this shape (which of the fragment's
    words match, how they split into runs, how the source words left out
    split into the gaps between them) and the cost of the edits that a
    rendering would have made: ``GAP_OPEN`` for each gap, ``GAP_EXTEND``
    for each word in one, ``_MOVE_COST`` for each moved word. What is left
    is the log of how much likelier the passage is as the fragment's
    rendering than as chance, per starting place in the sources (see
    :func:`chance`).
    """
    info, idf, ids = index._pair_view, index._idf, index._ids_view
    total = 0.0
    matched = 0
    for a, b in spans:
        total += idf[ids[a]] + sum(info[a + 1 : b])
        matched += b - a
    if len(spans) == 1:
        return total - _log_choose(m, matched) - moved * _MOVE_COST
    gaps = len(spans) - 1
    (first, _), (_, last) = spans[0], spans[-1]
    skipped = last - first - matched
    shapes = _log_choose(m, matched) + _log_choose(matched - 1, gaps) + _log_choose(skipped - 1, gaps - 1)
    return total - shapes - gaps * GAP_OPEN - skipped * GAP_EXTEND - moved * _MOVE_COST


def chance(index: SourceIndex, hits: Sequence[Hit]) -> float:
    """The log of how many passages as good as ``hits`` (one quotation's fragments) chance would give.

    A passage could start at any of the sources' words; each further
    fragment, near the one before it (the cost of its distance, see
    :func:`_distance_cost`); each fragment's significance makes it that
    much less likely. Below ``-MIN_SIGNIFICANCE`` the quotation is
    located.
    """
    ordered = sorted(hits)
    out = math.log(max(index._words_total, 1)) - sum(h.significance for h in ordered)
    for before, after in zip(ordered, ordered[1:]):
        out += _distance_cost(after.global_start, before.global_end)
    return out
