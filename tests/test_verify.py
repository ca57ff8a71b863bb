"""The pipeline on the seed case: every quotation of the letter, as a careful fact-checker reads it."""

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import quoteverify
from quoteverify.locate import SourceIndex
from quoteverify.models import Kind, Verdict
from quoteverify.verify import verify_quotation
from test_locate import VOCAB, quotation, source

CASE = Path(__file__).resolve().parents[1] / "corpus" / "seely-letter"


@pytest.fixture(scope="module")
def result():
    return quoteverify.check(CASE)


def quotes(result, article):
    (a,) = [a for a in result.articles if a.article.id == article]
    return a.quotes


def find(result, article, start):
    found = [q for q in quotes(result, article) if q.quotation.text.startswith(start)]
    assert len(found) == 1, [q.quotation.text for q in quotes(result, article)]
    return found[0]


def kinds(q):
    return [(v.kind.value, v.source_text, v.quote_text) for v in q.variants]


# (article, start of the quotation, verdict, variants as (kind, source words, quoted words))
EXPECTED = [
    ("straits-times-afp", "be repositioning forces over the course", "verbatim", []),
    ("straits-times-afp", "In order to conduct this task", "verbatim", []),
    ("straits-times-afp", "movement out of Iraq", "verbatim", []),
    ("independent", "repositioning over the course", "altered", [("omission", "forces", "")]),
    ("independent", "to ensure that the movement out of Iraq", "verbatim", []),
    ("independent", "We respect your sovereign decision", "verbatim", []),
    ("lbc", "repositioning forces to prepare", "altered", [("omission", "over the course of the coming days and weeks", "")]),
    ("lbc", "reiterate the value of our friendship", "verbatim", []),
    ("lbc", "we respect your sovereign decision", "verbatim", []),
    ("lbc", "Sir, in due deference", "verbatim", []),
    ("sky-news", "Sir, in deference", "altered", [("omission", "due", ""), ("interpolation", "", "[the US-led coalition]")]),
    ("sky-news", "movement out of Iraq", "verbatim", []),
    ("sky-news", "We respect your sovereign decision", "verbatim", []),
    ("bbc-news", "repositioning forces in the coming days", "altered", [("substitution", "over the course of", "in")]),
    (
        "bbc-news",
        "Sir, in due deference",
        "altered",
        [("punctuation", "", ","), ("insertion", "", "(Combined Joint Task Force - Operation Inherent Resolve)")],
    ),
    ("bbc-news", "during hours of darkness", "verbatim", []),
    ("bbc-news", "ensure the movement out of Iraq", "altered", [("omission", "that", "")]),
    ("bbc-news", "alleviate any perception", "altered", [("insertion", "", "(Green Zone in Baghdad)")]),
]


@pytest.mark.parametrize("article, start, verdict, expected", EXPECTED, ids=[f"{a}:{s[:24]}" for a, s, _, _ in EXPECTED])
def test_every_quotation_of_the_letter(result, article, start, verdict, expected):
    q = find(result, article, start)
    assert q.location is not None and q.location.source == "letter"
    assert q.verdict.value == verdict
    assert kinds(q) == expected


def test_marked_elisions_are_acceptable(result):
    q = find(result, "sky-news", "be repositioning forces")
    assert q.verdict is Verdict.FAITHFUL
    assert [v.kind for v in q.variants] == [Kind.ELISION, Kind.ELISION]
    assert q.variants[0].source_text == "over the course of the coming days and weeks to"
    assert q.variants[1].source_text.startswith("In order to conduct this task")
    assert q.variants[1].source_text.endswith("the value of our friendship and partnership")


def test_the_whole_letter_in_lbc_is_one_quotation_of_eight_paragraphs(result):
    q = find(result, "lbc", "Sir, in due deference")
    assert len(q.quotation.spans) == 8
    letter = result.sources[0].document
    assert q.location.span == (0, len(letter.text.rstrip()))


@pytest.mark.parametrize(
    "article, start",
    [
        ("straits-times-afp", "This was a mistake from McKenzie"),
        ("independent", "Here\u2019s the bottom line"),
        ("independent", "There has been no change in US policy"),
        ("lbc", "There's been no decision whatsoever"),
        ("sky-news", "That letter is a draft"),
        ("bbc-news", "[The letter] was sent over"),
        ("bbc-news", "There's been no decision whatsoever"),
    ],
)
def test_quotations_of_other_people_are_not_judged_against_the_letter(result, article, start):
    q = find(result, article, start)
    assert q.verdict is Verdict.UNVERIFIED and q.location is None and q.variants == ()


def test_coverage_shows_who_left_out_what(result):
    cov = {a.article.id: [p.quoted for p in a.coverage[0].paragraphs] for a in result.articles}
    assert cov["lbc"] == [1.0] * 8
    # only LBC prints the middle of the letter
    for outlet in ("straits-times-afp", "independent", "sky-news", "bbc-news"):
        assert cov[outlet][2] == cov[outlet][3] == cov[outlet][4] == 0.0
    assert 0 < cov["straits-times-afp"][0] < 1 and cov["straits-times-afp"][1] == 1.0 and cov["straits-times-afp"][7] == 0.0
    assert 0 < cov["bbc-news"][5] < 1
    assert cov["independent"][7] == 1.0


def test_attributions(result):
    q = find(result, "straits-times-afp", "This was a mistake from McKenzie")
    assert q.quotation.attribution == "Milley told reporters"
    assert find(result, "bbc-news", "Sir, in due deference").quotation.attribution == "It starts"


def test_same_input_same_result(result):
    assert quoteverify.check(CASE) == result


def test_look_alike_letters_and_invisible_characters():
    from quoteverify.ingest import document_from_text
    from quoteverify.locate import SourceIndex
    from quoteverify.verify import check_article

    src = document_from_text("Nobody is leaving the country, the general said firmly.\n", id="s", role="source")
    idx = SourceIndex([src])
    homo = check_article(document_from_text('He said: "Nobody is le\u0430ving the country" loudly.', id="a"), idx).quotes[0]
    assert homo.verdict is Verdict.ALTERED
    assert [(v.kind, v.source_text, v.quote_text) for v in homo.variants] == [(Kind.HOMOGLYPH, "leaving", "le\u0430ving")]
    zw = check_article(document_from_text('He said: "Nobody is lea\u200bving the coun\u00adtry" loudly.', id="b"), idx).quotes[0]
    assert zw.verdict is Verdict.VERBATIM and zw.invisible == 2


# --------------------------------------------------------------------------- passage tokens

@given(st.integers(0, 10**6), st.integers(0, 250), st.integers(3, 30), st.sampled_from(["same", "curly", "elided", "gloss"]))
@settings(max_examples=80, deadline=None)
def test_a_passage_is_cut_into_the_sources_own_tokens(seed, start, length, how):
    """Whether the quotation is the passage's very text or not, its alignment holds the tokens the source has there."""
    rng = random.Random(seed)
    words = [rng.choice(VOCAB + ["don't", "U.S.", "co-op"]) + rng.choice(["", "", "", ",", ";", "."]) for _ in range(300)]
    text = " ".join(words) + "."
    quoted = " ".join(words[start : start + length]).rstrip(",;.")
    if how == "curly":
        quoted = quoted.replace("'", "\u2019")
    elif how == "elided":
        quoted += " ... " + " ".join(words[start + length + 3 : start + length + 9]).rstrip(",;.")
    elif how == "gloss":
        cut = quoted.split(" ")
        quoted = " ".join(cut[:2] + ["[the group]"] + cut[2:])
    idx = SourceIndex([source(text)])
    q = quotation(quoted)
    result = verify_quotation(q, quoted, idx)
    if result.location is None:
        return
    for al, frag in zip(result.alignment, result.location.fragments):
        assert al.source_tokens == idx.tokens_in(0, frag.source_span)


def test_a_quotation_given_alone_is_judged_whole_inner_marks_and_all():
    from quoteverify.ingest import document_from_text
    from quoteverify.verify import locate_quotation

    source = document_from_text(
        "The minister said the plan was fully funded and would start in the spring, with no new taxes.", id="s"
    )
    result = locate_quotation('the plan was "fully funded" and would start in the autumn', [source])
    assert result.location is not None and result.location.source == "s"
    assert result.verdict.value == "altered"
    start, end = result.location.span
    assert source.text[start:end].startswith("the plan was fully funded and would start in the")
    assert [v.quote_text for v in result.variants if v.severity.value == "major"] == ["autumn"]


def test_documents_checked_a_stage_at_a_time_as_each_alone() -> None:
    """A batch checked a stage at a time gives each article what its stages give it one after the other."""
    from quoteverify.attribute import credit_quotations
    from quoteverify.cover import coverage
    from quoteverify.extract import extract_quotations
    from quoteverify.ingest import document_from_text, load_case
    from quoteverify.locate import case_index
    from quoteverify.models import ArticleResult
    from quoteverify.verify import check_article, check_documents, roster_of

    case = load_case(CASE)
    index = case_index([s.document for s in case.sources], None)
    docs = [document_from_text((CASE / a.path).read_text(encoding="utf-8"), id=a.id, outlet=a.outlet) for a in case.articles]
    docs += [document_from_text("No quotation here.", id="none"), docs[0]]

    def alone(doc):
        quotations = extract_quotations(doc)
        credits = credit_quotations(doc, quotations, roster_of(index))
        quotes = tuple(verify_quotation(q, doc.text, index, c) for q, c in zip(quotations, credits))
        return ArticleResult(doc, quotes, coverage(quotes, index), ())

    expected = [alone(d) for d in docs]
    assert sum(len(r.quotes) for r in expected) > 20 and not expected[-2].quotes
    assert check_documents(docs, index) == expected
    assert [check_article(d, index) for d in docs] == expected
    assert check_documents([], index) == []
