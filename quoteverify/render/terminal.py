"""What the command line prints: the summary table of a check, and the text output of the other commands.

Each function returns lines (without their newline); the command line
prints them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from quoteverify.models import ArticleResult, CheckResult, Document, Quotation, QuoteResult, Verdict, is_not_found
from quoteverify.render.changes import change_weight, clip, context_around, quote_changes
from quoteverify.render.json import document_name

if TYPE_CHECKING:  # the check's summary needs neither the collation nor the reconstruction
    from quoteverify.collate import Collation, DocVariant
    from quoteverify.reconstruct import Comparison, Reconstruction

# Characters that act on a terminal instead of showing: C0 and C1 controls
# (escape sequences start with ESC or CSI), bidirectional overrides, and
# lone surrogates (which no terminal encoding can write).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` with every control character escaped (``\\x1b``, ``\\u202e``): ids, outlets, titles and paths come from the input."""
    return _UNPRINTABLE.sub(lambda m: ascii(m.group())[1:-1], text)


_COUNT_HEAD = ("quotes", "verbatim", "faithful", "altered", "misattributed", "unverified", "not found", "errors")

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
    def misattributed(self) -> int: ...
    @property
    def unverified(self) -> int: ...
    @property
    def not_found(self) -> int: ...
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
                str(a.count(Verdict.MISATTRIBUTED)),
                str(a.count(Verdict.UNVERIFIED)),
                str(sum(1 for q in a.quotes if is_not_found(q))),
                str(len(a.errors)),
            )
        )
    return rows


def _outlet_rows(outlets: Sequence[tuple[str, Tallied]], total: Tallied) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = [("outlet", "articles", *_COUNT_HEAD)]
    for name, t in [*outlets, ("total", total)]:
        rows.append(
            (printable(name) or "-", f"{t.articles:,}", f"{t.quotes:,}", f"{t.verbatim:,}", f"{t.faithful:,}",
             f"{t.altered:,}", f"{t.misattributed:,}", f"{t.unverified:,}", f"{t.not_found:,}", f"{t.errors:,}")
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


#: the verdicts whose quotations the summary lists one by one, with what changed
_LISTED = ("altered", "misattributed")

#: the changed quotations a summary lists at most: the worst; the report holds every one
CHANGES_SHOWN = 100


def check_changes(run: CheckRun, shown: int = CHANGES_SHOWN) -> list[str]:
    """One line per altered (or misattributed) quotation of the articles kept, the worst change first: outlet, quotation, what changed.

    The worst ``shown`` of them, and a line saying how many more there are.
    Only the lines shown are written, where the changes of every listed
    quotation were put in words: the 1,445 of the 1,000 articles kept of
    the 10 MB case in 12.5 ms instead of 25.5 ms (CPU time, five of each,
    alternated in one process).
    """
    found = []
    for n, a in enumerate(run.check.articles):
        for k, q in enumerate(a.quotes):
            if q.verdict.value in _LISTED:
                found.append((tuple(-w for w in change_weight(q)), n, k))
    if not found:
        return []
    found.sort()
    lines = ["", "Changed quotations, worst first:", *(_change_line(run.check.articles[n], k) for _, n, k in found[:shown])]
    if len(found) > shown:
        lines.append(f"  ... and {len(found) - shown:,} more, in the report")
    return lines


def _change_line(article: ArticleResult, k: int) -> str:
    """The line of :func:`check_changes` for the ``k``-th quotation of ``article``."""
    q = article.quotes[k]
    who = printable(article.article.outlet or article.article.id)
    changes = "; ".join(quote_changes(q)) or q.verdict.value
    return printable(f"  {who}: '{clip(q.quotation.text, 60)}': {changes}")


def check_errors(run: CheckRun, skip: Sequence[str] = ()) -> list[str]:
    """The articles of a run that could not be read (for standard error), but those in ``skip``, and how many more there were."""
    shown = [err for err in run.errors if err not in skip]
    lines = [f"Skipped: {printable(err)}" for err in shown]
    hidden = run.total.errors - len(run.errors)
    if hidden > 0:
        lines.append(f"... and {hidden:,} more articles skipped (see {run.results})")
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


def collation_summary(c: Collation) -> str:
    """One line: the two documents, how many variants of each kind, how many paragraphing changes."""
    counts = Counter(v.kind.value for v in c.variants)
    kinds = ", ".join(f"{n:,} {k}" for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    n = len(c.variants)
    layout = len(c.layout)
    return (
        f"{document_name(c.base)} -> {document_name(c.other)}: {n:,} variant{'s' if n != 1 else ''}"
        + (f" ({kinds})" if kinds else "")
        + f"; {layout} paragraphing change{'s' if layout != 1 else ''}"
    )


def collation_lines(c: Collation) -> list[str]:
    """The plain-text listing of a collation: a summary line, then one line per variant in its context, then layout changes.

    A variant reads as in ``git diff --word-diff``: BASE's words in
    ``[-...-]``, OTHER's in ``{+...+}``, between a few words of BASE on each
    side. Identical texts give no lines at all, as diff(1).
    """
    if c.identical:
        return []
    lines = [collation_summary(c)]
    for v in c.variants:
        lines.extend(_doc_variant_lines(c, v, ""))
    for ch in c.layout:
        base = ", ".join(f"\u00b6{i + 1}" for i in ch.base_paragraphs)
        other = ", ".join(f"\u00b6{i + 1}" for i in ch.other_paragraphs)
        lines.append(f"paragraphing: {base} {ch.change} -> {other}")
    return lines


def _word_diff(source: str, quoted: str) -> str:
    return (f"[-{clip(source, 80)}-]" if source else "") + (f"{{+{clip(quoted, 80)}+}}" if quoted else "")


def _doc_variant_lines(c: Collation, v: DocVariant, indent: str) -> list[str]:
    from quoteverify.render.splitdiff import paragraph_number

    unit = f", {v.unit}" if v.unit != "words" else ""
    moved = ", moved" if v.moved else ", rewritten" if v.shared else ""
    before, after = context_around(c.base.text, *v.base_span, chars=40)
    where = f"\u00b6{paragraph_number(c.base, v.base_span[0])}"
    line = (
        f"{indent}{where:>4}  {v.kind.value} ({v.severity.value}{unit}{moved}):"
        f" {'...' if before else ''}{before}{_word_diff(v.source_text, v.quote_text)}{after}{'...' if after else ''}"
    )
    if v.meaning:
        line += f" [{', '.join(v.meaning)}]"
    out = [line]
    for i in v.inner:
        out.append(f"{indent}        inside: {i.kind.value} ({i.severity.value}): {_word_diff(i.source_text, i.quote_text)}")
    return out


def _short(text: str, limit: int = 80) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit // 2 - 2] + " ... " + one[-(limit // 2 - 3) :]


# --------------------------------------------------------------------------- reconstruct


def _shown(text: str) -> str:
    return repr(text) if text else "(omitted)"


def reconstruction_lines(recon: Reconstruction, comparison: Comparison | None = None) -> list[str]:
    """The reconstructed text, then the apparatus, one line per entry; with a comparison, only the comparison.

    Witnesses are named by outlet; a reading no witness votes for (a
    shorter quotation of an outlet that votes for another reading) follows
    as "also".
    """
    if comparison is not None:
        return _comparison_lines(comparison)
    names = {w.id: printable(w.outlet or w.id) for w in recon.witnesses}

    def who(witnesses: Sequence[str]) -> str:
        return ", ".join(names.get(w, printable(w)) for w in witnesses)

    lines = ["\n".join(printable(line) for line in recon.text.split("\n")), ""]
    lines.append(f"Witnesses: {', '.join(f'{names[w.id]} ({w.words} words)' for w in recon.witnesses)}")
    if recon.apparatus:
        lines.append("Apparatus:")
    for n, a in enumerate(recon.apparatus, 1):
        voted = [(r, v) for k, (r, v) in enumerate(zip(a.readings, a.votes)) if v or k == 0]
        unvoted = [r for k, (r, v) in enumerate(zip(a.readings, a.votes)) if k and not v]
        readings = " | ".join(
            f"{_shown(r.text)} {who(r.witnesses)}" + (f" [{v} votes]" if v != len(r.witnesses) else "") for r, v in voted
        )
        also = "".join(f"; also {_shown(r.text)} in a shorter quotation of {who(r.witnesses)}" for r in unvoted)
        tie = "  (tie)" if a.tie else ""
        lines.append(f"{n:3}. \u00b6{a.paragraph + 1} {readings}{also}{tie}")
    if recon.unplaced:
        lines.append(
            f"{len(recon.unplaced)} quotation fragment{'s' if len(recon.unplaced) != 1 else ''} overlap nothing"
            " else and are not placed (other speakers, or too short to place); --format json lists them"
        )
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
        base = ", ".join(f"\u00b6{i + 1}" for i in c.base_paragraphs)
        other = ", ".join(f"\u00b6{i + 1}" for i in c.other_paragraphs)
        lines.append(f"  paragraphing: {base} {c.change} -> {other}")
    return lines
