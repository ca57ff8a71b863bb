"""Every JSON object quoteverify writes, and the facts about a result that every rendering shares.

The shapes: ``report.json`` (:func:`report_json`; an article's entry,
:func:`article_json`, is also a line of ``results.jsonl``), the collation of
``quoteverify diff --json`` (:func:`collation_json`), the reconstruction of
``quoteverify reconstruct --format json`` (:func:`reconstruction_json`,
:func:`comparison_json`), and the ``--json`` output of ``extract`` and
``locate``. A variant, a quotation, a reading and a layout change each have
one function that writes the fields they share wherever they appear, so a
field is spelled once.

The shared facts: a quotation's anchor, the paragraphs of a source and those
a quotation touches, how a path or a document is named. The HTML pages and
the exports read them from here, so that every rendering names things alike.

Everything is deterministic: no timestamps, no absolute paths, a fixed key
order, floats rounded to 4 decimals.
"""

from __future__ import annotations

import hashlib
import json
import math
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from itertools import chain
from pathlib import PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any

import orjson

from quoteverify import models
from quoteverify._cache import ByIdentity, document_key, kept_buffer, text_sha256
from quoteverify._files import Joined, code_digest
from quoteverify._version import __version__
from quoteverify.models import (
    ArticleResult,
    CheckResult,
    Document,
    EditorialChoice,
    Kind,
    Paragraph,
    Quotation,
    QuoteResult,
    Reading,
    Severity,
    SourceInfo,
    Span,
    Variant,
    Verdict,
    spans_overlap,
)

if TYPE_CHECKING:  # a check imports neither the collation nor, unless it rebuilds a source, the reconstruction
    from quoteverify.collate import Collation, DocVariant, LayoutChange
    from quoteverify.reconstruct import Comparison, Reconstruction

SCHEMA = "quoteverify/report@1"
RECONSTRUCTION_SCHEMA = "quoteverify/reconstruction@1"

#: paragraphs of each source, by source id (see :attr:`Document.paragraphs_or_whole`)
ParagraphsBySource = dict[str, tuple[Paragraph, ...]]

# --------------------------------------------------------------------------- shared facts


def quote_anchors(article: ArticleResult) -> list[str]:
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


def quote_source_spans(q: QuoteResult) -> list[Span]:
    """The source spans a located quotation renders: one per fragment (none when it is unverified)."""
    if q.location is None:
        return []
    if q.location.fragments:
        return [f.source_span for f in q.location.fragments]
    return [q.location.span]


#: the end offsets of paragraph tuples seen lately (:data:`_UNORDERED`: not in order)
_ENDS: ByIdentity[list[int]] = ByIdentity()
#: the ends kept for paragraphs that are not in order and apart
_UNORDERED: list[int] = []


def _paragraph_ends(paragraphs: Sequence[Paragraph]) -> list[int] | None:
    """The end offsets of ``paragraphs`` when they are in order and apart (as a document's are), else None."""
    hit = _ENDS.value(paragraphs)
    if hit is not None:
        return None if hit is _UNORDERED else hit
    # the ends listed and each start checked against the end before in one loop, not the ends listed and
    # a generator's frame resumed for each pair after: the 500 sources of the 10 MB case, 2.07 ms -> 1.14 ms
    # (process time, best of 15, alternated in one process); the records of every fourth of its articles,
    # 125.3 M -> 116.2 M instructions (callgrind)
    ends: list[int] = []
    end = paragraphs[0].start if paragraphs else 0
    for p in paragraphs:
        if p.start < end:
            break
        end = p.end
        ends.append(end)
    if len(ends) != len(paragraphs):
        _ENDS.put(paragraphs, _UNORDERED)
        return None
    _ENDS.put(paragraphs, ends)
    return ends


def touched_paragraphs(q: QuoteResult, paragraphs: Sequence[Paragraph]) -> list[int]:
    """The indexes of the ``paragraphs`` that the quotation's source spans share a code point with.

    Paragraphs in order are found by bisection: every quotation of a run
    testing every paragraph of its source was a tenth of the report's time.
    """
    loc = q.location
    if loc is None:
        return []
    ends = _paragraph_ends(paragraphs) if len(paragraphs) > 8 else None
    if ends is None:
        spans = quote_source_spans(q)
        return [p.index for p in paragraphs if any(spans_overlap((p.start, p.end), s) for s in spans)]
    n = len(paragraphs)
    fragments = loc.fragments
    if len(fragments) <= 1:
        # most quotations: one span (that of :func:`quote_source_spans`, read without making its list), their
        # paragraphs in order, once each, with no set to sort (the 2,000 located quotations of 800 articles
        # of the 10 MB case: 2.7 ms instead of 6.3 ms, best of seven)
        a, b = fragments[0].source_span if fragments else loc.span
        k = bisect_right(ends, a)
        found: list[int] = []
        while k < n and paragraphs[k].start < b:
            if a < paragraphs[k].end:
                found.append(paragraphs[k].index)
            k += 1
        return found
    hits: set[int] = set()
    for a, b in quote_source_spans(q):
        k = bisect_right(ends, a)
        while k < n and paragraphs[k].start < b:
            if a < paragraphs[k].end:  # they overlap (spans_overlap, inlined)
                hits.add(k)
            k += 1
    return [paragraphs[k].index for k in sorted(hits)]


def portable_path(path: str | None) -> str | None:
    """A path as reported: relative paths with forward slashes; an absolute path only by its name."""
    if not path:
        return None
    if ":" not in path and path[0] not in "/\\":
        # no drive and no root: relative on either system (building the two
        # pure paths was 0.10 of 0.55 s, profiled, of 2,000 article entries)
        return path.replace("\\", "/")
    if PurePosixPath(path).is_absolute() or PureWindowsPath(path).is_absolute():
        return PureWindowsPath(path).name if "\\" in path else PurePosixPath(path).name
    return path.replace("\\", "/")


def document_name(doc: Document) -> str:
    """How the ``diff`` and ``reconstruct`` outputs name a document they were given: its path, else its id."""
    return doc.path or doc.id


def verdict_counts(article: ArticleResult) -> dict[str, int]:
    """The number of the article's quotations with each verdict, by verdict name."""
    return _count_verdicts(article.quotes)


def _count_verdicts(quotes: Iterable[QuoteResult]) -> dict[str, int]:
    """The number of ``quotes`` with each verdict, by verdict name, in the order of :class:`Verdict`."""
    counts = _NO_VERDICTS.copy()
    for q in quotes:
        counts[VERDICT_NAMES[q.verdict]] += 1
    return counts


#: each verdict's, kind's and severity's name, in the order of its enum (an enum's ``.value``
#: is a descriptor call: 30,000 of them were 0.02 s, profiled, of 2,000 article entries)
VERDICT_NAMES = {v: v.value for v in Verdict}
KIND_NAMES = {k: k.value for k in Kind}
SEVERITY_NAMES = {s: s.value for s in Severity}
#: each verdict's name with a count of 0, copied for each article's counts (made by ``dict.fromkeys``
#: for each, 1.1 us; copied, 0.2 us)
_NO_VERDICTS = dict.fromkeys(VERDICT_NAMES.values(), 0)
#: the name of each kind's own severity (that of a variant whose severity was not judged otherwise)
KIND_SEVERITY_NAMES = {k: k.severity.value for k in Kind}


#: each float :func:`_round` has rounded, by value (0.0 and -0.0, one key, are not kept)
_ROUNDED: dict[float, float] = {}


def _round(x: float) -> float:
    """``x`` to 4 decimals (0.0 for an infinity or NaN).

    A value is rounded once and then looked up: ``round(x, 4)`` writes the
    number out and reads it back (``printf`` and ``strtod``, some 4,000
    instructions), and the scores and shares of a run are a few hundred
    values written over and over (11,133 times for the 2,000 articles of the
    10 MB case). The records of 150 of its articles: 37.8 M -> 35.1 M instructions.
    """
    value = float(x)
    rounded = _ROUNDED.get(value)
    if rounded is None:
        if not math.isfinite(value):
            return 0.0
        rounded = round(value, 4)
        if value:
            if len(_ROUNDED) >= 4096:
                _ROUNDED.clear()
            _ROUNDED[value] = rounded
    return rounded


def _span(span: Span | None) -> list[int] | None:
    if span is None:
        return None
    a, b = span
    # int() only where needed (a numpy integer): the records of 150 articles of the 10 MB case,
    # 33.7 M -> 31.8 M instructions
    return [a, b] if type(a) is int and type(b) is int else [int(a), int(b)]


# --------------------------------------------------------------------------- writing JSON


def json_text(obj: Any) -> str:
    """``obj`` as the command line prints it: indented, non-ASCII characters kept, no final newline."""
    return json.dumps(obj, ensure_ascii=False, indent=2)


#: how orjson writes a report file: indented by two spaces, with a final newline
_FILE_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE


def json_file_bytes(obj: Any) -> bytes:
    """``obj`` as a report file holds it: indented UTF-8 with a final newline.

    Written by orjson: ``json.dumps(indent=2)`` falls back to its pure-Python
    encoder, and orjson wrote the same bytes about 15x faster on a report of
    1,000 articles. ``json`` writes what orjson refuses (a lone surrogate, an
    integer past 64 bits). No float here is NaN: each goes through :func:`_round`.
    """
    try:
        return orjson.dumps(obj, option=_FILE_OPTIONS)
    except (orjson.JSONEncodeError, TypeError):
        return (json.dumps(obj, ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode("utf-8")


def results_line(article: ArticleResult, paragraphs: ParagraphsBySource) -> str:
    """An article's line of ``results.jsonl`` (no newline): its ``report.json`` entry as compact JSON."""
    obj = article_json(article, paragraphs)
    try:
        return orjson.dumps(obj).decode("utf-8")
    except (orjson.JSONEncodeError, TypeError):
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _article_entries(result: CheckResult, records: Sequence[str], paragraphs: ParagraphsBySource) -> list[dict[str, Any]]:
    """The articles' entries of ``report.json``: read from their ``results.jsonl`` lines when given, else built.

    The entry is built once, where the article was checked (a worker
    process, perhaps): building the 1,000 entries of a report again took
    0.3-0.6 s; reading them back from their lines, 0.1 s (see :func:`_read_back`).
    """
    if len(records) == len(result.articles) and all(records):
        return [_read_back(line) for line in records]
    return [article_json(a, paragraphs) for a in result.articles]


def _read_back(line: str) -> Any:
    """The object of a ``results.jsonl`` line, as ``json.loads`` reads it.

    ``json.loads`` reads back exactly what either encoder of
    :func:`results_line` wrote, integers past 64 bits and lone surrogates
    among it. orjson reads a line it wrote as ``json.loads`` does but for an
    integer past 64 bits (a float to it), which it cannot write: a line it
    writes back as it was is read as it should be. 1,000 lines of the 10 MB
    case's results.jsonl were read back in 51.0 ms by ``json.loads``, in
    41.1 ms this way (CPU time, best of 21, alternated in one process).
    """
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError:  # a lone surrogate, a NaN: not orjson's
        return json.loads(line)
    if orjson.dumps(obj) != line.encode("utf-8"):
        return json.loads(line)
    return obj


# --------------------------------------------------------------------------- variants and quotations


def variant_words_json(v: Variant | DocVariant) -> dict[str, Any]:
    """What every variant object starts with: kind, severity and the words on each side.

    ``locate --json`` shows only these; :func:`variant_json` and
    :func:`doc_variant_json` add where the words are.
    """
    # v.severity without its two properties (a DocVariant judges none: its kind's); 7,556 variants in the
    # records of the 10 MB case
    judged = getattr(v, "judged_severity", None)
    return {
        "kind": KIND_NAMES[v.kind],
        "severity": SEVERITY_NAMES[judged] if judged is not None else KIND_SEVERITY_NAMES[v.kind],
        "source_text": v.source_text,
        "quote_text": v.quote_text,
    }


def variant_json(v: Variant) -> dict[str, Any]:
    """A variant of a quotation (``report.json``): :func:`variant_words_json`'s fields, their spans in the source and the article, and its meaning.

    Made as one dictionary, sized once, not :func:`variant_words_json`'s
    grown by three fields: see :func:`_quote_json` for the figure.
    """
    kind, judged = v.kind, v.judged_severity
    return {
        "kind": KIND_NAMES[kind],
        "severity": KIND_SEVERITY_NAMES[kind] if judged is None else SEVERITY_NAMES[judged],
        "source_text": v.source_text,
        "quote_text": v.quote_text,
        "source_span": _span(v.source_span),
        "quote_span": _span(v.quote_span),
        "meaning": list(v.meaning),
    }


def doc_variant_json(v: DocVariant) -> dict[str, Any]:
    """A variant between two whole documents, with spans in both texts; a move lists the variants inside it."""
    out: dict[str, Any] = {**variant_words_json(v), "base_span": list(v.base_span), "other_span": list(v.other_span)}
    if v.unit != "words":
        out["unit"] = v.unit
    if v.moved:
        out["moved"] = True
        out["variants"] = [doc_variant_json(i) for i in v.inner]
    if v.shared:
        out["rewritten"] = True
        out["shared"] = [{"base_span": list(x), "other_span": list(y)} for x, y in v.shared]
    if v.meaning:
        out["meaning"] = list(v.meaning)
    return out


def quotation_json(q: Quotation) -> dict[str, Any]:
    """A quotation as extracted: its text, spans and attribution (all of ``extract --json``)."""
    return {"text": q.text, "spans": [_span(s) for s in q.spans], "attribution": q.attribution}


def finding_json(
    q: QuoteResult, variant: Callable[[Variant], dict[str, Any]], into: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What verifying a quotation found: the source and passage, the verdict, the variants (as ``variant`` writes them).

    ``into``: the dict to add the fields to (and return), else a new one; a
    quotation's entry is filled so, not copied from a second dict (the records
    of 150 articles of the 10 MB case: 35.1 M -> 33.7 M instructions).
    """
    out: dict[str, Any] = {} if into is None else into
    loc = q.location
    if loc is None:
        out["source"] = None
        out["source_span"] = None
    else:
        out["source"] = loc.source
        out["source_span"] = _span(loc.span)
    out["speaker"] = q.speaker
    out["source_speaker"] = q.source_speaker
    out["verdict"] = VERDICT_NAMES[q.verdict]
    out["reason"] = q.reason
    out["variants"] = [variant(v) for v in q.variants] if q.variants else []
    return out


def _quote_json(q: QuoteResult, anchor: str, paragraphs: ParagraphsBySource) -> dict[str, Any]:
    """A quotation's entry of report.json: :func:`quotation_json`'s fields, :func:`finding_json`'s, then its own.

    Made as one dictionary of all its fields, sized once, not filled field
    by field, growing twice on the way, from those two functions' (which
    ``extract`` and ``locate`` write alone); its spans of plain integers
    written without a call each, its lists of one or two by loops, not
    comprehensions, whose function and frame Python 3.11 makes at each use
    (as an article's coverage in :func:`article_json`): the records of every
    fourth article of the 10 MB case, 116.2 M -> 103.7 M instructions (callgrind).
    """
    quotation = q.quotation
    loc = q.location
    if loc is None:
        source = source_span = score = None
        fragments: list[dict[str, Any]] = []
        touched: list[int] = []
    else:
        source = loc.source
        a, b = loc.span
        source_span = [a, b] if type(a) is int and type(b) is int else _span(loc.span)
        fragments = []
        for f in loc.fragments:
            fragments.append({"quote_span": _span(f.quote_span), "source_span": _span(f.source_span)})
        source_paragraphs = paragraphs.get(source)
        touched = [] if source_paragraphs is None else touched_paragraphs(q, source_paragraphs)
        score = _round(loc.share)
    spans = []
    for a, b in quotation.spans:
        spans.append([a, b] if type(a) is int and type(b) is int else _span((a, b)))
    written = []
    for v in q.variants:
        written.append(variant_json(v))
    segments = []
    for s in quotation.segments:
        segments.append({"kind": s.kind, "span": [s.start, s.end]})
    return {
        "text": quotation.text,
        "spans": spans,
        "attribution": quotation.attribution,
        "source": source,
        "source_span": source_span,
        "speaker": q.speaker,
        "source_speaker": q.source_speaker,
        "verdict": VERDICT_NAMES[q.verdict],
        "reason": q.reason,
        "variants": written,
        "anchor": anchor,
        "attribution_span": _span(quotation.attribution_span),
        "segments": segments,
        "fragments": fragments,
        "source_paragraphs": touched,
        "score": score,
        "invisible": q.invisible,
    }


def reading_json(r: Reading) -> dict[str, Any]:
    """A reading of a place in a text, with the witnesses that support it."""
    return {"text": r.text, "witnesses": list(r.witnesses)}


# --------------------------------------------------------------------------- report.json


def _choice_json(c: EditorialChoice) -> dict[str, Any]:
    return {
        "paragraph": c.paragraph,
        "chosen": reading_json(c.chosen),
        "rejected": [reading_json(r) for r in c.rejected],
        "reason": c.reason,
    }


def _source_json(info: SourceInfo) -> dict[str, Any]:
    doc = info.document
    prov = info.provenance
    text, speaker = doc.text, doc.speaker  # read once, not once a paragraph: 20,000 paragraphs in the 10 MB case
    return {
        "id": doc.id,
        "title": doc.title,
        "paragraphs": [
            {"index": p.index, "text": text[p.start : p.end], "start": p.start, "end": p.end, "speaker": p.speaker or speaker}
            for p in doc.paragraphs_or_whole
        ],
        "speaker": doc.speaker,
        "speakers": {label: person for label, person in doc.speaker_labels},
        "path": portable_path(doc.path),
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


def article_json(a: ArticleResult, paragraphs: ParagraphsBySource) -> dict[str, Any]:
    """One article's entry of report.json (also a line of results.jsonl); ``paragraphs`` by source id."""
    doc = a.article
    # lists of one or two made by loops, not comprehensions, whose function and frame Python 3.11 makes at each
    # use: with the same in :func:`_quote_json`, see there for the figure
    coverage = []
    for source, cells in a.coverage:
        shares = []
        for index, quoted in cells:
            shares.append({"index": index, "quoted": _round(quoted)})
        coverage.append({"source": source, "paragraphs": shares})
    skipped = doc.skipped
    return {
        "id": doc.id,
        "outlet": doc.outlet,
        "path": portable_path(doc.path),
        "sha256": doc.sha256,
        "quotes": [_quote_json(q, anchor, paragraphs) for q, anchor in zip(a.quotes, quote_anchors(a))],
        "coverage": coverage,
        "errors": list(a.errors),
        "date": doc.date,
        "title": doc.title,
        "url": doc.url,
        "encoding": doc.encoding,
        "counts": verdict_counts(a),
        "skipped": [_span(s) for s in skipped] if skipped else [],
        "warnings": list(doc.warnings),
    }


def report_json(result: CheckResult, records: Sequence[str] = ()) -> dict[str, Any]:
    """The ``report.json`` object of the design notes for ``result``.

    The fields of the design notes come first, in their documented order;
    extra fields follow (quotation anchors matching the HTML pages, variant
    and fragment spans, counts, provenance). Floats are rounded to 4
    decimals; no timestamp or absolute path is included. An article's entry
    is read back from its ``results.jsonl`` line when the run gives them
    all (``records``, in the order of ``result.articles``): the same object, built once.
    """
    return _report_object(result, records, [_source_json(s) for s in result.sources])


def _report_object(result: CheckResult, records: Sequence[str], sources: list[dict[str, Any]]) -> dict[str, Any]:
    """:func:`report_json` with ``sources`` for its sources' entries."""
    paragraphs = {s.document.id: s.document.paragraphs_or_whole for s in result.sources}
    # one pass over the quotations, not one a verdict (5,000 ArticleResult.count calls for the
    # 1,000 articles kept of the 10 MB case): 3.0 ms -> 0.55 ms (best of 41, alternated in one process)
    totals = _count_verdicts(chain.from_iterable(a.quotes for a in result.articles))
    return {
        "schema": SCHEMA,
        "case": result.case,
        "sources": sources,
        "articles": _article_entries(result, records, paragraphs),
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


#: the kind of the kept sources' parts in the cache folder (a new one for another layout of the file)
_KEPT_SOURCES = "report-sources-1"
#: the "sources" key of report.json with no entry, as written: a newline is never inside a JSON
#: string (it is written ``\n``), so these bytes are only ever the key of the top-level object
_NO_SOURCES = b'\n  "sources": []'


def report_json_bytes(result: CheckResult, records: Sequence[str] = ()) -> bytes:
    """``report.json`` as written: :func:`json_file_bytes` of :func:`report_json`, its sources' part kept between runs (see :func:`report_json_parts`)."""
    return bytes(report_json_parts(result, records))


def report_json_parts(result: CheckResult, records: Sequence[str] = ()) -> Joined:
    """The bytes of :func:`report_json_bytes` in parts: before the sources' entries, the entries, after them.

    The sources' entries are most of the file (10 of the 13 MB of the 10 MB
    case's, its 19,000 paragraphs) and the same from one run of a case to
    the next: that file took 21.8 ms to make with them made, 6.6 ms with
    them read back (CPU time, best of 21, both ways alternated in one
    process). They are kept in the user's cache folder (:func:`~quoteverify._cache.kept_buffer`)
    under a digest of all they are made from (:func:`_sources_key`), and put
    where the report without them has its empty list of sources; mapped from
    there and not joined to the rest, which took 7-9 ms more for the 13 MB
    (:class:`~quoteverify._files.Joined`). A result that orjson cannot
    write (see :func:`json_file_bytes`) is written whole, in one part.
    """
    key = _sources_key(result.sources) if result.sources else None
    if key is not None:
        try:
            rest = orjson.dumps(_report_object(result, records, []), option=_FILE_OPTIONS)
            head, found, tail = rest.partition(_NO_SOURCES)
            if found:
                part = kept_buffer(_KEPT_SOURCES, key, lambda: _sources_part(result.sources))
                return Joined((head + b'\n  "sources": ', part, tail))
        except (orjson.JSONEncodeError, TypeError):
            pass
    return Joined((json_file_bytes(report_json(result, records)),))


def _sources_part(sources: Sequence[SourceInfo]) -> bytes:
    """The sources' entries of report.json as the file holds them: a list one level in (every line after the first indented by two spaces)."""
    entries = orjson.dumps([_source_json(s) for s in sources], option=orjson.OPT_INDENT_2)
    return entries.replace(b"\n", b"\n  ")


def _sources_key(sources: Sequence[SourceInfo]) -> str | None:
    """A digest of everything :func:`_source_json` reads of ``sources`` and of the code that writes them; None when orjson cannot write it.

    Each document by its fields but its text, the text by its SHA-256
    (known for a source loaded from a case's saved sources), its paragraphs
    and its provenance (orjson writes a dataclass as the object of its fields);
    a source read from a case by the key naming all it was made from
    (:func:`~quoteverify._cache.document_key`), and its provenance. The
    500 sources of the 10 MB case: 2.95 ms so, 0.2 ms (CPU time, best of 31).
    """
    rows = [
        [d.id, d.title, text_sha256(d.text), d.paragraphs_or_whole, d.speaker, d.speaker_labels, d.path, d.sha256, d.date, s.provenance]
        if (known := document_key(d)) is None
        else [known, s.provenance]
        for s in sources
        for d in (s.document,)
    ]
    try:
        listed = orjson.dumps([_code_version(), rows])
    except (orjson.JSONEncodeError, TypeError):
        return None
    return hashlib.sha256(listed).hexdigest()


@lru_cache(maxsize=1)  # once a process: the code does not change under it
def _code_version() -> str:
    """A digest of the code that writes the sources' entries of report.json: this module, the models and orjson's version."""
    return code_digest(f"{_KEPT_SOURCES} orjson {orjson.__version__}", [__file__, models.__file__])


# --------------------------------------------------------------------------- diff and reconstruct


def _layout_change_json(ch: LayoutChange) -> dict[str, Any]:
    return {
        "kind": ch.kind,
        "change": ch.change,
        "base_paragraphs": list(ch.base_paragraphs),
        "other_paragraphs": list(ch.other_paragraphs),
    }


def collation_json(c: Collation) -> dict[str, Any]:
    """``{"base": ..., "other": ..., "variants": [...], "layout": [...]}``, the ``--json`` output."""
    return {
        "base": document_name(c.base),
        "other": document_name(c.other),
        "identical": c.identical,
        "variants": [doc_variant_json(v) for v in c.variants],
        "layout": [
            {**_layout_change_json(ch), "base_span": list(ch.base_span), "other_span": list(ch.other_span)}
            for ch in c.layout
        ],
    }


def reconstruction_json(recon: Reconstruction, comparison: Comparison | None = None) -> dict[str, Any]:
    """The reconstruction as JSON: text, witnesses, paragraphs, stretches, apparatus, lacunae, unplaced."""
    from quoteverify.reconstruct import TIE_RULE

    out: dict[str, Any] = {
        "schema": RECONSTRUCTION_SCHEMA,
        "source": recon.source_id,
        "title": recon.title,
        "method": recon.method,
        "tie_rule": TIE_RULE,
        "text": recon.text,
        "witnesses": [{"id": w.id, "outlet": w.outlet, "words": w.words, "fragments": w.excerpts} for w in recon.witnesses],
        "paragraphs": [
            {"index": p.index, "span": list(recon.paragraph_spans[p.index]), "witnesses": list(p.witnesses)}
            for p in recon.paragraphs
        ],
        "stretches": [{"span": list(s.span), "witnesses": list(s.witnesses)} for s in recon.stretches],
        "apparatus": [
            {
                "span": list(a.span),
                "paragraph": a.paragraph,
                "chosen": a.readings[0].text,
                "tie": a.tie,
                "reason": a.reason,
                "readings": [{**reading_json(r), "votes": v} for r, v in zip(a.readings, a.votes)],
            }
            for a in recon.apparatus
        ],
        "lacunae": [list(s) for s in recon.lacunae],
        "unplaced": [reading_json(r) for r in recon.unplaced],
    }
    if comparison is not None:
        out["against"] = comparison_json(comparison)
    return out


def comparison_json(comparison: Comparison) -> dict[str, Any]:
    """A reconstruction set against a given text: each difference with the apparatus entries that explain it."""
    col = comparison.collation
    return {
        "base": document_name(col.base),
        "identical": comparison.identical,
        "differences": [
            {**doc_variant_json(d.variant), "apparatus": [n + 1 for n in d.entries], "explanation": d.explanation}
            for d in comparison.differences
        ],
        "layout": [_layout_change_json(c) for c in col.layout],
    }


# --------------------------------------------------------------------------- extract and locate


def extract_json(article: Document, quotes: Sequence[Quotation]) -> dict[str, Any]:
    """``extract --json``: the article's id and its quotations as extracted."""
    return {"article": article.id, "quotes": [quotation_json(q) for q in quotes]}


def locate_json(text: str, result: QuoteResult) -> dict[str, Any]:
    """``locate --json``: the quotation as given, and what verifying it found (variants with their meaning, without spans)."""
    return {"text": text, **finding_json(result, lambda v: {**variant_words_json(v), "meaning": list(v.meaning)})}
