"""The command line: exit status, one-line errors, ad hoc use, and the committed seed report."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from quoteverify.cli import main

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "corpus" / "seely-letter"
COMMITTED = ROOT / "reports" / "seely-letter"


def run(*args, **kw):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, **kw)


def test_check_seed_case_exit_1_and_summary(tmp_path):
    r = run("check", CASE, "--out", tmp_path)
    assert r.exit_code == 1  # outlets altered the letter
    assert "bbc-news" in r.output and "altered" in r.output
    assert f"Report: {tmp_path / 'seely-letter' / 'index.html'}" in r.output
    for name in ("index.html", "report.json", "articles/lbc.html", "sources/letter.html"):
        assert (tmp_path / "seely-letter" / name).is_file()


def test_committed_report_is_what_a_fresh_run_writes(tmp_path):
    run("check", CASE, "--out", tmp_path)
    fresh = tmp_path / "seely-letter"
    committed = sorted(p.relative_to(COMMITTED) for p in COMMITTED.rglob("*") if p.is_file())
    written = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
    assert committed == written
    for rel in written:
        assert (fresh / rel).read_bytes() == (COMMITTED / rel).read_bytes(), f"reports/seely-letter/{rel} is stale"


def test_exit_0_when_nothing_is_altered(tmp_path):
    src = tmp_path / "statement.txt"
    src.write_text("We will open the bridge to traffic on Monday morning after the inspection.\n")
    art = tmp_path / "news.txt"
    art.write_text('The mayor said "We will open the bridge to traffic on Monday morning" in a statement.\n')
    r = run("check", "--source", src, art, "--out", tmp_path / "out")
    assert r.exit_code == 0, r.output
    assert (tmp_path / "out" / "adhoc" / "index.html").is_file()


def test_ad_hoc_altered_exit_1(tmp_path):
    src = tmp_path / "statement.txt"
    src.write_text("We will open the bridge to traffic on Monday morning after the inspection.\n")
    art = tmp_path / "news.txt"
    art.write_text('The mayor said "We will open the bridge on Monday morning after the inspection" today.\n')
    r = run("check", "--source", src, art, "--out", tmp_path / "out", "--case-id", "bridge")
    assert r.exit_code == 1
    assert (tmp_path / "out" / "bridge" / "report.json").is_file()


@pytest.mark.parametrize(
    "args, fault",
    [
        (["check", "{tmp}/nope"], "nope"),
        (["check", "--source", "{tmp}/missing.txt", "{tmp}/a.txt"], "missing.txt"),
        (["check", "--source", "{tmp}/empty.txt", "{tmp}/a.txt"], "empty"),
    ],
)
def test_input_errors_one_line_exit_2(tmp_path, args, fault):
    (tmp_path / "a.txt").write_text('He said "hello there my friends" loudly.\n')
    (tmp_path / "empty.txt").write_bytes(b"")
    r = run(*[a.format(tmp=tmp_path) for a in args])
    assert r.exit_code == 2
    lines = [l for l in r.output.splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and fault in lines[0]
    assert "Traceback" not in r.output


def test_usage_error_exit_2(tmp_path):
    r = run("check")
    assert r.exit_code == 2


def test_one_bad_article_is_an_entry_and_the_rest_run(tmp_path):
    src = tmp_path / "s.txt"
    src.write_text("We will open the bridge to traffic on Monday morning after the inspection.\n")
    good = tmp_path / "good.txt"
    good.write_text('She said "We will open the bridge to traffic on Monday morning" here.\n')
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"%PDF-1.4\n\x00\x01binary")
    r = run("check", "--source", src, good, bad, "--out", tmp_path / "out")
    assert r.exit_code == 0
    assert "bad.txt" in r.output and "binary" in r.output
    import json

    rep = json.loads((tmp_path / "out" / "adhoc" / "report.json").read_text())
    by_id = {a["id"]: a for a in rep["articles"]}
    assert by_id["bad"]["errors"] and not by_id["good"]["errors"]
    assert by_id["good"]["quotes"][0]["verdict"] == "verbatim"


def test_extract_and_locate_verbs(tmp_path):
    r = run("extract", CASE / "articles" / "bbc-news.txt")
    assert r.exit_code == 0 and "It starts" in r.output
    r = run("locate", "--source", CASE / "sources" / "letter.txt", "in deference to the sovereignty of the Republic of Iraq")
    assert r.exit_code == 1 and "omission" in r.output and "'due'" in r.output


def test_python_dash_m(tmp_path):
    import subprocess
    import sys

    p = subprocess.run([sys.executable, "-m", "quoteverify", "--version"], capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 0 and "quoteverify" in p.stdout


def test_a_folder_of_pages_and_odd_files(tmp_path):
    """Saved HTML pages and odd-encoded text, some broken: every readable article verified, every other named."""
    src = tmp_path / "statement.txt"
    src.write_text("We will open the bridge to traffic on Monday morning after the inspection.\n\nThe council thanks the engineers for their patience.\n")
    inbox = tmp_path / "inbox"
    (inbox / "pages").mkdir(parents=True)
    (inbox / "pages" / "gazette page.html").write_text(
        "<!doctype html><html><head><title>Bridge to open</title><script>var x = '\"We will close the bridge\"';</script></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        "<article><h1>Bridge to open on Monday</h1>"
        "<p>The mayor confirmed the date on Friday in a short statement to the press at the town hall.</p>"
        "<p>\u201cWe will open the bridge to traffic on Monday morning,\u201d the mayor said, adding that the inspection had gone well.</p>"
        "<p>She said the council wanted to thank \u201cthe engineers for their hard work\u201d over the long winter months.</p>"
        "<figure><img src='b.jpg'><figcaption>The bridge \u201cis closed\u201d. Photo: Archive</figcaption></figure>"
        "</article><aside><h2>Most read</h2><ul><li>\u201cA headline quote\u201d elsewhere</li></ul></aside>"
        "<footer>\u00a9 The Gazette</footer></body></html>",
        encoding="utf-8",
    )
    (inbox / "wire.txt").write_bytes('\u201cWe will open the bridge to traffic on Monday morning,\u201d she said.\n'.encode("cp1252"))
    (inbox / "latin.txt").write_bytes('"We will open the bridge to traffic on Monday morning" - caf\u00e9 owners cheered.\n'.encode("latin-1"))
    (inbox / "broken.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (inbox / "empty.txt").write_bytes(b"")
    r = run("check", "--source", src, inbox, "--out", tmp_path / "out")
    assert r.exit_code == 1  # the page's "hard work" is not what the statement says
    assert "Traceback" not in r.output
    import json

    rep = json.loads((tmp_path / "out" / "adhoc" / "report.json").read_text())
    by_id = {a["id"]: a for a in rep["articles"]}
    assert set(by_id) == {"gazette page", "wire", "latin", "broken", "empty"}
    assert "PNG" in by_id["broken"]["errors"][0] and "empty" in by_id["empty"]["errors"][0]
    for ok in ("wire", "latin"):
        assert [q["verdict"] for q in by_id[ok]["quotes"]] == ["verbatim"]
    page = by_id["gazette page"]
    texts = [q["text"] for q in page["quotes"]]
    # the article's own quotations, nothing from the script, navigation, caption or promo list
    assert texts[0].startswith("We will open the bridge to traffic on Monday morning")
    assert not any("close the bridge" in t or "headline quote" in t or "is closed" in t for t in texts)
    verdicts = {q["text"]: q["verdict"] for q in page["quotes"]}
    assert verdicts["the engineers for their hard work"] == "altered"


def test_locate_judges_the_quotation_exactly_as_given(tmp_path):
    src = tmp_path / "plan.txt"
    src.write_text("The minister said the plan was fully funded and would start in the spring.\n")
    r = run("locate", "--source", src, 'the plan was "fully funded" and would start in the autumn')
    assert r.exit_code == 1 and r.output.startswith("altered") and "autumn" in r.output
    r = run("locate", "--source", src, "--json", 'the plan was "fully funded" and would start in the autumn')
    assert '"verbatim"' not in r.output
