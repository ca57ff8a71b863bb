"""The view objects the HTML templates get: typed frozen dataclasses, built once from a result.

:func:`report_view` gives the pages of a check report (index, articles,
sources); :func:`collation_page` the side-by-side page of ``quoteverify
diff``; :func:`reconstruction_page` the page of ``quoteverify
reconstruct``. A template reads the fields of these objects and the
engine's own result objects (a :class:`Document`, a :class:`Reading`),
never a dict built for it.

File names live here too (:func:`safe_name`), as every link of a page is
made from them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import heapq
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from quoteverify.collate import Collation, DocVariant, LayoutChange
from quoteverify.models import (
    ArticleResult,
    CheckResult,
    Document,
    EditorialChoice,
    Kind,
    ParagraphWitnesses,
    QuoteResult,
    Reading,
    Severity,
    SourceInfo,
    Span,
    Variant,
    Verdict,
    worst_verdict,
)
from quoteverify.reconstruct import TIE_RULE, Comparison, Reconstruction, Witness
from quoteverify.render.diffview import DiffView, homoglyph_detail, one_line, quote_diff
from quoteverify.render.json import (
    document_name,
    portable_path,
    quote_anchors,
    source_paragraphs,
    touched_paragraphs,
    verdict_counts,
)

#: Characters of a quotation shown in the index's list of altered quotations.
EXCERPT_CHARS = 180

# --------------------------------------------------------------------------- file names


_SLUG_STRIP = re.compile(r"[^a-z0-9_]+")


#: names Windows gives to devices, whatever the suffix (``con.html`` is the console too)
_RESERVED = frozenset(
    ["con", "prn", "aux", "nul", "conin$", "conout$"]
    + [f"{dev}{n}" for dev in ("com", "lpt") for n in "0123456789\u00b9\u00b2\u00b3"]
)


def _reserved(slug: str) -> bool:
    """A name no file may have on some platform: a Windows device name, before its first dot."""
    return slug.split(".", 1)[0] in _RESERVED


def safe_name(ident: str, *, max_len: int = 60) -> str:
    """A file-name stem for ``ident`` that cannot leave its directory.

    An id that is already a lower-case ASCII slug (letters, digits, ``-`` and
    ``_``, starting with a letter or digit) is kept as it is. Any other id gets
    a readable slug of its ASCII-folded form plus the first 8 hex digits of
    the sha256 of the id, so that two ids never share a name (``"../../x"``
    becomes ``"x-<hash>"``, ``"Été 2020"`` becomes ``"ete-2020-<hash>"``).
    A Windows device name (``con``, ``aux``, ``nul``, ``com1``...) gets the
    hash too, so that the file can be made on every platform.
    """
    folded = unicodedata.normalize("NFKD", ident).encode("ascii", "ignore").decode("ascii").lower()
    slug = _SLUG_STRIP.sub("-", folded).strip("-_")[:max_len].strip("-_")
    if slug and slug == ident and not _reserved(slug):
        return slug
    digest = hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{slug}-{digest}" if slug else f"id-{digest}"


def unique_names(ids: Sequence[str]) -> list[str]:
    """Safe names for ``ids`` in order, distinct even when ids repeat."""
    names: list[str] = []
    used: set[str] = set()
    for i, ident in enumerate(ids):
        name = safe_name(ident)
        if name in used:
            digest = hashlib.sha256(f"{i}\0{ident}".encode("utf-8", "surrogatepass")).hexdigest()[:8]
            name = f"{name}-{digest}"
        used.add(name)
        names.append(name)
    return names


# --------------------------------------------------------------------------- small helpers


def _excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    line = one_line(text)
    if len(line) <= limit:
        return line
    cut = line[:limit].rsplit(" ", 1)[0] or line[:limit]
    return cut + " \u2026"


def _shorten(text: str, *, head: int = 12, tail: int = 8) -> str:
    """``text`` on one line; a long text keeps its first and last words around ``[… N words …]``."""
    words = one_line(text).split(" ")
    if len(words) <= head + tail + 6:
        return one_line(text)
    hidden = len(words) - head - tail
    return " ".join(words[:head]) + f" [\u2026 {hidden} words \u2026] " + " ".join(words[-tail:])


def _outlet(doc: Document) -> str:
    return doc.outlet or doc.title or doc.id


def _source_label(info: SourceInfo | None, source_id: str) -> str:
    if info is None:
        return source_id
    return info.document.title or info.document.id


def coverage_percent(q: float | None) -> str:
    """The share quoted of a coverage cell as shown: ``""`` for none, ``<1%``, ``>99%`` at the edges."""
    if q is None:
        return ""
    if q <= 0:
        return "0%"
    if q < 0.005:
        return "<1%"
    if q < 1 and round(q * 100) >= 100:
        return ">99%"
    return f"{round(q * 100)}%"


def coverage_shade(q: float | None) -> int:
    """The shading class of a coverage cell: 0 for nothing quoted, else 1 to 10 by tenths."""
    if q is None or q <= 0:
        return 0
    return max(1, min(10, math.ceil(q * 10)))


# --------------------------------------------------------------------------- report pages


@dataclass(frozen=True)
class VariantView:
    """A variant as its chip shows it: ``ref`` is its anchor; the ``_short`` texts keep long words readable."""

    ref: str
    kind: str
    severity: str
    source_text: str
    quote_text: str
    detail: str
    source_short: str
    quote_short: str


@dataclass(frozen=True)
class ParaRef:
    """A link to a source paragraph."""

    index: int
    href: str


@dataclass(frozen=True)
class QuoteView:
    """A quotation on its article's page, and in the index's list of altered quotations."""

    anchor: str
    verdict: str
    text: str
    attribution: str | None
    spans: tuple[Span, ...]
    source_id: str | None
    source_title: str
    source_href: str
    paragraphs: tuple[ParaRef, ...]
    variants: tuple[VariantView, ...]
    kinds: str
    major: int
    diff: DiffView | None
    href: str
    outlet: str
    excerpt: str
    invisible: int = 0


@dataclass(frozen=True)
class TextPiece:
    """A run of an article's text: plain, a quotation (``quote``), or skipped boilerplate (``skip``)."""

    kind: str
    text: str
    anchor: str = ""
    verdict: str = ""
    first: bool = False
    last: bool = False
    skip_start: bool = False


@dataclass(frozen=True)
class CoverageCell:
    """How much of one source paragraph one article quotes, the worst verdict there, and the quotations."""

    index: int
    quoted: float | None
    percent: str
    shade: int
    worst: str
    href: str
    refs: tuple[QuoteView, ...]


@dataclass(frozen=True)
class VerdictCounts:
    """Quotations by verdict; ``counts["altered"]`` reads a field by its verdict's name."""

    verbatim: int
    faithful: int
    altered: int
    unverified: int

    def __getitem__(self, verdict: str) -> int:
        return int(getattr(self, Verdict(verdict).value))


@dataclass(frozen=True)
class ArticleView:
    """An article's page: its facts, counts, quotations, text and coverage of each source."""

    id: str
    href: str
    doc: Document
    outlet: str
    path: str | None
    counts: VerdictCounts
    worst: str
    errors: tuple[str, ...]
    quotes: tuple[QuoteView, ...]
    located: tuple[QuoteView, ...]
    unverified: tuple[QuoteView, ...]
    text: tuple[TextPiece, ...]
    coverage: tuple[tuple["SourceView", tuple[CoverageCell, ...]], ...]
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class OutletRow:
    """An article quoting a source paragraph, on the source's page."""

    article: ArticleView
    cell: CoverageCell


@dataclass(frozen=True)
class ChoiceView:
    """An editorial choice of a source's provenance."""

    paragraph: int | None
    chosen: Reading
    rejected: tuple[Reading, ...]
    reason: str


@dataclass(frozen=True)
class ParagraphView:
    """A source paragraph: its text, witnesses, editorial choices and the articles quoting it."""

    index: int
    text: str
    witnesses: tuple[str, ...]
    note: str
    rows: tuple[OutletRow, ...]
    choices: tuple[ChoiceView, ...]
    first_words: str


@dataclass(frozen=True)
class SourceView:
    """A source's page: its facts, provenance and paragraphs."""

    id: str
    href: str
    doc: Document
    title: str
    path: str | None
    method: str
    paragraphs: tuple[ParagraphView, ...]
    general_choices: tuple[ChoiceView, ...]
    unplaced: tuple[ChoiceView, ...]


#: per source, each article's cells (the index's coverage matrix)
Matrix = tuple[tuple[SourceView, tuple[tuple[ArticleView, tuple[CoverageCell, ...]], ...]], ...]


@dataclass(frozen=True)
class ReportView:
    """Every page of a report: the articles and sources, the coverage matrix, the altered quotations, the totals."""

    articles: tuple[ArticleView, ...]
    sources: tuple[SourceView, ...]
    matrix: Matrix
    altered: tuple[QuoteView, ...]
    totals: VerdictCounts
    outlet_names: Mapping[str, str]

    def witness_name(self, witness: str) -> str:
        """A witness of a provenance by its article's outlet, when it is an article of the report."""
        return self.outlet_names.get(witness, witness)

    def witness_href(self, witness: str, prefix: str) -> str:
        """The link to a witness's article page, or ``""`` when it is no article of the report."""
        for view in self.articles:
            if view.id == witness:
                return f"{prefix}{view.href}"
        return ""


def _counts(article: ArticleResult) -> VerdictCounts:
    return VerdictCounts(**verdict_counts(article))


def _variant_view(v: Variant, ref: str) -> VariantView:
    detail = homoglyph_detail(v.source_text, v.quote_text) if v.kind is Kind.HOMOGLYPH else ""
    return VariantView(
        ref,
        v.kind.value,
        v.severity.value,
        v.source_text,
        v.quote_text,
        detail,
        _shorten(v.source_text) if v.source_text else "",
        _shorten(v.quote_text) if v.quote_text else "",
    )


def _choice_view(c: EditorialChoice) -> ChoiceView:
    return ChoiceView(c.paragraph, c.chosen, tuple(c.rejected), c.reason)


def report_view(result: CheckResult) -> ReportView:
    """The views of every page of the report of ``result``."""
    return _ReportBuilder(result).view()


class _ReportBuilder:
    """Build the page views of a result once; every page reads them.

    Articles and sources refer to each other (an article's coverage of each
    source, a source paragraph's quoting articles), so each is built first
    without those links and then given them.
    """

    def __init__(self, result: CheckResult) -> None:
        self.result = result
        self.sources_by_id: dict[str, SourceInfo] = {}
        for s in result.sources:
            self.sources_by_id.setdefault(s.document.id, s)
        source_slugs = unique_names([s.document.id for s in result.sources])
        self.source_slug: dict[str, str] = {}
        for s, slug in zip(result.sources, source_slugs):
            self.source_slug.setdefault(s.document.id, slug)
        article_slugs = unique_names([a.article.id for a in result.articles])
        self.outlet_names = {a.article.id: _outlet(a.article) for a in result.articles}
        self.articles = tuple(self._article(a, slug) for a, slug in zip(result.articles, article_slugs))
        self.sources = tuple(self._source(s, slug) for s, slug in zip(result.sources, source_slugs))
        self.sources = tuple(self._with_rows(s) for s in self.sources)
        self.articles = tuple(self._with_coverage(a, v) for a, v in zip(result.articles, self.articles))

    def view(self) -> ReportView:
        totals = VerdictCounts(
            **{v.value: sum(a.counts[v.value] for a in self.articles) for v in Verdict}
        )
        return ReportView(self.articles, self.sources, self._matrix(), self._altered(), totals, self.outlet_names)

    # -- articles

    def _source_href(self, source_id: str, prefix: str) -> str:
        slug = self.source_slug.get(source_id)
        return f"{prefix}sources/{slug}.html" if slug else ""

    def _quote(self, a: ArticleResult, q: QuoteResult, anchor: str, slug: str) -> QuoteView:
        doc = a.article
        loc = q.location
        refs = [f"{anchor}-v{k + 1}" for k in range(len(q.variants))]
        info = self.sources_by_id.get(loc.source) if loc else None
        diff: DiffView | None = None
        paragraphs: tuple[ParaRef, ...] = ()
        source_href = ""
        if loc is not None:
            source_href = self._source_href(loc.source, "../")
        if loc is not None and info is not None:
            diff = quote_diff(q, doc, info.document, refs, _outlet(doc), _source_label(info, loc.source))
            paras = touched_paragraphs(q, source_paragraphs(info.document))
            paragraphs = tuple(ParaRef(i, f"{source_href}#p{i}") for i in paras)
        variants = tuple(_variant_view(v, r) for v, r in zip(q.variants, refs))
        return QuoteView(
            anchor=anchor,
            verdict=q.verdict.value,
            text=q.quotation.text,
            attribution=q.quotation.attribution,
            spans=tuple(q.quotation.spans),
            source_id=loc.source if loc else None,
            source_title=_source_label(info, loc.source) if loc else "",
            source_href=source_href,
            paragraphs=paragraphs,
            variants=variants,
            kinds=" ".join(dict.fromkeys(v.kind for v in variants)),
            major=sum(1 for v in q.variants if v.severity is Severity.MAJOR),
            diff=diff,
            href=f"articles/{slug}.html#{anchor}",
            outlet=_outlet(doc),
            excerpt=_excerpt(q.quotation.text),
            invisible=q.invisible,
        )

    def _article(self, a: ArticleResult, slug: str) -> ArticleView:
        anchors = quote_anchors(a)
        quotes = tuple(
            self._quote(a, q, anchor, slug) for q, anchor in zip(a.quotes, anchors)
        )
        kinds = tuple(k.value for k in Kind if any(v.kind == k.value for q in quotes for v in q.variants))
        worst = a.worst
        return ArticleView(
            id=a.article.id,
            href=f"articles/{slug}.html",
            doc=a.article,
            outlet=_outlet(a.article),
            path=portable_path(a.article.path),
            counts=_counts(a),
            worst=worst.value if worst else "",
            errors=tuple(a.errors),
            quotes=quotes,
            located=tuple(q for q in quotes if q.source_id is not None),
            unverified=tuple(q for q in quotes if q.source_id is None),
            text=tuple(_text_pieces(a.article, quotes)),
            coverage=(),
            kinds=kinds,
        )

    def _cell(self, a: ArticleResult, view: ArticleView, source: SourceInfo, index: int, prefix: str) -> CoverageCell:
        quoted: float | None = None
        for c in a.coverage:
            if c.source == source.document.id:
                for p in c.paragraphs:
                    if p.index == index:
                        quoted = float(p.quoted)
        paragraphs = {p.index: p for p in source_paragraphs(source.document)}
        para = paragraphs.get(index)
        refs: list[QuoteView] = []
        verdicts: list[Verdict] = []
        if para is not None:
            for q, qv in zip(a.quotes, view.quotes):
                if q.location is not None and q.location.source == source.document.id:
                    if index in touched_paragraphs(q, (para,)):
                        refs.append(qv)
                        verdicts.append(q.verdict)
        worst = worst_verdict(verdicts)
        return CoverageCell(
            index=index,
            quoted=quoted,
            percent=coverage_percent((quoted or 0.0) if (quoted or refs) else None),
            shade=coverage_shade(quoted),
            worst=worst.value if worst else "",
            href=f"{self._source_href(source.document.id, prefix)}#p{index}",
            refs=tuple(refs),
        )

    def _with_coverage(self, a: ArticleResult, view: ArticleView) -> ArticleView:
        rows = []
        for sv in self.sources:
            info = self.sources_by_id[sv.id]
            cells = tuple(self._cell(a, view, info, p.index, "../") for p in sv.paragraphs)
            rows.append((sv, cells))
        return dataclasses.replace(view, coverage=tuple(rows))

    # -- sources

    def _source(self, info: SourceInfo, slug: str) -> SourceView:
        doc = info.document
        prov = info.provenance
        witnesses = {p.index: p for p in prov.paragraphs}
        choices = [_choice_view(c) for c in prov.choices]
        indexes = {p.index for p in source_paragraphs(doc)}
        paragraphs = tuple(
            ParagraphView(
                index=p.index,
                text=doc.text[p.start : p.end],
                witnesses=witnesses[p.index].witnesses if p.index in witnesses else (),
                note=witnesses[p.index].note if p.index in witnesses else "",
                rows=(),
                choices=tuple(c for c in choices if c.paragraph == p.index),
                first_words=_excerpt(doc.text[p.start : p.end], 60),
            )
            for p in source_paragraphs(doc)
        )
        return SourceView(
            id=doc.id,
            href=f"sources/{slug}.html",
            doc=doc,
            title=doc.title or doc.id,
            path=portable_path(doc.path),
            method=prov.method,
            paragraphs=paragraphs,
            general_choices=tuple(c for c in choices if c.paragraph not in indexes),
            unplaced=tuple(_choice_view(c) for c in prov.unplaced),
        )

    def _with_rows(self, sv: SourceView) -> SourceView:
        info = self.sources_by_id[sv.id]
        paragraphs = []
        for p in sv.paragraphs:
            rows = []
            for a, view in zip(self.result.articles, self.articles):
                cell = self._cell(a, view, info, p.index, "../")
                if cell.refs or (cell.quoted or 0) > 0:
                    rows.append(OutletRow(view, cell))
            paragraphs.append(dataclasses.replace(p, rows=tuple(rows)))
        return dataclasses.replace(sv, paragraphs=tuple(paragraphs))

    # -- index

    def _matrix(self) -> Matrix:
        out = []
        for sv in self.sources:
            info = self.sources_by_id[sv.id]
            rows = []
            for a, view in zip(self.result.articles, self.articles):
                rows.append((view, tuple(self._cell(a, view, info, p.index, "") for p in sv.paragraphs)))
            out.append((sv, tuple(rows)))
        return tuple(out)

    def _altered(self) -> tuple[QuoteView, ...]:
        """The altered quotations of all articles, most major variants first, then in report order."""
        found = [
            (-q.major, -len(q.variants), ai, qi, q)
            for ai, a in enumerate(self.articles)
            for qi, q in enumerate(a.quotes)
            if q.verdict == Verdict.ALTERED.value
        ]
        found.sort(key=lambda t: t[:4])
        return tuple(t[4] for t in found)


def _text_runs(doc: Document, quotes: Sequence[QuoteView]) -> list[tuple[int, int, int | None, bool]]:
    """An article's text cut at quotation and skipped spans: ``(start, end, quotation index or None, skipped)``.

    A run belongs to the first quotation one of whose spans covers it. One
    sweep over the cuts, keeping the spans open at each cut in a heap, so the
    time grows as ``n log n`` in the spans (8,000 quotations: 30 s when each
    run looked through every quotation, under 0.1 s this way).
    """
    n = len(doc.text)
    opens: dict[int, list[int]] = {}
    closes: dict[int, list[int]] = {}
    skip_delta: dict[int, int] = {}
    for k, q in enumerate(quotes):
        for s, e in q.spans:
            s, e = max(0, min(n, s)), max(0, min(n, e))
            if s < e:
                opens.setdefault(s, []).append(k)
                closes.setdefault(e, []).append(k)
    for s, e in doc.skipped:
        s, e = max(0, min(n, s)), max(0, min(n, e))
        if s < e:
            skip_delta[s] = skip_delta.get(s, 0) + 1
            skip_delta[e] = skip_delta.get(e, 0) - 1
    bounds = sorted({0, n, *opens, *closes, *skip_delta})
    open_count: dict[int, int] = {}
    heap: list[int] = []
    skipping = 0
    runs: list[tuple[int, int, int | None, bool]] = []
    for a, b in zip(bounds, bounds[1:]):
        for k in closes.get(a, ()):
            open_count[k] -= 1
        for k in opens.get(a, ()):
            if not open_count.get(k):
                heapq.heappush(heap, k)
            open_count[k] = open_count.get(k, 0) + 1
        skipping += skip_delta.get(a, 0)
        while heap and not open_count.get(heap[0]):
            heapq.heappop(heap)
        owner = heap[0] if heap else None
        skipped = skipping > 0
        if runs and runs[-1][2] == owner and runs[-1][3] == skipped and runs[-1][1] == a:
            runs[-1] = (runs[-1][0], b, owner, skipped)
        else:
            runs.append((a, b, owner, skipped))
    return runs


def _text_pieces(doc: Document, quotes: Sequence[QuoteView]) -> list[TextPiece]:
    """An article's text cut at quotation and skipped spans, each run labelled."""
    runs = _text_runs(doc, quotes)
    first_of: dict[int, int] = {}
    last_of: dict[int, int] = {}
    for k, (_, _, owner, _) in enumerate(runs):
        if owner is not None:
            first_of.setdefault(owner, k)
            last_of[owner] = k
    out: list[TextPiece] = []
    prev_skipped = False
    for k, (a, b, owner, skipped) in enumerate(runs):
        text = doc.text[a:b]
        if owner is not None:
            q = quotes[owner]
            out.append(
                TextPiece(
                    "quote",
                    text,
                    q.anchor,
                    q.verdict,
                    first=first_of[owner] == k,
                    last=last_of[owner] == k,
                )
            )
        elif skipped:
            out.append(TextPiece("skip", text, skip_start=not prev_skipped))
        else:
            out.append(TextPiece("text", text))
        prev_skipped = skipped
    return out


# --------------------------------------------------------------------------- the diff page


@dataclass(frozen=True)
class MarkedRun:
    """A run of text, either plain or marked (``cls``), possibly with marked children.

    A marked run is a variant: ``anchor`` is its id on this side, ``link``
    the same variant on the other side.
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
class CollationVariantRow:
    """A variant in the diff page's table; a move lists the variants ``inner`` to it."""

    ref: str
    kind: str
    severity: str
    unit: str
    moved: bool
    source_text: str
    quote_text: str
    inner: tuple["CollationVariantRow", ...]


@dataclass(frozen=True)
class CollationPage:
    """The side-by-side page of two collated documents."""

    title: str
    base: str
    other: str
    identical: bool
    counts: tuple[tuple[str, int], ...]
    base_pieces: tuple[MarkedRun, ...]
    other_pieces: tuple[MarkedRun, ...]
    variants: tuple[CollationVariantRow, ...]
    layout: tuple[LayoutChange, ...]


def _runs(text: str, start: int, end: int, marks: Sequence[_Mark], side: str) -> tuple[MarkedRun, ...]:
    """Cut ``text[start:end]`` into plain runs and marks (nested marks inside moves)."""
    out: list[MarkedRun] = []
    pos = start
    for m in sorted(marks, key=lambda m: (m.start, m.end)):
        if m.start < pos or m.end > end:
            continue  # overlapping marks are listed in the table, not drawn twice
        if m.start > pos:
            out.append(MarkedRun(text[pos : m.start]))
        children = _runs(text, m.start, m.end, m.children, side) if m.children else ()
        body = "" if children else text[m.start : m.end]
        there = "o" if side == "b" else "b"
        out.append(MarkedRun(body, m.cls, m.ref, m.title, children, f"{side}-{m.ref}", f"#{there}-{m.ref}"))
        pos = m.end
    if pos < end:
        out.append(MarkedRun(text[pos:end]))
    return tuple(out)


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


def _variant_rows(variants: Sequence[DocVariant], prefix: str = "v") -> tuple[CollationVariantRow, ...]:
    rows = []
    for n, v in enumerate(variants, 1):
        ref = f"{prefix}{n}"
        rows.append(
            CollationVariantRow(
                ref=ref,
                kind=v.kind.value,
                severity=v.severity.value,
                unit=v.unit,
                moved=v.moved,
                source_text=v.source_text,
                quote_text=v.quote_text,
                inner=_variant_rows(v.inner, f"{ref}."),
            )
        )
    return tuple(rows)


def collation_page(c: Collation) -> CollationPage:
    """The view of the diff page of a collation: both texts with their variants marked, and the tables."""
    counts = Counter(v.kind.value for v in c.variants)
    base_name = document_name(c.base)
    other_name = document_name(c.other)
    return CollationPage(
        title=f"{base_name} \u2194 {other_name}",
        base=base_name,
        other=other_name,
        identical=c.identical,
        counts=tuple(sorted(counts.items())),
        base_pieces=_runs(c.base.text, 0, len(c.base.text), _marks(c.variants, "b"), "b"),
        other_pieces=_runs(c.other.text, 0, len(c.other.text), _marks(c.variants, "o"), "o"),
        variants=_variant_rows(c.variants),
        layout=c.layout,
    )


# --------------------------------------------------------------------------- the reconstruction page


@dataclass(frozen=True)
class TextRun:
    """A run of a reconstructed paragraph: plain ``text``, a place of the apparatus (``app``) or a lacuna (``gap``).

    A place has its apparatus number ``n``, its classes (``tie``, ``empty``)
    and a title listing every reading.
    """

    kind: str
    text: str
    n: int = 0
    cls: str = ""
    title: str = ""


@dataclass(frozen=True)
class VotedReading:
    """A reading of an apparatus entry, with its witnesses and the votes counted for it."""

    text: str
    witnesses: tuple[str, ...]
    votes: int


@dataclass(frozen=True)
class ApparatusRow:
    """An apparatus entry, numbered from 1, with its readings (the chosen one first)."""

    n: int
    paragraph: int
    reason: str
    readings: tuple[VotedReading, ...]


@dataclass(frozen=True)
class DifferenceRow:
    """A difference between the given text and the reconstruction, and what explains it."""

    kind: str
    source_text: str
    quote_text: str
    explanation: str


@dataclass(frozen=True)
class ComparisonView:
    """The reconstruction set against a given text (named ``base``)."""

    base: str
    identical: bool
    differences: tuple[DifferenceRow, ...]


@dataclass(frozen=True)
class ReconstructionPage:
    """The page of a reconstruction: its text, apparatus, witnesses, paragraphs and any comparison."""

    title: str
    witnesses: tuple[Witness, ...]
    paragraphs: tuple[tuple[TextRun, ...], ...]
    apparatus: tuple[ApparatusRow, ...]
    paragraph_witnesses: tuple[ParagraphWitnesses, ...]
    unplaced: tuple[Reading, ...]
    comparison: ComparisonView | None
    tie_rule: str


def _reconstruction_paragraphs(recon: Reconstruction) -> tuple[tuple[TextRun, ...], ...]:
    """Each paragraph of the text cut into runs at the places of the apparatus and the lacunae."""
    text = recon.text
    marks: list[tuple[int, int, TextRun]] = []
    for n, a in enumerate(recon.apparatus, 1):
        cls = ("tie " if a.tie else "") + ("empty" if a.span[0] == a.span[1] else "")
        title = " | ".join(f"{r.text or '(nothing)'}: {', '.join(r.witnesses)}" for r in a.readings)
        marks.append((a.span[0], a.span[1], TextRun("app", text[a.span[0] : a.span[1]], n, cls.strip(), title)))
    for gap in recon.lacunae:
        marks.append((gap[0], gap[1], TextRun("gap", text[gap[0] : gap[1]])))
    marks.sort(key=lambda m: (m[0], m[1]))
    paragraphs = []
    for ps, pe in recon.paragraph_spans:
        runs: list[TextRun] = []
        pos = ps
        for s, e, run in marks:
            if s < pos or not (ps <= s <= pe) or e > pe:
                continue
            if s > pos:
                runs.append(TextRun("text", text[pos:s]))
            runs.append(run)
            pos = e
        if pos < pe:
            runs.append(TextRun("text", text[pos:pe]))
        paragraphs.append(tuple(runs))
    return tuple(paragraphs)


def _comparison_view(comparison: Comparison) -> ComparisonView:
    return ComparisonView(
        base=document_name(comparison.collation.base),
        identical=comparison.identical,
        differences=tuple(
            DifferenceRow(d.variant.kind.value, d.variant.source_text, d.variant.quote_text, d.explanation)
            for d in comparison.differences
        ),
    )


def reconstruction_page(recon: Reconstruction, comparison: Comparison | None = None) -> ReconstructionPage:
    """The view of the page of a reconstruction, and of its comparison with a given text if there is one."""
    return ReconstructionPage(
        title=recon.title,
        witnesses=recon.witnesses,
        paragraphs=_reconstruction_paragraphs(recon),
        apparatus=tuple(
            ApparatusRow(
                n=n,
                paragraph=a.paragraph,
                reason=a.reason,
                readings=tuple(VotedReading(r.text, r.witnesses, v) for r, v in zip(a.readings, a.votes)),
            )
            for n, a in enumerate(recon.apparatus, 1)
        ),
        paragraph_witnesses=recon.paragraphs,
        unplaced=recon.unplaced,
        comparison=_comparison_view(comparison) if comparison is not None else None,
        tie_rule=TIE_RULE,
    )
