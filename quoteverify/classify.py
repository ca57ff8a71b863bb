"""Classify: turn word alignments into named variants, and give the verdict.

The yardstick is the newsroom rule for direct quotations: the words inside
the marks are the speaker's; a cut is marked with an ellipsis; an editorial
addition stands in square brackets. Each change of an alignment becomes one
variant of the taxonomy (:class:`~quoteverify.models.Kind`); typographic
differences were folded away before alignment and are no variants, and
neither is anything at the very edges of a partial quotation (a lower-case
first letter, punctuation taken inside the closing mark).

A kind says what happened to the words; each variant's ``meaning`` says what
it does to what the speaker said (a negation, number, condition, hedge or
name cut, added or replaced; two sentences spliced), read from the word
lists of :mod:`quoteverify.lexicon`, one cached lookup per changed word. An
ellipsis licenses a cut, never a reversal, and square brackets a
clarification, never a new meaning: an elision that cuts a negation, a
condition or a hedge from inside a sentence, or a bracket that adds one, is
major. Forms of one word (contractions, abbreviations, house style, regional
spellings, a number in digits or in words) are spelling variants; two words
of the language, or two numbers of different value, never are. The form a
word's spellings share (:func:`word_form`) is also what the locator matches
words by, so that a quotation in another house style is found where it
would be verbatim. The word lists are those of the source's language.
"""

from __future__ import annotations

import dataclasses
import functools
import gzip
import importlib.util
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence, Set
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple, overload

import regex
from rapidfuzz.distance import OSA

from quoteverify._confusables import SKELETON
from quoteverify._imports import module_alone
from quoteverify.lexicon import DEFAULT as DEFAULT_LANGUAGE
from quoteverify.lexicon import Lexicon, lexicon
from quoteverify.align import diff_sequences
from quoteverify.models import (
    MEANINGS,
    NOT_FOUND,
    OTHER_SPEAKER,
    AlignOp,
    Alignment,
    Credit,
    Fragment,
    Kind,
    Location,
    Reason,
    Severity,
    Span,
    Token,
    Variant,
    Verdict,
)
from quoteverify.normalize import tokenize

_NON_LATIN_LETTER = regex.compile(r"[^\P{L}\p{Script=Latin}]")

#: the forms of words a lexicon keeps (:func:`word_form`) before it is emptied: a
#: run's sources and quotations keep bringing names and misspellings (about
#: 150 bytes a word: 20 MB at most, where 100,000 articles brought 30 MB of growth)
_FORM_CACHE = 1 << 17


def word_form(word: str, language: str = DEFAULT_LANGUAGE) -> str:
    """The form that every spelling of one word shares: two words of one form are one word written two ways.

    The word case folded; a spelling that the language's word list groups
    with others ("toward", "gray", "cannot") as the group's first; a number
    word as its digits ("six" and "6", "twenty-one" and "21"); hyphens
    dropped ("battle-field" and "battlefield"); the language's regional
    spellings rewritten ("colour" and "color", "centres" and "centers",
    "travelled" and "traveled"). Apostrophes, points and accents are kept:
    "we're" is not "were", "U.S" not "us", "à" not "a" (the comparison of
    :func:`is_spelling_variant` is looser). This is the one rule of what is
    a form of a word: the locator matches words by it, and the classifier
    calls two words of one form a ``spelling`` variant.
    """
    return _form(word, lexicon(language))


def _form(word: str, lex: Lexicon) -> str:
    """:func:`word_form` in the word lists ``lex``, cached in them."""
    cache = lex.word_forms
    form = cache.get(word)
    if form is None:
        if len(cache) > _FORM_CACHE:
            cache.clear()
        form = cache[word] = _new_form(word.casefold(), lex)
    return form


def _new_form(w: str, lex: Lexicon) -> str:
    canon = lex.forms.get((w,))
    if canon is not None and len(canon) == 1:
        w = canon[0]
    parts = w.split("-")
    if all("number" in lex.tags.get(p, ()) and p.isalpha() for p in parts):
        value = _words_value(tuple(parts), lex.language)
        if value is not None:
            return str(int(value)) if value.is_integer() else repr(value)
    return _respelled(w, lex)


def _respelled(w: str, lex: Lexicon) -> str:
    """A case-folded word with its hyphens dropped and the language's regional spellings rewritten."""
    w = w.replace("-", "")
    # one search for all the rules first: 1 word in 300 of an English text needs one (measured on the 10 MB test case)
    if lex.spelling_trigger is not None and lex.spelling_trigger.search(w):
        for pattern, replacement in lex.spelling_rules:
            w = pattern.sub(replacement, w)
    return w


@lru_cache(maxsize=1 << 16)
def _loose(form: str) -> str:
    """A word's form without accents, apostrophes and points, as spellings of one word are compared."""
    w = unicodedata.normalize("NFKD", form)
    if not w.isascii():
        w = "".join(c for c in w if not unicodedata.combining(c))
    return w.replace("'", "").replace(".", "")


def is_spelling_variant(source: Sequence[str], quote: Sequence[str], language: str = DEFAULT_LANGUAGE) -> bool:
    """Whether two runs of tokens are one word (or one phrase) written two ways.

    battle-field/battlefield and battle field/battlefield (joined or split),
    minimise/minimize and colour/color (regional forms), the forms of the
    language's word list (we're/we are, St/Saint, %/per cent, grey/gray),
    a number in digits and in words ("six"/"6", "£3m"/"£3 million"), or a
    one-letter slip in a long word that is no word of the language itself
    (Iceland/Ireland, unarmed/unharmed are two words). Numbers compare by
    value: "1.8" is not "18". Case is ignored (that is a ``case``
    variant); punctuation tokens other than "%" and "&" are typography.
    """
    if not source or not quote:
        return False
    lex = lexicon(language)
    if _has_number(source, lex) or _has_number(quote, lex):
        a_value, b_value = number_value(source, lex), number_value(quote, lex)
        if a_value is not None and b_value is not None:
            return a_value == b_value and _folded(source) != _folded(quote)
    ca, cb = _canonical_forms(source, lex), _canonical_forms(quote, lex)
    a = "".join(_loose(_form(w, lex)) for w in ca)
    b = "".join(_loose(_form(w, lex)) for w in cb)
    if a == b:
        return bool(a) and (_folded(source) != _folded(quote) or len(source) != len(quote))
    sw, qw = [w for w in source if w[:1].isalnum()], [w for w in quote if w[:1].isalnum()]
    if len(sw) == len(qw) == 1 and _one_slip(sw[0], qw[0], lex):
        return not (_is_real_word(sw[0].casefold(), lex) and _is_real_word(qw[0].casefold(), lex))
    return False


def _one_slip(a: str, b: str, lex: Lexicon) -> bool:
    """Whether two words are one slip of the keys apart: a letter added, dropped, changed, or two swapped.

    In a long word (7 letters or more) any word; in a shorter one (4 to 6)
    only lower-case words, as a short capitalised word may be another name
    (Smyth, Smith) that the word list does not know.
    """
    lower = a.islower() and b.islower()
    a, b = _loose(_respelled(a.casefold(), lex)), _loose(_respelled(b.casefold(), lex))
    shortest = min(len(a), len(b))
    if shortest < 7 and (shortest < 4 or not lower):
        return False
    return OSA.distance(a, b, score_cutoff=1) <= 1


def _folded(words: Sequence[str]) -> str:
    return "".join(w.casefold() for w in words)


def _canonical_forms(words: Sequence[str], lex: Lexicon) -> list[str]:
    """The words case folded, each spelling of a known form replaced by its group's first; other punctuation dropped."""
    ws = [w.casefold() for w in words]
    out: list[str] = []
    i, n = 0, len(ws)
    while i < n:
        for k in range(min(lex.longest_form, n - i), 0, -1):
            canon = lex.forms.get(tuple(ws[i : i + k]))
            if canon is not None:
                out.extend(canon)
                i += k
                break
        else:
            if ws[i][:1].isalnum():
                out.append(ws[i])
            i += 1
    return out


def _is_real_word(word: str, lex: Lexicon) -> bool:
    """Whether a word is common enough in the language to be a word of it, not a slip (see :func:`_real_words`)."""
    return word in _real_words(lex.language, lex.real_word_zipf)


@lru_cache(maxsize=None)
def _real_words(language: str, zipf: float) -> frozenset[str]:
    """The words of a language at least as common as ``zipf`` on the Zipf scale, from wordfreq's word lists.

    Read on first use, and only then: it is needed for the rare pair of
    words one slip apart. wordfreq's "small" list holds every word of
    Zipf 3 and above; it is read straight from the package's data file (a
    gzipped msgpack list of frequency bins, one per centibel, the format
    its documentation describes), because importing wordfreq itself pulls
    in ftfy and langcodes, about 0.3 s (1 s on a loaded machine) against
    0.02 s for the file. Should the file be missing or its format change,
    the package's own reader is used; without wordfreq, no word is known,
    and a slip in a long word stays a spelling variant.
    """
    try:
        spec = importlib.util.find_spec("wordfreq")
        folder = Path(next(iter(spec.submodule_search_locations or ()))) / "data" if spec else None
        if folder is not None and (folder / f"small_{language}.msgpack.gz").is_file():
            import msgpack

            with gzip.open(folder / f"small_{language}.msgpack.gz", "rb") as f:
                header, *bins = msgpack.unpack(f, raw=False)
            if isinstance(header, dict) and header.get("format") == "cB":
                # bin k holds the words of frequency 10 ** (-k / 100): Zipf 9 - k / 100
                return frozenset(w for k, words in enumerate(bins) if 9 - k / 100 >= zipf for w in words)
        from wordfreq import get_frequency_dict

        return frozenset(w for w, f in get_frequency_dict(language, wordlist="small").items() if f >= 10 ** (zipf - 9))
    except (ImportError, LookupError, ValueError, OSError, StopIteration):
        return frozenset()


# --------------------------------------------------------------------------- numbers

_DIGIT = re.compile(r"\d")
_NUMBER_TOKEN = re.compile(r"^(\d+(?:[.,]\d+)*)(st|nd|rd|th|[a-z]*)$")
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+$")
_THOUSANDS_SO_FAR = re.compile(r"^\d{1,3}(?:,\d{3})*$")  # digits a thousands separator may follow: "2", "2,500"
_CURRENCY = frozenset("£$€¥")
_ARTICLES = ("a", "an")  # "a million", "half a million"
_ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})


def _has_number(words: Sequence[str], lex: Lexicon) -> bool:
    return any(_DIGIT.search(w) or "number" in lex.tags.get(w.casefold(), ()) for w in words)


@lru_cache(maxsize=1 << 12)
def _words_value(words: tuple[str, ...], language: str) -> float | None:
    """The value of number words ("three hundred thousand"), read by text2num; ``None`` when they are none."""
    try:
        from text_to_num import text2num
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    try:
        return float(text2num(" ".join(words), language))
    except (ValueError, TypeError):
        return None


def _digits_value(digits: str) -> float | None:
    if _THOUSANDS.match(digits):
        return float(digits.replace(",", ""))
    try:
        return float(digits.replace(",", "."))
    except ValueError:
        return None


def number_value(words: Sequence[str], lex: Lexicon) -> tuple[float, str] | None:
    """The value and unit (currency, "%") of a run of tokens that writes one number, or ``None``.

    "300,000", "three hundred thousand" and "300 thousand" are 300000;
    "£3m" and "£3 million" are (3000000, "£"); "a dozen" is 12.
    """
    merged: list[str] = []
    folded = [w.casefold() for w in words]
    for k, w in enumerate(folded):
        if w == "and" and merged and k + 1 < len(folded) and _is_number_part(merged[-1], lex) and _is_number_part(folded[k + 1], lex):
            continue  # "one hundred and one"
        if len(merged) >= 2 and merged[-1] == "," and _THOUSANDS_SO_FAR.match(merged[-2]) and len(w) == 3 and w.isdigit():
            merged[-2:] = [merged[-2] + "," + w]
        else:
            merged.append(w)
    unit = ""
    rest: list[str] = []
    for w in _canonical_forms(merged, lex):
        if w in _CURRENCY or w == "%":
            unit += w
        else:
            rest.append(w)
    if not rest:
        return None
    if rest[0] in _ARTICLES and len(rest) > 1:
        rest[0] = "one"
    value: float | None = None
    scale: list[str] = []
    m = _NUMBER_TOKEN.match(rest[0])
    if _fraction_of_scale(rest, lex):
        value, scale = lex.numbers[rest[0]], rest[2:]  # "half a million"
    elif m:
        value = _digits_value(m.group(1))
        suffix = m.group(2)
        if value is not None and suffix and suffix not in _ORDINAL_SUFFIXES:
            mult = lex.numbers.get(suffix)
            value = value * mult if mult is not None else None
        scale = rest[1:]
    else:
        for k in range(len(rest), 0, -1):
            value = _words_value(tuple(rest[:k]), lex.language)
            if value is not None:
                scale = rest[k:]
                break
    if value is None:
        return None
    for w in scale:
        mult = lex.numbers.get(w)
        if mult is None:
            mult = _words_value((w,), lex.language)
        if mult is None:
            return None
        value *= mult
    # to 12 significant digits: 4.1 times a million is 4099999.9999999995 in floating point
    return (float(f"{value:.12g}"), unit)


def _fraction_of_scale(words: Sequence[str], lex: Lexicon) -> bool:
    """Whether case-folded words are a fraction of a scale: "half a million", "a quarter of a million" aside."""
    return len(words) > 2 and words[1] in _ARTICLES and 0 < lex.numbers.get(words[0], 1) < 1 and all(w in lex.numbers or _is_number_word(w, lex) for w in words[2:])


# --------------------------------------------------------------------------- forms of other lengths


class FormRun(NamedTuple):
    """A run of a quotation's tokens that other spellings of it write in another number of words.

    "won't" and "will not", "30 per cent" and "30%", "£3m" and "£3
    million", "300,000" and "three hundred thousand": the locator matches
    words one for one, so it is told the other spellings of such a run
    (:func:`forms_of_other_length`).
    """

    start: int  # the run's first token, by position among the tokens given
    end: int  # one past its last
    spellings: tuple[str, ...]  # every spelling of it, as text to tokenise, its own among them


#: what a token may start (:func:`form_start`): no run, a run of its own, a run if the next token continues it
NO_FORM, FORM, FORM_IF_CONTINUED = 0, 1, 2


def form_start(token: str, language: str = DEFAULT_LANGUAGE, marks: Set[str] | None = None) -> int:
    """What run of :func:`forms_of_other_length` a case-folded token may start: a quick test, for the caller to cache by token.

    ``FORM``: a run of its own ("won't", "%", "2019", "3m"); ``FORM_IF_CONTINUED``:
    a run only with the next token (:func:`continues_form`: "we" in "we
    are", "six" in "six hundred"); ``NO_FORM``. With ``marks`` (the marks of
    :func:`form_marks` that the texts at hand have), a group counts only
    with two spellings such texts can hold: "and" starts none in texts
    without "&".
    """
    lex = lexicon(language)
    if _is_fraction(token, lex):
        return FORM_IF_CONTINUED  # "half a million"
    if _NUMBER_TOKEN.match(token) or _is_number_word(token, lex):
        value = number_value((token,), lex)
        if value is None:
            return NO_FORM
        if value[0].is_integer() and abs(value[0]) >= 1000:
            # its spellings have "1,000" (number_spellings' second): none need be made for that
            # (making them took 75 µs a number, num2words' words mostly)
            return FORM
        # "21" is "twenty one", "300" "three hundred"; "6" is "six", one word, unless others follow
        return FORM if any(" " in s or "," in s for s in number_spellings(value[0], lex.language)) else FORM_IF_CONTINUED
    found = NO_FORM
    for group in lex.other_count_starts.get(token, ()):
        for s in group:
            if s[0] != token:
                continue
            # another spelling of the group that such texts can hold
            if marks is None or any(o != s and all(t[:1].isalnum() or t in marks for t in o) for o in group):
                found = max(found, FORM if len(s) == 1 else FORM_IF_CONTINUED)
    return found


def form_followers(first: str, language: str = DEFAULT_LANGUAGE) -> frozenset[str] | None:
    """The tokens that continue a run that ``first`` starts (see :func:`form_start`), or None for a number (any part of one).

    A quick test for the caller to cache by token; :func:`continues_form` is the whole rule.
    """
    lex = lexicon(language)
    if _is_number_part(first, lex) or _is_fraction(first, lex):
        return None
    return lex.other_count_followers.get(first, frozenset())


def continues_form(first: str, second: str, language: str = DEFAULT_LANGUAGE) -> bool:
    """Whether a case-folded token may continue a run that ``first`` starts (see :func:`form_start`)."""
    lex = lexicon(language)
    if (first, second) in lex.other_count_pairs:
        return True
    if _is_fraction(first, lex):
        return second in _ARTICLES
    if not (first[:1].isdigit() or "number" in lex.tags.get(first, ())):
        return False
    return second in (",", "and") or bool(_NUMBER_TOKEN.match(second)) or _is_number_word(second, lex) or second in lex.numbers


def _may_start(token: str, lex: Lexicon) -> bool:
    """Whether a token may start a run at all, cached in the word lists ``lex``."""
    cache = lex.form_starts
    flag = cache.get(token)
    if flag is None:
        if len(cache) > _FORM_CACHE:
            cache.clear()
        flag = cache[token] = token in lex.other_count_starts or bool(_DIGIT.search(token)) or _is_number_word(token, lex) or _is_fraction(token, lex)
    return flag


def forms_of_other_length(tokens: Sequence[str], language: str = DEFAULT_LANGUAGE) -> list[FormRun]:
    """The runs of ``tokens`` (case-folded, words and punctuation) that are one form written in more words, or fewer, elsewhere.

    A spelling of a group of the language's word list whose spellings
    take different numbers of words (contractions, "per cent" and "%",
    "&" and "and", "U.S." and "United States"), the longest first; or a
    number, in digits, words or both ("2.5 million", "2,500,000",
    "twenty one", "£3m"), with its other spellings of the same value
    (:func:`number_spellings`). Runs come in order of their starts, at
    most one at each token; they may overlap ("they will not": "they
    will" and "will not"), except that a number is read whole.
    """
    lex = lexicon(language)
    out: list[FormRun] = []
    starts = lex.form_starts
    for i, token in enumerate(tokens):
        # the cache read here, not through _may_start: a quotation's every token is asked
        if not (starts.get(token) or (token not in starts and _may_start(token, lex))):
            continue
        run = _run_at(tokens, i, lex)
        if run is not None:
            out.append(run)
    return out


def form_run_at(tokens: Sequence[str], i: int, language: str = DEFAULT_LANGUAGE) -> FormRun | None:
    """The run of :func:`forms_of_other_length` that starts at ``tokens[i]``, if any."""
    return _run_at(tokens, i, lexicon(language))


def _run_at(tokens: Sequence[str], i: int, lex: Lexicon) -> FormRun | None:
    run = _group_run(tokens, i, lex)
    if run is None and not (i > 0 and _is_number_part(tokens[i - 1], lex)):  # a number is read from its start
        run = _number_run(tokens, i, lex)
    return run


def _is_number_part(token: str, lex: Lexicon) -> bool:
    return bool(_NUMBER_TOKEN.match(token)) or _is_number_word(token, lex)


def _is_fraction(token: str, lex: Lexicon) -> bool:
    """Whether a case-folded word is a fraction of the word list that a scale may follow ("half" of "half a million")."""
    return 0 < lex.numbers.get(token, 1) < 1 and token.isalpha()


@lru_cache(maxsize=None)
def form_marks(language: str = DEFAULT_LANGUAGE) -> frozenset[str]:
    """The marks that are a spelling of a word in the language's word list ("%" for "per cent", "&" for "and")."""
    lex = lexicon(language)
    return frozenset(s[0] for s in lex.other_counts if len(s) == 1 and not s[0][:1].isalnum())


def ends_in_form_of(tokens: Sequence[str], mark: str, language: str = DEFAULT_LANGUAGE) -> bool:
    """Whether the words of ``tokens`` (case-folded) end in a run that ``mark`` is a spelling of ("30 per cent" and "%")."""
    words = list(tokens)
    while words and not words[-1][:1].isalnum():
        words.pop()
    runs = forms_of_other_length(words, language)
    return bool(runs) and runs[-1].end == len(words) and mark in runs[-1].spellings


def _group_run(tokens: Sequence[str], i: int, lex: Lexicon) -> FormRun | None:
    if tokens[i] not in lex.other_count_starts:
        return None
    for k in range(min(lex.longest_form, len(tokens) - i), 0, -1):
        group = lex.other_counts.get(tuple(tokens[i : i + k]))
        if group is not None:
            return FormRun(i, i + k, tuple(" ".join(s) for s in group))
    return None


def _is_number_word(token: str, lex: Lexicon) -> bool:
    """Whether a case-folded word is a number in words that text2num reads ("six", "twenty-one", "million")."""
    parts = token.split("-")
    if not all("number" in lex.tags.get(p, ()) and p.isalpha() for p in parts):
        return False
    return _words_value(tuple(parts), lex.language) is not None


def _number_run(tokens: Sequence[str], i: int, lex: Lexicon) -> FormRun | None:
    """The longest run from ``tokens[i]`` that writes one number, with its spellings; None if it has no other."""
    ends: list[int] = []
    j, n = i, len(tokens)
    while j < n:
        t = tokens[j]
        if _NUMBER_TOKEN.match(t) or _is_number_word(t, lex):
            j += 1
            ends.append(j)
        elif t == "," and j > i and j + 1 < n and tokens[j - 1].isdigit() and len(tokens[j - 1]) <= 3 and len(tokens[j + 1]) == 3 and tokens[j + 1].isdigit():
            j += 1  # a thousands separator: "300,000" is tokenised "300" "," "000"
        elif t == "and" and j > i and j + 1 < n and _is_number_word(tokens[j + 1], lex):
            j += 1  # "three hundred and five"
        elif j == i and j + 2 < n and _is_fraction(t, lex) and tokens[j + 1] in _ARTICLES and _is_number_word(tokens[j + 2], lex):
            j += 2  # "half a million"
        else:
            break
    for end in reversed(ends):
        value = number_value(tokens[i:end], lex) if _one_number(tokens[i:end], lex) else None
        if value is not None:
            spellings = number_spellings(value[0], lex.language)
            if end - i == 1 and not any(" " in sp or "," in sp for sp in spellings):
                return None  # one word in every spelling: word_form makes them one ("six", "6")
            return FormRun(i, end, spellings)
    return None


def _one_number(run: Sequence[str], lex: Lexicon) -> bool:
    """Whether a run of number tokens writes one number: words text2num reads together, or digits and scales ("2.5 million").

    number_value reads "one eight" as one times eight; a quotation's "one
    eight" is two numbers.
    """
    if len(run) == 1:
        return True
    if all(not _DIGIT.search(t) for t in run):
        return _words_value(tuple(run), lex.language) is not None or _fraction_of_scale(run, lex)
    scales = {word for _, word, _ in _scales(lex.language)}
    digits = 1
    while digits + 1 < len(run) and run[digits] == ",":
        digits += 2
    return all(t in scales for t in run[digits:])


@lru_cache(maxsize=1 << 12)
def number_spellings(value: float, language: str = DEFAULT_LANGUAGE) -> tuple[str, ...]:
    """The ways a newsroom writes a number, as text: digits with and without thousands separators, words, a scale.

    300000: "300000", "300,000", "three hundred thousand", "300 thousand";
    2500000: also "2.5 million" and "2.5m". The words are num2words' (in
    the language, with and without "and" and hyphens); the scales are the
    language's number words of a thousand and more, and the suffixes its
    word list gives values of (``[numbers]``: "m", "bn").
    """
    out: list[str] = []
    if value.is_integer():
        whole = int(value)
        out += [str(whole), f"{whole:,}"]
        words = _number_words(whole, language)
        if words:
            out += [words, words.replace(" and ", " "), words.replace("-", " "), words.replace(" and ", " ").replace("-", " ")]
    else:
        out.append(_plain_number(value))
    lex = lexicon(language)
    for scale, word, suffix in _scales(language):
        amount = value / scale
        if 1 <= amount < 1000 and round(amount, 2) == amount:
            out.append(f"{_plain_number(amount)}{'' if suffix else ' '}{word}")
        elif not suffix and scale >= 10**6 and amount == 0.5:
            # "half a million" ("a quarter of a million" is no run of number words)
            out += [f"{fraction} {_ARTICLES[0]} {word}" for fraction, part in sorted(lex.numbers.items()) if part == amount and _is_fraction(fraction, lex)]
    return tuple(dict.fromkeys(out))


def _plain_number(value: float) -> str:
    return str(int(value)) if value.is_integer() else f"{value:.2f}".rstrip("0")


def _number_words(value: int, language: str) -> str | None:
    """A whole number in words, by num2words (see :func:`_cardinal_words`); None where it has no such language."""
    if value > 10**15:
        return None
    try:
        return str(_cardinal_words(language)(value)).casefold()
    except (NotImplementedError, OverflowError):  # a language num2words has no words in; a number past its words' reach in one
        return None


#: num2words' converter of each language with word lists here: its module and its class
_NUM2WORDS_CONVERTERS = {
    "de": ("lang_DE", "Num2Word_DE"),
    "en": ("lang_EN", "Num2Word_EN"),
    "es": ("lang_ES", "Num2Word_ES"),
    "fr": ("lang_FR", "Num2Word_FR"),
}


@lru_cache(maxsize=None)
def _cardinal_words(language: str) -> Callable[[int], object]:
    """What spells a whole number in ``language``: ``num2words(n, lang=language)``, its converter's ``to_cardinal``.

    Imported on first use, and the converter's module alone where it is one
    of ``_NUM2WORDS_CONVERTERS``: num2words' ``__init__`` imports those of
    every language, 62 modules, against 5 so. The first number spelled in a
    fresh process took 22 ms instead of 6.3 ms (wall time, best of eight,
    alternated), 463 M instead of 367 M instructions (callgrind).
    """
    if language in _NUM2WORDS_CONVERTERS:
        module, name = _NUM2WORDS_CONVERTERS[language]
        converter = getattr(module_alone(f"num2words.{module}"), name)()
        return converter.to_cardinal
    from num2words import num2words

    return functools.partial(num2words, lang=language)


@lru_cache(maxsize=None)
def _scales(language: str) -> tuple[tuple[float, str, bool], ...]:
    """(value, word, whether it is written as a suffix) of the language's scales: "thousand", "million"; "m", "bn"."""
    lex = lexicon(language)
    out = []
    seen: set[float] = set()
    for word, tags in sorted(lex.tags.items()):  # "million" before "millions": one word of each value
        value = _words_value((word,), language) if "number" in tags and word.isalpha() else None
        if value is not None and value >= 1000 and math.log10(value) % 3 == 0 and value not in seen:
            seen.add(value)
            out.append((value, word, False))
    out += [(value, word, True) for word, value in sorted(lex.numbers.items()) if value >= 1000]
    return tuple(sorted(out, key=lambda s: (-s[0], s[2], s[1])))


def is_homoglyph(source: Sequence[str], quote: Sequence[str]) -> bool:
    """Whether the quoted words are the source words with look-alike letters of another script."""
    if len(source) != len(quote):
        return False
    swapped = False
    for s, q in zip(source, quote):
        if s == q:
            continue
        if not _NON_LATIN_LETTER.search(q) or q.translate(SKELETON) != s.translate(SKELETON):
            return False
        swapped = True
    return swapped


def is_transposition(source_words: Sequence[str], quote_words: Sequence[str], *, min_words: int) -> bool:
    """Whether two runs hold the same words in another order ("A and B" for "B and A").

    The words are compared as bags, case folded. ``min_words``: the fewest
    words a transposition has. Within one change of an alignment it is two
    (one word cannot be reordered); across the changes of a document's
    cluster, or an omission matched with an insertion, one (a word dropped
    in one place and added in another has moved).
    """
    if len(source_words) < min_words or len(source_words) != len(quote_words):
        return False
    # equal bags are equal sorted lists: 1.4 µs for five words against 10.9
    # for two Counters (4,665 calls on the 10 MB case)
    return sorted(map(str.casefold, source_words)) == sorted(map(str.casefold, quote_words))


def only_first_letter_case(source: Sequence[str], quote: Sequence[str]) -> bool:
    """Whether two runs differ at most in the case of their first letter ("we will" for "We will")."""
    if len(source) != len(quote) or not source:
        return False
    if source[0][1:] != quote[0][1:] or source[0][:1].casefold() != quote[0][:1].casefold():
        return False
    return source[1:] == quote[1:]


def no_variant_at_partial_edge(
    source: Sequence[str],
    quote: Sequence[str],
    *,
    source_has_words: bool,
    quote_has_words: bool,
    at_start: bool,
) -> bool:
    """Whether a change at the very edge of a partial quotation is no variant.

    A partial quotation is a stretch cut out of its source, and at its edges
    two differences come from the cut, not from a change of wording:
    punctuation at either end (a change with no words on either side: a
    comma taken inside the closing mark, a full stop dropped), and at the
    start a first letter in another case, the rest alike ("we will" for
    "... and We will"). ``source``/``quote`` are the forms the first-letter
    test compares: the change's words in a quotation check, every token
    (punctuation too) in a reconstruction.
    """
    if not source_has_words and not quote_has_words:
        return True
    return at_start and only_first_letter_case(source, quote)


# --------------------------------------------------------------------------- meaning

#: the tags that make an elision inside one sentence a change of sense
_ELISION_MAJOR = frozenset({"negation", "condition", "modality"})
#: the kinds whose changed words are read for their meaning (a spelling, a
#: case or a look-alike letter leaves the words as they were)
_READ_FOR_MEANING = frozenset(
    {Kind.OMISSION, Kind.INSERTION, Kind.SUBSTITUTION, Kind.TRANSPOSITION, Kind.INTERPOLATION, Kind.ELISION}
)
_OPENING_MARKS = frozenset("\"'\u201c\u2018\u00ab\u201e")
_SKIPPED_BEFORE_WORD = frozenset(" \t\u00a0([{\u2014\u2013-") | _OPENING_MARKS | frozenset("\u201d\u2019\u00bb")
_SENTENCE_ENDS = frozenset(".!?\u2026:;\n")


def _sentence_start(text: str, start: int, lex: Lexicon) -> bool:
    """Whether the word at ``start`` opens a sentence, a paragraph or a quotation (so its capital says nothing)."""
    i = start - 1
    while i >= 0 and text[i] in _SKIPPED_BEFORE_WORD:
        if text[i] in _OPENING_MARKS:
            return True
        i -= 1
    if i < 0:
        return True
    if text[i] == ".":  # "Mr. Smith": a full stop after an abbreviation ends no sentence
        j = i
        while j > 0 and (text[j - 1].isalnum() or text[j - 1] == "."):
            j -= 1
        return text[j:i].casefold() not in lex.abbreviations
    return text[i] in _SENTENCE_ENDS


_NOTHING: Counter[tuple[str, str]] = Counter()  # never written to: the words of most changes carry nothing


def _carried(tokens: Sequence[Token], text: str, lex: Lexicon) -> Counter[tuple[str, str]]:
    """The meaning-carrying words of a run of tokens, as (tag, word) pairs; a number is one pair by its value.

    This runs on the changed words only, one cached lookup per word
    (:func:`_word_meaning`); names need the word's place in its text.
    """
    out: list[tuple[str, str]] = []
    run: list[str] = []
    known = lex.cache
    for k, t in enumerate(tokens):
        w = t.norm.casefold()
        pairs = known.get(w, _UNKNOWN)
        if pairs is _UNKNOWN:
            pairs = known[w] = _word_meaning(w, lex)
        if pairs is None or (run and (w in (",", "%") or (w == "and" and k + 1 < len(tokens) and _is_number_word(tokens[k + 1].norm.casefold(), lex)))):
            run.append(w)  # "and" inside a number: "one hundred and one"
            continue
        if run:
            out.append(("number", _number_key(run, lex)))
            run = []
        if pairs:
            out.extend(pairs)
        if t.is_word and t.text[:1].isupper() and w not in lex.not_names and not _sentence_start(text, t.start, lex):
            out.append(("name", w))
    if run:
        out.append(("number", _number_key(run, lex)))
    return Counter(out) if out else _NOTHING


#: what the cache answers for a word not asked about yet (compared by identity)
_UNKNOWN: tuple[tuple[str, str], ...] = (("", ""),)


def _word_meaning(word: str, lex: Lexicon) -> tuple[tuple[str, str], ...] | None:
    """The (tag, word) pairs a case-folded word carries, or ``None`` for a word of a number (read with its neighbours).

    Kept in ``lex.cache`` as it is first asked (a dictionary lookup per
    changed word is the whole cost of meaning on the hot path; an
    ``lru_cache`` call costs about twice as much).
    """
    tags = lex.tags.get(word, ())
    if "number" in tags or _DIGIT.search(word) or word in _CURRENCY or ("-" in word and _is_number_word(word, lex)):
        return None
    expanded = lex.expansions.get(word)
    if expanded:  # "can't" carries what "can not" carries: a change to "can" drops the negation only
        return tuple((tag, part) for part in expanded for tag in lex.tags.get(part, ()))
    pairs = tuple((tag, word) for tag in tags)
    if lex.negation_suffix and word.endswith(lex.negation_suffix) and "negation" not in tags:
        pairs += (("negation", word),)
    return pairs


def _number_key(run: Sequence[str], lex: Lexicon) -> str:
    value = number_value(run, lex)
    return repr(value) if value is not None else " ".join(run)


def meaning_of(
    source: Sequence[Token], quote: Sequence[Token], source_text: str, quote_text: str, language: str = DEFAULT_LANGUAGE
) -> tuple[str, ...]:
    """What a change does to the sense: the tags whose words it cuts, adds or replaces.

    A tag counts when the words carrying it differ between the two sides
    ("not" dropped, "1.8" become "18", "Johnson" become "Johnston"); the
    same number in other words ("six" for "6") or the same negation moved
    elsewhere in the change carries none. Tags come in the order of
    :data:`~quoteverify.models.MEANINGS`.
    """
    lex = lexicon(language)
    a = _carried(source, source_text, lex)
    b = _carried(quote, quote_text, lex)
    if a is b or a == b:
        return ()
    changed = {tag for tag, _ in (a - b) + (b - a)}
    return tuple(m for m in MEANINGS if m in changed)


def _with_meaning(v: Variant, source: Sequence[Token], quote: Sequence[Token], source_text: str, quote_text: str, language: str) -> Variant:
    if v.kind not in _READ_FOR_MEANING:
        return v
    meaning = meaning_of(source, quote, source_text, quote_text, language)
    return dataclasses.replace(v, meaning=meaning) if meaning else v


def _words(tokens: Sequence[Token]) -> list[str]:
    return [t.norm for t in tokens if t.is_word]


def _text(tokens: Sequence[Token], original: str) -> str:
    if not tokens:
        return ""
    return original[tokens[0].start : tokens[-1].end]


def _span(tokens: Sequence[Token]) -> tuple[int, int] | None:
    if not tokens:
        return None
    return (tokens[0].start, tokens[-1].end)


def _kind_of(src: Sequence[Token], quo: Sequence[Token], language: str = DEFAULT_LANGUAGE) -> Kind | None:
    """The kind of one change of an alignment (no editorial tokens in ``quo``)."""
    sw, qw = _words(src), _words(quo)
    if not sw and not qw:
        sp = [t.norm for t in src]
        qp = [t.norm for t in quo]
        if sp == qp:
            return None
        currencies = ({w for w in sp if w in _CURRENCY}, {w for w in qp if w in _CURRENCY})
        # "£" for "$" is another amount, not another mark
        return Kind.SUBSTITUTION if all(currencies) and currencies[0] != currencies[1] else Kind.PUNCTUATION
    if not qw or not sw:
        # "%" for "per cent", "&" for "and": a form of the word written as a sign
        signs = quo if not qw else src
        forms = lexicon(language).forms
        if any((t.norm,) in forms for t in signs) and is_spelling_variant([t.norm for t in src], [t.norm for t in quo], language):
            return Kind.SPELLING
        return Kind.OMISSION if not qw else Kind.INSERTION
    if [w.casefold() for w in sw] == [w.casefold() for w in qw]:
        return Kind.CASE
    if is_homoglyph(sw, qw):
        return Kind.HOMOGLYPH
    if is_spelling_variant([t.norm for t in src], [t.norm for t in quo], language):
        return Kind.SPELLING
    if is_transposition(sw, qw, min_words=2) and not _two_numbers(sw, qw, language):
        return Kind.TRANSPOSITION
    return Kind.SUBSTITUTION


def _two_numbers(source: Sequence[str], quote: Sequence[str], language: str) -> bool:
    """Whether each of two runs of words writes one number ("two million one hundred thousand" is no reordering of "one million two hundred thousand")."""
    lex = lexicon(language)
    return _has_number(source, lex) and number_value(source, lex) is not None and number_value(quote, lex) is not None


#: kinds that leave the words as they were: a change of these kinds changes no word
_SAME_WORDS = frozenset({Kind.SPELLING, Kind.CASE, Kind.PUNCTUATION})


def changed_words(alignment: Alignment, language: str = DEFAULT_LANGUAGE) -> int:
    """How many words an alignment changes: for each change, the more of its two sides' words.

    Changes are read as :func:`classify_alignment` reads them (a number
    whole, a form apart from the words beside it). A change that is a form
    of the same words (spelling, case, punctuation) changes none. The yardstick for choosing between two alignments of one
    quotation (how far its passage reaches).
    """
    src, quo = alignment.source_tokens, alignment.quote_tokens
    lex = lexicon(language)
    total = 0
    for change in _whole_changes(alignment, lex):
        for (s0, s1), (q0, q1) in _pieces(change, src, quo, lex):
            d, q = src[s0:s1], quo[q0:q1]
            editorial = [t for t in q if t.editorial]
            if editorial:
                rest = [t for t in q if not t.editorial]
                if _words(rest) or not _bracket_clarifies(d, editorial, lex):
                    total += max(len(_words(d)), len(editorial) + len(_words(rest)))
            elif _kind_of(d, q, language) not in _SAME_WORDS:
                total += max(len(_words(d)), len(_words(q)))
    return total


def _peel_case(src: Sequence[Token], quo: Sequence[Token]) -> tuple[list[tuple[Token, Token]], Sequence[Token], Sequence[Token]]:
    """Split off words at either end of a change that differ only in case ("We will" -> "we shall").

    A change of capitals beside a change of words is a ``case`` variant of
    its own, not part of a substitution. Returns the case pairs and what is
    left of each side.
    """
    pairs: list[tuple[Token, Token]] = []
    while len(src) > 1 and len(quo) > 1 and src[0].is_word and quo[0].is_word and _case_only(src[0], quo[0]):
        pairs.append((src[0], quo[0]))
        src, quo = src[1:], quo[1:]
    while len(src) > 1 and len(quo) > 1 and src[-1].is_word and quo[-1].is_word and _case_only(src[-1], quo[-1]):
        pairs.append((src[-1], quo[-1]))
        src, quo = src[:-1], quo[:-1]
    return pairs, src, quo


def _case_only(a: Token, b: Token) -> bool:
    return a.norm != b.norm and a.norm.casefold() == b.norm.casefold()


def _bracket_clarifies(src: Sequence[Token], editorial: Sequence[Token], lex: Lexicon) -> bool:
    """Whether a bracketed interpolation that stands in place of source words clarifies them.

    It does when the words it replaces only point ("[Trump]" for "he"),
    when it is itself a pointing word ("[They]" for "the forces"), or when
    it keeps the words it replaces ("[the coalition's]" for "coalition's").
    Anything else puts a new word in the speaker's mouth.
    """
    replaced = [w.casefold() for w in _words(src)]
    if not replaced or all(w in lex.pointing for w in replaced):
        return True
    added = [w for t in editorial for w in _text_words(t.text.strip("[]"))]
    if added and all(w in lex.pointing for w in added):
        return True
    return set(replaced) <= set(added)


# --------------------------------------------------------------------------- whole forms: the changes of an alignment


class _Change(NamedTuple):
    """A change of an alignment, widened over the forms it cuts through: token ranges of both sides, and its ops."""

    src: tuple[int, int]
    quo: tuple[int, int]
    ops: tuple[int, ...]  # the alignment's ops (non-equal) it holds, by index


def _number_glue(tokens: Sequence[str], k: int, lex: Lexicon) -> bool:
    """Whether a case-folded token ties the number parts around it into one number.

    A thousands separator ("2" "," "500"), "and" between number words ("one
    hundred and one"), "a" before a scale ("half a million", "a million").
    """
    t = tokens[k]
    if k + 1 >= len(tokens):
        return False
    nxt = tokens[k + 1]
    if t == ",":
        return k > 0 and bool(_THOUSANDS_SO_FAR.match(tokens[k - 1])) and len(nxt) == 3 and nxt.isdigit()
    if t == "and":
        return k > 0 and _is_number_word(tokens[k - 1], lex) and _is_number_word(nxt, lex)
    if t in _ARTICLES:
        return nxt in lex.numbers or _is_number_word(nxt, lex)
    return False


def _number_token(tokens: Sequence[str], k: int, lex: Lexicon) -> bool:
    """Whether a case-folded token is part of a number: digits, a number word, a scale or its suffix, or the glue between."""
    t = tokens[k]
    return _is_number_part(t, lex) or t in lex.numbers or _number_glue(tokens, k, lex)


def _number_at(tokens: Sequence[str], k: int, lex: Lexicon) -> tuple[int, int] | None:
    """The tokens of the one number that ``tokens[k]`` is part of, as a range, or None.

    Its stretch of number tokens is read from its start, the longest number
    first ("2019 20" is two numbers, "2,500,000" and "two million five
    hundred thousand" one each).
    """
    if not _number_token(tokens, k, lex):
        return None
    start = k
    while start > 0 and _number_token(tokens, start - 1, lex):
        start -= 1
    end = k + 1
    while end < len(tokens) and _number_token(tokens, end, lex):
        end += 1
    i = start
    while i <= k:
        one = next((j for j in range(end, i + 1, -1) if _one_number(tokens[i:j], lex) and number_value(tokens[i:j], lex) is not None), i + 1)
        if k < one:
            return (i, one)
        i = one
    return None  # pragma: no cover - the pieces cover the stretch


def _number_reach(tokens: Sequence[str], lo: int, hi: int, lex: Lexicon) -> tuple[int, int]:
    """``[lo, hi)`` widened to the whole of the numbers it cuts through; an empty range, of the number it falls inside."""
    if lo == hi:
        if 0 < lo < len(tokens):
            before, after = _number_at(tokens, lo - 1, lex), _number_at(tokens, lo, lex)
            if before is not None and before == after:
                return before
        return lo, hi
    first, last = _number_at(tokens, lo, lex), _number_at(tokens, hi - 1, lex)
    return (first[0] if first else lo), (last[1] if last else hi)


class _Folded(Sequence[str]):
    """The case-folded forms of a run of tokens, folded as they are read (a document's tokens are many, a number's few)."""

    def __init__(self, tokens: Sequence[Token]) -> None:
        self.tokens = tokens

    def __len__(self) -> int:
        return len(self.tokens)

    @overload
    def __getitem__(self, k: int) -> str: ...

    @overload
    def __getitem__(self, k: slice) -> list[str]: ...

    def __getitem__(self, k: int | slice) -> str | list[str]:
        if isinstance(k, slice):
            return [t.norm.casefold() for t in self.tokens[k]]
        return self.tokens[k].norm.casefold()


def _whole_changes(alignment: Alignment, lex: Lexicon) -> list[_Change]:
    """The changes of an alignment, each widened to the whole of every number it cuts through, on both sides.

    The alignment matches the words two spellings of a number share ("2"
    of "2,000,000" and "2 million", "million" of "2.5 million" and "two
    million five hundred thousand") and leaves the rest a change; judged
    piece by piece, a spelling reads as a change of value. A change is
    widened over the tokens beside it that are alike on both sides, and
    over the changes it reaches, until it cuts through no number; the ops
    it holds are kept, so that its variants name them. The ops may be a
    stretch of a longer alignment (a document's), so the tokens beside
    them are compared, not assumed alike.
    """
    src, quo = alignment.source_tokens, alignment.quote_tokens
    ops = alignment.ops
    out: list[_Change] = []
    folded: tuple[Sequence[str], Sequence[str]] | None = None
    for n, op in enumerate(ops):
        if op.op == "equal" or (out and n <= out[-1].ops[-1]):
            continue
        change = _Change(op.src, op.quo, (n,))
        if out and _widened_up_to(out[-1], ops, change):
            last = out.pop()  # reached by the change before
            change = _Change((last.src[0], change.src[1]), (last.quo[0], change.quo[1]), (*last.ops, n))
        if (_may_hold_number(src, *change.src, lex) or _may_hold_number(quo, *change.quo, lex)) and not any(t.editorial for t in quo[slice(*change.quo)]):
            kept = list(out)
            folded = folded or (_Folded(src), _Folded(quo))
            widened = _widened(change, folded, ops, out, lex)
            if widened == change or _compares_numbers(src[slice(*widened.src)], quo[slice(*widened.quo)], lex):
                change = widened
            else:
                out[:] = kept  # the changes it took in stand as they were
        out.append(change)
    return out


def _compares_numbers(d: Sequence[Token], q: Sequence[Token], lex: Lexicon) -> bool:
    """Whether a change widened over numbers is a number against a number: one each side, or one value on both among other words.

    "since thousand" for "five thousand" is not: the word "since" for
    "five", widened, would read as a change of the whole number.
    """
    ud, uq = _form_units(d, lex), _form_units(q, lex)
    numbers_d = [k for _, _, k in ud if isinstance(k, tuple) and k[0] == "number"]
    numbers_q = [k for _, _, k in uq if isinstance(k, tuple) and k[0] == "number"]
    return (len(ud) == len(numbers_d) == 1 and len(uq) == len(numbers_q) == 1) or bool(set(numbers_d) & set(numbers_q))


def _widened_up_to(before: _Change, ops: Sequence[AlignOp], change: _Change) -> bool:
    """Whether a change was widened forward up to the next one (changes next to each other in the ops stay apart)."""
    last = ops[before.ops[-1]]
    grew = before.src[1] > last.src[1] or before.quo[1] > last.quo[1]
    return grew and before.src[1] >= change.src[0] and before.quo[1] >= change.quo[0]


def _alike(fs: Sequence[str], fq: Sequence[str], i: int, j: int, step: int, most: int, floor: tuple[int, int]) -> int:
    """How many tokens from ``i``/``j`` (going back when ``step`` is -1) are alike on both sides, at most ``most``, within ``floor``."""
    k = 0
    while k < most:
        a, b = i + step * k, j + step * k
        if not (floor[0] <= a < len(fs) and floor[1] <= b < len(fq)) or fs[a] != fq[b]:
            break
        k += 1
    return k


def _widened(change: _Change, folded: tuple[Sequence[str], Sequence[str]], ops: Sequence[AlignOp], done: list[_Change], lex: Lexicon) -> _Change:
    """A change widened until it cuts through no number (see :func:`_whole_changes`); changes of ``done`` it reaches are taken in."""
    fs, fq = folded
    while True:
        s0, s1 = _number_reach(fs, *change.src, lex)
        q0, q1 = _number_reach(fq, *change.quo, lex)
        back = max(change.src[0] - s0, change.quo[0] - q0)
        ahead = max(s1 - change.src[1], q1 - change.quo[1])
        if not back and not ahead:
            return change
        (new_s0, new_s1), (new_q0, new_q1), held = change.src, change.quo, change.ops
        if back:
            floor = (done[-1].src[1], done[-1].quo[1]) if done else (0, 0)
            alike = _alike(fs, fq, change.src[0] - 1, change.quo[0] - 1, -1, back, floor)
            if alike < back and done and (change.src[0] - alike == floor[0] or change.quo[0] - alike == floor[1]):
                last = done.pop()  # the change before is reached
                new_s0, new_q0, held = last.src[0], last.quo[0], (*last.ops, *held)
            else:
                new_s0, new_q0 = new_s0 - alike, new_q0 - alike
        if ahead:
            nxt = next((k for k in range(held[-1] + 1, len(ops)) if ops[k].op != "equal"), None)
            ceiling = (ops[nxt].src[0], ops[nxt].quo[0]) if nxt is not None else (len(fs), len(fq))
            alike = _alike(fs, fq, change.src[1], change.quo[1], 1, ahead, (0, 0))
            alike = min(alike, ceiling[0] - change.src[1], ceiling[1] - change.quo[1])
            if alike < ahead and nxt is not None and (change.src[1] + alike == ceiling[0] or change.quo[1] + alike == ceiling[1]):
                new_s1, new_q1, held = ops[nxt].src[1], ops[nxt].quo[1], (*held, nxt)
            else:
                new_s1, new_q1 = new_s1 + alike, new_q1 + alike
        widened = _Change((new_s0, new_s1), (new_q0, new_q1), held)
        if widened == change:
            return change
        change = widened


def _may_hold_number(tokens: Sequence[Token], lo: int, hi: int, lex: Lexicon) -> bool:
    """A quick test: whether the tokens at or beside ``[lo, hi)`` hold anything of a number.

    Read from the cache of what words carry (:func:`_word_meaning`, which
    answers None for a part of a number): one dictionary lookup a token
    (16,198 calls on the 10 MB test case: 0.12 s under cProfile, of 0.95 s
    for classify_alignment and about 10 s for the whole run).
    """
    known = lex.cache
    for t in tokens[max(0, lo - 1) : hi + 1]:
        pairs = known.get(t.norm.casefold(), _UNKNOWN)
        if pairs is _UNKNOWN:
            w = t.norm.casefold()
            pairs = known[w] = _word_meaning(w, lex)
        if pairs is None:
            return True
    return False


def _form_units(tokens: Sequence[Token], lex: Lexicon) -> list[tuple[int, int, object]]:
    """A change's side cut into units, each ``(start, end, key)``: a number (keyed by value), a form of a group of
    the word list (keyed by the group), or one token (keyed by its folded form, as the alignment matched it)."""
    words = [t.norm.casefold() for t in tokens]
    out: list[tuple[int, int, object]] = []
    i = 0
    while i < len(words):
        number = _number_at(words, i, lex)
        if number is not None and number[0] == i and (value := number_value(words[i : number[1]], lex)) is not None:
            out.append((i, number[1], ("number", value)))
            i = number[1]
            continue
        group = _group_run(words, i, lex)
        if group is not None:
            out.append((i, group.end, ("form", lex.forms[tuple(words[i : group.end])])))
            i = group.end
            continue
        out.append((i, i + 1, tokens[i].norm))
        i += 1
    return out


def _has_word(tokens: Sequence[Token], units: Sequence[tuple[int, int, object]], i: int, j: int) -> bool:
    return any(t.is_word for t in tokens[units[i][0] : units[j - 1][1]]) if j > i else False


def _pieces(change: _Change, src: Sequence[Token], quo: Sequence[Token], lex: Lexicon) -> list[tuple[Span, Span]]:
    """A change cut where the same number or form stands on both sides in other words, beside other changes.

    "don't love" for "do not like" is "don't" for "do not" (a spelling)
    and "love" for "like"; a change with no such form on both sides is one
    piece. Pieces are token ranges of the two sides; a form written alike
    on both (widened over) is no piece.
    """
    whole = [(change.src, change.quo)]
    d, q = src[change.src[0] : change.src[1]], quo[change.quo[0] : change.quo[1]]
    if not d or not q or any(t.editorial for t in q):
        return whole
    if not any(_may_start(t.norm.casefold(), lex) for t in d) or not any(_may_start(t.norm.casefold(), lex) for t in q):
        return whole
    ud, uq = _form_units(d, lex), _form_units(q, lex)
    steps = diff_sequences([k for _, _, k in ud], [k for _, _, k in uq])
    if not any(s.op == "equal" and any(isinstance(ud[i][2], tuple) for i in range(*s.src)) for s in steps):
        return whole
    s0, q0 = change.src[0], change.quo[0]
    if not any(_has_word(d, ud, *s.src) or _has_word(q, uq, *s.quo) for s in steps if s.op != "equal"):
        return whole  # punctuation beside a form ("U.S." for "United States") is part of it
    # token ranges of units [i, j) of each side; an empty one stands where the unit before it ends
    def side(units: Sequence[tuple[int, int, object]], base: int, i: int, j: int) -> Span:
        if j > i:
            return (base + units[i][0], base + units[j - 1][1])
        at = base + (units[i - 1][1] if i else 0)
        return (at, at)

    out = []
    for step in steps:
        if step.op != "equal":
            out.append((side(ud, s0, *step.src), side(uq, q0, *step.quo)))
            continue
        for i, j in zip(range(*step.src), range(*step.quo)):
            # an equal step one piece per unit: each form is a spelling of its own; one written alike is none
            a, b = side(ud, s0, i, i + 1), side(uq, q0, j, j + 1)
            if [t.norm for t in src[a[0] : a[1]]] != [t.norm for t in quo[b[0] : b[1]]]:
                out.append((a, b))
    return out


def classify_alignment(
    alignment: Alignment,
    source_text: str,
    quote_text: str,
    *,
    partial: bool = True,
    fragment: int | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> list[Variant]:
    """The variants of one aligned fragment, in order, each with its meaning.

    The alignment's changes are read whole: widened over every number they
    cut through (:func:`_whole_changes`), and cut where one form stands on
    both sides beside other changes (:func:`_pieces`), so that a number or
    a contraction written in another number of words is one ``spelling``
    variant, and a number of another value one substitution.

    ``partial``: the fragment is a stretch cut out of the source, so what
    lies at its very edges (a lower-case first letter, punctuation at either
    end) is no variant. ``fragment``: the alignment's place among the
    quotation's alignments, recorded in each variant with the ops it was
    read from. ``language``: whose word lists judge the words.
    """
    src, quo = alignment.source_tokens, alignment.quote_tokens
    ops = alignment.ops
    if all(op.op == "equal" for op in ops):
        return []  # most quotations are verbatim
    lex = lexicon(language)
    changes = _whole_changes(alignment, lex)
    found: list[tuple[Variant, int]] = []  # each variant with the change it came from
    interpolated = None
    for n, change in enumerate(changes):
        if interpolated is None:
            interpolated = any(t.editorial for t in quo)
        for piece in _pieces(change, src, quo, lex):
            first = piece[0][0] == ops[0].src[0] and piece[1][0] == ops[0].quo[0]
            last = piece[0][1] == ops[-1].src[1] and piece[1][1] == ops[-1].quo[1]
            steps = _steps_of(piece, change, ops)
            found.extend((v, n) for v in _piece_variants(piece, steps, first, last, alignment, source_text, quote_text, partial, fragment, language, interpolated))
    found.sort(key=lambda vn: (vn[1], (vn[0].quote_span or vn[0].source_span or (0, 0))[0]))
    return _merge_transpositions(found, changes, alignment, source_text, quote_text)


def _steps_of(piece: tuple[Span, Span], change: _Change, ops: Sequence[AlignOp]) -> tuple[int, ...]:
    """The ops of a change that a piece of it was read from (all of them when it touches none alone)."""
    (a0, a1), (b0, b1) = piece
    held = tuple(k for k in change.ops if (ops[k].src[0] < a1 and a0 < ops[k].src[1]) or (ops[k].quo[0] < b1 and b0 < ops[k].quo[1]))
    return held or change.ops


def _piece_variants(
    piece: tuple[Span, Span],
    steps: tuple[int, ...],
    first: bool,
    last: bool,
    alignment: Alignment,
    source_text: str,
    quote_text: str,
    partial: bool,
    fragment: int | None,
    language: str,
    interpolated: bool,
) -> list[Variant]:
    """The variants of one piece of a change (see :func:`classify_alignment`): ``first``/``last``, at an edge of the alignment."""
    src, quo = alignment.source_tokens, alignment.quote_tokens
    found: list[Variant] = []
    d: Sequence[Token] = src[piece[0][0] : piece[0][1]]
    q: Sequence[Token] = quo[piece[1][0] : piece[1][1]]
    editorial = [t for t in q if t.editorial] if interpolated else None
    if editorial:
        rest = tuple(t for t in q if not t.editorial)
        alone = not _words(rest)
        found.append(_bracket_variant(d, editorial, alone, source_text, quote_text, fragment, steps, language))
        if alone:
            return found
        q = rest
    at_start = first and piece[1][0] == 0
    if partial and at_start and len(d) > 1 and len(q) > 1 and only_first_letter_case([d[0].norm], [q[0].norm]):
        d, q, at_start = d[1:], q[1:], False  # the first letter at the edge of a partial quotation is no variant
    if (
        len(d) > 1
        and len(q) > 1
        and (_case_only(d[0], q[0]) or _case_only(d[-1], q[-1]))
        and [t.norm.casefold() for t in d] != [t.norm.casefold() for t in q]
    ):
        pairs, d, q = _peel_case(d, q)
        for ds, qs in pairs:
            if not (partial and at_start and qs is quo[0] and only_first_letter_case([ds.norm], [qs.norm])):
                found.append(Variant(Kind.CASE, ds.text, qs.text, _span((ds,)), _span((qs,)), fragment, steps))
        at_start = at_start and bool(q) and q[0] is quo[0]
    kind = _kind_of(d, q, language)
    if kind is None:
        return found
    if partial and (first or last):
        sw, qw = _words(d), _words(q)
        if no_variant_at_partial_edge(sw, qw, source_has_words=bool(sw), quote_has_words=bool(qw), at_start=at_start):
            return found
    v = Variant(kind, _text(d, source_text), _text(q, quote_text), _span(d), _span(q), fragment, steps)
    found.append(_with_meaning(v, d, q, source_text, quote_text, language))
    return found


def _bracket_variant(
    src: Sequence[Token],
    editorial: Sequence[Token],
    alone: bool,
    source_text: str,
    quote_text: str,
    fragment: int | None,
    steps: tuple[int, ...],
    language: str,
) -> Variant:
    """A bracketed interpolation; in place of source words it does not clarify, a substitution shown in its brackets."""
    brackets = " ".join(t.text for t in editorial)
    lex = lexicon(language)
    # the bracket's words are cut into tokens (for their meaning) only when one may carry some
    plain = True
    for t in editorial:
        for w in _WORD_RE.findall(t.text):
            pairs = lex.cache.get(w, _UNKNOWN)
            if pairs is _UNKNOWN:
                pairs = lex.cache[w] = _word_meaning(w, lex)
            plain = plain and w.islower() and pairs == ()
    inner = () if plain else [w for t in editorial for w in tokenize(quote_text, t.start + 1, t.end - 1)]
    if alone and not _bracket_clarifies(src, editorial, lex):
        v = Variant(Kind.SUBSTITUTION, _text(src, source_text), brackets, _span(src), _span(editorial), fragment, steps)
        return _with_meaning(v, src, inner, source_text, quote_text, language)
    v = Variant(
        Kind.INTERPOLATION,
        _text(src, source_text) if alone else "",
        brackets,
        _span(src) if alone else None,
        _span(editorial),
        fragment,
        steps,
    )
    v = _with_meaning(v, src if alone else (), inner, source_text, quote_text, language)
    if _ELISION_MAJOR.intersection(v.meaning) or "number" in v.meaning:
        # "[not]", "[only]", "[three]": a bracket may clarify, never add what the speaker did not say
        v = dataclasses.replace(v, judged_severity=Severity.MAJOR)
    return v


def _merge_transpositions(
    found: list[tuple[Variant, int]], changes: Sequence[_Change], alignment: Alignment, source_text: str, quote_text: str
) -> list[Variant]:
    """An omission and an insertion of the same words are one transposition.

    The transposition covers everything from the first of the two changes to
    the last, so that it reads "A and B" -> "B and A".
    """
    out = list(found)
    kinds = {v.kind for v, _ in out}
    if Kind.OMISSION not in kinds or Kind.INSERTION not in kinds:
        return [v for v, _ in out]
    read: dict[str, list[str]] = {}

    def words(text: str) -> list[str]:
        known = read.get(text)
        if known is None:
            known = read[text] = _text_words(text)
        return known

    merged = True
    while merged:
        merged = False
        for i, (a, na) in enumerate(out):
            if a.kind not in (Kind.OMISSION, Kind.INSERTION):
                continue
            for j in range(i + 1, len(out)):
                b, nb = out[j]
                if b.kind is a.kind or b.kind not in (Kind.OMISSION, Kind.INSERTION):
                    continue
                om, ins = (a, b) if a.kind is Kind.OMISSION else (b, a)
                if not is_transposition(words(om.source_text), words(ins.quote_text), min_words=1):
                    continue
                lo, hi = changes[min(na, nb)], changes[max(na, nb)]
                d = alignment.source_tokens[lo.src[0] : hi.src[1]]
                q = alignment.quote_tokens[lo.quo[0] : hi.quo[1]]
                steps = tuple(range(lo.ops[0], hi.ops[-1] + 1))
                t = Variant(Kind.TRANSPOSITION, _text(d, source_text), _text(q, quote_text), _span(d), _span(q), a.fragment, steps)
                out[i] = (t, na)
                del out[j]
                merged = True
                break
            if merged:
                break
    return [v for v, _ in out]


_WORD_RE = regex.compile(r"[\p{L}\p{N}]+(?:['\-][\p{L}\p{N}]+)*")
_ASCII_WORD_RE = re.compile(r"[a-z0-9]+(?:['\-][a-z0-9]+)*")  # the same words, in lower-cased ASCII text


def _text_words(text: str) -> list[str]:
    """The words of a stretch of text, case folded."""
    if text.isascii():
        return _ASCII_WORD_RE.findall(text.lower())
    return [w.casefold() for w in _WORD_RE.findall(text)]


def elision_variants(
    location: Location,
    markers: Sequence[tuple[int, int]],
    source_text: str,
    quote_text: str,
    language: str = DEFAULT_LANGUAGE,
) -> list[Variant]:
    """The variants between located fragments: marked elisions, and fragments out of order.

    ``markers[k]`` is the span of the elision marker between fragment ``k``
    and fragment ``k + 1``. An ellipsis licenses a cut, never a reversal:
    see :func:`judge_elision`.
    """
    out: list[Variant] = []
    frags: list[Fragment] = sorted(location.fragments, key=lambda f: f.index)
    for a, b in zip(frags, frags[1:]):
        marker = markers[a.index] if a.index < len(markers) else None
        if b.source_span[0] >= a.source_span[1]:
            words = list(_WORD_RE.finditer(source_text, a.source_span[1], b.source_span[0]))
            if not words:
                continue
            span = (words[0].start(), words[-1].end())
            cut = source_text[span[0] : span[1]]
            if b.index == a.index + 1 and marker is not None:
                v = Variant(Kind.ELISION, cut, quote_text[marker[0] : marker[1]], span, marker)
                # a sentence end the quotation keeps before its ellipsis is no join: the cut opens the next sentence
                start = span[0] if _ends_sentence(quote_text, marker) else a.source_span[1]
                out.append(judge_elision(v, start, b.source_span[0], source_text, language))
            else:
                v = Variant(Kind.OMISSION, cut, "", span, None)
                out.append(_with_meaning(v, tokenize(source_text, *span), (), source_text, quote_text, language))
        else:
            out.append(
                Variant(
                    Kind.TRANSPOSITION,
                    source_text[b.source_span[0] : b.source_span[1]],
                    quote_text[b.quote_span[0] : b.quote_span[1]],
                    b.source_span,
                    b.quote_span,
                )
            )
    return out


#: where a sentence or a paragraph ends: a full stop (or ! ? ...), closing marks, then space; or a line break
_SENTENCE_END = regex.compile(r"(\w*)[.!?\u2026][\"'\u201d\u2019)\]]*(?=\s|$)|\n")


_KEPT_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*\s*$")


def _ends_sentence(quote_text: str, marker: tuple[int, int]) -> bool:
    """Whether the quotation ends a sentence just before an elision marker ("failed. ..." or a marker ". ...")."""
    if _KEPT_SENTENCE_END.search(quote_text, max(0, marker[0] - 4), marker[0]):
        return True
    text = quote_text[marker[0] : marker[1]]
    return len(text) > 3 and text[0] in ".!?" and not text.startswith("...")


def _crosses_sentence(source_text: str, start: int, end: int, lex: Lexicon) -> bool:
    """Whether a sentence or paragraph ends between ``start`` and ``end`` (a full stop just before ``start`` counts)."""
    lo = max(0, start - 1)
    while lo > 0 and source_text[lo - 1].isalnum():
        lo -= 1  # back to the start of the word, so that "Mr." is read as a whole
    for m in _SENTENCE_END.finditer(source_text, lo, end):
        if m.end() <= start:
            continue  # a line break before the cut: the cut opens the paragraph
        if m.group(0) == "\n" or not m.group(0).endswith(".") or m.group(1).casefold() not in lex.abbreviations:
            return True
    return False


def judge_elision(v: Variant, start: int, end: int, source_text: str, language: str = DEFAULT_LANGUAGE) -> Variant:
    """An elision's meaning and severity: ``start``/``end`` bound the source text between the two quoted fragments.

    A cut that reaches across the end of a sentence or paragraph (whole
    sentences, or words of two sentences joined) is a ``splice``: shown,
    acceptable. A cut inside one sentence carries the meaning of the words
    it cuts, and when those negate, set a condition or hedge, it is major:
    the ellipsis licenses shortening, not reversing.
    """
    lex = lexicon(language)
    if _crosses_sentence(source_text, start, end, lex):
        return dataclasses.replace(v, meaning=("splice",))
    span = v.source_span or (start, end)
    meaning = meaning_of(tokenize(source_text, *span), (), source_text, "", language)
    if not meaning:
        return v
    major = Severity.MAJOR if _ELISION_MAJOR.intersection(meaning) else None
    return dataclasses.replace(v, meaning=meaning, judged_severity=major)


def not_found_variants(fragments: Sequence[Sequence[Token]], found: Set[int], quote_text: str) -> list[Variant]:
    """Fragments of a located quotation that were not found: words the source does not have, so insertions."""
    out = []
    for i, toks in enumerate(fragments):
        if i not in found and any(t.is_word for t in toks):
            span = (toks[0].start, toks[-1].end)
            out.append(Variant(Kind.INSERTION, "", quote_text[span[0] : span[1]], None, span))
    return out


def judge_short(alignments: Sequence[Alignment], variants: Sequence[Variant], language: str = DEFAULT_LANGUAGE) -> list[Variant] | None:
    """The rule for quotations of one or two words: located only when exact, never judged altered.

    Exact as the locator matches words: each the source's word, or a form
    of it (:func:`word_form`: "6 soldiers" for "six soldiers"). Returns the
    variants that count (the minor ones), or ``None`` when the words are
    not the source's: then the quotation is not located.
    """
    lex = lexicon(language)
    if not all(_same_words(al, lex) for al in alignments):
        return None
    return [v for v in variants if v.severity is not Severity.MAJOR]


def _same_words(al: Alignment, lex: Lexicon) -> bool:
    """Whether an alignment's quotation has the source's words (punctuation aside), or other forms of them.

    A word that differs from the source's only in case is not the source's
    word here: "Helicopters" alone is a heading's word, not the source's.
    """
    source = [t.norm for t in al.source_tokens if t.is_word]
    quote = [t.norm for t in al.quote_tokens if t.is_word]
    return source == quote or (
        len(source) == len(quote)
        and all(s == q or (s.casefold() != q.casefold() and _form(s, lex) == _form(q, lex)) for s, q in zip(source, quote))
    )


def verdict(variants: Sequence[Variant], located: bool) -> Verdict:
    """The verdict of a quotation from its variants."""
    if not located:
        return Verdict.UNVERIFIED
    if any(v.severity is Severity.MAJOR for v in variants):
        return Verdict.ALTERED
    if variants:
        return Verdict.FAITHFUL
    return Verdict.VERBATIM


# --------------------------------------------------------------------------- attribution


def judged_against_sources(credit: Credit, sources_name_speakers: bool) -> bool:
    """Whether a quotation is to be looked for in the sources at all.

    Not when the article credits it to someone who speaks in none of them
    (a rebuttal that reuses a sentence of the source, a heckler's cry, a
    parody): those words are someone else's, however much they resemble
    the source's. When no source names its speaker, every quotation is.
    """
    return not (sources_name_speakers and credit.speaker is not None and not credit.in_sources)


def attributed_verdict(
    words_verdict: Verdict, credit: Credit, source_speaker: str | None, *, sources_name_speakers: bool
) -> tuple[Verdict, Reason | None]:
    """The verdict of a quotation once its attribution is known, and the reason of an ``unverified`` one.

    ``words_verdict`` is the verdict of the words alone (:func:`verdict`).
    Credited to someone who speaks in no source: ``unverified``,
    ``other-speaker``. Dated by the article to an occasion no source is of,
    or found nowhere: ``unverified``, ``not-found``. Found, but in the mouth
    of someone other than the person credited: ``misattributed``, whatever
    the variants (they are still listed).
    """
    if not judged_against_sources(credit, sources_name_speakers):
        return Verdict.UNVERIFIED, OTHER_SPEAKER
    if words_verdict is Verdict.UNVERIFIED or credit.other_occasion:
        return Verdict.UNVERIFIED, NOT_FOUND
    if credit.speaker is not None and source_speaker is not None and credit.speaker != source_speaker:
        return Verdict.MISATTRIBUTED, None
    return words_verdict, None
