"""classify's judgment of meaning: golden cases read by eye, and generated cuts and changes that come back as such."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quoteverify.classify import is_spelling_variant, meaning_of, number_value
from quoteverify.lexicon import languages, lexicon
from quoteverify.locate import SourceIndex
from quoteverify.models import MEANINGS, Document, Kind, Severity, Verdict
from quoteverify.normalize import tokenize
from quoteverify.verify import check_article, locate_quotation

GOLDEN = Path(__file__).parent / "golden" / "meaning"


def _cases() -> list[tuple[str, int, dict]]:
    out = []
    for path in sorted(GOLDEN.glob("*.toml")):
        for n, case in enumerate(tomllib.loads(path.read_text(encoding="utf-8"))["case"]):
            out.append((path.stem, n, case))
    return out


def _result(case: dict):
    source = Document(id="source", text=case["source"])
    if "article" in case:
        article = check_article(Document(id="article", text=case["article"]), SourceIndex([source]))
        (quote,) = article.quotes
        return quote
    return locate_quotation(case["quote"], [source])


@pytest.mark.parametrize("case", [c for _, _, c in _cases()], ids=[f"{f}-{n}" for f, n, _ in _cases()])
def test_golden(case):
    result = _result(case)
    got = [
        {"kind": v.kind.value, "severity": v.severity.value, "source": v.source_text, "quote": v.quote_text, "meaning": list(v.meaning)}
        for v in result.variants
    ]
    assert (result.verdict.value, got) == (case["verdict"], case["variants"])


def test_golden_cases_cover_every_tag():
    seen = {m for _, _, c in _cases() for v in c["variants"] for m in v["meaning"]}
    assert seen == set(MEANINGS)


# ---------------------------------------------------------------- generated prose

# plain words that carry no meaning of their own (checked against the word list below)
PLAIN = (
    "the council report said workers built roads near green hills while farmers planted wheat "
    "across wide valleys and traders sold cloth from carts along river banks every market day"
).split()
EN = lexicon("en")


def test_plain_words_carry_no_meaning():
    assert not [w for w in PLAIN if w in EN.tags or w.endswith("n't")]


def runs(n: int) -> st.SearchStrategy[tuple[str, ...]]:
    """``n`` runs of 4 to 6 plain words, no word in two runs (so that each is found in one place only)."""

    def cut(words: list[str], sizes: list[int]) -> tuple[str, ...]:
        out, at = [], 0
        for size in sizes:
            out.append(" ".join(words[at : at + size]))
            at += size
        return tuple(out)

    sizes = st.lists(st.integers(min_value=4, max_value=6), min_size=n, max_size=n)
    return st.tuples(st.permutations(sorted(set(PLAIN))), sizes).map(lambda t: cut(*t))


# one word of each tag an ellipsis must not cut, and contractions
CUT_MAJOR = {
    "negation": ["not", "never", "no longer", "won't", "can't", "isn't", "nothing but"],
    "condition": ["if it rains", "unless told", "only", "except", "until spring", "provided that"],
    "modality": ["might", "may", "could", "would", "should", "possibly", "perhaps", "likely", "almost", "nearly", "partly"],
}
cut = st.sampled_from(sorted(CUT_MAJOR)).flatmap(lambda tag: st.tuples(st.just(tag), st.sampled_from(CUT_MAJOR[tag])))


@settings(max_examples=40, deadline=None)
@given(runs(2), cut)
def test_an_ellipsis_that_cuts_a_negation_condition_or_hedge_is_major(text, tagged):
    (before, after), (tag, words) = text, tagged
    source = f"Yesterday {before} {words} {after}."
    result = locate_quotation(f"{before} ... {after}", [Document(id="s", text=source)])
    elisions = [v for v in result.variants if v.kind is Kind.ELISION]
    assert result.verdict is Verdict.ALTERED
    assert len(elisions) == 1 and elisions[0].severity is Severity.MAJOR
    assert tag in elisions[0].meaning and "splice" not in elisions[0].meaning


@settings(max_examples=30, deadline=None)
@given(runs(3), cut)
def test_cutting_whole_sentences_is_a_splice_and_acceptable(text, tagged):
    (first, middle, last), (_, words) = text, tagged
    source = f"{first.capitalize()}. {middle.capitalize()} {words} {middle}. {last.capitalize()}."
    result = locate_quotation(f"{first}. ... {last.capitalize()}.", [Document(id="s", text=source)])
    elisions = [v for v in result.variants if v.kind is Kind.ELISION]
    assert result.verdict in (Verdict.FAITHFUL, Verdict.VERBATIM)
    assert [(v.meaning, v.severity) for v in elisions] == [(("splice",), Severity.ACCEPTABLE)]


NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten", 12: "twelve", 20: "twenty"}
written = st.sampled_from(sorted(NUMBER_WORDS)).flatmap(lambda n: st.tuples(st.just(n), st.sampled_from([str(n), NUMBER_WORDS[n]])))


@settings(max_examples=40, deadline=None)
@given(runs(2), written, written)
def test_a_planted_number_change_is_tagged_number(text, old, new):
    (before, after), (a, a_text), (b, b_text) = text, old, new
    source = f"{before} {a_text} {after}."
    result = locate_quotation(f"{before} {b_text} {after}", [Document(id="s", text=source)])
    changed = [v for v in result.variants if v.kind is not Kind.PUNCTUATION]
    if a == b and a_text == b_text:
        assert result.verdict is Verdict.VERBATIM
    elif a == b:  # the same number in digits and in words: one word written two ways
        assert [(v.kind, v.meaning) for v in changed] == [(Kind.SPELLING, ())]
    else:
        assert result.verdict is Verdict.ALTERED
        assert [(v.kind, v.meaning) for v in changed] == [(Kind.SUBSTITUTION, ("number",))]


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=10**9))
def test_numbers_in_digits_compare_by_value(a, b):
    assert is_spelling_variant([f"{a:,}"], [str(b)]) is (a == b and a >= 1000)
    assert number_value([f"{a:,}"], EN) == (float(a), "")


@pytest.mark.parametrize(
    "words, value",
    [("three hundred thousand", 300000.0), ("a dozen", 12.0), ("£3m", 3e6), ("£ 3 million", 3e6), ("1.8", 1.8), ("30 %", 30.0)],
)
def test_number_value(words, value):
    assert number_value([t.norm for t in tokenize(words)], EN)[0] == value


def test_meaning_compares_numbers_by_value():
    def tags(a, b):
        return meaning_of(tokenize(a), tokenize(b), a, b)

    assert tags("six ships", "6 ships") == ()
    assert tags("six ships", "7 ships") == ("number",)
    assert tags("we will not go", "we won't go") == ()
    assert tags("we can't go", "we can go") == ("negation",)


def test_every_language_file_loads_and_english_is_the_default():
    assert {"en", "fr", "de", "es"} <= set(languages())
    for code in languages():
        lex = lexicon(code)
        assert lex.language == code and lex.tags
        assert set(tag for tags in lex.tags.values() for tag in tags) <= set(MEANINGS)
    assert lexicon("en").complete and not lexicon("fr").complete
    assert lexicon("xx") is lexicon("xx") and lexicon("xx").language == "en"
    assert "negation" in lexicon("de").tags["nicht"]


# --------------------------------------------------------------------------- the source's language

FRENCH = "Le gouvernement ne retirera pas les troupes de la région avant la fin de l'année, a déclaré le ministre."


@pytest.mark.parametrize(
    "quote, cut",
    [
        ("Le gouvernement ne retirera ... les troupes de la région avant la fin de l'année", ["pas"]),
        ("Le gouvernement ... retirera ... les troupes de la région avant la fin de l'année", ["ne", "pas"]),
    ],
)
def test_a_negation_cut_is_read_in_the_sources_language(quote, cut):
    def elisions(language):
        result = locate_quotation(quote, [Document(id="s", text=FRENCH, language=language)])
        found = [(v.source_text, v.severity, v.meaning) for v in result.variants if v.kind is Kind.ELISION]
        return result.verdict, found

    # "ne ... pas" is French for "not": the ellipsis reverses what the minister said
    assert elisions("fr") == (Verdict.ALTERED, [(w, Severity.MAJOR, ("negation",)) for w in cut])
    # read with the English word lists, the same cut drops words that carry nothing
    assert elisions("en") == (Verdict.FAITHFUL, [(w, Severity.ACCEPTABLE, ()) for w in cut])


def test_a_case_names_the_language_of_its_sources(tmp_path):
    from quoteverify.ingest.case import load_case

    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "fr.txt").write_text(FRENCH + "\n", encoding="utf-8")
    (tmp_path / "sources" / "en.txt").write_text("The minister said the troops would stay.\n", encoding="utf-8")
    (tmp_path / "case.toml").write_text(
        'language = "fr"\n'
        '[[sources]]\nid = "fr"\npath = "sources/fr.txt"\n'
        '[[sources]]\nid = "en"\npath = "sources/en.txt"\nlanguage = "en"\n',
        encoding="utf-8",
    )
    case = load_case(tmp_path)
    assert [(s.document.id, s.document.language) for s in case.sources] == [("fr", "fr"), ("en", "en")]
    article = Document(id="a", text="« Le gouvernement ne retirera [...] les troupes de la région avant la fin de l'année », a-t-il dit.")
    (quote,) = check_article(article, SourceIndex([case.sources[0].document])).quotes
    assert quote.verdict is Verdict.ALTERED
    assert [(v.kind, v.meaning) for v in quote.variants] == [(Kind.ELISION, ("negation",))]
    (tmp_path / "case.toml").write_text('[[sources]]\nid = "fr"\npath = "sources/fr.txt"\n', encoding="utf-8")
    assert load_case(tmp_path).sources[0].document.language == "en"  # the default
