"""The command line: exit status, one-line errors, ad hoc use, and the committed seed report."""

import re
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
    assert r.exit_code == 2  # named on the command line: the report is written, the run fails
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


def test_the_program_ends_with_the_status_and_output_of_its_command(tmp_path):
    """``python -m quoteverify`` leaves without the interpreter's teardown: the same status and output as the command run in process."""
    import subprocess
    import sys

    p = subprocess.run([sys.executable, "-m", "quoteverify", "check", CASE, "--out", tmp_path], capture_output=True, text=True, cwd=ROOT)
    r = run("check", CASE, "--out", tmp_path)
    assert (p.returncode, p.stdout) == (r.exit_code, r.stdout) == (1, r.stdout)
    assert "Report:" in p.stdout


#: the command line run as the program, with an exit handler, an object that writes a file when
#: the interpreter is torn down (its builtins gone by then: ``open`` kept), and (when asked) a
#: thread the interpreter waits for, which writes a file once the main thread has ended (so that
#: it is still running when the command ends, however long the command takes)
_AS_THE_PROGRAM = """
import atexit, sys, threading, time
from quoteverify.cli import main

mode, folder, *args = sys.argv[1:]

class Teardown:
    def __del__(self, _open=open):
        with _open(folder + "/torn-down", "w") as f:
            f.write("torn down")

kept = Teardown()
atexit.register(lambda: print("exit handler ran"))
if mode == "thread":
    def late():
        while threading.main_thread().is_alive():
            time.sleep(0.01)
        with open(folder + "/thread", "w") as f:
            f.write("written")
    threading.Thread(target=late).start()
sys.argv = ["quoteverify", *args]
main()
"""


@pytest.mark.parametrize("mode", ["alone", "thread"])
def test_the_program_runs_exit_handlers_and_waits_for_its_threads(tmp_path, mode):
    import subprocess
    import sys

    p = subprocess.run(
        [sys.executable, "-c", _AS_THE_PROGRAM, mode, str(tmp_path), "extract", tmp_path / "missing.txt"],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert p.returncode == 2 and "missing.txt" in p.stderr  # an input error: its status and message
    assert "exit handler ran" in p.stdout
    if mode == "thread":  # a thread still running: the usual way out, which waits for it and tears down
        assert (tmp_path / "thread").read_text() == "written"
        assert (tmp_path / "torn-down").is_file()
    else:  # nothing to wait for: the process ends without the teardown
        assert not (tmp_path / "torn-down").exists()


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
# --------------------------------------------------------------------------- the gate: what fails a run


STATEMENT = "We will not open the bridge to traffic on Monday morning after the inspection.\n"


@pytest.fixture
def bridge(tmp_path):
    src = tmp_path / "statement.txt"
    src.write_text(STATEMENT)
    good = tmp_path / "good.txt"
    good.write_text('She said "We will not open the bridge to traffic on Monday morning" here.\n')
    return src, good


def _report(out, case="adhoc"):
    import json

    return json.loads((out / case / "report.json").read_text(encoding="utf-8"))


def test_a_missing_article_fails_the_run_after_the_others_are_checked(tmp_path, bridge):
    src, good = bridge
    missing = tmp_path / "nosuch-article.txt"
    r = run("check", "--source", src, missing, good, "--out", tmp_path / "out")
    assert r.exit_code == 2
    assert r.stderr.splitlines() == [f"Error: {missing}: no such file"]
    assert "Traceback" not in r.output
    by_id = {a["id"]: a for a in _report(tmp_path / "out")["articles"]}
    assert by_id["good"]["quotes"][0]["verdict"] == "verbatim"  # nothing lost
    assert by_id["nosuch-article"]["errors"]


def test_a_binary_article_named_on_the_command_line_exits_2(tmp_path, bridge):
    src, _ = bridge
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"%PDF-1.4\n\x00\x01binary")
    r = run("check", "--source", src, bad, "--out", tmp_path / "out")
    assert r.exit_code == 2
    assert r.stderr.splitlines() == [f"Error: {bad}: binary file (PDF), not text"]


def test_a_folder_without_articles_exits_2(tmp_path, bridge):
    src, _ = bridge
    empty = tmp_path / "inbox"
    empty.mkdir()
    (empty / "notes.pdf").write_bytes(b"%PDF")
    r = run("check", "--source", src, empty, "--out", tmp_path / "out")
    assert r.exit_code == 2
    assert r.stderr.splitlines() == [
        f"Error: {empty}: no articles in the folder (no .txt, .text, .md, .html, .htm, .jsonl, .jsonl.gz, .warc, .warc.gz files)"
    ]


def test_a_case_file_given_as_source_exits_2(tmp_path, bridge):
    _, good = bridge
    r = run("check", "--source", CASE / "case.toml", good, "--out", tmp_path / "out")
    assert r.exit_code == 2
    assert r.stderr.splitlines() == [
        f"Error: {CASE / 'case.toml'}: a TOML file, not a source text (give a case directory as CASE_DIR, without --source)"
    ]


def test_one_bad_source_of_two_still_checks_against_the_other(tmp_path, bridge):
    src, good = bridge
    r = run("check", "--source", tmp_path / "gone.txt", "--source", src, good, "--out", tmp_path / "out")
    assert r.exit_code == 2
    assert r.stderr.splitlines() == [f"Error: {tmp_path / 'gone.txt'}: no such file"]
    assert _report(tmp_path / "out")["articles"][0]["quotes"][0]["verdict"] == "verbatim"


def test_a_broken_member_of_a_folder_is_counted_and_fails_only_when_asked(tmp_path, bridge):
    src, good = bridge
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good.rename(inbox / "good.txt")
    (inbox / "broken.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    r = run("check", "--source", src, inbox, "--out", tmp_path / "out")
    assert r.exit_code == 0
    assert r.stderr.splitlines() == [f"Skipped: {inbox / 'broken.txt'}: binary file (PNG), not text"]
    assert r.stdout.splitlines()[3].split()[-1] == "0"  # good.txt: no errors
    r = run("check", "--source", src, inbox, "--out", tmp_path / "out", "--fail-on", "error")
    assert r.exit_code == 1


def test_a_broken_line_of_a_json_lines_batch_is_counted(tmp_path, bridge):
    src, _ = bridge
    batch = tmp_path / "batch.jsonl"
    batch.write_text('{"id": "ok", "text": "She said \\"We will not open the bridge\\" today."}\n{"id": 3}\n')
    r = run("check", "--source", src, batch, "--out", tmp_path / "out")
    assert r.exit_code == 0
    assert r.stderr.splitlines() == [f'Skipped: {batch} line 2: no "text" or "html" field']
    assert run("check", "--source", src, batch, "--out", tmp_path / "out", "--fail-on", "error").exit_code == 1


@pytest.mark.parametrize(
    "quote, fail_on, code",
    [
        ("We will open the bridge to traffic on Monday morning", None, 1),  # drops "not": altered
        ("We will open the bridge to traffic on Monday morning", "unverified", 0),
        ("We will not open the bridge to traffic on Monday morning", "altered", 0),
        ("The council will repaint the railings in spring", None, 0),  # unverified: not asked
        ("The council will repaint the railings in spring", "unverified", 1),
        ("The council will repaint the railings in spring", "not-found", 1),
        ("The council will repaint the railings in spring", "altered,not-found", 1),
    ],
)
def test_fail_on_chooses_what_exits_1(tmp_path, bridge, quote, fail_on, code):
    src, _ = bridge
    art = tmp_path / "news.txt"
    art.write_text(f'The mayor said "{quote}" on Friday.\n')
    args = ["check", "--source", src, art, "--out", tmp_path / "out"]
    r = run(*args, *(["--fail-on", fail_on] if fail_on else []))
    assert r.exit_code == code, r.output


def test_fail_on_refuses_an_unknown_name(tmp_path, bridge):
    src, good = bridge
    r = run("check", "--source", src, good, "--out", tmp_path / "out", "--fail-on", "altered,wrong")
    assert r.exit_code == 2 and "wrong" in r.output


def test_the_summary_says_what_changed_and_names_the_outlet(tmp_path, bridge):
    src, _ = bridge
    art = tmp_path / "news.txt"
    art.write_text('The mayor said "We will open the bridge to traffic on Monday morning" on Friday.\n')
    r = run("check", "--source", src, art, "--out", tmp_path / "out", "--outlet", "The Gazette")
    assert r.exit_code == 1
    assert "  The Gazette: 'We will open the bridge to traffic on Monday morning': drops 'not' [negation]" in r.stdout.splitlines()
    assert _report(tmp_path / "out")["articles"][0]["outlet"] == "The Gazette"


def test_a_case_file_given_as_an_article_exits_2_after_the_others(tmp_path, bridge):
    src, good = bridge
    r = run("check", "--source", src, CASE / "case.toml", good, "--out", tmp_path / "out")
    assert r.exit_code == 2
    assert r.stderr.splitlines() == [
        f"Error: {CASE / 'case.toml'}: a TOML file, not an article (give a case directory as CASE_DIR, without --source)"
    ]
    assert [a["id"] for a in _report(tmp_path / "out")["articles"]] == ["good"]


# --------------------------------------------------------------------------- diff and reconstruct in the terminal

SPEECH = ROOT / "tests" / "fixtures" / "speech"


def test_diff_prints_a_summary_line_and_each_variant_in_context():
    r = run("diff", SPEECH / "draft1.txt", SPEECH / "draft2.txt")
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    assert lines[0].startswith(f"{SPEECH / 'draft1.txt'} -> {SPEECH / 'draft2.txt'}: 8 variants (")
    assert lines[0].endswith("; 2 paragraphing changes")
    # a variant reads as a word diff between the words around it, with its paragraph, never offsets
    assert any("[-rather than-]{+instead of+} half an hour" in line and line.lstrip().startswith("\u00b63") for line in lines)
    assert not any(re.search(r"\[\d+:\d+", line) for line in lines)
    assert "paragraphing: \u00b65, \u00b66 merged -> \u00b65" in lines


def test_reconstruct_names_witnesses_by_outlet_and_against_prints_only_the_comparison():
    r = run("reconstruct", CASE)
    assert r.exit_code == 0
    apparatus = r.stdout.split("Apparatus:")[1]
    assert "lbc" not in apparatus and "LBC" in apparatus  # outlets, not ids
    for line in apparatus.splitlines():
        readings = line.split(";")[0].split(" | ")
        # an outlet reads one way at a place; its shorter quotations come after, as "also"
        named = [w for reading in readings for w in ("LBC", "BBC News", "Sky News") if w in reading]
        assert len(named) == len(set(named)), line
    r = run("reconstruct", CASE, "--against", CASE / "sources" / "letter.txt")
    assert r.stdout.splitlines() == [f"Against {CASE / 'sources' / 'letter.txt'}: identical"]


def test_an_article_of_case_toml_that_is_missing_fails_the_case_after_the_others(tmp_path):
    import shutil

    case = tmp_path / "case"
    shutil.copytree(CASE, case, ignore=shutil.ignore_patterns(".quoteverify"))
    with open(case / "case.toml", "a", encoding="utf-8") as f:
        f.write('\n[[articles]]\nid = "gone"\noutlet = "Gone Daily"\npath = "articles/gone.txt"\n')
    r = run("check", case, "--out", tmp_path / "out")
    assert r.exit_code == 2
    assert r.stderr.splitlines() == [f"Error: {case / 'articles' / 'gone.txt'}: no such file"]
    report = _report(tmp_path / "out", "seely-letter")
    assert len(report["articles"]) == 6 and report["articles"][-1]["errors"]
    assert (tmp_path / "out" / "seely-letter" / "index.html").is_file()


def test_a_missing_source_of_a_case_fails_the_run_after_the_articles_are_checked_against_the_others(tmp_path):
    import shutil

    case = tmp_path / "case"
    shutil.copytree(ROOT / "tests" / "fixtures" / "bridge-statement", case)
    toml = case / "case.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8")
        + '\n[[sources]]\nid = "minutes"\ntitle = "Minutes"\npath = "sources/minutes.txt"\n',
        encoding="utf-8",
    )
    r = run("check", case, "--out", tmp_path / "out")
    assert r.exit_code == 2
    assert r.stderr.splitlines() == [
        f'Error: {case / "sources" / "minutes.txt"}: no such file (source "minutes" in case.toml)'
    ]
    report = _report(tmp_path / "out", "bridge-statement")
    assert [s["id"] for s in report["sources"]] == ["statement"]
    assert any(q["verdict"] != "unverified" for a in report["articles"] for q in a["quotes"])  # nothing lost


def test_a_case_whose_only_source_is_missing_is_one_error(tmp_path):
    import shutil

    case = tmp_path / "case"
    shutil.copytree(ROOT / "tests" / "fixtures" / "bridge-statement", case)
    (case / "sources" / "statement.txt").unlink()
    r = run("check", case, "--out", tmp_path / "out")
    assert r.exit_code == 2
    assert r.stderr.splitlines() == [
        f'Error: {case / "sources" / "statement.txt"}: no such file (source "statement" in case.toml)'
    ]


# --------------------------------------------------------------------------- what a run imports

#: imported by a check only when it needs them: the process pool (a run of more
#: than one batch per worker), the collation (``diff``, ``reconstruct --against``),
#: the growing of a text without a source, the split-diff page, the checks of
#: files named on the command line (ad hoc use)
ON_DEMAND = (
    "concurrent.futures.process",
    "quoteverify.collate",
    "quoteverify.reconstruct.grow",
    "quoteverify.render.splitdiff",
    "quoteverify.ingest.named",
)

_RUN_AND_LIST_MODULES = """
import os, sys
from quoteverify.cli import main
try:
    main(sys.argv[2:])
except SystemExit:
    pass
with open(sys.argv[1], "w") as f:
    f.write(os.environ.get("OPENBLAS_NUM_THREADS", "") + "\\n" + "\\n".join(sys.modules))
"""


def _run_in_process(tmp_path, *args, env=None):
    """Run the command line in a fresh interpreter; the OPENBLAS_NUM_THREADS it saw and the modules it loaded."""
    import os
    import subprocess
    import sys

    listing = tmp_path / "modules.txt"
    environ = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"} | (env or {})
    subprocess.run(
        [sys.executable, "-c", _RUN_AND_LIST_MODULES, str(listing), *map(str, args)],
        cwd=ROOT, env=environ, capture_output=True, check=False,
    )
    blas, *modules = listing.read_text().split("\n")
    return blas, set(modules)


def test_a_check_of_the_seed_case_imports_only_what_it_uses(tmp_path):
    blas, modules = _run_in_process(tmp_path, "check", CASE, "--out", tmp_path / "out")
    assert (tmp_path / "out" / "seely-letter" / "sources" / "letter.rebuilt.html").is_file()
    assert "quoteverify.reconstruct" in modules  # the letter is rebuilt from its quotations
    assert blas == "1"  # numpy's BLAS starts no thread pool: quoteverify does no linear algebra
    assert not modules & set(ON_DEMAND)


def test_a_check_that_rebuilds_no_source_imports_no_reconstruction(tmp_path):
    _, modules = _run_in_process(
        tmp_path, "check", "--source", CASE / "sources" / "letter.txt", CASE / "articles" / "lbc.txt",
        "--out", tmp_path / "out",
    )
    assert (tmp_path / "out" / "adhoc" / "index.html").is_file()
    assert "quoteverify.ingest.named" in modules
    assert not modules & {"quoteverify.reconstruct", "quoteverify.collate", "quoteverify.render.splitdiff"}


def test_help_imports_none_of_the_engine(tmp_path):
    """``--help`` is the command line's own: numpy, jinja, regex and the engine's stages load with a command that runs."""
    _, modules = _run_in_process(tmp_path, "check", "--help")
    assert "quoteverify.cli" in modules
    assert not modules & {"numpy", "jinja2", "regex", "rapidfuzz", "quoteverify.ingest", "quoteverify.locate", "quoteverify.render"}


def test_the_collector_is_on_again_after_the_imports_and_the_case_of_a_check(tmp_path, monkeypatch):
    import gc

    import click

    import quoteverify.cli as cli
    from quoteverify.ingest import load_case

    seen = []

    def first_stage(*args, **kwargs):
        seen.append(("case", gc.isenabled()))
        return load_case(*args, **kwargs)

    def second_stage(*args, **kwargs):
        seen.append(("stream", gc.isenabled()))
        raise click.UsageError("stop here")

    monkeypatch.setattr("quoteverify.ingest.load_case", first_stage)
    monkeypatch.setattr("quoteverify.run.stream.check_stream", second_stage)
    result = run("check", CASE, "--out", tmp_path / "out")
    # the case's sources, kept for the whole run, are built with the collector off
    assert result.exit_code == 2 and seen == [("case", False), ("stream", True)]
    with pytest.raises(RuntimeError), cli.kept_out_of_collections():
        assert not gc.isenabled()
        raise RuntimeError("an import that fails")
    assert gc.isenabled()


def test_a_thread_count_the_user_gave_blas_is_kept(tmp_path):
    blas, _ = _run_in_process(tmp_path, "--version", env={"OPENBLAS_NUM_THREADS": "3"})
    assert blas == "3"


# --------------------------------------------------------------------------- the sources' language


FRENCH_SOURCE = "Le ministre a déclaré : « Nous ne voulons pas augmenter les impôts des classes moyennes. »\n"
FRENCH_ARTICLE = "Le ministre a déclaré : « Nous ... augmenter les impôts des classes moyennes. »\n"


@pytest.mark.parametrize("language, exit_code, tag", [("en", 0, False), ("fr", 1, True), ("fr-CA", 1, True)])
def test_language_of_ad_hoc_sources_chooses_the_word_lists(tmp_path, language, exit_code, tag):
    """An ellipsis over "ne voulons pas" cuts a negation in French; English word lists do not see one."""
    (tmp_path / "source.txt").write_text(FRENCH_SOURCE, encoding="utf-8")
    (tmp_path / "article.txt").write_text(FRENCH_ARTICLE, encoding="utf-8")
    r = run("check", "--source", tmp_path / "source.txt", "--language", language, tmp_path / "article.txt",
            "--out", tmp_path / "out")
    assert r.exit_code == exit_code
    assert ("[negation]" in r.output) == tag


def test_unknown_language_and_language_with_a_case_are_usage_errors(tmp_path):
    (tmp_path / "source.txt").write_text(FRENCH_SOURCE, encoding="utf-8")
    r = run("check", "--source", tmp_path / "source.txt", "--language", "xx", tmp_path / "source.txt", "--out", tmp_path)
    assert r.exit_code == 2 and "'xx' has no word lists" in r.output
    r = run("check", CASE, "--language", "fr", "--out", tmp_path)
    assert r.exit_code == 2 and "case.toml" in r.output


def test_diff_and_locate_take_the_language(tmp_path):
    (tmp_path / "a.txt").write_text("Nous ne voulons pas augmenter les impôts.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Nous voulons augmenter les impôts.\n", encoding="utf-8")
    fr = run("diff", tmp_path / "a.txt", tmp_path / "b.txt", "--json", "--language", "fr")
    en = run("diff", tmp_path / "a.txt", tmp_path / "b.txt", "--json", "--language", "en")
    assert fr.exit_code == en.exit_code == 1
    assert '"negation"' in fr.output and '"negation"' not in en.output
    assert "[negation]" in run("diff", tmp_path / "a.txt", tmp_path / "b.txt", "--language", "fr").output
    r = run("locate", "Nous ... augmenter les impôts.", "--source", tmp_path / "a.txt", "--language", "fr", "--json")
    assert '"negation"' in r.output


def test_ad_hoc_sources_are_read_once(tmp_path, monkeypatch):
    from quoteverify.ingest import case as case_module

    reads = []
    real = case_module.read_document
    monkeypatch.setattr(case_module, "read_document", lambda path, **kw: reads.append(path) or real(path, **kw))
    (tmp_path / "source.txt").write_text(FRENCH_SOURCE, encoding="utf-8")
    (tmp_path / "article.txt").write_text(FRENCH_ARTICLE, encoding="utf-8")
    run("check", "--source", tmp_path / "source.txt", "--source", tmp_path / "gone.txt", tmp_path / "article.txt",
        "--out", tmp_path / "out")
    assert [Path(p).name for p in reads] == ["source.txt", "gone.txt"]
