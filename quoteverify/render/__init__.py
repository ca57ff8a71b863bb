"""The render layer: every output of quoteverify, from the result objects of the engine.

- :mod:`~quoteverify.render.json`: every JSON object (report.json, results.jsonl, diff, reconstruction, extract, locate);
- :mod:`~quoteverify.render.html`: the one jinja environment, the report pages, the diff and reconstruction pages;
- :mod:`~quoteverify.render.views`: the typed view objects the templates get;
- :mod:`~quoteverify.render.diffview`: the word-level diff of a quotation against its source passage;
- :mod:`~quoteverify.render.exports`: CSV, W3C Web Annotations (JSON-LD) and TEI;
- :mod:`~quoteverify.render.terminal`: the tables and text the command line prints.

The engine never imports this package; the command line and the run layer do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_LAZY = {
    "annotations_jsonld": "exports", "quotations_csv": "exports", "reconstruction_tei": "exports",
    "render_collation": "html", "render_reconstruction": "html", "render_report": "html", "write_report": "html",
    "SCHEMA": "json", "article_json": "json", "collation_json": "json", "comparison_json": "json",
    "extract_json": "json", "locate_json": "json", "reconstruction_json": "json", "report_json": "json",
    "safe_name": "views",
}


def __getattr__(name: str) -> Any:
    """The layer's functions, each module imported on first use (``extract --json`` needs no jinja)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'quoteverify.render' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"quoteverify.render.{module}"), name)


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
