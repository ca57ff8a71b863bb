"""Growing a base without a source: islands of text from overlapping excerpts, and the multiple alignment.

The longest excerpt seeds an island; every excerpt that overlaps it is
aligned onto it and extends it where it runs past its ends
(:func:`_attach`); a whole text is aligned onto it and adds every token it
lacks, so that the base becomes the columns of a multiple alignment
(:func:`_attach_whole`). Islands that fragments of one quotation tie to the
first are kept, in the order the quotations give (:func:`assemble`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from quoteverify.align import diff_between_anchors, diff_words_first, trim_stray_runs
from quoteverify.models import AlignOp
from quoteverify.reconstruct.models import WitnessText
from quoteverify.reconstruct.place import is_word_key

#: a quotation joins the text built so far when it shares at least this many words with it
MIN_OVERLAP_WORDS = 3
#: and when at least this share of its words that fall inside the text match
MIN_OVERLAP_SHARE = 0.5
#: words of slack around the place a quotation is aligned to
WINDOW_SLACK = 12
#: a matched run at the edge of a quotation's window is a chance match when the
#: gap to the next run (text tokens skipped) is more than this many times its words
STRAY_GAP_PER_WORD = 8
#: or, for a run of one word, more than this many tokens
STRAY_LONE_WORD_GAP = 3


@dataclass
class _Island:
    """A stretch of text built from overlapping excerpts: its base keys, and each excerpt's ops on them (by number)."""

    keys: list[str]
    placements: dict[int, list[AlignOp]]


def _keys(excerpt: WitnessText) -> list[str]:
    """An excerpt's tokens as base keys."""
    return [t.norm for t in excerpt.tokens]


def _seed(excerpt: WitnessText, n: int) -> _Island:
    """An island of one excerpt: its tokens, bracketed interpolations left out, are the base."""
    keys = [t.norm for t in excerpt.tokens if not t.editorial]
    ops: list[AlignOp] = []
    # every non-editorial token is equal to its base token; interpolations are insertions
    b = 0
    for k, t in enumerate(excerpt.tokens):
        if t.editorial:
            ops.append(AlignOp("insert", (b, b), (k, k + 1)))
        else:
            ops.append(AlignOp("equal", (b, b + 1), (k, k + 1)))
            b += 1
    return _Island(keys, {n: _merge_ops(ops)})


def _merge_ops(ops: Sequence[AlignOp]) -> list[AlignOp]:
    """Join neighbouring ops of one kind."""
    out: list[AlignOp] = []
    for op in ops:
        if out and out[-1].op == op.op:
            last = out.pop()
            out.append(AlignOp(op.op, (last.src[0], op.src[1]), (last.quo[0], op.quo[1])))
        else:
            out.append(op)
    return out


def _attach(island: _Island, excerpt: WitnessText, n: int, excerpts: Sequence[WitnessText] = ()) -> bool:
    """Align an excerpt onto an island where it overlaps it; extend the island where the excerpt runs past its ends.

    A whole text goes through :func:`_attach_whole`.
    """
    if excerpt.whole:
        _attach_whole(island, excerpt, n, excerpts)
        return True
    own = _keys(excerpt)
    words = [t.is_word for t in excerpt.tokens]
    if sum(words) < MIN_OVERLAP_WORDS:
        return False
    window = _window(island.keys, own)
    if window is None:
        return False
    lo, hi = window
    ops = list(_diff(island.keys[lo:hi], excerpt))
    runs = _trim_runs([op for op in ops if op.op == "equal"], island.keys, lo)
    if not runs:
        return False
    s0, s1 = lo + runs[0].src[0], lo + runs[-1].src[1]
    matched = sum(1 for r in runs for i in range(r.src[0], r.src[1]) if is_word_key(island.keys[lo + i]))
    # words that differ only in case just outside the matched stretch belong to it ("we" for "We")
    j = runs[0].quo[0]
    while j > 0 and s0 > 0 and own[j - 1].casefold() == island.keys[s0 - 1].casefold():
        j, s0 = j - 1, s0 - 1
    j = runs[-1].quo[1]
    while j < len(own) and s1 < len(island.keys) and own[j].casefold() == island.keys[s1].casefold():
        j, s1 = j + 1, s1 + 1
    if (s0, s1) == (lo + runs[0].src[0], lo + runs[-1].src[1]):
        ops = _clip(ops, runs, lo, len(own))
    else:
        ops = [AlignOp(op.op, (op.src[0] + s0, op.src[1] + s0), op.quo) for op in _diff(island.keys[s0:s1], excerpt)]
    lead = ops[0] if ops and ops[0].op == "insert" else None
    tail = ops[-1] if ops and ops[-1].op == "insert" and len(ops) > 1 else None
    grows_left = lead is not None and s0 == 0
    grows_right = tail is not None and s1 == len(island.keys)
    inside = sum(words) - (sum(words[slice(*lead.quo)]) if grows_left and lead else 0)
    inside -= sum(words[slice(*tail.quo)]) if grows_right and tail else 0
    if matched < MIN_OVERLAP_WORDS or matched < MIN_OVERLAP_SHARE * max(inside, 1):
        return False
    if grows_right and tail is not None:
        _extend_right(island, excerpt, tail, ops)
    if grows_left and lead is not None:
        ops = _extend_left(island, excerpt, lead, ops)
    island.placements[n] = _merge_ops(ops)
    return True


def _extend_right(island: _Island, excerpt: WitnessText, tail: AlignOp, ops: list[AlignOp]) -> None:
    """Add the excerpt's words past the island's end (``tail``, its last op) to the island; ``ops`` now read them."""
    # punctuation after the excerpt's last word is the edge of the quotation, not text
    q0, q1 = tail.quo
    while q1 > q0 and not excerpt.tokens[q1 - 1].is_word:
        q1 -= 1
    new = [k for k in range(q0, q1) if not excerpt.tokens[k].editorial]
    start = len(island.keys)
    island.keys.extend(excerpt.tokens[k].norm for k in new)
    rest = [AlignOp("insert", (start + len(new),) * 2, (q1, tail.quo[1]))] if q1 < tail.quo[1] else []
    ops[-1:] = _as_equal(excerpt, (q0, q1), start) + rest


def _extend_left(island: _Island, excerpt: WitnessText, lead: AlignOp, ops: list[AlignOp]) -> list[AlignOp]:
    """Add the excerpt's words before the island's start (``lead``, its first op) to the island; its ops, reading them."""
    q0, q1 = lead.quo
    while q0 < q1 and not excerpt.tokens[q0].is_word:
        q0 += 1
    new = [k for k in range(q0, q1) if not excerpt.tokens[k].editorial]
    shift = len(new)
    island.keys[0:0] = [excerpt.tokens[k].norm for k in new]
    for m, placed_ops in island.placements.items():
        island.placements[m] = [AlignOp(o.op, (o.src[0] + shift, o.src[1] + shift), o.quo) for o in placed_ops]
    ops = [AlignOp(o.op, (o.src[0] + shift, o.src[1] + shift), o.quo) for o in ops]
    first = [AlignOp("insert", (0, 0), (lead.quo[0], q0))] if q0 > lead.quo[0] else []
    ops[0:1] = first + _as_equal(excerpt, (q0, q1), 0)
    return ops


def _diff(base: Sequence[str], excerpt: WitnessText) -> tuple[AlignOp, ...]:
    """An excerpt's tokens against a stretch of base keys, words first."""
    return diff_words_first(
        base, [t.norm for t in excerpt.tokens], [is_word_key(k) for k in base], [t.is_word for t in excerpt.tokens]
    )


def _attach_whole(island: _Island, excerpt: WitnessText, n: int, excerpts: Sequence[WitnessText]) -> None:
    """Align a whole text onto the base, and add to the base every token of it the base lacks.

    The text is aligned through the text already placed that it resembles
    most: the words it shares with that one are anchored where that one
    stands on the base, so that two alike texts are aligned alike even where
    the base was rewritten.

    The base becomes a supersequence of the texts aligned so far (the
    columns of a multiple alignment): each text reads its own tokens and
    omits the others, so the next text can match words that only an earlier
    one had. The texts placed before omit the tokens added.
    """
    own = _keys(excerpt)
    words = [t.is_word for t in excerpt.tokens]
    guide = _guide(island, excerpt, excerpts)
    if guide is not None:
        anchors = _anchors_through(island, guide, excerpt, excerpts)
        ops = diff_between_anchors(island.keys, own, [is_word_key(k) for k in island.keys], words, anchors)
    else:
        ops = _diff(island.keys, excerpt)
    mine: list[AlignOp] = []
    shift = 0
    for op in ops:
        s0, s1 = op.src[0] + shift, op.src[1] + shift
        if op.op in ("equal", "delete"):
            mine.append(AlignOp(op.op, (s0, s1), op.quo))
            continue
        if op.op == "replace":
            mine.append(AlignOp("delete", (s0, s1), (op.quo[0], op.quo[0])))
        at = s1  # the text's own tokens go after the base tokens it does not read
        new = list(range(*op.quo))
        _grow(island, at, [own[k] for k in new])
        mine.append(AlignOp("equal", (at, at + len(new)), op.quo))
        shift += len(new)
    island.placements[n] = _merge_ops(mine)


def _grow(island: _Island, at: int, keys: Sequence[str]) -> None:
    """Insert tokens into the base at ``at``; every text placed so far omits them."""
    k = len(keys)
    if not k:
        return
    island.keys[at:at] = keys
    for m, ops in island.placements.items():
        island.placements[m] = _open_gap(ops, at, k)


def _open_gap(ops: Sequence[AlignOp], at: int, k: int) -> list[AlignOp]:
    """A placement's ops with ``k`` new base tokens at ``at`` that it omits."""
    out: list[AlignOp] = []
    done = False
    for op in ops:
        (s0, s1), (q0, q1) = op.src, op.quo
        if done:
            out.append(AlignOp(op.op, (s0 + k, s1 + k), op.quo))
            continue
        if s1 < at or (s1 == at and (s0 < s1 or op.op == "insert")):
            out.append(op)
            continue
        if s0 < at < s1:
            if op.op == "equal":
                d = at - s0
                out.append(AlignOp("equal", (s0, at), (q0, q0 + d)))
                out.append(AlignOp("delete", (at, at + k), (q0 + d, q0 + d)))
                out.append(AlignOp("equal", (at + k, s1 + k), (q0 + d, q1)))
            else:
                out.append(AlignOp(op.op, (s0, s1 + k), op.quo))
        else:
            out.append(AlignOp("delete", (at, at + k), (q0, q0)))
            out.append(AlignOp(op.op, (s0 + k, s1 + k), op.quo))
        done = True
    if not done:
        q = ops[-1].quo[1] if ops else 0
        out.append(AlignOp("delete", (at, at + k), (q, q)))
    return _merge_ops(out)


def _guide(island: _Island, excerpt: WitnessText, excerpts: Sequence[WitnessText]) -> int | None:
    """The excerpt already on the island that shares most word pairs with ``excerpt`` (Jaccard), if any."""
    if not excerpts:
        return None
    mine = _bigrams(excerpt)
    best: tuple[float, int] | None = None
    for m in sorted(island.placements):
        theirs = _bigrams(excerpts[m])
        union = len(mine | theirs)
        score = len(mine & theirs) / union if union else 0.0
        if best is None or score > best[0]:
            best = (score, m)
    return best[1] if best is not None else None


def _bigrams(excerpt: WitnessText) -> set[tuple[str, str]]:
    """The pairs of neighbouring words of an excerpt (search keys)."""
    ws = [t.key for t in excerpt.tokens if t.is_word]
    return set(zip(ws, ws[1:]))


def _anchors_through(island: _Island, guide: int, excerpt: WitnessText, excerpts: Sequence[WitnessText]) -> list[tuple[int, int]]:
    """(base position, excerpt token) pairs: the excerpt's tokens that match the guide's where the guide matches the base."""
    on_base: dict[int, int] = {}
    for op in island.placements[guide]:
        if op.op == "equal":
            for i, k in zip(range(*op.src), range(*op.quo)):
                on_base[k] = i
    g = excerpts[guide]
    ops = diff_words_first(
        [t.norm for t in g.tokens], [t.norm for t in excerpt.tokens], [t.is_word for t in g.tokens], [t.is_word for t in excerpt.tokens]
    )
    out = []
    for op in ops:
        if op.op == "equal":
            for k, j in zip(range(*op.src), range(*op.quo)):
                if k in on_base:
                    out.append((on_base[k], j))
    return out


def _clip(ops: Sequence[AlignOp], runs: Sequence[AlignOp], lo: int, n: int) -> list[AlignOp]:
    """The ops of a window diff between its first and last equal run, in base positions.

    Excerpt tokens before the first run (after the last) become an insertion
    at the start (end) of the matched stretch: the excerpt is not taken to
    read the base words the window had around it.
    """
    first, last = runs[0], runs[-1]
    s0, s1 = lo + first.src[0], lo + last.src[1]
    out: list[AlignOp] = []
    if first.quo[0] > 0:
        out.append(AlignOp("insert", (s0, s0), (0, first.quo[0])))
    for op in ops:
        if op.src[0] >= first.src[0] and op.src[1] <= last.src[1] and op.quo[0] >= first.quo[0] and op.quo[1] <= last.quo[1]:
            if not (op.src[0] == op.src[1] and op.quo[0] == op.quo[1]):
                out.append(AlignOp(op.op, (op.src[0] + lo, op.src[1] + lo), op.quo))
    if last.quo[1] < n:
        out.append(AlignOp("insert", (s1, s1), (last.quo[1], n)))
    return out


def _as_equal(excerpt: WitnessText, quo: tuple[int, int], start: int) -> list[AlignOp]:
    """The ops of excerpt tokens ``quo`` that have just become base tokens from ``start`` on."""
    out = []
    b = start
    for k in range(*quo):
        if excerpt.tokens[k].editorial:
            out.append(AlignOp("insert", (b, b), (k, k + 1)))
        else:
            out.append(AlignOp("equal", (b, b + 1), (k, k + 1)))
            b += 1
    return out


def _window(base: Sequence[str], keys: Sequence[str]) -> tuple[int, int] | None:
    """Where on the base an excerpt most likely lies: the diagonal most of its shared word pairs vote for."""
    if len(keys) >= len(base) // 2:
        return (0, len(base))
    where: dict[tuple[str, str], list[int]] = defaultdict(list)
    folded = [k.casefold() for k in base]
    for i in range(len(folded) - 1):
        where[(folded[i], folded[i + 1])].append(i)
    votes: Counter[int] = Counter()
    own = [k.casefold() for k in keys]
    for j in range(len(own) - 1):
        for i in where.get((own[j], own[j + 1]), ()):
            votes[i - j] += 1
    if not votes:
        return None
    diag = min(votes, key=lambda d: (-votes[d], d))
    lo = max(0, diag - WINDOW_SLACK)
    hi = min(len(base), diag + len(keys) + WINDOW_SLACK)
    return (lo, hi) if hi > lo else None


def _trim_runs(runs: list[AlignOp], keys: Sequence[str], lo: int) -> list[AlignOp]:
    """The equal runs of a window diff (base positions from ``lo``) without chance matches at either end."""

    def size(r: AlignOp) -> int:
        return sum(1 for i in range(*r.src) if is_word_key(keys[lo + i]))

    return trim_stray_runs(
        runs,
        size,
        gap_per_word=STRAY_GAP_PER_WORD,
        lone_word_gap=STRAY_LONE_WORD_GAP,
        gap_counts_quote=False,
        drop_wordless=True,
    )


def assemble(excerpts: Sequence[WitnessText]) -> tuple[list[str], dict[int, list[AlignOp]], list[int], list[int]]:
    """Grow islands from the longest excerpts, and keep the islands that quotations tie to the first.

    Returns the base keys, each placed excerpt's ops, the base positions
    where one island ends and the next begins, and the numbers of the
    excerpts left out.
    """
    islands = _grow_islands(excerpts)
    if not islands:
        return [], {}, [], list(range(len(excerpts)))
    keys: list[str] = []
    placements: dict[int, list[AlignOp]] = {}
    joins: list[int] = []
    for k in _linked_islands(islands, excerpts):
        isl = islands[k]
        shift = len(keys)
        if shift:
            joins.append(shift)
        keys.extend(isl.keys)
        for n, ops in isl.placements.items():
            placements[n] = [AlignOp(o.op, (o.src[0] + shift, o.src[1] + shift), o.quo) for o in ops]
    dropped = [n for n in range(len(excerpts)) if n not in placements]
    return keys, placements, joins, dropped


def _grow_islands(excerpts: Sequence[WitnessText]) -> list[_Island]:
    """Islands seeded by the longest excerpt left, each grown until no excerpt left attaches to it."""
    order = sorted(range(len(excerpts)), key=lambda n: (-excerpts[n].words, excerpts[n].witness, excerpts[n].quote, excerpts[n].fragment))
    left = [n for n in order if excerpts[n].words >= MIN_OVERLAP_WORDS or (excerpts[n].whole and excerpts[n].tokens)]
    islands: list[_Island] = []
    while left:
        island = _seed(excerpts[left[0]], left[0])
        left = left[1:]
        grown = True
        while grown:
            grown = False
            rest = []
            for n in left:
                if _attach(island, excerpts[n], n, excerpts):
                    grown = True
                else:
                    rest.append(n)
            left = rest
        islands.append(island)
    return islands


def _linked_islands(islands: Sequence[_Island], excerpts: Sequence[WitnessText]) -> list[int]:
    """The islands tied to the first by fragments of one quotation (they belong to the same text), in order."""
    island_of = {n: k for k, isl in enumerate(islands) for n in isl.placements}
    quotes: dict[tuple[str, int], list[int]] = defaultdict(list)
    for n in sorted(island_of, key=lambda n: (excerpts[n].witness, excerpts[n].quote, excerpts[n].fragment)):
        quotes[(excerpts[n].witness, excerpts[n].quote)].append(island_of[n])
    linked = {0}
    before: set[tuple[int, int]] = set()
    changed = True
    while changed:
        changed = False
        for seq in quotes.values():
            if any(k in linked for k in seq):
                for k in seq:
                    if k not in linked:
                        linked.add(k)
                        changed = True
            for x, y in zip(seq, seq[1:]):
                if x != y:
                    before.add((x, y))
    return _order_islands(sorted(linked), before)


def _order_islands(ids: list[int], before: set[tuple[int, int]]) -> list[int]:
    """Islands in the order the quotations that span them give (ties: the order they were grown)."""
    out: list[int] = []
    rest = list(ids)
    while rest:
        free = [k for k in rest if not any((j, k) in before for j in rest if j != k)]
        k = min(free) if free else min(rest)
        out.append(k)
        rest.remove(k)
    return out
