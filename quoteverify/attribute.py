"""Attribute: the person an article credits with each of its quotations.

The people who speak in a case are its sources' speakers and the people its
transcripts' labels name (a :class:`Roster`). An article names them by full
name, by surname with or without a title ("Ms Smith", "Gen Hale"), or by
a label that maps to them ("the Secretary of State"). Each quotation's cue
(extract's attribution) is read for its subject:

- a name or label of a roster person: that person;
- a document ("the letter", "the memo"): the speaker of the source it names;
- a pronoun ("he said"): the nearest person (for "it", the nearest
  document) named before it, outside quotations, or credited with an
  earlier quotation;
- another name ("said Heather C. Smith") or a description ("a heckler",
  "the union leader"): someone who speaks in no source;
- a bare verb ("adding", "told reporters"): the subject of its sentence,
  read the same way.

A quotation without a cue takes the credit of the quotation before it in
its paragraph, when no name stands between them. A quotation its sentence
dates to an earlier year ("In 2019 she told...") is of another occasion
unless a source is dated that year.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import accumulate
from operator import attrgetter
from typing import Literal, NamedTuple

from quoteverify.extract import SPEECH_VERBS, VerbPattern, speech_verb_pattern
from quoteverify.ingest.turns import PRESS
from quoteverify.models import Credit, Document, Quotation

#: titles and ranks that may stand before a name; never a name's own words
TITLES = frozenset(
    """mr mrs ms miss mx dr sen senator gen general brig brigadier lt lieutenant col colonel maj major
    adm admiral rep representative gov governor president vice prime minister secretary sir dame lord
    lady prof professor rev reverend capt captain sgt sergeant cmdr commander chairman chairwoman chair
    judge justice mayor marine corps army navy air force chief deputy defence defense foreign home state
    press spokesman spokeswoman spokesperson pentagon us uk the former acting hon st""".split()
)
#: what follows a surname and is not one ("Robert J. Hale III")
_SUFFIXES = frozenset("jr sr ii iii iv v".split())
#: what stands for a source document in a cue
DOCUMENT_NOUNS = frozenset(
    "letter memo memorandum statement note document message email e-mail transcript release communique "
    "communiqué missive speech remarks tweet post order directive".split()
)
_DOCUMENT_HINT_RE = re.compile("|".join(map(re.escape, sorted(DOCUMENT_NOUNS))))
#: what a transcript's ``Q`` is called in an article
_PRESS_WORDS = frozenset("reporter reporters journalist journalists questioner press correspondent".split())
_PERSON_PRONOUNS = frozenset("he she they i we him her them".split())
_THING_PRONOUNS = frozenset("it".split())
_DETERMINERS = frozenset("a an the one another some his her their its this that our".split())
# capitalised words that begin sentences and clauses, not names
_FUNCTION_WORDS = frozenset(
    """the a an in on at but and or it he she they we i this that these those there his her their its
    after before when while as for from with by of to then so if what why how who earlier later
    minutes hours days meanwhile however yet also still now today yesterday on""".split()
)
# last words of organisations and places, not of people's names
_NOT_PERSON_END = frozenset(
    """parliament ministry department forces force council house office command party union army navy
    government committee court news times post zone republic nations states kingdom street square agency
    bank corps chiefs staff coalition assembly senate congress commission police service services
    university school center centre group company inc ltd times guardian journal press media""".split()
)
# a year an article dates the words to: "In 2019 she told", "back in March 2018"
_YEAR_RE = re.compile(
    r"\b(?:in|since|back in|during|at)\s+(?:(?:early|late|mid-?)\s*)?"
    r"(?:(?:january|february|march|april|may|june|july|august|september|october|november|december)\s+)?"
    r"((?:19|20)\d\d)\b",
    re.IGNORECASE,
)
_DATE_YEAR_RE = re.compile(r"((?:19|20)\d\d)")
_RELATIVE_PAST_RE = re.compile(r"\b(?:last year|years? ago|a year earlier|the year before)\b", re.IGNORECASE)
_TOKEN_RE = re.compile(r"[^\W\d_][\w'\u2019.\-]*|\d+")
_WORD_CHAR_RE = re.compile(r"[\w'\u2019.\-]")  # what a word of _TOKEN_RE may hold
_SENTENCE_END_RE = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(\[]?[A-Z0-9])")
_SENTENCE_MARK_RE = re.compile(r"[.!?\u2026]")  # the first character of a sentence end, and its only mark
_SENTENCE_TAIL_CHAR_RE = re.compile(r"[\"'\u201d\u2019)\]\s]")  # the rest of it
_MAX_DESCRIPTION_WORDS = 5  # a longer subject without a name is a clause, not a description of a speaker
_ANTECEDENT_WINDOW = 1500  # how far back, in code points, a pronoun looks for its antecedent
_SENTENCE_WINDOW = 400  # how far back, in code points, a sentence is read for a cue's subject or a date
_MAX_READINGS = 20_000  # cue readings a roster keeps (a few MB at most), however long the archive


# Words are folded again and again ("the", "said", names): under cProfile, 20 readings of five news
# articles of 63 quotations took 0.36-0.42 s folding afresh, 0.27-0.29 s keeping the folded words.
@lru_cache(maxsize=1 << 16)
def _fold(word: str) -> str:
    """A word as compared: case folded, full stops and a possessive ending dropped."""
    w = word.casefold().replace("\u2019", "'")
    if w.endswith("'s"):
        w = w[:-2]
    return w.strip(".'-")


def _name_keys(name: str) -> set[tuple[str, ...]]:
    """The word sequences that name a person: the full name, the name without titles and initials, the surname."""
    words = [_fold(w) for w in _TOKEN_RE.findall(name)]
    words = [w for w in words if w]
    keys = {tuple(words)} if words else set()
    # "of" in "THE SECRETARY OF STATE" is no name of anyone's
    core = [w for w in words if w not in TITLES and w not in _SUFFIXES and w not in _FUNCTION_WORDS and len(w) > 1]
    if core:
        keys.add(tuple(core))
        keys.add((core[-1],))
    stripped = tuple(w for w in words if w != "the")
    if stripped:
        keys.add(stripped)
    return keys


@dataclass(frozen=True)
class Person:
    """Someone who speaks in a source: the name the sources give, and the word sequences that name them."""

    name: str
    keys: frozenset[tuple[str, ...]]
    first_names: frozenset[str]


@dataclass(frozen=True)
class Roster:
    """The people who speak in a case's sources, the documents they wrote, and the years of the sources."""

    people: tuple[Person, ...]
    documents: tuple[tuple[str, str], ...]  # (a word of a source's title or id, its speaker)
    years: frozenset[int]

    @classmethod
    def of(cls, sources: Sequence[Document]) -> Roster:
        names: dict[str, set[tuple[str, ...]]] = {}
        first: dict[str, set[str]] = {}

        def add(person: str, label: str | None = None) -> None:
            keys = names.setdefault(person, set())
            if person == PRESS:
                keys.update({(w,) for w in _PRESS_WORDS} | {("q",)})
            keys.update(_name_keys(person))
            core = [_fold(w) for w in _TOKEN_RE.findall(person)]
            core = [w for w in core if w and w not in TITLES and w not in _FUNCTION_WORDS and len(w) > 1]
            if len(core) > 1:
                first.setdefault(person, set()).add(core[0])
            if label:
                keys.update(_name_keys(label))

        documents: list[tuple[str, str]] = []
        years: set[int] = set()
        for doc in sources:
            if doc.speaker:
                add(doc.speaker)
                for w in _TOKEN_RE.findall(f"{doc.title} {doc.id}"):
                    if _fold(w) in DOCUMENT_NOUNS:
                        documents.append((_fold(w), doc.speaker))
            for label, person in doc.speaker_labels:
                add(person, label)
            for p in doc.paragraphs:
                if p.speaker and p.speaker not in names:
                    add(p.speaker)
            year = _year(doc.date)
            if year is not None:
                years.add(year)
        sole = [d.speaker for d in sources if d.speaker]
        if len(set(sole)) == 1:
            documents.append(("", sole[0]))  # any document: the one writer of the case
        people = tuple(
            Person(n, frozenset(k), frozenset(first.get(n, ()))) for n, k in sorted(names.items())
        )
        return cls(people, tuple(documents), frozenset(years))

    def __bool__(self) -> bool:
        return bool(self.people)

    def find(self, words: Sequence[str], raw: Sequence[str] = ()) -> tuple[Person, int] | None:
        """The person a run of folded ``words`` names first, and where that name starts (see :meth:`find_all`)."""
        found = self.find_all(words, raw)
        return (found[0][2], found[0][0]) if found else None

    @cached_property
    def subject_readings(self) -> dict[tuple[str, bool], tuple[_Subject, Credit, int]]:
        """Cues already read against this roster (see :meth:`_Reader.subject`): the words and whether they follow the verb."""
        return {}

    @cached_property
    def cue_readings(self) -> dict[tuple[str, int, bool], tuple[_Subject, Credit, int]]:
        """Cues already read against this roster with the speech verbs of :data:`SPEECH_VERBS` (see :func:`_credit_of`)."""
        return {}

    @cached_property
    def _names(self) -> tuple[dict[tuple[str, ...], list[Person]], dict[str, list[int]]]:
        """The people each name (a key) names, in the roster's order; the lengths of the names each word begins, longest first.

        A place in a run of words is matched against each length of name
        its word begins, by one look-up each: matching it against every
        name the word begins (17 on average in the 10 MB case, whose roster
        has 500 people) took the 506 cues read afresh 4.6 ms, 0.35 ms so
        (CPU time, no profiler).
        """
        people: dict[tuple[str, ...], list[Person]] = {}
        for person in self.people:
            for key in person.keys:
                people.setdefault(key, []).append(person)
        lengths: dict[str, set[int]] = {}
        for key in people:
            lengths.setdefault(key[0], set()).add(len(key))
        return people, {word: sorted(ns, reverse=True) for word, ns in lengths.items()}

    def find_all(self, words: Sequence[str], raw: Sequence[str] = ()) -> list[tuple[int, int, Person]]:
        """Every name of a roster person in folded ``words``: ``(start, end, person)``, the longest at each place.

        A surname alone does not match when ``raw`` (the words as written)
        puts another first name before it ("Heather Smith" is not "John Smith").
        """
        out: list[tuple[int, int, Person]] = []
        for i, word in enumerate(words):
            if out and i < out[-1][1]:
                continue  # inside a longer name already found
            found = self._name_at(words, raw, i, word)
            if found is not None:
                out.append(found)
        return out

    def _name_at(self, words: Sequence[str], raw: Sequence[str], i: int, word: str) -> tuple[int, int, Person] | None:
        """The longest name of a roster person starting at ``words[i]`` (of those as long, the first person's)."""
        people, lengths = self._names
        for n in lengths.get(word, ()):
            if i + n > len(words):
                continue
            for person in people.get(tuple(words[i : i + n]), ()):
                if n == 1 and person.first_names and i > 0 and raw:
                    before = raw[i - 1]
                    folded = _fold(before)
                    if before[:1].isupper() and len(folded) > 1 and folded not in TITLES and folded not in person.first_names:
                        continue
                return i, i + n, person
        return None

    def document_speaker(self, noun: str) -> str | None:
        """The speaker of the source a document noun ("letter") stands for, if the case says."""
        for word, speaker in self.documents:
            if word == noun:
                return speaker
        for word, speaker in self.documents:
            if word == "":
                return speaker
        return None


MentionKind = Literal["person", "document"]


class Mention(NamedTuple):
    """A person or document named in an article's own text (outside quotations), where it stands."""

    pos: int
    kind: MentionKind
    credit: Credit


_Subject = Literal["credit", "pronoun-person", "pronoun-thing", "none"]


@lru_cache(maxsize=8)
def _verb_re(verbs: tuple[str, ...]) -> re.Pattern[str]:
    alt = "|".join(r"\s+".join(map(re.escape, v.split())) for v in sorted(verbs, key=len, reverse=True))
    return re.compile(rf"(?<![\w'\u2019-])(?:{alt})(?![\w'\u2019-])", re.IGNORECASE)


@lru_cache(maxsize=8)
def _verb_search(verbs: tuple[str, ...]) -> VerbPattern | re.Pattern[str]:
    """The search for the speech verb of a cue: :func:`_verb_re`, or extract's search that finds what it finds.

    Extract's search (a prefix trie in folded text) finds what the
    alternation ignoring case finds when every verb is ASCII, with one space
    between words (tests/test_extract.py holds it to the alternation): the
    5,828 cues of the 10 MB case took 0.071 s, profiled, to search with
    the alternation, 0.02 s with the trie.
    """
    pattern = speech_verb_pattern(verbs)
    if pattern is not None and pattern.inner is not None and all(v.strip() for v in verbs):
        return pattern
    return _verb_re(verbs)


def _first_verb(verbs: VerbPattern | re.Pattern[str], text: str, start: int, end: int) -> tuple[int, int] | None:
    """The first speech verb in ``text[start:end]``, as a search with those bounds finds it."""
    if isinstance(verbs, VerbPattern):
        return verbs.first(text, start, end)
    m = verbs.search(text, start, end)
    return m.span() if m else None


class _CueVerbs(NamedTuple):
    """The search for the speech verb of a cue (:func:`_verb_search`), and what it found in the cues searched before.

    Cues repeat ("Mr Darwin said", "the author said"): the 5,780 cues of the
    10 MB case are 506 texts. What a search finds depends on the cue and
    the character before it alone, so it is kept by them: attribution of
    the 2,000 articles took 381 M instructions searching each cue, 342 M
    keeping what was found (callgrind).
    """

    search: VerbPattern | re.Pattern[str]
    found: dict[tuple[str, int], tuple[int, int] | None]

    def first(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        """:func:`_first_verb` of ``self.search``."""
        lo = start - 1 if start > 0 else 0  # a match's first character is checked against the one before
        key = (text[lo:end], start - lo)
        # one look-up, not "in" and then another: 192 M to 190 M instructions for attributing the
        # 2,000 articles of the 10 MB case (callgrind)
        span = self.found.get(key, _UNREAD)
        if span is _UNREAD:
            if len(self.found) >= _MAX_READINGS:
                self.found.clear()
            span = self.found[key] = _first_verb(self.search, key[0], key[1], len(key[0]))
        return None if span is None else (span[0] + lo, span[1] + lo)


# what a cue's search is found as when its cue has not been searched yet (no search finds it)
_UNREAD = (-1, -1)


@lru_cache(maxsize=8)
def _cue_verbs(verbs: tuple[str, ...]) -> _CueVerbs:
    return _CueVerbs(_verb_search(verbs), {})


@lru_cache(maxsize=1)
def _default_cue_verbs() -> _CueVerbs:
    """:func:`_cue_verbs` of :data:`SPEECH_VERBS`, asked without a key: the cached call hashed the
    list's 106 phrases for each article, 2.0 us (timeit): the 2,000 articles of the 10 MB case took
    246 M instructions so, 238 M this way (callgrind)."""
    return _cue_verbs(SPEECH_VERBS)


def _words(text: str, start: int = 0, end: int | None = None) -> list[tuple[str, int]]:
    end = len(text) if end is None else end
    return [(m.group(), m.start()) for m in _TOKEN_RE.finditer(text, start, end)]


def _name_runs(words: Sequence[tuple[str, int]], text: str) -> list[list[tuple[str, int]]]:
    """Runs of capitalised words (initials and titles included) with only spaces between them.

    Function words are stripped from the front of a run, and the words of
    an organisation or a title that stand before a name ("Staff Mark
    Hale" of "Chiefs of Staff Mark Hale").
    """
    runs: list[list[tuple[str, int]]] = []
    cur: list[tuple[str, int]] = []
    # a word between two capitalised ones is more than spaces between them: only the capitalised
    # words need looking at (most words of a paragraph are not)
    for w, pos in [(w, pos) for w, pos in words if w[:1].isupper()]:
        if cur and not text[cur[-1][1] + len(cur[-1][0]) : pos].strip():
            cur.append((w, pos))
            continue
        if cur:
            runs.append(cur)
        cur = [(w, pos)]
    if cur:
        runs.append(cur)
    out = []
    for run in runs:
        while run and (_fold(run[0][0]) in _FUNCTION_WORDS or (len(run) > 2 and _fold(run[0][0]) in _NOT_PERSON_END)):
            run = run[1:]
        if run:
            out.append(run)
    return out


def _person_like(run: Sequence[tuple[str, int]]) -> bool:
    """Whether a run of capitalised words looks like a person's name ("Mark Jones", "Gen Hale")."""
    folded = [_fold(w) for w, _ in run]
    if not folded or folded[-1] in _NOT_PERSON_END or folded[-1] in TITLES:
        return False
    names = [w for w in folded if w not in TITLES and len(w) > 1]
    titled = any(w in TITLES for w in folded[:-1])
    return len(names) >= 2 or (titled and len(names) == 1)


def _line_mentions(line: Sequence[tuple[str, int]], text: str, roster: Roster) -> list[Mention]:
    """People and documents the words of one paragraph name, in text order (a run of a name never crosses a line)."""
    out: list[Mention] = []
    for run in _name_runs(line, text):
        raw = [w for w, _ in run]
        found = roster.find([_fold(w) for w in raw], raw)
        if found:
            out.append(Mention(run[0][1], "person", Credit(found[0].name, True)))
        elif _person_like(run):
            out.append(Mention(run[0][1], "person", Credit(" ".join(raw))))
    # A word that folds to a document noun holds it once case folded, and case folding goes letter
    # by letter: a paragraph whose folded words hold none names no document, and most do not.
    if _DOCUMENT_HINT_RE.search(" ".join(w for w, _ in line).casefold()):
        folded = [_fold(w) for w, _ in line]
        for k, (_w, p) in enumerate(line):
            f = folded[k]
            if f in DOCUMENT_NOUNS and k > 0 and folded[k - 1] in _DETERMINERS:
                speaker = roster.document_speaker(f)
                out.append(Mention(p, "document", Credit(speaker, speaker is not None)))
    out.sort(key=lambda m: m.pos)
    return out


def _read_subject(
    words: Sequence[tuple[str, int]], text: str, start: int, roster: Roster, after_verb: bool
) -> tuple[_Subject, Credit, int]:
    """Read ``words`` (of ``text``, from ``start``) as the subject of a speech verb: who they name, and where.

    Of the people, documents and pronouns they name, the one nearest the
    verb is the subject ("after General Jane Doe ... told"; "The letter
    from Brigadier Hale ... said"); after the verb, the first.
    """
    if not words:
        return "none", Credit(), start
    folded = [_fold(w) for w, _ in words]
    raw = [w for w, _ in words]
    found: list[tuple[int, _Subject, Credit]] = []
    for i, _end, person in roster.find_all(folded, raw):
        found.append((i, "credit", Credit(person.name, True)))
    for k, f in enumerate(folded):
        if f in DOCUMENT_NOUNS and (k == 0 or folded[k - 1] in _DETERMINERS or raw[k][:1].isupper()):
            speaker = roster.document_speaker(f)
            found.append((k, "credit", Credit(speaker, speaker is not None)))
        elif f in _THING_PRONOUNS:
            found.append((k, "pronoun-thing", Credit()))
        elif f in _PERSON_PRONOUNS and not (after_verb and k > 0):
            found.append((k, "pronoun-person", Credit()))
    runs = _name_runs(words, text)
    index = {pos: k for k, (_, pos) in enumerate(words)}
    for run in runs:
        if _person_like(run) and not any(index[run[0][1]] <= k < index[run[0][1]] + len(run) for k, kind, _ in found if kind == "credit"):
            found.append((index[run[0][1]], "credit", Credit(" ".join(w for w, _ in run))))
    if found:
        k, kind, credit = (min if after_verb else max)(found, key=lambda c: c[0])
        return kind, credit, words[k][1]
    # someone described, not named: "a heckler", "the union leader", "US general"
    if len(folded) <= _MAX_DESCRIPTION_WORDS and ((folded[0] in _DETERMINERS and len(folded) > 1) or runs):
        return "credit", Credit(" ".join(raw)), words[0][1]
    return "none", Credit(), start


def _sentence_end_search_start(text: str, pos: int) -> int:
    """Where a search finds every sentence end (:data:`_SENTENCE_END_RE`) that ends after ``pos``.

    A sentence end is a mark followed by closing quotes and spaces; a
    search from ``pos`` would miss the one whose closing quotes or spaces
    ``pos`` stands in, so it starts at that one's mark. No sentence end
    holds a mark after its first character, so the search finds the same
    ones a search of the whole text does.
    """
    if 0 < pos < len(text) and text[pos - 1].isspace() and not text[pos].isspace():
        # the spaces before ``pos`` end there: a sentence end holding them ends at ``pos``, not
        # after (most often ``pos`` starts a paragraph); 5,828 walks back over the spaces and
        # quotes before it took 0.013 s, profiled, in the 10 MB case
        return pos
    while pos > 0 and _SENTENCE_TAIL_CHAR_RE.match(text, pos - 1):
        pos -= 1
    if pos > 0 and _SENTENCE_MARK_RE.match(text, pos - 1):
        pos -= 1
    return pos


#: a paragraph's start, read by map for all an article's paragraphs at once
_START = attrgetter("start")


class _Reader:
    """Reads the credits of one article's quotations, in order.

    The people and documents an article names are read a paragraph at a
    time, only where a pronoun looks for its antecedent or a cue is carried
    to the next quotation: reading every word of every article took 2.0 s
    of attribution's 2.6 s for the 2,000 articles of the 10 MB case, where
    most quotations name their speaker in their cue. A paragraph's mentions
    depend on its own words only, so reading them one by one finds what
    reading the whole article finds.
    """

    def __init__(self, article: Document, quotations: Sequence[Quotation], roster: Roster) -> None:
        self.text = article.text
        self.roster = roster
        self.quotations = quotations
        # listed by a loop, not a comprehension, whose function and frame Python 3.11 makes at each use
        # (203 M to 193 M instructions for attributing the 2,000 articles of the 10 MB case, callgrind),
        # and taken as they come when in order, as extraction gives them: their starts, and their ends,
        # which are then the furthest end of the quotations starting at or before each one (they may
        # touch); sorted as pairs, and their ends' running maximum taken, only when not. With the
        # paragraphs' starts listed by map, the readers of the 2,000 articles were made in 34.6 M
        # instructions listing pairs and sorting them, 31.3 M so (callgrind)
        starts: list[int] = []
        ends: list[int] = []
        for q in quotations:
            spans = q.spans
            starts.append(spans[0][0] - 1)
            ends.append(spans[-1][1] + 1)
        if sorted(starts) != starts or sorted(ends) != ends:
            quoted = sorted(zip(starts, ends))
            starts = [a for a, _ in quoted]
            ends = list(accumulate([b for _, b in quoted], max))
        self.quoted_starts = starts
        self.quoted_ends = ends
        paragraphs = article.paragraphs
        self.para_starts: list[int] = list(map(_START, paragraphs)) if paragraphs else [0]
        self.date = article.date
        self._mentions_of: dict[int, list[Mention]] = {}  # by paragraph, as they are read

    @cached_property
    def article_year(self) -> int | None:
        """The year the article is dated, read only for a sentence that dates its words (seldom)."""
        return _year(self.date)

    def paragraph_of(self, pos: int) -> int:
        """The index of the paragraph ``pos`` stands in."""
        return max(0, bisect_right(self.para_starts, pos) - 1)

    def _inside_quotation(self, pos: int) -> bool:
        i = bisect_right(self.quoted_starts, pos) - 1
        return i >= 0 and pos < self.quoted_ends[i]

    def _touches_quotation(self, start: int, end: int) -> bool:
        """Whether a quotation (with its marks) overlaps ``text[start:end]``."""
        i = bisect_left(self.quoted_starts, end) - 1
        return i >= 0 and self.quoted_ends[i] > start

    def _region(self, para: int) -> tuple[int, int]:
        """The stretch of text whose words belong to paragraph ``para``: to the next paragraph's start."""
        lo = self.para_starts[para] if para else 0
        hi = self.para_starts[para + 1] if para + 1 < len(self.para_starts) else len(self.text)
        return lo, hi

    def _paragraph_words(self, para: int) -> list[tuple[str, int]]:
        """The words that start in paragraph ``para``'s region, outside quotations, as a read of the whole text finds them."""
        lo, hi = self._region(para)
        text = self.text
        # read from and to a place no word runs across, so that no word is cut
        start, stop = lo, hi
        while start > 0 and _WORD_CHAR_RE.match(text, start - 1):
            start -= 1
        while stop < len(text) and _WORD_CHAR_RE.match(text, stop):
            stop += 1
        words = _words(text, start, stop)
        if self._touches_quotation(lo, hi):
            return [(w, p) for w, p in words if lo <= p < hi and not self._inside_quotation(p)]
        return [(w, p) for w, p in words if lo <= p < hi]

    def paragraph_mentions(self, para: int) -> list[Mention]:
        """People and documents named in paragraph ``para``'s own text, in text order."""
        found = self._mentions_of.get(para)
        if found is None:
            found = self._mentions_of[para] = _line_mentions(self._paragraph_words(para), self.text, self.roster)
        return found

    def subject(self, start: int, end: int, *, after_verb: bool) -> tuple[_Subject, Credit, int]:
        """Read the words ``text[start:end]`` as the subject of a speech verb: who it names, and where (see :func:`_read_subject`)."""
        if self._touches_quotation(start, end):
            words = [(w, p) for w, p in _words(self.text, start, end) if not self._inside_quotation(p)]
            return _read_subject(words, self.text, start, self.roster, after_verb)
        # Outside quotations the reading depends on the words alone, and cues repeat ("he said",
        # "the minister told"): the roster keeps each reading, with its place relative to the words.
        # Under cProfile, the 5,828 cues of the 10 MB case: 0.18 s read afresh, 0.01 s kept.
        cue = self.text[start:end]
        readings = self.roster.subject_readings
        reading = readings.get((cue, after_verb))
        if reading is None:
            if len(readings) >= _MAX_READINGS:
                readings.clear()
            reading = readings[(cue, after_verb)] = _read_subject(_words(cue), cue, 0, self.roster, after_verb)
        kind, credit, at = reading
        return kind, credit, start + at

    def antecedent(self, pos: int, kind: _Subject, earlier: Sequence[tuple[int, Credit]]) -> Credit:
        """The nearest person (or, for "it", document) named or credited before ``pos``, within a window."""
        want: set[MentionKind] = {"document"} if kind == "pronoun-thing" else (
            {"person"} if kind == "pronoun-person" else {"person", "document"}
        )
        named = self._nearest_mention(pos, want)
        best: tuple[int, Credit] | None = (named.pos, named.credit) if named else None
        for at, credit in reversed(earlier):
            if at >= pos:
                continue
            if pos - at > _ANTECEDENT_WINDOW or (best is not None and at < best[0]):
                break
            if kind != "pronoun-thing" or self._credit_is_document(credit):
                best = (at, credit)
                break
        return best[1] if best else Credit()

    def _nearest_mention(self, pos: int, want: set[MentionKind]) -> Mention | None:
        """The last mention of a kind in ``want`` before ``pos``, within the antecedent window."""
        para = self.paragraph_of(pos)
        while para >= 0:
            for m in reversed(self.paragraph_mentions(para)):
                if m.pos >= pos:
                    continue
                if pos - m.pos > _ANTECEDENT_WINDOW:
                    return None
                if m.kind in want:
                    return m
            if pos - self._region(para)[0] >= _ANTECEDENT_WINDOW:
                return None  # every earlier mention is out of the window
            para -= 1
        return None

    def mentions_between(self, start: int, end: int) -> list[Mention]:
        """The mentions from ``start`` up to ``end``, in text order."""
        out: list[Mention] = []
        for para in range(self.paragraph_of(start), self.paragraph_of(end) + 1):
            out.extend(m for m in self.paragraph_mentions(para) if start <= m.pos < end)
        return out

    def _credit_is_document(self, credit: Credit) -> bool:
        return any(speaker == credit.speaker for _, speaker in self.roster.documents)

    def sentence_start(self, pos: int) -> int:
        """Where the sentence holding ``pos`` starts: after the last sentence end before it in its paragraph.

        A long sentence is read near its end only ("said", "told reporters"
        and their subject), so only the sentence ends of that stretch are
        looked for, not those of the whole article.
        """
        lo = self.para_starts[self.paragraph_of(pos)]
        start = max(lo, pos - _SENTENCE_WINDOW)
        # a sentence end that ends by ``pos`` is found by a search that sees the text up to two code
        # points past ``pos`` (what its lookahead reads): the search stops there, not at the next
        # sentence end, inside the quotation most often: attribution of the 2,000 articles of the
        # 10 MB case took 379 M instructions searching on, 342 M stopping there (callgrind)
        for m in _SENTENCE_END_RE.finditer(self.text, _sentence_end_search_start(self.text, start), pos + 2):
            if m.end() > pos:
                break
            if m.end() > start and not self._inside_quotation(m.start()):
                start = m.end()
        return start

    def sentence_of_other_occasion(self, pos: int, end: int) -> bool:
        """:meth:`other_occasion` of the text from the start of the sentence holding ``pos`` to ``end``.

        The sentence's start is looked for only when the text it may start
        in, up to :data:`_SENTENCE_WINDOW` before ``pos`` in its paragraph,
        holds a year's digits or "year" (each dating pattern holds one of
        them, and the text from the sentence's start is part of that text):
        none of the 5,780 quotations of the 10 MB case does.

        The text is sliced once and looked into by ``in`` for the digits
        that begin a year before the search for a year's four digits is
        called, and its start is found without calls of ``max`` (which
        parses its arguments as keywords) or of :meth:`paragraph_of`: the
        2,000 articles of the 10 MB case were attributed in 241 M
        instructions searching each quotation's text, 215 M so (callgrind).
        """
        starts = self.para_starts
        para = bisect_right(starts, pos) - 1  # paragraph_of(pos) written out, as is the max of two below
        window = starts[para if para > 0 else 0]
        if window < pos - _SENTENCE_WINDOW:
            window = pos - _SENTENCE_WINDOW
        near = self.text[window:end]
        # lowered only when it holds a "y" or a "Y", the only characters that lower to one
        # (tests/test_attribute.py checks every code point)
        if ("19" in near or "20" in near) and _DATE_YEAR_RE.search(near) is not None or (
            ("y" in near or "Y" in near) and "year" in near.lower()
        ):
            return self.other_occasion(self.sentence_start(pos), end)
        return False

    def other_occasion(self, start: int, end: int) -> bool:
        """Whether the text from ``start`` to ``end`` dates the words to a year no source is of."""
        text = self.text[start:end]
        # Each pattern holds a literal the text must have for it to match (a year's
        # digits; "year"), looked for first: the case-blind patterns, searched in the
        # 400 characters before each of the 5,828 quotations of the 10 MB case, took
        # 0.13 s; with the look first, 0.03 s.
        for m in _YEAR_RE.finditer(text) if _DATE_YEAR_RE.search(text) else ():
            year = int(m.group(1))
            if year not in self.roster.years and (self.article_year is None or year < self.article_year):
                return True
        if "year" in text.lower() and _RELATIVE_PAST_RE.search(text):
            if self.article_year is None or self.article_year - 1 not in self.roster.years:
                return True
        return False


def _year(date: str) -> int | None:
    """The year a date (``2020-01-06``) begins with."""
    m = _DATE_YEAR_RE.match(date or "")
    return int(m.group(1)) if m else None


def credit_quotations(
    article: Document, quotations: Sequence[Quotation], roster: Roster, *, speech_verbs: Iterable[str] = SPEECH_VERBS
) -> tuple[Credit, ...]:
    """The person the article credits with each of ``quotations`` (in text order), read against ``roster``."""
    if speech_verbs is SPEECH_VERBS:
        return _credits(_Reader(article, quotations, roster), _default_cue_verbs(), roster.cue_readings)
    return _credits(_Reader(article, quotations, roster), _cue_verbs(tuple(speech_verbs)), None)


def _credits(
    reader: _Reader, verbs: _CueVerbs, readings: dict[tuple[str, int, bool], _CueReading] | None = None
) -> tuple[Credit, ...]:
    """The credits of the reader's quotations; ``readings``: the cues read before with ``verbs`` (see :func:`_credit_of`)."""
    quotations = reader.quotations
    out: list[Credit] = []
    earlier: list[tuple[int, Credit]] = []
    for n, q in enumerate(quotations):
        credit = _credit_of(reader, verbs, q, quotations[n - 1] if n else None, out[-1] if out else None, earlier, readings)
        start = q.spans[0][0]
        cue = q.attribution_span
        cue_end = cue[1] if cue else start
        if reader.sentence_of_other_occasion(start, cue_end if cue_end > start else start):
            credit = Credit(credit.speaker, credit.in_sources, True)
        out.append(credit)
        if credit.speaker is not None:
            earlier.append((cue[0] if cue else start, credit))
    return tuple(out)


# what a cue reads as (see :func:`_read_cue`): the kind of its subject, the credit, where the subject stands
# from the cue's start
_CueReading = tuple[_Subject, Credit, int]
# the credit of a cue without a speech verb
_NOBODY = Credit()


def _credit_of(
    reader: _Reader,
    verbs: _CueVerbs,
    q: Quotation,
    previous: Quotation | None,
    previous_credit: Credit | None,
    earlier: Sequence[tuple[int, Credit]],
    readings: dict[tuple[str, int, bool], _CueReading] | None,
) -> Credit:
    """The credit of quotation ``q``: its cue read by :func:`_read_cue`, or the subject of the cue's sentence, or an antecedent.

    A cue that no quotation touches reads the same wherever it stands
    (:func:`_read_cue` reads its text and the character before it), and cues
    repeat ("Mr Darwin said"): kept in ``readings``, the search for its verb
    and the reading of its subject are one look-up, where each was one
    (with their readers made leaner, the 2,000 articles of the 10 MB case
    were attributed in 189.5 M instructions so, 159.3 M kept, callgrind).
    """
    if q.attribution_span is None:
        return _carried(reader, q, previous, previous_credit)
    cs, ce = q.attribution_span
    after = cs > q.spans[0][0]
    if readings is None or reader._touches_quotation(cs, ce):
        reading = _read_cue(reader, verbs, cs, ce, after)
    else:
        lo = cs - 1 if cs > 0 else 0  # the verb's search checks a match's first character against the one before
        key = (reader.text[lo:ce], cs - lo, after)
        kept = readings.get(key)
        if kept is None:
            if len(readings) >= _MAX_READINGS:
                readings.clear()
            kept = readings[key] = _read_cue(reader, verbs, cs, ce, after)
        reading = kept
    kind, credit, at = reading
    if kind == "credit":
        return credit
    if kind == "none":
        # a bare verb ("adding", "told reporters"): the subject of its sentence
        head = reader.sentence_start(cs)
        kind, credit, at = reader.subject(head, cs, after_verb=False)
        if kind == "credit":
            return credit
        if kind == "none":
            at = cs
    else:
        at += cs
    return reader.antecedent(at, kind, earlier)


def _read_cue(reader: _Reader, verbs: _CueVerbs, cs: int, ce: int, after: bool) -> _CueReading:
    """The subject of the cue ``text[cs:ce]`` (``after`` the quotation or before it), where it stands from ``cs``.

    The subject before the cue's speech verb, else the words after it when
    the cue follows the quotation or its verb is "according to"; ``"none"``
    when neither names one. A cue without a speech verb credits nobody.
    """
    text = reader.text
    verb = verbs.first(text, cs, ce)
    if verb is None:
        return "credit", _NOBODY, 0
    vs, ve = verb
    kind, credit, at = reader.subject(cs, vs, after_verb=False)
    if kind == "none" and (after or text[vs:ve].lower() == "according to"):
        kind, credit, at = reader.subject(ve, ce, after_verb=True)
    return kind, credit, at - cs


def _carried(reader: _Reader, q: Quotation, previous: Quotation | None, previous_credit: Credit | None) -> Credit:
    """A quotation without a cue: the credit of the quotation before it in its paragraph, if no name stands between."""
    if previous is None or previous_credit is None:
        return Credit()
    gap = (previous.spans[-1][1], q.spans[0][0])
    if reader.paragraph_of(gap[0]) != reader.paragraph_of(gap[1]):
        return Credit()
    cue = previous.attribution_span or (0, 0)
    if any(not cue[0] <= m.pos < cue[1] for m in reader.mentions_between(*gap)):
        return Credit()
    return previous_credit
