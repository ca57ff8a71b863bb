"""The word knowledge of judgment, one data file per language (``<code>.toml`` here).

Which words carry a negation, a condition, a hedge or a number, which words
a bracketed clarification may stand for, and which spellings are one word
(contractions, abbreviations, house styles, British and American forms;
and the language's rules of regional spelling, ``[spelling].rules``, for
the words no list names).
English is complete; other languages hold what is listed so far (their
file says ``complete = false``). A language without a file reads as
English, the default.
"""

from __future__ import annotations

import hashlib
import marshal
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from quoteverify._cache import kept_buffer

DEFAULT = "en"
_HERE = Path(__file__).parent

#: the tags a word can carry, in the order of the design notes' table
WORD_TAGS = ("negation", "number", "condition", "modality")


@dataclass(frozen=True, eq=False)  # one per language, cached: compared and hashed by identity
class Lexicon:
    """One language's word lists, as the lookups of :mod:`quoteverify.classify` use them.

    ``tags`` maps a case-folded word to the meaning tags it carries;
    ``forms`` maps each spelling of a word (a tuple of case-folded words)
    to the group's first spelling, and ``longest_form`` is the most words a
    spelling has.
    """

    language: str
    complete: bool
    tags: dict[str, tuple[str, ...]]
    negation_suffix: str
    numbers: dict[str, float]
    pointing: frozenset[str]
    not_names: frozenset[str]
    abbreviations: frozenset[str]
    forms: dict[tuple[str, ...], tuple[str, ...]]
    longest_form: int
    #: a one-word form and the words it writes out ("won't": ("will", "not"))
    expansions: dict[str, tuple[str, ...]]
    #: each spelling of a group whose spellings take different numbers of
    #: words ("won't", "will not"; "%", "per cent"), and all of its group's spellings
    other_counts: dict[tuple[str, ...], tuple[tuple[str, ...], ...]]
    #: the groups of ``other_counts`` by the first token of each of their spellings
    other_count_starts: dict[str, tuple[tuple[tuple[str, ...], ...], ...]]
    #: the first two tokens of each spelling of ``other_counts`` of two tokens or more
    other_count_pairs: frozenset[tuple[str, str]]
    #: and the second tokens by the first
    other_count_followers: dict[str, frozenset[str]]
    real_word_zipf: float
    #: regional spellings as rewrites of a case-folded word (``[spelling].rules``), applied in order
    spelling_rules: tuple[tuple[re.Pattern[str], str], ...] = ()
    #: what any of the rules finds: a word it does not match is left as it is (one search for all the rules)
    spelling_trigger: re.Pattern[str] | None = None
    #: what each word asked about so far carries (filled by quoteverify.classify as it reads)
    cache: dict[str, tuple[tuple[str, str], ...] | None] = field(default_factory=dict, repr=False)
    #: the form of each word asked about so far (filled by quoteverify.classify.word_form)
    word_forms: dict[str, str] = field(default_factory=dict, repr=False)
    #: whether each token asked about so far may start a form of other length (quoteverify.classify.may_start_form)
    form_starts: dict[str, bool] = field(default_factory=dict, repr=False)


def _groups_by_start(other_counts: dict[tuple[str, ...], tuple[tuple[str, ...], ...]]) -> dict[str, tuple[tuple[tuple[str, ...], ...], ...]]:
    out: dict[str, tuple[tuple[tuple[str, ...], ...], ...]] = {}
    for spelling, group in other_counts.items():
        if group not in out.get(spelling[0], ()):
            out[spelling[0]] = (*out.get(spelling[0], ()), group)
    return out


def languages() -> tuple[str, ...]:
    """The language codes that have a word list."""
    return tuple(sorted(p.stem for p in _HERE.glob("*.toml")))


def language_code(language: str) -> str:
    """The ISO 639-1 code of ``language``: a region such as ``en-GB`` or ``fr_CA`` dropped, case folded."""
    return language.split("-")[0].split("_")[0].casefold()


#: the name of the parsed word lists kept in the user's cache folder (see :func:`_parsed`); another when their form changes
_KEPT = "lexicons-1"


def _parsed(text: str) -> dict[str, Any]:
    """A word-list file's text, parsed: kept parsed in the user's cache folder by the digest of the text.

    Parsing English's took 47 M instructions with ``tomllib``'s import (and
    the patterns it compiles as it loads), reading it back 12 M with
    ``hashlib``'s (callgrind), and a run of a case parses no other TOML
    (its ``case.toml`` is saved parsed with its sources).
    """
    key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    try:
        kept = marshal.loads(kept_buffer(_KEPT, key, lambda: marshal.dumps(_toml(text)), keep=8))
    except (ValueError, EOFError, TypeError):  # a value marshal does not write (a date); a broken file
        kept = None
    return kept if isinstance(kept, dict) else _toml(text)


def _toml(text: str) -> dict[str, Any]:
    import tomllib  # only where the parsed text is not kept

    return tomllib.loads(text)


@lru_cache(maxsize=None)
def lexicon(language: str = DEFAULT) -> Lexicon:
    """The word lists of ``language`` (see :func:`language_code`); English for a language without them."""
    code = language_code(language) or DEFAULT
    path = _HERE / f"{code}.toml"
    if not path.is_file():
        path = _HERE / f"{DEFAULT}.toml"
    data = _parsed(path.read_text(encoding="utf-8"))
    meaning = data.get("meaning", {})
    tags: dict[str, tuple[str, ...]] = {}
    for tag in WORD_TAGS:
        for word in meaning.get(tag, []):
            w = word.casefold()
            tags[w] = (*tags.get(w, ()), tag)
    forms: dict[tuple[str, ...], tuple[str, ...]] = {}
    expansions: dict[str, tuple[str, ...]] = {}
    other_counts: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {}
    for group in data.get("forms", {}).get("groups", []):
        spellings = [tuple(g.casefold().split()) for g in group]
        for s in spellings:
            forms.setdefault(s, spellings[0])
        # "%" and "&" are no words of a text: a spelling of them takes none
        if len({len(s) for s in spellings}) > 1 or any(not s[0][:1].isalnum() for s in spellings):
            for s in spellings:
                other_counts.setdefault(s, tuple(spellings))
        longest = max(spellings, key=len)
        for s in spellings:
            if len(s) == 1 and len(longest) > 1:
                expansions.setdefault(s[0], longest)
    rules = data.get("spelling", {}).get("rules", [])
    return Lexicon(
        language=data.get("language", code),
        complete=bool(data.get("complete", False)),
        tags=tags,
        negation_suffix=data.get("negation_suffix", ""),
        numbers={k.casefold(): float(v) for k, v in data.get("numbers", {}).items()},
        pointing=frozenset(w.casefold() for w in meaning.get("pointing", [])),
        not_names=frozenset(w.casefold() for w in meaning.get("not_names", [])),
        abbreviations=frozenset(w.casefold() for w in meaning.get("abbreviations", [])),
        forms=forms,
        longest_form=max((len(k) for k in forms), default=1),
        expansions=expansions,
        other_counts=other_counts,
        other_count_starts=_groups_by_start(other_counts),
        other_count_pairs=frozenset((s[0], s[1]) for s in other_counts if len(s) > 1),
        other_count_followers={
            first: frozenset(s[1] for s in other_counts if len(s) > 1 and s[0] == first) for first in {s[0] for s in other_counts if len(s) > 1}
        },
        real_word_zipf=float(data.get("real_word_zipf", 3.0)),
        spelling_rules=tuple((re.compile(pattern), replacement) for pattern, replacement in rules),
        spelling_trigger=re.compile("|".join(f"(?:{pattern})" for pattern, _ in rules)) if rules else None,
    )
