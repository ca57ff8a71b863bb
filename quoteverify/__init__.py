"""quoteverify: find every direct quotation of a document, locate it, and name each variant.

``quoteverify.check`` and ``quoteverify.check_files`` are the run layer's
(:mod:`quoteverify.run`), loaded on first use so that importing one stage
of the engine does not import them all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from quoteverify._cache import keep_dataclass_methods
from quoteverify._version import __version__
from quoteverify.errors import InputError, QuoteverifyError

# before any module of the package defines its classes (see there: a tenth of a check's run)
keep_dataclass_methods()

if TYPE_CHECKING:
    from quoteverify.run import check, check_files

__all__ = ["InputError", "QuoteverifyError", "__version__", "check", "check_files"]


def __getattr__(name: str) -> Any:
    if name in ("check", "check_files"):
        from quoteverify import run

        return getattr(run, name)
    raise AttributeError(f"module 'quoteverify' has no attribute {name!r}")
