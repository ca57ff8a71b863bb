"""The word-level diff view: its helpers, and the HTML it writes."""

from __future__ import annotations

import html
import re
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from quoteverify.render.diffview import PBREAK, Tag, _DiffBuilder, change_close, change_open, one_line
from quoteverify.models import Kind, Variant
from report_fixtures import hostile_case, sample_result

#: every kind of whitespace, and text around it
TEXTS = st.text(alphabet=st.sampled_from(list("ab \t\n\r\x0b\x0c\x1c\x85\u00a0\u2028\u2029\u3000\u200b\u00e9")), max_size=20) | st.text(max_size=20)


@given(TEXTS)
def test_one_line_is_every_whitespace_run_made_one_space_and_stripped(text: str) -> None:
    # the fast path for a text that is one line already, held to the general one
    assert one_line(text) == re.sub(r"\s+", " ", text).strip()


def test_a_change_reads_its_tags() -> None:
    tags = (Tag("case", "minor", "q1-v1"), Tag("elision", "major", "q1-v2"))
    assert change_open(tags) == '<span class="chg sev-major" data-kind="case elision" data-nav="variant" tabindex="-1">'
    assert change_close(tags) == (
        '<span class="tag sev-minor">case \u00b7 minor</span><span class="tag sev-major">elision \u00b7 major</span></span>'
    )
    assert change_open((Tag("none", "none"),)) == '<span class="chg sev-none" data-kind="none">'
    assert change_close((Tag("none", "none"),)) == "</span>"


def _words_of(runs: list[str]) -> str:
    """The words of HTML runs of a diff as the reader sees them: the labels of changes dropped, a paragraph break a space."""
    text = "".join(" " if run is PBREAK else run for run in runs)
    text = re.sub(r'<span class="tag [^"]*">[^<]*</span>', "", text)
    return one_line(html.unescape(re.sub(r"<[^>]*>", "", text)))


def _located(*, step_variants: bool = False) -> list[_DiffBuilder]:
    """A builder for each located quotation of the sample cases; with ``step_variants``, each
    also read a homoglyph from the first equal step of each of its fragments."""
    builders = []
    for case in (sample_result(), hostile_case()):
        sources = {s.document.id: s.document for s in case.sources}
        for a in case.articles:
            for q in a.quotes:
                if q.location is not None and q.location.source in sources:
                    if step_variants:
                        read = tuple(
                            Variant(Kind.HOMOGLYPH, "o", "\u043e", fragment=i, ops=(n,))
                            for i, al in enumerate(q.alignment)
                            for n in [next((n for n, op in enumerate(al.ops) if op.op == "equal"), None)]
                            if n is not None
                        )
                        q = replace(q, variants=q.variants + read)
                    refs = [f"v{k}" for k in range(len(q.variants))]
                    builders.append(_DiffBuilder(q, a.article, sources[q.location.source], refs))
    return builders


def test_the_quoted_words_of_a_note_are_those_of_the_quotation_side() -> None:
    # the note's words are read from the article text; the diff's quotation side writes the same
    # words as HTML runs: between any two word boundaries of a quotation, they must agree
    builders = _located()
    assert any(len(b.spans) > 1 for b in builders) and any(b.segments for b in builders)
    for b in builders:
        bounds = sorted({t.start for al in b.q.alignment for t in al.quote_tokens} | {t.end for al in b.q.alignment for t in al.quote_tokens})
        for lo in bounds:
            for hi in bounds:
                assert b._quoted_words(lo, hi) == _words_of(b.quote_region(lo, hi)), (lo, hi)


_CARET = re.compile(r'<span class="caret"[^>]*>\u2038</span><span class="sr">\[words differ here\]</span>')
_SPOKEN = re.compile(r"\[(?:missing from the quotation|added by the quotation|cut at the ellipsis): ([^\]]*)\]")


def test_the_source_side_of_a_quotation_in_one_fragment_is_its_source_passage() -> None:
    # every word of the passage is written once on the source side: as it is, struck, or flagged
    checked = 0
    for b in _located():
        loc = b.q.location
        assert loc is not None
        if len(loc.fragments) != 1:
            continue
        b.build()
        shown = _SPOKEN.sub(r"\1", _words_of([_CARET.sub("", run) for run in b.sside]))
        s0, s1 = loc.fragments[0].source_span
        assert one_line(shown) == one_line(b.stext[s0:s1])
        checked += 1
    assert checked


def test_the_words_an_equal_step_marks_are_those_each_word_asked_alone_would_mark() -> None:
    # the steps are looked up once each, and not at all when no variant can tag them: the
    # answer must be the one each word gets asked for by its own spans
    shortcut = looked_up = 0
    for b in _located() + _located(step_variants=True):
        for i, al in enumerate(b.q.alignment):
            for n, op in enumerate(al.ops):
                qt = al.quote_tokens[op.quo[0] : op.quo[1]]
                st_ = al.source_tokens[op.src[0] : op.src[1]]
                if op.op != "equal" or not qt or len(qt) != len(st_):
                    continue
                if not b.tags.between and (i, n) not in b.tags.by_op:
                    shortcut += 1
                else:
                    looked_up += 1
                expected = {}
                for k, (a, s) in enumerate(zip(qt, st_)):
                    tags = b._shown(b.tags.of_step(i, n, (a.start, a.end), (s.start, s.end), weak=False))
                    if tags:
                        expected[k] = tags
                    elif a.norm != s.norm:
                        expected[k] = (Tag("none", "none"),)
                assert b._flagged(i, n, qt, st_) == expected
    assert shortcut and looked_up


def test_the_quotation_side_drawn_alone_is_the_one_drawn_with_the_others() -> None:
    # a verbatim quotation's diff draws its quotation side alone, and keeps the changes of a note only
    # when one is written: each quotation's sides, held to those of the builder that draws all three
    for step_variants in (False, True):
        for b in _located(step_variants=step_variants):
            alone = _DiffBuilder(b.q, _Article(b.atext), _Source(b.stext), b.refs, quote_only=True)
            _, quote_side, _ = alone.build()
            whole = b.build()
            assert "".join(quote_side) == "".join(whole[1])
            assert alone.changes == []
            unnoted = _DiffBuilder(b.q, _Article(b.atext), _Source(b.stext), b.refs, noting=False).build()
            assert ["".join(side) for side in unnoted] == ["".join(side) for side in whole]


def test_a_verbatim_quotation_without_variants_is_drawn_as_printed() -> None:
    from quoteverify.models import Verdict
    from quoteverify.render.diffview import quote_diff

    found = 0
    for b in _located():
        if b.q.verdict is Verdict.VERBATIM and not b.q.variants:
            found += 1
            d = quote_diff(b.q, _Article(b.atext), _Source(b.stext), b.refs, "outlet", "source")
            assert (d.inline, d.source_side, d.note) == ("", "", "")
            assert d.quote_side == "".join(b.build()[1])
    assert found


class _Article:
    """What a diff reads of an article: its text."""

    def __init__(self, text: str) -> None:
        self.text = text


_Source = _Article
