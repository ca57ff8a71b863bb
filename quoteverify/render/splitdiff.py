"""The page of ``quoteverify diff --html``: two witnesses side by side, paragraph row by paragraph row.

On the model of a split diff (GitHub's, diff2html's): BASE on the left,
OTHER on the right, one table row per pair of aligned paragraphs, so that
the two sides can never drift apart; a paragraph only one side has gets a
row with the other side empty; a run of unchanged rows is folded. The
variants are listed beside the text with their context.

Paragraphs are paired through the collation's variants: outside a variant
the two texts are the same, so an offset of BASE maps to one of OTHER
(:func:`_offset_map`), and a paragraph boundary of one side that falls on a
paragraph boundary of the other cuts a row.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from quoteverify.collate import Collation, DocVariant, LayoutChange
from quoteverify.models import Document, Paragraph
from quoteverify.render.changes import clip, context_around
from quoteverify.render.json import document_name

#: how far (in characters) a mapped paragraph start may fall from the other side's, for the two to be paired:
#: room for typography (spacing, dash forms) in the text before it that the collation does not count
BOUNDARY_SLACK = 12
#: characters of context on each side of a variant in the list beside the text
CONTEXT_CHARS = 60


@dataclass(frozen=True)
class MarkedRun:
    """A run of text, plain or marked (``cls``), possibly with marked children.

    A marked run is (a piece of) a variant: ``anchor`` is its id on this
    side (only on its first piece), ``link`` the same variant on the other
    side.
    """

    text: str
    cls: str = ""
    ref: str = ""
    title: str = ""
    children: tuple["MarkedRun", ...] = ()
    anchor: str = ""
    link: str = ""


@dataclass(frozen=True)
class _Mark:
    start: int
    end: int
    cls: str
    ref: str
    title: str
    children: tuple["_Mark", ...] = ()


@dataclass(frozen=True)
class DiffCell:
    """One side of a row: its paragraphs' numbers (from 1) and its text, cut into runs; empty when the side has none."""

    numbers: tuple[int, ...]
    runs: tuple[MarkedRun, ...]

    @property
    def label(self) -> str:
        if not self.numbers:
            return ""
        first, last = self.numbers[0], self.numbers[-1]
        return f"\u00b6{first}" if first == last else f"\u00b6{first}\u2013{last}"


@dataclass(frozen=True)
class DiffRow:
    """A pair of aligned paragraphs (or runs of paragraphs split or merged)."""

    base: DiffCell
    other: DiffCell
    changed: bool


@dataclass(frozen=True)
class DiffBlock:
    """Rows shown together: one changed row, or a run of unchanged rows, folded."""

    folded: bool
    rows: tuple[DiffRow, ...]


@dataclass(frozen=True)
class CollationVariantRow:
    """A variant in the list beside the text, with BASE's words around it; a move lists the variants ``inner`` to it."""

    ref: str
    kind: str
    severity: str
    unit: str
    moved: bool
    source_text: str
    quote_text: str
    inner: tuple["CollationVariantRow", ...]
    paragraph: int = 0
    before: str = ""
    after: str = ""


@dataclass(frozen=True)
class CollationPage:
    """The split-diff page of two collated documents."""

    title: str
    base: str
    other: str
    identical: bool
    counts: tuple[tuple[str, int], ...]
    blocks: tuple[DiffBlock, ...]
    variants: tuple[CollationVariantRow, ...]
    layout: tuple[LayoutChange, ...]


# --------------------------------------------------------------------------- pairing paragraphs


_Anchor = tuple[int, int, int, int]  # a variant's span in the text mapped from, then in the text mapped to


def _offset_map(anchors: Sequence[_Anchor]) -> Callable[[int], int]:
    """Map an offset of one text to the other, through the variants that are in the same order in both."""
    starts = [a[0] for a in anchors]

    def mapped(x: int) -> int:
        k = bisect_right(starts, x) - 1
        if k < 0:
            return x
        s, e, os, oe = anchors[k]
        if x == s:
            return os
        return oe if x < e else oe + (x - e)

    return mapped


def _anchors(variants: Sequence[DocVariant], reverse: bool) -> list[_Anchor]:
    """The variants not moved, as spans in the text mapped from and to, kept only while in order on both sides."""
    spans = [(v.base_span, v.other_span) if not reverse else (v.other_span, v.base_span) for v in variants if not v.moved]
    spans.sort()
    out: list[_Anchor] = []
    for (s, e), (os, oe) in spans:
        if out and (s < out[-1][1] or os < out[-1][3]):
            continue
        out.append((s, e, os, oe))
    return out


def _boundary_pairs(
    mine: Sequence[Paragraph], theirs: Sequence[Paragraph], mapped: Callable[[int], int]
) -> list[tuple[int, int]]:
    """The paragraph boundaries of ``mine`` that fall on one of ``theirs``: (after my paragraph k, after their paragraph j)."""
    starts = [p.start for p in theirs]
    pairs = []
    for k in range(len(mine) - 1):
        y = mapped(mine[k + 1].start)
        j = bisect_right(starts, y) - 1  # their paragraph holding (or before) y
        for cand in (j, j + 1):
            if 1 <= cand < len(theirs) and (
                abs(theirs[cand].start - y) <= BOUNDARY_SLACK or theirs[cand - 1].end <= y <= theirs[cand].start
            ):
                pairs.append((k, cand - 1))
                break
    return pairs


def _row_cuts(c: Collation) -> list[tuple[int, int]]:
    """Where rows end: pairs (last BASE paragraph, last OTHER paragraph), increasing on both sides."""
    pb, po = c.base.paragraphs_or_whole, c.other.paragraphs_or_whole
    forward = _boundary_pairs(pb, po, _offset_map(_anchors(c.variants, reverse=False)))
    backward = [(k, j) for j, k in _boundary_pairs(po, pb, _offset_map(_anchors(c.variants, reverse=True)))]
    cuts: list[tuple[int, int]] = []
    for k, j in sorted(set(forward) | set(backward)):
        if not cuts or (k >= cuts[-1][0] and j >= cuts[-1][1]):
            cuts.append((k, j))
    return cuts


# --------------------------------------------------------------------------- marks


def _marks(variants: Sequence[DocVariant], side: str, prefix: str = "v") -> list[_Mark]:
    out = []
    for n, v in enumerate(variants, 1):
        span = v.base_span if side == "b" else v.other_span
        ref = f"{prefix}{n}"
        cls = f"{v.kind.value} {v.severity.value}" + (" moved" if v.moved else "") + (" empty" if span[0] == span[1] else "")
        title = f"{ref}: {v.kind.value}" + (" (moved)" if v.moved else "")
        children = tuple(_marks(v.inner, side, f"{ref}.")) if v.inner else ()
        out.append(_Mark(span[0], span[1], cls, ref, title, children))
    return out


def _clipped(marks: Sequence[_Mark], start: int, end: int, claim: tuple[int, int]) -> list[_Mark]:
    """The marks within ``[start, end]``, cut to it; a zero-width mark in ``claim`` (the text and the gaps around it) is moved into it."""
    out = []
    for m in marks:
        if m.start == m.end:
            if claim[0] <= m.start <= claim[1]:
                at = min(max(m.start, start), end)
                out.append(dataclasses.replace(m, start=at, end=at))
        elif m.end > start and m.start < end:
            s, e = max(m.start, start), min(m.end, end)
            out.append(dataclasses.replace(m, start=s, end=e, children=tuple(_clipped(m.children, s, e, (s, e)))))
    return out


def _runs(text: str, start: int, end: int, marks: Sequence[_Mark], side: str, named: set[str]) -> tuple[MarkedRun, ...]:
    """Cut ``text[start:end]`` into plain runs and marks; ``named`` holds the marks already given their id."""
    out: list[MarkedRun] = []
    pos = start
    there = "o" if side == "b" else "b"
    for m in sorted(marks, key=lambda m: (m.start, m.end)):
        if m.start < pos or m.end > end:
            continue  # overlapping marks are listed beside the text, not drawn twice
        if m.start > pos:
            out.append(MarkedRun(text[pos : m.start]))
        children = _runs(text, m.start, m.end, m.children, side, named) if m.children else ()
        body = "" if children else text[m.start : m.end]
        anchor = f"{side}-{m.ref}" if m.ref not in named else ""
        named.add(m.ref)
        out.append(MarkedRun(body, m.cls, m.ref, m.title, children, anchor, f"#{there}-{m.ref}"))
        pos = m.end
    if pos < end:
        out.append(MarkedRun(text[pos:end]))
    return tuple(out)


def _cell(doc: Document, first: int, last: int, marks: Sequence[_Mark], side: str, named: set[str]) -> tuple[DiffCell, bool]:
    """One side of a row (paragraphs ``first`` to ``last``, none when ``last < first``) and whether it is marked."""
    paragraphs = doc.paragraphs_or_whole
    if last < first:
        return DiffCell((), ()), False
    start, end = paragraphs[first].start, paragraphs[last].end
    claim = (0 if first == 0 else start, paragraphs[last + 1].start - 1 if last + 1 < len(paragraphs) else len(doc.text))
    inside = _clipped(marks, start, end, claim)
    numbers = tuple(p.index + 1 for p in paragraphs[first : last + 1])
    return DiffCell(numbers, _runs(doc.text, start, end, inside, side, named)), bool(inside)


def _rows(c: Collation) -> list[DiffRow]:
    base_marks, other_marks = _marks(c.variants, "b"), _marks(c.variants, "o")
    named_b: set[str] = set()
    named_o: set[str] = set()
    nb, no = len(c.base.paragraphs_or_whole), len(c.other.paragraphs_or_whole)
    rows = []
    prev_k, prev_j = -1, -1
    for k, j in [*_row_cuts(c), (nb - 1, no - 1)]:
        if k == prev_k and j == prev_j:
            continue
        base, marked_b = _cell(c.base, prev_k + 1, k, base_marks, "b", named_b)
        other, marked_o = _cell(c.other, prev_j + 1, j, other_marks, "o", named_o)
        changed = marked_b or marked_o or len(base.numbers) != len(other.numbers)
        rows.append(DiffRow(base, other, changed))
        prev_k, prev_j = k, j
    return rows


def _blocks(rows: Sequence[DiffRow]) -> tuple[DiffBlock, ...]:
    blocks: list[DiffBlock] = []
    for row in rows:
        if not row.changed and blocks and blocks[-1].folded:
            blocks[-1] = DiffBlock(True, (*blocks[-1].rows, row))
        else:
            blocks.append(DiffBlock(not row.changed, (row,)))
    return tuple(blocks)


# --------------------------------------------------------------------------- the list of variants


def paragraph_number(doc: Document, offset: int) -> int:
    """The number (from 1) of the paragraph of ``doc`` holding ``offset``, or the last one before it."""
    starts = [p.start for p in doc.paragraphs_or_whole]
    return doc.paragraphs_or_whole[max(0, bisect_right(starts, offset) - 1)].index + 1


def _variant_rows(c: Collation, variants: Sequence[DocVariant], prefix: str = "v") -> tuple[CollationVariantRow, ...]:
    rows = []
    for n, v in enumerate(variants, 1):
        ref = f"{prefix}{n}"
        before, after = context_around(c.base.text, *v.base_span, chars=CONTEXT_CHARS)
        rows.append(
            CollationVariantRow(
                ref=ref,
                kind=v.kind.value,
                severity=v.severity.value,
                unit=v.unit,
                moved=v.moved,
                source_text=clip(v.source_text, 160),
                quote_text=clip(v.quote_text, 160),
                inner=_variant_rows(c, v.inner, f"{ref}."),
                paragraph=paragraph_number(c.base, v.base_span[0]),
                before=before,
                after=after,
            )
        )
    return tuple(rows)


def collation_page(c: Collation) -> CollationPage:
    """The view of the split-diff page of a collation."""
    counts = Counter(v.kind.value for v in c.variants)
    base_name = document_name(c.base)
    other_name = document_name(c.other)
    return CollationPage(
        title=f"{base_name} \u2194 {other_name}",
        base=base_name,
        other=other_name,
        identical=c.identical,
        counts=tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))),
        blocks=_blocks(_rows(c)),
        variants=_variant_rows(c, c.variants),
        layout=c.layout,
    )
