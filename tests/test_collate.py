"""collate: two whole documents compared word by word (``quoteverify diff``)."""

import json
import random
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st

from quoteverify.align import diff_words_first, word_diff
from quoteverify.cli import main
from quoteverify.collate import collate
from quoteverify.render.html import render_collation as render_html
from quoteverify.render.json import collation_json
from quoteverify.ingest import document_from_text, read_document
from quoteverify.models import Kind

FIXTURES = Path(__file__).parent / "fixtures"
SPEECH = FIXTURES / "speech"
DARWIN = Path(__file__).resolve().parents[2] / "shared" / "data" / "darwin-origin" / "paragraphs.json"


def doc(text, id="d"):
    return document_from_text(text, id=id, role="source")


def kinds(c):
    return [(v.kind.value, v.source_text, v.quote_text) for v in c.variants]


def check_spans(c):
    """Every variant's spans slice its words out of both texts (zero-width for the side without words)."""
    for v in c.variants:
        assert c.base.text[v.base_span[0] : v.base_span[1]] == v.source_text
        assert c.other.text[v.other_span[0] : v.other_span[1]] == v.quote_text
        for i in v.inner:
            assert v.base_span[0] <= i.base_span[0] <= i.base_span[1] <= v.base_span[1]
            assert v.other_span[0] <= i.other_span[0] <= i.other_span[1] <= v.other_span[1]
            assert c.base.text[i.base_span[0] : i.base_span[1]] == i.source_text
            assert c.other.text[i.other_span[0] : i.other_span[1]] == i.quote_text


# ---------------------------------------------------------------- the two drafts of a speech


@pytest.fixture(scope="module")
def speech():
    a = read_document(SPEECH / "draft1.txt", role="source")
    b = read_document(SPEECH / "draft2.txt", role="source")
    return collate(a, b)


def test_speech_variants(speech):
    assert kinds(speech) == [
        ("spelling", "neighbours", "neighbors"),
        ("substitution", "rather than", "instead of"),
        ("omission", "Nobody should have to wait half an hour for help.", ""),
        ("omission", "The budget for next year is attached to the agenda, and I will take questions on it after the vote.", ""),
        ("spelling", "organise", "organize"),
        ("case", "library", "Library"),
        ("transposition", "Its roof has leaked for three winters.", "Its roof has leaked for three long winters."),
        ("punctuation", ".", "!"),
    ]
    check_spans(speech)


def test_speech_whole_units(speech):
    units = {v.source_text[:6]: v.unit for v in speech.variants if v.kind is Kind.OMISSION}
    assert units == {"Nobody": "sentence", "The bu": "paragraph"}


def test_moved_sentence_is_one_transposition_with_its_inner_variants(speech):
    (move,) = [v for v in speech.variants if v.kind is Kind.TRANSPOSITION]
    assert move.moved
    assert [(i.kind.value, i.quote_text) for i in move.inner] == [("insertion", "long")]
    # reported once: the moved words are neither an omission nor an insertion elsewhere
    assert not [v for v in speech.variants if "roof" in v.source_text + v.quote_text and v is not move]


def test_typography_is_no_variant(speech):
    assert not [v for v in speech.variants if "grandmother" in v.source_text + v.quote_text or "bridges" in v.source_text]


def test_speech_paragraphing(speech):
    layout = [(c.kind, c.change, c.base_paragraphs, c.other_paragraphs) for c in speech.layout]
    assert layout == [
        ("paragraphing", "split", (1,), (1, 2)),
        ("paragraphing", "merged", (4, 5), (4,)),
    ]
    split = speech.layout[0]
    assert speech.other.text[split.other_span[0] : split.other_span[1]].endswith("longer still.")


# ---------------------------------------------------------------- small cases


def test_identical_up_to_typography():
    a = doc('He said "go" - and  left.\n\nThe end.')
    b = doc("He said \u201cgo\u201d \u2014 and left.\n\nThe\u00a0end.")
    c = collate(a, b)
    assert c.identical and not c.variants and not c.layout


def test_edges_count_in_whole_documents():
    c = collate(doc("The forces will move. They will go north."), doc("forces will move. They will go north"))
    assert kinds(c) == [("omission", "The", ""), ("punctuation", ".", "")]


def test_case_at_the_start_counts():
    c = collate(doc("Forces will move."), doc("forces will move."))
    assert kinds(c) == [("case", "Forces", "forces")]


def test_merged_paragraphs():
    c = collate(doc("One two three four.\n\nFive six seven eight."), doc("One two three four. Five six seven eight."))
    assert not c.variants
    assert [(x.change, x.base_paragraphs, x.other_paragraphs) for x in c.layout] == [("merged", (0, 1), (0,))]


def test_inserted_paragraph_is_one_variant_not_a_layout_change():
    c = collate(doc("Alpha beta gamma.\n\nDelta epsilon zeta."), doc("Alpha beta gamma.\n\nNew words in a new paragraph here.\n\nDelta epsilon zeta."))
    assert kinds(c) == [("insertion", "", "New words in a new paragraph here.")]
    assert c.variants[0].unit == "paragraph"
    assert not c.layout


def test_short_phrase_far_away_is_no_move():
    filler = " ".join(f"word{i}" for i in range(200))
    a = doc(f"Of the same kind as before. {filler} end.")
    b = doc(f"As before. {filler} of the same kind end.")
    c = collate(a, b)
    assert not [v for v in c.variants if v.moved]


@pytest.mark.parametrize(
    "base, other, expected",
    [
        # the "2" and a digit group are matched, the rest is not: the number is one spelling, whole
        ("They will pay 2,000,000 dollars this year.", "They will pay 2 million dollars this year.", [("spelling", "2,000,000", "2 million")]),
        ("There were one hundred and one of them.", "There were one hundred one of them.", [("spelling", "one hundred and one", "one hundred one")]),
        ("It will cost 5 million pounds.", "It will cost 5 billion pounds.", [("substitution", "5 million", "5 billion")]),
        ("I do not like the plan.", "I don't love the plan.", [("spelling", "do not", "don't"), ("substitution", "like", "love")]),
    ],
)
def test_a_number_or_a_contraction_in_other_words_is_named_whole(base, other, expected):
    c = collate(doc(base), doc(other))
    assert kinds(c) == expected
    check_spans(c)


def test_local_swap_is_a_transposition():
    c = collate(doc("We will go north and then south."), doc("We will go south and then north."))
    assert [v.kind for v in c.variants] == [Kind.TRANSPOSITION]


@given(st.text(max_size=200), st.text(max_size=200))
@settings(max_examples=150)
def test_any_two_texts(x, y):
    c = collate(doc(x, "a"), doc(y, "b"))
    check_spans(c)
    assert c.identical == (not c.variants and not c.layout)
    render_html(c)
    if x == y:
        assert c.identical


PHRASES = st.lists(st.sampled_from("a b c the of , . ; The A".split()), max_size=40).map(" ".join)


@given(PHRASES, PHRASES)
@settings(max_examples=150)
@example("c c c A a a a b a a a a a a a a a a a", "b a a b a b")
@example("a a A b a a a a a b", "a b A b a")
def test_repetitive_texts(x, y):
    check_spans(collate(doc(x, "a"), doc(y, "b")))


# ---------------------------------------------------------------- generated documents

SYLLABLES = ["ka", "lo", "mi", "ne", "pu", "ra", "si", "to", "vu", "ze", "bo", "de", "fi", "gu", "ha"]


def word(i):
    out = ""
    for _ in range(3):
        out += SYLLABLES[i % len(SYLLABLES)]
        i //= len(SYLLABLES)
    return out


def render(paragraphs):
    return "\n\n".join(" ".join(p) for p in paragraphs)


@st.composite
def documents(draw, min_len=12, max_len=16):
    """Paragraphs of sentences whose words are all different (so that every edit has one reading)."""
    shape = draw(st.lists(st.integers(2, 4), min_size=3, max_size=5))
    sizes = [draw(st.integers(min_len, max_len)) for _ in range(sum(shape))]
    seed = draw(st.integers(0, 2**32 - 1))
    ids = iter(random.Random(seed).sample(range(len(SYLLABLES) ** 3), sum(sizes)))
    sentences = []
    for n in sizes:
        ws = [word(next(ids)) for _ in range(n)]
        ws[0] = ws[0].capitalize()
        sentences.append(" ".join(ws) + ".")
    paragraphs, k = [], 0
    for m in shape:
        paragraphs.append(sentences[k : k + m])
        k += m
    return paragraphs


@given(documents(), st.data())
@settings(max_examples=60)
def test_generated_dropped_sentence(paragraphs, data):
    p = data.draw(st.integers(0, len(paragraphs) - 1))
    s = data.draw(st.integers(0, len(paragraphs[p]) - 1))
    edited = [list(x) for x in paragraphs]
    dropped = edited[p].pop(s)
    edited = [x for x in edited if x]
    c = collate(doc(render(paragraphs)), doc(render(edited)))
    assert kinds(c) == [("omission", dropped, "")]
    assert c.variants[0].unit == ("paragraph" if len(paragraphs[p]) == 1 else "sentence")
    assert not c.layout
    check_spans(c)


@given(documents(), st.data())
@settings(max_examples=60)
def test_generated_moved_sentence(paragraphs, data):
    flat = [(p, s) for p, para in enumerate(paragraphs) for s in range(len(para))]
    src = data.draw(st.sampled_from(flat))
    edited = [list(x) for x in paragraphs]
    moved = edited[src[0]].pop(src[1])
    dst_p = data.draw(st.integers(0, len(edited) - 1))
    dst_s = data.draw(st.integers(0, len(edited[dst_p])))
    edited[dst_p].insert(dst_s, moved)
    edited = [x for x in edited if x]
    c = collate(doc(render(paragraphs)), doc(render(edited)))
    check_spans(c)
    if sum(edited, []) == sum(paragraphs, []):
        # the same sentences in the same order: at most the paragraphing changed
        assert not c.variants and bool(c.layout) == (edited != paragraphs)
        return
    # one move, whichever side of it the diff kept in place
    assert len(c.variants) == 1
    (v,) = c.variants
    assert v.kind is Kind.TRANSPOSITION and v.moved and not v.inner
    assert v.source_text == v.quote_text
    assert v.source_text.count(".") >= 1


@given(documents(), st.data())
@settings(max_examples=40)
def test_generated_split_paragraph(paragraphs, data):
    splittable = [p for p, para in enumerate(paragraphs) if len(para) > 1]
    p = data.draw(st.sampled_from(splittable))
    k = data.draw(st.integers(1, len(paragraphs[p]) - 1))
    edited = paragraphs[:p] + [paragraphs[p][:k], paragraphs[p][k:]] + paragraphs[p + 1 :]
    c = collate(doc(render(paragraphs)), doc(render(edited)))
    assert not c.variants
    assert [(x.change, x.base_paragraphs, x.other_paragraphs) for x in c.layout] == [("split", (p,), (p, p + 1))]
    # and the other way round it is a merge
    back = collate(doc(render(edited)), doc(render(paragraphs)))
    assert [(x.change, x.base_paragraphs, x.other_paragraphs) for x in back.layout] == [("merged", (p, p + 1), (p,))]


@given(documents(min_len=4, max_len=9), st.data())
@settings(max_examples=40)
def test_generated_word_substitution(paragraphs, data):
    flat = [(p, s) for p, para in enumerate(paragraphs) for s in range(len(para))]
    p, s = data.draw(st.sampled_from(flat))
    ws = paragraphs[p][s].split()
    i = data.draw(st.integers(1, len(ws) - 2))
    old = ws[i]
    ws[i] = "zzyzx"
    edited = [list(x) for x in paragraphs]
    edited[p][s] = " ".join(ws)
    c = collate(doc(render(paragraphs)), doc(render(edited)))
    assert kinds(c) == [("substitution", old, "zzyzx")]


# ---------------------------------------------------------------- the word diff


def rebuild(ops, a, b):
    out = []
    for op in ops:
        out.extend(a[op.src[0] : op.src[1]] if op.op == "equal" else b[op.quo[0] : op.quo[1]])
    return out


KEYS = st.lists(st.sampled_from(list("abcdefgh") + ["x1", "x2", "x3", "x4", "x5", "x6"]), max_size=120)


@given(KEYS, KEYS, st.integers(0, 40))
@example(list("abcab"), list("cbacb"), 0)
def test_word_diff_tiles_and_rebuilds(a, b, limit):
    ops = word_diff(a, b, anchor_above=limit)
    assert rebuild(ops, a, b) == b
    assert [i for op in ops for i in range(*op.src)] == list(range(len(a)))
    assert [i for op in ops for i in range(*op.quo)] == list(range(len(b)))
    for op in ops:
        if op.op == "equal":
            assert a[op.src[0] : op.src[1]] == b[op.quo[0] : op.quo[1]]
    for x, y in zip(ops, ops[1:]):
        assert not (x.op == y.op) and not (x.op != "equal" and y.op != "equal")


TOKENS = st.lists(st.sampled_from(["a", "b", "c", "the", "of", ",", ".", ";", "x"]), max_size=60)


@given(TOKENS, TOKENS, st.integers(0, 30))
def test_words_first_diff_tiles_and_rebuilds(a, b, limit):
    is_word = lambda seq: [t.isalpha() for t in seq]  # noqa: E731
    ops = diff_words_first(a, b, is_word(a), is_word(b), anchor_above=limit)
    assert rebuild(ops, a, b) == b
    assert [i for op in ops for i in range(*op.src)] == list(range(len(a)))
    assert [i for op in ops for i in range(*op.quo)] == list(range(len(b)))
    # at least as many words kept as a diff of the words alone keeps; as many when it is exact
    wa, wb = [t for t in a if t.isalpha()], [t for t in b if t.isalpha()]
    kept = sum(1 for op in ops if op.op == "equal" for i in range(*op.src) if a[i].isalpha())
    alone = sum(op.src[1] - op.src[0] for op in word_diff(wa, wb, anchor_above=limit) if op.op == "equal")
    assert kept >= alone
    if limit >= len(a) + len(b):
        assert kept == alone


def test_words_first_lets_no_comma_decide():
    a = "There is also , I think , some".split()
    b = "There is , also , some".split()
    ops = diff_words_first(a, b, [t.isalpha() for t in a], [t.isalpha() for t in b])
    kept = [a[i] for op in ops if op.op == "equal" for i in range(*op.src)]
    assert [w for w in kept if w.isalpha()] == ["There", "is", "also", "some"]


def test_anchored_diff_keeps_nearly_all_of_the_common_words():
    if not DARWIN.is_file():
        pytest.skip("the Darwin data set is absent")
    sets = json.loads(DARWIN.read_text(encoding="utf-8"))[:12]
    a = [w for s in sets for x in s["witnesses"] if x["id"] == "1859" for w in x["content"].split()]
    b = [w for s in sets for x in s["witnesses"] if x["id"] == "1872" for w in x["content"].split()]
    plain = sum(op.src[1] - op.src[0] for op in word_diff(a, b, anchor_above=10**9) if op.op == "equal")
    anchored = sum(op.src[1] - op.src[0] for op in word_diff(a, b, anchor_above=200) if op.op == "equal")
    assert anchored >= 0.99 * plain


# ---------------------------------------------------------------- JSON, HTML and the command line


def test_json_shape(speech):
    j = collation_json(speech)
    assert j["base"].endswith("draft1.txt") and j["other"].endswith("draft2.txt")
    assert j["identical"] is False
    for v in j["variants"]:
        assert set(v) >= {"kind", "severity", "source_text", "quote_text", "base_span", "other_span"}
        assert speech.base.text[slice(*v["base_span"])] == v["source_text"]
        assert speech.other.text[slice(*v["other_span"])] == v["quote_text"]
    moved = [v for v in j["variants"] if v.get("moved")]
    assert moved and moved[0]["variants"][0]["kind"] == "insertion"
    assert {x["kind"] for x in j["layout"]} == {"paragraphing"}


def test_html_escapes_and_is_self_contained():
    a = doc('Say <script>alert("x")</script> & go.')
    b = doc('Say <script>alert("y")</script> & go.')
    page = render_html(collate(a, b))
    # the page's own script only, allowed by its hash; the texts' tags are escaped
    assert page.count("<script>") == 1 and "&lt;script&gt;" in page and "alert(" not in page.split("<script>")[1]
    assert "script-src &#39;sha256-" in page and "unsafe-inline" not in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    assert page.count('id="b-v1"') == 1 and page.count('id="o-v1"') == 1


def test_cli_exit_status_and_outputs(tmp_path):
    runner = CliRunner()
    d1, d2 = str(SPEECH / "draft1.txt"), str(SPEECH / "draft2.txt")
    r = runner.invoke(main, ["diff", d1, d1])
    assert r.exit_code == 0 and r.output == ""
    page = tmp_path / "diff.html"
    r = runner.invoke(main, ["diff", d1, d2, "--json", "--html", str(page)])
    assert r.exit_code == 1
    j = json.loads(r.output)
    assert set(j) >= {"base", "other", "variants", "layout"}
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not list(tmp_path.glob(".*.tmp"))
    r = runner.invoke(main, ["diff", d1, d2])
    assert r.exit_code == 1 and "transposition (major, sentence, moved)" in r.output


def test_cli_errors_are_one_line(tmp_path):
    runner = CliRunner()
    d1 = str(SPEECH / "draft1.txt")
    r = runner.invoke(main, ["diff", d1, str(tmp_path / "missing.txt")])
    assert r.exit_code == 2
    assert "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1
    assert "missing.txt" in r.output
    r = runner.invoke(main, ["diff", d1, d1, "--html", str(tmp_path / "no" / "such" / "dir.html")])
    assert r.exit_code == 2 and "dir.html" in r.output and "Traceback" not in r.output


# ---------------------------------------------------------------- what a reader expects


def test_shared_opening_words_are_paired():
    c = collate(
        doc("The cat sat on the mat and looked out of the window at the rain."),
        doc("The cat sat quietly while the dog barked loudly at every passing car."),
    )
    check_spans(c)
    assert [v.kind for v in c.variants] == [Kind.SUBSTITUTION]
    (v,) = c.variants
    assert v.source_text.startswith("on the mat") and v.quote_text.startswith("quietly")
    assert not {Kind.OMISSION, Kind.INSERTION} & {v.kind for v in c.variants}


def test_quote_marks_put_around_words_move_nothing():
    c = collate(doc("and then he said we would go home."), doc("and then \u201che said\u201d we would go home."))
    assert Kind.TRANSPOSITION not in [v.kind for v in c.variants]
    assert {v.kind for v in c.variants} == {Kind.PUNCTUATION}


def test_dash_for_comma_is_punctuation_not_a_move():
    c = collate(
        doc("we can not dedicate -- we can not consecrate -- this ground."),
        doc("we can not dedicate, we can not consecrate, this ground."),
    )
    assert kinds(c) == [("punctuation", "--", ","), ("punctuation", "--", ",")]


@pytest.mark.parametrize(
    "a, b, expected",
    [
        (
            "we met on the field of battle.",
            "we met, upon the field of battle.",
            [("punctuation", "", ","), ("substitution", "on", "upon")],
        ),
        (
            "it was cold, but we went out.",
            "it was cold; while we went out.",
            [("punctuation", ",", ";"), ("substitution", "but", "while")],
        ),
    ],
)
def test_punctuation_and_word_changes_apart(a, b, expected):
    c = collate(doc(a), doc(b))
    check_spans(c)
    assert kinds(c) == expected


def test_rewritten_passage_is_one_variant_with_its_shared_words():
    a = doc("It was late. The old mill by the river was closed in the spring of that year. We left.")
    b = doc("It was late. The old mill by the river burned down one cold night in December after a storm. We left.")
    c = collate(a, b)
    check_spans(c)
    (v,) = c.variants
    assert v.kind is Kind.SUBSTITUTION and v.rewritten
    assert (v.source_text, v.quote_text) == ("was closed in the spring of that year", "burned down one cold night in December after a storm")
    assert [(a.text[x[0] : x[1]], b.text[y[0] : y[1]]) for x, y in v.shared] == [("in", "in")]


def test_few_scattered_edits_stay_apart():
    c = collate(doc("We will go north and then we will turn south at noon."), doc("We shall go north and then we will turn west at noon."))
    assert kinds(c) == [("substitution", "will", "shall"), ("substitution", "south", "west")]


@pytest.mark.skipif(not DARWIN.exists(), reason="needs the shared Darwin data beside the repository")
def test_darwin_rewritten_paragraph_is_a_few_variants():
    sets = json.loads(DARWIN.read_text(encoding="utf-8"))
    w = {x["id"]: x["content"] for x in sets[3]["witnesses"]}
    c = collate(doc(w["1859"]), doc(w["1872"]))
    check_spans(c)
    rewritten = [v for v in c.variants if v.rewritten]
    assert rewritten and max(len(v.source_text.split()) for v in rewritten) > 100
    assert len(c.variants) < 30


# ---------------------------------------------------------------- two manuscript copies of the Gettysburg Address


@pytest.fixture(scope="module")
def gettysburg():
    a = read_document(FIXTURES / "gettysburg" / "nicolay.txt", role="source")
    b = read_document(FIXTURES / "gettysburg" / "bliss.txt", role="source")
    return collate(a, b)


def test_gettysburg_punctuation_apart_from_words(gettysburg):
    found = kinds(gettysburg)
    check_spans(gettysburg)
    assert ("punctuation", ",", "") in found and ("substitution", "upon", "on") in found
    assert ("punctuation", ";", ",") in found and ("substitution", "while", "but") in found
    assert ("punctuation", ",", "--") in found and ("punctuation", "--", ".") in found


def test_gettysburg_commas_added_move_nothing(gettysburg):
    # "of the people by the people for the people" -> "of the people, by the people, for the people"
    assert not [v for v in gettysburg.variants if v.kind is Kind.TRANSPOSITION and "by the people" in v.source_text]
    assert kinds(gettysburg)[-2:] == [("punctuation", "", ","), ("punctuation", "", ",")]


def test_gettysburg_rewritten_sentence(gettysburg):
    (v,) = [v for v in gettysburg.variants if v.rewritten]
    assert (v.source_text, v.quote_text) == (
        "This we may, in all propriety do",
        "It is altogether fitting and proper that we should do this",
    )


def test_word_differing_only_in_case_at_the_edge_of_a_change_is_apart():
    c = collate(doc("vitiated instincts; but how many cultivated plants"), doc("vitiated instincts. Many cultivated plants"))
    check_spans(c)
    assert kinds(c) == [("punctuation", ";", "."), ("omission", "but how", ""), ("case", "many", "Many")]
