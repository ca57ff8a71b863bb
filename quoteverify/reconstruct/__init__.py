"""Reconstruct: rebuild a canonical text from partial witnesses, with a critical apparatus.

A document (a letter, a statement) is known only from the articles that quote
it: each quotation is a witness of a stretch of it. The stretches overlap in
places, and where they overlap they may disagree. This package puts all the
witnesses into one multiple alignment, on one base sequence of tokens:

- with a source (a case): the base is the source's tokens, and each quotation
  is placed where the pipeline located it, with the word alignment the
  pipeline made (:func:`reconstruct_check`);
- without one: the base grows from the longest quotation; every other
  quotation is aligned onto it with :func:`~quoteverify.align.diff_sequences`
  (words first, see :func:`~quoteverify.align.diff_words_first`)
  where it overlaps it, and extends it where it runs past its ends
  (:func:`reconstruct_articles`, :func:`reconstruct_witnesses`).

At every place where the witnesses that cover it disagree, the apparatus
lists each reading with the witnesses (articles) that support it, and the
text takes the reading of the majority of the witnesses covering the place.
A marked elision is no reading (the words it stands for are not covered); a
bracketed interpolation is never part of the text; differences at the very
edges of a quotation (a lower-case first letter, punctuation taken inside the
closing mark) are no readings, by the rule a quotation check applies
(:func:`~quoteverify.classify.no_variant_at_partial_edge`). An article counts once at a place: when two of
its quotations cover it, its vote goes to its longest one there, and its other
reading is listed without a vote. A tie is shown as a tie and broken by
:data:`TIE_RULE`.

Stretches of the base that no witness covers are lacunae, shown as
:data:`LACUNA`.

Each quotation fragment (or whole text) a witness gives is an *excerpt*
(:class:`WitnessText`). The package, by concern:

- :mod:`.models`: the excerpts and the results;
- :mod:`.place`: an excerpt's alignment on the base turned into what it
  reads there, the edges of a partial quotation trimmed;
- :mod:`.grow`: a base grown from overlapping excerpts without a source, and
  the multiple alignment of whole texts;
- :mod:`.vote`: places, readings, the majority vote, the text, its
  apparatus and columns;
- this module: the entry points.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from quoteverify.errors import InputError
from quoteverify.models import Alignment, AlignOp, CheckResult, Document, Quotation, Span, Token
from quoteverify.normalize import quotation_fragments, tokenize
from quoteverify.reconstruct.models import (
    ApparatusEntry,
    Column,
    Comparison,
    Difference,
    Reconstruction,
    Stretch,
    Witness,
    WitnessText,
)
from quoteverify.reconstruct.vote import LACUNA, TIE_RULE, build_reconstruction

if TYPE_CHECKING:
    from quoteverify.reconstruct.grow import MIN_OVERLAP_SHARE, MIN_OVERLAP_WORDS, WINDOW_SLACK

__all__ = [
    "LACUNA",
    "MIN_OVERLAP_SHARE",
    "MIN_OVERLAP_WORDS",
    "TIE_RULE",
    "WINDOW_SLACK",
    "ApparatusEntry",
    "Column",
    "Comparison",
    "Difference",
    "Reconstruction",
    "Stretch",
    "Witness",
    "WitnessText",
    "against",
    "reconstruct_witnesses",
    "reconstruct_articles",
    "reconstruct_check",
    "reconstruct_excerpts",
]

_GROW = ("MIN_OVERLAP_SHARE", "MIN_OVERLAP_WORDS", "WINDOW_SLACK")


def __getattr__(name: str) -> Any:
    """The constants of :mod:`.grow`, imported on first use: the report of a check rebuilds its sources without it."""
    if name in _GROW:
        from quoteverify.reconstruct import grow

        return getattr(grow, name)
    raise AttributeError(f"module 'quoteverify.reconstruct' has no attribute {name!r}")


def _excerpts_of(article: Document, quotations: Iterable[Quotation], quote_numbers: Iterable[int]) -> list[WitnessText]:
    """The excerpts of an article's quotations: one per fragment."""
    out = []
    for q, qn in zip(quotations, quote_numbers):
        starts = [s for s, _ in q.spans]
        for fn, toks in enumerate(quotation_fragments(article.text, q.segments)):
            out.append(_excerpt(article, toks, qn, fn, starts))
    return out


def _excerpt(article: Document, toks: tuple[Token, ...], qn: int, fn: int, span_starts: Sequence[int]) -> WitnessText:
    """Fragment ``fn`` of quotation ``qn`` as an excerpt; its paragraphs are those of the quotation's spans."""
    para = [bisect_right(span_starts, t.start) - 1 for t in toks]
    breaks = frozenset(k for k in range(1, len(toks)) if para[k] != para[k - 1])
    return WitnessText(article.id, article.text, toks, qn, fn, breaks)


def reconstruct_check(result: CheckResult, source_id: str | None = None) -> Reconstruction:
    """Reconstruct a source of a checked case from the quotations located against it.

    Each located fragment keeps the place and the word alignment the
    pipeline gave it; the source's own words serve only as the scaffold the
    witnesses are placed on, never as a reading.
    """
    sources = {s.document.id: s for s in result.sources}
    if source_id is None:
        if len(sources) != 1:
            raise InputError(None, f"the case has {len(sources)} sources: name one with --source-id ({', '.join(sources)})")
        source_id = next(iter(sources))
    if source_id not in sources:
        raise InputError(None, f"no source {source_id!r} in the case (sources: {', '.join(sources) or 'none'})")
    source = sources[source_id].document
    located = [
        _Located(art.article, qn, frag.index, al, [s for s, _ in qr.quotation.spans])
        for art in result.articles
        for qn, qr in enumerate(art.quotes)
        if qr.location is not None and qr.location.source == source_id
        for frag, al in zip(qr.location.fragments, qr.alignment)
        if al.source_tokens
    ]
    base = _scaffold(source.text, located)
    at = {t.start: i for i, t in enumerate(base)}
    excerpts: list[WitnessText] = []
    placements: dict[int, list[AlignOp]] = {}
    outlets = {art.article.id: art.article.outlet for art in result.articles}
    for article, qn, fn, al, starts in located:
        offset = at.get(al.source_tokens[0].start)
        if offset is None:
            continue
        excerpt = _excerpt(article, al.quote_tokens, qn, fn, starts)
        ops = [AlignOp(op.op, (op.src[0] + offset, op.src[1] + offset), op.quo) for op in al.ops]
        placements[len(excerpts)] = ops
        excerpts.append(excerpt)
    if not excerpts:
        raise InputError(None, f"no quotation of the articles renders the source {source_id!r}")
    method = (
        f"Reconstructed from the quotations of {source_id!r} that the pipeline located in it, each aligned word by word "
        "on the source's text, which serves only as a scaffold: every word of the text comes from a witness. "
        "At each place where the witnesses covering it disagree the majority reading is chosen; "
        f"a tie is broken by this rule: {TIE_RULE}."
    )
    return build_reconstruction(
        excerpts,
        [t.norm for t in base],
        placements,
        source_id=source_id,
        title=sources[source_id].document.title or source_id,
        outlets=outlets,
        method=method,
    )


class _Located(NamedTuple):
    """A fragment of a quotation located in the source: its article, quotation and fragment numbers, and alignment."""

    article: Document
    quote: int
    fragment: int
    alignment: Alignment
    span_starts: list[int]


def _scaffold(text: str, located: Sequence[_Located]) -> tuple[Token, ...]:
    """The source's tokens from the line where the first located passage starts to the line where the last ends.

    The layout leaves out what no witness covers before the first passage
    and after the last, and no token crosses a line break, so the lines in
    between are all it reads (tokenizing whole sources took 0.6 of 2.9 s in
    the pages of a 300-article case against 500 sources, each quoted a few
    times).
    """
    if not located:
        return ()
    first = min(x.alignment.source_tokens[0].start for x in located)
    last = max(x.alignment.source_tokens[-1].end for x in located)
    end = text.find("\n", last)
    return tokenize(text, text.rfind("\n", 0, first) + 1, len(text) if end < 0 else end)


def reconstruct_articles(articles: Sequence[Document], *, source_id: str, title: str = "") -> Reconstruction:
    """Reconstruct a document from the quotations of articles, with no source at all.

    The longest quotation fragment is the seed; every fragment that overlaps
    the text built so far (at least :data:`MIN_OVERLAP_WORDS` words in common)
    is aligned onto it and extends it past its ends. Fragments that overlap
    nothing are left out (``unplaced``), unless a quotation ties them to the
    text (fragments of one quotation, between elisions, belong together).
    """
    from quoteverify.extract import extract_quotations
    from quoteverify.reconstruct.grow import MIN_OVERLAP_WORDS

    excerpts: list[WitnessText] = []
    outlets = {}
    for art in articles:
        outlets[art.id] = art.outlet
        quotes = extract_quotations(art)
        excerpts.extend(_excerpts_of(art, quotes, range(len(quotes))))
    method = (
        "Reconstructed without a source: the longest quotation is the seed, and every quotation that overlaps the "
        f"text built so far by at least {MIN_OVERLAP_WORDS} words is aligned onto it and extends it. "
        f"At each place the majority reading is chosen; a tie is broken by this rule: {TIE_RULE}."
    )
    return _assembled(excerpts, source_id=source_id, title=title or source_id, outlets=outlets, method=method)


def reconstruct_witnesses(witnesses: Sequence[tuple[str, str]], *, source_id: str = "text", title: str = "") -> Reconstruction:
    """Reconstruct a text from whole texts, each a witness ``(id, text)``: one multiple alignment, its apparatus and majority text."""
    excerpts = []
    for wid, text in witnesses:
        toks = tokenize(text)
        excerpts.append(WitnessText(wid, text, toks, 0, 0, _blank_line_breaks(text, toks), whole=True))
    method = f"Collated from {len(excerpts)} witnesses; the majority reading is chosen at each place; ties: {TIE_RULE}."
    return _assembled(excerpts, source_id=source_id, title=title or source_id, outlets={}, method=method)


def _blank_line_breaks(text: str, toks: Sequence[Token]) -> frozenset[int]:
    """The tokens of a whole text that open a paragraph (a blank line before them)."""
    return frozenset(k for k in range(1, len(toks)) if "\n\n" in text[toks[k - 1].end : toks[k].start].replace("\r", ""))


def reconstruct_excerpts(
    excerpts: Sequence[WitnessText],
    *,
    source_id: str,
    title: str = "",
    outlets: dict[str, str] | None = None,
    method: str = "",
) -> Reconstruction:
    """Reconstruct a text from witnesses' excerpts with no source: grow it from the longest by overlap."""
    return _assembled(
        list(excerpts),
        source_id=source_id,
        title=title or source_id,
        outlets=outlets or {},
        method=method or f"Grown from the longest of {len(excerpts)} witness excerpts by overlap; majority readings; ties: {TIE_RULE}.",
    )


def _assembled(excerpts: list[WitnessText], *, source_id: str, title: str, outlets: dict[str, str], method: str) -> Reconstruction:
    """A reconstruction with no source: the base grown from the excerpts (:func:`~.grow.assemble`)."""
    from quoteverify.reconstruct.grow import assemble

    keys, placements, joins, dropped = assemble(excerpts)
    if not placements:
        raise InputError(None, "no quotation to reconstruct a text from (none has three words or more)")
    return build_reconstruction(
        excerpts,
        keys,
        placements,
        source_id=source_id,
        title=title,
        outlets=outlets,
        joins=joins,
        unplaced=dropped,
        method=method,
    )


def against(recon: Reconstruction, canonical: Document) -> Comparison:
    """The differences between a canonical text (BASE) and the reconstruction (OTHER), each explained.

    A difference inside an apparatus entry comes from the reading chosen
    there; one inside a lacuna from the lack of any witness; any other is a
    reading all the witnesses covering it agree on.
    """
    from quoteverify.collate import collate

    rebuilt = Document(id=f"{recon.source_id} (reconstructed)", text=recon.text, path=None)
    col = collate(canonical, rebuilt)
    out = []
    for v in col.variants:
        s, e = v.other_span
        hit = tuple(n for n, a in enumerate(recon.apparatus) if _touch(a.span, (s, e)))
        if hit:
            parts = []
            for n in hit:
                a = recon.apparatus[n]
                chosen = a.readings[0]
                rest = "; ".join(f"{r.text!r} ({', '.join(r.witnesses)})" for r in a.readings[1:])
                tie = " (a tie, broken by the rule)" if a.tie else ""
                parts.append(f"apparatus {n + 1}: {chosen.text!r} ({', '.join(chosen.witnesses)}) chosen over {rest}{tie}")
            explanation = "; ".join(parts)
        elif any(_touch(gap, (s, e)) for gap in recon.lacunae):
            explanation = "no witness covers this stretch"
        else:
            wits = sorted({w for st in recon.stretches if _touch(st.span, (s, e)) for w in st.witnesses})
            explanation = (
                f"every witness covering it reads so ({', '.join(wits)})" if wits else "no witness covers this stretch"
            )
        out.append(Difference(v, hit, explanation))
    return Comparison(col, tuple(out))


def _touch(a: Span, b: Span) -> bool:
    """Whether two spans overlap, or a zero-width one stands inside or at an edge of the other."""
    if a[0] == a[1] or b[0] == b[1]:
        return a[0] <= b[1] and b[0] <= a[1]
    return a[0] < b[1] and b[0] < a[1]
