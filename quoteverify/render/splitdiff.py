"""The page of ``quoteverify diff --html``: two witnesses side by side, row by aligned row.

On the model of a split diff (GitHub's, diff2html's): BASE on the left,
OTHER on the right, one table row per pair of aligned sentences (or runs of
them), so that the two sides can never drift apart; a paragraph only one
side has gets rows with the other side empty; a run of unchanged paragraphs
is folded. The variants are listed beside the text with their context.

Rows are cut through the collation's variants: outside a variant the two
texts are the same, so an offset of BASE maps to one of OTHER
(:func:`_offset_map`), and a sentence or paragraph boundary of one side
that falls on one of the other cuts a row.
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from quoteverify.collate import Collation, DocVariant, LayoutChange
from quoteverify.models import Document
from quoteverify.render.changes import clip, context_around
from quoteverify.render.json import document_name

#: how far (in characters) a mapped paragraph start may fall from the other side's, for the two to be paired:
#: room for typography (spacing, dash forms) in the text before it that the collation does not count
BOUNDARY_SLACK = 12
#: the same for a sentence inside a paragraph: tighter, as sentences are closer together than paragraphs
SENTENCE_SLACK = 4
#: where a paragraph is cut into rows: after a full stop, question or exclamation mark, semicolon or colon
#: (and any closing quote or bracket), before the next word
_SENTENCE_END = re.compile(r"(?<=[.!?;:])[\"'\u201d\u2019)\]]*\s+(?=\S)")
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
    """One side of a row: the numbers (from 1) of the paragraphs it opens, of all it touches, and its text in runs.

    ``paragraphs`` is empty when the side has no text in the row.
    """

    numbers: tuple[int, ...]
    runs: tuple[MarkedRun, ...]
    paragraphs: tuple[int, ...] = ()

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

    @property
    def opens(self) -> bool:
        """Whether the row starts a paragraph on either side."""
        return bool(self.base.numbers or self.other.numbers)


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


# --------------------------------------------------------------------------- pairing sentences


@dataclass(frozen=True)
class _Unit:
    """A sentence (or the last part of one) of a paragraph: what a row is made of."""

    start: int
    end: int
    paragraph: int
    opens: bool


def _units(doc: Document) -> list[_Unit]:
    """The sentences of a document, paragraph by paragraph."""
    out = []
    for p in doc.paragraphs_or_whole:
        start = p.start
        for m in _SENTENCE_END.finditer(doc.text, p.start, p.end):
            out.append(_Unit(start, m.start(), p.index, start == p.start))
            start = m.end()
        out.append(_Unit(start, p.end, p.index, start == p.start))
    return out


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


def _boundary_pairs(mine: Sequence[_Unit], theirs: Sequence[_Unit], mapped: Callable[[int], int]) -> list[tuple[int, int]]:
    """The unit boundaries of ``mine`` that fall on one of ``theirs``: (after my unit k, after their unit j).

    A boundary is one of paragraphs on both sides or of sentences on both
    sides, never a paragraph against a sentence.
    """
    starts = [u.start for u in theirs]
    pairs = []
    for k in range(len(mine) - 1):
        nxt = mine[k + 1]
        y = mapped(nxt.start)
        j = bisect_right(starts, y) - 1  # their unit holding (or before) y
        for cand in (j, j + 1):
            if not 1 <= cand < len(theirs) or theirs[cand].opens != nxt.opens:
                continue
            slack = BOUNDARY_SLACK if nxt.opens else SENTENCE_SLACK
            if abs(theirs[cand].start - y) <= slack or theirs[cand - 1].end <= y <= theirs[cand].start:
                pairs.append((k, cand - 1))
                break
    return pairs


def _row_cuts(c: Collation, pb: Sequence[_Unit], po: Sequence[_Unit]) -> list[tuple[int, int]]:
    """Where rows end: pairs (last BASE unit, last OTHER unit), increasing on both sides."""
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
        children = tuple(_marks(v.inner, side, f"{ref}.")) if v.inner else _shared_marks(v, side)
        out.append(_Mark(span[0], span[1], cls, ref, title, children))
    return out


def _shared_marks(v: DocVariant, side: str) -> tuple[_Mark, ...]:
    """The words a rewritten passage still shares with the other side, shown plain inside it."""
    return tuple(_Mark(*(b if side == "b" else o), "shared", "", "shared by both sides") for b, o in v.shared)


def _clipped(marks: Sequence[_Mark], start: int, end: int, *, with_empty: bool = False) -> list[_Mark]:
    """The marks with words within ``[start, end]``, cut to it (with their children, zero-width ones too)."""
    out = []
    for m in marks:
        if m.start < m.end and m.end > start and m.start < end:
            s, e = max(m.start, start), min(m.end, end)
            out.append(dataclasses.replace(m, start=s, end=e, children=tuple(_clipped(m.children, s, e, with_empty=True))))
        elif with_empty and m.start == m.end and start <= m.start <= end:
            out.append(m)
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
        anchor = f"{side}-{m.ref}" if m.ref and m.ref not in named else ""
        named.add(m.ref)
        out.append(MarkedRun(body, m.cls, m.ref, m.title, children, anchor, f"#{there}-{m.ref}"))
        pos = m.end
    if pos < end:
        out.append(MarkedRun(text[pos:end]))
    return tuple(out)


@dataclass(frozen=True)
class _RowSpan:
    """The units of a row on each side (``last < first`` when a side has none)."""

    base: tuple[int, int]
    other: tuple[int, int]


def _row_spans(c: Collation, pb: Sequence[_Unit], po: Sequence[_Unit]) -> list[_RowSpan]:
    nb, no = len(pb), len(po)
    spans = []
    prev_k, prev_j = -1, -1
    for k, j in [*_row_cuts(c, pb, po), (nb - 1, no - 1)]:
        if k == prev_k and j == prev_j:
            continue
        spans.append(_RowSpan((prev_k + 1, k), (prev_j + 1, j)))
        prev_k, prev_j = k, j
    return spans


def _row_of(units: Sequence[_Unit], spans: Sequence[tuple[int, int]], offset: int) -> int | None:
    """The row whose units on this side hold ``offset`` (or end last before it); None when no row has any."""
    found = None
    for r, (first, last) in enumerate(spans):
        if last >= first and (units[first].start <= offset or found is None):
            found = r
    return found


def _variant_rows_of(c: Collation, spans: Sequence[_RowSpan], pb: Sequence[_Unit], po: Sequence[_Unit]) -> list[int]:
    """The row each variant is drawn in: where its words are on BASE, or on OTHER when BASE has none."""
    rows = []
    for v in c.variants:
        r = None
        if v.base_span[0] < v.base_span[1]:
            r = _row_of(pb, [s.base for s in spans], v.base_span[0])
        if r is None:
            r = _row_of(po, [s.other for s in spans], v.other_span[0])
        rows.append(r if r is not None else 0)
    return rows


def _cell(
    doc: Document,
    units: Sequence[_Unit],
    span: tuple[int, int],
    marks: Sequence[_Mark],
    empty_marks: Sequence[_Mark],
    side: str,
    named: set[str],
) -> tuple[DiffCell, bool]:
    """One side of a row and whether it is marked: its units' text with the marks of its words, and the
    zero-width marks of the variants drawn in this row (put at the nearest place of its text, or alone)."""
    first, last = span
    if last < first:
        there = "o" if side == "b" else "b"
        alone = tuple(MarkedRun("", m.cls, m.ref, m.title, (), f"{side}-{m.ref}", f"#{there}-{m.ref}") for m in empty_marks)
        named.update(m.ref for m in empty_marks)
        return DiffCell((), alone), bool(empty_marks)
    start, end = units[first].start, units[last].end
    placed = [dataclasses.replace(m, start=min(max(m.start, start), end), end=min(max(m.start, start), end)) for m in empty_marks]
    inside = _clipped(marks, start, end) + placed
    row_units = units[first : last + 1]
    numbers = tuple(u.paragraph + 1 for u in row_units if u.opens)
    paragraphs = tuple(dict.fromkeys(u.paragraph + 1 for u in row_units))
    return DiffCell(numbers, _runs(doc.text, start, end, inside, side, named), paragraphs), bool(inside)


def _rows(c: Collation) -> list[DiffRow]:
    pb, po = _units(c.base), _units(c.other)
    spans = _row_spans(c, pb, po)
    base_marks, other_marks = _marks(c.variants, "b"), _marks(c.variants, "o")
    drawn_in = _variant_rows_of(c, spans, pb, po)
    named_b: set[str] = set()
    named_o: set[str] = set()
    rows = []
    for r, span in enumerate(spans):
        here = [n for n, row in enumerate(drawn_in) if row == r]
        empty_b = [base_marks[n] for n in here if base_marks[n].start == base_marks[n].end]
        empty_o = [other_marks[n] for n in here if other_marks[n].start == other_marks[n].end]
        base, marked_b = _cell(c.base, pb, span.base, base_marks, empty_b, "b", named_b)
        other, marked_o = _cell(c.other, po, span.other, other_marks, empty_o, "o", named_o)
        changed = marked_b or marked_o or len(base.paragraphs) != len(other.paragraphs)
        rows.append(DiffRow(base, other, changed))
    return rows


def _blocks(rows: Sequence[DiffRow]) -> tuple[DiffBlock, ...]:
    """Rows by paragraph: a paragraph (rows from one that opens a paragraph to the next) with no change is folded,
    with the unchanged paragraphs around it; the rows of the others are shown."""
    groups: list[list[DiffRow]] = []
    for row in rows:
        # a paragraph split or merged stays one group: a new one starts where both sides start a paragraph
        opens_b = bool(row.base.numbers) or not row.base.paragraphs
        opens_o = bool(row.other.numbers) or not row.other.paragraphs
        if (opens_b and opens_o) or not groups:
            groups.append([])
        groups[-1].append(row)
    blocks: list[DiffBlock] = []
    for group in groups:
        base = {n for r in group for n in r.base.paragraphs}
        other = {n for r in group for n in r.other.paragraphs}
        folded = not any(r.changed for r in group) and len(base) == len(other)
        if blocks and folded and blocks[-1].folded:
            blocks[-1] = DiffBlock(True, (*blocks[-1].rows, *group))
        else:
            blocks.append(DiffBlock(folded, tuple(group)))
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
