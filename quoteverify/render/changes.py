"""What a quotation's changes do, in words and in weight: shared by the terminal summary and the HTML index.

:func:`variant_words` says one variant as a reader would ("drops 'not'",
"'in' for 'over the course of'"); :func:`quote_changes` says the changes of
a quotation that matter; :func:`change_weight` ranks altered quotations by
what their changes do, worst first.
"""

from __future__ import annotations

from collections.abc import Iterable

from quoteverify.models import Kind, QuoteResult, Severity, Variant

#: the longest stretch of words quoted in a description before it is cut in the middle
_WORDS_SHOWN = 60


def clip(text: str, limit: int = _WORDS_SHOWN) -> str:
    """``text`` on one line, cut in the middle at word boundaries when longer than ``limit`` characters."""
    words = text.split()
    one = " ".join(words)
    if len(one) <= limit:
        return one
    head: list[str] = []
    tail: list[str] = []
    budget = limit - 3
    for i in range(len(words)):
        side, word = (head, words[i // 2]) if i % 2 == 0 else (tail, words[-1 - i // 2])
        if budget - len(word) - 1 < 0:
            break
        budget -= len(word) + 1
        side.append(word)
    if not head:
        return one[: limit - 1] + "\u2026"
    return f"{' '.join(head)} \u2026 {' '.join(reversed(tail))}".strip()


def _words(text: str) -> int:
    return len(text.split())


def variant_words(v: Variant) -> str:
    """One variant in words: what the quotation does to the source's words, and to their meaning."""
    said = _variant_words(v)
    tags = [m for m in v.meaning if m != "splice"]
    return f"{said} [{', '.join(tags)}]" if tags and v.severity is Severity.MAJOR else said


def _variant_words(v: Variant) -> str:
    src, quo = clip(v.source_text), clip(v.quote_text)
    if v.kind is Kind.OMISSION:
        n = _words(v.source_text)
        return f"drops '{src}'" + (f" ({n} words, no ellipsis)" if n > 3 else "")
    if v.kind is Kind.INSERTION:
        return f"adds '{quo}'"
    if v.kind is Kind.SUBSTITUTION:
        return f"'{quo}' for '{src}'"
    if v.kind is Kind.TRANSPOSITION:
        return f"reorders '{src}' as '{quo}'"
    if v.kind is Kind.HOMOGLYPH:
        return f"look-alike letters in '{quo}'"
    if v.kind is Kind.ELISION:
        return f"cuts '{src}' (marked)"
    if v.kind is Kind.INTERPOLATION:
        return f"adds '{quo}' in brackets"
    if v.kind is Kind.SPELLING:
        return f"spells '{src}' as '{quo}'"
    if v.kind is Kind.CASE:
        return f"'{quo}' for '{src}' (capitals)"
    return f"punctuation '{src}' as '{quo}'" if src and quo else f"punctuation {'drops' if src else 'adds'} '{src or quo}'"


def _shown(variants: Iterable[Variant]) -> list[Variant]:
    """The variants worth naming: the major ones, or every one when none is major."""
    variants = list(variants)
    major = [v for v in variants if v.severity is Severity.MAJOR]
    return major or variants


def quote_changes(q: QuoteResult) -> list[str]:
    """The changes of a quotation that decide its verdict, in words, in the order of the quotation."""
    return [variant_words(v) for v in _shown(q.variants)]


def _words_changed(v: Variant) -> int:
    """How many of the speaker's words a variant drops, adds or replaces."""
    if v.kind is Kind.INSERTION:
        return _words(v.quote_text)
    if v.kind is Kind.OMISSION:
        return _words(v.source_text)
    return max(_words(v.source_text), _words(v.quote_text), 1)


#: how much each meaning tag of a major variant weighs in the ranking: a
#: reversed statement first, then a changed figure, a dropped condition or
#: hedge, a changed name (a splice is no change of meaning by itself)
_MEANING_WEIGHT = {"negation": 8, "number": 4, "condition": 2, "modality": 2, "name": 1}


def _meaning_weight(v: Variant) -> int:
    """How much a variant changes what the speaker said, by its meaning tags (negation, number...).

    The one place where meaning ranks changes; between changes of equal
    meaning, the number of words decides. A name weighs only where one
    name stands for another: a name added in a gloss says who is meant.
    """
    return sum(_MEANING_WEIGHT.get(m, 0) for m in v.meaning if m != "name" or v.kind is Kind.SUBSTITUTION)


_NO_WEIGHT = (0, 0, 0)


def change_weight(q: QuoteResult) -> tuple[int, int, int]:
    """A sort key for altered quotations, larger is worse: meaning first, then words changed, then major variants.

    A dropped "due" weighs one word; eight words cut without an ellipsis
    weigh eight, and rank above it.
    """
    if not q.variants:  # most quotations (verbatim, not found): no list and generators started
        return _NO_WEIGHT
    major = [v for v in q.variants if v.severity is Severity.MAJOR]
    return (
        sum(_meaning_weight(v) for v in major),
        sum(_words_changed(v) for v in major),
        len(major),
    )


def context_around(text: str, start: int, end: int, *, chars: int = 60) -> tuple[str, str]:
    """About ``chars`` characters of ``text`` before ``start`` and after ``end``, on one line, cut at word boundaries.

    The space between the context and the words it surrounds is kept, so
    that ``before + words + after`` reads as the text does.
    """
    head = text[max(0, start - chars) : start]
    if start > chars:
        head = head.split(" ", 1)[1] if " " in head else ""
    tail = text[end : end + chars]
    if end + chars < len(text):
        tail = tail.rsplit(" ", 1)[0] if " " in tail else ""
    before = " ".join(head.split()) + (" " if head[-1:].isspace() and head.strip() else "")
    after = (" " if tail[:1].isspace() and tail.strip() else "") + " ".join(tail.split())
    return before, after
