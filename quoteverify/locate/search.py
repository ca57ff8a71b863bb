"""Search: the passage of the sources that one fragment of a quotation renders.

A fragment (the words between two marked elisions, as word ids) is
looked for in the index (:func:`find_ids`):

1. an exact occurrence of the fragment's words is looked for first: the
   positions of its rarest probe trigram are compared whole with the
   fragment, with no alignment at all (most real quotations are exact:
   :func:`_exact`); fragments of one or two words are looked for only so
   (:func:`_exact_short`);
2. otherwise the fragment's trigrams are looked up;
3. when most of the fragment's trigrams that occur only once in the
   sources lie together, and the passage there reproduces most of the
   fragment significantly, that passage is taken at once (for a fragment
   not placed near others already found: :func:`_by_unique_seeds`);
4. otherwise the trigram hits, and those of the fragment's rarest words,
   vote for passages (hits on nearby diagonals of one source form a candidate,
   ranked by hits and their rarity: :func:`_candidates`); the best few
   candidates are screened by their longest common subsequence with the
   fragment and the best aligned word by word (rapidfuzz's
   ``Indel.opcodes`` over word ids encoded one character per word: see
   :func:`quoteverify.locate.score._verify`); the most significant passage
   wins (:func:`quoteverify.locate.score.significance`);
5. when none is significant, or reproduces enough of the fragment, the
   best is aligned again with its transposed words matched, beside the
   places where the fragment's rarer words occur together in any order
   (a heavily edited short fragment keeps few trigrams, or none:
   :func:`_cooccurring`): a significant passage found so is taken.

Positions here are global word positions (see
:mod:`quoteverify.locate.index`) unless named otherwise: a *diagonal* is
the global position where a fragment would start, given one of its words
or trigrams at a global position; a fragment position counts the
fragment's own words.
"""

from __future__ import annotations

import math
import sys
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided
from rapidfuzz.distance import LCSseq

from quoteverify.locate.index import Aligned, SourceIndex
from quoteverify.locate.score import (
    MIN_SHARE,
    MIN_SIGNIFICANCE,
    MIN_WORDS,
    TRANSPOSE_REACH,
    Hit,
    _distance_cost,
    _verify,
    significance,
)

#: fragments this short (in words) are located only when found exactly
SHORT = 2
#: a trigram more frequent than this in the sources casts no vote
MAX_POSTINGS = 2000
#: trigrams found once in all the sources that, on one stretch, place a fragment without a vote
UNIQUE_SEEDS = 2
#: share of its words the passage they point to must reproduce for that
SURE_SHARE = 0.8
#: with fewer unique trigrams, those found in at most this many places are the seeds
SEED_PLACES = 8
#: of the windows that cannot reproduce MIN_SHARE of a fragment (only with
#: its transposed words matched), at most this many are aligned, best first
SHORT_TRIES = 2
#: how many candidate passages are aligned for each fragment (more when tied)
CANDIDATES = 4
#: at most this many tied candidate passages are screened
MAX_SCREEN = 48
#: trigram hits that vote for candidate passages, rarest trigrams first
HIT_BUDGET = 400
#: the rarest words of a fragment that vote too, if found at most MAX_ANCHOR times
WORD_ANCHORS = 3
MAX_ANCHOR = 64
#: an exact occurrence is sought among at most this many positions of the rarest trigram
MAX_EXACT_CHECKS = 100_000

#: the rarest words of a fragment that no passage renders significantly are
#: looked up together (in any order) where they occur this many times in all
COOCCUR_BUDGET = 1000
#: and only for fragments of at most this many words (unless near other fragments):
#: a longer one keeps enough intact trigrams through edits to be found by them
COOCCUR_WORDS = 12

#: a diagonal beyond every other: it closes the last stretch of seeds
_BEYOND = sys.maxsize


class _Ranked(NamedTuple):
    """A passage aligned in a candidate window, as :func:`_align_best` ranks them."""

    rank: float  # its significance, less the cost of its distance from the other fragments
    global_start: int  # global word position of its first matched word (the earlier wins a tie)
    global_end: int  # and one past its last
    matched: int  # how many of the fragment's words it matches
    significance: float  # how far beyond chance, in nats


def find(index: SourceIndex, keys: Sequence[str], near: int | None = None, *, shortcut: bool = True) -> Hit | None:
    """Best passage for a fragment's word keys (see :func:`find_ids`)."""
    return find_ids(index, index.word_ids(keys), near, shortcut)


def find_ids(index: SourceIndex, q: Sequence[int], near: int | None = None, shortcut: bool = True) -> Hit | None:
    """Best passage for a fragment's word ids (:meth:`SourceIndex.word_ids`), or None.

    ``near`` (a global word position) breaks ties in favour of the
    passage closest to it, so that the fragments of one quotation stay
    together. With ``shortcut``, a fragment's unique trigrams may place it
    without a vote (:func:`_by_unique_seeds`); without it, every fragment
    is put to the vote.

    The passages found through the fragment's trigrams are ranked by
    significance (:func:`~quoteverify.locate.score.significance`, less the
    cost of their distance from ``near``). When none of them is significant
    enough to locate the fragment on its own (``MIN_SIGNIFICANCE``, and
    beyond the number of places in the sources when there is no ``near``),
    or reproduces ``MIN_SHARE`` of it, the best is aligned again with its
    transposed words matched (see :func:`~quoteverify.locate.score._verify`),
    together with the passages where the fragment's rarer words occur
    together, in any order, and the stretch around ``near``
    (:func:`_cooccurring`): heavily edited short fragments keep few
    trigrams or none. Of these, only a significant passage is taken.
    """
    m = len(q)
    if m == 0 or not index.sources:
        return None
    if m <= SHORT:
        return _exact_short(index, q, near)
    if not len(index._gram_keys):
        return None
    qs = index.seq_of(q)
    best: _Ranked | None = None
    if min(q) >= 0:
        exact = _exact(index, q, qs)
        if exact:
            # every occurrence has the same words, so the same significance
            sig = significance(index, [(exact[0], exact[0] + m)], m)
            if near is None:
                return Hit(exact[0], exact[0] + m, m, sig)
            # every exact occurrence was compared: no passage reproduces
            # more, and the nearest is the one the fragments share
            g = min(exact, key=lambda g: (abs(g - near), g))
            return Hit(g, g + m, m, sig)
    sel, slot = index.trigram_slots(q)
    needed = MIN_SIGNIFICANCE + (0.0 if near is not None else math.log(max(index._words_total, 1)))
    if sel:
        ptr = index._gram_ptr_view
        lo = [ptr[k] for k in slot]
        counts = [ptr[k + 1] - a for k, a in zip(slot, lo)]
        if near is None and shortcut:
            hit = _by_unique_seeds(index, sel, lo, counts, q, qs, needed)
            if hit is not None:
                return hit
        candidates = _candidates(index, sel, lo, counts, q)
        best = _align_best(index, q, qs, candidates, near, best, False)
    if best is None or best.rank < needed or best.matched < MIN_SHARE * m:
        wider = []
        if best is not None:  # the best passage so far, to match its transposed words
            s = index.sources[index.source_of(best.global_start)]
            wider.append((max(s.offset, best.global_start - TRANSPOSE_REACH), min(s.offset + s.words, best.global_end + TRANSPOSE_REACH)))
        if near is not None or m <= COOCCUR_WORDS:
            wider += _cooccurring(index, q, near)
        rescued = _align_best(index, q, qs, wider, near, best, True)
        if rescued is not None and rescued.rank >= needed:
            best = rescued  # only a significant passage is taken from this wider search
    if best is None:
        return None
    matched = best.matched
    if matched < MIN_WORDS or matched / m < MIN_SHARE:
        return None
    return Hit(best.global_start, best.global_end, matched, best.significance)


def _align_best(
    index: SourceIndex,
    q: Sequence[int],
    qs: Aligned,
    candidates: list[tuple[int, int]],
    near: int | None,
    best: _Ranked | None,
    transposed: bool,
) -> _Ranked | None:
    """The best of ``best`` and the passages aligned in the candidate windows (with ``transposed`` words matched).

    ``candidates`` are (start, end) global word positions of the windows.
    A passage reproduces at most its longest common subsequence with
    the fragment: the windows are aligned the most promising first, and
    those that cannot match as many words as the best so far are skipped.
    """
    if not candidates:
        return best
    m = len(q)
    similarity = LCSseq.similarity
    seq = index._seq
    # the windows cut here, not by index.window: ten windows 2.1 -> 1.0-1.5 µs (ten a call on average, 31,718 in the 10 MB case)
    windows = [seq[wlo:whi] for wlo, whi in candidates] if isinstance(seq, str) else [index.window(wlo, whi) for wlo, whi in candidates]
    screened = [(-similarity(window, qs), wlo, n, window) for n, ((wlo, _), window) in enumerate(zip(candidates, windows))]
    screened.sort()  # most common words first, then by position (n keeps equal windows in order)
    most = best.matched if best is not None else 0
    short = 0  # windows aligned that cannot reproduce the share a fragment needs
    for lcs, wlo, _, window in screened:
        lcs = -lcs
        if lcs < MIN_WORDS or lcs < most:
            break
        if lcs < m * MIN_SHARE:
            short += 1
            if short > SHORT_TRIES:
                break
        match = _verify(qs, window, lcs, transposed, wlo)
        if match is None:
            continue
        spans, matched = match.source, match.matched
        (start, _), (_, end) = spans[0], spans[-1]
        if matched > most:
            most = matched
        sig = significance(index, spans, m, match.moved)
        rank = sig - _distance_cost(start, near) if near is not None else sig
        # the higher rank wins, and of equal ones the earlier passage
        if best is None or (rank, -start) > (best.rank, -best.global_start):
            best = _Ranked(rank, start, end, matched, sig)
    return best


def _cooccurring(index: SourceIndex, q: Sequence[int], near: int | None) -> list[tuple[int, int]]:
    """Word windows where the fragment's words occur together, in any order; and the stretch around ``near``.

    The fragment's rarest words (as many as occur ``COOCCUR_BUDGET``
    times in all; none if the rarest alone occurs more often) are looked
    up; around each occurrence, the window where the fragment would lie
    is scored by how many of the fragment's words it holds, wherever
    they stand in it. The best ``CANDIDATES`` windows are returned, as
    (start, end) global word positions.
    """
    m = len(q)
    out: list[tuple[int, int]] = []
    if near is not None:  # the stretch around the other fragments, on both sides
        s = index.sources[index.source_of(max(near, 0))]
        slack = _slack(m)
        wlo, whi = max(s.offset, near - m - slack), min(s.offset + s.words, near + m + slack)
        if wlo < whi:
            out.append((wlo, whi))
    freq = index._freq
    rare = sorted({(freq[w], j, w) for j, w in enumerate(q) if w >= 0})
    anchors: list[tuple[int, int]] = []  # (fragment position, word id)
    used = 0
    for n, j, w in rare:
        if used + n > COOCCUR_BUDGET:
            break
        if all(w != x for _, x in anchors):
            anchors.append((j, w))
            used += n
    if not anchors:
        return out
    wptr, wpos = index._word_ptr, index._word_pos
    starts = np.concatenate([wpos[wptr[w] : wptr[w + 1]].astype(np.int64) - j for j, w in anchors])
    reach = TRANSPOSE_REACH
    ids = index._ids
    starts = starts[(starts >= reach) & (starts < len(ids) - m - reach)]
    if not len(starts):
        return out  # (and the sources are no wider than a window: the view below would have no rows)
    # each start's window read as a row of a strided view of the word ids, and
    # the fragment's words marked in a table of the vocabulary (its last slot,
    # unmarked, is the one the source boundaries' -1 reads): no index array of
    # every word of every window is built, and no sort to test membership
    # (_cooccurring, the 252 calls of the 10 MB case: 31 -> 23 ms, the two side by side)
    width = m + 2 * reach
    step = ids.strides[0]
    rows = as_strided(ids, shape=(len(ids) - width + 1, width), strides=(step, step), writeable=False)
    in_fragment = np.zeros(len(freq) + 1, dtype=bool)
    in_fragment[[w for w in q if w >= 0]] = True
    score = in_fragment[rows[starts - reach]].sum(axis=1, dtype=np.int8)
    top = np.argsort(-score, kind="stable")[: CANDIDATES * 2]
    seen: set[int] = set()
    for g in starts[top].tolist():
        if g in seen:
            continue
        seen.add(g)
        around = _around(index, g, g, m)
        if around is not None:
            out.append(around)
        if len(seen) == CANDIDATES:
            break
    return out


def _by_unique_seeds(
    index: SourceIndex, sel: list[int], lo: list[int], counts: list[int], q: Sequence[int], qs: Aligned, needed: float
) -> Hit | None:
    """The passage that most of the fragment's unique trigrams point to, when it plainly renders the fragment.

    ``sel``: the fragment positions of its trigrams found in the
    sources; ``lo``, ``counts``: where their positions are listed. The
    trigrams found only once in all the sources are the fragment's
    strongest seeds; when at least ``UNIQUE_SEEDS`` of them, and more
    than half, fall on one stretch (nearby diagonals), and the passage
    there reproduces at least ``SURE_SHARE`` of the fragment's words with
    the significance ``needed``, that passage is the one the vote would
    elect: no vote is held. With fewer unique trigrams, those found in
    at most ``SEED_PLACES`` places are the seeds, on the same terms, and
    only while no other stretch holds any of them and the passage
    reproduces every word of the fragment (a near copy of the
    passage elsewhere is left to the vote). Unique seeds that are not most
    of the trigrams found leave it to the vote too: the others then stand
    in several places, which a near copy does.
    Otherwise None, and the vote decides.
    """
    limit = 1 if counts.count(1) >= UNIQUE_SEEDS else SEED_PLACES
    seeds = [(k, a, n) for k, a, n in zip(sel, lo, counts) if n <= limit]
    if len(seeds) < UNIQUE_SEEDS:
        return None
    if limit == 1 and len(seeds) * 2 <= len(sel):
        return None  # most trigrams stand in several places: a near copy, left to the vote
    m = len(q)
    gap = max(10, m // 2)
    most, second, most_first, most_last = _stretches(index, seeds, gap, distinct=limit > 1)
    if most < UNIQUE_SEEDS or most * 2 <= len(seeds):
        return None
    if limit > 1 and second:
        return None  # seeds found in several places point to another stretch as well: the vote weighs them
    around = _around(index, most_first, most_last, m)
    if around is None:
        return None
    wlo, whi = around
    window = index.window(wlo, whi)
    lcs = LCSseq.similarity(window, qs)
    if lcs < m * SURE_SHARE:
        return None
    match = _verify(qs, window, lcs, False, wlo)
    if match is None or match.matched < m * SURE_SHARE:
        return None
    if limit > 1 and match.matched < m:
        return None  # seeds found elsewhere too, and a passage short of a word: another may reproduce as much
    if limit == 1 and _elsewhere(index, sel, lo, counts, gap):
        return None  # a near copy on another stretch: the vote weighs the two
    spans, matched = match.source, match.matched
    sig = significance(index, spans, m)
    if sig < needed:
        return None
    (start, _), (_, end) = spans[0], spans[-1]
    return Hit(start, end, matched, sig)


def _stretches(index: SourceIndex, seeds: list[tuple[int, int, int]], gap: int, *, distinct: bool) -> tuple[int, int, int, int]:
    """The seeds on the stretch (nearby diagonals) holding most of them, its first and last diagonals, and the seeds on the next.

    ``seeds``: (fragment position, where its places are listed, how many);
    ``distinct``: count a seed once on a stretch, however many places it has there.
    """
    places = index._gram_pos_view
    # (diagonal, seed) of every place of every seed, by diagonal; then one beyond them all
    diags = sorted([(places[a + i] - k, s) for s, (k, a, n) in enumerate(seeds) for i in range(n)])
    diags.append((_BEYOND, -1))
    most = second = 0
    most_first = most_last = 0
    first = 0  # where the current stretch starts in diags
    first_diag, _ = diags[0]
    last_diag = first_diag
    for k, (diag, _) in enumerate(diags):
        if diag - last_diag > gap:  # the stretch first:k ends
            held = len({s for _, s in diags[first:k]}) if distinct else k - first
            if held > most:
                second = most
                most, most_first, most_last = held, first_diag, last_diag
            elif held > second:
                second = held
            first, first_diag = k, diag
        last_diag = diag
    return most, second, most_first, most_last


def _elsewhere(index: SourceIndex, sel: list[int], lo: list[int], counts: list[int], gap: int) -> bool:
    """Whether the trigrams found in a few places put :data:`UNIQUE_SEEDS` of them on a second stretch (a near copy)."""
    seeds = [(k, a, n) for k, a, n in zip(sel, lo, counts) if n <= SEED_PLACES]
    if not seeds:
        return False
    _, second, _, _ = _stretches(index, seeds, gap, distinct=True)
    return second >= UNIQUE_SEEDS


def _exact(index: SourceIndex, q: Sequence[int], qs: Aligned, limit: int = MAX_EXACT_CHECKS) -> list[int]:
    """Global starts of the exact occurrences of word ids ``q`` (all known), ascending.

    Three of the fragment's trigrams (first, middle, last) are looked
    up; the occurrences of the rarest are compared whole with the
    fragment.
    """
    m = len(q)
    probes = sorted({0, (m - 3) // 2, m - 3})
    keys = index.trigram_keys(q, probes)
    table, ptr = index._gram_keys_view, index._gram_ptr_view
    size = len(table)
    probe, lo, hi = 0, 0, sys.maxsize  # the probe found in fewest places, and where they are listed
    for p, key in zip(probes, keys):
        slot = bisect_left(table, key)
        if slot >= size or table[slot] != key:
            return []  # a trigram of the fragment is in no source
        a, b = ptr[slot], ptr[slot + 1]
        if b - a < hi - lo:
            probe, lo, hi = p, a, b
    if hi - lo > limit:
        return []
    seq = index._seq
    out = []
    for g in index._gram_pos[lo:hi].tolist():
        g -= probe
        if g >= 0 and (seq[g : g + m] == qs if isinstance(seq, str) else index.window(g, g + m) == qs):
            out.append(g)
    return out


def occurrences(index: SourceIndex, q: Sequence[int], limit: int) -> np.ndarray | None:
    """Global starts of the exact occurrences of word ids ``q``, ascending; None if none, or if they may be more than ``limit``.

    (A fragment of one or two words whose first word occurs more than
    eight times ``limit`` is not looked up: the filter costs as much as
    that word is common.)
    """
    if not q or min(q) < 0:
        return None
    if len(q) <= SHORT or not len(index._gram_keys):
        w = q[0]
        if index._word_ptr[w + 1] - index._word_ptr[w] > limit * 8:
            return None
        where = _word_run_starts(index, q)
    else:
        where = np.array(_exact(index, q, index.seq_of(q), limit), dtype=np.int64)
    return where if 0 < len(where) <= limit else None


def _word_run_starts(index: SourceIndex, q: Sequence[int]) -> np.ndarray:
    """Global starts of the exact occurrences of word ids ``q`` (all known), by the places of its rarest word."""
    freq = index._freq
    j = min(range(len(q)), key=lambda k: (freq[q[k]], k))
    lo = index._word_ptr_view[q[j]]
    hits = index._word_pos[lo : lo + freq[q[j]]].astype(np.int64)
    if j:
        hits -= j
        hits = hits[hits >= 0]
    if len(q) > 2:
        hits = hits[hits <= len(index._ids) - len(q)]
    for k in range(len(q)):
        if k != j:
            hits = hits[index._ids[hits + k] == q[k]]
    return hits


def _exact_short(index: SourceIndex, q: Sequence[int], near: int | None) -> Hit | None:
    """The exact occurrence of a fragment of one or two words (all known) nearest ``near`` (the first without it)."""
    if any(x < 0 for x in q):
        return None
    m = len(q)
    if m == 1:
        places = index._word_pos_view
        lo = index._word_ptr_view[q[0]]
        hi = lo + index._freq[q[0]]
        if lo == hi:
            return None
        if near is None:
            g = places[lo]
        else:  # the nearest place, the earlier of two as near
            k = bisect_left(places, near, lo, hi)
            g = places[k] if k < hi else places[k - 1]
            if k > lo and near - places[k - 1] <= abs(g - near):
                g = places[k - 1]
    else:
        hits = _word_run_starts(index, q)
        if not len(hits):
            return None
        g = int(hits[0]) if near is None else int(hits[np.argmin(np.abs(hits - near))])
    return Hit(g, g + m, m, significance(index, [(g, g + m)], m))


def _candidates(index: SourceIndex, grams: list[int], lo: list[int], counts: list[int], q: Sequence[int]) -> list[tuple[int, int]]:
    """Word windows around the passages that hold most of the fragment's trigrams and rare words, best first.

    The rarest trigrams vote, up to ``HIT_BUDGET`` hits in all (the
    rarest one always; none found in more than ``MAX_POSTINGS``
    places), and so do the ``WORD_ANCHORS`` rarest words of
    the fragment that occur at most ``MAX_ANCHOR`` times (they find a
    heavily edited quotation whose only intact trigrams are common).
    Each hit votes for the diagonal (source position less position in
    the fragment) where the fragment would start; hits on nearby
    diagonals (an insertion or omission shifts them) form one candidate
    passage, scored by its hits plus their rarity (a trigram or word
    found in n places adds 1/n). The first ``CANDIDATES`` passages are
    taken, and any tied with the last of them, up to ``MAX_SCREEN``.
    """
    m = len(q)
    take: list[int] = []
    total = 0
    for k in sorted(range(len(counts)), key=counts.__getitem__):
        n = counts[k]
        if n > MAX_POSTINGS:
            break  # this trigram and the rest are too common to vote
        total += n
        if total > HIT_BUDGET and take:
            break
        take.append(k)
    take.sort()
    pos, wpos, wptr, freq = index._gram_pos, index._word_pos, index._word_ptr, index._freq
    parts = [pos[lo[k] : lo[k] + counts[k]] for k in take]
    offsets, sizes = [grams[k] for k in take], [counts[k] for k in take]
    # (a list, not a set: each word's place j makes every triple distinct)
    rare = sorted([(freq[w], w, j) for j, w in enumerate(q) if w >= 0 and freq[w] <= MAX_ANCHOR])
    seen: set[int] = set()
    for n, w, j in rare:
        if w in seen:
            continue
        seen.add(w)
        a = int(wptr[w])
        parts.append(wpos[a : a + n])
        offsets.append(j)
        sizes.append(n)
        if len(seen) == WORD_ANCHORS:
            break
    if not parts:
        return []
    # each hit's diagonal and, in its low bits, which list it came from:
    # sorting these keys orders the hits as a stable sort of the diagonals would.
    # The arrays are short (250 hits on average): each numpy call costs more
    # than its work, so the wrapper functions (np.diff, np.flatnonzero,
    # np.repeat, np.searchsorted) give way to the arrays' methods (the 3,012
    # calls of the 10 MB case: 0.24 -> 0.19 s, the two side by side)
    shift = len(parts).bit_length()
    g = np.concatenate(parts, dtype=np.int64) if len(parts) > 1 else parts[0].astype(np.int64)
    g <<= shift
    g -= np.array([(off << shift) - k for k, off in enumerate(offsets)], dtype=np.int64).repeat(sizes)
    g.sort()
    diag = g >> shift
    weight = np.array([1.0 + 1.0 / n for n in sizes])[g & ((1 << shift) - 1)]
    cut = ((diag[1:] - diag[:-1]) > max(10, m // 2)).nonzero()[0]
    cut += 1
    first = np.zeros(len(cut) + 1, dtype=cut.dtype)
    first[1:] = cut
    score = np.add.reduceat(weight, first)
    rank = (-score).argsort(kind="stable")  # ties in order of position
    if len(rank) > CANDIDATES:
        edge = score[rank[CANDIDATES - 1]]
        n = CANDIDATES + int(np.count_nonzero(score[rank[CANDIDATES:]] >= edge - 1e-9))
        rank = rank[: min(n, MAX_SCREEN)]
    last = np.empty_like(first)
    last[:-1] = cut
    last[-1] = len(diag)
    last -= 1
    return _windows(index, diag[first[rank]], diag[last[rank]], m)


def _slack(m: int) -> int:
    """Words of a candidate window on either side of where a fragment of ``m`` words would lie."""
    return min(m + 10, 60)


def _windows(index: SourceIndex, d0: np.ndarray, d1: np.ndarray, m: int) -> list[tuple[int, int]]:
    """:func:`_around` for each pair of diagonals ``d0[i]``, ``d1[i]`` (those with a window left)."""
    # a loop of bisections, not numpy: the pairs are few (five on average),
    # fewer than the six numpy calls it replaces cost (the 3,012 calls of
    # the 10 MB case: 40 -> 25 ms, the two side by side)
    starts, ends = index._starts, index._ends
    slack = _slack(m)
    out = []
    for a, b in zip(d0.tolist(), d1.tolist()):
        s = bisect_right(starts, a if a > 0 else 0) - 1
        wlo = max(starts[s], a - slack)
        whi = min(ends[s], b + m + slack)
        if wlo < whi:
            out.append((wlo, whi))
    return out


def _around(index: SourceIndex, d0: int, d1: int, m: int) -> tuple[int, int] | None:
    """The word window (global start, end) where a fragment of ``m`` words starting between diagonals ``d0`` and ``d1`` would lie.

    Some slack on either side (for the words a rendering adds or drops),
    clipped to the source of ``d0``; None if nothing of it is left.
    """
    slack = _slack(m)
    s = index.sources[index.source_of(max(d0, 0))]
    wlo = max(s.offset, d0 - slack)
    whi = min(s.offset + s.words, d1 + m + slack)
    return (wlo, whi) if wlo < whi else None
