"""The command line: a thin click layer over the library.

Exit status: 0 when no quotation is altered, 1 when one is, 2 on a usage or
input error (one line naming the file and the fault, never a traceback).
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO, TypeVar

import click

from quoteverify import __version__
from quoteverify.errors import QuoteverifyError
from quoteverify.models import ArticleRef, Verdict
from quoteverify.models import ArticleSummary, StreamResult
from quoteverify.run import DEFAULT_PAGES

F = TypeVar("F", bound=Callable[..., object])

EXIT_OK, EXIT_ALTERED, EXIT_ERROR = 0, 1, 2


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn the library's input errors into a one-line message and exit status 2."""
    try:
        yield
    except QuoteverifyError as e:
        click.echo(f"Error: {e}", err=True)
        sys.exit(EXIT_ERROR)
    except OSError as e:
        where = f"{e.filename}: " if e.filename else ""
        click.echo(f"Error: {where}{e.strerror or e}", err=True)
        sys.exit(EXIT_ERROR)


class _Progress:
    """A progress bar on stderr for long runs: articles done, articles/s, quotations found, ETA.

    Off when stderr is not a terminal; redrawn at most ten times a second.
    ``total`` may be set later (it is counted in the background for ad hoc
    inputs); until then the line shows no bar and no ETA.
    """

    def __init__(self, total: int | None, *, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.total = total
        self.done = 0
        self.quotes = 0
        self.altered = 0
        self.t0 = time.monotonic()
        self._drawn = 0.0
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled

    def __call__(self, summary: ArticleSummary) -> None:
        self.done += 1
        self.quotes += summary.quotes
        self.altered += summary.altered
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._drawn >= 0.1 or self.done == self.total:
            self._drawn = now
            self.stream.write(f"\r\033[K{self.line(now)}")
            self.stream.flush()

    def line(self, now: float | None = None) -> str:
        """The progress line as it stands."""
        elapsed = max((now if now is not None else time.monotonic()) - self.t0, 1e-9)
        rate = self.done / elapsed
        parts = []
        total = self.total
        if total:
            share = min(self.done / total, 1.0)
            filled = int(share * 20)
            parts.append(f"[{'#' * filled}{'.' * (20 - filled)}] {100 * share:3.0f}%")
            parts.append(f"{self.done:,}/{total:,} articles")
        else:
            parts.append(f"{self.done:,} articles")
        parts.append(f"{rate:,.1f}/s")
        parts.append(f"{self.quotes:,} quotations ({self.altered:,} altered)")
        if total and rate > 0 and self.done < total:
            parts.append(f"ETA {_duration((total - self.done) / rate)}")
        else:
            parts.append(_duration(elapsed))
        return "  ".join(parts)

    def close(self) -> None:
        if self.enabled and self._drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()


def _duration(seconds: float) -> str:
    s = int(seconds + 0.5)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


def _count_in_background(inputs: Sequence[str], progress: _Progress) -> None:
    """Count the articles of ad hoc inputs in a thread, for the progress bar's total and ETA."""
    from quoteverify.ingest import iter_articles

    def count() -> None:
        try:
            progress.total = sum(1 for _ in iter_articles(inputs))
        except Exception:  # the run itself reports what cannot be read
            return

    threading.Thread(target=count, name="count-articles", daemon=True).start()


def _summary(result: StreamResult, index: Path) -> None:
    head = ("quotes", "verbatim", "faithful", "altered", "unverified", "errors")
    if result.complete:
        rows = [("article", "outlet", *head)]
        for a in result.check.articles:
            rows.append(
                (
                    a.article.id,
                    a.article.outlet or "-",
                    str(len(a.quotes)),
                    str(a.count(Verdict.VERBATIM)),
                    str(a.count(Verdict.FAITHFUL)),
                    str(a.count(Verdict.ALTERED)),
                    str(a.count(Verdict.UNVERIFIED)),
                    str(len(a.errors)),
                )
            )
    else:
        rows = [("outlet", "articles", *head)]
        for name, t in [*result.outlets, ("total", result.total)]:
            rows.append(
                (name or "-", f"{t.articles:,}", f"{t.quotes:,}", f"{t.verbatim:,}", f"{t.faithful:,}",
                 f"{t.altered:,}", f"{t.unverified:,}", f"{t.errors:,}")
            )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for n, r in enumerate(rows):
        cells = [c.ljust(w) if i < (2 if result.complete else 1) else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))]
        click.echo("  ".join(cells).rstrip())
        if n == 0 or (not result.complete and n == len(rows) - 2):
            click.echo("  ".join("-" * w for w in widths))
    for err in result.errors:
        click.echo(f"error: {err}", err=True)
    if result.total.errors > len(result.errors):
        click.echo(f"... and {result.total.errors - len(result.errors):,} more errors (see {result.results})", err=True)
    if not result.complete:
        click.echo(
            f"\n{result.total.articles:,} articles; pages for {len(result.check.articles):,} with findings;"
            f" every article in {result.results}"
        )
    click.echo(f"\nReport: {index}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="quoteverify")
def main() -> None:
    """Find every direct quotation of a document in news articles, and name each variant."""


@main.command()
@click.argument("inputs", nargs=-1, metavar="CASE_DIR | ARTICLE...")
@click.option("--source", "sources", multiple=True, metavar="FILE", help="A source document (ad hoc use, without a case directory). Repeatable.")
@click.option("--out", "out", default="reports", show_default=True, type=click.Path(file_okay=False), help="Where the report folder is written.")
@click.option("--case-id", default=None, help="Name of the report folder in ad hoc use (default: adhoc).")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=0, metavar="N", help="Worker processes on this machine (default 0: one per core; 1: none). The report is the same for any N.")
@click.option("--scheduler", default=None, metavar="ADDRESS", help="Run on an existing Dask distributed cluster instead (tcp://host:8786); needs quoteverify[dask] here and on the workers.")
@click.option("--pages", type=click.IntRange(min=0), default=DEFAULT_PAGES, show_default=True, metavar="N", help="Keep at most N articles in full for the report; in a longer run, the first N with findings (every article is in results.jsonl).")
def check(
    inputs: tuple[str, ...],
    sources: tuple[str, ...],
    out: str,
    case_id: str | None,
    jobs: int,
    scheduler: str | None,
    pages: int,
) -> None:
    """Verify every quotation of the articles against the sources.

    Either CASE_DIR, a folder with a case.toml, or --source FILE ... and the
    articles (files, folders, JSON Lines batches, or - for standard input).
    Writes OUT/<case>/index.html, a page per article, report.json, and
    results.jsonl (one line per article, in input order, written as the run
    goes).
    """
    from quoteverify.ingest import iter_articles, load_case, read_sources
    from quoteverify.report import safe_name, write_report
    from quoteverify.run import RESULTS_NAME, check_stream

    with _user_errors():
        if sources:
            if not inputs:
                raise click.UsageError("give at least one ARTICLE with --source")
            infos = read_sources(sources)
            refs: Iterable[ArticleRef] = iter_articles(inputs)
            ident, title, root, total = case_id or "adhoc", "", None, None
        else:
            if len(inputs) != 1:
                raise click.UsageError("give one CASE_DIR, or --source FILE and ARTICLE files")
            case = load_case(inputs[0])
            infos, refs, ident, title, root = case.sources, case.articles, case.id, case.title, case.root
            total = len(case.articles)
        progress = _Progress(total)
        if total is None and progress.enabled and "-" not in inputs:
            _count_in_background(inputs, progress)
        try:
            result = check_stream(
                infos, refs, case_id=ident, title=title, root=root,
                results=Path(out) / safe_name(ident) / RESULTS_NAME,
                jobs=jobs or None, scheduler=scheduler, pages=pages, progress=progress,
            )
        finally:
            progress.close()
        index = write_report(result.check, out)
    _summary(result, index)
    sys.exit(EXIT_ALTERED if result.total.altered else EXIT_OK)


@main.command()
@click.argument("article")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def extract(article: str, as_json: bool) -> None:
    """List the direct quotations of one ARTICLE, with their spans and attribution."""
    from quoteverify.extract import extract_quotations
    from quoteverify.ingest import iter_articles, read_article

    with _user_errors():
        refs = list(iter_articles([article]))
        docs = [read_article(r) for r in refs]
    for doc in docs:
        quotes = extract_quotations(doc)
        if as_json:
            payload = [
                {"text": q.text, "spans": [list(s) for s in q.spans], "attribution": q.attribution}
                for q in quotes
            ]
            click.echo(json.dumps({"article": doc.id, "quotes": payload}, ensure_ascii=False, indent=2))
            continue
        for n, q in enumerate(quotes, 1):
            cue = f"  ({q.attribution})" if q.attribution else ""
            click.echo(f"{n:3}. [{q.spans[0][0]}:{q.spans[-1][1]}] {q.text!r}{cue}")


@main.command()
@click.argument("quotation")
@click.option("--source", "sources", multiple=True, required=True, metavar="FILE", help="A source document. Repeatable.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def locate(quotation: str, sources: tuple[str, ...], as_json: bool) -> None:
    """Locate one QUOTATION (its words, without the marks) in the sources, and name its variants."""
    from quoteverify.ingest import read_document
    from quoteverify.locate import SourceIndex
    from quoteverify.verify import locate_quotation

    with _user_errors():
        docs = [read_document(p, id=Path(p).stem, role="source") for p in sources]
    index = SourceIndex(docs)
    result = locate_quotation(quotation, index)
    loc = result.location
    if as_json:
        payload = {
            "text": quotation,
            "source": loc.source if loc else None,
            "source_span": list(loc.span) if loc else None,
            "verdict": result.verdict.value,
            "variants": [
                {"kind": v.kind.value, "severity": v.severity.value, "source_text": v.source_text, "quote_text": v.quote_text}
                for v in result.variants
            ],
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        if loc is None:
            click.echo("unverified: no source passage renders this quotation")
        else:
            doc = index.document(loc.source)
            click.echo(f"{result.verdict.value}: {loc.source} [{loc.span[0]}:{loc.span[1]}]")
            click.echo(f"  source: {doc.text[loc.span[0]:loc.span[1]]}")
            for v in result.variants:
                click.echo(f"  {v.kind.value} ({v.severity.value}): {v.source_text!r} -> {v.quote_text!r}")
    sys.exit(EXIT_ALTERED if result.verdict is Verdict.ALTERED else EXIT_OK)


@main.command()
@click.argument("base", metavar="BASE")
@click.argument("other", metavar="OTHER")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: base, other, variants (with spans in both texts) and layout.")
@click.option("--html", "html_path", default=None, type=click.Path(dir_okay=False), metavar="FILE", help="Write a self-contained side-by-side page to FILE.")
def diff(base: str, other: str, as_json: bool, html_path: str | None) -> None:
    """Collate two whole documents, BASE and OTHER: two witnesses of one text.

    Names every variant (moved passages as one transposition, whole sentences
    and paragraphs as one variant) and every paragraph split or merged. Exit
    status as diff(1): 0 when the texts are identical up to typography, 1 when
    they differ, 2 on an error.
    """
    from quoteverify._files import write_atomic
    from quoteverify.collate import collate, collation_json, render_html, text_lines
    from quoteverify.ingest import read_document

    with _user_errors():
        a = read_document(base, role="source")
        b = read_document(other, role="source")
        result = collate(a, b)
        if html_path:
            write_atomic(html_path, render_html(result))
    if as_json:
        click.echo(json.dumps(collation_json(result), ensure_ascii=False, indent=2))
    else:
        for line in text_lines(result):
            click.echo(line)
    sys.exit(EXIT_OK if result.identical else EXIT_ALTERED)


@main.command()
@click.argument("inputs", nargs=-1, metavar="[CASE_DIR | ARTICLE...]")
@click.option("--source-id", default=None, metavar="ID", help="The document to rebuild: a source of the case, or the name of the text rebuilt from ARTICLE files alone.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html", "tei"]), default="text", show_default=True, help="Output: plain text and apparatus, JSON, a self-contained HTML page, or TEI XML (parallel segmentation).")
@click.option("-o", "--output", default=None, type=click.Path(dir_okay=False), metavar="FILE", help="Write the output to FILE instead of standard output.")
@click.option("--against", "against_path", default=None, type=click.Path(dir_okay=False), metavar="FILE", help="Compare the reconstruction with a canonical text; each difference is explained by its apparatus entry.")
def reconstruct(inputs: tuple[str, ...], source_id: str | None, fmt: str, output: str | None, against_path: str | None) -> None:
    """Rebuild a text from the quotations that render it, with a critical apparatus.

    Either CASE_DIR (the quotations the case's articles make of its source),
    or --source-id ID and ARTICLE files (no source: the text grows from the
    longest quotation by overlap). Exit status 0, or with --against 1 when
    the reconstruction and FILE differ; 2 on an error.
    """
    from quoteverify import reconstruct as rec
    from quoteverify.run import reconstruct_case
    from quoteverify.ingest import iter_articles, read_article, read_document

    with _user_errors():
        single = Path(inputs[0]) if len(inputs) == 1 else None
        if single is not None and (single.name == "case.toml" or (single / "case.toml").is_file() or not source_id):
            result = reconstruct_case(inputs[0], source_id=source_id)
        elif inputs and source_id:
            docs = [read_article(r) for r in iter_articles(inputs)]
            result = rec.reconstruct_articles(docs, source_id=source_id)
        else:
            raise click.UsageError("give one CASE_DIR, or --source-id ID and ARTICLE files")
        comparison = rec.against(result, read_document(against_path, role="source")) if against_path else None
        if fmt == "json":
            out = json.dumps(rec.reconstruction_json(result, comparison), ensure_ascii=False, indent=2) + "\n"
        elif fmt == "html":
            out = rec.render_html(result, comparison)
        elif fmt == "tei":
            out = rec.render_tei(result)
        else:
            out = "\n".join(rec.text_lines(result, comparison)) + "\n"
        if output:
            rec.write(output, out)
    if not output:
        click.echo(out, nl=False)
    sys.exit(EXIT_ALTERED if comparison is not None and not comparison.identical else EXIT_OK)
