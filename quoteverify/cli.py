"""The command line: a thin click layer over the library.

Exit status: 0 when no quotation is altered, 1 when one is, 2 on a usage or
input error (one line naming the file and the fault, never a traceback).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import click

from quoteverify import __version__
from quoteverify.errors import QuoteverifyError
from quoteverify.models import ArticleResult, CheckResult, Verdict

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
    """A one-line progress report on stderr, only when stderr is a terminal."""

    def __init__(self, total: int | None) -> None:
        self.total = total
        self.done = 0
        self.quotes = 0
        self.t0 = time.monotonic()
        self.enabled = sys.stderr.isatty()

    def __call__(self, result: ArticleResult) -> None:
        self.done += 1
        self.quotes += len(result.quotes)
        if not self.enabled:
            return
        elapsed = max(time.monotonic() - self.t0, 1e-9)
        rate = self.done / elapsed
        line = f"{self.done}"
        if self.total:
            eta = (self.total - self.done) / rate if rate else 0
            line += f"/{self.total} articles ({100 * self.done // self.total}%), ETA {eta:.0f}s"
        else:
            line += " articles"
        line += f", {rate:.1f} articles/s, {self.quotes} quotations"
        click.echo(f"\r\033[K{line}", err=True, nl=False)

    def close(self) -> None:
        if self.enabled and self.done:
            click.echo("\r\033[K", err=True, nl=False)


def _summary(result: CheckResult, index: Path) -> None:
    rows = [("article", "outlet", "quotes", "verbatim", "faithful", "altered", "unverified", "errors")]
    for a in result.articles:
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
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for n, r in enumerate(rows):
        cells = [c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))]
        click.echo("  ".join(cells).rstrip())
        if n == 0:
            click.echo("  ".join("-" * w for w in widths))
    for a in result.articles:
        for err in a.errors:
            click.echo(f"error: {err}", err=True)
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
def check(inputs: tuple[str, ...], sources: tuple[str, ...], out: str, case_id: str | None) -> None:
    """Verify every quotation of the articles against the sources.

    Either CASE_DIR, a folder with a case.toml, or --source FILE ... and the
    articles (files, folders, JSON Lines batches, or - for standard input).
    Writes OUT/<case>/index.html, a page per article and report.json.
    """
    from quoteverify.ingest import iter_articles, load_case
    from quoteverify.pipeline import check_case, check_files
    from quoteverify.report import write_report

    with _user_errors():
        if sources:
            if not inputs:
                raise click.UsageError("give at least one ARTICLE with --source")
            refs = list(iter_articles(inputs))
            progress = _Progress(len(refs))
            result = check_files(sources, refs, case_id=case_id or "adhoc", progress=progress)
        else:
            if len(inputs) != 1:
                raise click.UsageError("give one CASE_DIR, or --source FILE and ARTICLE files")
            case = load_case(inputs[0])
            progress = _Progress(len(case.articles))
            result = check_case(case, progress=progress)
        progress.close()
        index = write_report(result, out)
    _summary(result, index)
    sys.exit(EXIT_ALTERED if result.altered else EXIT_OK)


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
    from quoteverify.ingest import document_from_text, read_document
    from quoteverify.extract import extract_quotations
    from quoteverify.locate import SourceIndex
    from quoteverify.models import Quotation, Segment
    from quoteverify.pipeline import verify_quotation

    with _user_errors():
        docs = [read_document(p, id=Path(p).stem, role="source") for p in sources]
    index = SourceIndex(docs)
    # the quotation's own segments (elisions, interpolations) come from extraction
    wrapped = document_from_text(f"\u201c{quotation}\u201d", id="quotation")
    found = extract_quotations(wrapped)
    if found:
        q = found[0]
    else:
        q = Quotation(quotation, ((1, 1 + len(quotation)),), (Segment("text", 1, 1 + len(quotation)),))
    result = verify_quotation(q, wrapped.text, index)
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
    from quoteverify.collate import collate, collation_json, render_html, text_lines, write_atomic
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
    from quoteverify.ingest import iter_articles, read_article, read_document

    with _user_errors():
        single = Path(inputs[0]) if len(inputs) == 1 else None
        if single is not None and (single.name == "case.toml" or (single / "case.toml").is_file() or not source_id):
            result = rec.reconstruct(inputs[0], source_id=source_id)
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
