"""Placing an excerpt on the base: its alignment turned into items, with the edges of a partial quotation trimmed.

A placed excerpt reads the base token by token: ``equal`` items read base
tokens as they are, ``replace`` items read other words for a stretch of
them, ``insert`` items add words in a gap, ``delete`` items omit base
tokens, and ``hole`` s are base tokens the witness does not attest (a
bracketed interpolation stands for them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from quoteverify.classify import no_variant_at_partial_edge
from quoteverify.models import AlignOp, Token
from quoteverify.reconstruct.models import WitnessText


@dataclass
class Item:
    """One step of an excerpt's alignment on the base: ``op`` over base tokens ``s0:s1`` with the excerpt's tokens ``q``."""

    op: str
    s0: int
    s1: int
    q: tuple[int, ...]


@dataclass
class PlacedExcerpt:
    """An excerpt placed on the base: its items, and what of the base it covers.

    ``number`` is the excerpt's index among the reconstruction's excerpts;
    ``lo:hi`` the base tokens from its first item to its last; ``holes``
    the base tokens inside that it does not attest.
    """

    excerpt: WitnessText
    number: int
    items: list[Item]
    holes: list[tuple[int, int]]
    lo: int = 0
    hi: int = 0
    wtok: dict[int, tuple[int, int]] = field(default_factory=dict)  # base token -> (first, last) excerpt token
    inserts: dict[int, tuple[int, ...]] = field(default_factory=dict)  # gap -> excerpt tokens
    ends: list[int] = field(default_factory=list)  # s1 of each item, for bisection

    def covers_token(self, i: int) -> bool:
        return self.lo <= i < self.hi and not any(h0 <= i < h1 for h0, h1 in self.holes)

    def covers_gap(self, g: int) -> bool:
        if g in self.inserts:
            return True
        if not self.lo < g < self.hi:
            return False
        return not any(h0 <= g <= h1 for h0, h1 in self.holes)


def place_excerpt(excerpt: WitnessText, number: int, ops: Sequence[AlignOp], base_keys: Sequence[str]) -> PlacedExcerpt | None:
    """Turn an excerpt's alignment on the base into items: interpolations out, edges trimmed."""
    toks = excerpt.tokens
    items, holes = _items(toks, ops)
    # a quotation covers the base from its first word to its last: deletions at its ends are outside it
    while items and (items[0].op == "hole" or (items[0].op == "delete" and not excerpt.whole)):
        items.pop(0)
    while items and (items[-1].op == "hole" or (items[-1].op == "delete" and not excerpt.whole)):
        items.pop()
    if not items or not (excerpt.whole or any(it.op == "equal" for it in items)):
        return None
    if not excerpt.whole:
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
    return _placed(excerpt, number, items, holes)


def _items(toks: Sequence[Token], ops: Sequence[AlignOp]) -> tuple[list[Item], list[tuple[int, int]]]:
    """The items of an alignment, bracketed interpolations left out, and the holes they leave."""
    items: list[Item] = []
    holes: list[tuple[int, int]] = []
    for op in ops:
        q = tuple(k for k in range(*op.quo) if not toks[k].editorial)
        editorial = any(toks[k].editorial for k in range(*op.quo))
        s0, s1 = op.src
        if op.op == "equal":
            items.append(Item("equal", s0, s1, q))
        elif op.op == "insert":
            if q:
                items.append(Item("insert", s0, s0, q))
        elif op.op == "delete":
            items.append(Item("delete", s0, s1, ()))
        elif q:
            items.append(Item("replace", s0, s1, q))
        elif editorial:
            holes.append((s0, s1))  # "[they]" for words: the witness does not attest them
            items.append(Item("hole", s0, s1, ()))
        else:
            items.append(Item("delete", s0, s1, ()))
    return items, holes


def _placed(excerpt: WitnessText, number: int, items: list[Item], holes: list[tuple[int, int]]) -> PlacedExcerpt:
    """The placed excerpt of its final items: its extent and what it reads at each base token and gap."""
    placed = PlacedExcerpt(excerpt, number, items, holes)
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


def _edge_substitution(items: list[Item], toks: Sequence[Token], base_keys: Sequence[str]) -> None:
    """Read words an excerpt adds at its very end (or start) as a substitution when the base has the same shape there.

    A quotation "... to take six months," located on "... to take six" is
    cut where the words stop matching; the base goes on "weeks, and", so the
    excerpt reads "months" for "weeks". The added tokens are taken as a
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


def _token_items(q: Sequence[int], start: int, toks: Sequence[Token]) -> list[Item]:
    """Items for excerpt tokens ``q`` set one to one on base tokens from ``start``: words replaced, punctuation equal."""
    out: list[Item] = []
    for n, k in enumerate(q):
        op = "replace" if toks[k].is_word else "equal"
        if out and out[-1].op == op:
            last = out[-1]
            out[-1] = Item(op, last.s0, start + n + 1, last.q + (k,))
        else:
            out.append(Item(op, start + n, start + n + 1, (k,)))
    return out


def _same_shape(added: Sequence[Token], base_keys: Sequence[str], at: int, step: int) -> int | None:
    """How many base tokens the added tokens substitute, next to ``at`` (after it for ``step`` +1, before for -1), if they do."""
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
    if [t.is_word for t in added] != [is_word_key(k) for k in window]:
        return None
    punct = [(t.norm, k) for t, k in zip(added, window) if not t.is_word]
    if any(a != b for a, b in punct):
        return None
    if any(t.norm.casefold() == k.casefold() for t, k in zip(added, window) if t.is_word):
        return None  # the diff would have matched it: not a clean substitution
    if punct or after is None or not is_word_key(after):
        return n
    return None


def _edge_only(it: Item, toks: Sequence[Token], base_keys: Sequence[str], *, first: bool) -> bool:
    """Whether an item at the edge of an excerpt differs only as the edges of a partial quotation may.

    The rule is :func:`~quoteverify.classify.no_variant_at_partial_edge`;
    its first-letter test compares every token here, punctuation too.
    """
    if it.op == "equal":
        return False
    mine = [toks[k] for k in it.q]
    theirs = list(base_keys[it.s0 : it.s1])
    return no_variant_at_partial_edge(
        theirs,
        [t.norm for t in mine],
        source_has_words=any(is_word_key(k) for k in theirs),
        quote_has_words=any(t.is_word for t in mine),
        at_start=first,
    )


def is_word_key(key: str) -> bool:
    """Whether a base key is a word (it has a letter or digit), not punctuation."""
    return any(c.isalnum() for c in key)
