"""Decode the bytes of a text file: byte-order marks, UTF-16 without one,
UTF-8, a charset an HTML page declares, Windows-1252 and Latin-1.

Undecodable bytes are replaced by U+FFFD and counted in a warning, never
fatal; binary data (a known magic number, NUL bytes, mostly control
characters) raises :class:`~quoteverify.errors.InputError`.
"""

from __future__ import annotations

import codecs
import re
import threading
from dataclasses import dataclass

from quoteverify.errors import InputError
from quoteverify.models import with_fields

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
_MAGIC_NUMBERS = tuple(magic for magic, _ in _MAGIC)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_BOM_BYTES = tuple(bom for bom, _ in _BOMS)
# Code points that no text holds in quantity: C0 controls but the white
# space ones, DEL, and the C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
#: A decoded text with more than this share of control characters is binary.
CONTROL_SHARE = 0.1
#: NUL bytes in a file that is not UTF-16/32 are dropped (and counted) up to
#: this share of its bytes, more make it binary...
NUL_SHARE = 0.01
#: ... or up to this many in a short file
NUL_STRAYS = 8

_C1_BYTES = re.compile(rb"[\x80-\x9f]")
# the control characters of _CONTROL in UTF-8: C0 and DEL are bytes of their own
# (no byte under 0x80 is part of a longer sequence), C1 are 0xC2 then 0x80-0x9F
_C0_UTF8 = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])
# every other byte: deleted, the C0 controls and DEL are what is left
_NOT_C0_UTF8 = bytes(sorted(set(range(256)) - set(_C0_UTF8)))
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")
_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9._:-]+)""",
    re.IGNORECASE,
)

_counter = threading.local()


def _count_and_replace(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    _counter.bytes = getattr(_counter, "bytes", 0) + (error.end - error.start)
    return "\ufffd", error.end


codecs.register_error("quoteverify.count", _count_and_replace)


@dataclass(frozen=True)
class Decoded:
    """Text decoded from bytes, the codec used, and what went wrong on the way."""

    text: str
    encoding: str
    warnings: tuple[str, ...] = ()


def _replaced(n: int) -> tuple[str, ...]:
    if not n:
        return ()
    return (f"{n} undecodable byte{'s' if n != 1 else ''} replaced",)


def decode_replacing(data: bytes, codec: str) -> Decoded:
    """Decode with undecodable bytes replaced by U+FFFD, and a warning saying how many there were."""
    _counter.bytes = 0
    try:
        text = data.decode(codec, "quoteverify.count")
        return Decoded(text, codec, _replaced(_counter.bytes))
    finally:
        _counter.bytes = 0


def binary_kind(data: bytes) -> str | None:
    """Name the binary format of ``data`` by its magic number, or ``None``."""
    if not data.startswith(_MAGIC_NUMBERS):  # one test for the usual text
        return None
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


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML/XML page declares in its first 4 KB, as a Python codec name."""
    m = _DECLARED_CHARSET.search(data[:4096])
    if not m:
        return None
    return charset_codec((m.group(1) or m.group(2)).decode("ascii", "replace"))


def charset_codec(label: str) -> str | None:
    """The Python codec of a charset's label (a page's declaration, an HTTP ``Content-Type``'s), read as browsers read it; None for an unknown one."""
    try:
        codec = codecs.lookup(label.strip().strip("\"'").lower()).name
    except LookupError:
        return None
    # As browsers do: Latin-1 and ASCII labels mean Windows-1252, and a
    # declared UTF-16 without a byte-order mark is not believed.
    if codec in ("latin-1", "iso8859-1", "ascii"):
        return "cp1252"
    if codec.startswith(("utf-16", "utf-32")):
        return None
    return codec


def decode_bytes(data: bytes, *, declared: str | None = None, path: str | None = None) -> Decoded:
    """Decode the bytes of a text file.

    The cascade: a byte-order mark (UTF-32, UTF-8, UTF-16); UTF-16 without a
    mark when NUL bytes fall on every other byte; strict UTF-8; the
    ``declared`` charset (an HTML page's); UTF-8 with the odd bad byte
    replaced when valid multi-byte sequences outnumber bad bytes; else
    Windows-1252 when bytes 0x80-0x9F occur, Latin-1 when they do not.
    A leading byte-order mark is not part of the text. Raises
    :class:`InputError` (naming ``path``) for binary data: a known magic
    number, NUL bytes outside UTF-16/32 (more than :data:`NUL_SHARE` of
    the bytes: fewer are dropped and counted in a warning), or a text mostly
    of control characters.
    """
    kind = binary_kind(data)
    if kind:
        raise InputError(path, f"binary file ({kind}), not text")
    data, dropped = _drop_stray_nuls(data)
    decoded = _decode_cascade(data, declared)
    text = decoded.text
    if text.startswith("\ufeff"):
        text = text[1:]
    # the cascade decodes as UTF-8 only bytes without a NUL (see :func:`_decode_cascade`):
    # its text holds none, and is not looked through again (0.8 us for 1 KB, measured)
    if decoded.encoding != "utf-8" and "\x00" in text:
        raise InputError(path, "binary file (NUL bytes), not text")
    if text is decoded.text and decoded.encoding == "utf-8" and not decoded.warnings:
        # decoded as UTF-8 with nothing replaced: ``data`` is the text's UTF-8, not encoded again
        controls = _count_controls_utf8(data)
    else:
        controls = count_controls(text)
    if controls and controls > CONTROL_SHARE * len(text):
        raise InputError(path, f"binary file ({'NUL bytes' if dropped else 'control characters'}), not text")
    if text is decoded.text and not dropped:
        return decoded
    return Decoded(text, decoded.encoding, dropped + decoded.warnings)


def count_controls(text: str) -> int:
    """How many characters of ``text`` :data:`_CONTROL` matches, counted in its UTF-8 bytes.

    4x quicker than the regular expression over the text (25 ms instead of
    100 ms for the 18 MB of a 10 MB case's sources and articles, measured):
    deleting bytes and finding a two-byte sequence that opens with one byte
    are scans in C.
    """
    return _count_controls_utf8(text.encode("utf-8", "surrogatepass"))


def _count_controls_utf8(data: bytes) -> int:
    """:func:`count_controls` of the text whose UTF-8 is ``data``."""
    # the controls kept and counted, where deleting them wrote out every other byte: the 500
    # sources of the 10 MB case decoded in 10.3 ms instead of 12.3 ms, its 2,000 articles in
    # 7.1 ms instead of 7.3 ms (best of 41, alternated in one process)
    count = len(data.translate(None, _NOT_C0_UTF8))
    # every C1 control opens with 0xC2: a scan for that byte first, asked by its value (a bytes
    # object is first tried as an integer, and the error made and dropped took 400 ns instead of
    # 63 ns for a 1 KB article, measured)
    if 0xC2 in data:
        count += len(_C1_UTF8.findall(data))
    return count


def _drop_stray_nuls(data: bytes) -> tuple[bytes, tuple[str, ...]]:
    """``data`` without its NUL bytes when they are a few strays in a text (not UTF-16/32), and a warning counting them."""
    if 0 not in data:  # one scan for a byte, where counting them takes longer
        return data, ()
    nuls = data.count(0)
    if nuls > max(NUL_STRAYS, NUL_SHARE * len(data)):
        return data, ()
    if any(data.startswith(bom) for bom, codec in _BOMS if codec != "utf-8-sig") or _utf16_without_bom(data):
        return data, ()
    return data.replace(b"\x00", b""), (f"{nuls} NUL byte{'s' if nuls != 1 else ''} dropped",)


def _utf8_evidence(data: bytes) -> tuple[int, int]:
    """Count the characters of ``data`` over U+007F that decode as UTF-8, and the decoding errors."""
    text = data.decode("utf-8", "replace")
    replaced = text.count("\ufffd")
    errors = replaced - data.count(b"\xef\xbf\xbd")
    non_ascii = len(text) - len(text.encode("ascii", "ignore")) - replaced
    return non_ascii, errors


def _decode_cascade(data: bytes, declared: str | None) -> Decoded:
    """Decode ``data`` with the first codec of the cascade :func:`decode_bytes` describes that fits."""
    if data.startswith(_BOM_BYTES):
        for bom, codec in _BOMS:
            if data.startswith(bom):
                return decode_replacing(data if codec == "utf-8-sig" else data[len(bom) :], codec)
    if 0 in data:  # by the byte's value, as in _count_controls_utf8
        utf16 = _utf16_without_bom(data)
        if utf16:
            return decode_replacing(data, utf16)
        return Decoded(data.decode("latin-1"), "latin-1")  # rejected by the caller
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        # the usual text: made with its fields set at once, without the call of __init__ and
        # its setattr for each field (70.7 M -> 68.0 M instructions for decoding the 2,000
        # articles of the 10 MB case, callgrind)
        return with_fields(Decoded, {"text": text, "encoding": "utf-8", "warnings": ()})
    if declared and declared != "utf-8":
        return decode_replacing(data, declared)
    multibyte, stray = _utf8_evidence(data)
    if declared == "utf-8" or multibyte > stray:
        return decode_replacing(data, "utf-8")
    if _C1_BYTES.search(data):
        return decode_replacing(data, "cp1252")
    return Decoded(data.decode("latin-1"), "latin-1")
