"""The inputs and results of a reconstruction: witnesses' excerpts, the apparatus, the rebuilt text."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Literal

from quoteverify.models import (
    EditorialChoice,
    ParagraphWitnesses,
    Provenance,
    Reading,
    Span,
    Token,
)

if TYPE_CHECKING:  # a comparison holds a collation; building a reconstruction needs none
    from quoteverify.collate import Collation, DocVariant

# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class WitnessText:
    """An excerpt that a witness attests: one fragment of one quotation, or a whole text.

    ``tokens`` point into ``text`` (the article); bracketed interpolations are
    ``editorial`` tokens. ``breaks`` are the indices of the tokens that open a
    new paragraph of the quotation. ``quote`` and ``fragment`` number the
    quotation in its article and the fragment in its quotation. A ``whole``
    text is no partial quotation: what differs at its edges is a reading.
    """

    witness: str
    text: str
    tokens: tuple[Token, ...]
    quote: int = 0
    fragment: int = 0
    breaks: frozenset[int] = frozenset()
    whole: bool = False

    @cached_property
    def words(self) -> int:
        """How many words the excerpt has."""
        return sum(1 for t in self.tokens if t.is_word)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Witness:
    """A witness (an article) of the reconstruction: id, outlet and how many words of the text it covers.

    ``excerpts`` is the number of its excerpts placed in the text (the
    ``fragments`` of the JSON output).
    """

    id: str
    outlet: str = ""
    words: int = 0
    excerpts: int = 0


@dataclass(frozen=True)
class ApparatusEntry:
    """A place where the witnesses that cover it disagree.

    ``readings`` are every reading found there, the chosen one first;
    ``votes[i]`` is the number of witnesses counted for ``readings[i]`` (a
    witness's second reading at one place, from a shorter quotation, is listed
    with no vote). ``span`` is the chosen reading in the reconstructed text
    (zero-width when it is empty).
    """

    span: Span
    paragraph: int
    readings: tuple[Reading, ...]
    votes: tuple[int, ...]
    tie: bool
    reason: str

    @property
    def chosen(self) -> Reading:
        return self.readings[0]


@dataclass(frozen=True)
class Stretch:
    """A stretch of the reconstructed text and the witnesses that cover it."""

    span: Span
    witnesses: tuple[str, ...]


@dataclass(frozen=True)
class Column:
    """One column of the multiple alignment: a base token, or a place where readings differ.

    ``cells`` give, for each excerpt covering the column, the indices of
    its tokens there (``(witness, excerpt number, token indices)``).
    """

    kind: Literal["token", "place"]
    cells: tuple[tuple[str, int, tuple[int, ...]], ...]


@dataclass(frozen=True)
class Reconstruction:
    """A text rebuilt from witnesses, with its apparatus and where every stretch comes from.

    ``excerpts`` are the excerpts it was rebuilt from, numbered as the cells
    of ``columns`` number them.
    """

    source_id: str
    title: str
    text: str
    witnesses: tuple[Witness, ...]
    paragraphs: tuple[ParagraphWitnesses, ...]
    paragraph_spans: tuple[Span, ...]
    stretches: tuple[Stretch, ...]
    apparatus: tuple[ApparatusEntry, ...]
    lacunae: tuple[Span, ...]
    unplaced: tuple[Reading, ...] = ()
    method: str = ""
    excerpts: tuple[WitnessText, ...] = field(default=(), repr=False)
    columns: tuple[Column, ...] = field(default=(), repr=False)

    def provenance(self) -> Provenance:
        """The reconstruction as a :class:`Provenance`: who attests each paragraph and every choice made."""
        choices = tuple(
            EditorialChoice(e.paragraph, e.readings[0], e.readings[1:], e.reason) for e in self.apparatus
        )
        unplaced = tuple(
            EditorialChoice(None, r, (), "not placed in the text: it overlaps no other quotation of it")
            for r in self.unplaced
        )
        return Provenance(self.method, self.paragraphs, choices, unplaced)


@dataclass(frozen=True)
class Difference:
    """A difference between a reconstruction and a given text, with the apparatus entries it comes from."""

    variant: DocVariant
    entries: tuple[int, ...]
    explanation: str


@dataclass(frozen=True)
class Comparison:
    """The reconstruction set against a canonical text (BASE = the canonical text, OTHER = the reconstruction)."""

    collation: Collation
    differences: tuple[Difference, ...]

    @property
    def identical(self) -> bool:
        return self.collation.identical

