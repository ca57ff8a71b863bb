"""What quoteverify keeps between runs in the user's cache folder, to start faster.

:func:`cache_folder` is ``$XDG_CACHE_HOME/quoteverify`` (``~/.cache/quoteverify``
by default). Nothing kept there changes what a run finds or writes: each
thing is keyed by everything it is made from, read back only from the
user's own file that nobody else may write and only when it is whole and
of the expected kind, and made again where it is missing or the folder
cannot be written. Kept there: the compiled templates of the
report (:mod:`quoteverify.render.html`), the compiled ``regex`` patterns of
a module (:mod:`quoteverify._patterns`), the methods ``dataclasses``
writes for the package's classes (:func:`keep_dataclass_methods`), and the
sources' part of a ``report.json`` (:func:`kept_buffer`, see
:func:`quoteverify.render.json.report_json_bytes`).

Kept for the length of a run only: the SHA-256 of the texts it names by
their digest (:func:`text_sha256`), and of the article it read last
(:func:`read_text_sha256`).
"""

from __future__ import annotations

import atexit
import builtins
import contextlib
import dataclasses
import hashlib
import importlib.util
import marshal
import mmap
import os
import sys
from collections.abc import Callable
from pathlib import Path
from types import CodeType
from typing import Any


# --------------------------------------------------------------------------- digests kept for a run


#: the SHA-256 of texts hashed lately, by id (the text is kept with it, so the id stays its own)
_TEXT_DIGESTS: dict[int, tuple[str, str]] = {}


def text_sha256(text: str) -> str:
    """The SHA-256 of ``text`` in UTF-8 (lone surrogates as themselves), hex; hashed once a text.

    A run names its sources by this digest twice, in the index's
    fingerprint and in the manifest: once each, the 10 MB of the 10 MB
    case's sources were hashed twice (6-16 ms each time). A source loaded
    from a case's saved sources comes with it (:func:`know_text_sha256`).
    """
    hit = _TEXT_DIGESTS.get(id(text))
    if hit is not None and hit[0] is text:
        return hit[1]
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    know_text_sha256(text, digest)
    return digest


def know_text_sha256(text: str, digest: str) -> None:
    """Take ``digest`` for the :func:`text_sha256` of ``text`` (hashed when it was saved with it)."""
    if len(_TEXT_DIGESTS) >= 4096:
        _TEXT_DIGESTS.clear()
    _TEXT_DIGESTS[id(text)] = (text, digest)


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
        _check_own(f.fileno(), path)
        return f.read()


def save_quietly(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole (making its folder); nothing happens where it cannot be written."""
    from quoteverify._files import write_atomic  # at the end of a run, not at every start
    from quoteverify.errors import InputError

    with contextlib.suppress(InputError, OSError):
        write_atomic(path, data, make_dirs=True, sync=False)


def _check_own(fd: int, path: Path) -> int:
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
        if not _check_own(f.fileno(), path):
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
    """Code compiled from source texts, kept in one file by the texts (see :func:`keep_dataclass_methods`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._code: dict[str, CodeType] | None = None
        self.compiled = 0

    def _read(self) -> dict[str, CodeType]:
        try:
            # loads of the bytes: load from the file read each piece with a call of its own (23 ms, not 3)
            kept = marshal.loads(read_own(self.path))
        except Exception:  # missing, unreadable or broken: compiled again
            return {}
        if not isinstance(kept, dict):
            return {}
        return {k: v for k, v in kept.items() if isinstance(k, str) and isinstance(v, CodeType)}

    def code(self, source: str) -> CodeType:
        """The code of ``source``, compiled as ``exec(source)`` in ``dataclasses`` compiles it."""
        if self._code is None:
            self._code = self._read()
        found = self._code.get(source)
        if found is None:
            found = self._code[source] = _compile(source)
            # kept as a module's bytecode is: not where Python is told to write none
            if not self.compiled and not sys.dont_write_bytecode:
                atexit.register(self.save)
            self.compiled += 1
        return found

    def save(self) -> None:
        if self._code:
            save_quietly(self.path, marshal.dumps(self._code))


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

