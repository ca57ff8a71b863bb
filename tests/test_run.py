"""Parallel and streamed checks give the same output as a plain one, in input order, with bounded memory."""

import gzip
import json
from pathlib import Path

import pytest

from quoteverify.run import batches
from quoteverify.ingest import iter_articles, load_case
from quoteverify.locate import SourceIndex
from quoteverify.models import ArticleRef
from quoteverify.models import ArticleSummary
from quoteverify.render import report_json
from quoteverify.render.json import article_json
from quoteverify.run import check_articles
from quoteverify.run.batches import KEEP_ALL, Want, run_articles
from quoteverify.run.stream import ResultsWriter, check_stream

CASE = Path(__file__).resolve().parents[1] / "corpus" / "seely-letter"


@pytest.fixture(scope="module")
def case():
    return load_case(CASE)


@pytest.fixture(scope="module")
def archive(tmp_path_factory, case):
    """A JSON Lines batch of 40 articles: the seed articles again and again, some broken lines among them."""
    folder = tmp_path_factory.mktemp("archive")
    lines = []
    texts = [(CASE / ref.path).read_text(encoding="utf-8") for ref in case.articles]
    for n in range(40):
        if n % 13 == 7:
            lines.append("{not json")
            continue
        ref = case.articles[n % len(case.articles)]
        text = texts[n % len(texts)]
        if n % 3 == 0:
            text = text.replace("sovereign decision", "sovereign choice")
        lines.append(json.dumps({"id": f"{ref.id}-{n}", "outlet": ref.outlet, "text": text}))
    path = folder / "articles.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return path


def dump(result):
    return json.dumps(report_json(result), ensure_ascii=False, sort_keys=True)


def test_run_articles_yields_in_input_order_with_any_jobs(case, archive):
    index = SourceIndex([s.document for s in case.sources])
    refs = list(iter_articles([str(archive)]))
    one = list(run_articles(index, refs, jobs=1, wanted=lambda: Want(everything=True)))
    two = list(run_articles(index, iter(refs), jobs=2, batch_size=3, wanted=lambda: Want(everything=True)))
    assert [o.position for o in two] == list(range(len(refs)))
    assert [o.record for o in two] == [o.record for o in one]
    assert [o.summary for o in two] == [o.summary for o in one]
    assert [o.result for o in two] == [o.result for o in one]
    assert sum(1 for o in one if o.summary.errors) == 3


def test_a_batch_read_then_checked_a_stage_at_a_time_gives_each_articles_outcome(case, archive, tmp_path):
    """Batches of 16 (each read whole, then checked a stage at a time) give the outcomes of batches of one, errors in place."""
    index = SourceIndex([s.document for s in case.sources])
    refs = list(iter_articles([str(archive)]))
    refs[5:5] = [ArticleRef("gone", str(tmp_path / "missing.txt"))]
    single = list(run_articles(index, refs, jobs=1, batch_size=1, wanted=lambda: Want(everything=True)))
    batched = list(run_articles(index, refs, jobs=1, batch_size=16, wanted=lambda: Want(everything=True)))
    assert batched == single
    assert [o.position for o in batched if o.summary.errors] == [5, 8, 21, 34]
    assert "missing.txt" in batched[5].summary.errors[0]


def test_jobs_2_gives_the_same_report_as_jobs_1(case, archive, monkeypatch):
    monkeypatch.setattr(batches, "LOCAL_BATCH", 4)
    refs = list(iter_articles([str(archive)]))
    one = check_articles(case.sources, refs, case_id="x", jobs=1)
    two = check_articles(case.sources, iter(refs), case_id="x", jobs=2)
    assert dump(one) == dump(two)


def test_results_jsonl_lines_are_the_report_entries_in_order(case, archive, tmp_path):
    refs = list(iter_articles([str(archive)]))
    path = tmp_path / "results.jsonl"
    result = check_articles(case.sources, refs, case_id="x", results=path)
    lines = path.read_text(encoding="utf-8").splitlines()
    paragraphs = {s.document.id: s.document.paragraphs_or_whole for s in result.sources}
    # built afresh: report.json reads its entries back from these very lines
    assert [json.loads(line) for line in lines] == [article_json(a, paragraphs) for a in result.articles]
    assert [json.loads(line) for line in lines] == report_json(result)["articles"]


def test_a_stream_keeps_every_result_of_a_short_run(case, tmp_path):
    streamed = check_stream(case.sources, case.articles, case_id=case.id, title=case.title, root=case.root, jobs=1,
                            results=tmp_path / "results.jsonl")
    plain = check_articles(case.sources, case.articles, case_id=case.id, title=case.title, root=case.root)
    assert streamed.complete and dump(streamed.check) == dump(plain)
    assert streamed.total.articles == 5 and streamed.total.altered == plain.altered
    assert sum(t.articles for _, t in streamed.outlets) == 5


def test_a_long_stream_keeps_only_pages_results_with_findings(case, archive, tmp_path):
    refs = list(iter_articles([str(archive)]))
    plain = check_articles(case.sources, refs, case_id="x")
    seen = []
    streamed = check_stream(case.sources, refs, case_id="x", jobs=2, pages=4, results=tmp_path / "r.jsonl",
                            progress=seen.append)
    assert not streamed.complete
    with_findings = [a for a in plain.articles if a.errors or any(q.verdict.value != "verbatim" for q in a.quotes)]
    assert streamed.check.articles == tuple(with_findings[:4])
    assert dict(streamed.check.meta)["articles"] == "40"
    assert [s.id for s in seen] == [a.article.id for a in plain.articles]
    assert streamed.total.altered == plain.altered and streamed.total.errors == 3
    assert len((tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines()) == 40


def test_a_partial_report_reads_its_entries_from_the_lines_and_counts_the_whole_run(case, archive, tmp_path):
    from quoteverify.render.html import render_report
    from quoteverify.render.json import article_json

    refs = list(iter_articles([str(archive)]))
    for pages in (4, 0):
        streamed = check_stream(case.sources, refs, case_id="x", jobs=1, pages=pages, results=tmp_path / f"r{pages}.jsonl")
        assert len(streamed.records) == len(streamed.check.articles) == pages
        paragraphs = {s.document.id: s.document.paragraphs_or_whole for s in case.sources}
        assert [json.loads(r) for r in streamed.records] == [article_json(a, paragraphs) for a in streamed.check.articles]
        files = render_report(streamed.check, streamed.outlets, streamed.records)
        index = files["index.html"].decode("utf-8")
        altered = streamed.total.altered
        assert altered and f"{altered:,} quotations of the source altered, over the 40 articles of the run" in index
        assert "No quotation of the source is altered" not in index
        assert ("No article of this run has a page" in index) == (pages == 0)
        assert ("Altered quotations, worst outlet first" in index) == (pages > 0)


def test_a_stream_gives_back_to_the_collector_the_results_it_froze(case, archive, tmp_path):
    import gc

    from quoteverify.run import stream

    refs = list(iter_articles([str(archive)]))
    assert len(refs) > 2 * stream.FREEZE_KEPT
    gc.collect()
    before = gc.get_freeze_count()
    frozen = []
    real = gc.freeze

    def counted():
        frozen.append(1)
        real()

    gc.freeze = counted
    try:
        streamed = check_stream(case.sources, refs, case_id="x", jobs=2, results=tmp_path / "r.jsonl")
    finally:
        gc.freeze = real
    # in worker processes: every freeze here is the stream's own
    assert streamed.complete and len(frozen) >= 2  # the results were frozen as they came ...
    assert gc.get_freeze_count() == before  # ... and are the collector's again once the run is over


def test_want_sends_back_only_what_is_kept():
    s = ArticleSummary("a", "", None, 2, 2, 0, 0, 0, ())
    flagged = ArticleSummary("b", "", None, 2, 1, 0, 1, 0, ())
    assert not s.findings and flagged.findings
    want = Want(first=3, findings=True)
    assert want(2, s) and not want(3, s) and want(10, flagged)
    assert not Want(first=0, findings=False)(0, flagged) and KEEP_ALL(99, s)


def test_results_writer_refuses_a_record_over_two_lines(tmp_path):
    with ResultsWriter(tmp_path / "r.jsonl") as w, pytest.raises(ValueError):
        w.write('{"a":\n1}')


def test_unreadable_article_is_an_error_entry_in_workers_too(case, tmp_path, monkeypatch):
    monkeypatch.setattr(batches, "LOCAL_BATCH", 1)
    refs = [ArticleRef("gone", str(tmp_path / "missing.txt"))] + list(case.articles)
    result = check_articles(case.sources, refs, case_id="x", root=case.root, jobs=2)
    assert result.articles[0].errors and "missing.txt" in result.articles[0].errors[0]
    assert [a.article.id for a in result.articles[1:]] == [r.id for r in case.articles]


def test_dask_cluster_gives_the_same_report_as_a_local_run(case, archive, monkeypatch):
    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr(batches, "DASK_BATCH", 6)
    refs = list(iter_articles([str(archive)]))
    local = check_articles(case.sources, refs, case_id="x")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = check_articles(case.sources, iter(refs), case_id="x", scheduler=cluster.scheduler_address)
    assert dump(remote) == dump(local)
    assert json.dumps(report_json(remote)) == json.dumps(report_json(local))


def test_an_articles_summary_counts_what_each_quotation_counts_under() -> None:
    """The summary's counts and outcomes are those of :func:`quote_outcomes` asked of each quotation."""
    import itertools
    from collections import Counter

    from quoteverify.models import ArticleResult, Document, Quotation, QuoteResult, Verdict, quote_outcomes

    kinds = [(v, reason) for v in Verdict for reason in (None, "not-found", "other-speaker")]
    quotation = Quotation("x", ((0, 1),), ())
    for n in range(4):
        for picked in itertools.product(kinds, repeat=n):
            quotes = tuple(QuoteResult(quotation, None, (), (), v, reason=reason) for v, reason in picked)
            s = ArticleSummary.of(ArticleResult(Document(id="a", text="x", outlet="o"), quotes, (), ("e",)))
            outcomes = Counter(name for q in quotes for name in quote_outcomes(q))
            assert s.outcomes == tuple(sorted(outcomes.items()))
            assert (s.quotes, s.verbatim, s.faithful, s.altered, s.unverified, s.misattributed, s.not_found) == (
                len(quotes), *(sum(q.verdict is v for q in quotes) for v in (Verdict.VERBATIM, Verdict.FAITHFUL, Verdict.ALTERED, Verdict.UNVERIFIED, Verdict.MISATTRIBUTED)), outcomes["not-found"],
            )
            assert (s.id, s.outlet, s.errors) == ("a", "o", ("e",))


def test_a_streams_counts_are_those_of_every_article_summed() -> None:
    """The run's counts, its outlets' summed, are each article's counted once."""
    from hypothesis import given
    from hypothesis import strategies as st

    from quoteverify.models import Tally
    from quoteverify.run.batches import Outcome
    from quoteverify.run.stream import _Kept

    summaries = st.builds(
        ArticleSummary,
        st.just("a"),
        st.sampled_from(["", "Herald", "Post"]),
        st.none(),
        *[st.integers(0, 5)] * 5,
        st.lists(st.just("fault"), max_size=2).map(tuple),
        st.integers(0, 5),
        st.integers(0, 5),
    )

    @given(st.lists(summaries, max_size=12))
    def check(given_summaries: list[ArticleSummary]) -> None:
        kept = _Kept(0)
        for n, s in enumerate(given_summaries):
            kept.add(Outcome(n, "", s, None))
        fields = ("quotes", "verbatim", "faithful", "altered", "unverified")
        plainly = Tally(
            len(given_summaries),
            *[sum(getattr(s, f) for s in given_summaries) for f in fields],
            sum(len(s.errors) for s in given_summaries),
            sum(s.misattributed for s in given_summaries),
            sum(s.not_found for s in given_summaries),
        )
        assert kept.total() == plainly

    check()
