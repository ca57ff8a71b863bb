"""Tests of the report stage: report.json, the HTML pages and the exports."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import math
import os
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest
import rcssmin
import rjsmin
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import quoteverify
from quoteverify.errors import InputError
from quoteverify.models import SEVERITY, CheckResult, Kind, Severity, Verdict
from quoteverify.render import render_report, report_json, safe_name, write_report
from quoteverify.render.exports import _csv_line, _csv_row, _urn, annotations_jsonld, csv_cell, quotations_csv
from quoteverify.render.html import _write_straight, environment
from quoteverify.render.json import json_file_bytes, quote_anchors, report_json_bytes
from quoteverify.render.changes import change_weight
from quoteverify.render.views import coverage_shade, report_view, unique_names

from report_fixtures import (
    HOSTILE_ID,
    HOSTILE_IMG,
    HOSTILE_OUTLET,
    HOSTILE_SCRIPT,
    ArticleBuilder,
    document,
    hostile_case,
    sample_result,
    sample_sources,
)

STATIC = Path(quoteverify.__file__).parent / "static"
KINDS = {k.value for k in Kind}
VERDICTS = {v.value for v in Verdict}


# --------------------------------------------------------------------------- helpers


class Page(HTMLParser):
    """A parsed page: every start tag with its attributes, the inline scripts and styles, the text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.text: list[str] = []
        self._raw: str | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._raw = tag
            (self.scripts if tag == "script" else self.styles).append("")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag == self._raw:
            self._raw = None

    def handle_data(self, data: str) -> None:
        if self._raw == "script":
            self.scripts[-1] += data
        elif self._raw == "style":
            self.styles[-1] += data
        else:
            self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for t, attrs in self.tags if t == tag]

    @property
    def data(self) -> str:
        return "".join(self.text)


class Region(HTMLParser):
    """The text of the element with a given class inside one quotation block, with some classes left out."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "wbr"}

    def __init__(self, html: str, block_id: str, region_class: str, drop: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.block_id, self.region_class, self.drop = block_id, region_class, drop
        self.stack: list[tuple[bool, bool, bool]] = []  # (in block, in region, dropped)
        self.out: list[str] = []
        self.found = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = set((a.get("class") or "").split())
        block, region, dropped = self.stack[-1] if self.stack else (False, False, False)
        block = block or a.get("id") == self.block_id
        starts = block and self.region_class in classes and not region
        if starts:
            self.found += 1
        region = region or starts
        dropped = dropped or bool(classes & self.drop) or (tag in self.drop)
        if tag not in self.VOID:
            self.stack.append((block, region, dropped))

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1][1] and not self.stack[-1][2] and self.found == 1:
            self.out.append(data)

    @property
    def text(self) -> str:
        return squash("".join(self.out).replace("\u00b6", " "))


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def html_pages(files: dict[str, bytes]) -> dict[str, str]:
    return {name: data.decode("utf-8") for name, data in files.items() if name.endswith(".html")}


def sha256_source(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


@pytest.fixture(scope="module")
def result() -> CheckResult:
    return sample_result()


@pytest.fixture(scope="module")
def files(result: CheckResult) -> dict[str, bytes]:
    return render_report(result)


@pytest.fixture(scope="module")
def data(result: CheckResult) -> dict:
    return report_json(result)


def article_page(files: dict[str, bytes], result: CheckResult, article_id: str) -> str:
    index = [a.article.id for a in result.articles].index(article_id)
    slug = unique_names([a.article.id for a in result.articles])[index]
    return files[f"articles/{slug}.html"].decode("utf-8")


# --------------------------------------------------------------------------- report.json


def _kept_sources(cache: Path) -> list[Path]:
    return sorted((cache / "quoteverify" / "report-sources-1").glob("*"))


def _with_source(result: CheckResult, change: str) -> CheckResult:
    """``result`` with its first source changed in one of the ways its entry of report.json shows."""
    info = result.sources[0]
    doc = info.document
    if change == "text":  # the same length and paragraphs, one letter another
        doc = replace(doc, text=doc.text.replace("a", "o", 1))
    elif change == "paragraph":
        first = doc.paragraphs[0]
        doc = replace(doc, paragraphs=(replace(first, end=first.end - 1), *doc.paragraphs[1:]))
    elif change == "speaker":
        doc = replace(doc, speaker="Someone Else")
    elif change == "paragraph speaker":
        doc = replace(doc, paragraphs=(replace(doc.paragraphs[0], speaker="A Witness"), *doc.paragraphs[1:]))
    elif change == "title":
        doc = replace(doc, title=doc.title + "!")
    elif change == "sha256":
        doc = replace(doc, sha256="0" * 64)
    elif change == "provenance":
        info = replace(info, provenance=replace(info.provenance, method=info.provenance.method + " Again."))
    elif change == "no paragraphs":
        doc = replace(doc, paragraphs=())
    return replace(result, sources=(replace(info, document=doc), *result.sources[1:]))


CHANGES = ["text", "paragraph", "speaker", "paragraph speaker", "title", "sha256", "provenance", "no paragraphs"]


def test_report_json_bytes_are_report_json_written_whether_its_sources_are_kept_or_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    for r in (sample_result(), hostile_case(), _with_source(sample_result(), "no paragraphs")):
        whole = json_file_bytes(report_json(r))
        assert report_json_bytes(r) == whole  # made and kept
        assert report_json_bytes(r) == whole  # read back
    assert len(_kept_sources(tmp_path)) == 2  # the sample's sources twice, the source without paragraphs


@pytest.mark.parametrize("change", CHANGES)
def test_a_changed_source_is_written_afresh_not_read_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    r = sample_result()
    report_json_bytes(r)
    changed = _with_source(r, change)
    assert json_file_bytes(report_json(changed)) != json_file_bytes(report_json(r))
    assert report_json_bytes(changed) == json_file_bytes(report_json(changed))
    assert len(_kept_sources(tmp_path)) == 2


def test_only_the_newest_sources_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    r = sample_result()
    for n in range(6):
        changed = replace(r, sources=(replace(r.sources[0], document=replace(r.sources[0].document, title=f"take {n}")),))
        assert report_json_bytes(changed) == json_file_bytes(report_json(changed))
    assert len(_kept_sources(tmp_path)) == 4


def test_sources_orjson_cannot_write_are_written_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    r = sample_result()
    doc = r.sources[0].document
    huge = replace(doc, paragraphs=(replace(doc.paragraphs[0], index=2**64), *doc.paragraphs[1:]))  # past 64 bits
    unwritable = replace(r, sources=(replace(r.sources[0], document=huge),))
    assert report_json_bytes(unwritable) == json_file_bytes(report_json(unwritable))
    assert _kept_sources(tmp_path) == []


_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.characters(blacklist_categories=())),  # lone surrogates among them
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=4),
    max_leaves=12,
)


def _written_lines(value: object) -> list[str]:
    """``value`` as either encoder of a results.jsonl line writes it (orjson's only where it can)."""
    import orjson

    lines = [json.dumps(value, ensure_ascii=False, separators=(",", ":"))]
    try:
        lines.append(orjson.dumps(value).decode("utf-8"))
    except (orjson.JSONEncodeError, TypeError):
        pass
    return lines


@given(_JSON_VALUES)
@example([2**64, -(2**63) - 1, 2**63 - 1])
@example({"a": 1, "b": -0.0, "c": 1e16, "d": 5e-324, "e": "\ud800\u2028\x7f\x00"})
def test_a_results_line_is_read_back_as_json_reads_it(value: object) -> None:
    from quoteverify.render.json import _read_back

    for line in [*_written_lines(value), '{"a":1,"a":2}', "[1E5,-0,1.0e2]", '["\\ud800"]', "[NaN]"]:
        # the same values of the same types, a float never for an integer
        assert json.dumps(_read_back(line)) == json.dumps(json.loads(line))


def test_report_json_has_the_documented_fields_and_types(result: CheckResult, data: dict) -> None:
    assert list(data)[:4] == ["schema", "case", "sources", "articles"]
    assert data["schema"] == "quoteverify/report@1"
    assert data["case"] == result.case
    assert [s["id"] for s in data["sources"]] == [s.document.id for s in result.sources]
    for s, info in zip(data["sources"], result.sources):
        assert list(s)[:3] == ["id", "title", "paragraphs"]
        assert s["title"] == info.document.title
        doc = info.document
        assert [(p["index"], p["text"]) for p in s["paragraphs"]] == [
            (p.index, doc.text[p.start : p.end]) for p in doc.paragraphs
        ]
    assert [a["id"] for a in data["articles"]] == [a.article.id for a in result.articles]
    for a, ar in zip(data["articles"], result.articles):
        assert list(a)[:7] == ["id", "outlet", "path", "sha256", "quotes", "coverage", "errors"]
        assert a["outlet"] == ar.article.outlet
        assert a["date"] == ar.article.date
        assert a["sha256"] == ar.article.sha256 and re.fullmatch(r"[0-9a-f]{64}", a["sha256"])
        assert a["errors"] == list(ar.errors)
        assert len(a["quotes"]) == len(ar.quotes)
        for q, qr in zip(a["quotes"], ar.quotes):
            assert list(q)[:10] == [
                "text", "spans", "attribution", "source", "source_span",
                "speaker", "source_speaker", "verdict", "reason", "variants",
            ]
            assert q["speaker"] == qr.speaker and q["source_speaker"] == qr.source_speaker
            assert q["reason"] == qr.reason and (q["reason"] is None) == (q["verdict"] != "unverified")
            assert q["text"] == qr.quotation.text
            assert all(isinstance(s, list) and len(s) == 2 and all(type(x) is int for x in s) for s in q["spans"])
            # the spans point into the original article text
            assert "\n".join(ar.article.text[s:e] for s, e in q["spans"]) == q["text"]
            assert q["attribution"] is None or isinstance(q["attribution"], str)
            assert q["verdict"] in VERDICTS and q["verdict"] == qr.verdict.value
            if qr.location is None:
                assert q["source"] is None and q["source_span"] is None and q["verdict"] == "unverified"
            else:
                assert q["source"] == qr.location.source
                assert q["source_span"] == list(qr.location.span)
            assert len(q["variants"]) == len(qr.variants)
            for v, vr in zip(q["variants"], qr.variants):
                assert list(v)[:4] == ["kind", "severity", "source_text", "quote_text"]
                assert v["kind"] in KINDS
                assert v["severity"] == SEVERITY[Kind(v["kind"])].value
                assert (v["source_text"], v["quote_text"]) == (vr.source_text, vr.quote_text)
        for c, cr in zip(a["coverage"], ar.coverage):
            assert c["source"] == cr.source
            for p, pr in zip(c["paragraphs"], cr.paragraphs):
                assert set(p) == {"index", "quoted"} and type(p["index"]) is int
                assert isinstance(p["quoted"], float) and 0.0 <= p["quoted"] <= 1.0
                assert p["quoted"] == round(pr.quoted, 4)


def _quote_entry_from_parts(q, anchor: str, paragraphs) -> dict:
    """A quotation's report.json entry built from the shared pieces, as it was before it was written out in one function."""
    from quoteverify.render.json import finding_json, quotation_json, touched_paragraphs, variant_json

    loc = q.location
    out = quotation_json(q.quotation)
    out.update(finding_json(q, variant_json))
    out["anchor"] = anchor
    span = q.quotation.attribution_span
    out["attribution_span"] = None if span is None else [int(span[0]), int(span[1])]
    out["segments"] = [{"kind": s.kind, "span": [s.start, s.end]} for s in q.quotation.segments]
    out["fragments"] = [
        {"quote_span": [int(f.quote_span[0]), int(f.quote_span[1])], "source_span": [int(f.source_span[0]), int(f.source_span[1])]}
        for f in (loc.fragments if loc else ())
    ]
    out["source_paragraphs"] = touched_paragraphs(q, paragraphs[loc.source]) if loc is not None and loc.source in paragraphs else []
    out["score"] = round(float(loc.share), 4) if loc else None
    out["invisible"] = q.invisible
    return out


@pytest.mark.parametrize("which", ["fixture", "seed case"])
def test_a_quotation_entry_is_its_parts_in_order(result: CheckResult, which: str) -> None:
    from quoteverify.render.json import _quote_json

    if which == "seed case":
        from quoteverify.run.calls import check

        result = check(Path(__file__).resolve().parent.parent / "corpus" / "seely-letter")
    paragraphs = {s.document.id: s.document.paragraphs_or_whole for s in result.sources}
    seen = 0
    for a in result.articles:
        for q, anchor in zip(a.quotes, quote_anchors(a)):
            entry = _quote_json(q, anchor, paragraphs)
            expected = _quote_entry_from_parts(q, anchor, paragraphs)
            assert list(entry) == list(expected) and entry == expected
            seen += 1
    assert seen


@pytest.mark.parametrize("make", [sample_result, hostile_case])
def test_report_json_totals_count_each_verdict(make) -> None:
    result = make()
    summary = report_json(result)["summary"]
    totals = {v.value: sum(a.count(v) for a in result.articles) for v in Verdict}
    assert list(summary)[2 : 2 + len(totals)] == list(totals)
    assert {k: summary[k] for k in totals} == totals
    assert sum(totals.values()) == summary["quotes"] > 0


@pytest.mark.parametrize("make", [sample_result, hostile_case])
def test_the_views_name_verdicts_kinds_and_severities_as_their_enums_do(make) -> None:
    """The views read the enums' names from tables made once: the same names, in the enums' order, as ``.value`` gives."""
    result = make()
    view = report_view(result)
    seen = 0
    for article, a in zip(result.articles, view.articles):
        assert a.worst == (article.worst.value if article.worst else "")
        present = {v.kind.value for q in article.quotes for v in q.variants}
        assert a.kinds == tuple(k.value for k in Kind if k.value in present)
        for q, qv in zip(article.quotes, a.quotes):
            assert qv.verdict == q.verdict.value
            assert qv.major == sum(1 for v in q.variants if v.severity is Severity.MAJOR)
            assert [(v.kind, v.severity) for v in qv.variants] == [(v.kind.value, v.severity.value) for v in q.variants]
            seen += len(q.variants)
    assert seen


def test_report_json_anchors_match_the_article_pages(result: CheckResult, data: dict, files: dict[str, bytes]) -> None:
    for a, ar in zip(data["articles"], result.articles):
        page = Page(article_page(files, result, ar.article.id))
        ids = [attrs.get("id") for _, attrs in page.tags]
        located = [q["anchor"] for q in a["quotes"] if q["source"] is not None]
        assert located == [f"q{i}" for i in range(1, len(located) + 1)]
        for q in a["quotes"]:
            assert q["anchor"] in ids
            block = next(attrs for _, attrs in page.tags if attrs.get("id") == q["anchor"])
            assert block.get("data-verdict") == q["verdict"]


def test_report_json_file_is_the_object_dumped(tmp_path: Path, result: CheckResult, data: dict) -> None:
    index = write_report(result, tmp_path)
    raw = (index.parent / "report.json").read_text(encoding="utf-8")
    assert raw == json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    assert json.loads(raw) == data
    assert "\\u" not in raw  # non-ASCII written as itself


# --------------------------------------------------------------------------- files and determinism


def test_write_report_writes_every_page(tmp_path: Path, result: CheckResult) -> None:
    index = write_report(result, tmp_path)
    root = tmp_path / result.case
    assert index == root / "index.html"
    names = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    slugs = unique_names([a.article.id for a in result.articles])
    assert names == sorted(
        ["index.html", "report.json", "quotations.csv", "annotations.jsonld"]
        + [f"articles/{s}.html" for s in slugs]
        + [f"sources/{safe_name(s.document.id)}.html" for s in result.sources]
        # a source quoted by two articles or more is rebuilt from their quotations, and linked from its page
        + [f"sources/{safe_name(s.document.id)}.rebuilt.html" for s in result.sources if quoted_by(result, s.document.id) >= 2]
    )
    for s in result.sources:
        page = (root / "sources" / f"{safe_name(s.document.id)}.html").read_text(encoding="utf-8")
        linked = f'href="../sources/{safe_name(s.document.id)}.rebuilt.html"' in page
        assert linked == (quoted_by(result, s.document.id) >= 2)


def quoted_by(result: CheckResult, source_id: str) -> int:
    return sum(1 for a in result.articles if any(q.location and q.location.source == source_id for q in a.quotes))


def test_two_writes_are_byte_identical(tmp_path: Path) -> None:
    first = write_report(sample_result(), tmp_path / "one").parent
    second = write_report(sample_result(), tmp_path / "two").parent
    again = write_report(sample_result(), tmp_path / "one").parent
    listing = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert listing == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for rel in listing:
        data = (first / rel).read_bytes()
        assert data == (second / rel).read_bytes() == (again / rel).read_bytes(), rel
        assert str(tmp_path).encode() not in data
    assert not [p for p in first.rglob("*") if p.name.endswith(".tmp")]


def test_no_absolute_path_is_reported(files: dict[str, bytes], data: dict) -> None:
    hostile = next(a for a in data["articles"] if a["id"] == HOSTILE_ID)
    assert hostile["path"] == HOSTILE_ID.rsplit("/", 1)[-1]
    for name, blob in files.items():
        assert b"/home/someone" not in blob, name


@pytest.mark.parametrize("case_id", [HOSTILE_ID, "../../x", "/etc/passwd", "..", "", "Ça va? \u202e", "a/../../b"])
def test_hostile_ids_stay_inside_the_output_directory(tmp_path: Path, case_id: str) -> None:
    out = tmp_path / "out"
    index = write_report(hostile_case(case_id), out)
    root = index.parent
    assert root.parent == out and root.name == safe_name(case_id)
    for p in tmp_path.rglob("*"):
        assert p.resolve().is_relative_to(out.resolve())
        if p.is_file():
            assert p.resolve().is_relative_to(root.resolve())


@given(st.text(max_size=80))
@example("../../x")
@example("..")
@example("CON")
@example("A")
@example("\u00e9t\u00e9 2020")
@example("prn")  # a name Windows reserves for a device: never a file's own name
def test_safe_name_is_a_plain_slug(ident: str) -> None:
    from quoteverify.render.views import _reserved

    name = safe_name(ident)
    assert re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name)
    assert len(name) <= 60 + 9
    assert safe_name(ident) == name
    plain = bool(re.fullmatch(r"[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?", ident) and len(ident) <= 60)
    assert (name == ident) == (plain and not _reserved(ident))


def test_safe_name_keeps_distinct_ids_apart() -> None:
    ids = ["a", "A", "a ", "a-", "../a", "a/", "\u00e1", "a_"]
    assert len({safe_name(i) for i in ids}) == len(ids)
    assert safe_name("straits-times-afp") == "straits-times-afp"
    assert safe_name("../../x y \u00e9").startswith("x-y-e-")


# --------------------------------------------------------------------------- escaping and CSP


def check_page_is_safe(html: str) -> Page:
    """The invariants every page keeps whatever its input: one own script, no handlers, nothing remote."""
    page = Page(html)
    # the readable sources of static/, minified (tests/test_browser.py runs the script in chromium)
    assert page.scripts == [rjsmin.jsmin((STATIC / "report.js").read_text(encoding="utf-8"))]
    assert page.styles == [rcssmin.cssmin((STATIC / "report.css").read_text(encoding="utf-8"))]
    assert len(page.all("script")) == 1 and len(page.all("style")) == 1
    for tag, attrs in page.tags:
        assert tag not in ("img", "iframe", "object", "embed", "svg", "base", "form"), tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name not in ("style", "src", "srcdoc", "formaction"), (tag, name)
            if name == "href":
                assert value is not None
                assert not re.match(r"(?i)\s*(javascript|data|vbscript):", value) or (tag, value) == (
                    "link",
                    "data:,",
                ), value
                if re.match(r"(?i)[a-z][a-z0-9+.-]*:", value):
                    assert tag == "a" and re.match(r"https?://", value) or tag == "link", value
    return page


def test_pages_have_a_csp_matching_their_own_inline_script_and_style(files: dict[str, bytes]) -> None:
    for name, html in html_pages(files).items():
        page = check_page_is_safe(html)
        metas = [m for m in page.all("meta") if (m.get("http-equiv") or "").lower() == "content-security-policy"]
        assert len(metas) == 1, name
        policy = {
            d.split()[0]: d.split()[1:] for d in (metas[0]["content"] or "").split(";") if d.strip()
        }
        assert policy["default-src"] == ["'none'"]
        assert policy["script-src"] == [f"'{sha256_source(page.scripts[0])}'"]
        assert policy["style-src"] == [f"'{sha256_source(page.styles[0])}'"]
        assert policy["img-src"] == ["data:"]
        # the policy comes before anything it governs
        assert html.index("Content-Security-Policy") < html.index("<style>") < html.index("<script>")


def test_the_inlined_style_and_script_are_the_sources_without_comments_or_indentation(files: dict[str, bytes]) -> None:
    page = Page(files["index.html"].decode("utf-8"))
    for inlined, source in ((page.styles[0], "report.css"), (page.scripts[0], "report.js")):
        text = (STATIC / source).read_text(encoding="utf-8")
        assert "/*" in text and "/*" not in inlined, source
        assert "\n  " in text and "\n " not in inlined, source
        assert len(inlined) < 0.9 * len(text), source


def test_hostile_strings_show_as_text(files: dict[str, bytes], result: CheckResult) -> None:
    for name, html in html_pages(files).items():
        for hostile in (HOSTILE_SCRIPT, HOSTILE_IMG, "<b onmouseover", "<svg onload"):
            assert hostile not in html, (name, hostile)
        assert html.count("</title>") == 1
        check_page_is_safe(html)
    page = Page(article_page(files, result, HOSTILE_ID))
    for hostile in (HOSTILE_SCRIPT, HOSTILE_IMG, HOSTILE_OUTLET, "<svg onload=alert(1)>", "<i>Officials</i> said"):
        assert hostile in page.data
    assert "javascript:" not in "".join(str(a.get("href")) for _, a in page.tags)
    notes = [a["data-note"] for _, a in page.tags if "data-note" in a]
    assert notes and HOSTILE_SCRIPT in notes[0] and notes[0].startswith(HOSTILE_OUTLET)


def test_hostile_case_title_and_id_are_escaped(files: dict[str, bytes]) -> None:
    pages = html_pages(render_report(hostile_case()))
    for html in pages.values():
        assert HOSTILE_SCRIPT not in html
        page = check_page_is_safe(html)
        assert HOSTILE_SCRIPT in page.data


def test_templates_escape_by_default_and_fail_on_undefined() -> None:
    env = environment()
    assert env.from_string("{{ x }}").render(x="<a>&'\"") == "&lt;a&gt;&amp;&#39;&#34;"
    assert env.get_template("base.html").environment.autoescape
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()


texts = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(quote=texts, outlet=texts, cue=texts, other=texts, title=texts, error=texts)
@example(quote=HOSTILE_SCRIPT, outlet=HOSTILE_IMG, cue="</q><script>", other="]]>", title="{{ 7*7 }}", error="&amp;")
@example(quote="0", outlet="0", cue="0", other="\r", title="0", error="0")
def test_any_text_is_escaped_everywhere(quote: str, outlet: str, cue: str, other: str, title: str, error: str) -> None:
    sources = sample_sources()
    src = sources[0].document
    source = document("s", "Intro. " + quote + " Outro.", title=title)
    text = "Said: \u201c" + quote + "\u201d and \u201c" + other + "\u201d.\n"
    b = ArticleBuilder(document("a", text, outlet=outlet, title=title, date=other, url=other, path=other))
    b.located(source, [quote], [(quote, quote)], attribution=cue)
    b.unverified(other, attribution=cue)
    articles = (b.result([source, src], errors=(error,)),)
    from quoteverify.models import SourceInfo

    result = CheckResult(title, title, (SourceInfo(source), *sources), articles)
    files = render_report(result)
    for name, html in html_pages(files).items():
        page = check_page_is_safe(html)
        if name.startswith("articles/"):
            data = page.data
            for s in (quote, outlet, cue, other, error):
                assert squash(s) in squash(data)
    rows = list(csv.reader(io.StringIO(files["quotations.csv"].decode("utf-8"), newline="")))
    assert len(rows) == 3
    assert [r[2] for r in rows[1:]] == [csv_cell(quote), csv_cell(other)]
    json.loads(files["report.json"])
    json.loads(files["annotations.jsonld"])


# --------------------------------------------------------------------------- index page


def _worst_first(result: CheckResult) -> list[tuple[int, list[int]]]:
    """Articles (by position) and their altered quotations (by position), worst change first, as the index ranks them."""
    ranked = []
    for ai, a in enumerate(result.articles):
        altered = sorted(
            (qi for qi, q in enumerate(a.quotes) if q.verdict is Verdict.ALTERED),
            key=lambda qi: tuple(-w for w in change_weight(a.quotes[qi])),
        )
        worst = tuple(-w for w in change_weight(a.quotes[altered[0]])) if altered else ()
        ranked.append(((not altered, worst, -len(altered), ai), ai, altered))
    return [(ai, altered) for _, ai, altered in sorted(ranked)]


def test_index_counts_each_outlet_worst_first(files: dict[str, bytes], result: CheckResult) -> None:
    html = files["index.html"].decode("utf-8")
    page = check_page_is_safe(html)
    assert result.title in page.data
    table = html[html.index('<table class="outlets">') : html.index("</table>", html.index('<table class="outlets">'))]
    rows = re.findall(r'<tr(?: class="has-altered")?>\s*<th scope="row"><a href="(articles/[^"]+)">(.*?)</tr>', table, re.S)
    slugs = unique_names([a.article.id for a in result.articles])
    order = [ai for ai, _ in _worst_first(result)]
    assert [href for href, _ in rows] == [f"articles/{slugs[ai]}.html" for ai in order]
    columns = re.findall(r'<th scope="col" class="num"><span class="verdict v-(\w+)"', table)
    assert columns[:2] == ["misattributed", "altered"] and sorted(columns) == sorted(v.value for v in Verdict)
    for (_, row), ai in zip(rows, order):
        a = result.articles[ai]
        numbers = [int(n) for n in re.findall(r'<td class="num[^"]*">(\d+)</td>', row)]
        assert numbers == [*(a.count(Verdict(v)) for v in columns), len(a.errors)]


def test_index_lists_altered_quotations_by_outlet_worst_first(files: dict[str, bytes], result: CheckResult) -> None:
    html = files["index.html"].decode("utf-8")
    listed = re.findall(r'<a class="aq-link" href="([^"]+)">', html)
    slugs = unique_names([a.article.id for a in result.articles])
    expected = []
    for ai, altered in _worst_first(result):
        anchors = quote_anchors(result.articles[ai])
        expected += [f"articles/{slugs[ai]}.html#{anchors[qi]}" for qi in altered]
    assert listed == expected
    assert len(listed) == result.altered


def test_coverage_matrix_shades_and_marks_cells(files: dict[str, bytes], result: CheckResult) -> None:
    html = files["index.html"].decode("utf-8")
    table = html[html.index('<table class="matrix">') : html.index("</table>", html.index('<table class="matrix">'))]
    rows = re.findall(r"<tr>\s*<th scope=\"row\">.*?</tr>", table, re.S)
    assert len(rows) == len(result.articles)
    for row, a in zip(rows, result.articles):
        cells = re.findall(r'<td class="cov ([^"]*)">(.*?)</td>', row, re.S)
        coverage = {p.index: p.quoted for p in a.coverage[0].paragraphs} if a.coverage else {}
        assert len(cells) == len(result.sources[0].document.paragraphs)
        for index, (classes, content) in enumerate(cells):
            quoted = coverage.get(index, 0.0)
            if quoted > 0:
                assert f"cov-{coverage_shade(quoted)}" in classes.split()
                assert re.search(r">(\d+|<1|>99)%<", content.replace("&lt;", "<").replace("&gt;", ">"))
            elif "cov-none" in classes:
                assert "not quoted" in content
    # the altered quotation of paragraph 1 marks the gazette's cell as altered, with a label, not colour alone
    gazette = rows[0]
    cell = re.findall(r'<td class="cov ([^"]*)">(.*?)</td>', gazette, re.S)[1]
    assert "w-altered" in cell[0] and "worst: altered" in cell[1]
    # a paragraph nobody quotes is visibly empty
    assert all('cov-none' in c for c in re.findall(r'<td class="cov [^"]*">', rows[-1]))


def test_index_lists_errors(files: dict[str, bytes], result: CheckResult) -> None:
    data = Page(files["index.html"].decode("utf-8")).data
    for a in result.articles:
        for e in a.errors:
            assert e in data


# --------------------------------------------------------------------------- article pages


def quote_result(result: CheckResult, article_id: str, anchor: str):
    a = next(a for a in result.articles if a.article.id == article_id)
    return a, a.quotes[quote_anchors(a).index(anchor)]


def test_inline_diff_rebuilds_the_quotation_and_the_passage(files: dict[str, bytes], result: CheckResult) -> None:
    sources = {s.document.id: s.document for s in result.sources}
    checked = 0
    for a in result.articles:
        html = article_page(files, result, a.article.id)
        for q, anchor in zip(a.quotes, quote_anchors(a)):
            if q.location is None:
                continue
            quoted = squash(" ".join(a.article.text[s:e] for s, e in q.quotation.spans))
            passage = squash(sources[q.location.source].text[q.location.span[0] : q.location.span[1]])
            ignore = {"tag", "sr", "caret", "more"}
            if q.verdict is Verdict.VERBATIM and not q.variants:  # shown as printed, no diff: nothing to mark
                assert Region(html, anchor, "verbatim-text", ignore | {"del"}).text == quoted
                assert Region(html, anchor, "inline", set()).found == 0
                checked += 1
                continue
            assert Region(html, anchor, "inline", ignore | {"del"}).text == quoted
            assert Region(html, anchor, "qtext", ignore | {"del"}).text == quoted
            assert Region(html, anchor, "stext", ignore | {"ins"}).text == passage
            # the inline diff follows the quotation's spacing, so only the words are compared
            source_words = Region(html, anchor, "inline", ignore | {"ins", "mk"}).text
            assert source_words.replace(" ", "") == passage.replace(" ", "")
            checked += 1
    assert checked == sum(1 for a in result.articles for q in a.quotes if q.location)


word_lists = st.lists(
    st.sampled_from(["alpha", "beta", "gamma", "Alpha", "\u00e9p\u00e9e", ",", ".", "[x]", "...", "<b>", "&amp;"]),
    min_size=1,
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(source_words=word_lists, quote_words=word_lists)
@example(source_words=["alpha", "beta"], quote_words=["beta", "alpha"])
@example(source_words=["alpha"], quote_words=["[x]", "alpha", "..."])
def test_any_alignment_rebuilds_both_texts(source_words: list[str], quote_words: list[str]) -> None:
    source_text, quote_text = " ".join(source_words), " ".join(quote_words)
    source = document("s", "\u2014 " + source_text + " \u2014", title="S")
    b = ArticleBuilder(document("a", '\u2014 "' + quote_text + '" \u2014', outlet="O"))
    b.located(source, [quote_text], [(quote_text, source_text)])
    from quoteverify.models import SourceInfo

    result = CheckResult("c", "C", (SourceInfo(source),), (b.result([source]),))
    html = render_report(result)["articles/a.html"].decode("utf-8")
    check_page_is_safe(html)
    ignore = {"tag", "sr", "caret", "more"}
    assert Region(html, "q1", "qtext", ignore | {"del"}).text == squash(quote_text)
    if not result.articles[0].quotes[0].variants:  # verbatim: shown as printed, without a diff
        assert Region(html, "q1", "inline", set()).found == 0
        return
    assert Region(html, "q1", "inline", ignore | {"del"}).text == squash(quote_text)
    assert Region(html, "q1", "stext", ignore | {"ins"}).text == squash(source_text)
    rebuilt = Region(html, "q1", "inline", ignore | {"ins", "mk"}).text.replace(" ", "")
    assert rebuilt == source_text.replace(" ", "")


def test_each_change_is_labelled_with_its_variant(files: dict[str, bytes], result: CheckResult) -> None:
    html = article_page(files, result, "gazette")
    block = html[html.index('id="q3"') : html.index("</article>", html.index('id="q3"'))]
    inline = block[block.index('class="inline"') :]
    assert re.search(r"<del>.*every twenty minutes.*?</del><span class=\"tag sev-major\">omission · major</span>", inline)
    assert re.search(r"<ins>.*of the city.*?</ins><span class=\"tag sev-major\">insertion · major</span>", inline)
    # an elision shows the cut words as an acceptable cut
    block = html[html.index('id="q4"') : html.index("</article>", html.index('id="q4"'))]
    assert re.search(r'<span class="mk">\.\.\.</span><del class="cut">.*over the course of the coming weeks', block)
    assert "elision · acceptable" in block
    # an interpolation is labelled acceptable
    block = html[html.index('id="q5"') : html.index("</article>", html.index('id="q5"'))]
    assert "interpolation · acceptable" in block
    # a homoglyph aligned as a replacement, a case change aligned as equal: both flagged
    courier = article_page(files, result, "courier")
    assert "homoglyph · major" in courier and "U+0456" in courier
    assert re.search(r'<mark class="flag">Will</mark>', courier) and "case · minor" in courier


def test_variant_chips_have_anchors(files: dict[str, bytes], result: CheckResult) -> None:
    for a in result.articles:
        page = Page(article_page(files, result, a.article.id))
        ids = {attrs.get("id") for _, attrs in page.tags}
        for q, anchor in zip(a.quotes, quote_anchors(a)):
            for k in range(len(q.variants) if q.location else 0):
                assert f"{anchor}-v{k + 1}" in ids


def test_multi_paragraph_quotation_keeps_its_paragraph_break(files: dict[str, bytes], result: CheckResult) -> None:
    html = article_page(files, result, "gazette")
    block = html[html.index('id="q6"') : html.index("</article>", html.index('id="q6"'))]
    assert "[new paragraph]" in block
    assert "north bridge at dusk" not in block  # the caption between the paragraphs is not part of it


def test_correction_notes(files: dict[str, bytes], result: CheckResult) -> None:
    html = article_page(files, result, "gazette")
    page = Page(html)
    notes = {}
    current = None
    for tag, attrs in page.tags:
        if tag == "article" and attrs.get("id"):
            current = attrs["id"]
        if "data-note" in attrs:
            notes[current] = attrs["data-note"]
    a = next(a for a in result.articles if a.article.id == "gazette")
    expected = {
        anchor
        for q, anchor in zip(a.quotes, quote_anchors(a))
        if q.verdict in (Verdict.ALTERED, Verdict.FAITHFUL) and any(v.severity.value != "acceptable" for v in q.variants)
    }
    assert set(notes) == expected
    title = result.sources[0].document.title
    note = notes["q3"]
    assert note.startswith('The Harbour Gazette quotes "... ') and f"where the source ({title}) reads" in note
    assert "every twenty minutes" in note and "of the city" in note
    # the same sentence is in the page as text, for readers without script
    assert note in page.data


def test_article_text_highlights_quotations_and_skipped_text(files: dict[str, bytes], result: CheckResult) -> None:
    html = article_page(files, result, "gazette")
    a = next(a for a in result.articles if a.article.id == "gazette")
    text = html[html.index('<div class="article-text">') :]
    marks = re.findall(r'<mark class="qmark v-(\w+)"(?: id="t-(\w+)")?><a href="#(\w+)">', text)
    anchors = quote_anchors(a)
    firsts = [m[1] for m in marks if m[1]]
    assert firsts == anchors
    for verdict, _, href in marks:
        assert a.quotes[anchors.index(href)].verdict.value == verdict
    skipped = re.findall(r'<span class="skipped">(?:<span class="skiplabel">skipped</span>)?([^<]*)</span>', text)
    assert [s.replace("&#34;", '"') for s in skipped] == [a.article.text[s:e] for s, e in a.article.skipped]
    # the whole article text is there, in order
    region = Page(text[: text.index("</div>")]).data
    assert re.sub(r"skipped|[\u2248\u2260=?]|[qu]\d+|\((verbatim|faithful|altered|unverified)\)", "", region).replace(" ", "") == a.article.text.replace(" ", "")


def test_unverified_quotations_are_listed_apart(files: dict[str, bytes], result: CheckResult) -> None:
    html = article_page(files, result, "gazette")
    others = html[html.index('id="others-h"') :]
    others = others[: others.index("</section>")]
    assert "We will not comment on the cost," in others and "a council spokesman said" in others
    assert 'id="u1"' in others and 'data-verdict="unverified"' in others


def test_article_page_shows_its_facts(files: dict[str, bytes], result: CheckResult) -> None:
    a = result.articles[0].article
    data = Page(article_page(files, result, a.id)).data
    for value in (a.outlet, a.date, a.path, a.sha256, a.url):
        assert value in data


def test_article_with_an_error_shows_it(files: dict[str, bytes], result: CheckResult) -> None:
    data = Page(article_page(files, result, "wire")).data
    assert "cannot decode bytes" in data


# --------------------------------------------------------------------------- source page


def test_source_page_shows_paragraphs_quoters_and_provenance(files: dict[str, bytes], result: CheckResult) -> None:
    info = result.sources[0]
    html = files[f"sources/{safe_name(info.document.id)}.html"].decode("utf-8")
    page = check_page_is_safe(html)
    data = squash(page.data)
    for p in info.document.paragraphs:
        assert f'id="p{p.index}"' in html
        assert squash(info.document.paragraph_text(p.index)) in data
    assert squash(info.provenance.method) in data
    for c in info.provenance.choices:
        assert c.reason in data and c.chosen.text in data
    for c in info.provenance.unplaced:
        assert c.chosen.text in data
    # paragraph 1 is quoted by the gazette (altered) and the courier
    para = html[html.index('id="p1"') : html.index('id="p2"')]
    assert "The Harbour Gazette" in para and "The Courier" in para and "verdict v-altered" in para
    # paragraph 4 is quoted by nobody
    para = html[html.index('id="p4"') :]
    assert "Not quoted" in para


# --------------------------------------------------------------------------- exports


def test_quotations_csv(files: dict[str, bytes], result: CheckResult) -> None:
    rows = list(csv.reader(io.StringIO(files["quotations.csv"].decode("utf-8"), newline="")))
    assert rows[0][:8] == ["article", "outlet", "quotation", "verdict", "variants", "source", "source_passage", "attribution"]
    body = rows[1:]
    expected = [(a, q) for a in result.articles for q in a.quotes]
    assert len(body) == len(expected)
    sources = {s.document.id: s.document for s in result.sources}
    for row, (a, q) in zip(body, expected):
        assert row[0] == a.article.id and row[1] == a.article.outlet
        assert row[2] == q.quotation.text and row[3] == q.verdict.value
        assert row[4] == "; ".join(f"{v.kind.value}: {v.source_text} -> {v.quote_text}" for v in q.variants)
        if q.location:
            assert row[5] == q.location.source
            assert row[6] == sources[q.location.source].text[q.location.span[0] : q.location.span[1]]
        else:
            assert row[5] == row[6] == ""
        assert row[7] == (q.quotation.attribution or "")


def test_csv_cells_never_start_a_formula() -> None:
    assert csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert csv_cell("@SUM") == "'@SUM"
    assert csv_cell("plain") == "plain"


csv_texts = st.text(st.sampled_from('ab ,"\r\n\t\'=\u00e9\u201c\x00'), max_size=12)


@given(st.lists(csv_texts, max_size=5))
@example([""])
@example(["", ""])
@example([])
def test_csv_lines_are_written_as_the_csv_module_writes_them(cells: list[str]) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(cells)
    assert _csv_line(cells) == buf.getvalue()


formula_texts = st.builds(
    lambda start, rest: start + rest, st.sampled_from(("", "=", "+", "-", "@", "\t", "\r")), texts
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(article_id=formula_texts, outlet=formula_texts, quote=formula_texts, cue=formula_texts, case_id=formula_texts)
def test_exports_match_their_plain_forms(article_id: str, outlet: str, quote: str, cue: str, case_id: str) -> None:
    """Each CSV cell is csv_cell of its plain value; each annotation's IRIs are the URNs of its article, anchor and source."""
    source = document("s", "Intro. " + quote + " Outro.")
    b = ArticleBuilder(document(article_id, "Said: \u201c" + quote + "\u201d and \u201cnot found\u201d.\n", outlet=outlet))
    b.located(source, [quote], [(quote, quote)], attribution=cue)
    b.unverified("not found", attribution=cue)
    from quoteverify.models import SourceInfo

    result = CheckResult(case_id, "", (SourceInfo(source),), (b.result([source]),))
    docs = {source.id: source}
    rows = list(csv.reader(io.StringIO(quotations_csv(result), newline="")))
    expected = [
        [csv_cell(c) for c in _csv_row(a, q, anchor, docs)] for a in result.articles for q, anchor in zip(a.quotes, quote_anchors(a))
    ]
    assert rows[1:] == expected
    items = annotations_jsonld(result)["first"]["items"]
    assert [i["id"] for i in items] == [_urn(case_id, "article", article_id, "q1")]
    assert [t["source"] for t in items[0]["target"]] == [_urn(case_id, "article", article_id), _urn(case_id, "source", "s")]


def test_annotations_jsonld(files: dict[str, bytes], result: CheckResult) -> None:
    doc = json.loads(files["annotations.jsonld"])
    assert doc["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert doc["type"] == "AnnotationCollection"
    items = doc["first"]["items"]
    located = [(a, q) for a in result.articles for q in a.quotes if q.location]
    assert doc["total"] == len(items) == len(located)
    sources = {s.document.id: s.document for s in result.sources}
    for item, (a, q) in zip(items, located):
        assert item["type"] == "Annotation" and item["motivation"] == "assessing"
        assert {"type": "TextualBody", "purpose": "tagging", "value": q.verdict.value} in item["body"]
        targets = item["target"]
        assert len(targets) == len(q.quotation.spans) + len(q.location.fragments)
        for target in targets:
            text = a.article.text if ":article:" in target["source"] else sources[q.location.source].text
            quote_sel, pos_sel = target["selector"]
            assert quote_sel["type"] == "TextQuoteSelector" and pos_sel["type"] == "TextPositionSelector"
            s, e = pos_sel["start"], pos_sel["end"]
            assert text[s:e] == quote_sel["exact"]
            assert text[max(0, s - 32) : s] == quote_sel["prefix"]
            assert text[e : e + 32] == quote_sel["suffix"]
        assert [t["selector"][1]["start"] for t in targets[: len(q.quotation.spans)]] == [s for s, _ in q.quotation.spans]


# --------------------------------------------------------------------------- style


def _luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_colour_pairs_meet_wcag_aa() -> None:
    css = (STATIC / "report.css").read_text(encoding="utf-8")
    pairs = 0
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        fg = re.search(r"(?:^|;)\s*color:\s*(#[0-9a-fA-F]{3,6})\b", body)
        bg = re.search(r"background-color:\s*(#[0-9a-fA-F]{3,6})\b", body)
        if not fg:
            continue
        back = bg.group(1) if bg else "#ffffff"
        hi, lo = sorted((_luminance(fg.group(1)), _luminance(back)), reverse=True)
        assert (hi + 0.05) / (lo + 0.05) >= 4.5, (selector.strip(), fg.group(1), back)
        pairs += 1
    assert pairs > 20


def test_static_assets_load_nothing() -> None:
    for name in ("report.css", "report.js"):
        text = (STATIC / name).read_text(encoding="utf-8")
        assert "http:" not in text and "https:" not in text and "@import" not in text and "url(" not in text
    js = (STATIC / "report.js").read_text(encoding="utf-8")
    assert "innerHTML" not in js and "eval(" not in js and "Function(" not in js


def test_report_json_validates_against_the_shipped_schema(data: dict) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((Path(quoteverify.__file__).parent / "schema" / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(data)


# --------------------------------------------------------------------------- JSON written by orjson

_json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda x: round(x, 4))
    | st.text()
)
_json_values = st.recursive(
    _json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(_json_values)
@example({"a": [], "b": {}, "c": 0.0001, "d": "\u2028\x7f\x00\"\\", "e": -0.0})
@example({"t": "\ud800"})  # a lone surrogate: orjson refuses it, json writes it
def test_report_files_are_the_bytes_json_dumps_writes(value: object) -> None:
    from quoteverify.render.json import json_file_bytes

    try:
        expected = (json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode("utf-8")
    except UnicodeEncodeError:
        with pytest.raises(UnicodeEncodeError):
            json_file_bytes(value)
        return
    assert json_file_bytes(value) == expected


def test_results_lines_are_the_compact_json_of_the_report_entry() -> None:
    from quoteverify.render.json import article_json, results_line

    result = hostile_case()
    paragraphs = {s.document.id: s.document.paragraphs_or_whole for s in result.sources}
    for a in result.articles:
        entry = article_json(a, paragraphs)
        assert results_line(a, paragraphs) == json.dumps(entry, ensure_ascii=False, separators=(",", ":"))


def _quote_entry_plainly(q, anchor, paragraphs):
    """A quotation's report.json entry as the shared functions write its parts, one after the other."""
    from quoteverify.render.json import _round, _span, finding_json, quotation_json, touched_paragraphs, variant_words_json

    out = finding_json(q, lambda v: {**variant_words_json(v), "source_span": _span(v.source_span),
                                     "quote_span": _span(v.quote_span), "meaning": list(v.meaning)}, into=quotation_json(q.quotation))
    out["anchor"] = anchor
    out["attribution_span"] = _span(q.quotation.attribution_span)
    out["segments"] = [{"kind": s.kind, "span": [s.start, s.end]} for s in q.quotation.segments]
    loc = q.location
    out["fragments"] = [] if loc is None else [{"quote_span": _span(f.quote_span), "source_span": _span(f.source_span)} for f in loc.fragments]
    out["source_paragraphs"] = [] if loc is None or loc.source not in paragraphs else touched_paragraphs(q, paragraphs[loc.source])
    out["score"] = None if loc is None else _round(loc.share)
    out["invisible"] = q.invisible
    return out


def test_a_quotations_entry_is_the_shared_functions_fields_in_their_order() -> None:
    """Each quotation's entry, made as one dictionary, holds what the functions ``extract`` and ``locate`` share write, key for key and in order."""
    import numpy as np

    from quoteverify.render.json import _quote_json
    from quoteverify.run.calls import check

    seed = check(Path(__file__).resolve().parent.parent / "corpus" / "seely-letter")
    for result in (hostile_case(), seed):
        paragraphs = {s.document.id: s.document.paragraphs_or_whole for s in result.sources}
        quotes = [q for a in result.articles for q in a.quotes]
        assert any(q.location is None for q in quotes) and any(q.location is not None for q in quotes)
        for q in quotes:
            # the same with the integers of its spans numpy's, as an index may give them
            wide = replace(q, quotation=replace(q.quotation, spans=tuple((np.int64(a), np.int64(b)) for a, b in q.quotation.spans)))
            if q.location is not None:
                a, b = q.location.span
                wide = replace(wide, location=replace(q.location, span=(np.int64(a), np.int64(b))))
            for one in (q, wide):
                entry, plain = _quote_json(one, "q1", paragraphs), _quote_entry_plainly(one, "q1", paragraphs)
                assert list(entry.items()) == list(plain.items())
                assert json.dumps(entry) == json.dumps(plain)


def test_report_json_reads_its_entries_from_the_lines_given() -> None:
    from quoteverify.render.json import article_json, results_line

    result = hostile_case()
    paragraphs = {s.document.id: s.document.paragraphs_or_whole for s in result.sources}
    built = report_json(result)
    lines = [results_line(a, paragraphs) for a in result.articles]
    assert json_file_bytes(report_json(result, lines)) == json_file_bytes(built)
    # the entry is the line's: a line that says otherwise shows through
    first = result.articles[0]
    lines[0] = json.dumps({**article_json(first, paragraphs), "id": "from the line"})
    assert report_json(result, lines)["articles"][0]["id"] == "from the line"
    # lines missing for some article: every entry is built
    assert report_json(result, ["", *lines[1:]]) == built
    assert report_json(result, lines[1:]) == built


# --------------------------------------------------------------------------- paragraphs a quotation touches


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=30), min_size=1, max_size=40),
    st.lists(st.tuples(st.integers(min_value=0, max_value=700), st.integers(min_value=0, max_value=60)), min_size=1, max_size=4),
    st.booleans(),
)
def test_touched_paragraphs_by_bisection_are_those_a_scan_finds(lengths: list[int], spans: list[tuple[int, int]], whole: bool) -> None:
    """By fragments, or by the passage's one span (``whole``): the paragraphs a scan of all finds."""
    from types import SimpleNamespace

    from quoteverify.models import Paragraph, spans_overlap
    from quoteverify.render.json import touched_paragraphs

    paragraphs, pos = [], 0
    for k, n in enumerate(lengths):
        paragraphs.append(Paragraph(k, pos, pos + n))
        pos += n + 2
    fragments = tuple(SimpleNamespace(source_span=(s, s + n)) for s, n in spans)
    location = SimpleNamespace(fragments=() if whole else fragments, span=fragments[0].source_span)
    q = SimpleNamespace(location=location)
    scan = [p.index for p in paragraphs if any(spans_overlap((p.start, p.end), f.source_span) for f in fragments[: 1 if whole else None])]
    assert touched_paragraphs(q, tuple(paragraphs)) == scan  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=0, max_value=50), st.integers(min_value=0, max_value=20)), max_size=12))
def test_paragraph_ends_are_given_only_for_paragraphs_in_order_and_apart(bounds: list[tuple[int, int]]) -> None:
    """The ends of paragraphs each starting at or after the end of the one before; None for any others."""
    from quoteverify.models import Paragraph
    from quoteverify.render.json import _paragraph_ends

    paragraphs = tuple(Paragraph(k, s, s + n) for k, (s, n) in enumerate(bounds))
    apart = not any(a.end > b.start for a, b in zip(paragraphs, paragraphs[1:]))
    expected = [p.end for p in paragraphs] if apart else None
    assert _paragraph_ends(paragraphs) == expected
    assert _paragraph_ends(paragraphs) == expected  # remembered


# --------------------------------------------------------------------------- archives: pages linear in what was found


def _archive_result(n_sources: int = 40, n_articles: int = 12, unquoted: int = 0):
    """A case past ALL_SOURCES sources, each article quoting one or two of them (one altered quotation each)."""
    import random

    from quoteverify.ingest import document_from_text
    from quoteverify.models import ArticleRef, SourceInfo
    from quoteverify.run import check_articles

    rng = random.Random(3)
    words = "river stone lantern orchard violet harbour meadow copper falcon thistle ember willow".split()
    sources = []
    for k in range(n_sources):
        paras = [" ".join(rng.choice(words) for _ in range(12)) + f" source{k}para{p}." for p in range(6)]
        sources.append(SourceInfo(document_from_text("\n\n".join(paras) + "\n", id=f"s{k:02d}", role="source")))
    refs = []
    for a in range(n_articles):
        src = sources[(a * 7) % n_sources].document
        para = src.text[src.paragraphs[2].start : src.paragraphs[2].end]
        altered = para.replace(para.split()[3], "thunder", 1)
        text = f"The mayor said: \u201c{para}\u201d\n\nLater she added \u201c{altered}\u201d to reporters.\n"
        refs.append(ArticleRef(f"a{a:02d}", f"a{a:02d}.txt", outlet=f"Outlet {a % 3}", data=text.encode()))
    for k in range(unquoted):
        text = "\n\n".join(f"Unrelated filler number {k} paragraph {p} about nothing." for p in range(30)) + "\n"
        sources.append(SourceInfo(document_from_text(text, id=f"z{k:03d}", role="source")))
    return check_articles(sources, refs, case_id="archive")


def test_an_archive_report_draws_what_was_found_not_articles_by_paragraphs(monkeypatch) -> None:
    from quoteverify.render import views

    result = _archive_result()
    scale = views.report_scale(result)
    assert not scale.all_sources and not scale.matrix
    monkeypatch.setattr(views, "INDEX_ALTERED", 5)
    files = render_report(result)
    index = files["index.html"].decode("utf-8")
    assert 'class="matrix"' not in index and "by-source" in index
    quoted = {q.location.source for a in result.articles for q in a.quotes if q.location is not None}
    sources_written = {k for k in files if k.startswith("sources/")}
    assert len(sources_written) == len(quoted) < len(result.sources)
    assert "The worst 5 of" in index
    for a in result.articles:
        page = files[f"articles/{safe_name(a.article.id)}.html"].decode("utf-8")
        mine = {q.location.source for q in a.quotes if q.location is not None}
        assert page.count('id="acov-cap-') == len(mine)
        assert 'class="cov cov-none"' not in page  # only the paragraphs it quotes
    # every link from a page to a source page names a page that was written
    for body in files.values():
        for href in re.findall(r'href="(?:\.\./)?(sources/[^"#]+)', body.decode("utf-8", "replace")):
            assert href in sources_written


def test_an_archive_report_does_not_grow_with_unquoted_sources() -> None:
    small = render_report(_archive_result())
    large = render_report(_archive_result(unquoted=200))
    pages = [k for k in small if k.startswith("articles/")]
    assert pages and all(large[name] == small[name] for name in pages)
    assert 0 < len(large["index.html"]) - len(small["index.html"]) < 20  # "240 sources" for "40 sources"
    assert set(large) == set(small)


def test_the_summary_per_source_keeps_the_most_quoted_when_it_is_capped(monkeypatch) -> None:
    from quoteverify.render import views

    result = _archive_result(n_articles=20)
    every = views.report_view(result).source_summary
    monkeypatch.setattr(views, "INDEX_SOURCES", 3)
    view = views.report_view(result)
    assert len(view.source_summary) == 3 < len(every) == len(view.source_pages)
    kept = {row.source.id for row in view.source_summary}
    dropped = [row.quotes for row in every if row.source.id not in kept]
    assert min(row.quotes for row in view.source_summary) >= max(dropped)
    assert [row.source.id for row in view.source_summary] == [row.source.id for row in every if row.source.id in kept]
    index = render_report(result)["index.html"].decode("utf-8")
    assert "The 3 sources quoted most" in index


def test_an_archive_index_sums_up_each_outlet_worst_first() -> None:
    from quoteverify.models import Tally
    from quoteverify.render.views import report_view

    result = _archive_result()
    view = report_view(result)
    rows = {o.outlet: o for o in view.outlet_summary}
    assert set(rows) == {a.article.outlet for a in result.articles}
    for name, o in rows.items():
        mine = [a for a in result.articles if a.article.outlet == name]
        assert o.articles == len(mine)
        assert o.counts.altered == sum(a.count(Verdict.ALTERED) for a in mine)
        assert o.counts.verbatim == sum(a.count(Verdict.VERBATIM) for a in mine)
        worst = [q for a in view.articles if a.doc.outlet == name for q in a.quotes if q.verdict == "altered"]
        assert o.worst is not None and o.worst.weight == max(q.weight for q in worst)
    # counts given for the whole run win over the report's articles; the largest share altered comes first
    tallies = [
        ("Outlet 0", Tally(articles=10, quotes=10, verbatim=9, altered=1)),
        ("Outlet 1", Tally(articles=10, quotes=10, verbatim=5, altered=5)),
        ("Nobody", Tally(articles=4, quotes=4, unverified=4)),
    ]
    summary = report_view(result, tallies).outlet_summary
    assert [o.outlet for o in summary] == ["Outlet 1", "Outlet 0", "Nobody"]
    assert [o.share for o in summary] == ["50%", "10%", "\u2014"]
    assert summary[2].worst is None and report_view(result, tallies).run_articles == 24
    index = render_report(result, tallies)["index.html"].decode("utf-8")
    assert 'id="by-outlet-h"' in index and "over all 24 articles" in index
    assert index.index("Outlet 1") < index.index("Outlet 0</th>")


def test_a_small_report_has_its_matrix_and_no_outlet_table(result: CheckResult, files: dict[str, bytes]) -> None:
    assert 'class="matrix"' in files["index.html"].decode("utf-8")
    assert 'id="by-outlet-h"' not in files["index.html"].decode("utf-8")


def test_writing_a_report_puts_the_collector_thresholds_back(tmp_path: Path) -> None:
    import gc

    before = gc.get_threshold()
    gc.collect()
    frozen = gc.get_freeze_count()
    write_report(sample_result(), tmp_path)
    render_report(sample_result())
    assert gc.get_threshold() == before
    # the views, built with the collector paused and frozen, are given back with the rest
    assert gc.isenabled() and gc.get_freeze_count() == frozen


def test_a_staged_report_writes_the_same_files_straight(tmp_path: Path) -> None:
    atomic = write_report(sample_result(), tmp_path / "atomic").parent
    staged = write_report(sample_result(), tmp_path / "staged", staged=True).parent
    files = sorted(p.relative_to(atomic) for p in atomic.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(staged) for p in staged.rglob("*") if p.is_file())
    assert all((atomic / f).read_bytes() == (staged / f).read_bytes() for f in files)
    # a link where a page goes is not followed
    (tmp_path / "elsewhere").write_text("kept", encoding="utf-8")
    (staged / "index.html").unlink()
    (staged / "index.html").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(InputError, match="index.html"):
        write_report(sample_result(), tmp_path / "staged", staged=True)
    assert (tmp_path / "elsewhere").read_text(encoding="utf-8") == "kept"


def test_a_page_written_straight_in_short_writes_is_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page written by the descriptor is written whole when the system takes a few bytes at a time, as a file object writes it."""
    data = "".join(f"page {n} \u2248 " for n in range(5_000)).encode("utf-8")
    plain = tmp_path / "plain.html"
    with open(plain, "wb") as fh:
        fh.write(data)
    write = os.write
    monkeypatch.setattr(os, "write", lambda fd, chunk: write(fd, bytes(chunk[:4099])))
    straight = tmp_path / "straight.html"
    straight.write_bytes(b"an older and longer page" * 10_000)
    _write_straight(str(straight), data)
    assert straight.read_bytes() == plain.read_bytes() == data
    monkeypatch.setattr(os, "write", lambda fd, chunk: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    with pytest.raises(InputError, match="No space left"):
        _write_straight(str(straight), data)


def test_files_are_written_in_order_and_a_fault_stops_the_report(tmp_path: Path) -> None:
    expected = list(render_report(sample_result()))
    seen: list[str] = []

    def hashed(rel: str, data: bytes) -> None:
        seen.append(rel)

    write_report(sample_result(), tmp_path / "whole", staged=True, on_write=hashed)
    assert seen == expected and len(expected) > 4
    seen.clear()

    def full_on_third(rel: str, data: bytes) -> None:
        seen.append(rel)
        if len(seen) == 3:
            raise InputError(rel, "cannot write: no space left on device")

    with pytest.raises(InputError, match="no space left"):
        write_report(sample_result(), tmp_path / "full", staged=True, on_write=full_on_third)
    assert seen == expected[:3]  # nothing is written after the fault


def test_a_fault_flushing_a_durable_file_of_a_staged_report_is_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from quoteverify.render import html

    real = html.write_atomic

    def full_disk(path: str | Path, data: bytes | str, **kw: bool) -> Path:
        if Path(path).name == "report.json":
            raise InputError(str(path), "cannot write: no space left on device")
        return real(path, data, **kw)

    monkeypatch.setattr(html, "write_atomic", full_disk)
    with pytest.raises(InputError, match="report.json: cannot write: no space left"):
        write_report(sample_result(), tmp_path / "full", staged=True)
    monkeypatch.setattr(html, "write_atomic", real)
    written = write_report(sample_result(), tmp_path / "whole", staged=True).parent
    assert json.loads((written / "report.json").read_bytes()) == report_json(sample_result())


# --------------------------------------------------------------------------- paths as reported


def _portable_path_by_pure_paths(path: str) -> str:
    from pathlib import PurePosixPath, PureWindowsPath

    if PurePosixPath(path).is_absolute() or PureWindowsPath(path).is_absolute():
        return PureWindowsPath(path).name if "\\" in path else PurePosixPath(path).name
    return path.replace("\\", "/")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="/\\:Cc.a ?", min_size=1, max_size=12))
@example("C:\\x\\a.txt")
@example("//server/share/a.txt")
@example("\\\\?\\C:\\a")
@example("a\\b.txt")
def test_portable_path_is_what_the_pure_paths_make_of_it(path: str) -> None:
    """The shortcut for a path with neither drive nor root gives what asking both kinds of path gives."""
    from quoteverify.render.json import portable_path

    assert portable_path(path) == _portable_path_by_pure_paths(path)


# --------------------------------------------------------------------------- numbers as written


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.floats(), st.sampled_from([0.0, -0.0, 0.5, 1 / 3, 2 / 3, 0.00005, -0.00005])), max_size=20))
def test_rounding_remembered_is_rounding_done_again(values: list[float]) -> None:
    """A float rounded from the memo of values already rounded is the one rounding it again gives, sign of zero and all."""
    from quoteverify.render.json import _round

    for x in values + values:  # each value twice: the second from the memo
        expected = round(x, 4) if math.isfinite(x) else 0.0
        assert repr(_round(x)) == repr(expected)


@given(st.tuples(st.integers(-(2**40), 2**40), st.integers(-(2**40), 2**40)), st.booleans())
def test_spans_are_written_as_plain_integers(span: tuple[int, int], numpy_ints: bool) -> None:
    import numpy as np

    from quoteverify.render.json import _span

    given_span = (np.int64(span[0]), np.int64(span[1])) if numpy_ints else span
    written = _span(given_span)
    assert written == list(span) and all(type(x) is int for x in written)
    assert _span(None) is None


# --------------------------------------------------------------------------- a variant's severity


@pytest.mark.parametrize("kind", list(Kind))
def test_a_variants_severity_is_written_as_the_variant_has_it(kind: Kind) -> None:
    """Judged or not, the severity a variant's entry names is the variant's own."""
    from quoteverify.models import Severity, Variant
    from quoteverify.render.json import variant_words_json

    from quoteverify.collate import DocVariant

    for judged in (None, *Severity):
        v = Variant(kind, "a", "b", judged_severity=judged)
        assert variant_words_json(v)["severity"] == v.severity.value
    between_texts = DocVariant(kind, "a", "b", (0, 1), (0, 1))
    assert variant_words_json(between_texts)["severity"] == between_texts.severity.value


def test_an_articles_verdict_counts_are_its_own_quotations_counted() -> None:
    """Counted one article after another, each article's counts are those of its quotations alone."""
    from collections import Counter

    from quoteverify.models import ArticleResult, Document, Quotation, QuoteResult
    from quoteverify.render.json import verdict_counts

    quotation = Quotation("x", ((0, 1),), ())
    for picked in ([Verdict.ALTERED, Verdict.ALTERED], [Verdict.VERBATIM], [], list(Verdict)):
        quotes = tuple(QuoteResult(quotation, None, (), (), v) for v in picked)
        counts = verdict_counts(ArticleResult(Document(id="a", text="x"), quotes, (), ()))
        assert list(counts) == [v.value for v in Verdict]
        assert counts == {v.value: Counter(picked)[v] for v in Verdict}


_SPANS = st.lists(st.tuples(st.integers(-3, 33), st.integers(-3, 33)), max_size=3)


@given(st.integers(0, 30), st.lists(_SPANS, max_size=4))
def test_the_runs_of_a_text_whose_spans_are_apart_are_the_sweeps(n: int, spans: list[list[tuple[int, int]]]) -> None:
    from types import SimpleNamespace

    from quoteverify.render import views

    quotes = [SimpleNamespace(spans=tuple(s)) for s in spans]
    doc = SimpleNamespace(text="x" * n, skipped=())
    apart = views._runs_apart(n, quotes)  # type: ignore[arg-type]
    swept = views._swept_runs(doc, quotes)  # type: ignore[arg-type]
    assert apart is None or apart == swept
    assert views._text_runs(doc, quotes) == swept  # type: ignore[arg-type]
