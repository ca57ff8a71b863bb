"""cover: the share of each source paragraph an article's quotations reproduce."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from quoteverify import cover
from quoteverify.ingest import document_from_text
from quoteverify.locate import SourceIndex
from quoteverify.models import Document, Paragraph
from quoteverify.verify import check_article

SOURCE = "one two three four five six seven eight nine ten.\n\nalpha beta gamma delta epsilon zeta eta theta.\n"


def run(article_text, sources):
    idx = SourceIndex(sources)
    return check_article(document_from_text(article_text, id="a"), idx)


def test_fractions_per_paragraph():
    src = document_from_text(SOURCE, id="s", role="source")
    res = run('She said "three four five six seven" and "Alpha beta gamma delta epsilon zeta eta theta."', [src])
    (c,) = res.coverage
    assert c.source == "s"
    assert [p.quoted for p in c.paragraphs] == [0.5, 1.0]  # a capital at the edge still counts


def test_omitted_and_substituted_words_are_not_reproduced():
    src = document_from_text(SOURCE, id="s", role="source")
    res = run('She said "one two three six seven eight zebra ten"', [src])
    assert res.coverage[0].paragraphs[0].quoted == 0.7  # 'four', 'five' dropped, 'nine' replaced
    # two quotations of one paragraph: each word counts once
    res = run('She said "one two three six seven eight zebra ten" and "three four five six seven"', [src])
    assert res.coverage[0].paragraphs[0].quoted == 0.9


def test_large_archives_list_only_the_sources_quoted():
    srcs = [document_from_text(f"source {i} says word{i}a word{i}b word{i}c word{i}d.\n", id=f"s{i}", role="source") for i in range(cover.ALL_SOURCES + 1)]
    res = run('He said "word7a word7b word7c word7d"', srcs)
    assert [c.source for c in res.coverage] == ["s7"]
    res = run('He said "word7a word7b word7c word7d"', srcs[: cover.ALL_SOURCES])
    assert len(res.coverage) == cover.ALL_SOURCES


@settings(max_examples=300)
@given(
    st.lists(st.tuples(st.integers(0, 6), st.integers(1, 12)), min_size=1, max_size=12),
    st.lists(st.integers(0, 150), max_size=40),
    st.lists(st.integers(0, 150), max_size=60),
)
def test_quoted_paragraphs_are_the_scored_ones_of_every_paragraph(layout, covered, words):
    """Looking only at the paragraphs that hold a covered word gives what scoring all of them and keeping those gives."""
    paragraphs, at = [], 0
    for n, (gap, length) in enumerate(layout):
        paragraphs.append(Paragraph(n, at + gap, at + gap + length))
        at += gap + length
    doc = Document(id="s", text="x" * at, paragraphs=tuple(paragraphs))
    starts = np.array(sorted(set(words)))
    counts = cover.paragraph_words(paragraphs, starts)
    every = cover._every_paragraph(doc, sorted(set(covered)), counts)
    scored = [
        p
        for p, para in zip(every, paragraphs)
        if any(para.start <= w < para.end for w in covered)
    ]
    firsts = [p.start for p in paragraphs]
    assert list(cover._quoted_paragraphs(doc, sorted(set(covered)), firsts, counts)) == scored


@given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=30))
def test_shares_remembered_are_shares_worked_out_again(pairs):
    """A share looked up among those already worked out is the one working it out again gives."""
    for got, words in pairs + pairs:  # each pair twice: the second from the memo
        assert repr(cover._share(got, words)) == repr(round(got / words, 4) if words else 0.0)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "A", "z", "Z", "0", "o", "O", "l", "1", "I", "-", "\u0430", "\u0410", "\u03bf", "\u0131", "\u00df", "S", "s", "\u017f", "\u212a", "k"]), max_size=6),
       st.lists(st.sampled_from(["a", "A", "z", "Z", "0", "o", "O", "l", "1", "I", "-", "\u0430", "\u0410", "\u03bf", "\u0131", "\u00df", "S", "s", "\u017f", "\u212a", "k"]), max_size=6))
def test_two_words_share_a_key_when_their_keys_are_equal(a, b):
    """Two tokens' keys compared without the skeleton's look-up for ASCII words are equal exactly when their keys are."""
    from quoteverify.models import Token

    x, y = Token("".join(a), "".join(a), 0, 1, True), Token("".join(b), "".join(b), 0, 1, True)
    assert cover._same_key(x, y) == (x.key == y.key)
    assert cover._same_key(x, x)


@given(st.lists(st.integers(0, 200), max_size=60), st.lists(st.tuples(st.integers(0, 200), st.integers(0, 40)), max_size=12))
def test_paragraph_words_are_the_word_starts_each_paragraph_holds(words, bounds):
    """Each paragraph's count of words is the number of word starts within it; its start is its own."""
    starts = np.array(sorted(words), dtype=np.int64)
    paragraphs = [Paragraph(k, a, a + n) for k, (a, n) in enumerate(bounds)]
    assert cover.paragraph_words(paragraphs, starts) == [sum(p.start <= w < p.end for w in words) for p in paragraphs]
    assert cover._starts_and_words(paragraphs, starts)[0] == [p.start for p in paragraphs]


def _reproduced_plainly(quote) -> frozenset[int]:
    """:func:`cover.reproduced_words` as its rule reads, each token's fields by name."""
    minor = [v.source_span for v in quote.variants if v.kind in cover._REPRODUCED and v.source_span]
    starts: set[int] = set()
    for al in quote.alignment:
        for op in al.ops:
            src = [t for t in al.source_tokens[op.src[0] : op.src[1]] if t.is_word]
            if op.op == "equal":
                starts.update(t.start for t in src)
            elif op.op == "replace":
                quo = [t for t in al.quote_tokens[op.quo[0] : op.quo[1]] if t.is_word]
                if len(src) == len(quo):
                    starts.update(s.start for s, q in zip(src, quo) if s.key == q.key)
        starts.update(t.start for s, e in minor for t in al.source_tokens if t.is_word and s <= t.start and t.end <= e)
    return frozenset(starts)


def test_reproduced_words_are_those_the_rule_names():
    """The words the tokens' fields read by position give are those read by name, on every quotation of the seed case."""
    from pathlib import Path

    from quoteverify.run.calls import check

    result = check(Path(__file__).resolve().parent.parent / "corpus" / "seely-letter")
    located = [q for a in result.articles for q in a.quotes if q.location is not None]
    assert located
    for q in located:
        assert cover.reproduced_words(q) == _reproduced_plainly(q)


def _coverage_plainly(quotes, index):
    """:func:`cover.coverage` with each source's words gathered in a set and sorted, every source scored afresh."""
    covered: dict[str, set[int]] = {}
    for q in quotes:
        if q.location is not None:
            covered.setdefault(q.location.source, set()).update(_reproduced_plainly(q))
    out = []
    for no, doc in enumerate(index.documents):
        if len(index.documents) > cover.ALL_SOURCES and doc.id not in covered:
            continue
        words = cover.paragraph_words(doc.paragraphs, index.word_starts(no))
        every = cover._every_paragraph(doc, sorted(covered.get(doc.id, ())), words)
        if len(index.documents) > cover.ALL_SOURCES:
            starts = sorted(covered[doc.id])
            every = tuple(p for p, para in zip(every, doc.paragraphs) if any(para.start <= w < para.end for w in starts))
        out.append(cover.Coverage(doc.id, every))
    return tuple(out)


def test_coverage_is_that_of_every_quotations_words_in_a_set(monkeypatch):
    """Words gathered in a list, sorted only where two alignments or a minor variant may repeat them, score as a set of them does.

    Every article of the seed case, its quotations together, each quoted
    twice (one source quoted by several alignments), and each alone, as it
    is and with its alignments in reverse order, with and without a minor
    variant over its passage; with every source listed and with only those quoted.
    """
    from pathlib import Path

    from quoteverify.ingest import load_case
    from quoteverify.locate import case_index

    case = load_case(Path(__file__).resolve().parent.parent / "corpus" / "seely-letter")
    index = case_index([s.document for s in case.sources], None)
    results = [check_article(document_from_text(Path(case.root, a.path).read_text(encoding="utf-8"), id=a.id), index) for a in case.articles]
    located = [q for r in results for q in r.quotes if q.location is not None]
    assert any(len(q.alignment) > 1 for q in located) and len({q.location.source for q in located}) < len(located)
    for every_source in (True, False):
        monkeypatch.setattr(cover, "ALL_SOURCES", 10**6 if every_source else 0)
        for r in results:
            for quotes in [r.quotes, r.quotes + r.quotes[::-1], *[(q,) for q in r.quotes], *[(_turned(q, minor),) for q in r.quotes for minor in (False, True)]]:
                assert cover.coverage(quotes, index) == _coverage_plainly(quotes, index)


def _turned(q, minor: bool):
    """A located quotation with its alignments in reverse order, and if ``minor`` a minor variant over its whole passage (words it reproduces twice)."""
    from dataclasses import replace

    from quoteverify.models import Kind, Variant

    if q.location is None:
        return q
    over = (Variant(Kind.SPELLING, "", "", q.location.span),) if minor else ()
    return replace(q, alignment=q.alignment[::-1], variants=(*q.variants, *over))
