"""The run layer: many articles through the engine, in batches, processes or a Dask cluster, results streamed.

Imports run one way: the command line uses this layer and the render layer;
this layer uses the engine (and the render layer's JSON, for the lines of
``results.jsonl`` that workers write); the engine imports neither.
"""

from quoteverify.run.calls import check, check_articles, check_case, check_files, reconstruct_case
from quoteverify.run.stream import DEFAULT_PAGES, RESULTS_NAME, check_stream

__all__ = ["DEFAULT_PAGES", "RESULTS_NAME", "check", "check_articles", "check_case", "check_files", "check_stream", "reconstruct_case"]
