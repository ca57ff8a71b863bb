"""normalize: typographic folding with an exact map back, and tokens with original offsets."""

import regex
from hypothesis import example, given
from hypothesis import strategies as st

from quoteverify.models import Segment, Token, new_token
from quoteverify.normalize import INVISIBLE, fold, fold_token, quotation_fragments, tokenize, word_pattern, words

TYPO = st.sampled_from(list("\u2018\u2019\u201c\u201d\u2013\u2014\u00a0\u200b\u00ad\u2026\ufb01 \n\t'\"-e\u0301\u00e9aZ.,"))
MIXED = st.text(alphabet=st.one_of(TYPO, st.characters()), max_size=60)


def test_folds_typography_not_wording():
    f = fold("\u201cHere\u2019s\u00a0the  line\u201d \u2014 ok\u2026 \ufb01ne\u200b!")
    assert f.text == "\"Here's the line\" - ok... fine!"


def test_case_and_scripts_are_kept():
    assert fold("Nobody\u2019s Le\u0430ving").text == "Nobody's Le\u0430ving"


def test_map_back_to_original():
    text = "a\u00a0\u00a0\u201cb\u201d \ufb01"
    f = fold(text)
    i = f.text.index("b")
    assert f.to_original(i, i + 1) == (text.index("b"), text.index("b") + 1)
    j = f.text.index("fi")
    # the two folded letters both come from the one ligature
    assert f.to_original(j, j + 2) == (len(text) - 1, len(text))


@given(MIXED)
@example("e\u0301\u0301x")
@example("\r\u0301")
@example("\ufb01\u0301")
@example("  \u200b  ")
@example("\xa0\xaf")
def test_offsets_round_trip(text):
    f = fold(text)
    assert len(f.starts) == len(f.ends) == len(f.text)
    assert list(f.starts) == sorted(f.starts)
    assert list(f.ends) == sorted(f.ends)
    # unit boundaries: positions where a new original unit begins
    bounds = [i for i in range(len(f.text) + 1) if i in (0, len(f.text)) or f.starts[i] != f.starts[i - 1]]
    for a in bounds:
        for b in bounds:
            if a < b:
                s, e = f.to_original(a, b)
                assert fold(text[s:e]).text == f.text[a:b]


@given(MIXED)
@example("\ufb01\u0301")
@example("\ufb01\u200b\u0301")
@example("\xaf\u0301")
def test_fold_is_idempotent(text):
    once = fold(text).text
    assert fold(once).text == once


@given(MIXED)
def test_tokens_point_into_the_original(text):
    toks = tokenize(text)
    last = 0
    for t in toks:
        assert t.start >= last and t.end > t.start
        assert text[t.start : t.end] == t.text
        last = t.end
    # nothing but white space and invisible characters falls between tokens
    covered = "".join(text[a.end : b.start] for a, b in zip(toks, toks[1:]))
    assert fold(covered).text.strip() == ""


# The definition of a token in Unicode terms; the tokenizer spells these
# classes out for the characters of each text and must find the same tokens.
_INVIS = "".join(sorted(INVISIBLE))
_JOIN = "'\u2019\u02bc\u2018\\-\u2010\u2011."
_WORD = rf"[\p{{L}}\p{{N}}\p{{M}}](?:[\p{{L}}\p{{N}}\p{{M}}{_INVIS}]|[{_JOIN}](?=[\p{{L}}\p{{N}}]))*"
_SPEC = regex.compile(rf"(?P<w>{_WORD})|(?P<e>\.\.\.|\. \. \.|\u2026)|(?P<p>[^\s{_INVIS}])", regex.V1)


@given(MIXED, st.data())
@example("\x1c a\u0301b \u2003\u0300x U.S. -- can't\u200b", None)
def test_tokens_are_those_of_the_unicode_definition(text, data):
    start = data.draw(st.integers(0, len(text))) if data else 0
    end = data.draw(st.integers(start, len(text))) if data else len(text)
    want = tuple(Token(m.group(), fold_token(m.group()), m.start(), m.end(), m.lastgroup == "w") for m in _SPEC.finditer(text, start, end))
    assert tokenize(text, start, end) == want
    words_only = [p for p in word_pattern(set(text)).split(text)[1::2]]
    assert words_only == [m.group() for m in _SPEC.finditer(text) if m.lastgroup == "w"]


@given(st.text(st.sampled_from("ab Z09'-.,;\"()\t\n"), max_size=60), st.data())
@example("U.S. ... . . . can't -- a-b 'x' 9.5", None)
def test_tokens_of_ascii_text_are_those_of_the_unicode_definition(text, data):
    # ASCII text takes the tokenizer's own path: words fold to themselves
    start = data.draw(st.integers(0, len(text))) if data else 0
    end = data.draw(st.integers(start, len(text))) if data else len(text)
    want = tuple(Token(m.group(), fold_token(m.group()), m.start(), m.end(), m.lastgroup == "w") for m in _SPEC.finditer(text, start, end))
    assert tokenize(text, start, end) == want


@given(st.lists(MIXED, min_size=1, max_size=6), st.data())
@example(["a . .", ". b"], None)
def test_no_token_crosses_a_line_break(lines, data):
    # so a stretch of whole lines tokenizes as the whole text does there (the reconstruction reads only such a stretch)
    text = "\n".join(lines)
    first = data.draw(st.integers(0, len(lines) - 1)) if data else 0
    last = data.draw(st.integers(first, len(lines) - 1)) if data else len(lines) - 1
    start = sum(len(x) + 1 for x in lines[:first])
    end = sum(len(x) + 1 for x in lines[: last + 1]) - 1
    assert tokenize(text, start, end) == tuple(t for t in tokenize(text) if start <= t.start and t.end <= end)


def test_made_tokens_equal_constructed_ones():
    made = new_token(Token, ("don't", "don't", 3, 8, True, False))
    built = Token("don't", "don't", 3, 8, True)
    assert made == built and hash(made) == hash(built) and type(made) is Token and not made.editorial
    assert made.key == "don't" and made.start == 3


def test_words_keep_inner_apostrophes_and_hyphens():
    assert [w.text for w in words("don\u2019t CJTF-OIR forces' vote, CH-47.")] == ["don\u2019t", "CJTF-OIR", "forces", "vote", "CH-47"]


def test_fragments_split_at_elisions_and_keep_interpolations_whole():
    text = "be there... and [the group] went"
    segs = (Segment("text", 0, 8), Segment("elision", 8, 11), Segment("text", 12, 15), Segment("interpolation", 16, 27), Segment("text", 28, 32))
    frags = quotation_fragments(text, segs)
    assert [[t.text for t in f] for f in frags] == [["be", "there"], ["and", "[the group]", "went"]]
    assert frags[1][1].editorial and not frags[1][1].is_word


def test_the_kept_look_alike_table_is_the_confusables_list_as_installed() -> None:
    from quoteverify._confusables import SKELETON, skeleton_table

    assert SKELETON == skeleton_table()
    assert len(SKELETON) > 100
