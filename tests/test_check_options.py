"""quoteverify check --jobs, --scheduler, --pages, results.jsonl and the progress bar."""

import gzip
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from quoteverify.cli import _Progress, main
from quoteverify.models import ArticleSummary

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "corpus" / "seely-letter"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Thirty articles in a JSON Lines batch: the seed articles again and again."""
    folder = tmp_path_factory.mktemp("batch")
    texts = sorted((CASE / "articles").glob("*.txt"))
    path = folder / "articles.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        for n in range(30):
            src = texts[n % len(texts)]
            f.write(json.dumps({"id": f"{src.stem}-{n}", "outlet": src.stem, "text": src.read_text(encoding="utf-8")}) + "\n")
    return path


def test_jobs_do_not_change_the_report(tmp_path):
    one = run("check", CASE, "--out", tmp_path / "one", "--jobs", "1")
    two = run("check", CASE, "--out", tmp_path / "two", "--jobs", "2")
    assert one.exit_code == two.exit_code == 1
    for name in ("report.json", "results.jsonl", "index.html"):
        assert (tmp_path / "one" / "seely-letter" / name).read_bytes() == (tmp_path / "two" / "seely-letter" / name).read_bytes()


def test_results_jsonl_has_every_article_of_the_report(tmp_path):
    run("check", CASE, "--out", tmp_path)
    folder = tmp_path / "seely-letter"
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    lines = (folder / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == report["articles"]


def test_pages_bound_the_report_of_a_long_run(tmp_path, batch):
    r = run("check", "--source", CASE / "sources" / "letter.txt", batch, "--out", tmp_path, "--pages", "3", "--jobs", "2")
    assert r.exit_code == 1
    folder = tmp_path / "adhoc"
    assert len((folder / "results.jsonl").read_text(encoding="utf-8").splitlines()) == 30
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    assert len(report["articles"]) == 3
    assert report["meta"]["articles"] == "30" and report["meta"]["results"] == "results.jsonl"
    assert "30 articles; pages for 3 with findings" in r.output
    assert "total" in r.output


def test_a_scheduler_that_cannot_be_reached_is_a_one_line_error(tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")

    def refuse(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(distributed, "Client", refuse)
    r = CliRunner().invoke(main, ["check", str(CASE), "--out", str(tmp_path), "--scheduler", "tcp://127.0.0.1:9"])
    assert r.exit_code == 2
    assert r.output.strip().splitlines() == ["Error: tcp://127.0.0.1:9: cannot reach the Dask scheduler (connection refused)"]


def summary(quotes=3, altered=1):
    return ArticleSummary("a", "", None, quotes, quotes - altered, 0, altered, 0, ())


def test_progress_bar_shows_rate_quotations_and_eta():
    out = io.StringIO()
    p = _Progress(4, stream=out, enabled=True)
    p.t0 -= 2.0
    p(summary())
    line = out.getvalue().split("\r\x1b[K")[-1]
    assert "[#####...............]  25%" in line and "1/4 articles" in line
    assert "3 quotations (1 altered)" in line and "ETA" in line and "/s" in line
    p.close()
    assert out.getvalue().endswith("\r\x1b[K")


def test_progress_bar_without_a_total_and_off_without_a_terminal():
    out = io.StringIO()
    p = _Progress(None, stream=out, enabled=True)
    p(summary(2, 0))
    assert "1 articles" in p.line() and "ETA" not in p.line()
    quiet = io.StringIO()
    q = _Progress(10, stream=quiet)  # a StringIO is no terminal
    q(summary())
    q.close()
    assert quiet.getvalue() == "" and q.done == 1 and q.quotes == 3


def test_the_summary_lists_the_worst_changed_quotations_and_counts_the_rest(tmp_path):
    from quoteverify.ingest import load_case
    from quoteverify.render.terminal import check_changes
    from quoteverify.run import check_stream

    case = load_case(CASE)
    run = check_stream(case.sources, case.articles, case_id=case.id, root=case.root, jobs=1)
    every = check_changes(run)
    assert every[:2] == ["", "Changed quotations, worst first:"] and len(every) > 4
    first = check_changes(run, shown=2)
    assert first[:4] == every[:4]
    assert first[4:] == [f"  ... and {len(every) - 4:,} more, in the report"]
