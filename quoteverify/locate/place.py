"""Placing a quotation: its fragments found in one source, together, or the quotation found nowhere.

A quotation is located fragment by fragment (the stretches between marked
elisions), in any order, longest first, each near those found before it
(:func:`_place`; each fragment is looked for by
:func:`quoteverify.locate.search.find_ids`). A quotation is located when
its passages, in one source, reproduce enough of its words (``MIN_SHARE``)
and are significant: chance, in sources of this size, would give passages
as good at most exp(-``MIN_SIGNIFICANCE``) times
(:func:`quoteverify.locate.score.chance`). Fragments of one or two words
are located only when they occur exactly (and within a longer quotation
only near its other fragments).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from quoteverify.locate.index import SourceIndex
from quoteverify.locate.score import MIN_SHARE, MIN_SIGNIFICANCE, Hit, chance, significance
from quoteverify.locate.search import SHORT, find_ids, occurrences
from quoteverify.models import Fragment, Location, Quotation, Token

#: a fragment found exactly in at most this many places may anchor the
#: quotation's other fragments when they are not significant (see locate)
MAX_OCCURRENCES = 5000
#: a fragment that alone is found exactly anchors the others in each of its first this many places
MAX_LEADS = 8


class _Placement(NamedTuple):
    """Where a quotation's fragments were found."""

    chance: float  # the log of how many placements as good chance would give (see score.chance)
    source: int  # the number of the source they are in
    found: dict[int, Hit]  # the passage of each fragment found there, by the fragment's number


class _Occurrences(NamedTuple):
    """The exact occurrences of one fragment of a quotation."""

    number: int  # how many
    fragment: int  # the fragment's number in the quotation
    global_starts: np.ndarray  # their global word positions, ascending


def locate(
    quotation: Quotation,
    fragments: Sequence[Sequence[Token]],
    index: SourceIndex,
    *,
    shortcut: bool = True,
) -> Location | None:
    """Find the source passage that ``quotation`` renders, or None.

    ``fragments`` are the quotation's tokens fragment by fragment (see
    :func:`quoteverify.normalize.quotation_fragments`). Each fragment is
    located on its own, longest first; fragments of one or two words only
    exactly, and near the others. The quotation is located when its located
    fragments lie in one source, hold ``MIN_SHARE`` of its words, and are
    significant: chance would give passages as good in sources of this size
    at most exp(-``MIN_SIGNIFICANCE``) times
    (:func:`~quoteverify.locate.score.chance`).

    When the fragments so found are not significant, and the quotation has
    several, they are placed again around the exact occurrence of one of
    them that stands nearest exact occurrences of the others
    (:func:`_joint_anchors`): a short fragment's first occurrence need not be
    the one its neighbours in the quotation stand beside.

    ``shortcut`` lets a fragment's unique trigrams place it without a vote
    (see :func:`quoteverify.locate.search.find_ids`).
    """
    ids = [index.fragment_ids(f) for f in fragments]
    total = sum(len(k) for k in ids)
    if total == 0 or not index.sources:
        return None
    best = _placement(index, ids, shortcut)
    if best is None or (total > SHORT and best.chance > -MIN_SIGNIFICANCE):
        return None
    found = best.found
    frags = []
    for i in sorted(found):
        hit = found[i]
        _, span = index.char_span(hit.global_start, hit.global_end, fragments[i])
        f = fragments[i]
        frags.append(Fragment((f[0].start, f[-1].end), span, i))
    src = index.sources[best.source]
    start = min(f.source_span[0] for f in frags)
    end = max(f.source_span[1] for f in frags)
    matched = sum(h.matched for h in found.values())
    return Location(src.doc.id, (start, end), tuple(frags), round(matched / total, 4))


def _placement(index: SourceIndex, ids: list[list[int]], shortcut: bool) -> _Placement | None:
    """The best placement of a quotation's fragments (word ids), or None."""
    total = sum(len(k) for k in ids)
    if len(ids) == 1:
        # one fragment (nine quotations in ten): found on its own or not at all, as _place
        # would, without its order and anchors (the 5,231 such quotations of the 10 MB
        # case, the search's answers memoised: 45 -> 22 ms, the two side by side)
        hit = find_ids(index, ids[0], None, shortcut) if ids[0] else None
        return _judge(index, {0: hit}, total) if hit is not None else None
    # longer fragments first: they anchor the short ones
    order = sorted(range(len(ids)), key=lambda i: (-len(ids[i]), i))
    best = _judge(index, _place(index, ids, order, total, {}, shortcut), total)
    if (best is None or best.chance > -MIN_SIGNIFICANCE) and total > SHORT and sum(1 for k in ids if k) > 1:
        for lead in _joint_anchors(index, ids):
            judged = _judge(index, _place(index, ids, order, total, lead, shortcut), total)
            if judged is not None and (best is None or judged.chance < best.chance):
                best = judged
    return best


def _joint_anchors(index: SourceIndex, ids: list[list[int]]) -> list[dict[int, Hit]]:
    """Occurrences of one fragment (word ids) that may anchor the others, each as {fragment: hit}.

    Of the fragments found exactly in at most ``MAX_OCCURRENCES`` places, the
    one found in fewest is the anchor. With others among them, each of its
    occurrences is charged the cost of the distance
    (:func:`~quoteverify.locate.score._distance_cost`) to the nearest
    occurrence of each of them, and the cheapest is taken; alone, its first
    ``MAX_LEADS`` occurrences are.
    """
    places: list[_Occurrences] = []
    for i, fragment in enumerate(ids):
        found = occurrences(index, fragment, MAX_OCCURRENCES) if fragment else None
        if found is not None:
            places.append(_Occurrences(len(found), i, found))
    if not places:
        return []
    places.sort(key=lambda p: (p.number, p.fragment))
    lead, starts = places[0].fragment, places[0].global_starts
    chosen: list[int]
    if len(places) == 1:
        chosen = starts[:MAX_LEADS].tolist()
    else:
        cost = np.zeros(len(starts))
        for other in places[1:]:
            where = other.global_starts
            at = np.searchsorted(where, starts)
            before = np.abs(starts - where[np.maximum(at - 1, 0)])
            after = np.abs(where[np.minimum(at, len(where) - 1)] - starts)
            cost += np.log(2.0 + np.minimum(before, after))
        chosen = [int(starts[int(np.argmin(cost))])]
    m = len(ids[lead])
    sig = significance(index, [(chosen[0], chosen[0] + m)], m)
    return [{lead: Hit(g, g + m, m, sig)} for g in chosen]


def _place(
    index: SourceIndex, ids: list[list[int]], order: list[int], total: int, found: dict[int, Hit], shortcut: bool
) -> dict[int, Hit]:
    """Locate the fragments (word ids) in ``order``, each near those found before it, after those of ``found``.

    A fragment not found on its own is looked for again near the others,
    once they are found.
    """
    found = dict(found)
    missed = []
    for i in order:
        if not ids[i] or i in found:
            continue
        near = _anchor(found, i)
        hit = None
        if total <= SHORT or len(ids[i]) > SHORT or near is not None:
            hit = find_ids(index, ids[i], near, shortcut)
        if hit is not None:
            found[i] = hit
        elif near is None:
            missed.append(i)
    for i in missed:
        near = _anchor(found, i)
        if near is not None:
            hit = find_ids(index, ids[i], near, shortcut)
            if hit is not None:
                found[i] = hit
    return found


def _judge(index: SourceIndex, found: dict[int, Hit], total: int) -> _Placement | None:
    """The placement of located fragments, or None when they hold too few of the ``total`` words.

    All fragments must come from one source: the one where they hold most
    words is kept.
    """
    if not found:
        return None
    if len(found) == 1:
        (hit,) = found.values()
        if hit.matched / total < MIN_SHARE:
            return None
        return _Placement(chance(index, [hit]), index.source_of(hit.global_start), found)
    sources = {i: index.source_of(h.global_start) for i, h in found.items()}
    if len(set(sources.values())) > 1:
        by_source: dict[int, int] = defaultdict(int)
        for i, h in found.items():
            by_source[sources[i]] += h.matched
        source = min(by_source, key=lambda s: (-by_source[s], s))
        found = {i: h for i, h in found.items() if sources[i] == source}
    else:
        source = next(iter(sources.values()))
    if sum(h.matched for h in found.values()) / total < MIN_SHARE:
        return None
    return _Placement(chance(index, list(found.values())), source, found)


def _anchor(found: dict[int, Hit], i: int) -> int | None:
    """A global word position near which fragment ``i`` should lie."""
    before = [h for j, h in found.items() if j < i]
    if before:
        return max(before, key=lambda h: h.global_end).global_end
    after = [h for j, h in found.items() if j > i]
    if after:
        return min(after, key=lambda h: h.global_start).global_start
    return None
