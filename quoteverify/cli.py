"""The command line: a thin click layer over the library.

Exit status: 0 when nothing the run was asked to fail on is found (by
default: no quotation altered or misattributed), 1 when something is, 2 on a
usage or input error (one line per file naming it and the fault, never a
traceback). A file named on the command line or in case.toml that cannot be
read fails the run with 2 once every other article has been checked and the
report written; a broken member of a folder or JSON Lines batch is an error
entry of the report, and fails the run only with ``--fail-on error``.
"""

from __future__ import annotations

import atexit
import functools
import gc
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from quoteverify._cache import keep_compiled_patterns, keep_named_tuple_methods

# before click, numpy, jinja2 and the package's stages import their modules and these compile
# their patterns and named tuples: see there (a tenth of the instructions of a check before its first article)
keep_compiled_patterns()
keep_named_tuple_methods()

import click  # noqa: E402

from quoteverify._collector import kept_out_of_collections  # noqa: E402
from quoteverify._version import __version__  # noqa: E402
from quoteverify.errors import QuoteverifyError  # noqa: E402
from quoteverify.models import NOT_FOUND, ArticleRef, ArticleSummary, StreamResult, Verdict  # noqa: E402
from quoteverify.run import DEFAULT_PAGES  # noqa: E402

if TYPE_CHECKING:
    from quoteverify.models import Case

# numpy's OpenBLAS starts a thread per core as it loads: 50 of the 140 ms numpy
# took to import here (2 cores; more where there are more). quoteverify does no
# linear algebra, so one thread is enough; a value the user set is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

EXIT_OK, EXIT_ALTERED, EXIT_ERROR = 0, 1, 2

#: what ``--fail-on`` can name: a verdict, the unverified quotations found nowhere, or an article that cannot be read
FAIL_ON_ERROR = "error"
FAIL_ON_CHOICES = (*(v.value for v in Verdict), NOT_FOUND, FAIL_ON_ERROR)
#: what fails a run unless told otherwise: a quotation that changes the speaker's words, or their speaker
DEFAULT_FAIL_ON = tuple(name for name in ("altered", "misattributed") if name in FAIL_ON_CHOICES)


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


class _Gate:
    """Watches a run's articles go by and decides its exit status.

    The articles a user named (on the command line or in case.toml) must be
    read: a fault in one is fatal, reported once the run is over. A member
    of a folder or JSON Lines batch that cannot be read is only counted.
    ``fail_on`` names what else makes the run fail (see ``FAIL_ON_CHOICES``).
    """

    def __init__(self, named: Callable[[ArticleRef], bool], fail_on: Sequence[str], then: Callable[[ArticleSummary], None]) -> None:
        self.named = named
        self.fail_on = frozenset(fail_on)
        self.then = then
        self._named_positions: set[int] = set()
        self._given = 0
        self._seen = 0
        self.fatal: list[str] = []
        self.found: dict[str, int] = {}

    def refs(self, refs: Iterable[ArticleRef]) -> Iterator[ArticleRef]:
        """Pass the references on, noting which were named (outcomes come back in the same order)."""
        for ref in refs:
            if self.named(ref):
                self._named_positions.add(self._given)
            self._given += 1
            yield ref

    def __call__(self, summary: ArticleSummary) -> None:
        if summary.errors:
            if self._seen in self._named_positions:
                self.fatal.extend(summary.errors)
            else:
                self.found[FAIL_ON_ERROR] = self.found.get(FAIL_ON_ERROR, 0) + len(summary.errors)
        for name, n in summary.outcomes:
            self.found[name] = self.found.get(name, 0) + n
        self._seen += 1
        self.then(summary)

    def fail(self, fatal: Sequence[str] = ()) -> None:
        """Print the fatal faults and exit 2 if there are any; else exit 1 when something asked for was found, or 0."""
        faults = [*fatal, *self.fatal]
        for fault in faults:
            click.echo(f"Error: {fault}", err=True)
        if faults:
            sys.exit(EXIT_ERROR)
        sys.exit(EXIT_ALTERED if any(self.found.get(name) for name in self.fail_on) else EXIT_OK)


def _fail_on(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in value.split(",") if n.strip())
    bad = [n for n in names if n not in FAIL_ON_CHOICES]
    if bad:
        raise click.BadParameter(f"{', '.join(bad)} (choose from {', '.join(FAIL_ON_CHOICES)})")
    return names


def _language(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from quoteverify.lexicon import language_code, languages

    code = language_code(value)
    if code not in languages():
        raise click.BadParameter(f"{value!r} has no word lists (choose from {', '.join(languages())})")
    return code


LANGUAGE_HELP = "The language of the sources, an ISO 639-1 code: its word lists judge what a change does to the meaning and which words are forms of one word."


def _summary(result: StreamResult, index: Path, fatal: Sequence[str]) -> None:
    """Print the summary table of a run, its changed quotations, its skipped articles (on standard error) and where the report is.

    ``fatal`` faults are left out: they are printed last, as errors.
    """
    from quoteverify.render.terminal import check_changes, check_errors, check_footer, check_table

    for line in check_table(result):
        click.echo(line)
    for line in check_changes(result):
        click.echo(line)
    for line in check_errors(result, skip=fatal):
        click.echo(line, err=True)
    for line in check_footer(result, index):
        click.echo(line)


@functools.cache
def _no_collection_at_exit() -> None:
    """Freeze what is alive when the interpreter exits: its last collection then walks none of it.

    That walk went over every object of the run still alive (the sources,
    their index, the results kept for the pages): 0.2 s of 12 s, medians of
    three, between a 10 MB case's report written and its process ended (on
    a loaded machine). Nothing of the run is left to finalise by then: its
    files are written and closed.
    """
    atexit.register(gc.freeze)


def _others_are_daemons() -> bool:
    """Whether every thread but this one is a daemon thread (none that the interpreter would wait for)."""
    here = threading.current_thread()
    return all(t.daemon for t in threading.enumerate() if t is not here)


def _leave(status: str | int | None) -> NoReturn:
    """End the process with ``status`` (as ``sys.exit`` takes it), without tearing the interpreter down where that is safe.

    Tearing it down frees every object a run left alive, one at a time (the
    sources, their index, the modules): 31-74 ms (median 60) of wall time
    from the exit handlers to the end of the process, against 13-33 ms
    (median 25) leaving at once (8 runs each of the 10 MB case at
    ``--pages 0``, interleaved, on a busy machine). Nothing is lost by it: every file of a
    run is written and closed by then, and the ``atexit`` handlers (a cache
    file written at exit among them) run here as they would. The usual way
    out is taken when the status is no number, when a thread the
    interpreter would wait for still runs, or when standard output or error
    cannot be flushed (Python then reports it as it always does).
    """
    if status is None:
        status = EXIT_OK
    if type(status) is not int or not _others_are_daemons():
        sys.exit(status)
    atexit._run_exitfuncs()
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except Exception:  # a closed pipe, a full disk: the interpreter's own exit names it
        sys.exit(status)
    os._exit(status & 0xFF)


class _Program(click.Group):
    """The command group; called without arguments, as the installed script and ``python -m quoteverify`` call it, it is the process itself.

    Then it leaves the way :func:`_leave` says. Called with arguments (a
    program or a test that runs the command line within its own process),
    it is click's group, and ends as click ends it.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs:
            return self.main(*args, **kwargs)
        try:
            return self.main()
        except SystemExit as e:
            _leave(e.code)


@click.group(cls=_Program, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="quoteverify")
def main() -> None:
    """Find every direct quotation of a document in news articles, and name each variant."""


@main.command()
@click.argument("inputs", nargs=-1, metavar="CASE_DIR | ARTICLE...")
@click.option("--source", "sources", multiple=True, metavar="FILE", help="A source document (ad hoc use, without a case directory). Repeatable.")
@click.option("--speaker", "speakers", multiple=True, metavar="NAME", help="Who speaks or wrote a --source: the first --speaker names the first --source, the second the second (\"\" for none). Repeatable.")
@click.option("--language", default="en", show_default=True, callback=_language, metavar="CODE", help=LANGUAGE_HELP + " Ad hoc use; a case gives it in its case.toml.")
@click.option("--out", "out", default="reports", show_default=True, type=click.Path(file_okay=False), help="Where the report folder is written.")
@click.option("--case-id", default=None, help="Name of the report folder in ad hoc use (default: adhoc).")
@click.option("--outlet", default=None, metavar="NAME", help="The outlet of the articles that do not name one (ad hoc use).")
@click.option("--fail-on", "fail_on", default=",".join(DEFAULT_FAIL_ON), show_default=True, callback=_fail_on, metavar="LIST", help=f"What makes the exit status 1, separated by commas: {', '.join(FAIL_ON_CHOICES)} ({NOT_FOUND}: unverified words credited to a source's speaker; {FAIL_ON_ERROR}: a member of a folder or batch that cannot be read).")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=0, metavar="N", help="Worker processes on this machine (default 0: one per core; 1: none). The report is the same for any N.")
@click.option("--scheduler", default=None, metavar="ADDRESS", help="Run on an existing Dask distributed cluster instead (tcp://host:8786); needs quoteverify[dask] here and on the workers.")
@click.option("--pages", type=click.IntRange(min=0), default=DEFAULT_PAGES, show_default=True, metavar="N", help="Keep at most N articles in full for the report; in a longer run, the first N with findings (every article is in results.jsonl).")
def check(
    inputs: tuple[str, ...],
    sources: tuple[str, ...],
    speakers: tuple[str, ...],
    language: str,
    out: str,
    case_id: str | None,
    outlet: str | None,
    fail_on: tuple[str, ...],
    jobs: int,
    scheduler: str | None,
    pages: int,
) -> None:
    """Verify every quotation of the articles against the sources.

    Either CASE_DIR, a folder with a case.toml, or --source FILE ... (each
    optionally with its --speaker NAME, in the same order) and the articles (files, folders, JSON Lines batches, or - for standard input).
    Writes OUT/<case>/index.html, a page per article, report.json, and
    results.jsonl (one line per article, in input order, written as the run
    goes).
    """
    with kept_out_of_collections():  # see there: a tenth of the seed case's collector passes
        from quoteverify.ingest import iter_articles
        from quoteverify.run import check_stream
        from quoteverify.run.output import RunFolder
    _no_collection_at_exit()

    with _user_errors():
        if sources:
            from quoteverify.ingest.named import empty_inputs, inputs_fit_for_articles, named_inputs, readable_sources

            if not inputs:
                raise click.UsageError("give at least one ARTICLE with --source")
            if len(speakers) > len(sources):
                raise click.UsageError("more --speaker than --source: each --speaker names the --source of the same rank")
            infos, faults = readable_sources(sources, speakers, language)
            if not infos:
                _Gate(lambda ref: True, (), lambda s: None).fail(faults)
            fit, unfit = inputs_fit_for_articles(inputs)
            inputs = tuple(fit)
            faults += unfit + empty_inputs(inputs)
            refs: Iterable[ArticleRef] = iter_articles(inputs)
            named = named_inputs(inputs)
            ident, title, root, total = case_id or "adhoc", "", None, None
        else:
            case = _case_of(inputs, speakers)
            infos, refs, ident, title, root = case.sources, case.articles, case.id, case.title, case.root
            faults, named, total = list(case.faults), (lambda ref: ref.line is None), len(case.articles)
        if outlet:
            refs = (ref if ref.outlet else replace(ref, outlet=outlet) for ref in refs)
        progress = _Progress(total)
        if total is None and progress.enabled and "-" not in inputs:
            _count_in_background(inputs, progress)
        gate = _Gate(named, fail_on, progress)
        with RunFolder(out, ident) as folder:
            if folder.notice:
                click.echo(f"Note: {folder.notice}", err=True)
            try:
                result = check_stream(
                    infos, gate.refs(refs), case_id=ident, title=title, root=root, results=folder.results,
                    jobs=jobs or None, scheduler=scheduler, pages=pages, progress=gate,
                    digests=folder.add_article,
                )
            finally:
                progress.close()
            index = folder.commit(result)
        if folder.warning:
            click.echo(f"Warning: {folder.warning}", err=True)
    _summary(result, index, gate.fatal)
    if not result.total.articles and not faults:
        faults.append(f"{', '.join(inputs)}: no articles to check")
    elif result.total.articles and result.total.articles == result.total.errors and not faults and not gate.fatal:
        faults.append("no article could be read")
    gate.fail(faults)


def _case_of(inputs: Sequence[str], speakers: Sequence[str]) -> Case:
    """The case of ``check CASE_DIR``, or the usage error its arguments make."""
    from quoteverify.ingest import load_case

    if len(inputs) != 1:
        raise click.UsageError("give one CASE_DIR, or --source FILE and ARTICLE files")
    if speakers:
        raise click.UsageError("--speaker names a --source; a case gives speakers in its case.toml")
    if click.get_current_context().get_parameter_source("language") is not click.core.ParameterSource.DEFAULT:
        raise click.UsageError("--language is for --source; a case gives its language in its case.toml")
    # its sources live as long as the run: built with the collector off, then kept out of its
    # passes (see there). Its 43 young passes while the 10 MB case loaded were 3.5-4 ms: the
    # load took 53 ms (median 59) instead of 58 ms (median 71), CPU time, best of 15, both
    # ways alternated in one process
    with kept_out_of_collections():
        return load_case(inputs[0])


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
@click.option("--language", default="en", show_default=True, callback=_language, metavar="CODE", help=LANGUAGE_HELP)
def locate(quotation: str, sources: tuple[str, ...], as_json: bool, language: str) -> None:
    """Locate one QUOTATION (its words, without the marks) in the sources, and name its variants."""
    from quoteverify.ingest import read_document
    from quoteverify.locate import SourceIndex
    from quoteverify.models import Verdict
    from quoteverify.render.json import json_text, locate_json
    from quoteverify.render.terminal import locate_lines
    from quoteverify.verify import locate_quotation

    with _user_errors():
        docs = [replace(read_document(p, id=Path(p).stem, role="source"), language=language) for p in sources]
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
@click.option("--language", default="en", show_default=True, callback=_language, metavar="CODE", help=LANGUAGE_HELP)
def diff(base: str, other: str, as_json: bool, html_path: str | None, language: str) -> None:
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
        a = replace(read_document(base, role="source"), language=language)
        b = replace(read_document(other, role="source"), language=language)
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
