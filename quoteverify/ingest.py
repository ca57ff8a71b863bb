"""Ingest: read cases, source documents and articles into :class:`Document` objects.

Reading a file keeps the SHA-256 of its bytes, decodes it (UTF-8 first, then
byte-order marks, a charset an HTML page declares, and Windows-1252 or
Latin-1), takes an HTML page's article body, and splits the text into
paragraphs. In an article, captions, link lists and other boilerplate are
marked as skipped. The text is never rewritten: every offset points into the
text as decoded (line breaks, ``\\r\\n`` included, are kept as they are).

Bad input raises :class:`~quoteverify.errors.InputError` naming the file and
the fault; undecodable bytes are replaced and reported in
``Document.warnings``, never fatal.
"""

from __future__ import annotations

import codecs
import datetime as _dt
import gzip
import hashlib
import json
import os
import re
import stat
import sys
import threading
import tomllib
import unicodedata
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import IO, Any, Literal

from ._boilerplate import find_boilerplate
from .errors import InputError
from .models import (
    ArticleRef,
    Case,
    Document,
    EditorialChoice,
    Paragraph,
    ParagraphWitnesses,
    Provenance,
    Reading,
    SourceInfo,
)

Role = Literal["article", "source"]

#: The largest file read by default (16 MiB).
DEFAULT_MAX_BYTES = 16 * 2**20
#: Suffixes of the files a directory given as input contributes.
TEXT_SUFFIXES = (".txt", ".text", ".md", ".html", ".htm", ".jsonl", ".jsonl.gz")
HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")
#: A title guessed from an article's first paragraph is at most this long.
TITLE_CHARS = 200

# Magic numbers of binary formats that are sometimes saved under a text name.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"PK\x03\x04", "ZIP"),
    (b"PK\x05\x06", "ZIP"),
    (b"PK\x07\x08", "ZIP"),
    (b"\x1f\x8b", "gzip"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE, an old Office document"),
    (b"\x7fELF", "ELF"),
    (b"SQLite format 3\x00", "SQLite"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# Code points that no text holds in quantity: C0 controls but the white
# space ones, DEL, and the C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
#: A decoded text with more than this share of control characters is binary.
CONTROL_SHARE = 0.1

_C1_BYTES = re.compile(rb"[\x80-\x9f]")
_LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")
_HTML_START = re.compile(
    r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b",
    re.IGNORECASE | re.DOTALL,
)
_HTML_FRAGMENT = re.compile(r"\A\s*<(p|div|article|section|main|h[1-6]|table)\b[^>]*>", re.IGNORECASE)
_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9._:-]+)""",
    re.IGNORECASE,
)

# --------------------------------------------------------------------------- decoding

_counter = threading.local()


def _count_and_replace(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    _counter.bytes = getattr(_counter, "bytes", 0) + (error.end - error.start)
    return "\ufffd", error.end


codecs.register_error("quoteverify.count", _count_and_replace)


def _decode_counting(data: bytes, encoding: str) -> tuple[str, int]:
    """Decode with undecodable bytes replaced by U+FFFD; return the text and their count."""
    _counter.bytes = 0
    try:
        text = data.decode(encoding, "quoteverify.count")
        return text, _counter.bytes
    finally:
        _counter.bytes = 0


@dataclass(frozen=True)
class Decoded:
    """Text decoded from bytes, the codec used, and what went wrong on the way."""

    text: str
    encoding: str
    warnings: tuple[str, ...] = ()


def binary_kind(data: bytes) -> str | None:
    """Name the binary format of ``data`` by its magic number, or ``None``."""
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    """Guess UTF-16 without a byte-order mark from where its NUL bytes fall."""
    if len(data) < 4 or len(data) % 2:
        return None
    half = len(data) // 2
    even, odd = data[0::2].count(0), data[1::2].count(0)
    if odd >= 0.5 * half and even <= 0.02 * half:
        return "utf-16-le"
    if even >= 0.5 * half and odd <= 0.02 * half:
        return "utf-16-be"
    return None


def _declared_charset(data: bytes) -> str | None:
    """The charset an HTML/XML page declares in its first 4 KB, as a Python codec name."""
    m = _DECLARED_CHARSET.search(data[:4096])
    if not m:
        return None
    name = (m.group(1) or m.group(2)).decode("ascii", "replace").strip().lower()
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    # As browsers do: Latin-1 and ASCII labels mean Windows-1252, and a
    # declared UTF-16 without a byte-order mark is not believed.
    if codec in ("latin-1", "iso8859-1", "ascii"):
        return "cp1252"
    if codec.startswith(("utf-16", "utf-32")):
        return None
    return codec


def _replaced(n: int) -> tuple[str, ...]:
    if not n:
        return ()
    return (f"{n} undecodable byte{'s' if n != 1 else ''} replaced",)


def decode_bytes(data: bytes, *, declared: str | None = None, path: str | None = None) -> Decoded:
    """Decode the bytes of a text file.

    The cascade: a byte-order mark (UTF-32, UTF-8, UTF-16); UTF-16 without a
    mark when NUL bytes fall on every other byte; strict UTF-8; the
    ``declared`` charset (an HTML page's); UTF-8 with the odd bad byte
    replaced when valid multi-byte sequences outnumber bad bytes; else
    Windows-1252 when bytes 0x80-0x9F occur, Latin-1 when they do not.
    A leading byte-order mark is not part of the text. Raises
    :class:`InputError` (naming ``path``) for binary data: a known magic
    number, NUL bytes outside UTF-16/32, or a text mostly of control
    characters.
    """
    kind = binary_kind(data)
    if kind:
        raise InputError(path, f"binary file ({kind}), not text")
    decoded = _decode(data, declared)
    text = decoded.text
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        raise InputError(path, "binary file (NUL bytes), not text")
    controls = len(_CONTROL.findall(text))
    if controls and controls > CONTROL_SHARE * len(text):
        raise InputError(path, "binary file (control characters), not text")
    return Decoded(text, decoded.encoding, decoded.warnings)


def _utf8_evidence(data: bytes) -> tuple[int, int]:
    """Count the characters of ``data`` over U+007F that decode as UTF-8, and the decoding errors."""
    text = data.decode("utf-8", "replace")
    replaced = text.count("\ufffd")
    errors = replaced - data.count(b"\xef\xbf\xbd")
    non_ascii = len(text) - len(text.encode("ascii", "ignore")) - replaced
    return non_ascii, errors


def _decode(data: bytes, declared: str | None) -> Decoded:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            body = data if codec == "utf-8-sig" else data[len(bom) :]
            text, bad = _decode_counting(body, codec)
            return Decoded(text, codec, _replaced(bad))
    if b"\x00" in data:
        codec = _utf16_without_bom(data)
        if codec:
            text, bad = _decode_counting(data, codec)
            return Decoded(text, codec, _replaced(bad))
        return Decoded(data.decode("latin-1"), "latin-1")  # rejected by the caller
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    if declared and declared != "utf-8":
        text, bad = _decode_counting(data, declared)
        return Decoded(text, declared, _replaced(bad))
    multibyte, stray = _utf8_evidence(data)
    if declared == "utf-8" or multibyte > stray:
        text, bad = _decode_counting(data, "utf-8")
        return Decoded(text, "utf-8", _replaced(bad))
    if _C1_BYTES.search(data):
        text, bad = _decode_counting(data, "cp1252")
        return Decoded(text, "cp1252", _replaced(bad))
    return Decoded(data.decode("latin-1"), "latin-1")


# --------------------------------------------------------------------------- HTML


def looks_like_html(text: str) -> bool:
    """Whether a text starts as an HTML page (a doctype, ``<html>``, ``<head>``, ``<body>``)
    or a fragment of one (``<p>``, ``<div>``, ``<article>``... closed further on) does."""
    head = text[:4096]
    if _HTML_START.match(head):
        return True
    m = _HTML_FRAGMENT.match(head)
    return bool(m) and f"</{m.group(1).lower()}>" in text[:65536].lower()


@dataclass(frozen=True)
class Extracted:
    """The article body of an HTML page, with the metadata found in it."""

    text: str
    title: str = ""
    date: str = ""
    warnings: tuple[str, ...] = ()


class _ParagraphParser(HTMLParser):
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


def _extract_paragraphs(html: str) -> Extracted:
    parser = _ParagraphParser()
    parser.feed(html)
    parser.close()
    title = " ".join((parser.h1 or parser.title).split())
    return Extracted("\n".join(parser.paragraphs), title)


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


def extract_html(html: str) -> Extracted:
    """Take the article body of an HTML page, leaving navigation, promos and footers out.

    Uses trafilatura (paragraphs separated by ``"\\n"``, title and date from
    the page's metadata); without it, or when it finds no body, the text of
    the page's ``<p>`` elements outside navigation, headers, footers, asides
    and figures, with a warning saying so.
    """
    trafilatura = _load_trafilatura()
    if isinstance(trafilatura, str):
        found = _extract_paragraphs(html)
        note = f"trafilatura cannot be imported ({trafilatura}): article text taken from the <p> elements"
        return Extracted(found.text, found.title, "", (note,))
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


# --------------------------------------------------------------------------- paragraphs


def _lines(text: str) -> list[tuple[int, int, bool]]:
    """The non-blank lines of ``text``, trimmed: ``(start, end, blank line before it)``."""
    out: list[tuple[int, int, bool]] = []
    start = 0
    blank_before = False
    ends = [(m.start(), m.end()) for m in _LINE_BREAK.finditer(text)]
    ends.append((len(text), len(text)))
    for brk_start, brk_end in ends:
        line = text[start:brk_start]
        stripped = line.strip()
        if stripped:
            a = start + (len(line) - len(line.lstrip()))
            b = a + len(stripped)
            out.append((a, b, blank_before and bool(out)))
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
    if role == "article" or not any(blank for _, _, blank in lines):
        return tuple(Paragraph(i, a, b) for i, (a, b, _) in enumerate(lines))
    blocks: list[list[int]] = []
    for a, b, blank in lines:
        if blank or not blocks:
            blocks.append([a, b])
        else:
            blocks[-1][1] = b
    return tuple(Paragraph(i, a, b) for i, (a, b) in enumerate(blocks))


# --------------------------------------------------------------------------- documents

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
            dropped = {s.index for s in skips}
            for p in paragraphs:
                if p.index not in dropped:
                    first = text[p.start : p.end]
                    if len(first) <= TITLE_CHARS:
                        title = " ".join(first.split())
                    break
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
    declared = _declared_charset(data) if html or (html is None and looks_like_html(head)) else None
    decoded = decode_bytes(data, declared=declared, path=where)
    text = decoded.text
    notes = list(warnings) + list(decoded.warnings)
    if html is None:
        html = looks_like_html(text)
    if html:
        page = extract_html(text)
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


def _size(n: int) -> str:
    for unit, scale in (("MB", 2**20), ("KB", 2**10)):
        if n >= scale:
            return f"{n / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} byte{'s' if n != 1 else ''}"


def _os_fault(e: OSError) -> str:
    if isinstance(e, FileNotFoundError):
        return "no such file"
    if isinstance(e, IsADirectoryError):
        return "is a directory, not a file"
    if isinstance(e, NotADirectoryError):
        return "no such file (a part of the path is not a directory)"
    if isinstance(e, PermissionError):
        return "cannot read file (permission denied)"
    return f"cannot read file ({e.strerror or type(e).__name__})"


def read_bytes(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES, origin: str | None = None) -> bytes:
    """Read a file's bytes (read-only), refusing directories, empty files and files over ``max_bytes``."""
    where = origin if origin is not None else str(path)
    try:
        st = os.stat(path)
    except OSError as e:
        raise InputError(where, _os_fault(e)) from None
    except ValueError as e:  # a NUL byte in the path
        raise InputError(where, f"bad file name ({e})") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(where, "is a directory, not a file")
    if stat.S_ISREG(st.st_mode):
        if st.st_size > max_bytes:
            raise InputError(where, f"{_size(st.st_size)}, over the {_size(max_bytes)} limit")
        if st.st_size == 0:
            raise InputError(where, "empty file")
    try:
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as e:
        raise InputError(where, _os_fault(e)) from None
    if len(data) > max_bytes:
        raise InputError(where, f"over the {_size(max_bytes)} limit")
    if not data:
        raise InputError(where, "empty file")
    return data


def _stem(name: str) -> str:
    base = os.path.basename(name.rstrip("/\\")) or name
    low = base.lower()
    for suffix in (".jsonl.gz",):
        if low.endswith(suffix) and len(base) > len(suffix):
            return unicodedata.normalize("NFC", base[: -len(suffix)])
    return unicodedata.normalize("NFC", Path(base).stem or base)


def _is_html_name(name: str) -> bool | None:
    return True if name.lower().endswith(HTML_SUFFIXES) else None


def read_document(
    path: str | Path,
    *,
    id: str | None = None,
    outlet: str = "",
    date: str = "",
    url: str = "",
    title: str = "",
    role: Role = "article",
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Document:
    """Read a text or HTML file into a :class:`Document`.

    ``id`` defaults to the file's stem; ``Document.path`` is ``path`` as given.
    An ``.html``/``.htm`` file, or a file whose content starts as HTML, is
    reduced to its article body (see :func:`extract_html`). Raises
    :class:`InputError` for a missing, unreadable, empty, binary or too large
    file.
    """
    shown = str(path)
    return _read_file(
        Path(path),
        shown,
        shown,
        id=id if id is not None else _stem(shown),
        outlet=outlet,
        date=date,
        url=url,
        title=title,
        role=role,
        max_bytes=max_bytes,
    )


def _read_file(
    real: Path,
    shown: str,
    doc_path: str,
    *,
    id: str,
    role: Role,
    max_bytes: int = DEFAULT_MAX_BYTES,
    **meta: str,
) -> Document:
    data = read_bytes(real, max_bytes=max_bytes, origin=shown)
    return document_from_bytes(
        data, id=id, path=doc_path, role=role, html=_is_html_name(shown), origin=shown, **meta
    )


# --------------------------------------------------------------------------- cases


def _toml(path: Path, shown: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise InputError(shown, f"TOML syntax error: {' '.join(str(e).split())}") from None
    except UnicodeDecodeError:
        raise InputError(shown, "TOML syntax error: not UTF-8") from None
    except OSError as e:
        raise InputError(shown, _os_fault(e)) from None


class _Table:
    """A TOML table being validated: typed getters whose faults name the file and the place."""

    def __init__(self, data: Any, shown: str, where: str) -> None:
        self.shown = shown
        self.where = where
        if not isinstance(data, dict):
            raise self.fault(f"expected a table, got {_type(data)}")
        self.data = data

    def fault(self, message: str) -> InputError:
        return InputError(self.shown, f"{self.where}: {message}" if self.where else message)

    def get_str(self, key: str, default: str | None = None) -> str:
        if key not in self.data:
            if default is None:
                raise self.fault(f'missing key "{key}"')
            return default
        value = self.data[key]
        if isinstance(value, (_dt.date, _dt.datetime, _dt.time)):
            return value.isoformat()
        if not isinstance(value, str):
            raise self.fault(f'"{key}" must be a string, not {_type(value)}')
        return value

    def get_int(self, key: str) -> int:
        if key not in self.data:
            raise self.fault(f'missing key "{key}"')
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fault(f'"{key}" must be an integer, not {_type(value)}')
        return value

    def get_strs(self, key: str, default: tuple[str, ...] | None = None) -> tuple[str, ...]:
        if key not in self.data:
            if default is None:
                raise self.fault(f'missing key "{key}"')
            return default
        value = self.data[key]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fault(f'"{key}" must be a list of strings')
        return tuple(value)

    def tables(self, key: str, *, required: bool = False) -> list[_Table]:
        if key not in self.data:
            if required:
                raise self.fault(f"no [[{key}]] table")
            return []
        value = self.data[key]
        if not isinstance(value, list):
            raise self.fault(f'"{key}" must be an array of tables ([[{key}]]), not {_type(value)}')
        if required and not value:
            raise self.fault(f"no [[{key}]] table")
        prefix = f"{self.where}." if self.where else ""
        return [_Table(v, self.shown, f"{prefix}{key}[{i}]") for i, v in enumerate(value)]


def _type(value: Any) -> str:
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "a boolean",
        list: "an array",
        dict: "a table",
    }
    return names.get(type(value), type(value).__name__)


def _reading(table: _Table, text_key: str = "text") -> Reading:
    return Reading(table.get_str(text_key), table.get_strs("witnesses"))


def load_provenance(path: str | Path, *, paragraphs: int | None = None) -> Provenance:
    """Read a provenance TOML file (``method``, ``[[paragraph]]``, ``[[reading]]``, ``[[unplaced]]``).

    With ``paragraphs`` (the source's paragraph count), paragraph indices
    outside the source are faults.
    """
    shown = str(path)
    top = _Table(_toml(Path(path), shown), shown, "")

    def index(t: _Table, key: str) -> int:
        i = t.get_int(key)
        if i < 0 or (paragraphs is not None and i >= paragraphs):
            raise t.fault(f'"{key}" is {i}, but the source has paragraphs 0 to {(paragraphs or 0) - 1}')
        return i

    witnesses = tuple(
        ParagraphWitnesses(index(t, "index"), t.get_strs("witnesses"), t.get_str("note", "").strip())
        for t in top.tables("paragraph")
    )
    choices = []
    for t in top.tables("reading"):
        rejected = tuple(_reading(r) for r in t.tables("rejected"))
        choices.append(
            EditorialChoice(
                index(t, "paragraph"),
                Reading(t.get_str("chosen"), t.get_strs("witnesses")),
                rejected,
                t.get_str("reason", "").strip(),
            )
        )
    unplaced = tuple(
        EditorialChoice(
            None,
            _reading(t),
            tuple(_reading(r) for r in t.tables("rejected")),
            t.get_str("reason", "").strip(),
        )
        for t in top.tables("unplaced")
    )
    return Provenance(
        method=top.get_str("method", "").strip(),
        paragraphs=witnesses,
        choices=tuple(choices),
        unplaced=unplaced,
    )


def _under(root: Path, rel: str) -> Path:
    p = Path(rel)
    return p if p.is_absolute() else root / p


def read_sources(paths: Sequence[str | Path]) -> tuple[SourceInfo, ...]:
    """Read source files for ad hoc use: ids from the file names, made unique (``a``, ``a-2``...)."""
    seen: set[str] = set()
    out = []
    for path in paths:
        stem = Path(path).stem or "source"
        ident, n = stem, 1
        while ident in seen:
            n += 1
            ident = f"{stem}-{n}"
        seen.add(ident)
        out.append(SourceInfo(read_document(path, id=ident, role="source")))
    return tuple(out)


def load_case(case_dir: str | Path) -> Case:
    """Read and check a case directory: ``case.toml``, its sources (read now) and its articles (named).

    ``case_dir`` may also be the path of the ``case.toml`` itself. The case
    id is the ``id`` key or the directory's name. Sources are read with
    ``role="source"`` and their provenance; articles become
    :class:`ArticleRef` objects with their paths as given in ``case.toml``
    (relative to the case directory). Every fault, a missing ``case.toml``,
    a syntax error, a missing key, a listed file that does not exist, a
    duplicate id, raises :class:`InputError` naming the file.
    """
    given = str(case_dir)
    root = Path(case_dir)
    if root.is_file() and root.suffix.lower() == ".toml":
        toml_path = root
        given = str(root.parent)
        root = root.parent
    else:
        if not root.exists():
            raise InputError(given, "no such case directory")
        if not root.is_dir():
            raise InputError(given, "not a case directory (expected a directory holding case.toml)")
        toml_path = root / "case.toml"
    shown = str(toml_path)
    if not toml_path.is_file():
        raise InputError(shown, "no such file" if not toml_path.exists() else "not a file")
    top = _Table(_toml(toml_path, shown), shown, "")
    case_id = top.get_str("id", "") or os.path.basename(os.path.abspath(root))
    seen: set[str] = set()

    def new_id(t: _Table) -> str:
        ident = t.get_str("id")
        if not ident.strip():
            raise t.fault('"id" is empty')
        if ident in seen:
            raise t.fault(f'duplicate id "{ident}"')
        seen.add(ident)
        return ident

    def existing(t: _Table, key: str, what: str, ident: str) -> str:
        rel = t.get_str(key)
        target = _under(root, rel)
        if not target.is_file():
            fault = "is a directory, not a file" if target.is_dir() else "no such file"
            raise InputError(str(target), f'{fault} ({what} "{ident}" in {toml_path.name})')
        return rel

    source_tables = top.tables("sources", required=True)
    article_tables = top.tables("articles")
    planned = []
    for t in source_tables:
        ident = new_id(t)
        rel = existing(t, "path", "source", ident)
        prov = existing(t, "provenance", "provenance of source", ident) if "provenance" in t.data else None
        planned.append((t, ident, rel, prov))
    articles = []
    for t in article_tables:
        ident = new_id(t)
        rel = existing(t, "path", "article", ident)
        articles.append(
            ArticleRef(
                ident,
                rel,
                outlet=t.get_str("outlet", ""),
                date=t.get_str("date", ""),
                url=t.get_str("url", ""),
            )
        )
    sources = []
    for t, ident, rel, prov in planned:
        doc = _read_file(
            _under(root, rel),
            str(_under(root, rel)),
            rel,
            id=ident,
            role="source",
            title=t.get_str("title", ""),
            date=t.get_str("date", ""),
            url=t.get_str("url", ""),
        )
        provenance = (
            load_provenance(_under(root, prov), paragraphs=len(doc.paragraphs)) if prov else Provenance()
        )
        sources.append(SourceInfo(doc, provenance))
    return Case(
        id=case_id,
        title=top.get_str("title", "") or case_id,
        sources=tuple(sources),
        articles=tuple(articles),
        root=given,
        date=top.get_str("date", ""),
        description=top.get_str("description", "").strip(),
    )


# --------------------------------------------------------------------------- ad hoc articles


def _suffix_ok(name: str) -> bool:
    return name.lower().endswith(TEXT_SUFFIXES)


def _is_jsonl(name: str) -> bool:
    return name.lower().endswith(JSONL_SUFFIXES)


def _walk(directory: str, seen: frozenset[str] = frozenset()) -> Iterator[str]:
    """Files with a text suffix under ``directory``, recursively, in sorted path order.

    Hidden names are skipped; a linked directory already being walked is not
    walked again.
    """
    real = os.path.realpath(directory)
    if real in seen:
        return
    seen = seen | {real}
    try:
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as e:
        raise InputError(directory, f"cannot list directory ({e.strerror or type(e).__name__})") from None
    for entry in entries:
        if entry.name.startswith("."):
            continue
        full = os.path.join(directory, entry.name)
        try:
            is_dir = entry.is_dir()
        except OSError:
            continue
        if is_dir:
            yield from _walk(full, seen)
        elif _suffix_ok(entry.name):
            yield full


def _open_jsonl(path: str | Path) -> IO[bytes]:
    if str(path).lower().endswith(".gz"):
        return gzip.open(path, "rb")
    return open(path, "rb")


_STREAM_ERRORS = (OSError, EOFError, zlib.error)


class _LineTooLong(ValueError):
    """A JSON line over the size limit (its bytes were skipped, not kept)."""

    def __init__(self, size: int | None, limit: int) -> None:
        what = f"line of {_size(size)}" if size is not None else "line"
        super().__init__(f"{what}, over the {_size(limit)} limit")
        self.size = size or 0


def _read_line(stream: IO[bytes], limit: int | None = None) -> bytes | _LineTooLong:
    """Read one line, keeping at most ``limit`` bytes of it in memory.

    A longer line is read to its end and thrown away: the result is then a
    :class:`_LineTooLong` whose ``size`` says how many bytes it had.
    """
    if limit is None:
        limit = DEFAULT_MAX_BYTES
    raw = stream.readline(limit + 1)
    if len(raw) <= limit or raw.endswith(b"\n"):
        return raw
    size = len(raw)
    while True:
        more = stream.readline(2**20)
        size += len(more)
        if not more or more.endswith(b"\n"):
            return _LineTooLong(size, limit)


def _jsonl_lines(stream: IO[bytes]) -> Iterator[tuple[int, int, bytes | Exception]]:
    """``(line number, byte offset, line)`` for each non-blank line; a read failure ends it with the error."""
    lineno = 0
    offset = 0
    while True:
        try:
            raw = _read_line(stream)
        except _STREAM_ERRORS as e:
            yield lineno + 1, offset, e
            return
        if isinstance(raw, _LineTooLong):
            lineno += 1
            yield lineno, offset, raw
            offset += raw.size
            continue
        if not raw:
            return
        lineno += 1
        if raw.strip():
            yield lineno, offset, raw
        offset += len(raw)


@dataclass(frozen=True)
class _Member:
    id: str | None
    title: str
    outlet: str
    date: str
    url: str
    text: str | None
    html: str | None


def _parse_member(raw: bytes | Exception, where: str) -> tuple[_Member, tuple[str, ...]]:
    """Parse one JSON line; raise :class:`InputError` naming ``where`` when it is bad."""
    if isinstance(raw, _LineTooLong):
        raise InputError(where, str(raw))
    if isinstance(raw, Exception):
        reason = str(raw) or type(raw).__name__
        raise InputError(where, f"cannot read ({reason})")
    line, bad = _decode_counting(raw, "utf-8")
    warnings = _replaced(bad)
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        raise InputError(where, f"not JSON ({e.msg} at column {e.colno})") from None
    except RecursionError:
        raise InputError(where, "not JSON (nested too deeply)") from None
    if not isinstance(obj, dict):
        raise InputError(where, f"not a JSON object but {_json_type(obj)}")
    fields: dict[str, str | None] = {}
    for key in ("id", "title", "outlet", "date", "url", "text", "html"):
        value = obj.get(key)
        if value is not None and not isinstance(value, str):
            raise InputError(where, f'"{key}" must be a string, not {_json_type(value)}')
        fields[key] = value
    if fields["text"] is None and fields["html"] is None:
        raise InputError(where, 'no "text" or "html" field')
    member = _Member(
        fields["id"] or None,
        fields["title"] or "",
        fields["outlet"] or "",
        fields["date"] or "",
        fields["url"] or "",
        fields["text"],
        fields["html"],
    )
    return member, warnings


def _json_type(value: Any) -> str:
    names = {
        dict: "an object",
        list: "an array",
        str: "a string",
        int: "a number",
        float: "a number",
        bool: "a boolean",
        type(None): "null",
    }
    return names.get(type(value), type(value).__name__)


class _Ids:
    """Make ids unique in the order they come: ``x``, ``x-2``, ``x-3``..."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def __call__(self, wanted: str) -> str:
        wanted = wanted or "article"
        ident, n = wanted, 1
        while ident in self.seen:
            n += 1
            ident = f"{wanted}-{n}"
        self.seen.add(ident)
        return ident


def _member_ref(
    raw: bytes | Exception,
    path: str,
    stem: str,
    lineno: int,
    offset: int | None,
    ids: _Ids,
    data: bytes | None = None,
) -> ArticleRef:
    where = f"{path} line {lineno}"
    try:
        member, _ = _parse_member(raw, where)
    except InputError:
        return ArticleRef(ids(f"{stem}-{lineno}"), path, line=lineno, offset=offset, data=data)
    return ArticleRef(
        ids(member.id or f"{stem}-{lineno}"),
        path,
        outlet=member.outlet,
        date=member.date,
        url=member.url,
        line=lineno,
        offset=offset,
        data=data,
    )


def _iter_jsonl(path: str, ids: _Ids) -> Iterator[ArticleRef]:
    stem = _stem(path)
    try:
        stream = _open_jsonl(path)
    except OSError:  # read_article names the fault
        yield ArticleRef(ids(stem), path)
        return
    with stream:
        for lineno, offset, raw in _jsonl_lines(stream):
            yield _member_ref(raw, path, stem, lineno, offset, ids)


STDIN = "<stdin>"


def _iter_stdin(ids: _Ids, stream: IO[bytes]) -> Iterator[ArticleRef]:
    """Standard input: JSON Lines if its first non-blank byte is ``{``, else one article.

    Each reference carries its bytes; a JSON line over the size limit, which
    cannot be kept, carries none (``b""``, which no kept line is).
    """
    prefix = b""
    while True:
        byte = stream.read(1)
        prefix += byte
        if not byte or not byte.isspace():
            break
    if byte != b"{":
        rest = stream.read(DEFAULT_MAX_BYTES + 1 - len(prefix)) if byte else b""
        yield ArticleRef(ids("stdin"), STDIN, data=prefix + rest)
        return
    lineno = prefix.count(b"\n")
    raw: bytes | _LineTooLong | None = None
    while True:
        try:
            raw = _read_line(stream)
        except _STREAM_ERRORS:
            return
        if prefix:
            raw = prefix + raw if isinstance(raw, bytes) else raw
            prefix = b""
        if isinstance(raw, _LineTooLong):
            lineno += 1
            yield ArticleRef(ids(f"stdin-{lineno}"), STDIN, line=lineno, data=b"")
            continue
        if not raw:
            return
        lineno += 1
        if raw.strip():
            yield _member_ref(raw, STDIN, "stdin", lineno, None, ids, data=raw)


def iter_articles(inputs: Sequence[str], *, stdin: IO[bytes] | None = None) -> Iterator[ArticleRef]:
    """Name the articles of ad hoc inputs, lazily, in order.

    Each input is a file, a directory (its ``.txt .text .md .html .htm
    .jsonl .jsonl.gz`` files, recursively, in sorted order, hidden names
    skipped), a JSON Lines file (``.jsonl``, ``.jsonl.gz``: one article per
    line, ``{"id", "outlet", "date", "url", "text" | "html"}``) or ``"-"``
    for standard input (read once: JSON Lines if it starts with ``{``, else
    one article). Ids come from the file stem or the member's ``id``, made
    unique with ``-2``, ``-3``. Nothing is read but JSON Lines metadata; a
    missing file or a bad JSON line still yields a reference, whose
    :func:`read_article` raises the :class:`InputError`.
    """
    ids = _Ids()
    stdin_read = False
    for given in inputs:
        if given == "-":
            if not stdin_read:
                stdin_read = True
                yield from _iter_stdin(ids, stdin if stdin is not None else sys.stdin.buffer)
            continue
        if os.path.isdir(given):
            files: Iterator[str] = _walk(given)
        else:
            files = iter((given,))
        for path in files:
            if _is_jsonl(path) and os.path.isfile(path):
                yield from _iter_jsonl(path, ids)
            else:
                yield ArticleRef(ids(_stem(path)), path)


class _GzipCursor:
    """The last JSON Lines gzip stream read from, so that reading its members in order is linear."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.key: tuple[str, int, int] | None = None
        self.stream: IO[bytes] | None = None

    def line_at(self, path: Path, offset: int) -> bytes | _LineTooLong:
        st = os.stat(path)
        key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
        with self.lock:
            if self.stream is None or self.key != key or self.stream.tell() > offset:
                if self.stream is not None:
                    self.stream.close()
                self.stream = None
                self.stream = gzip.open(path, "rb")
                self.key = key
            try:
                self.stream.seek(offset)
                return _read_line(self.stream)
            except BaseException:
                self.stream.close()
                self.stream = None
                raise


_gzip_cursor = _GzipCursor()


def _member_bytes(path: Path, ref: ArticleRef) -> bytes | Exception:
    """The bytes of a JSON Lines member, found by offset (or by counting lines)."""
    if ref.offset is not None:
        try:
            if str(path).lower().endswith(".gz"):
                return _gzip_cursor.line_at(path, ref.offset)
            with open(path, "rb") as f:
                f.seek(ref.offset)
                return _read_line(f)
        except _STREAM_ERRORS as e:
            return e
    try:
        with _open_jsonl(path) as stream:
            for lineno, _, raw in _jsonl_lines(stream):
                if lineno == ref.line or isinstance(raw, Exception):
                    return raw
    except _STREAM_ERRORS as e:
        return e
    return b""


def read_article(
    ref: ArticleRef, *, root: str | Path | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Document:
    """Read the article a reference names (a file, a JSON Lines member, or standard input).

    A relative path is resolved against ``root`` (a case directory);
    ``Document.path`` keeps the path as the reference gives it (for a JSON
    Lines member: ``"<path>:<line>"``). Raises :class:`InputError` naming the
    file (and line) for any fault.
    """
    base = Path(root) if root is not None else None
    real = Path(ref.path) if base is None else _under(base, ref.path)
    shown = str(real)
    meta = dict(outlet=ref.outlet, date=ref.date, url=ref.url)
    if ref.line is not None:
        where = f"{ref.path if base is None else shown} line {ref.line}"
        if ref.data is not None:
            raw: bytes | Exception = ref.data or _LineTooLong(None, DEFAULT_MAX_BYTES)
        else:
            if not real.is_file():
                raise InputError(shown, "no such file" if not real.exists() else "not a file")
            raw = _member_bytes(real, ref)
        if not isinstance(raw, Exception) and not raw.strip():
            raise InputError(where, "no such line (the file has changed)")
        member, warnings = _parse_member(raw, where)
        doc_path = f"{ref.path}:{ref.line}"
        if member.text is not None:
            text, html, field_name = member.text, False, "text"
        else:
            text, html, field_name = member.html or "", True, "html"
        if not text.strip():
            raise InputError(where, f'empty "{field_name}"')
        data = text.encode("utf-8", "surrogatepass")
        if len(data) > max_bytes:
            raise InputError(where, f"{_size(len(data))}, over the {_size(max_bytes)} limit")
        return document_from_bytes(
            data,
            id=ref.id,
            path=doc_path,
            role="article",
            html=html,
            origin=where,
            warnings=warnings,
            title=member.title,
            outlet=ref.outlet or member.outlet,
            date=ref.date or member.date,
            url=ref.url or member.url,
        )
    if ref.data is not None:
        if len(ref.data) > max_bytes:
            raise InputError(ref.path, f"over the {_size(max_bytes)} limit")
        return document_from_bytes(
            ref.data, id=ref.id, path=ref.path, role="article", origin=ref.path, **meta
        )
    return _read_file(real, shown, ref.path, id=ref.id, role="article", max_bytes=max_bytes, **meta)
