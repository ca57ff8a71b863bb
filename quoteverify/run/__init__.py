"""The run layer: many articles through the engine, in batches, processes or a Dask cluster, results streamed.

Imports run one way: the command line uses this layer and the render layer;
this layer uses the engine (and the render layer's JSON, for the lines of
``results.jsonl`` that workers write); the engine imports neither.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from quoteverify.run.calls import check, check_articles, check_case, check_files, reconstruct_case
    from quoteverify.run.stream import check_stream

from quoteverify.run.defaults import DEFAULT_PAGES, RESULTS_NAME


_LAZY = {
    "check": "calls", "check_articles": "calls", "check_case": "calls", "check_files": "calls",
    "reconstruct_case": "calls", "check_stream": "stream",
}


def __getattr__(name: str) -> Any:
    """The layer's calls, imported on first use (``--help`` took 2 s importing them all, it takes 0.1 s)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'quoteverify.run' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"quoteverify.run.{module}"), name)

__all__ = ["DEFAULT_PAGES", "RESULTS_NAME", "check", "check_articles", "check_case", "check_files", "check_stream", "reconstruct_case"]
