"""The HTML pages: one jinja environment for the report, the diff page and the reconstruction page.

A check report is a directory of files, all rendered from one
:class:`CheckResult` (:func:`render_report`, :func:`write_report`)::

    <case>/index.html             the overview: counts per outlet, coverage matrix, altered quotations
    <case>/articles/<slug>.html   one page per article: each quotation with its word-level diff
    <case>/sources/<slug>.html    one page per source: its paragraphs, who quotes them, provenance
    <case>/sources/<slug>.rebuilt.html  the source rebuilt from the quotations (when two articles quote it)
    <case>/report.json            the report.json object of the design notes
    <case>/quotations.csv         one row per quotation
    <case>/annotations.jsonld     W3C Web Annotations, one per located quotation

The JSON object and the HTML pages are two renderings of the same result
object, so they can never disagree. Everything written is deterministic (no
timestamps, no absolute paths, a fixed key order) and every file is written
atomically (in a run's staged folder, which is moved into place whole, the
pages are written straight).

Every report page is a single self-contained file: the style sheet and the
script are inlined and allowed by a Content-Security-Policy that names their
sha256 hashes and nothing else, so a page loads nothing from the network and
no string of the input can ever run as script. The pages work with script
disabled; the script only adds filters, keyboard navigation and copy
buttons. The diff page has its own style sheet and script (keys between
changes), inlined the same way; the reconstruction page carries its own
small style sheet and no script.

Templates autoescape everything and fail on an undefined name; they get the
view objects of :mod:`quoteverify.render.views`.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import rcssmin
import rjsmin
from markupsafe import Markup

from quoteverify._collector import kept_out_of_collections, no_full_collections
from quoteverify._version import __version__
from quoteverify._files import Joined, write_atomic
from quoteverify.errors import InputError
from quoteverify.models import CheckResult, Kind, Verdict
from quoteverify.render.exports import annotations_jsonld, quotations_csv
from quoteverify.render.fragments import (
    VERDICT_ICON,
    article_main_text,
    article_main,
    article_rows,
    article_text,
    chip,
    coverage_table,
    http_url,
    paragraph_head,
    quote_block,
    quoted_by_rows,
    source_list,
    source_main,
    source_main_text,
    source_paragraphs,
    source_summary_rows,
    unverified_entries,
    unverified_groups,
    verdict,
    verdict_counts,
    verdict_filters,
    verdict_mark,
)
from quoteverify.render.json import json_file_bytes, report_json_parts
from quoteverify.render.views import (
    OutletTallies,
    ReportView,
    reconstruction_page,
    report_view,
    safe_name,
    verdict_columns,
)

if TYPE_CHECKING:  # imported where a page needs them: a check that rebuilds no source imports neither package
    from quoteverify.collate import Collation
    from quoteverify.reconstruct import Comparison, Reconstruction

#: What each verdict means, for the legend.
VERDICT_HELP: dict[str, str] = {
    Verdict.VERBATIM.value: "the words match the source exactly (typography aside)",
    Verdict.FAITHFUL.value: "only acceptable or minor variants",
    Verdict.ALTERED.value: "at least one major variant",
    Verdict.MISATTRIBUTED.value: "the words are in a source, but said by someone other than the person the article names",
    Verdict.UNVERIFIED.value: "no source passage found: somebody else's words, or a fabrication",
}

#: What each variant kind is, for the legend.
KIND_HELP: dict[str, str] = {
    Kind.ELISION.value: "source words replaced by a marked ellipsis (major when it cuts a negation, condition or hedge from a sentence)",
    Kind.INTERPOLATION.value: "words in square brackets, not in the source (major when they add a negation, condition, hedge or number)",
    Kind.SPELLING.value: "the same word written otherwise (a contraction, an abbreviation, a number in words)",
    Kind.PUNCTUATION.value: "punctuation added, dropped or changed",
    Kind.CASE.value: "only capitalisation differs",
    Kind.OMISSION.value: "source words missing, with no ellipsis",
    Kind.INSERTION.value: "words added that are not in square brackets",
    Kind.SUBSTITUTION.value: "source words replaced by other words",
    Kind.TRANSPOSITION.value: "the same words in another order",
    Kind.HOMOGLYPH.value: "letters swapped for look-alikes from another script",
}

# --------------------------------------------------------------------------- the environment


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The jinja environment of every page: autoescaping always on, undefined names an error."""
    env = jinja2.Environment(
        # the shell of the report's pages (see _shell) among the templates: its compiled code is
        # kept in the bytecode cache with theirs: compiled from a string, _shell took 2.3 ms of each
        # run, 0.26 ms so (fresh processes, six runs each)
        loader=jinja2.ChoiceLoader(
            [jinja2.PackageLoader("quoteverify", "templates"), jinja2.DictLoader({_SHELL: _shell_source()})]
        ),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # the package's templates do not change during a run: without this,
        # every page stat()ed its template files again (a second per 1,500 pages)
        auto_reload=False,
        bytecode_cache=_bytecode_cache(),
    )
    env.globals.update(
        VERDICT_ICON=VERDICT_ICON,
        VERDICT_HELP=VERDICT_HELP,
        KIND_HELP=KIND_HELP,
        KINDS=[(k.value, k.severity.value) for k in Kind],
        VERDICTS=[v.value for v in Verdict],
        VERDICT_COLUMNS=verdict_columns(),
        version=__version__,
        # the fragments drawn by the thousand: Python, not macros (see render.fragments)
        verdict=verdict,
        verdict_mark=verdict_mark,
        verdict_counts=verdict_counts,
        verdict_filters=verdict_filters,
        chip=chip,
        article_text=article_text,
        article_main=article_main,
        article_rows=article_rows,
        paragraph_head=paragraph_head,
        quote_block=quote_block,
        coverage_table=coverage_table,
        quoted_by_rows=quoted_by_rows,
        source_main=source_main,
        source_paragraphs=source_paragraphs,
        source_summary_rows=source_summary_rows,
        source_list=source_list,
        unverified_groups=unverified_groups,
        unverified_entries=unverified_entries,
    )
    env.filters["http_url"] = http_url
    env.filters["add1"] = _add1
    env.filters["witness_name"] = _witness_name
    return env


def _witness_name(ident: str, witnesses: Any) -> str:
    """A witness of a reconstruction by its outlet, when it has one."""
    for w in witnesses:
        if w.id == ident:
            return str(w.outlet or w.id)
    return ident


def _add1(n: int) -> int:
    """A paragraph's number as pages show it, from its index (report.json counts from 0, pages from 1)."""
    return n + 1
def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept in the user's cache folder between runs, or None where it cannot be written.

    Compiling the report's templates took 0.07-0.2 s of each run (a third of
    the seed case's); jinja checks each kept one against its template's
    source, so an edited template is compiled again.
    """
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "quoteverify", f"templates-{__version__}")
    try:
        os.makedirs(folder, exist_ok=True)
        if not os.access(folder, os.W_OK):
            return None
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(folder)


# --------------------------------------------------------------------------- inlined assets


@dataclass(frozen=True)
class _Assets:
    """A kind of page's style sheet and script, as Markup, and the policy naming them: made once a run, not once a page."""

    css: Markup
    js: Markup
    #: the Content-Security-Policy of a page: the inlined style and script by hash, nothing else
    #: (hashed anew for each page, they were 2,000 sha256 of 25 KB for 1,000 pages)
    csp: str


def _policy(css: str, js: str) -> str:
    return (
        "default-src 'none'; "
        f"script-src '{_sha256_source(js)}'; "
        f"style-src '{_sha256_source(css)}'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


def _sha256_source(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


@lru_cache(maxsize=2)
def _assets(name: str = "report") -> _Assets:
    """The style sheet and script of a kind of page: ``static/<name>.css`` and ``static/<name>.js``, minified.

    Every page carries them: the report's were 25 KB of each 32-76 KB page
    as written, 20 KB minified (comments and spacing dropped, nothing
    renamed or reordered: :mod:`rcssmin` and :mod:`rjsmin`), 7.5 MB less
    for the 1,500 pages of a report of 1,000 articles. The sources in
    ``static/`` stay as they are read.
    """
    css = rcssmin.cssmin(_static_text(f"{name}.css"))
    js = rjsmin.jsmin(_static_text(f"{name}.js"))
    for file, text, end in ((f"{name}.css", css, "</style"), (f"{name}.js", js, "</script")):
        if end in text.lower() or "<!--" in text:
            raise ValueError(f"static/{file} must not contain {end!r} or '<!--'")
    return _Assets(Markup(css), Markup(js), _policy(css, js))


def _static_text(name: str) -> str:
    """The text of the file ``name`` of the package's ``static`` folder: read from the folder beside this module's, or as a resource.

    ``importlib.resources`` and the reader it finds for the package took
    3.5-8 ms of each run (its import and ``files()``, fresh processes, six
    runs), reading the file 0.1 ms: it is asked only where the package is
    not a folder of files (a zip).
    """
    try:
        with open(os.path.join(_STATIC, name), encoding="utf-8") as f:
            return f.read()
    except OSError:
        from importlib import resources

        return (resources.files("quoteverify") / "static" / name).read_text(encoding="utf-8")


#: the package's ``static`` folder, where the package is a folder of files
_STATIC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "static")


# --------------------------------------------------------------------------- the report


#: the blocks of ``base.html`` that a report page fills, in the order they come
_BLOCKS = ("title", "bodyclass", "crumbs", "main")
#: where the blocks go in :func:`_shell`: ``base.html`` holds no comment, the style sheet and the
#: script may not (see :func:`_assets`), and a case's name is escaped (its ``<`` is ``&lt;``)
_SLOT = "<!--block-->"


#: the name of the template of :func:`_shell` (no file of ``templates/`` has it)
_SHELL = "<shell>"


def _shell_source() -> str:
    """The template of :func:`_shell`: ``base.html`` with each of its blocks a :data:`_SLOT`."""
    slots = "".join(f"{{% block {name} %}}{_SLOT}{{% endblock %}}" for name in _BLOCKS)
    return '{% extends "base.html" %}' + slots


@dataclass(frozen=True)
class _Case:
    """What ``base.html`` reads of a result: its case's name (in the footer)."""

    case: str


@lru_cache(maxsize=8)
def _shell(assets: _Assets, root: str, case: str) -> tuple[bytes, ...]:
    """``base.html`` as UTF-8 around its blocks: the bytes before the first, between each two, after the last.

    The same on every page of a report but for the blocks (``root`` is
    ``""`` on the index, ``"../"`` on the others): made once, not with each
    page. Each page was ``base.html`` rendered anew around its blocks, 20 KB
    of style sheet and script joined into its text and encoded with it.
    """
    text = environment().get_template(_SHELL).render(
        css=assets.css, js=assets.js, csp=assets.csp, root=root, result=_Case(case)
    )
    parts = text.split(_SLOT)
    if len(parts) != len(_BLOCKS) + 1:
        raise ValueError(f"templates/base.html must hold each of the blocks {', '.join(_BLOCKS)} once, and no {_SLOT}")
    return tuple(p.encode("utf-8") for p in parts)


def _report_page(template: str, assets: _Assets, **context: Any) -> bytes:
    """A report page as UTF-8: the blocks of ``template`` rendered, put into the bytes of :func:`_shell`.

    The 1,000 article pages of a report took 0.24 s rendered whole, 0.18 s
    this way (process time, best of eight, one process).
    """
    page, names = _page_template(template)
    shell = _shell(assets, context["root"], context["result"].case)
    # the context of the blocks alone: the names of the template and the page's own, in one dict made
    # without going through the template's chained globals (``page.new_context`` read them twice, key
    # by key, for each page: 15 % of the time of the article pages, under cProfile)
    names = {**names, **context}
    env = page.environment.context_class(page.environment, names, page.name, page.blocks)
    out = [shell[0]]
    for name, after in zip(_BLOCKS, shell[1:]):
        write = _WRITTEN.get((template, name))
        text = write(names) if write is not None else "".join(page.blocks[name](env))
        out.append(text.encode("utf-8"))
        out.append(after)
    return b"".join(out)


@lru_cache(maxsize=1)
def _source_macros() -> tuple[Any, Any]:
    """The ``choice`` and ``provenance`` macros of ``_macros.html``, as ``source.html`` imports them."""
    macros = environment().get_template("_macros.html").module
    return macros.choice, macros.provenance  # type: ignore[attr-defined]


#: the blocks that are one fragment of :mod:`~quoteverify.render.fragments`, written by it, not by their
#: template, whose block is the one call of it (``tests/test_html.py`` holds the pages to it): autoescaping made the
#: fragment's Markup a Markup again, two copies of the page's text, and the block's output was joined into a
#: third. The 1,000 article pages of the 10 MB case's report took 101.5 ms through the template, 92.4 ms so;
#: its 496 source pages 69.2 ms, 62.3 ms so (process time, best of 15 and 21, both ways alternated in one process)
_WRITTEN: dict[tuple[str, str], Callable[[dict[str, Any]], str]] = {
    ("article.html", "main"): lambda names: article_main_text(names["a"], names["VERDICT_COLUMNS"]),
    ("source.html", "main"): lambda names: source_main_text(names["s"], names["views"], *_source_macros()),
}


@lru_cache(maxsize=8)
def _page_template(template: str) -> tuple[jinja2.Template, dict[str, Any]]:
    """A template of the report's pages, and its global names in a dict."""
    page = environment().get_template(template)
    return page, dict(page.globals)


def iter_report(
    result: CheckResult, outlets: OutletTallies | None = None, records: Sequence[str] = ()
) -> Iterator[tuple[str, bytes]]:
    """Every file of the report of ``result``, as ``(path relative to the case directory, bytes)``, one at a time.

    A pure function: the same result always gives the same bytes. Pages are
    rendered as they are asked for, so that no more than one is held at once.
    ``outlets``: the run's counts per outlet, when ``result`` holds only some
    of its articles (the index of a large report sums them up). ``records``:
    the ``results.jsonl`` line of each article, when the run wrote them
    (``report.json`` reads its entries from them).
    """
    return _bytes_of(_report_files(result, report_view(result, outlets), records))


def _report_files(result: CheckResult, view: ReportView, records: Sequence[str]) -> Iterator[tuple[str, bytes | Joined]]:
    """The files of :func:`iter_report`, from the views of every page; ``report.json`` in its parts (see :func:`write_report`)."""
    assets = _assets()
    title = result.title or result.case
    yield "index.html", _report_page(
        "index.html",
        assets,
        root="",
        result=result,
        title=title,
        views=view,
        totals=view.totals,
        matrix=view.matrix,
        altered=view.altered,
    )
    for a in view.articles:
        yield a.href, _report_page("article.html", assets, root="../", title=title, result=result, a=a, views=view)
    for s in view.source_pages:
        yield s.href, _report_page("source.html", assets, root="../", title=title, result=result, s=s, views=view)
        if s.rebuilt:
            from quoteverify.reconstruct import reconstruct_check

            # measured: 1.9 s to rebuild the seed letter from 900 articles' quotations (8 s to check them)
            page = reconstruction_page(reconstruct_check(result, s.id))
            yield s.rebuilt, _report_page("rebuilt.html", assets, root="../", title=title, result=result, s=s, page=page)
    yield "report.json", report_json_parts(result, records)
    yield "quotations.csv", quotations_csv(result).encode("utf-8")
    yield "annotations.jsonld", json_file_bytes(annotations_jsonld(result))


def render_report(
    result: CheckResult, outlets: OutletTallies | None = None, records: Sequence[str] = ()
) -> dict[str, bytes]:
    """Every file of the report of ``result``, keyed by its path relative to the case directory (see :func:`iter_report`)."""
    with no_full_collections(freeze=True):  # see there: 0.9-1.7 s of full passes over the heap otherwise
        return dict(_bytes_of(_report_files(result, _kept_view(result, outlets), records)))


def _bytes_of(files: Iterator[tuple[str, bytes | Joined]]) -> Iterator[tuple[str, bytes]]:
    """``files``, each as its bytes (``report.json`` joined)."""
    for rel, data in files:
        yield rel, bytes(data)


def _kept_view(result: CheckResult, outlets: OutletTallies | None) -> ReportView:
    """:func:`report_view`, kept out of the collector's passes: within ``no_full_collections(freeze=True)`` alone.

    The views live until the last page is written; see
    :func:`~quoteverify._collector.kept_out_of_collections`.
    """
    with kept_out_of_collections():
        return report_view(result, outlets)


#: the files of a report flushed to disk before the run ends; each page is
#: written atomically without it (an fsync per page cost 22 s of a run
#: writing 2,000 pages): a crash may lose pages, never leave half of one
DURABLE = frozenset({"report.json"})


def write_report(
    result: CheckResult,
    out_dir: str | Path,
    outlets: OutletTallies | None = None,
    records: Sequence[str] = (),
    *,
    staged: bool = False,
    on_write: Callable[[str, bytes | Joined], None] | None = None,
) -> Path:
    """Write the report of ``result`` into ``out_dir/<case>/`` and return the path of its ``index.html``.

    Writes ``index.html``, ``articles/<slug>.html``, ``sources/<slug>.html``,
    ``report.json``, ``quotations.csv`` and ``annotations.jsonld``, each
    atomically, as it is rendered. File names come from :func:`safe_name`, so
    no id can place a file outside ``out_dir/<case>/``. ``outlets``: see
    :func:`iter_report`, as ``records``. ``staged``: ``out_dir`` is a folder that is moved
    into place whole once written (see :mod:`quoteverify.run.output`), so
    the pages are written straight into it, not each through a temporary
    file and a rename (0.5 s instead of 0.65 s for 1,500 pages).
    ``on_write`` is called with each file's path (relative to
    ``out_dir/<case>/``) and bytes once it is written (a run's manifest
    hashes them there rather than reading 1,500 files back); ``report.json``'s
    come in their parts (:class:`~quoteverify._files.Joined`).
    """
    root = Path(out_dir) / safe_name(result.case)
    with no_full_collections(freeze=True):  # see there: 0.9-1.7 s of full passes over the heap otherwise
        _write_files(root, _report_files(result, _kept_view(result, outlets), records), staged=staged, on_write=on_write)
    return root / "index.html"


def _write_files(
    root: Path,
    files: Iterator[tuple[str, bytes | Joined]],
    *,
    staged: bool = False,
    on_write: Callable[[str, bytes | Joined], None] | None = None,
) -> None:
    """Write each ``(path relative to root, bytes)``, never outside ``root``: atomically, or straight if ``staged``.

    The :data:`DURABLE` files of a staged report are written and flushed on
    a thread of their own (:class:`_DurableWrites`), all done on return.

    Paths as strings: joining, parsing and hashing a :class:`Path` for each
    of 1,500 pages was 0.3 s under cProfile on a busy machine. (Written on a thread of their own while
    the next page was rendered, the files took as long, wall, on a busy
    machine of two cores, and 0.2 s more of system time: creating them is
    the file system's work, done in turn.)
    """
    base = str(root)
    resolved_root: Path | None = None
    folders: set[str] = set()
    durable = _DurableWrites() if staged else None
    try:
        for rel, data in files:
            name = os.path.basename(rel)
            if name in ("", ".", ".."):
                raise ValueError(f"{rel}: report file outside {root}")
            path = os.path.join(base, rel)
            folder = os.path.dirname(path)
            if folder not in folders:  # one mkdir and resolve per folder, not per page
                os.makedirs(folder, exist_ok=True)
                resolved_root = resolved_root or root.resolve()
                if not Path(folder).resolve().is_relative_to(resolved_root):
                    raise ValueError(f"{rel}: report file outside {root}")
                folders.add(folder)
            if rel not in DURABLE and staged:
                _write_straight(path, bytes(data))
            elif durable is not None:
                durable.write(path, data)
            else:
                write_atomic(path, data, sync=rel in DURABLE)
            if on_write is not None:
                on_write(rel, data)
    except BaseException:
        if durable is not None:
            durable.join()  # its own fault, if any, is not the one to name
        raise
    if durable is not None:
        durable.join()
        durable.raise_fault()


class _DurableWrites:
    """The durable files of a staged report, each written and flushed to disk on a thread of its own while the report goes on.

    Flushing ``report.json`` (13 MB for the 10 MB case) is the disk's
    work, and the process only waits for it: meanwhile its hash for the
    manifest and the files after it are made. The 10 MB case's report at
    ``--pages 0``, hashed as a run hashes it, was written in 43.1-49.2 ms
    that way round, 39.3-43.3 ms this way (wall time, best of 15 of each
    alternated in one process, three runs on a busy machine of two cores). The report is whole once
    :meth:`join` returns; a fault (a full disk) is raised by
    :meth:`raise_fault`, when the staged folder is thrown away whole.
    """

    def __init__(self) -> None:
        self._threads: list[threading.Thread] = []
        self._faults: list[BaseException] = []

    def write(self, path: str, data: bytes | Joined) -> None:
        def write_and_flush() -> None:
            try:
                write_atomic(path, data, sync=True)
            except BaseException as e:  # raised on the report's own thread
                self._faults.append(e)

        thread = threading.Thread(target=write_and_flush, name=f"write {os.path.basename(path)}")
        thread.start()
        self._threads.append(thread)

    def join(self) -> None:
        for thread in self._threads:
            thread.join()

    def raise_fault(self) -> None:
        if self._faults:
            raise self._faults[0]


_STRAIGHT_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)


def _write_straight(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` in place (never through a link); a fault is an :class:`InputError` naming the file.

    By the descriptor, not a file object: ``os.fdopen`` asked the system
    three more times a file (its size of block, whether it is a terminal,
    where it stands) and built a buffer that a write of the whole page
    bypasses; 38.6 -> 33.4 us a page of 40-70 KB (best of 15, 300 pages,
    both ways alternated in one process, written on tmpfs).
    """
    try:
        fd = os.open(path, _STRAIGHT_FLAGS, 0o644)
        try:
            written = os.write(fd, data)
            if written < len(data):  # a short write: the rest, as a file object would
                rest = memoryview(data)[written:]
                while rest:
                    rest = rest[os.write(fd, rest) :]
        finally:
            os.close(fd)
    except OSError as e:
        raise InputError(str(path), f"cannot write: {e.strerror or e}") from None


# --------------------------------------------------------------------------- diff and reconstruct


def _fields(view: Any) -> dict[str, Any]:
    """A view's fields as a template's context (not :func:`dataclasses.asdict`: nested views stay objects)."""
    return {f.name: getattr(view, f.name) for f in dataclasses.fields(view)}


def render_collation(c: Collation) -> str:
    """A self-contained split-diff page of a collation (its style and script inlined by hash, no network)."""
    from quoteverify.render.splitdiff import collation_page

    assets = _assets("diff")
    return environment().get_template("diff.html").render(
        css=assets.css, js=assets.js, csp=assets.csp, **_fields(collation_page(c))
    )


def render_reconstruction(recon: Reconstruction, comparison: Comparison | None = None) -> str:
    """A self-contained page: the text with its apparatus marks, the apparatus, witnesses and paragraphs."""
    page = reconstruction_page(recon, comparison)
    return environment().get_template("reconstruct.html").render(page=page, **_fields(page))
