"""``regex`` patterns kept compiled between runs, in the user's cache folder.

``regex`` parses and compiles a pattern in Python: the 35 patterns of
:mod:`quoteverify.ingest.boilerplate` took 28-34 ms of every start of the
command, a tenth of the seed case's run, and the seed case uses every one
of them. A compiled pattern pickles as its compiled code (``regex``
registers that itself: unpickling hands the code to the compiled pattern's
constructor, nothing is parsed again), and the 35 load in 0.4 ms.

A module's patterns are kept in one file,
``<cache>/quoteverify/patterns-<regex version>/<module>.pickle`` (``<cache>``
is ``$XDG_CACHE_HOME`` or ``~/.cache``: :func:`~quoteverify._cache.cache_folder`), keyed by their text and flags:
an edited pattern is a new key, compiled anew. The file is read by an
unpickler that builds compiled patterns and nothing else. A pattern that
was not in it is compiled, and the file written again (atomically) when the
process ends; where the folder cannot be written, or the file is broken,
patterns are compiled as they always were. A pattern from the file is one
``regex.compile`` gives, by the same version of ``regex`` (which may list
the characters a match can start with in another order from one process
to the next: the same pattern all the same).
"""

from __future__ import annotations

import atexit
import io
import pickle
from pathlib import Path
from typing import Any

import regex

from quoteverify._cache import cache_folder, read_own, save_quietly

#: the one callable a kept pattern is built with (``regex`` pickles a compiled pattern as a call of it)
_PATTERN_CONSTRUCTOR = ("regex._regex", "compile")

_Key = tuple[str, int, int]


class _PatternUnpickler(pickle.Unpickler):
    """An unpickler that builds compiled ``regex`` patterns and refuses every other object with a class or a call."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) != _PATTERN_CONSTRUCTOR:
            raise pickle.UnpicklingError(f"{module}.{name}: not a compiled pattern")
        return super().find_class(module, name)


def _read(path: Path) -> dict[_Key, regex.Pattern[str]]:
    """The patterns kept in ``path``; none when it is missing, unreadable or holds anything else."""
    try:
        kept = _PatternUnpickler(io.BytesIO(read_own(path))).load()
    except FileNotFoundError:
        return {}
    except Exception:  # a broken or foreign file is not used: the patterns are compiled again
        return {}
    if not isinstance(kept, dict):
        return {}
    return {
        key: pattern
        for key, pattern in kept.items()
        if isinstance(key, tuple)
        and len(key) == 3
        and isinstance(pattern, regex.Pattern)
        and pattern.pattern == key[0]
    }


class PatternCache:
    """The compiled ``regex`` patterns of one module, kept between runs (see the module's notes).

    ``folder``: where the file is kept (default: the ``patterns-<regex
    version>`` folder of :func:`cache_folder`, looked up on first use).
    """

    def __init__(self, name: str, folder: str | Path | None = None) -> None:
        self.name = name
        self._folder = Path(folder) if folder is not None else None
        self._patterns: dict[_Key, regex.Pattern[str]] | None = None
        self._compiled = 0

    @property
    def path(self) -> Path:
        """The file the patterns are kept in."""
        folder = self._folder or cache_folder() / f"patterns-{regex.__version__}"
        return folder / f"{self.name}.pickle"

    def compile(self, pattern: str, flags: int = 0) -> regex.Pattern[str]:
        """``regex.compile(pattern, flags)``, from the file when it was kept there."""
        if self._patterns is None:
            self._patterns = _read(self.path)
        # a pattern without a version flag is compiled by the default version, which a program may set
        key = (pattern, int(flags), int(regex.DEFAULT_VERSION))
        found = self._patterns.get(key)
        if found is None:
            found = self._patterns[key] = regex.compile(pattern, flags)
            if not self._compiled:
                atexit.register(self.save)
            self._compiled += 1
        return found

    @property
    def compiled(self) -> int:
        """How many patterns were compiled here, not read from the file."""
        return self._compiled

    def save(self) -> None:
        """Keep the patterns compiled so far in the file (nothing happens where it cannot be written)."""
        if not self._patterns:
            return
        save_quietly(self.path, pickle.dumps(self._patterns, protocol=pickle.HIGHEST_PROTOCOL))
