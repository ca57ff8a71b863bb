"""Holding off the garbage collector's full passes while a run builds what it keeps."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def no_full_collections() -> Iterator[None]:
    """Hold off the collector's full passes for a while; the young generations are still collected.

    Loading a case's sources and their index makes many objects, none of
    them garbage, and they set off a full pass over every object alive:
    28 ms, of the 0.3 s the 10 MB case's 500 sources and index took to load
    (held off while the sources loaded, it came while the index did). The
    run that follows keeps what exists when it starts out of the passes
    (see :func:`quoteverify.run.batches.run_articles`), so a pass held off
    here is not made later. The thresholds are put back after.
    """
    young, middle, full = gc.get_threshold()
    gc.set_threshold(young, middle, max(full, 1_000_000))
    try:
        yield
    finally:
        gc.set_threshold(young, middle, full)
