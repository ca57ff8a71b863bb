"""The report stage: ``report.json``, HTML pages and exports, all rendered from one :class:`CheckResult`.

The JSON object and the HTML pages are two renderings of the same result
object, so they can never disagree. Everything written is deterministic (no
timestamps, no absolute paths, a fixed key order) and every file is written
atomically. A report directory holds::

    <case>/index.html             the overview: counts per outlet, coverage matrix, altered quotations
    <case>/articles/<slug>.html   one page per article: each quotation with its word-level diff
    <case>/sources/<slug>.html    one page per source: its paragraphs, who quotes them, provenance
    <case>/report.json            the report.json object of the design notes
    <case>/quotations.csv         one row per quotation
    <case>/annotations.jsonld     W3C Web Annotations, one per located quotation

Every page is a single self-contained file: the style sheet and the script are
inlined and allowed by a Content-Security-Policy that names their sha256
hashes and nothing else, so a page loads nothing from the network and no
string of the input can ever run as script. The pages work with script
disabled; the script only adds filters, keyboard navigation and copy buttons.
"""

from __future__ import annotations

import base64
import csv
import dataclasses
import hashlib
import io
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote as _urlquote

import jinja2
from markupsafe import Markup

from quoteverify import __version__
from quoteverify._files import write_atomic
from quoteverify.models import (
    Alignment,
    ArticleResult,
    CheckResult,
    Document,
    EditorialChoice,
    Fragment,
    Kind,
    Paragraph,
    QuoteResult,
    Reading,
    Severity,
    SourceInfo,
    Span,
    Token,
    Variant,
    Verdict,
)

__all__ = [
    "SCHEMA",
    "render_report",
    "report_json",
    "safe_name",
    "write_report",
]

SCHEMA = "quoteverify/report@1"

#: How a verdict is shown besides its colour: an icon and a word.
VERDICT_ICON: dict[str, str] = {
    Verdict.VERBATIM.value: "=",
    Verdict.FAITHFUL.value: "\u2248",
    Verdict.ALTERED.value: "\u2260",
    Verdict.UNVERIFIED.value: "?",
}

#: What each verdict means, for the legend.
VERDICT_HELP: dict[str, str] = {
    Verdict.VERBATIM.value: "the words match the source exactly (typography aside)",
    Verdict.FAITHFUL.value: "only acceptable or minor variants",
    Verdict.ALTERED.value: "at least one major variant",
    Verdict.UNVERIFIED.value: "no source passage found: somebody else's words, or a fabrication",
}

#: What each variant kind is, for the legend.
KIND_HELP: dict[str, str] = {
    Kind.ELISION.value: "source words replaced by a marked ellipsis",
    Kind.INTERPOLATION.value: "words in square brackets, not in the source",
    Kind.SPELLING.value: "the same word spelled otherwise",
    Kind.PUNCTUATION.value: "punctuation added, dropped or changed",
    Kind.CASE.value: "only capitalisation differs",
    Kind.OMISSION.value: "source words missing, with no ellipsis",
    Kind.INSERTION.value: "words added that are not in square brackets",
    Kind.SUBSTITUTION.value: "source words replaced by other words",
    Kind.TRANSPOSITION.value: "the same words in another order",
    Kind.HOMOGLYPH.value: "letters swapped for look-alikes from another script",
}

_SEVERITY_RANK = {Severity.ACCEPTABLE: 0, Severity.MINOR: 1, Severity.MAJOR: 2}
_WORST_ORDER = (Verdict.ALTERED, Verdict.FAITHFUL, Verdict.VERBATIM)

#: Words of a long elided passage shown at each end; the middle is summarised.
_CUT_KEEP_WORDS = 25
#: Tokens of context on each side of a change in a correction note.
_NOTE_CONTEXT = 3
#: Characters of context in a TextQuoteSelector's prefix and suffix.
_SELECTOR_CONTEXT = 32
#: Characters of a quotation shown in the index's list of altered quotations.
_EXCERPT_CHARS = 180

# --------------------------------------------------------------------------- file names


_SLUG_STRIP = re.compile(r"[^a-z0-9_]+")


def safe_name(ident: str, *, max_len: int = 60) -> str:
    """A file-name stem for ``ident`` that cannot leave its directory.

    An id that is already a lower-case ASCII slug (letters, digits, ``-`` and
    ``_``, starting with a letter or digit) is kept as it is. Any other id gets
    a readable slug of its ASCII-folded form plus the first 8 hex digits of
    the sha256 of the id, so that two ids never share a name (``"../../x"``
    becomes ``"x-<hash>"``, ``"Été 2020"`` becomes ``"ete-2020-<hash>"``).
    """
    folded = unicodedata.normalize("NFKD", ident).encode("ascii", "ignore").decode("ascii").lower()
    slug = _SLUG_STRIP.sub("-", folded).strip("-_")[:max_len].strip("-_")
    if slug and slug == ident:
        return slug
    digest = hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{slug}-{digest}" if slug else f"id-{digest}"


def _unique_names(ids: Sequence[str]) -> list[str]:
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


def _portable_path(path: str | None) -> str | None:
    """A path as reported: relative paths with forward slashes; an absolute path only by its name."""
    if not path:
        return None
    if PurePosixPath(path).is_absolute() or PureWindowsPath(path).is_absolute():
        return PureWindowsPath(path).name if "\\" in path else PurePosixPath(path).name
    return path.replace("\\", "/")


def _round(x: float) -> float:
    value = float(x)
    if not math.isfinite(value):
        return 0.0
    return round(value, 4)


def _span(span: Span | None) -> list[int] | None:
    return None if span is None else [int(span[0]), int(span[1])]


def _overlaps(a: Span, b: Span) -> bool:
    """Whether two half-open spans share a code point; an empty span counts where it touches."""
    if a[0] == a[1] or b[0] == b[1]:
        return b[0] <= a[0] <= b[1] if a[0] == a[1] else a[0] <= b[0] <= a[1]
    return a[0] < b[1] and b[0] < a[1]


def _strict_overlap(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _worst(verdicts: Iterable[Verdict]) -> Verdict | None:
    seen = set(verdicts)
    for v in _WORST_ORDER:
        if v in seen:
            return v
    return None


def _major_count(q: QuoteResult) -> int:
    return sum(1 for v in q.variants if v.severity is Severity.MAJOR)


def _source_paragraphs(doc: Document) -> tuple[Paragraph, ...]:
    """A source's paragraphs; a document without any is one paragraph."""
    if doc.paragraphs:
        return doc.paragraphs
    return (Paragraph(0, 0, len(doc.text)),)


def _quote_source_spans(q: QuoteResult) -> list[Span]:
    if q.location is None:
        return []
    if q.location.fragments:
        return [f.source_span for f in q.location.fragments]
    return [q.location.span]


def _touched_paragraphs(q: QuoteResult, paragraphs: Sequence[Paragraph]) -> list[int]:
    spans = _quote_source_spans(q)
    return [p.index for p in paragraphs if any(_strict_overlap((p.start, p.end), s) for s in spans)]


def _anchors(article: ArticleResult) -> list[str]:
    """The stable anchor of each quotation: ``q1, q2, ...`` for located ones, ``u1, ...`` for the others."""
    located = unverified = 0
    out: list[str] = []
    for q in article.quotes:
        if q.location is None:
            unverified += 1
            out.append(f"u{unverified}")
        else:
            located += 1
            out.append(f"q{located}")
    return out


def _outlet(doc: Document) -> str:
    return doc.outlet or doc.title or doc.id


def _source_label(info: SourceInfo | None, source_id: str) -> str:
    if info is None:
        return source_id
    return info.document.title or info.document.id


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _excerpt(text: str, limit: int = _EXCERPT_CHARS) -> str:
    line = _one_line(text)
    if len(line) <= limit:
        return line
    cut = line[:limit].rsplit(" ", 1)[0] or line[:limit]
    return cut + " \u2026"


def _shorten(text: str, *, head: int = 12, tail: int = 8) -> str:
    """``text`` on one line; a long text keeps its first and last words around ``[… N words …]``."""
    words = _one_line(text).split(" ")
    if len(words) <= head + tail + 6:
        return _one_line(text)
    hidden = len(words) - head - tail
    return " ".join(words[:head]) + f" [\u2026 {hidden} words \u2026] " + " ".join(words[-tail:])


def _homoglyph_detail(source_text: str, quote_text: str) -> str:
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
    seen: list[str] = []
    for p in parts:
        if p not in seen:
            seen.append(p)
    return "; ".join(seen)


# --------------------------------------------------------------------------- report.json


def _variant_json(v: Variant) -> dict[str, Any]:
    return {
        "kind": v.kind.value,
        "severity": v.severity.value,
        "source_text": v.source_text,
        "quote_text": v.quote_text,
        "source_span": _span(v.source_span),
        "quote_span": _span(v.quote_span),
    }


def _quote_json(q: QuoteResult, anchor: str, paragraphs: dict[str, tuple[Paragraph, ...]]) -> dict[str, Any]:
    loc = q.location
    touched: list[int] = []
    if loc is not None and loc.source in paragraphs:
        touched = _touched_paragraphs(q, paragraphs[loc.source])
    return {
        "text": q.quotation.text,
        "spans": [_span(s) for s in q.quotation.spans],
        "attribution": q.quotation.attribution,
        "source": loc.source if loc else None,
        "source_span": _span(loc.span) if loc else None,
        "verdict": q.verdict.value,
        "variants": [_variant_json(v) for v in q.variants],
        "anchor": anchor,
        "attribution_span": _span(q.quotation.attribution_span),
        "segments": [{"kind": s.kind, "span": [s.start, s.end]} for s in q.quotation.segments],
        "fragments": [
            {"quote_span": _span(f.quote_span), "source_span": _span(f.source_span)}
            for f in (loc.fragments if loc else ())
        ],
        "source_paragraphs": touched,
        "score": _round(loc.score) if loc else None,
        "invisible": q.invisible,
    }


def _counts(article: ArticleResult) -> dict[str, int]:
    return {v.value: article.count(v) for v in Verdict}


def _reading_json(r: Reading) -> dict[str, Any]:
    return {"text": r.text, "witnesses": list(r.witnesses)}


def _choice_json(c: EditorialChoice) -> dict[str, Any]:
    return {
        "paragraph": c.paragraph,
        "chosen": _reading_json(c.chosen),
        "rejected": [_reading_json(r) for r in c.rejected],
        "reason": c.reason,
    }


def _source_json(info: SourceInfo) -> dict[str, Any]:
    doc = info.document
    prov = info.provenance
    return {
        "id": doc.id,
        "title": doc.title,
        "paragraphs": [
            {"index": p.index, "text": doc.text[p.start : p.end], "start": p.start, "end": p.end}
            for p in _source_paragraphs(doc)
        ],
        "path": _portable_path(doc.path),
        "sha256": doc.sha256,
        "date": doc.date,
        "provenance": {
            "method": prov.method,
            "paragraphs": [
                {"index": p.index, "witnesses": list(p.witnesses), "note": p.note} for p in prov.paragraphs
            ],
            "choices": [_choice_json(c) for c in prov.choices],
            "unplaced": [_choice_json(c) for c in prov.unplaced],
        },
    }


def article_json(a: ArticleResult, paragraphs: dict[str, tuple[Paragraph, ...]]) -> dict[str, Any]:
    """One article's entry of report.json (also a line of results.jsonl); ``paragraphs`` by source id."""
    doc = a.article
    return {
        "id": doc.id,
        "outlet": doc.outlet,
        "path": _portable_path(doc.path),
        "sha256": doc.sha256,
        "quotes": [_quote_json(q, anchor, paragraphs) for q, anchor in zip(a.quotes, _anchors(a))],
        "coverage": [
            {
                "source": c.source,
                "paragraphs": [{"index": p.index, "quoted": _round(p.quoted)} for p in c.paragraphs],
            }
            for c in a.coverage
        ],
        "errors": list(a.errors),
        "date": doc.date,
        "title": doc.title,
        "url": doc.url,
        "encoding": doc.encoding,
        "counts": _counts(a),
        "skipped": [_span(s) for s in doc.skipped],
        "warnings": list(doc.warnings),
    }


def report_json(result: CheckResult) -> dict[str, Any]:
    """The ``report.json`` object of the design notes for ``result``.

    The fields of the design notes come first, in their documented order;
    extra fields follow (quotation anchors matching the HTML pages, variant
    and fragment spans, counts, provenance). Floats are rounded to 4
    decimals; no timestamp or absolute path is included.
    """
    paragraphs = {s.document.id: _source_paragraphs(s.document) for s in result.sources}
    totals = {v.value: sum(a.count(v) for a in result.articles) for v in Verdict}
    return {
        "schema": SCHEMA,
        "case": result.case,
        "sources": [_source_json(s) for s in result.sources],
        "articles": [article_json(a, paragraphs) for a in result.articles],
        "title": result.title,
        "summary": {
            "articles": len(result.articles),
            "quotes": sum(len(a.quotes) for a in result.articles),
            **totals,
            "errors": sum(len(a.errors) for a in result.articles),
        },
        "meta": {k: v for k, v in result.meta},
        "generator": f"quoteverify {__version__}",
    }


def _dump_json(obj: Any) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode("utf-8")


# --------------------------------------------------------------------------- diff pieces


@dataclass(frozen=True)
class Tag:
    """The label of a change in a diff: the variant it belongs to (``kind == "none"`` when none does)."""

    kind: str
    severity: str
    ref: str = ""

    @property
    def label(self) -> str:
        if self.kind == "none":
            return "not counted"
        return f"{self.kind} \u00b7 {self.severity}"


_NO_VARIANT = (Tag("none", "none"),)


@dataclass(frozen=True)
class Piece:
    """A run of a rendered diff.

    Leaf kinds: ``text`` (words as printed), ``del`` (source words missing
    from the quotation), ``ins`` (words the quotation adds), ``cut`` (source
    words a marked ellipsis stands for), ``mark`` (an ellipsis or bracket in
    the quotation), ``flag`` (words aligned as equal but flagged by a variant),
    ``caret`` (where the other side has words this one lacks), ``pbreak`` (a
    paragraph break) and ``more`` (the middle of a long cut, summarised).
    ``change`` groups the leaves of one change in ``parts`` with its ``tags``.
    """

    kind: str
    text: str = ""
    parts: tuple["Piece", ...] = ()
    tags: tuple[Tag, ...] = ()

    @property
    def severity(self) -> str:
        ranks = {"none": -1, "acceptable": 0, "minor": 1, "major": 2}
        best = max((t.severity for t in self.tags), key=lambda s: ranks.get(s, -1), default="none")
        return best

    @property
    def kinds(self) -> str:
        return " ".join(dict.fromkeys(t.kind for t in self.tags))


_PARA_BREAK = re.compile(r"\n[^\S\n]*\n\s*")


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
    return _one_line("".join(out))


@dataclass(frozen=True)
class _Change:
    """A change with a minor or major variant, by token index within one fragment's alignment."""

    fragment: int
    src: tuple[int, int]
    quo: tuple[int, int]
    tags: tuple[Tag, ...]


@dataclass(frozen=True)
class DiffView:
    """The three renderings of a quotation against its source passage, and its correction note."""

    inline: tuple[Piece, ...]
    quote_side: tuple[Piece, ...]
    source_side: tuple[Piece, ...]
    note: str


class _DiffBuilder:
    """Render one located quotation against its source passage from its fragments and alignments."""

    def __init__(
        self,
        q: QuoteResult,
        article: Document,
        source: Document,
        refs: Sequence[str],
    ) -> None:
        self.q = q
        self.atext = article.text
        self.stext = source.text
        self.spans = sorted(q.quotation.spans)
        self.segments = sorted(
            (s for s in q.quotation.segments if s.kind != "text"), key=lambda s: (s.start, s.end)
        )
        self.variants = q.variants
        self.refs = refs
        self.changes: list[_Change] = []

    # -- labels

    def _tag(self, i: int) -> Tag:
        v = self.variants[i]
        return Tag(v.kind.value, v.severity.value, self.refs[i])

    def tags(self, qr: Span | None, sr: Span | None, *, weak: bool = True) -> tuple[Tag, ...]:
        """The variants whose spans overlap a change's quote range ``qr`` or source range ``sr``."""
        strong: list[int] = []
        touching: list[int] = []
        for i, v in enumerate(self.variants):
            hit_strong = (
                qr is not None and v.quote_span is not None and _strict_overlap(qr, v.quote_span)
            ) or (sr is not None and v.source_span is not None and _strict_overlap(sr, v.source_span))
            if hit_strong:
                strong.append(i)
            elif weak and (
                (qr is not None and v.quote_span is not None and _overlaps(qr, v.quote_span))
                or (sr is not None and v.source_span is not None and _overlaps(sr, v.source_span))
            ):
                touching.append(i)
        chosen = strong or touching
        return tuple(self._tag(i) for i in chosen)

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
            kind = Kind.ELISION.value if seg.kind == "elision" else Kind.INTERPOLATION.value
            tags = tuple(t for t in self.tags((seg.start, seg.end), None, weak=False) if t.kind == kind)
            out.append(Piece("change", parts=(Piece("mark", self.atext[lo:hi]),), tags=tags or _NO_VARIANT))
            pos = hi
        if pos < b:
            out.append(Piece("text", self.atext[pos:b]))
        return out

    def source_region(self, a: int, b: int, leaf: str = "text") -> list[Piece]:
        """The source text ``[a, b)`` as pieces of kind ``leaf``, paragraph breaks marked."""
        if b <= a:
            return []
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
        if len(words) <= 2 * _CUT_KEEP_WORDS + 10:
            return self.source_region(a, b, "cut")
        head_end = a + words[_CUT_KEEP_WORDS - 1].end()
        tail_start = a + words[-_CUT_KEEP_WORDS].start()
        hidden = len(words) - 2 * _CUT_KEEP_WORDS
        return [
            *self.source_region(a, head_end, "cut"),
            Piece("more", f" [\u2026 {hidden} more words cut \u2026] "),
            *self.source_region(tail_start, b, "cut"),
        ]

    # -- the whole quotation

    def build(self) -> tuple[list[Piece], list[Piece], list[Piece]]:
        loc = self.q.location
        assert loc is not None
        inline: list[Piece] = []
        qside: list[Piece] = []
        sside: list[Piece] = []
        if not self.spans:
            return inline, qside, sside
        qstart, qend = self.spans[0][0], self.spans[-1][1]
        pairs = list(zip(loc.fragments, self.q.alignment))
        if not pairs:
            whole = self.quote_region(qstart, qend)
            src = self.source_region(loc.span[0], loc.span[1])
            return list(whole), list(whole), src
        qc = qstart
        prev: Fragment | None = None
        for i, (frag, al) in enumerate(pairs):
            fq0, fq1 = frag.quote_span
            fs0, fs1 = frag.source_span
            gap = self.quote_region(qc, max(qc, fq0))
            if prev is not None and prev.source_span[1] < fs0:
                cut = self.cut_region(prev.source_span[1], fs0)
                cut_span = (prev.source_span[1], fs0)
                inline.extend(self._attach_cut(gap, cut, cut_span))
                qside.extend(gap)
                tags = tuple(t for t in self.tags(None, cut_span) if t.kind == Kind.ELISION.value)
                sside.append(Piece("change", parts=tuple(cut), tags=tags or _NO_VARIANT))
            else:
                inline.extend(gap)
                qside.extend(gap)
                if prev is not None:
                    sside.append(Piece("more", " \u22ef "))
            qc, sc = max(qc, fq0), fs0
            qc, sc = self._fragment(i, al, qc, sc, inline, qside, sside)
            tail = self.quote_region(qc, fq1)
            inline.extend(tail)
            qside.extend(tail)
            sside.extend(self.source_region(sc, fs1))
            qc = max(qc, fq1)
            prev = frag
        tail = self.quote_region(qc, qend)
        inline.extend(tail)
        qside.extend(tail)
        return inline, qside, sside

    def _attach_cut(self, gap: list[Piece], cut: list[Piece], cut_span: Span) -> list[Piece]:
        """Put the source words an ellipsis stands for right after the ellipsis in the inline diff."""
        for k, p in enumerate(gap):
            if p.kind == "change" and any(t.kind == Kind.ELISION.value for t in p.tags):
                return [*gap[:k], Piece("change", parts=(*p.parts, *cut), tags=p.tags), *gap[k + 1 :]]
        tags = tuple(t for t in self.tags(None, cut_span) if t.kind == Kind.ELISION.value)
        return [*gap, Piece("change", parts=tuple(cut), tags=tags or _NO_VARIANT)]

    def _record(self, fragment: int, src: tuple[int, int], quo: tuple[int, int], tags: tuple[Tag, ...]) -> None:
        if any(t.severity in (Severity.MINOR.value, Severity.MAJOR.value) for t in tags):
            self.changes.append(_Change(fragment, src, quo, tags))

    def _fragment(
        self,
        i: int,
        al: Alignment,
        qc: int,
        sc: int,
        inline: list[Piece],
        qside: list[Piece],
        sside: list[Piece],
    ) -> tuple[int, int]:
        """Render one fragment's ops; returns the quote and source cursors after it."""
        for op in al.ops:
            qt = al.quote_tokens[op.quo[0] : op.quo[1]]
            st = al.source_tokens[op.src[0] : op.src[1]]
            qa, qb = (qt[0].start, qt[-1].end) if qt else (qc, qc)
            sa, sb = (st[0].start, st[-1].end) if st else (sc, sc)
            qa, sa = max(qa, qc), max(sa, sc)
            qb, sb = max(qb, qa), max(sb, sa)
            if qt:
                gap = self.quote_region(qc, qa)
                inline.extend(gap)
                qside.extend(gap)
            source_gap = self.stext[sc:sa] if st else ""
            if st:
                sside.extend(self.source_region(sc, sa))
            if op.op == "equal":
                self._equal(i, al, op.src, op.quo, inline, qside, sside)
            elif op.op == "delete":
                tags = self.tags(None, (sa, sb)) or _NO_VARIANT
                self._record(i, op.src, op.quo, tags)
                removed = tuple(self.source_region(sa, sb, "del"))
                # the space that separates the struck words belongs to them
                spacer = source_gap and source_gap[-1:].isspace() and not _ends_with_space(inline)
                if spacer and removed and removed[0].kind == "del":
                    removed = (dataclasses.replace(removed[0], text=" " + removed[0].text), *removed[1:])
                elif spacer:
                    inline.append(Piece("text", " "))
                inline.append(Piece("change", parts=removed, tags=tags))
                qside.append(Piece("change", parts=(Piece("caret", "\u2038"),), tags=tags))
                sside.append(Piece("change", parts=removed, tags=tags))
            elif op.op == "insert":
                tags = self.tags((qa, qb), None) or _NO_VARIANT
                self._record(i, op.src, op.quo, tags)
                added = tuple(self.quote_region(qa, qb, "ins"))
                inline.append(Piece("change", parts=added, tags=tags))
                qside.append(Piece("change", parts=added, tags=tags))
                sside.append(Piece("change", parts=(Piece("caret", "\u2038"),), tags=tags))
            else:
                tags = self.tags((qa, qb), (sa, sb)) or _NO_VARIANT
                self._record(i, op.src, op.quo, tags)
                removed = tuple(self.source_region(sa, sb, "del"))
                added = tuple(self.quote_region(qa, qb, "ins"))
                inline.append(Piece("change", parts=(*removed, *added), tags=tags))
                qside.append(Piece("change", parts=added, tags=tags))
                sside.append(Piece("change", parts=removed, tags=tags))
            if qt:
                qc = qb
            if st:
                sc = sb
        return qc, sc

    def _equal(
        self,
        i: int,
        al: Alignment,
        src: tuple[int, int],
        quo: tuple[int, int],
        inline: list[Piece],
        qside: list[Piece],
        sside: list[Piece],
    ) -> None:
        """Equal words, plain; a word a variant flags anyway (a homoglyph, a case change) is marked.

        So is a word whose folded form differs from the source's without any
        variant (a capital at the edge of a partial quotation): shown, not counted.
        """
        qt = al.quote_tokens[quo[0] : quo[1]]
        st = al.source_tokens[src[0] : src[1]]
        if not qt or not st:
            return
        flagged: dict[int, tuple[Tag, ...]] = {}
        if len(qt) == len(st):
            for k, (a, b) in enumerate(zip(qt, st)):
                tags = tuple(
                    t
                    for t in self.tags((a.start, a.end), (b.start, b.end), weak=False)
                    if t.severity != Severity.ACCEPTABLE.value
                )
                if tags:
                    flagged[k] = tags
                elif a.norm != b.norm:
                    flagged[k] = _NO_VARIANT
        if not flagged:
            part = self.quote_region(qt[0].start, qt[-1].end, marks=False)
            inline.extend(part)
            qside.extend(part)
            sside.extend(self.source_region(st[0].start, st[-1].end))
            return
        for k, (a, b) in enumerate(zip(qt, st)):
            if k:
                gap = self.quote_region(qt[k - 1].end, a.start, marks=False)
                inline.extend(gap)
                qside.extend(gap)
                sside.extend(self.source_region(st[k - 1].end, b.start))
            if k in flagged:
                tags = flagged[k]
                self._record(i, (src[0] + k, src[0] + k + 1), (quo[0] + k, quo[0] + k + 1), tags)
                printed, original = self.atext[a.start : a.end], self.stext[b.start : b.end]
                quoted = Piece("change", parts=(Piece("flag", printed),), tags=tags)
                if printed == original:
                    inline.append(quoted)
                else:
                    inline.append(Piece("change", parts=(Piece("del", original), Piece("ins", printed)), tags=tags))
                qside.append(quoted)
                sside.append(Piece("change", parts=(Piece("flag", original),), tags=tags))
            else:
                word = self.quote_region(a.start, a.end, marks=False)
                inline.extend(word)
                qside.extend(word)
                sside.extend(self.source_region(b.start, b.end))

    # -- correction note

    def note(self, outlet: str, source_label: str) -> str:
        """A plain-text correction note: each changed place as quoted and as the source reads it."""
        clauses: list[tuple[str, str, str]] = []
        alignments = self.q.alignment
        nfrag = len(alignments)
        for i in range(nfrag):
            al = alignments[i]
            changes = sorted((c for c in self.changes if c.fragment == i), key=lambda c: (c.quo, c.src))
            groups: list[list[_Change]] = []
            for c in changes:
                if groups and c.quo[0] - _NOTE_CONTEXT <= groups[-1][-1].quo[1] + _NOTE_CONTEXT:
                    groups[-1].append(c)
                else:
                    groups.append([c])
            for g in groups:
                q0 = max(0, min(c.quo[0] for c in g) - _NOTE_CONTEXT)
                q1 = min(len(al.quote_tokens), max(c.quo[1] for c in g) + _NOTE_CONTEXT)
                s0 = max(0, min(c.src[0] for c in g) - _NOTE_CONTEXT)
                s1 = min(len(al.source_tokens), max(c.src[1] for c in g) + _NOTE_CONTEXT)
                quoted = self._note_text(al.quote_tokens, q0, q1, i, nfrag, quote=True)
                reads = self._note_text(al.source_tokens, s0, s1, i, nfrag, quote=False)
                details = [
                    _homoglyph_detail(self.variants[k].source_text, self.variants[k].quote_text)
                    for k, ref in enumerate(self.refs)
                    if self.variants[k].kind is Kind.HOMOGLYPH and any(t.ref == ref for c in g for t in c.tags)
                ]
                clauses.append((quoted, reads, "; ".join(d for d in details if d)))
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


def _ends_with_space(pieces: list[Piece]) -> bool:
    for p in reversed(pieces):
        if p.kind == "pbreak":
            return True
        if p.kind == "change":
            return False
        if p.text:
            return p.text[-1].isspace()
    return True


# --------------------------------------------------------------------------- page views


@dataclass(frozen=True)
class VariantView:
    ref: str
    kind: str
    severity: str
    source_text: str
    quote_text: str
    detail: str
    source_span: Span | None
    quote_span: Span | None
    source_short: str
    quote_short: str


@dataclass(frozen=True)
class ParaRef:
    """A link to a source paragraph."""

    index: int
    href: str


@dataclass(frozen=True)
class QuoteView:
    anchor: str
    number: int
    verdict: str
    text: str
    attribution: str | None
    spans: tuple[Span, ...]
    source_id: str | None
    source_title: str
    source_href: str
    source_span: Span | None
    paragraphs: tuple[ParaRef, ...]
    variants: tuple[VariantView, ...]
    kinds: str
    major: int
    diff: DiffView | None
    href: str
    outlet: str
    article_id: str
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
    index: int
    quoted: float | None
    percent: str
    shade: int
    worst: str
    href: str
    refs: tuple[QuoteView, ...]


@dataclass(frozen=True)
class ArticleView:
    id: str
    slug: str
    href: str
    doc: Document
    outlet: str
    path: str | None
    counts: dict[str, int]
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
    article: ArticleView
    cell: CoverageCell


@dataclass(frozen=True)
class ChoiceView:
    paragraph: int | None
    chosen: Reading
    rejected: tuple[Reading, ...]
    reason: str


@dataclass(frozen=True)
class ParagraphView:
    index: int
    text: str
    witnesses: tuple[str, ...]
    note: str
    rows: tuple[OutletRow, ...]
    choices: tuple[ChoiceView, ...]
    first_words: str


@dataclass(frozen=True)
class SourceView:
    id: str
    slug: str
    href: str
    doc: Document
    title: str
    path: str | None
    method: str
    paragraphs: tuple[ParagraphView, ...]
    general_choices: tuple[ChoiceView, ...]
    unplaced: tuple[ChoiceView, ...]


def _percent(q: float | None) -> str:
    if q is None:
        return ""
    if q <= 0:
        return "0%"
    if q < 0.005:
        return "<1%"
    if q < 1 and round(q * 100) >= 100:
        return ">99%"
    return f"{round(q * 100)}%"


def _shade(q: float | None) -> int:
    """The shading class of a coverage cell: 0 for nothing quoted, else 1 to 10 by tenths."""
    if q is None or q <= 0:
        return 0
    return max(1, min(10, math.ceil(q * 10)))


def _variant_view(v: Variant, ref: str) -> VariantView:
    detail = _homoglyph_detail(v.source_text, v.quote_text) if v.kind is Kind.HOMOGLYPH else ""
    return VariantView(
        ref,
        v.kind.value,
        v.severity.value,
        v.source_text,
        v.quote_text,
        detail,
        v.source_span,
        v.quote_span,
        _shorten(v.source_text) if v.source_text else "",
        _shorten(v.quote_text) if v.quote_text else "",
    )


class _Views:
    """Build the page views of a result once; every page and export reads them."""

    def __init__(self, result: CheckResult) -> None:
        self.result = result
        self.case_slug = safe_name(result.case)
        self.sources_by_id: dict[str, SourceInfo] = {}
        for s in result.sources:
            self.sources_by_id.setdefault(s.document.id, s)
        source_slugs = _unique_names([s.document.id for s in result.sources])
        self.source_slug = {}
        for s, slug in zip(result.sources, source_slugs):
            self.source_slug.setdefault(s.document.id, slug)
        self.article_slugs = _unique_names([a.article.id for a in result.articles])
        self.outlet_names = {a.article.id: _outlet(a.article) for a in result.articles}
        self.articles = tuple(self._article(a, slug) for a, slug in zip(result.articles, self.article_slugs))
        self.sources = tuple(self._source(s, slug) for s, slug in zip(result.sources, source_slugs))
        self.sources = tuple(self._with_rows(s) for s in self.sources)
        self.articles = tuple(self._with_coverage(a, v) for a, v in zip(result.articles, self.articles))

    # -- articles

    def _source_href(self, source_id: str, prefix: str) -> str:
        slug = self.source_slug.get(source_id)
        return f"{prefix}sources/{slug}.html" if slug else ""

    def _quote(self, a: ArticleResult, q: QuoteResult, anchor: str, number: int, slug: str) -> QuoteView:
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
            builder = _DiffBuilder(q, doc, info.document, refs)
            inline, qside, sside = builder.build()
            note = ""
            if q.verdict in (Verdict.ALTERED, Verdict.FAITHFUL):
                note = builder.note(_outlet(doc), _source_label(info, loc.source))
            diff = DiffView(tuple(inline), tuple(qside), tuple(sside), note)
            paras = _touched_paragraphs(q, _source_paragraphs(info.document))
            paragraphs = tuple(ParaRef(i, f"{source_href}#p{i}") for i in paras)
        variants = tuple(_variant_view(v, r) for v, r in zip(q.variants, refs))
        return QuoteView(
            anchor=anchor,
            number=number,
            verdict=q.verdict.value,
            text=q.quotation.text,
            attribution=q.quotation.attribution,
            spans=tuple(q.quotation.spans),
            source_id=loc.source if loc else None,
            source_title=_source_label(info, loc.source) if loc else "",
            source_href=source_href,
            source_span=loc.span if loc else None,
            paragraphs=paragraphs,
            variants=variants,
            kinds=" ".join(dict.fromkeys(v.kind for v in variants)),
            major=_major_count(q),
            diff=diff,
            href=f"articles/{slug}.html#{anchor}",
            outlet=_outlet(doc),
            article_id=doc.id,
            excerpt=_excerpt(q.quotation.text),
            invisible=q.invisible,
        )

    def _article(self, a: ArticleResult, slug: str) -> ArticleView:
        anchors = _anchors(a)
        quotes = tuple(
            self._quote(a, q, anchor, int(anchor[1:]), slug) for q, anchor in zip(a.quotes, anchors)
        )
        kinds = tuple(k.value for k in Kind if any(v.kind == k.value for q in quotes for v in q.variants))
        worst = a.worst
        return ArticleView(
            id=a.article.id,
            slug=slug,
            href=f"articles/{slug}.html",
            doc=a.article,
            outlet=_outlet(a.article),
            path=_portable_path(a.article.path),
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
        paragraphs = {p.index: p for p in _source_paragraphs(source.document)}
        para = paragraphs.get(index)
        refs: list[QuoteView] = []
        verdicts: list[Verdict] = []
        if para is not None:
            for q, qv in zip(a.quotes, view.quotes):
                if q.location is not None and q.location.source == source.document.id:
                    if index in _touched_paragraphs(q, (para,)):
                        refs.append(qv)
                        verdicts.append(q.verdict)
        worst = _worst(verdicts)
        return CoverageCell(
            index=index,
            quoted=quoted,
            percent=_percent((quoted or 0.0) if (quoted or refs) else None),
            shade=_shade(quoted),
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
        return _replace(view, coverage=tuple(rows))

    # -- sources

    def _source(self, info: SourceInfo, slug: str) -> SourceView:
        doc = info.document
        prov = info.provenance
        witnesses = {p.index: p for p in prov.paragraphs}
        choices = [ChoiceView(c.paragraph, c.chosen, tuple(c.rejected), c.reason) for c in prov.choices]
        indexes = {p.index for p in _source_paragraphs(doc)}
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
            for p in _source_paragraphs(doc)
        )
        return SourceView(
            id=doc.id,
            slug=slug,
            href=f"sources/{slug}.html",
            doc=doc,
            title=doc.title or doc.id,
            path=_portable_path(doc.path),
            method=prov.method,
            paragraphs=paragraphs,
            general_choices=tuple(c for c in choices if c.paragraph not in indexes),
            unplaced=tuple(ChoiceView(c.paragraph, c.chosen, tuple(c.rejected), c.reason) for c in prov.unplaced),
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
            paragraphs.append(_replace(p, rows=tuple(rows)))
        return _replace(sv, paragraphs=tuple(paragraphs))

    # -- index

    def matrix(self) -> list[tuple[SourceView, list[tuple[ArticleView, tuple[CoverageCell, ...]]]]]:
        out = []
        for sv in self.sources:
            info = self.sources_by_id[sv.id]
            rows = []
            for a, view in zip(self.result.articles, self.articles):
                rows.append((view, tuple(self._cell(a, view, info, p.index, "") for p in sv.paragraphs)))
            out.append((sv, rows))
        return out

    def altered(self) -> list[QuoteView]:
        """The altered quotations of all articles, most major variants first, then in report order."""
        found = [
            (-q.major, -len(q.variants), ai, qi, q)
            for ai, a in enumerate(self.articles)
            for qi, q in enumerate(a.quotes)
            if q.verdict == Verdict.ALTERED.value
        ]
        found.sort(key=lambda t: t[:4])
        return [t[4] for t in found]

    def witness_name(self, witness: str) -> str:
        return self.outlet_names.get(witness, witness)

    def witness_href(self, witness: str, prefix: str) -> str:
        for view in self.articles:
            if view.id == witness:
                return f"{prefix}{view.href}"
        return ""


def _replace(obj: Any, **changes: Any) -> Any:
    return dataclasses.replace(obj, **changes)


def _text_pieces(doc: Document, quotes: Sequence[QuoteView]) -> list[TextPiece]:
    """An article's text cut at quotation and skipped spans, each run labelled."""
    n = len(doc.text)
    cuts = {0, n}
    for q in quotes:
        for s, e in q.spans:
            cuts.update((max(0, min(n, s)), max(0, min(n, e))))
    for s, e in doc.skipped:
        cuts.update((max(0, min(n, s)), max(0, min(n, e))))
    bounds = sorted(cuts)
    runs: list[tuple[int, int, int | None, bool]] = []
    for a, b in zip(bounds, bounds[1:]):
        if b <= a:
            continue
        owner = next((k for k, q in enumerate(quotes) if any(s <= a and b <= e for s, e in q.spans)), None)
        skipped = any(s <= a and b <= e for s, e in doc.skipped)
        if runs and runs[-1][2] == owner and runs[-1][3] == skipped and runs[-1][1] == a:
            runs[-1] = (runs[-1][0], b, owner, skipped)
        else:
            runs.append((a, b, owner, skipped))
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


# --------------------------------------------------------------------------- exports


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: str) -> str:
    """A CSV cell; text a spreadsheet would run as a formula is prefixed with an apostrophe."""
    if value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _variants_text(variants: Iterable[Variant]) -> str:
    return "; ".join(f"{v.kind.value}: {v.source_text} -> {v.quote_text}" for v in variants)


def quotations_csv(result: CheckResult) -> str:
    """``quotations.csv``: one row per quotation, in report order (RFC 4180: CRLF, minimal quoting).

    Columns: article, outlet, quotation, verdict, variants (``"kind: source ->
    quote; ..."``), source, source_passage, attribution, anchor, spans,
    source_span. Cells that a spreadsheet would take for a formula (starting
    with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) are prefixed
    with ``'``.
    """
    sources = {s.document.id: s.document for s in result.sources}
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(
        [
            "article",
            "outlet",
            "quotation",
            "verdict",
            "variants",
            "source",
            "source_passage",
            "attribution",
            "anchor",
            "spans",
            "source_span",
        ]
    )
    for a in result.articles:
        for q, anchor in zip(a.quotes, _anchors(a)):
            loc = q.location
            passage = ""
            if loc is not None and loc.source in sources:
                passage = sources[loc.source].text[loc.span[0] : loc.span[1]]
            row = [
                a.article.id,
                a.article.outlet,
                q.quotation.text,
                q.verdict.value,
                _variants_text(q.variants),
                loc.source if loc else "",
                passage,
                q.quotation.attribution or "",
                anchor,
                " ".join(f"{s}-{e}" for s, e in q.quotation.spans),
                f"{loc.span[0]}-{loc.span[1]}" if loc else "",
            ]
            writer.writerow([_csv_cell(c) for c in row])
    return buf.getvalue()


def _urn(*parts: str) -> str:
    return "urn:quoteverify:" + ":".join(_urlquote(p, safe="") for p in parts)


def _selectors(text: str, span: Span) -> list[dict[str, Any]]:
    s, e = span
    return [
        {
            "type": "TextQuoteSelector",
            "exact": text[s:e],
            "prefix": text[max(0, s - _SELECTOR_CONTEXT) : s],
            "suffix": text[e : e + _SELECTOR_CONTEXT],
        },
        {"type": "TextPositionSelector", "start": s, "end": e},
    ]


def annotations_jsonld(result: CheckResult) -> dict[str, Any]:
    """``annotations.jsonld``: a W3C Web Annotation collection, one annotation per located quotation.

    Each annotation targets the quotation's spans in the article and the
    source passages of its fragments, each by a TextQuoteSelector (exact text
    with 32 characters of prefix and suffix) and an equivalent
    TextPositionSelector (code-point offsets into the article's or source's
    text). Its bodies tag the verdict and describe the variants.
    """
    sources = {s.document.id: s.document for s in result.sources}
    items: list[dict[str, Any]] = []
    for a in result.articles:
        doc = a.article
        for q, anchor in zip(a.quotes, _anchors(a)):
            loc = q.location
            if loc is None:
                continue
            targets: list[dict[str, Any]] = []
            article_iri = _urn(result.case, "article", doc.id)
            for span in q.quotation.spans:
                target: dict[str, Any] = {"source": article_iri, "selector": _selectors(doc.text, span)}
                if doc.url:
                    target["scope"] = doc.url
                targets.append(target)
            source_doc = sources.get(loc.source)
            if source_doc is not None:
                for span in _quote_source_spans(q):
                    targets.append(
                        {
                            "source": _urn(result.case, "source", loc.source),
                            "selector": _selectors(source_doc.text, span),
                        }
                    )
            variants = _variants_text(q.variants)
            description = f"{q.verdict.value}: " + (variants if variants else "no variants")
            bodies: list[dict[str, Any]] = [
                {"type": "TextualBody", "purpose": "tagging", "value": q.verdict.value},
                {"type": "TextualBody", "purpose": "assessing", "format": "text/plain", "value": description},
            ]
            for v in q.variants:
                bodies.append(
                    {
                        "type": "TextualBody",
                        "purpose": "describing",
                        "format": "text/plain",
                        "value": f"{v.kind.value} ({v.severity.value}): {v.source_text!r} -> {v.quote_text!r}",
                    }
                )
            items.append(
                {
                    "id": _urn(result.case, "article", doc.id, anchor),
                    "type": "Annotation",
                    "motivation": "assessing",
                    "body": bodies,
                    "target": targets,
                }
            )
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": _urn(result.case, "annotations"),
        "type": "AnnotationCollection",
        "label": result.title or result.case,
        "total": len(items),
        "first": {"id": _urn(result.case, "annotations", "page1"), "type": "AnnotationPage", "items": items},
    }


# --------------------------------------------------------------------------- HTML


@dataclass(frozen=True)
class _Assets:
    css: str
    js: str

    @property
    def csp(self) -> str:
        return (
            "default-src 'none'; "
            f"script-src '{_sha256_source(self.js)}'; "
            f"style-src '{_sha256_source(self.css)}'; "
            "img-src data:; base-uri 'none'; form-action 'none'"
        )


def _sha256_source(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


@lru_cache(maxsize=1)
def _assets() -> _Assets:
    static = resources.files("quoteverify") / "static"
    css = (static / "report.css").read_text(encoding="utf-8")
    js = (static / "report.js").read_text(encoding="utf-8")
    for name, text, end in (("report.css", css, "</style"), ("report.js", js, "</script")):
        if end in text.lower() or "<!--" in text:
            raise ValueError(f"static/{name} must not contain {end!r} or '<!--'")
    return _Assets(css, js)


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("quoteverify", "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(
        VERDICT_ICON=VERDICT_ICON,
        VERDICT_HELP=VERDICT_HELP,
        KIND_HELP=KIND_HELP,
        KINDS=[(k.value, k.severity.value) for k in Kind],
        VERDICTS=[v.value for v in Verdict],
        version=__version__,
    )
    env.filters["http_url"] = _http_url
    return env


def _http_url(url: str) -> str:
    """``url`` when it is an http(s) address fit for a link, else ``""`` (never ``javascript:``)."""
    if re.match(r"(?i)^https?://[^\s\"'<>]+$", url or ""):
        return url
    return ""


def _render(template: str, assets: _Assets, **context: Any) -> bytes:
    page = _environment().get_template(template).render(
        css=Markup(assets.css), js=Markup(assets.js), csp=assets.csp, **context
    )
    return page.encode("utf-8")


def render_report(result: CheckResult) -> dict[str, bytes]:
    """Every file of the report of ``result``, keyed by its path relative to the case directory.

    A pure function: the same result always gives the same bytes.
    """
    views = _Views(result)
    assets = _assets()
    files: dict[str, bytes] = {}
    title = result.title or result.case
    totals = {v.value: sum(a.counts[v.value] for a in views.articles) for v in Verdict}
    files["index.html"] = _render(
        "index.html",
        assets,
        root="",
        result=result,
        title=title,
        views=views,
        totals=totals,
        matrix=views.matrix(),
        altered=views.altered(),
    )
    for view in views.articles:
        files[view.href] = _render("article.html", assets, root="../", title=title, result=result, a=view, views=views)
    for sv in views.sources:
        files[sv.href] = _render("source.html", assets, root="../", title=title, result=result, s=sv, views=views)
    files["report.json"] = _dump_json(report_json(result))
    files["quotations.csv"] = quotations_csv(result).encode("utf-8")
    files["annotations.jsonld"] = _dump_json(annotations_jsonld(result))
    return files


def write_report(result: CheckResult, out_dir: str | Path) -> Path:
    """Write the report of ``result`` into ``out_dir/<case>/`` and return the path of its ``index.html``.

    Writes ``index.html``, ``articles/<slug>.html``, ``sources/<slug>.html``,
    ``report.json``, ``quotations.csv`` and ``annotations.jsonld``, each
    atomically. File names come from :func:`safe_name`, so no id can place a
    file outside ``out_dir/<case>/``.
    """
    root = Path(out_dir) / safe_name(result.case)
    resolved_root = root.resolve()
    for rel, data in render_report(result).items():
        path = root / rel
        if not path.resolve().is_relative_to(resolved_root):
            raise ValueError(f"{rel}: report file outside {root}")
        write_atomic(path, data, make_dirs=True)
    return root / "index.html"
