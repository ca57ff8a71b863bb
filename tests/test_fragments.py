"""The fragments written in Python (render.fragments) write what the jinja macros they replace wrote, byte for byte.

The macros are kept here, as they were in ``templates/_macros.html`` and
``templates/article.html`` (a located quotation's entry), and rendered by the report's own environment, so
escaping and whitespace control are the report's.
"""

from __future__ import annotations

from functools import lru_cache
from collections.abc import Sequence
from types import SimpleNamespace
from typing import NamedTuple

import jinja2
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from quoteverify.models import EditorialChoice, Kind, Reading, Severity, Verdict
from quoteverify.render import fragments
from quoteverify.render.diffview import PBREAK, DiffView, Tag, change_html, escaped, leaf_html
from quoteverify.render.html import environment
from quoteverify.render.views import (
    ArticleView,
    CoverageCell,
    OutletChanges,
    OutletRow,
    ParagraphView,
    ParaRef,
    QuoteView,
    TextPiece,
    VariantView,
    VerdictCounts,
    verdict_columns,
)

MACROS = """\
{% macro verdict(v) -%}
<span class="verdict v-{{ v }}"><span class="icon" aria-hidden="true">{{ VERDICT_ICON[v] }}</span> <span class="word">{{ v }}</span></span>
{%- endmacro %}

{% macro verdict_mark(v) -%}
<span class="vmark v-{{ v }}"><span class="icon" aria-hidden="true">{{ VERDICT_ICON[v] }}</span><span class="sr"> worst: {{ v }}</span></span>
{%- endmacro %}

{% macro words(text) -%}
{%- if text %}<q class="words">{{ text }}</q>{% else %}<span class="nothing">(nothing)</span>{% endif -%}
{%- endmacro %}

{% macro chip(v, with_id=True) -%}
<span class="chip sev-{{ v.severity }}"{% if with_id %} id="{{ v.ref }}"{% endif %}><span class="kind">{{ v.kind }}</span> <span class="sev">{{ v.severity }}</span>{% for m in v.meaning %} <span class="meaning" title="what the change does to the sense: {{ m }}">{{ m }}</span>{% endfor %}</span> {{ words(v.source_short) }} <span aria-hidden="true">&rarr;</span><span class="sr"> quoted as </span> {{ words(v.quote_short) }}{% if v.detail %} <span class="detail">({{ v.detail }})</span>{% endif %}
{%- endmacro %}

{% macro pieces(ps) -%}
{%- for p in ps -%}
{%- if p.kind == "change" -%}
<span class="chg sev-{{ p.severity }}" data-kind="{{ p.kinds }}"{% if p.severity != "none" %} data-nav="variant" tabindex="-1"{% endif %}>{{ pieces(p.parts) }}{% for t in p.tags %}{% if t.kind != "none" %}<span class="tag sev-{{ t.severity }}">{{ t.label }}</span>{% endif %}{% endfor %}</span>
{%- elif p.kind == "text" -%}
{{ p.text }}
{%- elif p.kind == "del" -%}
<del><span class="sr">[missing from the quotation: </span>{{ p.text }}<span class="sr">]</span></del>
{%- elif p.kind == "ins" -%}
<ins><span class="sr">[added by the quotation: </span>{{ p.text }}<span class="sr">]</span></ins>
{%- elif p.kind == "cut" -%}
<del class="cut"><span class="sr">[cut at the ellipsis: </span>{{ p.text }}<span class="sr">]</span></del>
{%- elif p.kind == "mark" -%}
<span class="mk">{{ p.text }}</span>
{%- elif p.kind == "flag" -%}
<mark class="flag">{{ p.text }}</mark>
{%- elif p.kind == "caret" -%}
<span class="caret" aria-hidden="true">{{ p.text }}</span><span class="sr">[words differ here]</span>
{%- elif p.kind == "pbreak" -%}
<span class="pbreak"> <span aria-hidden="true">&para;</span><span class="sr">[new paragraph]</span> </span>
{%- elif p.kind == "more" -%}
<span class="more">{{ p.text }}</span>
{%- endif -%}
{%- endfor -%}
{%- endmacro %}

{% macro article_text(runs) -%}
{%- for t in runs -%}
{%- if t.kind == "quote" -%}
<mark class="qmark v-{{ t.verdict }}"{% if t.first %} id="t-{{ t.anchor }}"{% endif %}><a href="#{{ t.anchor }}">{{ t.text }}</a></mark>{% if t.last %}<a class="qlabel v-{{ t.verdict }}" href="#{{ t.anchor }}"><span aria-hidden="true">{{ VERDICT_ICON[t.verdict] }}</span>{{ t.anchor }}<span class="sr"> ({{ t.verdict }})</span></a>{% endif %}
{%- elif t.kind == "skip" -%}
<span class="skipped">{% if t.skip_start %}<span class="skiplabel">skipped</span>{% endif %}{{ t.text }}</span>
{%- else -%}
{{ t.text }}
{%- endif -%}
{%- endfor -%}
{%- endmacro %}

{% macro paragraph_head(p, source_speaker) -%}
<section class="para" id="p{{ p.index }}" aria-labelledby="p{{ p.index }}-h">
<h3 id="p{{ p.index }}-h"><a class="self" href="#p{{ p.index }}">&para;{{ p.index + 1 }}</a>{% if p.speaker and p.speaker != source_speaker %} <span class="speaker">{{ p.speaker }}</span>{% endif %}</h3>
<blockquote class="ptext">{{ p.text }}</blockquote>
{%- endmacro %}

{% macro coverage_table(n, sv, cells) -%}
<div class="scroll" role="region" aria-labelledby="acov-cap-{{ n }}" tabindex="0">
<table class="matrix">
<caption id="acov-cap-{{ n }}">Paragraphs of <a href="../{{ sv.href }}">{{ sv.title }}</a> this article quotes</caption>
<thead><tr>{% for c in cells %}<th scope="col" class="pcol"><a href="{{ c.href }}"><span class="sr">paragraph </span>&para;{{ c.index + 1 }}</a></th>{% endfor %}</tr></thead>
<tbody><tr>
{% for c in cells %}
{% if c.percent %}
<td class="cov cov-{{ c.shade }}{% if c.worst %} w-{{ c.worst }}{% endif %}"><span class="pct">{{ c.percent }}</span>{% if c.worst %} {{ verdict_mark(c.worst) }}{% endif %}{% for r in c.refs %}<br><a href="#{{ r.anchor }}">{{ r.anchor }}</a>{% endfor %}</td>
{% else %}
<td class="cov cov-none"><span aria-hidden="true">·</span><span class="sr">not quoted</span></td>
{% endif %}
{% endfor %}
</tr></tbody>
</table>
</div>
{%- endmacro %}

{% macro quoted_by_rows(rows) -%}
{% for row in rows %}
<tr>
<th scope="row"><a href="../{{ row.article.href }}">{{ row.article.outlet }}</a></th>
<td class="num">{{ row.cell.percent }}</td>
<td>{% if row.cell.worst %}{{ verdict(row.cell.worst) }}{% else %}—{% endif %}</td>
<td>{% for r in row.cell.refs %}<a href="../{{ r.href }}">{{ r.anchor }}</a> <span class="sr">({{ r.verdict }})</span>{% if not loop.last %}, {% endif %}{% endfor %}</td>
</tr>
{% endfor %}
{%- endmacro %}

{% macro unverified_entries(quotes) -%}
{% for q in quotes %}
<li id="{{ q.anchor }}" class="quote-other" data-nav="quote" data-verdict="unverified" data-kinds="" tabindex="-1">
<p class="meta"><a class="self" href="#{{ q.anchor }}">{{ q.anchor }}</a> {{ verdict(q.verdict) }}{% if q.reason %} <span class="reason r-{{ q.reason }}">{{ "not found" if q.reason == "not-found" else "other speaker" }}</span>{% endif %}{% if q.speaker %} · Credited to <strong class="speaker">{{ q.speaker }}</strong>{% endif %}{% if q.attribution %} · Attribution: <q>{{ q.attribution }}</q>{% endif %} · <a href="#t-{{ q.anchor }}">in the article text</a></p>
<blockquote class="qtext">{{ q.text }}</blockquote>
</li>
{% endfor %}
{%- endmacro %}

{% macro quote_block(q) -%}
<article class="quote v-{{ q.verdict }}" id="{{ q.anchor }}" data-nav="quote" data-verdict="{{ q.verdict }}" data-kinds="{{ q.kinds }}" tabindex="-1" aria-labelledby="{{ q.anchor }}-h">
<header class="quote-head">
<h3 id="{{ q.anchor }}-h"><a class="self" href="#{{ q.anchor }}">{{ q.anchor }}</a> {{ verdict(q.verdict) }}</h3>
<p class="meta">
{% if q.attribution %}Attribution: <q>{{ q.attribution }}</q> · {% else %}No attribution cue · {% endif %}
{% if q.speaker %}Credited to <strong class="speaker">{{ q.speaker }}</strong> · {% endif %}{% if q.source_speaker %}Said in the source by <strong class="speaker{% if q.verdict == "misattributed" %} speaker-other{% endif %}">{{ q.source_speaker }}</strong> · {% endif %}
Source: {% if q.source_href %}<a href="{{ q.source_href }}">{{ q.source_title }}</a>{% else %}{{ q.source_title }}{% endif %}{% if q.paragraphs %}, paragraph{{ "" if q.paragraphs|length == 1 else "s" }} {% for p in q.paragraphs %}<a href="{{ p.href }}">&para;{{ p.index + 1 }}</a>{% if not loop.last %}, {% endif %}{% endfor %}{% endif %} · <a href="#t-{{ q.anchor }}">in the article text</a>
</p>
{% if q.changes and q.verdict not in ("verbatim", "faithful") %}<p class="what">{{ q.changes|join("; ") }}</p>{% endif %}
{% if q.invisible %}<p class="meta">{{ q.invisible }} invisible character{{ "" if q.invisible == 1 else "s" }} (zero-width or soft hyphen) inside the quoted words, ignored in the comparison.</p>{% endif %}
</header>
{% if q.variants %}
<ul class="chips">
{% for v in q.variants %}<li>{{ chip(v) }}</li>
{% endfor %}
</ul>
{% endif %}
{% if q.diff and q.verdict == "verbatim" and not q.variants %}
<blockquote class="qtext verbatim-text">{{ q.diff.quote_side }}</blockquote>
{% elif q.diff %}
<div class="diff diff-side">
<figure class="side"><figcaption>Source passage</figcaption><blockquote class="stext">{{ q.diff.source_side }}</blockquote></figure>
<figure class="side"><figcaption>As printed</figcaption><blockquote class="qtext">{{ q.diff.quote_side }}</blockquote></figure>
</div>
<figure class="diff diff-inline"><figcaption>Word-level diff against the source</figcaption><p class="inline">{{ q.diff.inline }}</p></figure>
{% if q.diff.note %}
<details class="note">
<summary>Correction note</summary>
<p class="note-text" id="{{ q.anchor }}-note">{{ q.diff.note }}</p>
</details>
<button type="button" class="copy-note" data-js-only hidden data-note="{{ q.diff.note }}">Copy correction note</button> <span class="copy-status" role="status"></span>
{% endif %}
{% else %}
<blockquote class="qtext">{{ q.text }}</blockquote>
<p class="warn">The source of this quotation is not part of the report.</p>
{% endif %}
</article>
{%- endmacro %}
"""


@lru_cache(maxsize=1)  # compiled once: compiling the macros for every example was most of the file's minute
def macros() -> jinja2.runtime.TemplateModule:
    return environment().from_string(MACROS).module


#: the ``main`` block of ``templates/article.html`` as it was, before :func:`fragments.article_main` wrote it
ARTICLE_MAIN = """\
<h1>{{ a.outlet }}{% if a.doc.title and a.doc.title != a.outlet %}: <span class="headline">{{ a.doc.title }}</span>{% endif %}</h1>
<dl class="facts">
<div><dt>Outlet</dt><dd>{{ a.doc.outlet or "—" }}</dd></div>
<div><dt>Date</dt><dd>{{ a.doc.date or "—" }}</dd></div>
{% if a.doc.url %}<div><dt>URL</dt><dd>{% set link = a.doc.url|http_url %}{% if link %}<a href="{{ link }}" rel="noreferrer noopener">{{ a.doc.url }}</a>{% else %}<code>{{ a.doc.url }}</code>{% endif %}</dd></div>{% endif %}
</dl>
<p class="counts">
{{ verdict_counts(a.counts, VERDICT_COLUMNS) -}}
</p>

{% if a.errors or a.doc.warnings %}
<section class="errors" aria-labelledby="errors-h">
<h2 id="errors-h">Errors and warnings</h2>
<ul>
{% for e in a.errors %}<li><strong>Error:</strong> {{ e }}</li>{% endfor %}
{% for w in a.doc.warnings %}<li><strong>Warning:</strong> {{ w }}</li>{% endfor %}
</ul>
</section>
{% endif %}

<div class="toolbar" data-js-only hidden>
<fieldset class="filter-verdict">
<legend>Show verdicts</legend>
{{ verdict_filters(VERDICT_COLUMNS) -}}
</fieldset>
<label class="filter-kind">Variant kind
<select name="kind">
<option value="">any</option>
{% for k in a.kinds %}<option value="{{ k }}">{{ k }}</option>{% endfor %}
</select>
</label>
<button type="button" class="toggle-view" aria-pressed="false">Show side by side</button>
<p class="keyhelp">Keys: <kbd>j</kbd>/<kbd>k</kbd> quotation, <kbd>n</kbd>/<kbd>p</kbd> variant, <kbd>t</kbd> view, <kbd>?</kbd> help.</p> <span class="filter-status" role="status"></span>
</div>

<section aria-labelledby="quotes-h" data-filter-section>
<h2 id="quotes-h">Quotations of the sources</h2>
{% if not a.located %}<p>No quotation of a source was found in this article.</p>{% endif %}
{% for q in a.located %}
{{ quote_block(q) }}
{% endfor %}
</section>

<section aria-labelledby="others-h" data-filter-section>
<h2 id="others-h">Quotations found in no source (unverified)</h2>
{% if a.unverified %}
<p>No source passage was checked or found for these. <em>Not found</em>: credited to a source's speaker or document, or to nobody, and found in no source (possibly fabricated, or from another occasion): look at these first. <em>Other speaker</em>: credited to someone who speaks in none of the sources.</p>
<ol class="others">
{{ unverified_entries(a.unverified) }}</ol>
{% else %}
<p>None.</p>
{% endif %}
</section>

{% if a.coverage %}
<section aria-labelledby="cov-h">
<h2 id="cov-h">Coverage of the sources</h2>
{% for sv, cells in a.coverage %}
{{ coverage_table(loop.index, sv, cells) }}
{% endfor %}
</section>
{% endif %}

<section aria-labelledby="text-h">
<h2 id="text-h">Article text</h2>
<p>Quotations are highlighted and link to their entry above; <span class="skipped"><span class="skiplabel">skipped</span> greyed text</span> is page furniture (captions, link lists) that was not searched for quotations.</p>
<div class="article-text">{{ article_text(a.text) }}</div>
</section>

<details class="file-facts">
<summary>About this file</summary>
<dl class="facts">
<div><dt>Article id</dt><dd><code>{{ a.id }}</code></dd></div>
<div><dt>Path</dt><dd><code>{{ a.path or "—" }}</code></dd></div>
<div><dt>SHA-256</dt><dd><code class="hash">{{ a.doc.sha256 or "—" }}</code></dd></div>
</dl>
</details>
<p class="legend-link">What the marks and verdicts mean: <a href="../index.html#legend-h">legend</a>.</p>
"""


@lru_cache(maxsize=1)
def article_main_template() -> jinja2.Template:
    return environment().from_string(ARTICLE_MAIN)


#: the loop of ``templates/index.html`` over its table of articles, before :func:`fragments.article_rows` wrote it
ARTICLE_ROWS = """\
{% for g in views.ranked %}{% set a = g.article %}
<tr{% if g.altered %} class="has-altered"{% endif %}>
<th scope="row"><a href="{{ a.href }}">{{ a.outlet }}</a>{% if a.doc.title and a.doc.title != a.outlet %}<span class="sub title"><br>{{ a.doc.title }}</span>{% endif %}</th>
{% for v in VERDICT_COLUMNS %}<td class="num{% if a.counts[v] %} n-{{ v }}{% else %} zero{% endif %}">{{ a.counts[v] }}</td>{% endfor %}
<td class="num{% if a.errors %} n-error{% else %} zero{% endif %}">{{ a.errors|length }}</td>
<td class="date">{{ a.doc.date or "—" }}</td>
</tr>
{% endfor %}
"""


@lru_cache(maxsize=1)
def article_rows_template() -> jinja2.Template:
    return environment().from_string(ARTICLE_ROWS)


#: untrusted text, markup characters and all
TEXT = st.text(alphabet=st.sampled_from(list("ab <>&\"'\u00e9\u2019\n")), max_size=12)
VERDICTS = st.sampled_from([v.value for v in Verdict])
SEVERITIES = st.sampled_from([s.value for s in Severity])
TAGS = st.one_of(
    st.just(Tag("none", "none")),
    st.builds(Tag, st.sampled_from([k.value for k in Kind]), SEVERITIES, TEXT),
)


class Piece(NamedTuple):
    """A run of a diff as the ``pieces`` macro read it: a leaf of ``kind`` with its ``text``, or a change of ``parts``."""

    kind: str
    text: str = ""
    parts: tuple["Piece", ...] = ()
    tags: tuple[Tag, ...] = ()

    @property
    def severity(self) -> str:
        return max((t.severity for t in self.tags), key=lambda s: -1 if s == "none" else Severity(s).rank, default="none")

    @property
    def kinds(self) -> str:
        return " ".join(dict.fromkeys(t.kind for t in self.tags))


def drawn(ps: Sequence[Piece]) -> str:
    """Runs written by the functions the diff is written with (:mod:`quoteverify.render.diffview`)."""
    return "".join(
        change_html(p.tags, drawn(p.parts)) if p.kind == "change" else PBREAK if p.kind == "pbreak" else leaf_html(p.kind, p.text)
        for p in ps
    )


LEAVES = st.builds(Piece, st.sampled_from(["text", "del", "ins", "cut", "mark", "flag", "caret", "pbreak", "more"]), TEXT)
PIECES = st.recursive(
    LEAVES,
    lambda inner: st.builds(
        Piece, st.just("change"), st.just(""), st.lists(inner, max_size=3).map(tuple), st.lists(TAGS, max_size=3).map(tuple)
    ),
    max_leaves=12,
)
CHIPS = st.builds(
    VariantView,
    ref=TEXT,
    kind=st.sampled_from([k.value for k in Kind]),
    severity=SEVERITIES,
    source_text=TEXT,
    quote_text=TEXT,
    detail=TEXT,
    source_short=TEXT,
    quote_short=TEXT,
    meaning=st.lists(TEXT, max_size=2).map(tuple),
)
RUNS = st.builds(
    TextPiece,
    kind=st.sampled_from(["quote", "skip", "text"]),
    text=TEXT,
    anchor=TEXT,
    verdict=VERDICTS,
    first=st.booleans(),
    last=st.booleans(),
    skip_start=st.booleans(),
)
MAYBE_TEXT = st.one_of(st.none(), TEXT)
SIDES = st.lists(PIECES, max_size=3).map(lambda ps: Markup(drawn(ps)))
DIFFS = st.builds(
    DiffView,
    inline=SIDES,
    quote_side=SIDES,
    source_side=SIDES,
    note=TEXT,
)
QUOTES = st.builds(
    QuoteView,
    anchor=TEXT,
    verdict=VERDICTS,
    text=TEXT,
    attribution=MAYBE_TEXT,
    spans=st.just(()),
    source_id=MAYBE_TEXT,
    source_title=TEXT,
    source_href=TEXT,
    paragraphs=st.lists(st.builds(ParaRef, st.integers(0, 10_000), TEXT), max_size=3).map(tuple),
    variants=st.lists(CHIPS, max_size=2).map(tuple),
    kinds=TEXT,
    major=st.integers(0, 3),
    diff=st.one_of(st.none(), DIFFS),
    href=TEXT,
    outlet=TEXT,
    excerpt=TEXT,
    invisible=st.integers(0, 3),
    speaker=MAYBE_TEXT,
    source_speaker=MAYBE_TEXT,
    changes=st.lists(TEXT, max_size=3).map(tuple),
)
CELLS = st.builds(
    CoverageCell,
    index=st.integers(0, 10_000),
    quoted=st.one_of(st.none(), st.floats(0, 1)),
    percent=TEXT,
    shade=st.integers(0, 4),
    worst=st.one_of(st.just(""), VERDICTS),
    href=TEXT,
    refs=st.lists(QUOTES, max_size=2).map(tuple),
)


@given(st.lists(PIECES, max_size=6))
@settings(max_examples=300)
def test_the_runs_of_a_diff_are_what_the_macro_wrote(ps: list[Piece]) -> None:
    assert drawn(ps) == str(macros().pieces(ps))


@given(CHIPS)
def test_chips_are_what_the_macro_wrote(v: VariantView) -> None:
    assert str(fragments.chip(v)) == str(macros().chip(v))


@given(st.lists(RUNS, max_size=6))
def test_the_article_text_is_what_the_template_wrote(runs: list[TextPiece]) -> None:
    assert str(fragments.article_text(runs)) == str(macros().article_text(runs))


@given(st.integers(0, 10_000), TEXT, st.one_of(st.none(), TEXT), st.one_of(st.none(), TEXT))
def test_a_paragraph_head_is_what_the_template_wrote(index: int, text: str, speaker: str | None, source_speaker: str | None) -> None:
    p = ParagraphView(index, text, (), "", (), (), speaker)
    assert str(fragments.paragraph_head(p, source_speaker)) == str(macros().paragraph_head(p, source_speaker))


@given(QUOTES)
@settings(max_examples=300)
def test_a_quotation_entry_is_what_the_template_wrote(q: QuoteView) -> None:
    html = fragments.quote_block(q)
    assert isinstance(html, Markup)
    assert str(html) == str(macros().quote_block(q))


@given(st.lists(st.tuples(QUOTES, st.sampled_from(["", "not-found", "other-speaker"]) | TEXT), max_size=3))
def test_the_unverified_entries_are_what_the_template_wrote(quotes: list[tuple[QuoteView, str]]) -> None:
    qs = [q._replace(reason=reason) for q, reason in quotes]
    assert str(fragments.unverified_entries(qs)) == str(macros().unverified_entries(qs))


@given(st.integers(1, 20), TEXT, TEXT, st.lists(CELLS, max_size=4))
def test_a_coverage_table_is_what_the_template_wrote(n: int, href: str, title: str, cells: list[CoverageCell]) -> None:
    sv = SimpleNamespace(href=href, title=title)  # the two fields of a source's view the table reads
    assert str(fragments.coverage_table(n, sv, cells)) == str(macros().coverage_table(n, sv, cells))  # type: ignore[arg-type]


@given(st.lists(st.tuples(TEXT, TEXT, CELLS), min_size=1, max_size=3))
def test_quoted_by_rows_are_what_the_template_wrote(rows: list[tuple[str, str, CoverageCell]]) -> None:
    # the two fields of an article's view a row reads
    table = [OutletRow(SimpleNamespace(href=href, outlet=outlet), cell) for href, outlet, cell in rows]  # type: ignore[arg-type]
    # the loop wrote a newline after each row; the template writes the last one after the call
    assert str(fragments.quoted_by_rows(table)) + "\n" == str(macros().quoted_by_rows(table))


URLS = st.one_of(st.none(), st.just(""), TEXT, st.sampled_from(["https://example.org/a?b=1&c=2", "javascript:alert(1)", "http://x.y/<z>"]))
DOCS = st.builds(
    SimpleNamespace,  # the fields of a Document the page reads
    title=MAYBE_TEXT,
    outlet=MAYBE_TEXT,
    date=MAYBE_TEXT,
    url=URLS,
    warnings=st.lists(TEXT, max_size=2).map(tuple),
    sha256=MAYBE_TEXT,
)
COUNTS = st.builds(VerdictCounts, *[st.integers(0, 3)] * 5)
SOURCES = st.builds(SimpleNamespace, href=TEXT, title=TEXT)  # the two fields of a source's view a coverage table reads
ARTICLES = st.builds(
    ArticleView,
    id=TEXT,
    href=TEXT,
    doc=DOCS,
    outlet=TEXT,
    path=MAYBE_TEXT,
    counts=COUNTS,
    worst=st.just(""),
    errors=st.lists(TEXT, max_size=2).map(tuple),
    quotes=st.just(()),
    located=st.lists(QUOTES, max_size=2).map(tuple),
    unverified=st.lists(QUOTES, max_size=2).map(tuple),
    text=st.lists(RUNS, max_size=3).map(tuple),
    coverage=st.lists(st.tuples(SOURCES, st.lists(CELLS, max_size=2).map(tuple)), max_size=2).map(tuple),
    kinds=st.lists(TEXT, max_size=2).map(tuple),
)


@given(ARTICLES)
@settings(max_examples=200)
def test_an_article_page_body_is_what_the_template_wrote(a: ArticleView) -> None:
    html = fragments.article_main(a, verdict_columns())
    assert isinstance(html, Markup)
    assert str(html) == article_main_template().render(a=a)


@given(st.lists(st.tuples(ARTICLES, st.lists(QUOTES, max_size=1).map(tuple)), max_size=3))
@settings(max_examples=100)
def test_the_index_rows_of_articles_are_what_the_template_wrote(rows: list[tuple[ArticleView, tuple[QuoteView, ...]]]) -> None:
    groups = [OutletChanges(a, altered, (), ()) for a, altered in rows]
    views = SimpleNamespace(ranked=groups)
    assert str(fragments.article_rows(groups, verdict_columns())) == article_rows_template().render(views=views)


def test_only_http_addresses_are_links() -> None:
    assert fragments.http_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    for url in ("javascript:alert(1)", "http://x.y/<z>", "https://a b", "", "ftp://x.y"):
        assert fragments.http_url(url) == ""


def test_verdict_badges_are_what_the_macros_wrote() -> None:
    for v in Verdict:
        assert str(fragments.verdict(v.value)) == str(macros().verdict(v.value))
        assert str(fragments.verdict_mark(v.value)) == str(macros().verdict_mark(v.value))


def test_untrusted_text_is_escaped() -> None:
    evil = '<script>alert("x")</script>'
    for html in (
        drawn([Piece("text", evil), Piece("change", parts=(Piece("del", evil),), tags=(Tag("case", "minor", evil),))]),
        fragments.article_text([TextPiece("quote", evil, evil, "altered", first=True, last=True), TextPiece("skip", evil)]),
        fragments.chip(VariantView(evil, "case", "minor", evil, evil, evil, evil, evil, (evil,))),
        fragments.quote_block(
            QuoteView(evil, "altered", evil, evil, (), evil, evil, evil, (ParaRef(0, evil),), (), evil, 0,
                      DiffView(Markup(escaped(evil)), Markup(), Markup(), evil), evil, evil, evil, 1, evil, evil, (evil,))
        ),
    ):
        assert "<script>" not in html and "&lt;script&gt;" in html


# the loop over a source's paragraphs, as templates/source.html wrote it
SOURCE_PARAGRAPHS = """\
{% from "_macros.html" import choice %}
{% for p in paragraphs %}
{{ paragraph_head(p, source_speaker) }}
{% if p.rows %}
<div class="scroll">
<table class="quoted-by">
<caption>Articles quoting &para;{{ p.index + 1 }}</caption>
<thead><tr><th scope="col">Outlet</th><th scope="col" class="num">Quoted</th><th scope="col">Worst verdict</th><th scope="col">Quotations</th></tr></thead>
<tbody>
{{ quoted_by_rows(p.rows) }}
</tbody>
</table>
</div>
{% else %}
<p class="unquoted"><strong>Not quoted</strong> by any article.</p>
{% endif %}
{% if p.witnesses or p.note %}
<div class="prov">
<h4>Witnesses</h4>
{% if p.witnesses %}<p>{% for w in p.witnesses %}{% set href = views.witness_href(w, "../") %}{% if href %}<a href="{{ href }}">{{ views.witness_name(w) }}</a>{% else %}{{ views.witness_name(w) }}{% endif %}{% if not loop.last %}, {% endif %}{% endfor %}</p>{% endif %}
{% if p.note %}<p class="note">{{ p.note }}</p>{% endif %}
</div>
{% endif %}
{% if p.choices %}
<div class="prov">
<h4>Editorial choices</h4>
<ul class="choices">
{% for c in p.choices %}{{ choice(c, views) }}
{% endfor %}
</ul>
</div>
{% endif %}
</section>
{% endfor %}
"""

# a witness links to its page when its name has no "b" (so that both branches are drawn)
WITNESS_VIEWS = SimpleNamespace(witness_href=lambda w, prefix: "" if "b" in w else f"{prefix}{w}.html", witness_name=str.upper)
CHOICES = st.builds(
    EditorialChoice,
    paragraph=st.one_of(st.none(), st.integers(0, 5)),
    chosen=st.builds(Reading, TEXT, st.lists(TEXT, max_size=2).map(tuple)),
    rejected=st.lists(st.builds(Reading, TEXT, st.lists(TEXT, max_size=2).map(tuple)), max_size=2).map(tuple),
    reason=TEXT,
)
PARAGRAPHS = st.builds(
    ParagraphView,
    index=st.integers(0, 10_000),
    text=TEXT,
    witnesses=st.lists(TEXT, max_size=2).map(tuple),
    note=st.one_of(st.just(""), TEXT),
    rows=st.lists(st.tuples(TEXT, TEXT, CELLS), max_size=2).map(
        lambda rows: tuple(OutletRow(SimpleNamespace(href=h, outlet=o), c) for h, o, c in rows)  # type: ignore[arg-type]
    ),
    choices=st.lists(CHOICES, max_size=2).map(tuple),
    speaker=MAYBE_TEXT,
)


@given(st.lists(PARAGRAPHS, max_size=4), MAYBE_TEXT)
@settings(max_examples=200)
def test_a_sources_paragraphs_are_what_the_template_wrote(paragraphs: list[ParagraphView], source_speaker: str | None) -> None:
    env = environment()
    provenance = env.get_template("_macros.html").module.provenance  # type: ignore[attr-defined]
    html = fragments.source_paragraphs(paragraphs, source_speaker, provenance, WITNESS_VIEWS)
    assert isinstance(html, Markup)
    loop = env.from_string(SOURCE_PARAGRAPHS).render(paragraphs=paragraphs, source_speaker=source_speaker, views=WITNESS_VIEWS)
    assert str(html) == loop


@given(st.builds(VerdictCounts, *(st.integers(0, 10_000) for _ in range(5))))
def test_an_articles_counts_and_filters_are_what_the_template_wrote(counts: VerdictCounts) -> None:
    # the two loops of templates/article.html, each ended by a newline its block tag dropped
    loops = environment().from_string(
        '{% for v in VERDICT_COLUMNS %}{{ verdict(v) }} <strong>{{ counts[v] }}</strong>{% if not loop.last %} · {% endif %}{% endfor %}\n|'
        '{% for v in VERDICT_COLUMNS %}<label><input type="checkbox" name="verdict" value="{{ v }}" checked> {{ verdict(v) }}</label> {% endfor %}\n'
    )
    columns = verdict_columns()
    drawn = f"{fragments.verdict_counts(counts, columns)}|{fragments.verdict_filters(columns)}"
    assert drawn == loops.render(counts=counts)


#: the loops of ``templates/index.html`` over its sources and unverified quotations, before
#: :func:`fragments.source_summary_rows`, :func:`fragments.source_list` and :func:`fragments.unverified_groups` wrote them
INDEX_LOOPS = """\
{% macro summary(rows) %}
{% for row in rows %}
<tr{% if row.counts.altered %} class="has-altered"{% endif %}>
<th scope="row"><a href="{{ row.source.href }}">{{ row.source.title }}</a></th>
<td class="num">{{ row.articles }}</td>
{% for v in ["verbatim", "faithful", "altered"] %}<td class="num{% if row.counts[v] %} n-{{ v }}{% else %} zero{% endif %}">{{ row.counts[v] }}</td>{% endfor %}
<td class="num">{{ row.paragraphs_quoted }} of {{ row.source.paragraphs|length }}</td>
</tr>
{% endfor %}
{% endmacro %}
{% macro sources(pages) %}
{% for sv in pages %}
<li><a href="{{ sv.href }}">{{ sv.title }}</a> <span class="sub">({{ sv.paragraphs|length }} paragraph{{ "" if sv.paragraphs|length == 1 else "s" }})</span>{% if sv.rebuilt %} · <a href="{{ sv.rebuilt }}">rebuilt from the articles' quotations</a>{% endif %}</li>
{% endfor %}
{% endmacro %}
{% macro found_nowhere(groups) %}
{% for g in groups %}
<p class="uv-outlet"><a href="{{ g.article.href }}">{{ g.article.outlet }}</a></p>
<ul class="uv-list">{% for q in g.not_found %}<li><a href="{{ q.href }}">{{ q.anchor }}</a> <q class="words">{{ q.excerpt }}</q>{% if q.attribution %} <span class="sub">({{ q.attribution }})</span>{% endif %}</li>{% endfor %}</ul>
{% endfor %}
{% endmacro %}
{% macro others(groups) %}
{% for g in groups %}
<p class="uv-outlet"><a href="{{ g.article.href }}">{{ g.article.outlet }}</a> <span class="sub">({{ g.others|length }})</span></p>
<ul class="uv-list">{% for q in g.others %}<li><a href="{{ q.href }}">{{ q.anchor }}</a> <q class="words">{{ q.excerpt }}</q>{% if q.attribution %} <span class="sub">({{ q.attribution }})</span>{% endif %}</li>{% endfor %}</ul>
{% endfor %}
{% endmacro %}
"""


@lru_cache(maxsize=1)
def index_loops() -> jinja2.runtime.TemplateModule:
    return environment().from_string(INDEX_LOOPS).module


SOURCE_PAGES = st.builds(
    SimpleNamespace, href=TEXT, title=TEXT, rebuilt=st.one_of(st.just(""), TEXT),
    paragraphs=st.integers(0, 3).map(lambda n: (None,) * n),
)


@given(st.lists(st.tuples(SOURCE_PAGES, st.integers(0, 5), COUNTS, st.integers(0, 5)), max_size=3))
@settings(max_examples=100)
def test_the_index_rows_of_sources_are_what_the_template_wrote(rows: list[tuple[SimpleNamespace, int, VerdictCounts, int]]) -> None:
    summary = [SimpleNamespace(source=sv, articles=n, counts=c, paragraphs_quoted=p) for sv, n, c, p in rows]
    assert str(fragments.source_summary_rows(summary)) == str(index_loops().summary(summary))  # type: ignore[attr-defined]
    pages = [sv for sv, _, _, _ in rows]
    assert str(fragments.source_list(pages)) == str(index_loops().sources(pages))  # type: ignore[attr-defined]


@given(st.lists(st.tuples(ARTICLES, st.lists(QUOTES, max_size=2).map(tuple), st.lists(QUOTES, max_size=2).map(tuple)), max_size=3))
@settings(max_examples=100)
def test_the_index_lists_of_unverified_quotations_are_what_the_template_wrote(
    rows: list[tuple[ArticleView, tuple[QuoteView, ...], tuple[QuoteView, ...]]],
) -> None:
    groups = [OutletChanges(a, (), not_found, others) for a, not_found, others in rows]
    assert str(fragments.unverified_groups(groups, False)) == str(index_loops().found_nowhere(groups))  # type: ignore[attr-defined]
    assert str(fragments.unverified_groups(groups, True)) == str(index_loops().others(groups))  # type: ignore[attr-defined]
