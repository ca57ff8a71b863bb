"""Hand-built CheckResult fixtures for the report tests.

The builders below do by hand what the pipeline stages do: find the spans of
a quotation in an article, split it at elisions and interpolations, align its
words against the source passage (with difflib, which is enough for fixtures),
and attach the variants a classifier would name. Everything is derived from
the texts, so the offsets are real.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Sequence

from quoteverify.models import (
    NOT_FOUND,
    AlignOp,
    Alignment,
    ArticleResult,
    CheckResult,
    Coverage,
    Document,
    EditorialChoice,
    Fragment,
    Kind,
    Location,
    Paragraph,
    ParagraphCoverage,
    ParagraphWitnesses,
    Provenance,
    Quotation,
    QuoteResult,
    Reading,
    Segment,
    Severity,
    SourceInfo,
    Span,
    Token,
    Variant,
    Verdict,
)

HOSTILE_SCRIPT = "<script>alert(1)</script>"
HOSTILE_IMG = "<img src=x onerror=alert(1)>"
HOSTILE_OUTLET = '<b onmouseover="alert(1)">Evil</b> "Outlet" & Co'
HOSTILE_ID = "../../x y \u00e9"

TOKEN = re.compile(r"\w+(?:[-'\u2019]\w+)*|[^\w\s]")
FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


def paragraphs_of(text: str) -> tuple[Paragraph, ...]:
    """Blocks of text separated by blank lines, stripped of surrounding whitespace."""
    out: list[Paragraph] = []
    pos = 0
    bounds = [(m.start(), m.end()) for m in re.finditer(r"\n[^\S\n]*\n\s*", text)]
    for start, end in [*bounds, (len(text), len(text))]:
        block = text[pos:start]
        stripped = block.strip()
        if stripped:
            s = pos + block.index(stripped)
            out.append(Paragraph(len(out), s, s + len(stripped)))
        pos = end
    return tuple(out)


def document(
    ident: str,
    text: str,
    *,
    skipped: Sequence[str] = (),
    **fields: str | tuple[str, ...] | None,
) -> Document:
    """A document with paragraphs, sha256 and the spans of the ``skipped`` strings."""
    spans = tuple(_find(text, s) for s in skipped)
    return Document(
        id=ident,
        text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        paragraphs=paragraphs_of(text),
        skipped=spans,
        **fields,  # type: ignore[arg-type]
    )


def _find(text: str, needle: str, start: int = 0, end: int | None = None) -> Span:
    i = text.find(needle, start, len(text) if end is None else end)
    if i < 0:
        raise ValueError(f"{needle!r} not in text")
    return (i, i + len(needle))


def tokens(text: str, spans: Sequence[Span]) -> tuple[Token, ...]:
    out: list[Token] = []
    for s, e in spans:
        for m in TOKEN.finditer(text, s, e):
            word = m.group()
            out.append(Token(word, word.translate(FOLD), m.start(), m.end(), word[0].isalnum()))
    return tuple(out)


def align(source_tokens: tuple[Token, ...], quote_tokens: tuple[Token, ...]) -> Alignment:
    matcher = difflib.SequenceMatcher(
        None, [t.key for t in source_tokens], [t.key for t in quote_tokens], autojunk=False
    )
    ops = tuple(AlignOp(tag, (i1, i2), (j1, j2)) for tag, i1, i2, j1, j2 in matcher.get_opcodes())
    return Alignment(source_tokens, quote_tokens, ops)


def _segments(text: str, spans: Sequence[Span]) -> tuple[Segment, ...]:
    out: list[Segment] = []
    for s, e in spans:
        pos = s
        for m in re.finditer(r"\[[^\]]*\]|\.\.\.|\u2026", text[s:e]):
            a, b = s + m.start(), s + m.end()
            if a > pos:
                out.append(Segment("text", pos, a))
            out.append(Segment("interpolation" if m.group().startswith("[") else "elision", a, b))
            pos = b
        if pos < e:
            out.append(Segment("text", pos, e))
    return tuple(out)


def _intersect(spans: Sequence[Span], lo: int, hi: int) -> list[Span]:
    return [(max(s, lo), min(e, hi)) for s, e in spans if min(e, hi) > max(s, lo)]


def verdict_of(variants: Sequence[Variant]) -> Verdict:
    if any(v.severity is Severity.MAJOR for v in variants):
        return Verdict.ALTERED
    return Verdict.FAITHFUL if variants else Verdict.VERBATIM


class ArticleBuilder:
    """Place quotations in an article text, left to right, and build their results."""

    def __init__(self, article: Document) -> None:
        self.article = article
        self.cursor = 0
        self.quotes: list[QuoteResult] = []

    def _spans(self, parts: Sequence[str]) -> tuple[Span, ...]:
        spans = []
        for part in parts:
            span = _find(self.article.text, part, self.cursor)
            spans.append(span)
            self.cursor = span[1]
        return tuple(spans)

    def _attribution(self, cue: str | None, near: int) -> tuple[str | None, Span | None]:
        if cue is None:
            return None, None
        i = self.article.text.find(cue, max(0, near - 200))
        return cue, ((i, i + len(cue)) if i >= 0 else None)

    def unverified(self, *parts: str, attribution: str | None = None) -> QuoteResult:
        spans = self._spans(parts)
        cue, cue_span = self._attribution(attribution, spans[0][0])
        quotation = Quotation(
            "\n".join(self.article.text[s:e] for s, e in spans), spans, _segments(self.article.text, spans), cue, cue_span
        )
        q = QuoteResult(quotation, None, (), (), Verdict.UNVERIFIED, reason=NOT_FOUND)
        self.quotes.append(q)
        return q

    def located(
        self,
        source: Document,
        parts: Sequence[str],
        fragments: Sequence[tuple[str, str]],
        variants: Sequence[tuple[Kind, str, str]] = (),
        *,
        attribution: str | None = None,
    ) -> QuoteResult:
        """A located quotation: ``parts`` as printed, ``fragments`` as (quoted words, source words) pairs."""
        start = self.cursor
        spans = self._spans(parts)
        text = self.article.text
        frags: list[Fragment] = []
        alignments: list[Alignment] = []
        qpos, spos = start, 0
        for quoted, original in fragments:
            qspan = _find(text, quoted, qpos)
            sspan = _find(source.text, original, spos)
            qpos, spos = qspan[1], sspan[1]
            frags.append(Fragment(qspan, sspan))
            qtoks = tokens(text, _intersect(spans, *qspan))
            stoks = tokens(source.text, [sspan])
            alignments.append(align(stoks, qtoks))
        lo = min(f.source_span[0] for f in frags)
        hi = max(f.source_span[1] for f in frags)
        found: list[Variant] = []
        for kind, src, quo in variants:
            sspan = _find(source.text, src, lo, hi) if src else None
            qspan = _find(text, quo, spans[0][0], spans[-1][1]) if quo else None
            if kind is Kind.ELISION:
                seg = next(s for s in _segments(text, spans) if s.kind == "elision")
                qspan = (seg.start, seg.end)
            found.append(Variant(kind, src, quo, sspan, qspan))
        cue, cue_span = self._attribution(attribution, spans[0][0])
        quotation = Quotation(
            "\n".join(text[s:e] for s, e in spans), spans, _segments(text, spans), cue, cue_span
        )
        location = Location(source.id, (lo, hi), tuple(frags), 0.97312)
        q = QuoteResult(quotation, location, tuple(alignments), tuple(found), verdict_of(found))
        self.quotes.append(q)
        return q

    def result(self, sources: Sequence[Document], errors: Sequence[str] = ()) -> ArticleResult:
        return ArticleResult(self.article, tuple(self.quotes), coverage_of(self.quotes, sources), tuple(errors))


def coverage_of(quotes: Sequence[QuoteResult], sources: Sequence[Document]) -> tuple[Coverage, ...]:
    """The share of each source paragraph's words that lie inside a fragment's source span."""
    out: list[Coverage] = []
    for source in sources:
        spans = [
            f.source_span
            for q in quotes
            if q.location is not None and q.location.source == source.id
            for f in q.location.fragments
        ]
        paras = []
        for p in source.paragraphs:
            words = [m.span() for m in re.finditer(r"\w+", source.text[p.start : p.end])]
            inside = sum(1 for s, e in words if any(a <= p.start + s and p.start + e <= b for a, b in spans))
            paras.append(ParagraphCoverage(p.index, inside / len(words) if words else 0.0))
        out.append(Coverage(source.id, tuple(paras)))
    return tuple(out)


SOURCE_TEXT = (
    "We will close the north bridge over the course of the coming weeks to allow urgent repairs "
    "to the supporting piers.\n\n"
    "During this time, ferry services will run every twenty minutes between the two terminals, "
    "and additional buses will serve the eastern district.\n\n"
    "We apologise for the inconvenience and thank residents for their patience.\n\n"
    "Further updates will be published on the authority's website.\n\n"
    "The authority has no further comment at this stage.\n"
)

GAZETTE_TEXT = """Bridge to close for months

The harbour authority said it "will close the north bridge over the course of the coming weeks", a move criticised by traders.

Photo caption: A ferry at the eastern terminal. Share this article on social media.

It added: "We apologize for the inconvenience and thank residents for their patience."

According to the statement, "ferry services will run between the two terminals, and additional buses will serve the eastern district of the city."

The notice reads: "We will close the north bridge ... to allow urgent repairs".

It promises that "ferry services will run every twenty minutes between the two terminals [on either side of the harbour]".

"We will not comment on the cost," a council spokesman said.

The statement closed: "We apologise for the inconvenience and thank residents for their patience.

Photo: The north bridge at dusk.

"Further updates will be published on the authority's website."
"""

COURIER_TEXT = """Ferries to fill the gap

Officials said "ferry services will run every twenty m\u0456nutes between the two terminals" and that "We Will Close the north bridge".
"""

HOSTILE_TEXT = (
    'Officials said "We apologise for the inconvenience ' + HOSTILE_SCRIPT + ' and thank residents for '
    'their patience" today.\n\nAnother said "' + HOSTILE_IMG + '" loudly.\n'
)


def sample_sources() -> tuple[SourceInfo, ...]:
    source = document(
        "statement",
        SOURCE_TEXT,
        title="Statement of the harbour authority on the bridge closure",
        path="sources/statement.txt",
        date="2024-02-28",
    )
    provenance = Provenance(
        method="Transcribed from the notice posted at the north terminal.\nChecked against two photographs.",
        paragraphs=(
            ParagraphWitnesses(0, ("gazette", "courier"), "Both print it; the gazette cuts it."),
            ParagraphWitnesses(2, ("gazette", "hostile"), "The gazette spells it with -ize once."),
        ),
        choices=(
            EditorialChoice(
                2,
                Reading("apologise", ("gazette",)),
                (Reading("apologize", ("gazette",)),),
                "The full rendition keeps the British spelling.",
            ),
            EditorialChoice(None, Reading("authority's", ("gazette",)), (), "Apostrophe as printed."),
        ),
        unplaced=(
            EditorialChoice(None, Reading(HOSTILE_SCRIPT, ("hostile",)), (), "Attributed but not in the notice."),
        ),
    )
    return (SourceInfo(source, provenance),)


def sample_result() -> CheckResult:
    """A case with every verdict and kind the report must show, a hostile article and one with an error."""
    sources = sample_sources()
    src = sources[0].document
    docs = [src]

    gazette = ArticleBuilder(
        document(
            "gazette",
            GAZETTE_TEXT,
            skipped=("Photo caption: A ferry at the eastern terminal. Share this article on social media.", "Photo: The north bridge at dusk."),
            outlet="The Harbour Gazette",
            date="2024-03-01",
            title="Bridge to close for months",
            path="articles/gazette.txt",
            url="https://example.org/gazette/bridge",
        )
    )
    verbatim = "will close the north bridge over the course of the coming weeks"
    gazette.located(src, [verbatim], [(verbatim, verbatim)], attribution="The harbour authority said")
    faithful = "We apologize for the inconvenience and thank residents for their patience."
    gazette.located(
        src,
        [faithful],
        [(faithful, "We apologise for the inconvenience and thank residents for their patience.")],
        [(Kind.SPELLING, "apologise", "apologize")],
        attribution="It added",
    )
    altered = "ferry services will run between the two terminals, and additional buses will serve the eastern district of the city."
    gazette.located(
        src,
        [altered],
        [(altered, "ferry services will run every twenty minutes between the two terminals, and additional buses will serve the eastern district.")],
        [(Kind.OMISSION, "every twenty minutes", ""), (Kind.INSERTION, "", "of the city")],
        attribution="According to the statement",
    )
    gazette.located(
        src,
        ["We will close the north bridge ... to allow urgent repairs"],
        [("We will close the north bridge", "We will close the north bridge"), ("to allow urgent repairs", "to allow urgent repairs")],
        [(Kind.ELISION, "over the course of the coming weeks", "")],
        attribution="The notice reads",
    )
    interpolated = "ferry services will run every twenty minutes between the two terminals [on either side of the harbour]"
    gazette.located(
        src,
        [interpolated],
        [(interpolated, "ferry services will run every twenty minutes between the two terminals")],
        [(Kind.INTERPOLATION, "", "[on either side of the harbour]")],
        attribution="It promises",
    )
    gazette.unverified("We will not comment on the cost,", attribution="a council spokesman said")
    first = "We apologise for the inconvenience and thank residents for their patience."
    second = "Further updates will be published on the authority's website."
    gazette.located(
        src,
        [first, second],
        [(first + "\n\nPhoto: The north bridge at dusk.\n\n\"" + second, first + "\n\n" + second)],
        attribution="The statement closed",
    )

    courier = ArticleBuilder(
        document(
            "courier",
            COURIER_TEXT,
            outlet="The Courier",
            date="2024-03-02",
            path="articles/courier.txt",
        )
    )
    homoglyph = "ferry services will run every twenty m\u0456nutes between the two terminals"
    courier.located(
        src,
        [homoglyph],
        [(homoglyph, "ferry services will run every twenty minutes between the two terminals")],
        [(Kind.HOMOGLYPH, "minutes", "m\u0456nutes")],
        attribution="Officials said",
    )
    courier.located(
        src,
        ["We Will Close the north bridge"],
        [("We Will Close the north bridge", "We will close the north bridge")],
        [(Kind.CASE, "will close", "Will Close")],
    )

    hostile = ArticleBuilder(
        document(
            HOSTILE_ID,
            HOSTILE_TEXT,
            outlet=HOSTILE_OUTLET,
            title="</title>" + HOSTILE_SCRIPT,
            date="2024-03-03 " + HOSTILE_IMG,
            path="/home/someone/cases/" + HOSTILE_ID,
            url="javascript:alert(1)",
            warnings=("<svg onload=alert(1)>",),
        )
    )
    hostile_quote = "We apologise for the inconvenience " + HOSTILE_SCRIPT + " and thank residents for their patience"
    hostile.located(
        src,
        [hostile_quote],
        [(hostile_quote, "We apologise for the inconvenience and thank residents for their patience")],
        [(Kind.INSERTION, "", HOSTILE_SCRIPT)],
        attribution="<i>Officials</i> said",
    )
    hostile.unverified(HOSTILE_IMG, attribution="Another said " + HOSTILE_IMG)

    wire = ArticleBuilder(document("wire", "", outlet="Wire Service", date="2024-03-04", path="articles/wire.html"))

    return CheckResult(
        case="harbour-bridge",
        title="The harbour authority's bridge statement (test case)",
        sources=sources,
        articles=(
            gazette.result(docs),
            courier.result(docs),
            hostile.result(docs),
            wire.result(docs, errors=("articles/wire.html: cannot decode bytes as utf-8 or windows-1252",)),
        ),
        meta=(("engine", "fixture"),),
    )


def hostile_case(case_id: str = HOSTILE_ID) -> CheckResult:
    """The sample case under a hostile case id."""
    r = sample_result()
    return CheckResult(case_id, HOSTILE_SCRIPT, r.sources, r.articles, r.meta)
