"""Exports for other tools: CSV of quotations, W3C Web Annotations (JSON-LD), and TEI of a reconstruction."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote as _urlquote

import regex

from quoteverify.models import ArticleResult, CheckResult, Document, QuoteResult, Span, Variant
from quoteverify.render.json import KIND_NAMES, SEVERITY_NAMES, VERDICT_NAMES, quote_anchors, quote_source_spans

if TYPE_CHECKING:  # a check that rebuilds no source never imports the reconstruction
    import xml.etree.ElementTree as ET

    from quoteverify.reconstruct import ApparatusEntry, Reconstruction

#: Characters of context in a TextQuoteSelector's prefix and suffix.
SELECTOR_CONTEXT = 32

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"

_NCNAME = regex.compile(r"^[\p{L}_][\p{L}\p{N}._\-]*$")

# --------------------------------------------------------------------------- CSV


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_CSV_COLUMNS = (
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
    "speaker",
    "source_speaker",
    "reason",
)


def csv_cell(value: str) -> str:
    """A CSV cell; text a spreadsheet would run as a formula is prefixed with an apostrophe."""
    if value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _variants_text(variants: Sequence[Variant]) -> str:
    if not variants:  # most quotations: no generator to start
        return ""
    return "; ".join(f"{KIND_NAMES[v.kind]}: {v.source_text} -> {v.quote_text}" for v in variants)


def _csv_row(a: ArticleResult, q: QuoteResult, anchor: str, sources: dict[str, Document]) -> list[str]:
    """The cells of a quotation's row, before :func:`csv_cell`."""
    loc = q.location
    passage = ""
    if loc is not None and loc.source in sources:
        passage = sources[loc.source].text[loc.span[0] : loc.span[1]]
    return [
        a.article.id,
        a.article.outlet,
        q.quotation.text,
        VERDICT_NAMES[q.verdict],
        _variants_text(q.variants),
        loc.source if loc else "",
        passage,
        q.quotation.attribution or "",
        anchor,
        " ".join(f"{s}-{e}" for s, e in q.quotation.spans),
        f"{loc.span[0]}-{loc.span[1]}" if loc else "",
        q.speaker or "",
        q.source_speaker or "",
        q.reason or "",
    ]


def quotations_csv(result: CheckResult) -> str:
    """``quotations.csv``: one row per quotation, in report order (RFC 4180: CRLF, minimal quoting).

    Columns: article, outlet, quotation, verdict, variants (``"kind: source ->
    quote; ..."``), source, source_passage, attribution, anchor, spans,
    source_span. Cells that a spreadsheet would take for a formula (starting
    with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) are prefixed
    with ``'``.
    """
    sources = {s.document.id: s.document for s in result.sources}
    lines = [_csv_line(_CSV_COLUMNS)]
    for a in result.articles:
        for q, anchor in zip(a.quotes, quote_anchors(a)):
            # csv_cell inlined, and no generator started for a quotation without variants: the 3,033
            # rows of the 1,000 articles kept of the 10 MB case, 40.4 ms -> 38.2 ms (best of 41, alternated)
            lines.append(_csv_line([c if not c.startswith(_FORMULA_START) else "'" + c for c in _csv_row(a, q, anchor, sources)]))
    return "".join(lines)


def _csv_line(cells: Sequence[str]) -> str:
    """A row as :func:`csv.writer` writes it with ``lineterminator="\\r\\n"`` and its other defaults (RFC 4180).

    A cell is quoted when it holds a comma, a double quote, a carriage
    return or a line feed, and its double quotes are doubled. Written here
    because the module's writer looks each character of a cell up in the
    line terminator by a call of its own: the 3,033 rows of the 1,000
    articles kept of the 10 MB case were 422 M instructions that way, 43 %
    of them that look-up, and are 193 M this way (callgrind).
    """
    if len(cells) == 1 and not cells[0]:  # csv.writer's one empty cell, told from an empty row
        return '""\r\n'
    out = []
    for c in cells:
        if '"' in c:
            c = '"' + c.replace('"', '""') + '"'
        elif "," in c or "\n" in c or "\r" in c:
            c = '"' + c + '"'
        out.append(c)
    return ",".join(out) + "\r\n"


# --------------------------------------------------------------------------- Web Annotations


def _urn(*parts: str) -> str:
    return "urn:quoteverify:" + ":".join(_urn_part(p) for p in parts)


@lru_cache(maxsize=4096)
def _urn_part(part: str) -> str:
    """A part of an URN, quoted: the case id and a few words recur in each of 8,000 URNs (0.12 s of urllib under cProfile)."""
    return _urlquote(part, safe="")


def _selectors(text: str, span: Span) -> list[dict[str, Any]]:
    s, e = span
    return [
        {
            "type": "TextQuoteSelector",
            "exact": text[s:e],
            "prefix": text[max(0, s - SELECTOR_CONTEXT) : s],
            "suffix": text[e : e + SELECTOR_CONTEXT],
        },
        {"type": "TextPositionSelector", "start": s, "end": e},
    ]


def _targets(article_iri: str, doc: Document, q: QuoteResult, source: tuple[str, Document] | None) -> list[dict[str, Any]]:
    """The quotation's spans in the article, then the source passages of its fragments.

    ``article_iri``: the article's URN; ``source``: the source's URN and document, if it is among the sources.
    """
    targets: list[dict[str, Any]] = []
    for span in q.quotation.spans:
        target: dict[str, Any] = {"source": article_iri, "selector": _selectors(doc.text, span)}
        if doc.url:
            target["scope"] = doc.url
        targets.append(target)
    if source is not None:
        source_iri, source_doc = source
        for span in quote_source_spans(q):
            targets.append({"source": source_iri, "selector": _selectors(source_doc.text, span)})
    return targets


def _bodies(q: QuoteResult) -> list[dict[str, Any]]:
    """The verdict as a tag, a one-line assessment, and a description of each variant."""
    verdict = VERDICT_NAMES[q.verdict]
    variants = _variants_text(q.variants)
    description = f"{verdict}: " + (variants if variants else "no variants")
    bodies: list[dict[str, Any]] = [
        {"type": "TextualBody", "purpose": "tagging", "value": verdict},
        {"type": "TextualBody", "purpose": "assessing", "format": "text/plain", "value": description},
    ]
    for v in q.variants:
        bodies.append(
            {
                "type": "TextualBody",
                "purpose": "describing",
                "format": "text/plain",
                "value": f"{KIND_NAMES[v.kind]} ({SEVERITY_NAMES[v.severity]}): {v.source_text!r} -> {v.quote_text!r}",
            }
        )
    return bodies


def annotations_jsonld(result: CheckResult) -> dict[str, Any]:
    """``annotations.jsonld``: a W3C Web Annotation collection, one annotation per located quotation.

    Each annotation targets the quotation's spans in the article and the
    source passages of its fragments, each by a TextQuoteSelector (exact text
    with 32 characters of prefix and suffix) and an equivalent
    TextPositionSelector (code-point offsets into the article's or source's
    text). Its bodies tag the verdict and describe the variants.
    """
    # each IRI of an article or a source made once, not once a quotation, and the enums' names looked
    # up: the 2,542 annotations of the 1,000 articles kept of the 10 MB case, 52.7 ms -> 43.7 ms
    # (best of 41, alternated in one process)
    case = result.case
    sources = {s.document.id: (_urn(case, "source", s.document.id), s.document) for s in result.sources}
    items: list[dict[str, Any]] = []
    for a in result.articles:
        doc = a.article
        article_iri = ""
        for q, anchor in zip(a.quotes, quote_anchors(a)):
            if q.location is None:
                continue
            article_iri = article_iri or _urn(case, "article", doc.id)
            items.append(
                {
                    "id": article_iri + ":" + _urn_part(anchor),
                    "type": "Annotation",
                    "motivation": "assessing",
                    "body": _bodies(q),
                    "target": _targets(article_iri, doc, q, sources.get(q.location.source)),
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


# --------------------------------------------------------------------------- TEI


def _t(name: str) -> str:
    return f"{{{TEI_NS}}}{name}"


class _WitnessIds:
    """The ``xml:id`` of each witness: its id when that is an XML name, else a made one; distinct."""

    def __init__(self) -> None:
        self.used: dict[str, str] = {}

    def __call__(self, wid: str) -> str:
        if wid in self.used:
            return self.used[wid]
        base = wid if _NCNAME.match(wid) else "w-" + regex.sub(r"[^\p{L}\p{N}._\-]", "-", wid)
        out, n = base, 1
        while out in self.used.values():
            n += 1
            out = f"{base}-{n}"
        self.used[wid] = out
        return out


def _tei_header(root: ET.Element, recon: Reconstruction, ids: _WitnessIds) -> None:
    import xml.etree.ElementTree as ET  # imported on use: see reconstruction_tei

    header = ET.SubElement(root, _t("teiHeader"))
    fdesc = ET.SubElement(header, _t("fileDesc"))
    tstmt = ET.SubElement(fdesc, _t("titleStmt"))
    ET.SubElement(tstmt, _t("title")).text = recon.title
    pub = ET.SubElement(fdesc, _t("publicationStmt"))
    ET.SubElement(pub, _t("p")).text = "Reconstructed by quoteverify from the witnesses listed below."
    sdesc = ET.SubElement(fdesc, _t("sourceDesc"))
    lw = ET.SubElement(sdesc, _t("listWit"))
    for w in recon.witnesses:
        el = ET.SubElement(lw, _t("witness"), {f"{{{XML_NS}}}id": ids(w.id)})
        el.text = w.outlet or w.id
    enc = ET.SubElement(header, _t("encodingDesc"))
    ET.SubElement(enc, _t("variantEncoding"), {"method": "parallel-segmentation", "location": "internal"})
    ed = ET.SubElement(enc, _t("editorialDecl"))
    ET.SubElement(ed, _t("p")).text = recon.method


def _tei_app(p: ET.Element, a: ApparatusEntry, ids: _WitnessIds) -> ET.Element:
    """An apparatus entry: ``<app>`` with the chosen reading as ``<lem>`` and the others as ``<rdg>``."""
    import xml.etree.ElementTree as ET  # imported on use: see reconstruction_tei

    from quoteverify.reconstruct import TIE_RULE

    app = ET.SubElement(p, _t("app"))
    if a.tie:
        app.set("type", "tie")
    for k, (r, _votes) in enumerate(zip(a.readings, a.votes)):
        el = ET.SubElement(app, _t("lem" if k == 0 else "rdg"), {"wit": " ".join("#" + ids(w) for w in r.witnesses)})
        el.text = r.text or None
    if a.tie:
        ET.SubElement(app, _t("note")).text = f"{a.reason}. Rule: {TIE_RULE}."
    return app


def _tei_paragraph(
    body: ET.Element, recon: Reconstruction, pn: int, events: list[tuple[int, int, str, Any]], ids: _WitnessIds
) -> None:
    """Paragraph ``pn`` as a ``<p>``: its text, with its apparatus entries and lacunae (``<gap>``) in place."""
    import xml.etree.ElementTree as ET  # imported on use: see reconstruction_tei

    ps, pe = recon.paragraph_spans[pn]
    text = recon.text
    p = ET.SubElement(body, _t("p"))
    last: ET.Element | None = None
    pos = ps

    def put(chunk: str) -> None:
        if not chunk:
            return
        if last is None:
            p.text = (p.text or "") + chunk
        else:
            last.tail = (last.tail or "") + chunk

    for start, _, kind, obj in events:
        if not (ps <= start <= pe) or start < pos:
            continue
        if kind == "app" and obj.paragraph != pn:
            continue
        put(text[pos:start])
        if kind == "gap":
            last = ET.SubElement(p, _t("gap"), {"reason": "lacuna"})
            pos = obj[1]
            continue
        last = _tei_app(p, obj, ids)
        pos = obj.span[1]
    put(text[pos:pe])


def reconstruction_tei(recon: Reconstruction) -> str:
    """TEI P5 XML, parallel segmentation: ``<app>`` with ``<lem>`` (chosen) and ``<rdg>`` (the others)."""
    # imported on use: a check never writes TEI, and the import was 3-12 ms of its start
    import xml.etree.ElementTree as ET

    ET.register_namespace("", TEI_NS)
    ids = _WitnessIds()
    root = ET.Element(_t("TEI"))
    _tei_header(root, recon, ids)
    body = ET.SubElement(ET.SubElement(root, _t("text")), _t("body"))
    events: list[tuple[int, int, str, Any]] = []
    for a in recon.apparatus:
        events.append((a.span[0], 1, "app", a))
    for s in recon.lacunae:
        events.append((s[0], 0, "gap", s))
    events.sort(key=lambda e: (e[0], e[1]))
    for pn in range(len(recon.paragraph_spans)):
        _tei_paragraph(body, recon, pn, events, ids)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
