"""The library's calls for whole runs: a case directory, or sources and articles.

Everything ``quoteverify check`` does is a function call here first:
``quoteverify.check("corpus/some-case")`` returns the :class:`CheckResult`
that the reports render. These calls keep every article's result; they run
through the same streaming driver as the command line
(:func:`quoteverify.run.stream.check_stream`), which for archives keeps
only what the pages need.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from quoteverify.ingest import load_case, read_sources
from quoteverify.models import ArticleRef, ArticleSummary, Case, CheckResult, SourceInfo
from quoteverify.reconstruct import Reconstruction, reconstruct_check
from quoteverify.run.stream import check_stream

Progress = Callable[[ArticleSummary], None]


def check_articles(
    sources: Sequence[SourceInfo],
    articles: Iterable[ArticleRef],
    *,
    case_id: str,
    title: str = "",
    root: str | Path | None = None,
    progress: Progress | None = None,
    jobs: int | None = 1,
    scheduler: str | None = None,
    results: str | Path | None = None,
) -> CheckResult:
    """Check articles against sources. An article that cannot be read is an error entry; the rest still run.

    The sources' index is saved under ``root/.quoteverify`` (a case
    directory) and loaded from there next time. ``jobs``: worker processes
    (``None``: one per core); ``scheduler``: a Dask scheduler address to run
    on instead (see :func:`quoteverify.run.batches.run_articles`); the result
    is the same either way. ``results``: also write each article's line of
    ``results.jsonl`` to this path. ``progress`` is called with each
    article's summary, in input order.
    """
    streamed = check_stream(
        sources, articles, case_id=case_id, title=title, root=root, results=results,
        jobs=jobs, scheduler=scheduler, pages=sys.maxsize, progress=progress,
    )
    return streamed.check


def check_case(case: Case, *, progress: Progress | None = None) -> CheckResult:
    """Check every article of a loaded case."""
    return check_articles(case.sources, case.articles, case_id=case.id, title=case.title, root=case.root, progress=progress)


def check(case_dir: str | Path, *, progress: Progress | None = None) -> CheckResult:
    """Load a case directory (``case.toml``) and check it."""
    return check_case(load_case(case_dir), progress=progress)


def check_files(
    sources: Sequence[str | Path],
    articles: Iterable[ArticleRef],
    *,
    case_id: str = "adhoc",
    title: str = "",
    progress: Progress | None = None,
    speakers: Sequence[str] = (),
) -> CheckResult:
    """Ad hoc use without a case directory: source files (``speakers[i]`` speaks ``sources[i]``) and article references."""
    return check_articles(read_sources(sources, speakers), articles, case_id=case_id, title=title, progress=progress)


def reconstruct_case(case_dir: str | Path, *, source_id: str | None = None) -> Reconstruction:
    """Check a case directory and reconstruct one of its sources from the quotations of its articles."""
    return reconstruct_check(check(case_dir), source_id)
