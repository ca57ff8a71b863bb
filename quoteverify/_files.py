"""Writing output files whole or not at all."""

from __future__ import annotations

import contextlib
import hashlib
import mmap
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from quoteverify.errors import InputError


class Joined(NamedTuple):
    """A file's bytes given in parts, in order, written and hashed one after another, never joined into one.

    For a large file made mostly of bytes read from elsewhere (report.json,
    whose sources' part is mapped from the cache folder): joining the 13 MB
    of the 10 MB case's took 7-9 ms, the pages of a new buffer of that size
    filled one fault at a time.
    """

    parts: tuple[bytes | mmap.mmap, ...]

    def __bytes__(self) -> bytes:
        return b"".join(self.parts)


def data_sha256(data: bytes | Joined) -> str:
    """The SHA-256 of a file's bytes, hex: of its parts one after another if it is :class:`Joined`."""
    if not isinstance(data, Joined):
        return hashlib.sha256(data).hexdigest()
    digest = hashlib.sha256()
    for part in data.parts:
        digest.update(part)
    return digest.hexdigest()


def write_atomic(path: str | Path, data: bytes | str | Joined, *, make_dirs: bool = False, sync: bool = True) -> Path:
    """Write ``data`` (``str`` as UTF-8) to ``path`` through a temporary file in the same folder and ``os.replace``.

    An interrupted run leaves either the old file or the new one, never half
    of one, and no temporary file. ``sync=False`` skips the fsync before the
    rename, for files many of which are written at once (the pages of a
    report): the rename is still atomic, but a power cut may lose the newest
    files. A folder that cannot be written (or, without ``make_dirs``, does
    not exist) or a failed write (a full disk) is an :class:`InputError`
    naming the file.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if isinstance(data, str):
        data = data.encode("utf-8")
    # one temporary name per file, process and thread (not mkstemp's random one, with
    # its extra chmod): writing 1,500 report pages took 2.1 s instead of 4.4 s
    tmp = folder / f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp"
    try:
        if make_dirs:
            folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except OSError as e:
        raise InputError(str(path), f"cannot write: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            for part in data.parts if isinstance(data, Joined) else (data,):
                fh.write(part)
            if sync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(e, OSError):  # a full disk among them: say which file
            raise InputError(str(path), f"cannot write: {e.strerror or e}") from None
        raise
    return path


def code_digest(salt: str, files: Iterable[str | Path]) -> str:
    """A digest of ``salt`` and of the bytes of ``files``: the code that a file saved by an earlier run depends on.

    A saved file named by it is read again only by the same code. A file
    that cannot be read counts by its name.
    """
    h = hashlib.sha256(salt.encode())
    for module_file in files:
        path = Path(module_file)
        try:
            h.update(path.name.encode() + b"\0" + path.read_bytes())
        except OSError:
            h.update(str(path).encode())
    return h.hexdigest()
