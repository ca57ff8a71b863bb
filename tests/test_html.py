"""The pages of a report, made from base.html's parts made once and their own blocks, are the templates rendered whole."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable

import pytest
from markupsafe import Markup
from report_fixtures import hostile_case, sample_result

from quoteverify.models import CheckResult
from quoteverify.render import fragments, html
from quoteverify.render.views import report_view


def _whole(template: str, **context: object) -> bytes:
    """A page as jinja renders its template: every page's own style sheet, script and shell rendered again."""
    assets = html._assets()
    page = html.environment().get_template(template).render(css=assets.css, js=assets.js, csp=assets.csp, **context)
    return page.encode("utf-8")


@pytest.mark.parametrize("make", [sample_result, hostile_case])
def test_each_page_is_its_template_rendered_whole(make: Callable[[], CheckResult]) -> None:
    result = make()
    view = report_view(result)
    title = result.title or result.case
    files = dict(html.iter_report(result))
    assert files["index.html"] == _whole(
        "index.html", root="", result=result, title=title, views=view, totals=view.totals, matrix=view.matrix,
        altered=view.altered,
    )
    assert view.articles and view.source_pages
    for a in view.articles:
        assert files[a.href] == _whole("article.html", root="../", title=title, result=result, a=a, views=view)
    for s in view.source_pages:
        assert files[s.href] == _whole("source.html", root="../", title=title, result=result, s=s, views=view)


#: the ``main`` block of ``templates/source.html`` as it was, before :func:`fragments.source_main` wrote it
SOURCE_MAIN = """\
{% from "_macros.html" import choice, provenance %}
<h1>{{ s.title }}</h1>
<dl class="facts">
{% if s.doc.date %}<div><dt>Date</dt><dd>{{ s.doc.date }}</dd></div>{% endif %}
{% if s.doc.speaker %}<div><dt>Speaker</dt><dd>{{ s.doc.speaker }}</dd></div>{% endif %}
<div><dt>Paragraphs</dt><dd>{{ s.paragraphs|length }}</dd></div>
{% if s.method %}<div><dt>Provenance</dt><dd><a href="#method-h">how this text was established</a></dd></div>{% endif %}
{% if s.rebuilt %}<div><dt>As the articles quote it</dt><dd><a href="../{{ s.rebuilt }}">the text rebuilt from their quotations</a>, with where they disagree</dd></div>{% endif %}
</dl>

<section aria-labelledby="paras-h">
<h2 id="paras-h">The text, paragraph by paragraph</h2>
{{ source_paragraphs(s.paragraphs, s.doc.speaker, provenance, views) -}}
</section>

{% if s.method %}
<section aria-labelledby="method-h">
<h2 id="method-h">How this text was established</h2>
<p class="method">{{ s.method }}</p>
</section>
{% endif %}

{% if s.general_choices %}
<section aria-labelledby="gen-h">
<h2 id="gen-h">Editorial choices not tied to a paragraph</h2>
<ul class="choices">
{% for c in s.general_choices %}{{ choice(c, views) }}
{% endfor %}
</ul>
</section>
{% endif %}

{% if s.unplaced %}
<section aria-labelledby="unplaced-h">
<h2 id="unplaced-h">Unplaced readings</h2>
<p>Words the witnesses attribute to this source that could not be placed in its text.</p>
<ul class="choices">
{% for c in s.unplaced %}{{ choice(c, views) }}
{% endfor %}
</ul>
</section>
{% endif %}

<details class="file-facts">
<summary>About this file</summary>
<dl class="facts">
<div><dt>Source id</dt><dd><code>{{ s.id }}</code></dd></div>
<div><dt>Path</dt><dd><code>{{ s.path or "—" }}</code></dd></div>
<div><dt>SHA-256</dt><dd><code class="hash">{{ s.doc.sha256 or "—" }}</code></dd></div>
</dl>
</details>
"""


@pytest.mark.parametrize("make", [sample_result, hostile_case])
def test_a_source_page_body_is_what_the_template_wrote(make: Callable[[], CheckResult]) -> None:
    view = report_view(make())
    reference = html.environment().from_string(SOURCE_MAIN)
    assert view.source_pages
    for s in view.source_pages:
        written = fragments.source_main(s, view, *html._source_macros())
        assert isinstance(written, Markup)
        assert str(written) == reference.render(s=s, views=view)


@pytest.mark.parametrize("case", ["a\x00b", "<!--block-->", "case <&>"])
def test_no_case_name_takes_the_place_of_a_block(case: str) -> None:
    result = dataclasses.replace(sample_result(), case=case, title="")
    view = report_view(result)
    files = dict(html.iter_report(result))
    assert files["index.html"] == _whole(
        "index.html", root="", result=result, title=case, views=view, totals=view.totals, matrix=view.matrix,
        altered=view.altered,
    )
    a = view.articles[0]
    assert files[a.href] == _whole("article.html", root="../", title=case, result=result, a=a, views=view)


@pytest.mark.parametrize("beside", [True, False], ids=["folder beside the module", "as a resource"])
def test_a_static_file_is_the_packages_resource_wherever_it_is_read(beside: bool, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from importlib import resources

    static = resources.files("quoteverify") / "static"
    if beside:
        assert os.path.samefile(html._STATIC, str(static))  # read there, not by the resource's reader
    else:
        monkeypatch.setattr(html, "_STATIC", str(tmp_path / "nowhere"))
    names = sorted(f.name for f in static.iterdir() if f.name.endswith((".css", ".js")))
    assert {"report.css", "report.js", "diff.css", "diff.js"} <= set(names)
    for name in names:
        assert html._static_text(name) == (static / name).read_text(encoding="utf-8")
