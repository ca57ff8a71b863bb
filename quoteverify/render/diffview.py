"""The word-level diff of a quotation against its source passage, as the article pages show it.

:func:`quote_diff` renders one located quotation three ways (inline, the
quotation side and the source side), as HTML, from its fragments and their
word alignments, and writes a plain-text correction note. Each change is labelled
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
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from markupsafe import Markup, escape

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
from quoteverify.render.json import KIND_NAMES, SEVERITY_NAMES

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


# --------------------------------------------------------------------------- the HTML of a diff


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


def escaped(text: str) -> str:
    """``text`` escaped as :func:`markupsafe.escape` does it.

    Few runs of a diff hold a markup character (262 of the 70,000 of a
    report of 1,000 articles) and the others are their own escape: testing
    for those characters first took 0.012 s, escaping every run 0.055 s.
    The chips, quotations, coverage tables and article text escape with it
    too: :func:`markupsafe.escape` makes a Markup of each text, and its
    150,000 calls on the article pages of 1,000 articles were 0.37 s of
    their 1.6 s under the profiler.
    """
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return str(escape(text))
    return text


#: The runs of a diff as (opening, closing) HTML around their escaped text: ``text``
#: (words as printed), ``del`` (source words missing from the quotation), ``ins`` (words
#: the quotation adds), ``cut`` (source words a marked ellipsis stands for), ``mark`` (an
#: ellipsis or bracket in the quotation), ``flag`` (words aligned as equal but flagged by a
#: variant), ``caret`` (where the other side has words this one lacks) and ``more`` (the
#: middle of a long cut, summarised).
LEAF: dict[str, tuple[str, str]] = {
    "text": ("", ""),
    "del": ('<del><span class="sr">[missing from the quotation: </span>', '<span class="sr">]</span></del>'),
    "ins": ('<ins><span class="sr">[added by the quotation: </span>', '<span class="sr">]</span></ins>'),
    "cut": ('<del class="cut"><span class="sr">[cut at the ellipsis: </span>', '<span class="sr">]</span></del>'),
    "mark": ('<span class="mk">', "</span>"),
    "flag": ('<mark class="flag">', "</mark>"),
    "caret": ('<span class="caret" aria-hidden="true">', '</span><span class="sr">[words differ here]</span>'),
    "more": ('<span class="more">', "</span>"),
}
#: a paragraph break of a diff
PBREAK = '<span class="pbreak"> <span aria-hidden="true">&para;</span><span class="sr">[new paragraph]</span> </span>'
_DEL_OPEN = LEAF["del"][0]
_CARET = f'{LEAF["caret"][0]}\u2038{LEAF["caret"][1]}'
#: between two fragments with no source words cut between them (the second goes back, or follows at once)
_ELSEWHERE = f'{LEAF["more"][0]} \u22ef {LEAF["more"][1]}'


def leaf_html(kind: str, text: str) -> str:
    """A run of a diff of kind ``kind`` (a key of :data:`LEAF`) as HTML."""
    opening, closing = LEAF[kind]
    return f"{opening}{escaped(text)}{closing}"


def change_html(tags: tuple[Tag, ...], inner: str) -> str:
    """A change of a diff: the HTML of its runs, ``inner``, in a span labelled with the variants of ``tags``."""
    return f"{change_open(tags)}{inner}{change_close(tags)}"


# a change's opening tag and its labels take a few values, made once each: escaped
# anew, they were 86,000 of the 156,000 escapes of the diffs of 1,000 articles; made
# once for each set of tags, the severity and kinds of 12,000 changes of a report of
# 1,000 articles are not found again for each of their three sides


@lru_cache(maxsize=4096)
def change_open(tags: tuple[Tag, ...]) -> str:
    """The opening of a change: its worst severity (``none`` when it has none) and its kinds."""
    severity = max((t.severity for t in tags), key=_severity_rank, default="none")
    kinds = " ".join(dict.fromkeys(t.kind for t in tags))
    return _change_start(severity, kinds)


@lru_cache(maxsize=4096)
def change_close(tags: tuple[Tag, ...]) -> str:
    """The end of a change: a label for each of its variants."""
    return "".join(_tag(t.severity, t.label) for t in tags if t.kind != "none") + "</span>"


@lru_cache(maxsize=1024)
def _change_start(severity: str, kinds: str) -> str:
    nav = ' data-nav="variant" tabindex="-1"' if severity != "none" else ""
    return f'<span class="chg sev-{escape(severity)}" data-kind="{escape(kinds)}"{nav}>'


@lru_cache(maxsize=1024)
def _tag(severity: str, label: str) -> str:
    return f'<span class="tag sev-{escape(severity)}">{escape(label)}</span>'


def _ends_with_space(html: list[str]) -> bool:
    """Whether the runs of a side of a diff end with white space or a paragraph break (or are none).

    A side's runs are text, paragraph breaks and changes: an escaped text
    ends as its text does, a change with its closing tag.
    """
    for run in reversed(html):
        if run is PBREAK:
            return True
        if run:
            return run[-1].isspace()
    return True


@dataclass(frozen=True)
class DiffView:
    """The three renderings of a quotation against its source passage, as HTML, and its correction note.

    Written as HTML as the diff is made: the diffs of a report of 1,000
    articles were 75,000 run objects, walked again to write them.

    A verbatim quotation without variants is shown as printed, the
    quotation side alone: its ``inline`` and ``source_side`` are empty (its
    source side and inline diff, made and never shown, were 1,004 of the
    2,542 diffs of the 10 MB case's report: with the changes kept only for
    a note that is written, 1,065 M -> 1,031 M instructions for them all,
    callgrind).
    """

    inline: Markup
    quote_side: Markup
    source_side: Markup
    note: str


def quote_diff(
    q: QuoteResult, article: Document, source: Document, refs: Sequence[str], outlet: str, source_label: str
) -> DiffView:
    """The diff of a located quotation against its source passage.

    ``refs`` name the quotation's variants (one each, in order) in the
    tags; ``outlet`` and ``source_label`` name the two sides in the
    correction note, which only altered and faithful quotations get.
    """
    if q.verdict is Verdict.VERBATIM and not q.variants:
        # its page shows the quotation side alone (see DiffView), nothing of the source is drawn
        _, qside, _ = _DiffBuilder(q, article, source, refs, quote_only=True).build()
        return DiffView(_NOTHING, Markup("".join(qside)), _NOTHING, "")
    builder = _DiffBuilder(q, article, source, refs, noting=q.verdict in _NOTED_VERDICTS)
    inline, qside, sside = builder.build()
    note = builder.note(outlet, source_label) if builder.noting else ""
    return DiffView(Markup("".join(inline)), Markup("".join(qside)), Markup("".join(sside)), note)


#: the verdicts whose diffs carry a correction note
_NOTED_VERDICTS = frozenset({Verdict.ALTERED, Verdict.FAITHFUL})
_NOTHING = Markup("")


# --------------------------------------------------------------------------- which variant a change belongs to


class _Change(NamedTuple):
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
        self.tags = [Tag(KIND_NAMES[v.kind], SEVERITY_NAMES[v.severity], ref) for v, ref in zip(variants, refs)]
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


#: a mark (an ellipsis or bracket) in a run of the quotation: its place among the runs, its tags, its HTML
class _Mark(NamedTuple):
    at: int
    tags: tuple[Tag, ...]
    html: str


class _DiffBuilder:
    """Render one located quotation against its source passage from its fragments and alignments.

    Each side of the diff is a list of HTML strings (escaped text, paragraph
    breaks, changes), joined once it is whole.
    """

    def __init__(
        self, q: QuoteResult, article: Document, source: Document, refs: Sequence[str], *, quote_only: bool = False,
        noting: bool = True,
    ) -> None:
        self.q = q
        #: only the quotation side is wanted: no source text is drawn (the other sides hold what is left)
        self.quote_only = quote_only
        #: a correction note will be written: the changes it names are kept (:meth:`_record`)
        self.noting = noting and not quote_only
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
        self.inline: list[str] = []
        self.qside: list[str] = []
        self.sside: list[str] = []

    # -- regions of text

    def quote_region(self, a: int, b: int, leaf: str = "text", *, marks: bool = True, found: list[_Mark] | None = None) -> list[str]:
        """The article text ``[a, b)`` as HTML runs of kind ``leaf``, keeping only what lies inside the quotation's spans.

        Text between two spans (closing and reopening marks, a caption) becomes
        one paragraph break. With ``marks``, marked elisions and bracketed
        interpolations in plain text become ``mark`` changes labelled with
        their variant (words aligned as equal to the source are never marks),
        each also put in ``found`` when it is given.
        """
        if b <= a:
            return []
        if self.one_span is not None and (marks is False or leaf != "text" or not self.segments):
            return self._in_one_span(a, b, leaf if marks else "plain")
        out: list[str] = []
        for part in self._within_spans(a, b):
            if part is None:
                out.append(PBREAK)
            else:
                self._segmented(part[0], part[1], leaf if marks else "plain", out, found)
        return out

    def _within_spans(self, a: int, b: int) -> list[Span | None]:
        """The parts of the article text ``[a, b)`` inside the quotation's spans, in order; None for text left out between them."""
        out: list[Span | None] = []
        pos = a
        for s, e in self.spans:
            lo, hi = max(s, a), min(e, b)
            if hi <= lo:
                continue
            if lo > pos:
                out.append(None)
            out.append((lo, hi))
            pos = hi
        if pos < b:
            out.append(None)
        return out

    def _in_one_span(self, a: int, b: int, leaf: str) -> list[str]:
        """:meth:`quote_region` of a quotation in one span, where no mark is looked for: its 33,000 calls of a
        report of 1,000 articles, 0.21 s under cProfile through the loops over spans and marks."""
        s, e = self.one_span  # type: ignore[misc]
        lo = s if s > a else a
        hi = e if e < b else b
        if hi <= lo:
            return [PBREAK]
        text = self.atext[lo:hi]
        run = escaped(text) if leaf == "plain" or leaf == "text" else leaf_html(leaf, text)
        if lo > a:
            return [PBREAK, run, PBREAK] if hi < b else [PBREAK, run]
        return [run, PBREAK] if hi < b else [run]

    def _segmented(self, a: int, b: int, leaf: str, out: list[str], found: list[_Mark] | None) -> None:
        if leaf == "plain":
            out.append(escaped(self.atext[a:b]))
            return
        if leaf != "text":
            out.append(leaf_html(leaf, self.atext[a:b]))
            return
        pos = a
        for seg in self.segments:
            lo, hi = max(seg.start, a), min(seg.end, b)
            if hi <= lo:
                continue
            if lo > pos:
                out.append(escaped(self.atext[pos:lo]))
            # a mark lies between aligned words: only a variant without steps can be its own
            kind = Kind.ELISION if seg.kind == "elision" else Kind.INTERPOLATION
            tags = self.tags.between_fragments((seg.start, seg.end), None, kind, weak=False)
            mark = leaf_html("mark", self.atext[lo:hi])
            if found is not None:
                found.append(_Mark(len(out), tags, mark))
            out.append(change_html(tags, mark))
            pos = hi
        if pos < b:
            out.append(escaped(self.atext[pos:b]))

    def source_region(self, a: int, b: int, leaf: str = "text") -> list[str]:
        """The source text ``[a, b)`` as HTML runs of kind ``leaf``, paragraph breaks marked (none when only the quotation side is drawn)."""
        if b <= a or self.quote_only:
            return []
        if self.stext.find("\n", a, b) < 0:  # no paragraph break: most calls (0.12 s of 26,000 under cProfile)
            return [leaf_html(leaf, self.stext[a:b]) if leaf != "text" else escaped(self.stext[a:b])]
        out: list[str] = []
        pos = a
        for m in _PARA_BREAK.finditer(self.stext, a, b):
            if m.start() > pos:
                out.append(leaf_html(leaf, self.stext[pos : m.start()]))
            out.append(PBREAK)
            pos = m.end()
        if pos < b:
            out.append(leaf_html(leaf, self.stext[pos:b]))
        return out

    def cut_region(self, a: int, b: int) -> list[str]:
        """The source words a marked ellipsis stands for; a long cut keeps only its two ends."""
        if self.quote_only:
            return []
        words = list(re.finditer(r"\S+", self.stext[a:b]))
        if len(words) <= 2 * CUT_KEEP_WORDS + 10:
            return self.source_region(a, b, "cut")
        head_end = a + words[CUT_KEEP_WORDS - 1].end()
        tail_start = a + words[-CUT_KEEP_WORDS].start()
        hidden = len(words) - 2 * CUT_KEEP_WORDS
        return [
            *self.source_region(a, head_end, "cut"),
            leaf_html("more", f" [\u2026 {hidden} more words cut \u2026] "),
            *self.source_region(tail_start, b, "cut"),
        ]

    # -- output

    def _quoted(self, runs: list[str]) -> None:
        """Runs of the quotation: the same on the inline diff and the quotation side."""
        self.inline.extend(runs)
        self.qside.extend(runs)

    def _change(self, inline: str, quote: str, source: str, tags: tuple[Tag, ...]) -> None:
        """One change, as the HTML of the runs shown inline, on the quotation side and on the source side."""
        opening, closing = change_open(tags), change_close(tags)
        self.inline.append(f"{opening}{inline}{closing}")
        self.qside.append(f"{opening}{quote}{closing}")
        self.sside.append(f"{opening}{source}{closing}")

    # -- the whole quotation

    def build(self) -> tuple[list[str], list[str], list[str]]:
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
            self._between(prev, frag, max(qc, fq0), qc)
            qc, sc = self._fragment(i, al, max(qc, fq0), fs0)
            self._quoted(self.quote_region(qc, fq1))
            self.sside.extend(self.source_region(sc, fs1))
            qc = max(qc, fq1)
            prev = frag
        self._quoted(self.quote_region(qc, qend))
        return self.inline, self.qside, self.sside

    def _between(self, prev: Fragment | None, frag: Fragment, end: int, qc: int) -> None:
        """What lies between two fragments: the quotation's gap ``[qc, end)``, and the source words cut if there are any."""
        if prev is not None and prev.source_span[1] < frag.source_span[0]:
            marks: list[_Mark] = []
            gap = self.quote_region(qc, end, found=marks)
            cut_span = (prev.source_span[1], frag.source_span[0])
            cut = "".join(self.cut_region(*cut_span))
            self.inline.extend(self._attach_cut(gap, marks, cut, cut_span))
            self.qside.extend(gap)
            self.sside.append(change_html(self.tags.between_fragments(None, cut_span, Kind.ELISION), cut))
        else:
            self._quoted(self.quote_region(qc, end))
            if prev is not None:
                self.sside.append(_ELSEWHERE)

    def _attach_cut(self, gap: list[str], marks: list[_Mark], cut: str, cut_span: Span) -> list[str]:
        """Put the source words an ellipsis stands for (``cut``) right after the ellipsis in the inline diff."""
        for mark in marks:
            if any(t.kind == Kind.ELISION.value for t in mark.tags):
                return [*gap[: mark.at], change_html(mark.tags, mark.html + cut), *gap[mark.at + 1 :]]
        tags = self.tags.between_fragments(None, cut_span, Kind.ELISION)
        return [*gap, change_html(tags, cut)]

    def _record(self, fragment: int, src: tuple[int, int], quo: tuple[int, int], tags: tuple[Tag, ...]) -> None:
        if self.noting and any(t.severity in _NOTED for t in tags):
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
                self._equal(i, n, qt, st, op.src, op.quo)
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
        removed = self.source_region(sa, sb, "del")
        # the space that separates the struck words belongs to them
        spacer = source_gap and source_gap[-1:].isspace() and not _ends_with_space(self.inline)
        if spacer and removed and removed[0].startswith(_DEL_OPEN):
            removed[0] = f"{_DEL_OPEN} {removed[0][len(_DEL_OPEN):]}"
        elif spacer:
            self.inline.append(" ")
        struck = "".join(removed)
        self._change(struck, _CARET, struck, tags)

    def _insert(self, qa: int, qb: int, tags: tuple[Tag, ...]) -> None:
        added = "".join(self.quote_region(qa, qb, "ins"))
        self._change(added, added, _CARET, tags)

    def _replace(self, qa: int, qb: int, sa: int, sb: int, tags: tuple[Tag, ...]) -> None:
        removed = "".join(self.source_region(sa, sb, "del"))
        added = "".join(self.quote_region(qa, qb, "ins"))
        self._change(removed + added, added, removed, tags)

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
        shared: tuple[Tag, ...] | None = None
        variant_tags = self.tags
        if not variant_tags.between and (i, n) not in variant_tags.by_op:
            # no variant to look up: 5,000 of the 7,300 equal steps of the 10 MB case's report; its
            # 2,542 diffs 0.139 s -> 0.136 s (best of 31, both ways alternated in one process)
            shared = ()
        elif not variant_tags.between or not variant_tags.overlap_between(
            (qt[0].start, qt[-1].end), (st[0].start, st[-1].end)
        ):
            shared = self._shown(variant_tags.of_step(i, n, None, None, weak=False))
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
        if not tags:  # most asks: no variant read from the step (6,600 of the 8,000 of the 10 MB case's report)
            return tags
        return tuple(t for t in tags if t.severity != _ACCEPTABLE)

    def _equal(self, i: int, n: int, qt: Sequence[Token], st: Sequence[Token], src: tuple[int, int], quo: tuple[int, int]) -> None:
        """Equal words ``qt`` and ``st``, plain; a word that is marked anyway (see :meth:`_flagged`) is shown as a change."""
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
            quoted = leaf_html("flag", printed)
            shown = quoted if printed == original else leaf_html("del", original) + leaf_html("ins", printed)
            self._change(shown, quoted, leaf_html("flag", original), tags)

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
        text = self._quoted_words(lo, hi) if quote else one_line(self.stext[lo:hi])
        if a > 0 or frag > 0:
            text = "... " + text
        if b < len(tokens) or frag < nfrag - 1:
            text = text + " ..."
        return text

    def _quoted_words(self, a: int, b: int) -> str:
        """The article text ``[a, b)`` within the quotation's spans, on one line, a space where the spans break."""
        return one_line("".join(" " if part is None else self.atext[part[0] : part[1]] for part in self._within_spans(a, b)))


def _near_groups(changes: Sequence[_Change]) -> list[list[_Change]]:
    """Changes (in quotation order) grouped when their contexts in a note would meet."""
    groups: list[list[_Change]] = []
    for c in changes:
        if groups and c.quo[0] - NOTE_CONTEXT <= groups[-1][-1].quo[1] + NOTE_CONTEXT:
            groups[-1].append(c)
        else:
            groups.append([c])
    return groups
