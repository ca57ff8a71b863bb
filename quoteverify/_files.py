"""Writing output files whole or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from quoteverify.errors import InputError


def write_atomic(path: str | Path, data: bytes | str, *, make_dirs: bool = False, sync: bool = True) -> Path:
    """Write ``data`` (``str`` as UTF-8) to ``path`` through a temporary file in the same folder and ``os.replace``.

    An interrupted run leaves either the old file or the new one, never half
    of one, and no temporary file. ``sync=False`` skips the fsync before the
    rename, for files many of which are written at once (the pages of a
    report): the rename is still atomic, but a power cut may lose the newest
    files. A folder that cannot be written (or, without
    ``make_dirs``, does not exist) is an :class:`InputError` naming the file.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        if make_dirs:
            folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as e:
        raise InputError(str(path), f"cannot write: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if sync:
                fh.flush()
                os.fsync(fh.fileno())
            os.fchmod(fh.fileno(), 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path
