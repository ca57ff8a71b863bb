"""The command line: a thin click layer over the library.

Exit status: 0 when no quotation is altered, 1 when one is, 2 on a usage or
input error (one line naming the file and the fault, never a traceback).
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import click

from quoteverify._version import __version__
from quoteverify.errors import QuoteverifyError
from quoteverify.models import ArticleRef, Verdict
from quoteverify.models import ArticleSummary, StreamResult
from quoteverify.run import DEFAULT_PAGES

EXIT_OK, EXIT_ALTERED, EXIT_ERROR = 0, 1, 2


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn the library's input errors into a one-line message and exit status 2."""
    from quoteverify.render.terminal import printable

    try:
        yield
    except QuoteverifyError as e:
        click.echo(f"Error: {printable(str(e))}", err=True)
        sys.exit(EXIT_ERROR)
    except OSError as e:
        where = f"{e.filename}: " if e.filename else ""
        click.echo(f"Error: {printable(where + str(e.strerror or e))}", err=True)
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
    """Print the summary table of a run, its errors (on standard error) and where the report is."""
    from quoteverify.render.terminal import check_errors, check_footer, check_table

    for line in check_table(result):
        click.echo(line)
    for line in check_errors(result):
        click.echo(line, err=True)
    for line in check_footer(result, index):
        click.echo(line)


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
    from quoteverify.run import check_stream
    from quoteverify.run.output import RunFolder

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
        with RunFolder(out, ident) as folder:
            if folder.notice:
                click.echo(f"Note: {folder.notice}", err=True)
            try:
                result = check_stream(
                    infos, refs, case_id=ident, title=title, root=root, results=folder.results,
                    jobs=jobs or None, scheduler=scheduler, pages=pages, progress=progress,
                    digests=folder.add_article,
                )
            finally:
                progress.close()
            index = folder.commit(result)
        if folder.warning:
            click.echo(f"Warning: {folder.warning}", err=True)
    _summary(result, index)
    if result.total.articles - result.total.errors <= 0:
        click.echo("Error: no article could be read", err=True)
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_ALTERED if result.total.altered else EXIT_OK)


@main.command()
@click.argument("article")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def extract(article: str, as_json: bool) -> None:
    """List the direct quotations of one ARTICLE, with their spans and attribution."""
    from quoteverify.extract import extract_quotations
    from quoteverify.ingest import iter_articles, read_article
    from quoteverify.render.json import extract_json, json_text
    from quoteverify.render.terminal import extract_lines

    with _user_errors():
        refs = list(iter_articles([article]))
        docs = [read_article(r) for r in refs]
    for doc in docs:
        quotes = extract_quotations(doc)
        if as_json:
            click.echo(json_text(extract_json(doc, quotes)))
            continue
        for line in extract_lines(quotes):
            click.echo(line)


@main.command()
@click.argument("quotation")
@click.option("--source", "sources", multiple=True, required=True, metavar="FILE", help="A source document. Repeatable.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def locate(quotation: str, sources: tuple[str, ...], as_json: bool) -> None:
    """Locate one QUOTATION (its words, without the marks) in the sources, and name its variants."""
    from quoteverify.ingest import read_document
    from quoteverify.locate import SourceIndex
    from quoteverify.render.json import json_text, locate_json
    from quoteverify.render.terminal import locate_lines
    from quoteverify.verify import locate_quotation

    with _user_errors():
        docs = [read_document(p, id=Path(p).stem, role="source") for p in sources]
    index = SourceIndex(docs)
    result = locate_quotation(quotation, index)
    loc = result.location
    if as_json:
        click.echo(json_text(locate_json(quotation, result)))
    else:
        for line in locate_lines(result, index.document(loc.source) if loc else None):
            click.echo(line)
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
    from quoteverify.collate import collate
    from quoteverify.ingest import read_document
    from quoteverify.render.html import render_collation
    from quoteverify.render.json import collation_json, json_text
    from quoteverify.render.terminal import collation_lines

    with _user_errors():
        a = read_document(base, role="source")
        b = read_document(other, role="source")
        result = collate(a, b)
        if html_path:
            write_atomic(html_path, render_collation(result))
    if as_json:
        click.echo(json_text(collation_json(result)))
    else:
        for line in collation_lines(result):
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
    from quoteverify._files import write_atomic
    from quoteverify.run import reconstruct_case
    from quoteverify.ingest import iter_articles, read_article, read_document
    from quoteverify.render.exports import reconstruction_tei
    from quoteverify.render.html import render_reconstruction
    from quoteverify.render.json import json_text, reconstruction_json
    from quoteverify.render.terminal import reconstruction_lines

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
            out = json_text(reconstruction_json(result, comparison)) + "\n"
        elif fmt == "html":
            out = render_reconstruction(result, comparison)
        elif fmt == "tei":
            out = reconstruction_tei(result)
        else:
            out = "\n".join(reconstruction_lines(result, comparison)) + "\n"
        if output:
            write_atomic(output, out)
    if not output:
        click.echo(out, nl=False)
    sys.exit(EXIT_ALTERED if comparison is not None and not comparison.identical else EXIT_OK)
