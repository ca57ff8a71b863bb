"""locate: finding the passage a quotation renders, or deciding it renders none."""

import random

from hypothesis import given, settings
from profiles import examples
from hypothesis import strategies as st

from quoteverify.locate import SourceIndex, locate
from quoteverify.models import Document, Paragraph, Quotation, Segment
from quoteverify.normalize import quotation_fragments

VOCAB = (
    "river stone garden market window silver letter morning harbour castle engine forest bridge candle "
    "doctor planet orange pencil rocket saddle tunnel valley wagon yellow zebra anchor basket cotton "
    "dinner falcon the of and to in a"
).split()


def source(text, id="src"):
    return Document(id=id, text=text, paragraphs=(Paragraph(0, 0, len(text)),))


def quotation(text):
    """A quotation of the whole of ``text`` with '...' as elisions and [..] as interpolations."""
    import re

    segs = []
    for m in re.finditer(r"\.\.\.|\[[^\]]*\]|[^.\[]+", text):
        s = m.group()
        if not s.strip():
            continue
        kind = "elision" if s == "..." else "interpolation" if s.startswith("[") else "text"
        a = m.start() + len(s) - len(s.lstrip())
        b = m.end() - (len(s) - len(s.rstrip()))
        segs.append(Segment(kind, a, b))
    return Quotation(text, ((0, len(text)),), tuple(segs))


def find(text, index, **options):
    q = quotation(text)
    return locate(q, quotation_fragments(text, q.segments), index, **options)


def random_text(seed, n):
    rng = random.Random(seed)
    return " ".join(rng.choice(VOCAB) for _ in range(n)) + "."


def test_exact_and_fuzzy_passages():
    text = random_text(1, 400)
    idx = SourceIndex([source(text)])
    words = text.split()
    passage = " ".join(words[100:120])
    loc = find(passage, idx)
    assert loc is not None and text[loc.span[0] : loc.span[1]] == passage
    edited = words[100:120]
    edited[7] = "zeppelin"
    del edited[12]
    loc = find(" ".join(edited), idx)
    assert loc is not None and text[loc.span[0] : loc.span[1]] == passage


def test_unrelated_quotation_is_not_located():
    idx = SourceIndex([source(random_text(2, 300))])
    assert find("Here is the bottom line, nobody is going anywhere today", idx) is None


def test_short_quotations_only_exact():
    idx = SourceIndex([source("the silver river runs past the castle")])
    assert find("silver river", idx) is not None
    assert find("golden river", idx) is None
    assert find("castle", idx) is not None


def test_fragments_located_one_by_one_in_any_source():
    a = random_text(3, 300)
    b = random_text(4, 300)
    idx = SourceIndex([source(a, "a"), source(b, "b")])
    wb = b.split()
    q = " ".join(wb[10:18]) + " ... " + " ".join(wb[200:210])
    loc = find(q, idx)
    assert loc is not None and loc.source == "b"
    assert [f.index for f in loc.fragments] == [0, 1]
    assert b[loc.fragments[1].source_span[0] : loc.fragments[1].source_span[1]] == " ".join(wb[200:210])


def test_omission_without_ellipsis_keeps_the_cut_inside_the_passage():
    text = "We will be moving the forces over the course of the coming days and weeks to prepare for the next move."
    idx = SourceIndex([source(text)])
    loc = find("moving the forces to prepare for the next move", idx)
    assert loc is not None and text[loc.span[0] : loc.span[1]] == "moving the forces over the course of the coming days and weeks to prepare for the next move"


@given(st.integers(0, 10_000), st.integers(0, 350), st.integers(8, 40))
@settings(max_examples=examples(60), deadline=None)
def test_every_exact_passage_is_found_where_it_is(seed, start, length):
    text = random_text(seed, 400)
    words = text.rstrip(".").split()
    passage = " ".join(words[start : start + length])
    idx = SourceIndex([source(text)])
    loc = find(passage, idx)
    assert loc is not None
    assert text[loc.span[0] : loc.span[1]] == passage
