"""Writing output files whole or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from quoteverify.errors import InputError


def write_atomic(path: str | Path, data: bytes | str, *, make_dirs: bool = False) -> Path:
    """Write ``data`` (``str`` as UTF-8) to ``path`` through a temporary file in the same folder and ``os.replace``.

    An interrupted run leaves either the old file or the new one, never half
    of one, and no temporary file. A folder that cannot be written (or, without
    ``make_dirs``, does not exist) or a failed write (a full disk) is an
    :class:`InputError` naming the file.
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
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as e:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(e, OSError):  # a full disk among them: say which file
            raise InputError(str(path), f"cannot write: {e.strerror or e}") from None
        raise
    return path
