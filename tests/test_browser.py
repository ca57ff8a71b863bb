"""The report pages in a real browser: Debian's chromium driven by Playwright.

Skipped when Playwright or /usr/bin/chromium is missing. Screenshots of the
pages go to ``test-artifacts/``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from quoteverify.render import write_report

from report_fixtures import HOSTILE_IMG, HOSTILE_OUTLET, HOSTILE_SCRIPT, sample_result

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"

pytestmark = pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason=f"{CHROMIUM} is not installed")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_report(sample_result(), tmp_path_factory.mktemp("report")).parent


class Watched:
    """A page with everything that must not happen recorded: console errors, requests, dialogs."""

    def __init__(self, context: Any, root: Path) -> None:
        self.root = root.resolve().as_uri()
        self.page = context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: m.type in ("error", "warning") and self.errors.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def check_clean(self) -> None:
        assert self.errors == []
        assert self.dialogs == []
        outside = [u for u in self.requests if not u.startswith(self.root + "/")]
        assert outside == []


@pytest.fixture
def watched(browser: Any, report_dir: Path) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    w = Watched(context, report_dir)
    yield w
    context.close()


def visible_ids(page: Any, selector: str) -> list[str]:
    return page.eval_on_selector_all(selector, "els => els.filter(e => e.offsetParent !== null).map(e => e.id)")


def test_index_to_article_to_altered_quotation(watched: Watched, report_dir: Path) -> None:
    page = watched.page
    page.goto((report_dir / "index.html").as_uri())
    assert page.locator("h1").inner_text().startswith("The harbour authority")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-index.png"), full_page=True)

    # follow an outlet to its article page
    page.locator("table.outlets").get_by_role("link", name="The Harbour Gazette").click()
    page.wait_for_load_state()
    assert page.url.endswith("/articles/gazette.html")
    assert page.locator("h1").inner_text().startswith("The Harbour Gazette")
    page.screenshot(path=str(ARTIFACTS / "report-article.png"), full_page=True)

    # back to the index, then straight to the most serious altered quotation
    page.go_back()
    page.locator(".altered-list a").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/articles/gazette.html#q3")
    block = page.locator("#q3")
    assert block.get_attribute("data-verdict") == "altered"
    inline = block.locator(".diff-inline")
    assert inline.is_visible() and not block.locator(".diff-side").is_visible()
    assert "every twenty minutes" in inline.locator("del").first.inner_text()
    assert "of the city" in inline.locator("ins").first.inner_text()
    assert "omission · major" in inline.inner_text() and "insertion · major" in inline.inner_text()
    block.screenshot(path=str(ARTIFACTS / "report-altered-quotation.png"))

    # the toggle shows the quotation beside its source passage
    page.get_by_role("button", name="Show side by side").click()
    assert block.locator(".diff-side").is_visible() and not inline.is_visible()
    assert "of the city" in block.locator(".qtext").inner_text()
    assert "every twenty minutes" in block.locator(".stext").inner_text()
    assert page.locator(".toggle-view").get_attribute("aria-pressed") == "true"
    page.keyboard.press("t")
    assert inline.is_visible()
    watched.check_clean()


def test_filters_by_verdict_and_kind(watched: Watched, report_dir: Path) -> None:
    page = watched.page
    page.goto((report_dir / "articles" / "gazette.html").as_uri())
    everything = visible_ids(page, "[data-nav=quote]")
    assert everything == ["q1", "q2", "q3", "q4", "q5", "q6", "u1"]
    page.get_by_role("checkbox", name="verbatim").uncheck()
    assert visible_ids(page, "[data-nav=quote]") == ["q2", "q3", "q4", "q5", "u1"]
    page.get_by_label("Variant kind").select_option("omission")
    assert visible_ids(page, "[data-nav=quote]") == ["q3"]
    assert page.locator(".filter-status").inner_text() == "Showing 1 of 7 quotations."
    page.get_by_label("Variant kind").select_option("")
    page.get_by_role("checkbox", name="verbatim").check()
    assert visible_ids(page, "[data-nav=quote]") == everything
    watched.check_clean()


def test_keyboard_navigation(watched: Watched, report_dir: Path) -> None:
    page = watched.page
    page.goto((report_dir / "articles" / "gazette.html").as_uri())
    focused = "() => document.activeElement.id"
    page.keyboard.press("j")
    assert page.evaluate(focused) == "q1"
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.evaluate(focused) == "q3"
    page.keyboard.press("k")
    assert page.evaluate(focused) == "q2"
    # n/p walk the changes of the visible diffs, in order
    page.keyboard.press("n")
    first = page.evaluate("() => document.activeElement.textContent")
    assert "apologise" in first and "spelling" in first
    page.keyboard.press("n")
    second = page.evaluate("() => document.activeElement.textContent")
    assert "every twenty minutes" in second and "omission" in second
    page.keyboard.press("p")
    assert page.evaluate("() => document.activeElement.textContent") == first
    assert page.evaluate("() => document.activeElement.closest('[data-nav=quote]').id") == "q2"
    # keys typed into a form control are left alone
    page.get_by_label("Variant kind").focus()
    page.keyboard.press("j")
    assert page.evaluate("() => document.activeElement.tagName") == "SELECT"
    watched.check_clean()


def test_copy_correction_note(browser: Any, report_dir: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    w = Watched(context, report_dir)
    page = w.page
    page.goto((report_dir / "articles" / "gazette.html").as_uri())
    button = page.locator("#q3 .copy-note")
    note = button.get_attribute("data-note")
    assert note and note.startswith("The Harbour Gazette quotes ")
    button.click()
    status = page.locator("#q3 .copy-status")
    status.wait_for(state="visible")
    page.wait_for_function("() => document.querySelector('#q3 .copy-status').textContent !== ''")
    assert status.inner_text() in ("Copied.", "Select the note above and copy it.")
    # the same note is readable without script
    page.locator("#q3 details.note summary").click()
    assert page.locator("#q3 .note-text").inner_text() == note
    w.check_clean()
    context.close()


def test_hostile_article_runs_nothing(watched: Watched, report_dir: Path) -> None:
    page = watched.page
    hostile = next((report_dir / "articles").glob("x-y-e-*.html"))
    page.goto(hostile.as_uri())
    page.wait_for_timeout(200)
    # fire the events a planted handler would wait for, on every element
    page.evaluate(
        """() => document.querySelectorAll('*').forEach(e => ['mouseover', 'mouseenter', 'focus', 'error', 'load']
            .forEach(t => e.dispatchEvent(new Event(t, {bubbles: false}))))"""
    )
    assert page.evaluate("() => document.scripts.length") == 1
    assert page.evaluate("() => document.querySelectorAll('img, svg, iframe, object, embed, b, i').length") == 0
    handlers = page.evaluate(
        "() => Array.from(document.querySelectorAll('*')).flatMap(e => e.getAttributeNames()).filter(n => n.startsWith('on'))"
    )
    assert handlers == []
    text = page.locator("body").inner_text()
    for s in (HOSTILE_SCRIPT, HOSTILE_IMG, HOSTILE_OUTLET):
        assert s in text
    page.keyboard.press("n")
    page.locator(".copy-note").first.click()
    watched.check_clean()


def test_pages_work_without_script(browser: Any, report_dir: Path) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    w = Watched(context, report_dir)
    page = w.page
    page.goto((report_dir / "articles" / "gazette.html").as_uri())
    assert not page.locator(".toolbar").is_visible()
    assert page.locator("#q3 .diff-inline").is_visible() and page.locator("#q3 .diff-side").is_visible()
    assert page.locator("#q3 .verdict").inner_text().strip().endswith("altered")
    w.check_clean()
    context.close()


def test_print_layout_shows_every_diff(watched: Watched, report_dir: Path) -> None:
    page = watched.page
    page.goto((report_dir / "articles" / "gazette.html").as_uri())
    page.emulate_media(media="print")
    assert not page.locator(".toolbar").is_visible()
    assert page.locator("#q3 .diff-inline").is_visible() and page.locator("#q3 .diff-side").is_visible()
    watched.check_clean()


def test_every_page_loads_cleanly(watched: Watched, report_dir: Path) -> None:
    page = watched.page
    pages = sorted(report_dir.rglob("*.html"))
    assert len(pages) >= 5
    for path in pages:
        page.goto(path.as_uri())
        assert page.evaluate("() => document.documentElement.classList.contains('js')"), path
    watched.check_clean()


def test_seed_case_report(browser: Any, tmp_path: Path) -> None:
    run = pytest.importorskip("quoteverify.run")
    case = REPO / "corpus" / "seely-letter"
    if not (case / "case.toml").exists():
        pytest.skip("seed case not present")
    index = write_report(run.check(case), tmp_path)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    w = Watched(context, index.parent)
    page = w.page
    page.goto(index.as_uri())
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "seed-index.png"), full_page=True)
    altered = page.locator(".altered-list a")
    if altered.count():
        altered.first.click()
        page.wait_for_load_state()
        anchor = page.url.rsplit("#", 1)[1]
        assert page.locator(f"#{anchor}").get_attribute("data-verdict") == "altered"
        page.screenshot(path=str(ARTIFACTS / "seed-article.png"), full_page=True)
    w.check_clean()
    context.close()


# --------------------------------------------------------------------------- widths, keys, the diff page

WIDTHS = (1400, 400)
DARWIN = REPO.parent / "shared" / "data" / "darwin-origin" / "paragraphs.json"


@pytest.fixture(scope="module")
def seed_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = pytest.importorskip("quoteverify.run")
    case = REPO / "corpus" / "seely-letter"
    if not (case / "case.toml").exists():
        pytest.skip("seed case not present")
    return write_report(run.check(case), tmp_path_factory.mktemp("seed")).parent


def page_width(page: Any) -> int:
    return int(page.evaluate("() => document.documentElement.scrollWidth"))


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["index.html", "articles/bbc-news.html", "sources/letter.html", "sources/letter.rebuilt.html"])
def test_seed_pages_fit_the_width(browser: Any, seed_dir: Path, name: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 1000})
    w = Watched(context, seed_dir)
    page = w.page
    page.goto((seed_dir / name).as_uri())
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"seed-{name.replace('/', '-').removesuffix('.html')}-{width}.png"), full_page=True)
    assert page_width(page) == width  # no sideways panning
    w.check_clean()
    context.close()


def test_index_at_phone_width_shows_the_verdict_columns(browser: Any, seed_dir: Path) -> None:
    context = browser.new_context(viewport={"width": 400, "height": 900})
    page = context.new_page()
    page.goto((seed_dir / "index.html").as_uri())
    table = page.locator("table.outlets")
    for v in ("altered", "faithful", "verbatim", "unverified"):
        box = table.locator(f"thead .verdict.v-{v}").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 400, v
    # the first screen answers who misquoted what: the worst outlet and its change, in words
    first = page.locator(".outlet-changes").first
    assert first.locator("h3").bounding_box()["y"] < 900
    assert first.locator(".what").first.inner_text().startswith(("drops", "adds", "'"))
    context.close()


def test_index_on_one_screen_at_desktop_width(browser: Any, seed_dir: Path) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto((seed_dir / "index.html").as_uri())
    last = page.locator(".altered-list > li").last.bounding_box()
    assert last is not None and last["y"] + last["height"] <= 1000  # every altered quotation above the fold
    # worst change first: the longest cut without an ellipsis leads
    assert "no ellipsis" in page.locator(".altered-list .what").first.inner_text()
    context.close()


def test_keyboard_hints_are_hidden_on_touch_screens(browser: Any, seed_dir: Path) -> None:
    context = browser.new_context(viewport={"width": 400, "height": 900}, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto((seed_dir / "articles" / "bbc-news.html").as_uri())
    assert page.evaluate("() => matchMedia('(hover: none)').matches")
    assert not page.locator(".toolbar .keyhelp").is_visible()
    page.goto((seed_dir / "index.html").as_uri())
    assert not page.locator(".keyhelp").is_visible()
    context.close()
    desk = browser.new_context(viewport={"width": 1400, "height": 900})
    page = desk.new_page()
    page.goto((seed_dir / "index.html").as_uri())
    assert page.locator(".keyhelp").is_visible()
    desk.close()


def test_n_after_j_starts_in_the_quotation_and_question_mark_lists_the_keys(watched: Watched, report_dir: Path) -> None:
    page = watched.page
    page.goto((report_dir / "articles" / "gazette.html").as_uri())
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("n")  # the first change of q2
    assert page.evaluate("() => document.activeElement.closest('[data-nav=quote]').id") == "q2"
    page.keyboard.press("j")  # on to q3: n now starts there, not back in q2
    assert page.evaluate("() => document.activeElement.id") == "q3"
    page.keyboard.press("n")
    assert page.evaluate("() => document.activeElement.closest('[data-nav=quote]').id") == "q3"
    help_box = page.locator("#keys-help")
    assert not help_box.is_visible()
    page.keyboard.press("?")
    assert help_box.is_visible() and "next, previous quotation" in help_box.inner_text()
    page.screenshot(path=str(ARTIFACTS / "report-keys-help.png"))
    page.keyboard.press("Escape")
    assert not help_box.is_visible()
    watched.check_clean()


def test_filters_survive_a_reload_and_empty_sections_go(watched: Watched, report_dir: Path) -> None:
    page = watched.page
    page.goto((report_dir / "articles" / "gazette.html").as_uri())
    page.get_by_role("checkbox", name="unverified").uncheck()
    assert not page.locator("#others-h").is_visible()  # nothing left under it: the heading goes too
    page.get_by_role("checkbox", name="verbatim").uncheck()
    kept = visible_ids(page, "[data-nav=quote]")
    page.reload()
    assert not page.get_by_role("checkbox", name="verbatim").is_checked()
    assert visible_ids(page, "[data-nav=quote]") == kept
    assert not page.locator("#others-h").is_visible()
    page.get_by_role("checkbox", name="unverified").check()
    assert page.locator("#others-h").is_visible()
    watched.check_clean()


def _diff_page(tmp_path: Path, base: Path, other: Path) -> Path:
    from quoteverify.collate import collate
    from quoteverify.ingest import read_document
    from quoteverify.render.html import render_collation

    out = tmp_path / "diff.html"
    out.write_text(render_collation(collate(read_document(base, role="source"), read_document(other, role="source"))), encoding="utf-8")
    return out


def _check_split_diff(browser: Any, page_path: Path, name: str) -> None:
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 1000})
        w = Watched(context, page_path.parent)
        page = w.page
        page.goto(page_path.as_uri())
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"))
        assert page_width(page) == width
        if width == 1400:
            # every variant is drawn on both sides in one row, its two markers side by side
            pairs = page.evaluate(
                """() => Array.from(document.querySelectorAll('td.b mark[id]')).map(b => {
                    const o = document.getElementById('o-' + b.id.slice(2));
                    if (!o || b.closest('details:not([open])')) return null;
                    const line = parseFloat(getComputedStyle(b.closest('td')).lineHeight);
                    return {same_row: b.closest('tr') === o.closest('tr'), dy: Math.abs(b.getBoundingClientRect().top - o.getBoundingClientRect().top), line: line, moved: !!b.closest('mark.moved')};
                }).filter(x => x)"""
            )
            assert pairs
            assert all(p["same_row"] for p in pairs if not p["moved"])
            near = [p for p in pairs if not p["moved"] and p["dy"] <= 2 * p["line"]]
            assert len(near) >= 0.9 * len([p for p in pairs if not p["moved"]])
            # the original on the left, in red; the other's words on the right, in green
            colours = page.evaluate(
                "() => [getComputedStyle(document.querySelector('td.b mark:not(.moved)')).backgroundColor,"
                " getComputedStyle(document.querySelector('td.o mark:not(.moved)')).backgroundColor]"
            )
            red, green = (tuple(int(x) for x in c[c.index("(") + 1 : c.index(")")].split(",")[:3]) for c in colours)
            assert red[0] > red[1] and green[1] > green[0]
            # n and p walk the changes, and the list beside the text follows
            page.keyboard.press("n")
            assert page.evaluate("() => document.activeElement.id") == "b-v1"
            page.keyboard.press("n")
            assert page.evaluate("() => document.activeElement.id") == "b-v2"
            assert page.locator("#l-v2").get_attribute("class").endswith("current")
            page.keyboard.press("p")
            assert page.evaluate("() => document.activeElement.id") == "b-v1"
            page.screenshot(path=str(ARTIFACTS / f"{name}-{width}-current.png"))
        w.check_clean()
        context.close()


def test_split_diff_of_two_drafts(browser: Any, tmp_path: Path) -> None:
    speech = REPO / "tests" / "fixtures" / "speech"
    ARTIFACTS.mkdir(exist_ok=True)
    _check_split_diff(browser, _diff_page(tmp_path, speech / "draft1.txt", speech / "draft2.txt"), "diff-speech")


@pytest.mark.skipif(not DARWIN.exists(), reason="the Darwin editions are not beside the repository")
def test_split_diff_of_two_darwin_editions(browser: Any, tmp_path: Path) -> None:
    import json

    editions: dict[str, list[str]] = {}
    for collation_set in json.loads(DARWIN.read_text(encoding="utf-8")):
        for witness in collation_set["witnesses"]:
            editions.setdefault(witness["id"], []).append(witness["content"].strip())
    first, last = min(editions), max(editions)
    for year in (first, last):
        (tmp_path / f"{year}.txt").write_text("\n\n".join(editions[year]) + "\n", encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    _check_split_diff(browser, _diff_page(tmp_path, tmp_path / f"{first}.txt", tmp_path / f"{last}.txt"), "diff-darwin")
