"""Recognise the boilerplate of a news article saved as text: captions, link
lists, promos, embeds and stray lines in another script.

The rules are generic (no outlet's wording is special): they look at the
paragraphs of an article one line at a time, and at their neighbours. Each
hit names a whole paragraph and why it was taken for boilerplate. A paragraph
that opens with a quotation mark is never taken, except inside a link list at
the end of the page, so that quotations set one paragraph per line survive.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from functools import lru_cache
from itertools import compress
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import regex

from quoteverify._patterns import PatternCache
from quoteverify.models import Paragraph, Span

Reason = Literal["caption", "link list", "script", "embed", "promo", "label"]


@dataclass(frozen=True)
class Skip:
    """A paragraph recognised as boilerplate, and why."""

    index: int
    span: Span
    reason: Reason


# Quotation marks that may open a quotation (double, single, guillemets, low-9).
OPENING_QUOTES = "\"'\u201c\u201d\u201e\u201f\u2018\u2019\u201a\u201b\u00ab\u00bb\u2039\u203a\u300c\u300e"
DOUBLE_QUOTES = '"\u201c\u201d\u201e\u201f\u00ab\u00bb\u300c\u300d\u300e\u300f'

_I = regex.IGNORECASE | regex.VERSION1
# compiled once, then read from the user's cache folder: 0.4 ms instead of 28-34 ms a start
_PATTERNS = PatternCache(__name__)

# A caption label at the start of a line ("Image: ...", "Image caption,").
_CAPTION_LABEL = _PATTERNS.compile(
    r"^[\W_]{0,3}(?:image|photo|photograph|picture|pictured|pic|file photo|file picture"
    r"|image caption|media caption|video caption|caption|image source|photo credit"
    r"|image credit|credit)\s*[:,\u2014\u2013|]",
    _I,
)
# A line that is nothing but a caption label: the caption text follows it.
_BARE_LABEL = _PATTERNS.compile(
    r"^[\W_]{0,3}(?:image caption|media caption|video caption|caption|image source"
    r"|photo credit|image credit)\s*[:,.]?\s*$",
    _I,
)
# A credit at the end of a line ("... Picture: PA", "...: Getty", "Image source, AFP").
_CAPTION_CREDIT = _PATTERNS.compile(
    r"(?:\b(?:picture|photo|photograph|pictured|image|credit)\s*:\s*[^:.!?\"\u201c\u201d]{1,60}"
    r"|:\s*(?:getty(?:\s+images)?|afp|reuters|ap|pa|epa(?:-efe)?|shutterstock|alamy)"
    r"(?:\s*(?:/|via)\s*[\w .&-]{1,30})?"
    r"|image source,\s*[^.!?\"\u201c\u201d]{1,60}"
    r"|\((?:getty images|afp|reuters|ap|pa|epa)[\w /.&-]{0,30}\))\s*$",
    _I,
)


#: an ASCII letter, and each ASCII letter followed by an ASCII character
_ASCII_HEADS = frozenset([*string.ascii_letters, *[a + chr(b) for a in string.ascii_letters for b in range(128)]])


def _plain_heads(leads: frozenset[str]) -> frozenset[str]:
    """The first two characters of a line (or its one) that start with an ASCII letter and,
    lower-cased, are none of ``leads``: no line that a pattern whose words start with those
    letters (in any case) matches from its first character starts so.

    Of ASCII characters, two lower-case to a lead when each lower-cases to its letter: the
    leads' four spellings each are taken from the heads, made once, where each of the 6,656
    heads was lower-cased and looked up (both sets in 1.6 ms instead of 4.2 ms of every
    start, measured)."""
    spellings = {a + b for lead in leads for a in {lead[0], lead[0].upper()} for b in {lead[1], lead[1].upper()}}
    return _ASCII_HEADS - spellings


# The first two letters (in lower case) of the words of _CAPTION_LABEL.
_LABEL_LEADS = frozenset({"im", "ph", "pi", "fi", "me", "vi", "ca", "cr"})
# No caption label starts a line that starts so.
_PLAIN_HEADS = _plain_heads(_LABEL_LEADS)
# Characters that no match of _CAPTION_CREDIT holds.
_CREDIT_STOPS = "!?\"\u201c\u201d"
_CREDIT_STOP_SET = frozenset(_CREDIT_STOPS)
# A line that introduces a list of links to other pages.
_LINK_MARKER = _PATTERNS.compile(
    r"^[\W_]{0,3}(?:read more|read next|also read|read also|more latest news|latest news"
    r"|more from\b.{0,40}|more on this story|more stories|more news|see more\b.{0,40}"
    r"|see also|related|related (?:stories|articles|content|topics|coverage|links|news)"
    r"|most read|most popular|most viewed|most shared|top stories|trending(?: now)?"
    r"|you may also like|you might also like|recommended(?: for you)?|editor'?s picks"
    r"|around the web|from around the web|more in\b.{0,40})[\W_]{0,3}$",
    _I,
)
# The first two letters (in lower case) of the phrases of _LINK_MARKER.
_MARKER_LEADS = frozenset({"re", "al", "ar", "mo", "la", "se", "to", "tr", "yo", "ed", "fr"})
# No link-list marker starts a line that starts so.
_MARKER_PLAIN_HEADS = _plain_heads(_MARKER_LEADS)
# Embedded posts, newsletters, channel invitations, comment policies, players.
_PROMO: list[tuple[Reason, regex.Pattern[str]]] = [
    ("embed", _PATTERNS.compile(r"\bview original (?:tweet|post)\b", _I)),
    (
        "embed",
        _PATTERNS.compile(
            r"\bnot responsible for the content of external (?:internet )?(?:sites|websites|pages)\b", _I
        ),
    ),
    (
        "embed",
        _PATTERNS.compile(
            r"^(?:skip|end of) (?:twitter|x|instagram|facebook|youtube|tiktok|bluesky) (?:post|content|video)\b",
            _I,
        ),
    ),
    ("embed", _PATTERNS.compile(r"^allow (?:twitter|x|instagram|facebook|youtube|tiktok|bluesky) content\b", _I)),
    ("embed", _PATTERNS.compile(r"\bcontent provided by (?:twitter|x|instagram|facebook|youtube|tiktok)\b", _I)),
    (
        "promo",
        _PATTERNS.compile(
            r"^join\b.{0,80}\b(?:telegram|whatsapp|signal|viber) (?:channel|group|community)\b", _I
        ),
    ),
    ("promo", _PATTERNS.compile(r"^(?:sign up|subscribe|register)\b.{0,80}\bnewsletters?\b", _I)),
    ("promo", _PATTERNS.compile(r"^(?:follow|like) us on\b", _I)),
    ("promo", _PATTERNS.compile(r"\bcomment(?:s|ing)\b.{0,60}\b(?:suspend|disabl|clos|turn(?:ed)? off)\w*", _I)),
    ("promo", _PATTERNS.compile(r"\b(?:suspend|disabl|clos)\w*\b.{0,60}\bcomment(?:s|ing)\b", _I)),
    (
        "promo",
        _PATTERNS.compile(
            r"\b(?:community (?:guidelines|standards|experience)|comment(?:ing)? polic(?:y|ies)|house rules)\b",
            _I,
        ),
    ),
    (
        "promo",
        _PATTERNS.compile(
            r"\b(?:video player|media playback is (?:not supported|unsupported)"
            r"|this video (?:can ?not|can't) be played|your browser does not support"
            r"|enable javascript|javascript is disabled)\b",
            _I,
        ),
    ),
    # list items whose link texts were lost in saving: "... on , , ,"
    ("promo", _PATTERNS.compile(r"(?:\s*,){3,}\s*$")),
]
# Words one of which every phrase above holds (a cheap test before the patterns).
_PROMO_KEYS = (
    "tweet",
    "post",
    "external",
    "content",
    "telegram",
    "whatsapp",
    "signal",
    "viber",
    "newsletter",
    "us on",
    "comment",
    "community",
    "polic",
    "house rules",
    "video",
    "media playback",
    "browser",
    "javascript",
)
# A line that is nothing but a page label.
_LABEL = _PATTERNS.compile(
    r"^[\W_]{0,3}(?:advertisement|advert|sponsored(?: content)?|share(?: this (?:article|story|page))?"
    r"|copy link|listen to (?:this )?article|published|updated|last updated|exclusive|analysis"
    r"|breaking(?: news)?|live|watch|listen)[\W_]{0,3}$",
    _I,
)
_WORD = _PATTERNS.compile(r"\w+(?:['\u2019\-]\w+)*")
_LETTER = _PATTERNS.compile(r"\p{L}")
_ASCII_LETTERS = string.ascii_letters.encode("ascii")
_UPPER = _PATTERNS.compile(r"\p{Lu}")
_LOWER = _PATTERNS.compile(r"\p{Ll}")
_SENTENCE_END = _PATTERNS.compile(r"[.!?\u2026:;][\"'\u201d\u2019\u00bb)\]]*\s*$")

# Groups of scripts: a line is foreign when most of its letters lie outside the
# document's dominant group. Japanese and Chinese count as one group.
_SCRIPT_CLASSES = {
    "Latin": r"\p{Script=Latin}",
    "Cyrillic": r"\p{Script=Cyrillic}",
    "Greek": r"\p{Script=Greek}",
    "Arabic": r"\p{Script=Arabic}",
    "Hebrew": r"\p{Script=Hebrew}",
    "CJK": r"\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Bopomofo}",
    "Hangul": r"\p{Script=Hangul}",
    "Devanagari": r"\p{Script=Devanagari}",
    "Thai": r"\p{Script=Thai}",
    "Armenian": r"\p{Script=Armenian}",
    "Georgian": r"\p{Script=Georgian}",
}
_SCRIPTS = [(name, _PATTERNS.compile(f"[{cls}]")) for name, cls in _SCRIPT_CLASSES.items()]

#: The share of a line's letters outside the dominant script that makes it foreign.
FOREIGN_SHARE = 0.5
#: The dominant script of a longer text is read from a sample of this many characters.
SAMPLE_CHARS = 1 << 18
# The sample is this many evenly spaced slices of the text.
_SAMPLE_PIECES = 64
#: How much longer (in characters) a caption repeated with its credit may be.
REPEAT_TAIL = 40
#: A link list's items are headlines: at least this share ends without a full stop.
LIST_SHARE = 0.5
#: Anchored patterns look at this many characters at a line's start or end.
WINDOW = 200
#: Promo and embed phrases are looked for in lines of at most this many characters.
PHRASE_CHARS = 2000
#: No line longer than this is a link-list marker: three marks, "more from" and 40
#: characters, three marks, and a final line break (a character of the line matches
#: one of the pattern or more, never none)
LINK_MARKER_CHARS = 3 + len("more from") + 40 + 3 + 1
#: nor a page label longer than this: three marks, "listen to this article", three marks, a line break
LABEL_CHARS = 3 + len("listen to this article") + 3 + 1
#: The longest caption text, in words, that follows a bare caption label.
CAPTION_WORDS = 40


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _ascii_letters(data: bytes) -> int:
    """How many ASCII letters the UTF-8 ``data`` holds (no byte of a longer sequence is ASCII)."""
    return len(data) - len(data.translate(None, _ASCII_LETTERS))


_ASCII_BYTES = bytes(range(128))


def _non_ascii(data: bytes) -> str:
    """The characters over U+007F of the UTF-8 ``data``, in order.

    Scans in C: 0.7 instead of 2.5 us for a 1 KB article, measured, where a
    regular expression found the runs of them in the text.
    """
    return data.translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass")


def script_counts(text: str) -> Counter[str]:
    """Count the letters of ``text`` in each script group ("Other" for the rest)."""
    return _script_counts(text, _utf8(text))


def _script_counts(text: str, data: bytes) -> Counter[str]:
    """:func:`script_counts` of ``text``, whose UTF-8 is ``data``."""
    counts: Counter[str] = Counter()
    ascii_letters = _ascii_letters(data)
    if ascii_letters:
        counts["Latin"] = ascii_letters
    if text.isascii():
        return counts
    rest = _non_ascii(data)
    total = len(_LETTER.findall(rest))
    if not total:
        return counts
    seen = 0
    for name, pattern in _SCRIPTS:
        n = len(pattern.findall(rest))
        if n:
            counts[name] += n
            seen += n
    if total > seen:
        counts["Other"] = total - seen
    return counts


@lru_cache(maxsize=None)
def _foreign_letters(dominant: str) -> regex.Pattern[str]:
    """A pattern for the letters outside the script group ``dominant`` (compiled once: 0.4 ms an article)."""
    if dominant == "Other":
        return regex.compile("[" + "".join(_SCRIPT_CLASSES.values()) + "]", regex.VERSION1)
    return regex.compile(r"[\p{L}--[" + _SCRIPT_CLASSES[dominant] + "]]", regex.VERSION1)


_ASCII_NON_LETTERS = bytes(b for b in range(128) if not chr(b).isalpha())


def _maybe_foreign(s: str, latin: bool) -> bool:
    """A cheap test that a line may be mostly in another script.

    In a Latin text only non-ASCII letters can be foreign, so a line with no
    more non-ASCII characters than ASCII letters cannot be mostly foreign.
    """
    if not latin:
        return True
    if s.isascii():
        return False
    ascii_part = s.encode("ascii", "ignore")
    non_ascii = len(s) - len(ascii_part)
    return non_ascii > len(ascii_part.translate(None, _ASCII_NON_LETTERS))


def _sample(text: str) -> str:
    """Evenly spaced slices of a long text, :data:`SAMPLE_CHARS` characters in all."""
    if len(text) <= SAMPLE_CHARS:
        return text
    step = len(text) // _SAMPLE_PIECES
    width = SAMPLE_CHARS // _SAMPLE_PIECES
    return "".join(text[i : i + width] for i in range(0, step * _SAMPLE_PIECES, step))


def dominant_script(text: str) -> str | None:
    """The script group most of the letters of ``text`` belong to (ties: first listed)."""
    sample = _sample(text)
    return _dominant_script(sample, _utf8(sample))


#: the bytes of English text that hold an "e" or more, as a rule (one letter in eight is one)
_E_WINDOW = 32


def _dominant_script(sample: str, data: bytes) -> str | None:
    """:func:`dominant_script` of ``sample``, whose UTF-8 is ``data``."""
    # A character outside ASCII takes two bytes or more: when there are no more such
    # bytes than ASCII letters, no group has more letters than Latin, which wins a tie.
    # The letters "e" are often enough, counted in one scan where counting every ASCII
    # letter deletes them (4.4 instead of 10.5 us for a 1 KB article, measured). Those of the
    # first bytes are counted first, _E_WINDOW bytes for each such byte: in English they hold
    # more "e" than there are such bytes, and then so does the whole text (0.7 instead of
    # 1.4 us for a 1 KB article, measured).
    others = len(data) - len(sample)
    if (
        data.count(b"e", 0, _E_WINDOW * (others + 1)) > others
        or data.count(b"e") > others
        or (others and _ascii_letters(data) >= others)
    ):
        return "Latin"
    counts = _script_counts(sample, data)
    if len(counts) < 2:
        return next(iter(counts), None)
    order = [name for name, _ in _SCRIPTS] + ["Other"]
    return max(order, key=lambda name: (counts.get(name, 0), -order.index(name)))


def _foreign_pattern(text: str, data: bytes | None = None) -> tuple[regex.Pattern[str] | None, bool]:
    """The letters of a script group other than the dominant one of ``text`` (whose UTF-8 is
    ``data``, when given), when a line of it may be foreign, and whether that group is Latin
    (which says nothing when no line may be foreign).

    When every letter is an ASCII one, no line is foreign and none is looked
    at; so in a Latin text whose letters outside ASCII are all Latin.
    """
    if data is None:
        data = _utf8(text)
    # Nothing outside ASCII, or only general punctuation (quotation marks, dashes, U+2000-U+203F,
    # "\xe2\x80" then one byte in UTF-8, no letter among them): every letter is an ASCII one, of
    # the Latin group, and no line is foreign whatever group is the dominant one, which is not
    # looked for (the 2,000 articles of the 10 MB case in 3.7 ms instead of 5.5 ms, best of 60)
    if data.count(b"\xe2\x80") * 2 == len(data) - len(text):
        return None, True
    sample = _sample(text)
    dominant = _dominant_script(sample, data if sample is text else _utf8(sample))
    if dominant is None:
        return None, False
    foreign = _foreign_letters(dominant)
    # one scan, where cutting out the characters outside ASCII and looking for letters among
    # them took 2.3 us more for a 1 KB article, measured
    if dominant == "Latin" and not foreign.search(_non_ascii(data)):
        return None, True
    return foreign, dominant == "Latin"


def _words(s: str) -> int:
    return len(_WORD.findall(s))


def squash_spaces(s: str) -> str:
    """``" ".join(s.split())``: ``s`` itself when its only white space is single spaces between
    other characters, as a printable text's is but for doubled spaces and spaces at its ends
    (every white space character but the space is unprintable). Looked at, not split and
    joined again: the 2,000 titles taken of the 10 MB case's articles in 1.13 ms instead of
    1.66 ms (best of 41, alternated in one process)."""
    if s.isprintable() and "  " not in s and s[:1] != " " and s[-1:] != " ":
        return s
    return " ".join(s.split())



_OPENING_QUOTE_SET = frozenset(OPENING_QUOTES)


def _opens_quote(s: str) -> bool:
    return s[:1] in _OPENING_QUOTE_SET


# a scan in C, where frozenset.isdisjoint takes the line's characters one by one
_DOUBLE_QUOTE = re.compile("[" + re.escape(DOUBLE_QUOTES) + "]")


def _has_double_quote(s: str) -> bool:
    # in ASCII, only '"' is one: a scan for one character, where the pattern tries a class on each
    # (the lines of the 10 MB case's articles: 28,000 instructions an article fewer, measured)
    return '"' in s if s.isascii() else _DOUBLE_QUOTE.search(s) is not None


def _is_list_tail(lines: Sequence[str]) -> bool:
    """Whether the lines after a link-list marker look like a list of headlines."""
    if not lines:
        return True
    headlines = sum(1 for s in lines if not _SENTENCE_END.search(s[-WINDOW:]))
    return headlines >= LIST_SHARE * len(lines)


def _is_caption(s: str) -> bool:
    """A line with a caption label at its start or a picture credit at its end."""
    # A line that starts with an ASCII letter starts with the label's word (no mark before it),
    # whose first two letters are one of _LABEL_LEADS: one look-up of its first two characters,
    # where testing them took four calls (the 15,560 lines of the 10 MB case's articles tested
    # in 9.0 ms instead of 10.2 ms, best of 41); and a credit runs to the end of the line, holds no stop (as a line
    # of prose ending with a quotation does) and holds a colon, a bracket or "source," (so "e,"
    # or "E,", as no other character lower-cases to an "e")
    if s[:2] not in _PLAIN_HEADS and _CAPTION_LABEL.match(s[:WINDOW]):
        return True
    tail = s[-WINDOW:]
    last = tail[-1:]
    if last in _CREDIT_STOP_SET:
        return False
    # only a credit that opens with a colon (": Getty via A.P.") ends with a full stop, as half
    # the lines of the 10 MB case's articles do: its 15,560 lines tested in 7.1 ms instead of
    # 9.4 ms (best of 41)
    if last == "." and ":" not in tail:
        return False
    if ":" not in tail and "(" not in tail and not (("e," in tail or "E," in tail) and "source," in tail.lower()):
        return False
    # No credit holds any of _CREDIT_STOPS, and every one runs to the end: one starts
    # after the last of them (a line of prose that ends with a quotation is not searched)
    after = max(map(tail.rfind, _CREDIT_STOPS)) + 1
    return bool(_CAPTION_CREDIT.search(tail, after))


def _may_repeat(a: str, b: str) -> bool:
    """A cheap test that ``b`` may repeat ``a``: they share their first or their last word."""
    # the first and last words only, not every word of two lines cut apart
    fa, fb = a.split(None, 1), b.split(None, 1)
    if not fa or not fb:
        return False
    return fa[0] == fb[0] or a.rsplit(None, 1)[-1] == b.rsplit(None, 1)[-1]


def _repeated(a: str, b: str) -> bool:
    """Whether line ``b`` repeats line ``a``, as a caption is repeated with its label or credit."""
    if a == b:
        return _words(a) >= 1
    if not (b.startswith(a) or b.endswith(a)) or _words(a) < 2:
        return False
    if _is_caption(b):
        return True
    return _words(a) >= 4 and len(b) - len(a) <= REPEAT_TAIL


def _shouting(s: str) -> bool:
    """A short line all in capitals with no quotation in it ("FOLLOW OUR LIVE UPDATES")."""
    if len(s) > 200 or _LOWER.search(s) or _has_double_quote(s) or not 3 <= _words(s) <= 12:
        return False
    return len(_UPPER.findall(s)) >= 10


def _promo_keys(phrases: Sequence[str]) -> list[str]:
    """The words of :data:`_PROMO_KEYS` that the lines which may be promos hold.

    Looked for once in those lines joined, not in each line: 14 ms instead
    of 23 ms for 2,000 articles, measured. No word holds a line break, and
    lower-casing maps a character at a time (but for a final sigma, never
    one of these ASCII words), so a word is found in the joined lines when
    one of them holds it.
    """
    joined = "\n".join(phrases).lower()
    return [k for k in _PROMO_KEYS if k in joined]


def _phrases(lines: Sequence[str]) -> tuple[list[bool], list[str]]:
    """Which lines may be a promo (short, without a quotation), and the words of
    :data:`_PROMO_KEYS` those lines hold.

    A line is tested for a quotation as :func:`_has_double_quote` tests it, without a call
    for each: with the lines given to :func:`find_boilerplate` not stripped again to tell
    that they are trimmed, it took 341 M instructions instead of 350 M (callgrind), 43.7 ms
    instead of 44.6 ms (best of 81, alternated in one process) for the 2,000 articles of the
    10 MB case.
    """
    quote = _DOUBLE_QUOTE.search
    # a line outside ASCII that holds "\u201c", as a quotation's line most often does, is found so
    # by a scan for that character, not by the pattern: the boilerplate of the 2,000 articles of the
    # 10 MB case 251 M -> 234 M instructions (callgrind)
    phrase = [
        len(s) <= PHRASE_CHARS and not ('"' in s if s.isascii() else "\u201c" in s or quote(s)) for s in lines
    ]
    # the lines that may be promos picked out by compress, not by a comprehension: 259 M -> 253 M
    # instructions for the boilerplate of the 2,000 articles of the 10 MB case (callgrind)
    return phrase, _promo_keys([*compress(lines, phrase)])


def _link_lists(text: str, paragraphs: Sequence[Paragraph], lines: Sequence[str]) -> tuple[int, dict[int, Reason]]:
    """Where a link list running to the end of the page starts (else the line count), and the link-list lines."""
    reasons: dict[int, Reason] = {}
    tail_from = len(lines)
    half = len(text) / 2
    # a line short enough for a marker but whose first two characters start none is not matched:
    # 87 of the 1,600 such lines of the 10 MB case's articles are, their link lists found in
    # 4.55 ms instead of 5.29 ms (best of 61, alternated in one process)
    for i, s in enumerate(lines):
        marker = len(s) <= LINK_MARKER_CHARS and s[:2] not in _MARKER_PLAIN_HEADS and _LINK_MARKER.match(s)
        if marker and not _opens_quote(s):
            if paragraphs[i].start >= half and _is_list_tail(lines[i + 1 :]):
                tail_from = i
                break
            reasons.setdefault(i, "link list")
    for i in range(tail_from, len(lines)):
        reasons[i] = "link list"
    return tail_from, reasons


def _lines_to_try(lines: Sequence[str], end: int) -> list[int]:
    """The lines before ``end`` that a rule of :func:`find_boilerplate` may take, or that may take the
    line after them along, when the lines are trimmed and not empty, none may be foreign and the
    lines that may be promos hold no word of :data:`_PROMO_KEYS`.

    A line is tried when the first test of a rule passes: its first two characters may start a
    caption label; its last may end a credit (a full stop only after a colon) or a list item
    (a comma); it shares its first or last character with the next line, which may repeat it; it
    is short enough for a page label; or it has no "e", as a line all in capitals has none. Every
    other line passes no rule's test, and no line before it took it along: 2,740 of the 15,560
    lines of the 10 MB case's articles are tried, by one loop that keeps each line's first and
    last characters for the next, and its 2,000 articles' boilerplate found in 259 M instructions
    instead of 320 M (callgrind).
    """
    plain, stops = _PLAIN_HEADS, _CREDIT_STOP_SET
    tried: list[int] = []
    first_before = last_before = ""
    for i, s in enumerate(lines[:end]):
        first, last = s[0], s[-1]
        if (first == first_before or last == last_before) and (not tried or tried[-1] != i - 1):
            tried.append(i - 1)
        if (last not in stops and (last != "." or ":" in s)) or len(s) <= LABEL_CHARS or "e" not in s or s[:2] not in plain:
            tried.append(i)
        first_before, last_before = first, last
    return tried


def _line_alone(
    s: str, short: bool, foreign: regex.Pattern[str] | None, ascii_dominant: bool, promo_keys: Sequence[str]
) -> Reason | None:
    """The rules that read line ``s`` alone: another script, a promo (``short``: it may be one), a label, shouting."""
    if foreign is not None and _maybe_foreign(s, ascii_dominant):
        letters = len(_LETTER.findall(s))
        if letters >= 2 and len(foreign.findall(s)) > FOREIGN_SHARE * letters:
            return "script"
    if short and ((promo_keys and any(map(s.lower().__contains__, promo_keys))) or s.rstrip().endswith(",")):
        for kind, pattern in _PROMO:
            if pattern.search(s):
                return kind
    if len(s) <= 200:
        if len(s) <= LABEL_CHARS and _LABEL.match(s):
            return "label"
        # shouted: without a lower-case letter, such as "e" or "a" (in ASCII: all in capitals)
        if "e" not in s and "a" not in s and (s.isupper() or not s.isascii()) and _shouting(s):
            return "promo"
    return None


def find_boilerplate(
    text: str, paragraphs: Sequence[Paragraph], *, lines: Sequence[str] | None = None, utf8: bytes | None = None
) -> tuple[Skip, ...]:
    """Find the paragraphs of an article that are boilerplate, in paragraph order.

    ``paragraphs`` are the article's paragraphs (one per line); ``lines``
    their texts, trimmed as :func:`~quoteverify.ingest.document.find_paragraphs`
    trims them, and ``utf8`` the text's UTF-8, when the caller has them
    already. The rules:

    - captions: a line that starts with a caption label (``Image:``,
      ``Photo:``, ``Image caption``...) or ends with a credit (``Picture:
      PA``, ``: Getty``, ``Image source, AFP``); a line that is only a label
      takes the short line after it along; a line repeated by the next one,
      or contained in the next one with at most a credit's length more
      (``X`` then ``Image: X`` or ``X. Picture: PA``): both lines;
    - link lists: from a line that is only ``Read more``, ``Related``,
      ``More from ...``, ``Most read``... to the end, when it stands in the
      second half of the text and what follows it is mostly headlines
      (lines without a full stop); otherwise only the marker line;
    - a line most of whose letters are in another script than the text's;
    - embeds, channel and newsletter invitations, comment policies, video
      player notices, lists whose link texts are lost, shouted promos and
      bare page labels (``Advertisement``, ``Published``).
    """
    if not paragraphs:
        return ()
    trimmed = lines is not None  # lines given are trimmed, not stripped again to tell (see _phrases)
    if lines is None:
        lines = [text[p.start : p.end] for p in paragraphs]
        trimmed = list(map(str.strip, lines)) == lines  # as paragraphs are
    tail_from, reasons = _link_lists(text, paragraphs, lines)
    foreign, ascii_dominant = _foreign_pattern(text, utf8)
    phrase, promo_keys = _phrases(lines)
    # Each rule tries a cheap test before its patterns, a test its match implies (a line's
    # length, its first letters, where a credit could start...): most lines pass none in a
    # few string operations. The 10 MB case's articles in 256,000 instructions an article
    # instead of 410,000, measured, with the same lines found.
    # _opens_quote, without a call for each line: 195,000 instructions an article instead of 199,000
    opening = _OPENING_QUOTE_SET
    tried = (
        _lines_to_try(lines, tail_from) if trimmed and foreign is None and not promo_keys and all(lines) else range(tail_from)
    )
    for i in tried:
        # the next line looked up for a line tried, not listed for them all: the boilerplate of the
        # 2,000 articles of the 10 MB case 253 M -> 251 M instructions (callgrind)
        s, nxt, short = lines[i], lines[i + 1] if i + 1 < tail_from else "", phrase[i]
        if i in reasons or s[:1] in opening:
            continue
        reason: Reason | None = None
        if _is_caption(s):
            reason = "caption"
            if _BARE_LABEL.match(s) and i + 1 < tail_from:
                if not _opens_quote(nxt) and _words(nxt) <= CAPTION_WORDS:
                    reasons.setdefault(i + 1, "caption")
        # a repeated line shares its first word with the next, or its last: of trimmed lines,
        # the first character, or the last
        elif (
            (not trimmed or s[:1] == nxt[:1] or s[-1:] == nxt[-1:])
            and i + 1 < tail_from
            and nxt[:1] not in opening
            and _may_repeat(s, nxt)
        ):
            if _repeated(squash_spaces(s), squash_spaces(nxt)):
                reason = "caption"
                reasons.setdefault(i + 1, "caption")
        if reason is None:
            reason = _line_alone(s, short, foreign, ascii_dominant, promo_keys)
        if reason is not None:
            reasons.setdefault(i, reason)
    # most articles have none: no generator made to give nothing (43.9 -> 43.0 ms, 2,000 articles of the 10 MB case)
    return tuple(Skip(i, (paragraphs[i].start, paragraphs[i].end), reasons[i]) for i in sorted(reasons)) if reasons else ()
