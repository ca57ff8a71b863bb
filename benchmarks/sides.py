"""Importing quoteverify from one side of a comparison alone: the working tree, or a revision extracted into a folder.

Kept apart from the benchmarks and free of imports beyond the interpreter's
own, so that a timed child process loads nothing a user's run would not.
"""

from __future__ import annotations

import atexit
import os
import sys

PACKAGE = "quoteverify"


def isolate(side: str | os.PathLike[str]) -> None:
    """Import quoteverify from ``side`` alone.

    ``side`` goes first on ``sys.path``, and the finder of an editable
    install is dropped: it would import a module missing from ``side`` (one
    of the other layout) from the installed working tree.
    """
    sys.path.insert(0, os.fspath(side))
    sys.meta_path[:] = [f for f in sys.meta_path if not getattr(f, "__module__", "").startswith("__editable__")]


def check_origin(side: str | os.PathLike[str]) -> None:
    """Stop if a quoteverify module was imported from anywhere but ``side``."""
    folder = os.path.realpath(os.path.join(side, PACKAGE)) + os.sep
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if (name == PACKAGE or name.startswith(PACKAGE + ".")) and file and not os.path.realpath(file).startswith(folder):
            print(f"{name} was imported from {file}, not from {folder}", file=sys.stderr)
            raise SystemExit(3)


def check_origin_at_exit(side: str | os.PathLike[str]) -> None:
    """:func:`check_origin` when the process ends, however it ends.

    quoteverify's command may end its process with ``os._exit`` once its
    exit handlers have run, so a ``finally`` after it is not reached; an
    exit handler is. It ends the process with status 3 on a stray module.
    """

    def check() -> None:
        try:
            check_origin(side)
        except SystemExit as e:
            sys.stderr.flush()
            os._exit(int(e.code or 3))

    atexit.register(check)
