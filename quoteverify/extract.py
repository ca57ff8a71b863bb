"""Find the direct quotations of an article: their spans, segments and attribution cues.

The stage reads a :class:`~quoteverify.models.Document` and returns
:class:`~quoteverify.models.Quotation` objects in text order. Every offset is a
code-point offset into ``doc.text``.

How quote marks are read
------------------------
Each quote mark is classed by family (double ``" “ ” „``, single ``' ‘ ’ ‚``,
guillemets ``« »`` and ``‹ ›``) and by what it may do in its context, much as
CommonMark reads emphasis delimiters: a mark before a word that follows a space,
the start of the paragraph or punctuation may open; a mark after a word or
punctuation that precedes a space, punctuation or the end of the paragraph may
close. The glyph decides when the context does not: ``“`` opens and ``”``
closes unless the context clearly says otherwise, so a ``”`` used to open
(``reporters: ”Here’s``) and the German ``„…“`` both read right. A single mark
between two letters (``don't``, ``Ana’s``) is an apostrophe, and so is one
before a decade (``the ’90s``) and one that
stands for the letters left out of a word (``'Tis``, ``'em``, ``rock 'n'
roll``). In a text that uses TeX's marks (plain-text editions of books),
````…''`` is a double quotation and ```…'`` a single one.

A quotation opens at a mark that may open and closes at the next mark of the
same family that may close; marks of other families inside it (a quotation
within the quotation, apostrophes) are part of its text. A quotation within
one of the same family (``"how "are" you"``, ``“a “b” c”``) is part of the
outer one too: the marks are read as nested when they balance within the
paragraph; when they do not, a second opening mark of the family ends an
unclosed quotation and starts the next one. Single marks need
more care, because a closing-looking single mark is often a plural possessive
(``forces' vote``): of the closing candidates that follow a single opener
before the next single opener, the first one next to punctuation or followed
by the end of the paragraph closes, else the last one; a closing-looking
single mark with no opener is an apostrophe.

A quotation left open at the end of its paragraph continues into the next
paragraph if that paragraph begins with an opening mark of the same family
(each paragraph of a long quotation reopens, only the last closes), or if
the two are lines joined by a single line break and a later line, with no
mark of the family before, closes it (a quotation hard-wrapped over lines
that were not joined into one paragraph). Skipped
(boilerplate) paragraphs and at most :data:`MAX_GAP_PARAGRAPHS` short
paragraphs with no opening mark (an unrecognised caption) may sit between.
Otherwise the quotation ends at the end of its paragraph: an unclosed mark
never runs on into the rest of the article.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property, lru_cache
from operator import attrgetter, itemgetter
from typing import NamedTuple

from quoteverify.models import Document, Quotation, Segment, SegmentKind, Span, new_tuple, with_fields

__all__ = ["SPEECH_VERBS", "VerbPattern", "speech_verb_pattern", "MAX_GAP_PARAGRAPHS", "MAX_WRAPPED_LINES", "SHORT_PARAGRAPH", "extract_quotations"]

#: English verbs and phrases that introduce reported speech, in any inflection
#: that commonly stands next to a quotation. Matched as whole words, ignoring case.
SPEECH_VERBS: tuple[str, ...] = (
    "according to",
    "acknowledged", "acknowledges",
    "added", "adds", "adding",
    "admitted", "admits",
    "agreed",
    "alleged",
    "announced", "announces",
    "answered",
    "argued", "argues",
    "asked", "asks",
    "asserted",
    "assured",
    "boasted",
    "cautioned",
    "claimed", "claims",
    "commented",
    "complained",
    "conceded", "concedes",
    "concluded", "concludes",
    "confessed",
    "confirmed", "confirms",
    "continued", "continues",
    "contended",
    "countered",
    "cried",
    "declared", "declares",
    "denied", "denies",
    "disclosed",
    "emphasised", "emphasized",
    "exclaimed",
    "explained", "explains",
    "heckled",
    "insisted", "insists",
    "interjected",
    "joked", "jokes",
    "lamented",
    "maintained",
    "mused",
    "noted", "notes",
    "objected",
    "observed",
    "pleaded",
    "posted",
    "predicted",
    "proclaimed",
    "promised",
    "protested",
    "quipped", "quips",
    "read", "reads",
    "recalled",
    "remarked",
    "replied", "replies",
    "responded",
    "retorted",
    "revealed",
    "reiterated",
    "said", "says", "saying",
    "shouted",
    "snapped",
    "starts", "begins",
    "stated", "states",
    "stressed",
    "suggested",
    "tell", "told", "tells", "telling",
    "testified",
    "thundered",
    "tweeted", "tweets",
    "vowed",
    "warned", "warns",
    "went on",
    "whispered",
    "wrote", "writes", "writing",
    "yelled",
)

#: How many short paragraphs without an opening mark may separate two
#: paragraphs of one quotation (a caption the ingest stage did not recognise).
MAX_GAP_PARAGRAPHS = 2

#: How many lines a quotation left open at the end of a line may run on to find its closing mark.
MAX_WRAPPED_LINES = 8

#: The longest paragraph, in code points, that counts as short for that purpose.
SHORT_PARAGRAPH = 500

# --------------------------------------------------------------------------- quote marks

_DOUBLE, _SINGLE, _GUILLEMET, _SINGLE_GUILLEMET = range(4)
_AMBIGUOUS, _OPENING, _CLOSING, _LOW = range(4)

# glyph -> (family, what the glyph itself suggests)
_GLYPHS: dict[str, tuple[int, int]] = {
    '"': (_DOUBLE, _AMBIGUOUS),
    "\u201c": (_DOUBLE, _OPENING),  # “
    "\u201d": (_DOUBLE, _CLOSING),  # ”
    "\u201e": (_DOUBLE, _LOW),  # „
    "\u201f": (_DOUBLE, _OPENING),  # ‟
    "\uff02": (_DOUBLE, _AMBIGUOUS),  # fullwidth "
    "'": (_SINGLE, _AMBIGUOUS),
    "\u2018": (_SINGLE, _OPENING),  # ‘
    "\u2019": (_SINGLE, _CLOSING),  # ’
    "\u201a": (_SINGLE, _LOW),  # ‚
    "\u201b": (_SINGLE, _OPENING),  # ‛
    "\u00ab": (_GUILLEMET, _OPENING),  # «
    "\u00bb": (_GUILLEMET, _CLOSING),  # »
    "\u2039": (_SINGLE_GUILLEMET, _OPENING),  # ‹
    "\u203a": (_SINGLE_GUILLEMET, _CLOSING),  # ›
}
# TeX's marks, read only in a text with two backticks in a row (elsewhere '' is two single marks)
_TEX_GLYPHS: dict[str, tuple[int, int]] = {
    "``": (_DOUBLE, _OPENING),
    "''": (_DOUBLE, _CLOSING),
    "`": (_SINGLE, _OPENING),
}
_OPENING_PUNCT = frozenset("([{\u00bf\u00a1")
_CLOSING_PUNCT = frozenset(".,;:!?)]}")
_DECADE_RE = re.compile(r"\d\ds(?!\w)")
# words whose first letters an apostrophe stands for ('Tis, 'em, 'n' in rock 'n' roll);
# only those that cannot open a quotation in their own right, and, in lower case only,
# those that can ('Cause I said so,' she said)
_ELIDED_RE = re.compile(
    r"(?:(?i:tis|twas|twere|twill|twould|em|gainst|neath)|cause|cos|til|bout|nuff|n(?=['\u2019]))(?![\w'\u2019-])"
)
_MARK_RE = re.compile("[" + re.escape("".join(_GLYPHS)) + "]")
_TEX_MARK_RE = re.compile("``|''|[" + re.escape("".join(_GLYPHS)) + "`]")
_QUOTE_CHARS = frozenset(_GLYPHS)
# the characters str.isspace() accepts, all below U+3001: a set lookup where the stage trims each
# paragraph and span, instead of a method call (93,000 calls for 2,000 articles)
_SPACES = frozenset(ch for ch in map(chr, range(0x3001)) if ch.isspace())
_LINE_BREAK_RE = re.compile(r"\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")
_MARK_CHARS = _QUOTE_CHARS | {"`"}


class _Mark(NamedTuple):
    """A quote mark in a paragraph and what it may do there."""

    pos: int
    family: int
    can_open: bool
    can_close: bool
    width: int = 1


class _Para(NamedTuple):
    """A paragraph trimmed of surrounding white space, with its quote marks."""

    start: int
    end: int
    skipped: bool
    marks: tuple[_Mark, ...]


class _Found(NamedTuple):
    """A quotation before trimming: its opening mark, the end of its extent, its raw spans."""

    open_pos: int
    end: int  # after the closing mark, or the end of the quoted text when left open
    spans: tuple[Span, ...]
    closed: bool
    first_para: int
    last_para: int




@lru_cache(maxsize=4096)
def _is_punct(ch: str) -> bool:
    """Whether ``ch`` is punctuation or a symbol (Unicode categories P* and S*)."""
    return unicodedata.category(ch)[0] in "PS"


def _classify(text: str, pos: int, lo: int, hi: int, glyph_text: str) -> _Mark | None:
    """Decide what the mark ``glyph_text`` at ``pos`` may do, from its glyph and its neighbours in ``[lo, hi)``."""
    family, glyph = _TEX_GLYPHS[glyph_text] if glyph_text in _TEX_GLYPHS else _GLYPHS[glyph_text]
    width = len(glyph_text)
    prev = text[pos - 1] if pos > lo else ""
    nxt = text[pos + width] if pos + width < hi else ""
    prev_space = not prev or prev.isspace()
    next_space = not nxt or nxt.isspace()
    prev_punct = bool(prev) and not prev_space and _is_punct(prev)
    next_punct = bool(nxt) and not next_space and _is_punct(nxt)
    left = not next_space and (not next_punct or prev_space or prev_punct)
    right = not prev_space and (not prev_punct or next_space or next_punct)

    if family == _SINGLE and glyph != _LOW:
        if prev.isalnum() and nxt.isalnum():
            return None  # don't, Ana’s, John`s: an apostrophe
        if left and not right and (_DECADE_RE.match(text, pos + 1, hi) or _ELIDED_RE.match(text, pos + 1, hi)):
            return None  # the ’90s, 'Tis, 'em
        if prev and prev in "nN" and pos - 2 >= lo and text[pos - 2] in "'\u2018\u2019" and (pos - 3 < lo or not text[pos - 3].isalnum()):
            return None  # the second mark of 'n'
    if glyph == _AMBIGUOUS:
        if left or right:
            return _Mark(pos, family, left, right)
        # spaces on both sides: a straight double mark still toggles, a single one is stray
        return _Mark(pos, family, True, True) if family == _DOUBLE else None
    after_words = right and prev not in _OPENING_PUNCT and prev not in _MARK_CHARS
    before_words = left and nxt not in _CLOSING_PUNCT and nxt not in _MARK_CHARS
    if glyph == _OPENING:
        # “ closes only right after words and not before them (German „…“, a typo)
        closes = after_words and not before_words
        return _Mark(pos, family, not closes, closes, width)
    if glyph == _CLOSING:
        # ” opens only right before words and not after them (reporters: ”Here’s),
        # never before a comma (« oui »,)
        opens = before_words and not after_words
        return _Mark(pos, family, opens, not opens, width)
    # low-9 marks („ ‚) only ever open, and only before text
    return _Mark(pos, family, True, False) if not next_space else None


# --------------------------------------------------------------------------- paragraphs


def _merge_spans(spans: Sequence[Span], size: int) -> list[Span]:
    out: list[Span] = []
    for s, e in sorted((max(0, s), min(size, e)) for s, e in spans):
        if e <= s:
            continue
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _covered(spans: list[Span], starts: list[int], s: int, e: int) -> bool:
    """Whether ``[s, e)`` lies inside one of the merged ``spans``."""
    i = bisect_right(starts, s) - 1
    return i >= 0 and spans[i][1] >= e


# a paragraph's span, read by map for all a document's paragraphs at once
_START_END = attrgetter("start", "end")


def _paragraph_bounds(doc: Document) -> list[Span]:
    """The paragraphs of ``doc`` in text order, cut to the text, apart, trimmed of white space; empty ones left out."""
    text = doc.text
    size = len(text)
    if not doc.paragraphs:
        return _trimmed_apart(text, [m.span() for m in re.finditer(r"[^\n]+", text)])
    # by C's loop (map), not a comprehension's, with the paragraphs' starts listed so for their marks
    # (_marks_of_text): the paragraphs of the 2,000 articles of the 10 MB case took 239.5 M instructions
    # listed by Python, 235.1 M so (callgrind)
    given = list(map(_START_END, doc.paragraphs))
    if _apart_and_trimmed(text, given):
        return given  # as ingest gives them
    # paragraphs in order and inside the text are taken as they come, sorted and cut to the text
    # only when they are not: 8.7 ms to 6.5 ms for the 2,000 articles of the 10 MB case (timed, no profiler)
    if given[0][0] < 0 or any(b < a for a, b in zip(given, given[1:])) or any(e > size for _, e in given):
        given = sorted([(max(0, s), min(size, e)) for s, e in given])
    return _trimmed_apart(text, given)


def _apart_and_trimmed(text: str, given: list[Span]) -> bool:
    """Whether the paragraphs ``given`` are what :func:`_trimmed_apart` makes of them.

    They are when they lie in the text, in order, apart, none empty, and
    none begins or ends with white space, as every paragraph ingest gives
    does. Checked in one loop over the paragraphs, which stops at the first
    that is not: the paragraphs of the 2,000 articles of the 10 MB case were
    listed and checked in 10.3 ms by six C loops (``map`` over ``operator``
    functions), 5.9 ms so (process time, best of 21); 86 M and 46 M
    instructions (callgrind).
    """
    size = len(text)
    spaces = _SPACES
    last_end = 0
    for start, end in given:
        if start < last_end or end <= start or end > size or text[start] in spaces or text[end - 1] in spaces:
            return False
        last_end = end
    return True


def _trimmed_apart(text: str, raw: list[Span]) -> list[Span]:
    """``raw`` spans (sorted, inside ``text``) apart and trimmed of white space; empty ones left out."""
    out: list[Span] = []
    last_end = 0
    for s, e in raw:
        s, e = _trim(text, max(s, last_end), e)  # overlapping paragraphs: keep the text once
        if e > s:
            out.append((s, e))
            last_end = e
    return out


# what _classify makes of a mark of the double and guillemet families, by its glyph and the characters
# on either side ("" at a paragraph's edge): a mark of those families depends on nothing else. Kept
# for the contexts seen, a few hundred in any archive: the 12,282 marks of the 10 MB case took
# 18.6 ms to classify afresh, 10.5 ms looked up (timed, no profiler)
_CONTEXT_MARKS: dict[tuple[str, str, str], tuple[int, bool, bool, int] | None] = {}
_MAX_CONTEXTS = 4096


# the glyphs of those families (each one code point), looked up in one set where the family was read
# from the glyph's table entry: the paragraphs of the 2,000 articles of the 10 MB case took 264 M
# instructions, not 271 M (callgrind)
_CONTEXT_GLYPHS = frozenset(glyph for glyph, (family, _) in _GLYPHS.items() if family != _SINGLE)


def _mark_at(text: str, pos: int, lo: int, hi: int, glyph_text: str) -> _Mark | None:
    """:func:`_classify`, looked up by context for the marks that depend on their neighbours alone."""
    if glyph_text not in _CONTEXT_GLYPHS:
        return _classify(text, pos, lo, hi, glyph_text)
    end = pos + 1
    key = (glyph_text, text[pos - 1] if pos > lo else "", text[end] if end < hi else "")
    found = _CONTEXT_MARKS.get(key, _UNSEEN)
    if found is _UNSEEN:
        found = _context_mark(text, pos, lo, hi, key)
    return None if found is None else new_tuple(_Mark, (pos, *found))


# a span's start, read by map for all the paragraphs' spans at once
_FIRST = itemgetter(0)
# what a context not looked up yet is found as in _CONTEXT_MARKS (no mark is found as it)
_UNSEEN = (-1, False, False, 0)


def _context_mark(text: str, pos: int, lo: int, hi: int, key: tuple[str, str, str]) -> tuple[int, bool, bool, int] | None:
    """What :func:`_classify` makes of the mark ``key[0]`` at ``pos`` without its place, kept by ``key``, its context."""
    mark = _classify(text, pos, lo, hi, key[0])
    found = None if mark is None else (mark.family, mark.can_open, mark.can_close, mark.width)
    if len(_CONTEXT_MARKS) >= _MAX_CONTEXTS:
        _CONTEXT_MARKS.clear()
    _CONTEXT_MARKS[key] = found
    return found


_GLYPH_LIST = tuple(_GLYPHS)


def _mark_positions(text: str) -> list[int]:
    """Where ``text`` holds a quote mark (a match of :data:`_MARK_RE`), in order.

    Each glyph is looked for alone with ``str.find``, which skips the text
    that lacks it at the speed of ``memchr``, where the pattern's search
    tested each code point against the fifteen glyphs: the marks of the
    2,000 articles of the 10 MB case and their paragraphs took 366 M
    instructions with the pattern, 274 M with ``str.find`` (callgrind).
    A glyph is looked for by ``in`` first, which takes no arguments to
    parse as ``str.find`` does: most of the fifteen are in no article, and
    the marks of the 2,000 articles took 65 M instructions to find with
    ``str.find`` alone, 46 M so; their extraction 893 M and 874 M.
    """
    found: list[int] = []
    for glyph in _GLYPH_LIST:
        if glyph in text:
            at = text.find(glyph)
            while at >= 0:
                found.append(at)
                at = text.find(glyph, at + 1)
    found.sort()
    return found


def _paragraphs(doc: Document) -> list[_Para]:
    """The paragraphs of ``doc`` with their quote marks; none in the spans of ``doc.skipped``."""
    text = doc.text
    bounds = _paragraph_bounds(doc)
    skipped = _merge_spans(doc.skipped, len(text)) if doc.skipped else []
    skipped_starts = [s for s, _ in skipped] if skipped else []
    marks: dict[int, list[_Mark]] = {}  # by paragraph: most have none
    # a backtick looked for first: one code point is found at the speed of memchr, where the search
    # for two went over the text a code point at a time (2.4 ms to 0.09 ms for the 2,000 articles of
    # the 10 MB case, process time, best of 21)
    if "`" in text and "``" in text:
        # a TeX mark of two code points may straddle a paragraph's edge: each paragraph is searched alone
        found = [(k, m.start(), m.group()) for k, (s, e) in enumerate(bounds) for m in _TEX_MARK_RE.finditer(text, s, e)]
        for k, pos, glyph in found:
            if not (skipped and _covered(skipped, skipped_starts, pos, pos + 1)):
                mark = _mark_at(text, pos, bounds[k][0], bounds[k][1], glyph)
                if mark is not None:
                    marks.setdefault(k, []).append(mark)
    else:
        marks = _marks_of_text(text, bounds, skipped, skipped_starts)
    # each _Para made by tuple.__new__, without a call of the named tuple's __new__ (a Python function):
    # 2.1 instead of 3.2 us for eight paragraphs, measured; with the marks made so too (_mark_at), the
    # paragraphs of the 2,000 articles of the 10 MB case took 323 M instructions, not 360 M (callgrind)
    if not skipped:
        return [new_tuple(_Para, (s, e, False, tuple(marks[k]) if k in marks else ())) for k, (s, e) in enumerate(bounds)]
    return [
        new_tuple(_Para, (s, e, _covered(skipped, skipped_starts, s, e), tuple(marks[k]) if k in marks else ()))
        for k, (s, e) in enumerate(bounds)
    ]


def _marks_of_text(text: str, bounds: list[Span], skipped: list[Span], skipped_starts: list[int]) -> dict[int, list[_Mark]]:
    """The quote marks of ``text`` by paragraph (of ``bounds``), none in ``skipped``: :func:`_mark_at` of each, in line.

    The marks of the whole text are found at once, each given to its
    paragraph by bisection: a search per paragraph cost more than the
    marks it found (15,656 paragraphs, 5,828 with marks, in 2,000
    articles). A mark whose context is kept is made where it is found,
    without a call of :func:`_mark_at`, and the marks of a paragraph, which
    come one after another, are listed without ``setdefault``: the
    paragraphs of the 2,000 articles of the 10 MB case took 251 M
    instructions so, 240 M this way (callgrind).
    """
    marks: dict[int, list[_Mark]] = {}  # by paragraph: most have none
    starts = list(map(_FIRST, bounds))
    context_marks, context_glyphs, unseen, new = _CONTEXT_MARKS, _CONTEXT_GLYPHS, _UNSEEN, new_tuple
    last_k = -1
    current: list[_Mark] = []
    for pos in _mark_positions(text):
        k = bisect_right(starts, pos) - 1
        if k < 0:
            continue
        lo, hi = bounds[k]
        if pos >= hi or (skipped and _covered(skipped, skipped_starts, pos, pos + 1)):
            continue
        glyph = text[pos]
        if glyph in context_glyphs:
            end = pos + 1
            key = (glyph, text[pos - 1] if pos > lo else "", text[end] if end < hi else "")
            found = context_marks.get(key, unseen)
            if found is unseen:
                found = _context_mark(text, pos, lo, hi, key)
            if found is None:
                continue
            mark = new(_Mark, (pos,) + found)
        else:
            single = _classify(text, pos, lo, hi, glyph)
            if single is None:
                continue
            mark = single
        if k == last_k:
            current.append(mark)
        else:
            current = marks[k] = [mark]
            last_k = k
    return marks


# --------------------------------------------------------------------------- pairing

_CLOSED, _STOPPED, _OPEN = range(3)
_NESTED_OPEN = -2
# quotations nest at most this deep, over at most this many marks of their family, in any prose
# (the bounds keep a paragraph of 20,000 unclosed marks linear: without them it took a minute)
MAX_NESTING = 3
MAX_NESTED_MARKS = 64


def _find_close(text: str, para: _Para, first: int, family: int, *, nest_open: bool = True) -> tuple[int, int]:
    """Look for the mark closing a quotation of ``family`` among ``para.marks[first:]``.

    Returns ``(_CLOSED, i)`` for a closing mark, ``(_STOPPED, i)`` when an
    opening mark of the same family comes first, ``(_OPEN, -1)`` when the
    paragraph ends with the quotation still open. With ``nest_open`` false,
    quotations nested in it that balance leave it open to the end of the
    paragraph (the next line closes it).
    """
    marks = para.marks
    if family != _SINGLE:
        nested = _find_nested_close(marks, first, family)
        if nested >= 0:
            return _CLOSED, nested
        if nested == _NESTED_OPEN and not nest_open:
            return _OPEN, -1
        for i in range(first, len(marks)):
            m = marks[i]
            if m.family != family:
                continue
            if m.can_close:
                return _CLOSED, i
            if m.can_open:
                return _STOPPED, i
        return _OPEN, -1
    last = -1
    for i in range(first, len(marks)):
        m = marks[i]
        if m.family != _SINGLE:
            continue
        if m.can_close:
            # a mark after punctuation ('the end.') or before it ('the end', he) closes;
            # one between two words may be a plural possessive ('the forces' vote')
            after = m.pos + m.width
            if after >= para.end or _is_punct(text[after]) or _is_punct(text[m.pos - 1]):
                return _CLOSED, i
            last = i
        elif m.can_open:
            return (_CLOSED, last) if last >= 0 else (_STOPPED, i)
    return (_CLOSED, last) if last >= 0 else (_OPEN, -1)


def _find_nested_close(marks: Sequence[_Mark], first: int, family: int) -> int:
    """The mark closing a quotation of ``family`` when the marks after it nest (``"a "b" c"``), else -1.

    Every opening mark of the family raises the depth and every closing one
    lowers it; the quotation closes where the depth comes back to zero. A
    paragraph whose marks never come back to zero is no nesting (an unclosed
    quotation followed by another): -1.
    """
    depth = 0
    nested = False
    seen = 0
    for i in range(first, len(marks)):
        m = marks[i]
        if m.family != family:
            continue
        seen += 1
        if m.can_close:
            if not depth:
                return i
            depth -= 1
        elif m.can_open:
            depth += 1
            nested = True
            if depth > MAX_NESTING or seen > MAX_NESTED_MARKS:
                return -1  # no prose nests so deep or so long: a run of unclosed marks
    return _NESTED_OPEN if nested and not depth else -1


def _reopening(text: str, paras: list[_Para], after: int, family: int) -> tuple[int, int]:
    """The paragraph that continues a quotation left open in paragraph ``after``, and where its words start.

    ``(-1, -1)`` when no paragraph continues it.
    """
    wrapped = _wrapped_close(text, paras, after, family)
    if wrapped >= 0:
        return wrapped, paras[wrapped].start
    gaps = 0
    for j in range(after + 1, len(paras)):
        p = paras[j]
        if p.skipped:
            continue
        if p.marks and p.marks[0].pos == p.start and p.marks[0].family == family and p.marks[0].can_open:
            return j, p.start + p.marks[0].width
        if gaps < MAX_GAP_PARAGRAPHS and p.end - p.start <= SHORT_PARAGRAPH and not any(
            m.can_open for m in p.marks
        ):
            gaps += 1
            continue
        return -1, -1
    return -1, -1


def _wrapped_close(text: str, paras: list[_Para], after: int, family: int) -> int:
    """The next paragraph, if it continues a quotation wrapped over lines read as paragraphs; else -1.

    It must be the next line (one line break between), and a line of the
    next :data:`MAX_WRAPPED_LINES`, each joined to the one before by one line
    break, must close the quotation with the first mark of its family
    (``"Hello,\nI am the last." he said``).
    """
    for j in range(after + 1, min(len(paras), after + 1 + MAX_WRAPPED_LINES)):
        p, prev = paras[j], paras[j - 1]
        if p.skipped or len(_LINE_BREAK_RE.findall(text, prev.end, p.start)) != 1:
            return -1
        m = next((m for m in p.marks if m.family == family), None)
        if m is None:
            continue
        if not m.can_close or m.can_open:
            return -1
        if family == _SINGLE and not (_is_punct(text[m.pos - 1]) or m.pos + 1 >= p.end or _is_punct(text[m.pos + 1])):
            return -1  # a plural possessive, not a closing mark
        return after + 1
    return -1


def _pair(text: str, paras: list[_Para]) -> list[_Found]:
    """Pair the quote marks of all paragraphs into top-level quotations, in text order."""
    # each _Found made by tuple.__new__: the pairing of the 2,000 articles of the 10 MB case took 103 M
    # instructions calling the named tuple, 92 M so (callgrind)
    found: list[_Found] = []
    # the paragraphs with marks, to go from one to the next: most paragraphs have none
    marked: list[int] = []  # by a loop, not a comprehension, whose function and frame were made for each article
    for n, p in enumerate(paras):
        if p.marks:
            marked.append(n)
    i = k = 0
    while i < len(paras):
        para = paras[i]
        if para.skipped or k >= len(para.marks):
            n = bisect_right(marked, i)
            i, k = marked[n] if n < len(marked) else len(paras), 0
            continue
        opener = para.marks[k]
        if not opener.can_open:
            k += 1
            continue
        family = opener.family
        marks = para.marks
        if family != _SINGLE and k + 1 < len(marks) and marks[k + 1].family == family and marks[k + 1].can_close:
            # the next mark closes it, as _find_close finds first (most quotations): made at once, without
            # its call and the walk below: 720.7 M to 706.1 M instructions for extracting the 2,000
            # articles of the 10 MB case without the call (callgrind), 698.3 M to 691.2 M without the walk
            close = marks[k + 1]
            content = opener.pos + opener.width
            found.append(new_tuple(_Found, (opener.pos, close.pos + close.width, ((content, close.pos),), True, i, i)))
            k += 2
            continue
        spans: list[Span] = []
        pi, cur, content, first = i, para, opener.pos + opener.width, k + 1
        while True:
            status, j = _find_close(text, cur, first, family)
            if status == _STOPPED and family != _SINGLE and _wrapped_close(text, paras, pi, family) >= 0:
                # the inner quotations balance and the next lines close the outer one
                status, j = _find_close(text, cur, first, family, nest_open=False)
            if status == _CLOSED:
                close = cur.marks[j]
                spans.append((content, close.pos))
                found.append(new_tuple(_Found, (opener.pos, close.pos + close.width, tuple(spans), True, i, pi)))
                i, k = pi, j + 1
                break
            if status == _STOPPED:
                stop = cur.marks[j].pos
                spans.append((content, stop))
                if family == _SINGLE and len(spans) == 1:
                    k += 1  # a lone single mark with no closer: an apostrophe
                else:
                    found.append(new_tuple(_Found, (opener.pos, stop, tuple(spans), False, i, pi)))
                    i, k = pi, j
                break
            spans.append((content, cur.end))
            nxt, content = _reopening(text, paras, pi, family)
            if nxt < 0:
                if family == _SINGLE and len(spans) == 1:
                    k += 1
                else:
                    found.append(new_tuple(_Found, (opener.pos, cur.end, tuple(spans), False, i, pi)))
                    i, k = pi + 1, 0
                break
            pi, cur = nxt, paras[nxt]
            # from the mark that reopens the paragraph, or from the start of a wrapped line
            first = 1 if cur.marks and content > cur.marks[0].pos else 0
    return found


# --------------------------------------------------------------------------- segments

# elisions ([...], […], (...), (…), ..., …) and bracketed interpolations; every branch begins
# with its own literal, so the engine skips to the next [ ( . or … (0.042 s to 0.029 s over the
# 5,828 quotations of 2,000 articles); … too: written \u2026+, its branch began with a repeat and the
# engine tried a match at every code point, 356 M instructions for the segments of the 5,780
# quotations of the 10 MB case, 181 M written \u2026\u2026* (callgrind)
_CUT_RE = re.compile(
    r"\[(?:\s*(?:\.\s*){3,}\]|\s*\u2026\s*\]|(?P<interpolation>[^\[\]\n]+\]))"
    r"|\((?:\s*(?:\.\s*){3,}\)|\s*\u2026\s*\))"
    r"|\.(?:[ \u00a0\u202f]?\.){2,}"
    r"|\u2026\u2026*"
)


# what a match of _CUT_RE holds, one of them at least: an opening bracket or parenthesis, an ellipsis,
# or two full stops with at most one space (plain, no-break or narrow no-break) between
_CUT_HINTS = ("[", "(", "\u2026", "..", ". .", ".\u00a0.", ".\u202f.")


def _may_hold_cut(quoted: str) -> bool:
    """Whether ``quoted`` may hold a cut (a match of :data:`_CUT_RE`); when not, it holds none.

    Each hint is looked for at the speed of ``memchr``, where the
    pattern's search tested each quoted code point against its first
    characters: the 2,000 articles of the 10 MB case were extracted in 874
    M instructions searching each quotation of one span, 835 M so (callgrind).
    """
    for hint in _CUT_HINTS:
        if hint in quoted:
            return True
    return False


def _trim(text: str, s: int, e: int) -> Span:
    """``[s, e)`` without the white space at either end."""
    while s < e and text[s] in _SPACES:
        s += 1
    while e > s and text[e - 1] in _SPACES:
        e -= 1
    return s, e


def quotation_segments(text: str, spans: Sequence[Span]) -> tuple[Segment, ...]:
    """The quoted words, marked elisions and bracketed interpolations of the quoted ``spans`` of ``text``.

    Each :class:`Segment` is made by :func:`_segment`: the segments of the
    5,780 quotations of the 10 MB case took 181 M instructions made by the
    class, 156 M with their fields set as one dictionary (callgrind, the
    words between cuts trimmed in line then; trimmed by :func:`_trim`, 16.5
    ms against 16.3 ms, process time, best of 21, alternated in one process).
    """
    out: list[Segment] = []
    for s, e in spans:
        at = s
        for m in _CUT_RE.finditer(text, s, e):
            cs, ce = m.span()
            if m.group("interpolation") is None:
                kind: SegmentKind = "elision"
            elif text[cs + 1 : ce - 1].strip():
                kind = "interpolation"
            else:
                continue  # empty brackets are just text
            ws, we = _trim(text, at, cs)
            if we > ws:
                out.append(_segment("text", ws, we))
            out.append(_segment(kind, cs, ce))
            at = ce
        ws, we = _trim(text, at, e)
        if we > ws:
            out.append(_segment("text", ws, we))
    return tuple(out)


def _segment(kind: SegmentKind, start: int, end: int) -> Segment:
    """``Segment(kind, start, end)``, made by :func:`~quoteverify.models.with_fields`."""
    return with_fields(Segment, {"kind": kind, "start": start, "end": end})


# --------------------------------------------------------------------------- attribution

_WORD_RE = re.compile(r"\w[\w'\u2019\-]*")
# [.!?…]+ written as a branch of literals, which the engine scans for fast (0.041 s to 0.021 s over 2,000 articles)
_SENTENCE_END_RE = re.compile(r"(?:\.|!|\?|\u2026)[.!?\u2026]*[\"'\u201d\u2019\u00bb)\]]*\s+")
_SENTENCE_END_CHARS = frozenset(".!?\u2026\"'\u201d\u2019\u00bb)]")
# characters that end the clause a cue is read from
_CLAUSE_STOPS = frozenset(",;:.!?()[]{}\n\u2014\u2013") | _QUOTE_CHARS
# clause boundaries when walking back from a speech verb to its subject
_SUBJECT_STOPS = frozenset(";:()[]{}\n\u2014\u2013") | _QUOTE_CHARS
_CLAUSE_STOP_RE = re.compile("[" + re.escape("".join(sorted(_CLAUSE_STOPS))) + "]")
_PIECE_STOP_RE = re.compile("[" + re.escape("".join(sorted(_SUBJECT_STOPS | {","}))) + "]")
_BLANKS_RE = re.compile(r"[^\S\n]*")
# words that end a subject when walking back from the verb ("... and added")
_CLAUSE_WORDS = frozenset(
    "that and but or nor which when while as because after before if since although though "
    "where so whether than".split()
)
# words that cannot be a subject on their own ("later tweeted", "also said")
_ADVERBS = frozenset(
    "later also then again once now earlier further previously still just subsequently "
    "separately meanwhile however first finally".split()
)
_MAX_SUBJECT_WORDS = 8
_MAX_LONG_SUBJECT_WORDS = 10
_MAX_TAIL_WORDS = 5  # words between the verb and a colon ending the cue ("told reporters in Washington:")
_MAX_AFTER_LEAD = 6  # words before the verb in a cue after the quotation ("Pentagon spokesman John Smith said")
_MAX_AFTER_TAIL = 3  # words kept after that verb ("said the letter")
_WINDOW = 300  # how far a cue is looked for, in code points


#: abbreviations whose full stop ends no sentence ("Sen. John Smith said", "said Heather C. Smith")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr sen gen rep gov lt col brig maj capt sgt adm prof rev st jr sr hon cmdr insp supt det".split()
)
_WORD_BEFORE_RE = re.compile(r"(\w+)$")


def _abbreviation_dot(text: str, pos: int) -> bool:
    """Whether the full stop at ``pos`` ends an initial or a title's abbreviation, not a sentence."""
    if text[pos] != ".":
        return False
    m = _WORD_BEFORE_RE.search(text, max(0, pos - 12), pos)
    if not m:
        return False
    word = m.group(1)
    return (len(word) == 1 and word.isupper()) or word.lower() in _ABBREVIATIONS


def _is_apostrophe(text: str, pos: int) -> bool:
    """Whether the single mark at ``pos`` stands between two letters (``The BBC's Nick Robinson``)."""
    return text[pos] in "'\u2019" and 0 < pos < len(text) - 1 and text[pos - 1].isalnum() and text[pos + 1].isalnum()


def _skip_blanks(text: str, i: int, end: int) -> int:
    """The first position from ``i`` that is not a space or tab on the same line."""
    m = _BLANKS_RE.match(text, i, end)
    return m.end() if m else i


# re.IGNORECASE matches an ASCII character to exactly the characters str.lower() turns into
# it, save these three (tests/test_extract.py checks every code point); İ is also the one
# character whose lower case is two code points long
_FOLD_FIXES = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})

_Trie = dict[str, "_Trie"]


def _fold(text: str) -> str:
    """``text`` in lower case, code point for code point (offsets are kept).

    A character becomes an ASCII one exactly when ``re.IGNORECASE`` matches it
    to that ASCII character, so searching the folded text for lower-case
    ASCII phrases finds what searching ``text`` ignoring case finds.
    """
    if "\u0130" in text or "\u0131" in text or "\u017f" in text:
        text = text.translate(_FOLD_FIXES)
    return text.lower()


def _trie_regex(phrases: Iterable[str]) -> str:
    """An alternation of ``phrases`` (words joined by white space) that shares their common prefixes.

    Where a phrase ends and a longer one goes on, the longer one is tried
    first, so of the phrases that match at one place the longest is taken.
    """
    trie: _Trie = {}
    for phrase in phrases:
        node = trie
        for i, word in enumerate(phrase.split()):
            for ch in (" " if i else "") + word:
                node = node.setdefault(ch, {})
        node[""] = {}

    def alternation(node: _Trie) -> str:
        alts = [(r"\s+" if ch == " " else re.escape(ch)) + alternation(node[ch]) for ch in sorted(node) if ch]
        if "" in node:
            return f"(?:{'|'.join(alts)})?" if alts else ""
        return alts[0] if len(alts) == 1 else f"(?:{'|'.join(alts)})"

    return alternation(trie)


@lru_cache(maxsize=16)
def _stops(inner: frozenset[str]) -> tuple[re.Pattern[str], frozenset[str]]:
    """The search for a character that is neither white space nor in ``inner`` (no match runs across it), and the others."""
    return re.compile("[^" + re.escape("".join(sorted(inner))) + r"\s]"), inner | _SPACES


# the characters re.IGNORECASE matches to an ASCII letter besides its two cases, the ones _fold
# turns into it (tests/test_extract.py checks every code point)
_CASELESS_EXTRA = {"i": "\u0130\u0131", "k": "\u212a", "s": "\u017f"}


@lru_cache(maxsize=16)
def _unfolded(inner: frozenset[str]) -> frozenset[str]:
    """The characters that :func:`_fold` turns into those of ``inner`` (ASCII characters, none upper case)."""
    return frozenset("".join(ch + ch.upper() + _CASELESS_EXTRA.get(ch, "") if "a" <= ch <= "z" else ch for ch in inner))


# the matches found in a folded stretch (see :func:`_search_regions`), by the pattern, the stretch's
# text from the character before where the search starts, and the places in it of that start and of
# the region's last code point. Stretches repeat as cues do ("Mr Darwin said: "): the 5,780 stretches
# searched for speech verbs in the 10 MB case are 506 texts, and the cue finders of its 2,000 articles
# took 37.8 ms searching each, 33.1 ms keeping what was found (process time, best of 21, alternated in
# one process), 285 M and 234 M instructions (callgrind). Sentence ends are searched afresh: their
# stretches run back over the end of the paragraph before, and 3,401 of the 5,780 differ; kept as
# well, the cue finders took longer than with the speech verbs alone kept.
_FOLDED_MATCHES: dict[tuple[str, int, str, int, int], tuple[Span, ...]] = {}
_MAX_FOLDED_MATCHES = 4096
# the longest stretch kept, in code points, so that the table stays small (a paragraph may be a megabyte)
_LONGEST_KEPT_STRETCH = 300


def _folded_stretch_matches(regex: re.Pattern[str], stretch: str, start: int, last: int) -> tuple[Span, ...]:
    """:func:`_search_stretch` of the folded ``stretch``, kept by the stretch's text (see :data:`_FOLDED_MATCHES`)."""
    key = (regex.pattern, regex.flags, stretch, start, last)
    kept = _FOLDED_MATCHES.get(key)
    if kept is not None:
        return kept
    if len(stretch) > _LONGEST_KEPT_STRETCH:  # seldom seen twice: searched afresh, not kept
        return _search_stretch(regex, _fold(stretch), start, last)
    if len(_FOLDED_MATCHES) >= _MAX_FOLDED_MATCHES:
        _FOLDED_MATCHES.clear()
    found = _FOLDED_MATCHES[key] = _search_stretch(regex, _fold(stretch), start, last)
    return found


def _search_regions(
    regex: re.Pattern[str],
    text: str,
    regions: Iterable[Span],
    inner: frozenset[str],
    *,
    folded: bool = False,
    spaces_last: bool = False,
) -> list[Span]:
    """The matches of ``regex`` that a search of all ``text`` finds in or just before ``regions``, and maybe more.

    ``regions`` are ``(start, last)`` bounds, ascending and apart; a match
    under way at a region's start is found, and every match starting in it.
    ``inner`` holds every character other than white space that a match may
    hold. The text between regions is not searched: the cues of an
    article's quotations need only the stretches around them.

    Each region is searched from where no match can be under way (after a
    character not in ``inner``, or after the match taken last) up to the
    first such character at or after ``last``: a match that starts in the
    region cannot run across it, so the shortened search finds it as the
    whole search does. Searching on to the next match beyond the region
    instead scanned the quotations' own text: 0.15 s, profiled, of the
    stage's 1.26 s over 2,000 articles.

    With ``folded``, ``regex`` is searched in :func:`_fold` of ``text``,
    ``inner`` holding characters of the folded text: only the stretches
    searched are folded (a twentieth of the text in the 10 MB case), not the
    article. ``regex`` then looks back at most one character before where it
    is tried, and what it finds in a stretch is kept by the stretch's text
    (see :data:`_FOLDED_MATCHES`).

    With ``spaces_last``, a match holds white space only at its end (a
    sentence end): none is under way at a region that starts on other
    characters after white space (a paragraph's start, most often), so the
    region is searched from its start, not from the end of the paragraph
    before, whose sentence end the walk back found and no cue could use.
    The 2,000 articles of the 10 MB case were extracted in 962 M
    instructions walking back there, 924 M so (callgrind).
    """
    out: list[Span] = []
    stop, held = _stops(_unfolded(inner) if folded else inner)
    size = len(text)
    floor = 0  # the end of the match taken last: the whole search resumes there
    for start, last in regions:
        at = start if start > floor else floor
        if not (spaces_last and floor < at < size and text[at - 1] in _SPACES and text[at] not in _SPACES):
            while at > floor and text[at - 1] in held:
                at -= 1
        if last < size and text[last] not in held:
            end = last + 1  # the region ends at such a character (an opening mark, most often)
        else:
            blocked = stop.search(text, last)
            end = blocked.start() + 1 if blocked else size
        if folded:
            # with the character before, which a match's first is checked against (folding goes code
            # point by code point, so the stretch folds to what it is in the folded article)
            lo = at - 1 if at > 0 else 0
            found = _folded_stretch_matches(regex, text[lo:end], at - lo, last - lo)
            # a loop, not a comprehension, whose function and frame were made for each stretch (most
            # hold one verb): with the lists of an article's marked paragraphs, quotations' ends and
            # verbs' starts made so, 819 M to 794 M instructions for extracting the 2,000 articles of
            # the 10 MB case (callgrind)
            for s, e in found:
                out.append((s + lo, e + lo))
                floor = e + lo
            continue
        for m in regex.finditer(text, at, end):
            if m.start() > last:
                break
            out.append(m.span())
            floor = m.end()
    return out


def _search_stretch(regex: re.Pattern[str], stretch: str, at: int, last: int) -> tuple[Span, ...]:
    """The matches of ``regex`` in ``stretch`` from ``at`` that start by ``last``, in order."""
    out: list[Span] = []
    for m in regex.finditer(stretch, at):
        if m.start() > last:
            break
        out.append(m.span())
    return tuple(out)


class VerbPattern(NamedTuple):
    """The search for speech verbs: in the folded text (:func:`_fold`) when ``inner`` holds the phrases' characters."""

    regex: re.Pattern[str]
    inner: frozenset[str] | None

    def spans(self, text: str, regions: Iterable[Span]) -> list[Span]:
        """The speech verbs of ``text`` (whole words) that start in ``regions`` (:func:`_search_regions`), in order."""
        if self.inner is None:
            return [m.span() for m in self.regex.finditer(text)]
        return _search_regions(self.regex, text, regions, self.inner, folded=True)

    def first(self, text: str, start: int, end: int) -> Span | None:
        """The first speech verb a search of ``text`` from ``start`` finds, the text from ``end`` on unseen."""
        if self.inner is None:
            m = self.regex.search(text, start, end)
            return m.span() if m else None
        # only the character before ``start`` is looked at besides (where a word starts), so only
        # this stretch is folded: folding goes code point by code point
        lo = start - 1 if start > 0 else 0
        m = self.regex.search(_fold(text[lo:end]), start - lo)
        return (m.start() + lo, m.end() + lo) if m else None


@lru_cache(maxsize=16)
def speech_verb_pattern(verbs: tuple[str, ...]) -> VerbPattern | None:
    """The search for ``verbs`` as whole words, ignoring case; of those that match at one place, the longest."""
    phrases = sorted({v.strip().lower() for v in verbs if v.strip()}, key=len, reverse=True)
    if not phrases:
        return None
    edges = r"(?<![\w'\u2019-])(?:{})(?![\w'\u2019-])"
    if all(p.isascii() and len(p) == len(" ".join(p.split())) for p in phrases):
        # ASCII phrases with one space between words (every list in use): a prefix trie searched
        # in the folded text, case-sensitively, took the search over 2,000 articles (2.1 M code
        # points) from 0.52 s to 0.074 s; an alternation tried phrase by phrase, ignoring case,
        # was the slowest step of the stage
        return VerbPattern(re.compile(edges.format(_trie_regex(phrases))), frozenset("".join(phrases)))
    # phrases sorted longest first, so the longest that matches is taken here too
    alt = "|".join(r"\s+".join(map(re.escape, p.split())) for p in phrases)
    return VerbPattern(re.compile(edges.format(alt), re.IGNORECASE), None)


@lru_cache(maxsize=1)
def _default_verb_pattern() -> VerbPattern | None:
    """:func:`speech_verb_pattern` of :data:`SPEECH_VERBS`, asked without a key: the cached call
    hashed the list's 106 phrases for each article, 2.0 us (timeit): the 2,000 articles of the 10 MB
    case took 930 M instructions so, 920 M this way (callgrind)."""
    return speech_verb_pattern(SPEECH_VERBS)


def _adverbs_only(words: list[str]) -> bool:
    """Whether every word of ``words`` is an adverb in lower case ("later", "quickly"): no subject."""
    for w in words:
        if not (w.islower() and (w in _ADVERBS or w.endswith("ly"))):
            return False
    return True


class _LastGood:
    """Finds, among ascending ``keys``, the last one up to a point that passes ``good``.

    Keys are checked only when asked for, and for points asked in ascending
    order each is checked at most once: the walk back from the previous point
    is remembered, so a long run of keys that fail is not walked again.
    """

    def __init__(self, keys: Sequence[int], good: Callable[[int], bool]) -> None:
        self.keys = keys
        self.good = good
        self._hi = self._lo = -1  # the indices in (_lo, _hi] failed ...
        self._lo_good = False  # ... and _lo passed, or was not checked

    def last(self, i: int, floor: int) -> int:
        """The greatest index up to ``i`` whose key is above ``floor`` and passes; -1 if none."""
        keys, hi, found = self.keys, i, False
        while i >= 0 and keys[i] > floor:
            if i == self._hi and self._lo < i:
                i, found = self._lo, self._lo_good
                if found:
                    break
            elif self.good(i):
                found = True
                break
            else:
                i -= 1
        self._hi, self._lo, self._lo_good = hi, i, found
        return i if found and keys[i] > floor else -1


def _outside(open_starts: list[int], ends: list[int], pos: int) -> bool:
    """Whether ``pos`` lies outside every quotation's marks (or on an opening mark), given where they open and end."""
    q = bisect_right(ends, pos)
    return q >= len(ends) or open_starts[q] >= pos


def _ends_sentence(text: str, sentence_ends: list[Span], open_starts: list[int], ends: list[int], i: int) -> bool:
    """Whether the ``i``-th match of :data:`_SENTENCE_END_RE` ends a sentence outside the quotations."""
    start, end = sentence_ends[i]
    return not _abbreviation_dot(text, start) and _outside(open_starts, ends, end)


def _starts_outside(starts: list[int], open_starts: list[int], ends: list[int], i: int) -> bool:
    """Whether the ``i``-th of ``starts`` lies outside the quotations (:func:`_outside`, in line: one call fewer for
    each verb looked at, 794 M to 792 M instructions for extracting the 2,000 articles of the 10 MB case, callgrind)."""
    pos = starts[i]
    q = bisect_right(ends, pos)
    return q >= len(ends) or open_starts[q] >= pos


def _stretches(found: list[_Found], paras: list[_Para]) -> tuple[list[Span], list[Span]]:
    """The stretches of text outside the quotations that their cues are read from, as ``(start, last)`` bounds.

    The first list holds, for each quotation, the text of its first
    paragraph before its opening mark that no other quotation holds (where
    its sentence starts and a verb before it stands); the second adds the
    text of its last paragraph after it (where a cue after it stands). A
    sentence end or a verb inside a quotation is never a cue's, so neither
    is looked for there: in the 10 MB case the stretches are a tenth of the
    paragraphs that hold quotations.

    A sentence end may end where the quotation before stops (at white space
    before the next opening mark): a lead that follows a quotation in its
    paragraph is searched for sentence ends from that quotation's last code
    point, where such a sentence end is under way (see ``spaces_last`` of
    :func:`_search_regions`).
    """
    before: list[Span] = []
    around: list[Span] = []
    prev_end = prev_open = 0
    for n, f in enumerate(found):
        start = paras[f.first_para].start
        lead = (prev_end, f.open_pos) if prev_end > start else (start, f.open_pos)
        before.append((prev_end - 1, f.open_pos) if prev_end > start and prev_end - 1 > prev_open else lead)
        if around and lead[0] <= around[-1][1]:
            around[-1] = (around[-1][0], lead[1])
        else:
            around.append(lead)
        # to the paragraph's end or the next opening mark: ifs, not min and a tuple for each quotation,
        # most of which end their paragraph (extraction of the 2,000 articles of the 10 MB case, with
        # the max in _Cues._before: 835 M to 819 M instructions, callgrind)
        after_last = paras[f.last_para].end
        if n + 1 < len(found) and found[n + 1].open_pos < after_last:
            after_last = found[n + 1].open_pos
        if f.end < after_last:  # a verb at the paragraph's end is too far for a cue (see _Cues._after)
            around.append((f.end, after_last))
        prev_end, prev_open = f.end, f.open_pos
    return before, around


# a cue's reading before its verb (:func:`_cue_before`), by the text it reads and the places in it
# of the sentence's start, the verb and the lead-in's end. Cues repeat ("Mr Darwin said:"): the
# 5,780 cues of the 10 MB case read 506 texts, and their readings took 20 ms read afresh, 8.7 ms
# kept (CPU time, no profiler)
_CUES_BEFORE: dict[tuple[str, int, int, int, int], Span] = {}
_MAX_CUES_BEFORE = 4096


class _Cues:
    """Finds the attribution cue of each quotation: a speech verb and its subject in the same sentence.

    Sentence ends and speech verbs are looked for only in the paragraphs
    where quotations open or close, and whether one is an abbreviation's full
    stop or lies inside a quotation is asked only of those next to a
    quotation: searching whole articles and asking it of all their 22,268
    sentence ends took half the stage's time over 2,000 articles.
    """

    def __init__(self, text: str, found: list[_Found], paras: list[_Para], verbs: tuple[str, ...]) -> None:
        self.text = text
        self.paras = paras
        # listed by loops, not comprehensions, whose functions and frames were made for each article
        # (nor map, whose list and call cost more for an article's few quotations and verbs), and the
        # walk back over the verbs (verbs_before) made only when a quotation asks for it, seldom (see
        # cue): 706.1 M to 698.3 M instructions for extracting the 2,000 articles of the 10 MB case
        # (callgrind)
        open_starts: list[int] = []
        ends: list[int] = []
        self.open_starts, self.ends = open_starts, ends
        for f in found:
            open_starts.append(f.open_pos)
            ends.append(f.end)
        before, around = _stretches(found, paras)
        self.sentence_ends = _search_regions(_SENTENCE_END_RE, text, before, _SENTENCE_END_CHARS, spaces_last=True)
        sentence_end_ends: list[int] = []
        self.sentence_end_ends = sentence_end_ends
        for _, end in self.sentence_ends:
            sentence_end_ends.append(end)
        pattern = _default_verb_pattern() if verbs is SPEECH_VERBS else speech_verb_pattern(verbs)
        self.verbs = [] if pattern is None else pattern.spans(text, around)
        verb_starts: list[int] = []
        self.verb_starts = verb_starts
        for start, _ in self.verbs:
            verb_starts.append(start)

    # the tests the walks back are given hold the lists they read, never this object: one that held
    # it (a bound method, a closure over self) made a reference cycle of it, its paragraphs and their
    # marks, 81,000 objects over the 2,000 articles of a 10 MB case left for the collector to find
    # (see tests/test_extract.py). None is made where each lead opens its paragraph (every lead of
    # the 10 MB case's 2,000 articles), and none taken for each quotation: 924 M to 906 M
    # instructions for extracting the articles (callgrind)
    @cached_property
    def bounds(self) -> _LastGood:
        """The walk back over the sentence ends, to the last that ends a sentence outside the quotations."""
        return _LastGood(
            self.sentence_end_ends,
            functools.partial(_ends_sentence, self.text, self.sentence_ends, self.open_starts, self.ends),
        )

    @cached_property
    def verbs_before(self) -> _LastGood:
        """The walk back over the speech verbs, to the last that stands outside the quotations."""
        return _LastGood(
            self.verb_starts, functools.partial(_starts_outside, self.verb_starts, self.open_starts, self.ends)
        )

    def _outside(self, pos: int) -> bool:
        """Whether ``pos`` lies outside every quotation's marks (or on an opening mark)."""
        return _outside(self.open_starts, self.ends, pos)

    def cue(self, f: _Found) -> Span | None:
        """The cue of quotation ``f``: before it when its sentence there has a verb and a lead-in, else after it, else before.

        The walks back of :class:`_LastGood` are taken only when the key
        nearest the opening mark does not answer: most often no sentence
        end stands between the paragraph's start and the mark, and the
        verb nearest the mark lies outside the quotations. The 2,000
        articles of the 10 MB case were extracted in 727.7 M instructions
        calling both walks for each quotation, 720.7 M so (callgrind).
        """
        text = self.text
        o = f.open_pos
        sent = self.paras[f.first_para].start
        keys = self.sentence_end_ends
        b = bisect_right(keys, o) - 1
        if b >= 0 and keys[b] > sent:
            b = self.bounds.last(b, sent)
            if b >= 0:
                sent = keys[b]
        verb_starts = self.verb_starts
        v = bisect_left(verb_starts, o) - 1
        if v >= 0 and verb_starts[v] >= sent and not _starts_outside(verb_starts, self.open_starts, self.ends, v):
            v = self.verbs_before.last(v - 1, sent - 1)  # that one is inside: the walk goes on before it
        elif v >= 0 and verb_starts[v] < sent:
            v = -1
        verb = self.verbs[v] if v >= 0 and self.verbs[v][1] <= o else None
        # a clause ending in a colon or comma right before the opening mark
        c = o - 1
        while c >= sent and text[c].isspace():
            c -= 1
        lead_in = c if c >= sent and text[c] in ":," else -1
        if verb and lead_in >= 0:
            return self._before(verb, sent, lead_in)
        after = self._after(f) if f.closed else None
        if after:
            return after
        if verb:
            return self._before(verb, sent, -1)
        return None

    def _before(self, verb: Span, sent: int, lead_in: int) -> Span:
        """:func:`_cue_before`, kept by the text it reads and the places in it (see :data:`_CUES_BEFORE`)."""
        vs, ve = verb
        lo = sent - 1 if sent > 0 else 0
        hi = lead_in if lead_in > ve else ve  # not max, which parses its arguments as keywords
        if hi - lo > _WINDOW:  # a long sentence, seldom seen twice: read afresh, not kept
            return _cue_before(self.text, verb, sent, lead_in)
        lead = lead_in - lo if lead_in >= ve else -1  # a lead-in before the verb's end is none
        key = (self.text[lo:hi], sent - lo, vs - lo, ve - lo, lead)
        found = _CUES_BEFORE.get(key)
        if found is None:
            if len(_CUES_BEFORE) >= _MAX_CUES_BEFORE:
                _CUES_BEFORE.clear()
            found = _CUES_BEFORE[key] = _cue_before(key[0], (key[2], key[3]), key[1], lead)
        return found[0] + lo, found[1] + lo

    def _after(self, f: _Found) -> Span | None:
        """A cue after the closing mark: ``"…," he said`` or ``"…", said the letter``."""
        text = self.text
        end = self.paras[f.last_para].end
        j = _skip_blanks(text, f.end, end)
        if j < end and text[j] in ",\u2014\u2013":
            j = _skip_blanks(text, j + 1, end)
        else:
            s, e = _trim(text, *f.spans[-1])
            if e <= s or text[e - 1] not in ",?!\u2014\u2013":
                return None
        reach = min(end, j + _WINDOW)
        v = bisect_left(self.verb_starts, j)
        while v < len(self.verbs) and self.verbs[v][0] <= reach and not self._outside(self.verbs[v][0]):
            v += 1  # a verb inside a quotation (the next one); one past the reach is too far anyway
        if v >= len(self.verbs):
            return None
        vs, ve = self.verbs[v]
        if ve > reach or _CLAUSE_STOP_RE.search(text, j, vs):
            return None  # no speech verb in the clause after the closing mark
        if len(_WORD_RE.findall(text, j, vs)) > _MAX_AFTER_LEAD:
            return None
        limit = min(end, ve + _WINDOW)
        stop = limit
        for m in _CLAUSE_STOP_RE.finditer(text, ve, limit):
            if not _abbreviation_dot(text, m.start()):
                stop = m.start()
                break
        cue_end = ve
        for n, m in enumerate(_WORD_RE.finditer(text, ve, stop)):
            # a name runs on past the usual tail ("said Brig. Gen. Alice M. Hartley")
            if n >= _MAX_AFTER_TAIL and (n >= 2 * _MAX_AFTER_TAIL or not m.group()[0].isupper()):
                break
            cue_end = m.end()
        first = _WORD_RE.search(text, j, vs)
        return (first.start() if first else vs), cue_end


def _cue_before(text: str, verb: Span, sent: int, lead_in: int) -> Span:
    """A cue before the opening mark: its speech ``verb`` with the subject before it in the sentence from ``sent``.

    A clause ending in a colon or comma at ``lead_in`` (-1 when there is
    none) runs on to it when short. Only ``text`` from the character before
    ``sent`` up to the verb's end or ``lead_in`` is read.
    """
    vs, ve = verb
    end = ve
    if lead_in >= ve:
        tail = text[ve:lead_in]
        if len(tail) <= _WINDOW and not _CLAUSE_STOPS.intersection(tail):
            if len(_WORD_RE.findall(tail)) <= _MAX_TAIL_WORDS:
                end = ve + len(tail.rstrip())
    piece = max(sent, vs - _WINDOW)
    for m in _PIECE_STOP_RE.finditer(text, piece, vs):
        if not _is_apostrophe(text, m.start()):
            piece = m.end()
    start = vs
    taken: list[str] = []
    for m in reversed(list(_WORD_RE.finditer(text, piece, vs))):
        w = m.group()
        if w.lower() in _CLAUSE_WORDS or len(taken) >= _MAX_SUBJECT_WORDS:
            break
        taken.append(w)
        start = m.start()
    finite = not text[vs:ve].lower().endswith("ing")  # "..., telling him" has no subject of its own
    if finite and _adverbs_only(taken):
        # "Jane Roe, a ministry spokesperson, later tweeted": the subject sits
        # before an apposition; take the whole clause from the start of the sentence
        if vs - sent <= _WINDOW and piece > sent and text[piece - 1] == ",":
            head = text[sent:vs]
            words = list(_WORD_RE.finditer(text, sent, vs))
            if (
                words
                and not any(c in _SUBJECT_STOPS and not _is_apostrophe(text, sent + i) for i, c in enumerate(head))
                and len(words) <= _MAX_LONG_SUBJECT_WORDS
                and not any(w.group().lower() in _CLAUSE_WORDS for w in words)
            ):
                start = words[0].start()
    return start, end


# --------------------------------------------------------------------------- the stage


def extract_quotations(doc: Document, *, speech_verbs: Sequence[str] = SPEECH_VERBS) -> tuple[Quotation, ...]:
    """Find the direct quotations of ``doc``, in text order.

    Paragraphs come from ``doc.paragraphs`` (each non-empty line when there
    are none); no quotation starts inside a span of ``doc.skipped``. Each
    :class:`Quotation` has one span per paragraph, inside the quote marks and
    trimmed of white space; its segments split the spans into quoted words,
    marked elisions (``...``, ``…``, ``[...]``) and bracketed interpolations;
    its attribution is the cue around it ("the letter said", "he told
    reporters") when the sentence has one of ``speech_verbs``, else ``None``.
    Never raises on any text.
    """
    text = doc.text
    if not text:
        return ()
    paras = _paragraphs(doc)
    found = _pair(text, paras)
    cues = _Cues(text, found, paras, tuple(speech_verbs))
    out: list[Quotation] = []
    for f in found:
        # most quotations have one span, trimmed without lists made around it: 14 M instructions fewer
        # for the 5,780 quotations of the 10 MB case (callgrind)
        if len(f.spans) == 1:
            # trimmed by str.strip, whose white space is str.isspace's as _trim's is, where _trim tested
            # each end's code point by a call: with the marks of the paragraphs (:func:`_marks_of_text`)
            # and the one segment below made in line, 762 M to 730 M instructions for extracting the
            # 2,000 articles of the 10 MB case (callgrind; the segment is made by _segment again, a
            # call of some hundreds of instructions for each of 4,267 quotations)
            s, e = f.spans[0]
            raw = text[s:e]
            quoted = raw.strip()
            if not quoted:
                continue
            if len(quoted) != len(raw):
                s += len(raw) - len(raw.lstrip())
                e = s + len(quoted)
            spans: tuple[Span, ...] = ((s, e),)
            # a trimmed span without a cut is one run of quoted words, which quotation_segments would
            # find no cut in and trim to itself: 4,267 of the 5,780 quotations of the 10 MB case,
            # whose extraction took 906 M instructions so, 892 M made so (callgrind)
            segments = quotation_segments(text, spans) if _may_hold_cut(quoted) else (_segment("text", s, e),)
        else:
            spans = tuple([sp for sp in [_trim(text, s, e) for s, e in f.spans] if sp[1] > sp[0]])
            if not spans:
                continue
            quoted = "\n".join([text[s:e] for s, e in spans])
            segments = quotation_segments(text, spans)
        cue = cues.cue(f)
        quotation = with_fields(  # 0.35 instead of 0.83 us a quotation, measured
            Quotation,
            {
                "text": quoted,
                "spans": spans,
                "segments": segments,
                "attribution": text[cue[0] : cue[1]] if cue else None,
                "attribution_span": cue,
            },
        )
        out.append(quotation)
    return tuple(out)
