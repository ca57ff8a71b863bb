"""What the command line prints: the summary table of a check, and the text output of the other commands.

Each function returns lines (without their newline); the command line
prints them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from quoteverify.collate import Collation, DocVariant
from quoteverify.models import ArticleResult, CheckResult, Document, Quotation, QuoteResult, Verdict
from quoteverify.reconstruct import Comparison, Reconstruction
from quoteverify.render.json import document_name

# Characters that act on a terminal instead of showing: C0 and C1 controls
# (escape sequences start with ESC or CSI), bidirectional overrides, and
# lone surrogates (which no terminal encoding can write).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` with every control character escaped (``\\x1b``, ``\\u202e``): ids, outlets, titles and paths come from the input."""
    return _UNPRINTABLE.sub(lambda m: ascii(m.group())[1:-1], text)


_COUNT_HEAD = ("quotes", "verbatim", "faithful", "altered", "unverified", "errors")

# --------------------------------------------------------------------------- check


class Tallied(Protocol):
    """Counts over a set of articles (:class:`quoteverify.stream.Tally`)."""

    @property
    def articles(self) -> int: ...
    @property
    def quotes(self) -> int: ...
    @property
    def verbatim(self) -> int: ...
    @property
    def faithful(self) -> int: ...
    @property
    def altered(self) -> int: ...
    @property
    def unverified(self) -> int: ...
    @property
    def errors(self) -> int: ...


class CheckRun(Protocol):
    """What a check run leaves for its summary (:class:`quoteverify.stream.StreamResult`).

    ``check`` holds the articles kept in full (all of them when
    ``complete``); ``total`` and ``outlets`` count every article; ``errors``
    are the first error messages; ``results`` is the ``results.jsonl``
    written, if any.
    """

    @property
    def check(self) -> CheckResult: ...
    @property
    def total(self) -> Tallied: ...
    @property
    def outlets(self) -> Sequence[tuple[str, Tallied]]: ...
    @property
    def complete(self) -> bool: ...
    @property
    def errors(self) -> Sequence[str]: ...
    @property
    def results(self) -> Path | None: ...


def _article_rows(articles: Sequence[ArticleResult]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = [("article", "outlet", *_COUNT_HEAD)]
    for a in articles:
        rows.append(
            (
                printable(a.article.id),
                printable(a.article.outlet) or "-",
                str(len(a.quotes)),
                str(a.count(Verdict.VERBATIM)),
                str(a.count(Verdict.FAITHFUL)),
                str(a.count(Verdict.ALTERED)),
                str(a.count(Verdict.UNVERIFIED)),
                str(len(a.errors)),
            )
        )
    return rows


def _outlet_rows(outlets: Sequence[tuple[str, Tallied]], total: Tallied) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = [("outlet", "articles", *_COUNT_HEAD)]
    for name, t in [*outlets, ("total", total)]:
        rows.append(
            (printable(name) or "-", f"{t.articles:,}", f"{t.quotes:,}", f"{t.verbatim:,}", f"{t.faithful:,}",
             f"{t.altered:,}", f"{t.unverified:,}", f"{t.errors:,}")
        )
    return rows


def check_table(run: CheckRun) -> list[str]:
    """The summary table: one row per article when every article was kept, else one per outlet and the total."""
    rows = _article_rows(run.check.articles) if run.complete else _outlet_rows(run.outlets, run.total)
    left = 2 if run.complete else 1  # the columns of names, aligned left
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    rule = "  ".join("-" * w for w in widths)
    lines: list[str] = []
    for n, r in enumerate(rows):
        cells = [c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))]
        lines.append("  ".join(cells).rstrip())
        if n == 0 or (not run.complete and n == len(rows) - 2):
            lines.append(rule)
    return lines


def check_errors(run: CheckRun) -> list[str]:
    """The error messages of a run (for standard error), and how many more there were."""
    lines = [f"error: {printable(err)}" for err in run.errors]
    if run.total.errors > len(run.errors):
        lines.append(f"... and {run.total.errors - len(run.errors):,} more errors (see {run.results})")
    return lines


def check_footer(run: CheckRun, index: Path) -> list[str]:
    """Where the report is, and for a long run, which articles have pages (each entry starts a paragraph)."""
    lines = []
    if not run.complete:
        lines.append(
            f"\n{run.total.articles:,} articles; pages for {len(run.check.articles):,} with findings;"
            f" every article in {run.results}"
        )
    lines.append(f"\nReport: {index}")
    return lines


# --------------------------------------------------------------------------- extract and locate


def extract_lines(quotes: Sequence[Quotation]) -> list[str]:
    """One line per quotation: its number, its span in the article, its text and attribution."""
    lines = []
    for n, q in enumerate(quotes, 1):
        cue = f"  ({printable(q.attribution)})" if q.attribution else ""
        lines.append(f"{n:3}. [{q.spans[0][0]}:{q.spans[-1][1]}] {q.text!r}{cue}")
    return lines


def locate_lines(result: QuoteResult, source: Document | None) -> list[str]:
    """The verdict and passage of a located quotation (``source`` is the document it was found in), then its variants."""
    loc = result.location
    if loc is None or source is None:
        return ["unverified: no source passage renders this quotation"]
    lines = [
        f"{result.verdict.value}: {printable(loc.source)} [{loc.span[0]}:{loc.span[1]}]",
        f"  source: {printable(source.text[loc.span[0]:loc.span[1]])}",
    ]
    for v in result.variants:
        lines.append(f"  {v.kind.value} ({v.severity.value}): {v.source_text!r} -> {v.quote_text!r}")
    return lines


# --------------------------------------------------------------------------- diff


def collation_lines(c: Collation) -> list[str]:
    """The plain-text listing of a collation, one line per variant or layout change."""
    lines = []
    for v in c.variants:
        lines.extend(_doc_variant_lines(v, ""))
    for ch in c.layout:
        lines.append(
            f"paragraphing: {ch.change} base \u00b6{','.join(map(str, ch.base_paragraphs))}"
            f" -> other \u00b6{','.join(map(str, ch.other_paragraphs))}"
        )
    return lines


def _doc_variant_lines(v: DocVariant, indent: str) -> list[str]:
    unit = f", {v.unit}" if v.unit != "words" else ""
    moved = ", moved" if v.moved else ""
    line = (
        f"{indent}{v.kind.value} ({v.severity.value}{unit}{moved})"
        f" [{v.base_span[0]}:{v.base_span[1]} | {v.other_span[0]}:{v.other_span[1]}]:"
        f" {_short(v.source_text)!r} -> {_short(v.quote_text)!r}"
    )
    out = [line]
    for i in v.inner:
        out.extend(_doc_variant_lines(i, indent + "    "))
    return out


def _short(text: str, limit: int = 80) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit // 2 - 2] + " ... " + one[-(limit // 2 - 3) :]


# --------------------------------------------------------------------------- reconstruct


def _shown(text: str) -> str:
    return repr(text) if text else "(nothing)"


def reconstruction_lines(recon: Reconstruction, comparison: Comparison | None = None) -> list[str]:
    """The reconstructed text, then the apparatus, one line per entry, then any comparison."""
    lines = ["\n".join(printable(line) for line in recon.text.split("\n")), ""]
    lines.append(f"Witnesses: {', '.join(f'{printable(w.id)} ({w.words} words)' for w in recon.witnesses)}")
    if recon.apparatus:
        lines.append("Apparatus:")
    for n, a in enumerate(recon.apparatus, 1):
        readings = " | ".join(
            f"{_shown(r.text)} {printable(', '.join(r.witnesses))}" + (f" [{v}]" if v != len(r.witnesses) else "")
            for r, v in zip(a.readings, a.votes)
        )
        tie = "  (tie)" if a.tie else ""
        lines.append(f"{n:3}. \u00b6{a.paragraph} {readings}{tie}")
    if recon.unplaced:
        lines.append(
            f"{len(recon.unplaced)} quotation fragment{'s' if len(recon.unplaced) != 1 else ''} overlap nothing"
            " else and are not placed (other speakers, or too short to place); --format json lists them"
        )
    if comparison is not None:
        lines.append("")
        lines.extend(_comparison_lines(comparison))
    return lines


def _comparison_lines(comparison: Comparison) -> list[str]:
    base = printable(document_name(comparison.collation.base))
    if comparison.identical:
        return [f"Against {base}: identical"]
    lines = [f"Against {base}:"]
    for d in comparison.differences:
        v = d.variant
        lines.append(f"  {v.kind.value}: {v.source_text!r} -> {v.quote_text!r}: {d.explanation}")
    for c in comparison.collation.layout:
        lines.append(f"  paragraphing: {c.change} \u00b6{c.base_paragraphs} -> \u00b6{c.other_paragraphs}")
    return lines
