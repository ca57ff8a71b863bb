"""Make a :class:`~quoteverify.models.Document` of a text or of a file's bytes.

The bytes are decoded, an HTML page is reduced to its article body, and the
text is split into paragraphs; in an article, captions, link lists and
other boilerplate are marked as skipped. The text is never rewritten:
every offset points into the text as decoded (line breaks, ``\\r\\n``
included, are kept as they are).
"""

from __future__ import annotations

import hashlib
import operator
import re
from collections.abc import Iterable, Sequence
from dataclasses import fields
from itertools import accumulate, compress, count, repeat
from typing import Any, Literal, NamedTuple

from quoteverify._cache import know_read_text_sha256
from quoteverify.errors import InputError
from quoteverify.ingest.boilerplate import Skip, find_boilerplate, squash_spaces
from quoteverify.ingest.decode import charset_codec, declared_charset, decode_bytes
from quoteverify.ingest.html import HeavyMarkup, extract_html, looks_like_html
from quoteverify.models import Document, Paragraph, new_tuple, with_fields

Role = Literal["article", "source"]

#: A title guessed from an article's first paragraph is at most this long.
TITLE_CHARS = 200

_LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")


class _Line(NamedTuple):
    """A non-blank line of a text, trimmed, and whether a blank line comes before it."""

    start: int
    end: int
    blank_before: bool


class _LineSpans(NamedTuple):
    """The non-blank lines of a text, trimmed, as three lists: starts, ends, and whether a blank line comes before."""

    starts: list[int]
    ends: list[int]
    blank_before: list[bool]


_BREAK_CHARS = "\n\r\x0b\x0c\x85\u2028\u2029"
# A trimmed non-blank line: from a character that is not white space to the last
# such character before a line break (every line break is white space).
_TRIMMED_LINE = re.compile(f"(\\S(?:[^{_BREAK_CHARS}]*\\S)?)")
# The same in a text whose only line break is "\n", which "." stops at: 4x faster
# than the class of line breaks, which is tried a character at a time (1.9 instead of
# 8.3 us for a 1 KB article, measured)
_TRIMMED_NL_LINE = re.compile(r"(\S(?:.*\S)?)")


def _split_lines(text: str) -> list[str]:
    """``text`` split around its trimmed non-blank lines: white space, line, white space, ..., line, white space."""
    if any(map(text.__contains__, _BREAK_CHARS[1:])):  # a scan in C for each, 0.2 us in all for 1 KB
        return _TRIMMED_LINE.split(text)
    return _TRIMMED_NL_LINE.split(text)


def _line_spans(text: str, parts: list[str] | None = None) -> _LineSpans:
    """The non-blank lines of ``text``, trimmed (see :func:`_lines`), from ``parts``, :func:`_split_lines` of it.

    The text is split by one regular expression around its trimmed lines,
    and their offsets are the running sums of the pieces' lengths: 1.6x
    faster than stepping through the lines of ``str.splitlines`` (22 ms
    instead of 34 ms for the 2,000 articles of a 10 MB case, measured).
    Between two lines lies only white space; there is a blank line when it
    holds two line breaks or more.
    """
    if parts is None:
        parts = _split_lines(text)
    if len(parts) == 1:
        return _LineSpans([], [], [])
    offsets = list(accumulate(map(len, parts)))
    blank = [False]
    blank += [gap != "\n" and (gap == "\n\n" or len(_LINE_BREAK.findall(gap)) > 1) for gap in parts[2:-1:2]]
    return _LineSpans(offsets[0:-1:2], offsets[1::2], blank)


def _lines(text: str) -> list[_Line]:
    """The non-blank lines of ``text``, trimmed.

    Lines end at ``\\r\\n`` and at each of :data:`_BREAK_CHARS` (the line
    breaks of ``str.splitlines`` but for the separators ``\\x1c-\\x1e``);
    a line is trimmed as ``str.strip`` trims it.
    """
    return list(map(_Line, *_line_spans(text)))


#: hard-wrapped text is wrapped at no fewer and no more than these many columns
MIN_WRAP_COLUMNS, MAX_WRAP_COLUMNS = 40, 100
#: the share of lines that continue a block which must reach near the wrap column
WRAPPED_SHARE = 0.75
#: how near, in columns and as a share of the wrap column, for that
WRAP_SLACK, WRAP_SHARE_OF_WIDTH = 30, 0.6
#: and how many such lines there must be at the least
MIN_WRAPPED_LINES = 3


def _blocks(lines: Sequence[_Line]) -> list[list[_Line]]:
    """The lines grouped into blocks separated by blank lines."""
    blocks: list[list[_Line]] = []
    for line in lines:
        if line.blank_before or not blocks:
            blocks.append([line])
        else:
            blocks[-1].append(line)
    return blocks


def is_hard_wrapped(text: str, lines: Sequence[_Line] | None = None) -> bool:
    """Whether ``text`` is hard-wrapped prose: paragraphs between blank lines, their lines broken near one width.

    Press releases, e-mails, transcripts and plain-text books are wrapped at
    60-80 columns: every line of a paragraph but its last ends near the wrap
    column, and no line is much longer. Text written one paragraph per line
    has lines of any length, most far longer, and the few blocks of several
    lines (an address, a list) have short lines.
    """
    lines = _lines(text) if lines is None else lines
    # a line takes at least as many columns as it has characters: one too long
    # for a wrapped text settles it before any column is counted
    if not lines or max(line.end - line.start for line in lines) > MAX_WRAP_COLUMNS:
        return False
    widths = [_column_width(text, line) for line in lines]
    if not MIN_WRAP_COLUMNS <= max(widths) <= MAX_WRAP_COLUMNS:
        return False
    width = max(widths)
    continuing = [_column_width(text, line) for block in _blocks(lines) for line in block[:-1]]
    if len(continuing) < MIN_WRAPPED_LINES:
        return False
    near = sum(1 for w in continuing if w >= max(width - WRAP_SLACK, WRAP_SHARE_OF_WIDTH * width))
    return near >= WRAPPED_SHARE * len(continuing)


def _column_width(text: str, line: _Line) -> int:
    """The columns a line takes, its indentation included."""
    start = max(text.rfind("\n", 0, line.start), text.rfind("\r", 0, line.start)) + 1
    return line.end - start


def find_paragraphs(text: str, *, role: Role = "article") -> tuple[Paragraph, ...]:
    """Split a text into paragraphs, as spans from first to last non-space character.

    Lines end at ``\\n``, ``\\r\\n``, ``\\r`` and the other Unicode line
    breaks. In an article every non-blank line is a paragraph, unless the
    text is hard-wrapped (:func:`is_hard_wrapped`): then, as in a source,
    blocks of lines separated by blank lines are paragraphs. A source without
    blank lines has one paragraph per line. A paragraph's span keeps the
    line breaks inside it: offsets point into the text as it is.
    """
    return _paragraphs(text, role)[0]


def _paragraphs(text: str, role: Role) -> tuple[tuple[Paragraph, ...], list[str] | None]:
    """:func:`find_paragraphs`, and the paragraphs' texts when they are lines (not blocks of lines)."""
    parts = _split_lines(text)
    lines: list[str] | None = parts[1::2]
    if role == "article" and lines and max(map(len, lines)) > MAX_WRAP_COLUMNS:
        # a line too long for a hard-wrapped text, as most articles have: a paragraph a line, whatever
        # blank lines lie between them, which are not looked for (the 2,000 articles of the 10 MB
        # case split in 211 M instructions instead of 237 M, callgrind)
        offsets = list(accumulate(map(len, parts)))
        return paragraph_objects(offsets[0:-1:2], offsets[1::2]), lines
    starts, ends, blank_before = spans = _line_spans(text, parts)
    if any(blank_before) and (role == "source" or _wrapped(text, spans)):
        # a block runs from a line with a blank line before it (or the first) to a line with one
        # after it (or the last): picked out by C calls, where the lines' indices were listed and
        # looked up (the 500 sources of the 10 MB case split in 19.7 ms instead of 21.0 ms, best of
        # 41, alternated in one process)
        after = blank_before[1:]
        after.append(True)
        starts, ends, lines = [*compress(starts, [True, *after])], [*compress(ends, after)], None
    return paragraph_objects(starts, ends), lines


def paragraph_objects(
    starts: Sequence[int], ends: Sequence[int], speakers: Iterable[str | None] | None = None
) -> tuple[Paragraph, ...]:
    """``Paragraph(i, starts[i], ends[i], speaker)`` for each ``i`` and speaker (None without ``speakers``).

    Made with their fields set as one dictionary, as :func:`~quoteverify.models.with_fields`
    makes an object, without even its call for each: 3.2 instead of 9.0 us for 8 paragraphs
    (measured); 4,400 instead of 7,400 instructions a paragraph for the 19,025 paragraphs
    of the 10 MB case's saved sources (callgrind).
    """
    paragraphs = tuple(map(_new, repeat(Paragraph, len(starts))))
    for paragraph, index, start, end, speaker in zip(paragraphs, count(), starts, ends, speakers or repeat(None)):
        _set(paragraph, "__dict__", {"index": index, "start": start, "end": end, "speaker": speaker})
    return paragraphs


_new = object.__new__
_set = object.__setattr__


def _wrapped(text: str, spans: _LineSpans) -> bool:
    """:func:`is_hard_wrapped`, with a line too long for a wrapped text found before the lines are made."""
    if max(map(operator.sub, spans.ends, spans.starts)) > MAX_WRAP_COLUMNS:
        return False
    return is_hard_wrapped(text, list(map(_Line, *spans)))


def _title_from_first_paragraph(text: str, paragraphs: Sequence[Paragraph], skips: Sequence[Skip]) -> str:
    """The article's first paragraph that is not boilerplate, white space squashed, when short; else ``""``."""
    dropped = {s.index for s in skips} if skips else ()
    for p in paragraphs:
        if p.index not in dropped:
            first = text[p.start : p.end]
            if len(first) <= TITLE_CHARS:
                return squash_spaces(first)
            break
    return ""


class _Meta(NamedTuple):
    """What a :class:`Document` is told of its text: its digest (``""``: to be made), encoding,
    warnings, title (``""``: to be found) and where it comes from.

    Passed as it is set, where a dictionary of it was read key by key and each value made a
    string or a tuple again: with the spans of an article's boilerplate gathered only when it
    has some, the 2,000 articles of the 10 MB case were made of their bytes in 90.3 ms instead
    of 95.5 ms (process time, best of 21, alternated in one process).
    """

    sha256: str
    encoding: str
    warnings: tuple[str, ...]
    title: str
    outlet: str
    date: str
    url: str


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
    return _document(
        text,
        id,
        path,
        role,
        None,
        _Meta(
            meta.get("sha256") or "",
            str(meta.get("encoding") or "utf-8"),
            tuple(meta.get("warnings") or ()),
            str(meta.get("title") or ""),
            str(meta.get("outlet") or ""),
            str(meta.get("date") or ""),
            str(meta.get("url") or ""),
        ),
    )


def _document(text: str, id: str, path: str | None, role: Role, utf8: bytes | None, meta: _Meta) -> Document:
    """:func:`document_from_text`, its arguments checked; ``utf8`` is the text's UTF-8 when the caller has it."""
    if text.startswith("\ufeff"):
        text = text[1:]
        utf8 = None
    paragraphs, lines = _paragraphs(text, role)
    skipped: tuple[tuple[int, int], ...] = ()
    title = meta.title
    if role == "article":
        skips = find_boilerplate(text, paragraphs, lines=lines, utf8=utf8)
        if skips:
            skipped = tuple([s.span for s in skips])
        if not title:
            title = _title_from_first_paragraph(text, paragraphs, skips)
    return with_fields(
        Document,
        {
            "id": id,
            "text": text,
            "path": path,
            "sha256": meta.sha256 or hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
            "encoding": meta.encoding,
            "paragraphs": paragraphs,
            "skipped": skipped,
            "warnings": meta.warnings,
            "title": title,
            "outlet": meta.outlet,
            "date": meta.date,
            "url": meta.url,
            **_DOCUMENT_DEFAULTS,
        },
    )


_FIELD_NAMES = [f.name for f in fields(Document)]
#: the fields of a :class:`Document` after ``url``, the last that :func:`_document` sets, with their defaults
_DOCUMENT_DEFAULTS = {f.name: f.default for f in fields(Document)[_FIELD_NAMES.index("url") + 1 :]}


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
    charset: str = "",
) -> Document:
    """Make a :class:`Document` of a file's bytes: decode, take an HTML page's body, split.

    ``html`` says whether the bytes are an HTML page (``None``: sniff).
    ``charset``: the charset the bytes came with (an HTTP response's
    ``Content-Type``), which goes before the one a page declares, as it
    does in a browser. Faults raise :class:`InputError` naming ``origin``
    (by default ``path``).
    """
    where = origin if origin is not None else path
    if not data:
        raise InputError(where, "empty file")
    sha = hashlib.sha256(data).hexdigest()
    # a page starts with "<" or white space: the head of a text that starts with a letter is not
    # decoded to tell (0.3 us for 1 KB, measured)
    sniffed = html is None and not data[:1].isalpha() and looks_like_html(data[:4096].decode("latin-1"))
    declared = (charset and charset_codec(charset)) or (declared_charset(data) if html or sniffed else None)
    decoded = decode_bytes(data, declared=declared, path=where)
    text = decoded.text
    notes = (*warnings, *decoded.warnings)
    if html is None:
        html = looks_like_html(text)
    if html:
        try:
            page = extract_html(text)
        except HeavyMarkup as e:
            raise InputError(where, str(e)) from None
        text = page.text
        notes += page.warnings
        title = title or page.title
        if role == "article":
            date = date or page.date
        if not text.strip():
            raise InputError(where, "no article text found in the HTML page")
    elif not text or text.isspace():  # as text.strip() would be empty, without a copy of the text
        raise InputError(where, "no text, only white space")
    if role not in ("article", "source"):
        raise ValueError(f"role must be 'article' or 'source', not {role!r}")
    # the bytes decoded as UTF-8 with nothing replaced or dropped are the text's UTF-8
    utf8 = data if not html and decoded.encoding == "utf-8" and not decoded.warnings else None
    if utf8 is not None and role == "article":
        know_read_text_sha256(text, sha)  # their digest is the text's too
    # made by tuple.__new__, without a call of the named tuple's __new__ (a function of Python): the
    # 2,000 articles of the 10 MB case made of their bytes in 657.8 M instructions instead of 660.7 M (callgrind)
    meta = new_tuple(_Meta, (sha, decoded.encoding, notes, title, outlet, date, url))
    return _document(text, id, path, role, utf8, meta)
