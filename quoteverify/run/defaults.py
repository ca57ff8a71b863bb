"""The run layer's defaults, in a module of their own so that the command line reads them without importing the engine."""

#: full results kept for HTML pages, by default
DEFAULT_PAGES = 1000
#: the name of the file of per-article results, beside report.json
RESULTS_NAME = "results.jsonl"
