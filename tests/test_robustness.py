"""Hostile and broken input through the whole pipeline: no traceback, nothing lost, nothing corrupted."""

import hashlib
import json
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quoteverify.ingest import document_from_text, iter_articles
from quoteverify.locate import SourceIndex
from quoteverify.models import CheckResult, SourceInfo
from quoteverify.render import render_report, report_json, write_report
from quoteverify.run import check_files
from quoteverify.verify import check_article

jsonschema = pytest.importorskip("jsonschema")

SOURCE_TEXT = (
    "We will open the bridge to traffic on Monday morning after the inspection.\n\n"
    "The council thanks the engineers for their patience and hard work over the winter.\n"
)
SOURCE = SourceInfo(document_from_text(SOURCE_TEXT, id="statement", role="source"))
INDEX = SourceIndex([SOURCE.document])
SCHEMA = json.loads(resources.files("quoteverify").joinpath("schema/report.schema.json").read_text())

QUOTEY = st.lists(
    st.one_of(
        st.sampled_from(list("\"'\u201c\u201d\u2018\u2019[]().\u2026 \n")),
        st.sampled_from(["We will open", " the bridge ", "Monday", "[the city]", "...", "said", "\n\n"]),
        st.text(max_size=5),
    ),
    max_size=60,
).map("".join)


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts += 1


def check_invariants(result: CheckResult) -> None:
    for a in result.articles:
        text = a.article.text
        for q in a.quotes:
            for s, e in q.quotation.spans:
                assert 0 <= s <= e <= len(text)
            assert "\n".join(text[s:e] for s, e in q.quotation.spans) == q.quotation.text
            if q.location is not None:
                src = next(si.document for si in result.sources if si.document.id == q.location.source)
                assert 0 <= q.location.span[0] <= q.location.span[1] <= len(src.text)
    data = report_json(result)
    jsonschema.validate(data, SCHEMA)
    for name, body in render_report(result).items():
        if name.endswith(".html"):
            p = _Parser()
            p.feed(body.decode("utf-8"))
            p.close()
            assert p.scripts <= 1  # only the report's own


@given(QUOTEY)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_text_runs_through_the_pipeline(text):
    article = document_from_text(text, id="a")
    result = CheckResult("c", "c", (SOURCE,), (check_article(article, INDEX),))
    check_invariants(result)


@given(st.binary(max_size=400))
@settings(max_examples=60, deadline=None)
def test_any_bytes_are_an_article_or_an_error_entry(tmp_path_factory, data):
    d = tmp_path_factory.mktemp("bytes")
    src = d / "s.txt"
    src.write_text(SOURCE_TEXT)
    art = d / "a.txt"
    art.write_bytes(data)
    result = check_files([src], iter_articles([str(art)]))
    (a,) = result.articles
    assert a.errors or a.article.text is not None
    check_invariants(result)


def test_hostile_quotation_is_text_in_every_page(tmp_path):
    text = 'He wrote "<script>alert(1)</script>" and "<img src=x onerror=alert(1)>" on the wall.\n'
    article = document_from_text(text, id="<b>x</b>")
    result = CheckResult("hostile", "<i>t</i>", (SOURCE,), (check_article(article, INDEX),))
    check_invariants(result)
    for name, body in render_report(result).items():
        if name.endswith(".html"):
            html = body.decode()
            assert "<script>alert(1)" not in html and "<img src=x" not in html
            assert "Content-Security-Policy" in html


def test_unclosed_mark_does_not_swallow_the_article():
    text = 'The mayor said "We will open the bridge to traffic\n\nLater she spoke of "the engineers" again.\n\nAnd "Monday morning" too.\n'
    article = document_from_text(text, id="a")
    res = check_article(article, INDEX)
    texts = [q.quotation.text for q in res.quotes]
    assert "the engineers" in texts and "Monday morning" in texts
    for q in res.quotes:
        assert "Later she spoke" not in q.quotation.text


def test_ten_thousand_quote_marks_and_megabyte_lines(tmp_path):
    text = ('"a" ' * 5000) + "\n" + ("word " * 200_000) + '"We will open the bridge to traffic" she said.\n'
    article = document_from_text(text, id="big")
    res = check_article(article, INDEX)
    assert any(q.quotation.text == "We will open the bridge to traffic" and q.verdict.value == "verbatim" for q in res.quotes)


def test_bad_files_are_named_with_their_fault_and_the_rest_runs(tmp_path):
    src = tmp_path / "source statement.txt"
    src.write_text(SOURCE_TEXT)
    files = {
        "empty.txt": b"",
        "scan.pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n\x00\x00",
        "photo.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "huge.txt": b"x" * (16 * 2**20 + 10),
        "na\u00efve caf\u00e9 article.txt": '"We will open the bridge to traffic on Monday morning" said the mayor.\n'.encode("cp1252"),
        "utf16.txt": '\u201cWe will open the bridge to traffic on Monday morning\u201d, she said.\n'.encode("utf-16"),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.iterdir()}
    result = check_files([src], iter_articles([str(tmp_path / n) for n in sorted(files)]))
    by_id = {a.article.id: a for a in result.articles}
    assert len(by_id) == len(files)
    faults = {i: a.errors for i, a in by_id.items()}
    assert "empty" in faults["empty"][0]
    assert "PDF" in faults["scan"][0] and "PNG" in faults["photo"][0]
    assert "limit" in faults["huge"][0]
    for ok in ("na\u00efve caf\u00e9 article", "utf16"):
        assert not faults[ok] and by_id[ok].quotes[0].verdict.value == "verbatim", ok
    for e in faults.values():
        for line in e:
            assert "\n" not in line
    out = write_report(result, tmp_path / "out")
    assert out.is_file()
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in before}
    assert before == after  # inputs never modified


def test_ids_cannot_leave_the_output_folder(tmp_path):
    batch = tmp_path / "batch.jsonl"
    batch.write_text(json.dumps({"id": "../../x", "outlet": "O", "text": '"We will open the bridge" she said.'}) + "\n")
    src = tmp_path / "s.txt"
    src.write_text(SOURCE_TEXT)
    result = check_files([src], iter_articles([str(batch)]), case_id="../../evil")
    out = tmp_path / "out"
    index = write_report(result, out)
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p not in (batch, src)]
    assert written and all(out in p.parents for p in written)
    assert out in index.parents


def test_an_interrupted_write_leaves_no_half_written_report(tmp_path, monkeypatch):
    result = check_files([_write(tmp_path / "s.txt", SOURCE_TEXT)], iter_articles([_write(tmp_path / "a.txt", '"We will open the bridge" she said.\n')]))
    write_report(result, tmp_path / "out")
    before = {p: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()}
    import os

    calls = {"n": 0}
    real = os.replace

    def flaky(a, b):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(a, b)

    monkeypatch.setattr(os, "replace", flaky)
    with pytest.raises(KeyboardInterrupt):
        write_report(result, tmp_path / "out")
    after = {p: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()}
    assert after == before  # every file whole, no temporary file left behind


def _write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)
