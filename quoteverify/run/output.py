"""A run's report folder as a transaction: staged beside ``OUT/<case>``, moved into place whole.

A run writes everything (``results.jsonl`` as it goes, then the pages,
``report.json`` and ``manifest.json``) into ``OUT/.<case>.partial/<case>/``
and only at the end swaps that folder with ``OUT/<case>``. A run killed at
any point leaves ``OUT/<case>`` as the earlier run wrote it, whole; the next
run finds the unfinished folder, says so, and starts afresh (resuming from
the last whole record would need every article's full result again for the
pages, which ``results.jsonl`` does not keep). Pages of an earlier run go
with the folder they were in.

A lock file, ``OUT/.<case>.lock``, keeps a second run from writing the same
folder at the same time: it is refused with one line.

``manifest.json`` says which run wrote the folder: a run id derived from
the hashes of the inputs (never from the clock, so the same inputs give the
same bytes), the inputs and their hashes, the counts, the files with their
hashes, and ``complete: true``. ``report.json`` carries the run id in its
``meta`` object.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import errno
import hashlib
import os
import shutil
import sys
import threading
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from quoteverify._cache import text_sha256
from quoteverify._files import Joined, data_sha256, write_atomic
from quoteverify._version import __version__
from quoteverify.errors import QuoteverifyError
from quoteverify.models import SourceInfo, StreamResult
from quoteverify.render import safe_name, write_report
from quoteverify.render.json import json_file_bytes
from quoteverify.run.stream import RESULTS_NAME

#: the manifest of a finished run, in the report folder
MANIFEST_NAME = "manifest.json"


class OutputBusy(QuoteverifyError):
    """Another run is writing the same report folder."""


def _lock(path: Path) -> IO[str]:
    """Take the lock file ``path`` without waiting; :class:`OutputBusy` when another process holds it.

    The file is removed when the run ends (:func:`_unlock`); a lock taken on
    a file that was removed meanwhile is taken again on the new one.
    """
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, as before
        return open(path, "a+", encoding="utf-8")
    while True:
        handle = open(path, "a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                handle.close()
                raise
            handle.seek(0)
            holder = handle.read().strip()
            handle.close()
            who = f" (pid {holder})" if holder.isdigit() else ""
            folder = path.parent / path.name[1 : -len(".lock")]
            raise OutputBusy(f"{folder}: another run is writing this report{who}; wait for it to finish") from None
        try:
            same = os.fstat(handle.fileno()).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        handle.close()
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def _unlock(handle: IO[str]) -> None:
    with contextlib.suppress(OSError):
        os.unlink(handle.name)
    handle.close()


def _exchange(a: Path, b: Path) -> bool:
    """Swap the folders ``a`` and ``b`` in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False where it is not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    ok = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if ok == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    block = bytearray(2**20)  # one buffer read into, not a new one a block
    view = memoryview(block)
    with open(path, "rb", buffering=0) as f:
        while size := f.readinto(block):
            digest.update(view[:size])
    return digest.hexdigest()


class _HashedAside:
    """The SHA-256 of a file (:func:`_file_sha256`), worked out on a thread of its own; None where it cannot be read.

    A run's ``results.jsonl`` is hashed for its manifest while the report
    is written, mostly while report.json is flushed to disk, when the
    process only waits: 6 MB for the 10 MB case, 5.0 ms of CPU time read
    back and hashed after the report (best of 21).
    """

    def __init__(self, path: Path) -> None:
        self.digest: str | None = None
        self._thread = threading.Thread(target=self._hash, args=(path,), name=f"hash {path.name}", daemon=True)
        self._thread.start()

    def _hash(self, path: Path) -> None:
        with contextlib.suppress(OSError):
            self.digest = _file_sha256(path)

    def result(self) -> str | None:
        self._thread.join()
        return self.digest


class RunFolder:
    """The report folder of one run, ``OUT/<case>``, written as a transaction (see the module's notes).

    Use as a context manager: entering takes the lock and clears what an
    unfinished run left (``notice`` then says so); :meth:`commit` writes the
    report and moves it into place (``warning`` says when the earlier one
    could not be removed); leaving without a commit throws the staged files
    away.
    """

    def __init__(self, out: str | Path, case_id: str) -> None:
        self.out = Path(out)
        self.name = safe_name(case_id)
        self.final = self.out / self.name
        self.staging_parent = self.out / f".{self.name}.partial"
        self.staging = self.staging_parent / self.name
        self.results = self.staging / RESULTS_NAME
        self.notice: str | None = None
        self.warning: str | None = None
        self._articles = hashlib.sha256()
        self._lock: IO[str] | None = None
        self._committed = False

    def __enter__(self) -> RunFolder:
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            self._lock = _lock(self.out / f".{self.name}.lock")
            if self.staging_parent.exists():
                lines = self._whole_records(self.staging / RESULTS_NAME)
                self.notice = (
                    f"{self.final}: an earlier run did not finish ({lines:,} article{'s' if lines != 1 else ''} written); "
                    "starting afresh"
                )
                _remove(self.staging_parent)
            self.staging.mkdir(parents=True)
        except OSError as e:
            self._release()
            raise _named(e, self.out) from None
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if not self._committed:
                with contextlib.suppress(OSError):
                    _remove(self.staging_parent)
        finally:
            self._release()

    def _release(self) -> None:
        if self._lock is not None:
            _unlock(self._lock)
            self._lock = None

    @staticmethod
    def _whole_records(path: Path) -> int:
        """The number of whole lines of an unfinished ``results.jsonl`` (0 when there is none)."""
        try:
            with open(path, "rb") as f:
                return sum(1 for line in f if line.endswith(b"\n"))
        except OSError:
            return 0

    def add_article(self, digest: str) -> None:
        """Count one article's hash (in input order) into the run id."""
        self._articles.update(digest.encode("ascii"))

    def manifest(self, result: StreamResult) -> dict[str, Any]:
        """The manifest of ``result``, without its list of files."""
        sources = [_source_entry(s) for s in result.check.sources]
        articles_sha256 = self._articles.hexdigest()
        articles = {"count": result.total.articles, "sha256": articles_sha256}
        run = hashlib.sha256()
        run.update(f"{__version__}\0{result.check.case}\0".encode())
        for s in sources:
            run.update(f"{s['id']}\0{s['sha256']}\0".encode())
        run.update(articles_sha256.encode())
        return {
            "run": run.hexdigest()[:16],
            "complete": True,
            "case": result.check.case,
            "generator": f"quoteverify {__version__}",
            "inputs": {"sources": sources, "articles": articles},
            "counts": dataclasses.asdict(result.total),
        }

    def commit(self, result: StreamResult) -> Path:
        """Write the report of ``result`` and its manifest into the staging folder, then move it into place.

        Returns the path of the new ``index.html``. The earlier report, if
        any, is removed once the new one is in place.
        """
        results = _HashedAside(self.results)
        manifest = self.manifest(result)
        meta = dict(result.check.meta)
        meta.update({"run": manifest["run"], "run_complete": "true", "manifest": MANIFEST_NAME})
        check = dataclasses.replace(result.check, meta=tuple(meta.items()))
        written: dict[str, str] = {}

        def hashed(rel: str, data: bytes | Joined) -> None:
            written[rel] = data_sha256(data)

        write_report(check, self.staging_parent, result.outlets, result.records, staged=True, on_write=hashed)
        files = _files_within(self.staging)
        results_sha256 = results.result()
        if results_sha256 is not None:
            written.setdefault(RESULTS_NAME, results_sha256)
        manifest["files"] = {rel: written.get(rel) or _file_sha256(self.staging / rel) for rel in files}
        write_atomic(self.staging / MANIFEST_NAME, json_file_bytes(manifest))
        self._move_into_place()
        self._committed = True
        return self.final / "index.html"

    def _move_into_place(self) -> None:
        try:
            if self.final.is_dir() and not self.final.is_symlink() and _exchange(self.staging, self.final):
                earlier = self.staging
            else:
                earlier = self.staging_parent / f"{self.name}.earlier"
                if self.final.exists() or self.final.is_symlink():
                    os.replace(self.final, earlier)
                os.replace(self.staging, self.final)
        except OSError as e:
            raise _named(e, self.final) from None
        try:
            _remove(self.staging_parent)
        except OSError as e:
            self.warning = f"{earlier}: the earlier report could not be removed ({e.strerror or e})"


def _files_within(folder: Path) -> list[str]:
    """The files under ``folder``, as paths relative to it with ``/``, in the order of their parts (as sorted paths are).

    A walk of strings: the pages of 1,000 articles as :class:`Path` objects
    from ``rglob`` were 32,000 calls of pathlib's hashing and parsing. A
    link to a file counts as a file, a link to a folder is not followed, a
    folder that cannot be read is passed over (as :func:`os.walk` does).
    Each entry is told a file by the kind its folder lists it with, not by
    a ``stat`` of its own: the 1,500 files of the report of 1,000 articles
    of the 10 MB case, 6.4 ms walked with ``os.path.isfile``, 1.25 ms so
    (best of 15, alternated in one process).
    """
    found: list[tuple[str, ...]] = []

    def walk(top: str, rel: tuple[str, ...]) -> None:
        try:
            with os.scandir(top) as it:
                entries = list(it)
        except OSError:
            return
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                walk(entry.path, (*rel, entry.name))
            elif entry.is_file():
                found.append((*rel, entry.name))

    walk(os.fspath(folder), ())
    return ["/".join(parts) for parts in sorted(found)]


def _source_entry(s: SourceInfo) -> dict[str, str]:
    doc = s.document
    return {
        "id": doc.id,
        "path": doc.path or "",
        "sha256": text_sha256(doc.text),
    }


def _named(e: OSError, where: Path) -> OSError:
    """``e`` with a file name, so that the one-line error says where the fault is."""
    if e.filename:
        return e
    return OSError(e.errno, e.strerror or str(e), str(where))

