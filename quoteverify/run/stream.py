"""Checking an archive as a stream: results written as they come, memory that does not grow.

:func:`check_stream` reads the articles lazily, checks them (in this process,
in ``jobs`` processes or on a Dask cluster, see :mod:`quoteverify.run.batches`)
and writes each article's result to ``results.jsonl`` (one JSON object per
line, the article's entry of ``report.json``, in input order) as soon as it
and every article before it are done. What it keeps is bounded: the counts
of the summary, per outlet, and the full results of at most ``pages``
articles for the HTML pages (all of them when the run has no more than
``pages`` articles; otherwise the first ``pages`` with findings, in input
order).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from quoteverify._collector import no_full_collections
from quoteverify.locate import SourceIndex, case_index
from quoteverify.models import ArticleRef, ArticleResult, ArticleSummary, CheckResult, SourceInfo, StreamResult, Tally
from quoteverify.run.defaults import DEFAULT_PAGES, RESULTS_NAME
from quoteverify.run.batches import Outcome, Want, run_articles

#: error messages kept for the summary
MAX_ERRORS = 1000
#: full results kept between two freezes of what is alive (see :func:`check_stream`)
FREEZE_KEPT = 10


class ResultsWriter:
    """Writes ``results.jsonl``: one line per article, in the order given, flushed as it goes.

    Lines are gathered and handed to the system whole (every 64 records, or
    at 1 MiB), so the file grows by whole records; a fault (a full disk
    among them) is an ``OSError`` naming the file.
    """

    FLUSH_RECORDS = 64
    FLUSH_BYTES = 2**20

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd: int | None = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644)
        except OSError as e:
            raise OSError(e.errno, e.strerror, str(self.path)) from None
        self._pending: list[bytes] = []
        self._pending_bytes = 0
        self.lines = 0

    def write(self, record: str) -> None:
        """Write one article's JSON object (one line, no newline in it)."""
        if "\n" in record:
            raise ValueError("a results.jsonl record must be one line")
        line = record.encode("utf-8", "surrogatepass") + b"\n"
        self._pending.append(line)
        self._pending_bytes += len(line)
        self.lines += 1
        if len(self._pending) >= self.FLUSH_RECORDS or self._pending_bytes >= self.FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        """Hand the gathered records to the system."""
        if self._fd is None or not self._pending:
            return
        view = memoryview(b"".join(self._pending))
        self._pending.clear()
        self._pending_bytes = 0
        try:
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
        except OSError as e:
            raise OSError(e.errno, e.strerror, str(self.path)) from None

    def close(self) -> None:
        if self._fd is None:
            return
        try:
            self.flush()
        finally:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> ResultsWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


@dataclass
class _Counter:
    values: list[int] = field(default_factory=lambda: [0] * 9)

    def add(self, s: ArticleSummary) -> None:
        v = self.values
        v[0] += 1
        v[1] += s.quotes
        v[2] += s.verbatim
        v[3] += s.faithful
        v[4] += s.altered
        v[5] += s.unverified
        v[6] += len(s.errors)
        v[7] += s.misattributed
        v[8] += s.not_found

    def tally(self) -> Tally:
        return Tally(*self.values)


class _Kept:
    """What a streamed check keeps of the articles: counts, the first error messages, and the results the pages need.

    All of them while the run has no more than ``pages`` articles; past
    that, only the first ``pages`` with findings, in input order.
    """

    def __init__(self, pages: int) -> None:
        self.pages = pages
        self.first: list[ArticleResult] | None = []
        self.flagged: list[ArticleResult] = []
        # the results.jsonl line of each kept result, beside it: report.json reads its entry from it
        self.first_lines: list[str] = []
        self.flagged_lines: list[str] = []
        # each article counted into its outlet's counts only, the run's being theirs summed at its end: the
        # 2,000 articles of the 10 MB case counted in 0.95 ms instead of 1.6 ms (best of 41, alternated in one process)
        self.outlets: dict[str, _Counter] = {}
        self.errors: list[str] = []

    def want(self, *, records: bool) -> Want:
        """What the next batch should send back."""
        return Want(first=self.pages if self.first is not None else 0, findings=len(self.flagged) < self.pages, records=records)

    def add(self, outcome: Outcome) -> None:
        s = outcome.summary
        outlet = self.outlets.get(s.outlet)
        if outlet is None:  # a counter made only for a new outlet, not for every article to be thrown away
            outlet = self.outlets[s.outlet] = _Counter()
        outlet.add(s)
        for e in s.errors:
            if len(self.errors) < MAX_ERRORS:
                self.errors.append(e)
        if outcome.result is not None:
            if self.first is not None and outcome.position < self.pages:
                self.first.append(outcome.result)
                self.first_lines.append(outcome.record)
            if s.findings and len(self.flagged) < self.pages:
                self.flagged.append(outcome.result)
                self.flagged_lines.append(outcome.record)
        if self.first is not None and outcome.position >= self.pages:
            self.first = None  # more articles than pages: only those with findings get one
            self.first_lines = []

    def total(self) -> Tally:
        """The counts of every article: those of the outlets, summed."""
        return Tally(*[sum(column) for column in zip(*[c.values for c in self.outlets.values()])] or _Counter().values)

    @property
    def articles(self) -> tuple[ArticleResult, ...]:
        """The articles kept in full: every one when the run had no more than ``pages``."""
        return tuple(self.first) if self.first is not None else tuple(self.flagged)

    @property
    def records(self) -> tuple[str, ...]:
        """The results.jsonl line of each of :attr:`articles`, in its order ("" where none was written)."""
        return tuple(self.first_lines) if self.first is not None else tuple(self.flagged_lines)


def check_stream(
    sources: Sequence[SourceInfo],
    articles: Iterable[ArticleRef],
    *,
    case_id: str,
    title: str = "",
    root: str | Path | None = None,
    results: str | Path | None = None,
    jobs: int | None = None,
    scheduler: str | None = None,
    pages: int = DEFAULT_PAGES,
    progress: Callable[[ArticleSummary], None] | None = None,
    index: SourceIndex | None = None,
    digests: Callable[[str], None] | None = None,
) -> StreamResult:
    """Check ``articles`` against ``sources``, writing ``results`` (a ``results.jsonl`` path) as it goes.

    ``root`` is the case directory (article paths are relative to it, and
    the source index is saved under it). ``jobs``/``scheduler``: see
    :func:`quoteverify.run.batches.run_articles` (``jobs=None``: every core).
    ``pages`` bounds the full results kept. ``progress`` is called with each
    article's summary, in input order; ``digests`` with each article's hash
    (of its text as read, see :func:`~quoteverify.run.batches.article_digest`),
    in input order.
    """
    if pages < 0:
        raise ValueError("pages must be >= 0")
    if index is None:
        with no_full_collections():  # see there: 28 ms of the 10 MB case's load
            index = case_index([s.document for s in sources], root)
    kept = _Kept(pages)
    writer = ResultsWriter(results) if results is not None else None

    def wanted() -> Want:
        return kept.want(records=writer is not None)

    held = 0
    try:
        for outcome in run_articles(index, articles, root=root, jobs=jobs, scheduler=scheduler, wanted=wanted):
            if writer is not None:
                writer.write(outcome.record)
            if digests is not None:
                digests(outcome.digest)
            kept.add(outcome)
            if outcome.result is not None:
                held += 1
                if held % FREEZE_KEPT == 0:
                    # the full results kept for the pages are not garbage: kept out of the collector's
                    # passes, which walked them over and over as they grew. Of 2,000 articles of the
                    # 10 MB case, 1,000 results kept: three full passes (0.23 s) and 0.18 s of young
                    # ones, against one full pass (0.002 s) and 0.08-0.09 s of young ones frozen every
                    # 10 results (every 50: 0.13-0.17 s). The few cycles of garbage frozen with them
                    # are given back to the collector at the end of the run.
                    gc.freeze()
            if progress is not None:
                progress(outcome.summary)
    finally:
        if held >= FREEZE_KEPT:
            gc.unfreeze()
        if writer is not None:
            writer.close()
    return _stream_result(kept, sources, case_id, title, results, index)


def _stream_result(
    kept: _Kept, sources: Sequence[SourceInfo], case_id: str, title: str, results: str | Path | None, index: SourceIndex
) -> StreamResult:
    """What :func:`check_stream` kept, as its result: the check of the articles kept, and the tallies of all."""
    complete = kept.first is not None
    tally = kept.total()
    meta: tuple[tuple[str, str], ...] = ()
    if not complete:
        meta = (
            ("articles", str(tally.articles)),
            ("articles_in_report", str(len(kept.articles))),
            ("results", RESULTS_NAME),
        )
    check = CheckResult(case_id, title or case_id, tuple(sources), kept.articles, meta)
    return StreamResult(
        check,
        tally,
        tuple(sorted((name, c.tally()) for name, c in kept.outlets.items())),
        complete,
        tuple(kept.errors),
        Path(results) if results is not None else None,
        index.origin,
        kept.records,
    )
