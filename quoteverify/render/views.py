"""The view objects the HTML templates get: typed frozen dataclasses, built once from a result.

:func:`report_view` gives the pages of a check report (index, articles,
sources); :func:`reconstruction_page` the page of ``quoteverify
reconstruct``. A template reads the fields of these objects and the
engine's own result objects (a :class:`Document`, a :class:`Reading`),
never a dict built for it.

The diff page's view is :func:`quoteverify.render.splitdiff.collation_page`.
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
from fractions import Fraction
from operator import attrgetter
from typing import TYPE_CHECKING, NamedTuple

from quoteverify.cover import ALL_SOURCES
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
    NOT_FOUND,
    Tally,
    Variant,
    OTHER_SPEAKER,
    Verdict,
    new_tuple,
    worst_verdict,
)
from quoteverify.render.changes import change_weight, quote_changes
from quoteverify.render.diffview import DiffView, homoglyph_detail, one_line, quote_diff
from quoteverify.render.json import (
    KIND_NAMES,
    SEVERITY_NAMES,
    VERDICT_NAMES,
    document_name,
    portable_path,
    quote_anchors,
    touched_paragraphs,
    verdict_counts,
)

if TYPE_CHECKING:  # the reconstruction is imported by the page of one (a check that rebuilds no source never is)
    from quoteverify.reconstruct import Comparison, Reconstruction, Witness

#: Characters of a quotation shown in the index's list of altered quotations.
EXCERPT_CHARS = 180
#: a major variant's severity, as its view names it. The views name verdicts, kinds and severities
#: from the tables of :mod:`quoteverify.render.json`, not by ``.value`` (a descriptor call each), and
#: count major variants by their views' names, not by ``Variant.severity`` (a property): with
#: :class:`ParaRef` a named tuple, the views of the 10 MB case's report took 2,292 M -> 2,200 M instructions
_MAJOR = Severity.MAJOR.value
#: the verdicts of the quotations the index lists as changed, outlet by outlet
_LISTED = ("altered", "misattributed")
#: the verdicts by name, in their order, and each verdict by its name: the index's sums and its summary
#: of 496 sources asked ``Verdict.value`` (a descriptor call) 23,000 times and ``Verdict(name)`` 1,500
#: times. With the summary's tallies plain dicts, ``_ReportBuilder.view`` took 22.2 ms that way for the
#: 10 MB case's report, 14.6 ms this way (process time, best of 41, both ways alternated in one process)
_VERDICT_ORDER = tuple(v.value for v in Verdict)
_VERDICT_OF = {v.value: v for v in Verdict}
_UNVERIFIED = Verdict.UNVERIFIED.value

#: The order of the verdict columns of the index, worst first; a verdict not named here comes last.
_COLUMN_RANK = {"misattributed": 0, "altered": 1, "faithful": 2, "verbatim": 3, "unverified": 4}


def verdict_columns() -> tuple[str, ...]:
    """Every verdict, worst first, as the index's columns show them."""
    return tuple(sorted((v.value for v in Verdict), key=lambda name: _COLUMN_RANK.get(name, len(_COLUMN_RANK))))


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
    line = one_line(text)
    words = line.split(" ")
    if len(words) <= head + tail + 6:
        return line
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


class VariantView(NamedTuple):
    """A variant as its chip shows it: ``ref`` is its anchor; the ``_short`` texts keep long words readable."""

    ref: str
    kind: str
    severity: str
    source_text: str
    quote_text: str
    detail: str
    source_short: str
    quote_short: str
    #: what the change does to the sense (``Variant.meaning``)
    meaning: tuple[str, ...] = ()


class ParaRef(NamedTuple):
    """A link to a source paragraph: a named tuple, as the views made by the thousand (3,232 of them for the 10 MB case's report)."""

    index: int  # type: ignore[assignment]  # shadows tuple.index, which nothing calls
    href: str


class QuoteView(NamedTuple):
    """A quotation on its article's page, and in the index's list of altered quotations.

    A named tuple, as :class:`VariantView`: made in one step (6.1 us for a frozen dataclass
    of its 22 fields, one call each; 3,000 of them for the 10 MB case's report).
    """

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
    #: the person the article credits, the speaker of the source passage
    speaker: str | None = None
    source_speaker: str | None = None
    #: what the quotation changes, in words ("drops 'not'"), and how much (:func:`change_weight`, larger is worse)
    changes: tuple[str, ...] = ()
    weight: tuple[int, ...] = ()
    #: why an unverified quotation is (``not-found``, ``other-speaker``), when known
    reason: str = ""


class TextPiece(NamedTuple):
    """A run of an article's text: plain, a quotation (``quote``), or skipped boilerplate (``skip``)."""

    kind: str
    text: str
    anchor: str = ""
    verdict: str = ""
    first: bool = False
    last: bool = False
    skip_start: bool = False


class CoverageCell(NamedTuple):
    """How much of one source paragraph one article quotes, the worst verdict there, and the quotations."""

    index: int  # type: ignore[assignment]  # shadows tuple.index, which nothing calls
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
    misattributed: int = 0

    def __getitem__(self, verdict: str) -> int:
        if verdict not in _VERDICT_NAMES:
            raise ValueError(f"{verdict!r} is not a verdict")
        return int(getattr(self, verdict))


_VERDICT_NAMES = frozenset(v.value for v in Verdict)


class ArticleView(NamedTuple):
    """An article's page: its facts, counts, quotations, text and coverage of each source.

    A named tuple: made, then made again with its coverage, for each article of a report.
    """

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


class OutletRow(NamedTuple):
    """An article quoting a source paragraph, on the source's page."""

    article: ArticleView
    cell: CoverageCell


class ParagraphView(NamedTuple):
    """A source paragraph: its text, witnesses, editorial choices and the articles quoting it.

    Named tuples, this and the cells and rows of coverage: made in one step, where a frozen
    dataclass sets each field in a call of its own (the 19,000 paragraphs of the 10 MB case's
    sources: 1.5 us each as a dataclass, 0.5 us as a named tuple).
    """

    index: int  # type: ignore[assignment]  # shadows tuple.index, which nothing calls
    text: str
    witnesses: tuple[str, ...]
    note: str
    rows: tuple[OutletRow, ...]
    choices: tuple[EditorialChoice, ...]
    #: whose words the paragraph holds, when the source says (a transcript's turn)
    speaker: str | None = None

    @property
    def first_words(self) -> str:
        """The paragraph's first words, as the index's coverage matrix names its column.

        Made when asked: only a small case's matrix shows them, and making
        them for the 19,000 paragraphs of an archive's sources took 0.9 s (cProfile).
        """
        return _excerpt(self.text, 60)


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
    general_choices: tuple[EditorialChoice, ...]
    unplaced: tuple[EditorialChoice, ...]
    #: the page of the text rebuilt from the articles' quotations (relative to the report), or "" when there is none
    rebuilt: str = ""


@dataclass(frozen=True)
class OutletChanges:
    """An article on the index: its altered quotations, worst change first, and its unverified ones."""

    article: ArticleView
    altered: tuple[QuoteView, ...]
    #: unverified quotations credited to a source's speaker (or nobody): words a fact-checker must look for
    not_found: tuple[QuoteView, ...]
    #: unverified quotations of other people, or whose speaker is not known
    others: tuple[QuoteView, ...]


#: per source, each article's cells (the index's coverage matrix)
Matrix = tuple[tuple[SourceView, tuple[tuple[ArticleView, tuple[CoverageCell, ...]], ...]], ...]

#: The index draws the coverage matrix (every article by every source
#: paragraph) when it has at most this many cells and the case at most
#: ``ALL_SOURCES`` sources; a larger report sums coverage up per source (each
#: source's page still shows who quotes each paragraph). A cell is about 150
#: bytes of HTML: 20,000 cells are 3 MB.
MATRIX_CELLS = 20_000
#: Rows of the index's table of articles, and entries of its list of altered
#: quotations, in a report over the matrix's bounds (about 0.5 and 1 KB of HTML
#: each, so that the index stays under 2 MB whatever the number of articles).
INDEX_ARTICLES = 1000
INDEX_ALTERED = 300
#: Rows of the index's summary per source (about 0.4 KB each), the most quoted first.
INDEX_SOURCES = 1000


@dataclass(frozen=True)
class SourceSummary:
    """A source in the index of a large report: who quotes it, how much of it, and with what verdicts."""

    source: SourceView
    articles: int
    quotes: int
    counts: VerdictCounts
    worst: str
    paragraphs_quoted: int


@dataclass(frozen=True)
class OutletSummary:
    """An outlet in the index of a large report: its articles, its quotations by verdict, its worst altered quotation.

    The counts are over every article of the run (a large run's report
    holds the pages of some of them); ``worst`` is among those of the report.
    """

    outlet: str
    articles: int
    counts: VerdictCounts
    errors: int
    #: the share of its quotations found in a source that it altered or misattributed ("12%"), "—" when none was found
    share: str
    worst: QuoteView | None


@dataclass(frozen=True)
class ReportView:
    """Every page of a report: the articles and sources, the coverage matrix, the altered quotations, the totals.

    A large report (see :func:`report_scale`) has no matrix but a summary
    per source (``source_summary``), and its index lists the first
    ``INDEX_ARTICLES`` articles (``index_articles``) and the worst
    ``INDEX_ALTERED`` altered quotations; ``altered_total`` counts them all.
    ``source_pages``: the sources that get a page (in a large report, those
    its articles quote).
    """

    articles: tuple[ArticleView, ...]
    sources: tuple[SourceView, ...]
    matrix: Matrix
    altered: tuple[QuoteView, ...]
    totals: VerdictCounts
    outlet_names: Mapping[str, str]
    #: every article, the worst misquoting outlet first (see :meth:`_ReportBuilder._ranked`)
    ranked: tuple[OutletChanges, ...] = ()
    source_summary: tuple[SourceSummary, ...] = ()
    index_articles: tuple[ArticleView, ...] = ()
    altered_total: int = 0
    article_hrefs: Mapping[str, str] = dataclasses.field(default_factory=dict)
    source_pages: tuple[SourceView, ...] = ()
    #: in a large report, each outlet's counts over the whole run, the worst first
    outlet_summary: tuple[OutletSummary, ...] = ()
    #: the number of articles of the run (more than ``articles`` when the report holds some of them)
    run_articles: int = 0
    #: the run's quotations by verdict, when the report holds only some of its articles
    run_totals: VerdictCounts | None = None

    def witness_name(self, witness: str) -> str:
        """A witness of a provenance by its article's outlet, when it is an article of the report."""
        return self.outlet_names.get(witness, witness)

    def witness_href(self, witness: str, prefix: str) -> str:
        """The link to a witness's article page, or ``""`` when it is no article of the report."""
        href = self.article_hrefs.get(witness)
        return f"{prefix}{href}" if href else ""


@dataclass(frozen=True)
class ReportScale:
    """What the pages of a report draw, decided from its size alone.

    ``all_sources``: each article page shows its coverage of every source
    (else only of the sources it quotes); ``matrix``: the index draws the
    coverage matrix (else a summary per source, and capped lists).
    """

    all_sources: bool
    matrix: bool


def report_scale(result: CheckResult) -> ReportScale:
    """How much of the coverage the pages of ``result`` draw: everything for a small case, what was found for an archive.

    The pages of an archive grow with what its articles quote, never with
    articles x source paragraphs: a case of 2,000 articles against 500
    sources drew 4 MB article pages and a 1.9 GB index that way.
    """
    few = len(result.sources) <= ALL_SOURCES
    cells = len(result.articles) * sum(len(s.document.paragraphs_or_whole) for s in result.sources)
    return ReportScale(all_sources=few, matrix=few and cells <= MATRIX_CELLS)


def _counts(article: ArticleResult) -> VerdictCounts:
    return VerdictCounts(**verdict_counts(article))


#: the names of no variant
_NO_REFS: list[str] = []


def _variant_view(v: Variant, ref: str) -> VariantView:
    detail = homoglyph_detail(v.source_text, v.quote_text) if v.kind is Kind.HOMOGLYPH else ""
    return VariantView(
        ref,
        KIND_NAMES[v.kind],
        SEVERITY_NAMES[v.severity],
        v.source_text,
        v.quote_text,
        detail,
        _shorten(v.source_text) if v.source_text else "",
        _shorten(v.quote_text) if v.quote_text else "",
        v.meaning,
    )


#: counts per outlet over a whole run, by outlet name (``StreamResult.outlets``)
OutletTallies = Sequence[tuple[str, Tally]]


def report_view(result: CheckResult, outlets: OutletTallies | None = None) -> ReportView:
    """The views of every page of the report of ``result``.

    ``outlets``: the run's counts per outlet, when ``result`` holds only
    some of its articles (else they are counted from ``result``).
    """
    return _ReportBuilder(result).view(outlets)


def _tallies(result: CheckResult) -> list[tuple[str, Tally]]:
    """The counts per outlet of the articles of ``result``, by outlet name."""
    by_outlet: dict[str, Counter[str]] = {}
    for a in result.articles:
        c = by_outlet.setdefault(a.article.outlet, Counter())
        c.update(q.verdict.value for q in a.quotes)
        c["articles"] += 1
        c["quotes"] += len(a.quotes)
        c["errors"] += len(a.errors)
    return sorted(
        (name, Tally(c["articles"], c["quotes"], c["verbatim"], c["faithful"], c["altered"], c["unverified"],
                     c["errors"], c["misattributed"]))
        for name, c in by_outlet.items()
    )


def outlet_summary(tallies: OutletTallies, worst: Mapping[str, QuoteView]) -> tuple[OutletSummary, ...]:
    """The index's rows per outlet, worst first: by the share of its located quotations altered or misattributed, then their number."""
    rows: list[tuple[Fraction, int, str, OutletSummary]] = []
    for name, t in tallies:
        bad = t.altered + t.misattributed
        located = bad + t.verbatim + t.faithful
        share = Fraction(bad, located) if located else Fraction(0)
        counts = VerdictCounts(t.verbatim, t.faithful, t.altered, t.unverified, t.misattributed)
        shown = f"{round(share * 100)}%" if located else "\u2014"
        row = OutletSummary(name or "(no outlet)", t.articles, counts, t.errors, shown, worst.get(name))
        rows.append((-share, -bad, name, row))
    rows.sort(key=lambda r: r[:3])
    return tuple(r[3] for r in rows)


#: the cells of one article that show something, by source id and paragraph index
FoundCells = dict[str, dict[int, CoverageCell]]


class _ReportBuilder:
    """Build the page views of a result once; every page reads them.

    Articles and sources refer to each other (an article's coverage of each
    source, a source paragraph's quoting articles): articles are built
    first, then the sources with the rows of the articles quoting them, then
    each article is given its coverage. The cells that show something
    (a paragraph an article quotes) are built once per article from its
    quotations and coverage; every other cell is the one empty cell of its
    paragraph, so the cost is linear in what was found.
    """

    def __init__(self, result: CheckResult) -> None:
        self.result = result
        self.scale = report_scale(result)
        self.sources_by_id: dict[str, SourceInfo] = {}
        for s in result.sources:
            self.sources_by_id.setdefault(s.document.id, s)
        self.paragraphs = {sid: info.document.paragraphs_or_whole for sid, info in self.sources_by_id.items()}
        self.source_pos = {sid: n for n, sid in enumerate(self.sources_by_id)}
        source_slugs = unique_names([s.document.id for s in result.sources])
        self.source_slug: dict[str, str] = {}
        for s, slug in zip(result.sources, source_slugs):
            self.source_slug.setdefault(s.document.id, slug)
        article_slugs = unique_names([a.article.id for a in result.articles])
        self.outlet_names = {a.article.id: _outlet(a.article) for a in result.articles}
        self._empty: dict[tuple[str, int, str], CoverageCell] = {}
        self.articles = tuple(self._article(a, slug) for a, slug in zip(result.articles, article_slugs))
        self.found = [self._found_cells(a, v, "../") for a, v in zip(result.articles, self.articles)]
        self.rows: dict[str, dict[int, list[OutletRow]]] = {}
        for view, found in zip(self.articles, self.found):
            for source_id, cells in found.items():
                by_paragraph = self.rows.setdefault(source_id, {})
                for index, cell in cells.items():
                    by_paragraph.setdefault(index, []).append(OutletRow(view, cell))
        self.sources = tuple(self._source(s, slug) for s, slug in zip(result.sources, source_slugs))
        self.source_views: dict[str, list[tuple[int, SourceView]]] = {}
        for n, sv in enumerate(self.sources):
            self.source_views.setdefault(sv.id, []).append((n, sv))
        self.articles = tuple(self._with_coverage(v, found) for v, found in zip(self.articles, self.found))

    def view(self, outlets: OutletTallies | None = None) -> ReportView:
        counts = [a.counts for a in self.articles]
        totals = VerdictCounts(**{name: sum(map(attrgetter(name), counts)) for name in _VERDICT_ORDER})
        pairs = self._altered()
        altered = tuple(q for _, q in pairs)
        ranked = self._ranked()
        hrefs: dict[str, str] = {}
        for v in self.articles:
            hrefs.setdefault(v.id, v.href)
        tallies = outlets if outlets is not None else _tallies(self.result)
        run_articles = sum(t.articles for _, t in tallies)
        run_totals = None
        if run_articles > len(self.articles):  # the report holds some of the run's articles: its counts are the run's
            run_totals = VerdictCounts(**{v.value: sum(getattr(t, v.value) for _, t in tallies) for v in Verdict})
        if self.scale.matrix:
            return ReportView(self.articles, self.sources, self._matrix(), altered, totals, self.outlet_names,
                              ranked, (), self.articles, len(altered), hrefs, self.sources,
                              run_articles=run_articles, run_totals=run_totals)
        summary = self._source_summary()
        quoted = {row.source.id for row in summary}
        if len(summary) > INDEX_SOURCES:
            most = sorted(range(len(summary)), key=lambda k: (-summary[k].quotes, k))[:INDEX_SOURCES]
            summary = tuple(summary[k] for k in sorted(most))
        pages = self.sources if self.scale.all_sources else tuple(sv for sv in self.sources if sv.id in quoted)
        worst: dict[str, QuoteView] = {}
        for article, q in pairs:
            worst.setdefault(article.doc.outlet, q)
        return ReportView(
            self.articles, self.sources, (), altered[:INDEX_ALTERED], totals, self.outlet_names,
            _cap_altered(ranked[:INDEX_ARTICLES], INDEX_ALTERED), summary, self.articles[:INDEX_ARTICLES], len(altered),
            hrefs, pages, outlet_summary(tallies, worst), run_articles, run_totals,
        )

    # -- articles

    def _source_href(self, source_id: str, prefix: str) -> str:
        slug = self.source_slug.get(source_id)
        return f"{prefix}sources/{slug}.html" if slug else ""

    def _quote(self, a: ArticleResult, q: QuoteResult, anchor: str, slug: str, outlet: str) -> QuoteView:
        doc = a.article
        loc = q.location
        # most quotations have no variant (verbatim, not found): no list, map or generator started for them
        qvariants = q.variants
        refs = [f"{anchor}-v{k + 1}" for k in range(len(qvariants))] if qvariants else _NO_REFS
        info = self.sources_by_id.get(loc.source) if loc else None
        diff: DiffView | None = None
        paragraphs: tuple[ParaRef, ...] = ()
        source_href = source_title = ""
        if loc is not None:
            source_href = self._source_href(loc.source, "../")
            source_title = _source_label(info, loc.source)
        if loc is not None and info is not None:
            diff = quote_diff(q, doc, info.document, refs, outlet, source_title)
            paras = touched_paragraphs(q, self.paragraphs[loc.source])
            paragraphs = tuple(ParaRef(i, f"{source_href}#p{i}") for i in paras)
        variants = tuple(map(_variant_view, qvariants, refs)) if qvariants else ()
        return new_tuple(  # every field, in order
            QuoteView,
            (
                anchor,  # anchor
                VERDICT_NAMES[q.verdict],  # verdict
                q.quotation.text,  # text
                q.quotation.attribution,  # attribution
                tuple(q.quotation.spans),  # spans
                loc.source if loc else None,  # source_id
                source_title,
                source_href,
                paragraphs,
                variants,
                " ".join(dict.fromkeys(v.kind for v in variants)) if variants else "",  # kinds
                sum(1 for v in variants if v.severity == _MAJOR) if variants else 0,  # major
                diff,
                f"articles/{slug}.html#{anchor}",  # href
                outlet,
                _excerpt(q.quotation.text),  # excerpt
                q.invisible,  # invisible
                q.speaker,  # speaker
                q.source_speaker,  # source_speaker
                tuple(quote_changes(q)) if qvariants and q.verdict is not Verdict.VERBATIM else (),  # changes
                change_weight(q),  # weight
                (q.reason or "") if q.verdict is Verdict.UNVERIFIED else "",  # reason
            ),
        )

    def _article(self, a: ArticleResult, slug: str) -> ArticleView:
        anchors = quote_anchors(a)
        outlet = _outlet(a.article)
        quotes = tuple(
            self._quote(a, q, anchor, slug, outlet) for q, anchor in zip(a.quotes, anchors)
        )
        present = {v.kind for q in quotes for v in q.variants}
        kinds = tuple(k for k in KIND_NAMES.values() if k in present)
        worst = a.worst
        return ArticleView(
            id=a.article.id,
            href=f"articles/{slug}.html",
            doc=a.article,
            outlet=outlet,
            path=portable_path(a.article.path),
            counts=_counts(a),
            worst=VERDICT_NAMES[worst] if worst else "",
            errors=tuple(a.errors),
            quotes=quotes,
            located=tuple(q for q in quotes if q.source_id is not None),
            # not-found first: a fact-checker must look at those; other people's words after
            unverified=tuple(
                sorted((q for q in quotes if q.source_id is None), key=lambda q: q.reason == OTHER_SPEAKER)
            ),
            text=tuple(_text_pieces(a.article, quotes)),
            coverage=(),
            kinds=kinds,
        )

    def _empty_cell(self, source_id: str, index: int, prefix: str) -> CoverageCell:
        """The cell of a paragraph an article does not quote (one object per paragraph, shared by every article)."""
        key = (source_id, index, prefix)
        cell = self._empty.get(key)
        if cell is None:
            href = f"{self._source_href(source_id, prefix)}#p{index}"
            cell = self._empty[key] = CoverageCell(index, None, "", 0, "", href, ())
        return cell

    def _found_cells(self, a: ArticleResult, view: ArticleView, prefix: str) -> FoundCells:
        """The cells of the paragraphs that ``a`` quotes: a share of their words, or a quotation touching them."""
        quoted: dict[tuple[str, int], float] = {}
        for c in a.coverage:
            if c.source in self.sources_by_id:
                for p in c.paragraphs:
                    quoted[(c.source, p.index)] = float(p.quoted)
        refs: dict[tuple[str, int], list[tuple[QuoteView, Verdict]]] = {}
        for q, qv in zip(a.quotes, view.quotes):
            loc = q.location
            if loc is not None and loc.source in self.sources_by_id:
                for ref in qv.paragraphs:  # the paragraphs it touches, found once for its view
                    refs.setdefault((loc.source, ref.index), []).append((qv, q.verdict))
        keys = [k for k, share in quoted.items() if share] + [k for k in refs if not quoted.get(k)]
        found: FoundCells = {}
        for source_id, index in sorted(keys, key=lambda k: (self.source_pos[k[0]], k[1])):
            share = quoted.get((source_id, index))
            touching = refs.get((source_id, index), [])
            worst = worst_verdict([v for _, v in touching])
            found.setdefault(source_id, {})[index] = new_tuple(  # index, quoted, percent, shade, worst, href, refs
                CoverageCell,
                (
                    index,
                    share,
                    coverage_percent(share or 0.0),
                    coverage_shade(share),
                    VERDICT_NAMES[worst] if worst else "",
                    f"{self._source_href(source_id, prefix)}#p{index}",
                    tuple(qv for qv, _ in touching),
                ),
            )
        return found

    def _cells(self, sv: SourceView, found: FoundCells, prefix: str) -> tuple[CoverageCell, ...]:
        mine = found.get(sv.id, {})
        return tuple(mine.get(p.index) or self._empty_cell(sv.id, p.index, prefix) for p in sv.paragraphs)

    def _with_coverage(self, view: ArticleView, found: FoundCells) -> ArticleView:
        """The article's coverage of every source (a small case), or of the paragraphs it quotes alone (an archive)."""
        if self.scale.all_sources:
            return view._replace(coverage=tuple((sv, self._cells(sv, found, "../")) for sv in self.sources))
        # the sources it quotes, in the case's order: looked up, not found among all the sources
        # by each article (1,000 articles by 500 sources: 0.1 s, cProfile)
        shown = sorted((place for source_id in found for place in self.source_views.get(source_id, ())), key=lambda t: t[0])
        return view._replace(coverage=tuple((sv, tuple(found[sv.id].values())) for _, sv in shown))

    # -- sources

    def _source(self, info: SourceInfo, slug: str) -> SourceView:
        """A source's view with the articles quoting each paragraph.

        In an archive, a source that no article of the report quotes gets no
        page, and its view no paragraphs: drawing the 40 paragraphs of each
        of 500 sources was a tenth of the report's time.
        """
        doc = info.document
        prov = info.provenance
        rows = self.rows.get(doc.id, {})
        if not rows and not self.scale.all_sources:
            return SourceView(doc.id, f"sources/{slug}.html", doc, doc.title or doc.id, portable_path(doc.path),
                              prov.method, (), (), ())
        witnesses = {p.index: p for p in prov.paragraphs}
        choices = prov.choices
        by_paragraph: dict[int | None, list[EditorialChoice]] = {}
        for c in choices:
            by_paragraph.setdefault(c.paragraph, []).append(c)
        indexes = {p.index for p in doc.paragraphs_or_whole}
        text, speaker = doc.text, doc.speaker
        if witnesses or by_paragraph:
            paragraphs = tuple(
                ParagraphView(
                    index=p.index,
                    text=text[p.start : p.end],
                    witnesses=w.witnesses if (w := witnesses.get(p.index)) is not None else (),
                    note=w.note if w is not None else "",
                    rows=tuple(rows.get(p.index, ())),
                    choices=tuple(by_paragraph.get(p.index, ())),
                    speaker=p.speaker or speaker,
                )
                for p in doc.paragraphs_or_whole
            )
        else:  # no provenance by paragraph (most sources): 19,000 paragraphs of 500 sources, two lookups fewer each
            paragraphs = tuple(
                [
                    new_tuple(ParagraphView, (p.index, text[p.start : p.end], (), "", tuple(rows.get(p.index, ())), (), p.speaker or speaker))
                    for p in doc.paragraphs_or_whole
                ]
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
            unplaced=prov.unplaced,
            rebuilt=f"sources/{slug}.rebuilt.html" if self._rebuildable(doc.id) else "",
        )

    def _rebuildable(self, source_id: str) -> bool:
        """Whether the report gets a page of the source rebuilt from its quotations.

        Two articles at least must quote it, and the report must hold every
        article of the run (a reconstruction from the first pages of an
        archive would mislead).
        """
        if any(key == "articles_in_report" for key, _ in self.result.meta):
            return False
        quoting = sum(
            1
            for a in self.result.articles
            if any(q.location is not None and q.location.source == source_id for q in a.quotes)
        )
        return quoting >= 2

    # -- index

    def _matrix(self) -> Matrix:
        out = []
        for sv in self.sources:
            rows = []
            for a, view in zip(self.result.articles, self.articles):
                rows.append((view, self._cells(sv, self._found_cells(a, view, ""), "")))
            out.append((sv, tuple(rows)))
        return tuple(out)

    def _source_summary(self) -> tuple[SourceSummary, ...]:
        """Each quoted source: the articles and quotations quoting it, their verdicts, the paragraphs they quote."""
        # plain dicts, not a Counter made for each of 2,542 quotations and asked for its missing keys
        articles: dict[str, int] = {}
        verdicts: dict[str, dict[str, int]] = {}
        paragraphs: dict[str, set[int]] = {}
        for view, found in zip(self.articles, self.found):
            for source_id, cells in found.items():
                articles[source_id] = articles.get(source_id, 0) + 1
                paragraphs.setdefault(source_id, set()).update(cells)
            for q in view.located:
                if q.source_id is not None:
                    tally = verdicts.get(q.source_id)
                    if tally is None:
                        tally = verdicts[q.source_id] = {}
                    tally[q.verdict] = tally.get(q.verdict, 0) + 1
        out = []
        for sv in self.sources:
            if sv.id not in articles and sv.id not in verdicts:
                continue
            tally = verdicts.get(sv.id) or {}
            worst = worst_verdict([_VERDICT_OF[v] for v in tally])
            out.append(
                SourceSummary(
                    source=sv,
                    articles=articles.get(sv.id, 0),
                    quotes=sum(tally.values()),
                    counts=VerdictCounts(**{name: tally.get(name, 0) for name in _VERDICT_ORDER}),
                    worst=VERDICT_NAMES[worst] if worst else "",
                    paragraphs_quoted=len(paragraphs.get(sv.id, ())),
                )
            )
        return tuple(out)

    def _altered(self) -> list[tuple[ArticleView, QuoteView]]:
        """The altered quotations of all articles with their articles, the worst change first (:func:`change_weight`), then in report order."""
        found = [
            (tuple(-w for w in q.weight), ai, qi, a, q)
            for ai, a in enumerate(self.articles)
            for qi, q in enumerate(a.quotes)
            if q.verdict in _LISTED
        ]
        found.sort(key=lambda t: t[:3])
        return [(t[3], t[4]) for t in found]

    def _ranked(self) -> tuple[OutletChanges, ...]:
        """Every article with its changes, worst first: by its worst change, then its number of changed quotations.

        Articles that change nothing keep the case's order, after the others.
        """
        ranked = []
        for n, a in enumerate(self.articles):
            altered = sorted(
                (q for q in a.quotes if q.verdict in _LISTED), key=lambda q: tuple(-w for w in q.weight)
            )
            unverified = [q for q in a.quotes if q.verdict == _UNVERIFIED]
            group = OutletChanges(
                a,
                tuple(altered),
                tuple(q for q in unverified if q.reason == NOT_FOUND),
                tuple(q for q in unverified if q.reason != NOT_FOUND),
            )
            worst = tuple(-w for w in altered[0].weight) if altered else ()
            ranked.append((not altered, worst, -len(altered), n, group))
        ranked.sort(key=lambda t: t[:4])
        return tuple(t[4] for t in ranked)


def _cap_altered(groups: Sequence[OutletChanges], limit: int) -> tuple[OutletChanges, ...]:
    """The groups with at most ``limit`` altered quotations in all, the worst outlets' first (an archive's index stays small)."""
    out, left = [], limit
    for g in groups:
        if len(g.altered) > left:  # made anew, not by dataclasses.replace (721 groups of the 10 MB case's index)
            g = OutletChanges(g.article, g.altered[: max(left, 0)], g.not_found, g.others)
        left -= len(g.altered)
        out.append(g)
    return tuple(out)


def _text_runs(doc: Document, quotes: Sequence[QuoteView]) -> list[tuple[int, int, int | None, bool]]:
    """An article's text cut at quotation and skipped spans: ``(start, end, quotation index or None, skipped)``.

    A run belongs to the first quotation one of whose spans covers it. One
    sweep over the cuts, keeping the spans open at each cut in a heap, so the
    time grows as ``n log n`` in the spans (8,000 quotations: 30 s when each
    run looked through every quotation, under 0.1 s this way).
    """
    n = len(doc.text)
    if not doc.skipped:
        runs = _runs_apart(n, quotes)
        if runs is not None:
            return runs
    return _swept_runs(doc, quotes)


def _runs_apart(n: int, quotes: Sequence[QuoteView]) -> list[tuple[int, int, int | None, bool]] | None:
    """:func:`_text_runs` of a text of ``n`` characters where nothing is skipped and no two spans overlap (every article of
    the 10 MB case); None when two do.

    A run is then a span or a gap between two: the spans in order, without
    the sweep's dictionaries and heap: the text pieces of its 1,000
    articles 15.0 ms -> 10.5 ms (process time, best of 15, three runs of
    each, alternated).
    """
    spans: list[tuple[int, int, int]] = []
    for k, q in enumerate(quotes):
        for s, e in q.spans:
            s, e = max(0, min(n, s)), max(0, min(n, e))
            if s < e:
                spans.append((s, e, k))
    spans.sort()
    runs: list[tuple[int, int, int | None, bool]] = []
    pos = 0
    for s, e, k in spans:
        if s < pos:
            return None
        if s > pos:
            runs.append((pos, s, None, False))
        elif runs and runs[-1][2] == k:  # two spans of one quotation, end to end: one run, as the sweep makes it
            s = runs.pop()[0]
        runs.append((s, e, k, False))
        pos = e
    if pos < n:
        runs.append((pos, n, None, False))
    return runs


def _swept_runs(doc: Document, quotes: Sequence[QuoteView]) -> list[tuple[int, int, int | None, bool]]:
    """:func:`_text_runs` by a sweep over the cuts, the spans open at each in a heap."""
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
            out.append(new_tuple(TextPiece, ("quote", text, q.anchor, q.verdict, first_of[owner] == k, last_of[owner] == k, False)))
        elif skipped:
            out.append(new_tuple(TextPiece, ("skip", text, "", "", False, False, not prev_skipped)))
        else:
            out.append(new_tuple(TextPiece, ("text", text, "", "", False, False, False)))
        prev_skipped = skipped
    return out


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
    """A reading of an apparatus entry, with its witnesses (by outlet) and the votes counted for it."""

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
    #: readings of witnesses that vote for another one: a shorter quotation of the same outlet, not counted twice
    elsewhere: tuple[VotedReading, ...] = ()


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


def witness_names(recon: Reconstruction) -> dict[str, str]:
    """Each witness's name as pages show it: its outlet, or its id when it has none."""
    return {w.id: w.outlet or w.id for w in recon.witnesses}


def reconstruction_page(recon: Reconstruction, comparison: Comparison | None = None) -> ReconstructionPage:
    """The view of the page of a reconstruction, and of its comparison with a given text if there is one.

    Witnesses are named by outlet. A reading that gets no vote (its
    witnesses vote for another: a shorter quotation of the same outlet) is
    listed apart, not as a rival reading.
    """
    from quoteverify.reconstruct import TIE_RULE

    names = witness_names(recon)

    def voted(text: str, witnesses: Sequence[str], votes: int) -> VotedReading:
        return VotedReading(text, tuple(names.get(w, w) for w in witnesses), votes)

    return ReconstructionPage(
        title=recon.title,
        witnesses=recon.witnesses,
        paragraphs=_reconstruction_paragraphs(recon),
        apparatus=tuple(
            ApparatusRow(
                n=n,
                paragraph=a.paragraph,
                reason=a.reason,
                readings=tuple(voted(r.text, r.witnesses, v) for k, (r, v) in enumerate(zip(a.readings, a.votes)) if v or k == 0),
                elsewhere=tuple(voted(r.text, r.witnesses, v) for k, (r, v) in enumerate(zip(a.readings, a.votes)) if k and not v),
            )
            for n, a in enumerate(recon.apparatus, 1)
        ),
        paragraph_witnesses=recon.paragraphs,
        unplaced=recon.unplaced,
        comparison=_comparison_view(comparison) if comparison is not None else None,
        tie_rule=TIE_RULE,
    )
