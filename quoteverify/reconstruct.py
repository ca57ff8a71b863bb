"""Reconstruct: rebuild a canonical text from partial witnesses, with a critical apparatus.

A document (a letter, a statement) is known only from the articles that quote
it: each quotation is a witness of a stretch of it. The stretches overlap in
places, and where they overlap they may disagree. This module puts all the
witnesses into one multiple alignment, on one base sequence of tokens:

- with a source (a case): the base is the source's tokens, and each quotation
  is placed where the pipeline located it, with the word alignment the
  pipeline made (:func:`reconstruct_check`);
- without one: the base grows from the longest quotation; every other
  quotation is aligned onto it with :func:`~quoteverify.align.diff_sequences`
  (words first, see :func:`~quoteverify.collate.diff_words_first`)
  where it overlaps it, and extends it where it runs past its ends
  (:func:`reconstruct_articles`, :func:`collate_witnesses`).

At every place where the witnesses that cover it disagree, the apparatus
lists each reading with the witnesses (articles) that support it, and the
text takes the reading of the majority of the witnesses covering the place.
A marked elision is no reading (the words it stands for are not covered); a
bracketed interpolation is never part of the text; differences at the very
edges of a quotation (a lower-case first letter, punctuation taken inside the
closing mark) are no readings. An article counts once at a place: when two of
its quotations cover it, its vote goes to its longest one there, and its other
reading is listed without a vote. A tie is shown as a tie and broken by
:data:`TIE_RULE`.

Stretches of the base that no witness covers are lacunae, shown as
:data:`LACUNA`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from quoteverify.collate import (
    Collation,
    DocVariant,
    collate,
    diff_between_anchors,
    diff_words_first,
)
from quoteverify.errors import InputError
from quoteverify.models import (
    AlignOp,
    CheckResult,
    Document,
    EditorialChoice,
    ParagraphWitnesses,
    Provenance,
    Quotation,
    Reading,
    Span,
    Token,
)
from quoteverify.normalize import quotation_fragments, tokenize

#: the mark of a stretch that no witness covers
LACUNA = "[\u2026]"
#: how a tie between readings is broken
TIE_RULE = (
    "the reading of the longest witness (the one that covers most words of the text) wins; "
    "between witnesses of equal length, the first in alphabetical order"
)
#: a quotation joins the text built so far when it shares at least this many words with it
MIN_OVERLAP_WORDS = 3
#: and when at least this share of its words that fall inside the text match
MIN_OVERLAP_SHARE = 0.5
#: words of slack around the place a quotation is aligned to
WINDOW_SLACK = 12

_NO_SPACE_BEFORE = frozenset(",.;:!?)]}%\u2026")
_NO_SPACE_AFTER = frozenset("([{")


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class WitnessText:
    """A stretch of text that a witness attests: one fragment of one quotation.

    ``tokens`` point into ``text`` (the article); bracketed interpolations are
    ``editorial`` tokens. ``breaks`` are the indices of the tokens that open a
    new paragraph of the quotation. ``quote`` and ``fragment`` number the
    quotation in its article and the fragment in its quotation. A ``whole``
    text is no partial quotation: what differs at its edges is a reading.
    """

    witness: str
    text: str
    tokens: tuple[Token, ...]
    quote: int = 0
    fragment: int = 0
    breaks: frozenset[int] = frozenset()
    whole: bool = False

    @cached_property
    def words(self) -> int:
        """How many words the piece has."""
        return sum(1 for t in self.tokens if t.is_word)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Witness:
    """A witness (an article) of the reconstruction: id, outlet and how many words of the text it covers."""

    id: str
    outlet: str = ""
    words: int = 0
    pieces: int = 0


@dataclass(frozen=True)
class ApparatusEntry:
    """A place where the witnesses that cover it disagree.

    ``readings`` are every reading found there, the chosen one first;
    ``votes[i]`` is the number of witnesses counted for ``readings[i]`` (a
    witness's second reading at one place, from a shorter quotation, is listed
    with no vote). ``span`` is the chosen reading in the reconstructed text
    (zero-width when it is empty).
    """

    span: Span
    paragraph: int
    readings: tuple[Reading, ...]
    votes: tuple[int, ...]
    tie: bool
    reason: str

    @property
    def chosen(self) -> Reading:
        return self.readings[0]


@dataclass(frozen=True)
class Stretch:
    """A stretch of the reconstructed text and the witnesses that cover it."""

    span: Span
    witnesses: tuple[str, ...]


@dataclass(frozen=True)
class Column:
    """One column of the multiple alignment: a base token, or a place where readings differ.

    ``cells`` give, for each witness piece covering the column, the indices
    of its tokens there (``(witness, piece number, token indices)``).
    """

    kind: Literal["token", "place"]
    cells: tuple[tuple[str, int, tuple[int, ...]], ...]


@dataclass(frozen=True)
class Reconstruction:
    """A text rebuilt from witnesses, with its apparatus and where every stretch comes from."""

    source_id: str
    title: str
    text: str
    witnesses: tuple[Witness, ...]
    paragraphs: tuple[ParagraphWitnesses, ...]
    paragraph_spans: tuple[Span, ...]
    stretches: tuple[Stretch, ...]
    apparatus: tuple[ApparatusEntry, ...]
    lacunae: tuple[Span, ...]
    unplaced: tuple[Reading, ...] = ()
    method: str = ""
    pieces: tuple[WitnessText, ...] = field(default=(), repr=False)
    columns: tuple[Column, ...] = field(default=(), repr=False)

    def provenance(self) -> Provenance:
        """The reconstruction as a :class:`Provenance`: who attests each paragraph and every choice made."""
        choices = tuple(
            EditorialChoice(e.paragraph, e.readings[0], e.readings[1:], e.reason) for e in self.apparatus
        )
        unplaced = tuple(
            EditorialChoice(None, r, (), "not placed in the text: it overlaps no other quotation of it")
            for r in self.unplaced
        )
        return Provenance(self.method, self.paragraphs, choices, unplaced)


@dataclass(frozen=True)
class Difference:
    """A difference between a reconstruction and a given text, with the apparatus entries it comes from."""

    variant: DocVariant
    entries: tuple[int, ...]
    explanation: str


@dataclass(frozen=True)
class Comparison:
    """The reconstruction set against a canonical text (BASE = the canonical text, OTHER = the reconstruction)."""

    collation: Collation
    differences: tuple[Difference, ...]

    @property
    def identical(self) -> bool:
        return self.collation.identical


# --------------------------------------------------------------------------- placing witnesses


@dataclass
class _Item:
    """One step of a piece's alignment on the base: ``op`` over base tokens ``s0:s1`` with the piece's tokens ``q``."""

    op: str
    s0: int
    s1: int
    q: tuple[int, ...]


@dataclass
class _Placed:
    piece: WitnessText
    number: int
    items: list[_Item]
    holes: list[tuple[int, int]]
    lo: int = 0
    hi: int = 0
    wtok: dict[int, tuple[int, int]] = field(default_factory=dict)  # base token -> (first, last) piece token
    inserts: dict[int, tuple[int, ...]] = field(default_factory=dict)  # gap -> piece tokens
    ends: list[int] = field(default_factory=list)  # s1 of each item, for bisection

    def covers_token(self, i: int) -> bool:
        return self.lo <= i < self.hi and not any(h0 <= i < h1 for h0, h1 in self.holes)

    def covers_gap(self, g: int) -> bool:
        if g in self.inserts:
            return True
        if not self.lo < g < self.hi:
            return False
        return not any(h0 <= g <= h1 for h0, h1 in self.holes)


def _place(piece: WitnessText, number: int, ops: Sequence[AlignOp], base_keys: Sequence[str]) -> _Placed | None:
    """Turn a piece's alignment on the base into items: interpolations out, edges trimmed."""
    toks = piece.tokens
    items: list[_Item] = []
    holes: list[tuple[int, int]] = []
    for op in ops:
        q = tuple(k for k in range(*op.quo) if not toks[k].editorial)
        editorial = any(toks[k].editorial for k in range(*op.quo))
        s0, s1 = op.src
        if op.op == "equal":
            items.append(_Item("equal", s0, s1, q))
        elif op.op == "insert":
            if q:
                items.append(_Item("insert", s0, s0, q))
        elif op.op == "delete":
            items.append(_Item("delete", s0, s1, ()))
        elif q:
            items.append(_Item("replace", s0, s1, q))
        elif editorial:
            holes.append((s0, s1))  # "[they]" for words: the witness does not attest them
            items.append(_Item("hole", s0, s1, ()))
        else:
            items.append(_Item("delete", s0, s1, ()))
    # a quotation covers the base from its first word to its last: deletions at its ends are outside it
    while items and (items[0].op == "hole" or (items[0].op == "delete" and not piece.whole)):
        items.pop(0)
    while items and (items[-1].op == "hole" or (items[-1].op == "delete" and not piece.whole)):
        items.pop()
    if not items or not (piece.whole or any(it.op == "equal" for it in items)):
        return None
    if not piece.whole:
        # words added at an edge that stand where the base has as many other words are a substitution
        _edge_substitution(items, toks, base_keys)
        # the edges of a quotation: a lower-case first letter, punctuation at either end
        if _edge_only(items[0], toks, base_keys, first=True):
            it = items.pop(0)
            if it.s1 > it.s0:
                holes.append((it.s0, it.s1))
        if items and _edge_only(items[-1], toks, base_keys, first=False):
            it = items.pop()
            if it.s1 > it.s0:
                holes.append((it.s0, it.s1))
    if not items:
        return None
    placed = _Placed(piece, number, items, holes)
    placed.ends = [it.s1 for it in items]
    placed.lo = min(it.s0 for it in items)
    placed.hi = max(it.s1 for it in items)
    for it in items:
        if it.op == "equal":
            for n, i in enumerate(range(it.s0, it.s1)):
                placed.wtok[i] = (it.q[n], it.q[n])
        elif it.op == "replace":
            for i in range(it.s0, it.s1):
                placed.wtok[i] = (it.q[0], it.q[-1])
        elif it.op == "insert":
            placed.inserts[it.s0] = placed.inserts.get(it.s0, ()) + it.q
    return placed


def _edge_substitution(items: list[_Item], toks: Sequence[Token], base_keys: Sequence[str]) -> None:
    """Read words a piece adds at its very end (or start) as a substitution when the base has the same shape there.

    A quotation "... to take six months," located on "... to take six" is
    cut where the words stop matching; the base goes on "weeks, and", so the
    piece reads "months" for "weeks". The added tokens are taken as a
    substitution of as many base tokens when their pattern of words and
    punctuation is the same and their punctuation agrees (or, all words,
    when the base's words stop there too).
    """
    last = items[-1]
    if last.op == "insert" and any(toks[k].is_word for k in last.q):
        s0 = last.s0
        got = _same_shape([toks[k] for k in last.q], base_keys, s0, +1)
        if got is not None:
            items[-1:] = _token_items(last.q, s0, toks)
    first = items[0]
    if first.op == "insert" and any(toks[k].is_word for k in first.q):
        s1 = first.s0
        got = _same_shape([toks[k] for k in first.q], base_keys, s1, -1)
        if got is not None:
            items[0:1] = _token_items(first.q, s1 - got, toks)


def _token_items(q: Sequence[int], start: int, toks: Sequence[Token]) -> list[_Item]:
    """Items for piece tokens ``q`` set one to one on base tokens from ``start``: words replaced, punctuation equal."""
    out: list[_Item] = []
    for n, k in enumerate(q):
        op = "replace" if toks[k].is_word else "equal"
        if out and out[-1].op == op:
            last = out[-1]
            out[-1] = _Item(op, last.s0, start + n + 1, last.q + (k,))
        else:
            out.append(_Item(op, start + n, start + n + 1, (k,)))
    return out


def _same_shape(added: Sequence[Token], base_keys: Sequence[str], at: int, step: int) -> int | None:
    n = len(added)
    if step > 0:
        if at + n > len(base_keys):
            return None
        window = list(base_keys[at : at + n])
        after = base_keys[at + n] if at + n < len(base_keys) else None
    else:
        if at - n < 0:
            return None
        window = list(base_keys[at - n : at])
        after = base_keys[at - n - 1] if at - n > 0 else None
    if [t.is_word for t in added] != [_is_word_key(k) for k in window]:
        return None
    punct = [(t.norm, k) for t, k in zip(added, window) if not t.is_word]
    if any(a != b for a, b in punct):
        return None
    if any(t.norm.casefold() == k.casefold() for t, k in zip(added, window) if t.is_word):
        return None  # the diff would have matched it: not a clean substitution
    if punct or after is None or not _is_word_key(after):
        return n
    return None


def _edge_only(it: _Item, toks: Sequence[Token], base_keys: Sequence[str], *, first: bool) -> bool:
    """Whether an item at the edge of a piece differs only as edges may: punctuation, a first letter's case."""
    if it.op == "equal":
        return False
    mine = [toks[k] for k in it.q]
    theirs = list(base_keys[it.s0 : it.s1])
    if not any(t.is_word for t in mine) and not any(_is_word_key(k) for k in theirs):
        return True  # punctuation only
    if first and it.op == "replace" and len(mine) == len(theirs):
        a = [t.norm for t in mine]
        if a[0][1:] == theirs[0][1:] and a[0][:1].casefold() == theirs[0][:1].casefold() and a[1:] == theirs[1:]:
            return True
    return False


def _is_word_key(key: str) -> bool:
    return any(c.isalnum() for c in key)


# --------------------------------------------------------------------------- growing a base without a source


@dataclass
class _Island:
    """A stretch of text built from overlapping pieces: base keys and, for each, the piece token it came from."""

    keys: list[str]
    origin: list[tuple[int, int]]  # (piece number, token index)
    placements: dict[int, list[AlignOp]]


def _keys(piece: WitnessText) -> list[str]:
    return [t.norm for t in piece.tokens]


def _seed(piece: WitnessText, n: int) -> _Island:
    keep = [k for k, t in enumerate(piece.tokens) if not t.editorial]
    keys = [piece.tokens[k].norm for k in keep]
    ops: list[AlignOp] = []
    # every non-editorial token is equal to its base token; interpolations are insertions
    b = 0
    for k, t in enumerate(piece.tokens):
        if t.editorial:
            ops.append(AlignOp("insert", (b, b), (k, k + 1)))
        else:
            ops.append(AlignOp("equal", (b, b + 1), (k, k + 1)))
            b += 1
    return _Island(keys, [(n, k) for k in keep], {n: _merge_ops(ops)})


def _merge_ops(ops: Sequence[AlignOp]) -> list[AlignOp]:
    out: list[AlignOp] = []
    for op in ops:
        if out and out[-1].op == op.op:
            last = out.pop()
            out.append(AlignOp(op.op, (last.src[0], op.src[1]), (last.quo[0], op.quo[1])))
        else:
            out.append(op)
    return out


def _attach(island: _Island, piece: WitnessText, n: int, pieces: Sequence[WitnessText] = ()) -> bool:
    """Align a piece onto an island where it overlaps it; extend the island where the piece runs past its ends.

    A whole text goes through :func:`_attach_whole`.
    """
    if piece.whole:
        _attach_whole(island, piece, n, pieces)
        return True
    pk = _keys(piece)
    words = [t.is_word for t in piece.tokens]
    if sum(words) < MIN_OVERLAP_WORDS:
        return False
    window = _window(island.keys, pk)
    if window is None:
        return False
    lo, hi = window
    ops = list(_diff(island.keys[lo:hi], piece))
    runs = _trim_runs([op for op in ops if op.op == "equal"], island.keys, lo)
    if not runs:
        return False
    s0, s1 = lo + runs[0].src[0], lo + runs[-1].src[1]
    matched = sum(1 for r in runs for i in range(r.src[0], r.src[1]) if _is_word_key(island.keys[lo + i]))
    # words that differ only in case just outside the matched stretch belong to it ("we" for "We")
    j = runs[0].quo[0]
    while j > 0 and s0 > 0 and pk[j - 1].casefold() == island.keys[s0 - 1].casefold():
        j, s0 = j - 1, s0 - 1
    j = runs[-1].quo[1]
    while j < len(pk) and s1 < len(island.keys) and pk[j].casefold() == island.keys[s1].casefold():
        j, s1 = j + 1, s1 + 1
    if (s0, s1) == (lo + runs[0].src[0], lo + runs[-1].src[1]):
        ops = _clip(ops, runs, lo, len(pk))
    else:
        ops = [AlignOp(op.op, (op.src[0] + s0, op.src[1] + s0), op.quo) for op in _diff(island.keys[s0:s1], piece)]
    lead = ops[0] if ops and ops[0].op == "insert" else None
    tail = ops[-1] if ops and ops[-1].op == "insert" and len(ops) > 1 else None
    grows_left = lead is not None and s0 == 0
    grows_right = tail is not None and s1 == len(island.keys)
    inside = sum(words) - (sum(words[slice(*lead.quo)]) if grows_left and lead else 0)
    inside -= sum(words[slice(*tail.quo)]) if grows_right and tail else 0
    if matched < MIN_OVERLAP_WORDS or matched < MIN_OVERLAP_SHARE * max(inside, 1):
        return False
    if grows_right and tail is not None:
        # punctuation after the piece's last word is the edge of the quotation, not text
        q0, q1 = tail.quo
        while q1 > q0 and not piece.tokens[q1 - 1].is_word:
            q1 -= 1
        new = [k for k in range(q0, q1) if not piece.tokens[k].editorial]
        start = len(island.keys)
        island.keys.extend(pk[k] for k in new)
        island.origin.extend((n, k) for k in new)
        rest = [AlignOp("insert", (start + len(new),) * 2, (q1, tail.quo[1]))] if q1 < tail.quo[1] else []
        ops[-1:] = _as_equal(piece, (q0, q1), start) + rest
    if grows_left and lead is not None:
        q0, q1 = lead.quo
        while q0 < q1 and not piece.tokens[q0].is_word:
            q0 += 1
        new = [k for k in range(q0, q1) if not piece.tokens[k].editorial]
        shift = len(new)
        island.keys[0:0] = [pk[k] for k in new]
        island.origin[0:0] = [(n, k) for k in new]
        for m, pops in island.placements.items():
            island.placements[m] = [AlignOp(o.op, (o.src[0] + shift, o.src[1] + shift), o.quo) for o in pops]
        ops = [AlignOp(o.op, (o.src[0] + shift, o.src[1] + shift), o.quo) for o in ops]
        first = [AlignOp("insert", (0, 0), (lead.quo[0], q0))] if q0 > lead.quo[0] else []
        ops[0:1] = first + _as_equal(piece, (q0, q1), 0)
    island.placements[n] = _merge_ops(ops)
    return True


def _diff(base: Sequence[str], piece: WitnessText) -> tuple[AlignOp, ...]:
    """A piece's tokens against a stretch of base keys, words first."""
    return diff_words_first(
        base, [t.norm for t in piece.tokens], [_is_word_key(k) for k in base], [t.is_word for t in piece.tokens]
    )


def _attach_whole(island: _Island, piece: WitnessText, n: int, pieces: Sequence[WitnessText]) -> None:
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
    pk = _keys(piece)
    words = [t.is_word for t in piece.tokens]
    guide = _guide(island, piece, pieces)
    if guide is not None:
        anchors = _anchors_through(island, guide, piece, pieces)
        ops = diff_between_anchors(island.keys, pk, [_is_word_key(k) for k in island.keys], words, anchors)
    else:
        ops = _diff(island.keys, piece)
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
        _grow(island, at, [pk[k] for k in new], [(n, k) for k in new])
        mine.append(AlignOp("equal", (at, at + len(new)), op.quo))
        shift += len(new)
    island.placements[n] = _merge_ops(mine)


def _grow(island: _Island, at: int, keys: Sequence[str], origin: Sequence[tuple[int, int]]) -> None:
    """Insert tokens into the base at ``at``; every text placed so far omits them."""
    k = len(keys)
    if not k:
        return
    island.keys[at:at] = keys
    island.origin[at:at] = origin
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


def _guide(island: _Island, piece: WitnessText, pieces: Sequence[WitnessText]) -> int | None:
    """The piece already on the island that shares most word pairs with ``piece`` (Jaccard), if any."""
    if not pieces:
        return None
    mine = _bigrams(piece)
    best: tuple[float, int] | None = None
    for m in sorted(island.placements):
        theirs = _bigrams(pieces[m])
        union = len(mine | theirs)
        score = len(mine & theirs) / union if union else 0.0
        if best is None or score > best[0]:
            best = (score, m)
    return best[1] if best is not None else None


def _bigrams(piece: WitnessText) -> set[tuple[str, str]]:
    ws = [t.key for t in piece.tokens if t.is_word]
    return set(zip(ws, ws[1:]))


def _anchors_through(island: _Island, guide: int, piece: WitnessText, pieces: Sequence[WitnessText]) -> list[tuple[int, int]]:
    """(base position, piece token) pairs: the piece's tokens that match the guide's where the guide matches the base."""
    on_base: dict[int, int] = {}
    for op in island.placements[guide]:
        if op.op == "equal":
            for i, k in zip(range(*op.src), range(*op.quo)):
                on_base[k] = i
    g = pieces[guide]
    ops = diff_words_first(
        [t.norm for t in g.tokens], [t.norm for t in piece.tokens], [t.is_word for t in g.tokens], [t.is_word for t in piece.tokens]
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

    Piece tokens before the first run (after the last) become an insertion
    at the start (end) of the matched stretch: the piece is not taken to
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


def _as_equal(piece: WitnessText, quo: tuple[int, int], start: int) -> list[AlignOp]:
    """The ops of piece tokens ``quo`` that have just become base tokens from ``start`` on."""
    out = []
    b = start
    for k in range(*quo):
        if piece.tokens[k].editorial:
            out.append(AlignOp("insert", (b, b), (k, k + 1)))
        else:
            out.append(AlignOp("equal", (b, b + 1), (k, k + 1)))
            b += 1
    return out


def _window(base: Sequence[str], keys: Sequence[str]) -> tuple[int, int] | None:
    """Where on the base a piece most likely lies: the diagonal most of its shared word pairs vote for."""
    if len(keys) >= len(base) // 2:
        return (0, len(base))
    where: dict[tuple[str, str], list[int]] = defaultdict(list)
    folded = [k.casefold() for k in base]
    for i in range(len(folded) - 1):
        where[(folded[i], folded[i + 1])].append(i)
    votes: Counter[int] = Counter()
    pk = [k.casefold() for k in keys]
    for j in range(len(pk) - 1):
        for i in where.get((pk[j], pk[j + 1]), ()):
            votes[i - j] += 1
    if not votes:
        return None
    diag = min(votes, key=lambda d: (-votes[d], d))
    lo = max(0, diag - WINDOW_SLACK)
    hi = min(len(base), diag + len(keys) + WINDOW_SLACK)
    return (lo, hi) if hi > lo else None


def _trim_runs(runs: list[AlignOp], keys: Sequence[str], lo: int) -> list[AlignOp]:
    """Drop equal runs at either end that are small beside the gap to the next: chance matches."""

    def size(r: AlignOp) -> int:
        return sum(1 for i in range(*r.src) if _is_word_key(keys[lo + i]))

    def stray(r: AlignOp, gap: int) -> bool:
        n = size(r)
        return (n == 1 and 3 * n < gap) or 8 * n < gap

    runs = [r for r in runs if size(r)]
    while len(runs) > 1 and stray(runs[0], runs[1].src[0] - runs[0].src[1]):
        runs.pop(0)
    while len(runs) > 1 and stray(runs[-1], runs[-1].src[0] - runs[-2].src[1]):
        runs.pop()
    return runs


def _assemble(pieces: Sequence[WitnessText]) -> tuple[list[str], list[tuple[int, int]], dict[int, list[AlignOp]], list[int], list[int]]:
    """Grow islands from the longest pieces, and keep the islands that quotations tie to the first.

    Returns the base keys, each base token's origin, each placed piece's ops,
    the base positions where one island ends and the next begins, and the
    numbers of the pieces left out.
    """
    order = sorted(range(len(pieces)), key=lambda n: (-pieces[n].words, pieces[n].witness, pieces[n].quote, pieces[n].fragment))
    left = [n for n in order if pieces[n].words >= MIN_OVERLAP_WORDS or (pieces[n].whole and pieces[n].tokens)]
    islands: list[_Island] = []
    while left:
        island = _seed(pieces[left[0]], left[0])
        left = left[1:]
        grown = True
        while grown:
            grown = False
            rest = []
            for n in left:
                if _attach(island, pieces[n], n, pieces):
                    grown = True
                else:
                    rest.append(n)
            left = rest
        islands.append(island)
    if not islands:
        return [], [], {}, [], list(range(len(pieces)))
    # islands tied to the first by fragments of one quotation belong to the same text
    island_of = {n: k for k, isl in enumerate(islands) for n in isl.placements}
    quotes: dict[tuple[str, int], list[int]] = defaultdict(list)
    for n in sorted(island_of, key=lambda n: (pieces[n].witness, pieces[n].quote, pieces[n].fragment)):
        quotes[(pieces[n].witness, pieces[n].quote)].append(island_of[n])
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
    keep = _order_islands(sorted(linked), before)
    keys: list[str] = []
    origin: list[tuple[int, int]] = []
    placements: dict[int, list[AlignOp]] = {}
    joins: list[int] = []
    for k in keep:
        isl = islands[k]
        shift = len(keys)
        if shift:
            joins.append(shift)
        keys.extend(isl.keys)
        origin.extend(isl.origin)
        for n, ops in isl.placements.items():
            placements[n] = [AlignOp(o.op, (o.src[0] + shift, o.src[1] + shift), o.quo) for o in ops]
    dropped = [n for n in range(len(pieces)) if n not in placements]
    return keys, origin, placements, joins, dropped


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


# --------------------------------------------------------------------------- collating the placed pieces


@dataclass
class _Place:
    lo: int  # doubled coordinates: gap g is 2g, token i is 2i + 1
    hi: int
    readings: dict[tuple[str, ...], list[tuple[_Placed, tuple[int, ...]]]] = field(default_factory=dict)


def _places(placed: Sequence[_Placed]) -> list[_Place]:
    """The places where some witness reads otherwise than the base, in base order.

    A substitution or an addition is a unit (its words stand for the whole
    base stretch), and overlapping units are one place. An omission is not:
    each omitted base word is a place of its own unless a unit covers it, so
    that one witness's long omission does not swallow the other witnesses'
    small variants inside it. Runs of omitted words with the same witnesses
    omitting them, and the same covering them, are then one place again.
    """
    units: list[tuple[int, int]] = []
    omitted: set[int] = set()
    for p in placed:
        for it in p.items:
            if it.op == "replace":
                units.append((2 * it.s0 + 1, 2 * it.s1 - 1))
            elif it.op == "insert":
                units.append((2 * it.s0, 2 * it.s0))
            elif it.op == "delete":
                omitted.update(range(it.s0, it.s1))
    units.sort()
    merged: list[_Place] = []
    for lo, hi in units:
        if merged and lo <= merged[-1].hi:
            merged[-1].hi = max(merged[-1].hi, hi)
        else:
            merged.append(_Place(lo, hi))
    starts = [m.lo for m in merged]

    def in_unit(x: int) -> bool:
        k = bisect_right(starts, x) - 1
        return k >= 0 and merged[k].lo <= x <= merged[k].hi

    singles = sorted(i for i in omitted if not in_unit(2 * i + 1))
    places = merged + [_Place(2 * i + 1, 2 * i + 1) for i in singles]
    places.sort(key=lambda pl: pl.lo)
    # neighbouring places that split the witnesses alike are one place ("X" against "Y")
    out: list[_Place] = []
    last: Any = None
    for pl in places:
        sig = _partition(pl, placed)
        if out and sig == last and _adjacent(out[-1], pl):
            out[-1].hi = pl.hi
        else:
            out.append(pl)
        last = sig
    return out


def _adjacent(a: _Place, b: _Place) -> bool:
    """Whether no base token stands between two places."""
    return b.lo == a.hi + 1 or (b.lo == a.hi + 2 and a.hi % 2 == 1)


def _partition(place: _Place, placed: Sequence[_Placed]) -> frozenset[frozenset[int]]:
    """How a place splits the pieces that cover it: the groups that read alike."""
    groups: dict[tuple[str, ...], set[int]] = defaultdict(set)
    for p in placed:
        if _covers(p, place):
            groups[tuple(p.piece.tokens[k].norm for k in _reading(p, place))].add(p.number)
    return frozenset(frozenset(g) for g in groups.values())


def _covers(p: _Placed, place: _Place) -> bool:
    for x in range(place.lo, place.hi + 1):
        if x % 2:
            if not p.covers_token(x // 2):
                return False
        elif not p.covers_gap(x // 2):
            return False
    return True


def _reading(p: _Placed, place: _Place) -> tuple[int, ...]:
    """The piece tokens a placed piece reads at a place."""
    out: list[int] = []
    k = bisect_left(p.ends, place.lo // 2)
    for it in p.items[k:]:
        if it.s0 > place.hi // 2 + 1:
            break
        if it.op == "insert":
            if place.lo <= 2 * it.s0 <= place.hi:
                out.extend(it.q)
            continue
        a, b = 2 * it.s0 + 1, 2 * it.s1 - 1
        if b < place.lo or a > place.hi or it.s0 == it.s1:
            continue
        if it.op == "equal":
            for n, i in enumerate(range(it.s0, it.s1)):
                if place.lo <= 2 * i + 1 <= place.hi:
                    out.append(it.q[n])
        else:
            out.extend(it.q)
    return tuple(out)


@dataclass(frozen=True)
class _Emit:
    placed: _Placed | None
    token: int  # index into the piece's tokens (or -1 for a lacuna)
    base: int  # the base position it stands at (for paragraph breaks)


def _join(emits: Sequence[_Emit], breaks: Sequence[bool]) -> tuple[str, list[Span]]:
    """Lay out emitted tokens as text: each token's own spacing from its witness where it can."""
    out: list[str] = []
    spans: list[Span] = []
    pos = 0
    prev: _Emit | None = None
    for e, brk in zip(emits, breaks):
        surface = LACUNA if e.placed is None else e.placed.piece.tokens[e.token].text
        if prev is not None:
            sep = "\n\n" if brk else _sep(prev, e)
            out.append(sep)
            pos += len(sep)
        spans.append((pos, pos + len(surface)))
        out.append(surface)
        pos += len(surface)
        prev = e
    return "".join(out), spans


def _sep(prev: _Emit, cur: _Emit) -> str:
    if prev.placed is not None and cur.placed is not None and prev.placed.piece is cur.placed.piece:
        toks = prev.placed.piece.tokens
        a, b = prev.token, cur.token
        if b == a + 1:
            return "" if toks[a].end == toks[b].start else " "
    if cur.placed is None or prev.placed is None:
        return " "
    t = cur.placed.piece.tokens[cur.token].norm
    p = prev.placed.piece.tokens[prev.token].norm
    if t and t[0] in _NO_SPACE_BEFORE:
        return ""
    if p and p[-1] in _NO_SPACE_AFTER:
        return ""
    return " "


def _reading_text(p: _Placed, toks: Sequence[int]) -> str:
    if not toks:
        return ""
    emits = [_Emit(p, k, -1) for k in toks]
    text, _ = _join(emits, [False] * len(emits))
    return text


class _Ranking:
    """Witnesses ranked for breaking ties: most words of the text read first, then by id."""

    def __init__(self, placed: Sequence[_Placed]) -> None:
        covered: dict[str, set[int]] = defaultdict(set)
        self.pieces: Counter[str] = Counter()
        for p in placed:
            self.pieces[p.piece.witness] += 1
            covered[p.piece.witness].update(i for i in p.wtok if p.covers_token(i))
        self.words = {w: len(s) for w, s in covered.items()}
        ids = sorted(self.words, key=lambda w: (-self.words[w], w))
        self.rank = {w: n for n, w in enumerate(ids)}

    def key(self, p: _Placed) -> tuple[int, int, int, int]:
        return (self.rank[p.piece.witness], -p.piece.words, p.piece.quote, p.piece.fragment)


def _vote(place: _Place, covering: Sequence[_Placed], rank: _Ranking) -> tuple[list[tuple[tuple[str, ...], list[_Placed], list[_Placed]]], bool, str]:
    """Readings at a place, best first: (key, voting pieces, other pieces), whether it is a tie, and why."""
    by_witness: dict[str, list[_Placed]] = defaultdict(list)
    for p in covering:
        by_witness[p.piece.witness].append(p)
    readings: dict[tuple[str, ...], tuple[list[_Placed], list[_Placed]]] = {}
    order: list[tuple[str, ...]] = []
    for w in sorted(by_witness, key=lambda w: rank.rank[w]):
        ps = sorted(by_witness[w], key=lambda p: (-p.piece.words, p.piece.quote, p.piece.fragment))
        for n, p in enumerate(ps):
            key = tuple(p.piece.tokens[k].norm for k in _reading(p, place))
            if key not in readings:
                readings[key] = ([], [])
                order.append(key)
            (readings[key][0] if n == 0 else readings[key][1]).append(p)
    # a witness's second reading counts nowhere its first already does
    for key in order:
        voters = {p.piece.witness for p in readings[key][0]}
        readings[key] = (readings[key][0], [p for p in readings[key][1] if p.piece.witness not in voters])

    def best_rank(key: tuple[str, ...]) -> int:
        ranks = [rank.rank[p.piece.witness] for p in readings[key][0]]
        return min(ranks) if ranks else len(rank.rank)

    ranked = sorted(order, key=lambda k: (-len(readings[k][0]), best_rank(k), order.index(k)))
    top = len(readings[ranked[0]][0])
    tie = sum(1 for k in ranked if len(readings[k][0]) == top) > 1
    total = sum(len(readings[k][0]) for k in ranked)
    if tie:
        leader = min((p for p in readings[ranked[0]][0]), key=lambda p: rank.rank[p.piece.witness])
        reason = f"tie: {top} of {total} witnesses for each of {sum(1 for k in ranked if len(readings[k][0]) == top)} readings; broken by the rule ({leader.piece.witness})"
    else:
        reason = f"majority: {top} of the {total} witnesses covering the place"
    extra = [p.piece.witness for k in ranked for p in readings[k][1]]
    if extra:
        reason += "; " + ", ".join(sorted(set(extra))) + " also read otherwise in a shorter quotation (no vote)"
    return [(k, readings[k][0], readings[k][1]) for k in ranked], tie, reason


def _collate(
    pieces: Sequence[WitnessText],
    base_keys: Sequence[str],
    placements: Mapping[int, Sequence[AlignOp]],
    *,
    source_id: str,
    title: str,
    outlets: dict[str, str],
    joins: Sequence[int] = (),
    unplaced: Sequence[int] = (),
    method: str = "",
) -> Reconstruction:
    placed: list[_Placed] = []
    for n in sorted(placements):
        p = _place(pieces[n], n, placements[n], base_keys)
        if p is not None:
            placed.append(p)
    rank = _Ranking(placed)
    places = _places(placed)
    place_at = {pl.lo: pl for pl in places}
    join_set = set(joins)

    by_token: dict[int, list[_Placed]] = defaultdict(list)
    for p in placed:
        for i in range(p.lo, p.hi):
            if p.covers_token(i) and i in p.wtok:
                by_token[i].append(p)
    for ps in by_token.values():
        ps.sort(key=rank.key)

    emits: list[_Emit] = []
    emit_cover: list[tuple[str, ...]] = []
    entries: list[tuple[int, int, _Place, list[Any], bool, str]] = []  # (first emit, end emit, place, readings, tie, reason)
    x = 0
    n_base = len(base_keys)
    in_lacuna = False
    while x <= 2 * n_base:
        if x % 2 == 0 and x // 2 in join_set and emits and not in_lacuna:
            emits.append(_Emit(None, -1, x // 2))
            emit_cover.append(())
            in_lacuna = True
        place = place_at.get(x)
        if place is not None:
            covering = [p for p in placed if _covers(p, place)]
            if not covering:
                place = None  # no witness reads the whole place: its words come one by one
            else:
                readings, tie, reason = _vote(place, covering, rank)
                key, voters, _ = readings[0]
                chooser = min(voters, key=rank.key)
                toks = _reading(chooser, place)
                first = len(emits)
                for k in toks:
                    emits.append(_Emit(chooser, k, place.lo // 2))
                    emit_cover.append(tuple(sorted({p.piece.witness for p in covering})))
                in_lacuna = False
                if len(readings) > 1:
                    entries.append((first, len(emits), place, readings, tie, reason))
                x = place.hi + 1
                continue
        if x % 2 == 1:
            i = x // 2
            cov = by_token.get(i)
            if cov:
                agreeing = [p for p in cov if p.piece.tokens[p.wtok[i][0]].norm == base_keys[i]]
                chooser = (agreeing or cov)[0]
                first_tok = chooser.wtok[i][0]
                emits.append(_Emit(chooser, first_tok, i))
                emit_cover.append(tuple(sorted({p.piece.witness for p in cov})))
                in_lacuna = False
            elif not in_lacuna and any(p.lo <= i for p in placed):
                emits.append(_Emit(None, -1, i))
                emit_cover.append(())
                in_lacuna = True
        x += 1
    columns = _columns(placed, places, n_base, rank)
    # a lacuna at the very end (nothing after it) is no lacuna of the text
    while emits and emits[-1].placed is None:
        emits.pop()
        emit_cover.pop()

    breaks = _paragraph_breaks(emits, placed, rank)
    text, spans = _join(emits, breaks)

    # paragraphs of the reconstructed text
    para_no: list[int] = []
    n = 0
    for b in breaks:
        if b:
            n += 1
        para_no.append(n)
    para_spans: list[Span] = []
    para_wits: list[set[str]] = []
    for k, (s, e) in enumerate(spans):
        if not para_spans or breaks[k]:
            para_spans.append((s, e))
            para_wits.append(set())
        else:
            para_spans[-1] = (para_spans[-1][0], e)
        para_wits[-1].update(emit_cover[k])
    paragraphs = tuple(
        ParagraphWitnesses(
            i,
            tuple(sorted(ws, key=lambda w: rank.rank.get(w, 0))),
            f"covered by {len(ws)} witness{'es' if len(ws) != 1 else ''}" if ws else "no witness",
        )
        for i, ws in enumerate(para_wits)
    )

    stretches: list[Stretch] = []
    for k, cover in enumerate(emit_cover):
        if not cover:
            continue
        if stretches and stretches[-1].witnesses == cover and k and emit_cover[k - 1] == cover and not breaks[k]:
            stretches[-1] = Stretch((stretches[-1].span[0], spans[k][1]), cover)
        else:
            stretches.append(Stretch(spans[k], cover))
    lacunae = tuple(spans[k] for k, e in enumerate(emits) if e.placed is None)

    apparatus: list[ApparatusEntry] = []
    for first, end, place, readings, tie, reason in entries:
        if end > first:
            span = (spans[first][0], spans[end - 1][1])
            para = para_no[first]
        elif first > 0:
            # an empty reading stands right after the token before it
            pos = spans[first - 1][1]
            span, para = (pos, pos), para_no[first - 1]
        else:
            pos = spans[0][0] if spans else 0
            span, para = (pos, pos), 0
        rs = []
        votes = []
        for key, voters, others in readings:
            who = sorted({p.piece.witness for p in voters + others}, key=lambda w: rank.rank[w])
            rep = min(voters + others, key=rank.key)
            rs.append(Reading(_reading_text(rep, _reading(rep, place)), tuple(who)))
            votes.append(len(voters))
        apparatus.append(ApparatusEntry(span, para, tuple(rs), tuple(votes), tie, reason))

    witnesses = tuple(
        Witness(w, outlets.get(w, ""), rank.words[w], rank.pieces[w]) for w in sorted(rank.words, key=lambda w: rank.rank[w])
    )
    left_out = tuple(
        Reading(_piece_text(pieces[n]), (pieces[n].witness,)) for n in unplaced if pieces[n].words
    )
    return Reconstruction(
        source_id,
        title,
        text,
        witnesses,
        paragraphs,
        tuple(para_spans),
        tuple(stretches),
        tuple(apparatus),
        lacunae,
        left_out,
        method,
        tuple(pieces),
        tuple(columns),
    )


def _columns(placed: Sequence[_Placed], places: Sequence[_Place], n_base: int, rank: _Ranking) -> list[Column]:
    """The multiple alignment as columns.

    A column per base token holds the pieces that read it as it is; a
    column per place where a piece substitutes or adds words holds the
    readings there (not aligned word by word), before the place's tokens.
    """
    def starts_in(it: _Item, pl: _Place) -> bool:
        x = 2 * it.s0 + 1 if it.op == "replace" else 2 * it.s0
        return pl.lo <= x <= pl.hi

    units = []
    for pl in places:
        readers = [p for p in placed if _covers(p, pl)]
        if any(it.op in ("replace", "insert") and starts_in(it, pl) for p in readers for it in p.items):
            units.append((pl, readers))
    out: list[Column] = []
    k = 0
    ordered = sorted(placed, key=rank.key)
    for i in range(n_base):
        while k < len(units) and units[k][0].lo <= 2 * i + 1:
            pl, readers = units[k]
            read = tuple((p.piece.witness, p.number, _reading(p, pl)) for p in sorted(readers, key=rank.key))
            out.append(Column("place", tuple(c for c in read if c[2])))
            k += 1
        cells: list[tuple[str, int, tuple[int, ...]]] = []
        for p in ordered:
            got = p.wtok.get(i)
            if got is not None and got[0] == got[1] and _equal_at(p, i):
                cells.append((p.piece.witness, p.number, (got[0],)))
        if cells:
            out.append(Column("token", tuple(cells)))
    for pl, readers in units[k:]:
        read = tuple((p.piece.witness, p.number, _reading(p, pl)) for p in sorted(readers, key=rank.key))
        out.append(Column("place", tuple(c for c in read if c[2])))
    return out


def _equal_at(p: _Placed, i: int) -> bool:
    """Whether a piece reads base token ``i`` as it is (an equal step, not part of a substitution)."""
    k = bisect_left(p.ends, i + 1)
    while k < len(p.items):
        it = p.items[k]
        if it.s0 <= i < it.s1:
            return it.op == "equal"
        if it.s0 > i:
            return False
        k += 1
    return False


def _paragraph_breaks(emits: Sequence[_Emit], placed: Sequence[_Placed], rank: _Ranking) -> list[bool]:
    """Before each emitted token, whether a new paragraph starts: the majority of the pieces that run across."""
    out = [False] * len(emits)
    for k in range(1, len(emits)):
        a, b = emits[k - 1], emits[k]
        if a.placed is None or b.placed is None or b.base <= a.base:
            continue
        votes: dict[str, tuple[tuple[int, int, int, int], bool]] = {}
        for p in placed:
            ta, tb = p.wtok.get(a.base), p.wtok.get(b.base)
            if ta is None or tb is None:
                continue
            brk = any(ta[1] < t <= tb[0] for t in p.piece.breaks)
            key = rank.key(p)
            w = p.piece.witness
            if w not in votes or key < votes[w][0]:
                votes[w] = (key, brk)
        if not votes:
            continue
        yes = sum(1 for _, v in votes.values() if v)
        no = len(votes) - yes
        if yes != no:
            out[k] = yes > no
        else:
            out[k] = min(votes.values())[1]
    return out


def _piece_text(piece: WitnessText) -> str:
    if not piece.tokens:
        return ""
    return piece.text[piece.tokens[0].start : piece.tokens[-1].end]


# --------------------------------------------------------------------------- public entry points


def _pieces_of(article: Document, quotations: Iterable[Quotation], quote_numbers: Iterable[int]) -> list[WitnessText]:
    out = []
    for q, qn in zip(quotations, quote_numbers):
        starts = [s for s, _ in q.spans]
        for fn, toks in enumerate(quotation_fragments(article.text, q.segments)):
            out.append(_piece(article, toks, qn, fn, starts))
    return out


def _piece(article: Document, toks: tuple[Token, ...], qn: int, fn: int, span_starts: Sequence[int]) -> WitnessText:
    para = [bisect_right(span_starts, t.start) - 1 for t in toks]
    breaks = frozenset(k for k in range(1, len(toks)) if para[k] != para[k - 1])
    return WitnessText(article.id, article.text, toks, qn, fn, breaks)


def reconstruct_check(result: CheckResult, source_id: str | None = None) -> Reconstruction:
    """Reconstruct a source of a checked case from the quotations located against it.

    Each located fragment keeps the place and the word alignment the
    pipeline gave it; the source's own words serve only as the scaffold the
    witnesses are placed on, never as a reading.
    """
    sources = {s.document.id: s for s in result.sources}
    if source_id is None:
        if len(sources) != 1:
            raise InputError(None, f"the case has {len(sources)} sources: name one with --source-id ({', '.join(sources)})")
        source_id = next(iter(sources))
    if source_id not in sources:
        raise InputError(None, f"no source {source_id!r} in the case (sources: {', '.join(sources) or 'none'})")
    source = sources[source_id].document
    base = tokenize(source.text)
    at = {t.start: i for i, t in enumerate(base)}
    pieces: list[WitnessText] = []
    placements: dict[int, list[AlignOp]] = {}
    outlets: dict[str, str] = {}
    for art in result.articles:
        outlets[art.article.id] = art.article.outlet
        for qn, qr in enumerate(art.quotes):
            loc = qr.location
            if loc is None or loc.source != source_id:
                continue
            starts = [s for s, _ in qr.quotation.spans]
            for frag, al in zip(loc.fragments, qr.alignment):
                if not al.source_tokens:
                    continue
                offset = at.get(al.source_tokens[0].start)
                if offset is None:
                    continue
                piece = _piece(art.article, al.quote_tokens, qn, frag.index, starts)
                ops = [AlignOp(op.op, (op.src[0] + offset, op.src[1] + offset), op.quo) for op in al.ops]
                placements[len(pieces)] = ops
                pieces.append(piece)
    if not pieces:
        raise InputError(None, f"no quotation of the articles renders the source {source_id!r}")
    method = (
        f"Reconstructed from the quotations of {source_id!r} that the pipeline located in it, each aligned word by word "
        "on the source's text, which serves only as a scaffold: every word of the text comes from a witness. "
        "At each place where the witnesses covering it disagree the majority reading is chosen; "
        f"a tie is broken by this rule: {TIE_RULE}."
    )
    return _collate(
        pieces,
        [t.norm for t in base],
        placements,
        source_id=source_id,
        title=sources[source_id].document.title or source_id,
        outlets=outlets,
        method=method,
    )


def reconstruct(case_dir: str | Path, *, source_id: str | None = None) -> Reconstruction:
    """Check a case directory and reconstruct one of its sources from the articles."""
    from quoteverify.pipeline import check

    return reconstruct_check(check(case_dir), source_id)


def reconstruct_articles(articles: Sequence[Document], *, source_id: str, title: str = "") -> Reconstruction:
    """Reconstruct a document from the quotations of articles, with no source at all.

    The longest quotation fragment is the seed; every fragment that overlaps
    the text built so far (at least :data:`MIN_OVERLAP_WORDS` words in common)
    is aligned onto it and extends it past its ends. Fragments that overlap
    nothing are left out (``unplaced``), unless a quotation ties them to the
    text (fragments of one quotation, between elisions, belong together).
    """
    from quoteverify.extract import extract_quotations

    pieces: list[WitnessText] = []
    outlets = {}
    for art in articles:
        outlets[art.id] = art.outlet
        quotes = extract_quotations(art)
        pieces.extend(_pieces_of(art, quotes, range(len(quotes))))
    method = (
        "Reconstructed without a source: the longest quotation is the seed, and every quotation that overlaps the "
        f"text built so far by at least {MIN_OVERLAP_WORDS} words is aligned onto it and extends it. "
        f"At each place the majority reading is chosen; a tie is broken by this rule: {TIE_RULE}."
    )
    return _assembled(pieces, source_id=source_id, title=title or source_id, outlets=outlets, method=method)


def collate_witnesses(witnesses: Sequence[tuple[str, str]], *, source_id: str = "text", title: str = "") -> Reconstruction:
    """Collate whole texts, each a witness ``(id, text)``: one multiple alignment, its apparatus and majority text."""
    pieces = []
    for wid, text in witnesses:
        toks = tokenize(text)
        pieces.append(WitnessText(wid, text, toks, 0, 0, _blank_line_breaks(text, toks), whole=True))
    method = f"Collated from {len(pieces)} witnesses; the majority reading is chosen at each place; ties: {TIE_RULE}."
    return _assembled(pieces, source_id=source_id, title=title or source_id, outlets={}, method=method)


def _blank_line_breaks(text: str, toks: Sequence[Token]) -> frozenset[int]:
    return frozenset(k for k in range(1, len(toks)) if "\n\n" in text[toks[k - 1].end : toks[k].start].replace("\r", ""))


def reconstruct_pieces(
    pieces: Sequence[WitnessText],
    *,
    source_id: str,
    title: str = "",
    outlets: dict[str, str] | None = None,
    method: str = "",
) -> Reconstruction:
    """Reconstruct a text from witness pieces with no source: grow it from the longest piece by overlap."""
    return _assembled(
        list(pieces),
        source_id=source_id,
        title=title or source_id,
        outlets=outlets or {},
        method=method or f"Grown from the longest of {len(pieces)} witness pieces by overlap; majority readings; ties: {TIE_RULE}.",
    )


def _assembled(pieces: list[WitnessText], *, source_id: str, title: str, outlets: dict[str, str], method: str) -> Reconstruction:
    keys, _, placements, joins, dropped = _assemble(pieces)
    if not placements:
        raise InputError(None, "no quotation to reconstruct a text from (none has three words or more)")
    return _collate(
        pieces,
        keys,
        placements,
        source_id=source_id,
        title=title,
        outlets=outlets,
        joins=joins,
        unplaced=dropped,
        method=method,
    )


def against(recon: Reconstruction, canonical: Document) -> Comparison:
    """The differences between a canonical text (BASE) and the reconstruction (OTHER), each explained.

    A difference inside an apparatus entry comes from the reading chosen
    there; one inside a lacuna from the lack of any witness; any other is a
    reading all the witnesses covering it agree on.
    """
    rebuilt = Document(id=f"{recon.source_id} (reconstructed)", text=recon.text, path=None)
    col = collate(canonical, rebuilt)
    out = []
    for v in col.variants:
        s, e = v.other_span
        hit = tuple(n for n, a in enumerate(recon.apparatus) if _touch(a.span, (s, e)))
        if hit:
            parts = []
            for n in hit:
                a = recon.apparatus[n]
                chosen = a.readings[0]
                rest = "; ".join(f"{r.text!r} ({', '.join(r.witnesses)})" for r in a.readings[1:])
                tie = " (a tie, broken by the rule)" if a.tie else ""
                parts.append(f"apparatus {n + 1}: {chosen.text!r} ({', '.join(chosen.witnesses)}) chosen over {rest}{tie}")
            explanation = "; ".join(parts)
        elif any(_touch(l, (s, e)) for l in recon.lacunae):
            explanation = "no witness covers this stretch"
        else:
            wits = sorted({w for st in recon.stretches if _touch(st.span, (s, e)) for w in st.witnesses})
            explanation = (
                f"every witness covering it reads so ({', '.join(wits)})" if wits else "no witness covers this stretch"
            )
        out.append(Difference(v, hit, explanation))
    return Comparison(col, tuple(out))


def _touch(a: Span, b: Span) -> bool:
    """Whether two spans overlap, or a zero-width one stands inside or at an edge of the other."""
    if a[0] == a[1] or b[0] == b[1]:
        return a[0] <= b[1] and b[0] <= a[1]
    return a[0] < b[1] and b[0] < a[1]
