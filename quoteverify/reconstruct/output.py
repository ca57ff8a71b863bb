"""The outputs of a reconstruction: JSON, plain text, TEI XML and an HTML page.

The functions here are those of the former ``quoteverify/reconstruct.py``,
moved together unchanged; they are re-exported by
:mod:`quoteverify.reconstruct`.
"""

# The code below is kept as it was (B007 unused loop variables and B023 a
# closure over loop variables in render_tei are harmless there: the closure
# is called only inside the iteration that defines it).
# ruff: noqa: B007, B023

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import regex

from quoteverify._files import write_atomic
from quoteverify.collate import html_environment, variant_json
from quoteverify.reconstruct.models import Comparison, Reconstruction
from quoteverify.reconstruct.vote import TIE_RULE

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"

_NCNAME = regex.compile(r"^[\p{L}_][\p{L}\p{N}._\-]*$")


# --------------------------------------------------------------------------- JSON


def reconstruction_json(recon: Reconstruction, comparison: Comparison | None = None) -> dict[str, Any]:
    """The reconstruction as JSON: text, witnesses, paragraphs, stretches, apparatus, lacunae, unplaced."""
    out: dict[str, Any] = {
        "schema": "quoteverify/reconstruction@1",
        "source": recon.source_id,
        "title": recon.title,
        "method": recon.method,
        "tie_rule": TIE_RULE,
        "text": recon.text,
        "witnesses": [{"id": w.id, "outlet": w.outlet, "words": w.words, "fragments": w.pieces} for w in recon.witnesses],
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
                "readings": [
                    {"text": r.text, "witnesses": list(r.witnesses), "votes": v} for r, v in zip(a.readings, a.votes)
                ],
            }
            for a in recon.apparatus
        ],
        "lacunae": [list(s) for s in recon.lacunae],
        "unplaced": [{"text": r.text, "witnesses": list(r.witnesses)} for r in recon.unplaced],
    }
    if comparison is not None:
        out["against"] = comparison_json(comparison)
    return out


def comparison_json(comparison: Comparison) -> dict[str, Any]:
    col = comparison.collation
    return {
        "base": col.base.path or col.base.id,
        "identical": comparison.identical,
        "differences": [
            {**variant_json(d.variant), "apparatus": [n + 1 for n in d.entries], "explanation": d.explanation}
            for d in comparison.differences
        ],
        "layout": [
            {"kind": c.kind, "change": c.change, "base_paragraphs": list(c.base_paragraphs), "other_paragraphs": list(c.other_paragraphs)}
            for c in col.layout
        ],
    }


# --------------------------------------------------------------------------- text


def text_lines(recon: Reconstruction, comparison: Comparison | None = None) -> list[str]:
    """The reconstructed text, then the apparatus, one line per entry."""
    lines = [recon.text, ""]
    lines.append(f"Witnesses: {', '.join(f'{w.id} ({w.words} words)' for w in recon.witnesses)}")
    if recon.apparatus:
        lines.append("Apparatus:")
    for n, a in enumerate(recon.apparatus, 1):
        readings = " | ".join(
            f"{_shown(r.text)} {', '.join(r.witnesses)}" + (f" [{v}]" if v != len(r.witnesses) else "")
            for r, v in zip(a.readings, a.votes)
        )
        tie = "  (tie)" if a.tie else ""
        lines.append(f"{n:3}. \u00b6{a.paragraph} {readings}{tie}")
    if recon.unplaced:
        lines.append(
            f"{len(recon.unplaced)} quotation fragment{'s' if len(recon.unplaced) != 1 else ''} overlap nothing"
            " else and are not placed (other speakers, or too short to place); --format json lists them"
        )
    if comparison is not None:
        lines.append("")
        if comparison.identical:
            lines.append(f"Against {comparison.collation.base.path or comparison.collation.base.id}: identical")
        else:
            lines.append(f"Against {comparison.collation.base.path or comparison.collation.base.id}:")
            for d in comparison.differences:
                v = d.variant
                lines.append(f"  {v.kind.value}: {v.source_text!r} -> {v.quote_text!r}: {d.explanation}")
            for c in comparison.collation.layout:
                lines.append(f"  paragraphing: {c.change} \u00b6{c.base_paragraphs} -> \u00b6{c.other_paragraphs}")
    return lines


def _shown(text: str) -> str:
    return repr(text) if text else "(nothing)"


# --------------------------------------------------------------------------- TEI


def _xml_id(wid: str, used: dict[str, str]) -> str:
    if wid in used:
        return used[wid]
    base = wid if _NCNAME.match(wid) else "w-" + regex.sub(r"[^\p{L}\p{N}._\-]", "-", wid)
    out, n = base, 1
    while out in used.values():
        n += 1
        out = f"{base}-{n}"
    used[wid] = out
    return out


def render_tei(recon: Reconstruction) -> str:
    """TEI P5 XML, parallel segmentation: ``<app>`` with ``<lem>`` (chosen) and ``<rdg>`` (the others)."""
    ET.register_namespace("", TEI_NS)

    def t(name: str) -> str:
        return f"{{{TEI_NS}}}{name}"

    ids: dict[str, str] = {}
    root = ET.Element(t("TEI"))
    header = ET.SubElement(root, t("teiHeader"))
    fdesc = ET.SubElement(header, t("fileDesc"))
    tstmt = ET.SubElement(fdesc, t("titleStmt"))
    ET.SubElement(tstmt, t("title")).text = recon.title
    pub = ET.SubElement(fdesc, t("publicationStmt"))
    ET.SubElement(pub, t("p")).text = "Reconstructed by quoteverify from the witnesses listed below."
    sdesc = ET.SubElement(fdesc, t("sourceDesc"))
    lw = ET.SubElement(sdesc, t("listWit"))
    for w in recon.witnesses:
        el = ET.SubElement(lw, t("witness"), {f"{{{XML_NS}}}id": _xml_id(w.id, ids)})
        el.text = w.outlet or w.id
    enc = ET.SubElement(header, t("encodingDesc"))
    ET.SubElement(enc, t("variantEncoding"), {"method": "parallel-segmentation", "location": "internal"})
    ed = ET.SubElement(enc, t("editorialDecl"))
    ET.SubElement(ed, t("p")).text = recon.method
    body = ET.SubElement(ET.SubElement(root, t("text")), t("body"))

    text = recon.text
    events: list[tuple[int, int, str, Any]] = []
    for n, a in enumerate(recon.apparatus):
        events.append((a.span[0], 1, "app", a))
    for s in recon.lacunae:
        events.append((s[0], 0, "gap", s))
    events.sort(key=lambda e: (e[0], e[1]))
    for pn, (ps, pe) in enumerate(recon.paragraph_spans):
        p = ET.SubElement(body, t("p"))
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
                last = ET.SubElement(p, t("gap"), {"reason": "lacuna"})
                pos = obj[1]
                continue
            a = obj
            app = ET.SubElement(p, t("app"))
            if a.tie:
                app.set("type", "tie")
            for k, (r, votes) in enumerate(zip(a.readings, a.votes)):
                el = ET.SubElement(app, t("lem" if k == 0 else "rdg"), {"wit": " ".join("#" + _xml_id(w, ids) for w in r.witnesses)})
                el.text = r.text or None
            if a.tie:
                ET.SubElement(app, t("note")).text = f"{a.reason}. Rule: {TIE_RULE}."
            last = app
            pos = a.span[1]
        put(text[pos:pe])
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# --------------------------------------------------------------------------- HTML




def render_html(recon: Reconstruction, comparison: Comparison | None = None) -> str:
    """A self-contained page: the text with its apparatus marks, the apparatus, witnesses and paragraphs."""
    text = recon.text
    marks: list[tuple[int, int, str, dict[str, Any]]] = []
    for n, a in enumerate(recon.apparatus, 1):
        cls = ("tie " if a.tie else "") + ("empty" if a.span[0] == a.span[1] else "")
        title = " | ".join(f"{r.text or '(nothing)'}: {', '.join(r.witnesses)}" for r in a.readings)
        marks.append((a.span[0], a.span[1], "app", {"n": n, "cls": cls.strip(), "title": title}))
    for gap in recon.lacunae:
        marks.append((gap[0], gap[1], "gap", {}))
    marks.sort(key=lambda m: (m[0], m[1]))
    paragraphs = []
    for ps, pe in recon.paragraph_spans:
        pieces: list[dict[str, Any]] = []
        pos = ps
        for s, e, kind, extra in marks:
            if s < pos or not (ps <= s <= pe) or e > pe:
                continue
            if s > pos:
                pieces.append({"kind": "text", "text": text[pos:s]})
            pieces.append({"kind": kind, "text": text[s:e], **extra})
            pos = e
        if pos < pe:
            pieces.append({"kind": "text", "text": text[pos:pe]})
        paragraphs.append(pieces)
    comp = None
    if comparison is not None:
        comp = {
            "base": comparison.collation.base.path or comparison.collation.base.id,
            "identical": comparison.identical,
            "differences": [
                {"kind": d.variant.kind.value, "source_text": d.variant.source_text, "quote_text": d.variant.quote_text, "explanation": d.explanation}
                for d in comparison.differences
            ],
        }
    return html_environment().get_template("reconstruct.html").render(
        title=recon.title,
        witnesses=recon.witnesses,
        paragraphs=paragraphs,
        apparatus=[
            {
                "n": n,
                "paragraph": a.paragraph,
                "reason": a.reason,
                "readings": [{"text": r.text, "witnesses": r.witnesses, "votes": v} for r, v in zip(a.readings, a.votes)],
            }
            for n, a in enumerate(recon.apparatus, 1)
        ],
        paragraph_witnesses=recon.paragraphs,
        unplaced=recon.unplaced,
        comparison=comp,
        tie_rule=TIE_RULE,
    )


def write(path: str | Path, content: str) -> Path:
    """Write an output file atomically."""
    return write_atomic(path, content)
