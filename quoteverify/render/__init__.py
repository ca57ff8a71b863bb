"""The render layer: every output of quoteverify, from the result objects of the engine.

- :mod:`~quoteverify.render.json`: every JSON object (report.json, results.jsonl, diff, reconstruction, extract, locate);
- :mod:`~quoteverify.render.html`: the one jinja environment, the report pages, the diff and reconstruction pages;
- :mod:`~quoteverify.render.views`: the typed view objects the templates get;
- :mod:`~quoteverify.render.diffview`: the word-level diff of a quotation against its source passage;
- :mod:`~quoteverify.render.exports`: CSV, W3C Web Annotations (JSON-LD) and TEI;
- :mod:`~quoteverify.render.terminal`: the tables and text the command line prints.

The engine never imports this package; the command line and the run layer do.
"""

from quoteverify.render.exports import annotations_jsonld, quotations_csv, reconstruction_tei
from quoteverify.render.html import render_collation, render_reconstruction, render_report, write_report
from quoteverify.render.json import (
    SCHEMA,
    article_json,
    collation_json,
    comparison_json,
    extract_json,
    locate_json,
    reconstruction_json,
    report_json,
)
from quoteverify.render.views import safe_name

__all__ = [
    "SCHEMA",
    "annotations_jsonld",
    "article_json",
    "collation_json",
    "comparison_json",
    "extract_json",
    "locate_json",
    "quotations_csv",
    "reconstruction_json",
    "reconstruction_tei",
    "render_collation",
    "render_reconstruction",
    "render_report",
    "report_json",
    "safe_name",
    "write_report",
]
