"""attribute: the fast reading of an article agrees with the obvious one.

The reader reads an article's mentions a paragraph at a time and only where
asked, looks for sentence ends near a cue only, and keeps the reading of a
cue on the roster. The oracle below reads the article the obvious way: every
word once, up front, every sentence end of the text, every cue afresh. On
generated articles (names, titles, pronouns, documents, quote marks, odd
spacing and paragraph breaks) both must find the same mentions, the same
sentence starts, the same subjects, and credit every quotation alike.
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_right

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from quoteverify import attribute
from quoteverify.attribute import Credit, Mention, MentionKind, Roster
from quoteverify.extract import SPEECH_VERBS, extract_quotations
from quoteverify.ingest.document import document_from_text
from quoteverify.ingest.turns import with_speakers
from quoteverify.models import Document, Paragraph, Quotation


class WholeArticleReader(attribute._Reader):
    """The obvious reader: all of an article's mentions and sentence ends read up front, each cue read afresh."""

    def __init__(self, article: Document, quotations: tuple[Quotation, ...], roster: Roster) -> None:
        super().__init__(article, quotations, roster)
        words = [(w, p) for w, p in attribute._words(self.text) if not self._inside_quotation(p)]
        by_line: dict[int, list[tuple[str, int]]] = {}
        for w, p in words:
            by_line.setdefault(self.paragraph_of(p), []).append((w, p))
        found = [m for line in by_line.values() for m in self._line_mentions(line)]
        self.all_mentions = sorted(found, key=lambda m: m.pos)
        self.sentence_starts = [
            m.end() for m in attribute._SENTENCE_END_RE.finditer(self.text) if not self._inside_quotation(m.start())
        ]

    def _line_mentions(self, line: list[tuple[str, int]]) -> list[Mention]:
        out = []
        folded = [attribute._fold(w) for w, _ in line]
        raw = [w for w, _ in line]
        at = {p: k for k, (_, p) in enumerate(line)}
        for run in attribute._name_runs(line, self.text):
            i = at[run[0][1]]
            person = self.roster.find(folded[i : i + len(run)], raw[i : i + len(run)])
            if person:
                out.append(Mention(run[0][1], "person", Credit(person[0].name, True)))
            elif attribute._person_like(run):
                out.append(Mention(run[0][1], "person", Credit(" ".join(w for w, _ in run))))
        for k, (_, p) in enumerate(line):
            if folded[k] in attribute.DOCUMENT_NOUNS and k > 0 and folded[k - 1] in attribute._DETERMINERS:
                speaker = self.roster.document_speaker(folded[k])
                out.append(Mention(p, "document", Credit(speaker, speaker is not None)))
        return out

    def _nearest_mention(self, pos: int, want: set[MentionKind]) -> Mention | None:
        for m in reversed([m for m in self.all_mentions if m.pos < pos]):
            if pos - m.pos > attribute._ANTECEDENT_WINDOW:
                return None
            if m.kind in want:
                return m
        return None

    def mentions_between(self, start: int, end: int) -> list[Mention]:
        return [m for m in self.all_mentions if start <= m.pos < end]

    def sentence_start(self, pos: int) -> int:
        lo = self.para_starts[self.paragraph_of(pos)]
        i = bisect_right(self.sentence_starts, pos) - 1
        start = self.sentence_starts[i] if i >= 0 else lo
        return max(start, lo, pos - attribute._SENTENCE_WINDOW)

    def subject(self, start: int, end: int, *, after_verb: bool) -> tuple[attribute._Subject, Credit, int]:
        words = [(w, p) for w, p in attribute._words(self.text, start, end) if not self._inside_quotation(p)]
        return attribute._read_subject(words, self.text, start, self.roster, after_verb)


def _roster() -> Roster:
    transcript = document_from_text("THE CHAIR: We meet today.\nMR HALE: We do.\nQ: Why?", id="t", role="source", title="transcript")
    letter = document_from_text("The quay will close.", id="letter", role="source", title="The letter of the harbour master")
    return Roster.of([
        with_speakers(transcript, None, {"THE CHAIR": "Ruth Okoro", "MR HALE": "Omar Hale"}),
        with_speakers(letter, "Anna Berg"),
    ])


# one roster for every example, as for every article of a case: cue readings kept from one are used by the next
ROSTER = _roster()

PIECES = (
    "Anna Berg", "Ms Berg", "Berg's", "Heather Berg", "Gen. Omar Hale", "Hale", "Ruth Okoro", "the Chair", "The Chair",
    "Mark Jones", "Mr Jones", "Prime Minister", "Ministry of Defence", "Jr.", "U.S.", "Élodie Marchand", "ǅemal",
    "he", "she", "it", "they", "He", "It", "the letter", "The letter", "a memo", "the statement", "his remarks",
    "ſtatement", "said", "said:", "told reporters", "according to", "adding", "wrote", "a heckler", "the union leader",
    "In 2019", "last year", "in March 2018", "3abc", "x_y", "the", "of", "and", "river", "stone", "market", "window",
    ",", ".", "!", "?", "\u2026", "...", '"', "\u201c", "\u201d", "'", "\u2019", "(", ")", "[", "]", "-",
    # a long stretch without names, so that a pronoun's antecedent and a sentence's start fall out of their windows
    " ".join(["the river and the stone of the market window"] * 12),
)
SEPARATORS = (" ", " ", " ", " ", "", "  ", "\n", "\n\n", "\n  ", "\t", "\u00a0")


@st.composite
def articles(draw: st.DrawFn) -> Document:
    """An article of names, pronouns, documents, cues and quote marks, with paragraphs as found or placed anywhere."""
    n = draw(st.integers(1, 80))
    parts = []
    for _ in range(n):
        parts.append(draw(st.sampled_from(PIECES)))
        parts.append(draw(st.sampled_from(SEPARATORS)))
    text = "".join(parts)
    doc = document_from_text(text, id="a", date=draw(st.sampled_from(("", "2020-01-07"))))
    if draw(st.booleans()) or not text:
        return doc
    # paragraphs that start anywhere, inside a word too: the reader must not cut a word in two
    starts = sorted(set(draw(st.lists(st.integers(0, len(text) - 1), min_size=1, max_size=8))))
    ends = starts[1:] + [len(text)]
    return dataclasses.replace(doc, paragraphs=tuple(Paragraph(i, a, b) for i, (a, b) in enumerate(zip(starts, ends))))


def _readers(article: Document) -> tuple[attribute._Reader, WholeArticleReader]:
    quotations = extract_quotations(article)
    return attribute._Reader(article, quotations, ROSTER), WholeArticleReader(article, quotations, ROSTER)


HALE = "Gen. Omar Hale said: \u201cWe meet today.\u201d\n\nHe added: \u201cWe do.\u201d \u201cWhy?\u201d the letter asked."


@settings(max_examples=150, deadline=None)
@given(articles())
@example(document_from_text(HALE, id="a"))
@example(document_from_text("As the \u017ftatement and THE LETTER\u2019s end said, Ms Berg and Heather Berg left.", id="a"))
def test_paragraph_by_paragraph_mentions_are_the_whole_articles(article: Document) -> None:
    fast, whole = _readers(article)
    assert [m for para in range(len(fast.para_starts)) for m in fast.paragraph_mentions(para)] == whole.all_mentions


# stretches of an article (as fractions of its length) and whether they follow a verb
STRETCHES = st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1), st.booleans()), max_size=12)
WANTS: tuple[set[MentionKind], ...] = ({"person"}, {"document"}, {"person", "document"})


@settings(max_examples=150, deadline=None)
@given(articles(), STRETCHES)
@example(document_from_text("It was late.  \u201cWe meet.\u201d\u2019)  Then Hale said so.", id="a"), [(0.2, 0.9, False)])
def test_sentences_subjects_and_antecedents_are_read_as_in_the_whole_text(
    article: Document, stretches: list[tuple[float, float, bool]]
) -> None:
    fast, whole = _readers(article)
    size = len(article.text)
    for pos in range(size + 1):
        assert fast.sentence_start(pos) == whole.sentence_start(pos), pos
    for a, b, after in stretches:
        start, end = sorted((round(a * size), round(b * size)))
        assert fast.subject(start, end, after_verb=after) == whole.subject(start, end, after_verb=after)
        assert fast.mentions_between(start, end) == whole.mentions_between(start, end)
        for want in WANTS:
            assert fast._nearest_mention(end, want) == whole._nearest_mention(end, want)


@settings(max_examples=150, deadline=None)
@given(articles())
@example(document_from_text(HALE, id="a"))
def test_every_quotation_is_credited_as_the_obvious_reading_credits_it(article: Document) -> None:
    fast, whole = _readers(article)
    verbs = attribute._CueVerbs(attribute._verb_re(tuple(SPEECH_VERBS)), {})
    assert attribute._credits(fast, verbs) == attribute._credits(whole, verbs)


@settings(max_examples=200, deadline=None)
@given(articles())
@example(document_from_text(HALE, id="a"))
@example(document_from_text("\u201cNo,\u201d he said. He said: \u201cYes.\u201d \u201cWell,\u201d he said.", id="a"))
def test_cues_kept_by_their_text_credit_as_cues_read_afresh(article: Document) -> None:
    """A cue's reading kept by its text (from other articles too: the roster keeps them) is the one read where it stands."""
    quotations = extract_quotations(article)
    fresh = attribute._credits(attribute._Reader(article, quotations, ROSTER), attribute._default_cue_verbs())
    assert attribute.credit_quotations(article, quotations, ROSTER) == fresh
    assert attribute.credit_quotations(article, quotations, ROSTER) == fresh  # every cue kept now


def test_a_cue_kept_is_read_again_where_it_stands_before_or_after_its_quotation() -> None:
    """The same cue after a quotation reads the words after its verb, before one it does not: kept apart."""
    filler = " ".join(["the river and the stone of the market window."] * 40)
    text = f"\u201cNo,\u201d said the letter. {filler} said the letter: \u201cYes.\u201d"
    article = document_from_text(text, id="a")
    quotations = extract_quotations(article)
    assert [q.attribution for q in quotations] == ["said the letter", "said the letter"]
    fresh = attribute._credits(attribute._Reader(article, quotations, ROSTER), attribute._default_cue_verbs())
    assert [c.speaker for c in fresh] == ["Anna Berg", None]
    assert attribute.credit_quotations(article, quotations, ROSTER) == fresh


def test_a_cue_a_quotation_touches_is_read_where_it_stands() -> None:
    """A cue holding another quotation reads its words outside that quotation, not as the same text kept from elsewhere."""
    article = document_from_text("\u201cBerg\u201d said: \u201cYes.\u201d", id="a")
    inner = Quotation("Berg", ((1, 5),), ())
    outer = Quotation("Yes.", ((14, 18),), (), "\u201cBerg\u201d said", (0, 11))
    # the same cue read where no quotation holds "Berg", and kept
    assert attribute.credit_quotations(article, (outer,), ROSTER)[0].speaker == "Anna Berg"
    fresh = attribute._credits(attribute._Reader(article, (inner, outer), ROSTER), attribute._default_cue_verbs())
    assert fresh[1].speaker is None
    assert attribute.credit_quotations(article, (inner, outer), ROSTER) == fresh


def test_a_cue_read_before_is_read_the_same_again() -> None:
    article = document_from_text(HALE, id="a")
    quotations = extract_quotations(article)
    roster = _roster()
    first = attribute.credit_quotations(article, quotations, roster)
    assert roster.subject_readings  # the cues' readings are kept
    assert attribute.credit_quotations(article, quotations, roster) == first
    assert [c.speaker for c in first] == ["Omar Hale", "Omar Hale", "Anna Berg"]


_DATED_WORDS = ["in ", "since ", "back in ", "early ", "May ", "MAY ", "1999", "2020", "2a", "19", "20", "\u0661\u0662",
                "last year", "LAST YEAR", "years ago", "Years Ago", "a year earlier", "the year before", "yea", "r", "\u017f", " ", "."]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_DATED_WORDS), max_size=12))
def test_the_literals_looked_for_first_are_in_every_dating_match(parts: list[str]) -> None:
    """What dates a cue (a year, "years ago") is matched only in texts that hold the literal looked for first."""
    text = "".join(parts)
    if attribute._YEAR_RE.search(text):
        assert attribute._DATE_YEAR_RE.search(text)
    if attribute._RELATIVE_PAST_RE.search(text):
        assert "year" in text.lower()


_VERB_TEXT_BITS = ["said", "SAID", "\u017faid", "\u0130nsisted", "according", " to", "  ", "\n", "went", " on", "x", "-", "'", "\u2019",
                   ",", " ", "tell", "ing", "\u212aeeps", "\u00e9"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_VERB_TEXT_BITS), max_size=14).map("".join), st.integers(0, 60), st.integers(0, 60))
def test_the_verb_of_a_cue_is_what_the_alternation_finds(text: str, start: int, end: int) -> None:
    """Extract's folded search finds in a cue's bounds the speech verb the alternation ignoring case finds."""
    fast = attribute._verb_search(tuple(SPEECH_VERBS))
    assert not isinstance(fast, re.Pattern)  # the default verbs take the folded search
    plain = attribute._verb_re(tuple(SPEECH_VERBS)).search(text, start, end)
    assert attribute._first_verb(fast, text, start, end) == (plain.span() if plain else None)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_VERB_TEXT_BITS), max_size=14).map("".join), st.integers(0, 60), st.integers(0, 60))
@example("said said", 5, 9)
@example("xsaid", 1, 5)  # the same cue after a letter: no verb
def test_the_verb_kept_for_a_cue_is_what_a_search_finds(text: str, start: int, end: int) -> None:
    """A cue's verb, searched or kept from a cue read before, is what a search of the cue's bounds in the text finds."""
    for search in (attribute._verb_search(tuple(SPEECH_VERBS)), attribute._verb_re(tuple(SPEECH_VERBS))):
        kept = attribute._CueVerbs(search, {})
        for _ in range(2):  # the second time, the verb is kept
            assert kept.first(text, start, end) == attribute._first_verb(search, text, start, end)
    shared = attribute._cue_verbs(tuple(SPEECH_VERBS))  # kept from every example before
    assert shared.first(text, start, end) == attribute._first_verb(shared.search, text, start, end)


@pytest.mark.parametrize("verbs", [("said", " "), ("said", "d\u00e9clar\u00e9"), ("said  so", "told")])
def test_verb_lists_the_folded_search_cannot_take_keep_the_alternation(verbs: tuple[str, ...]) -> None:
    assert isinstance(attribute._verb_search(verbs), re.Pattern)


_SENTENCE_BITS = ["a", "B", "7", ".", "!", "?", "\u2026", '"', "'", "\u201d", "\u2019", ")", "]", "\u201c", "(", " ", "\n", "\n\n", "\u00a0"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_SENTENCE_BITS), max_size=30).map("".join), st.integers(0, 40))
@example("a.  B", 3)
@example("a.\u201d\nB", 3)
def test_a_search_for_sentence_ends_from_where_it_starts_finds_those_of_the_whole_text(text: str, pos: int) -> None:
    pos = min(pos, len(text))
    start = attribute._sentence_end_search_start(text, pos)
    assert start <= pos
    after = [m.span() for m in attribute._SENTENCE_END_RE.finditer(text) if m.end() > pos]
    assert [m.span() for m in attribute._SENTENCE_END_RE.finditer(text, start) if m.end() > pos] == after


def plain_find_all(roster: Roster, words: list[str], raw: list[str]) -> list[tuple[int, int, attribute.Person]]:
    """Every name of a roster person in ``words``, each place matched against every name of every person in turn."""
    found: dict[int, tuple[int, int, attribute.Person]] = {}
    for i in range(len(words)):
        for person in roster.people:
            for key in sorted(person.keys):
                n = len(key)
                if tuple(words[i : i + n]) != key:
                    continue
                if n == 1 and person.first_names and i > 0 and raw:
                    before, folded = raw[i - 1], attribute._fold(raw[i - 1])
                    if before[:1].isupper() and len(folded) > 1 and folded not in attribute.TITLES and folded not in person.first_names:
                        continue
                if i not in found or n > found[i][1] - found[i][0]:
                    found[i] = (i, i + n, person)
    out: list[tuple[int, int, attribute.Person]] = []
    for i in sorted(found):
        if not out or i >= out[-1][1]:
            out.append(found[i])
    return out


# two people of one surname, one of them known by a title too, and a name inside a longer one
_NAMES_ROSTER = Roster.of([
    with_speakers(document_from_text("We meet.", id="a", role="source"), "Omar Hale"),
    with_speakers(document_from_text("We do.", id="b", role="source"), "Ruth Hale"),
    with_speakers(document_from_text("THE CHAIR: Why?", id="c", role="source"), None, {"THE CHAIR": "Anna Berg"}),
    with_speakers(document_from_text("So.", id="d", role="source"), "Anna Berg Hale"),
])
_NAME_WORDS = ["Omar", "Ruth", "Hale", "Anna", "Berg", "the", "The", "Chair", "CHAIR", "Gen", "Heather", "said", "x"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_NAME_WORDS), max_size=12), st.booleans())
@example(["Heather", "Hale", "Anna", "Berg", "Hale"], True)
def test_names_looked_up_by_length_are_those_matched_one_by_one(raw: list[str], with_raw: bool) -> None:
    """Each place's longest name (of those as long, the first person's) is the one matching every name in turn finds."""
    words = [attribute._fold(w) for w in raw]
    raw = raw if with_raw else []
    for roster in (_NAMES_ROSTER, ROSTER):
        assert roster.find_all(words, raw) == plain_find_all(roster, words, raw)


_DATING_PIECES = PIECES + ("In 1999", "years ago", "YEAR", "19", "20", "2020", "a year earlier")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_DATING_PIECES), min_size=1, max_size=60), st.lists(st.sampled_from(SEPARATORS), min_size=60, max_size=60), st.integers(0, 40))
@example(["In 2019", " she said", ":", " ", "\u201c", "x", "\u201d"], [""] * 60, 3)
def test_a_sentence_dated_to_another_occasion_is_what_reading_from_its_start_finds(
    parts: list[str], separators: list[str], reach: int
) -> None:
    """The sentence's start looked for only when the text it may start in holds a date gives what looking for it always gives."""
    text = "".join(p + s for p, s in zip(parts, separators))
    article = document_from_text(text, id="a", date="2020-01-07")
    reader = attribute._Reader(article, extract_quotations(article), ROSTER)
    for pos in range(len(text) + 1):
        end = min(len(text), pos + reach)
        assert reader.sentence_of_other_occasion(pos, end) == reader.other_occasion(reader.sentence_start(pos), end), pos


def test_the_default_verb_list_credits_as_any_list_of_its_phrases() -> None:
    """The cue search of the default speech verbs, asked without a key, is the one a copy of the list is given."""
    copied = tuple(list(SPEECH_VERBS))
    assert attribute._default_cue_verbs().search == attribute._cue_verbs(copied).search
    article = document_from_text(HALE, id="a")
    quotations = extract_quotations(article)
    credits = attribute.credit_quotations(article, quotations, ROSTER)
    assert credits == attribute.credit_quotations(article, quotations, ROSTER, speech_verbs=copied)
    assert [c.speaker for c in credits] == ["Omar Hale", "Omar Hale", "Anna Berg"]


ALL_CODE_POINTS = "".join(chr(i) for i in range(0x110000) if not 0xD800 <= i < 0xE000)


def test_only_y_lowers_to_text_holding_a_y():
    """A text lowered holds "year" only where it holds a "y" or a "Y": no other character lowers to text with a "y"."""
    assert {c for c in ALL_CODE_POINTS if "y" in c.lower()} == {"y", "Y"}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=6))
def test_furthest_quotation_ends_are_the_running_maximum(spans: list[tuple[int, int]]) -> None:
    """The furthest end of the quotations up to each, taken as their ends when in order, is the running maximum of their ends."""
    article = document_from_text("x" * 40, id="a")
    quotations = [Quotation("", ((s + 1, s + 1 + n),), ()) for s, n in spans]
    reader = attribute._Reader(article, quotations, ROSTER)
    quoted = sorted((s, s + n + 2) for s, n in spans)
    furthest = [max(e for _, e in quoted[: k + 1]) for k in range(len(quoted))]
    assert reader.quoted_starts == [s for s, _ in quoted] and reader.quoted_ends == furthest
