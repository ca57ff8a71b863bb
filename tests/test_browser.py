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
