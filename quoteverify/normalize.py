"""Normalisation: fold typography, never wording, and keep a map back to the original.

Two public functions:

- :func:`fold` folds a whole text (quote-mark and dash forms, compatibility
  forms, invisible characters, runs of white space and line breaks) and
  returns a :class:`Folded` that maps every folded span back to the original.
- :func:`tokenize` splits a text into word and punctuation :class:`Token` s,
  each with its surface form, its folded form and its original offsets.

Folding never changes letters: case is kept, and a Cyrillic letter that looks
like a Latin one stays Cyrillic (that is a variant, found by classify).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import regex

from collections.abc import Sequence

from quoteverify.models import Segment, Span, Token

# Characters dropped entirely: zero-width spaces and joiners, word joiner,
# BOM, soft hyphen, bidi marks.
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u180e")

_TYPOGRAPHY = {
    # single quotes and apostrophes
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u02bc": "'", "\u02bb": "'", "\u0060": "'", "\u00b4": "'",
    # double quotes
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"', "\u2039": "'", "\u203a": "'",
    # dashes and minus
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u2015": "-", "\u2212": "-", "\ufe58": "-", "\ufe63": "-", "\uff0d": "-",
    # ellipsis
    "\u2026": "...",
}


@lru_cache(maxsize=65536)
def fold_char(ch: str) -> str:
    """The folded form of one character ('' for an invisible one, ' ' for any space)."""
    if ch in INVISIBLE:
        return ""
    if ch in _TYPOGRAPHY:
        return _TYPOGRAPHY[ch]
    if ch.isspace():
        return " "
    if ch.isascii():
        return ch
    folded = unicodedata.normalize("NFKC", ch)
    if folded.isspace():
        return " "
    return "".join(_TYPOGRAPHY.get(c, c) for c in folded)


@dataclass(frozen=True)
class Folded:
    """A folded text with, for every folded character, the original span it came from.

    ``starts[i]``/``ends[i]`` delimit the original characters that produced
    folded character ``i``. A run of white space folds to one space whose
    origin is the whole run.
    """

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def to_original(self, start: int, end: int) -> Span:
        """Map a half-open span of the folded text back to the original text."""
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span {(start, end)} outside folded text of length {len(self.text)}")
        if start == end:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return (pos, pos)
        return (self.starts[start], self.ends[end - 1])


def fold(text: str) -> Folded:
    """Fold the typography of ``text``, keeping an exact map back to it.

    Combining sequences are composed (NFC) cluster by cluster so that "e" +
    combining acute and "é" fold alike.
    """
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        j = i + 1
        if not ch.isspace() and (not ch.isascii() or (j < n and not text[j].isascii())):
            # extend over combining marks so the cluster composes as a unit
            while j < n and unicodedata.combining(text[j]):
                j += 1
        if j - i > 1:
            unit = unicodedata.normalize("NFKC", text[i:j])
            piece = "".join(fold_char(c) for c in unit)
        else:
            piece = fold_char(ch)
        if piece == " ":
            if out and out[-1] == " ":
                ends[-1] = j
            else:
                out.append(" ")
                starts.append(i)
                ends.append(j)
        else:
            for c in piece:
                if c.isspace():
                    c = " "
                    if out and out[-1] == " ":
                        ends[-1] = j
                        continue
                out.append(c)
                starts.append(i)
                ends.append(j)
        i = j
    return Folded(text, "".join(out), tuple(starts), tuple(ends))


_INVIS = "".join(sorted(INVISIBLE))
_APOS = "'\u2019\u02bc\u2018"
_HYPH = "\\-\u2010\u2011"
# A word: letters, digits and marks, possibly joined by an apostrophe or a
# hyphen, with invisible characters allowed inside.
_WORD = rf"[\p{{L}}\p{{N}}\p{{M}}](?:[\p{{L}}\p{{N}}\p{{M}}{_INVIS}]|[{_APOS}{_HYPH}.](?=[\p{{L}}\p{{N}}]))*"
_TOKEN = regex.compile(rf"(?P<w>{_WORD})|(?P<e>\.\.\.|\. \. \.|\u2026)|(?P<p>[^\s{_INVIS}])", regex.V1)


@lru_cache(maxsize=1 << 16)
def fold_token(text: str) -> str:
    """The folded form of a token's surface text."""
    return "".join(fold_char(c) for c in unicodedata.normalize("NFC", text)).replace(" ", "")


def tokenize(text: str, start: int = 0, end: int | None = None) -> tuple[Token, ...]:
    """Split ``text[start:end]`` into word and punctuation tokens with original offsets.

    A word keeps its inner apostrophes, hyphens and abbreviation points
    ("don't", "CH-47", "U.S"); every other non-space character is a token
    of its own, except an ellipsis ("...", ". . .", "…"), which is one.
    """
    if end is None:
        end = len(text)
    tokens = []
    for m in _TOKEN.finditer(text, start, end):
        surface = m.group()
        tokens.append(Token(surface, fold_token(surface), m.start(), m.end(), m.lastgroup == "w"))
    return tuple(tokens)


def words(text: str, start: int = 0, end: int | None = None) -> tuple[Token, ...]:
    """Only the word tokens of ``text[start:end]``."""
    return tuple(t for t in tokenize(text, start, end) if t.is_word)


def quotation_fragments(text: str, segments: Sequence[Segment]) -> tuple[tuple[Token, ...], ...]:
    """The tokens of a quotation, fragment by fragment.

    A fragment is a run of quoted words and interpolations between two marked
    elisions. Quoted words are tokenised as usual; an interpolation becomes
    one ``editorial`` token that matches no source word. Fragments with no
    token at all are dropped.
    """
    fragments: list[tuple[Token, ...]] = []
    current: list[Token] = []
    for seg in segments:
        if seg.kind == "elision":
            if current:
                fragments.append(tuple(current))
            current = []
        elif seg.kind == "interpolation":
            surface = text[seg.start : seg.end]
            current.append(Token(surface, "\x00" + fold_token(surface), seg.start, seg.end, False, True))
        else:
            current.extend(tokenize(text, seg.start, seg.end))
    if current:
        fragments.append(tuple(current))
    return tuple(fragments)
