"""Holding off the garbage collector's full passes while a run builds what it keeps, or writes a report."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def no_full_collections(*, freeze: bool = False) -> Iterator[None]:
    """Hold off the collector's full passes for a while; the young generations are still collected, unless ``freeze``.

    Loading a case's sources and their index makes many objects, none of
    them garbage, and they set off a full pass over every object alive:
    28 ms, of the 0.3 s the 10 MB case's 500 sources and index took to load
    (held off while the sources loaded, it came while the index did). The
    run that follows keeps what exists when it starts out of the passes
    (see :func:`quoteverify.run.batches.run_articles`), so a pass held off
    here is not made later. The thresholds are put back after.

    ``freeze``: also keep what is alive on entry out of every pass, and
    make one full pass on the way out, among what was made inside alone
    (then give the frozen heap back to the collector). Writing a report
    wants this: what is alive when it starts (the whole result, the source
    index) is not garbage, while the pages' many small objects are (jinja's
    render contexts are reference cycles: 170,000 objects over 1,500
    pages). Without it, they set off three full passes over the whole heap
    while a report of 1,000 articles was written, 0.9-1.7 s of its 4-7 s;
    holding them off alone left one due at the end, which walked the whole
    heap again (0.46 s after a run of 2,000 articles); the one pass on the
    way out took 0.02 s. The young passes are held off too, inside: the
    pages' objects are freed by their counts as each page is written (their
    contexts hold no cycle any more), and the 214 young passes of the
    report of 1,000 articles of the 10 MB case found 0 to 30 objects to
    free in 20-33 ms; the one pass on the way out, 1.5 ms, frees what
    cycles there are (three runs each way, in one process).
    """
    young, middle, full = gc.get_threshold()
    enabled = gc.isenabled()
    if freeze:
        gc.freeze()
        gc.disable()
    gc.set_threshold(young, middle, max(full, 1_000_000))
    try:
        yield
    finally:
        gc.set_threshold(young, middle, full)
        if freeze:
            gc.collect()
            gc.unfreeze()
            if enabled:
                gc.enable()


@contextlib.contextmanager
def kept_out_of_collections() -> Iterator[None]:
    """Build what lives on with the collector off, then keep all that is alive out of its passes.

    For what a run keeps to its end: the modules, classes and functions a
    command imports (the seed case's run made 98 passes in 24-38 ms, 41 in
    9-19 ms with this, six runs each, on a busy machine), and the views of
    a report's pages, kept until its last page is written (each of their
    objects was walked by two young passes as they were built: 0.11 s of
    the passes while the report of 1,000 articles was written, 0.03 s
    this way). What is frozen goes back to the collector with the next
    ``gc.unfreeze`` (see :func:`no_full_collections`); the few cycles of
    garbage made with it go back too.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
