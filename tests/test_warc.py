"""WARC input: the HTML responses of a web archive are articles, named by URL and date, read in order."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from quoteverify.errors import InputError
from quoteverify.ingest import iter_articles, read_article
from quoteverify.ingest.warc import outlet_of, warc_pages
from quoteverify.render.views import safe_name

fastwarc = pytest.importorskip("fastwarc.warc")

PAGE = (
    "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head><body>"
    "<nav><a href=\"/\">Home</a></nav><article><h1>{title}</h1>"
    "<p>The minister said the plan was \u201cfair to every family in the country\u201d on Monday.</p>"
    "<p>{extra}</p></article><footer>All rights reserved.</footer></body></html>"
)


def _record(kind, url: str, date: str, payload: bytes, content_type: str):
    rec = fastwarc.WarcRecord()
    rec.init_headers(record_type=kind)
    rec.headers["WARC-Target-URI"] = url
    rec.headers["WARC-Date"] = date
    rec.headers["Content-Type"] = content_type
    rec.set_bytes_content(payload)
    return rec


def _response(status: str, ctype: str, body: bytes, *, gzipped: bool = False, chunked: bool = False) -> bytes:
    headers = [f"HTTP/1.1 {status}", f"Content-Type: {ctype}"]
    if gzipped:
        body = gzip.compress(body)
        headers.append("Content-Encoding: gzip")
    if chunked:
        half = len(body) // 2
        body = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in (body[:half], body[half:])) + b"0\r\n\r\n"
        headers.append("Transfer-Encoding: chunked")
    else:
        headers.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(headers) + "\r\n\r\n").encode("ascii") + body


def write_warc(path: Path) -> None:
    """A small crawl: two article pages (one gzip and chunked), a request, an image, a redirect."""
    T = fastwarc.WarcRecordType
    http = "application/http; msgtype=response"
    records = [
        _record(T.request, "https://www.daily.example/a", "2024-03-01T10:00:00Z", b"GET /a HTTP/1.1\r\n\r\n", "application/http; msgtype=request"),
        _record(T.response, "https://www.daily.example/a", "2024-03-01T10:00:01Z",
                _response("200 OK", "text/html; charset=utf-8", PAGE.format(title="Plan", extra="Caf\u00e9 owners agreed.").encode()), http),
        _record(T.response, "https://img.example/x.png", "2024-03-01T10:00:02Z", _response("200 OK", "image/png", b"\x89PNG...."), http),
        _record(T.response, "https://www.daily.example/old", "2024-03-01T10:00:03Z", _response("301 Moved", "text/html", b"<a href=/a>moved</a>"), http),
        _record(T.response, "https://weekly.example/b?x=1", "2024-03-02T08:00:00Z",
                _response("200 OK", "text/html", PAGE.format(title="Week", extra="Other words.").encode(), gzipped=True, chunked=True), http),
    ]
    with open(path, "wb") as f:
        for rec in records:  # one gzip member per record, as crawlers write them
            buf = io.BytesIO()
            rec.write(buf)
            f.write(gzip.compress(buf.getvalue()))


@pytest.fixture()
def warc(tmp_path: Path) -> Path:
    path = tmp_path / "news.warc.gz"
    write_warc(path)
    return path


def test_html_responses_are_articles_named_by_url_and_date(warc: Path) -> None:
    refs = list(iter_articles([str(warc)]))
    assert [r.url for r in refs] == ["https://www.daily.example/a", "https://weekly.example/b?x=1"]
    assert [r.id for r in refs] == [r.url for r in refs]
    assert [r.date for r in refs] == ["2024-03-01", "2024-03-02"]
    assert [r.outlet for r in refs] == ["daily.example", "weekly.example"]
    docs = [read_article(r) for r in refs]
    assert "fair to every family in the country" in docs[0].text
    assert "Caf\u00e9 owners agreed." in docs[0].text
    assert "Home" not in docs[0].text and "All rights reserved" not in docs[0].text
    assert "Other words." in docs[1].text  # chunked and gzip-encoded body decoded
    assert docs[0].path.startswith(str(warc) + ":")
    assert docs[0].url == refs[0].url and docs[0].date == "2024-03-01"


def test_pages_come_in_file_order_with_offsets(warc: Path) -> None:
    pages = list(warc_pages(str(warc), max_bytes=2**20))
    assert len(pages) == 2
    assert pages[0].offset < pages[1].offset
    assert all(p.body for p in pages)


def test_a_page_over_the_limit_is_a_fault_not_a_crash(warc: Path) -> None:
    pages = list(warc_pages(str(warc), max_bytes=100))
    assert [p.body for p in pages] == [None, None]
    assert all("limit" in p.fault for p in pages)


def test_records_too_long_to_read_are_passed_over_and_the_next_read(tmp_path: Path) -> None:
    """A page (or an image) longer than the limit with room for its headers is not read into memory; the records after it are."""
    from quoteverify.ingest.warc import RECORD_ROOM

    T = fastwarc.WarcRecordType
    http = "application/http; msgtype=response"
    long_page = PAGE.format(title="Long", extra="word " * RECORD_ROOM).encode()
    records = [
        (_response("200 OK", "text/html", long_page, gzipped=True, chunked=True), "https://a.example/long"),
        (_response("200 OK", "image/png", b"\x89PNG" + bytes(2 * RECORD_ROOM)), "https://a.example/x.png"),
        (_response("200 OK", "text/html", PAGE.format(title="Short", extra="").encode(), gzipped=True, chunked=True), "https://a.example/short"),
        (_response("200 OK", "text/html", PAGE.format(title="Last", extra="").encode()), "https://a.example/last"),
    ]
    path = tmp_path / "long.warc.gz"
    with open(path, "wb") as f:
        for body, url in records:
            buf = io.BytesIO()
            _record(T.response, url, "2024-03-01T10:00:00Z", body, http).write(buf)
            f.write(gzip.compress(buf.getvalue()))
    pages = list(warc_pages(str(path), max_bytes=1000))
    assert [(p.url, p.body is None) for p in pages] == [
        ("https://a.example/long", True), ("https://a.example/short", False), ("https://a.example/last", False)
    ]
    assert "limit" in pages[0].fault and b"<title>Short</title>" in (pages[1].body or b"")


def _members(n: int) -> list[bytes]:
    """``n`` response records of a page each, as written: ``(gzip member, the record itself)``."""
    T = fastwarc.WarcRecordType
    out = []
    for k in range(n):
        body = _response("200 OK", "text/html; charset=utf-8", PAGE.format(title=f"P{k}", extra="Words " * 50).encode())
        buf = io.BytesIO()
        _record(T.response, f"https://a.example/{k}", "2024-03-01T09:00:00Z", body, "application/http; msgtype=response").write(buf)
        out.append(buf.getvalue())
    return out


@pytest.mark.parametrize("gzipped", [True, False])
def test_a_warc_cut_short_says_so_of_its_last_record(tmp_path: Path, gzipped: bool) -> None:
    """A WARC whose file ends inside a record (a download cut short) gives that record as a fault; one cut between records does not."""
    records = _members(3)
    parts = [gzip.compress(r) for r in records] if gzipped else records
    path = tmp_path / ("cut.warc.gz" if gzipped else "cut.warc")
    whole = b"".join(parts)
    for cut, faulty in [(len(whole) - len(parts[-1]) // 2, True), (len(whole) - len(parts[-1]), False), (len(whole), False)]:
        path.write_bytes(whole[:cut])
        pages = list(warc_pages(str(path), max_bytes=2**20))
        read = [p.url for p in pages if p.body]
        assert read == [f"https://a.example/{k}" for k in range(2 if cut < len(whole) else 3)]
        faults = [p for p in pages if p.body is None]
        if faulty:
            assert len(faults) == 1 and "cut short" in faults[0].fault
            assert faults[0].offset == len(whole) - len(parts[-1])
            *_, last = iter_articles([str(path)])
            with pytest.raises(InputError, match=f"record at byte {faults[0].offset}: the file ends inside this record"):
                read_article(last)
        else:
            assert not faults


def test_a_page_is_decoded_by_the_charset_its_http_response_names(tmp_path: Path) -> None:
    """A page in ISO-8859-2 that declares no charset of its own, or declares another, is read as its HTTP header says."""
    T = fastwarc.WarcRecordType
    http = "application/http; msgtype=response"
    words = "Minister powiedzia\u0142: \u201e\u017badnych podwy\u017cek w tym roku\u201d, w \u015brod\u0119."
    plain = f"<!doctype html><html><body><article><p>{words}</p></article></body></html>"
    misleading = plain.replace("<html>", '<html><head><meta charset="windows-1252"></head>')
    path = tmp_path / "pl.warc.gz"
    with open(path, "wb") as f:
        for k, page in enumerate((plain, misleading)):
            body = _response("200 OK", "text/html; charset=ISO-8859-2", page.replace("\u201e", '"').replace("\u201d", '"').encode("iso-8859-2"))
            buf = io.BytesIO()
            _record(T.response, f"https://pl.example/{k}", "2024-03-01T09:00:00Z", body, http).write(buf)
            f.write(gzip.compress(buf.getvalue()))
    refs = list(iter_articles([str(path)]))
    assert [r.charset for r in refs] == ["iso-8859-2", "iso-8859-2"]
    for ref in refs:
        doc = read_article(ref)
        assert "powiedzia\u0142" in doc.text and "\u017badnych podwy\u017cek" in doc.text and doc.encoding == "iso8859-2"


def test_a_file_that_is_no_warc_is_one_error_naming_it(tmp_path: Path) -> None:
    bad = tmp_path / "bad.warc"
    bad.write_text("not a warc at all", encoding="utf-8")
    (ref,) = list(iter_articles([str(bad)]))
    with pytest.raises(Exception) as err:
        read_article(ref)
    assert str(bad) in str(err.value) and "WARC" in str(err.value)


def test_a_folder_contributes_its_warc_files(warc: Path) -> None:
    refs = list(iter_articles([str(warc.parent)]))
    assert len(refs) == 2


def test_the_check_command_reads_a_warc(warc: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from quoteverify.cli import main

    source = tmp_path / "speech.txt"
    source.write_text("We think the plan is fair to every family in the country, and we will keep it.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["check", "--source", str(source), str(warc), "--out", str(out), "--jobs", "1"])
    assert result.exit_code in (0, 1), result.output
    lines = (out / "adhoc" / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    assert '"url":"https://www.daily.example/a"' in lines[0]
    assert (out / "adhoc" / "articles" / f"{safe_name('https://www.daily.example/a')}.html").is_file()


def test_outlet_is_the_host_without_www() -> None:
    assert outlet_of("https://www.example.org/x") == "example.org"
    assert outlet_of("not a url") == ""


def test_a_url_whose_host_cannot_be_read_has_no_outlet() -> None:
    assert outlet_of("http://[not-an-address/page") == ""


def _raw_response(head: str, html: bytes) -> bytes:
    """A WARC response record written by hand, its header lines as ``head`` gives them."""
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(html) + html
    return (
        f"WARC/1.1\r\n{head}\r\nWARC-Record-ID: <urn:uuid:12345678-1234-1234-1234-123456789012>\r\n"
        f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http)}\r\n\r\n"
    ).encode("ascii") + http + b"\r\n\r\n"


def test_headers_are_read_whatever_their_case_and_a_bad_url_is_no_crash(tmp_path: Path) -> None:
    html = PAGE.format(title="Case", extra="Words.").encode()
    path = tmp_path / "crawl.warc"
    path.write_bytes(
        _raw_response("WARC-Type: response\r\nwarc-target-uri: https://www.lower.example/a\r\nwarc-date: 2024-05-06T07:00:00Z", html)
        + _raw_response("WARC-Type: response\r\nWARC-Target-URI: http://[broken/b\r\nWARC-Date: 2024-05-07T07:00:00Z", html)
    )
    refs = list(iter_articles([str(path)]))
    assert [(r.url, r.date, r.outlet) for r in refs] == [
        ("https://www.lower.example/a", "2024-05-06", "lower.example"),
        ("http://[broken/b", "2024-05-07", ""),
    ]
    assert all("fair to every family" in read_article(r).text for r in refs)


def test_an_unreadable_record_is_skipped_and_the_rest_of_the_warc_checked(tmp_path: Path) -> None:
    """A page of a WARC is a member of a batch: one that cannot be read is skipped and counted, not a failed run."""
    from click.testing import CliRunner

    from quoteverify.cli import main

    T = fastwarc.WarcRecordType
    http = "application/http; msgtype=response"
    good = _response("200 OK", "text/html; charset=utf-8", PAGE.format(title="Plan", extra="More.").encode())
    broken = _response("200 OK", "text/html", gzip.compress(b"<html>x</html>")[:12], gzipped=False)
    broken = broken.replace(b"Content-Type: text/html", b"Content-Type: text/html\r\nContent-Encoding: gzip")
    path = tmp_path / "news.warc.gz"
    with open(path, "wb") as f:
        for rec in (_record(T.response, "https://a.example/1", "2024-03-01T10:00:00Z", broken, http),
                    _record(T.response, "https://a.example/2", "2024-03-01T10:00:01Z", good, http)):
            buf = io.BytesIO()
            rec.write(buf)
            f.write(gzip.compress(buf.getvalue()))
    source = tmp_path / "speech.txt"
    source.write_text("We think the plan is fair to every family in the country, and we will keep it.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--source", str(source), str(path), "--out", str(tmp_path / "out"), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "Skipped:" in result.output and "record at byte" in result.output
    lines = (tmp_path / "out" / "adhoc" / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and '"url":"https://a.example/2"' in lines[1]


_STATEMENT = (
    "The ministry will not raise taxes on families this year. "
    "We expect growth of 2 per cent, if exports hold. "
    "Our plan is fair to every family in the country, and we will keep it. "
    "Schools and hospitals will get 40 million more. "
    "Nobody is leaving the coalition, whatever the papers say."
)


def _generated_pages(n: int) -> list[bytes]:
    """``n`` news pages quoting the statement: verbatim, with a word dropped or changed, cut, or made up."""
    import random

    rng = random.Random(7)
    sentences = [s.strip() + "." for s in _STATEMENT.split(". ") if s.strip()]
    edits = [
        lambda s: s,
        lambda s: s.replace(" not ", " "),
        lambda s: s.replace("2 per cent", "3 per cent").replace("40 million", "14 million"),
        lambda s: s.replace(", and we will keep it", "").replace(", if exports hold", ""),
        lambda s: "We will triple the budget for every ministry next week.",
    ]
    pages = []
    for k in range(n):
        quoted = [rng.choice(edits)(rng.choice(sentences)).rstrip(".") for _ in range(rng.randint(1, 3))]
        body = "".join(f"<p>The minister said: \u201c{q}.\u201d</p><p>Reporters asked about it on day {k}.</p>" for q in quoted)
        pages.append(PAGE.format(title=f"Report {k}", extra="").replace("<p></p>", body).encode("utf-8"))
    return pages


def test_a_warc_of_pages_gives_the_results_of_the_same_pages_as_files(tmp_path: Path) -> None:
    """The same generated pages checked from one WARC (some records gzip and chunked) and as .html files: the same results."""
    import json

    from click.testing import CliRunner

    from quoteverify.cli import main

    T = fastwarc.WarcRecordType
    pages = _generated_pages(12)
    folder = tmp_path / "pages"
    folder.mkdir()
    warc = tmp_path / "news.warc.gz"
    with open(warc, "wb") as f:
        for k, page in enumerate(pages):
            (folder / f"p{k:02d}.html").write_bytes(page)
            body = _response("200 OK", "text/html; charset=utf-8", page, gzipped=k % 3 == 0, chunked=k % 2 == 0)
            rec = _record(T.response, f"https://www.paper.example/p{k:02d}", "2024-03-0%dT09:00:00Z" % (1 + k % 9),
                          body, "application/http; msgtype=response")
            buf = io.BytesIO()
            rec.write(buf)
            f.write(gzip.compress(buf.getvalue()))
    source = tmp_path / "statement.txt"
    source.write_text(_STATEMENT + "\n", encoding="utf-8")
    results = {}
    for name, given in (("warc", warc), ("files", folder)):
        out = tmp_path / name
        run = CliRunner().invoke(main, ["check", "--source", str(source), str(given), "--out", str(out), "--jobs", "1"])
        assert run.exit_code == 1, run.output  # altered quotations found
        results[name] = [json.loads(line) for line in (out / "adhoc" / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    read = ("sha256", "title", "encoding", "counts", "quotes", "coverage", "skipped", "warnings", "errors")
    assert [{k: a[k] for k in read} for a in results["warc"]] == [{k: a[k] for k in read} for a in results["files"]]
    assert [(a["url"], a["outlet"]) for a in results["warc"]] == [(f"https://www.paper.example/p{k:02d}", "paper.example") for k in range(12)]
    verdicts = {q["verdict"] for a in results["files"] for q in a["quotes"]}
    assert {"verbatim", "altered", "unverified"} <= verdicts
