"""Checking many articles at once: in this process, in a pool of processes, or on a Dask cluster.

:func:`run_articles` takes the article references lazily, sends them in
batches (never one task per article: a task costs milliseconds of
scheduling) to ``jobs`` worker processes or to the workers of a Dask
distributed cluster, and yields one :class:`Outcome` per article, in input
order, whatever order the batches finish in. The source index is sent to
each worker once (as the pool's initialiser argument, or scattered to every
Dask worker with ``broadcast=True``). Only a bounded number of batches is
in flight, so memory does not grow with the number of articles.

Each outcome carries the article's ``results.jsonl`` line (the same object
as its entry in ``report.json``), a small :class:`ArticleSummary`, and the
full :class:`ArticleResult` only when the caller asked for it. The work done
for an article does not depend on where it runs, so the output is the same
for any ``jobs`` and any scheduler.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import hashlib
import itertools
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from quoteverify._cache import read_text_sha256
from quoteverify.errors import InputError, QuoteverifyError
from quoteverify.ingest import read_article
from quoteverify.locate import SourceIndex
from quoteverify.models import ArticleRef, ArticleResult, ArticleSummary, Document, Paragraph, new_tuple
from quoteverify.render.json import results_line
from quoteverify.verify import check_documents, failed_article

if TYPE_CHECKING:  # the pool is imported by a run that starts one (10 ms of each small run's start)
    from concurrent.futures import Future

#: articles per task for a local process pool and for a Dask cluster
LOCAL_BATCH = 16
DASK_BATCH = 64


class Outcome(NamedTuple):
    """One checked article: its place in the input, its ``results.jsonl`` line, its summary, and maybe its result.

    A named tuple, made in one step: a frozen dataclass set its five fields one call each, per article.
    """

    position: int
    record: str
    summary: ArticleSummary
    result: ArticleResult | None
    digest: str = ""


def article_digest(result: ArticleResult) -> str:
    """The hash of one article as read: its text, or the error that kept it from being read."""
    if not result.errors:
        return read_text_sha256(result.article.text)
    return hashlib.sha256(("\0error\0" + "\n".join(result.errors)).encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Want:
    """What a batch should send back: full results of the articles before ``first``, of those with findings if ``findings``, or of all; ``results.jsonl`` lines if ``records``."""

    first: int = 0
    findings: bool = False
    everything: bool = False
    records: bool = True

    def __call__(self, position: int, summary: ArticleSummary) -> bool:
        return self.everything or position < self.first or (self.findings and summary.findings)


KEEP_ALL = Want(everything=True, records=False)

#: given the outcomes received so far, what the next batch should send back
Wanted = Callable[[], Want]


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


# --------------------------------------------------------------------------- the work of one batch


@dataclass(frozen=True)
class Checker:
    """What checking an article needs, sent once to each worker: the index, the case folder, the sources' paragraphs."""

    index: SourceIndex
    root: str | Path | None
    paragraphs: dict[str, tuple[Paragraph, ...]]

    @classmethod
    def of(cls, index: SourceIndex, root: str | Path | None) -> Checker:
        return cls(index, root, {d.id: d.paragraphs_or_whole for d in index.documents})

    def record(self, result: ArticleResult) -> str:
        """The ``results.jsonl`` line of an article (no newline): its ``report.json`` entry as compact JSON."""
        return results_line(result, self.paragraphs)


@dataclass(frozen=True)
class _ReadError:
    """An article that could not be read where the batch was made (sent instead of its document)."""

    ref: ArticleRef
    error: InputError


Item = ArticleRef | Document | _ReadError


def check_items(items: Sequence[Item], index: SourceIndex, root: str | Path | None) -> list[ArticleResult]:
    """Check articles given as references (read here), documents, or the errors reading them gave, in their order:
    every one read, then those read checked together.

    Each stage is done for the whole batch before the next (see
    :func:`~quoteverify.verify.check_documents`), reading among them.
    """
    read = [_read_item(item, root) for item in items]
    checked = iter(check_documents([r for r in read if isinstance(r, Document)], index))
    return [next(checked) if isinstance(r, Document) else r for r in read]


def _read_item(item: Item, root: str | Path | None) -> Document | ArticleResult:
    """The document of an item, or the result of an article that could not be read."""
    if isinstance(item, _ReadError):
        return failed_article(item.ref, item.error)
    if isinstance(item, ArticleRef):
        try:
            return read_article(item, root=root)
        except InputError as e:
            return failed_article(item, e)
    return item


def check_batch(checker: Checker, items: Sequence[Item], start: int, want: Want) -> list[Outcome]:
    """Check a batch of articles whose first has input position ``start``."""
    out = []
    index, root, paragraphs = checker.index, checker.root, checker.paragraphs
    records = want.records
    for position, result in enumerate(check_items(items, index, root), start):
        summary = ArticleSummary.of(result)
        record = results_line(result, paragraphs) if records else ""
        kept = result if want(position, summary) else None
        # made from a tuple of its fields, without its __new__, a function of Python called through the type
        # (with the summary made so: see ArticleSummary.of for the figure)
        out.append(new_tuple(Outcome, (position, record, summary, kept, article_digest(result))))
    return out



_worker_checker: Checker | None = None


def _die_with_parent() -> None:
    """End this worker when the process that started it dies, even by ``kill -9``.

    On Linux the kernel sends SIGKILL (``prctl(PR_SET_PDEATHSIG)``); a
    thread watching the parent's pid covers the rest (and the moment between
    the fork and the prctl call).
    """
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            pr_set_pdeathsig = 1
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _init_worker(checker: Checker) -> None:
    global _worker_checker
    _die_with_parent()
    # what the worker inherits from the parent (the index among it) lives as
    # long as the worker: kept out of the collector's passes, its pages are
    # not copied by them
    _collect_seldom()
    _worker_checker = checker


def _pool_batch(items: Sequence[ArticleRef], start: int, want: Want) -> list[Outcome]:
    assert _worker_checker is not None, "worker not initialised"
    return check_batch(_worker_checker, items, start, want)


def _dask_batch(checker: Checker, items: Sequence[Document | _ReadError], start: int, want: Want) -> list[Outcome]:
    return check_batch(checker, items, start, want)


# --------------------------------------------------------------------------- running


class _Handle(Protocol):
    def result(self) -> list[Outcome]: ...


def _batches(refs: Iterable[Item], size: int) -> Iterator[tuple[int, list[Item]]]:
    it = iter(refs)
    start = 0
    while True:
        batch = list(itertools.islice(it, size))
        if not batch:
            return
        yield start, batch
        start += len(batch)


def _in_order(
    batches: Iterator[tuple[int, list[Any]]],
    submit: Callable[[list[Any], int, Want], _Handle],
    wanted: Wanted,
    window: int,
) -> Iterator[Outcome]:
    """Submit batches, at most ``window`` in flight, and yield their outcomes in input order."""
    pending: deque[_Handle] = deque()
    for start, batch in batches:
        pending.append(submit(batch, start, wanted()))
        while len(pending) >= window:
            yield from pending.popleft().result()
    while pending:
        yield from pending.popleft().result()


def _read_for_remote(refs: Iterable[ArticleRef], root: str | Path | None) -> Iterator[Document | _ReadError]:
    """Read articles here, for workers that may not see this machine's files."""
    for ref in refs:
        try:
            yield read_article(ref, root=root)
        except InputError as e:
            yield _ReadError(ref, e)


#: the collector's threshold for its youngest generation while articles are checked
YOUNG_THRESHOLD = 20_000


def _collect_seldom() -> tuple[int, int, int]:
    """Keep what exists now out of the collector's passes, and make them rarer; returns the thresholds to put back.

    Checking an article leaves no reference cycle behind (each object is
    freed as soon as it is done with), so a pass finds nothing to free:
    they took 50 ms of the 2,000 articles of the 10 MB case at the usual
    threshold of 700 new objects, 23 ms at 20,000 (CPU time, two runs each).
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(thresholds[0], YOUNG_THRESHOLD), *thresholds[1:])
    return thresholds


def _run_here(checker: Checker, batches: Iterable[tuple[int, list[Item]]], wanted: Wanted) -> Iterator[Outcome]:
    """Check the batches in this process.

    What exists when the run starts (the index among it) is kept out of the
    collector's passes while it runs, as a worker process's is: the passes
    over the whole heap were 0.2 s of 9.9 s (2,000 articles of the 10 MB
    case). See :func:`_collect_seldom`.
    """
    thresholds = _collect_seldom()
    try:
        for start, batch in batches:
            yield from check_batch(checker, batch, start, wanted())
            # what the batch left alive (the tables the engine grows as it meets new texts) kept out of
            # the passes too, the count of new objects that sets one off started afresh: the 2,000
            # articles of the 10 MB case set off three young passes over 20,000 objects and more,
            # 9.5 ms that found 3 objects to free, and none so (collector callbacks, two runs)
            gc.freeze()
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def run_articles(
    index: SourceIndex,
    refs: Iterable[ArticleRef],
    *,
    root: str | Path | None = None,
    jobs: int | None = 1,
    scheduler: str | None = None,
    wanted: Wanted = lambda: KEEP_ALL,
    batch_size: int | None = None,
) -> Iterator[Outcome]:
    """Check articles against the indexed sources; yield an :class:`Outcome` per article, in input order.

    ``jobs``: worker processes on this machine (``None`` or 0: one per
    core; 1: in this process). ``scheduler``: the address of a Dask
    distributed scheduler (``tcp://host:8786``) to run on instead; its
    workers need quoteverify installed, and articles are read here and sent
    to them. ``wanted`` is called before each batch is sent and says which
    full results it should send back (by default all). Articles are read
    lazily from ``refs``; an article that cannot be read becomes an error
    entry and the run goes on.
    """
    if scheduler:
        yield from _run_dask(Checker.of(index, None), refs, root, scheduler, wanted, batch_size or DASK_BATCH)
        return
    jobs = jobs or default_jobs()
    size = batch_size or LOCAL_BATCH
    batches = _batches(refs, size)
    if jobs > 1:
        # a run that fits in one batch per worker is not worth starting processes for
        head = list(itertools.islice(batches, jobs))
        if len(head) < jobs:
            jobs = 1
        batches = itertools.chain(head, batches)
    checker = Checker.of(index, root)
    if jobs == 1:
        yield from _run_here(checker, batches, wanted)
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(checker,)) as pool:

        def submit(batch: list[ArticleRef], start: int, want: Want) -> Future[list[Outcome]]:
            return pool.submit(_pool_batch, batch, start, want)

        try:
            yield from _in_order(batches, submit, wanted, window=jobs * 3)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


#: how long a Dask run waits, with no worker left on the cluster, before it gives up (seconds)
NO_WORKERS_GRACE = 30.0


class _DaskHandle:
    """A Dask future whose wait ends with an error when the cluster has had no worker for :data:`NO_WORKERS_GRACE`."""

    def __init__(self, client: Any, future: Any) -> None:
        self.client = client
        self.future = future

    def result(self) -> list[Outcome]:
        alone_since: float | None = None
        while True:
            try:
                outcomes: list[Outcome] = self.future.result(timeout=1)
                return outcomes
            except TimeoutError:
                pass
            if self.client.scheduler_info().get("workers"):
                alone_since = None
                continue
            now = time.monotonic()
            alone_since = alone_since if alone_since is not None else now
            if now - alone_since > NO_WORKERS_GRACE:
                raise QuoteverifyError(f"no Dask worker left for {NO_WORKERS_GRACE:.0f} s")


def _run_dask(
    checker: Checker,
    refs: Iterable[ArticleRef],
    root: str | Path | None,
    address: str,
    wanted: Wanted,
    size: int,
) -> Iterator[Outcome]:
    try:
        from distributed import Client
    except ImportError:
        raise QuoteverifyError(
            "--scheduler needs Dask distributed: pip install 'quoteverify[dask]'"
        ) from None
    try:
        client = Client(address, timeout="20s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as e:
        raise QuoteverifyError(f"{address}: cannot reach the Dask scheduler ({e})") from None
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        shared = client.scatter(checker, broadcast=True, hash=False, timeout=NO_WORKERS_GRACE)
        docs = _read_for_remote(refs, root)

        def submit(batch: list[Document | _ReadError], start: int, want: Want) -> _Handle:
            return _DaskHandle(client, client.submit(_dask_batch, shared, batch, start, want, pure=False))

        yield from _in_order(_batches(docs, size), submit, wanted, window=workers * 3)
    except (QuoteverifyError, GeneratorExit):
        raise
    except Exception as e:  # lost workers, a lost scheduler: the cluster's fault, not the articles'
        reason = str(e).splitlines()[0] if str(e) else ""
        raise QuoteverifyError(
            f"{address}: the distributed run failed ({type(e).__name__}{': ' + reason if reason else ''})"
        ) from None
    finally:
        with contextlib.suppress(Exception):
            client.close()
