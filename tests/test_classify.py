"""classify: each kind of the taxonomy, and generated edits that come back as their kind."""

import pytest
from hypothesis import assume, given, settings
from profiles import examples
from hypothesis import strategies as st

from quoteverify.align import align
from quoteverify import classify
from quoteverify.classify import (
    classify_alignment,
    forms_of_other_length,
    is_homoglyph,
    is_spelling_variant,
    number_spellings,
    number_value,
    verdict,
    word_form,
)
from quoteverify.lexicon import languages, lexicon
from quoteverify.models import Kind, Segment, Severity, Verdict
from quoteverify.normalize import quotation_fragments, tokenize


def variants(source, quote, segments=None):
    if segments is None:
        toks = tokenize(quote)
    else:
        (toks,) = quotation_fragments(quote, segments)
    al = align(tokenize(source), toks)
    return [(v.kind.value, v.source_text, v.quote_text) for v in classify_alignment(al, source, quote)]


S = "the forces will be moved over the course of the coming days to the north."


@pytest.mark.parametrize(
    "quote, expected",
    [
        ("the forces will be moved over the course of the coming days to the north.", []),
        ("the forces will be moved over the course of the days to the north.", [("omission", "coming", "")]),
        ("the forces will be moved in the coming days to the north.", [("substitution", "over the course of", "in")]),
        ("the forces (troops) will be moved over the course of the coming days to the north.", [("insertion", "", "(troops)")]),
        ("the forces, will be moved over the course of the coming days to the north.", [("punctuation", "", ",")]),
        ("the Forces will be moved over the course of the coming days to the north.", [("case", "forces", "Forces")]),
        ("the forces will be moved over the course of the coming days to the North.", [("case", "north", "North")]),
        ("the forces will be moved over the course of the days coming to the north.", [("transposition", "coming days", "days coming")]),
        ("the f\u043erces will be moved over the course of the coming days to the north.", [("homoglyph", "forces", "f\u043erces")]),
        # the edges of a partial quotation: first letter, punctuation inside the closing mark
        ("The forces will be moved over the course of the coming days to the north,", []),
    ],
)
def test_kinds(quote, expected):
    assert variants(S, quote) == expected


def test_interpolation_is_acceptable():
    q = "the forces [of the alliance] will be moved"
    segs = (Segment("text", 0, 10), Segment("interpolation", 11, 28), Segment("text", 29, 42))
    assert variants("the forces will be moved", q, segs) == [("interpolation", "", "[of the alliance]")]
    q2 = "[They] will be moved"
    segs2 = (Segment("interpolation", 0, 6), Segment("text", 7, 20))
    assert variants("the forces will be moved", q2, segs2) == [("interpolation", "the forces", "[They]")]


@pytest.mark.parametrize(
    "a, b",
    [("minimise", "minimize"), ("colour", "color"), ("battle-field", "battlefield"), ("centre", "center"), ("travelled", "traveled")],
)
def test_spelling_variants(a, b):
    assert is_spelling_variant(a.split(), b.split())


def test_split_compound_is_spelling():
    assert variants("a battlefield there", "a battle field there") == [("spelling", "battlefield", "battle field")]


@pytest.mark.parametrize("a, b", [("then", "they"), ("form", "from"), ("forces", "troops")])
def test_not_spelling(a, b):
    assert not is_spelling_variant([a], [b])


def test_homoglyph_needs_another_script():
    assert is_homoglyph(["leaving"], ["le\u0430ving"])
    assert not is_homoglyph(["leaving"], ["leafing"])


def test_verdicts():
    assert verdict([], located=False) is Verdict.UNVERIFIED
    assert verdict([], located=True) is Verdict.VERBATIM


# ---------------------------------------------------------------- generated edits

VOCAB = [
    "river", "stone", "garden", "market", "window", "silver", "letter", "morning", "harbour", "castle",
    "engine", "forest", "bridge", "candle", "doctor", "planet", "orange", "pencil", "rocket", "saddle",
    "tunnel", "valley", "wagon", "yellow", "zebra", "anchor", "basket", "cotton", "dinner", "falcon",
]
PASSAGE = st.lists(st.sampled_from(VOCAB), min_size=6, max_size=40)


def render(words, commas):
    out = []
    for i, w in enumerate(words):
        out.append(w + ("," if i in commas and i < len(words) - 1 else ""))
    return " ".join(out) + "."


@given(PASSAGE, st.data())
@settings(max_examples=examples(200))
def test_generated_single_word_edits_come_back_as_their_kind(words, data):
    commas = data.draw(st.sets(st.integers(0, len(words) - 1), max_size=3))
    source = render(words, commas)
    edit = data.draw(st.sampled_from(["omission", "insertion", "substitution"]))
    i = data.draw(st.integers(1, len(words) - 2))
    new = data.draw(st.sampled_from([w for w in VOCAB if w not in words] or ["quixotic"]))
    edited = list(words)
    if edit == "omission":
        removed = edited.pop(i)
        assume(i - 1 not in commas and i not in commas)  # a dropped comma would be a second variant
        expected = (edit, removed, "")
    elif edit == "insertion":
        edited.insert(i, new)
        commas = {c + 1 if c >= i else c for c in commas}
        expected = (edit, "", new)
    else:
        old = edited[i]
        edited[i] = new
        expected = (edit, old, new)
    quote = render(edited, commas if edit != "omission" else {c - 1 if c > i else c for c in commas})
    got = variants(source, quote)
    assert got == [expected], (source, quote)


def test_severity_follows_the_taxonomy():
    assert Kind.ELISION.severity is Severity.ACCEPTABLE
    assert Kind.SPELLING.severity is Severity.MINOR
    assert Kind.OMISSION.severity is Severity.MAJOR


def test_attribution_rules() -> None:
    from quoteverify.classify import attributed_verdict, judged_against_sources
    from quoteverify.models import Credit

    minister = Credit("Jane Roe", in_sources=True)
    heckler = Credit("a heckler")
    assert not judged_against_sources(heckler, True) and judged_against_sources(heckler, False)
    assert judged_against_sources(minister, True) and judged_against_sources(Credit(), True)
    on = {"sources_name_speakers": True}
    assert attributed_verdict(Verdict.ALTERED, heckler, None, **on) == (Verdict.UNVERIFIED, "other-speaker")
    assert attributed_verdict(Verdict.ALTERED, minister, "the press", **on) == (Verdict.MISATTRIBUTED, None)
    assert attributed_verdict(Verdict.VERBATIM, minister, "Jane Roe", **on) == (Verdict.VERBATIM, None)
    assert attributed_verdict(Verdict.UNVERIFIED, minister, None, **on) == (Verdict.UNVERIFIED, "not-found")
    assert attributed_verdict(Verdict.UNVERIFIED, Credit(), None, **on) == (Verdict.UNVERIFIED, "not-found")
    earlier = Credit("Jane Roe", in_sources=True, other_occasion=True)
    assert attributed_verdict(Verdict.VERBATIM, earlier, "Jane Roe", **on) == (Verdict.UNVERIFIED, "not-found")
    # credited to nobody: the words are judged, whoever speaks them
    assert attributed_verdict(Verdict.FAITHFUL, Credit(), "the press", **on) == (Verdict.FAITHFUL, None)


# --------------------------------------------------------------------------- forms of one word


def _one_word_pairs(language):
    """Every two spellings of one group of the word list that are one word each."""
    groups = {}
    for spelling, first in lexicon(language).forms.items():
        if len(spelling) == 1:
            groups.setdefault(first, []).append(spelling[0])
    return [(a, b) for g in groups.values() for a in g for b in g if a != b]


@pytest.mark.parametrize("language", languages())
def test_the_word_lists_spellings_of_one_word_share_a_form_and_are_spelling(language):
    pairs = _one_word_pairs(language)
    assert pairs or language != "en"
    for a, b in pairs:
        assert word_form(a, language) == word_form(b, language), (a, b)
        assert is_spelling_variant([a], [b], language), (a, b)


@pytest.mark.parametrize(
    "a, b",
    [("colour", "color"), ("centres", "centers"), ("organisation", "organization"), ("travelled", "traveled"),
     ("six", "6"), ("Twenty-one", "21"), ("hundred", "100"), ("towards", "toward"), ("battle-field", "battlefield"),
     ("foetus", "fetus"), ("paediatric", "pediatric"), ("defence", "defense")],
)
def test_forms_of_one_word(a, b):
    assert word_form(a) == word_form(b)
    assert is_spelling_variant([a], [b])


@pytest.mark.parametrize(
    "a, b",
    [("four", "for"), ("our", "or"), ("hours", "hors"), ("filled", "filed"), ("called", "caled"), ("poet", "pet"),
     ("shoes", "shes"), ("Boeing", "being"), ("we're", "were"), ("U.S", "us"), ("six", "sixth"), ("one", "won")],
)
def test_two_words_are_never_one_form(a, b):
    # the locator matches words by their forms: two words of one form would be one word to it
    assert word_form(a) != word_form(b)


@pytest.mark.parametrize("a, b", [("four", "for"), ("our", "or"), ("filled", "filed"), ("poet", "pet"), ("Boeing", "being")])
def test_two_words_are_no_spelling_variant(a, b):
    assert not is_spelling_variant([a], [b])


def test_regional_spellings_are_the_languages_own():
    # French "votre" (your) is no regional spelling of "voter" (to vote), as "centre" is of "center"
    assert word_form("votre", "fr") != word_form("voter", "fr")
    assert not is_spelling_variant(["votre"], ["voter"], "fr")
    assert word_form("six", "fr") == word_form("6", "fr")



REGIONAL_WORDS = st.sampled_from(
    ["colours", "favourite", "organisation", "analysing", "centres", "catalogue", "defences", "travelling", "paediatric",
     "oestrogen", "licence", "practise", "e-mail", "twenty-one", "six", "hundred", "cannot", "towards", "U.S"]
)


@given(st.one_of(REGIONAL_WORDS, st.sampled_from(sorted({w for k in lexicon("en").forms for w in k})), st.text(min_size=1, max_size=12)))
def test_a_form_is_its_own_form(word):
    # the locator looks a quoted word up as it is when the sources have it so: it must then be its own form
    form = word_form(word)
    assert word_form(form) == form


@pytest.mark.parametrize(
    "tokens, runs",
    [
        ("we are going home", [("we are", ("we're", "we are"))]),
        ("rose 30 % last", [("%", ("%", "per cent", "percent", "pc"))]),
        ("has 300 , 000 people", [("300 , 000", ("300000", "300,000", "three hundred thousand", "300 thousand", "300k"))]),
        ("they will not stop", [("they will", ("they'll", "they will")), ("will not", ("won't", "will not"))]),
        ("or one eight perhaps", []),  # two numbers, not one times eight
        ("six ships sailed", []),  # one word in every spelling: word_form makes them one
    ],
)
def test_forms_of_other_length(tokens, runs):
    words = tokens.split()
    got = [(" ".join(words[r.start : r.end]), r.spellings) for r in forms_of_other_length(words, "en")]
    assert got == runs


@pytest.mark.parametrize(
    "words, value",
    [("2 , 500 , 000", 2_500_000.0), ("one hundred and one", 101.0), ("2.5 million", 2_500_000.0), ("£ 3m", 3_000_000.0)],
)
def test_number_value_reads_every_group_and_the_and_of_a_number(words, value):
    assert number_value(words.split(), lexicon("en"))[0] == value
    assert any(" " in s for s in number_spellings(value, "en"))


@settings(max_examples=examples(200))
@given(st.sampled_from(languages()), st.one_of(st.integers(-10**6, 10**6), st.integers(-(10**16), 10**16)))
def test_a_number_is_spelled_by_its_language_converter_alone_as_num2words_spells_it(language, value):
    """The converter's module imported alone spells a number as ``num2words(n, lang=...)`` does, or fails as it does."""
    from num2words import num2words

    try:
        expected: str | None = str(num2words(value, lang=language)).casefold() if value <= 10**15 else None
    except (NotImplementedError, OverflowError):
        expected = None
    assert classify._number_words(value, language) == expected


def test_every_language_with_word_lists_has_its_num2words_converter_named():
    from num2words import CONVERTER_CLASSES

    for language in languages():
        module, name = classify._NUM2WORDS_CONVERTERS[language]
        assert type(CONVERTER_CLASSES[language]).__name__ == name
        assert type(CONVERTER_CLASSES[language]).__module__ == f"num2words.{module}"


# --------------------------------------------------------------------------- a number written whole in other words

#: words around a number: none of them a number, a glue of one ("a", "and") or a form of other length
AROUND = "river stone garden market window silver letter morning harbour castle engine forest bridge candle doctor".split()


def _spelled(n: int, draw) -> str:
    """``n`` as a newsroom may write it: digits, digits with separators, words, "N million" and "Nm", "N thousand"."""
    from num2words import num2words

    words = num2words(n, lang="en").replace(",", "")
    ways = [str(n), f"{n:,}", words, words.replace("-", " "), words.replace(" and ", " ")]
    for scale, word, suffix in ((1_000_000, "million", "m"), (1_000, "thousand", None)):
        amount = n / scale
        if amount >= 1 and round(amount, 2) == amount:
            ways.append(f"{amount:g} {word}")
            if suffix:
                ways.append(f"{amount:g}{suffix}")
    return draw(st.sampled_from(list(dict.fromkeys(ways))))


NUMBERS = st.one_of(
    st.integers(21, 999),
    st.integers(1_000, 999_999),
    st.integers(1, 999).map(lambda k: k * 1_000),
    st.integers(1, 99).map(lambda k: k * 100_000),
    st.integers(1, 300).map(lambda k: k * 1_000_000),
)


def _number_in_words(data, n: int, m: int) -> tuple[str, str, str, str]:
    """A source with ``n`` among plain words and a quotation of it with ``m`` in its place, and the two numbers as written."""
    before = data.draw(st.lists(st.sampled_from(AROUND), min_size=1, max_size=4))
    after = data.draw(st.lists(st.sampled_from(AROUND), min_size=1, max_size=4))
    written, quoted = _spelled(n, data.draw), _spelled(m, data.draw)
    return " ".join([*before, written, *after]) + ".", " ".join([*before, quoted, *after]) + ".", written, quoted


def _judged(source: str, quote: str):
    found = classify_alignment(align(tokenize(source), tokenize(quote)), source, quote)
    return found, verdict(found, True)


@given(NUMBERS, st.data())
@settings(max_examples=examples(300))
def test_a_number_written_in_any_of_its_spellings_is_a_spelling_and_the_quotation_faithful(n, data):
    source, quote, written, quoted = _number_in_words(data, n, n)
    assume(written != quoted)
    found, judged = _judged(source, quote)
    assert [(v.kind, v.source_text, v.quote_text) for v in found] == [(Kind.SPELLING, written, quoted)], (source, quote, found)
    assert judged is Verdict.FAITHFUL


@given(NUMBERS, NUMBERS, st.data())
@settings(max_examples=examples(300))
def test_a_number_of_another_value_in_any_spelling_is_one_change_of_number(n, m, data):
    assume(n != m)
    source, quote, written, quoted = _number_in_words(data, n, m)
    found, judged = _judged(source, quote)
    assert judged is Verdict.ALTERED
    # the whole number on each side, however many words the two spellings share
    assert [(v.kind, v.source_text, v.quote_text, v.meaning) for v in found] == [(Kind.SUBSTITUTION, written, quoted, ("number",))], (source, quote, found)


@pytest.mark.parametrize(
    "source, quote, expected",
    [
        # a number spelt another way beside a word changed: the spelling and the change apart
        ("They will pay 2,000,000 dollars now.", "They will pay 2 million euros now.", [("spelling", "2,000,000", "2 million"), ("substitution", "dollars", "euros")]),
        # a word for a number word beside a part of the number: the word, not the whole number, changed
        ("It was five thousand years ago.", "It was since thousand years ago.", [("substitution", "five", "since")]),
        # words of a number reordered: another value, not a transposition
        ("It was one million two hundred thousand.", "It was two million one hundred thousand.", [("substitution", "one million two hundred thousand", "two million one hundred thousand")]),
        # another currency is another amount
        ("They will pay $2 million now.", "They will pay £2 million now.", [("substitution", "$", "£")]),
        # a hyphenated number word
        ("We saw one hundred and twenty-one ships.", "We saw 121 ships.", [("spelling", "one hundred and twenty-one", "121")]),
        ("We saw one hundred and twenty-one ships.", "We saw one hundred and twenty-two ships.", [("substitution", "one hundred and twenty-one", "one hundred and twenty-two")]),
    ],
)
def test_a_number_is_judged_whole_only_against_a_number(source, quote, expected):
    assert variants(source, quote) == expected


@given(
    st.one_of(st.integers(0, 10**7), st.integers(-(10**6), -1)),
    st.sampled_from(["", ",", ".5", "m", "%"]),
    st.sampled_from(sorted(languages())),
)
def test_a_number_starts_a_run_as_its_spellings_say(whole, tail, language):
    # form_start answers a number of four digits or more without making its spellings: the answer they give
    token = (f"{whole:,}" if tail == "," else str(whole)) + ("" if tail == "," else tail)
    lex = lexicon(language)
    value = number_value((token,), lex)
    assume(value is not None and classify._NUMBER_TOKEN.match(token) and not classify._is_fraction(token, lex))
    spelt = any(" " in s or "," in s for s in number_spellings(value[0], language))
    want = classify.FORM if spelt else classify.FORM_IF_CONTINUED
    assert classify.form_start(token, language) == want
