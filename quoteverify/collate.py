"""Collate: two whole documents, two witnesses of one text, compared word by word.

``quoteverify diff BASE OTHER`` is :func:`collate` and a rendering. The word
diff is :func:`quoteverify.align.diff_words_first` on the folded tokens of both
texts; for long texts it first fixes anchors (words found once in each text,
in the same order, with a matching neighbour) and diffs between them, so that
a pair of 70,000-word documents takes seconds. The changes are then named with
the taxonomy of :mod:`quoteverify.classify`, with what only whole documents
have:

- a passage deleted in one place and inserted, perhaps reworded, in another
  is one ``transposition`` (a move) with spans in both texts and the wording
  variants inside the moved text;
- a sentence or paragraph present in one text only is one variant covering
  it, its edges slid to the sentence or paragraph boundaries;
- paragraphs split or merged are layout changes (``paragraphing``), not
  wording variants;
- a stretch the two texts share little of (changes with a few shared words
  between them, the changed words the larger part) is one rewritten
  passage, a ``substitution`` listing the shared words, not dozens of
  one-word variants;
- punctuation that changes next to a changed word is a ``punctuation``
  variant of its own (``", but"`` for ``"; while"`` is a punctuation change
  and a substitution), and quote marks put around words move nothing.

Edges matter here: whole documents are not partial quotations, so a dropped
first word is an omission.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal


from quoteverify.align import diff_sequences, diff_words_first, trim_stray_runs
from quoteverify.classify import classify_alignment, is_transposition
from quoteverify.ingest import find_paragraphs
from quoteverify.models import AlignOp, Alignment, Document, Kind, Severity, Span, Token
from quoteverify.normalize import tokenize

#: the fewest matched words a move must carry
MIN_MOVE_WORDS = 4
#: the share of a moved passage's words (on each side) that must match, and
#: of the smaller of the two changes it is taken from (unless it is long)
MIN_MOVE_SHARE = 0.6
#: a matched stretch this long is a move wherever it goes, whatever surrounds it
SURE_MOVE_WORDS = 12
#: a shorter one only within this many tokens of where it was
NEAR_MOVE_TOKENS = 150
#: changes closer than this many equal tokens are classified together
CLUSTER_GAP = 3
#: how many deleted or inserted stretches a moved passage is compared with
MOVE_CANDIDATES = 4
#: stretches longer than this (tokens, both sides) are narrowed before they are re-aligned
MATCH_WINDOW = 600
#: a matched run at the edge of a re-aligned move is a chance match when the gap
#: to the next run (tokens skipped on both sides) is more than this many times its words
STRAY_GAP_PER_WORD = 4
#: a whole sentence dropped or added has at least this many words
MIN_UNIT_WORDS = 3
#: and a run of at most this many sentences is tried as one unit
MAX_UNIT_SENTENCES = 6
#: in stretches of at most this many tokens (both sides)
MAX_UNIT_REGION = 600
#: trying at most this many units (those with most words the other side lacks)
MAX_UNIT_TRIES = 6

#: changes with at most this many shared words between them may be one rewritten passage
REWRITE_GAP_WORDS = 3
#: a stretch is rewritten when its two sides share at most this share of the words of the longer side
REWRITE_SHARE = 1 / 3
#: and each side has at least this many words of its own
REWRITE_MIN_WORDS = 4
#: punctuation at the edge of a word change is a change of its own when the words are at most this many
SPLIT_PUNCTUATION_WORDS = 3

Unit = Literal["words", "sentence", "paragraph"]

# boundary strength between two tokens
_NONE, _CLAUSE, _SENTENCE, _PARAGRAPH = 0, 1, 2, 3
_SENTENCE_END = frozenset(".!?")
_CLOSERS = frozenset("\"')]}")
_CLAUSE_END = frozenset(",;:")
_OPENERS = frozenset("([{\"'")


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class DocVariant:
    """A difference between two witnesses of one text.

    ``source_text`` is BASE's words, ``quote_text`` OTHER's (the field names
    of the report's variants). ``base_span``/``other_span`` are offsets into
    the two decoded texts; the side that has no words gets a zero-width span
    where they would stand. ``unit`` says whether an omission or insertion
    covers whole sentences or paragraphs. A moved passage is a
    ``transposition`` whose ``inner`` variants are the wording changes inside
    the moved text. A passage rewritten from end to end is one
    ``substitution`` whose ``shared`` lists the few words the two sides still
    have in common, as pairs of spans (BASE's, OTHER's).
    """

    kind: Kind
    source_text: str
    quote_text: str
    base_span: Span
    other_span: Span
    unit: Unit = "words"
    moved: bool = False
    inner: tuple["DocVariant", ...] = ()
    shared: tuple[tuple[Span, Span], ...] = ()
    #: what the change does to the meaning (the tags of classify)
    meaning: tuple[str, ...] = ()

    @property
    def rewritten(self) -> bool:
        """Whether this is a passage rewritten from end to end (one variant for many small ones)."""
        return bool(self.shared)

    @property
    def severity(self) -> Severity:
        return self.kind.severity


@dataclass(frozen=True)
class LayoutChange:
    """Paragraphs split or merged: a change of layout, not of wording.

    ``change`` is ``"split"`` (one BASE paragraph is several in OTHER) or
    ``"merged"`` (several BASE paragraphs are one in OTHER).
    """

    change: Literal["split", "merged"]
    base_paragraphs: tuple[int, ...]
    other_paragraphs: tuple[int, ...]
    base_span: Span
    other_span: Span

    @property
    def kind(self) -> str:
        return "paragraphing"


@dataclass(frozen=True)
class Collation:
    """Two documents collated: the wording variants and the layout changes, in BASE order."""

    base: Document
    other: Document
    variants: tuple[DocVariant, ...]
    layout: tuple[LayoutChange, ...]

    @property
    def identical(self) -> bool:
        """True when the two texts differ in typography at most."""
        return not self.variants and not self.layout


# --------------------------------------------------------------------------- the two texts


@dataclass(frozen=True)
class _View:
    """A sequence of tokens as the aligner sees it: keys, word flags and boundary strengths.

    ``index[k]`` is the position in the whole document of the view's token
    ``k`` (a view may leave out moved passages); ``cuts[k]`` is the strength of
    the boundary before token ``k`` (``len(keys) + 1`` entries).
    """

    keys: tuple[str, ...]
    words: tuple[bool, ...]
    cuts: tuple[int, ...]
    index: tuple[int, ...]

    def word_count(self, t0: int, t1: int) -> int:
        return sum(self.words[t0:t1])

    def subset(self, keep: Sequence[int]) -> "_View":
        """The view of some of its tokens (positions in this view, in order).

        Where tokens are left out between two kept ones, the boundary
        between them is the stronger of the two boundaries around the gap.
        """
        cuts = []
        for n, k in enumerate(keep):
            c = self.cuts[k]
            if n and keep[n - 1] + 1 != k:
                c = max(c, self.cuts[keep[n - 1] + 1])
            cuts.append(c)
        cuts.append(self.cuts[keep[-1] + 1] if keep else self.cuts[-1])
        return _View(
            tuple(self.keys[k] for k in keep),
            tuple(self.words[k] for k in keep),
            tuple(cuts),
            tuple(self.index[k] for k in keep),
        )


@dataclass(frozen=True)
class _Side:
    """One document: its tokens, paragraphs and the whole-document view."""

    doc: Document
    tokens: tuple[Token, ...]
    view: _View
    para_of: tuple[int, ...]  # paragraph number of each token
    paragraphs: tuple[Span, ...]
    starts: tuple[int, ...]  # start offset of each token

    def text(self, t0: int, t1: int) -> str:
        if t0 >= t1:
            return ""
        return self.doc.text[self.tokens[t0].start : self.tokens[t1 - 1].end]

    def span(self, t0: int, t1: int) -> Span:
        if t0 >= t1:
            p = self.point(t0)
            return (p, p)
        return (self.tokens[t0].start, self.tokens[t1 - 1].end)

    def point(self, t: int) -> int:
        """The character position just before token ``t`` (after the previous token)."""
        if t <= 0:
            return self.tokens[0].start if self.tokens else 0
        return self.tokens[min(t, len(self.tokens)) - 1].end

    def token_at(self, pos: int) -> int:
        """The index of the first token starting at or after ``pos``."""
        return bisect_right(self.starts, pos - 1)

    def unit(self, t0: int, t1: int) -> Unit:
        """Whether tokens ``t0:t1`` are whole paragraphs, whole sentences, or just words."""
        if t0 >= t1:
            return "words"
        cuts = self.view.cuts
        if cuts[t0] >= _PARAGRAPH and cuts[t1] >= _PARAGRAPH:
            return "paragraph"
        if cuts[t0] >= _SENTENCE and cuts[t1] >= _SENTENCE:
            return "sentence"
        return "words"


def paragraph_spans(doc: Document) -> tuple[Span, ...]:
    """The paragraphs of a document as spans: its own, or blocks between blank lines."""
    if doc.paragraphs:
        return tuple((p.start, p.end) for p in doc.paragraphs)
    return tuple((p.start, p.end) for p in find_paragraphs(doc.text, role="source"))


def _side(doc: Document) -> _Side:
    tokens = tokenize(doc.text)
    paras = paragraph_spans(doc)
    starts = [p[0] for p in paras]
    para_of = tuple(max(bisect_right(starts, t.start) - 1, 0) for t in tokens)
    cuts = [_PARAGRAPH]
    for k in range(1, len(tokens)):
        prev, cur = tokens[k - 1], tokens[k]
        if para_of[k] != para_of[k - 1]:
            cuts.append(_PARAGRAPH)
        elif cur.is_word and _ends_sentence(tokens, k):
            cuts.append(_SENTENCE)
        elif not prev.is_word and prev.norm in _CLAUSE_END:
            cuts.append(_CLAUSE)
        else:
            cuts.append(_NONE)
    cuts.append(_PARAGRAPH)
    view = _View(
        tuple(t.norm for t in tokens),
        tuple(t.is_word for t in tokens),
        tuple(cuts),
        tuple(range(len(tokens))),
    )
    return _Side(doc, tokens, view, para_of, paras, tuple(t.start for t in tokens))


def _ends_sentence(tokens: Sequence[Token], k: int) -> bool:
    """Whether tokens[:k] end a sentence: a full stop, question or exclamation mark, maybe closed by a quote mark."""
    j = k - 1
    while j >= 0 and not tokens[j].is_word and tokens[j].norm in _CLOSERS:
        j -= 1
    return j >= 0 and not tokens[j].is_word and tokens[j].norm[-1:] in _SENTENCE_END


# --------------------------------------------------------------------------- aligning two views


def _align_views(a: _View, b: _View) -> list[AlignOp]:
    """The word diff of two views, with whole sentences kept whole and edges on boundaries."""
    ops = list(diff_words_first(a.keys, b.keys, a.words, b.words))
    ops = _whole_units(ops, a, b)
    return _slide(ops, a, b)


def _slide(ops: list[AlignOp], a: _View, b: _View) -> list[AlignOp]:
    """Slide each pure deletion or insertion along the text it repeats to the best boundaries.

    "x. A b. A c." less "A b." can be read as dropping "A b." or "b. A";
    both are the same edit, and the one that starts and ends on sentence or
    paragraph boundaries is the one a reader sees.
    """
    ops = list(ops)
    for n, op in enumerate(ops):
        if op.op not in ("delete", "insert"):
            continue
        prev = ops[n - 1] if n > 0 else None
        nxt = ops[n + 1] if n + 1 < len(ops) else None
        if (prev is not None and prev.op != "equal") or (nxt is not None and nxt.op != "equal"):
            continue
        side, lo, hi = (a, op.src[0], op.src[1]) if op.op == "delete" else (b, op.quo[0], op.quo[1])
        keys, cuts = side.keys, side.cuts
        # an equality may be used up only at the very start or end of the texts
        room_left = 0 if prev is None else prev.src[1] - prev.src[0] - (0 if n == 1 else 1)
        room_right = 0 if nxt is None else nxt.src[1] - nxt.src[0] - (0 if n + 2 == len(ops) else 1)
        best_k, best_score = 0, cuts[lo] + cuts[hi]
        k = 1
        while k <= room_left and keys[lo - k] == keys[hi - k]:
            score = cuts[lo - k] + cuts[hi - k]
            if score > best_score:
                best_k, best_score = -k, score
            k += 1
        k = 1
        while k <= room_right and keys[lo + k - 1] == keys[hi + k - 1]:
            score = cuts[lo + k] + cuts[hi + k]
            if score > best_score:
                best_k, best_score = k, score
            k += 1
        if best_k == 0:
            continue
        d = best_k
        if prev is not None:
            ops[n - 1] = AlignOp("equal", (prev.src[0], prev.src[1] + d), (prev.quo[0], prev.quo[1] + d))
        ops[n] = AlignOp(op.op, (op.src[0] + d, op.src[1] + d), (op.quo[0] + d, op.quo[1] + d))
        if nxt is not None:
            ops[n + 1] = AlignOp("equal", (nxt.src[0] + d, nxt.src[1]), (nxt.quo[0] + d, nxt.quo[1]))
    return [op for op in ops if op.src[0] < op.src[1] or op.quo[0] < op.quo[1]]


def _swap(ops: Sequence[AlignOp]) -> list[AlignOp]:
    flip = {"delete": "insert", "insert": "delete"}
    return [AlignOp(flip.get(op.op, op.op), op.quo, op.src) for op in ops]  # type: ignore[arg-type]


def _cost(ops: Sequence[AlignOp], a: _View, b: _View) -> float:
    """How scattered a stretch of alignment is: changes count, whole sentences dropped or added count half."""
    cost = 0.0
    for op in ops:
        if op.op == "equal":
            continue
        whole = False
        if op.op == "delete":
            whole = a.cuts[op.src[0]] >= _SENTENCE and a.cuts[op.src[1]] >= _SENTENCE
        elif op.op == "insert":
            whole = b.cuts[op.quo[0]] >= _SENTENCE and b.cuts[op.quo[1]] >= _SENTENCE
        cost += (0.5 if whole else 1.0) + 0.05 * (op.src[1] - op.src[0] + op.quo[1] - op.quo[0])
    return cost


def _whole_units(ops: list[AlignOp], a: _View, b: _View) -> list[AlignOp]:
    """Re-align clusters of changes where one side has whole sentences the other lacks.

    "minutes rather than half an hour. Nobody should have to wait half an
    hour for help." against "minutes instead of half an hour." is best read
    as "rather than" -> "instead of" and one dropped sentence, not as a long
    substitution and a dropped "for help": of the alignments as good word
    for word, the one that drops whole sentences is kept.
    """
    groups = _cluster_indices(ops)
    for g0, g1 in reversed(groups):
        s0, s1 = ops[g0].src[0], ops[g1 - 1].src[1]
        q0, q1 = ops[g0].quo[0], ops[g1 - 1].quo[1]
        wa, wb = a.word_count(s0, s1), b.word_count(q0, q1)
        if abs(wa - wb) < MIN_UNIT_WORDS:
            continue
        longer_is_a = wa > wb
        x = a if longer_is_a else b
        # widen the stretch into the equalities around it, to the sentence boundaries of the longer side
        lead = 0
        if g0 > 0 and ops[g0 - 1].op == "equal":
            eq = ops[g0 - 1]
            start = (eq.src if longer_is_a else eq.quo)[0]
            here = s0 if longer_is_a else q0
            t = here
            while t > start and x.cuts[t] < _SENTENCE:
                t -= 1
            lead = here - t
        trail = 0
        if g1 < len(ops) and ops[g1].op == "equal":
            eq = ops[g1]
            end = (eq.src if longer_is_a else eq.quo)[1]
            here = s1 if longer_is_a else q1
            t = here
            while t < end and x.cuts[t] < _SENTENCE:
                t += 1
            trail = t - here
        A0, A1, B0, B1 = s0 - lead, s1 + trail, q0 - lead, q1 + trail
        region = _region(ops, g0, g1, lead, trail)
        best = _best_unit_alignment(region, a, b, A0, A1, B0, B1) if longer_is_a else None
        if not longer_is_a:
            swapped = _best_unit_alignment(_swap(region), b, a, B0, B1, A0, A1)
            best = _swap(swapped) if swapped is not None else None
        if best is None:
            continue
        before = ops[:g0]
        if lead:
            eq = before.pop()
            if eq.src[1] - eq.src[0] > lead:
                before.append(AlignOp("equal", (eq.src[0], eq.src[1] - lead), (eq.quo[0], eq.quo[1] - lead)))
        after = ops[g1:]
        if trail:
            eq = after.pop(0)
            if eq.src[1] - eq.src[0] > trail:
                after.insert(0, AlignOp("equal", (eq.src[0] + trail, eq.src[1]), (eq.quo[0] + trail, eq.quo[1])))
        ops = before + best + after
    return ops


def _region(ops: Sequence[AlignOp], g0: int, g1: int, lead: int, trail: int) -> list[AlignOp]:
    out = []
    if lead:
        eq = ops[g0 - 1]
        out.append(AlignOp("equal", (eq.src[1] - lead, eq.src[1]), (eq.quo[1] - lead, eq.quo[1])))
    out.extend(ops[g0:g1])
    if trail:
        eq = ops[g1]
        out.append(AlignOp("equal", (eq.src[0], eq.src[0] + trail), (eq.quo[0], eq.quo[0] + trail)))
    return out


def _best_unit_alignment(
    region: list[AlignOp], a: _View, b: _View, A0: int, A1: int, B0: int, B1: int
) -> list[AlignOp] | None:
    """The cheapest alignment of ``a[A0:A1]`` and ``b[B0:B1]`` that drops a run of whole sentences of ``a``, if cheaper."""
    if (A1 - A0) + (B1 - B0) > MAX_UNIT_REGION:
        return None
    surplus = a.word_count(A0, A1) - b.word_count(B0, B1)
    best_cost = _cost(region, a, b) - 1e-9
    best: list[AlignOp] | None = None
    matched = bytearray(A1 - A0)  # tokens of a the current alignment keeps
    for op in region:
        if op.op == "equal":
            for t in range(op.src[0], op.src[1]):
                matched[t - A0] = 1
    sentence_bounds = [t for t in range(A0, A1 + 1) if a.cuts[t] >= _SENTENCE]
    other_words = Counter(k.casefold() for k, w in zip(b.keys[B0:B1], b.words[B0:B1]) if w)
    candidates: list[tuple[float, int, int]] = []
    for i, u0 in enumerate(sentence_bounds):
        for u1 in sentence_bounds[i + 1 : i + 1 + MAX_UNIT_SENTENCES]:
            n = a.word_count(u0, u1)
            if n < max(MIN_UNIT_WORDS, surplus / 2 - MIN_UNIT_WORDS) or n > 1.5 * surplus + MIN_UNIT_WORDS:
                continue
            if 2 * sum(matched[u0 - A0 : u1 - A0]) > u1 - u0:
                continue  # mostly kept as it is: not a sentence that one side lacks
            unit = Counter(k.casefold() for k, w in zip(a.keys[u0:u1], a.words[u0:u1]) if w)
            missing = sum((unit - other_words).values()) / n
            if missing >= 0.5:
                candidates.append((-missing, u0, u1))
    for _, u0, u1 in sorted(candidates)[:MAX_UNIT_TRIES]:
        rest = list(a.keys[A0:u0]) + list(a.keys[u1:A1])
        sub = diff_sequences(rest, b.keys[B0:B1])
        alt = _splice(sub, A0, B0, u0 - A0, u0, u1)
        c = _cost(alt, a, b)
        if c < best_cost:
            best_cost, best = c, alt
    return best


def _splice(ops: Sequence[AlignOp], A0: int, B0: int, j: int, u0: int, u1: int) -> list[AlignOp]:
    """Ops of ``a[A0:u0] + a[u1:A1]`` against ``b[B0:B1]``, back in place, with ``a[u0:u1]`` deleted between."""
    width = u1 - u0
    out: list[AlignOp] = []
    done = False

    def put(op: str, s0: int, s1: int, q0: int, q1: int) -> None:
        shift = A0 if s1 <= j and s0 <= j else A0 + width
        if s0 < j < s1:
            raise AssertionError("split before put")
        out.append(AlignOp(op, (s0 + shift, s1 + shift), (q0 + B0, q1 + B0)))  # type: ignore[arg-type]

    def cut(q: int) -> None:
        out.append(AlignOp("delete", (u0, u1), (q + B0, q + B0)))

    for op in ops:
        (s0, s1), (q0, q1) = op.src, op.quo
        if done or s1 < j or (s1 == j and (s0 < s1 or op.op == "insert")):
            put(op.op, s0, s1, q0, q1)
            continue
        if s0 >= j:
            cut(q0)
            done = True
            put(op.op, s0, s1, q0, q1)
            continue
        # the op straddles the junction
        if op.op == "equal":
            k = j - s0
            put("equal", s0, j, q0, q0 + k)
            cut(q0 + k)
            put("equal", j, s1, q0 + k, q1)
        else:
            put("replace" if q1 > q0 else "delete", s0, j, q0, q1)
            cut(q1)
            put("delete", j, s1, q1, q1)
        done = True
    if not done:
        q = ops[-1].quo[1] if ops else 0
        cut(q)
    return out


def _split_at_paragraphs(ops: Sequence[AlignOp], a: _View, b: _View) -> list[AlignOp]:
    """Cut deletions and insertions at the paragraph breaks inside them: one variant per paragraph."""
    out: list[AlignOp] = []
    for op in ops:
        if op.op not in ("delete", "insert"):
            out.append(op)
            continue
        view, (lo, hi) = (a, op.src) if op.op == "delete" else (b, op.quo)
        cuts = [t for t in range(lo + 1, hi) if view.cuts[t] >= _PARAGRAPH] + [hi]
        start = lo
        for t in cuts:
            if op.op == "delete":
                out.append(AlignOp("delete", (start, t), op.quo))
            else:
                out.append(AlignOp("insert", op.src, (start, t)))
            start = t
    return out


def _cluster_indices(ops: Sequence[AlignOp]) -> list[tuple[int, int]]:
    """Index ranges of ops that form clusters of changes (changes with short equalities between)."""
    groups: list[tuple[int, int]] = []
    start = end = None
    for n, op in enumerate(ops):
        if op.op == "equal":
            if start is not None and op.src[1] - op.src[0] > CLUSTER_GAP:
                groups.append((start, end))  # type: ignore[arg-type]
                start = None
            continue
        if start is None:
            start = n
        end = n + 1
    if start is not None:
        groups.append((start, end))  # type: ignore[arg-type]
    return groups


# --------------------------------------------------------------------------- moves


@dataclass(frozen=True)
class _Move:
    src: tuple[int, int]
    quo: tuple[int, int]
    ops: tuple[AlignOp, ...]  # the re-alignment, in document token indices


def _find_moves(ops: Sequence[AlignOp], a: _Side, b: _Side) -> list[_Move]:
    """Match deleted stretches against inserted ones: each good match is a moved passage."""
    va, vb = a.view, b.view
    dels = [op.src for op in ops if op.op in ("delete", "replace") and va.word_count(*op.src) >= MIN_MOVE_WORDS]
    inss = [op.quo for op in ops if op.op in ("insert", "replace") and vb.word_count(*op.quo) >= MIN_MOVE_WORDS]
    moves: list[_Move] = []
    if not dels or not inss:
        return moves
    ins_pool: dict[int, tuple[int, int]] = dict(enumerate(inss))
    next_id = len(inss)
    grams: dict[tuple[str, ...], set[int]] = defaultdict(set)

    def index(pid: int, r: tuple[int, int]) -> None:
        for g in _grams(_word_keys(b, *r)):
            grams[g].add(pid)

    for pid, r in ins_pool.items():
        index(pid, r)
    starts = [op.src[0] for op in ops]
    queue = sorted(dels, key=lambda r: (-(r[1] - r[0]), r[0]))
    while queue:
        d = queue.pop(0)
        votes: Counter[int] = Counter()
        for g in set(_grams(_word_keys(a, *d))):
            for pid in grams.get(g, ()):
                if pid in ins_pool:
                    votes[pid] += 1
        best: tuple[int, int, _Move] | None = None
        here = _map_point(ops, starts, d[0])
        d_bag = Counter(_word_keys(a, *d))
        d_words = sum(d_bag.values())
        for pid, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[:MOVE_CANDIDATES]:
            i_bag = Counter(_word_keys(b, *ins_pool[pid]))
            # the words the two share bound the words a re-alignment can match
            shared = sum((d_bag & i_bag).values())
            if shared < MIN_MOVE_WORDS or (best is not None and shared <= best[0]):
                continue
            if shared < SURE_MOVE_WORDS and shared < MIN_MOVE_SHARE * min(d_words, sum(i_bag.values())):
                continue
            m = _match(a, b, d, ins_pool[pid])
            if m is None:
                continue
            if m.matched < SURE_MOVE_WORDS and abs(m.quo[0] - here) > NEAR_MOVE_TOKENS:
                continue  # a short phrase dropped here and used far away is no move
            if best is None or m.matched > best[0]:
                best = (m.matched, pid, m.move)
        if best is None:
            continue
        _, pid, move = best
        moves.append(move)
        i = ins_pool.pop(pid)
        for rest in ((i[0], move.quo[0]), (move.quo[1], i[1])):
            if vb.word_count(*rest) >= MIN_MOVE_WORDS:
                ins_pool[next_id] = rest
                index(next_id, rest)
                next_id += 1
        for rest in ((d[0], move.src[0]), (move.src[1], d[1])):
            if va.word_count(*rest) >= MIN_MOVE_WORDS:
                queue.append(rest)
        queue.sort(key=lambda r: (-(r[1] - r[0]), r[0]))
    return sorted(moves, key=lambda m: m.src)


def _word_keys(side: _Side, t0: int, t1: int) -> list[str]:
    return [side.tokens[t].key for t in range(t0, t1) if side.tokens[t].is_word]


def _map_point(ops: Sequence[AlignOp], starts: Sequence[int], t: int) -> int:
    """Where BASE token ``t`` stands in OTHER (the start of the change that holds it)."""
    k = max(bisect_right(starts, t) - 1, 0)
    op = ops[k]
    if op.op == "equal":
        return op.quo[0] + (t - op.src[0])
    return op.quo[0]


def _grams(keys: Sequence[str], n: int = 2) -> list[tuple[str, ...]]:
    if len(keys) < n:
        return [tuple(keys)] if keys else []
    return [tuple(keys[i : i + n]) for i in range(len(keys) - n + 1)]


@dataclass(frozen=True)
class _Match:
    matched: int
    move: _Move

    @property
    def quo(self) -> tuple[int, int]:
        return self.move.quo


def _match(a: _Side, b: _Side, d: tuple[int, int], i: tuple[int, int]) -> _Match | None:
    """Re-align a deleted stretch against an inserted one; the matched core, if it is a move."""
    va, vb = a.view, b.view
    if (d[1] - d[0]) + (i[1] - i[0]) > MATCH_WINDOW:
        band = _band(va.keys, vb.keys, d, i)
        if band is None:
            return None
        d, i = band
    ka = [k.casefold() for k in va.keys[d[0] : d[1]]]
    kb = [k.casefold() for k in vb.keys[i[0] : i[1]]]
    runs = [op for op in diff_sequences(ka, kb) if op.op == "equal"]
    if not runs:
        return None

    def words_in(op: AlignOp) -> int:
        return va.word_count(d[0] + op.src[0], d[0] + op.src[1])

    # drop equal runs at the edges that are small beside the gap to the rest
    runs = trim_stray_runs(runs, words_in, gap_per_word=STRAY_GAP_PER_WORD)
    matched = sum(words_in(r) for r in runs)
    if matched < MIN_MOVE_WORDS:
        return None
    s0, s1 = d[0] + runs[0].src[0], d[0] + runs[-1].src[1]
    q0, q1 = i[0] + runs[0].quo[0], i[0] + runs[-1].quo[1]
    if matched < MIN_MOVE_SHARE * max(va.word_count(s0, s1), vb.word_count(q0, q1)):
        return None
    # a few common words shared by two long changes are no move
    if matched < SURE_MOVE_WORDS and matched < MIN_MOVE_SHARE * min(va.word_count(*d), vb.word_count(*i)):
        return None
    # punctuation that closes the moved words (or opens them) on both sides moves with them
    while (
        s1 < len(va.keys) and q1 < len(vb.keys) and not va.words[s1]
        and va.keys[s1] == vb.keys[q1] and va.keys[s1] not in _OPENERS
    ):
        s1, q1 = s1 + 1, q1 + 1
    while s0 > 0 and q0 > 0 and va.keys[s0 - 1] in _OPENERS and va.keys[s0 - 1] == vb.keys[q0 - 1]:
        s0, q0 = s0 - 1, q0 - 1
    # the wording inside the moved text, case kept
    inner = tuple(
        AlignOp(op.op, (s0 + op.src[0], s0 + op.src[1]), (q0 + op.quo[0], q0 + op.quo[1]))
        for op in diff_sequences(va.keys[s0:s1], vb.keys[q0:q1])
    )
    return _Match(matched, _Move((s0, s1), (q0, q1), inner))


def _band(
    ka: Sequence[str], kb: Sequence[str], d: tuple[int, int], i: tuple[int, int]
) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """Narrow two long stretches to where they share most: the diagonal band most shared pairs of tokens lie on."""
    where: dict[tuple[str, str], list[int]] = defaultdict(list)
    for y in range(i[0], i[1] - 1):
        where[(kb[y].casefold(), kb[y + 1].casefold())].append(y)
    hits: list[tuple[int, int]] = []
    for x in range(d[0], d[1] - 1):
        ys = where.get((ka[x].casefold(), ka[x + 1].casefold()))
        if ys and len(ys) <= 3:
            hits.extend((x, y) for y in ys)
    if len(hits) < MIN_MOVE_WORDS:
        return None
    width = 32
    buckets = Counter((y - x) // width for x, y in hits)
    top = min(buckets, key=lambda k: (-(buckets[k] + buckets.get(k - 1, 0) + buckets.get(k + 1, 0)), k))
    near = [(x, y) for x, y in hits if abs((y - x) // width - top) <= 1]
    if len(near) < MIN_MOVE_WORDS:
        return None
    slack = 16
    x0, x1 = min(x for x, _ in near), max(x for x, _ in near) + 2
    y0, y1 = min(y for _, y in near), max(y for _, y in near) + 2
    return (max(d[0], x0 - slack), min(d[1], x1 + slack)), (max(i[0], y0 - slack), min(i[1], y1 + slack))


def _realign_without(ops: Sequence[AlignOp], moves: Sequence[_Move], a: _View, b: _View) -> list[AlignOp]:
    """The alignment with the moved passages taken out: the stretches that held them aligned again.

    Each run of ops that touches a moved passage is aligned afresh without
    it (the words around a moved sentence may now match each other); the
    rest of the alignment stays as it was.
    """
    moved_a = sorted(m.src for m in moves)
    moved_b = sorted(m.quo for m in moves)

    def touched(op: AlignOp) -> bool:
        return _hits(op.src, moved_a) or _hits(op.quo, moved_b)

    out: list[AlignOp] = []
    n = 0
    while n < len(ops):
        if not touched(ops[n]):
            out.append(ops[n])
            n += 1
            continue
        m = n
        while m < len(ops) and touched(ops[m]):
            m += 1
        s0, s1 = ops[n].src[0], ops[m - 1].src[1]
        q0, q1 = ops[n].quo[0], ops[m - 1].quo[1]
        keep_a = [t for t in range(s0, s1) if not _inside(t, moved_a)]
        keep_b = [t for t in range(q0, q1) if not _inside(t, moved_b)]
        ra, rb = a.subset(keep_a), b.subset(keep_b)
        out.extend(_lift(_align_views(ra, rb) if keep_a or keep_b else [], ra, rb, s0, q0))
        n = m
    return out


def _hits(r: tuple[int, int], ranges: Sequence[tuple[int, int]]) -> bool:
    k = bisect_right(ranges, (r[1], r[1])) - 1
    while k >= 0 and ranges[k][1] > r[0]:
        if ranges[k][0] < r[1] and ranges[k][0] < ranges[k][1]:
            return True
        k -= 1
    return False


def _inside(t: int, ranges: Sequence[tuple[int, int]]) -> bool:
    k = bisect_right(ranges, (t, float("inf"))) - 1
    return k >= 0 and ranges[k][0] <= t < ranges[k][1]


def _lift(ops: Sequence[AlignOp], a: _View, b: _View, a_start: int, b_start: int) -> list[AlignOp]:
    """Ops between two views that leave passages out, in whole-document positions.

    An op whose tokens lie on both sides of a left-out passage is cut in two
    there, so that no op's span covers moved text. ``a_start``/``b_start``
    place an empty view.
    """
    out: list[AlignOp] = []

    def pos(view: _View, c: int, start: int) -> int:
        if c < len(view.index):
            return view.index[c] if c == 0 else view.index[c - 1] + 1
        return view.index[-1] + 1 if view.index else start

    def runs_of(view: _View, c0: int, c1: int) -> list[tuple[int, int]]:
        """The document ranges of view tokens ``c0:c1``: one per run of neighbouring tokens."""
        if c0 == c1:
            return []
        runs = [[view.index[c0], view.index[c0] + 1]]
        for c in range(c0 + 1, c1):
            t = view.index[c]
            if t == runs[-1][1]:
                runs[-1][1] = t + 1
            else:
                runs.append([t, t + 1])
        return [(r0, r1) for r0, r1 in runs]

    for op in ops:
        if op.op == "equal":
            n = op.src[1] - op.src[0]
            k = 0
            while k < n:
                m = 1
                while (
                    k + m < n
                    and a.index[op.src[0] + k + m] == a.index[op.src[0] + k + m - 1] + 1
                    and b.index[op.quo[0] + k + m] == b.index[op.quo[0] + k + m - 1] + 1
                ):
                    m += 1
                s, q = a.index[op.src[0] + k], b.index[op.quo[0] + k]
                out.append(AlignOp("equal", (s, s + m), (q, q + m)))
                k += m
            continue
        sp = runs_of(a, *op.src)
        qp = runs_of(b, *op.quo)
        if sp and qp:
            out.append(AlignOp("replace", sp[0], qp[0]))
            out.extend(AlignOp("delete", r, (qp[0][1], qp[0][1])) for r in sp[1:])
            out.extend(AlignOp("insert", (sp[0][1], sp[0][1]), r) for r in qp[1:])
        elif sp:
            p = pos(b, op.quo[0], b_start)
            out.extend(AlignOp("delete", r, (p, p)) for r in sp)
        else:
            p = pos(a, op.src[0], a_start)
            out.extend(AlignOp("insert", (p, p), r) for r in qp)
    return out


# --------------------------------------------------------------------------- naming the changes


def _clusters(ops: Sequence[AlignOp]) -> list[list[AlignOp]]:
    """Changes grouped with their near neighbours, so that a local swap is seen whole."""
    return [list(ops[g0:g1]) for g0, g1 in _cluster_indices(ops)]


def _doc_variants(ops: Sequence[AlignOp], a: _Side, b: _Side) -> list[DocVariant]:
    out: list[DocVariant] = []
    done = 0
    for g0, g1 in _rewritten_groups(ops, a.view, b.view):
        for cluster in _clusters(ops[done:g0]):
            out.extend(_name(cluster, a, b))
        out.append(_rewritten_variant(ops[g0:g1], a, b))
        done = g1
    for cluster in _clusters(ops[done:]):
        out.extend(_name(cluster, a, b))
    return out


def _whole_unit_change(op: AlignOp, a: _View, b: _View) -> bool:
    """Whether an op drops or adds whole sentences (which stay variants of their own)."""
    if op.op == "delete":
        return a.cuts[op.src[0]] >= _SENTENCE and a.cuts[op.src[1]] >= _SENTENCE
    if op.op == "insert":
        return b.cuts[op.quo[0]] >= _SENTENCE and b.cuts[op.quo[1]] >= _SENTENCE
    return False


def _rewritten_groups(ops: Sequence[AlignOp], a: _View, b: _View) -> list[tuple[int, int]]:
    """Index ranges of ops that are passages rewritten from end to end.

    Changes are grouped while at most :data:`REWRITE_GAP_WORDS` shared words
    (and no sentence break) stand between them; a group of two changes or
    more is rewritten when its shared words are at most
    :data:`REWRITE_SHARE` of the longer side and each side has
    :data:`REWRITE_MIN_WORDS` changed words. A reader sees "this passage was
    rewritten", as a side-by-side diff shows a rewritten line, not a run of
    one-word substitutions.
    """
    groups: list[tuple[int, int]] = []
    start: int | None = None
    last = -1
    changes = 0

    def close() -> None:
        if start is None or changes < 2:
            return
        s0, s1, q0, q1 = ops[start].src[0], ops[last].src[1], ops[start].quo[0], ops[last].quo[1]
        wa, wb = a.word_count(s0, s1), b.word_count(q0, q1)
        shared = sum(a.word_count(*op.src) for op in ops[start : last + 1] if op.op == "equal")
        if shared <= REWRITE_SHARE * max(wa, wb) and min(wa, wb) - shared >= REWRITE_MIN_WORDS:
            groups.append((start, last + 1))

    for n, op in enumerate(ops):
        if op.op == "equal":
            # a sentence that ends between two changes ends the rewritten passage
            breaks = any(a.cuts[t] >= _SENTENCE for t in range(op.src[0], op.src[1] + 1))
            if start is not None and (breaks or a.word_count(*op.src) > REWRITE_GAP_WORDS):
                close()
                start, changes = None, 0
            continue
        if _whole_unit_change(op, a, b) or a.word_count(*op.src) + b.word_count(*op.quo) == 0:
            close()
            start, changes = None, 0
            continue
        if start is None:
            start = n
        last = n
        changes += 1
    close()
    return [_with_adjacent_changes(ops, g0, g1) for g0, g1 in groups]


def _with_adjacent_changes(ops: Sequence[AlignOp], g0: int, g1: int) -> tuple[int, int]:
    """A rewritten group widened over the changes that touch it (a sentence dropped right before it).

    With no shared word between them, a reader sees one replaced passage.
    """
    while g0 > 0 and ops[g0 - 1].op != "equal":
        g0 -= 1
    while g1 < len(ops) and ops[g1].op != "equal":
        g1 += 1
    return g0, g1


def _rewritten_variant(ops: Sequence[AlignOp], a: _Side, b: _Side) -> DocVariant:
    """One substitution for a rewritten passage, with the words both sides still share."""
    s0, s1, q0, q1 = ops[0].src[0], ops[-1].src[1], ops[0].quo[0], ops[-1].quo[1]
    shared = tuple(
        (a.span(*op.src), b.span(*op.quo)) for op in ops if op.op == "equal" and a.view.word_count(*op.src)
    )
    return DocVariant(
        Kind.SUBSTITUTION, a.text(s0, s1), b.text(q0, q1), a.span(s0, s1), b.span(q0, q1), shared=shared
    )


def _split_punctuation(op: AlignOp, a: _View, b: _View) -> list[AlignOp]:
    """A replacement with punctuation at its edges cut into the punctuation change and the word change.

    "on" -> ", upon" is a comma added and a word changed; ", but" -> "; while"
    a comma changed to a semicolon and a word changed: a reader sees two
    changes, and neither is a change of words into punctuation.
    """
    if op.op != "replace":
        return [op]
    (s0, s1), (q0, q1) = op.src, op.quo
    words_a, words_b = any(a.words[s0:s1]), any(b.words[q0:q1])
    if words_a != words_b:
        # punctuation replaced by words (or words by punctuation): the one dropped, the other added
        return [AlignOp("delete", op.src, (q0, q0)), AlignOp("insert", (s1, s1), op.quo)]
    if not words_a:
        return [op]
    ls, lq = s0, q0
    while not a.words[ls]:
        ls += 1
    while not b.words[lq]:
        lq += 1
    ts, tq = s1, q1
    while not a.words[ts - 1]:
        ts -= 1
    while not b.words[tq - 1]:
        tq -= 1
    if max(a.word_count(ls, ts), b.word_count(lq, tq)) > SPLIT_PUNCTUATION_WORDS:
        return [op]  # a clause rewritten: its punctuation is part of the new wording
    # a word at the edge that differs only in case is a change of its own ("; but how many" -> ". Many")
    ls2, lq2, ts2, tq2 = ls, lq, ts, tq
    while ts2 > ls2 and tq2 > lq2 and ts2 - ls2 + tq2 - lq2 > 2 and a.keys[ts2 - 1].casefold() == b.keys[tq2 - 1].casefold():
        ts2, tq2 = ts2 - 1, tq2 - 1
    while ts2 > ls2 and tq2 > lq2 and ts2 - ls2 + tq2 - lq2 > 2 and a.keys[ls2].casefold() == b.keys[lq2].casefold():
        ls2, lq2 = ls2 + 1, lq2 + 1
    pieces = [((s0, ls), (q0, lq)), ((ls, ls2), (lq, lq2)), ((ls2, ts2), (lq2, tq2)), ((ts2, ts), (tq2, tq)), ((ts, s1), (tq, q1))]
    out: list[AlignOp] = []
    for (x0, x1), (y0, y1) in pieces:
        if x0 == x1 and y0 == y1:
            continue
        if a.keys[x0:x1] == b.keys[y0:y1]:
            kind = "equal"
        else:
            kind = "replace" if x1 > x0 and y1 > y0 else ("delete" if x1 > x0 else "insert")
        out.append(AlignOp(kind, (x0, x1), (y0, y1)))  # type: ignore[arg-type]
    return out


def _name(cluster: Sequence[AlignOp], a: _Side, b: _Side) -> list[DocVariant]:
    """Name the changes of one cluster with :func:`classify_alignment` (edges count: not partial)."""
    cluster = [part for op in cluster for part in _split_punctuation(op, a.view, b.view)]
    changes = [op for op in cluster if op.op != "equal"]
    if len(changes) > 1:
        s0, s1 = changes[0].src[0], changes[-1].src[1]
        q0, q1 = changes[0].quo[0], changes[-1].quo[1]
        words_a = [t.key for t in a.tokens[s0:s1] if t.is_word]
        words_b = [t.key for t in b.tokens[q0:q1] if t.is_word]
        # the same words in the same order have not moved (quote marks put around them)
        if words_a != words_b and is_transposition(words_a, words_b, min_words=1):
            # "north and then south" -> "south and then north": the same words in another order
            return [DocVariant(Kind.TRANSPOSITION, a.text(s0, s1), b.text(q0, q1), a.span(s0, s1), b.span(q0, q1))]
    al = Alignment(a.tokens, b.tokens, tuple(cluster))
    found = classify_alignment(al, a.doc.text, b.doc.text, partial=False, language=a.doc.language)
    out = []
    for v in found:
        base_span = v.source_span or _missing_span(cluster, a, b, v.quote_span, from_other=True)
        other_span = v.quote_span or _missing_span(cluster, a, b, v.source_span, from_other=False)
        unit: Unit = "words"
        if v.kind in (Kind.OMISSION, Kind.INSERTION):
            side, span = (a, base_span) if v.kind is Kind.OMISSION else (b, other_span)
            unit = side.unit(side.token_at(span[0]), side.token_at(span[1]))
        out.append(DocVariant(v.kind, v.source_text, v.quote_text, base_span, other_span, unit, meaning=v.meaning))
    return out


def _missing_span(cluster: Sequence[AlignOp], a: _Side, b: _Side, known: Span | None, *, from_other: bool) -> Span:
    """The zero-width span, on the side that has no words, where a change stands."""
    here, there = (b, a) if from_other else (a, b)
    for op in cluster:
        r_here, r_there = (op.quo, op.src) if from_other else (op.src, op.quo)
        if known is None or (
            r_here[0] < r_here[1] and here.tokens[r_here[0]].start <= known[0] < here.tokens[r_here[1] - 1].end
        ):
            p = there.point(r_there[0])
            return (p, p)
    op = cluster[0]
    p = there.point(op.src[0] if from_other else op.quo[0])
    return (p, p)


def _move_variant(move: _Move, a: _Side, b: _Side) -> DocVariant:
    base_span, other_span = a.span(*move.src), b.span(*move.quo)
    inner: list[DocVariant] = []
    if any(op.op != "equal" for op in move.ops):
        # a change at the very edge of the moved words has its empty side
        # between two words: it is placed inside the moved passage, not in
        # the space before it
        inner = [
            dataclasses.replace(v, base_span=_within(v.base_span, base_span), other_span=_within(v.other_span, other_span))
            for v in _doc_variants(move.ops, a, b)
        ]
    return DocVariant(
        Kind.TRANSPOSITION,
        a.text(*move.src),
        b.text(*move.quo),
        base_span,
        other_span,
        a.unit(*move.src),
        True,
        tuple(inner),
    )


def _within(span: Span, outer: Span) -> Span:
    """An empty span moved to the nearest edge of ``outer`` when it lies outside it."""
    if span[0] != span[1] or outer[0] <= span[0] <= outer[1]:
        return span
    point = min(max(span[0], outer[0]), outer[1])
    return (point, point)


# --------------------------------------------------------------------------- layout


def _layout(ops: Sequence[AlignOp], a: _Side, b: _Side) -> list[LayoutChange]:
    """Paragraph boundaries of one text that the other text does not have, inside shared words."""
    a_breaks = [t for t in range(1, len(a.tokens)) if a.para_of[t] != a.para_of[t - 1]]
    b_breaks = [t for t in range(1, len(b.tokens)) if b.para_of[t] != b.para_of[t - 1]]
    a_all = sorted({0, len(a.tokens), *a_breaks})
    b_all = sorted({0, len(b.tokens), *b_breaks})
    fwd = _Mapper(ops, forward=True)
    back = _Mapper(ops, forward=False)
    by_other: dict[int, set[int]] = defaultdict(set)
    for t in a_breaks:
        m = fwd(t)
        if m is not None and not _kept(m, b_all):
            by_other[b.para_of[m[0]]].update((a.para_of[t - 1], a.para_of[t]))
    by_base: dict[int, set[int]] = defaultdict(set)
    for t in b_breaks:
        m = back(t)
        if m is not None and not _kept(m, a_all):
            by_base[a.para_of[m[0]]].update((b.para_of[t - 1], b.para_of[t]))
    out: list[LayoutChange] = []
    for op_para, paras in by_other.items():
        ps = sorted(paras)
        out.append(LayoutChange("merged", tuple(ps), (op_para,), _para_span(a, ps), _para_span(b, [op_para])))
    for bp, paras in by_base.items():
        ps = sorted(paras)
        out.append(LayoutChange("split", (bp,), tuple(ps), _para_span(a, [bp]), _para_span(b, ps)))
    return sorted(out, key=lambda c: (c.base_span, c.other_span))


def _para_span(side: _Side, paras: Sequence[int]) -> Span:
    return (side.paragraphs[paras[0]][0], side.paragraphs[paras[-1]][1])


class _Mapper:
    """Where the boundary before a token of one side may fall in the other.

    Inside shared words that is one position; next to a change it is any
    position across the change's other side (a paragraph break beside a
    dropped sentence may go with it); inside a change, None.
    """

    def __init__(self, ops: Sequence[AlignOp], *, forward: bool) -> None:
        self.pairs = sorted(((op.src, op.quo, op.op) if forward else (op.quo, op.src, op.op)) for op in ops)
        self.starts = [p[0][0] for p in self.pairs]

    def __call__(self, t: int) -> tuple[int, int] | None:
        k = bisect_right(self.starts, t) - 1
        found: list[int] = []
        while k >= 0:
            here, there, op = self.pairs[k]
            if here[1] < t:
                break
            if here[0] < t < here[1]:
                if op != "equal":
                    return None
                x = there[0] + (t - here[0])
                return (x, x)
            if op == "equal":
                found.append(there[0] if t == here[0] else there[1])
            else:
                found.extend(there)
            k -= 1
        return (min(found), max(found)) if found else None


def _kept(r: tuple[int, int], breaks: Sequence[int]) -> bool:
    """Whether a sorted list of break positions has one in the closed range ``r``."""
    k = bisect_right(breaks, r[1]) - 1
    return k >= 0 and breaks[k] >= r[0]


# --------------------------------------------------------------------------- collate


def collate(base: Document, other: Document) -> Collation:
    """Collate two witnesses of one text: wording variants, moved passages and layout changes.

    Tokens are compared by their folded form (typography folded, case kept),
    so two texts that differ only in quote-mark or dash forms, spacing or
    line breaks inside paragraphs are identical.
    """
    a, b = _side(base), _side(other)
    ops = _align_views(a.view, b.view)
    moves = _find_moves(ops, a, b)
    if moves:
        ops = _realign_without(ops, moves, a.view, b.view)
    variants = _doc_variants(_split_at_paragraphs(ops, a.view, b.view), a, b)
    variants.extend(_move_variant(m, a, b) for m in moves)
    variants.sort(key=lambda v: (v.base_span, v.other_span))
    return Collation(base, other, tuple(variants), tuple(_layout(ops, a, b)))
