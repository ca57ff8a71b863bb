"""What quoteverify keeps between runs in the user's cache folder, to start faster.

:func:`cache_folder` is ``$XDG_CACHE_HOME/quoteverify`` (``~/.cache/quoteverify``
by default). Nothing kept there changes what a run finds or writes: each
thing is keyed by everything it is made from, read back only from the
user's own file that nobody else may write and only when it is whole and
of the expected kind, and made again where it is missing or the folder
cannot be written. Kept there: the compiled templates of the
report (:mod:`quoteverify.render.html`), the compiled ``regex`` patterns of
a module (:mod:`quoteverify._patterns`), the methods ``dataclasses``
writes for the package's classes (:func:`keep_dataclass_methods`), the
code ``re`` compiles the command's patterns to (:func:`keep_compiled_patterns`)
and that of its named tuples' ``__new__`` (:func:`keep_named_tuple_methods`),
the parsed word lists (:mod:`quoteverify.lexicon`), and the
sources' part of a ``report.json`` (:func:`kept_buffer`, see
:func:`quoteverify.render.json.report_json_bytes`).

Kept for the length of a run only: the SHA-256 of the texts it names by
their digest (:func:`text_sha256`), and of the article it read last
(:func:`read_text_sha256`), and a key naming all that each source it read from a case was made
from (:func:`document_key`).
"""

from __future__ import annotations

import _sre  # type: ignore[import-not-found]  # re's engine, which has no stubs
import atexit
import builtins
import collections
import contextlib
import dataclasses
import hashlib
import importlib.util
import marshal
import mmap
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from types import CodeType
from typing import Any, TypeVar


# --------------------------------------------------------------------------- digests kept for a run

_V = TypeVar("_V")


class ByIdentity(dict[int, tuple[Any, _V]]):
    """A value for each of the objects seen lately, by the object's identity (its id, each ``(object, value)``), not its value.

    Each object is kept with its value, so its id stays its own while the
    value is kept; past ``bound`` objects, all are dropped at once. For
    values worked out from objects that are not hashed by value, or whose
    hashing by value costs what the value does (a text, a tuple of
    paragraphs, a document).
    """

    def __init__(self, bound: int = 4096) -> None:
        super().__init__()
        self.bound = bound

    def value(self, obj: object) -> _V | None:
        """The value kept for ``obj``, else None."""
        hit = self.get(id(obj))
        return hit[1] if hit is not None and hit[0] is obj else None

    def put(self, obj: object, value: _V) -> None:
        """Keep ``value`` for ``obj``."""
        if len(self) >= self.bound:
            self.clear()
        self[id(obj)] = (obj, value)


#: the SHA-256 of texts hashed lately
_TEXT_DIGESTS: ByIdentity[str] = ByIdentity()


def text_sha256(text: str) -> str:
    """The SHA-256 of ``text`` in UTF-8 (lone surrogates as themselves), hex; hashed once a text.

    A run names its sources by this digest twice, in the index's
    fingerprint and in the manifest: once each, the 10 MB of the 10 MB
    case's sources were hashed twice (6-16 ms each time). A source loaded
    from a case's saved sources comes with it (:func:`know_text_sha256`).
    """
    hit = _TEXT_DIGESTS.value(text)
    if hit is not None:
        return hit
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    know_text_sha256(text, digest)
    return digest


def know_text_sha256(text: str, digest: str) -> None:
    """Take ``digest`` for the :func:`text_sha256` of ``text`` (hashed when it was saved with it)."""
    _TEXT_DIGESTS.put(text, digest)


#: a key naming all that a document was made from
_DOCUMENT_KEYS: ByIdentity[str] = ByIdentity()


def know_document_key(document: object, key: str) -> None:
    """Take ``key`` for the :func:`document_key` of ``document``: a string naming all it was made from.

    Given by the reading of a case's sources (:func:`quoteverify.ingest.case.load_case`):
    a source found saved is the one its key and the code that reads make.
    """
    _DOCUMENT_KEYS.put(document, key)


def document_key(document: object) -> str | None:
    """The key of ``document`` given by :func:`know_document_key`, or None when none was given."""
    return _DOCUMENT_KEYS.value(document)


#: the text of the article read last whose digest its reading worked out, and that digest
_READ_TEXT: tuple[str, str] = ("", "")


def know_read_text_sha256(text: str, digest: str) -> None:
    """Take ``digest`` for the :func:`read_text_sha256` of ``text``, the article just read (forgetting the one before)."""
    global _READ_TEXT
    _READ_TEXT = (text, digest)


def read_text_sha256(text: str) -> str:
    """:func:`text_sha256` of an article's text, hashed unless it is the one just read and its reading hashed it.

    A run asks for each article's right after checking it, in the process
    that read it, so one is kept, not the texts of the run. The 8 MB of
    the 10 MB case's articles were hashed twice, as their files' bytes and
    as their texts (the same bytes): their digests took 6.3 ms so, 2.3 ms
    looked up (process time, best of 41, alternated in one process).
    """
    known, digest = _READ_TEXT
    if known is text:
        return digest
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


# --------------------------------------------------------------------------- the cache folder


def cache_folder() -> Path:
    """The user's cache folder of quoteverify: ``$XDG_CACHE_HOME/quoteverify`` or ``~/.cache/quoteverify``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "quoteverify"


def read_own(path: Path) -> bytes:
    """The bytes of ``path``, a file of this user's that nobody else may write (else ``PermissionError``).

    What is kept is code or builds patterns: a file someone else could have
    put there (a cache folder set to a shared one) is not read.
    """
    with open(path, "rb") as f:
        check_own(f.fileno(), path)
        return f.read()


def save_quietly(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole (making its folder); nothing happens where it cannot be written."""
    from quoteverify._files import write_atomic  # at the end of a run, not at every start
    from quoteverify.errors import InputError

    with contextlib.suppress(InputError, OSError):
        write_atomic(path, data, make_dirs=True, sync=False)


def check_own(fd: int, path: str | Path) -> int:
    """The size of the open file ``fd`` (``path``), when it is this user's own that nobody else may write (else ``PermissionError``)."""
    st = os.fstat(fd)
    if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o022):
        raise PermissionError(f"{path}: not this user's own file")
    return st.st_size


def map_own(path: Path) -> bytes | mmap.mmap:
    """The bytes of ``path`` as :func:`read_own` checks it, mapped into memory (read-only), not read.

    A large file read makes a new buffer of its size, each page of it
    faulted in as it is filled: the 13 MB of the 10 MB case's sources' part
    of report.json took 7-10 ms to read, 1.1-1.2 ms to map with its pages
    mapped at once (best of six). The cache folder's files are replaced by
    a rename, never rewritten where they are, so a mapped file stays as it was.
    """
    with open(path, "rb") as f:
        if not check_own(f.fileno(), path):
            return b""  # a mapping cannot be empty
        if sys.platform == "win32":
            return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        return mmap.mmap(f.fileno(), 0, flags=mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0), prot=mmap.PROT_READ)


def kept_buffer(kind: str, key: str, make: Callable[[], bytes], *, keep: int = 4) -> bytes | mmap.mmap:
    """The bytes ``make()`` gives, kept in the cache folder as ``<kind>/<key>`` and mapped from there (:func:`map_own`) while they are.

    ``key`` names everything the bytes are made from (a digest of it), so
    that a file found under it holds what ``make()`` would give now. The
    newest ``keep`` files of a kind are kept, the others removed when one is
    written. Where the folder cannot be written, ``make()`` is called each
    time; a file found empty is made again.
    """
    path = cache_folder() / kind / key
    with contextlib.suppress(OSError, ValueError):
        found = map_own(path)
        if len(found):  # an empty file is one a crash left before its bytes reached the disk: made again
            return found
    data = make()
    save_quietly(path, data)
    with contextlib.suppress(OSError):
        kept = sorted((e.stat().st_mtime_ns, e.path) for e in os.scandir(path.parent) if not e.name.startswith("."))
        for _, old in kept[:-keep]:
            with contextlib.suppress(OSError):
                os.unlink(old)
    return data


class _CompiledSources:
    """Code compiled from source texts, kept in one file by the texts (see :func:`keep_dataclass_methods`).

    ``compile_source`` compiles a text; ``kept`` tells a text and its code
    read from the file that are of the expected kind. With a ``limit``, a
    file that would hold more is written with the texts this process asked
    for alone.
    """

    def __init__(
        self,
        path: Path,
        compile_source: Callable[[Any], Any] | None = None,
        kept: Callable[[Any, Any], bool] | None = None,
        limit: int | None = None,
    ) -> None:
        self.path = path
        self._compile_source = compile_source or _compile
        self._kept = kept or _is_compiled_source
        self._limit = limit
        self._code: dict[Any, Any] | None = None
        self._asked: set[Any] = set()
        self.compiled = 0

    def _read(self) -> dict[Any, Any]:
        try:
            # loads of the bytes: load from the file read each piece with a call of its own (23 ms, not 3)
            kept = marshal.loads(read_own(self.path))
        except Exception:  # missing, unreadable or broken: compiled again
            return {}
        if not isinstance(kept, dict):
            return {}
        return {k: v for k, v in kept.items() if self._kept(k, v)}

    def code(self, source: Any) -> Any:
        """The code of ``source``, compiled as ``compile_source`` compiles it (by default as ``exec(source)`` in ``dataclasses``)."""
        if self._code is None:
            self._code = self._read()
        found = self._code.get(source)
        if found is None:
            found = self._code[source] = self._compile_source(source)
            # kept as a module's bytecode is: not where Python is told to write none
            if not self.compiled and not sys.dont_write_bytecode:
                atexit.register(self.save)
            self.compiled += 1
        if self._limit is not None:
            self._asked.add(source)
        return found

    def save(self) -> None:
        code = self._code
        if code and self._limit is not None and len(code) > self._limit:
            code = {source: code[source] for source in self._asked}
        if code:
            try:
                data = marshal.dumps(code)
            except ValueError:  # a value marshal does not write: nothing kept
                return
            save_quietly(self.path, data)


def _is_compiled_source(source: Any, code: Any) -> bool:
    return isinstance(source, str) and isinstance(code, CodeType)


_methods: _CompiledSources | None = None
#: the format of the file of kept methods: 2, compiled without this module's future features
_METHODS_FORMAT = 2


def _compile(source: str) -> CodeType:
    """``source`` compiled as ``exec(source)`` compiles it in a module without ``from __future__`` imports.

    ``exec`` of a string takes the future features of the code that calls it:
    those of ``dataclasses`` (none), not this module's (``annotations``, which
    would leave the annotations of every ``__init__`` as strings).
    """
    return compile(source, "<string>", "exec", dont_inherit=True)


def _exec_kept(source: Any, globals: dict[str, Any] | None = None, locals: Any = None, /) -> None:
    """``exec`` for ``dataclasses``: the source of a method of one of the package's classes runs from its kept code."""
    if _methods is not None and isinstance(source, str) and globals and str(globals.get("__name__", "")).startswith("quoteverify."):
        source = _methods.code(source)
    elif isinstance(source, str):
        source = _compile(source)
    builtins.exec(source, globals, locals)


def keep_dataclass_methods() -> None:
    """Keep the methods ``dataclasses`` writes for the package's classes compiled between runs.

    ``@dataclass`` writes ``__init__``, ``__repr__``, ``__eq__``, ``__hash__``,
    ``__setattr__`` and ``__delattr__`` of each class as source text and
    compiles each with ``exec``: 463 compilations for the 80 classes a check
    imports, 40-60 ms of the 85-135 ms the package's modules took to import
    (52 ms with the code kept; measured on a busy machine). Their code is kept, by source text and
    Python's bytecode version, like a module's ``.pyc``; ``exec`` of the kept
    code is ``exec`` of the text. Done by giving the ``dataclasses`` module an
    ``exec`` of its own (its functions look the name up there first), which
    compiles nothing anew for the package's classes and leaves every other
    class as it was. Once a process; where ``dataclasses`` does not write
    its methods with ``exec`` any more, nothing is done. Like a ``.pyc``,
    the file is not written where Python writes no bytecode
    (``PYTHONDONTWRITEBYTECODE``), only read.
    """
    global _methods
    writer = getattr(dataclasses, "_create_fn", None)
    writes_with_exec = writer is not None and "exec" in writer.__code__.co_names
    if _methods is not None or "exec" in vars(dataclasses) or not writes_with_exec:
        return
    tag = f"{sys.implementation.cache_tag}-{importlib.util.MAGIC_NUMBER.hex()}"
    _methods = _CompiledSources(cache_folder() / f"dataclass-methods-{_METHODS_FORMAT}-{tag}.marshal")
    dataclasses.exec = _exec_kept  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- the code of named tuples


_named_tuples: _CompiledSources | None = None
#: the most ``__new__`` methods the file keeps (see :class:`_CompiledSources`)
_NAMED_TUPLES_KEPT = 1024


def keep_named_tuple_methods() -> None:
    """Keep the ``__new__`` that ``collections.namedtuple`` writes for each named tuple compiled between runs.

    Each is a line of source text compiled with ``eval``, as ``dataclasses``
    compiles its methods (:func:`keep_dataclass_methods`): 63 of them before
    a check of the 10 MB case reads its first article, 13 M of its 1,125 M
    instructions (callgrind, 1,112 M with their code kept). Done the same
    way, by giving ``collections`` an ``eval`` of its own, for the command's
    own process (:mod:`quoteverify.cli` asks for it); like a ``.pyc``, the
    file is not written where Python writes no bytecode.
    """
    global _named_tuples
    writer = getattr(collections, "namedtuple", None)
    if _named_tuples is not None or "eval" in vars(collections) or writer is None or "eval" not in writer.__code__.co_names:
        return
    tag = f"{sys.implementation.cache_tag}-{importlib.util.MAGIC_NUMBER.hex()}"
    _named_tuples = _CompiledSources(
        cache_folder() / f"named-tuples-1-{tag}.marshal", _compile_expression, _is_compiled_source, _NAMED_TUPLES_KEPT
    )
    collections.eval = _eval_kept  # type: ignore[attr-defined]


def _compile_expression(source: str) -> CodeType:
    """``source`` compiled as ``eval(source)`` in ``collections`` compiles it (with no future features)."""
    return compile(source, "<string>", "eval", dont_inherit=True)


def _eval_kept(source: Any, globals: dict[str, Any] | None = None, locals: Any = None, /) -> Any:
    """``eval`` for ``collections``: the source of a named tuple's ``__new__`` runs from its kept code."""
    if _named_tuples is not None and isinstance(source, str):
        source = _named_tuples.code(source)
    return builtins.eval(source, globals, locals)


# --------------------------------------------------------------------------- the code of re's patterns


_patterns: _CompiledSources | None = None
#: the format of the file of kept patterns
_PATTERNS_FORMAT = 1
#: the most patterns the file keeps: past it, a run keeps those it compiled alone (patterns made of a case's names come and go)
_PATTERNS_KEPT = 1024

#: a pattern's text and flags; the flags, code, groups and group names ``_sre.compile`` makes the pattern of
_PatternKey = tuple[str | bytes, int]
_PatternCode = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]


def keep_compiled_patterns() -> None:
    """Keep the code ``re`` compiles its patterns to between runs, as :func:`keep_dataclass_methods` keeps methods.

    ``re`` parses and compiles each pattern in Python: the 114 a check of
    the 10 MB case compiles before its first article (those of click,
    numpy, jinja2, the standard modules they import, and this package's).
    Made from kept code, that start took 1,124 M instructions instead of
    1,227 M (callgrind, best of two), 259 ms of CPU time instead of 277 ms
    (best of 12, alternated, on a busy machine). Their code is
    kept, by pattern and flags, Python's version and that of its ``_sre``
    engine; a kept pattern is made by ``_sre.compile`` from it, as
    ``re.compile`` makes it from the code it compiles: an equal pattern
    (the same text, flags and code), whose code ``_sre`` checks as it
    always does. Done by giving ``re``'s compiler a ``compile`` of its own;
    a pattern given parsed, or compiled with ``re.DEBUG``, or whose kept
    code ``_sre`` refuses, is compiled as always, and a pattern that warns
    as it is parsed warns only when it is compiled afresh. For the command's
    own process (:mod:`quoteverify.cli` asks for it): a program that
    imports the package compiles its patterns as always. Like a ``.pyc``,
    the file is not written where Python writes no bytecode.
    """
    global _patterns, _compile_afresh
    compiler = getattr(re, "_compiler", None)
    original = getattr(compiler, "compile", None)
    if _patterns is not None or original is None or not {"_code", "_sre"} <= set(original.__code__.co_names):
        return
    tag = f"{sys.implementation.cache_tag}-{sys.hexversion:x}-{_sre.MAGIC}-{_sre.CODESIZE}"
    _patterns = _CompiledSources(
        cache_folder() / f"re-patterns-{_PATTERNS_FORMAT}-{tag}.marshal", _pattern_code, _is_pattern_code, _PATTERNS_KEPT
    )
    _compile_afresh = original
    compiler.compile = _compile_kept  # type: ignore[union-attr]


#: ``re``'s own compile, for what is not kept
_compile_afresh: Callable[[Any, int], re.Pattern[Any]] = re.compile


def _compile_kept(pattern: Any, flags: int = 0) -> re.Pattern[Any]:
    """``re._compiler.compile``: a pattern's text made a pattern from its kept code (see :func:`keep_compiled_patterns`)."""
    if _patterns is None or type(pattern) not in (str, bytes) or flags & re.DEBUG:
        return _compile_afresh(pattern, flags)
    code = _patterns.code((pattern, int(flags)))
    try:
        return _sre.compile(pattern, *code)
    except (TypeError, ValueError, RuntimeError, OverflowError):  # kept code that _sre refuses
        return _compile_afresh(pattern, flags)


def _pattern_code(key: _PatternKey) -> _PatternCode:
    """What ``re._compiler.compile`` gives ``_sre.compile`` for a pattern's text and flags, worked out as it does."""
    pattern, flags = key
    parsed = re._parser.parse(pattern, flags)  # type: ignore[attr-defined]
    code = re._compiler._code(parsed, flags)  # type: ignore[attr-defined]
    state = parsed.state
    names: list[str | None] = [None] * state.groups
    for name, index in state.groupdict.items():
        names[index] = name
    # its opcodes are int subclasses, which marshal does not write
    return flags | state.flags, list(map(int, code)), state.groups - 1, dict(state.groupdict), tuple(names)


def _is_pattern_code(key: Any, code: Any) -> bool:
    """Whether a key and a value read from the file are a pattern's text and flags and the parts of its code."""
    return (
        type(key) is tuple and len(key) == 2 and type(key[0]) in (str, bytes) and type(key[1]) is int
        and type(code) is tuple and len(code) == 5 and type(code[0]) is int and type(code[1]) is list
        and type(code[2]) is int and type(code[3]) is dict and type(code[4]) is tuple
    )
