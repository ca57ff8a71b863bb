"""HTML fragments of the report pages that recur by the thousand, written in Python instead of jinja macros.

A report of 1,000 articles drew about 30,000 diff pieces, 6,000 verdict
badges and 4,000 variant chips through jinja macros: a macro call costs some
20 us of jinja bookkeeping, and the macros were 1.5 s of the 5.4 s spent
rendering templates. These functions write the same bytes as the macros did
(``tests/test_fragments.py`` holds them to it) and are the templates'
globals under the macros' names.

Every text that comes from the input goes through :func:`markupsafe.escape`
(the same escaping as jinja's autoescaping), or is found to be its own escape.
The functions the templates call return :class:`~markupsafe.Markup`, so a
template does not escape them again; among themselves they pass strings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache, wraps
from typing import TYPE_CHECKING, Any, ParamSpec

from markupsafe import Markup, escape

from quoteverify.models import Verdict
from quoteverify.render.diffview import escaped

if TYPE_CHECKING:
    from quoteverify.render.diffview import DiffView
    from quoteverify.render.views import (
        ArticleView, CoverageCell, OutletChanges, OutletRow, ParagraphView, QuoteView, SourceSummary, SourceView, TextPiece, VariantView,
        VerdictCounts,
    )

_P = ParamSpec("_P")

#: How a verdict is shown besides its colour: an icon and a word.
VERDICT_ICON: dict[str, str] = {
    Verdict.VERBATIM.value: "=",
    Verdict.FAITHFUL.value: "\u2248",
    Verdict.ALTERED.value: "\u2260",
    Verdict.MISATTRIBUTED.value: "\u21c4",
    Verdict.UNVERIFIED.value: "?",
}


@lru_cache(maxsize=64)
def verdict(v: str) -> Markup:
    """A verdict's badge: its icon and its word."""
    return Markup(
        f'<span class="verdict v-{escape(v)}"><span class="icon" aria-hidden="true">{escape(VERDICT_ICON[v])}</span>'
        f' <span class="word">{escape(v)}</span></span>'
    )


@lru_cache(maxsize=64)
def verdict_mark(v: str) -> Markup:
    """A verdict's icon alone, its word for screen readers (a coverage cell's worst verdict)."""
    return Markup(
        f'<span class="vmark v-{escape(v)}"><span class="icon" aria-hidden="true">{escape(VERDICT_ICON[v])}</span>'
        f'<span class="sr"> worst: {escape(v)}</span></span>'
    )


def _verdict_counts(counts: VerdictCounts, columns: Sequence[str]) -> str:
    """An article's count of each verdict (in the order of ``columns``), after its badge.

    With :func:`verdict_filters`, 10,000 badges of 1,000 article pages that
    went through jinja loops and calls (0.05 s).
    """
    return " \u00b7 ".join(f"{verdict(v)} <strong>{counts[v]}</strong>" for v in columns)


@lru_cache(maxsize=4)
def verdict_filters(columns: tuple[str, ...]) -> Markup:
    """The check boxes of an article page's filter by verdict, one a verdict of ``columns``: the same on every page."""
    return Markup(
        "".join(
            f'<label><input type="checkbox" name="verdict" value="{escape(v)}" checked> {verdict(v)}</label> '
            for v in columns
        )
    )


def _words(text: str) -> str:
    """Words quoted in a chip, or ``(nothing)``."""
    if text:
        return f'<q class="words">{escaped(text)}</q>'
    return '<span class="nothing">(nothing)</span>'


def _chip(v: VariantView) -> str:
    """A variant's chip: kind, severity, meaning tags, and the source words against the quoted ones."""
    meaning = "".join(
        f' <span class="meaning" title="what the change does to the sense: {escaped(m)}">{escaped(m)}</span>'
        for m in v.meaning
    )
    detail = f' <span class="detail">({escaped(v.detail)})</span>' if v.detail else ""
    severity = escaped(v.severity)
    return (
        f'<span class="chip sev-{severity}" id="{escaped(v.ref)}"><span class="kind">{escaped(v.kind)}</span>'
        f' <span class="sev">{severity}</span>{meaning}</span> {_words(v.source_short)}'
        f' <span aria-hidden="true">&rarr;</span><span class="sr"> quoted as </span> {_words(v.quote_short)}{detail}'
    )


# --------------------------------------------------------------------------- the article's text


def _article_text(runs: Sequence[TextPiece]) -> str:
    """An article's text with its quotations highlighted, linked and labelled, and its skipped runs greyed."""
    out: list[str] = []
    for t in runs:
        text = escaped(t.text)
        if t.kind == "quote":
            anchor, v = escaped(t.anchor), escaped(t.verdict)
            first = f' id="t-{anchor}"' if t.first else ""
            out.append(f'<mark class="qmark v-{v}"{first}><a href="#{anchor}">{text}</a></mark>')
            if t.last:
                out.append(
                    f'<a class="qlabel v-{v}" href="#{anchor}"><span aria-hidden="true">{escaped(VERDICT_ICON[t.verdict])}'
                    f'</span>{anchor}<span class="sr"> ({v})</span></a>'
                )
        elif t.kind == "skip":
            label = '<span class="skiplabel">skipped</span>' if t.skip_start else ""
            out.append(f'<span class="skipped">{label}{text}</span>')
        else:
            out.append(str(text))
    return "".join(out)


# --------------------------------------------------------------------------- a quotation on its article's page


def _quote_block(q: QuoteView) -> str:
    """A located quotation's entry on its article's page: its head, its chips, its diff and correction note.

    Drawn for each of the 2,600 located quotations of a report of 1,000
    articles. With :func:`coverage_table`, written in Python instead of
    jinja, the article pages went from 3.66 to 2.36 million function calls
    under the profiler, and from 0.47 s to 0.40 s with the escaping below
    (process time, best of five, rendered in one process from one result).
    """
    anchor = escaped(q.anchor)
    v = escaped(q.verdict)
    out = [
        f'<article class="quote v-{v}" id="{anchor}" data-nav="quote" data-verdict="{v}"'
        f' data-kinds="{escaped(q.kinds)}" tabindex="-1" aria-labelledby="{anchor}-h">\n'
        '<header class="quote-head">\n'
        f'<h3 id="{anchor}-h"><a class="self" href="#{anchor}">{anchor}</a> {verdict(q.verdict)}</h3>\n'
        '<p class="meta">\n',
        _quote_meta(q, anchor),
        "</p>\n",
    ]
    if q.changes and q.verdict not in ("verbatim", "faithful"):
        out.append(f'<p class="what">{"; ".join(escaped(c) for c in q.changes)}</p>')
    if q.invisible:
        plural = "" if q.invisible == 1 else "s"
        out.append(
            f'<p class="meta">{q.invisible} invisible character{plural} (zero-width or soft hyphen)'
            " inside the quoted words, ignored in the comparison.</p>"
        )
    out.append("</header>\n")
    if q.variants:
        out.append('<ul class="chips">\n')
        out.extend(f"<li>{_chip(c)}</li>\n" for c in q.variants)
        out.append("</ul>\n")
    if q.diff and q.verdict == "verbatim" and not q.variants:
        out.append(f'<blockquote class="qtext verbatim-text">{q.diff.quote_side}</blockquote>\n')
    elif q.diff:
        _write_diff(q.diff, anchor, out)
    else:
        out.append(
            f'<blockquote class="qtext">{escaped(q.text)}</blockquote>\n'
            '<p class="warn">The source of this quotation is not part of the report.</p>\n'
        )
    out.append("</article>")
    return "".join(out)


def _quote_meta(q: QuoteView, anchor: str) -> str:
    """The meta line of a quotation: its attribution, speakers, source and paragraphs, a link to the article text."""
    out = []
    if q.attribution:
        out.append(f"Attribution: <q>{escaped(q.attribution)}</q> \u00b7 ")
    else:
        out.append("No attribution cue \u00b7 ")
    if q.speaker:
        out.append(f'Credited to <strong class="speaker">{escaped(q.speaker)}</strong> \u00b7 ')
    if q.source_speaker:
        other = " speaker-other" if q.verdict == "misattributed" else ""
        out.append(f'Said in the source by <strong class="speaker{other}">{escaped(q.source_speaker)}</strong> \u00b7 ')
    title = escaped(q.source_title)
    if q.source_href:
        out.append(f'Source: <a href="{escaped(q.source_href)}">{title}</a>')
    else:
        out.append(f"Source: {title}")
    if q.paragraphs:
        plural = "" if len(q.paragraphs) == 1 else "s"
        links = ", ".join(f'<a href="{escaped(p.href)}">&para;{p.index + 1}</a>' for p in q.paragraphs)
        out.append(f", paragraph{plural} {links}")
    out.append(f' \u00b7 <a href="#t-{anchor}">in the article text</a>\n')
    return "".join(out)


def _write_diff(diff: DiffView, anchor: str, out: list[str]) -> None:
    """A quotation's diff, side by side and inline, and its correction note."""
    out.append(
        '<div class="diff diff-side">\n'
        '<figure class="side"><figcaption>Source passage</figcaption>'
        f'<blockquote class="stext">{diff.source_side}</blockquote></figure>\n'
        '<figure class="side"><figcaption>As printed</figcaption>'
        f'<blockquote class="qtext">{diff.quote_side}</blockquote></figure>\n'
        "</div>\n"
        '<figure class="diff diff-inline"><figcaption>Word-level diff against the source</figcaption>'
        f'<p class="inline">{diff.inline}</p></figure>\n'
    )
    if diff.note:
        note = escaped(diff.note)
        out.append(
            '<details class="note">\n'
            "<summary>Correction note</summary>\n"
            f'<p class="note-text" id="{anchor}-note">{note}</p>\n'
            "</details>\n"
            f'<button type="button" class="copy-note" data-js-only hidden data-note="{note}">Copy correction note</button>'
            ' <span class="copy-status" role="status"></span>\n'
        )


def _unverified_entries(quotes: Sequence[QuoteView]) -> str:
    """The entries of an article's quotations found in no source: anchor, verdict, why, who, and the words.

    Of the few per-item loops left in the article template, the one with
    the most fields and tests per item (500 quotations of a report of
    1,000 articles, 5 to 15 jinja lookups each).
    """
    out = []
    for q in quotes:
        anchor = escaped(q.anchor)
        reason = ""
        if q.reason:
            said = "not found" if q.reason == "not-found" else "other speaker"
            reason = f' <span class="reason r-{escaped(q.reason)}">{said}</span>'
        speaker = f' \u00b7 Credited to <strong class="speaker">{escaped(q.speaker)}</strong>' if q.speaker else ""
        attribution = f" \u00b7 Attribution: <q>{escaped(q.attribution)}</q>" if q.attribution else ""
        out.append(
            f'<li id="{anchor}" class="quote-other" data-nav="quote" data-verdict="unverified" data-kinds="" tabindex="-1">\n'
            f'<p class="meta"><a class="self" href="#{anchor}">{anchor}</a> {verdict(q.verdict)}{reason}{speaker}{attribution}'
            f' \u00b7 <a href="#t-{anchor}">in the article text</a></p>\n'
            f'<blockquote class="qtext">{escaped(q.text)}</blockquote>\n</li>\n'
        )
    return "".join(out)


# --------------------------------------------------------------------------- an article's page

_DASH = "\u2014"

_TOOLBAR_HEAD = (
    '<div class="toolbar" data-js-only hidden>\n<fieldset class="filter-verdict">\n<legend>Show verdicts</legend>\n'
)
_TOOLBAR_KINDS = (
    '</fieldset>\n<label class="filter-kind">Variant kind\n<select name="kind">\n<option value="">any</option>\n'
)
_TOOLBAR_END = (
    "</select>\n</label>\n"
    '<button type="button" class="toggle-view" aria-pressed="false">Show side by side</button>\n'
    '<p class="keyhelp">Keys: <kbd>j</kbd>/<kbd>k</kbd> quotation, <kbd>n</kbd>/<kbd>p</kbd> variant,'
    ' <kbd>t</kbd> view, <kbd>?</kbd> help.</p> <span class="filter-status" role="status"></span>\n</div>\n\n'
    '<section aria-labelledby="quotes-h" data-filter-section>\n<h2 id="quotes-h">Quotations of the sources</h2>\n'
)
_OTHERS_HEAD = (
    '</section>\n\n<section aria-labelledby="others-h" data-filter-section>\n'
    '<h2 id="others-h">Quotations found in no source (unverified)</h2>\n'
)
_OTHERS_INTRO = (
    "<p>No source passage was checked or found for these. <em>Not found</em>: credited to a source's speaker or"
    " document, or to nobody, and found in no source (possibly fabricated, or from another occasion): look at"
    " these first. <em>Other speaker</em>: credited to someone who speaks in none of the sources.</p>\n"
    '<ol class="others">\n'
)
_TEXT_HEAD = (
    '\n<section aria-labelledby="text-h">\n<h2 id="text-h">Article text</h2>\n'
    "<p>Quotations are highlighted and link to their entry above; <span class=\"skipped\"><span class=\"skiplabel\">"
    "skipped</span> greyed text</span> is page furniture (captions, link lists) that was not searched for"
    " quotations.</p>\n"
    '<div class="article-text">'
)


def http_url(url: str) -> str:
    """``url`` when it is an http(s) address fit for a link, else ``""`` (never ``javascript:``)."""
    if _HTTP_URL.match(url or ""):
        return url
    return ""


_HTTP_URL = re.compile(r"(?i)^https?://[^\s\"'<>]+$")


def article_main_text(a: ArticleView, columns: Sequence[str]) -> str:
    """The body of an article's page (``article.html``'s ``main`` block), its verdicts in the order of ``columns``.

    The block was a jinja loop of some 60 pieces and lookups per page
    around the fragments it called: the 1,000 article pages of a report
    took 0.22-0.25 s to render with it, 0.19 s this way (process time, best
    of three, one process).
    """
    doc = a.doc
    outlet = escaped(str(a.outlet))
    headline = f': <span class="headline">{escaped(doc.title)}</span>' if doc.title and doc.title != a.outlet else ""
    out = [
        f"<h1>{outlet}{headline}</h1>\n"
        '<dl class="facts">\n'
        f"<div><dt>Outlet</dt><dd>{escaped(str(doc.outlet or _DASH))}</dd></div>\n"
        f"<div><dt>Date</dt><dd>{escaped(str(doc.date or _DASH))}</dd></div>\n"
    ]
    if doc.url:
        url = escaped(str(doc.url))
        link = http_url(doc.url)
        shown = f'<a href="{escaped(link)}" rel="noreferrer noopener">{url}</a>' if link else f"<code>{url}</code>"
        out.append(f"<div><dt>URL</dt><dd>{shown}</dd></div>")
    out.append(f'</dl>\n<p class="counts">\n{_verdict_counts(a.counts, columns)}</p>\n\n')
    if a.errors or doc.warnings:
        out.append('<section class="errors" aria-labelledby="errors-h">\n<h2 id="errors-h">Errors and warnings</h2>\n<ul>\n')
        out.extend(f"<li><strong>Error:</strong> {escaped(str(e))}</li>" for e in a.errors)
        out.extend(f"<li><strong>Warning:</strong> {escaped(str(w))}</li>" for w in doc.warnings)
        out.append("</ul>\n</section>\n")
    out.append(f"\n{_TOOLBAR_HEAD}{verdict_filters(tuple(columns))}{_TOOLBAR_KINDS}")
    out.extend(f'<option value="{k}">{k}</option>' for k in map(escaped, map(str, a.kinds)))
    out.append(_TOOLBAR_END)
    if not a.located:
        out.append("<p>No quotation of a source was found in this article.</p>")
    out.extend(f"{_quote_block(q)}\n" for q in a.located)
    out.append(_OTHERS_HEAD)
    if a.unverified:
        out.append(f"{_OTHERS_INTRO}{_unverified_entries(a.unverified)}</ol>\n")
    else:
        out.append("<p>None.</p>\n")
    out.append("</section>\n\n")
    if a.coverage:
        out.append('<section aria-labelledby="cov-h">\n<h2 id="cov-h">Coverage of the sources</h2>\n')
        out.extend(f"{_coverage_table(n, sv, cells)}\n" for n, (sv, cells) in enumerate(a.coverage, 1))
        out.append("</section>\n")
    out.append(
        f"{_TEXT_HEAD}{_article_text(a.text)}</div>\n</section>\n\n"
        '<details class="file-facts">\n<summary>About this file</summary>\n<dl class="facts">\n'
        f"<div><dt>Article id</dt><dd><code>{escaped(str(a.id))}</code></dd></div>\n"
        f"<div><dt>Path</dt><dd><code>{escaped(str(a.path or _DASH))}</code></dd></div>\n"
        f'<div><dt>SHA-256</dt><dd><code class="hash">{escaped(str(doc.sha256 or _DASH))}</code></dd></div>\n'
        "</dl>\n</details>\n"
        '<p class="legend-link">What the marks and verdicts mean: <a href="../index.html#legend-h">legend</a>.</p>\n'
    )
    return "".join(out)


def article_rows(groups: Sequence[OutletChanges], columns: Sequence[str]) -> Markup:
    """The rows of the index's table of articles: outlet and title, the count of each verdict of ``columns``, errors, date.

    A row per article of the index (1,000 in a large report): the index
    of a report of 1,000 articles took 0.045 s to render with the jinja
    loop, 0.03 s this way (process time, best of two).
    """
    out = []
    for g in groups:
        a = g.article
        doc = a.doc
        title = f'<span class="sub title"><br>{escaped(doc.title)}</span>' if doc.title and doc.title != a.outlet else ""
        counts = "".join(
            f'<td class="num n-{escaped(v)}">{n}</td>' if (n := a.counts[v]) else f'<td class="num zero">{n}</td>'
            for v in columns
        )
        altered = ' class="has-altered"' if g.altered else ""
        errors = " n-error" if a.errors else " zero"
        out.append(
            f"<tr{altered}>\n"
            f'<th scope="row"><a href="{escaped(a.href)}">{escaped(a.outlet)}</a>{title}</th>\n'
            f'{counts}<td class="num{errors}">{len(a.errors)}</td>\n'
            f'<td class="date">{escaped(str(doc.date or _DASH))}</td>\n</tr>\n'
        )
    return Markup("".join(out))


def _source_summary_rows(rows: Sequence[SourceSummary]) -> str:
    """The rows of the index's table of sources (a large report): the articles quoting each, its verdicts, its paragraphs quoted.

    With :func:`source_list`, :func:`unverified_groups`: loops of the index
    by the hundred (496 sources and 491 unverified quotations of the 10 MB
    case's report), 13 of the 28 ms of its index through jinja; the index
    took 22.9 ms with those loops, 17.5 ms with these (process time, best of
    41, both ways alternated in one process).
    """
    out = []
    for row in rows:
        counts = row.counts
        cells = "".join(
            f'<td class="num n-{v}">{n}</td>' if (n := counts[v]) else f'<td class="num zero">{n}</td>'
            for v in ("verbatim", "faithful", "altered")
        )
        altered = ' class="has-altered"' if counts.altered else ""
        out.append(
            f"<tr{altered}>\n"
            f'<th scope="row"><a href="{escaped(row.source.href)}">{escaped(str(row.source.title))}</a></th>\n'
            f'<td class="num">{row.articles}</td>\n'
            f'{cells}<td class="num">{row.paragraphs_quoted} of {len(row.source.paragraphs)}</td>\n</tr>\n'
        )
    return "".join(out)


def _source_list(sources: Sequence[SourceView]) -> str:
    """The index's list of the sources with pages: title, paragraphs, and the page of the text rebuilt from the quotations."""
    out = []
    for sv in sources:
        n = len(sv.paragraphs)
        rebuilt = f' \u00b7 <a href="{escaped(sv.rebuilt)}">rebuilt from the articles\' quotations</a>' if sv.rebuilt else ""
        out.append(
            f'<li><a href="{escaped(sv.href)}">{escaped(str(sv.title))}</a>'
            f' <span class="sub">({n} paragraph{"" if n == 1 else "s"})</span>{rebuilt}</li>\n'
        )
    return "".join(out)


def _unverified_groups(groups: Sequence[OutletChanges], others: bool) -> str:
    """The index's lists of unverified quotations, an article at a time: those found nowhere, or (``others``) other people's."""
    out = []
    for g in groups:
        a = g.article
        quotes = g.others if others else g.not_found
        count = f' <span class="sub">({len(quotes)})</span>' if others else ""
        items = "".join(
            f'<li><a href="{escaped(q.href)}">{escaped(q.anchor)}</a> <q class="words">{escaped(q.excerpt)}</q>'
            + (f' <span class="sub">({escaped(q.attribution)})</span>' if q.attribution else "")
            + "</li>"
            for q in quotes
        )
        out.append(
            f'<p class="uv-outlet"><a href="{escaped(a.href)}">{escaped(str(a.outlet))}</a>{count}</p>\n'
            f'<ul class="uv-list">{items}</ul>\n'
        )
    return "".join(out)


# --------------------------------------------------------------------------- an article's coverage of a source

_UNQUOTED_CELL = '<td class="cov cov-none"><span aria-hidden="true">\u00b7</span><span class="sr">not quoted</span></td>\n'


def _coverage_table(n: int, sv: SourceView, cells: Sequence[CoverageCell]) -> str:
    """The ``n``-th table of an article's page: which paragraphs of source ``sv`` it quotes, how much, how faithfully.

    A cell per paragraph of each source an article quotes, by the thousand
    on the pages of a large report (see :func:`quote_block` for the figure).
    """
    heads = "".join(
        f'<th scope="col" class="pcol"><a href="{escaped(c.href)}"><span class="sr">paragraph </span>'
        f"&para;{c.index + 1}</a></th>"
        for c in cells
    )
    out = [
        f'<div class="scroll" role="region" aria-labelledby="acov-cap-{n}" tabindex="0">\n'
        '<table class="matrix">\n'
        f'<caption id="acov-cap-{n}">Paragraphs of <a href="../{escaped(sv.href)}">{escaped(sv.title)}</a>'
        " this article quotes</caption>\n"
        f"<thead><tr>{heads}</tr></thead>\n"
        "<tbody><tr>\n"
    ]
    for c in cells:
        if not c.percent:
            out.append(_UNQUOTED_CELL)
            continue
        worst = escaped(c.worst)
        shade = f"cov-{c.shade} w-{worst}" if c.worst else f"cov-{c.shade}"
        mark = f" {verdict_mark(c.worst)}" if c.worst else ""
        refs = "".join(f'<br><a href="#{escaped(r.anchor)}">{escaped(r.anchor)}</a>' for r in c.refs)
        out.append(f'<td class="cov {shade}"><span class="pct">{escaped(c.percent)}</span>{mark}{refs}</td>\n')
    out.append("</tr></tbody>\n</table>\n</div>")
    return "".join(out)


# --------------------------------------------------------------------------- a source's paragraphs


def paragraph_head(p: ParagraphView, source_speaker: str | None) -> Markup:
    """The start of a paragraph's section on its source's page: its number, its speaker if not the source's, its text.

    Drawn for each of the 19,000 paragraphs of an archive's source pages:
    0.27 s of jinja for 500 pages, the most of their time.
    """
    return Markup(_paragraph_head(p, source_speaker)[:-1])


def _paragraph_head(p: ParagraphView, source_speaker: str | None) -> str:
    """:func:`paragraph_head` and the line's end after it, as a string: 19,000 Markup objects fewer."""
    i = p.index
    speaker = f' <span class="speaker">{escaped(p.speaker)}</span>' if p.speaker and p.speaker != source_speaker else ""
    return (
        f'<section class="para" id="p{i}" aria-labelledby="p{i}-h">\n'
        f'<h3 id="p{i}-h"><a class="self" href="#p{i}">&para;{i + 1}</a>{speaker}</h3>\n'
        f'<blockquote class="ptext">{escaped(p.text)}</blockquote>\n'
    )


_NO_VERDICT = "\u2014"

_QUOTED_BY_HEAD = (
    '<thead><tr><th scope="col">Outlet</th><th scope="col" class="num">Quoted</th>'
    '<th scope="col">Worst verdict</th><th scope="col">Quotations</th></tr></thead>\n'
)
_UNQUOTED = '<p class="unquoted"><strong>Not quoted</strong> by any article.</p>\n'


def _source_paragraphs(
    paragraphs: Sequence[ParagraphView],
    source_speaker: str | None,
    provenance: Callable[[ParagraphView, Any], Markup],
    views: Any,
) -> str:
    """A source page's sections, one a paragraph: its head, the table of the articles quoting it, its provenance.

    The 19,000 paragraphs of the source pages of a report of 1,000 articles
    went through a jinja loop, 0.14 s of the 0.24 s of those pages besides
    the fragments it called. A paragraph's witnesses and editorial choices,
    rare, are still drawn by ``provenance``, the ``_macros.html`` macro of
    that name (called with the paragraph and ``views``, the report's view).
    """
    out: list[str] = []
    for p in paragraphs:
        out.append(_paragraph_head(p, source_speaker))
        if p.rows:
            out.append(
                '<div class="scroll">\n<table class="quoted-by">\n'
                f"<caption>Articles quoting &para;{p.index + 1}</caption>\n{_QUOTED_BY_HEAD}<tbody>\n"
                f"{_quoted_by_rows(p.rows)}\n</tbody>\n</table>\n</div>\n"
            )
        else:
            out.append(_UNQUOTED)
        if p.witnesses or p.note or p.choices:
            out.append(provenance(p, views))
        out.append("</section>\n")
    return "".join(out)


def source_main_text(s: SourceView, views: Any, choice: Callable[[Any, Any], Markup], provenance: Callable[[ParagraphView, Any], Markup]) -> str:
    """The body of a source's page (``source.html``'s ``main`` block) as a string: its facts, its paragraphs, its provenance.

    ``choice`` and ``provenance`` are the ``_macros.html`` macros of those
    names, which draw the rare editorial choices. The page's template calls
    it (as :func:`source_main`); the page writer calls it without the
    template (see :data:`quoteverify.render.html._WRITTEN` for why).
    """
    doc = s.doc
    out = [f"<h1>{escaped(str(s.title))}</h1>\n<dl class=\"facts\">\n"]
    if doc.date:
        out.append(f"<div><dt>Date</dt><dd>{escaped(str(doc.date))}</dd></div>")
    if doc.speaker:
        out.append(f"<div><dt>Speaker</dt><dd>{escaped(str(doc.speaker))}</dd></div>")
    out.append(f"<div><dt>Paragraphs</dt><dd>{len(s.paragraphs)}</dd></div>\n")
    if s.method:
        out.append('<div><dt>Provenance</dt><dd><a href="#method-h">how this text was established</a></dd></div>')
    if s.rebuilt:
        out.append(
            f'<div><dt>As the articles quote it</dt><dd><a href="../{escaped(str(s.rebuilt))}">the text rebuilt from'
            " their quotations</a>, with where they disagree</dd></div>"
        )
    out.append(
        '</dl>\n\n<section aria-labelledby="paras-h">\n<h2 id="paras-h">The text, paragraph by paragraph</h2>\n'
        f"{_source_paragraphs(s.paragraphs, doc.speaker, provenance, views)}</section>\n\n"
    )
    if s.method:
        out.append(
            '<section aria-labelledby="method-h">\n<h2 id="method-h">How this text was established</h2>\n'
            f'<p class="method">{escaped(str(s.method))}</p>\n</section>\n'
        )
    out.append("\n")
    if s.general_choices:
        out.append(
            '<section aria-labelledby="gen-h">\n<h2 id="gen-h">Editorial choices not tied to a paragraph</h2>\n'
            '<ul class="choices">\n'
        )
        out.extend(f"{choice(c, views)}\n" for c in s.general_choices)
        out.append("</ul>\n</section>\n")
    out.append("\n")
    if s.unplaced:
        out.append(
            '<section aria-labelledby="unplaced-h">\n<h2 id="unplaced-h">Unplaced readings</h2>\n'
            "<p>Words the witnesses attribute to this source that could not be placed in its text.</p>\n"
            '<ul class="choices">\n'
        )
        out.extend(f"{choice(c, views)}\n" for c in s.unplaced)
        out.append("</ul>\n</section>\n")
    out.append(
        '\n<details class="file-facts">\n<summary>About this file</summary>\n<dl class="facts">\n'
        f"<div><dt>Source id</dt><dd><code>{escaped(str(s.id))}</code></dd></div>\n"
        f"<div><dt>Path</dt><dd><code>{escaped(str(s.path or _DASH))}</code></dd></div>\n"
        f'<div><dt>SHA-256</dt><dd><code class="hash">{escaped(str(doc.sha256 or _DASH))}</code></dd></div>\n'
        "</dl>\n</details>\n"
    )
    return "".join(out)


def _quoted_by_rows(rows: Sequence[OutletRow]) -> str:
    """The rows of a paragraph's table of the articles quoting it: outlet, share quoted, worst verdict, quotations.

    A row per article and paragraph it quotes. Source pages of a report of
    1,000 articles took 0.23 s with the jinja loop, 0.19-0.24 s with this
    (within the noise of a shared machine); kept so that the fragments drawn
    per row are written one way.
    """
    out = []
    for row in rows:
        cell = row.cell
        refs = ", ".join(
            f'<a href="../{escaped(r.href)}">{escaped(r.anchor)}</a> <span class="sr">({escaped(r.verdict)})</span>'
            for r in cell.refs
        )
        out.append(
            f'<tr>\n<th scope="row"><a href="../{escaped(row.article.href)}">{escaped(row.article.outlet)}</a></th>\n'
            f'<td class="num">{escaped(cell.percent)}</td>\n'
            f"<td>{verdict(cell.worst) if cell.worst else _NO_VERDICT}</td>\n"
            f"<td>{refs}</td>\n</tr>"
        )
    return "\n".join(out)


# --------------------------------------------------------------------------- the fragments as Markup
# The functions above write strings and call each other for their parts; the templates get each as Markup. A
# Markup of every part was made only to be formatted into the next: 21,000 of the 30,000 made for the article
# pages of a report of 1,000 articles.


def _as_markup(write: Callable[_P, str]) -> Callable[_P, Markup]:
    """``write``, its string given as Markup."""

    @wraps(write)
    def written(*args: _P.args, **kwargs: _P.kwargs) -> Markup:
        return Markup(write(*args, **kwargs))

    return written


article_main = _as_markup(article_main_text)
source_main = _as_markup(source_main_text)
source_paragraphs = _as_markup(_source_paragraphs)
source_summary_rows = _as_markup(_source_summary_rows)
source_list = _as_markup(_source_list)
unverified_groups = _as_markup(_unverified_groups)
verdict_counts = _as_markup(_verdict_counts)
words = _as_markup(_words)
chip = _as_markup(_chip)
article_text = _as_markup(_article_text)
quote_block = _as_markup(_quote_block)
unverified_entries = _as_markup(_unverified_entries)
coverage_table = _as_markup(_coverage_table)
quoted_by_rows = _as_markup(_quoted_by_rows)
