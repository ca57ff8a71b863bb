"""Take the article body of an HTML page saved from a news site.

trafilatura does the work when it can be imported and finds a body; else
the text of the page's ``<p>`` elements outside navigation, headers,
footers, asides and figures stands in, with a warning saying so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_HTML_START = re.compile(
    r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b",
    re.IGNORECASE | re.DOTALL,
)
_HTML_FRAGMENT = re.compile(r"\A\s*<(p|div|article|section|main|h[1-6]|table)\b[^>]*>", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    """Whether a text starts as an HTML page (a doctype, ``<html>``, ``<head>``, ``<body>``)
    or a fragment of one (``<p>``, ``<div>``, ``<article>``... closed further on) does."""
    first = text[:1]
    if first != "<" and not first.isspace():  # both patterns start with white space or a tag
        return False
    head = text[:4096]
    if _HTML_START.match(head):
        return True
    m = _HTML_FRAGMENT.match(head)
    if not m:
        return False
    return f"</{m.group(1).lower()}>" in text[:65536].lower()


@dataclass(frozen=True)
class Extracted:
    """The article body of an HTML page, with the metadata found in it."""

    text: str
    title: str = ""
    date: str = ""
    warnings: tuple[str, ...] = ()


def _extract_paragraphs(html: str) -> Extracted:
    # imported here: a run of plain-text articles never parses a page, and
    # html.parser with its entities was 3-5 ms of every run's start
    from quoteverify.ingest.pageparser import ParagraphParser

    parser = ParagraphParser()
    parser.feed(html)
    parser.close()
    title = " ".join((parser.h1 or parser.title).split())
    return Extracted("\n".join(parser.paragraphs), title)


#: The trafilatura module once imported, the reason it cannot be as a string, or ``None`` before the first try.
_trafilatura: Any = None


def _load_trafilatura() -> Any:
    """The trafilatura module, or why it cannot be imported (tried once)."""
    global _trafilatura
    if _trafilatura is None:
        try:
            import trafilatura

            _trafilatura = trafilatura
        except ImportError as e:
            _trafilatura = (str(e).splitlines() or [type(e).__name__])[0]
    return _trafilatura


#: an element with more attributes is hostile markup: the page is refused
MAX_ELEMENT_ATTRIBUTES = 1000
#: a page with more attributes is not given to trafilatura, whose time grows
#: with them (70 us an attribute, and as their square within one element:
#: 20,000 on one element took 17 s); the <p> elements stand in
MAX_PAGE_ATTRIBUTES = 50_000

_TAG_OPEN = re.compile(r"<[A-Za-z][^<>]*")
_ATTRIBUTE = re.compile(r"""\s[^\s"'<>/=]+\s*=""")


class HeavyMarkup(ValueError):
    """A page whose markup no extractor should be given (an element of thousands of attributes)."""


def _attributes(html: str) -> int:
    """Count the attributes of a page's elements (roughly, in one pass), refusing an element of too many.

    A tag shorter than :data:`MAX_ELEMENT_ATTRIBUTES` characters cannot hold
    too many, so only longer ones are counted one by one.
    """
    for tag in _TAG_OPEN.finditer(html):
        if tag.end() - tag.start() > 2 * MAX_ELEMENT_ATTRIBUTES:
            n = len(_ATTRIBUTE.findall(html, tag.start(), tag.end()))
            if n > MAX_ELEMENT_ATTRIBUTES:
                raise HeavyMarkup(f"an element with {n:,} attributes (at most {MAX_ELEMENT_ATTRIBUTES:,} are read)")
    return len(_ATTRIBUTE.findall(html))


def extract_html(html: str) -> Extracted:
    """Take the article body of an HTML page, leaving navigation, promos and footers out.

    Uses trafilatura (paragraphs separated by ``"\\n"``, title and date from
    the page's metadata); without it, or when it finds no body, the text of
    the page's ``<p>`` elements outside navigation, headers, footers, asides
    and figures, with a warning saying so. So also for a page of more than
    :data:`MAX_PAGE_ATTRIBUTES` attributes; an element of more than
    :data:`MAX_ELEMENT_ATTRIBUTES` raises :class:`HeavyMarkup`.
    """
    attributes = _attributes(html)
    trafilatura = _load_trafilatura()
    if isinstance(trafilatura, str) or attributes > MAX_PAGE_ATTRIBUTES:
        found = _extract_paragraphs(html)
        if isinstance(trafilatura, str):
            why = f"trafilatura cannot be imported ({trafilatura})"
        else:
            why = f"{attributes:,} attributes, over the {MAX_PAGE_ATTRIBUTES:,} given to trafilatura"
        return Extracted(found.text, found.title, "", (f"{why}: article text taken from the <p> elements",))
    try:
        result: Any = trafilatura.bare_extraction(
            html,
            with_metadata=True,
            include_comments=False,
            include_images=False,
            include_tables=True,
            include_links=False,
            include_formatting=False,
            deduplicate=False,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as e:  # a page trafilatura cannot parse: fall back below
        result = None
        failure = f"trafilatura failed ({type(e).__name__})"
    else:
        failure = "trafilatura found no article body"

    def get(key: str) -> str:
        if result is None:
            return ""
        value = result.get(key) if isinstance(result, dict) else getattr(result, key, None)
        return value if isinstance(value, str) else ""

    text = get("text")
    if text.strip():
        return Extracted(text, " ".join(get("title").split()), get("date"))
    found = _extract_paragraphs(html)
    return Extracted(found.text, found.title, "", (f"{failure}: article text taken from the <p> elements",))
