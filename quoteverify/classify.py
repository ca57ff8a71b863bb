"""Classify: turn word alignments into named variants, and give the verdict.

The yardstick is the newsroom rule for direct quotations: the words inside
the marks are the speaker's; a cut is marked with an ellipsis; an editorial
addition stands in square brackets. Each change of an alignment becomes one
variant of the taxonomy (:class:`~quoteverify.models.Kind`); typographic
differences were folded away before alignment and are no variants, and
neither is anything at the very edges of a partial quotation (a lower-case
first letter, punctuation taken inside the closing mark).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence, Set
from functools import lru_cache

import regex
from rapidfuzz.distance import Levenshtein

from quoteverify._confusables import SKELETON
from quoteverify.models import (
    NOT_FOUND,
    OTHER_SPEAKER,
    Alignment,
    Credit,
    Fragment,
    Kind,
    Location,
    Reason,
    Severity,
    Token,
    Variant,
    Verdict,
)

_NON_LATIN_LETTER = regex.compile(r"[^\P{L}\p{Script=Latin}]")

# Regional and house spellings of one word (British/American and the like),
# as rewrites of a word's ending or inside: applied to both sides before
# comparing. Language knowledge, not knowledge of any case.
_SPELLING_RULES = [
    (regex.compile(r"is(e|ed|es|ing|ation|ations|er|ers)$"), r"iz\1"),
    (regex.compile(r"ys(e|ed|es|ing)$"), r"yz\1"),
    (regex.compile(r"our(s|ed|ing|ite|ites|able)?$"), r"or\1"),
    (regex.compile(r"tre(s)?$"), r"ter\1"),
    (regex.compile(r"ogue(s)?$"), r"og\1"),
    (regex.compile(r"ence(s)?$"), r"ense\1"),
    (regex.compile(r"ll(ed|ing|er|ers)$"), r"l\1"),
    (regex.compile(r"ae"), "e"),
    (regex.compile(r"oe"), "e"),
]


@lru_cache(maxsize=1 << 16)
def _spelling_key(word: str) -> str:
    w = unicodedata.normalize("NFKD", word.casefold())
    w = "".join(c for c in w if not unicodedata.combining(c))
    w = w.replace("-", "").replace("'", "").replace(".", "")
    for pat, rep in _SPELLING_RULES:
        w = pat.sub(rep, w)
    return w


def _edit_distance(a: str, b: str, limit: int = 2) -> int:
    """The Levenshtein distance of two words, or ``limit + 1`` when it is beyond ``limit``."""
    return Levenshtein.distance(a, b, score_cutoff=limit)


def is_spelling_variant(source: Sequence[str], quote: Sequence[str]) -> bool:
    """Whether two word runs are one word spelled two ways.

    battle-field/battlefield and battle field/battlefield (joined or split),
    minimise/minimize and colour/color (regional forms), or a one-letter slip
    in a long word. Case is ignored (that is a ``case`` variant).
    """
    if not source or not quote:
        return False
    a = "".join(_spelling_key(w) for w in source)
    b = "".join(_spelling_key(w) for w in quote)
    if a == b:
        return "".join(w.casefold() for w in source) != "".join(w.casefold() for w in quote) or len(source) != len(quote)
    if len(source) == len(quote) == 1 and min(len(a), len(b)) >= 7:
        return _edit_distance(a, b, 1) <= 1
    return False


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
    return Counter(w.casefold() for w in source_words) == Counter(w.casefold() for w in quote_words)


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


def _kind_of(src: Sequence[Token], quo: Sequence[Token]) -> Kind | None:
    """The kind of one change of an alignment (no editorial tokens in ``quo``)."""
    sw, qw = _words(src), _words(quo)
    if not sw and not qw:
        sp = [t.norm for t in src]
        qp = [t.norm for t in quo]
        return Kind.PUNCTUATION if sp != qp else None
    if not qw:
        return Kind.OMISSION
    if not sw:
        return Kind.INSERTION
    if [w.casefold() for w in sw] == [w.casefold() for w in qw]:
        return Kind.CASE
    if is_homoglyph(sw, qw):
        return Kind.HOMOGLYPH
    if is_spelling_variant(sw, qw):
        return Kind.SPELLING
    if is_transposition(sw, qw, min_words=2):
        return Kind.TRANSPOSITION
    return Kind.SUBSTITUTION


def classify_alignment(
    alignment: Alignment,
    source_text: str,
    quote_text: str,
    *,
    partial: bool = True,
    fragment: int | None = None,
) -> list[Variant]:
    """The variants of one aligned fragment, in order.

    ``partial``: the fragment is a stretch cut out of the source, so what
    lies at its very edges (a lower-case first letter, punctuation at either
    end) is no variant. ``fragment``: the alignment's place among the
    quotation's alignments, recorded in each variant with the ops it was
    read from.
    """
    src, quo = alignment.source_tokens, alignment.quote_tokens
    ops = alignment.ops
    found: list[tuple[Variant, int]] = []  # each variant with the op it came from
    interpolated = None
    for n, op in enumerate(ops):
        if op.op == "equal":
            continue
        if interpolated is None:
            interpolated = any(t.editorial for t in quo)
        d = src[op.src[0] : op.src[1]]
        q = quo[op.quo[0] : op.quo[1]]
        first, last = n == 0, n == len(ops) - 1
        editorial = [t for t in q if t.editorial] if interpolated else None
        if editorial:
            rest = tuple(t for t in q if not t.editorial)
            alone = not _words(rest)
            found.append(
                (
                    Variant(
                        Kind.INTERPOLATION,
                        _text(d, source_text) if alone else "",
                        " ".join(t.text for t in editorial),
                        _span(d) if alone else None,
                        _span(editorial),
                        fragment,
                        (n,),
                    ),
                    n,
                )
            )
            if alone:
                continue
            q = rest
        kind = _kind_of(d, q)
        if kind is None:
            continue
        if partial and (first or last):
            sw, qw = _words(d), _words(q)
            at_start = first and op.quo[0] == 0
            if no_variant_at_partial_edge(sw, qw, source_has_words=bool(sw), quote_has_words=bool(qw), at_start=at_start):
                continue
        found.append((Variant(kind, _text(d, source_text), _text(q, quote_text), _span(d), _span(q), fragment, (n,)), n))
    return _merge_transpositions(found, alignment, source_text, quote_text)


def _merge_transpositions(
    found: list[tuple[Variant, int]], alignment: Alignment, source_text: str, quote_text: str
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
                lo, hi = alignment.ops[na], alignment.ops[nb]
                d = alignment.source_tokens[lo.src[0] : hi.src[1]]
                q = alignment.quote_tokens[lo.quo[0] : hi.quo[1]]
                steps = tuple(range(min(na, nb), max(na, nb) + 1))
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
) -> list[Variant]:
    """The variants between located fragments: marked elisions, and fragments out of order.

    ``markers[k]`` is the span of the elision marker between fragment ``k``
    and fragment ``k + 1``.
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
                out.append(Variant(Kind.ELISION, cut, quote_text[marker[0] : marker[1]], span, marker))
            else:
                out.append(Variant(Kind.OMISSION, cut, "", span, None))
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


def not_found_variants(fragments: Sequence[Sequence[Token]], found: Set[int], quote_text: str) -> list[Variant]:
    """Fragments of a located quotation that were not found: words the source does not have, so insertions."""
    out = []
    for i, toks in enumerate(fragments):
        if i not in found and any(t.is_word for t in toks):
            span = (toks[0].start, toks[-1].end)
            out.append(Variant(Kind.INSERTION, "", quote_text[span[0] : span[1]], None, span))
    return out


def judge_short(alignments: Sequence[Alignment], variants: Sequence[Variant]) -> list[Variant] | None:
    """The rule for quotations of one or two words: located only when exact, never judged altered.

    Returns the variants that count (the minor ones), or ``None`` when the
    words are not exactly the source's: then the quotation is not located.
    """
    if not all(_same_words(al) for al in alignments):
        return None
    return [v for v in variants if v.severity is not Severity.MAJOR]


def _same_words(al: Alignment) -> bool:
    """Whether an alignment's quotation has exactly the source's words (punctuation aside)."""
    return [t.norm for t in al.source_tokens if t.is_word] == [t.norm for t in al.quote_tokens if t.is_word]


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
