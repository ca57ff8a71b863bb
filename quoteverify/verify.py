"""Verify: one quotation, and one article, against the indexed sources.

The engine's stages in order for one article: extract its quotations; for
each, locate the passage it renders, align them word by word and classify
the differences (every rule of judgment is :mod:`quoteverify.classify`'s);
then the article's coverage of each source. A batch of articles is taken a
stage at a time (:func:`check_documents`), with the same results. Driving
many articles (batches, processes, results written as they come) is the
run layer's.
"""

from __future__ import annotations

import dataclasses
import re
import weakref
from collections.abc import Sequence
from itertools import takewhile

from quoteverify import classify
from quoteverify.align import align
from quoteverify.attribute import Roster, credit_quotations
from quoteverify.cover import coverage
from quoteverify.errors import InputError
from quoteverify.extract import extract_quotations, quotation_segments
from quoteverify.locate import SHORT, SourceIndex, locate
from quoteverify.models import (
    Alignment,
    ArticleRef,
    ArticleResult,
    Credit,
    Document,
    Fragment,
    Quotation,
    QuoteResult,
    Segment,
    Token,
    Variant,
    Verdict,
    new_token,
)
from quoteverify.normalize import INVISIBLE, quotation_fragments
from quoteverify.speakers import passage_speaker

#: the end of a sentence or paragraph, which a passage is not extended across
_SENTENCE_BREAK = re.compile(r"[.!?\n]")
_INVISIBLE = re.compile("[" + "".join(sorted(INVISIBLE)) + "]")


def verify_quotation(
    quotation: Quotation, article_text: str, index: SourceIndex, credit: Credit | None = None
) -> QuoteResult:
    """Locate one quotation, align it against its passage, classify the differences, and judge its attribution.

    ``credit``: the person the article credits with it (:mod:`quoteverify.attribute`);
    without one, the quotation is credited to nobody.
    """
    credit = credit or Credit()
    roster = roster_of(index)
    if not classify.judged_against_sources(credit, bool(roster)):
        return QuoteResult(
            quotation, None, (), (), Verdict.UNVERIFIED, speaker=credit.speaker, reason=classify.OTHER_SPEAKER
        )
    result = _verify_words(quotation, article_text, index)
    source_speaker = None
    if result.location is not None:
        source_speaker = passage_speaker(index.sources[index.number(result.location.source)].doc, result.location)
    verdict, reason = classify.attributed_verdict(result.verdict, credit, source_speaker, sources_name_speakers=bool(roster))
    if verdict is Verdict.UNVERIFIED:
        # of another occasion: what the words resemble is no finding
        return QuoteResult(quotation, None, (), (), verdict, result.invisible, speaker=credit.speaker, reason=reason)
    return dataclasses.replace(
        result, verdict=verdict, reason=reason, speaker=credit.speaker, source_speaker=source_speaker
    )


_ROSTERS: weakref.WeakKeyDictionary[SourceIndex, Roster] = weakref.WeakKeyDictionary()


def roster_of(index: SourceIndex) -> Roster:
    """The people who speak in the indexed sources (worked out once per index)."""
    roster = _ROSTERS.get(index)
    if roster is None:
        roster = _ROSTERS[index] = Roster.of([s.doc for s in index.sources])
    return roster


def _verify_words(quotation: Quotation, article_text: str, index: SourceIndex) -> QuoteResult:
    """Locate one quotation, align it against its passage, and classify the differences of its words."""
    fragments = quotation_fragments(article_text, quotation.segments)
    invisible = 0
    if any(_INVISIBLE.search(article_text, s.start, s.end) for s in quotation.segments if s.kind == "text"):
        invisible = sum(1 for f in fragments for t in f if t.is_word for c in t.text if c in INVISIBLE)
    result = _verify(quotation, fragments, article_text, index)
    return dataclasses.replace(result, invisible=invisible) if invisible else result


def locate_quotation(text: str, sources: SourceIndex | Sequence[Document]) -> QuoteResult:
    """Verify a quotation given as its words alone (no quote marks), exactly as given, against sources.

    Marked elisions and bracketed interpolations inside it count as such;
    quote marks inside it are words of the quotation, not its end.
    ``sources``: the documents, or their index when it is already built.
    """
    index = sources if isinstance(sources, SourceIndex) else SourceIndex(sources)
    span = (0, len(text))
    return verify_quotation(Quotation(text, (span,), quotation_segments(text, (span,))), text, index)


def _verify(quotation: Quotation, fragments: tuple[tuple[Token, ...], ...], article_text: str, index: SourceIndex) -> QuoteResult:
    location = locate(quotation, fragments, index)
    if location is None:
        return QuoteResult(quotation, None, (), (), Verdict.UNVERIFIED)
    src_no = index.number(location.source)
    source = index.sources[src_no].doc
    alignments = []
    variants: list[Variant] = []
    placed: list[Fragment] = []
    for number, frag in enumerate(location.fragments):
        al = align(_passage_tokens(index, src_no, frag, fragments[frag.index], quotation, article_text), fragments[frag.index])
        al, frag = _over_differing_edges(index, src_no, frag, al)
        alignments.append(al)
        placed.append(frag)
        variants.extend(classify.classify_alignment(al, source.text, article_text, fragment=number, language=source.language))
    if placed != list(location.fragments):
        span = (min(location.span[0], *(f.source_span[0] for f in placed)), max(location.span[1], *(f.source_span[1] for f in placed)))
        location = dataclasses.replace(location, span=span, fragments=tuple(placed))
    variants.extend(classify.not_found_variants(fragments, {f.index for f in location.fragments}, article_text))
    if len(location.fragments) > 1:
        markers = _inner_markers(quotation.segments)
        variants.extend(classify.elision_variants(location, markers, source.text, article_text, source.language))
    variants.sort(key=lambda v: (v.quote_span or (v.source_span or (0, 0)))[0])
    if not _more_words_than(fragments, SHORT):
        short = classify.judge_short(alignments, variants, source.language)
        if short is None:
            return QuoteResult(quotation, None, (), (), Verdict.UNVERIFIED)
        variants = short
    return QuoteResult(quotation, location, tuple(alignments), tuple(variants), classify.verdict(variants, True))


#: the most quoted words at an edge of a fragment that the passage is extended over
EDGE_WORDS = 3
#: how far (characters) to look beyond a passage's edge for the source words it would take in
_EDGE_REACH = 200


def _over_differing_edges(index: SourceIndex, source: int, frag: Fragment, al: Alignment) -> tuple[Alignment, Fragment]:
    """Extend a located passage over source words that the quotation replaced at its first or last words.

    The passage a quotation was located at stops at the last source word it
    matched, so "the war will end in defeat" for "... in victory" aligns as
    the insertion of "defeat". When the quotation has up to
    :data:`EDGE_WORDS` unmatched words at an edge, the passage is tried
    over as many source words beyond that edge or fewer, or one more (one
    quoted word may write two: "We're" for "We are"), never across the end of
    a sentence; the alignment that changes the fewest words
    (:func:`classify.changed_words`) is kept; on a tie an extended passage
    (the narrowest), as a reader sees a word in place of the source's word,
    not a word added beside it. A partial quotation
    does not pay for source words it does not quote: taking in a word it
    does not replace changes more words, and is not kept.
    """
    ops = al.ops
    if not ops or (ops[0].op != "insert" and ops[-1].op != "insert"):
        return al, frag
    text = index.sources[source].doc.text
    a, b = frag.source_span
    starts, ends = [a], [b]
    if ops[0].op == "insert":
        k = _words_in(al.quote_tokens[ops[0].quo[0] : ops[0].quo[1]])
        before = [t for t in index.tokens_in(source, (max(0, a - _EDGE_REACH), a)) if t.is_word] if 0 < k <= EDGE_WORDS else []
        starts += [before[-j].start for j in range(k + 1, 0, -1) if j <= len(before) and not _SENTENCE_BREAK.search(text, before[-j].start, a)]
    if len(ops) > 1 and ops[-1].op == "insert":
        k = _words_in(al.quote_tokens[ops[-1].quo[0] : ops[-1].quo[1]])
        beyond = index.tokens_in(source, (b, min(len(text), b + _EDGE_REACH))) if 0 < k <= EDGE_WORDS else ()
        after = [i for i, t in enumerate(beyond) if t.is_word]
        closing = [t.norm for t in takewhile(lambda t: not t.is_word, reversed(al.quote_tokens))][::-1]  # the quotation's closing punctuation
        for j in range(1, k + 2):
            if j <= len(after) and not _SENTENCE_BREAK.search(text, b, beyond[after[j - 1]].end):
                end = after[j - 1]
                # the punctuation after the words, as far as the quotation's closing punctuation has it
                while end + 1 < len(beyond) and end + 1 - after[j - 1] <= len(closing) and beyond[end + 1].norm == closing[end - after[j - 1]]:
                    end += 1
                ends.append(beyond[end].end)
    # fewest words changed; on a tie an extended passage, the narrowest
    language = index.sources[source].doc.language
    tried = [(classify.changed_words(al, language), True, b - a, (a, b), al)]
    for a2 in starts:
        for b2 in ends:
            if (a2, b2) != (a, b):
                wider = align(index.tokens_in(source, (a2, b2)), al.quote_tokens)
                tried.append((classify.changed_words(wider, language), False, b2 - a2, (a2, b2), wider))
    _, _, _, span, best = min(tried, key=lambda t: t[:3])
    if best is al:
        return al, frag
    return best, dataclasses.replace(frag, source_span=span)


def _words_in(tokens: Sequence[Token]) -> int:
    """The words of a run of quotation tokens; a bracketed interpolation stands for words too."""
    return sum(1 for t in tokens if t.is_word or t.editorial)


def _passage_tokens(index: SourceIndex, source: int, frag: Fragment, tokens: tuple[Token, ...], quotation: Quotation, article_text: str) -> tuple[Token, ...]:
    """The tokens of the passage a fragment was located at (:meth:`SourceIndex.tokens_in`).

    When the passage is, character for character, the text of a fragment
    that lies in one run of quoted words, the same text is cut into the
    same tokens: the fragment's own are moved to the passage.
    """
    a, b = frag.source_span
    q0, q1 = frag.quote_span
    if b - a == q1 - q0 and any(s.kind == "text" and s.start <= q0 and q1 <= s.end for s in quotation.segments):
        if index.sources[source].doc.text[a:b] == article_text[q0:q1]:
            d = a - q0
            # the fields unpacked, not read by name (the 2,332 passages of the 10 MB case moved so: 41 -> 34 ms)
            new = new_token
            return tuple([new(Token, (text, norm, start + d, end + d, word, False)) for text, norm, start, end, word, _ in tokens])
    return index.tokens_in(source, frag.source_span)


def _more_words_than(fragments: tuple[tuple[Token, ...], ...], n: int) -> bool:
    """Whether the fragments hold more than ``n`` words (counted only as far as needed)."""
    for f in fragments:
        for t in f:
            if t.is_word:
                n -= 1
                if n < 0:
                    return True
    return False


def _inner_markers(segments: Sequence[Segment]) -> list[tuple[int, int]]:
    """Elision markers that stand between two fragments (not at the very start or end)."""
    inner = []
    for m in segments:
        if m.kind != "elision":
            continue
        before = any(s.kind != "elision" and s.end <= m.start for s in segments)
        after = any(s.kind != "elision" and s.start >= m.end for s in segments)
        if before and after:
            inner.append((m.start, m.end))
    return inner


def check_article(article: Document, index: SourceIndex) -> ArticleResult:
    """Every quotation of one article, verified against the indexed sources."""
    return check_documents([article], index)[0]


def check_documents(articles: Sequence[Document], index: SourceIndex) -> list[ArticleResult]:
    """:func:`check_article` of each of ``articles``, in their order, done a stage at a time.

    The quotations of every article are found, then credited, then
    verified, then their coverage worked out: the same results as one
    article after the other, each stage's code and tables still in the
    processor's caches for the next article. The 2,000 articles of the
    10 MB case, 16 at a time, took 0.45-0.51 s outside ``verify_quotation``
    instead of 0.52-0.66 s, and about as long inside it (wall, four runs of
    each alternated in one process).
    """
    roster = roster_of(index)
    found = [extract_quotations(a) for a in articles]
    credits = [credit_quotations(a, quotations, roster) for a, quotations in zip(articles, found)]
    verified = [
        tuple([verify_quotation(q, a.text, index, c) for q, c in zip(quotations, cs)])
        for a, quotations, cs in zip(articles, found, credits)
    ]
    return [ArticleResult(a, quotes, coverage(quotes, index), ()) for a, quotes in zip(articles, verified)]


def failed_article(ref: ArticleRef, error: InputError) -> ArticleResult:
    """The result of an article that could not be read: an error entry, no quotations."""
    doc = Document(id=ref.id, text="", path=ref.path, outlet=ref.outlet, date=ref.date, url=ref.url)
    return ArticleResult(doc, (), (), (str(error),))
