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

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

import regex

from quoteverify.models import Segment, Span, Token, new_token

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
    if folded[:1].isspace():
        # a spacing diacritic (macron, diaeresis, ...) is a symbol of its own,
        # not a space followed by an accent: it is kept as it is
        return ch
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
            # extend over combining marks (and invisible characters among
            # them, which are dropped) so the cluster composes as a unit
            k = j
            while k < n and (unicodedata.combining(text[k]) or text[k] in INVISIBLE):
                k += 1
                if unicodedata.combining(text[k - 1]):
                    j = k
        if j - i > 1:
            unit = unicodedata.normalize("NFKC", "".join(c for c in text[i:j] if c not in INVISIBLE))
            if unit[:1].isspace():  # marks on a spacing diacritic: each folded alone
                unit = "".join(c for c in text[i:j] if c not in INVISIBLE)
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
# Characters that join two runs of letters into one word: apostrophes,
# hyphens, and the point of an abbreviation ("don't", "CH-47", "U.S").
_JOIN = "'\u2019\u02bc\u2018\\-\u2010\u2011."
_ASCII_LN = "A-Za-z0-9"
_ASCII_SPACE = "\t\n\x0b\x0c\r "
# The Unicode classes that decide what a word is. A word: letters, digits
# and marks, possibly joined by an apostrophe, a hyphen or a point before a
# letter or digit, with invisible characters allowed inside.
_IS_LN = regex.compile(r"[\p{L}\p{N}]")
_IS_M = regex.compile(r"\p{M}")
_IS_SPACE = regex.compile(r"\s", regex.V1)


def _classes(chars: Iterable[str]) -> tuple[str, str, str]:
    r"""The character classes (letters and digits; with marks; white space) spelled out for a set of characters.

    ASCII is always included; of the other characters only those given are,
    classified by the ``regex`` module's Unicode tables. A stdlib ``re``
    pattern made of such classes finds, in a text made of these characters,
    exactly what the ``\p{..}`` classes would, several times faster.
    """
    ln, marks, space = [_ASCII_LN], [], [_ASCII_SPACE]
    for c in sorted(set(chars)):
        if c.isascii() or c in INVISIBLE:
            continue
        if _IS_LN.match(c):
            ln.append(c)
        elif _IS_M.match(c):
            marks.append(c)
        elif _IS_SPACE.match(c):
            space.append(c)
    ln_class = "".join(ln)
    return ln_class, ln_class + "".join(marks), "".join(space)


def _word_re(ln: str, lnm: str) -> str:
    # a joining character must be followed by a letter or digit, which it
    # takes along; written without a lookahead inside the repetition, the
    # pattern finds the same words faster
    return f"[{lnm}][{lnm}{_INVIS}]*(?:[{_JOIN}][{ln}][{lnm}{_INVIS}]*)*"


def word_pattern(chars: Iterable[str]) -> re.Pattern[str]:
    """A pattern whose one group finds the words :func:`tokenize` finds, in texts made of ``chars``.

    Made for scanning large texts (``pattern.split``), where it is several
    times faster than the tokenizer.
    """
    ln, lnm, _ = _classes(chars)
    return re.compile(f"({_word_re(ln, lnm)})")


_NO_OTHERS: frozenset[str] = frozenset()


@lru_cache(maxsize=1 << 16)
def fold_token(text: str) -> str:
    """The folded form of a token's surface text."""
    return "".join(fold_char(c) for c in unicodedata.normalize("NFC", text)).replace(" ", "")


@lru_cache(maxsize=1024)
def _token_split(others: frozenset[str]) -> tuple[re.Pattern[str], frozenset[str]]:
    """The token pattern for texts whose non-ASCII characters are among ``others``, as one group (for ``split``),
    and the characters a word starts with.

    A token is a word, an ellipsis or any other mark, tried in this order; so
    a token is a word exactly when its first character is one a word starts
    with (no ellipsis or other mark starts with one).
    """
    ln, lnm, space = _classes(others)
    pattern = re.compile(rf"({_word_re(ln, lnm)}|\.\.\.|\. \. \.|\u2026|[^{space}{_INVIS}])")
    # lnm is the ASCII class, then the other letters, digits and marks one by one
    return pattern, frozenset(_ASCII_ALNUM + lnm[len(_ASCII_LN) :])


_ASCII_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def tokenize(text: str, start: int = 0, end: int | None = None) -> tuple[Token, ...]:
    """Split ``text[start:end]`` into word and punctuation tokens with original offsets.

    A word keeps its inner apostrophes, hyphens and abbreviation points
    ("don't", "CH-47", "U.S"); every other non-space character is a token
    of its own, except an ellipsis ("...", ". . .", "…"), which is one.
    """
    if end is None:
        end = len(text)
    part = text[start:end]
    in_ascii = part.isascii()
    pattern, word_starts = _token_split(_NO_OTHERS if in_ascii else frozenset(c for c in set(part) if not c.isascii()))
    # The text split at its tokens (the stretches between them, then each
    # token), offsets summed from the pieces' lengths, the kind read from a
    # token's first character: no match object a token (finditer before; the
    # 7,976 quoted stretches of the 10 MB case: 142 -> 91 ms, the two side
    # by side; 1.2 MB of its sources, not ASCII: 214 -> 206 ms)
    pieces = pattern.split(part)
    if len(pieces) == 1:
        return ()
    bounds = list(accumulate(map(len, pieces), initial=start))
    spans = zip(pieces[1::2], bounds[1::2], bounds[2::2])
    new, fold = new_token, fold_token
    if in_ascii:
        # an ASCII word folds to itself: in ASCII text only marks and ellipses need folding
        return tuple(
            [
                new(Token, (s, s, a, b, True, False)) if s[0] in word_starts else new(Token, (s, fold(s), a, b, False, False))
                for s, a, b in spans
            ]
        )
    return tuple([new(Token, (s, fold(s), a, b, s[0] in word_starts, False)) for s, a, b in spans])


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
