"""Make a :class:`~quoteverify.models.Document` of a text or of a file's bytes.

The bytes are decoded, an HTML page is reduced to its article body, and the
text is split into paragraphs; in an article, captions, link lists and
other boilerplate are marked as skipped. The text is never rewritten:
every offset points into the text as decoded (line breaks, ``\\r\\n``
included, are kept as they are).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any, Literal, NamedTuple

from quoteverify.errors import InputError
from quoteverify.ingest.boilerplate import Skip, find_boilerplate
from quoteverify.ingest.decode import declared_charset, decode_bytes
from quoteverify.ingest.html import HeavyMarkup, extract_html, looks_like_html
from quoteverify.models import Document, Paragraph

Role = Literal["article", "source"]

#: A title guessed from an article's first paragraph is at most this long.
TITLE_CHARS = 200

_LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")


class _Line(NamedTuple):
    """A non-blank line of a text, trimmed, and whether a blank line comes before it."""

    start: int
    end: int
    blank_before: bool


def _lines(text: str) -> list[_Line]:
    """The non-blank lines of ``text``, trimmed."""
    out: list[_Line] = []
    start = 0
    blank_before = False
    breaks = [(m.start(), m.end()) for m in _LINE_BREAK.finditer(text)]
    breaks.append((len(text), len(text)))
    for brk_start, brk_end in breaks:
        line = text[start:brk_start]
        stripped = line.strip()
        if stripped:
            a = start + (len(line) - len(line.lstrip()))
            b = a + len(stripped)
            out.append(_Line(a, b, blank_before and bool(out)))
            blank_before = False
        elif out:
            blank_before = True
        start = brk_end
    return out


def find_paragraphs(text: str, *, role: Role = "article") -> tuple[Paragraph, ...]:
    """Split a text into paragraphs, as spans from first to last non-space character.

    Lines end at ``\\n``, ``\\r\\n``, ``\\r`` and the other Unicode line
    breaks. In an article every non-blank line is a paragraph. In a source,
    blocks of lines separated by blank lines are paragraphs (a hard-wrapped
    block is one paragraph); a source without blank lines has one paragraph
    per line.
    """
    lines = _lines(text)
    if role == "article" or not any(line.blank_before for line in lines):
        return tuple(Paragraph(i, line.start, line.end) for i, line in enumerate(lines))
    starts: list[int] = []
    ends: list[int] = []
    for line in lines:
        if line.blank_before or not starts:
            starts.append(line.start)
            ends.append(line.end)
        else:
            ends[-1] = line.end
    return tuple(Paragraph(i, a, b) for i, (a, b) in enumerate(zip(starts, ends)))


def _title_from_first_paragraph(text: str, paragraphs: Sequence[Paragraph], skips: Sequence[Skip]) -> str:
    """The article's first paragraph that is not boilerplate, white space squashed, when short; else ``""``."""
    dropped = {s.index for s in skips}
    for p in paragraphs:
        if p.index not in dropped:
            first = text[p.start : p.end]
            if len(first) <= TITLE_CHARS:
                return " ".join(first.split())
            break
    return ""


_META_KEYS = frozenset({"sha256", "encoding", "warnings", "title", "outlet", "date", "url"})


def document_from_text(
    text: str,
    *,
    id: str,
    path: str | None = None,
    role: Role = "article",
    **meta: Any,
) -> Document:
    """Make a :class:`Document` of a decoded text: paragraphs and, for an article, skipped boilerplate.

    ``meta`` may give ``title``, ``outlet``, ``date``, ``url``, ``sha256``
    (by default the SHA-256 of the text in UTF-8), ``encoding`` and
    ``warnings``. A leading byte-order mark is dropped. An article without a
    title takes its first paragraph that is not boilerplate, when short.
    """
    unknown = set(meta) - _META_KEYS
    if unknown:
        raise TypeError(f"document_from_text() got unexpected keyword(s): {', '.join(sorted(unknown))}")
    if role not in ("article", "source"):
        raise ValueError(f"role must be 'article' or 'source', not {role!r}")
    if text.startswith("\ufeff"):
        text = text[1:]
    paragraphs = find_paragraphs(text, role=role)
    skipped: tuple[tuple[int, int], ...] = ()
    title = str(meta.get("title") or "")
    if role == "article":
        skips = find_boilerplate(text, paragraphs)
        skipped = tuple(s.span for s in skips)
        if not title:
            title = _title_from_first_paragraph(text, paragraphs, skips)
    sha = meta.get("sha256") or hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return Document(
        id=id,
        text=text,
        path=path,
        sha256=sha,
        encoding=str(meta.get("encoding") or "utf-8"),
        paragraphs=paragraphs,
        skipped=skipped,
        warnings=tuple(meta.get("warnings") or ()),
        title=title,
        outlet=str(meta.get("outlet") or ""),
        date=str(meta.get("date") or ""),
        url=str(meta.get("url") or ""),
    )


def document_from_bytes(
    data: bytes,
    *,
    id: str,
    path: str | None = None,
    role: Role = "article",
    html: bool | None = None,
    origin: str | None = None,
    title: str = "",
    outlet: str = "",
    date: str = "",
    url: str = "",
    warnings: Sequence[str] = (),
) -> Document:
    """Make a :class:`Document` of a file's bytes: decode, take an HTML page's body, split.

    ``html`` says whether the bytes are an HTML page (``None``: sniff).
    Faults raise :class:`InputError` naming ``origin`` (by default ``path``).
    """
    where = origin if origin is not None else path
    if not data:
        raise InputError(where, "empty file")
    sha = hashlib.sha256(data).hexdigest()
    head = data[:4096].decode("latin-1")
    declared = declared_charset(data) if html or (html is None and looks_like_html(head)) else None
    decoded = decode_bytes(data, declared=declared, path=where)
    text = decoded.text
    notes = list(warnings) + list(decoded.warnings)
    if html is None:
        html = looks_like_html(text)
    if html:
        try:
            page = extract_html(text)
        except HeavyMarkup as e:
            raise InputError(where, str(e)) from None
        text = page.text
        notes.extend(page.warnings)
        title = title or page.title
        if role == "article":
            date = date or page.date
        if not text.strip():
            raise InputError(where, "no article text found in the HTML page")
    elif not text.strip():
        raise InputError(where, "no text, only white space")
    return document_from_text(
        text,
        id=id,
        path=path,
        role=role,
        sha256=sha,
        encoding=decoded.encoding,
        warnings=tuple(notes),
        title=title,
        outlet=outlet,
        date=date,
        url=url,
    )
