"""``quoteverify`` as its installed script runs it, with the time spent inside ``verify_quotation`` written to a file.

Usage::

    python benchmarks/e2e_child.py STATS [--side FOLDER] ARGUMENTS...

The process is what a user's ``quoteverify ARGUMENTS...`` is: the command
is called as the installed script calls it (no arguments, ``sys.argv``
set), so it ends its process the way it ends a user's, and nothing is
imported before it but :mod:`sides` (no imports of its own beyond the
interpreter's). The one difference is a wrapper around
``quoteverify.verify.verify_quotation`` (locate, align, classify) that adds
up the time spent inside it; when the process ends, its total and the
number of calls are written to STATS as JSON, by an exit handler (the
command's own handlers run first: they were registered after it).

With ``--side FOLDER``, quoteverify is imported from FOLDER alone (a
revision extracted by ``run.py --vs``), checked when the process ends.
"""

from __future__ import annotations

import atexit
import os
import sys
import time

from sides import check_origin_at_exit, isolate


def main(argv: list[str]) -> None:
    stats, argv = argv[0], argv[1:]
    if argv[:1] == ["--side"]:
        isolate(argv[1])
        check_origin_at_exit(argv[1])
        argv = argv[2:]
    else:  # the working tree this file belongs to, as ``run.py`` imports it
        sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    spent = [0.0, 0]

    def write_stats() -> None:
        with open(stats, "w", encoding="utf-8") as f:
            f.write(f'{{"engine_s": {spent[0]!r}, "quotations": {spent[1]}}}')

    atexit.register(write_stats)
    from quoteverify.cli import main as command
    from quoteverify import verify

    inner = verify.verify_quotation
    clock = time.perf_counter

    def timed(*args, **kwargs):
        t = clock()
        try:
            return inner(*args, **kwargs)
        finally:
            spent[0] += clock() - t
            spent[1] += 1

    verify.verify_quotation = timed
    sys.argv = ["quoteverify", *argv]
    sys.exit(command())


if __name__ == "__main__":
    main(sys.argv[1:])
