"""The word-level diff of a quotation against its source passage, as the article pages show it.

:func:`quote_diff` renders one located quotation three ways (inline, the
quotation side and the source side) from its fragments and their word
alignments, and writes a plain-text correction note. Each change is labelled
with the variants it belongs to: a variant read from alignment steps
(:attr:`Variant.fragment`, :attr:`Variant.ops`) labels exactly those steps;
a variant between fragments (an elision, a fragment out of order or not
found) has no steps and labels what its spans overlap.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from quoteverify.models import (
    Alignment,
    Document,
    Fragment,
    Kind,
    QuoteResult,
    Severity,
    Span,
    Token,
    Variant,
    Verdict,
    spans_overlap,
    spans_touch,
)

#: Words of a long elided passage shown at each end; the middle is summarised.
CUT_KEEP_WORDS = 25
#: Tokens of context on each side of a change in a correction note.
NOTE_CONTEXT = 3

_PARA_BREAK = re.compile(r"\n[^\S\n]*\n\s*")
#: compiled once: looked up in ``re``'s cache of patterns, the 40,000 calls of a report took 0.6 s more (cProfile)
_WHITESPACE = re.compile(r"\s+")


def one_line(text: str) -> str:
    """``text`` with every run of whitespace made one space, stripped."""
    # most texts are one line already (a printable text holds no whitespace but the
    # space): 15,000 calls of the views of 1,000 articles, 0.03 s of regex under cProfile
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return _WHITESPACE.sub(" ", text).strip()


def homoglyph_detail(source_text: str, quote_text: str) -> str:
    """Name the look-alike characters of a homoglyph variant, e.g. ``"о" U+043E CYRILLIC SMALL LETTER O for "o"``."""
    parts: list[str] = []
    for s, q in zip(source_text, quote_text):
        if s != q:
            name = unicodedata.name(q, "unnamed character")
            parts.append(f'"{q}" U+{ord(q):04X} {name} for "{s}"')
    if len(quote_text) != len(source_text):
        for q in quote_text[len(source_text) :]:
            if ord(q) > 127:
                parts.append(f'"{q}" U+{ord(q):04X} {unicodedata.name(q, "unnamed character")}')
    return "; ".join(dict.fromkeys(parts))


# --------------------------------------------------------------------------- diff pieces


class Tag(NamedTuple):
    """The label of a change in a diff: the variant it belongs to (``kind == "none"`` when none does).

    A named tuple, compared and hashed without a call of Python: the pages
    of a report of 1,000 articles look up the markup of 12,000 changes by
    their tags (as a frozen dataclass, 41,000 calls of its ``__eq__``).
    """

    kind: str
    severity: str
    ref: str = ""

    @property
    def label(self) -> str:
        if self.kind == "none":
            return "not counted"
        return f"{self.kind} \u00b7 {self.severity}"


_NO_VARIANT = (Tag("none", "none"),)
#: a token's folded form
_NORM = operator.attrgetter("norm")


#: each severity's rank (:attr:`Severity.rank`), -1 for ``"none"``: a dict, as the pages of
#: 1,000 articles asked 44,000 times (0.13 s through ``Severity(name).rank``)
_RANK: dict[str, int] = {"none": -1, **{s.value: s.rank for s in Severity}}
#: the severities whose changes a correction note names
_NOTED = frozenset({Severity.MINOR.value, Severity.MAJOR.value})
_ACCEPTABLE = Severity.ACCEPTABLE.value


def _severity_rank(severity: str) -> int:
    """The rank of a tag's severity (:attr:`Severity.rank`); -1 for ``"none"``."""
    return _RANK[severity]


class Piece(NamedTuple):
    """A run of a rendered diff.

    Leaf kinds: ``text`` (words as printed), ``del`` (source words missing
    from the quotation), ``ins`` (words the quotation adds), ``cut`` (source
    words a marked ellipsis stands for), ``mark`` (an ellipsis or bracket in
    the quotation), ``flag`` (words aligned as equal but flagged by a variant),
    ``caret`` (where the other side has words this one lacks), ``pbreak`` (a
    paragraph break) and ``more`` (the middle of a long cut, summarised).
    ``change`` groups the leaves of one change in ``parts`` with its ``tags``.

    A named tuple, not a frozen dataclass: the diffs of a report of 1,000
    articles make some 75,000 pieces, and a frozen dataclass's ``__init__``
    sets each field through ``object.__setattr__`` (the diffs of its 2,578
    located quotations: 0.22 s, 0.19 s as named tuples; process time, best
    of seven, one process).
    """

    kind: str
    text: str = ""
    parts: tuple["Piece", ...] = ()
    tags: tuple[Tag, ...] = ()

    @property
    def severity(self) -> str:
        """The worst severity of the change's tags (``"none"`` when it has none)."""
        return max((t.severity for t in self.tags), key=_severity_rank, default="none")

    @property
    def kinds(self) -> str:
        return " ".join(dict.fromkeys(t.kind for t in self.tags))


_PBREAK_PIECE = Piece("pbreak")


def _plain(pieces: Iterable[Piece]) -> str:
    """The text of pieces as one line of plain text (paragraph breaks become spaces)."""
    out: list[str] = []
    for p in pieces:
        if p.kind == "change":
            out.append(_plain(p.parts))
        elif p.kind in ("pbreak", "caret", "more"):
            out.append(" ")
        else:
            out.append(p.text)
    return one_line("".join(out))


def _ends_with_space(pieces: list[Piece]) -> bool:
    for p in reversed(pieces):
        if p.kind == "pbreak":
            return True
        if p.kind == "change":
            return False
        if p.text:
            return p.text[-1].isspace()
    return True


@dataclass(frozen=True)
class DiffView:
    """The three renderings of a quotation against its source passage, and its correction note."""

    inline: tuple[Piece, ...]
    quote_side: tuple[Piece, ...]
    source_side: tuple[Piece, ...]
    note: str


def quote_diff(
    q: QuoteResult, article: Document, source: Document, refs: Sequence[str], outlet: str, source_label: str
) -> DiffView:
    """The diff of a located quotation against its source passage.

    ``refs`` name the quotation's variants (one each, in order) in the
    tags; ``outlet`` and ``source_label`` name the two sides in the
    correction note, which only altered and faithful quotations get.
    """
    builder = _DiffBuilder(q, article, source, refs)
    inline, qside, sside = builder.build()
    note = ""
    if q.verdict in (Verdict.ALTERED, Verdict.FAITHFUL):
        note = builder.note(outlet, source_label)
    return DiffView(tuple(inline), tuple(qside), tuple(sside), note)


# --------------------------------------------------------------------------- which variant a change belongs to


@dataclass(frozen=True)
class _Change:
    """A change with a minor or major variant, by token index within one fragment's alignment."""

    fragment: int
    src: tuple[int, int]
    quo: tuple[int, int]
    tags: tuple[Tag, ...]


class _VariantTags:
    """The tags of a quotation's variants, found by alignment step or, for a variant without steps, by span."""

    def __init__(self, variants: Sequence[Variant], refs: Sequence[str]) -> None:
        self.variants = variants
        self.refs = refs
        self.by_op: dict[tuple[int, int], list[int]] = defaultdict(list)
        #: variants between fragments: no alignment steps, found by their spans
        self.between: list[int] = []
        for i, v in enumerate(variants):
            if v.fragment is not None and v.ops:
                for n in v.ops:
                    self.by_op[(v.fragment, n)].append(i)
            else:
                self.between.append(i)
        # one tag per variant, made once: made on each ask, they were 14,000 enum lookups of a report
        self.tags = [Tag(v.kind.value, v.severity.value, ref) for v, ref in zip(variants, refs)]
        #: the tags of each step, when no variant is without steps (most quotations): asked for
        #: again for each word of a step, found once (13,000 asks of a report of 1,000 articles)
        self._of_step: dict[tuple[int, int], tuple[Tag, ...]] = {}

    def tag(self, i: int) -> Tag:
        return self.tags[i]

    def overlap_between(self, qr: Span, sr: Span) -> bool:
        """Whether a variant without steps overlaps ``qr`` or ``sr``."""
        for i in self.between:
            v = self.variants[i]
            if (v.quote_span is not None and spans_overlap(qr, v.quote_span)) or (
                v.source_span is not None and spans_overlap(sr, v.source_span)
            ):
                return True
        return False

    def _by_span(self, qr: Span | None, sr: Span | None, *, weak: bool) -> tuple[list[int], list[int]]:
        """The variants without steps whose spans overlap ``qr``/``sr``, and (if ``weak``) those that only touch them."""
        strong: list[int] = []
        touching: list[int] = []
        for i in self.between:
            v = self.variants[i]
            if (qr is not None and v.quote_span is not None and spans_overlap(qr, v.quote_span)) or (
                sr is not None and v.source_span is not None and spans_overlap(sr, v.source_span)
            ):
                strong.append(i)
            elif weak and (
                (qr is not None and v.quote_span is not None and spans_touch(qr, v.quote_span))
                or (sr is not None and v.source_span is not None and spans_touch(sr, v.source_span))
            ):
                touching.append(i)
        return strong, touching

    def between_fragments(self, qr: Span | None, sr: Span | None, kind: Kind, *, weak: bool = True) -> tuple[Tag, ...]:
        """The tags of the variants of ``kind`` without steps that overlap (or, if ``weak`` and none does, touch) ``qr``/``sr``."""
        strong, touching = self._by_span(qr, sr, weak=weak)
        return tuple(self.tag(i) for i in strong or touching if self.variants[i].kind is kind) or _NO_VARIANT

    def of_step(self, fragment: int, op: int, qr: Span | None, sr: Span | None, *, weak: bool = True) -> tuple[Tag, ...]:
        """The tags of alignment step ``op`` of ``fragment``, whose words span ``qr`` and ``sr``.

        The variants read from that step, and the variants without steps whose
        spans overlap the words; when neither is found and ``weak``, the
        variants without steps whose spans only touch them. In variant order.
        """
        if not self.between:  # nothing is found by span: the step's own variants, whatever its words
            key = (fragment, op)
            found = self._of_step.get(key)
            if found is None:
                found = self._of_step[key] = tuple(self.tags[i] for i in sorted(set(self.by_op.get(key, ()))))
            return found
        strong, touching = self._by_span(qr, sr, weak=weak)
        chosen = sorted({*self.by_op.get((fragment, op), ()), *strong}) or touching
        return tuple(self.tag(i) for i in chosen)


# --------------------------------------------------------------------------- the diff builder


class _DiffBuilder:
    """Render one located quotation against its source passage from its fragments and alignments."""

    def __init__(self, q: QuoteResult, article: Document, source: Document, refs: Sequence[str]) -> None:
        self.q = q
        self.atext = article.text
        self.stext = source.text
        self.spans = sorted(q.quotation.spans)
        self.segments = sorted(
            (s for s in q.quotation.segments if s.kind != "text"), key=lambda s: (s.start, s.end)
        )
        #: the one span of a quotation printed in one piece, else None
        self.one_span: Span | None = self.spans[0] if len(self.spans) == 1 else None
        self.variants = q.variants
        self.refs = refs
        self.tags = _VariantTags(q.variants, refs)
        self.changes: list[_Change] = []
        self.inline: list[Piece] = []
        self.qside: list[Piece] = []
        self.sside: list[Piece] = []

    # -- regions of text

    def quote_region(self, a: int, b: int, leaf: str = "text", *, marks: bool = True) -> list[Piece]:
        """The article text ``[a, b)`` as pieces, keeping only what lies inside the quotation's spans.

        Text between two spans (closing and reopening marks, a caption) becomes
        one paragraph break. With ``marks``, marked elisions and bracketed
        interpolations in plain text become ``mark`` changes labelled with
        their variant (words aligned as equal to the source are never marks).
        """
        if b <= a:
            return []
        if self.one_span is not None and (marks is False or leaf != "text" or not self.segments):
            return self._in_one_span(a, b, leaf if marks else "plain")
        out: list[Piece] = []
        pos = a
        for s, e in self.spans:
            lo, hi = max(s, a), min(e, b)
            if hi <= lo:
                continue
            if lo > pos and (not out or out[-1].kind != "pbreak"):
                out.append(Piece("pbreak"))
            out.extend(self._segmented(lo, hi, leaf if marks else "plain"))
            pos = hi
        if pos < b and (not out or out[-1].kind != "pbreak"):
            out.append(Piece("pbreak"))
        return out

    def _in_one_span(self, a: int, b: int, leaf: str) -> list[Piece]:
        """:meth:`quote_region` of a quotation in one span, where no mark is looked for: its 33,000 calls of a
        report of 1,000 articles, 0.21 s under cProfile through the loops over spans and marks."""
        s, e = self.one_span  # type: ignore[misc]
        lo = s if s > a else a
        hi = e if e < b else b
        if hi <= lo:
            return [_PBREAK_PIECE]
        piece = Piece("text" if leaf == "plain" else leaf, self.atext[lo:hi])
        if lo > a:
            return [_PBREAK_PIECE, piece, _PBREAK_PIECE] if hi < b else [_PBREAK_PIECE, piece]
        return [piece, _PBREAK_PIECE] if hi < b else [piece]

    def _segmented(self, a: int, b: int, leaf: str) -> list[Piece]:
        if leaf == "plain":
            return [Piece("text", self.atext[a:b])]
        if leaf != "text":
            return [Piece(leaf, self.atext[a:b])]
        out: list[Piece] = []
        pos = a
        for seg in self.segments:
            lo, hi = max(seg.start, a), min(seg.end, b)
            if hi <= lo:
                continue
            if lo > pos:
                out.append(Piece("text", self.atext[pos:lo]))
            # a mark lies between aligned words: only a variant without steps can be its own
            kind = Kind.ELISION if seg.kind == "elision" else Kind.INTERPOLATION
            tags = self.tags.between_fragments((seg.start, seg.end), None, kind, weak=False)
            out.append(Piece("change", parts=(Piece("mark", self.atext[lo:hi]),), tags=tags))
            pos = hi
        if pos < b:
            out.append(Piece("text", self.atext[pos:b]))
        return out

    def source_region(self, a: int, b: int, leaf: str = "text") -> list[Piece]:
        """The source text ``[a, b)`` as pieces of kind ``leaf``, paragraph breaks marked."""
        if b <= a:
            return []
        if self.stext.find("\n", a, b) < 0:  # no paragraph break: most calls (0.12 s of 26,000 under cProfile)
            return [Piece(leaf, self.stext[a:b])]
        out: list[Piece] = []
        pos = a
        for m in _PARA_BREAK.finditer(self.stext, a, b):
            if m.start() > pos:
                out.append(Piece(leaf, self.stext[pos : m.start()]))
            out.append(Piece("pbreak"))
            pos = m.end()
        if pos < b:
            out.append(Piece(leaf, self.stext[pos:b]))
        return out

    def cut_region(self, a: int, b: int) -> list[Piece]:
        """The source words a marked ellipsis stands for; a long cut keeps only its two ends."""
        words = list(re.finditer(r"\S+", self.stext[a:b]))
        if len(words) <= 2 * CUT_KEEP_WORDS + 10:
            return self.source_region(a, b, "cut")
        head_end = a + words[CUT_KEEP_WORDS - 1].end()
        tail_start = a + words[-CUT_KEEP_WORDS].start()
        hidden = len(words) - 2 * CUT_KEEP_WORDS
        return [
            *self.source_region(a, head_end, "cut"),
            Piece("more", f" [\u2026 {hidden} more words cut \u2026] "),
            *self.source_region(tail_start, b, "cut"),
        ]

    # -- output

    def _quoted(self, pieces: list[Piece]) -> None:
        """Pieces of the quotation: the same on the inline diff and the quotation side."""
        self.inline.extend(pieces)
        self.qside.extend(pieces)

    def _change(self, inline: tuple[Piece, ...], quote: tuple[Piece, ...], source: tuple[Piece, ...], tags: tuple[Tag, ...]) -> None:
        """One change, as the ``parts`` shown inline, on the quotation side and on the source side."""
        self.inline.append(Piece("change", parts=inline, tags=tags))
        self.qside.append(Piece("change", parts=quote, tags=tags))
        self.sside.append(Piece("change", parts=source, tags=tags))

    # -- the whole quotation

    def build(self) -> tuple[list[Piece], list[Piece], list[Piece]]:
        """The inline diff, the quotation side and the source side."""
        loc = self.q.location
        assert loc is not None
        if not self.spans:
            return self.inline, self.qside, self.sside
        qstart, qend = self.spans[0][0], self.spans[-1][1]
        pairs = list(zip(loc.fragments, self.q.alignment))
        if not pairs:
            whole = self.quote_region(qstart, qend)
            return list(whole), list(whole), self.source_region(loc.span[0], loc.span[1])
        qc = qstart
        prev: Fragment | None = None
        for i, (frag, al) in enumerate(pairs):
            fq0, fq1 = frag.quote_span
            fs0, fs1 = frag.source_span
            self._between(prev, frag, self.quote_region(qc, max(qc, fq0)))
            qc, sc = self._fragment(i, al, max(qc, fq0), fs0)
            self._quoted(self.quote_region(qc, fq1))
            self.sside.extend(self.source_region(sc, fs1))
            qc = max(qc, fq1)
            prev = frag
        self._quoted(self.quote_region(qc, qend))
        return self.inline, self.qside, self.sside

    def _between(self, prev: Fragment | None, frag: Fragment, gap: list[Piece]) -> None:
        """What lies between two fragments: the quotation's ``gap``, and the source words cut if there are any."""
        if prev is not None and prev.source_span[1] < frag.source_span[0]:
            cut_span = (prev.source_span[1], frag.source_span[0])
            cut = self.cut_region(*cut_span)
            self.inline.extend(self._attach_cut(gap, cut, cut_span))
            self.qside.extend(gap)
            tags = self.tags.between_fragments(None, cut_span, Kind.ELISION)
            self.sside.append(Piece("change", parts=tuple(cut), tags=tags))
        else:
            self._quoted(gap)
            if prev is not None:
                self.sside.append(Piece("more", " \u22ef "))

    def _attach_cut(self, gap: list[Piece], cut: list[Piece], cut_span: Span) -> list[Piece]:
        """Put the source words an ellipsis stands for right after the ellipsis in the inline diff."""
        for k, p in enumerate(gap):
            if p.kind == "change" and any(t.kind == Kind.ELISION.value for t in p.tags):
                return [*gap[:k], Piece("change", parts=(*p.parts, *cut), tags=p.tags), *gap[k + 1 :]]
        tags = self.tags.between_fragments(None, cut_span, Kind.ELISION)
        return [*gap, Piece("change", parts=tuple(cut), tags=tags)]

    def _record(self, fragment: int, src: tuple[int, int], quo: tuple[int, int], tags: tuple[Tag, ...]) -> None:
        if any(t.severity in _NOTED for t in tags):
            self.changes.append(_Change(fragment, src, quo, tags))

    def _fragment(self, i: int, al: Alignment, qc: int, sc: int) -> tuple[int, int]:
        """Render the ops of fragment ``i`` from the quote and source cursors; returns the cursors after it."""
        for n, op in enumerate(al.ops):
            qt = al.quote_tokens[op.quo[0] : op.quo[1]]
            st = al.source_tokens[op.src[0] : op.src[1]]
            # the words of the step, never before the cursors (comparisons, not max(): 50,000
            # calls of max() of a report of 1,000 articles were a tenth of its diffs' calls)
            qa = qb = qc
            if qt:
                qa, qb = qt[0].start, qt[-1].end
                qa = qc if qa < qc else qa
                qb = qa if qb < qa else qb
            sa = sb = sc
            if st:
                sa, sb = st[0].start, st[-1].end
                sa = sc if sa < sc else sa
                sb = sa if sb < sa else sb
            # the text between two steps, where there is any (most steps follow the last at once)
            if qt and qa > qc:
                self._quoted(self.quote_region(qc, qa))
            source_gap = self.stext[sc:sa] if st else ""
            if st and sa > sc:
                self.sside.extend(self.source_region(sc, sa))
            if op.op == "equal":
                self._equal(i, n, al, op.src, op.quo)
            else:
                qr = (qa, qb) if op.op != "delete" else None
                sr = (sa, sb) if op.op != "insert" else None
                tags = self.tags.of_step(i, n, qr, sr) or _NO_VARIANT
                self._record(i, op.src, op.quo, tags)
                if op.op == "delete":
                    self._delete(sa, sb, source_gap, tags)
                elif op.op == "insert":
                    self._insert(qa, qb, tags)
                else:
                    self._replace(qa, qb, sa, sb, tags)
            if qt:
                qc = qb
            if st:
                sc = sb
        return qc, sc

    def _delete(self, sa: int, sb: int, source_gap: str, tags: tuple[Tag, ...]) -> None:
        removed = tuple(self.source_region(sa, sb, "del"))
        # the space that separates the struck words belongs to them
        spacer = source_gap and source_gap[-1:].isspace() and not _ends_with_space(self.inline)
        if spacer and removed and removed[0].kind == "del":
            removed = (removed[0]._replace(text=" " + removed[0].text), *removed[1:])
        elif spacer:
            self.inline.append(Piece("text", " "))
        self._change(removed, (Piece("caret", "\u2038"),), removed, tags)

    def _insert(self, qa: int, qb: int, tags: tuple[Tag, ...]) -> None:
        added = tuple(self.quote_region(qa, qb, "ins"))
        self._change(added, added, (Piece("caret", "\u2038"),), tags)

    def _replace(self, qa: int, qb: int, sa: int, sb: int, tags: tuple[Tag, ...]) -> None:
        removed = tuple(self.source_region(sa, sb, "del"))
        added = tuple(self.quote_region(qa, qb, "ins"))
        self._change((*removed, *added), added, removed, tags)

    def _flagged(self, i: int, n: int, qt: Sequence[Token], st: Sequence[Token]) -> dict[int, tuple[Tag, ...]]:
        """The words of an equal step that are marked anyway, by position, with their tags.

        A word a variant flags (a homoglyph, a case change, a word inside a
        transposition) is marked with it; so is a word whose folded form
        differs from the source's without any variant (a capital at the edge
        of a partial quotation): shown, not counted.
        """
        flagged: dict[int, tuple[Tag, ...]] = {}
        if len(qt) != len(st):
            return flagged
        # when no variant between fragments overlaps the step's words, a word's tags are its
        # step's, the same for every word: found once per step, not per word (per word: 0.8 s of
        # the 1.4 s, under cProfile, of the diffs of 1,000 articles; 3,700 of the 16,000 asks
        # of a report of 1,000 articles were still made per word before the overlap was tested)
        shared = None
        if not self.tags.between or not self.tags.overlap_between(
            (qt[0].start, qt[-1].end), (st[0].start, st[-1].end)
        ):
            shared = self._shown(self.tags.of_step(i, n, None, None, weak=False))
        if shared:
            return dict.fromkeys(range(len(qt)), shared)
        if shared is not None:  # no word has tags: those whose folded forms differ, found by C loops
            # (most equal steps have none: 7,700 steps of the diffs of 1,000 articles went word by word)
            qn, sn = list(map(_NORM, qt)), list(map(_NORM, st))
            if qn == sn:
                return flagged
            return {k: _NO_VARIANT for k, (a, b) in enumerate(zip(qn, sn)) if a != b}
        for k, (a, b) in enumerate(zip(qt, st)):
            tags = self._shown(self.tags.of_step(i, n, (a.start, a.end), (b.start, b.end), weak=False))
            if tags:
                flagged[k] = tags
            elif a.norm != b.norm:
                flagged[k] = _NO_VARIANT
        return flagged

    @staticmethod
    def _shown(tags: tuple[Tag, ...]) -> tuple[Tag, ...]:
        """The tags that mark a word aligned as equal: all but acceptable ones."""
        return tuple(t for t in tags if t.severity != _ACCEPTABLE)

    def _equal(self, i: int, n: int, al: Alignment, src: tuple[int, int], quo: tuple[int, int]) -> None:
        """Equal words, plain; a word that is marked anyway (see :meth:`_flagged`) is shown as a change."""
        qt = al.quote_tokens[quo[0] : quo[1]]
        st = al.source_tokens[src[0] : src[1]]
        if not qt or not st:
            return
        flagged = self._flagged(i, n, qt, st)
        if not flagged:
            self._quoted(self.quote_region(qt[0].start, qt[-1].end, marks=False))
            self.sside.extend(self.source_region(st[0].start, st[-1].end))
            return
        for k, (a, b) in enumerate(zip(qt, st)):
            if k:
                self._quoted(self.quote_region(qt[k - 1].end, a.start, marks=False))
                self.sside.extend(self.source_region(st[k - 1].end, b.start))
            if k not in flagged:
                self._quoted(self.quote_region(a.start, a.end, marks=False))
                self.sside.extend(self.source_region(b.start, b.end))
                continue
            tags = flagged[k]
            self._record(i, (src[0] + k, src[0] + k + 1), (quo[0] + k, quo[0] + k + 1), tags)
            printed, original = self.atext[a.start : a.end], self.stext[b.start : b.end]
            quoted = (Piece("flag", printed),)
            shown = quoted if printed == original else (Piece("del", original), Piece("ins", printed))
            self._change(shown, quoted, (Piece("flag", original),), tags)

    # -- correction note

    def note(self, outlet: str, source_label: str) -> str:
        """A plain-text correction note: each changed place as quoted and as the source reads it."""
        clauses: list[tuple[str, str, str]] = []
        nfrag = len(self.q.alignment)
        for i, al in enumerate(self.q.alignment):
            changes = sorted((c for c in self.changes if c.fragment == i), key=lambda c: (c.quo, c.src))
            for group in _near_groups(changes):
                clauses.append(self._clause(i, al, nfrag, group))
        if not clauses:
            return ""
        out: list[str] = []
        for n, (quoted, reads, detail) in enumerate(clauses):
            extra = f" (look-alike letters: {detail})" if detail else ""
            if n == 0:
                out.append(f'{outlet} quotes "{quoted}"{extra} where the source ({source_label}) reads "{reads}"')
            else:
                out.append(f'it also quotes "{quoted}"{extra} where the source reads "{reads}"')
        return "; ".join(out) + "."

    def _clause(self, i: int, al: Alignment, nfrag: int, group: Sequence[_Change]) -> tuple[str, str, str]:
        """A group of nearby changes: the words as quoted, as the source reads them, and any look-alike letters."""
        q0 = max(0, min(c.quo[0] for c in group) - NOTE_CONTEXT)
        q1 = min(len(al.quote_tokens), max(c.quo[1] for c in group) + NOTE_CONTEXT)
        s0 = max(0, min(c.src[0] for c in group) - NOTE_CONTEXT)
        s1 = min(len(al.source_tokens), max(c.src[1] for c in group) + NOTE_CONTEXT)
        quoted = self._note_text(al.quote_tokens, q0, q1, i, nfrag, quote=True)
        reads = self._note_text(al.source_tokens, s0, s1, i, nfrag, quote=False)
        details = [
            homoglyph_detail(self.variants[k].source_text, self.variants[k].quote_text)
            for k, ref in enumerate(self.refs)
            if self.variants[k].kind is Kind.HOMOGLYPH and any(t.ref == ref for c in group for t in c.tags)
        ]
        return quoted, reads, "; ".join(d for d in details if d)

    def _note_text(self, tokens: Sequence[Token], a: int, b: int, frag: int, nfrag: int, *, quote: bool) -> str:
        if b <= a:
            return "..."
        lo, hi = tokens[a].start, tokens[b - 1].end
        pieces = self.quote_region(lo, hi) if quote else self.source_region(lo, hi)
        text = _plain(pieces)
        if a > 0 or frag > 0:
            text = "... " + text
        if b < len(tokens) or frag < nfrag - 1:
            text = text + " ..."
        return text


def _near_groups(changes: Sequence[_Change]) -> list[list[_Change]]:
    """Changes (in quotation order) grouped when their contexts in a note would meet."""
    groups: list[list[_Change]] = []
    for c in changes:
        if groups and c.quo[0] - NOTE_CONTEXT <= groups[-1][-1].quo[1] + NOTE_CONTEXT:
            groups[-1].append(c)
        else:
            groups.append([c])
    return groups
