"""What a quotation's changes are said to be, and how they rank (quoteverify.render.changes)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quoteverify.models import Kind, Quotation, QuoteResult, Variant, Verdict
from quoteverify.render.changes import change_weight, clip, quote_changes, variant_words


def quote(*variants: Variant) -> QuoteResult:
    q = Quotation("words", ((0, 5),), ())
    return QuoteResult(q, None, (), variants, Verdict.ALTERED)


@pytest.mark.parametrize(
    "kind, source, quoted, said",
    [
        (Kind.OMISSION, "not", "", "drops 'not'"),
        (Kind.OMISSION, "over the course of the coming days and weeks", "", "drops 'over the course of the coming days and weeks' (9 words, no ellipsis)"),
        (Kind.SUBSTITUTION, "over the course of", "in", "'in' for 'over the course of'"),
        (Kind.INSERTION, "", "(Green Zone)", "adds '(Green Zone)'"),
        (Kind.TRANSPOSITION, "safe and orderly", "orderly and safe", "reorders 'safe and orderly' as 'orderly and safe'"),
        (Kind.ELISION, "and weeks", "...", "cuts 'and weeks' (marked)"),
    ],
)
def test_variant_words(kind: Kind, source: str, quoted: str, said: str) -> None:
    assert variant_words(Variant(kind, source, quoted)) == said


def test_only_major_changes_are_named_when_there_are_some() -> None:
    q = quote(Variant(Kind.PUNCTUATION, ",", ""), Variant(Kind.OMISSION, "due", ""))
    assert quote_changes(q) == ["drops 'due'"]
    assert quote_changes(quote(Variant(Kind.SPELLING, "minimise", "minimize"))) == ["spells 'minimise' as 'minimize'"]


def test_eight_words_cut_rank_above_one_word_dropped() -> None:
    one = quote(Variant(Kind.OMISSION, "due", ""))
    eight = quote(Variant(Kind.OMISSION, "over the course of the coming days and", ""))
    two_small = quote(Variant(Kind.OMISSION, "due", ""), Variant(Kind.OMISSION, "that", ""))
    assert change_weight(eight) > change_weight(two_small) > change_weight(one)
    assert change_weight(quote(Variant(Kind.PUNCTUATION, ",", ""))) == (0, 0, 0)


@given(st.text(alphabet="ab \n", max_size=200), st.integers(min_value=5, max_value=120))
def test_clip_keeps_short_texts_and_bounds_long_ones(text: str, limit: int) -> None:
    out = clip(text, limit)
    one = " ".join(text.split())
    assert out == one if len(one) <= limit else len(out) <= limit


def test_a_quotation_without_variants_weighs_what_one_without_a_major_variant_does() -> None:
    # the first is answered without looking at variants, the second by summing over its major ones (none)
    assert change_weight(quote()) == change_weight(quote(Variant(Kind.PUNCTUATION, ",", "")))
    assert quote_changes(quote()) == []
