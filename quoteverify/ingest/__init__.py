"""Ingest: read cases, source documents and articles into :class:`~quoteverify.models.Document` objects.

Reading a file keeps the SHA-256 of its bytes, decodes it (UTF-8 first, then
byte-order marks, a charset an HTML page declares, and Windows-1252 or
Latin-1), takes an HTML page's article body, and splits the text into
paragraphs. In an article, captions, link lists and other boilerplate are
marked as skipped. The text is never rewritten: every offset points into the
text as decoded (line breaks, ``\\r\\n`` included, are kept as they are).

Bad input raises :class:`~quoteverify.errors.InputError` naming the file and
the fault; undecodable bytes are replaced and reported in
``Document.warnings``, never fatal.

The modules, each using only those listed before it:

- :mod:`.decode`: bytes to text;
- :mod:`.html`: the article body of an HTML page (its fallback reader in :mod:`.pageparser`);
- :mod:`.boilerplate`: the captions, link lists and promos of an article;
- :mod:`.document`: a :class:`Document` of a text or of a file's bytes;
- :mod:`.inputs`: files, folders, JSON Lines files and standard input;
- :mod:`.saved`: a case's parsed ``case.toml`` and sources, saved in its ``.quoteverify`` folder;
- :mod:`.case`: a case's ``case.toml``, sources and provenance.
"""

from quoteverify.ingest.case import load_case, load_provenance, read_sources
from quoteverify.ingest.decode import CONTROL_SHARE, Decoded, binary_kind, decode_bytes
from quoteverify.ingest.document import TITLE_CHARS, Role, document_from_bytes, document_from_text, find_paragraphs
from quoteverify.ingest.html import Extracted, extract_html, looks_like_html
from quoteverify.ingest.inputs import (
    DEFAULT_MAX_BYTES,
    HTML_SUFFIXES,
    JSONL_SUFFIXES,
    STDIN,
    TEXT_SUFFIXES,
    iter_articles,
    read_article,
    read_bytes,
    read_document,
)

__all__ = [
    "CONTROL_SHARE",
    "DEFAULT_MAX_BYTES",
    "HTML_SUFFIXES",
    "JSONL_SUFFIXES",
    "STDIN",
    "TEXT_SUFFIXES",
    "TITLE_CHARS",
    "Decoded",
    "Extracted",
    "Role",
    "binary_kind",
    "decode_bytes",
    "document_from_bytes",
    "document_from_text",
    "extract_html",
    "find_paragraphs",
    "iter_articles",
    "load_case",
    "load_provenance",
    "looks_like_html",
    "read_article",
    "read_bytes",
    "read_document",
    "read_sources",
]
