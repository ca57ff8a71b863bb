"""The pipeline: ingest, extract, locate, align, classify and cover, in order.

Everything ``quoteverify check`` does is a function call here first:
``quoteverify.check("corpus/some-case")`` returns the :class:`CheckResult`
that the reports render.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from quoteverify import classify as cls
from quoteverify.align import align
from quoteverify.cover import coverage
from quoteverify.errors import InputError
from quoteverify.extract import extract_quotations
from quoteverify.ingest import load_case, read_sources
from quoteverify.locate import SHORT, SourceIndex, locate
from quoteverify.models import (
    Alignment,
    ArticleRef,
    ArticleResult,
    Case,
    CheckResult,
    Document,
    Fragment,
    Quotation,
    QuoteResult,
    SourceInfo,
    Token,
    Variant,
    Verdict,
    new_token,
)
from quoteverify.normalize import INVISIBLE, quotation_fragments

Progress = Callable[[ArticleResult], None]

_INVISIBLE = re.compile("[" + "".join(sorted(INVISIBLE)) + "]")


def verify_quotation(quotation: Quotation, article_text: str, index: SourceIndex) -> QuoteResult:
    """Locate one quotation, align it against its passage, and classify the differences."""
    fragments = quotation_fragments(article_text, quotation.segments)
    invisible = 0
    if any(_INVISIBLE.search(article_text, s.start, s.end) for s in quotation.segments if s.kind == "text"):
        invisible = sum(1 for f in fragments for t in f if t.is_word for c in t.text if c in INVISIBLE)
    result = _verify(quotation, fragments, article_text, index)
    return dataclasses.replace(result, invisible=invisible) if invisible else result


def _verify(quotation: Quotation, fragments: tuple[tuple[Token, ...], ...], article_text: str, index: SourceIndex) -> QuoteResult:
    location = locate(quotation, fragments, index)
    if location is None:
        return QuoteResult(quotation, None, (), (), Verdict.UNVERIFIED)
    src_no = index.number(location.source)
    source = index.sources[src_no].doc
    alignments = []
    variants: list[Variant] = []
    for number, frag in enumerate(location.fragments):
        al = align(_passage_tokens(index, src_no, frag, fragments[frag.index], quotation, article_text), fragments[frag.index])
        alignments.append(al)
        variants.extend(cls.classify_alignment(al, source.text, article_text, fragment=number))
    # fragments that were not found are words the source does not have
    found = {f.index for f in location.fragments}
    for i, toks in enumerate(fragments):
        if i not in found and any(t.is_word for t in toks):
            variants.append(Variant(cls.Kind.INSERTION, "", article_text[toks[0].start : toks[-1].end], None, (toks[0].start, toks[-1].end)))
    if len(location.fragments) > 1:
        markers = [(s.start, s.end) for s in quotation.segments if s.kind == "elision"]
        markers = _inner_markers(quotation, markers)
        variants.extend(cls.elision_variants(location, len(fragments), markers, source.text, article_text))
    variants.sort(key=lambda v: (v.quote_span or (v.source_span or (0, 0)))[0])
    if not _more_words_than(fragments, SHORT):
        # one or two words: located only when exact, case and all, never judged altered
        if not all(_same_words(al) for al in alignments):
            return QuoteResult(quotation, None, (), (), Verdict.UNVERIFIED)
        variants = [v for v in variants if v.severity is not cls.Severity.MAJOR]
    return QuoteResult(quotation, location, tuple(alignments), tuple(variants), cls.verdict(variants, True))


def _passage_tokens(index: SourceIndex, source: int, frag: Fragment, tokens: tuple[Token, ...], quotation: Quotation, article_text: str) -> tuple[Token, ...]:
    """The tokens of the passage a fragment was located at (:meth:`SourceIndex.tokens_in`).

    When the passage is, character for character, the text of a fragment
    that lies in one run of quoted words, the same text is cut into the
    same tokens: the fragment's own are moved to the passage.
    """
    a, b = frag.source_span
    q0, q1 = frag.quote_span
    if b - a == q1 - q0 and any(s.kind == "text" and s.start <= q0 and q1 <= s.end for s in quotation.segments):
        if index.sources[source].doc.text[a:b] == article_text[q0:q1]:
            d = a - q0
            return tuple([new_token(Token, (t.text, t.norm, t.start + d, t.end + d, t.is_word, False)) for t in tokens])
    return index.tokens_in(source, frag.source_span)


def _more_words_than(fragments: tuple[tuple[Token, ...], ...], n: int) -> bool:
    """Whether the fragments hold more than ``n`` words (counted only as far as needed)."""
    for f in fragments:
        for t in f:
            if t.is_word:
                n -= 1
                if n < 0:
                    return True
    return False


def _same_words(al: Alignment) -> bool:
    """Whether an alignment's quotation has exactly the source's words (punctuation aside)."""
    return [t.norm for t in al.source_tokens if t.is_word] == [t.norm for t in al.quote_tokens if t.is_word]


def _inner_markers(quotation: Quotation, markers: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Elision markers that stand between two fragments (not at the very start or end)."""
    segs = quotation.segments
    inner = []
    for m in markers:
        before = any(s.kind != "elision" and s.end <= m[0] for s in segs)
        after = any(s.kind != "elision" and s.start >= m[1] for s in segs)
        if before and after:
            inner.append(m)
    return inner


def check_article(article: Document, index: SourceIndex) -> ArticleResult:
    """Every quotation of one article, verified against the indexed sources."""
    quotes = tuple(verify_quotation(q, article.text, index) for q in extract_quotations(article))
    return ArticleResult(article, quotes, coverage(quotes, index), ())


def _failed(ref: ArticleRef, error: InputError) -> ArticleResult:
    doc = Document(id=ref.id, text="", path=ref.path, outlet=ref.outlet, date=ref.date, url=ref.url)
    return ArticleResult(doc, (), (), (str(error),))


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
    on instead (see :func:`quoteverify.parallel.run_articles`); the result is
    the same either way. ``results``: also write each article's line of
    ``results.jsonl`` to this path. Every result is kept: for archives, see
    :func:`quoteverify.stream.check_stream`.
    """
    from quoteverify.locate import case_index
    from quoteverify.parallel import Want, run_articles
    from quoteverify.stream import ResultsWriter

    index = case_index([s.document for s in sources], root)
    collected = []
    want = Want(everything=True, records=results is not None)
    writer = ResultsWriter(results) if results is not None else None
    try:
        for outcome in run_articles(index, articles, root=root, jobs=jobs, scheduler=scheduler, wanted=lambda: want):
            assert outcome.result is not None
            collected.append(outcome.result)
            if writer is not None:
                writer.write(outcome.record)
            if progress is not None:
                progress(outcome.result)
    finally:
        if writer is not None:
            writer.close()
    return CheckResult(case_id, title or case_id, tuple(sources), tuple(collected))


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
) -> CheckResult:
    """Ad hoc use without a case directory: source files and article references."""
    return check_articles(read_sources(sources), articles, case_id=case_id, title=title, progress=progress)
