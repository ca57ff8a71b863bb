"""The fallback reader of an HTML page's body: the text of its ``<p>`` elements outside page furniture.

Kept apart from :mod:`.html` so that a run of plain-text articles does not
import ``html.parser``.
"""

from __future__ import annotations

from html.parser import HTMLParser


class ParagraphParser(HTMLParser):
    """Collect the text of ``<p>`` elements outside page furniture, and the title."""

    FURNITURE = frozenset(
        "script style noscript template svg nav header footer aside figure figcaption "
        "form button select textarea iframe object".split()
    )
    VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.title = ""
        self.h1 = ""
        self._stack: list[str] = []
        self._hidden = 0
        self._para: list[str] | None = None
        self._in_title = False
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            if tag == "br" and self._para is not None:
                self._para.append("\n")
            return
        self._stack.append(tag)
        if tag in self.FURNITURE:
            self._hidden += 1
        elif tag == "p" and not self._hidden:
            self._flush()
            self._para = []
        elif tag == "title":
            self._in_title = True
        elif tag == "h1" and not self._hidden:
            self._in_h1 = True

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID or tag not in self._stack:
            return
        while self._stack:
            top = self._stack.pop()
            if top in self.FURNITURE:
                self._hidden -= 1
            elif top == "p":
                self._flush()
            elif top == "title":
                self._in_title = False
            elif top == "h1":
                self._in_h1 = False
            if top == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._hidden:
            return
        if self._in_h1:
            self.h1 += data
        if self._para is not None:
            self._para.append(data)

    def _flush(self) -> None:
        if self._para is not None:
            lines = ("".join(self._para)).split("\n")
            text = "\n".join(" ".join(line.split()) for line in lines).strip()
            if text:
                self.paragraphs.append(text)
        self._para = None

    def close(self) -> None:
        super().close()
        self._flush()
