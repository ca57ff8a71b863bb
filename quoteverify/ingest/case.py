"""Read a case: its ``case.toml``, the sources it lists (with their provenance
files) and the articles it names; or source files given on their own.

Every fault, a syntax error, a missing key, a value of the wrong type, a
listed file that does not exist, a duplicate id, raises
:class:`~quoteverify.errors.InputError` naming the file and the place in it.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from quoteverify._cache import know_document_key
from quoteverify._collector import no_full_collections
from quoteverify.errors import InputError
from quoteverify.ingest.inputs import HTML_SUFFIXES, file_document, os_error_message, path_in, read_bytes, read_document
from quoteverify.ingest.saved import SavedCase, source_key
from quoteverify.ingest.turns import with_speakers
from quoteverify.locate.index import CACHE_DIR
from quoteverify.models import (
    ArticleRef,
    Case,
    Document,
    EditorialChoice,
    ParagraphWitnesses,
    Provenance,
    Reading,
    SourceInfo,
    with_fields,
)


def _toml(path: Path, shown: str) -> dict[str, Any]:
    import tomllib  # see _toml_text

    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise InputError(shown, f"TOML syntax error: {' '.join(str(e).split())}") from None
    except UnicodeDecodeError:
        raise InputError(shown, "TOML syntax error: not UTF-8") from None
    except OSError as e:
        raise InputError(shown, os_error_message(e)) from None


def _case_toml(path: Path, shown: str, saved: SavedCase) -> dict[str, Any]:
    """A case's ``case.toml``, parsed, or as an earlier run saved it parsed (90 ms for 2,500 tables, 2 ms saved)."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise InputError(shown, os_error_message(e)) from None
    sha256 = hashlib.sha256(raw).hexdigest()
    data = saved.toml(sha256)
    if data is None:
        data = _toml_text(raw, shown)
        saved.put_toml(sha256, data)
    return data


def _toml_text(raw: bytes, shown: str) -> dict[str, Any]:
    """Parse the bytes of a TOML file (as ``tomllib.load`` reads a file).

    ``tomllib`` is imported here, not with the module: a case's ``case.toml``
    is saved parsed with its sources (:func:`_case_toml`), and a run then
    parses no TOML at all (see :func:`quoteverify.lexicon._parsed` for the figure).
    """
    import tomllib

    try:
        return tomllib.loads(raw.decode())
    except tomllib.TOMLDecodeError as e:
        raise InputError(shown, f"TOML syntax error: {' '.join(str(e).split())}") from None
    except UnicodeDecodeError:
        raise InputError(shown, "TOML syntax error: not UTF-8") from None


def _toml_type(value: Any) -> str:
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "a boolean",
        list: "an array",
        dict: "a table",
    }
    return names.get(type(value), type(value).__name__)


class _Table:
    """A TOML table being validated: typed getters whose faults name the file and the place."""

    def __init__(self, data: Any, shown: str, where: str) -> None:
        self.shown = shown
        self.where = where
        if not isinstance(data, dict):
            raise self.fault(f"expected a table, got {_toml_type(data)}")
        self.data = data

    def fault(self, message: str) -> InputError:
        return InputError(self.shown, f"{self.where}: {message}" if self.where else message)

    def get_str(self, key: str, default: str | None = None) -> str:
        if key not in self.data:
            if default is None:
                raise self.fault(f'missing key "{key}"')
            return default
        value = self.data[key]
        if isinstance(value, (_dt.date, _dt.datetime, _dt.time)):
            return value.isoformat()
        if not isinstance(value, str):
            raise self.fault(f'"{key}" must be a string, not {_toml_type(value)}')
        return value

    def get_int(self, key: str) -> int:
        if key not in self.data:
            raise self.fault(f'missing key "{key}"')
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fault(f'"{key}" must be an integer, not {_toml_type(value)}')
        return value

    def get_strs(self, key: str, default: tuple[str, ...] | None = None) -> tuple[str, ...]:
        if key not in self.data:
            if default is None:
                raise self.fault(f'missing key "{key}"')
            return default
        value = self.data[key]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fault(f'"{key}" must be a list of strings')
        return tuple(value)

    def get_str_map(self, key: str) -> dict[str, str]:
        """A table of strings (``[sources.speakers]``), or an empty one when the key is absent."""
        if key not in self.data:
            return {}
        value = self.data[key]
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise self.fault(f'"{key}" must be a table of strings ("LABEL" = "Person")')
        return dict(value)

    def tables(self, key: str, *, required: bool = False) -> list[_Table]:
        if key not in self.data:
            if required:
                raise self.fault(f"no [[{key}]] table")
            return []
        value = self.data[key]
        if not isinstance(value, list):
            raise self.fault(f'"{key}" must be an array of tables ([[{key}]]), not {_toml_type(value)}')
        if required and not value:
            raise self.fault(f"no [[{key}]] table")
        prefix = f"{self.where}." if self.where else ""
        return [_Table(v, self.shown, f"{prefix}{key}[{i}]") for i, v in enumerate(value)]


# --------------------------------------------------------------------------- provenance


def _reading(table: _Table) -> Reading:
    return Reading(table.get_str("text"), table.get_strs("witnesses"))


def load_provenance(path: str | Path, *, paragraphs: int | None = None) -> Provenance:
    """Read a provenance TOML file (``method``, ``[[paragraph]]``, ``[[reading]]``, ``[[unplaced]]``).

    With ``paragraphs`` (the source's paragraph count), paragraph indices
    outside the source are faults.
    """
    shown = str(path)
    top = _Table(_toml(Path(path), shown), shown, "")

    def index(t: _Table, key: str) -> int:
        i = t.get_int(key)
        if i < 0 or (paragraphs is not None and i >= paragraphs):
            raise t.fault(f'"{key}" is {i}, but the source has paragraphs 0 to {(paragraphs or 0) - 1}')
        return i

    witnesses = tuple(
        ParagraphWitnesses(index(t, "index"), t.get_strs("witnesses"), t.get_str("note", "").strip())
        for t in top.tables("paragraph")
    )
    choices = []
    for t in top.tables("reading"):
        rejected = tuple(_reading(r) for r in t.tables("rejected"))
        choices.append(
            EditorialChoice(
                index(t, "paragraph"),
                Reading(t.get_str("chosen"), t.get_strs("witnesses")),
                rejected,
                t.get_str("reason", "").strip(),
            )
        )
    unplaced = tuple(
        EditorialChoice(
            None,
            _reading(t),
            tuple(_reading(r) for r in t.tables("rejected")),
            t.get_str("reason", "").strip(),
        )
        for t in top.tables("unplaced")
    )
    return Provenance(
        method=top.get_str("method", "").strip(),
        paragraphs=witnesses,
        choices=tuple(choices),
        unplaced=unplaced,
    )


# --------------------------------------------------------------------------- sources given on their own


def read_sources(
    paths: Sequence[str | Path],
    speakers: Sequence[str] = (),
    language: str = "en",
    faults: list[str] | None = None,
) -> tuple[SourceInfo, ...]:
    """Read source files for ad hoc use: ids from the file names, made unique (``a``, ``a-2``...).

    ``speakers[i]``, when given and not empty, is the person who speaks or
    wrote ``paths[i]``; a source without one may still be a transcript
    whose speaker labels name its turns. ``language`` is the sources'
    (its word lists judge the quotations). With ``faults``, a file that
    cannot be read is named there and left out; without, it raises.
    """
    if len(speakers) > len(paths):
        raise InputError(None, f"{len(speakers)} speakers named for {len(paths)} sources")
    seen: set[str] = set()
    out = []
    for number, path in enumerate(paths):
        stem = Path(path).stem or "source"
        ident, n = stem, 1
        while ident in seen:
            n += 1
            ident = f"{stem}-{n}"
        speaker = speakers[number].strip() if number < len(speakers) else ""
        try:
            doc = read_document(path, id=ident, role="source")
        except InputError as e:
            if faults is None:
                raise
            faults.append(str(e))
            continue
        seen.add(ident)
        out.append(SourceInfo(replace(with_speakers(doc, speaker or None), language=language)))
    return tuple(out)


# --------------------------------------------------------------------------- cases


@dataclass(frozen=True)
class _CaseToml:
    """Where a case's ``case.toml`` is, the directory its paths are relative to, and that directory as given."""

    path: Path
    root: Path
    given: str


def _find_case_toml(case_dir: str | Path) -> _CaseToml:
    """Find the ``case.toml`` of a case directory, or take ``case_dir`` as the ``case.toml`` itself."""
    root = Path(case_dir)
    if root.is_file() and root.suffix.lower() == ".toml":
        found = _CaseToml(root, root.parent, str(root.parent))
    else:
        if not root.exists():
            raise InputError(str(case_dir), "no such case directory")
        if not root.is_dir():
            raise InputError(str(case_dir), "not a case directory (expected a directory holding case.toml)")
        found = _CaseToml(root / "case.toml", root, str(case_dir))
    if not found.path.is_file():
        raise InputError(str(found.path), "no such file" if not found.path.exists() else "not a file")
    return found


@dataclass(frozen=True)
class _ListedSource:
    """A ``[[sources]]`` table of a case, checked but not read yet: its id, path and provenance path.

    ``file`` and ``provenance_file`` are the two paths joined to the case
    folder, as they were checked (joined once: each join parses the path).
    """

    table: _Table
    id: str
    path: str
    provenance: str | None
    file: Path
    provenance_file: Path | None


class _Listing:
    """Checks of the ``[[sources]]`` and ``[[articles]]`` of a case: unique ids, listed files that exist."""

    def __init__(self, case: _CaseToml) -> None:
        self.case = case
        self.seen: set[str] = set()
        self._root: Path | None = None
        self._folders: dict[str, tuple[Path, bool] | None] = {}

    @property
    def root(self) -> Path:
        """The case folder, resolved once: once a source, it was 0.035 s of the 0.3 s a case of 500 sources took to load, profiled."""
        if self._root is None:
            self._root = self.case.root.resolve()
        return self._root

    def new_id(self, t: _Table) -> str:
        ident = t.get_str("id")
        if not ident.strip():
            raise t.fault('"id" is empty')
        if ident in self.seen:
            raise t.fault(f'duplicate id "{ident}"')
        self.seen.add(ident)
        return ident

    def existing(self, t: _Table, key: str, what: str, ident: str) -> tuple[str, Path]:
        """The path ``key`` of ``t``, as given and joined to the case folder, once it is known to name a file inside it."""
        rel = t.get_str(key)
        target = path_in(self.case.root, rel)
        mode = self.inside(target, rel, what, ident)
        if not (stat.S_ISREG(mode) if mode is not None else target.is_file()):
            fault = "is a directory, not a file" if target.is_dir() else "no such file"
            raise InputError(str(target), f'{fault} ({what} "{ident}" in {self.case.path.name})')
        return rel, target

    def inside(self, target: Path, rel: str, what: str, ident: str) -> int | None:
        """Refuse a path that leads out of the case folder (absolute, ``..``, or a link out).

        A case folder may come from someone else: its paths must not pull
        any other file of this machine into a report. Returns the mode of
        the file when it is known to be no link (else None).
        """
        real, mode = self._real(target)
        if real is not None and not real.is_relative_to(self.root):
            raise _PathOutside(
                str(self.case.path), f'{what} "{ident}": path "{rel}" leads outside the case folder'
            )
        return mode

    def _real(self, target: Path) -> tuple[Path | None, int | None]:
        """``target`` resolved, and its mode when it is no link; None for no path to check (a link that loops: the read names it).

        A file that is no link resolves to its folder resolved and its
        name: each folder is resolved once, and the file looked at once,
        not every part of its path again, and the file looked at once for
        both questions: the 500 sources of the 10 MB case checked in 11 ms
        instead of 19 ms, CPU time, best of fifteen. A file of a folder
        inside the case folder is inside it: no path to check either.
        """
        name = target.name
        if name not in ("", ".", ".."):
            try:
                mode = os.lstat(target).st_mode
            except OSError:
                mode = None  # no such file: resolved as its folder and its name, as resolve() does
            if mode is None or not stat.S_ISLNK(mode):
                folder = self._folder(os.path.dirname(target))
                if folder is not None:
                    resolved, inside = folder
                    return (None if inside else resolved / name), mode
        try:
            return target.resolve(), None
        except (OSError, RuntimeError):
            return None, None

    def _folder(self, folder: str) -> tuple[Path, bool] | None:
        """A folder resolved, and whether it is inside the case folder, once for all its files (None when it cannot be).

        By its path as a string (the file's path less its name), not as a
        :class:`Path`, and asked once whether it is inside. With each source
        joined to the case folder once (see :class:`_ListedSource`), the 500
        sources of the 10 MB case were checked and their paths made in 4.7 ms
        instead of 8.9 ms (CPU time, best of 30, both ways alternated in one process).
        """
        if folder not in self._folders:
            try:
                resolved = Path(folder).resolve()
                self._folders[folder] = resolved, resolved.is_relative_to(self.root)
            except (OSError, RuntimeError):
                self._folders[folder] = None
        return self._folders[folder]

    def source(self, t: _Table, *, checked_id: bool = False) -> _ListedSource:
        ident = t.get_str("id") if checked_id else self.new_id(t)
        rel, file = self.existing(t, "path", "source", ident)
        if "provenance" not in t.data:
            return _ListedSource(t, ident, rel, None, file, None)
        prov, prov_file = self.existing(t, "provenance", "provenance of source", ident)
        return _ListedSource(t, ident, rel, prov, file, prov_file)

    def articles(self, top: _Table) -> tuple[ArticleRef, ...]:
        """The ``[[articles]]`` of case.toml, in order (see :meth:`article`).

        A table of strings alone, with a new id, is named at once; any other
        goes the general way, which names its fault. The 2,000 articles of
        the 10 MB case were listed in 3.1 ms instead of 5.6 ms (CPU time, best of five);
        with each reference made with its fields set as one dictionary (as
        ``__init__`` sets them, one by one: the same object), in 1.69 ms
        instead of 3.05 ms (process time, best of 41, both ways alternated in one process).
        """
        raw = top.data.get("articles")
        if not isinstance(raw, list) or not _list_of_tables(raw):
            return tuple(self.article(t) for t in top.tables("articles"))
        seen = self.seen
        out: list[ArticleRef] = []
        for i, d in enumerate(raw):
            ident, rel = d.get("id"), d.get("path")
            outlet, date, url = d.get("outlet", ""), d.get("date", ""), d.get("url", "")
            if (
                type(ident) is str and type(rel) is str and type(outlet) is str and type(date) is str
                and type(url) is str and ident not in seen and ident.strip()
            ):
                seen.add(ident)
                values = {**_ARTICLE_DEFAULTS, "id": ident, "path": rel, "outlet": outlet, "date": date, "url": url}
                out.append(with_fields(ArticleRef, values))
            else:
                out.append(self.article(_Table(d, top.shown, f"{top.where + '.' if top.where else ''}articles[{i}]")))
        return tuple(out)

    def article(self, t: _Table) -> ArticleRef:
        # not read, nor checked, here: an article that cannot be read is the run's fault
        # to report, after every other article has been checked
        ident = self.new_id(t)
        rel = t.get_str("path")
        return ArticleRef(
            ident,
            rel,
            outlet=t.get_str("outlet", ""),
            date=t.get_str("date", ""),
            url=t.get_str("url", ""),
        )


#: every field of an :class:`ArticleRef` with its default (the two without one, id and path, always given)
_ARTICLE_DEFAULTS = {f.name: f.default for f in fields(ArticleRef)}


def _list_of_tables(value: object) -> bool:
    return isinstance(value, list) and all(type(d) is dict for d in value)


class _PathOutside(InputError):
    """A path of case.toml that leads out of the case folder: the whole case is refused."""


def _read_source(listed: _ListedSource, saved: SavedCase, language: str) -> SourceInfo:
    """Read a case's source (or find it saved from an earlier run) and its provenance; ``language`` is the case's, which the source's own overrides."""
    path = listed.file
    t = listed.table
    origin = str(path)
    title, date, url = t.get_str("title", ""), t.get_str("date", ""), t.get_str("url", "")
    status: list[os.stat_result] = []
    data = read_bytes(path, origin=origin, stats=status)

    def read() -> Document:
        return file_document(
            data, origin=origin, document_path=listed.path, id=listed.id, role="source", title=title, date=date, url=url
        )

    try:
        speaker, labels = t.get_str("speaker", "").strip() or None, t.get_str_map("speakers")
    except InputError:
        read()  # a fault of the file itself is the one named, as when the speakers were read after it
        raise
    html = origin.lower().endswith(HTML_SUFFIXES)
    sha256 = saved.file_sha256(listed.path, status[0])
    if sha256 is None:
        sha256 = hashlib.sha256(data).hexdigest()
        saved.put_file_sha256(listed.path, status[0], sha256)
    key = source_key(sha256, [listed.path, html, listed.id, title, date, url, speaker, list(labels.items())])
    doc = saved.source(key, sha256=sha256, id=listed.id, data=data)
    if doc is None:
        doc = with_speakers(read(), speaker, labels)
        saved.put_source(key, doc, data=data)
    own_language = t.get_str("language", "").strip() or language
    if doc.language != own_language:  # else the same document again: 500 copies were 5 ms of the 10 MB case's load, profiled
        doc = replace(doc, language=own_language)
    # all the document holds is made from its key, its language and the code that reads: report.json's
    # sources' part is named by these, not by the 19,000 paragraphs of the 10 MB case's sources written
    # out and hashed (2.95 ms -> 0.2 ms of CPU time, best of 31, see render.json._sources_key)
    know_document_key(doc, f"{saved.code}\0{key}\0{own_language}")
    if listed.provenance_file is None:
        return SourceInfo(doc)  # and its default provenance, none, not one made for each source
    return SourceInfo(doc, load_provenance(listed.provenance_file, paragraphs=len(doc.paragraphs)))


def load_case(case_dir: str | Path) -> Case:
    """Read and check a case directory: ``case.toml``, its sources (read now) and its articles (named).

    ``case_dir`` may also be the path of the ``case.toml`` itself. The case
    id is the ``id`` key or the directory's name. Sources are read with
    ``role="source"`` and their provenance; articles become
    :class:`ArticleRef` objects with their paths as given in ``case.toml``
    (relative to the case directory), not yet read: a listed article that
    does not exist is reported when the run reads it. A source (or its
    provenance) that cannot be read is one of the case's ``faults``, and
    the run checks the articles against the other sources. Every other
    fault, a missing ``case.toml``, a syntax error, a missing key, a path
    that leads out of the case folder, a duplicate id, no source that can be
    read, raises :class:`InputError` naming the file.
    """
    with no_full_collections():  # see there: 28 ms of the 10 MB case's load
        return _load_case(case_dir)


def _load_case(case_dir: str | Path) -> Case:
    case = _find_case_toml(case_dir)
    shown = str(case.path)
    saved = SavedCase(case.root / CACHE_DIR)
    top = _Table(_case_toml(case.path, shown, saved), shown, "")
    case_id = top.get_str("id", "") or os.path.basename(os.path.abspath(case.root))
    listing = _Listing(case)
    source_tables = top.tables("sources", required=True)
    if not _list_of_tables(top.data.get("articles")):
        top.tables("articles")  # its fault, if any, named before the sources are read
    sources, faults = _read_sources(case, listing, source_tables, saved, top.get_str("language", "").strip() or "en")
    articles = listing.articles(top)
    saved.save()
    return Case(
        id=case_id,
        title=top.get_str("title", "") or case_id,
        sources=sources,
        articles=articles,
        root=case.given,
        date=top.get_str("date", ""),
        description=top.get_str("description", "").strip(),
        faults=faults,
    )


def _read_sources(
    case: _CaseToml, listing: _Listing, tables: Sequence[_Table], saved: SavedCase, language: str
) -> tuple[tuple[SourceInfo, ...], tuple[str, ...]]:
    """The case's sources that can be read, and one fault per listed file that cannot.

    The articles are still checked against the others, and the run fails
    at its end; with no source left there is nothing to check against, and
    the first fault is raised.
    """
    sources: list[SourceInfo] = []
    faults: list[InputError] = []
    for t in tables:
        listing.new_id(t)  # a duplicate id is a fault of case.toml itself, raised at once
        try:
            sources.append(_read_source(listing.source(t, checked_id=True), saved, language))
        except _PathOutside:
            raise
        except InputError as e:
            faults.append(e)
    if not sources and faults:
        raise faults[0]
    return tuple(sources), tuple(str(e) for e in faults)
