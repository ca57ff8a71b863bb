"""The pages of a report, made from base.html's parts made once and their own blocks, are the templates rendered whole."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable

import pytest
from report_fixtures import hostile_case, sample_result

from quoteverify.models import CheckResult
from quoteverify.render import html
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
